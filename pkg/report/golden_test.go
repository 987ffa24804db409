package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var at = time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./pkg/report -update and review the diff):\n%s", name, got)
	}
}

// fixture is a deterministic verified list: generated content, fixed
// digests and signer.
func fixture(t *testing.T) *trust.VerifiedList {
	l := tltest.List{Territory: "BE", Sequence: 81, Version: 6, Issued: time.Date(2026, 6, 15, 15, 0, 0, 0, time.UTC), NextUpdate: time.Date(2026, 12, 15, 16, 0, 0, 0, time.UTC),
		Providers: []tltest.Provider{
			{Name: "Belgian Mobile ID SA/NV", TradeNames: []string{"VATBE-0541659084", "Belgian Mobile ID"}, Services: []tltest.Service{
				{Type: "QESValidation/Q", Name: "itsme Sign Validation", Status: "granted", Start: time.Date(2018, 9, 12, 0, 0, 0, 0, time.UTC), ASI: []string{"ForeSignatures", "ForeSeals"}},
			}},
			{Name: "Certipost NV/SA", TradeNames: []string{"VATBE-0475396406"}, Services: []tltest.Service{
				{Type: "CA/QC", Name: "Belgium Root CA", Status: "withdrawn", Start: time.Date(2016, 9, 6, 0, 0, 0, 0, time.UTC), History: []tltest.Instance{
					{Type: "CA/QC", Name: "Belgium Root CA", Status: "granted", Start: query.EIDASDate(), ASI: []string{"ForeSignatures", "RootCA-QC"}},
					{Type: "CA/QC", Name: "Belgium Root CA", Status: "undersupervision", Start: time.Date(2003, 1, 26, 23, 0, 0, 0, time.UTC)},
				}},
			}},
		}}
	b, err := tltest.Build(l).WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	tl, err := tsl.ParseBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return &trust.VerifiedList{List: tl, SHA256: "3d5b6572b82cbdbed9e019517c33d9e3356c2f6f257ca90f4a1b495082fcf5eb", Size: len(b), Verdict: trust.Valid, At: at,
		Signature: &xmldsig.Result{Signer: &xmldsig.CertInfo{Subject: "CN=Belgian Trusted List Scheme Operator,C=BE", CommonName: "Belgian Trusted List Scheme Operator"}, SignerSHA256: "fbec3a3b1bb26cd02e7737b9e3ea289caa7d45adf608265122ea0db3d1de66ce",
			SignatureMethod: xmldsig.RSASHA512, SigningTime: time.Date(2026, 6, 15, 9, 44, 5, 0, time.UTC)}}
}

