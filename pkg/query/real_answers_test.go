package query_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/eutl/eutl/pkg/query"
)

// TestRealIdentifierSpellings asks for real providers by every way their
// identifier is written: the list's own spelling, the ETSI form without
// punctuation, the VIES form with and without spaces and dots, another
// scheme (NTR for VAT), lower case. First certification authority (I.CA)
// is listed in CZ as VATCZ-26439395 and in SK as VATCZ-CZ26439395 and
// NTRCZ-26439395: found in both, and one provider.
func TestRealIdentifierSpellings(t *testing.T) {
	ix := realIndexDeferred(t)
	at := d("2026-08-20")
	cases := []struct {
		provider  string
		spellings []string
		countries string // of the entries found
	}{
		{"Postalia Belgium", []string{"VATBE-0463.006.734", "VATBE-0463006734", "BE0463006734", "BE 0463.006.734", "be0463006734", "NTRBE-0463006734", "VATBE0463006734", "VAT BE 0463 006 734"}, "BE"},
		{"First certification authority, a.s.", []string{"VATCZ-26439395", "VATCZ-CZ26439395", "CZ26439395", "CZ 264 39 395", "NTRCZ-26439395", "vatcz-cz 26439395", "VATCZ26439395"}, "CZ SK"},
		{"BE INVEST International S.A.", []string{"VATLU-LU29222134", "VATLU-29222134", "LU29222134", "LU 2922 2134"}, "LU"},
		{"Digital and Population Data Services Agency", []string{"NTRFI-0245437-2", "NTRFI-02454372", "FI 0245437-2"}, "FI"},
		{"Trans Sped S.A.", []string{"NTRRO-J40/781/2004", "NTRRO-J40 781 2004", "VATRO-12458924", "RO12458924"}, "RO"},
		{"Poste Italiane S.p.A.", []string{"VATIT-01114601006", "IT01114601006", "VATIT- 01114601006"}, "IT"},
	}
	for _, c := range cases {
		for _, sp := range c.spellings {
			t.Run(sp, func(t *testing.T) {
				a := ix.Check(query.Query{Provider: sp, Kind: query.AnyQualified(), At: at})
				if len(a.Matches) == 0 {
					t.Fatalf("%q not found: %s", sp, a.Reason)
				}
				var countries []string
				for _, m := range a.Matches {
					if m.Provider.Name != c.provider {
						t.Errorf("%q matched %s (%s)", sp, m.Provider.Name, m.Country)
					}
					if m.MatchedOn != "identifier" || m.Matched == "" {
						t.Errorf("%q: matched on %q %q", sp, m.MatchedOn, m.Matched)
					}
					if len(countries) == 0 || countries[len(countries)-1] != m.Country {
						countries = append(countries, m.Country)
					}
				}
				if got := strings.Join(countries, " "); got != c.countries {
					t.Errorf("%q found in %s, want %s", sp, got, c.countries)
				}
				if a.Entities != 1 || a.Outcome() == query.Ambiguous {
					t.Errorf("%q: %d entities, outcome %v", sp, a.Entities, a.Outcome())
				}
			})
		}
	}
	// The SK entry is found under its own spelling, shown as matched.
	a := ix.Check(query.Query{Provider: "CZ26439395", Kind: kind(t, "qc"), Country: "SK", At: at})
	if len(a.Matches) != 1 || a.Matches[0].Matched != "VATCZ-CZ26439395" {
		t.Errorf("SK entry: %+v", a.Matches)
	}
	// One legal entity under two names (Nets DanID A/S, IN Groupe Denmark
	// A/S: the same CVR number) is one provider.
	dk := ix.Check(query.Query{Provider: "DK30808460", Kind: query.AnyQualified(), Country: "DK", At: at})
	if len(dk.Matches) != 2 || dk.Entities != 1 || dk.Outcome() == query.Ambiguous {
		t.Errorf("DK 30808460: %d matches, %d entities, %v", len(dk.Matches), dk.Entities, dk.Outcome())
	}
	// A number that is not listed is not found, and says so.
	nf := ix.Check(query.Query{Provider: "BE0463006735", Kind: query.AnyQualified(), Country: "BE", At: at})
	if nf.Outcome() != query.NotFound || !strings.Contains(nf.Reason, "not found") {
		t.Errorf("unknown number: %v %q", nf.Outcome(), nf.Reason)
	}
}

