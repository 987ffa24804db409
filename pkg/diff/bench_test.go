package diff_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/eutl/eutl/pkg/diff"
	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/trust"
)

// realSet reads a LOTL and a folder of national lists into a fixed source,
// one list per territory (the newest issue when a folder has several).
func realSet(b *testing.B, lotl, dir string) (*fetch.Fixed, []string) {
	files, err := filepath.Glob(filepath.Join(dir, "*-tl-seq*.xml"))
	if err != nil {
		b.Fatal(err)
	}
	sort.Strings(files)
	src := &fetch.Fixed{Lists: map[string][]byte{}}
	if src.Lists["lotl"], err = os.ReadFile(lotl); err != nil {
		b.Fatal(err)
	}
	seen := map[string]bool{}
	var terrs []string
	for i := len(files) - 1; i >= 0; i-- {
		t := strings.ToUpper(filepath.Base(files[i])[:2])
		if t == "UK" || seen[t] {
			continue
		}
		seen[t] = true
		data, err := os.ReadFile(files[i])
		if err != nil {
			b.Fatal(err)
		}
		src.Lists[t] = data
		terrs = append(terrs, t)
	}
	sort.Strings(terrs)
	return src, terrs
}

func chainSet(b *testing.B, src *fetch.Fixed, terrs []string) diff.Set {
	res := trust.Chain(context.Background(), src, trust.ChainOptions{Options: relaxed(), LOTLURL: "https://ec.europa.eu/tools/lotl/eu-lotl.xml",
		Anchors: trust.BuiltinAnchors(), OJURI: trust.OfficialJournalURI, Territories: terrs})
	if !res.LOTL.Usable() {
		b.Fatal(res.LOTL.Err)
	}
	s := diff.Set{LOTL: version(res.LOTL.List), Lists: map[string]*diff.Version{}}
	for _, o := range res.Lists {
		if o.Usable() {
			s.Lists[o.Territory] = version(o.List)
		}
	}
	return s
}

// BenchmarkRealSetsDiff verifies two whole real sets — LOTL 248 with the
// 2019 lists, LOTL 390 with the 2026 lists — as eutl diff does on a warm
// cache, and compares them.
func BenchmarkRealSetsDiff(b *testing.B) {
	dir := realDir(b)
	oldSrc, oldT := realSet(b, filepath.Join(dir, "lotl", "eu-lotl-seq248-2019-09-04.xml"), filepath.Join(dir, "tl-2019"))
	newSrc, newT := realSet(b, filepath.Join(dir, "lotl", "eu-lotl-seq390-2026-08-03.xml"), filepath.Join(dir, "tl-2026"))
	n := 0
	b.ResetTimer()
	for b.Loop() {
		n = len(diff.Sets(chainSet(b, oldSrc, oldT), chainSet(b, newSrc, newT)))
	}
	b.ReportMetric(float64(n), "events")
}

// BenchmarkRealSetsCompare is the comparison alone, on sets verified once.
func BenchmarkRealSetsCompare(b *testing.B) {
	dir := realDir(b)
	oldSrc, oldT := realSet(b, filepath.Join(dir, "lotl", "eu-lotl-seq248-2019-09-04.xml"), filepath.Join(dir, "tl-2019"))
	newSrc, newT := realSet(b, filepath.Join(dir, "lotl", "eu-lotl-seq390-2026-08-03.xml"), filepath.Join(dir, "tl-2026"))
	o, n := chainSet(b, oldSrc, oldT), chainSet(b, newSrc, newT)
	b.ResetTimer()
	for b.Loop() {
		diff.Sets(o, n)
	}
}
