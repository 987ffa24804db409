package query_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
)

func d(s string) time.Time {
	t, err := query.ParseAt(s)
	if err != nil {
		panic(err)
	}
	return t
}

// parseService builds one service through the generator and parser.
func parseService(t *testing.T, s tltest.Service) *tsl.Service {
	t.Helper()
	b, err := tltest.Build(tltest.List{Territory: "BE", Providers: []tltest.Provider{{Name: "P", Services: []tltest.Service{s}}}}).WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	l, err := tsl.ParseBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return &l.Providers[0].Services[0]
}

func kind(t *testing.T, s string) query.Kind {
	t.Helper()
	k, err := query.ParseKind(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestWorkedVectors are the worked vectors of the domain reference §4.5.
func TestWorkedVectors(t *testing.T) {
	certipost := tltest.Service{Type: "CA/QC", Name: "Belgium Root CA", Status: "withdrawn", Start: d("2016-09-06"), History: []tltest.Instance{
		{Type: "CA/QC", Name: "Belgium Root CA", Status: "granted", Start: query.EIDASDate(), ASI: []string{"ForeSignatures", "RootCA-QC"}},
		{Type: "CA/QC", Name: "Belgium Root CA", Status: "undersupervision", Start: d("2003-01-26T23:00:00Z")},
	}}
	mav := tltest.Service{Type: "TSA/QTST", Name: "Trust&Sign TSA v2.0", Status: "withdrawn", Start: query.EIDASDate(), History: []tltest.Instance{
		{Type: "TSA/QTST", Name: "Trust&Sign TSA v2.0", Status: "supervisionceased", Start: d("2014-08-05T22:00:00Z")},
		{Type: "TSA/QTST", Name: "Trust&Sign TSA v2.0", Status: "undersupervision", Start: d("2003-01-01")},
	}}
	snca3 := tltest.Service{Type: "CA/QC", Name: "SNCA3", Status: "granted", Start: d("2017-01-01"), ASI: []string{"ForeSignatures", "ForeSeals", "ForWebSiteAuthentication"}}
	cases := []struct {
		name    string
		svc     tltest.Service
		kind    string
		at      string
		want    bool
		because string
	}{
		{"Certipost 2010 qc (Directive era)", certipost, "qc", "2010-01-01", true, "undersupervision"},
		{"Certipost 2010 qc-esig", certipost, "qc-esig", "2010-01-01", true, "Directive"},
		{"Certipost 2010 qc-eseal", certipost, "qc-eseal", "2010-01-01", false, "e-signatures only"},
		{"Certipost 2016-08 qc-esig", certipost, "qc-esig", "2016-08-01", true, "granted since 2016-06-30T22:00:00Z"},
		{"Certipost 2016-08 qc-eseal", certipost, "qc-eseal", "2016-08-01", false, "not for ForeSeals"},
		{"Certipost 2017 qc", certipost, "qc", "2017-01-01", false, "withdrawn since 2016-09-06"},
		{"Certipost before it was listed", certipost, "qc", "2000-01-01", false, "not yet listed"},
		{"MÁV TSA 2010 (row 3)", mav, "qtst", "2010-01-01", false, "nationally supervised (pre-eIDAS)"},
		{"MÁV TSA 2015", mav, "qtst", "2015-01-01", false, "supervisionceased"},
		{"MÁV TSA 2020", mav, "qtst", "2020-01-01", false, "withdrawn"},
		{"SNCA3 qwac", snca3, "qwac", "2026-08-20", true, "granted"},
		{"SNCA3 qc-eseal", snca3, "qc-eseal", "2026-08-20", true, "granted"},
		{"SNCA3 asked as a TSA", snca3, "qtst", "2026-08-20", false, "CA/QC, not qtst"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := parseService(t, c.svc)
			dec, _, _ := query.QualifiedFor(s, kind(t, c.kind), d(c.at))
			if dec.Qualified != c.want || !strings.Contains(dec.Reason, c.because) {
				t.Errorf("qualified=%v reason %q; want %v, reason with %q", dec.Qualified, dec.Reason, c.want, c.because)
			}
		})
	}
}

func TestDecisionTable(t *testing.T) {
	e := query.EIDASDate()
	cases := []struct {
		name     string
		svc      tltest.Service
		kind     string
		at       time.Time
		want     bool
		because  string
		warnings bool
	}{
		{"granted qualified type (row 1)", tltest.Service{Type: "EDS/Q", Name: "x", Status: "granted", Start: d("2018-01-01")}, "qeds", d("2020-01-01"), true, "granted", false},
		{"Directive status on OCSP/QC (row 2)", tltest.Service{Type: "Certstatus/OCSP/QC", Name: "x", Status: "accredited", Start: d("2010-01-01")}, "ocsp-qc", d("2012-01-01"), true, "accredited", false},
		{"Directive status never migrated", tltest.Service{Type: "CA/QC", Name: "x", Status: "undersupervision", Start: d("2010-01-01")}, "qc", d("2020-01-01"), false, "not migrated", false},
		{"withdrawn (row 4)", tltest.Service{Type: "CA/QC", Name: "x", Status: "withdrawn", Start: d("2019-01-01")}, "qc", d("2020-01-01"), false, "withdrawn since 2019-01-01", false},
		{"deprecatedatnationallevel", tltest.Service{Type: "CA/QC", Name: "x", Status: "deprecatedatnationallevel", Start: d("2019-01-01")}, "qc", d("2020-01-01"), false, "deprecatedatnationallevel", false},
		{"national type recognised (row 5)", tltest.Service{Type: "CA/PKC", Name: "x", Status: "recognisedatnationallevel", Start: d("2019-01-01")}, "any", d("2020-01-01"), false, "no qualified service of any type (it has: CA/PKC)", false},
		{"unknown status (row 7)", tltest.Service{Type: "CA/QC", Name: "x", Status: "http://example.com/status/great", Start: d("2019-01-01")}, "qc", d("2020-01-01"), false, "unknown status", true},
		{"granted before 2016 is inconsistent (row 6)", tltest.Service{Type: "CA/QC", Name: "x", Status: "granted", Start: d("2015-01-01"), ASI: []string{"ForeSignatures"}}, "qc", d("2015-06-01"), true, "granted", true},
		{"scope not declared", tltest.Service{Type: "CA/QC", Name: "x", Status: "granted", Start: d("2018-01-01")}, "qc-esig", d("2020-01-01"), false, "scope not declared", false},
		{"scope not declared is fine for qc", tltest.Service{Type: "CA/QC", Name: "x", Status: "granted", Start: d("2018-01-01")}, "qc", d("2020-01-01"), true, "granted", false},
		{"granted only later", tltest.Service{Type: "TSA/QTST", Name: "x", Status: "granted", Start: d("2023-06-21T14:51:03Z")}, "qtst", d("2023-06-21T14:42:42Z"), false, "granted only from 2023-06-21T14:51:03Z", false},
		{"at the exact start instant", tltest.Service{Type: "TSA/QTST", Name: "x", Status: "granted", Start: d("2023-06-21T14:51:03Z")}, "qtst", d("2023-06-21T14:51:03Z"), true, "granted", false},
		{"type changed over time", tltest.Service{Type: "TSA/TSS-QC", Name: "x", Status: "recognisedatnationallevel", Start: e, History: []tltest.Instance{{Type: "TSA/QTST", Name: "x", Status: "granted", Start: d("2015-01-01")}}}, "qtst", d("2017-01-01"), false, "no qtst", false},
		{"full URI", tltest.Service{Type: "QESValidation/Q", Name: "x", Status: "granted", Start: d("2018-01-01")}, "http://uri.etsi.org/TrstSvc/Svctype/QESValidation/Q", d("2020-01-01"), true, "granted", false},
		{"tail", tltest.Service{Type: "PSES/Q", Name: "x", Status: "granted", Start: d("2018-01-01")}, "PSES/Q", d("2020-01-01"), true, "granted", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := tltest.List{Territory: "BE", Providers: []tltest.Provider{{Name: "Provider", Services: []tltest.Service{c.svc}}}}
			ix := index(t, l)
			a := ix.Check(query.Query{Provider: "provider", Kind: kind(t, c.kind), At: c.at})
			if a.Qualified != c.want || !strings.Contains(a.Reason, c.because) {
				t.Errorf("qualified=%v reason %q; want %v, reason with %q", a.Qualified, a.Reason, c.want, c.because)
			}
			if (len(a.Warnings) > 0) != c.warnings {
				t.Errorf("warnings %v", a.Warnings)
			}
		})
	}
}

