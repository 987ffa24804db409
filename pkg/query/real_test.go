package query_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
)

var (
	realOnce     sync.Once
	realIx       *query.Index
	realDeferred *query.Index
	realAllowed  *query.Index
	realErr      error
	realDir      string // the offline copy of the real set (kept for the package's run)
)

// realChain verifies the offline copy of the real set at 2026-08-20, with
// freshness judged by the chain or deferred to the index.
// TestMain removes the offline copy of the real set after the tests.
func TestMain(m *testing.M) {
	m.Run() // its result is the exit code when TestMain returns
	if realDir != "" {
		os.RemoveAll(realDir)
	}
}

func realChain(deferFreshness bool, territories []string) *trust.ChainResult {
	c, err := fetch.OpenCache(realDir, false)
	if err != nil {
		panic(err)
	}
	at := d("2026-08-20")
	return trust.Chain(context.Background(), &fetch.Store{Cache: c, Offline: true}, trust.ChainOptions{
		Options: trust.Options{At: at, Now: at, DeferFreshness: deferFreshness}, LOTLURL: "https://ec.europa.eu/tools/lotl/eu-lotl.xml",
		Anchors: trust.BuiltinAnchors(), OJURI: trust.OfficialJournalURI, Territories: territories,
	})
}

// realIndex verifies the real 2026 set (LOTL 390 and the national lists)
// offline with the built-in anchors at 2026-08-20, as `eutl --offline` does.
func realIndex(t testing.TB) *query.Index {
	loadReal(t)
	return realIx
}

// realIndexDeferred is the same set verified with freshness left to the
// index (trust.Options.DeferFreshness), as check and batch load it.
func realIndexDeferred(t testing.TB) *query.Index {
	loadReal(t)
	return realDeferred
}

// realIndexAllowExpired is realIndexDeferred with expired lists allowed.
func realIndexAllowExpired(t testing.TB) *query.Index {
	loadReal(t)
	return realAllowed
}

func loadReal(t testing.TB) {
	src := os.Getenv("EUTL_REAL_TL_DIR")
	if src == "" {
		t.Skip("EUTL_REAL_TL_DIR is not set: real-list tests skipped (set it to ../shared/real-tl)")
	}
	realOnce.Do(func() {
		dir, err := os.MkdirTemp("", "eutl-real-")
		if err != nil {
			realErr = err
			return
		}
		if err := tltest.WriteRealSet(src, dir); err != nil {
			realErr = err
			return
		}
		realDir = dir
		deferred := realChain(true, nil)
		realDeferred = query.FromChain(deferred)
		realAllowed = query.FromChain(deferred, query.AllowExpired(true))
		// realIx: the same verified lists, as the index judges them at
		// 2026-08-20 (TestRealTimeModel compares with the chain judging).
		realIx = realDeferred
	})
	if realErr != nil {
		t.Fatal(realErr)
	}
}

// TestRealBelgianMobileID is the acceptance case of the manifest.
func TestRealBelgianMobileID(t *testing.T) {
	t.Parallel()
	ix := realIndex(t)
	at := d("2026-08-20")
	a := ix.Check(query.Query{Provider: "Belgian Mobile ID", Kind: kind(t, "qc-esig"), Country: "BE", At: at})
	if a.Qualified || a.Outcome() != query.NotQualified {
		t.Fatalf("qc-esig: %v %q", a.Outcome(), a.Reason)
	}
	if !strings.Contains(a.Reason, "no qc-esig") || !strings.Contains(a.Reason, "QESValidation/Q ×2") {
		t.Errorf("reason %q", a.Reason)
	}
	var related []string
	for _, r := range a.Related {
		related = append(related, r.Provider.Name+": "+r.Service.Name)
	}
	want := "GlobalSign NV/SA: itsme Sign Biometric CA 2025|GlobalSign NV/SA: itsme Sign Non-Biometric CA 2025"
	if strings.Join(related, "|") != want {
		t.Errorf("related:\n %s\nwant\n %s", strings.Join(related, "\n "), want)
	}
	for _, q := range []string{"Belgian Mobile ID", "VATBE-0541659084", "belgian mobile id sa/nv"} {
		a := ix.Check(query.Query{Provider: q, Kind: kind(t, "qval"), Country: "BE", At: at})
		if !a.Qualified || len(a.Matches) != 1 || a.Matches[0].List.Sequence != 81 {
			t.Errorf("qval by %q: %v %q", q, a.Qualified, a.Reason)
		}
	}
	// Across every list, some lists are expired or unverifiable at that date:
	// no negative answer from partial data.
	all := ix.Check(query.Query{Provider: "Belgian Mobile ID", Kind: kind(t, "qc-esig"), At: at})
	if all.Outcome() != query.IncompleteTrust {
		t.Errorf("all lists: %v %q", all.Outcome(), all.Reason)
	}
	// itsme is a brand, not a provider name: the services named like it are shown.
	it := ix.Check(query.Query{Provider: "itsme", Kind: kind(t, "qc-esig"), Country: "BE", At: at})
	if len(it.Matches) != 0 || len(it.NamedServices) < 5 {
		t.Errorf("itsme: %d matches, %d named services", len(it.Matches), len(it.NamedServices))
	}
}

// BenchmarkRealBatch10k answers 10,000 queries against the real 2026 set.
func BenchmarkRealBatch10k(b *testing.B) {
	ix := realIndex(b)
	at := d("2026-08-20")
	var kinds []query.Kind
	for _, a := range []string{"qc-esig", "qval", "qtst", "qwac", "any"} {
		k, _ := query.ParseKind(a)
		kinds = append(kinds, k)
	}
	names := []string{"Belgian Mobile ID", "VATBE-0541659084", "GlobalSign", "InfoCert", "Certum", "D-Trust", "itsme", "Namirial", "Nobody at all", "Ερμής"}
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < 10000; i++ {
			ix.Check(query.Query{Provider: names[i%len(names)], Kind: kinds[i%len(kinds)], At: at})
		}
	}
}
