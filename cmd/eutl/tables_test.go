package main

import (
	"strings"
	"testing"

	"github.com/eutl/eutl/pkg/tltest"
)

// TestListsShowPivotWalk: when the LOTL is reached through pivots, the
// fetch/lists table has one row per pivot walked, before the LOTL.
func TestListsShowPivotWalk(t *testing.T) {
	w, err := tltest.NewWorld(tltest.WorldOptions{Pivots: 2, BaseURL: "http://tl.test"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, w)
	r := h.eutl("cache", "fetch")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(r.stdout, "\n")
	var pivots, lotlAt int
	for i, l := range lines {
		if strings.HasPrefix(l, "│ EU pivot ") {
			pivots++
			if lotlAt > 0 {
				t.Errorf("pivot row after the LOTL row:\n%s", r.stdout)
			}
		}
		if strings.HasPrefix(l, "│ EU ") && !strings.HasPrefix(l, "│ EU pivot") {
			lotlAt = i
		}
	}
	if pivots != 2 || lotlAt == 0 {
		t.Errorf("%d pivot rows, LOTL row %d:\n%s", pivots, lotlAt, r.stdout)
	}
	// without pivots, none
	if r := newHarness(t, sharedWorld(t)).eutl("cache", "fetch"); strings.Contains(r.stdout, "pivot") {
		t.Errorf("pivot rows without a walk:\n%s", r.stdout)
	}
}
