package report_test

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/qualify"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
)

// certFixture returns a CA certificate and two certificates it issued.
// Keys are random, so the certificates are generated once (with -update,
// when the file is missing; delete it to make new ones) and kept in
// testdata/golden/certs-fixture.pem to make renderings stable.
func certFixture(t *testing.T) (ca []byte, leaves [][]byte) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "golden", "certs-fixture.pem")
	if _, err := os.Stat(path); *update && err != nil {
		k := tltest.MustKey(tltest.P256, tltest.CertOptions{Subject: pkix.Name{CommonName: "Golden Qualified CA", Organization: []string{"Golden QTSP"}, Country: []string{"BE"}},
			NotBefore: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)})
		out := k.PEM()
		for _, o := range []tltest.EECert{
			{Subject: pkix.Name{CommonName: "Jane Golden", Country: []string{"BE"}}, NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Policies: []string{"0.4.0.194112.1.2"},
				QC: &tltest.QCStatements{Compliance: true, SSCD: true, Types: []string{tltest.QcTypeESign}, PDS: true, Semantics: "natural"}},
			{Subject: pkix.Name{CommonName: "Golden Seal", Organization: []string{"Golden Org"}, Country: []string{"BE"}}, NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
				QC: &tltest.QCStatements{Compliance: true, Types: []string{tltest.QcTypeESeal}}},
		} {
			leaf, err := tltest.IssueCert(k, o)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, leaf.PEM()...)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/report -update)", err)
	}
	var ders [][]byte
	for b, rest := pem.Decode(data); b != nil; b, rest = pem.Decode(rest) {
		ders = append(ders, b.Bytes)
	}
	if len(ders) != 3 {
		t.Fatalf("%s holds %d certificates, want 3", path, len(ders))
	}
	return ders[0], ders[1:]
}

func TestCertGolden(t *testing.T) {
	ca, leaves := certFixture(t)
	l := tltest.List{Territory: "BE", Sequence: 81, Version: 6, Issued: time.Date(2026, 6, 15, 15, 0, 0, 0, time.UTC), NextUpdate: time.Date(2026, 12, 15, 16, 0, 0, 0, time.UTC),
		Providers: []tltest.Provider{{Name: "Golden QTSP", Services: []tltest.Service{
			{Type: "CA/QC", Name: "Golden Qualified CA", Status: "granted", Start: query.EIDASDate(), ASI: []string{"ForeSignatures"}, Certs: [][]byte{ca},
				Qualifications: []tltest.Qualification{{Qualifiers: []string{"QCQSCDStatusAsInCert"}, Criteria: tltest.Criteria{Assert: "all", PolicySets: [][]string{{"0.4.0.194112.1.2"}}}}}},
		}}}}
	b, err := tltest.Build(l).WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	tl, err := tsl.ParseBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	vl := &trust.VerifiedList{List: tl, SHA256: "3d5b6572b82cbdbed9e019517c33d9e3356c2f6f257ca90f4a1b495082fcf5eb", Verdict: trust.Valid}
	q := qualify.New(query.NewIndex([]query.Input{{List: vl, URL: "https://tsl.belgium.be/tsl-be-v6.xml"}}, nil))
	rep := report.Certs{SchemaVersion: report.SchemaVersion, At: at.Format(time.RFC3339), For: "any", FailedLists: []report.FailedList{}}
	for i, der := range leaves {
		x, err := qualify.ParseCert(der)
		if err != nil {
			t.Fatal(err)
		}
		rep.Certificates = append(rep.Certificates, report.FromCertResult("certs.pem", int64(i*1000), q.Evaluate(x, nil, qualify.ForAny, at)))
	}
	kind, _ := query.ParseKind("qc-esig")
	store := report.TrustStore{SchemaVersion: report.SchemaVersion, At: at.Format(time.RFC3339), Service: kind.Name(), Country: "BE",
		Certificates: report.FromStore(q.TrustStore(kind, "BE", at)), FailedLists: []report.FailedList{}}
	cases := map[string]func(w *bytes.Buffer) error{
		"cert.txt":         func(w *bytes.Buffer) error { return report.WriteCerts(w, report.Table, rep) },
		"cert.json":        func(w *bytes.Buffer) error { return report.WriteCerts(w, report.JSON, rep) },
		"cert.csv":         func(w *bytes.Buffer) error { return report.WriteCerts(w, report.CSV, rep) },
		"trust-store.pem":  func(w *bytes.Buffer) error { return report.WriteTrustStore(w, true, store) },
		"trust-store.json": func(w *bytes.Buffer) error { return report.WriteTrustStore(w, false, store) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) { golden(t, name, render(t, f)) })
	}
}
