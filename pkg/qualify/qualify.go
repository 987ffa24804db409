// Package qualify decides whether an X.509 certificate is an EU qualified
// certificate — for e-signatures, e-seals or website authentication, with
// its key on a QSCD or not — from verified Trusted Lists, following ETSI TS
// 119 615 as the EU's DSS library implements it (the domain reference
// cert-qualification.md, §2–§9): the issuing service is found through an
// index and proven by the certificate's signature; the answer is determined
// at issuance (notBefore) and at a later instant from the service's status
// timeline, the certificate's QC statements and the list's Qualifications
// extension and additional service information; the two are combined.
//
// Nothing here fetches or verifies lists: an [Index] is built on a
// query.Index of lists package trust verified. A list that failed and could
// hold the answer makes the outcome incomplete, never a negative answer.
package qualify

import (
	"crypto/sha1"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tsl"
)

func sha1Sum(b []byte) []byte {
	h := sha1.Sum(b)
	return h[:]
}

// Purpose is what a certificate is asked to be qualified for.
type Purpose string

// Purposes.
const (
	ForAny   Purpose = "any"
	ForESig  Purpose = "esig"
	ForESeal Purpose = "eseal"
	ForWSA   Purpose = "wsa"
)

// ParsePurpose reads --for.
func ParsePurpose(s string) (Purpose, error) {
	switch p := Purpose(strings.ToLower(strings.TrimSpace(s))); p {
	case ForAny, ForESig, ForESeal, ForWSA:
		return p, nil
	case "":
		return ForAny, nil
	}
	return "", fmt.Errorf("unknown purpose %q: use esig, eseal, wsa or any", s)
}

// Outcome of one certificate.
type Outcome string

// Outcomes.
const (
	Qualified     Outcome = "qualified"
	NotQualified  Outcome = "not_qualified"
	Indeterminate Outcome = "indeterminate" // services conflict (DSS: N/A)
	Incomplete    Outcome = "incomplete"    // a list that could decide failed
)

// Type values of a determination.
const (
	TypeESig    = "esig"
	TypeESeal   = "eseal"
	TypeWSA     = "wsa"
	TypeUnknown = "unknown"
)

// QSCD values.
const (
	QSCDYes             = "yes"
	QSCDNo              = "no"
	QSCDManagedOnBehalf = "managed_on_behalf"
	QSCDUnknown         = "unknown"
)

// EvidenceService is the service that decided a determination.
type EvidenceService struct {
	Territory      string
	Sequence       int
	ListSHA256     string
	Provider       string
	Service        string
	Type           string
	Status         string
	StatusSince    time.Time
	AdditionalInfo []string
	Qualifiers     []string
	Criteria       []string
	List           query.ListInfo
}

// Determination is the answer at one instant (or the combined one).
type Determination struct {
	At time.Time
	// QC is qualified, not_qualified or indeterminate.
	QC   string
	Type string
	QSCD string
	// Label is DSS's certificate qualification label ("QC for eSig with
	// QSCD", "Cert for eSeal", "N/A").
	Label string
	ESig  bool
	ESeal bool
	WSA   bool
	// Deciding is the selected service entry (nil when none).
	Deciding *EvidenceService
	// Trace is the rules applied, in order.
	Trace []string
	// Conflicts names disagreeing services or qualifiers and how it was
	// resolved.
	Conflicts []string
}

// TSU is the answer for a time-stamping unit certificate.
type TSU struct {
	Qualified bool
	Reason    string
	Service   *EvidenceService
}

// Result is the answer for one certificate.
type Result struct {
	SHA256    string
	Subject   string
	Issuer    string
	Serial    string
	NotBefore time.Time
	NotAfter  time.Time
	Purpose   Purpose
	Outcome   Outcome
	Qualified bool
	Reason    string
	// Person is natural, legal or unknown; PersonFrom says what said so.
	Person     string
	PersonFrom string
	// Final combines AtIssuance and AtTime (the domain reference §6.2).
	Final      Determination
	AtIssuance Determination
	AtTime     Determination
	TSU        *TSU
	QC         QCStatements
	Policies   []string
	Chain      []ChainLink
	Services   []ServiceMatch
	Failed     []query.FailedList
	Warnings   []string
}

