package query

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gosimple/unidecode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/eutl/eutl/pkg/tsl"
)

// Fold prepares a name for matching: Unicode case folding, accents removed
// (canonical decomposition, combining marks dropped), Latin letters that do
// not decompose transliterated (ø→o, æ→ae, ł→l, đ→d, ß→ss, þ→th, œ→oe, …,
// from the unidecode table), white space runs collapsed to one space and
// trimmed. Other scripts (Greek, Cyrillic) keep their letters: a Greek
// query finds a Greek name.
func Fold(s string) string {
	if isASCII(s) {
		return foldASCII(s)
	}
	f := folders.Get().(*folder)
	out, _, err := transform.String(f.strip, s)
	if err != nil {
		out = s
	}
	out = f.fold.String(out)
	folders.Put(f)
	if !isASCII(out) {
		out = transliterateLatin(out)
	}
	return strings.Join(strings.Fields(out), " ")
}

// folder is Fold's transformers, which are costly to build and not safe
// for concurrent use: a pool keeps them (the index folds names from
// several goroutines).
type folder struct {
	strip transform.Transformer // accents removed
	fold  cases.Caser
}

var folders = sync.Pool{New: func() any {
	return &folder{strip: transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), fold: cases.Fold()}
}}

// foldASCII lower-cases ASCII s and collapses its white space runs to one
// space, trimmed: s itself when it is so already.
func foldASCII(s string) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', asciiSpace(c) && (c != ' ' || i == 0 || i == len(s)-1 || s[i-1] == ' '):
			clean = false
		}
	}
	if clean {
		return s
	}
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if asciiSpace(c) {
			space = len(b) > 0
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b)
}

// asciiSpace: the ASCII characters strings.Fields splits at.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// transliterateLatin replaces each non-ASCII Latin letter by its ASCII
// transliteration (lower-cased), leaving other runes alone.
func transliterateLatin(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < utf8.RuneSelf || !unicode.Is(unicode.Latin, r) {
			b.WriteRune(r)
			continue
		}
		if a := unidecode.Unidecode(string(r)); a != "" {
			b.WriteString(strings.ToLower(a))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// identifierRe recognises official identifiers (TS 119 612 §5.4.2) as
// lists and users write them: type + country + number, with or without the
// dash and with any punctuation (VATBE-0541659084, VATBE-0463.006.734,
// VATCZ-CZ26439395, NTRBG-BULSTATU000640954), after spaces are removed and
// letters upper-cased.
var identifierRe = regexp.MustCompile(`^(VAT|NTR|PAS|IDC|PNO|TIN)([A-Z]{2})(-?)(.+)$`)

// viesRe recognises the VIES form: country + number, no scheme
// (BE0463006734, BE 0463.006.734, ATU12345678).
var viesRe = regexp.MustCompile(`^([A-Z]{2})[-.:/]?([A-Z0-9][A-Z0-9.\-/]*)$`)

// viesCountries are the territories whose VAT numbers VIES (and the lists)
// know, with the ISO spellings GR and GB.
var viesCountries = map[string]bool{
	"AT": true, "BE": true, "BG": true, "CY": true, "CZ": true, "DE": true, "DK": true, "EE": true, "EL": true, "GR": true,
	"ES": true, "FI": true, "FR": true, "HR": true, "HU": true, "IE": true, "IT": true, "LT": true, "LU": true, "LV": true,
	"MT": true, "NL": true, "PL": true, "PT": true, "RO": true, "SE": true, "SI": true, "SK": true, "IS": true, "LI": true,
	"NO": true, "UK": true, "GB": true, "XI": true, "CH": true,
}

// Identifier is a registration identifier reduced to what names the legal
// entity: the country and the number (upper-case letters and digits, a
// repeated country prefix dropped). Scheme is VAT, NTR, … or "" for the
// VIES form; matching ignores it, so NTRBE-0541.659.084, VATBE-0541659084
// and BE0541659084 are one entity.
type Identifier struct {
	Scheme  string
	Country string
	Number  string
}

// Key is country-number: "BE-0463006734".
func (id Identifier) Key() string { return id.Country + "-" + id.Number }

// ParseIdentifier reads an identifier in the ETSI form (VATBE-0463006734,
// however punctuated) or, when vies is set, also the VIES form
// (BE0463006734, BE 0463.006.734). ok is false when s is not shaped like
// one. The VIES form needs at least seven digits, so that names are never
// taken for identifiers.
func ParseIdentifier(s string, vies bool) (Identifier, bool) {
	v := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if m := identifierRe.FindStringSubmatch(v); m != nil {
		// Without the dash, the number must have a digit: "VATICAN…" is a name.
		if m[3] == "" && !strings.ContainsAny(m[4], "0123456789") {
			return Identifier{}, false
		}
		if id, ok := newIdentifier(m[1], m[2], m[4]); ok {
			return id, true
		}
		return Identifier{}, false
	}
	if !vies {
		return Identifier{}, false
	}
	m := viesRe.FindStringSubmatch(v)
	if m == nil || !viesCountries[m[1]] {
		return Identifier{}, false
	}
	digits := 0
	for _, r := range m[2] {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < 7 {
		return Identifier{}, false
	}
	return newIdentifier("", m[1], m[2])
}

func newIdentifier(scheme, country, rest string) (Identifier, bool) {
	country = canonicalCountry(country)
	num := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToUpper(r)
		}
		return -1
	}, rest)
	for _, c := range []string{country, isoCountry(country)} {
		if len(num) > len(c) && strings.HasPrefix(num, c) {
			num = num[len(c):]
			break
		}
	}
	if num == "" {
		return Identifier{}, false
	}
	return Identifier{Scheme: scheme, Country: country, Number: num}, true
}

// canonicalCountry writes Greece and the United Kingdom as the lists do.
func canonicalCountry(c string) string {
	switch c {
	case "GR":
		return "EL"
	case "GB":
		return "UK"
	}
	return c
}

func isoCountry(c string) string {
	switch c {
	case "EL":
		return "GR"
	case "UK":
		return "GB"
	}
	return c
}

// NormalizeIdentifier removes spaces and upper-cases an identifier in the
// ETSI form; ok is false when s is not shaped like one.
func NormalizeIdentifier(s string) (string, bool) {
	if _, ok := ParseIdentifier(s, false); !ok {
		return "", false
	}
	return strings.ToUpper(strings.Join(strings.Fields(s), "")), true
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
