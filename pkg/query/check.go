package query

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/eutl/eutl/pkg/trust"
)

// Query is one question.
type Query struct {
	Provider string
	Kind     Kind
	// Country limits the answer to one territory's list ("" = every list).
	Country string
	At      time.Time
	// Exact matches whole names and trade names (after folding) instead of
	// names containing the query.
	Exact bool
	// AnyMatch answers qualified when any matching provider is, even when
	// the query matches several distinct providers (by default that is
	// Ambiguous).
	AnyMatch bool
}

// Outcome classifies an answer for exit codes.
type Outcome int

const (
	// Qualified: the matching provider (one legal entity, or any with
	// AnyMatch) is qualified.
	Qualified Outcome = iota
	// NotQualified: verified lists say the provider found is not qualified.
	NotQualified
	// IncompleteTrust: no; but a list that could hold the answer failed
	// verification (or is not fresh at the instant asked), so no negative
	// answer is given.
	IncompleteTrust
	// IncompleteFetch: as IncompleteTrust, the list could not be fetched.
	IncompleteFetch
	// NotFound: no provider matched in the verified lists.
	NotFound
	// Ambiguous: the query matched several distinct legal entities; it
	// never passes (use an identifier, Exact, or AnyMatch).
	Ambiguous
)

// String is the JSON name of the outcome.
func (o Outcome) String() string {
	switch o {
	case Qualified:
		return "qualified"
	case NotQualified:
		return "not_qualified"
	case NotFound:
		return "not_found"
	case Ambiguous:
		return "ambiguous"
	}
	return "incomplete"
}

// Answer is the verdict with its evidence.
type Answer struct {
	Query     Query
	Qualified bool
	// Reason says why, in one line.
	Reason string
	// Matches are the matching provider entries, each with its deciding
	// service and how it matched.
	Matches []Match
	// Entities is how many distinct legal entities the matches are.
	Entities int
	// Related are services of other providers whose certificates are issued
	// to a matched provider: evidence only, never part of the verdict.
	Related []Match
	// Suggestions are the closest providers (name, country, identifiers)
	// when none matched.
	Suggestions []string
	// NamedServices are services whose own name contains the query, when no
	// provider matched (e.g. a brand such as "itsme").
	NamedServices []Match
	// Failed are lists that could hold the answer but could not be used.
	Failed   []FailedList
	Warnings []string
}

// Outcome classifies the answer. An ambiguous query never passes; a
// negative answer is never given while a list that could hold the answer
// could not be used.
func (a *Answer) Outcome() Outcome {
	if a.Entities > 1 && !a.Query.AnyMatch {
		return Ambiguous
	}
	if a.Qualified {
		return Qualified
	}
	if len(a.Failed) > 0 {
		for _, f := range a.Failed {
			if f.Verdict != trust.FetchFailed {
				return IncompleteTrust
			}
		}
		return IncompleteFetch
	}
	if len(a.Matches) == 0 {
		return NotFound
	}
	return NotQualified
}

// Check answers q. The instant q.At decides the statuses and which lists
// may answer (see [Index.FailedAt]).
func (ix *Index) Check(q Query) *Answer {
	q.Country = CountryAlias(q.Country)
	a := &Answer{Query: q, Matches: []Match{}, Related: []Match{}}
	a.Failed = ix.failedAt(q.Country, q.At)
	a.Warnings = ix.expiredWarnings(q.Country, q.At)
	var provs []*provEntry
	entities := map[int]int{}
	anyQualified := false
	for _, h := range ix.matchProviders(q.Provider, q.Country, q.Exact) {
		if !ix.usableAt(h.pe.list, q.At) {
			continue
		}
		provs = append(provs, h.pe)
		m, warns := decideProvider(h.pe, q.Kind, q.At)
		m.MatchedOn, m.Matched = h.on, h.value
		if _, ok := entities[h.pe.entity]; !ok {
			entities[h.pe.entity] = len(entities) + 1
		}
		m.Entity = entities[h.pe.entity]
		a.Matches = append(a.Matches, m)
		a.Warnings = append(a.Warnings, warns...)
		anyQualified = anyQualified || m.Qualified
	}
	a.Entities = len(entities)
	a.Qualified = anyQualified && (a.Entities <= 1 || q.AnyMatch)
	sortMatches(a.Matches)
	if a.Entities > 1 {
		names := distinctProviders(a.Matches)
		if q.AnyMatch {
			a.Warnings = append(a.Warnings, fmt.Sprintf("%q matches %d different providers (%s); any match was asked for: the answer is qualified if any is", q.Provider, a.Entities, strings.Join(shortList(names, 5), "; ")))
		}
	}
	if len(provs) > 0 {
		a.Related = ix.related(provs, q)
	} else {
		a.Suggestions = ix.suggest(q)
		a.NamedServices = ix.namedServices(q)
	}
	a.Reason = a.reason(q)
	return a
}