// TestRealAmbiguous: a loose name matching several distinct providers
// never passes; each candidate keeps its own verdict; --exact and
// --any-match.
func TestRealAmbiguous(t *testing.T) {
	ix := realIndexDeferred(t)
	at := d("2026-08-20")
	a := ix.Check(query.Query{Provider: "sign", Kind: kind(t, "qc"), At: at})
	if a.Outcome() != query.Ambiguous || a.Qualified || a.Entities < 10 {
		t.Fatalf("sign: %v qualified=%v entities=%d", a.Outcome(), a.Qualified, a.Entities)
	}
	var yes, no int
	for _, m := range a.Matches {
		if m.Qualified {
			yes++
		} else {
			no++
		}
		if m.Entity == 0 {
			t.Errorf("%s: no entity number", m.Provider.Name)
		}
	}
	if yes == 0 || no == 0 || !strings.Contains(a.Reason, "different providers") {
		t.Errorf("candidates %d qualified, %d not; %q", yes, no, a.Reason)
	}
	any := ix.Check(query.Query{Provider: "sign", Kind: kind(t, "qc"), At: at, AnyMatch: true})
	if any.Outcome() != query.Qualified {
		t.Errorf("--any-match: %v", any.Outcome())
	}
	// Within one country, still several: ambiguous.
	be := ix.Check(query.Query{Provider: "sign", Kind: kind(t, "qc"), Country: "BE", At: at})
	if be.Outcome() != query.Ambiguous {
		t.Errorf("sign in BE: %v", be.Outcome())
	}
	// --exact: the whole name (folded) picks one.
	for _, q := range []string{"GlobalSign NV/SA", "globalsign nv/sa", "  GLOBALSIGN   NV/SA "} {
		ex := ix.Check(query.Query{Provider: q, Kind: kind(t, "qc"), At: at, Exact: true})
		if ex.Outcome() != query.Qualified || len(ex.Matches) != 1 || ex.Matches[0].MatchedOn != "exact name" {
			t.Errorf("--exact %q: %v %d", q, ex.Outcome(), len(ex.Matches))
		}
	}
	if ex := ix.Check(query.Query{Provider: "GlobalSign NV", Kind: kind(t, "qc"), Country: "BE", At: at, Exact: true}); ex.Outcome() != query.NotFound {
		t.Errorf("--exact with part of a name: %v", ex.Outcome())
	}
}

