package query_test

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/eutl/eutl/pkg/query"
)

func TestParseBatch(t *testing.T) {
	rows, err := query.ParseBatch(strings.NewReader("provider,service,country,at\nBelgian Mobile ID,qval,BE,2026-08-20\n\"Acme, Inc.\",qc-esig,,\nVATBE-0541659084,CA/QC,GR,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Line != 2 || rows[1].Provider != "Acme, Inc." || rows[2].Country != "EL" || rows[0].At.IsZero() || !rows[1].At.IsZero() {
		t.Fatalf("%+v", rows)
	}
	rows, err = query.ParseBatch(strings.NewReader("{\"provider\":\"Ερμής\",\"service\":\"qwac\"}\n\n{\"provider\":\"x\",\"service\":\"qtst\",\"country\":\"BE\",\"at\":\"2020-01-01T10:00:00Z\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1].Line != 3 || rows[0].Kind.Alias != "qwac" {
		t.Fatalf("%+v", rows)
	}
	for name, in := range map[string]string{
		"bad alias and date":   "provider,service,at\nA,qc,yesterday\nB,quux,\n",
		"missing column":       "provider\nA\n",
		"unknown column":       "provider,service,colour\nA,qc,red\n",
		"empty provider":       "provider,service\n,qc\n",
		"bad country":          "provider,service,country\nA,qc,Belgium\n",
		"too many fields":      "provider,service\nA,qc,BE\n",
		"JSON not an object":   "{\"provider\":\"A\",\"service\":\"qc\"}\n[1,2]\n",
		"JSON unknown key":     "{\"provider\":\"A\",\"service\":\"qc\",\"x\":\"y\"}\n",
		"JSON non-string":      "{\"provider\":\"A\",\"service\":7}\n",
		"header only":          "provider,service\n",
		"empty":                "",
		"unterminated quote":   "provider,service\n\"A,qc\n",
		"JSON two values":      "{\"provider\":\"A\",\"service\":\"qc\"} {}\n",
		"JSON missing service": "{\"provider\":\"A\"}\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := query.ParseBatch(strings.NewReader(in)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	_, err = query.ParseBatch(strings.NewReader("provider,service,at\nA,qc,yesterday\nB,quux,\nC,qc,\n"))
	var be *query.BatchError
	if !errors.As(err, &be) || len(be.Problems) != 2 || !strings.HasPrefix(be.Problems[0], "line 2:") || !strings.HasPrefix(be.Problems[1], "line 3:") {
		t.Fatalf("%v", err)
	}
}

// FuzzParseBatch: the batch parser never panics; accepted rows are valid.
func FuzzParseBatch(f *testing.F) {
	f.Add("provider,service,country,at\nBelgian Mobile ID,qval,BE,2026-08-20\n")
	f.Add("{\"provider\":\"x\",\"service\":\"qtst\"}\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := query.ParseBatch(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, r := range rows {
			if strings.TrimSpace(r.Provider) == "" || r.Line < 1 {
				t.Fatalf("invalid row accepted: %+v", r)
			}
		}
	})
}

// TestBatchLineLimit: a line longer than MaxBatchLine is a usage error
// naming its line, in CSV and JSON Lines, found without buffering the line
// (an endless line from a reader that never ends is refused too).
func TestBatchLineLimit(t *testing.T) {
	long := strings.Repeat("x", query.MaxBatchLine+1)
	for name, in := range map[string]string{
		"CSV":          "provider,service\nA,qc\nB,qc\n" + long + ",qc\nC,qc\n",
		"CSV quoted":   "provider,service\nA,qc\nB,qc\n\"" + long + "\",qc\n",
		"JSON Lines":   "{\"provider\":\"A\",\"service\":\"qc\"}\n\n\n{\"provider\":\"" + long + "\",\"service\":\"qc\"}\n",
		"CSV header":   "provider,service" + long + "\n",
		"first line 1": long,
	} {
		t.Run(name, func(t *testing.T) {
			err := query.ScanBatch(strings.NewReader(in), func(query.BatchRow) error { return nil })
			var be *query.BatchError
			if !errors.As(err, &be) || len(be.Problems) != 1 || !strings.Contains(be.Problems[0], "longer than 65536 bytes") {
				t.Fatalf("%v", err)
			}
			want := "line 4:"
			if strings.HasPrefix(name, "CSV header") || strings.HasPrefix(name, "first") {
				want = "line 1:"
			}
			if !strings.HasPrefix(be.Problems[0], want) {
				t.Errorf("%q, want %s", be.Problems[0], want)
			}
		})
	}
	// Exactly at the limit is fine.
	ok := "provider,service\n" + strings.Repeat("y", query.MaxBatchLine-3) + ",qc\n"
	if _, err := query.ParseBatch(strings.NewReader(ok)); err != nil {
		t.Errorf("a line of %d bytes: %v", query.MaxBatchLine, err)
	}
	// An endless line: refused after the limit, memory stays small.
	var m1, m2 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m1)
	err := query.ScanBatch(io.MultiReader(strings.NewReader("provider,service\n"), endless{}), func(query.BatchRow) error { return nil })
	runtime.ReadMemStats(&m2)
	if err == nil || !strings.Contains(err.Error(), "line 2: longer than") {
		t.Fatalf("endless line: %v", err)
	}
	if grew := m2.TotalAlloc - m1.TotalAlloc; grew > 4<<20 {
		t.Errorf("an endless line allocated %d bytes", grew)
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'z'
	}
	return len(p), nil
}

// TestScanBatchStreams: rows reach fn one at a time, in order, with the
// exact column; nothing reaches fn after a malformed row.
func TestScanBatchStreams(t *testing.T) {
	var got []string
	err := query.ScanBatch(strings.NewReader("provider,service,exact\nA,qc,true\nB,qval,\nC,qtst,no\n"), func(r query.BatchRow) error {
		got = append(got, fmt.Sprintf("%d:%s:%v", r.Line, r.Provider, r.Exact))
		return nil
	})
	if err != nil || strings.Join(got, " ") != "2:A:true 3:B:false 4:C:false" {
		t.Fatalf("%v %v", got, err)
	}
	got = nil
	err = query.ScanBatch(strings.NewReader("{\"provider\":\"A\",\"service\":\"qc\",\"exact\":true}\n{\"provider\":\"B\",\"service\":\"nope\"}\n{\"provider\":\"C\",\"service\":\"qc\"}\n"), func(r query.BatchRow) error {
		got = append(got, fmt.Sprintf("%d:%s:%v", r.Line, r.Provider, r.Exact))
		return nil
	})
	var be *query.BatchError
	if !errors.As(err, &be) || strings.Join(got, " ") != "1:A:true" {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := query.ParseBatch(strings.NewReader("provider,service,exact\nA,qc,maybe\n")); err == nil {
		t.Error("exact=maybe accepted")
	}
}
