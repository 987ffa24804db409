package snapshot_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/snapshot"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
)

var realAt = time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)

// realCache lays out the real 2026 set (EUTL_REAL_TL_DIR) as a hand-made
// offline cache.
func realCache(t testing.TB) string {
	src := os.Getenv("EUTL_REAL_TL_DIR")
	if src == "" {
		t.Skip("EUTL_REAL_TL_DIR is not set: real-list tests skipped (set it to ../shared/real-tl)")
	}
	dir := t.TempDir()
	if err := tltest.WriteRealSet(src, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func realOpts() trust.ChainOptions {
	return trust.ChainOptions{Options: trust.Options{At: realAt, Now: realAt}, LOTLURL: "https://ec.europa.eu/tools/lotl/eu-lotl.xml",
		Anchors: trust.BuiltinAnchors(), OJURI: trust.OfficialJournalURI}
}

func offlineStore(t testing.TB, dir string) *fetch.Store {
	c, err := fetch.OpenCache(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	return &fetch.Store{Cache: c, Offline: true}
}

// TestRealRoundTrip: the real 2026 set from an offline cache, snapshotted,
// read back and verified again gives the same verdicts and digests.
func TestRealRoundTrip(t *testing.T) {
	dir := realCache(t)
	data, res := create(t, realOpts(), offlineStore(t, dir))
	a, err := snapshot.Read(data, snapshot.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	res2 := trust.Chain(context.Background(), a.Source(false, realAt), realOpts())
	if err := a.Reconcile(res2, snapshot.ReconcileOptions{Verdicts: true, AllLists: true}); err != nil {
		t.Fatal(err)
	}
	if !res2.LOTL.Usable() || len(res2.Lists) != len(res.Lists) {
		t.Fatalf("LOTL %v; %d lists, want %d", res2.LOTL.Err, len(res2.Lists), len(res.Lists))
	}
	valid := 0
	for i := range res.Lists {
		o, o2 := &res.Lists[i], &res2.Lists[i]
		if o.Verdict() != o2.Verdict() {
			t.Errorf("%s: %s from the cache, %s from the snapshot", o.Territory, o.Verdict(), o2.Verdict())
		}
		if o.Usable() {
			valid++
			if o.List.SHA256 != o2.List.SHA256 {
				t.Errorf("%s: digests differ", o.Territory)
			}
		}
	}
	if valid < 20 {
		t.Fatalf("only %d lists valid", valid)
	}
	again, _ := create(t, realOpts(), offlineStore(t, dir))
	if !bytes.Equal(data, again) {
		t.Fatal("two snapshots of the real set at the same --at differ")
	}
}

// BenchmarkRealSnapshotCreate verifies the real set from the offline cache
// and writes its snapshot.
func BenchmarkRealSnapshotCreate(b *testing.B) {
	dir := realCache(b)
	b.ReportAllocs()
	for b.Loop() {
		data, _ := create(b, realOpts(), offlineStore(b, dir))
		b.SetBytes(int64(len(data)))
	}
}

// BenchmarkRealSnapshotLoad reads the real set's snapshot and verifies every
// list again (what --snapshot FILE does), to compare with
// BenchmarkRealOfflineLoad.
func BenchmarkRealSnapshotLoad(b *testing.B) {
	dir := realCache(b)
	data, _ := create(b, realOpts(), offlineStore(b, dir))
	file := filepath.Join(b.TempDir(), "s.zip")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		raw, err := os.ReadFile(file)
		if err != nil {
			b.Fatal(err)
		}
		a, err := snapshot.Read(raw, snapshot.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		res := trust.Chain(context.Background(), a.Source(false, realAt), realOpts())
		if err := a.Reconcile(res, snapshot.ReconcileOptions{Verdicts: true, AllLists: true}); err != nil || !res.LOTL.Usable() {
			b.Fatal(err, res.LOTL.Err)
		}
	}
}

// BenchmarkRealOfflineLoad verifies the same set from the offline cache.
func BenchmarkRealOfflineLoad(b *testing.B) {
	dir := realCache(b)
	b.ReportAllocs()
	for b.Loop() {
		res := trust.Chain(context.Background(), offlineStore(b, dir), realOpts())
		if !res.LOTL.Usable() {
			b.Fatal(res.LOTL.Err)
		}
	}
}
