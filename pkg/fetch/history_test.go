package fetch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func accept(t *testing.T, s *Store, name string, seq int, body string) {
	t.Helper()
	f := &Fetched{Data: []byte(body), URL: "https://tl.test/" + name + ".xml", Origin: OriginNetwork}
	if err := s.Accept(name, f, AcceptInfo{Territory: name, Sequence: seq, Verdict: "valid", NextUpdate: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
}

func seqs(t *testing.T, c *Cache, name string) []int {
	t.Helper()
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

func eq(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestHistoryKeepsAcceptedVersions: every accepted version is kept with
// the LOTL that pinned it; pivots are not; offline nothing is written.
func TestHistoryKeepsAcceptedVersions(t *testing.T) {
	c, err := OpenCache(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC)
	s := &Store{Cache: c, Now: func() time.Time { return now }}
	accept(t, s, "lotl", 390, "<lotl390/>")
	accept(t, s, "BE", 80, "<be80/>")
	accept(t, s, "pivots/eu-lotl-pivot-341.xml", 341, "<pivot/>")
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	data, e, err := c.ReadHistory("BE", 80)
	if err != nil || string(data) != "<be80/>" || e.LOTLSequence != 390 || !e.AcceptedAt.Equal(now) || e.SHA256 == "" || e.URL != "https://tl.test/BE.xml" {
		t.Fatalf("BE@80: %q %+v %v", data, e, err)
	}
	if _, e, err := c.ReadHistory("EU", 390); err != nil || e.LOTLSequence != 0 {
		t.Fatalf("lotl@390 (as EU): %+v %v", e, err)
	}
	names, _ := c.HistoryNames()
	if len(names) != 2 || names[0] != "BE" || names[1] != "lotl" {
		t.Errorf("history names %v (pivots are not kept)", names)
	}
	// the same sequence again keeps the first bytes
	accept(t, s, "BE", 80, "<be80-again/>")
	if data, _, _ := c.ReadHistory("BE", 80); string(data) != "<be80/>" {
		t.Errorf("BE@80 replaced by %q", data)
	}
	if _, _, err := c.ReadHistory("BE", 79); !errors.Is(err, ErrNotInHistory) {
		t.Errorf("BE@79: %v", err)
	}
	// offline: nothing is written
	off := &Store{Cache: c, Offline: true}
	accept(t, off, "BE", 81, "<be81/>")
	if got := seqs(t, c, "BE"); !eq(got, []int{80}) {
		t.Errorf("offline accept wrote history: %v", got)
	}
	// Keep < 0: no history
	none := &Store{Cache: c, Keep: -1}
	accept(t, none, "FR", 3, "<fr/>")
	if got := seqs(t, c, "FR"); len(got) != 0 {
		t.Errorf("Keep -1 wrote %v", got)
	}
}

// TestHistoryRetention: Keep bounds each list; LOTL versions that pinned a
// kept list stay.
func TestHistoryRetention(t *testing.T) {
	c, err := OpenCache(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{Cache: c, Keep: 3}
	accept(t, s, "lotl", 100, "<l100/>")
	accept(t, s, "BE", 1, "<b1/>") // pinned by 100, pruned below
	accept(t, s, "FR", 1, "<f1/>") // pinned by 100, kept: FR has one version
	for i := 101; i <= 106; i++ {
		accept(t, s, "lotl", i, "<l"+strconv.Itoa(i)+"/>")
		accept(t, s, "BE", i-99, "<b/>")
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := seqs(t, c, "BE"); !eq(got, []int{5, 6, 7}) {
		t.Errorf("BE kept %v, want the newest 3", got)
	}
	if got := seqs(t, c, "FR"); !eq(got, []int{1}) {
		t.Errorf("FR kept %v", got)
	}
	if got := seqs(t, c, "lotl"); !eq(got, []int{100, 104, 105, 106}) {
		t.Errorf("lotl kept %v, want the newest 3 and 100 (it pinned FR 1)", got)
	}
	// keep 0 empties the history
	if err := c.PruneHistory(0); err != nil {
		t.Fatal(err)
	}
	if got := seqs(t, c, "BE"); len(got) != 0 {
		t.Errorf("prune 0 left %v", got)
	}
	// the default bound
	d := &Store{Cache: c}
	for i := 1; i <= DefaultKeep+3; i++ {
		accept(t, d, "EL", i, "<e/>")
	}
	if err := d.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := seqs(t, c, "EL"); len(got) != DefaultKeep || got[0] != 4 {
		t.Errorf("default keep: %v", got)
	}
}

// TestHistoryUpgradeInPlace: a format-1 cache written before the history
// existed keeps its marker and gains history/ from the next writing run,
// which accepts the cached (unchanged) copies too.
func TestHistoryUpgradeInPlace(t *testing.T) {
	dir := t.TempDir()
	c, err := OpenCache(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Prepare(); err != nil {
		t.Fatal(err)
	}
	if err := c.Write("BE", []byte("<be81/>"), Meta{URL: "https://tl.test/BE.xml", Sequence: 81}); err != nil {
		t.Fatal(err)
	}
	marker, _ := os.ReadFile(filepath.Join(dir, "eutl-cache.json"))
	// a temporary file a killed run left in history/
	os.MkdirAll(filepath.Join(dir, "history", "BE"), 0o755)
	os.WriteFile(filepath.Join(dir, "history", "BE", ".81.xml.tmp-1"), []byte("x"), 0o644)
	if err := c.Prepare(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "history", "BE", ".81.xml.tmp-1")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary history file left: %v", err)
	}
	s := &Store{Cache: c}
	cached, err := s.Cached("BE", "https://tl.test/BE.xml")
	if err != nil {
		t.Fatal(err)
	}
	cached.Origin = OriginUnchanged
	if err := s.Accept("BE", cached, AcceptInfo{Territory: "BE", Sequence: 81, Verdict: "valid"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if data, _, err := c.ReadHistory("BE", 81); err != nil || string(data) != "<be81/>" {
		t.Fatalf("upgraded history: %q %v", data, err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "eutl-cache.json"))
	if string(after) != string(marker) || CacheFormat != 1 {
		t.Errorf("format marker changed: %s → %s", marker, after)
	}
}

// TestHistoryHandMadeEntries: a kept version without metadata (or with
// metadata that does not describe it) is still listed, by sequence only.
func TestHistoryHandMadeEntries(t *testing.T) {
	dir := t.TempDir()
	c := &Cache{Dir: dir}
	os.MkdirAll(filepath.Join(dir, "history", "BE"), 0o755)
	os.WriteFile(filepath.Join(dir, "history", "BE", "7.xml"), []byte("<b7/>"), 0o644)
	os.WriteFile(filepath.Join(dir, "history", "BE", "8.xml"), []byte("<b8/>"), 0o644)
	os.WriteFile(filepath.Join(dir, "history", "BE", "8.json"), []byte(`{"sequence": 8, "sha256": "00", "lotl_sequence": 5}`), 0o644)
	os.WriteFile(filepath.Join(dir, "history", "BE", "notes.txt"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "history", "BE", "0.xml"), []byte("x"), 0o644)
	if got := seqs(t, c, "BE"); !eq(got, []int{7, 8}) {
		t.Errorf("listed %v", got)
	}
	if _, e, err := c.ReadHistory("BE", 8); err != nil || e.LOTLSequence != 0 {
		t.Errorf("metadata not describing the bytes was used: %+v %v", e, err)
	}
	if _, err := c.History("../x"); err == nil {
		t.Error("an invalid name was accepted")
	}
}

func TestFixedSource(t *testing.T) {
	dir := t.TempDir()
	c, _ := OpenCache(dir, true)
	c.Write("pivots/eu-lotl-pivot-1.xml", []byte("<p/>"), Meta{})
	x := &Fixed{Lists: map[string][]byte{"lotl": []byte("<l/>")}, Origin: OriginHistory, Pivots: c}
	ctx := context.Background()
	if f, err := x.Fetch(ctx, "lotl", "u", false); err != nil || string(f.Data) != "<l/>" || f.Origin != OriginHistory {
		t.Errorf("lotl: %v", err)
	}
	if f, err := x.Fetch(ctx, "pivots/eu-lotl-pivot-1.xml", "u", true); err != nil || string(f.Data) != "<p/>" {
		t.Errorf("pivot: %v", err)
	}
	if _, err := x.Fetch(ctx, "BE", "u", false); !errors.Is(err, ErrNotInCache) {
		t.Errorf("BE: %v", err)
	}
	if n, _ := x.LastSequence("BE"); n != 0 {
		t.Errorf("rollback floor %d", n)
	}
}

// TestHistoryConfined: a history folder that is a link out of the cache is
// neither written through nor read.
func TestHistoryConfined(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	c, err := OpenCache(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(outside, "80.xml"), []byte("<planted/>"), 0o644)
	os.MkdirAll(filepath.Join(dir, "history"), 0o755)
	if err := os.Symlink(outside, filepath.Join(dir, "history", "BE")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if _, err := c.AddHistory([]byte("<be81/>"), HistoryEntry{Name: "BE", Sequence: 81}); err == nil {
		t.Error("wrote through a link out of the cache")
	}
	if _, err := os.Stat(filepath.Join(outside, "81.xml")); err == nil {
		t.Error("81.xml written outside the cache")
	}
	if _, _, err := c.ReadHistory("BE", 80); err == nil {
		t.Error("read a planted file through a link out of the cache")
	}
	if got, _ := c.History("BE"); len(got) != 0 {
		t.Errorf("listed %v through a link out of the cache", got)
	}
}
