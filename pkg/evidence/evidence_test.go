package evidence

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/snapshot"
	"github.com/eutl/eutl/pkg/trust"
)

func TestConsulted(t *testing.T) {
	res := &trust.ChainResult{Lists: []trust.Outcome{
		{Territory: "BE"}, {Territory: "EL"}, {Territory: "FR"},
		{Territory: "XX", Err: &trust.ListError{Err: trust.ErrNoPointer}},
	}}
	match := func(cc string) report.Match { return report.Match{List: report.ListInfo{Territory: cc}} }
	for _, c := range []struct {
		name    string
		answers []report.Check
		want    []string
	}{
		{"qualified: the lists shown", []report.Check{{Outcome: "qualified", Matches: []report.Match{match("BE")}, Related: []report.Match{match("EL")}}}, []string{"BE", "EL"}},
		{"qualified with a failed list", []report.Check{{Outcome: "qualified", Matches: []report.Match{match("BE")}, FailedLists: []report.FailedList{{Territory: "FR"}}}}, []string{"BE", "FR"}},
		{"negative: every list", []report.Check{{Outcome: "qualified", Matches: []report.Match{match("BE")}}, {Outcome: "not_qualified"}}, []string{"BE", "EL", "FR"}},
		{"incomplete: every list", []report.Check{{Outcome: "incomplete"}}, []string{"BE", "EL", "FR"}},
		{"another kind of answer: every list", nil, []string{"BE", "EL", "FR"}},
	} {
		if got := Consulted(res, c.answers); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if !errors.Is(res.Lists[3].Err, trust.ErrNoPointer) {
		t.Fatal("setup")
	}
}

func TestSigner(t *testing.T) {
	for in, want := range map[string]string{
		`CN=Federale Overheidsdienst Economie\, K.M.O.,O=FOD,C=BE`: "Federale Overheidsdienst Economie, K.M.O.",
		`O=Malta Communications Authority,C=MT`:                    `O=Malta Communications Authority,C=MT`,
		`C=LU, CN=EUROPEAN COMMISSION`:                             "EUROPEAN COMMISSION",
	} {
		if got := signer(in); got != want {
			t.Errorf("signer(%q) = %q, want %q", in, got, want)
		}
	}
	if ListName("BE") != "the Belgian Trusted List" || ListName("ZZ") != "the ZZ Trusted List" {
		t.Error(ListName("BE"), ListName("ZZ"))
	}
}

func TestCertStatements(t *testing.T) {
	m := &snapshot.Manifest{Files: []snapshot.File{
		{Role: snapshot.RoleList, Territory: "BE", Sequence: 81, SHA256: "be81", Included: true, Verdict: string(trust.Valid)},
		{Role: snapshot.RoleList, Territory: "FR", Sequence: 7, SHA256: "fr7", Included: false, Verdict: string(trust.Valid)},
	}}
	deciding := &report.DecidingService{Territory: "BE", Sequence: 81, ListSHA256: "be81", Provider: "Belgian Mobile ID SA/NV",
		Service: "itsme Sign Issuing CA G2", Type: "http://uri.etsi.org/TrstSvc/Svctype/CA/QC",
		Status: "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted", StatusSince: time.Date(2022, 6, 2, 0, 0, 0, 0, time.UTC),
		List: report.ListInfo{Territory: "BE", Sequence: 81, SHA256: "be81", SignerSubject: `CN=Federale Overheidsdienst Economie\, K.M.O.,C=BE`}}
	rec := report.Certs{At: "2026-08-20T00:00:00Z", For: "esig", Certificates: []report.CertEntry{
		{SHA256: "aa", Subject: "CN=Jane Signer,C=BE", For: "esig", Outcome: "qualified", Qualified: true, Reason: "QC for eSig with QSCD",
			Final: report.Determination{Label: "QC for eSig with QSCD", Deciding: deciding}},
		{SHA256: "bb", Subject: "O=No Name,C=BE", For: "esig", Outcome: "not_qualified",
			Reason: "no listed service issued this certificate (no verified chain to a service digital identity)"},
		{SHA256: "cc", Subject: "CN=Seal", For: "esig", Outcome: "not_qualified", Reason: "QC for eSeal, not qualified for esig",
			Final: report.Determination{Label: "QC for eSeal", Deciding: deciding}},
	}}
	// The statements are of the recorded JSON, as a bundle holds it.
	data, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := CertAnswers(data)
	if err != nil {
		t.Fatal(err)
	}
	listed := `On 2026-08-20T00:00:00Z the Belgian Trusted List, sequence 81, signed by Federale Overheidsdienst Economie, K.M.O., SHA-256 be81, ` +
		`listed Belgian Mobile ID SA/NV's service "itsme Sign Issuing CA G2" (CA/QC) as granted since 2022-06-02T00:00:00Z, under which `
	want := []string{
		listed + "the certificate Jane Signer (SHA-256 aa) is a qualified certificate for electronic signatures on a QSCD.",
		"On 2026-08-20T00:00:00Z, by the Trusted List BE seq 81 (SHA-256 be81), the certificate O=No Name,C=BE (SHA-256 bb) is not qualified for esig: " +
			"no listed service issued this certificate (no verified chain to a service digital identity).",
		listed + "the certificate Seal (SHA-256 cc) is not qualified for esig: QC for eSeal, not qualified for esig.",
	}
	if s := CertStatements(m, got); !reflect.DeepEqual(s, want) {
		t.Errorf("CertStatements:\n%q\nwant\n%q", s, want)
	}
	for in, want := range map[string]string{
		"QC for eSeal":          "a qualified certificate for electronic seals",
		"QC for WSA":            "a qualified certificate for website authentication",
		"Cert for eSig":         "a certificate (not qualified) for electronic signatures",
		"QC for unknown type":   "QC for unknown type",
		"N/A":                   "N/A",
		"QC for eSig with QSCD": "a qualified certificate for electronic signatures on a QSCD",
	} {
		if got := labelText(in); got != want {
			t.Errorf("labelText(%q) = %q, want %q", in, got, want)
		}
	}
}
