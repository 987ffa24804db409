package trust

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/tsl"
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

// DefaultPivotWalkTimeout is the one deadline of the whole pivot walk (every
// pivot fetched at once, each retried once) when ChainOptions set none.
const DefaultPivotWalkTimeout = 45 * time.Second

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
	// Concurrency bounds parallel fetches (default 8). Verifications, which
	// need the CPU and memory of several times a list's size each, run at
	// most GOMAXPROCS at once (and never more than Concurrency): more would
	// not finish sooner, only hold more lists in memory at once.
	Concurrency int
	// PivotWalkTimeout is the deadline of the whole pivot walk (default
	// DefaultPivotWalkTimeout). Pivots not fetched by then count as failed.
	PivotWalkTimeout time.Duration
	// Progress, if set, is told about each list as it is done. Calls are
	// never concurrent within one Chain.
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
	Name      string // cache name: "lotl", "BE", "pivots/eu-lotl-pivot-341.xml"
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
	// Lists are the national lists, sorted by territory. A territory the
	// LOTL lists but eutl cannot use (no pointer in a form it reads) is here
	// too, failed, so that no answer takes its absence for a "no".
	Lists    []Outcome
	Warnings []string
	// Err is set when nothing could be judged for a reason outside the
	// lists: the cache's rollback state is unusable (a *fetch.CacheError).
	Err error
}

// Chain fetches and verifies the LOTL and every national XML list it points
// to. The LOTL is first verified against the anchors directly, then through
// the pivots already cached, and only when both fail through a walk that
// fetches the pivots. A list's failure never affects another's verdict; only
// lists that passed carry a VerifiedList.
func Chain(ctx context.Context, src Source, o ChainOptions) *ChainResult {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.PivotWalkTimeout <= 0 {
		o.PivotWalkTimeout = DefaultPivotWalkTimeout
	}
	r := &chainRun{ctx: ctx, src: src, o: o, res: &ChainResult{Anchors: o.Anchors},
		verifying: make(chan struct{}, min(o.Concurrency, runtime.GOMAXPROCS(0)))}
	if ls, ok := src.(LocalSource); ok {
		r.local = ls.ReadsLocally()
	}
	r.res.LOTL = Outcome{Name: "lotl", Territory: "EU", URL: o.LOTLURL}
	floor, err := src.LastSequence("lotl")
	if err != nil {
		r.res.Err = err
		return r.res
	}
	f, err := get(ctx, src, "lotl", o.LOTLURL, false, &r.res.LOTL, o.Options)
	if err != nil {
		r.res.LOTL.Err = err
		return r.res
	}
	vl, err := r.establishLOTL(f.Data, floor)
	if err != nil {
		r.res.LOTL.Err = err
		r.notify(Event{Kind: EventListDone, Done: "EU", Role: RoleLOTL, Verdict: r.res.LOTL.Verdict()})
		return r.res
	}
	r.res.LOTL.List = vl
	accept(src, "lotl", f, vl, &r.res.LOTL)
	r.notify(Event{Kind: EventListDone, Done: "EU", Role: RoleLOTL, Verdict: vl.Verdict})
	r.res.Warnings = append(r.res.Warnings, lotlWarnings(vl.List, o)...)
	r.verifyNationalLists(vl.List)
	r.rethrow()
	return r.res
}

// chainRun is the state of one Chain call.
type chainRun struct {
	ctx context.Context
	src Source
	o   ChainOptions
	res *ChainResult

	// verifying holds a token for each national list being verified (and,
	// from a local source, read).
	verifying chan struct{}
	local     bool // the source reads locally (LocalSource)

	mu sync.Mutex // serialises Progress and records a worker's panic
	// panicked is the first panic of a worker goroutine, raised again in
	// the caller's goroutine (where a recover can see it).
	panicked any
}

func (r *chainRun) notify(e Event) {
	if r.o.Progress != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.o.Progress(e)
	}
}

// guard runs f, recording a panic instead of crashing the process from a
// goroutine no one can recover in.
func (r *chainRun) guard(f func()) {
	defer func() {
		if v := recover(); v != nil {
			r.mu.Lock()
			if r.panicked == nil {
				r.panicked = fmt.Sprintf("%v\n\n%s", v, debug.Stack())
			}
			r.mu.Unlock()
		}
	}()
	f()
}

