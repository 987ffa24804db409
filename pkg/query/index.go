package query

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eutl/eutl/internal/dn"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
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
	// expiredOK is set when freshness is not required of this list: the
	// caller allowed expired lists (or the chain already let this one
	// through as expired).
	expiredOK bool
}

type provEntry struct {
	list   *listEntry
	p      *tsl.Provider
	folded []string // names and trade names, folded
	// ids are the registration identifiers among names and trade names,
	// with their spelling in the list.
	ids      []provID
	services []svcEntry
	// entity numbers the legal entity: entries sharing a country+number
	// identifier (or, in one list, a name) share it.
	entity int
}

type provID struct {
	written string
	id      Identifier
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
	// lotl is the LOTL the lists were found through (nil when unknown):
	// when it is not fresh at a question's instant, no list is.
	lotl *listEntry
	// allowExpired: lists past their NextUpdate still answer (with a warning).
	allowExpired bool
	// suggestMemo caches "did you mean" answers by country and folded query;
	// matchMemo and namedMemo the provider and service-name matches. Each
	// holds at most memoLimit entries, so that a long batch of distinct
	// queries stays in bounded memory.
	suggestMemo, matchMemo, namedMemo memo
	// certsByOrg and certsByID index service certificates by folded subject
	// O= and by organizationIdentifier key.
	certsByOrg, certsByID map[string][]int
}

// Input is one verified list for NewIndex.
type Input struct {
	List *trust.VerifiedList
	URL  string
}

// Option changes how an Index answers.
type Option func(*Index)

// AllowExpired lets lists whose NextUpdate has passed at a question's
// instant answer it; the list is shown as used with --allow-expired and a
// warning is given.
func AllowExpired(allow bool) Option { return func(ix *Index) { ix.allowExpired = allow } }

// FromChain indexes the usable lists of a chain result and records the
// failed ones. When the LOTL itself failed, every territory is unknown and
// recorded as failed under "EU". Freshness is decided per question (see
// [Index.Check]): a chain verified with trust.Options.DeferFreshness gives
// one model of time for every instant asked about.
func FromChain(res *trust.ChainResult, opts ...Option) *Index {
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
	ix := NewIndex(in, failed, opts...)
	if res.LOTL.Usable() {
		ix.lotl = newListEntry(Input{List: res.LOTL.List, URL: res.LOTL.URL}, ix.allowExpired)
	}
	return ix
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

// NewIndex prepares verified lists for queries: each list, its providers
// (names folded, identifiers parsed), their services (timelines, names,
// certificate subjects for related evidence), then the legal entities.
func NewIndex(lists []Input, failed []FailedList, opts ...Option) *Index {
	ix := &Index{failed: failed, certsByOrg: map[string][]int{}, certsByID: map[string][]int{}}
	for _, o := range opts {
		o(ix)
	}
	for _, part := range indexLists(lists, ix.allowExpired) {
		ix.lists = append(ix.lists, part.list)
		ix.providers = append(ix.providers, part.providers...)
		for _, sc := range part.certs {
			ix.addCert(sc)
		}
	}
	ix.groupEntities()
	return ix
}

// listPart is one list indexed on its own: its providers with their
// services, and its service certificates' subjects, in document order.
type listPart struct {
	list      *listEntry
	providers []*provEntry
	certs     []serviceCert
}

// indexLists indexes each list on its own (folding names and reading
// certificate subjects is most of the work), GOMAXPROCS lists at a time;
// the parts are in the order of lists. A panic in a worker is raised again
// here, in the caller's goroutine.
func indexLists(lists []Input, allowExpired bool) []listPart {
	parts := make([]listPart, len(lists))
	var next atomic.Int64
	var wg sync.WaitGroup
	var panicked atomic.Value
	for range min(len(lists), runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			defer func() {
				if v := recover(); v != nil {
					panicked.CompareAndSwap(nil, fmt.Sprintf("%v\n\n%s", v, debug.Stack()))
				}
			}()
			for i := int(next.Add(1) - 1); i < len(lists); i = int(next.Add(1) - 1) {
				parts[i] = indexList(lists[i], allowExpired)
			}
		})
	}
	wg.Wait()
	if v := panicked.Load(); v != nil {
		panic(v)
	}
	return parts
}

// indexList indexes one list: its providers (names folded, identifiers
// parsed), their services and the subjects of the services' certificates.
func indexList(in Input, allowExpired bool) listPart {
	le := newListEntry(in, allowExpired)
	part := listPart{list: le, providers: make([]*provEntry, 0, len(le.list.Providers))}
	for pi := range le.list.Providers {
		pe := newProvEntry(le, &le.list.Providers[pi])
		part.providers = append(part.providers, pe)
		for si := range pe.p.Services {
			if sc, ok := indexService(pe, &pe.p.Services[si]); ok {
				part.certs = append(part.certs, sc)
			}
		}
	}
	return part
}

