package query

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/eutl/eutl/pkg/tsl"
)

// Fold prepares a name for matching: Unicode case folding, accents removed
// (canonical decomposition, combining marks dropped), white space runs
// collapsed to one space and trimmed.
func Fold(s string) string {
	if isASCII(s) {
		return strings.Join(strings.Fields(strings.ToLower(s)), " ")
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = cases.Fold().String(out)
	return strings.Join(strings.Fields(out), " ")
}

// identifierRe recognises official identifiers (TS 119 612 §5.4.2):
// type + country + "-" + number, e.g. VATBE-0541659084, NTRBG-BULSTATU000640954.
var identifierRe = regexp.MustCompile(`^(VAT|NTR|PAS|IDC|PNO|TIN)([A-Z]{2})-(.+)$`)

// NormalizeIdentifier removes spaces and upper-cases an identifier; ok is
// false when s is not shaped like one.
func NormalizeIdentifier(s string) (string, bool) {
	v := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if identifierRe.MatchString(v) {
		return v, true
	}
	return "", false
}

// identifierKey is the country and number of an identifier, without its
// type and punctuation: NTRBE-0541.659.084 and VATBE-0541659084 share it.
func identifierKey(id string) string {
	m := identifierRe.FindStringSubmatch(id)
	if m == nil {
		return ""
	}
	num := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToUpper(r)
		}
		return -1
	}, m[3])
	return m[2] + "-" + num
}

// CountryAlias maps a country code to the lists' territory code: GR is EL
// (Greece), GB is UK; other codes are upper-cased ([tsl.TerritoryCode]).
func CountryAlias(c string) string { return tsl.TerritoryCode(c) }

// similarity scores how close a folded query is to a folded name, for
// "did you mean" suggestions: shared word prefixes and a normalised edit
// distance.
func similarity(q, name string) float64 {
	if q == "" || name == "" {
		return 0
	}
	score := 0.0
	for _, qw := range strings.Fields(q) {
		for _, nw := range strings.Fields(name) {
			if len(qw) >= 3 && (strings.HasPrefix(nw, qw) || strings.HasPrefix(qw, nw) && len(nw) >= 3) {
				score += 1
				break
			}
		}
	}
	lq, ln := len(q), len(name)
	maxLen := max(lq, ln)
	if min(lq, ln)*3 < maxLen {
		return score // lengths too far apart for the edit distance to help
	}
	return score + 1 - float64(levenshtein(q, name))/float64(maxLen)
}

// levenshtein is the edit distance, on bytes (folded names are mostly
// ASCII; for others it over-counts slightly, which only affects ranking).
func levenshtein(a, b string) int {
	ra, rb := a, b
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
