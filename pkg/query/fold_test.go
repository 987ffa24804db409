package query

import (
	"strings"
	"sync"
	"testing"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// foldReference is Fold as first written (a transformer chain and a caser
// built per call, strings.Fields for the white space): the faster Fold
// must agree with it on every input.
func foldReference(s string) string {
	if isASCII(s) {
		return strings.Join(strings.Fields(strings.ToLower(s)), " ")
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = cases.Fold().String(out)
	if !isASCII(out) {
		out = transliterateLatin(out)
	}
	return strings.Join(strings.Fields(out), " ")
}

var foldSeeds = []string{
	"", " ", "a", "A", "plain", "Plain ASCII", "  plain   ASCII ", "a\tb", "a\nb", "a\vb\fc\rd", "a ", " a", "a  b",
	"already folded name", "Česká  pošta,\ts.p.", "Stø", "Straße", "ΕΡΜΗΣ Υπηρεσίες", "Информационно обслужване",
	"a\u00a0b", "a\u0085b", "e\u0301", "ﬁ ligature", "İstanbul", "x\u2003y", "Þjóðskrá Íslands", "ǅ ǈ ǋ",
}

// TestFoldMatchesReference: Fold gives what it always gave, on the seeds,
// on every name and trade name of a generated world, and concurrently (its
// transformers are pooled).
func TestFoldMatchesReference(t *testing.T) {
	for _, s := range foldSeeds {
		if got, want := Fold(s), foldReference(s); got != want {
			t.Errorf("Fold(%q) = %q, want %q", s, got, want)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				for _, s := range foldSeeds {
					if got, want := Fold(s), foldReference(s); got != want {
						t.Errorf("concurrent Fold(%q) = %q, want %q", s, got, want)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestFoldASCIIKeepsCleanInput: a name already folded is returned as is,
// without a copy.
func TestFoldASCIIKeepsCleanInput(t *testing.T) {
	s := "already folded name"
	if got := Fold(s); got != s || allocs(func() { Fold(s) }) != 0 {
		t.Errorf("Fold(%q) = %q, allocating", s, got)
	}
}

func allocs(f func()) float64 { return testing.AllocsPerRun(100, f) }

func FuzzFold(f *testing.F) {
	for _, s := range foldSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Fold(s), foldReference(s); got != want {
			t.Errorf("Fold(%q) = %q, want %q", s, got, want)
		}
	})
}