func (r *chainRun) rethrow() {
	if r.panicked != nil {
		panic(r.panicked)
	}
}

// establishLOTL verifies the LOTL: against the anchors, then through the
// cached pivots, then through the pivots fetched. It sets res.Pivots to the
// walk that was used, if any.
func (r *chainRun) establishLOTL(data []byte, floor int) (*VerifiedList, error) {
	exp := Expect{Territory: "EU", Type: tsl.TypeEUListOfTheLists, URL: r.o.LOTLURL, MinSequence: floor}
	vl, err := verifyWithAnchors(data, r.o.Anchors, exp, r.o.Options)
	if !needsWalk(err) {
		return vl, err
	}
	urls := r.pivotPlan(data)
	if len(urls) == 0 {
		return nil, err
	}
	cached := r.walk(urls, false)
	if walkComplete(cached) || r.ctx.Err() != nil {
		r.res.Pivots = cached.outcomes
		r.res.Warnings = append(r.res.Warnings, cached.warnings...)
		return verifyWithAnchors(data, cached.signers(r.o.Anchors), exp, r.o.Options)
	}
	if cached.last != nil {
		if vl, err := verifyWithAnchors(data, cached.signers(r.o.Anchors), exp, r.o.Options); !needsWalk(err) {
			r.res.Pivots = cached.outcomes
			r.res.Warnings = append(r.res.Warnings, cached.warnings...)
			return vl, err
		}
	}
	fetched := r.walk(urls, true)
	r.res.Pivots = fetched.outcomes
	r.res.Warnings = append(r.res.Warnings, fetched.warnings...)
	vl, err = verifyWithAnchors(data, fetched.signers(r.o.Anchors), exp, r.o.Options)
	if needsWalk(err) && fetched.missing > 0 {
		// The signer may be proven by a pivot that could not be fetched:
		// a fetch failure, not a verdict on the LOTL.
		var le *ListError
		errors.As(err, &le)
		var names []string
		for _, o := range fetched.outcomes {
			if o.Verdict() == FetchFailed {
				names = append(names, path.Base(o.URL))
			}
		}
		err = &ListError{Territory: "EU", URL: r.o.LOTLURL, Verdict: FetchFailed,
			Err: fmt.Errorf("the LOTL's signer is not an anchor and %d pivot(s) that could prove it could not be fetched (%s): %w", fetched.missing, strings.Join(names, ", "), le.Err)}
	}
	return vl, err
}

// needsWalk: only a LOTL whose signer is not (yet) trusted is worth a walk;
// any other failure is the LOTL's own.
func needsWalk(err error) bool {
	var le *ListError
	return errors.As(err, &le) && le.Verdict == UntrustedSigner
}

// pivotPlan lists the pivots to walk, oldest first: those the (not yet
// verified) LOTL names, on the LOTL URL's own scheme and host, at most
// MaxPivots. Foreign hosts and the cap are reported as warnings.
func (r *chainRun) pivotPlan(data []byte) []string {
	listed := pivotURLsOf(data, r.o)
	var urls []string
	for _, u := range listed {
		if why := foreignPivot(u, r.o.LOTLURL); why != "" {
			r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("pivot %s skipped: %s", fetch.Redact(u), why))
			continue
		}
		urls = append(urls, u)
	}
	slices.Reverse(urls) // the LOTL lists the newest first
	if len(urls) > MaxPivots {
		walked, left := urls[:MaxPivots], urls[MaxPivots:]
		r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("the LOTL lists %d pivots; only the oldest %d were walked (%s … %s), the %d newer ones were not (%s … %s)",
			len(urls), MaxPivots, path.Base(walked[0]), path.Base(walked[len(walked)-1]), len(left), path.Base(left[0]), path.Base(left[len(left)-1])))
		urls = walked
	}
	return urls
}

