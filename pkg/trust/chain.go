package trust

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// Source gives the chain the bytes of lists and keeps what passed.
// *fetch.Store implements it.
type Source interface {
	Fetch(ctx context.Context, name, url string, immutable bool) (*fetch.Fetched, error)
	Cached(name, url string) (*fetch.Fetched, error)
	Accept(name string, f *fetch.Fetched, info fetch.AcceptInfo) error
	LastSequence(name string) (int, error)
}

// ErrNoPointer is wrapped when a territory asked for has no XML pointer in
// the verified LOTL.
var ErrNoPointer = errors.New("no such territory")

// MaxPivots caps the pivot walk.
const MaxPivots = 20

// ChainOptions configure [Chain].
type ChainOptions struct {
	Options
	// LOTLURL is where the LOTL is fetched.
	LOTLURL string
	// Anchors sign the first LOTL of the walk.
	Anchors Anchors
	// OJURI is the Official Journal URI of the anchors: the pivot walk stops
	// there. Empty (custom anchors) walks every pivot listed.
	OJURI string
	// Territories limits the national lists fetched (nil: all).
	Territories []string
	// Concurrency bounds parallel fetches and verifications (default 8).
	Concurrency int
	// Progress, if set, is told about each list as it is done.
	Progress func(Event)
}

// Event reports progress.
type Event struct {
	Kind EventKind
	// Total is the number of national lists (EventTotal).
	Total int
	// Done names the finished list (EventListDone): its territory, "EU" or a
	// pivot's name; Role says which it is.
	Done    string
	Role    Role
	Verdict Verdict
}

// EventKind says what an [Event] reports.
type EventKind int

// The kinds of events.
const (
	// EventListDone: one list is done, with its verdict.
	EventListDone EventKind = iota + 1
	// EventTotal: the number of national lists to do is known.
	EventTotal
)

// Role says which list of the chain something is about.
type Role int

// The roles of lists in the chain.
const (
	RolePivot Role = iota + 1
	RoleLOTL
	RoleNational
)

// Outcome is the result for one list.
type Outcome struct {
	Name      string // cache name: "lotl", "BE", "eu-lotl-pivot-341.xml"
	Territory string
	URL       string
	// List is set when the list passed (Verdict Valid, or Expired with
	// AllowExpiredUnsafe). Err is set otherwise.
	List   *VerifiedList
	Err    error
	Origin fetch.Origin
	Notes  []string
}

// Verdict of the outcome.
func (o *Outcome) Verdict() Verdict {
	if o.List != nil {
		return o.List.Verdict
	}
	var le *ListError
	if errors.As(o.Err, &le) {
		return le.Verdict
	}
	return FetchFailed
}

// Usable reports whether the list may answer questions.
func (o *Outcome) Usable() bool { return o.List != nil }

// ChainResult is the whole set.
type ChainResult struct {
	Anchors Anchors
	Pivots  []Outcome
	LOTL    Outcome
	// Lists are the national lists, sorted by territory.
	Lists    []Outcome
	Warnings []string
}