// newListEntry records what evidence says about a list.
func newListEntry(in Input, allowExpired bool) *listEntry {
	vl := in.List
	le := &listEntry{list: vl.List, expiredOK: allowExpired || vl.Verdict == trust.Expired, info: ListInfo{
		Territory: vl.List.Territory, Sequence: vl.List.SequenceNumber, SHA256: vl.SHA256, Signature: "valid",
		URL: in.URL, Issued: vl.List.IssueDate, NextUpdate: vl.List.NextUpdate,
	}}
	if vl.Signature != nil && vl.Signature.Signer != nil {
		le.info.SignerSubject, le.info.SignerSHA256 = vl.Signature.Signer.Subject, vl.Signature.SignerSHA256
	}
	return le
}

// newProvEntry folds a provider's names and trade names and parses the
// identifiers among them.
func newProvEntry(le *listEntry, p *tsl.Provider) *provEntry {
	pe := &provEntry{list: le, p: p}
	for _, n := range append(append(tsl.MultiLang{}, p.Names...), p.TradeNames...) {
		pe.folded = append(pe.folded, Fold(n.Value))
		if id, ok := ParseIdentifier(n.Value, false); ok {
			pe.ids = append(pe.ids, provID{written: strings.Join(strings.Fields(n.Value), " "), id: id})
		}
	}
	return pe
}

// indexService indexes one service: its timeline and folded names, and the
// subjects of its certificates (for related evidence; ok is false when they
// name no organisation).
func indexService(pe *provEntry, s *tsl.Service) (sc serviceCert, ok bool) {
	se := svcEntry{s: s, timeline: Timeline(s)}
	for _, n := range s.Current.Names {
		se.folded = append(se.folded, Fold(n.Value))
	}
	pe.services = append(pe.services, se)
	sc = certSubjects(pe, s, se.timeline)
	return sc, len(sc.orgs)+len(sc.idKey) > 0
}

// addCert records a service's certificate subjects under each folded O=
// and organizationIdentifier key.
func (ix *Index) addCert(sc serviceCert) {
	n := len(ix.certs)
	ix.certs = append(ix.certs, sc)
	for _, o := range uniq(sc.orgs) {
		ix.certsByOrg[o] = append(ix.certsByOrg[o], n)
	}
	for _, k := range uniq(sc.idKey) {
		ix.certsByID[k] = append(ix.certsByID[k], n)
	}
}

// certSubjects collects the folded O= and organizationIdentifier keys of a
// service's certificates.
func certSubjects(pe *provEntry, s *tsl.Service, tl []Entry) serviceCert {
	sc := serviceCert{prov: pe, svc: s, timeline: tl}
	for _, id := range s.Current.Identities {
		for _, c := range id.Certificates {
			subject, ok := c.RawSubject()
			if !ok {
				continue
			}
			vals, ok := dn.Values(subject, dn.TypeOrganization, dn.TypeOrganizationIdentifier)
			if !ok {
				continue
			}
			for _, o := range vals[0] {
				sc.orgs = append(sc.orgs, Fold(o))
			}
			for _, v := range vals[1] {
				if id, ok := ParseIdentifier(v, false); ok {
					sc.idKey = append(sc.idKey, id.Key())
				}
			}
		}
	}
	return sc
}

// groupEntities numbers the legal entities: provider entries that share a
// country+number identifier (in any list, under any scheme or spelling),
// or, having none, a folded name within one list, are one entity.
func (ix *Index) groupEntities() {
	parent := make([]int, len(ix.providers))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) { parent[find(a)] = find(b) }
	byKey := map[string]int{}
	for i, pe := range ix.providers {
		var keys []string
		for _, id := range pe.ids {
			keys = append(keys, id.id.Key())
		}
		if len(keys) == 0 {
			// No identifier: the same name in one list is the same entity.
			keys = append(keys, pe.list.info.Territory+"\x00"+Fold(pe.p.Names.Get("en")))
		}
		for _, k := range keys {
			if j, ok := byKey[k]; ok {
				union(i, j)
			} else {
				byKey[k] = i
			}
		}
	}
	for i, pe := range ix.providers {
		pe.entity = find(i)
	}
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

// memoLimit bounds each query memo.
const memoLimit = 4096

// memo is a concurrency-safe cache that stops growing at memoLimit entries.
type memo struct {
	mu sync.Mutex
	m  map[string]any
}

func (c *memo) load(k string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *memo) store(k string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]any{}
	}
	if len(c.m) < memoLimit {
		c.m[k] = v
	}
}

