package cli

import (
	"runtime/debug"
	"testing"
)

// TestLowGC: the load runs at GOGC 50 and what was set before comes back;
// a GOGC in the environment is left alone.
func TestLowGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	for _, c := range []struct {
		gogc string
		want int
	}{{"", loadGCPercent}, {"200", 100}} {
		g := &globalOptions{env: &Env{Getenv: func(k string) string {
			if k == "GOGC" {
				return c.gogc
			}
			return ""
		}}}
		restore := g.lowGC()
		during := debug.SetGCPercent(-1)
		debug.SetGCPercent(during)
		restore()
		after := debug.SetGCPercent(100)
		if during != c.want || after != 100 {
			t.Errorf("GOGC=%q: %d during the load, %d after; want %d and 100", c.gogc, during, after, c.want)
		}
	}
}