// Chain fetches and verifies the LOTL (through its pivots) and every
// national XML list it points to. A list's failure never affects another's
// verdict; only lists that passed carry a VerifiedList.
func Chain(ctx context.Context, src Source, o ChainOptions) *ChainResult {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	o.Progress = serialized(o.Progress)
	res := &ChainResult{Anchors: o.Anchors}
	res.LOTL = Outcome{Name: "lotl", Territory: "EU", URL: o.LOTLURL}

	f, err := get(ctx, src, "lotl", o.LOTLURL, false, &res.LOTL, o.Options)
	if err != nil {
		res.LOTL.Err = err
		return res
	}
	// The pivot walk needs the LOTL's SchemeInformationURI before the LOTL is
	// trusted: read it from the signed content only after the walk verified
	// the LOTL; here we only learn which URLs to fetch.
	pivotURLs := pivotURLsOf(f.Data, o)
	allowed := o.Anchors
	for i := len(pivotURLs) - 1; i >= 0 && len(res.Pivots) < MaxPivots; i-- {
		u := pivotURLs[i]
		name := path.Base(u)
		out := Outcome{Name: name, Territory: "EU", URL: u}
		pf, err := get(ctx, src, name, u, true, &out, o.Options)
		if err == nil {
			pivotOpts := o.Options
			pivotOpts.At = time.Time{} // pivots are history: freshness does not apply
			vl, verr := verifyWithAnchors(pf.Data, allowed, Expect{Territory: "EU", Type: tsl.TypeEUListOfTheLists, URL: u}, pivotOpts)
			if verr != nil {
				out.Err = verr
				res.Warnings = append(res.Warnings, fmt.Sprintf("pivot %s did not verify; the signer set is kept: %v", u, verr))
			} else {
				vl.Verdict = Valid
				out.List = vl
				if sp := vl.List.SelfPointer(); sp != nil && len(sp.Certificates) > 0 {
					allowed = Anchors{Name: "self-pointer of pivot " + name}
					for _, c := range sp.Certificates {
						allowed.DER = append(allowed.DER, c.Raw)
					}
				}
				accept(src, name, pf, vl, &out)
			}
		} else {
			out.Err = err
			res.Warnings = append(res.Warnings, fmt.Sprintf("pivot %s could not be fetched: %v", u, err))
		}
		res.Pivots = append(res.Pivots, out)
		notify(o, Event{Kind: EventListDone, Done: name, Role: RolePivot, Verdict: out.Verdict()})
	}
	if len(pivotURLs) > MaxPivots {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the LOTL lists %d pivots; only the newest %d were walked", len(pivotURLs), MaxPivots))
	}

	// The current LOTL: signed by the set the walk arrived at, or directly
	// by an anchor.
	both := Anchors{Name: allowed.Name, SHA256: append(append([]string{}, allowed.SHA256...), o.Anchors.SHA256...), DER: append(append([][]byte{}, allowed.DER...), o.Anchors.DER...)}
	floor, err := src.LastSequence("lotl")
	if err != nil {
		res.LOTL.Err = &ListError{Territory: "EU", URL: o.LOTLURL, Verdict: ParseFailed, Err: err}
		return res
	}
	vl, err := verifyWithAnchors(f.Data, both, Expect{Territory: "EU", Type: tsl.TypeEUListOfTheLists, URL: o.LOTLURL, MinSequence: floor}, o.Options)
	if err != nil {
		res.LOTL.Err = err
		notify(o, Event{Kind: EventListDone, Done: "EU", Role: RoleLOTL, Verdict: res.LOTL.Verdict()})
		return res
	}
	res.LOTL.List = vl
	accept(src, "lotl", f, vl, &res.LOTL)
	notify(o, Event{Kind: EventListDone, Done: "EU", Role: RoleLOTL, Verdict: vl.Verdict})
	res.Warnings = append(res.Warnings, lotlWarnings(vl.List, o)...)

	// Every national XML list, in parallel.
	pointers := vl.List.XMLPointers()
	if o.Territories != nil {
		want := map[string]bool{}
		for _, t := range o.Territories {
			want[t] = true
		}
		var keep []tsl.Pointer
		for _, p := range pointers {
			if want[p.Territory] {
				keep = append(keep, p)
				delete(want, p.Territory)
			}
		}
		for t := range want {
			res.Lists = append(res.Lists, Outcome{Name: t, Territory: t, Err: &ListError{Territory: t, Verdict: FetchFailed,
				Err: fmt.Errorf("%w: the LOTL (sequence %d) has no XML pointer for territory %s", ErrNoPointer, vl.List.SequenceNumber, t)}})
		}
		pointers = keep
	}
	notify(o, Event{Kind: EventTotal, Total: len(pointers)})
	outs := make([]Outcome, len(pointers))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Concurrency)
	for i, p := range pointers {
		g.Go(func() error {
			outs[i] = verifyPointer(gctx, src, p, o.Options)
			notify(o, Event{Kind: EventListDone, Done: p.Territory, Role: RoleNational, Verdict: outs[i].Verdict()})
			return nil
		})
	}
	_ = g.Wait() // workers never fail the group: each outcome carries its error
	res.Lists = append(res.Lists, outs...)
	sort.SliceStable(res.Lists, func(i, j int) bool { return res.Lists[i].Territory < res.Lists[j].Territory })
	return res
}

func notify(o ChainOptions, e Event) {
	if o.Progress != nil {
		o.Progress(e)
	}
}

// serialized calls progress from one goroutine at a time: the lock is this
// call's own, so concurrent chains never wait for each other's callbacks.
func serialized(progress func(Event)) func(Event) {
	if progress == nil {
		return nil
	}
	var mu sync.Mutex
	return func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		progress(e)
	}
}