func TestTimelineTies(t *testing.T) {
	s := parseService(t, tltest.Service{Type: "CA/QC", Name: "x", Status: "withdrawn", Start: d("2020-01-01"), History: []tltest.Instance{
		{Type: "CA/QC", Name: "x", Status: "granted", Start: d("2020-01-01"), ASI: []string{"ForeSignatures"}},
		{Type: "CA/QC", Name: "x", Status: "granted", Start: d("2018-01-01")},
	}})
	e, ok := query.EntryAt(s, d("2020-01-01"))
	if !ok || !strings.HasSuffix(e.Instance.Status, "withdrawn") {
		t.Errorf("tie at the same instant goes to the newer entry: %s", e.Instance.Status)
	}
	tl := query.Timeline(s)
	if len(tl) != 3 || !tl[2].Until.Equal(d("2020-01-01")) || !tl[0].Until.IsZero() {
		t.Errorf("timeline %+v", tl)
	}
}

func index(t testing.TB, lists ...tltest.List) *query.Index {
	t.Helper()
	var in []query.Input
	for _, l := range lists {
		if l.Issued.IsZero() {
			l.Issued = d("2026-06-01")
		}
		b, err := tltest.Build(l).WriteToBytes()
		if err != nil {
			t.Fatal(err)
		}
		tl, err := tsl.ParseBytes(b)
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, query.Input{List: &trust.VerifiedList{List: tl, SHA256: "00", Verdict: trust.Valid}})
	}
	return query.NewIndex(in, nil)
}

