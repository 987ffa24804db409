package cli

import "runtime/debug"

// loadGCPercent is the collector's target while lists are read and
// verified, unless GOGC is set. The heap then holds little that points
// anywhere (each list's bytes are read, verified and dropped; the models are
// small), so collecting when the heap has grown by half its live size
// instead of all of it costs little CPU and keeps the peak near what is
// live (README, Performance). Answering (batch's rows) allocates much and
// keeps little: it runs at Go's default again.
const loadGCPercent = 50

// lowGC lowers the collector's target for the load and returns what
// restores it.
func (g *globalOptions) lowGC() (restore func()) {
	if g.env.Getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(loadGCPercent)
	return func() { debug.SetGCPercent(prev) }
}
