package qualify_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/qualify"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
)

var (
	realOnce sync.Once
	realQ    *qualify.Index
	realErr  error
)

// realIndex verifies the real 2026 set offline (LOTL 390, every national
// list of tl-2026) with the wall clock at 2026-08-20 and freshness at 2010,
// as `eutl --offline --at <an early notBefore>` does.
func realIndex(t testing.TB) *qualify.Index {
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
		defer os.RemoveAll(dir)
		if err := tltest.WriteRealSet(src, dir); err != nil {
			realErr = err
			return
		}
		c, err := fetch.OpenCache(dir, false)
		if err != nil {
			realErr = err
			return
		}
		at := time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)
		res := trust.Chain(context.Background(), &fetch.Store{Cache: c, Offline: true}, trust.ChainOptions{
			Options: trust.Options{At: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), Now: at}, LOTLURL: "https://ec.europa.eu/tools/lotl/eu-lotl.xml",
			Anchors: trust.BuiltinAnchors(), OJURI: trust.OfficialJournalURI,
		})
		realQ = qualify.New(query.FromChain(res))
	})
	if realErr != nil {
		t.Fatal(realErr)
	}
	return realQ
}

type realRow struct {
	Name         string   `json:"name"`
	File         string   `json:"file"`
	Chain        *string  `json:"chain"`
	Kind         string   `json:"kind"`
	NotBefore    string   `json:"not_before"`
	At           string   `json:"at"`
	Qualified    string   `json:"qualified"`
	Type         string   `json:"type"`
	QSCD         string   `json:"qscd"`
	Captured     []string `json:"captured"`
	ExpectedExit int      `json:"expected_exit"`
	Uncertain    any      `json:"uncertain"`
	Service      string   `json:"service"`
}

func readCerts(t *testing.T, path string) []*qualify.Cert {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in, err := qualify.ReadCerts(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []*qualify.Cert
	for _, i := range in {
		out = append(out, i.Cert)
	}
	return out
}

// TestRealCerts gives every row of the real-certificate manifest its
// expected answer, at notBefore+1s as the manifest's expected_exit says.
func TestRealCerts(t *testing.T) {
	dir := os.Getenv("EUTL_REAL_CERTS_DIR")
	if dir == "" {
		t.Skip("EUTL_REAL_CERTS_DIR is not set: real-certificate tests skipped (set it to ../shared/real-certs)")
	}
	q := realIndex(t)
	data, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []realRow
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) < 30 {
		t.Fatalf("only %d rows", len(rows))
	}
	for _, row := range rows {
		t.Run(row.Name, func(t *testing.T) {
			x := readCerts(t, filepath.Join(dir, row.File))[0]
			var extra []*qualify.Cert
			if row.Chain != nil {
				extra = readCerts(t, filepath.Join(dir, *row.Chain))
			}
			at, _ := time.Parse(time.RFC3339, row.At)
			p := qualify.ForAny
			switch row.Kind {
			case "esig", "eseal":
				p = qualify.Purpose(row.Kind)
			case "qwac":
				p = qualify.ForWSA
			}
			r := q.Evaluate(x, extra, p, at)
			var exit int
			switch r.Outcome {
			case qualify.Qualified:
				exit = 0
			case qualify.NotQualified, qualify.Indeterminate:
				exit = 3
			case qualify.Incomplete:
				exit = 4
				if strings.Contains(r.Reason, "fetch_failed") {
					exit = 5
				}
			}
			js, _ := json.MarshalIndent(r.AtIssuance, "", " ")
			if exit != row.ExpectedExit {
				t.Fatalf("exit %d (%s: %s), want %d\n%s", exit, r.Outcome, r.Reason, row.ExpectedExit, js)
			}
			if row.ExpectedExit >= 4 {
				return // the list that decides is not usable: no answer to compare
			}
			d := r.AtIssuance
			wantQC := row.Qualified == "yes"
			if (d.QC == "qualified") != wantQC {
				t.Fatalf("qc %s, want %s\n%s", d.QC, row.Qualified, js)
			}
			if !wantQC {
				return
			}
			if d.Type != row.Type {
				t.Errorf("type %s, want %s\n%s", d.Type, row.Type, js)
			}
			gotQSCD := "no"
			if d.QSCD == qualify.QSCDYes || d.QSCD == qualify.QSCDManagedOnBehalf {
				gotQSCD = "yes"
			}
			if gotQSCD != row.QSCD {
				t.Errorf("qscd %s, want %s\n%s", d.QSCD, row.QSCD, js)
			}
			if d.Deciding == nil || strings.TrimSpace(d.Deciding.Service) != strings.TrimSpace(row.Service) {
				t.Errorf("deciding service %+v, want %q", d.Deciding, row.Service)
			}
			for _, c := range row.Captured {
				if d.Deciding != nil && !contains(d.Deciding.Qualifiers, c) {
					t.Errorf("captured %v, want %s among them", d.Deciding.Qualifiers, c)
				}
			}
			if row.Uncertain != nil && !strings.Contains(strings.Join(d.Trace, "\n"), "(Q") {
				t.Errorf("an uncertain row must name the rule that decided: %q", d.Trace)
			}
		})
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