// foreignPivot says why a pivot URL is not fetched ("" when it may be): only
// the LOTL URL's own scheme and host are asked, so that a list cannot make
// eutl request any other server.
func foreignPivot(pivot, lotl string) string {
	pu, err := url.Parse(pivot)
	if err != nil {
		return "not a URL"
	}
	lu, err := url.Parse(lotl)
	if err != nil {
		return "the LOTL URL is not a URL"
	}
	if pu.User != nil || !strings.EqualFold(pu.Scheme, lu.Scheme) || !strings.EqualFold(pu.Host, lu.Host) {
		return fmt.Sprintf("not on the LOTL's own scheme and host (%s://%s)", lu.Scheme, lu.Host)
	}
	return ""
}

// walkResult is one pivot walk.
type walkResult struct {
	outcomes []Outcome
	// last is the signer set the walk arrived at (nil: none beyond anchors).
	last     *Anchors
	missing  int // pivots that could not be read
	warnings []string
}

func walkComplete(w walkResult) bool { return w.missing == 0 }

// signers are the certificates allowed to sign the LOTL after the walk: the
// set it arrived at and the anchors.
func (w walkResult) signers(anchors Anchors) Anchors {
	if w.last == nil {
		return anchors
	}
	return Anchors{Name: w.last.Name, SHA256: append([]string{}, anchors.SHA256...),
		DER: append(append([][]byte{}, w.last.DER...), anchors.DER...)}
}

// walk reads the pivots (from the cache only, or fetching them: all at
// once, one retry each, under one deadline) and verifies them oldest first,
// each with the signer set of the one before.
func (r *chainRun) walk(urls []string, network bool) walkResult {
	data := r.readPivots(urls, network)
	w := walkResult{}
	allowed := r.o.Anchors
	for i, u := range urls {
		name := fetch.PivotName(u)
		out := data[i].out
		if data[i].err != nil {
			out.Err = data[i].err
			w.missing++
			if network {
				w.warnings = append(w.warnings, fmt.Sprintf("pivot %s could not be fetched: %v", u, data[i].err))
			}
		} else {
			pivotOpts := r.o.Options
			pivotOpts.At = time.Time{} // pivots are history: freshness does not apply
			vl, err := verifyWithAnchors(data[i].f.Data, allowed, Expect{Territory: "EU", Type: tsl.TypeEUListOfTheLists, URL: u}, pivotOpts)
			if err != nil {
				out.Err = err
				w.warnings = append(w.warnings, fmt.Sprintf("pivot %s did not verify; the signer set is kept: %v", u, err))
			} else {
				vl.Verdict = Valid
				out.List = vl
				if sp := vl.List.SelfPointer(); sp != nil && len(sp.Certificates) > 0 {
					allowed = Anchors{Name: "self-pointer of pivot " + path.Base(u)}
					for _, c := range sp.Certificates {
						allowed.DER = append(allowed.DER, c.Raw)
					}
					w.last = &allowed
				}
				accept(r.src, name, data[i].f, vl, &out)
			}
		}
		data[i].f = nil // its bytes are done with: not kept for the rest of the walk
		w.outcomes = append(w.outcomes, out)
		r.notify(Event{Kind: EventListDone, Done: name, Role: RolePivot, Verdict: out.Verdict()})
	}
	return w
}

type pivotData struct {
	out Outcome
	f   *fetch.Fetched
	err error
}

// readPivots gets every pivot's bytes, concurrently.
func (r *chainRun) readPivots(urls []string, network bool) []pivotData {
	ctx, cancel := context.WithTimeout(fetch.WithRetries(r.ctx, 1), r.o.PivotWalkTimeout)
	defer cancel()
	out := make([]pivotData, len(urls))
	var g errgroup.Group // at most MaxPivots small requests to one host, all at once
	for i, u := range urls {
		name := fetch.PivotName(u)
		out[i].out = Outcome{Name: name, Territory: "EU", URL: u}
		g.Go(func() error {
			r.guard(func() {
				if !network {
					f, err := r.src.Cached(name, u)
					if err == nil {
						f.Origin = fetch.OriginCache
						out[i].out.Origin = f.Origin
						out[i].f = f
					} else {
						out[i].err = &ListError{Territory: "EU", URL: u, Verdict: FetchFailed, Err: err}
					}
					return
				}
				f, err := r.src.Fetch(ctx, name, u, true)
				if err != nil {
					if ctx.Err() != nil && r.ctx.Err() == nil {
						err = fmt.Errorf("%w (the pivot walk's deadline of %s passed)", err, r.o.PivotWalkTimeout)
					}
					out[i].err = &ListError{Territory: "EU", URL: u, Verdict: FetchFailed, Err: err}
					return
				}
				out[i].out.Origin = f.Origin
				out[i].out.Notes = append(out[i].out.Notes, f.Notes...)
				out[i].f = f
			})
			return nil
		})
	}
	_ = g.Wait()
	r.rethrow()
	return out
}

