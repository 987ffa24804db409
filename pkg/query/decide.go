// Package query answers "is provider P qualified for service kind K (in
// country C, at time T)?" from verified lists, with the evidence.
//
// The rules are those of ETSI TS 119 612 and the eIDAS Regulation (EU)
// 910/2014: the status of a service at T comes from its current
// entry and history (half-open intervals); a qualified type with status
// granted from 1 July 2016 (2016-06-30T22:00:00Z) is qualified; before that
// date the Directive-era supervision/accreditation statuses count for the
// CA/QC family only; withdrawn, ceased, revoked, deprecated, national and
// unknown statuses never count. For CA/QC, the additional service
// information narrows the kind (e-signatures, e-seals, website
// authentication); without it only "qc" is answered ("scope not declared").
//
// Nothing here fetches or verifies: an [Index] is built from lists that
// package trust verified, and lists that failed are recorded so that no
// negative answer is ever given from partial data.
package query

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/eutl/eutl/pkg/tsl"
)

// EIDASDate is when eIDAS statuses replaced those of Directive 1999/93/EC:
// 1 July 2016 00:00 Brussels time.
func EIDASDate() time.Time { return eidasDate }

var eidasDate = time.Date(2016, 6, 30, 22, 0, 0, 0, time.UTC)

// Entry is one status period of a service: [From, Until), Until zero for
// the current entry.
type Entry struct {
	Instance *tsl.ServiceInstance
	From     time.Time
	Until    time.Time
	Current  bool
}

// Timeline returns the status periods of s, newest first. History is sorted
// defensively (stable, so on equal times the entry listed first, the newer,
// stays first).
func Timeline(s *tsl.Service) []Entry {
	insts := make([]*tsl.ServiceInstance, 0, 1+len(s.History))
	insts = append(insts, &s.Current)
	hist := make([]*tsl.ServiceInstance, len(s.History))
	for i := range s.History {
		hist[i] = &s.History[i]
	}
	sort.SliceStable(hist, func(i, j int) bool { return hist[i].StatusStart.After(hist[j].StatusStart) })
	insts = append(insts, hist...)
	out := make([]Entry, len(insts))
	for i, in := range insts {
		out[i] = Entry{Instance: in, From: in.StatusStart, Current: i == 0}
		if i > 0 {
			out[i].Until = insts[i-1].StatusStart
		}
	}
	return out
}

// EntryAt returns the entry in force at t; ok is false when t is before the
// service was first listed. On equal start times the newer entry wins.
func EntryAt(s *tsl.Service, t time.Time) (Entry, bool) {
	return entryAt(Timeline(s), t)
}

