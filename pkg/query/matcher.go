package query

import (
	"strings"

	"github.com/eutl/eutl/pkg/tsl"
)

// ProviderMatcher matches one provider at a time as [Index] matches a
// --provider query (check, providers, show): a registration identifier
// however written (VATBE-0463.006.734, BE 0463 006 734) matches on country
// and number, anything else matches a name or trade name that contains it
// after folding ([Fold]), or equals it when exact. Package diff filters
// events with it; the index matches through it, and
// TestProviderMatcherAgreesWithIndex keeps the two in step.
type ProviderMatcher struct {
	id    Identifier
	isID  bool
	fq    string
	exact bool
}

// NewProviderMatcher prepares query q.
func NewProviderMatcher(q string) ProviderMatcher {
	id, isID := ParseIdentifier(q, true)
	return ProviderMatcher{id: id, isID: isID, fq: Fold(q)}
}

// newExactMatcher is NewProviderMatcher, matching whole names when exact.
func newExactMatcher(q string, exact bool) ProviderMatcher {
	m := NewProviderMatcher(q)
	m.exact = exact
	return m
}

// match says whether pe matches, how ("identifier", "name", "exact name")
// and on which of its identifiers or names, as the list writes it.
func (m ProviderMatcher) match(pe *provEntry) (on, value string, ok bool) {
	if m.fq == "" {
		return "", "", false
	}
	if m.isID {
		for _, pid := range pe.ids {
			if pid.id.Key() == m.id.Key() {
				return "identifier", pid.written, true
			}
		}
		return "", "", false
	}
	for i, n := range pe.folded {
		switch {
		case m.exact && n == m.fq:
			return "exact name", pe.allNames()[i], true
		case !m.exact && strings.Contains(n, m.fq):
			return "name", pe.allNames()[i], true
		}
	}
	return "", "", false
}

// Match reports whether provider p matches.
func (m ProviderMatcher) Match(p *tsl.Provider) bool {
	_, _, ok := m.match(newProvEntry(nil, p))
	return ok
}
