package eutl_test

import (
	"testing"

	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/fetch"
)

// TestLoadKeepsHistory: a load that writes keeps what it accepted in the
// cache's history, bounded by HistoryKeep; an offline load adds nothing.
func TestLoadKeepsHistory(t *testing.T) {
	t.Parallel()
	w := testWorld(t)
	next, err := w.Next()
	if err != nil {
		t.Fatal(err)
	}
	ctx, srv := online(t, w)
	dir := t.TempDir()
	cfg := eutl.Config{LOTLURL: w.LOTLURL(), CacheDir: dir, CustomAnchorsUnsafe: anchors(w), At: at}
	if _, err := eutl.Load(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	srv.SetFiles(next.Files)
	if _, err := eutl.Load(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	c := &fetch.Cache{Dir: dir}
	seqs := func(name string) []int {
		es, err := c.History(name)
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, e := range es {
			out = append(out, e.Sequence)
		}
		return out
	}
	if got := seqs("BE"); len(got) != 2 || got[0] != 42 || got[1] != 43 {
		t.Fatalf("BE history %v", got)
	}
	if _, e, err := c.ReadHistory("BE", 43); err != nil || e.LOTLSequence != next.LOTL.Sequence {
		t.Fatalf("BE@43 pinned by %+v, %v", e, err)
	}
	off := cfg
	off.Offline = true
	if _, err := eutl.Load(ctx, off); err != nil {
		t.Fatal(err)
	}
	cfg.HistoryKeep = 1
	if _, err := eutl.Load(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if got := seqs("BE"); len(got) != 1 || got[0] != 43 {
		t.Errorf("BE history with HistoryKeep 1: %v", got)
	}
	cfg.HistoryKeep = -1
	cfg.CacheDir = t.TempDir()
	if _, err := eutl.Load(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if names, _ := (&fetch.Cache{Dir: cfg.CacheDir}).HistoryNames(); len(names) != 0 {
		t.Errorf("HistoryKeep -1 kept %v", names)
	}
}
