//go:build race

package main

// raceDetector: the race detector slows list verification about tenfold;
// tests that verify the whole real set many times do less under it.
const raceDetector = true