// Decision is the verdict for one service entry.
type Decision struct {
	Qualified bool
	// Reason says why, in one line.
	Reason string
	// Warning is set for inconsistent or unknown data.
	Warning string
	// DirectiveEra is set when the answer rests on a pre-2016 status (its
	// scope is e-signatures only).
	DirectiveEra bool
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Tail returns the last part of a URI after a known prefix (for messages).
func Tail(uri string) string {
	u := tsl.NormalizeURI(uri)
	for _, p := range []string{tsl.ServiceTypePrefix, tsl.StatusPrefix, tsl.SvcInfoExtPrefix} {
		if strings.HasPrefix(u, p) {
			return strings.TrimPrefix(u, p)
		}
	}
	return uri
}

// Decide applies the decision table (§4.3) to the entry in force at t.
func Decide(e Entry, t time.Time) Decision {
	in := e.Instance
	status := tsl.LookupStatus(in.Status)
	if status == nil {
		return Decision{Reason: fmt.Sprintf("unknown status %s", in.Status), Warning: fmt.Sprintf("service %q has an unknown status URI %s: not qualified", in.Names.Get("en"), in.Status)}
	}
	st := tsl.LookupServiceType(in.Type)
	if st == nil {
		return Decision{Reason: fmt.Sprintf("unknown service type %s (never qualified)", in.Type), Warning: fmt.Sprintf("service %q has an unknown type URI %s", in.Names.Get("en"), in.Type)}
	}
	if st.Class != tsl.ClassQualified {
		return Decision{Reason: fmt.Sprintf("%s is not a qualified service type", st.Tail)}
	}
	d := Decision{}
	if (status.Era == tsl.EraEIDAS && e.From.Before(EIDASDate())) || (status.Era == tsl.EraDirective && !e.From.Before(EIDASDate())) {
		d.Warning = fmt.Sprintf("service %q: status %s starts %s, inconsistent with its era; the status URI is followed", in.Names.Get("en"), status.Tail, stamp(e.From))
	}
	switch {
	case status.URI == tsl.StatusGranted:
		d.Qualified = true
		d.Reason = fmt.Sprintf("%s granted since %s", st.Tail, stamp(e.From))
	case status.Era == tsl.EraDirective && status.Approving:
		switch {
		case !st.QCFamily:
			d.Reason = fmt.Sprintf("%s %s since %s: nationally supervised (pre-eIDAS), not an EU qualified status", st.Tail, status.Tail, stamp(e.From))
		case !t.Before(EIDASDate()):
			d.Reason = fmt.Sprintf("%s still %s at %s: a Directive-era status not migrated on 1 July 2016", st.Tail, status.Tail, stamp(t))
		default:
			d.Qualified, d.DirectiveEra = true, true
			d.Reason = fmt.Sprintf("%s %s since %s (Directive 1999/93/EC era: qualified for e-signatures)", st.Tail, status.Tail, stamp(e.From))
		}
	case status.Tail == "recognisedatnationallevel" || status.Tail == "setbynationallaw":
		d.Reason = fmt.Sprintf("%s recognised at national level since %s (not an EU qualified status)", st.Tail, stamp(e.From))
	default:
		d.Reason = fmt.Sprintf("%s %s since %s", st.Tail, status.Tail, stamp(e.From))
	}
	return d
}

// ScopeReason returns "" when the entry's CA/QC scope covers kind, else why
// not (§4.4). Only for kinds with a Scope.
func ScopeReason(d Decision, in *tsl.ServiceInstance, kind Kind) string {
	if kind.Scope == "" {
		return ""
	}
	if d.DirectiveEra {
		if kind.Scope == tsl.ASIForeSignatures {
			return ""
		}
		return "before 1 July 2016 a CA/QC was qualified for e-signatures only"
	}
	declared := false
	for _, ai := range in.Extensions.AdditionalInfo {
		u := tsl.NormalizeURI(ai.URI)
		switch u {
		case tsl.ASIForeSignatures, tsl.ASIForeSeals, tsl.ASIForWebSiteAuth:
			declared = true
			if u == kind.Scope {
				return ""
			}
		}
	}
	if !declared {
		return "scope not declared: the CA/QC entry names none of ForeSignatures, ForeSeals, ForWebSiteAuthentication"
	}
	return fmt.Sprintf("CA/QC granted, but not for %s (declared: %s)", Tail(kind.Scope), strings.Join(asiTails(in), ", "))
}

func asiTails(in *tsl.ServiceInstance) []string {
	var out []string
	for _, ai := range in.Extensions.AdditionalInfo {
		out = append(out, Tail(ai.URI))
	}
	return out
}

// QualifiedFor decides whether service s is qualified for kind at t, with
// the entry that decided.
func QualifiedFor(s *tsl.Service, kind Kind, t time.Time) (Decision, Entry, bool) {
	return qualifiedFor(Timeline(s), kind, t)
}

func entryAt(tl []Entry, t time.Time) (Entry, bool) {
	for _, e := range tl {
		if !t.Before(e.From) {
			return e, true
		}
	}
	return Entry{}, false
}

func qualifiedFor(tl []Entry, kind Kind, t time.Time) (Decision, Entry, bool) {
	e, ok := entryAt(tl, t)
	if !ok {
		return Decision{Reason: fmt.Sprintf("not yet listed at %s (first listed %s)", stamp(t), stamp(tl[len(tl)-1].From))}, Entry{}, false
	}
	if !kind.Matches(e.Instance.Type) {
		if kind.TypeURI == "" {
			return Decision{Reason: fmt.Sprintf("service type at %s is %s, which is not a qualified type", day(t), Tail(e.Instance.Type))}, e, true
		}
		return Decision{Reason: fmt.Sprintf("service type at %s is %s, not %s", day(t), Tail(e.Instance.Type), kind.Name())}, e, true
	}
	d := Decide(e, t)
	if d.Qualified {
		if why := ScopeReason(d, e.Instance, kind); why != "" {
			d.Qualified = false
			d.Reason = why
		}
	}
	return d, e, true
}

// CountQualified counts the services of l qualified (any qualified type)
// at t, and the providers with at least one such service (QTSPs).
func CountQualified(l *tsl.List, t time.Time) (services, providers int) {
	for pi := range l.Providers {
		n := CountProvider(&l.Providers[pi], t)
		services += n
		if n > 0 {
			providers++
		}
	}
	return services, providers
}

// CountProvider is how many of p's services are qualified at t.
func CountProvider(p *tsl.Provider, t time.Time) (services int) {
	for si := range p.Services {
		if d, _, ok := QualifiedFor(&p.Services[si], AnyQualified(), t); ok && d.Qualified {
			services++
		}
	}
	return services
}
