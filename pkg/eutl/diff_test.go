package eutl_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/eutl/eutl/pkg/diff"
	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/trust"
)

// TestDiff: kept versions, directories and files, the previous versions,
// and the refusals (a version not kept, a side that does not verify).
func TestDiff(t *testing.T) {
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
	first := t.TempDir() // a copy of the first set, as an offline directory
	for _, n := range []string{"lotl.xml", "BE.xml", "EL.xml", "FR.xml"} {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(first, n), data, 0o644)
	}
	srv.SetFiles(next.Files)
	set, err := eutl.Load(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	kinds := func(evs []diff.Event) map[diff.Kind]int {
		m := map[diff.Kind]int{}
		for _, e := range evs {
			m[e.Kind]++
		}
		return m
	}

	res, err := eutl.Diff(ctx, eutl.DiffConfig{Config: cfg, Old: &eutl.Side{Kept: "BE", KeptSequence: 42}, New: &eutl.Side{Kept: "BE", KeptSequence: 43}})
	if err != nil {
		t.Fatal(err)
	}
	if k := kinds(res.Events); len(res.Events) != 4 || k[diff.ServiceStatusChanged] != 1 || k[diff.ProviderAdded] != 1 {
		t.Errorf("BE@42 → BE@43: %v", k)
	}
	if len(res.Old.Lists) != 1 || res.Old.Lists[0].PinnedBy != w.LOTL.Sequence || res.New.Lists[0].PinnedBy != next.LOTL.Sequence {
		t.Errorf("pinned by %+v / %+v", res.Old.Lists, res.New.Lists)
	}

	res, err = eutl.Diff(ctx, eutl.DiffConfig{Config: cfg, Old: &eutl.Side{Dir: first}, New: &eutl.Side{Dir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	if k := kinds(res.Events); k[diff.ListSequenceChanged] != 4 || res.Old.LOTL == nil || len(res.New.Lists) != 3 {
		t.Errorf("directories: %v", k)
	}

	res, err = eutl.Diff(ctx, eutl.DiffConfig{Config: cfg, Country: "FR"})
	if err != nil {
		t.Fatal(err)
	}
	if k := kinds(res.Events); len(k) != 2 || k[diff.ListSequenceChanged] != 1 {
		t.Errorf("previous versions, FR: %v", k)
	}

	changes := eutl.Changes(ctx, cfg, set)
	if len(changes) != 4 {
		t.Fatalf("changes %+v", changes)
	}
	for _, c := range changes {
		if c.Err != nil || c.Old == 0 || c.New != c.Old+1 || len(c.Events) == 0 {
			t.Errorf("change %+v", c)
		}
	}

	_, err = eutl.Diff(ctx, eutl.DiffConfig{Config: cfg, Old: &eutl.Side{Kept: "BE", KeptSequence: 7}, New: &eutl.Side{Current: "BE"}})
	var spec *eutl.DiffSpecError
	if !errors.As(err, &spec) {
		t.Errorf("BE@7: %v", err)
	}

	tampered := filepath.Join(t.TempDir(), "be.xml")
	os.WriteFile(tampered, bytes.Replace(next.Files["/BE.xml"], []byte("Svcstatus/withdrawn"), []byte("Svcstatus/granted"), 1), 0o644)
	_, err = eutl.Diff(ctx, eutl.DiffConfig{Config: cfg, Old: &eutl.Side{Kept: "BE", KeptSequence: 43}, New: &eutl.Side{File: tampered}})
	var se *eutl.SideError
	var le *trust.ListError
	if !errors.As(err, &se) || se.Role != "new" || !errors.As(err, &le) || le.Verdict != trust.SignatureInvalid {
		t.Errorf("tampered side: %v", err)
	}
	_, err = eutl.Diff(ctx, eutl.DiffConfig{Config: cfg, Old: &eutl.Side{Kept: "lotl", KeptSequence: w.LOTL.Sequence}, New: &eutl.Side{Current: "BE"}})
	if !errors.As(err, &spec) {
		t.Errorf("a LOTL against a list: %v", err)
	}
}