func shortList(names []string, n int) []string {
	if len(names) <= n {
		return names
	}
	return append(names[:n:n], fmt.Sprintf("%d more", len(names)-n))
}

func (a *Answer) reason(q Query) string {
	where := ""
	if q.Country != "" {
		where = " in " + q.Country
	}
	if a.Outcome() == Ambiguous {
		var cands []string
		for _, m := range a.Matches {
			cands = append(cands, fmt.Sprintf("%s (%s%s): %s", m.Provider.Name, m.Country, idSuffix(m.Provider), verdictWord(m.Qualified)))
		}
		return fmt.Sprintf("%q matches %d different providers, so it gives no verdict: %s", q.Provider, a.Entities, strings.Join(shortList(uniqStrings(cands), 5), "; "))
	}
	if a.Qualified {
		for _, m := range a.Matches {
			if m.Qualified {
				r := fmt.Sprintf("%s (%s): %s", m.Provider.Name, m.Country, m.Reason)
				if m.Service != nil {
					r = fmt.Sprintf("%s (%s): %q %s", m.Provider.Name, m.Country, m.Service.Name, m.Reason)
				}
				return r
			}
		}
	}
	var r string
	switch {
	case len(a.Matches) == 0:
		r = fmt.Sprintf("provider %q not found in the verified lists%s", q.Provider, where)
		if len(a.Suggestions) > 0 {
			r += "; closest: " + strings.Join(a.Suggestions, ", ")
		}
		if len(a.NamedServices) > 0 {
			var names []string
			for _, s := range a.NamedServices {
				names = append(names, fmt.Sprintf("%q of %s (%s)", s.Service.Name, s.Provider.Name, s.Country))
			}
			r += "; services named like it: " + strings.Join(shortList(names, 3), ", ")
		}
	default:
		m := a.Matches[0]
		r = fmt.Sprintf("%s (%s): %s", m.Provider.Name, m.Country, m.Reason)
		if len(a.Matches) > 1 {
			r += fmt.Sprintf(" (and %d more matching entr%s, none qualified)", len(a.Matches)-1, map[bool]string{true: "y", false: "ies"}[len(a.Matches) == 2])
		}
	}
	if len(a.Failed) > 0 {
		var fs []string
		for _, f := range a.Failed {
			fs = append(fs, f.Territory+" ("+string(f.Verdict)+")")
		}
		r = "no answer from partial data: " + strings.Join(fs, ", ") + " could hold the provider but could not be used; verified lists say: " + r
	}
	return r
}

func verdictWord(q bool) string {
	if q {
		return "qualified"
	}
	return "not qualified"
}

func idSuffix(p ProviderRef) string {
	if len(p.Identifiers) == 0 {
		return ""
	}
	return ", " + strings.Join(p.Identifiers, " ")
}

func uniqStrings(ss []string) []string { return uniq(ss) }

