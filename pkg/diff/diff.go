// Package diff compares two verified versions of the Trusted Lists and says
// what changed in provider terms: providers and services added, removed or
// renamed, statuses changed (with their instant), status history rewritten,
// additional information, qualifiers and certificates changed, services
// taken over; for the list itself its sequence, signer, NextUpdate and
// scheme operator; for the LOTL its pointers, their certificates, its pivots
// and the Official Journal notice it names.
//
// Nothing here fetches or verifies: the caller hands in models of lists
// that package trust verified. Events are typed ([Kind]) and their kinds are
// part of eutl's JSON contract.
package diff

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tsl"
)

// Kind is the stable name of an event (JSON "kind").
type Kind string

// The event kinds. Values never change meaning.
const (
	ListAdded             Kind = "list_added"
	ListRemoved           Kind = "list_removed"
	ListSequenceChanged   Kind = "list_sequence_changed"
	ListVersionChanged    Kind = "list_version_changed"
	ListSignerRotated     Kind = "list_signer_rotated"
	ListNextUpdateChanged Kind = "list_next_update_changed"
	ListOperatorChanged   Kind = "list_operator_changed"

	ProviderAdded              Kind = "provider_added"
	ProviderRemoved            Kind = "provider_removed"
	ProviderRenamed            Kind = "provider_renamed"
	ProviderTradeNameChanged   Kind = "provider_trade_name_changed"
	ProviderIdentifiersChanged Kind = "provider_identifiers_changed"

	ServiceAdded              Kind = "service_added"
	ServiceRemoved            Kind = "service_removed"
	ServiceRenamed            Kind = "service_renamed"
	ServiceTypeChanged        Kind = "service_type_changed"
	ServiceStatusChanged      Kind = "service_status_changed"
	ServiceHistoryRewritten   Kind = "service_status_history_rewritten"
	ServiceInfoChanged        Kind = "service_additional_info_changed"
	ServiceQualifiersChanged  Kind = "service_qualifiers_changed"
	ServiceCriteriaChanged    Kind = "service_criteria_changed"
	ServiceCertificateAdded   Kind = "service_certificate_added"
	ServiceCertificateRemoved Kind = "service_certificate_removed"
	ServiceCertificateRotated Kind = "service_certificate_rotated"
	ServiceTakenOver          Kind = "service_taken_over"

	LOTLPointerAdded              Kind = "lotl_pointer_added"
	LOTLPointerRemoved            Kind = "lotl_pointer_removed"
	LOTLPointerLocationChanged    Kind = "lotl_pointer_location_changed"
	LOTLPointerCertificateAdded   Kind = "lotl_pointer_certificate_added"
	LOTLPointerCertificateRemoved Kind = "lotl_pointer_certificate_removed"
	LOTLPivotAdded                Kind = "lotl_pivot_added"
	LOTLPivotRemoved              Kind = "lotl_pivot_removed"
	LOTLNoticeChanged             Kind = "lotl_oj_notice_changed"
)

// Kinds lists every kind, in the order events are reported within a list.
func Kinds() []Kind { return slices.Clone(kinds) }

var kinds = []Kind{
	ListAdded, ListRemoved, ListSequenceChanged, ListVersionChanged, ListSignerRotated, ListNextUpdateChanged, ListOperatorChanged,
	LOTLPointerAdded, LOTLPointerRemoved, LOTLPointerLocationChanged, LOTLPointerCertificateAdded, LOTLPointerCertificateRemoved,
	LOTLPivotAdded, LOTLPivotRemoved, LOTLNoticeChanged,
	ProviderAdded, ProviderRemoved, ProviderRenamed, ProviderTradeNameChanged, ProviderIdentifiersChanged,
	ServiceAdded, ServiceRemoved, ServiceRenamed, ServiceTypeChanged, ServiceStatusChanged, ServiceHistoryRewritten,
	ServiceInfoChanged, ServiceQualifiersChanged, ServiceCriteriaChanged,
	ServiceCertificateAdded, ServiceCertificateRemoved, ServiceCertificateRotated, ServiceTakenOver,
}