// Evaluate answers for certificate x (with extra, the --chain certificates)
// for purpose p at instant at.
func (q *Index) Evaluate(x *Cert, extra []*Cert, p Purpose, at time.Time) *Result {
	r := &Result{SHA256: x.SHA256(), Subject: x.Subject, Issuer: x.Issuer, Serial: x.Serial, NotBefore: x.NotBefore, NotAfter: x.NotAfter,
		Purpose: p, QC: x.QC, Policies: nonNil(x.Policies), Services: []ServiceMatch{}, Failed: []query.FailedList{}, Warnings: append([]string{}, x.Warnings...)}
	for _, m := range x.QC.Malformed {
		r.Warnings = append(r.Warnings, "QC statement: "+m)
	}
	hits, chain, notes := q.match(x, extra)
	r.Chain = chain
	r.Warnings = append(r.Warnings, notes...)
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].level != hits[j].level {
			return hits[i].level < hits[j].level
		}
		return hits[i].svc.ord < hits[j].svc.ord
	})
	for _, h := range hits {
		s := h.svc
		r.Services = append(r.Services, ServiceMatch{Level: h.level, How: h.how, Territory: s.ref.List.Territory, Provider: s.ref.Provider.Name,
			Service: strings.TrimSpace(s.ref.Service.Current.Names.Get("en")), Type: tail(s.ref.Service.Current.Type), Status: tail(s.ref.Service.Current.Status),
			StatusSince: s.ref.Service.Current.StatusStart.UTC().Format(time.RFC3339), IdentitySHA: h.sha, List: s.ref.List, svc: s})
	}
	warn := func(s string) {
		if !contains(r.Warnings, s) {
			r.Warnings = append(r.Warnings, s)
		}
	}
	facts := newFacts(x)
	r.AtIssuance = q.determine(facts, hits, x.NotBefore, warn)
	r.AtTime = q.determine(facts, hits, at, warn)
	r.Final = combine(r.AtIssuance, r.AtTime)
	r.TSU = tsuResult(hits, x.NotBefore, at)
	r.Person, r.PersonFrom = person(x, r.Final)

	// Failed lists that could hold the issuer: the issuer's country's list
	// (GR is EL, GB is UK), the LOTL, or every list when the issuer names no
	// country.
	country := ""
	if cs := issuerCountry(x); cs != "" {
		country = query.CountryAlias(cs)
		if country == "GB" {
			country = "UK"
		}
	}
	for _, f := range q.Failed() {
		if f.Territory == "EU" || country == "" || f.Territory == country {
			r.Failed = append(r.Failed, f)
		}
	}
	ok := r.Final.qualifiedFor(p)
	if r.TSU != nil && r.TSU.Qualified && p == ForAny {
		ok = true
	}
	switch {
	case ok:
		r.Outcome, r.Qualified = Qualified, true
		r.Reason = r.Final.Label
		if r.TSU != nil && r.TSU.Qualified && r.Final.QC != "qualified" {
			r.Reason = "qualified time-stamping unit"
		}
	case len(r.Failed) > 0:
		r.Outcome = Incomplete
		var ts []string
		for _, f := range r.Failed {
			ts = append(ts, f.Territory+" ("+string(f.Verdict)+")")
		}
		r.Reason = "a list that could decide did not verify: " + strings.Join(ts, ", ")
	case len(hits) == 0:
		r.Outcome = NotQualified
		r.Reason = "no listed service issued this certificate (no verified chain to a service digital identity)"
	case r.Final.QC == "indeterminate":
		r.Outcome = Indeterminate
		r.Reason = "the matching services disagree (" + strings.Join(r.Final.Conflicts, "; ") + ")"
	case r.TSU != nil && r.Final.QC != "qualified":
		r.Outcome = NotQualified
		r.Reason = r.TSU.Reason
	default:
		r.Outcome = NotQualified
		r.Reason = r.Final.whyNot(p, r.AtIssuance, r.AtTime)
	}
	return r
}

// EvaluateAll is Evaluate for many certificates, spread over the CPUs; the
// results are in input order.
func (q *Index) EvaluateAll(xs []*Cert, extra []*Cert, p Purpose, at time.Time) []*Result {
	out := make([]*Result, len(xs))
	workers := runtime.GOMAXPROCS(0)
	if workers > len(xs) {
		workers = len(xs)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = q.Evaluate(xs[i], extra, p, at)
			}
		}()
	}
	for i := range xs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func issuerCountry(x *Cert) string {
	for _, part := range splitDN(x.Issuer) {
		if k, v, ok := strings.Cut(part, "="); ok && strings.EqualFold(strings.TrimSpace(k), "C") {
			return strings.ToUpper(strings.TrimSpace(v))
		}
	}
	return ""
}

