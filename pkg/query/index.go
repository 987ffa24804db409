package query

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// ListInfo identifies the list evidence comes from.
type ListInfo struct {
	Territory     string
	Sequence      int
	SHA256        string
	Signature     string
	URL           string
	Issued        time.Time
	NextUpdate    time.Time
	SignerSubject string
	SignerSHA256  string
}

// FailedList is a list that could not be used.
type FailedList struct {
	Territory string
	URL       string
	Verdict   trust.Verdict
	Reason    string
	// Location is the element the failure is about, when it has one.
	Location string
	// Cause is Reason without its location.
	Cause string
	// Err is the failure itself (normally a *trust.ListError), for
	// errors.Is and errors.As.
	Err error
}

type listEntry struct {
	info ListInfo
	list *tsl.List
}

type provEntry struct {
	list     *listEntry
	p        *tsl.Provider
	folded   []string // names and trade names, folded
	ids      []string // normalised identifiers
	idKeys   []string
	services []svcEntry
}

// svcEntry is a service with what queries need of it precomputed.
type svcEntry struct {
	s        *tsl.Service
	timeline []Entry
	folded   []string // service names, folded
}

// serviceCert is a service certificate's subject facts, for related evidence.
type serviceCert struct {
	prov     *provEntry
	svc      *tsl.Service
	timeline []Entry
	orgs     []string // folded O= values
	idKey    []string // organizationIdentifier keys
}

// Index is the verified set, prepared for many queries.
type Index struct {
	lists     []*listEntry
	providers []*provEntry
	failed    []FailedList
	certs     []serviceCert
	// territories with a list (usable or failed)
	known map[string]bool
	// suggestMemo caches "did you mean" answers by country and folded query;
	// matchMemo and namedMemo the provider and service-name matches.
	suggestMemo, matchMemo, namedMemo sync.Map
	// certsByOrg and certsByID index service certificates by folded subject
	// O= and by organizationIdentifier key.
	certsByOrg, certsByID map[string][]int
}

// Input is one verified list for NewIndex.
type Input struct {
	List *trust.VerifiedList
	URL  string
}

// FromChain indexes the usable lists of a chain result and records the
// failed ones. When the LOTL itself failed, every territory is unknown and
// recorded as failed under "EU".
func FromChain(res *trust.ChainResult) *Index {
	var in []Input
	var failed []FailedList
	if !res.LOTL.Usable() {
		failed = append(failed, failedOf(&res.LOTL))
	}
	for i := range res.Lists {
		o := &res.Lists[i]
		if o.Usable() {
			in = append(in, Input{List: o.List, URL: o.URL})
		} else {
			failed = append(failed, failedOf(o))
		}
	}
	return NewIndex(in, failed)
}

func failedOf(o *trust.Outcome) FailedList {
	f := FailedList{Territory: o.Territory, URL: o.URL, Verdict: o.Verdict(), Err: o.Err}
	var le *trust.ListError
	switch {
	case errors.As(o.Err, &le):
		f.Reason, f.Location, f.Cause = le.Err.Error(), le.Location(), le.Cause()
	case o.Err != nil:
		f.Reason = o.Err.Error()
		f.Cause = f.Reason
	}
	return f
}

