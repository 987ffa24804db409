//go:build race

package cli

// raceEnabled: the race detector makes verifying the whole real set ~10×
// slower; TestExamplesReal then runs only the examples scoped to one list
// (`make examples`, part of `make test`, runs all of them without it).
const raceEnabled = true