func (d Determination) qualifiedFor(p Purpose) bool {
	switch p {
	case ForESig:
		return d.ESig
	case ForESeal:
		return d.ESeal
	case ForWSA:
		return d.WSA
	}
	return d.QC == "qualified"
}

func (d Determination) whyNot(p Purpose, iss, at Determination) string {
	switch {
	case d.QC == "qualified":
		return fmt.Sprintf("%s, not qualified for %s", d.Label, p)
	case iss.QC != "qualified" && at.QC != "qualified":
		why := last(iss.Trace)
		if l := last(at.Trace); l != why {
			why += "; at " + at.At.Format(time.RFC3339) + ": " + l
		}
		return why
	case iss.QC != "qualified":
		return "not a qualified certificate at issuance: " + last(iss.Trace)
	}
	return "qualified at issuance but not at " + at.At.Format(time.RFC3339) + ": " + last(at.Trace)
}

func last(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[len(ss)-1]
}

// person says whether the subject is a natural or a legal person.
func person(x *Cert, d Determination) (string, string) {
	switch {
	case x.QC.Semantics != "":
		return x.QC.Semantics, "certificate semantics identifier"
	case d.Deciding != nil && contains(d.Deciding.Qualifiers, "QCForLegalPerson"):
		return "legal", "TL qualifier QCForLegalPerson"
	case d.Type == TypeESeal:
		return "legal", "e-seal type"
	case d.Type == TypeESig && d.QC == "qualified":
		return "natural", "e-signature type"
	}
	return "unknown", ""
}

// facts are the certificate-side inputs (the domain reference §1.1).
type facts struct {
	x      *Cert
	preE   bool
	certQC bool
	typeX  string
	qscdX  bool
}

func newFacts(x *Cert) facts {
	f := facts{x: x, preE: x.NotBefore.Before(query.EIDASDate())}
	qcp, qcpPlus := contains(x.Policies, oidQCP), contains(x.Policies, oidQCPPlus)
	noLeg := len(x.QC.CCLegislation) == 0
	if f.preE {
		f.certQC = noLeg && (x.QC.Compliance || qcp || qcpPlus)
		f.typeX = TypeUnknown
		if x.QC.Compliance || qcp || qcpPlus {
			f.typeX = TypeESig
		}
		f.qscdX = x.QC.SSCD || qcpPlus
		return f
	}
	f.certQC = noLeg && x.QC.Compliance
	f.qscdX = x.QC.SSCD
	var kinds []string
	for _, t := range x.QC.Types {
		switch t {
		case "esign", "eseal", "web":
			kinds = append(kinds, t)
		}
	}
	switch len(kinds) {
	case 0:
		f.typeX = TypeUnknown
		if x.QC.Compliance {
			f.typeX = TypeESig
		}
	case 1:
		f.typeX = map[string]string{"esign": TypeESig, "eseal": TypeESeal, "web": TypeWSA}[kinds[0]]
	default:
		f.typeX = TypeUnknown
	}
	return f
}

// hasQcType reports whether x names at least one of the three QcTypes.
func (f facts) hasQcType() bool {
	for _, t := range f.x.QC.Types {
		if t == "esign" || t == "eseal" || t == "web" {
			return true
		}
	}
	return false
}

// entry is one service entry in force at T, with what x captures of it.
type entry struct {
	svc     *service
	e       query.Entry
	preE    bool
	caqc    bool
	status  string
	granted bool // granted-like (§4 step 7)
	// notMigrated: a Directive-era status still in force after 1 July 2016.
	notMigrated bool
	Q, A        map[string]bool
	criteria    []string
	qualified   []string // captured qualifiers in list order
}

func (e *entry) name() string {
	return fmt.Sprintf("%s %q (%s)", e.svc.ref.List.Territory, strings.TrimSpace(e.e.Instance.Names.Get("en")), e.status)
}

var knownQualifiers = map[string]bool{}

func init() {
	for _, u := range tsl.QualifierURIs() {
		knownQualifiers[tail(u)] = true
	}
}