func TestMatching(t *testing.T) {
	ix := index(t,
		tltest.List{Territory: "EL", Providers: []tltest.Provider{{Names: []tsl.LangString{{Lang: "el", Value: "ΕΡΜΗΣ Υπηρεσίες Εμπιστοσύνης Α.Ε."}, {Lang: "en", Value: "HERMES Trust Services S.A."}}, TradeNames: []string{"VATEL-099999999"}}}},
		tltest.List{Territory: "BG", Providers: []tltest.Provider{{Names: []tsl.LangString{{Lang: "bg", Value: "Информационно обслужване АД"}, {Lang: "en", Value: "Information Services JSC"}}, TradeNames: []string{"NTRBG-831641791"}}}},
		tltest.List{Territory: "BG", Providers: []tltest.Provider{{Name: "Evrotrust Technologies AD "}}},
		tltest.List{Territory: "IT", Providers: []tltest.Provider{{Name: " I.T. Telecom  S.p.A.", TradeNames: []string{"VATIT- 80425650589"}}}},
		tltest.List{Territory: "FR", Providers: []tltest.Provider{{Name: "Société Générale Sécurité"}}},
	)
	cases := []struct {
		q, country string
		want       string // provider name, "" for none
	}{
		{"Ερμής", "", "HERMES Trust Services S.A."},
		{"ερμης υπηρεσιες", "", "HERMES Trust Services S.A."},
		{"hermes", "GR", "HERMES Trust Services S.A."},
		{"hermes", "EL", "HERMES Trust Services S.A."},
		{"hermes", "BE", ""},
		{"ИНФОРМАЦИОННО ОБСЛУЖВАНЕ", "", "Information Services JSC"},
		{"информационно", "BG", "Information Services JSC"},
		{"evrotrust technologies ad", "", "Evrotrust Technologies AD"},
		{"  EVROTRUST   technologies ", "", "Evrotrust Technologies AD"},
		{"i.t. telecom s.p.a.", "", "I.T. Telecom S.p.A."},
		{"VATIT-80425650589", "", "I.T. Telecom S.p.A."},
		{"vatit-80425650589", "", "I.T. Telecom S.p.A."},
		{"VATIT-8042565058", "", ""},
		{"societe generale securite", "", "Société Générale Sécurité"},
		{"SOCIÉTÉ", "FR", "Société Générale Sécurité"},
		{"VATEL-099999999", "", "HERMES Trust Services S.A."},
		{"NTRBG-831641791", "", "Information Services JSC"},
		{"", "", ""},
	}
	for _, c := range cases {
		t.Run(c.q+"/"+c.country, func(t *testing.T) {
			a := ix.Check(query.Query{Provider: c.q, Kind: query.AnyQualified(), Country: c.country, At: d("2026-08-20")})
			got := ""
			if len(a.Matches) > 0 {
				got = a.Matches[0].Provider.Name
			}
			if got != c.want {
				t.Errorf("matched %q, want %q", got, c.want)
			}
		})
	}
}

