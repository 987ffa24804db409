package query_test

import (
	"testing"

	"github.com/eutl/eutl/pkg/query"
)

// TestFold covers letters that decompose (é) and those that do not (ø, æ,
// ł, đ, ß, þ, œ, ı, ħ, ŋ, ĳ): each folds to the ASCII a user types.
// Greek and Cyrillic keep their script.
func TestFold(t *testing.T) {
	cases := map[string]string{
		"Stø":                      "sto",
		"STØ":                      "sto",
		"Æble Øst Ål":              "aeble ost al",
		"Główny Urząd Miar":        "glowny urzad miar",
		"GŁÓWNY URZĄD":             "glowny urzad",
		"Đuro Đaković":             "duro dakovic",
		"Straße":                   "strasse",
		"STRASSE":                  "strasse",
		"Þjóðskrá Íslands":         "thjodskra islands",
		"Œuvre cœur":               "oeuvre coeur",
		"ıstanbul":                 "istanbul",
		"Ħal Qormi":                "hal qormi",
		"ŋ ĳ ŧ":                    "ng ij t",
		"Česká  pošta,\ts.p.":      "ceska posta, s.p.",
		"ΕΡΜΗΣ Υπηρεσίες":          "ερμησ υπηρεσιεσ",
		"Информационно обслужване": "информационно обслужване",
		"  plain   ASCII ":         "plain ascii",
	}
	for in, want := range cases {
		if got := query.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