// get fetches a list; on a fetch failure it falls back to the last verified
// cached copy (which must then still pass verification and be fresh).
func get(ctx context.Context, src Source, name, url string, immutable bool, out *Outcome, o Options) (*fetch.Fetched, error) {
	f, err := src.Fetch(ctx, name, url, immutable)
	if err != nil {
		ferr := err
		// A source may know the list failed (a snapshot names the lists that
		// failed when it was made): its verdict stands, the list is unusable.
		var le *ListError
		if errors.As(err, &le) {
			return nil, le
		}
		if errors.Is(err, fetch.ErrNotInCache) {
			return nil, &ListError{Territory: out.Territory, URL: url, Verdict: FetchFailed, Err: err}
		}
		cf, cerr := src.Cached(name, url)
		if cerr != nil {
			return nil, &ListError{Territory: out.Territory, URL: url, Verdict: FetchFailed, Err: ferr}
		}
		f = cf
		out.Notes = append(out.Notes, "could not be fetched ("+ferr.Error()+"); answered from the last verified cached copy")
	}
	out.Origin = f.Origin
	out.Notes = append(out.Notes, f.Notes...)
	return f, nil
}

// accept records a verified list in the cache. A write failure (a full
// disk) never changes a verdict — the cache keeps its previous copy and the
// next run fetches again — but it is reported.
func accept(src Source, name string, f *fetch.Fetched, vl *VerifiedList, out *Outcome) {
	if err := src.Accept(name, f, fetch.AcceptInfo{Territory: vl.List.Territory, Sequence: vl.List.SequenceNumber, NextUpdate: vl.List.NextUpdate, Verdict: string(vl.Verdict)}); err != nil {
		out.Notes = append(out.Notes, "verified but not cached: "+err.Error())
	}
}

func verifyPointer(ctx context.Context, src Source, p tsl.Pointer, o Options) Outcome {
	out := Outcome{Name: p.Territory, Territory: p.Territory, URL: p.Location}
	f, err := get(ctx, src, p.Territory, p.Location, false, &out, o)
	if err != nil {
		out.Err = err
		return out
	}
	exp := expectFromPointer(p)
	if exp.MinSequence, err = src.LastSequence(p.Territory); err != nil {
		out.Err = &ListError{Territory: p.Territory, URL: p.Location, Verdict: ParseFailed, Err: err}
		return out
	}
	vl, err := VerifyList(f.Data, exp, o)
	if err != nil {
		out.Err = err
		return out
	}
	if w := operatorNameWarning(p, vl.List); w != "" {
		vl.Notes = append(vl.Notes, w)
	}
	out.List = vl
	accept(src, p.Territory, f, vl, &out)
	return out
}

// pivotURLsOf lists the pivot LOTL URLs named by the (not yet verified)
// LOTL, newest first as listed, up to the pinned Official Journal URI. Only
// which files to fetch is learnt here; each is verified before use.
func pivotURLsOf(data []byte, o ChainOptions) []string {
	l, err := parseUnverified(data)
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, u := range l.SchemeInformationURI {
		v := strings.TrimSpace(u.Value)
		if o.OJURI != "" && v == o.OJURI {
			break
		}
		if !strings.HasSuffix(strings.ToLower(v), ".xml") || v == o.LOTLURL || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}

func parseUnverified(data []byte) (*tsl.List, error) {
	root, err := xmldsig.ScanDocument(data, 0)
	if err != nil {
		return nil, err
	}
	return tsl.Parse(root)
}

// lotlWarnings are the things about a verified LOTL a user must hear of.
func lotlWarnings(l *tsl.List, o ChainOptions) []string {
	var w []string
	if sp := l.SelfPointer(); sp == nil {
		w = append(w, "the LOTL has no pointer to itself")
	} else if sp.Location != o.LOTLURL {
		w = append(w, fmt.Sprintf("the LOTL names another location for itself (%s) than the URL it was fetched from (%s): the Commission may be moving it", sp.Location, o.LOTLURL))
	}
	if o.OJURI != "" {
		for _, u := range l.SchemeInformationURI {
			v := strings.TrimSpace(u.Value)
			if strings.Contains(v, "eur-lex.europa.eu") {
				if v != o.OJURI {
					w = append(w, fmt.Sprintf("the LOTL names an Official Journal notice eutl does not pin (%s) before the pinned one (%s): new LOTL signing certificates may have been published", v, o.OJURI))
				}
				break
			}
		}
	}
	return w
}

// operatorNameWarning compares the scheme operator the pointer names with
// the list's own (TS 119 612 asks that they match; a mismatch is reported,
// not fatal).
func operatorNameWarning(p tsl.Pointer, l *tsl.List) string {
	if len(p.OperatorName) == 0 || len(l.OperatorName) == 0 {
		return ""
	}
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }
	for _, a := range p.OperatorName {
		for _, b := range l.OperatorName {
			if norm(a.Value) == norm(b.Value) {
				return ""
			}
		}
	}
	return fmt.Sprintf("the LOTL names the scheme operator %q, the list %q", p.OperatorName.Get("en"), l.OperatorName.Get("en"))
}
