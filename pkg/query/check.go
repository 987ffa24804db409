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
}

// Outcome classifies an answer for exit codes.
type Outcome int

const (
	// Qualified: at least one matching provider entry is qualified.
	Qualified Outcome = iota
	// NotQualified: verified lists say no.
	NotQualified
	// IncompleteTrust: no; but a list that could hold the answer failed
	// verification, so no negative answer is given.
	IncompleteTrust
	// IncompleteFetch: as IncompleteTrust, the list could not be fetched.
	IncompleteFetch
)

// Answer is the verdict with its evidence.
type Answer struct {
	Query     Query
	Qualified bool
	// Reason says why, in one line.
	Reason string
	// Matches are the matching provider entries, each with its deciding
	// service; the answer is qualified when any is.
	Matches []Match
	// Related are services of other providers whose certificates are issued
	// to a matched provider: evidence only, never part of the verdict.
	Related []Match
	// Suggestions are the closest provider names when none matched.
	Suggestions []string
	// NamedServices are services whose own name contains the query, when no
	// provider matched (e.g. a brand such as "itsme").
	NamedServices []Match
	// Failed are lists that could hold the answer but could not be used.
	Failed   []FailedList
	Warnings []string
}

// Outcome classifies the answer.
func (a *Answer) Outcome() Outcome {
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
	return NotQualified
}

// Check answers q.
func (ix *Index) Check(q Query) *Answer {
	q.Country = CountryAlias(q.Country)
	a := &Answer{Query: q, Matches: []Match{}, Related: []Match{}}
	a.Failed = ix.relevantFailed(q.Country)
	provs := ix.matchProviders(q.Provider, q.Country)
	for _, pe := range provs {
		m, warns := decideProvider(pe, q.Kind, q.At)
		a.Matches = append(a.Matches, m)
		a.Warnings = append(a.Warnings, warns...)
		if m.Qualified {
			a.Qualified = true
		}
	}
	sortMatches(a.Matches)
	if names := distinctProviders(a.Matches); len(names) > 1 {
		shown := names
		if len(shown) > 5 {
			shown = append(shown[:5:5], fmt.Sprintf("%d more", len(names)-5))
		}
		a.Warnings = append(a.Warnings, fmt.Sprintf("%q matches %d different providers (%s); the answer is qualified if any is: narrow the query or use a registration identifier", q.Provider, len(names), strings.Join(shown, "; ")))
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

func (a *Answer) reason(q Query) string {
	where := ""
	if q.Country != "" {
		where = " in " + q.Country
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
			r += "; closest names: " + strings.Join(a.Suggestions, ", ")
		}
		if len(a.NamedServices) > 0 {
			var names []string
			for _, s := range a.NamedServices {
				names = append(names, fmt.Sprintf("%q of %s (%s)", s.Service.Name, s.Provider.Name, s.Country))
			}
			if len(names) > 3 {
				names = append(names[:3], fmt.Sprintf("%d more", len(names)-3))
			}
			r += "; services named like it: " + strings.Join(names, ", ")
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
		for _, k := range pe.idKeys {
			keys[k] = true
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
		if self[sc.prov] || (q.Country != "" && sc.prov.list.info.Territory != q.Country) {
			continue
		}
		m := Match{Provider: providerRef(sc.prov), Country: sc.prov.list.info.Territory, List: sc.prov.list.info}
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
	key := q.Country + "\x00" + fq
	if v, ok := ix.suggestMemo.Load(key); ok {
		return v.([]string)
	}
	out := ix.suggestUncached(q, fq)
	ix.suggestMemo.Store(key, out)
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
		if q.Country != "" && pe.list.info.Territory != q.Country {
			continue
		}
		best := 0.0
		for _, n := range pe.folded {
			if s := similarity(fq, n); s > best {
				best = s
			}
		}
		name := strings.TrimSpace(pe.p.Names.Get("en")) + " (" + pe.list.info.Territory + ")"
		if best >= 0.5 && !seen[name] {
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
	if v, ok := ix.namedMemo.Load(key); ok {
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
	ix.namedMemo.Store(key, hits)
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
		m := Match{Provider: providerRef(pe), Country: pe.list.info.Territory, List: pe.list.info}
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
