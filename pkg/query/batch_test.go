package query_test

import (
	"errors"
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