// related finds services of other providers whose certificates are issued
// to a matched provider (subject O equal to one of its names, or an
// organizationIdentifier with its identifier's country and number).
func (ix *Index) related(provs []*provEntry, q Query) []Match {
	names := map[string]bool{}
	keys := map[string]bool{}
	self := map[*provEntry]bool{}
	for _, pe := range provs {
		self[pe] = true
		for _, n := range pe.folded {
			names[n] = true
		}
		for _, id := range pe.ids {
			keys[id.id.Key()] = true
		}
	}
	hits := map[int]bool{}
	for n := range names {
		for _, i := range ix.certsByOrg[n] {
			hits[i] = true
		}
	}
	for k := range keys {
		for _, i := range ix.certsByID[k] {
			hits[i] = true
		}
	}
	idx := make([]int, 0, len(hits))
	for i := range hits {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := []Match{}
	for _, i := range idx {
		sc := ix.certs[i]
		if self[sc.prov] || (q.Country != "" && sc.prov.list.info.Territory != q.Country) || !ix.usableAt(sc.prov.list, q.At) {
			continue
		}
		m := Match{Provider: providerRef(sc.prov), Country: sc.prov.list.info.Territory, List: sc.prov.list.infoAt(q.At)}
		d, e, listed := qualifiedFor(sc.timeline, q.Kind, q.At)
		m.Qualified, m.Reason = d.Qualified, "related: certificate issued to the queried provider, listed under "+m.Provider.Name+"; "+d.Reason
		if listed {
			m.Service = evidence(sc.svc, e, sc.timeline)
		}
		out = append(out, m)
	}
	sortMatches(out)
	return out
}

func (ix *Index) suggest(q Query) []string {
	fq := Fold(q.Provider)
	key := fmt.Sprintf("%s\x00%d\x00%s", q.Country, q.At.UnixNano(), fq)
	if v, ok := ix.suggestMemo.load(key); ok {
		return v.([]string)
	}
	out := ix.suggestUncached(q, fq)
	ix.suggestMemo.store(key, out)
	return out
}

func (ix *Index) suggestUncached(q Query, fq string) []string {
	type scored struct {
		name  string
		score float64
	}
	var all []scored
	seen := map[string]bool{}
	for _, pe := range ix.providers {
		if q.Country != "" && pe.list.info.Territory != q.Country || !ix.usableAt(pe.list, q.At) {
			continue
		}
		best := 0.0
		for _, n := range pe.folded {
			if s := similarity(fq, n); s > best {
				best = s
			}
		}
		if best < 0.5 {
			continue
		}
		name := strings.TrimSpace(pe.p.Names.Get("en")) + " (" + pe.list.info.Territory + idSuffix(providerRef(pe)) + ")"
		if !seen[name] {
			seen[name] = true
			all = append(all, scored{name, best})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
	var out []string
	for i := 0; i < len(all) && i < 3; i++ {
		out = append(out, all[i].name)
	}
	return out
}

type namedHit struct {
	pe *provEntry
	se *svcEntry
}

func (ix *Index) namedHits(country, fq string) []namedHit {
	key := country + "\x00" + fq
	if v, ok := ix.namedMemo.load(key); ok {
		return v.([]namedHit)
	}
	var hits []namedHit
	for _, pe := range ix.providers {
		if country != "" && pe.list.info.Territory != country {
			continue
		}
		for i := range pe.services {
			se := &pe.services[i]
			for _, n := range se.folded {
				if strings.Contains(n, fq) {
					hits = append(hits, namedHit{pe, se})
					break
				}
			}
		}
	}
	ix.namedMemo.store(key, hits)
	return hits
}

func (ix *Index) namedServices(q Query) []Match {
	fq := Fold(q.Provider)
	if len(fq) < 3 {
		return nil
	}
	var out []Match
	for _, h := range ix.namedHits(q.Country, fq) {
		pe, se := h.pe, h.se
		if !ix.usableAt(pe.list, q.At) {
			continue
		}
		m := Match{Provider: providerRef(pe), Country: pe.list.info.Territory, List: pe.list.infoAt(q.At)}
		d, e, listed := qualifiedFor(se.timeline, q.Kind, q.At)
		m.Qualified, m.Reason = d.Qualified, "service named like the query; "+d.Reason
		if !listed {
			e = se.timeline[0]
		}
		m.Service = evidence(se.s, e, se.timeline)
		out = append(out, m)
	}
	sortMatches(out)
	return out
}

// distinctProviders lists the matched providers by name and country.
func distinctProviders(ms []Match) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range ms {
		k := m.Provider.Name + " (" + m.Country + ")"
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