func (q *Index) entryOf(f facts, s *service, e query.Entry, t time.Time, warn func(string)) *entry {
	in := e.Instance
	en := &entry{svc: s, e: e, preE: e.From.Before(query.EIDASDate()), caqc: tsl.NormalizeURI(in.Type) == tsl.ServiceTypeCAQC,
		status: tail(in.Status), Q: map[string]bool{}, A: map[string]bool{}}
	switch {
	case !en.preE && en.status == "granted":
		en.granted = true
	case en.preE && (en.status == "undersupervision" || en.status == "supervisionincessation" || en.status == "accredited"):
		// A Directive-era status counts before 1 July 2016 only, as eutl
		// check decides (a status not migrated by then is no eIDAS
		// qualified status; TS 119 615 gives indeterminate, DSS keys this
		// on the entry's start and would still count it).
		en.granted = t.Before(query.EIDASDate())
		if !en.granted {
			en.notMigrated = true
		}
	}
	for _, ai := range in.Extensions.AdditionalInfo {
		en.A[tail(ai.URI)] = true
	}
	for i := range in.Extensions.Qualifications {
		qe := &in.Extensions.Qualifications[i]
		ok, desc := matchCriteria(&qe.Criteria, f.x, warn)
		var tails []string
		for _, u := range qe.Qualifiers {
			t := tail(u)
			tails = append(tails, t)
			if !knownQualifiers[t] {
				warn(fmt.Sprintf("%s: qualifier %s is not a registered qualifier URI (W1)", en.name(), u))
			}
		}
		en.criteria = append(en.criteria, fmt.Sprintf("%s -> %s", desc, strings.Join(tails, ",")))
		if ok {
			for _, t := range tails {
				if !en.Q[t] {
					en.Q[t] = true
					en.qualified = append(en.qualified, t)
				}
			}
		}
	}
	return en
}

// covers is the type-coverage test of §5.2b (with the fix of §7: the
// e-signature default applies only to a certificate without QcType).
func covers(f facts, e *entry) bool {
	Q, A := e.Q, e.A
	fSig := A["ForeSignatures"] && !Q["QCForLegalPerson"]
	fSeal, fWsa := A["ForeSeals"], A["ForWebSiteAuthentication"]
	uSig := Q["QCForESig"] || (!Q["QCForESeal"] && !Q["QCForWSA"] && f.x.QC.Compliance && !f.hasQcType())
	uSeal, uWsa := Q["QCForESeal"], Q["QCForWSA"]
	n := 0
	for _, u := range []bool{uSig, uSeal, uWsa} {
		if u {
			n++
		}
	}
	one := n == 1
	ovrSig, ovrSeal, ovrWsa := fSig && uSig && one, fSeal && uSeal && one, fWsa && uWsa && one
	switch f.typeX {
	case TypeESig:
		return fSig || ovrSeal || ovrWsa
	case TypeESeal:
		return fSeal || ovrSig || ovrWsa
	case TypeWSA:
		return fWsa || ovrSig || ovrSeal
	}
	return true
}

type triple struct {
	qc   bool
	typ  string
	qscd bool
	mob  bool // QSCD managed on behalf
}

func usage(Q map[string]bool) []string {
	var out []string
	for _, u := range []string{"QCForESig", "QCForESeal", "QCForWSA"} {
		if Q[u] {
			out = append(out, u)
		}
	}
	return out
}

// rule checks of §5.4; each returns the broken rule's id or "".
func ruleC1(e *entry) string {
	if e.Q["QCStatement"] && e.Q["NotQualified"] {
		return "C1 (QCStatement and NotQualified both captured)"
	}
	return ""
}

func ruleT(e *entry) string {
	Q := e.Q
	if Q["QCForLegalPerson"] && Q["QCForESig"] {
		return "T1 (QCForLegalPerson with QCForESig)"
	}
	u := usage(Q)
	if len(u) >= 2 {
		return "T2 (several usage qualifiers: " + strings.Join(u, ", ") + ")"
	}
	kinds := 0
	for k := range kindASI {
		if e.A[k] {
			kinds++
		}
	}
	if kinds > 0 && len(u) == 1 {
		need := map[string]string{"QCForESig": "ForeSignatures", "QCForESeal": "ForeSeals", "QCForWSA": "ForWebSiteAuthentication"}[u[0]]
		if !e.A[need] {
			return "T3 (" + u[0] + " without the " + need + " service information)"
		}
	}
	if e.preE {
		onlySeal := kinds == 1 && e.A["ForeSeals"]
		onlyWsa := kinds == 1 && e.A["ForWebSiteAuthentication"]
		if onlySeal || onlyWsa || Q["QCForESeal"] || Q["QCForWSA"] {
			return "T4 (a pre-2016 entry for seals or website authentication)"
		}
	}
	return ""
}