// NewIndex prepares verified lists for queries.
func NewIndex(lists []Input, failed []FailedList) *Index {
	ix := &Index{failed: failed, known: map[string]bool{}, certsByOrg: map[string][]int{}, certsByID: map[string][]int{}}
	for _, f := range failed {
		ix.known[f.Territory] = true
	}
	for _, in := range lists {
		vl := in.List
		le := &listEntry{list: vl.List, info: ListInfo{
			Territory: vl.List.Territory, Sequence: vl.List.SequenceNumber, SHA256: vl.SHA256, Signature: "valid",
			URL: in.URL, Issued: vl.List.IssueDate, NextUpdate: vl.List.NextUpdate,
		}}
		if vl.Verdict != trust.Valid {
			le.info.Signature = "valid (" + string(vl.Verdict) + ", used because expired lists were allowed)"
		}
		if vl.Signature != nil && vl.Signature.Signer != nil {
			le.info.SignerSubject, le.info.SignerSHA256 = vl.Signature.Signer.Subject, vl.Signature.SignerSHA256
		}
		ix.lists = append(ix.lists, le)
		ix.known[le.info.Territory] = true
		for pi := range vl.List.Providers {
			p := &vl.List.Providers[pi]
			pe := &provEntry{list: le, p: p}
			for _, n := range append(append(tsl.MultiLang{}, p.Names...), p.TradeNames...) {
				pe.folded = append(pe.folded, Fold(n.Value))
				if id, ok := NormalizeIdentifier(n.Value); ok {
					pe.ids = append(pe.ids, id)
					pe.idKeys = append(pe.idKeys, identifierKey(id))
				}
			}
			ix.providers = append(ix.providers, pe)
			for si := range p.Services {
				s := &p.Services[si]
				se := svcEntry{s: s, timeline: Timeline(s)}
				for _, n := range s.Current.Names {
					se.folded = append(se.folded, Fold(n.Value))
				}
				pe.services = append(pe.services, se)
				sc := serviceCert{prov: pe, svc: s, timeline: se.timeline}
				for _, id := range s.Current.Identities {
					for _, c := range id.Certificates {
						if c.Cert == nil {
							continue
						}
						for _, o := range c.Cert.Subject.Organization {
							sc.orgs = append(sc.orgs, Fold(o))
						}
						for _, v := range xmldsig.NameAttributes(c.Cert.RawSubject, "organizationIdentifier") {
							if k := identifierKey(strings.ToUpper(strings.Join(strings.Fields(v), ""))); k != "" {
								sc.idKey = append(sc.idKey, k)
							}
						}
					}
				}
				if len(sc.orgs)+len(sc.idKey) > 0 {
					n := len(ix.certs)
					ix.certs = append(ix.certs, sc)
					for _, o := range uniq(sc.orgs) {
						ix.certsByOrg[o] = append(ix.certsByOrg[o], n)
					}
					for _, k := range uniq(sc.idKey) {
						ix.certsByID[k] = append(ix.certsByID[k], n)
					}
				}
			}
		}
	}
	return ix
}

// Failed returns the lists that could not be used.
func (ix *Index) Failed() []FailedList { return ix.failed }

// Lists returns the usable lists.
func (ix *Index) Lists() []ListInfo {
	out := make([]ListInfo, len(ix.lists))
	for i, l := range ix.lists {
		out[i] = l.info
	}
	return out
}