// TestRealFolding: letters that do not decompose (ø, ł) fold, so the ASCII
// spelling finds the provider (NO: Stø AS; the NO list is fresh at
// 2026-06-01) and the PL services named "Główny urząd certyfikacji".
func TestRealFolding(t *testing.T) {
	ix := realIndexDeferred(t)
	for _, q := range []string{"stø", "sto", "STØ AS", "sto as"} {
		a := ix.Check(query.Query{Provider: q, Kind: query.AnyQualified(), Country: "NO", At: d("2026-06-01")})
		if len(a.Matches) != 1 || a.Matches[0].Provider.Name != "Stø AS" || a.Outcome() != query.Qualified {
			t.Errorf("%q: %v %q", q, a.Outcome(), a.Reason)
		}
	}
	if a := ix.Check(query.Query{Provider: "sto as", Kind: query.AnyQualified(), At: d("2026-06-01"), Exact: true}); len(a.Matches) != 1 || a.Matches[0].Country != "NO" {
		t.Errorf("--exact sto as: %q", a.Reason)
	}
	// Every Latin letter of every provider name in the real set folds to
	// ASCII (ø, ł, đ, ß, æ, … and the rest the lists use).
	names := 0
	for _, p := range ix.Providers(query.ProvidersQuery{At: d("2026-06-01")}) {
		for _, n := range p.Provider.Names {
			names++
			for _, r := range query.Fold(n) {
				if r > unicode.MaxASCII && unicode.Is(unicode.Latin, r) {
					t.Errorf("%q folds to %q: %c is left", n, query.Fold(n), r)
				}
			}
		}
	}
	if names < 500 {
		t.Errorf("only %d names", names)
	}
	for _, q := range []string{"glowny urzad", "Główny Urząd", "GLOWNY URZAD CERTYFIKACJI"} {
		a := ix.Check(query.Query{Provider: q, Kind: query.AnyQualified(), Country: "PL", At: d("2026-08-20")})
		if a.Outcome() != query.NotFound || len(a.NamedServices) < 3 {
			t.Fatalf("%q: %v, %d named services", q, a.Outcome(), len(a.NamedServices))
		}
		for _, s := range a.NamedServices {
			if s.Country != "PL" || s.Provider.Name == "" {
				t.Errorf("%q: named service %+v", q, s)
			}
		}
	}
}

// TestRealTimeModel: the instant of the question decides freshness as
// well as statuses, in one index: the NO list (NextUpdate before
// 2026-08-20) answers at 2026-06-01 but not at 2026-08-20, and a question
// about an instant before BE seq 81 was issued says it was answered from
// the list's history.
func TestRealTimeModel(t *testing.T) {
	ix := realIndexDeferred(t)
	q := query.Query{Provider: "Stø AS", Kind: query.AnyQualified(), Country: "NO"}
	q.At = d("2026-06-01")
	if a := ix.Check(q); a.Outcome() != query.Qualified {
		t.Errorf("at 2026-06-01: %v %q", a.Outcome(), a.Reason)
	}
	q.At = d("2026-08-20")
	a := ix.Check(q)
	if a.Outcome() != query.IncompleteTrust || len(a.Failed) != 1 || a.Failed[0].Verdict != "expired" {
		t.Errorf("at 2026-08-20: %v %+v", a.Outcome(), a.Failed)
	}
	// The same, from lists whose freshness the chain judged at 2026-08-20.
	if b := query.FromChain(realChain(false, []string{"NO"})).Check(q); b.Outcome() != a.Outcome() {
		t.Errorf("chain-judged freshness %v, index-judged %v", b.Outcome(), a.Outcome())
	}
	// Allowing expired lists answers, with a warning and the list marked.
	ex := query.Query{Provider: "Stø AS", Kind: query.AnyQualified(), Country: "NO", At: d("2026-08-20")}
	allowed := realIndexAllowExpired(t).Check(ex)
	if allowed.Outcome() != query.Qualified || len(allowed.Warnings) == 0 || !strings.Contains(allowed.Matches[0].List.Signature, "expired lists were allowed") {
		t.Errorf("--allow-expired: %v %v %q", allowed.Outcome(), allowed.Warnings, allowed.Matches[0].List.Signature)
	}
	h := ix.Check(query.Query{Provider: "VATBE-0541659084", Kind: kind(t, "qval"), Country: "BE", At: d("2026-03-01")})
	if len(h.Matches) != 1 || h.Matches[0].AnsweredFromHistory != "answered from the history in BE seq 81, issued 2026-06-15" {
		t.Errorf("history note: %+v", h.Matches)
	}
	if h := ix.Check(query.Query{Provider: "VATBE-0541659084", Kind: kind(t, "qval"), Country: "BE", At: d("2026-08-20")}); h.Matches[0].AnsweredFromHistory != "" {
		t.Errorf("after issue: %q", h.Matches[0].AnsweredFromHistory)
	}
}