func ruleS(e *entry) string {
	Q := e.Q
	with := Q["QCWithQSCD"] || Q["QCWithSSCD"] || Q["QCQSCDStatusAsInCert"] || Q["QCSSCDStatusAsInCert"] || Q["QCQSCDManagedOnBehalf"]
	if with && (Q["QCNoQSCD"] || Q["QCNoSSCD"]) {
		return "S1 (a with-QSCD qualifier and a no-QSCD qualifier)"
	}
	if (Q["QCQSCDStatusAsInCert"] || Q["QCSSCDStatusAsInCert"]) && (Q["QCWithQSCD"] || Q["QCWithSSCD"] || Q["QCQSCDManagedOnBehalf"]) {
		return "S2 (status-as-in-certificate with a with-QSCD qualifier)"
	}
	if !e.preE && (Q["QCWithSSCD"] || Q["QCNoSSCD"]) && !Q["QCWithQSCD"] && !Q["QCNoQSCD"] {
		return "S3 (only SSCD qualifiers on a post-2016 entry)"
	}
	return ""
}

// tripleOf computes §5.1–5.3 for S = e (nil: none). With fallbacks, broken
// consistency rules reset their dimension; trace receives the reasons.
func tripleOf(f facts, e *entry, fallbacks bool, trace *[]string) triple {
	say := func(s string) {
		if trace != nil {
			*trace = append(*trace, s)
		}
	}
	t := triple{typ: f.typeX}
	if e == nil || !e.caqc || !e.granted {
		return t
	}
	// QC (§5.1).
	switch {
	case fallbacks && ruleC1(e) != "":
		say("inconsistent qualifiers " + ruleC1(e) + ": not a QC")
	case e.Q["NotQualified"]:
		say("TL qualifier NotQualified captured (Q2): not a QC")
	case e.Q["QCStatement"]:
		t.qc = true
		say("TL qualifier QCStatement captured (Q3): a QC whatever the certificate says")
	case f.certQC:
		t.qc = true
		say(fmt.Sprintf("qualified status from the certificate (Q4): %s", certQCWhy(f)))
	default:
		say(fmt.Sprintf("the certificate does not claim to be a QC (Q4): %s", certQCWhy(f)))
	}
	if !t.qc {
		return t
	}
	// Type (§5.2c).
	u := usage(e.Q)
	switch {
	case fallbacks && ruleT(e) != "":
		t.typ = TypeUnknown
		say("inconsistent qualifiers " + ruleT(e) + ": type unknown")
	case e.preE:
		t.typ = TypeESig
		say("a pre-2016 entry: type e-signature (Directive 1999/93/EC)")
	case len(u) >= 2:
		t.typ = TypeUnknown
		say("several usage qualifiers: type unknown")
	case len(u) == 1:
		t.typ = map[string]string{"QCForESig": TypeESig, "QCForESeal": TypeESeal, "QCForWSA": TypeWSA}[u[0]]
		if t.typ != f.typeX {
			say(fmt.Sprintf("type overruled by TL qualifier %s (certificate says %s)", u[0], f.typeX))
		} else {
			say("type " + t.typ + " from TL qualifier " + u[0])
		}
	default:
		say("type " + t.typ + " from the certificate")
	}
	// QSCD (§5.3).
	Q := e.Q
	switch {
	case fallbacks && ruleS(e) != "":
		say("inconsistent qualifiers " + ruleS(e) + ": QSCD no")
	case !e.preE && (Q["QCWithQSCD"] || Q["QCQSCDManagedOnBehalf"]):
		t.qscd = true
		t.mob = Q["QCQSCDManagedOnBehalf"]
		say("QSCD from TL qualifier " + pick(Q, "QCQSCDManagedOnBehalf", "QCWithQSCD"))
	case !e.preE && Q["QCQSCDStatusAsInCert"]:
		t.qscd = f.qscdX
		say(fmt.Sprintf("QSCD from TL QCQSCDStatusAsInCert -> certificate QcSSCD: %s", yn(f.qscdX)))
	case !e.preE && Q["QCNoQSCD"]:
		say("QSCD no from TL qualifier QCNoQSCD")
	case e.preE && Q["QCWithSSCD"]:
		t.qscd = true
		say("SSCD from TL qualifier QCWithSSCD (pre-2016 entry)")
	case e.preE && Q["QCSSCDStatusAsInCert"]:
		t.qscd = f.qscdX
		say(fmt.Sprintf("SSCD from TL QCSSCDStatusAsInCert -> certificate: %s", yn(f.qscdX)))
	case e.preE && Q["QCNoSSCD"]:
		say("SSCD no from TL qualifier QCNoSSCD (pre-2016 entry)")
	default:
		t.qscd = f.qscdX
		src := "QcSSCD"
		if f.preE {
			src = "QcSSCD/QCP+"
		}
		say(fmt.Sprintf("QSCD from the certificate %s: %s", src, yn(f.qscdX)))
	}
	return t
}