func render(t *testing.T, f func(w *bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	vl := fixture(t)
	lists := report.Lists{SchemaVersion: report.SchemaVersion, At: at.Format(time.RFC3339), Anchors: "OJ C/2026/1944",
		LOTL:   report.List{Territory: "EU", URL: "https://ec.europa.eu/tools/lotl/eu-lotl.xml", Sequence: 390, Version: 6, Verdict: "valid"},
		Pivots: []report.List{},
		Lists: []report.List{
			report.FromVerified(vl, "BE", "https://tsl.belgium.be/tsl-be-v6.xml"),
			report.FromError(&trust.ListError{Territory: "NL", URL: "https://example.nl/tsl.xml", Verdict: trust.Expired, Err: trust.ErrExpired}, "NL", "https://example.nl/tsl.xml"),
			// A located failure: the table shows its cause, JSON its location too.
			report.FromError(&trust.ListError{Territory: "PT", URL: "https://example.pt/tsl.xml", Verdict: trust.WrongTerritory,
				Err: &trust.CheckError{Path: "/TrustServiceStatusList/SchemeInformation/SchemeTerritory", Err: fmt.Errorf("%w: \"ES\", expected \"PT\"", trust.ErrWrongTerritory)}}, "PT", "https://example.pt/tsl.xml"),
		},
		Summary: report.Summary{ListsValid: 1, ListsFailed: 2, Providers: 2, Services: 2, QualifiedServices: 1, QualifiedProviders: 1},
	}
	ix := query.NewIndex([]query.Input{{List: vl, URL: "https://tsl.belgium.be/tsl-be-v6.xml"}}, nil)
	failed := []query.FailedList{{Territory: "DE", URL: "https://example.de/tsl.xml", Verdict: trust.SignatureInvalid,
		Reason: "/TrustServiceStatusList/ds:Signature: digest mismatch", Location: "/TrustServiceStatusList/ds:Signature", Cause: "digest mismatch"}}
	kind, _ := query.ParseKind("qc-esig")
	notQ := report.FromAnswer(ix.Check(query.Query{Provider: "Belgian Mobile ID", Kind: kind, Country: "BE", At: at}), "qc-esig")
	qval, _ := query.ParseKind("qval")
	yes := report.FromAnswer(ix.Check(query.Query{Provider: "VATBE-0541659084", Kind: qval, At: at}), "qval")
	qc, _ := query.ParseKind("qc")
	ambiguous := report.FromAnswer(ix.Check(query.Query{Provider: "NV", Kind: qc, At: at}), "qc")
	notFound := report.FromAnswer(ix.Check(query.Query{Provider: "Certipots", Kind: qc, At: at}), "qc")
	history := report.FromAnswer(ix.Check(query.Query{Provider: "BE 0475.396.406", Kind: qc, At: time.Date(2016, 8, 1, 0, 0, 0, 0, time.UTC)}), "qc")
	cases := map[string]func(w *bytes.Buffer) error{
		"lists.txt":            func(w *bytes.Buffer) error { return report.WriteLists(w, report.Table, lists) },
		"lists.json":           func(w *bytes.Buffer) error { return report.WriteLists(w, report.JSON, lists) },
		"check-no.txt":         func(w *bytes.Buffer) error { return report.WriteCheck(w, report.Table, notQ) },
		"check-no.json":        func(w *bytes.Buffer) error { return report.WriteCheck(w, report.JSON, notQ) },
		"check-yes.txt":        func(w *bytes.Buffer) error { return report.WriteCheck(w, report.Table, yes) },
		"check-ambiguous.txt":  func(w *bytes.Buffer) error { return report.WriteCheck(w, report.Table, ambiguous) },
		"check-ambiguous.json": func(w *bytes.Buffer) error { return report.WriteCheck(w, report.JSON, ambiguous) },
		"check-not-found.txt":  func(w *bytes.Buffer) error { return report.WriteCheck(w, report.Table, notFound) },
		"check-not-found.json": func(w *bytes.Buffer) error { return report.WriteCheck(w, report.JSON, notFound) },
		"check-history.txt":    func(w *bytes.Buffer) error { return report.WriteCheck(w, report.Table, history) },
		"batch.txt": func(w *bytes.Buffer) error {
			return report.WriteBatch(w, report.Table, []report.Check{withLine(yes, 2), withLine(notQ, 3), withLine(ambiguous, 4), withLine(notFound, 5)})
		},
		"batch.csv": func(w *bytes.Buffer) error {
			return report.WriteBatch(w, report.CSV, []report.Check{withLine(yes, 2), withLine(notQ, 3), withLine(ambiguous, 4), withLine(notFound, 5)})
		},
		"show.txt": func(w *bytes.Buffer) error {
			return report.WriteShow(w, report.Table, report.FromShow(at, ix.Show(query.ShowQuery{Query: "certipost", At: at}), nil))
		},
		"providers.txt": func(w *bytes.Buffer) error {
			return report.WriteProviders(w, report.Table, report.FromProviders(at, ix.Providers(query.ProvidersQuery{At: at}), nil))
		},
		"verify.txt": func(w *bytes.Buffer) error {
			return report.WriteVerify(w, report.Table, report.Verify{List: report.FromVerified(vl, "", "be.xml")})
		},
		"types.txt": func(w *bytes.Buffer) error { return report.WriteTypes(w, report.Table, report.Types()) },
		// Every JSON document of every command, and the CSV renderings.
		"check-yes.json": func(w *bytes.Buffer) error { return report.WriteCheck(w, report.JSON, yes) },
		"batch.jsonl": func(w *bytes.Buffer) error {
			return report.WriteBatch(w, report.JSON, []report.Check{withLine(yes, 2), withLine(notQ, 3)})
		},
		"providers.json": func(w *bytes.Buffer) error {
			return report.WriteProviders(w, report.JSON, report.FromProviders(at, ix.Providers(query.ProvidersQuery{At: at}), nil))
		},
		"providers.csv": func(w *bytes.Buffer) error {
			return report.WriteProviders(w, report.CSV, report.FromProviders(at, ix.Providers(query.ProvidersQuery{At: at}), nil))
		},
		"show.json": func(w *bytes.Buffer) error {
			return report.WriteShow(w, report.JSON, report.FromShow(at, ix.Show(query.ShowQuery{Query: "certipost", At: at}), failed))
		},
		"show.csv": func(w *bytes.Buffer) error {
			return report.WriteShow(w, report.CSV, report.FromShow(at, ix.Show(query.ShowQuery{Query: "certipost", At: at}), nil))
		},
		"verify.json": func(w *bytes.Buffer) error {
			return report.WriteVerify(w, report.JSON, report.Verify{SchemaVersion: report.SchemaVersion, List: report.FromVerified(vl, "", "be.xml"), Overrides: []string{"allow-expired"}})
		},
		"verify.csv": func(w *bytes.Buffer) error {
			return report.WriteVerify(w, report.CSV, report.Verify{List: report.FromVerified(vl, "", "be.xml")})
		},
		"lists.csv":  func(w *bytes.Buffer) error { return report.WriteLists(w, report.CSV, lists) },
		"types.json": func(w *bytes.Buffer) error { return report.WriteTypes(w, report.JSON, report.Types()) },
		"types.csv":  func(w *bytes.Buffer) error { return report.WriteTypes(w, report.CSV, report.Types()) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, render(t, f)) })
	}
}