// Event is one change. Old and New are the values on each side ("" when
// the side has none); OldSequence and NewSequence the sequence numbers of
// the two lists compared.
type Event struct {
	Kind      Kind
	Territory string
	// Pointer is the territory a LOTL pointer event is about.
	Pointer     string
	Provider    string
	Service     string
	ServiceType string
	// Certificate names the service's first certificate (services of one
	// provider often share a name).
	Certificate string
	Old, New    []string
	// At is the instant of a status change (or of an added service's status).
	At          time.Time
	Detail      string
	OldSequence int
	NewSequence int

	// for filters
	providers []*tsl.Provider
	types     []string
}

// Version is one verified list with what its signature told.
type Version struct {
	List *tsl.List
	// SignerSHA256 and SignerSubject identify the certificate that signed it.
	SignerSHA256  string
	SignerSubject string
}

// Set is a verified LOTL and national lists by territory (either may be
// missing: a diff of two single lists has no LOTL).
type Set struct {
	LOTL  *Version
	Lists map[string]*Version
}

// Sets compares two sets: the LOTLs when both have one, and every
// territory either has. A territory on one side only is [ListAdded] or
// [ListRemoved].
func Sets(old, new Set) []Event {
	var out []Event
	if old.LOTL != nil && new.LOTL != nil {
		out = append(out, Lists(old.LOTL, new.LOTL)...)
	}
	terrs := map[string]bool{}
	for t := range old.Lists {
		terrs[t] = true
	}
	for t := range new.Lists {
		terrs[t] = true
	}
	var names []string
	for t := range terrs {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		o, n := old.Lists[t], new.Lists[t]
		switch {
		case o == nil:
			out = append(out, Event{Kind: ListAdded, Territory: t, Old: []string{}, New: []string{seqText(n)}, NewSequence: n.List.SequenceNumber})
		case n == nil:
			out = append(out, Event{Kind: ListRemoved, Territory: t, Old: []string{seqText(o)}, New: []string{}, OldSequence: o.List.SequenceNumber})
		default:
			out = append(out, Lists(o, n)...)
		}
	}
	return out
}

func seqText(v *Version) string { return "sequence " + strconv.Itoa(v.List.SequenceNumber) }

// Lists compares two versions of one list (national lists or LOTLs).
func Lists(old, new *Version) []Event {
	d := &differ{terr: new.List.Territory, oseq: old.List.SequenceNumber, nseq: new.List.SequenceNumber}
	o, n := old.List, new.List
	if o.SequenceNumber != n.SequenceNumber {
		d.add(Event{Kind: ListSequenceChanged, Old: one(strconv.Itoa(o.SequenceNumber)), New: one(strconv.Itoa(n.SequenceNumber)),
			Detail: "issued " + day(o.IssueDate) + " → " + day(n.IssueDate)})
	}
	if o.Version != n.Version {
		d.add(Event{Kind: ListVersionChanged, Old: one(strconv.Itoa(o.Version)), New: one(strconv.Itoa(n.Version))})
	}
	if old.SignerSHA256 != new.SignerSHA256 {
		d.add(Event{Kind: ListSignerRotated, Old: one(certText(old.SignerSubject, old.SignerSHA256)), New: one(certText(new.SignerSubject, new.SignerSHA256))})
	}
	if !o.NextUpdate.Equal(n.NextUpdate) {
		d.add(Event{Kind: ListNextUpdateChanged, Old: one(stampOrClosed(o.NextUpdate)), New: one(stampOrClosed(n.NextUpdate))})
	}
	if ov, nv := langValues(o.OperatorName), langValues(n.OperatorName); !equal(ov, nv) {
		d.add(Event{Kind: ListOperatorChanged, Old: ov, New: nv})
	}
	if o.IsLOTL() || n.IsLOTL() {
		d.lotl(o, n)
	}
	d.providers(o, n)
	return d.out
}

type differ struct {
	terr       string
	oseq, nseq int
	out        []Event
}

func (d *differ) add(e Event) {
	e.Territory, e.OldSequence, e.NewSequence = d.terr, d.oseq, d.nseq
	if e.Old == nil {
		e.Old = []string{}
	}
	if e.New == nil {
		e.New = []string{}
	}
	d.out = append(d.out, e)
}