func pick(Q map[string]bool, names ...string) string {
	for _, n := range names {
		if Q[n] {
			return n
		}
	}
	return ""
}

func certQCWhy(f facts) string {
	parts := []string{"QcCompliance=" + yn(f.x.QC.Compliance)}
	if f.preE {
		parts = append(parts, "QCP/QCP+ policy="+yn(contains(f.x.Policies, oidQCP) || contains(f.x.Policies, oidQCPPlus)))
	}
	if len(f.x.QC.CCLegislation) > 0 {
		parts = append(parts, "QcCClegislation present (not an EU QC)")
	}
	return strings.Join(parts, ", ")
}

func evidenceOf(e *entry) *EvidenceService {
	in := e.e.Instance
	ev := &EvidenceService{Territory: e.svc.ref.List.Territory, Sequence: e.svc.ref.List.Sequence, ListSHA256: e.svc.ref.List.SHA256,
		Provider: e.svc.ref.Provider.Name, Service: strings.TrimSpace(in.Names.Get("en")), Type: tail(in.Type), Status: e.status,
		StatusSince: e.e.From.UTC(), AdditionalInfo: []string{}, Qualifiers: append([]string{}, e.qualified...), Criteria: append([]string{}, e.criteria...), List: e.svc.ref.List}
	for _, ai := range in.Extensions.AdditionalInfo {
		ev.AdditionalInfo = append(ev.AdditionalInfo, tail(ai.URI))
	}
	return ev
}