// TestRealTakenOverAndExpiredCertificates: the verdict follows the status,
// the evidence says the service was taken over (CZ National Registers
// Authority's NCA, taken over by State trust services) or that every
// certificate of a granted CA/QC has expired (SK I.CA 09/2009, expired
// 2019-09-01).
func TestRealTakenOverAndExpiredCertificates(t *testing.T) {
	ix := realIndexDeferred(t)
	at := d("2026-08-20")
	a := ix.Check(query.Query{Provider: "National Registers Authority", Kind: kind(t, "qc"), Country: "CZ", At: at})
	if a.Outcome() != query.Qualified || len(a.Matches) != 1 || a.Matches[0].Service.TakenOverBy == nil ||
		a.Matches[0].Service.TakenOverBy.TSPName != "State trust services" || !hasWarning(a, "taken over by State trust services") {
		t.Fatalf("taken over: %v %+v %v", a.Outcome(), a.Matches[0].Service, a.Warnings)
	}
	b := ix.Check(query.Query{Provider: "VATCZ-26439395", Kind: kind(t, "qc"), Country: "SK", At: at})
	if b.Outcome() != query.Qualified || len(b.Matches) != 1 || !b.Matches[0].Service.ServiceCertificatesExpired || !hasWarning(b, "expired by") {
		t.Fatalf("expired certificates: %v %+v %v", b.Outcome(), b.Matches, b.Warnings)
	}
	if got := b.Matches[0].Service.CertificatesNotAfter.Format("2006-01-02"); got != "2019-09-01" {
		t.Errorf("not after %s", got)
	}
	// A CA/QC with a live certificate says nothing of the kind.
	c := ix.Check(query.Query{Provider: "VATCZ-26439395", Kind: kind(t, "qc"), Country: "CZ", At: at})
	if c.Matches[0].Service.ServiceCertificatesExpired || c.Matches[0].Service.TakenOverBy != nil {
		t.Errorf("CZ I.CA: %+v", c.Matches[0].Service)
	}
}

func hasWarning(a *query.Answer, s string) bool {
	for _, w := range a.Warnings {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// TestRealQERDS: a provider whose qualified registered delivery service is
// EDS/Q is qualified for qerds (and qeds), not for qrem; Postalia Belgium,
// whose service is EDS/REM/Q, is qualified for qerds and qrem, not qeds.
func TestRealQERDS(t *testing.T) {
	ix := realIndexDeferred(t)
	at := d("2026-08-20")
	qeds, qerds, qrem := kind(t, "qeds"), kind(t, "qerds"), kind(t, "qrem")
	found := 0
	for _, p := range ix.Providers(query.ProvidersQuery{Kind: &qeds, Qualified: true, At: at}) {
		if len(p.Provider.Identifiers) == 0 || strings.Join(p.QualifiedFor, " ") != "EDS/Q" {
			continue
		}
		remOnly := ix.Providers(query.ProvidersQuery{Query: p.Provider.Identifiers[0], Country: p.Country, Kind: &qrem, Qualified: true, At: at})
		if len(remOnly) > 0 {
			continue
		}
		found++
		for k, want := range map[*query.Kind]query.Outcome{&qerds: query.Qualified, &qeds: query.Qualified, &qrem: query.NotQualified} {
			a := ix.Check(query.Query{Provider: p.Provider.Identifiers[0], Kind: *k, Country: p.Country, At: at})
			if a.Outcome() != want {
				t.Errorf("%s (%s) for %s: %v, want %v (%s)", p.Provider.Name, p.Country, k.Alias, a.Outcome(), want, a.Reason)
			}
		}
	}
	if found < 3 {
		t.Errorf("only %d providers with EDS/Q alone", found)
	}
	for k, want := range map[*query.Kind]query.Outcome{&qerds: query.Qualified, &qrem: query.Qualified, &qeds: query.NotQualified} {
		if a := ix.Check(query.Query{Provider: "VATBE-0463006734", Kind: *k, Country: "BE", At: at}); a.Outcome() != want {
			t.Errorf("Postalia for %s: %v, want %v (%s)", k.Alias, a.Outcome(), want, a.Reason)
		}
	}
}