// verifyNationalLists verifies every national list the LOTL points to (or
// those of o.Territories), in parallel, and records territories the LOTL
// lists in a form eutl cannot use as failed.
func (r *chainRun) verifyNationalLists(lotl *tsl.List) {
	pointers := lotl.XMLPointers()
	unusable := unusableTerritories(lotl)
	if r.o.Territories != nil {
		want := map[string]bool{}
		for _, t := range r.o.Territories {
			want[t] = true
		}
		pointers = slices.DeleteFunc(pointers, func(p tsl.Pointer) bool { return !want[p.Territory] })
		unusable = slices.DeleteFunc(unusable, func(o Outcome) bool { return !want[o.Territory] })
		for _, p := range pointers {
			delete(want, p.Territory)
		}
		for _, o := range unusable {
			delete(want, o.Territory)
		}
		for t := range want {
			r.res.Lists = append(r.res.Lists, Outcome{Name: t, Territory: t, Err: &ListError{Territory: t, Verdict: FetchFailed,
				Err: fmt.Errorf("%w: the LOTL (sequence %d) has no XML pointer for territory %s", ErrNoPointer, lotl.SequenceNumber, t)}})
		}
	}
	r.res.Lists = append(r.res.Lists, unusable...)
	r.notify(Event{Kind: EventTotal, Total: len(pointers)})
	outs := make([]Outcome, len(pointers))
	g, gctx := errgroup.WithContext(r.ctx)
	g.SetLimit(r.o.Concurrency)
	for i, p := range pointers {
		g.Go(func() error {
			r.guard(func() {
				outs[i] = r.verifyPointer(gctx, p)
				r.notify(Event{Kind: EventListDone, Done: p.Territory, Role: RoleNational, Verdict: outs[i].Verdict()})
			})
			return nil
		})
	}
	_ = g.Wait() // workers never fail the group: each outcome carries its error
	r.res.Lists = append(r.res.Lists, outs...)
	sort.SliceStable(r.res.Lists, func(i, j int) bool { return r.res.Lists[i].Territory < r.res.Lists[j].Territory })
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

// verify is VerifyList once a verification slot is free. The slot is given
// back however VerifyList ends (a panic is raised again by the chain).
// From a local source the slot is already held (see verifyPointer).
func (r *chainRun) verify(data []byte, exp Expect, o Options) (*VerifiedList, error) {
	if !r.local {
		r.verifying <- struct{}{}
		defer func() { <-r.verifying }()
	}
	return VerifyList(data, exp, o)
}

// LocalSource is a [Source] that can tell whether it reads only local
// storage (an offline cache): the chain then reads each national list only
// once a verification slot is free, so that no more lists are in memory
// unverified than are being verified. From any other source the lists are
// fetched Concurrency at a time, as the network wants, and wait for a slot.
type LocalSource interface {
	Source
	ReadsLocally() bool
}

// verifyPointer fetches and verifies the national list p points to.
func (r *chainRun) verifyPointer(ctx context.Context, p tsl.Pointer) Outcome {
	if r.local {
		r.verifying <- struct{}{}
		defer func() { <-r.verifying }()
	}
	src, o := r.src, r.o.Options
	out := Outcome{Name: p.Territory, Territory: p.Territory, URL: p.Location}
	if !validTerritory(p.Territory) {
		// never a cache name or state key chosen by a malformed code
		out.Name = ""
		out.Err = &ListError{Territory: p.Territory, URL: p.Location, Verdict: ParseFailed,
			Err: fmt.Errorf("the LOTL's pointer names territory %q, not a code of two capital letters", p.Territory)}
		return out
	}
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
	vl, err := r.verify(f.Data, exp, o)
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
// which files to fetch is learnt here, from the LOTL's head; each is
// verified before use.
func pivotURLsOf(data []byte, o ChainOptions) []string {
	l, err := ReadHead(data)
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
