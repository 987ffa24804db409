package query_test

import (
	"strings"
	"testing"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
)

// TestFold covers letters that decompose (é) and those that do not (ø, æ,
// ł, đ, ß, þ, œ, ı, ħ, ŋ, ĳ): each folds to the ASCII a user types.
// Greek and Cyrillic keep their script.
func TestFold(t *testing.T) {
	cases := map[string]string{
		"Stø":                 "sto",
		"STØ":                 "sto",
		"Æble Øst Ål":         "aeble ost al",
		"Główny Urząd Miar":   "glowny urzad miar",
		"GŁÓWNY URZĄD":        "glowny urzad",
		"Đuro Đaković":        "duro dakovic",
		"Straße":              "strasse",
		"STRASSE":             "strasse",
		"Þjóðskrá Íslands":    "thjodskra islands",
		"Œuvre cœur":          "oeuvre coeur",
		"ıstanbul":            "istanbul",
		"Ħal Qormi":           "hal qormi",
		"ŋ ĳ ŧ":               "ng ij t",
		"Česká  pošta,\ts.p.": "ceska posta, s.p.",
		"ΕΡΜΗΣ Υπηρεσίες":     "ερμησ υπηρεσιεσ",
		"Информационно обслужване": "информационно обслужване",
		"  plain   ASCII ": "plain ascii",
	}
	for in, want := range cases {
		if got := query.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseIdentifier(t *testing.T) {
	cases := []struct {
		in   string
		vies bool
		key  string // "" = not an identifier
	}{
		{"VATBE-0463.006.734", false, "BE-0463006734"},
		{"VATBE-0463006734", false, "BE-0463006734"},
		{"vatbe 0463 006 734", false, "BE-0463006734"},
		{"VATBE0463006734", false, "BE-0463006734"},
		{"VATCZ-CZ26439395", false, "CZ-26439395"},
		{"NTRCZ-26439395", false, "CZ-26439395"},
		{"VATIT- 01114601006", false, "IT-01114601006"},
		{"NTRRO-J40/781/2004", false, "RO-J407812004"},
		{"VATGR-099999999", false, "EL-099999999"},
		{"VATEL-EL099999999", false, "EL-099999999"},
		{"NTRUK-Barclays Bank", false, "UK-BARCLAYSBANK"},
		{"BE0463006734", false, ""},
		{"BE0463006734", true, "BE-0463006734"},
		{"BE 0463.006.734", true, "BE-0463006734"},
		{"be-0463.006.734", true, "BE-0463006734"},
		{"ATU12345678", true, "AT-U12345678"},
		{"EL099999999", true, "EL-099999999"},
		{"GR099999999", true, "EL-099999999"},
		{"VATICAN", true, ""},
		{"Belgian Mobile ID", true, ""},
		{"D-TRUST", true, ""},
		{"BE123", true, ""},
		{"XX0463006734", true, ""},
		{"A1 Telekom", true, ""},
		{"VATBE-", false, ""},
	}
	for _, c := range cases {
		id, ok := query.ParseIdentifier(c.in, c.vies)
		got := ""
		if ok {
			got = id.Key()
		}
		if got != c.key {
			t.Errorf("ParseIdentifier(%q, %v) = %q, want %q", c.in, c.vies, got, c.key)
		}
	}
}

// TestAmbiguousAndEntities: distinct providers make a loose name
// ambiguous; one legal entity listed twice (its identifier spelled
// differently in two lists) does not.
func TestAmbiguousAndEntities(t *testing.T) {
	granted := []tltest.Service{{Type: "CA/QC", Name: "CA", Status: "granted", Start: d("2020-01-01")}}
	withdrawn := []tltest.Service{{Type: "CA/QC", Name: "CA", Status: "withdrawn", Start: d("2020-01-01")}}
	ix := index(t,
		tltest.List{Territory: "BE", Providers: []tltest.Provider{
			{Name: "Alpha Sign", TradeNames: []string{"VATBE-0111.111.111"}, Services: granted},
			{Name: "Gamma Trust", TradeNames: []string{"VATCZ-CZ26439395"}, Services: granted},
		}},
		tltest.List{Territory: "FR", Providers: []tltest.Provider{
			{Name: "Beta Sign", TradeNames: []string{"VATFR-12345678901"}, Services: withdrawn},
			{Name: "Gamma Trust s.r.o.", TradeNames: []string{"NTRCZ-26439395"}, Services: withdrawn},
		}},
	)
	at := d("2026-08-20")
	qc := query.Kind{TypeURI: tsl.ServiceTypeCAQC}
	cases := []struct {
		q        string
		exact    bool
		anyMatch bool
		want     query.Outcome
		entities int
	}{
		{"sign", false, false, query.Ambiguous, 2},
		{"sign", false, true, query.Qualified, 2},
		{"alpha sign", true, false, query.Qualified, 1},
		{"alpha", true, false, query.NotFound, 0},
		{"beta sign", false, false, query.NotQualified, 1},
		{"gamma", false, false, query.Qualified, 1},
		{"CZ26439395", false, false, query.Qualified, 1},
		{"BE0111111111", false, false, query.Qualified, 1},
		{"nobody", false, false, query.NotFound, 0},
	}
	for _, c := range cases {
		a := ix.Check(query.Query{Provider: c.q, Kind: qc, At: at, Exact: c.exact, AnyMatch: c.anyMatch})
		if a.Outcome() != c.want || a.Entities != c.entities {
			t.Errorf("%q exact=%v any=%v: %v (%d entities), want %v (%d): %s", c.q, c.exact, c.anyMatch, a.Outcome(), a.Entities, c.want, c.entities, a.Reason)
		}
		if c.want == query.Ambiguous && (a.Qualified ||
			!strings.Contains(a.Reason, "Alpha Sign (BE, VATBE-0111.111.111): qualified") || !strings.Contains(a.Reason, "Beta Sign (FR, VATFR-12345678901): not qualified")) {
			t.Errorf("ambiguous: qualified=%v reason %q", a.Qualified, a.Reason)
		}
	}
}

// FuzzParseIdentifier: outside input never panics; an identifier's key is
// stable when written back in the ETSI form with the repeated prefix.
func FuzzParseIdentifier(f *testing.F) {
	for _, s := range []string{"VATBE-0463.006.734", "BE 0463.006.734", "VATCZ-CZ26439395", "NTRRO-J40/781/2004", "Stø AS", "ΕΡΜΗΣ", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := query.ParseIdentifier(s, true)
		if !ok {
			return
		}
		if id.Country == "" || id.Number == "" {
			t.Fatalf("%q: %+v", s, id)
		}
		back, ok := query.ParseIdentifier("VAT"+id.Country+"-"+id.Country+id.Number, false)
		if !ok || back.Key() != id.Key() {
			t.Fatalf("%q: key %q, written back %q (%v)", s, id.Key(), back.Key(), ok)
		}
	})
}