// provHit is a provider entry a query matched, and how.
type provHit struct {
	pe *provEntry
	// on is "identifier", "name" or "exact name"; value is the list's
	// identifier or name that matched, as written.
	on, value string
}

// matchProviders returns the providers matching q in country ("" = all):
// by identifier when q is one (country and number, any scheme or
// spelling), else by name or trade name containing q after folding (equal
// to it when exact).
func (ix *Index) matchProviders(q, country string, exact bool) []provHit {
	key := fmt.Sprintf("%s\x00%t\x00%s", country, exact, q)
	if v, ok := ix.matchMemo.load(key); ok {
		return v.([]provHit)
	}
	out := ix.matchProvidersUncached(q, country, exact)
	ix.matchMemo.store(key, out)
	return out
}

func (ix *Index) matchProvidersUncached(q, country string, exact bool) []provHit {
	var out []provHit
	m := newExactMatcher(q, exact)
	for _, pe := range ix.providers {
		if country != "" && pe.list.info.Territory != country {
			continue
		}
		if on, value, ok := m.match(pe); ok {
			out = append(out, provHit{pe: pe, on: on, value: value})
		}
	}
	return out
}

// allNames are the names and trade names, white space collapsed, in the
// order of folded.
func (pe *provEntry) allNames() []string {
	var out []string
	for _, n := range append(append(tsl.MultiLang{}, pe.p.Names...), pe.p.TradeNames...) {
		out = append(out, strings.Join(strings.Fields(n.Value), " "))
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

// The model of time: the instant of a question decides both the statuses
// (the entry in force at it) and which lists may answer: a list answers a
// question at t only when its NextUpdate is after t (or it is closed), and
// so must the LOTL it was found through, unless expired lists are allowed.
// Signatures, signers, types, territories and sequence numbers do not
// depend on t and were checked once, by package trust.

// staleAt is why le cannot answer at t (its NextUpdate is not after t),
// or nil when it can.
func (le *listEntry) staleAt(t time.Time) error {
	if le == nil {
		return nil
	}
	return trust.FreshnessError(le.info.NextUpdate, t)
}

// expiredAt is le as a failed list at t.
func (le *listEntry) expiredAt(why error) FailedList {
	e := &trust.ListError{Territory: le.info.Territory, URL: le.info.URL, Verdict: trust.Expired, Err: why}
	return FailedList{Territory: le.info.Territory, URL: le.info.URL, Verdict: trust.Expired, Reason: why.Error(), Location: e.Location(), Cause: e.Cause()}
}

// usableAt reports whether le may answer a question at t.
func (ix *Index) usableAt(le *listEntry, t time.Time) bool {
	if ix.lotl != nil && !ix.lotl.expiredOK && ix.lotl.staleAt(t) != nil {
		return false
	}
	return le.expiredOK || le.staleAt(t) == nil
}

// failedAt returns the lists that could hold an answer at t in country but
// cannot be used: those that failed verification and those that are not
// fresh at t.
func (ix *Index) failedAt(country string, t time.Time) []FailedList {
	out := ix.relevantFailed(country)
	if ix.lotl != nil && !ix.lotl.expiredOK {
		if why := ix.lotl.staleAt(t); why != nil {
			return append(out, ix.lotl.expiredAt(why))
		}
	}
	for _, le := range ix.lists {
		if country != "" && le.info.Territory != country || le.expiredOK {
			continue
		}
		if why := le.staleAt(t); why != nil {
			out = append(out, le.expiredAt(why))
		}
	}
	return out
}

// FailedAt returns every list that cannot answer a question at t: failed
// verification, or not fresh at t (unless expired lists are allowed).
func (ix *Index) FailedAt(t time.Time) []FailedList { return ix.failedAt("", t) }

// expiredWarnings says which lists answer at t only because expired lists
// are allowed.
func (ix *Index) expiredWarnings(country string, t time.Time) []string {
	var out []string
	for _, le := range append([]*listEntry{ix.lotl}, ix.lists...) {
		if le == nil || country != "" && le != ix.lotl && le.info.Territory != country {
			continue
		}
		if why := le.staleAt(t); why != nil && le.expiredOK {
			out = append(out, fmt.Sprintf("%s seq %d used although expired (expired lists allowed): %s", le.info.Territory, le.info.Sequence, why))
		}
	}
	return out
}

// infoAt is the list's evidence for a question at t.
func (le *listEntry) infoAt(t time.Time) ListInfo {
	info := le.info
	if le.staleAt(t) != nil {
		info.Signature = "valid (expired, used because expired lists were allowed)"
	}
	return info
}

// historyNote says so when the deciding list was issued after the
// question's instant: its history, not its current entries, answered.
func (le *listEntry) historyNote(t time.Time) string {
	if t.IsZero() || !le.info.Issued.After(t) {
		return ""
	}
	return fmt.Sprintf("answered from the history in %s seq %d, issued %s", le.info.Territory, le.info.Sequence, day(le.info.Issued))
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
		if _, ok := ParseIdentifier(v, false); ok {
			if id := strings.ToUpper(strings.Join(strings.Fields(v), "")); !slices.Contains(r.Identifiers, id) {
				r.Identifiers = append(r.Identifiers, id)
			}
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
	// TakenOverBy is set when the entry in force says another provider
	// took the service over (TS 119 612 §5.5.9.3); the status still decides.
	TakenOverBy *TakenOver
	// ServiceCertificatesExpired is set for a CA/QC whose every service
	// certificate has expired at the question's instant: the status still
	// decides, but it can issue no new certificate under them.
	ServiceCertificatesExpired bool
	// CertificatesNotAfter is the latest expiry among those certificates.
	CertificatesNotAfter time.Time
}

// TakenOver names the provider that took a service over.
type TakenOver struct {
	TSPName         string
	SchemeOperator  string
	SchemeTerritory string
	URI             string
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

// decidingEvidence is the evidence of the service that decided, with what
// a gate may act on although the status decides: the service was taken
// over, or (a CA/QC) every certificate it is identified by has expired at t.
func decidingEvidence(pe *provEntry, s *tsl.Service, e Entry, t time.Time) (*ServiceEvidence, []string) {
	ev := evidence(s, e, tlOf(pe, s))
	var warnings []string
	who := fmt.Sprintf("%q of %s (%s)", ev.Name, strings.TrimSpace(pe.p.Names.Get("en")), pe.list.info.Territory)
	if tob := e.Instance.Extensions.TakenOverBy; tob != nil {
		ev.TakenOverBy = &TakenOver{TSPName: strings.TrimSpace(tob.TSPName.Get("en")), SchemeOperator: strings.TrimSpace(tob.SchemeOperatorName.Get("en")),
			SchemeTerritory: tob.SchemeTerritory, URI: strings.TrimSpace(tob.URI.Get("en"))}
		warnings = append(warnings, fmt.Sprintf("%s was taken over by %s (%s); the verdict follows its status", who, ev.TakenOverBy.TSPName, orUnknown(tob.SchemeTerritory)))
	}
	if tsl.NormalizeURI(e.Instance.Type) == tsl.ServiceTypeCAQC && tsl.NormalizeURI(ev.Status) == tsl.StatusGranted {
		if last, n := latestNotAfter(e.Instance, s); n > 0 && !last.After(t) {
			ev.ServiceCertificatesExpired, ev.CertificatesNotAfter = true, last.UTC()
			warnings = append(warnings, fmt.Sprintf("%s: every certificate of the service (%d) expired by %s (the last on %s): it can issue no new qualified certificate under them; the verdict follows its status", who, n, stamp(t), stamp(last)))
		}
	}
	return ev, warnings
}

// latestNotAfter is the latest expiry of the certificates identifying the
// entry (or, when it names none, the current entry), and how many there are.
func latestNotAfter(in *tsl.ServiceInstance, s *tsl.Service) (time.Time, int) {
	var last time.Time
	n := 0
	for _, ids := range [][]tsl.DigitalID{in.Identities, s.Current.Identities} {
		for _, id := range ids {
			for _, c := range id.Certificates {
				_, notAfter, ok := c.Validity()
				if !ok {
					continue
				}
				n++
				if notAfter.After(last) {
					last = notAfter
				}
			}
		}
		if n > 0 {
			break
		}
	}
	return last, n
}

func orUnknown(s string) string {
	if s == "" {
		return "territory not given"
	}
	return s
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
	// MatchedOn says how the query matched ("identifier", "name", "exact
	// name") and Matched the list's identifier or name, as written.
	MatchedOn string
	Matched   string
	// Entity numbers the legal entity within one answer: entries sharing a
	// country+number identifier share it.
	Entity int
	// AnsweredFromHistory is set when the list was issued after the
	// question's instant.
	AnsweredFromHistory string
}

// decideProvider finds the service of kind that decides for pe at t.
func decideProvider(pe *provEntry, kind Kind, t time.Time) (Match, []string) {
	m := Match{Provider: providerRef(pe), Country: pe.list.info.Territory, List: pe.list.infoAt(t), AnsweredFromHistory: pe.list.historyNote(t)}
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
			m.Reason = "no " + kind.serviceNoun()
			if len(others) > 0 {
				m.Reason += " (it has: " + summarize(others) + ")"
			}
		}
		return m, warnings
	}
	m.Qualified = best.d.Qualified
	m.Reason = best.d.Reason
	ev, evWarnings := decidingEvidence(pe, best.s, best.e, t)
	m.Service = ev
	return m, append(warnings, evWarnings...)
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