func withLine(c report.Check, n int) report.Check {
	c.Line = n
	return c
}

// TestJSONRoundTrip: the JSON a check writes reads back into the same value.
func TestJSONRoundTrip(t *testing.T) {
	vl := fixture(t)
	ix := query.NewIndex([]query.Input{{List: vl}}, nil)
	kind, _ := query.ParseKind("qc")
	c := report.FromAnswer(ix.Check(query.Query{Provider: "certipost", Kind: kind, At: time.Date(2016, 8, 1, 0, 0, 0, 0, time.UTC)}), "qc")
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back report.Check
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if !bytes.Equal(b, b2) {
		t.Errorf("round trip changed the document:\n%s\n%s", b, b2)
	}
	var generic map[string]any
	json.Unmarshal(b, &generic)
	for _, k := range []string{"schema_version", "query", "qualified", "reason", "matches", "related"} {
		if _, ok := generic[k]; !ok {
			t.Errorf("contract field %q missing", k)
		}
	}
	m := generic["matches"].([]any)[0].(map[string]any)
	for _, k := range []string{"provider", "country", "qualified", "reason", "service", "list"} {
		if _, ok := m[k]; !ok {
			t.Errorf("MATCH field %q missing", k)
		}
	}
	for _, k := range []string{"name", "type", "status", "status_since", "additional_info"} {
		if _, ok := m["service"].(map[string]any)[k]; !ok {
			t.Errorf("service field %q missing", k)
		}
	}
	for _, k := range []string{"territory", "sequence", "sha256", "signature"} {
		if _, ok := m["list"].(map[string]any)[k]; !ok {
			t.Errorf("list field %q missing", k)
		}
	}
}
