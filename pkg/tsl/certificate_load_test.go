package tsl_test

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
)

// TestRealLoadParsesNoCertificate: loading the real 2026 set as `eutl
// lists` and `eutl check` do (every list verified, the query index built,
// answers explained and rendered) never runs crypto/x509 on a listed
// certificate; the light accessors are all the load needs.
func TestRealLoadParsesNoCertificate(t *testing.T) {
	src := os.Getenv("EUTL_REAL_TL_DIR")
	if src == "" {
		t.Skip("EUTL_REAL_TL_DIR is not set: real-list tests skipped")
	}
	dir := t.TempDir()
	if err := tltest.WriteRealSet(src, dir); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)

	before := tsl.X509Parses()
	set, err := eutl.Load(context.Background(), eutl.Config{CacheDir: dir, Offline: true, At: at, AllowExpiredUnsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := report.WriteLists(&out, report.JSON, report.FromChain(set.Chain(), at)); err != nil {
		t.Fatal(err)
	}
	ix, err := set.Index()
	if err != nil {
		t.Fatal(err)
	}
	answered := 0
	for _, name := range []string{"Belgian Mobile ID", "VATBE-0541659084", "GlobalSign", "InfoCert", "D-Trust", "DARVA", "BalTstamp", "Centrul de Calcul", "Nobody at all"} {
		for _, k := range []string{"any", "qc-esig", "qtst", "qwac", "qval"} {
			kind, err := query.ParseKind(k)
			if err != nil {
				t.Fatal(err)
			}
			a := ix.Check(query.Query{Provider: name, Kind: kind, At: at})
			if err := report.WriteCheck(&out, report.JSON, report.FromAnswer(a, k)); err != nil {
				t.Fatal(err)
			}
			if len(a.Matches) > 0 {
				answered++
			}
		}
		ps := ix.Providers(query.ProvidersQuery{Query: name, At: at})
		if err := report.WriteProviders(&out, report.JSON, report.FromProviders(at, ps, ix.Failed())); err != nil {
			t.Fatal(err)
		}
		if err := report.WriteShow(&out, report.JSON, report.FromShow(at, ix.Show(query.ShowQuery{Query: name, At: at}), ix.Failed())); err != nil {
			t.Fatal(err)
		}
	}
	if answered < 20 {
		t.Fatalf("only %d of the questions matched a provider: the set did not load", answered)
	}
	if n := tsl.X509Parses() - before; n != 0 {
		t.Fatalf("loading the set and answering ran crypto/x509 on %d listed certificates", n)
	}

	// The counter counts: asking for one certificate's parsed form is one run.
	var c tsl.Certificate
	for _, o := range set.Chain().Lists {
		if o.List != nil && len(o.List.List.Providers) > 0 {
			c = o.List.List.Providers[0].Services[0].Current.Identities[0].Certificates[0]
			break
		}
	}
	if _, err := c.X509(); err != nil {
		t.Fatal(err)
	}
	if n := tsl.X509Parses() - before; n != 1 {
		t.Fatalf("one X509 call ran crypto/x509 %d times", n)
	}
}
