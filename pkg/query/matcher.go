package query

import (
	"strings"

	"github.com/eutl/eutl/pkg/tsl"
)

// ProviderMatcher matches one provider at a time as [Index] matches a
// --provider query (check, providers, show): an identifier such as
// VATBE-0541659084 matches exactly (spaces ignored), anything else matches a
// name or trade name that contains it after folding ([Fold]). Package diff
// filters events with it; TestProviderMatcherAgreesWithIndex keeps the two
// in step.
type ProviderMatcher struct {
	id   string
	isID bool
	fq   string
}

// NewProviderMatcher prepares query q.
func NewProviderMatcher(q string) ProviderMatcher {
	id, isID := NormalizeIdentifier(q)
	return ProviderMatcher{id: id, isID: isID, fq: Fold(q)}
}

// matchKeys matches prepared keys: folded names and normalised identifiers
// (the provEntry fields the index matches on).
func (m ProviderMatcher) matchKeys(folded, ids []string) bool {
	if m.fq == "" {
		return false
	}
	if m.isID {
		for _, pid := range ids {
			if pid == m.id {
				return true
			}
		}
		return false
	}
	for _, n := range folded {
		if strings.Contains(n, m.fq) {
			return true
		}
	}
	return false
}

// Match reports whether provider p matches.
func (m ProviderMatcher) Match(p *tsl.Provider) bool {
	var folded, ids []string
	for _, n := range append(append(tsl.MultiLang{}, p.Names...), p.TradeNames...) {
		folded = append(folded, Fold(n.Value))
		if id, ok := NormalizeIdentifier(n.Value); ok {
			ids = append(ids, id)
		}
	}
	return m.matchKeys(folded, ids)
}