func uniq(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// matchProviders returns the providers matching q in country ("" = all).
func (ix *Index) matchProviders(q, country string) []*provEntry {
	key := country + "\x00" + q
	if v, ok := ix.matchMemo.Load(key); ok {
		return v.([]*provEntry)
	}
	out := ix.matchProvidersUncached(q, country)
	ix.matchMemo.Store(key, out)
	return out
}

func (ix *Index) matchProvidersUncached(q, country string) []*provEntry {
	var out []*provEntry
	id, isID := NormalizeIdentifier(q)
	fq := Fold(q)
	if fq == "" {
		return nil
	}
	for _, pe := range ix.providers {
		if country != "" && pe.list.info.Territory != country {
			continue
		}
		if isID {
			for _, pid := range pe.ids {
				if pid == id {
					out = append(out, pe)
					break
				}
			}
			continue
		}
		for _, n := range pe.folded {
			if strings.Contains(n, fq) {
				out = append(out, pe)
				break
			}
		}
	}
	return out
}

// relevantFailed returns the failed lists that could hold the answer.
func (ix *Index) relevantFailed(country string) []FailedList {
	var out []FailedList
	for _, f := range ix.failed {
		if country == "" || f.Territory == country || f.Territory == "EU" {
			out = append(out, f)
		}
	}
	return out
}

// ProviderRef names a provider.
type ProviderRef struct {
	Name        string
	Names       []string
	Identifiers []string
}

func providerRef(pe *provEntry) ProviderRef {
	r := ProviderRef{Name: strings.Join(strings.Fields(pe.p.Names.Get("en")), " "), Names: []string{}, Identifiers: []string{}}
	seen := map[string]bool{}
	for _, n := range append(append(tsl.MultiLang{}, pe.p.Names...), pe.p.TradeNames...) {
		v := strings.Join(strings.Fields(n.Value), " ")
		if id, ok := NormalizeIdentifier(v); ok {
			r.Identifiers = append(r.Identifiers, id)
			continue
		}
		if !seen[v] {
			seen[v] = true
			r.Names = append(r.Names, v)
		}
	}
	return r
}

// HistoryEntry is one status period in evidence.
type HistoryEntry struct {
	Type           string
	Status         string
	From           time.Time
	Until          time.Time
	AdditionalInfo []string
}

// ServiceEvidence is the service that decided an answer.
type ServiceEvidence struct {
	Name           string
	Type           string
	Status         string
	StatusSince    time.Time
	AdditionalInfo []string
	Qualifiers     []string
	History        []HistoryEntry
}

func tlOf(pe *provEntry, s *tsl.Service) []Entry {
	for _, se := range pe.services {
		if se.s == s {
			return se.timeline
		}
	}
	return Timeline(s)
}

func evidence(s *tsl.Service, e Entry, tl []Entry) *ServiceEvidence {
	in := e.Instance
	ev := &ServiceEvidence{Name: strings.TrimSpace(in.Names.Get("en")), Type: in.Type, Status: in.Status, StatusSince: in.StatusStart.UTC(), AdditionalInfo: []string{}}
	for _, ai := range in.Extensions.AdditionalInfo {
		ev.AdditionalInfo = append(ev.AdditionalInfo, ai.URI)
	}
	for _, q := range in.Extensions.Qualifications {
		ev.Qualifiers = append(ev.Qualifiers, q.Qualifiers...)
	}
	ev.History = history(tl)
	return ev
}

func history(tl []Entry) []HistoryEntry {
	var out []HistoryEntry
	for _, te := range tl {
		h := HistoryEntry{Type: te.Instance.Type, Status: te.Instance.Status, From: te.From.UTC(), Until: te.Until.UTC()}
		for _, ai := range te.Instance.Extensions.AdditionalInfo {
			h.AdditionalInfo = append(h.AdditionalInfo, ai.URI)
		}
		out = append(out, h)
	}
	return out
}

// Match is one provider entry (or, in Related, one service) with its verdict.
type Match struct {
	Provider  ProviderRef
	Country   string
	Qualified bool
	Reason    string
	Service   *ServiceEvidence
	List      ListInfo
}

// decideProvider finds the service of kind that decides for pe at t.
func decideProvider(pe *provEntry, kind Kind, t time.Time) (Match, []string) {
	m := Match{Provider: providerRef(pe), Country: pe.list.info.Territory, List: pe.list.info}
	var warnings []string
	type cand struct {
		s *tsl.Service
		d Decision
		e Entry
	}
	var best *cand
	var others []string
	for _, se := range pe.services {
		s, tl := se.s, se.timeline
		e, listed := entryAt(tl, t)
		if !listed {
			// Listed only later: say from when, if it is of the kind.
			if kind.Matches(s.Current.Type) && best == nil {
				first := tl[len(tl)-1]
				m.Reason = fmt.Sprintf("%q is listed only from %s", s.Current.Names.Get("en"), stamp(first.From))
				if d := Decide(tl[0], s.Current.StatusStart); d.Qualified {
					m.Reason = fmt.Sprintf("%q is granted only from %s", s.Current.Names.Get("en"), stamp(s.Current.StatusStart))
				}
			}
			continue
		}
		if !kind.Matches(e.Instance.Type) {
			others = append(others, Tail(e.Instance.Type))
			continue
		}
		d, _, _ := qualifiedFor(tl, kind, t)
		if d.Warning != "" {
			warnings = append(warnings, d.Warning)
		}
		c := &cand{s, d, e}
		switch {
		case best == nil,
			c.d.Qualified && !best.d.Qualified,
			c.d.Qualified == best.d.Qualified && c.e.From.After(best.e.From):
			best = c
		}
	}
	if best == nil {
		if m.Reason == "" {
			m.Reason = fmt.Sprintf("no %s service", kind.Name())
			if len(others) > 0 {
				m.Reason += " (it has: " + summarize(others) + ")"
			}
		}
		return m, warnings
	}
	m.Qualified = best.d.Qualified
	m.Reason = best.d.Reason
	m.Service = evidence(best.s, best.e, tlOf(pe, best.s))
	return m, warnings
}

func summarize(tails []string) string {
	count := map[string]int{}
	var order []string
	for _, t := range tails {
		if count[t] == 0 {
			order = append(order, t)
		}
		count[t]++
	}
	parts := make([]string, len(order))
	for i, t := range order {
		parts[i] = t
		if count[t] > 1 {
			parts[i] += fmt.Sprintf(" ×%d", count[t])
		}
	}
	return strings.Join(parts, ", ")
}

// Sort orders matches by country, then provider name.
func sortMatches(ms []Match) {
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Country != ms[j].Country {
			return ms[i].Country < ms[j].Country
		}
		return ms[i].Provider.Name < ms[j].Provider.Name
	})
}