func one(s string) []string {
	if s == "" {
		return []string{}
	}
	return []string{s}
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

func stampOrClosed(t time.Time) string {
	if t.IsZero() {
		return "closed (no NextUpdate)"
	}
	return t.UTC().Format(time.RFC3339)
}

// certText names a certificate: its subject's CN (or the subject) and the
// start of its SHA-256 fingerprint.
func certText(subject, sha string) string {
	cn := subject
	for _, part := range splitDN(subject) {
		if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok && strings.EqualFold(k, "CN") {
			cn = v
			break
		}
	}
	if len(sha) > 16 {
		sha = sha[:16]
	}
	if cn == "" {
		return "sha256 " + sha
	}
	return cn + " (sha256 " + sha + ")"
}

// splitDN splits an RFC 4514 string at its unescaped commas, unescaping
// the parts.
func splitDN(dn string) []string {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(dn); i++ {
		switch c := dn[i]; {
		case c == '\\' && i+1 < len(dn):
			i++
			cur.WriteByte(dn[i])
		case c == ',':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String())
}

func langValues(m tsl.MultiLang) []string {
	out := []string{}
	for _, s := range m {
		v := norm(s.Value)
		if s.Lang != "" {
			v = s.Lang + ": " + v
		}
		out = append(out, v)
	}
	return out
}

func norm(s string) string { return strings.Join(strings.Fields(s), " ") }

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// setDiff returns what is only in a and only in b, in their order.
func setDiff(a, b []string) (onlyA, onlyB []string) {
	in := func(xs []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range xs {
			m[x] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	for _, x := range uniq(a) {
		if !mb[x] {
			onlyA = append(onlyA, x)
		}
	}
	for _, x := range uniq(b) {
		if !ma[x] {
			onlyB = append(onlyB, x)
		}
	}
	return onlyA, onlyB
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// --- LOTL ---

type pointerKey struct{ territory, mime string }

func pointerMime(p tsl.Pointer) string {
	m := strings.TrimSpace(p.MimeType)
	if m == "" {
		return "unknown"
	}
	return m
}

func (d *differ) lotl(o, n *tsl.List) {
	index := func(l *tsl.List) (map[pointerKey]*tsl.Pointer, []pointerKey) {
		m := map[pointerKey]*tsl.Pointer{}
		var keys []pointerKey
		for i := range l.Pointers {
			p := &l.Pointers[i]
			k := pointerKey{p.Territory, pointerMime(*p)}
			if _, dup := m[k]; !dup {
				m[k] = p
				keys = append(keys, k)
			}
		}
		return m, keys
	}
	om, okeys := index(o)
	nm, nkeys := index(n)
	for _, k := range okeys {
		if nm[k] == nil {
			p := om[k]
			d.add(Event{Kind: LOTLPointerRemoved, Pointer: k.territory, Old: one(p.Location), Detail: k.mime})
		}
	}
	for _, k := range nkeys {
		np := nm[k]
		op := om[k]
		if op == nil {
			d.add(Event{Kind: LOTLPointerAdded, Pointer: k.territory, New: one(np.Location), Detail: k.mime})
			continue
		}
		if strings.TrimSpace(op.Location) != strings.TrimSpace(np.Location) {
			d.add(Event{Kind: LOTLPointerLocationChanged, Pointer: k.territory, Old: one(op.Location), New: one(np.Location), Detail: k.mime})
		}
		removed, added := setDiff(pointerSHAs(op), pointerSHAs(np))
		if len(removed)+len(added) > 0 {
			names := map[string]string{}
			for _, p := range []*tsl.Pointer{op, np} {
				for _, c := range p.Certificates {
					names[c.SHA256()] = certOf(c)
				}
			}
			removed, added = texts(removed, names), texts(added, names)
		}
		if len(added) > 0 {
			d.add(Event{Kind: LOTLPointerCertificateAdded, Pointer: k.territory, New: added, Detail: k.mime})
		}
		if len(removed) > 0 {
			d.add(Event{Kind: LOTLPointerCertificateRemoved, Pointer: k.territory, Old: removed, Detail: k.mime})
		}
	}
	removed, added := setDiff(pivots(o), pivots(n))
	for _, u := range removed {
		d.add(Event{Kind: LOTLPivotRemoved, Old: one(u)})
	}
	for _, u := range added {
		d.add(Event{Kind: LOTLPivotAdded, New: one(u)})
	}
	if on, nn := notices(o), notices(n); !equal(on, nn) {
		d.add(Event{Kind: LOTLNoticeChanged, Old: on, New: nn})
	}
}

func pointerSHAs(p *tsl.Pointer) []string {
	var out []string
	for _, c := range p.Certificates {
		out = append(out, c.SHA256())
	}
	return out
}

func certOf(c tsl.Certificate) string {
	subject := ""
	if x, _ := c.X509(); x != nil {
		subject = x.Subject.String()
	}
	return certText(subject, c.SHA256())
}

// pivots are the LOTL's SchemeInformationURI entries that name XML files
// (the pivot LOTLs), as the chain reads them.
func pivots(l *tsl.List) []string {
	var out []string
	for _, u := range l.SchemeInformationURI {
		if v := strings.TrimSpace(u.Value); strings.HasSuffix(strings.ToLower(v), ".xml") {
			out = append(out, v)
		}
	}
	return uniq(out)
}

// notices are the Official Journal references the LOTL names.
func notices(l *tsl.List) []string {
	out := []string{}
	for _, u := range l.SchemeInformationURI {
		if v := strings.TrimSpace(u.Value); strings.Contains(v, "eur-lex.europa.eu") {
			out = append(out, v)
		}
	}
	return uniq(out)
}

// --- providers ---

type provInfo struct {
	p      *tsl.Provider
	name   string
	names  []string // folded names
	trade  []string // trade names that are not identifiers, normalised
	ids    []string
	paired bool
}

func providerInfo(p *tsl.Provider) *provInfo {
	pi := &provInfo{p: p, name: norm(p.Names.Get("en"))}
	for _, n := range p.Names {
		pi.names = append(pi.names, query.Fold(n.Value))
	}
	for _, n := range p.TradeNames {
		if id, ok := query.NormalizeIdentifier(n.Value); ok {
			pi.ids = append(pi.ids, id)
		} else {
			pi.trade = append(pi.trade, norm(n.Value))
		}
	}
	for _, n := range p.Names {
		if id, ok := query.NormalizeIdentifier(n.Value); ok {
			pi.ids = append(pi.ids, id)
		}
	}
	pi.ids = uniq(pi.ids)
	return pi
}

func intersects(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// pair matches old and new entries in passes: each pass pairs, in order,
// every unpaired old entry with the first unpaired new entry it accepts.
func pair[T any](old, new []T, passes ...func(o, n T) bool) []int {
	match := make([]int, len(old))
	for i := range match {
		match[i] = -1
	}
	taken := make([]bool, len(new))
	for _, same := range passes {
		for i := range old {
			if match[i] >= 0 {
				continue
			}
			for j := range new {
				if !taken[j] && same(old[i], new[j]) {
					match[i], taken[j] = j, true
					break
				}
			}
		}
	}
	return match
}

func (d *differ) providers(o, n *tsl.List) {
	var op, np []*provInfo
	for i := range o.Providers {
		op = append(op, providerInfo(&o.Providers[i]))
	}
	for i := range n.Providers {
		np = append(np, providerInfo(&n.Providers[i]))
	}
	// Providers are the same when they share an identifier, else a name,
	// else a trade name.
	match := pair(op, np,
		func(a, b *provInfo) bool { return intersects(a.ids, b.ids) },
		func(a, b *provInfo) bool { return intersects(a.names, b.names) },
		func(a, b *provInfo) bool { return intersects(a.trade, b.trade) },
	)
	for i, a := range op {
		if match[i] < 0 {
			d.add(Event{Kind: ProviderRemoved, Provider: a.name, Old: providerText(a), providers: []*tsl.Provider{a.p}, types: serviceTypes(a.p)})
			continue
		}
		np[match[i]].paired = true
		d.provider(a, np[match[i]])
	}
	for _, b := range np {
		if !b.paired {
			d.add(Event{Kind: ProviderAdded, Provider: b.name, New: providerText(b), providers: []*tsl.Provider{b.p}, types: serviceTypes(b.p)})
		}
	}
}

func providerText(p *provInfo) []string {
	out := []string{p.name}
	out = append(out, p.ids...)
	return out
}

func serviceTypes(p *tsl.Provider) []string {
	var out []string
	for _, s := range p.Services {
		out = append(out, s.Current.Type)
	}
	return out
}

func (d *differ) provider(a, b *provInfo) {
	provs := []*tsl.Provider{a.p, b.p}
	types := append(serviceTypes(a.p), serviceTypes(b.p)...)
	ev := func(e Event) {
		e.Provider, e.providers, e.types = b.name, provs, types
		d.add(e)
	}
	if on, nn := langValues(a.p.Names), langValues(b.p.Names); !equal(on, nn) {
		ev(Event{Kind: ProviderRenamed, Old: on, New: nn})
	}
	if removed, added := setDiff(a.trade, b.trade); len(removed)+len(added) > 0 {
		ev(Event{Kind: ProviderTradeNameChanged, Old: a.trade, New: b.trade})
	}
	if removed, added := setDiff(a.ids, b.ids); len(removed)+len(added) > 0 {
		ev(Event{Kind: ProviderIdentifiersChanged, Old: a.ids, New: b.ids})
	}
	d.services(a.p, b.p, b.name, provs)
}

// --- services ---

type svcInfo struct {
	s     *tsl.Service
	name  string
	fname string
	typ   string
	certs []string // fingerprints
}

func serviceInfo(s *tsl.Service) svcInfo {
	si := svcInfo{s: s, name: norm(s.Current.Names.Get("en")), fname: query.Fold(s.Current.Names.Get("en")), typ: tsl.NormalizeURI(s.Current.Type)}
	for _, id := range s.Current.Identities {
		for _, c := range id.Certificates {
			si.certs = append(si.certs, c.SHA256())
		}
	}
	return si
}

func (d *differ) services(op, np *tsl.Provider, provider string, provs []*tsl.Provider) {
	var olds, ns []svcInfo
	for i := range op.Services {
		olds = append(olds, serviceInfo(&op.Services[i]))
	}
	for i := range np.Services {
		ns = append(ns, serviceInfo(&np.Services[i]))
	}
	// A service is the same when it keeps its type and a certificate, else
	// its type and name, else its name, else a certificate, else (renamed,
	// without certificates) its type and the start of its current status.
	match := pair(olds, ns,
		func(a, b svcInfo) bool { return a.typ == b.typ && intersects(a.certs, b.certs) },
		func(a, b svcInfo) bool { return a.typ == b.typ && a.fname == b.fname },
		func(a, b svcInfo) bool { return a.fname == b.fname },
		func(a, b svcInfo) bool { return intersects(a.certs, b.certs) },
		func(a, b svcInfo) bool {
			return a.typ == b.typ && len(a.certs)+len(b.certs) == 0 && a.s.Current.StatusStart.Equal(b.s.Current.StatusStart)
		},
	)
	paired := make([]bool, len(ns))
	for i, a := range olds {
		if match[i] < 0 {
			d.add(Event{Kind: ServiceRemoved, Provider: provider, Service: a.name, ServiceType: query.Tail(a.typ), Certificate: firstCert(a.s),
				Old: one(statusText(&a.s.Current)), providers: provs, types: []string{a.typ}})
			continue
		}
		paired[match[i]] = true
		d.service(a, ns[match[i]], provider, provs)
	}
	for j, b := range ns {
		if !paired[j] {
			d.add(Event{Kind: ServiceAdded, Provider: provider, Service: b.name, ServiceType: query.Tail(b.typ), Certificate: firstCert(b.s),
				New: one(statusText(&b.s.Current)), At: b.s.Current.StatusStart, providers: provs, types: []string{b.typ}})
		}
	}
}

func statusText(in *tsl.ServiceInstance) string {
	return query.Tail(in.Status) + " since " + in.StatusStart.UTC().Format(time.RFC3339)
}

func (d *differ) service(a, b svcInfo, provider string, provs []*tsl.Provider) {
	ev := func(e Event) {
		e.Provider, e.Service, e.ServiceType, e.Certificate = provider, b.name, query.Tail(b.typ), firstCert(b.s)
		if e.Certificate == "" {
			e.Certificate = firstCert(a.s)
		}
		e.providers, e.types = provs, []string{a.typ, b.typ}
		d.add(e)
	}
	oc, nc := &a.s.Current, &b.s.Current
	if a.typ != b.typ {
		ev(Event{Kind: ServiceTypeChanged, Old: one(query.Tail(a.typ)), New: one(query.Tail(b.typ))})
	}
	if on, nn := langValues(oc.Names), langValues(nc.Names); !equal(on, nn) {
		ev(Event{Kind: ServiceRenamed, Old: on, New: nn})
	}
	if tsl.NormalizeURI(oc.Status) != tsl.NormalizeURI(nc.Status) {
		ev(Event{Kind: ServiceStatusChanged, Old: one(statusText(oc)), New: one(statusText(nc)), At: nc.StatusStart,
			Detail: query.Tail(oc.Status) + " → " + query.Tail(nc.Status) + " at " + nc.StatusStart.UTC().Format(time.RFC3339)})
	}
	if detail := rewritten(a.s, b.s); detail != "" {
		ev(Event{Kind: ServiceHistoryRewritten, Old: timeline(a.s), New: timeline(b.s), Detail: detail})
	}
	if on, nn := asi(oc), asi(nc); !equal(on, nn) {
		ev(Event{Kind: ServiceInfoChanged, Old: on, New: nn})
	}
	oq, nq := qualifiers(oc), qualifiers(nc)
	if !equal(oq, nq) {
		ev(Event{Kind: ServiceQualifiersChanged, Old: oq, New: nq})
	} else if !sameCriteria(oc, nc) && criteria(oc) != criteria(nc) {
		ev(Event{Kind: ServiceCriteriaChanged, Old: one(criteria(oc)), New: one(criteria(nc))})
	}
	if removed, added := setDiff(a.certs, b.certs); len(removed)+len(added) > 0 {
		names := certNames(oc, nc)
		removed, added = texts(removed, names), texts(added, names)
		switch {
		case len(removed) > 0 && len(added) > 0:
			ev(Event{Kind: ServiceCertificateRotated, Old: removed, New: added})
		case len(added) > 0:
			ev(Event{Kind: ServiceCertificateAdded, New: added})
		default:
			ev(Event{Kind: ServiceCertificateRemoved, Old: removed})
		}
	}
	if ot, nt := takenOver(oc), takenOver(nc); ot != nt && nt != "" {
		ev(Event{Kind: ServiceTakenOver, Old: one(ot), New: one(nt)})
	} else if ot != nt {
		ev(Event{Kind: ServiceTakenOver, Old: one(ot), New: []string{}, Detail: "TakenOverBy removed"})
	}
}

func firstCert(s *tsl.Service) string {
	if c := certTexts(&s.Current); len(c) > 0 {
		return c[0]
	}
	return ""
}

// certNames maps fingerprints to names, for the certificates of instances.
func certNames(ins ...*tsl.ServiceInstance) map[string]string {
	m := map[string]string{}
	for _, in := range ins {
		for _, id := range in.Identities {
			for _, c := range id.Certificates {
				m[c.SHA256()] = certOf(c)
			}
		}
	}
	return m
}

func texts(shas []string, names map[string]string) []string {
	var out []string
	for _, s := range shas {
		out = append(out, names[s])
	}
	return out
}

func sameCriteria(a, b *tsl.ServiceInstance) bool {
	qa, qb := a.Extensions.Qualifications, b.Extensions.Qualifications
	if len(qa) != len(qb) {
		return false
	}
	for i := range qa {
		if !reflect.DeepEqual(qa[i].Criteria, qb[i].Criteria) {
			return false
		}
	}
	return true
}

func certTexts(in *tsl.ServiceInstance) []string {
	var out []string
	for _, id := range in.Identities {
		for _, c := range id.Certificates {
			out = append(out, certOf(c))
		}
	}
	return out
}

func asi(in *tsl.ServiceInstance) []string {
	out := []string{}
	for _, a := range in.Extensions.AdditionalInfo {
		v := query.Tail(a.URI)
		if v == "" {
			v = norm(a.InformationValue)
		}
		out = append(out, v)
	}
	sort.Strings(out)
	return uniq(out)
}

func qualifiers(in *tsl.ServiceInstance) []string {
	out := []string{}
	for _, q := range in.Extensions.Qualifications {
		for _, u := range q.Qualifiers {
			out = append(out, query.Tail(u))
		}
	}
	sort.Strings(out)
	if out = uniq(out); out == nil {
		out = []string{}
	}
	return out
}

// criteria is a canonical text of the qualification criteria.
func criteria(in *tsl.ServiceInstance) string {
	var cs []tsl.CriteriaList
	for _, q := range in.Extensions.Qualifications {
		cs = append(cs, q.Criteria)
	}
	if len(cs) == 0 {
		return ""
	}
	b, _ := json.Marshal(cs)
	return string(b)
}

func takenOver(in *tsl.ServiceInstance) string {
	t := in.Extensions.TakenOverBy
	if t == nil {
		return ""
	}
	s := norm(t.TSPName.Get("en"))
	if t.SchemeTerritory != "" {
		s += " (" + t.SchemeTerritory + ")"
	}
	if s == "" {
		s = "set"
	}
	return s
}

// entryKey identifies a status entry: status and start (a changed type is
// its own event).
func entryKey(in *tsl.ServiceInstance) string {
	return tsl.NormalizeURI(in.Status) + "|" + in.StatusStart.UTC().Format(time.RFC3339)
}

func entryText(in *tsl.ServiceInstance) string {
	return query.Tail(in.Status) + " from " + in.StatusStart.UTC().Format(time.RFC3339) + " (" + query.Tail(in.Type) + ")"
}

func timeline(s *tsl.Service) []string {
	var out []string
	for _, e := range query.Timeline(s) {
		out = append(out, entryText(e.Instance))
	}
	return out
}

// rewritten says how the new version changed the old one's past: every
// entry of the old timeline (current and history) must still be there, in
// the new history or as the same current entry, and no entry may be added
// before the old current one began.
func rewritten(o, n *tsl.Service) string {
	newKeys := map[string]bool{entryKey(&n.Current): true}
	for i := range n.History {
		newKeys[entryKey(&n.History[i])] = true
	}
	oldKeys := map[string]bool{entryKey(&o.Current): true}
	for i := range o.History {
		oldKeys[entryKey(&o.History[i])] = true
	}
	var lost, inserted []string
	for _, in := range append([]tsl.ServiceInstance{o.Current}, o.History...) {
		if !newKeys[entryKey(&in)] {
			lost = append(lost, entryText(&in))
		}
	}
	for _, in := range append([]tsl.ServiceInstance{n.Current}, n.History...) {
		if !oldKeys[entryKey(&in)] && in.StatusStart.Before(o.Current.StatusStart) {
			inserted = append(inserted, entryText(&in))
		}
	}
	var parts []string
	if len(lost) > 0 {
		parts = append(parts, "no longer listed: "+strings.Join(uniq(lost), "; "))
	}
	if len(inserted) > 0 {
		parts = append(parts, "added in the past: "+strings.Join(uniq(inserted), "; "))
	}
	return strings.Join(parts, "; ")
}

// --- filters ---

// Filter selects events. Zero fields select everything.
type Filter struct {
	// Provider matches as check matches (query.ProviderMatcher); events not
	// about a provider (list and LOTL events) are then left out.
	Provider string
	// Country keeps the events of that territory, and the LOTL's events
	// about its pointer to it.
	Country string
	// Service keeps events about services of that kind, and provider
	// events of providers with such a service.
	Service *query.Kind
}

// Apply returns the events f selects, in order.
func (f Filter) Apply(events []Event) []Event {
	m := query.NewProviderMatcher(f.Provider)
	out := []Event{}
	for _, e := range events {
		if f.Country != "" && e.Territory != f.Country && !(e.Territory == "EU" && e.Pointer == f.Country) {
			continue
		}
		if f.Provider != "" {
			ok := false
			for _, p := range e.providers {
				ok = ok || m.Match(p)
			}
			if !ok {
				continue
			}
		}
		if f.Service != nil {
			ok := false
			for _, t := range e.types {
				ok = ok || f.Service.Matches(t)
			}
			if !ok {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// Summary counts events by kind, in the order of [Kinds].
func Summary(events []Event) string {
	counts := map[Kind]int{}
	for _, e := range events {
		counts[e.Kind]++
	}
	var parts []string
	for _, k := range Kinds() {
		if c := counts[k]; c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, strings.ReplaceAll(string(k), "_", " ")))
		}
	}
	return strings.Join(parts, ", ")
}