// determine runs the procedure of §4 at instant t.
func (q *Index) determine(f facts, hits []hit, t time.Time, warn func(string)) Determination {
	d := Determination{At: t.UTC(), Trace: []string{}}
	notQC := func(why string) Determination {
		d.Trace = append(d.Trace, why)
		return finish(d, triple{typ: f.typeX})
	}
	if len(hits) == 0 {
		d.Trace = append(d.Trace, "no listed service issued this certificate")
		d.QC, d.Type, d.QSCD, d.Label = "indeterminate", f.typeX, QSCDUnknown, "N/A"
		return d
	}
	// Step 1: entries in force at t.
	var es []*entry
	for _, h := range hits {
		e, ok := entryAtT(h.svc.ref.Timeline, t)
		if !ok {
			d.Trace = append(d.Trace, fmt.Sprintf("%s %q is not yet listed at %s", h.svc.ref.List.Territory, strings.TrimSpace(h.svc.ref.Service.Current.Names.Get("en")), t.UTC().Format(time.RFC3339)))
			continue
		}
		es = append(es, q.entryOf(f, h.svc, e, t, warn))
	}
	d.Trace = append(d.Trace, fmt.Sprintf("%d service(s) match the chain, %d with an entry in force at %s", len(hits), len(es), t.UTC().Format(time.RFC3339)))
	if len(es) == 0 {
		return notQC("no matching service has an entry in force at this instant: not a QC")
	}
	// Step 2: CA/QC only.
	var caqc, other []*entry
	for _, e := range es {
		if e.caqc {
			caqc = append(caqc, e)
		} else {
			other = append(other, e)
		}
	}
	if len(caqc) == 0 {
		return notQC("no CA/QC service among the matches (" + names(other) + "): not a QC")
	}
	if len(other) > 0 {
		d.Trace = append(d.Trace, "kept only CA/QC services (dropped "+names(other)+")")
	}
	es = caqc
	// Step 3: type coverage (post-2016 certificates).
	if !f.preE {
		var kept, dropped []*entry
		for _, e := range es {
			if covers(f, e) {
				kept = append(kept, e)
			} else {
				dropped = append(dropped, e)
			}
		}
		if len(dropped) > 0 {
			d.Trace = append(d.Trace, fmt.Sprintf("type coverage (certificate type %s) dropped %s", f.typeX, asiNames(dropped)))
		}
		if len(kept) == 0 {
			return notQC(fmt.Sprintf("no CA/QC entry covers the certificate's type %s: not a QC", f.typeX))
		}
		es = kept
	}
	// Step 4: consistency warnings.
	for _, e := range es {
		for _, r := range []string{ruleC1(e), ruleT(e), ruleS(e)} {
			if r != "" {
				d.Conflicts = append(d.Conflicts, e.name()+": inconsistent qualifiers "+r)
			}
		}
	}
	// Step 5: conflicting services.
	if len(es) > 1 {
		t0 := tripleOf(f, es[0], false, nil)
		for _, e := range es[1:] {
			if tripleOf(f, e, false, nil) != t0 {
				var parts []string
				for _, e := range es {
					tr := tripleOf(f, e, false, nil)
					parts = append(parts, fmt.Sprintf("%s gives %s", e.name(), label(tr)))
				}
				d.Conflicts = append(d.Conflicts, "services disagree: "+strings.Join(parts, "; "))
				d.Trace = append(d.Trace, "the matching services give different answers: indeterminate (DSS N/A)")
				d.QC, d.Type, d.QSCD, d.Label = "indeterminate", TypeUnknown, QSCDUnknown, "N/A"
				return d
			}
		}
		d.Trace = append(d.Trace, fmt.Sprintf("%d services agree", len(es)))
	}
	// Step 6: pre-2016 entries with eIDAS statuses are inconsistent.
	var keep []*entry
	for _, e := range es {
		if e.preE && (e.status == "granted" || e.status == "withdrawn") {
			d.Trace = append(d.Trace, "dropped "+e.name()+": an eIDAS status before 1 July 2016")
			continue
		}
		keep = append(keep, e)
	}
	es = keep
	// Step 7: granted-like entries.
	var granted []*entry
	for _, e := range es {
		if e.granted {
			granted = append(granted, e)
		}
	}
	if len(granted) > 0 {
		es = granted
	}
	// Step 8: select S.
	var s *entry
	if len(es) > 0 {
		s = es[0]
		d.Deciding = evidenceOf(s)
	}
	if s == nil || !s.granted {
		why := "no entry left"
		if s != nil {
			why = s.name() + " is not granted"
			if s.notMigrated {
				why = s.name() + " is a Directive-era status not migrated on 1 July 2016 (not an eIDAS qualified status; TS 119 615: indeterminate)"
			} else if !s.preE && s.status != "withdrawn" && s.status != "granted" {
				why += " (TS 119 615: indeterminate; DSS: not a QC)"
			}
		}
		return notQC(why + " at this instant: not a QC")
	}
	tr := tripleOf(f, s, true, &d.Trace)
	return finish(d, tr)
}

func entryAtT(tl []query.Entry, t time.Time) (query.Entry, bool) {
	for _, e := range tl {
		if !t.Before(e.From) {
			return e, true
		}
	}
	return query.Entry{}, false
}

func names(es []*entry) string {
	var out []string
	for _, e := range es {
		out = append(out, tail(e.e.Instance.Type))
	}
	return strings.Join(out, ", ")
}

func asiNames(es []*entry) string {
	var out []string
	for _, e := range es {
		var a []string
		for k := range kindASI {
			if e.A[k] {
				a = append(a, k)
			}
		}
		sort.Strings(a)
		out = append(out, fmt.Sprintf("%q [%s]", strings.TrimSpace(e.e.Instance.Names.Get("en")), strings.Join(a, ",")))
	}
	return strings.Join(out, ", ")
}

func finish(d Determination, t triple) Determination {
	d.QC = "not_qualified"
	d.Type = t.typ
	d.QSCD = QSCDNo
	if t.qc {
		d.QC = "qualified"
		d.ESig, d.ESeal, d.WSA = t.typ == TypeESig, t.typ == TypeESeal, t.typ == TypeWSA
		if t.qscd {
			d.QSCD = QSCDYes
			if t.mob {
				d.QSCD = QSCDManagedOnBehalf
			}
		}
	}
	d.Label = label(t)
	return d
}

// label is DSS's certificate qualification label (§1.3).
func label(t triple) string {
	typ := map[string]string{TypeESig: "eSig", TypeESeal: "eSeal", TypeWSA: "WSA", TypeUnknown: "unknown type"}[t.typ]
	if !t.qc {
		return "Cert for " + typ
	}
	if t.qscd && t.typ != TypeWSA {
		return "QC for " + typ + " with QSCD"
	}
	return "QC for " + typ
}

