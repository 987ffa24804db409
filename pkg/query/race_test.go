//go:build race

package query_test

// raceEnabled: the race detector makes every verification several times
// slower; the property test then tries fewer mutations (make adversarial,
// which runs without it, tries them all).
const raceEnabled = true