// TestAliases checks every alias and spelling against the service types
// TS 119 612 clause 5.5.1.1 names for it: qerds is a qualified registered
// delivery service of either kind (EDS/Q or EDS/REM/Q), qrem only the
// registered e-mail one.
func TestAliases(t *testing.T) {
	want := map[string]string{
		"qc": "CA/QC", "qc-esig": "CA/QC", "qc-eseal": "CA/QC", "qwac": "CA/QC", "qtst": "TSA/QTST", "qval": "QESValidation/Q",
		"qpres": "PSES/Q", "qeds": "EDS/Q", "qerds": "EDS/Q EDS/REM/Q", "qrem": "EDS/REM/Q", "QERDS": "EDS/Q EDS/REM/Q",
		"qsigcd": "RemoteQSigCDManagement/Q", "qsealcd": "RemoteQSealCDManagement/Q",
		"qeaa": "EAA/Q", "qarch": "ElectronicArchiving/Q", "qledger": "Ledgers/Q", "ocsp-qc": "Certstatus/OCSP/QC", "crl-qc": "Certstatus/CRL/QC",
		"CA/QC": "CA/QC", "ca/qc": "CA/QC", "Certstatus/OCSP/QC": "Certstatus/OCSP/QC", "CertStatus/CRL/QC": "Certstatus/CRL/QC", "QWAC": "CA/QC",
		"Svctype/TLIssuer": "TLIssuer", "svctype/CA/QC": "CA/QC", "/EDS/REM/Q": "EDS/REM/Q",
		"http://uri.etsi.org/TrstSvd/Svctype/TLIssuer": "TLIssuer", "http://uri.etsi.org/TrstSvc/Svctype/EDS/Q": "EDS/Q",
		"any": "", "qtsp": "",
	}
	for in, tails := range want {
		k, err := query.ParseKind(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		var got []string
		for _, u := range k.TypeURIs() {
			got = append(got, query.Tail(u))
		}
		if strings.Join(got, " ") != tails {
			t.Errorf("%s selects %v, want %s", in, got, tails)
		}
		if k.Clause == "" {
			t.Errorf("%s: no clause", in)
		}
	}
	if n := len(query.Aliases()); n != 18 {
		t.Errorf("%d aliases, want 18", n)
	}
	for _, k := range query.Aliases() {
		if !strings.HasPrefix(k.Clause, "5.5.1.1") || k.Meaning == "" {
			t.Errorf("alias %s: clause %q, meaning %q", k.Alias, k.Clause, k.Meaning)
		}
	}
	qerds, qrem := kind(t, "qerds"), kind(t, "qrem")
	for _, c := range []struct {
		k    query.Kind
		tail string
		want bool
	}{{qerds, "EDS/Q", true}, {qerds, "EDS/REM/Q", true}, {qerds, "EDS", false}, {qrem, "EDS/Q", false}, {qrem, "EDS/REM/Q", true}, {kind(t, "qeds"), "EDS/REM/Q", false}} {
		if got := c.k.Matches(tsl.ServiceTypePrefix + c.tail); got != c.want {
			t.Errorf("%s matches %s = %v, want %v", c.k.Alias, c.tail, got, c.want)
		}
	}
	for _, bad := range []string{"", "qualified", "CA/XX", "http://example.com/x", "Svctype/"} {
		if _, err := query.ParseKind(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

var (
	worldOnce sync.Once
	world     *tltest.World
)

// worldIndex is the generated BE/EL/FR set, as package trust verifies it.
func worldIndex(t testing.TB, failed ...query.FailedList) *query.Index {
	worldOnce.Do(func() {
		var err error
		if world, err = tltest.NewWorld(tltest.WorldOptions{}); err != nil {
			panic(err)
		}
	})
	var in []query.Input
	for _, terr := range []string{"BE", "EL", "FR"} {
		vl, err := trust.VerifyList(world.Files["/"+terr+".xml"], trust.Expect{Territory: terr, Allowed: [][]byte{world.TLKeys[terr].DER}}, trust.Options{At: d("2026-08-20")})
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, query.Input{List: vl})
	}
	return query.NewIndex(in, failed)
}

func TestCheckEvidence(t *testing.T) {
	ix := worldIndex(t)
	at := d("2026-08-20")
	t.Run("Belgian Mobile ID has no CA/QC of its own", func(t *testing.T) {
		a := ix.Check(query.Query{Provider: "Belgian Mobile ID", Kind: kind(t, "qc-esig"), Country: "BE", At: at})
		if a.Qualified || a.Outcome() != query.NotQualified || !strings.Contains(a.Reason, "no qc-esig") || !strings.Contains(a.Reason, "QESValidation/Q") {
			t.Fatalf("%v %q", a.Qualified, a.Reason)
		}
		if len(a.Related) != 1 || a.Related[0].Provider.Name != "GlobalSign NV/SA" || !a.Related[0].Qualified || a.Related[0].Service.Name != "itsme Sign Biometric CA 2025" {
			t.Fatalf("related %+v", a.Related)
		}
		if len(a.Matches) != 1 || a.Matches[0].Service != nil || a.Matches[0].List.SHA256 == "" || a.Matches[0].List.Signature != "valid" {
			t.Errorf("match %+v", a.Matches)
		}
	})
	for _, q := range []string{"Belgian Mobile ID", "VATBE-0541659084", "belgian mobile id sa/nv"} {
		t.Run("qval by "+q, func(t *testing.T) {
			a := ix.Check(query.Query{Provider: q, Kind: kind(t, "qval"), At: at})
			if !a.Qualified || a.Matches[0].Service.Name != "itsme Sign Validation" || len(a.Matches[0].Service.History) != 1 {
				t.Fatalf("%v %q", a.Qualified, a.Reason)
			}
		})
	}
	t.Run("not found: closest names and services named like it", func(t *testing.T) {
		a := ix.Check(query.Query{Provider: "itsme", Kind: kind(t, "qc-esig"), At: at})
		if a.Qualified || len(a.Matches) != 0 || !strings.Contains(a.Reason, "not found") {
			t.Fatalf("%q", a.Reason)
		}
		if len(a.NamedServices) < 2 || !strings.Contains(a.Reason, "itsme Sign") {
			t.Errorf("named services %+v; reason %q", a.NamedServices, a.Reason)
		}
		b := ix.Check(query.Query{Provider: "Belgian Mobil", Kind: kind(t, "qc"), At: at})
		if len(b.Matches) != 1 {
			t.Errorf("substring match: %+v", b.Matches)
		}
		c := ix.Check(query.Query{Provider: "Globalsing", Kind: kind(t, "qc"), At: at})
		if len(c.Suggestions) == 0 || !strings.Contains(c.Suggestions[0], "GlobalSign") {
			t.Errorf("suggestions %v", c.Suggestions)
		}
	})
	t.Run("partial data never answers no", func(t *testing.T) {
		ix := worldIndex(t, query.FailedList{Territory: "DE", Verdict: "signature_invalid", Reason: "digest mismatch"})
		a := ix.Check(query.Query{Provider: "Nobody", Kind: kind(t, "qc"), At: at})
		if a.Outcome() != query.IncompleteTrust || !strings.Contains(a.Reason, "DE (signature_invalid)") {
			t.Errorf("%v %q", a.Outcome(), a.Reason)
		}
		if b := ix.Check(query.Query{Provider: "Nobody", Kind: kind(t, "qc"), Country: "BE", At: at}); b.Outcome() != query.NotFound {
			t.Errorf("a failed DE list does not matter for BE: %v", b.Outcome())
		}
		if c := ix.Check(query.Query{Provider: "GlobalSign", Kind: kind(t, "qtst"), At: at}); c.Outcome() != query.Qualified {
			t.Errorf("a verified yes stands: %v", c.Outcome())
		}
		ix2 := worldIndex(t, query.FailedList{Territory: "DE", Verdict: "fetch_failed"})
		if d := ix2.Check(query.Query{Provider: "Nobody", Kind: kind(t, "qc"), At: at}); d.Outcome() != query.IncompleteFetch {
			t.Errorf("fetch failure: %v", d.Outcome())
		}
	})
	t.Run("history decides: Certipost", func(t *testing.T) {
		for at, want := range map[string]bool{"2010-01-01": true, "2016-08-01": true, "2017-01-01": false} {
			a := ix.Check(query.Query{Provider: "Certipost", Kind: kind(t, "qc-esig"), At: d(at)})
			if a.Qualified != want {
				t.Errorf("%s: %v %q", at, a.Qualified, a.Reason)
			}
		}
	})
	t.Run("providers and show", func(t *testing.T) {
		ps := ix.Providers(query.ProvidersQuery{Country: "BE", Qualified: true, At: at})
		if len(ps) != 3 {
			t.Errorf("qualified BE providers: %+v", ps)
		}
		qk := kind(t, "qwac")
		if ps := ix.Providers(query.ProvidersQuery{Kind: &qk, Qualified: true, At: at}); len(ps) != 1 || ps[0].Country != "EL" {
			t.Errorf("qwac providers: %+v", ps)
		}
		sh := ix.Show(query.ShowQuery{Query: "Certipost", At: at})
		if len(sh) != 1 || len(sh[0].Services[0].History) != 3 || sh[0].Services[0].Qualified {
			t.Errorf("show %+v", sh)
		}
	})
}

// BenchmarkBatch10k answers 10,000 queries against a verified set.
func BenchmarkBatch10k(b *testing.B) {
	ix := worldIndex(b)
	at := d("2026-08-20")
	kinds := []query.Kind{query.AnyQualified()}
	for _, a := range []string{"qc-esig", "qval", "qtst", "qwac"} {
		k, _ := query.ParseKind(a)
		kinds = append(kinds, k)
	}
	names := []string{"Belgian Mobile ID", "VATBE-0541659084", "GlobalSign", "Ερμής", "Example Trust", "Nobody at all"}
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < 10000; i++ {
			ix.Check(query.Query{Provider: names[i%len(names)], Kind: kinds[i%len(kinds)], At: at})
		}
	}
}