// combine merges the two instants (§6.2).
func combine(iss, at Determination) Determination {
	d := Determination{Trace: []string{}, Deciding: at.Deciding}
	if iss.Deciding != nil && at.Deciding == nil {
		d.Deciding = iss.Deciding
	}
	d.Conflicts = append(append([]string{}, iss.Conflicts...), at.Conflicts...)
	if iss.Label == "N/A" || at.Label == "N/A" {
		d.QC, d.Type, d.QSCD, d.Label = "indeterminate", TypeUnknown, QSCDUnknown, "N/A"
		d.Trace = append(d.Trace, "N/A at one of the instants: N/A")
		return d
	}
	if iss.Label == at.Label && iss.QSCD == at.QSCD {
		d.QC, d.Type, d.QSCD, d.Label = at.QC, at.Type, at.QSCD, at.Label
		d.ESig, d.ESeal, d.WSA = at.ESig, at.ESeal, at.WSA
		d.Trace = append(d.Trace, "the same at issuance and at the later instant")
		return d
	}
	t := triple{qc: iss.QC == "qualified" && at.QC == "qualified", typ: at.Type, qscd: at.QSCD == QSCDYes || at.QSCD == QSCDManagedOnBehalf, mob: at.QSCD == QSCDManagedOnBehalf}
	if iss.Type != at.Type {
		t.typ = TypeUnknown
		d.Trace = append(d.Trace, fmt.Sprintf("type differs (%s at issuance, %s later): unknown", iss.Type, at.Type))
	}
	if !t.qc {
		t.typ = at.Type
		if iss.QC != "qualified" {
			t.typ = iss.Type
		}
	}
	switch {
	case iss.QC == "qualified" && at.QC != "qualified":
		d.Trace = append(d.Trace, "a QC at issuance, not at the later instant: not a QC")
	case iss.QC != "qualified" && at.QC == "qualified":
		d.Trace = append(d.Trace, "not a QC at issuance: not a QC (a later status cannot make it one)")
	}
	if iss.QSCD != at.QSCD && t.qc {
		d.Trace = append(d.Trace, "QSCD from the later instant ("+at.QSCD+")")
	}
	return finish(d, t)
}

// tsuResult answers for a time-stamping unit: a TSA/QTST entry granted
// (after 1 July 2016; TS 119 615 knows no qualified time-stamp before) at
// both instants.
func tsuResult(hits []hit, iss, at time.Time) *TSU {
	var tsa []hit
	for _, h := range hits {
		if tsl.NormalizeURI(h.svc.ref.Service.Current.Type) == tsl.ServiceTypePrefix+"TSA/QTST" || hasType(h.svc.ref.Timeline, "TSA/QTST") {
			tsa = append(tsa, h)
		}
	}
	if len(tsa) == 0 {
		return nil
	}
	ok := func(t time.Time) (*service, query.Entry, bool) {
		for _, h := range tsa {
			e, found := entryAtT(h.svc.ref.Timeline, t)
			if found && tail(e.Instance.Type) == "TSA/QTST" && tail(e.Instance.Status) == "granted" && !e.From.Before(query.EIDASDate()) && !t.Before(query.EIDASDate()) {
				return h.svc, e, true
			}
		}
		return nil, query.Entry{}, false
	}
	s1, _, ok1 := ok(iss)
	s2, e2, ok2 := ok(at)
	r := &TSU{}
	switch {
	case ok1 && ok2:
		r.Qualified, r.Reason = true, "qualified time-stamping unit"
		r.Service = evidenceOf(&entry{svc: s2, e: e2, status: tail(e2.Instance.Status)})
	case !ok1 && s2 != nil:
		r.Reason = "time-stamping unit: no granted TSA/QTST entry at issuance (before 1 July 2016 nothing was a qualified time-stamp)"
	case ok1 && !ok2:
		r.Reason = "time-stamping unit: the TSA/QTST service is not granted at the later instant"
		r.Service = evidenceOf(&entry{svc: s1, e: func() query.Entry { e, _ := entryAtT(s1.ref.Timeline, iss); return e }(), status: "granted"})
	default:
		r.Reason = "time-stamping unit: no granted TSA/QTST entry"
	}
	return r
}

func hasType(tl []query.Entry, typ string) bool {
	for _, e := range tl {
		if tail(e.Instance.Type) == typ {
			return true
		}
	}
	return false
}
