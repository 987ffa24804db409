package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/trust"
)

// OriginSnapshot is the origin of bytes read from a snapshot or bundle.
const OriginSnapshot fetch.Origin = "snapshot"

// MemberName is the archive member of a chain name: "lotl" → lotl.xml, a
// territory → lists/CC.xml, a pivot → pivots/NAME ("" when the name cannot
// be a member).
func MemberName(chainName string) string {
	var m string
	switch {
	case chainName == "lotl":
		m = LOTLName
	case len(chainName) == 2 && strings.ToUpper(chainName) == chainName:
		m = "lists/" + chainName + ".xml"
	default:
		m = "pivots/" + path.Base(chainName)
	}
	if !ValidMemberName(m) {
		return ""
	}
	return m
}

// Source is a read-only trust.Source answering from an archive: the chain
// verifies every byte it gets from it exactly as from the network or the
// cache. Accept keeps nothing.
type Source struct {
	a      *Archive
	replay bool
	at     time.Time
}

// Source returns the archive as a trust.Source for a chain judging lists at
// at. A list the manifest names as failed fails again with its recorded
// verdict class; at the manifest's own instant, with its recorded reason
// word for word (so that answers equal those of the run that wrote it),
// else with a reason saying it is not in the snapshot. In replay mode
// (evidence bundles) LastSequence is the rollback floor recorded for a
// list; otherwise a snapshot has no rollback floor (it is one fixed,
// explicitly chosen set).
func (a *Archive) Source(replay bool, at time.Time) *Source {
	return &Source{a: a, replay: replay, at: at}
}

// ErrNotInSnapshot is wrapped when a list the chain asks for is not in the
// archive.
var ErrNotInSnapshot = errors.New("not in the snapshot")

// Fetch returns the member's bytes.
func (s *Source) Fetch(_ context.Context, name, url string, _ bool) (*fetch.Fetched, error) {
	member := MemberName(name)
	f := s.a.Manifest.File(member)
	data, ok := s.a.members[member]
	if f == nil || !ok || member == "" {
		if f != nil && !f.Included {
			verbatim := (s.replay || s.at.Equal(s.a.Manifest.At())) && f.Reason != ""
			var err error
			if verbatim {
				err = recordedError(f)
			} else {
				err = fmt.Errorf("%s: %w: it was %s at %s, when the snapshot was made (%s)", member, ErrNotInSnapshot, f.Verdict, s.a.Manifest.VerifiedAt, f.Reason)
			}
			if v := trust.Verdict(f.Verdict); knownVerdict(v) {
				// The failure's class stands (4, not 5): the manifest can only
				// make a list unusable, never usable.
				return nil, &trust.ListError{Territory: f.Territory, URL: url, Verdict: v, Err: err}
			}
			return nil, err
		}
		return nil, fmt.Errorf("%s (%s): %w", name, url, ErrNotInSnapshot)
	}
	return &fetch.Fetched{Data: data, URL: url, Origin: OriginSnapshot, FromCache: true}, nil
}

// Cached has nothing more to offer than Fetch.
func (s *Source) Cached(name, url string) (*fetch.Fetched, error) {
	return nil, fmt.Errorf("%s (%s): %w", name, url, ErrNotInSnapshot)
}

// Accept keeps nothing: a snapshot is read-only.
func (s *Source) Accept(string, *fetch.Fetched, fetch.AcceptInfo) error { return nil }

// LastSequence is 0 for snapshots, the recorded floor in replay mode.
func (s *Source) LastSequence(name string) (int, error) {
	if !s.replay {
		return 0, nil
	}
	if f := s.a.Manifest.File(MemberName(name)); f != nil {
		return f.MinSequence, nil
	}
	return 0, nil
}

// Recorder is a trust.Source that passes everything to Src and remembers
// the bytes it handed out and the rollback floors it reported, so that what
// the chain verified can be written to a snapshot or bundle.
type Recorder struct {
	Src    trust.Source
	mu     sync.Mutex
	data   map[string][]byte
	floors map[string]int
}

// NewRecorder wraps src.
func NewRecorder(src trust.Source) *Recorder {
	return &Recorder{Src: src, data: map[string][]byte{}, floors: map[string]int{}}
}

func (r *Recorder) keep(name string, f *fetch.Fetched) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.data[name] = f.Data
}

// Fetch passes through and records.
func (r *Recorder) Fetch(ctx context.Context, name, url string, immutable bool) (*fetch.Fetched, error) {
	f, err := r.Src.Fetch(ctx, name, url, immutable)
	if err == nil {
		r.keep(name, f)
	}
	return f, err
}

// Cached passes through and records.
func (r *Recorder) Cached(name, url string) (*fetch.Fetched, error) {
	f, err := r.Src.Cached(name, url)
	if err == nil {
		r.keep(name, f)
	}
	return f, err
}

// Accept passes through.
func (r *Recorder) Accept(name string, f *fetch.Fetched, info fetch.AcceptInfo) error {
	return r.Src.Accept(name, f, info)
}

// LastSequence passes through and records.
func (r *Recorder) LastSequence(name string) (int, error) {
	n, err := r.Src.LastSequence(name)
	if err == nil {
		r.mu.Lock()
		r.floors[name] = n
		r.mu.Unlock()
	}
	return n, err
}

// Bytes are the bytes last handed out for name.
func (r *Recorder) Bytes(name string) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.data[name]
}

func (r *Recorder) floor(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.floors[name]
}

// AnchorsOf describes a trust.Anchors set for a manifest: every anchor by
// SHA-256 (sorted), with the set's name (its Official Journal notice).
func AnchorsOf(a trust.Anchors) AnchorSet {
	set := AnchorSet{Notice: a.Name, SHA256: []string{}}
	for _, s := range a.SHA256 {
		set.SHA256 = append(set.SHA256, strings.ToLower(s))
	}
	for _, d := range a.DER {
		sum := sha256.Sum256(d)
		set.SHA256 = append(set.SHA256, hex.EncodeToString(sum[:]))
	}
	sort.Strings(set.SHA256)
	return set
}

// BuildOptions shape a manifest.
type BuildOptions struct {
	Kind        string
	EutlVersion string
	// At is the instant the set was verified at.
	At      time.Time
	LOTLURL string
	Anchors trust.Anchors
	// Territories limits the national lists written (nil: all of res).
	Territories []string
	// IncludeFailed writes the bytes of lists that were fetched but failed
	// verification (evidence: the failure is part of the answer); a
	// snapshot names failed lists without their bytes.
	IncludeFailed bool
}

// ErrNoLOTL: the LOTL did not verify, there is no set to write.
var ErrNoLOTL = errors.New("the LOTL did not verify: there is no verified set to write")

// Build makes the manifest and members of the set res, with the bytes rec
// recorded. Every included list's bytes are checked against the digest the
// chain verified.
func Build(res *trust.ChainResult, rec *Recorder, o BuildOptions) (*Manifest, map[string][]byte, error) {
	if !res.LOTL.Usable() && !o.IncludeFailed {
		return nil, nil, ErrNoLOTL
	}
	m := &Manifest{FormatVersion: FormatVersion, Kind: o.Kind, EutlVersion: o.EutlVersion, VerifiedAt: FormatInstant(o.At),
		LOTLURL: o.LOTLURL, Anchors: AnchorsOf(o.Anchors), Files: []File{}}
	members := map[string][]byte{}
	var want map[string]bool
	if o.Territories != nil {
		want = map[string]bool{}
		for _, t := range o.Territories {
			want[t] = true
		}
	}
	add := func(out *trust.Outcome, role string) error {
		member := MemberName(out.Name)
		if member == "" || errors.Is(out.Err, trust.ErrNoPointer) {
			return nil
		}
		f := File{Name: member, Role: role, Territory: out.Territory, URL: out.URL, Verdict: string(out.Verdict())}
		if out.Verdict() == trust.Rollback {
			// Only a rollback verdict depends on the floor: record it to
			// reproduce the verdict.
			f.MinSequence = rec.floor(out.Name)
		}
		data := rec.Bytes(out.Name)
		if out.Usable() {
			vl := out.List
			f.Territory, f.Sequence = vl.List.Territory, vl.List.SequenceNumber
			sum := sha256.Sum256(data)
			if data == nil || hex.EncodeToString(sum[:]) != vl.SHA256 {
				return fmt.Errorf("snapshot: the bytes recorded for %s are not the ones verified", out.Name)
			}
		} else {
			f.Reason = reasonOf(out.Err)
			var le *trust.ListError
			if errors.As(out.Err, &le) {
				if loc := le.Location(); loc != "" && strings.HasPrefix(f.Reason, loc+": ") {
					f.Location = loc
				}
				if le.Info != nil && le.Info.List != nil {
					f.Sequence = le.Info.List.SequenceNumber
				}
			}
			if !o.IncludeFailed || out.Verdict() == trust.FetchFailed {
				data = nil
			}
		}
		if data != nil {
			members[member] = data
		}
		m.AddFile(f, data)
		return nil
	}
	if err := add(&res.LOTL, RoleLOTL); err != nil {
		return nil, nil, err
	}
	for i := range res.Pivots {
		if err := add(&res.Pivots[i], RolePivot); err != nil {
			return nil, nil, err
		}
	}
	for i := range res.Lists {
		if want != nil && !want[res.Lists[i].Territory] {
			continue
		}
		if err := add(&res.Lists[i], RoleList); err != nil {
			return nil, nil, err
		}
	}
	return m, members, nil
}

// reasonOf is a failure's reason as reports give it (the cause, without
// the list's name).
func reasonOf(err error) string {
	var le *trust.ListError
	switch {
	case errors.As(err, &le):
		return le.Err.Error()
	case err != nil:
		return err.Error()
	}
	return ""
}

func locationOf(err error) string {
	var le *trust.ListError
	if errors.As(err, &le) {
		if loc := le.Location(); loc != "" && strings.HasPrefix(reasonOf(err), loc+": ") {
			return loc
		}
	}
	return ""
}

// ReconcileOptions say what Reconcile may compare.
type ReconcileOptions struct {
	// Verdicts compares recorded verdicts too: only meaningful when the run
	// verified at the manifest's instant from the same anchors.
	Verdicts bool
	// AllLists: res holds every list of the LOTL, so an included list the
	// LOTL does not point to is reported.
	AllLists bool
	// FreshnessAt is set when the chain left freshness to the caller
	// (trust.Options.DeferFreshness): a list it verified counts as expired
	// for the verdict comparison when its NextUpdate is not after this
	// instant, as a chain judging freshness then would have said.
	FreshnessAt time.Time
}

// judgedVerdict is the verdict of a verified list with freshness judged at
// at when the chain deferred it (at non-zero).
func judgedVerdict(vl *trust.VerifiedList, at time.Time) trust.Verdict {
	if vl.Verdict == trust.Valid && !at.IsZero() && trust.FreshnessError(vl.List.NextUpdate, at) != nil {
		return trust.Expired
	}
	return vl.Verdict
}

// Reconcile compares the manifest with what the chain made of the bytes:
// every included file the chain verified must have the territory, sequence,
// URL and digest the manifest records (and its verdict, with Verdicts). The
// first disagreement is returned as a *FormatError naming the member.
func (a *Archive) Reconcile(res *trust.ChainResult, o ReconcileOptions) error {
	outs := []*trust.Outcome{&res.LOTL}
	for i := range res.Pivots {
		outs = append(outs, &res.Pivots[i])
	}
	for i := range res.Lists {
		outs = append(outs, &res.Lists[i])
	}
	seen := map[string]bool{}
	for _, out := range outs {
		member := MemberName(out.Name)
		f := a.Manifest.File(member)
		if member == "" || f == nil {
			continue
		}
		seen[member] = true
		lie := func(format string, args ...any) error { return formatErr(member, ErrMismatch, format, args...) }
		if out.Usable() {
			vl := out.List
			switch {
			case !f.Included:
				return lie("the manifest says it is not included")
			case f.Role != roleOf(out):
				return lie("the manifest says it is a %s, the chain used it as the %s", f.Role, roleOf(out))
			case f.Territory != vl.List.Territory:
				return lie("the manifest records territory %q, the list says %q", f.Territory, vl.List.Territory)
			case f.Sequence != vl.List.SequenceNumber:
				return lie("the manifest records sequence %d, the list says %d", f.Sequence, vl.List.SequenceNumber)
			case f.SHA256 != vl.SHA256 || f.Size != vl.Size:
				return lie("the manifest records SHA-256 %s (%d bytes), the list verified is %s (%d bytes)", f.SHA256, f.Size, vl.SHA256, vl.Size)
			case f.Role != RoleLOTL && f.URL != out.URL:
				return lie("the manifest records URL %q, the LOTL points to %q", f.URL, out.URL)
			case f.Role == RoleLOTL && f.URL != a.Manifest.LOTLURL:
				return lie("the manifest records URL %q for the LOTL and %q as lotl_url", f.URL, a.Manifest.LOTLURL)
			case f.Reason != "" || f.Location != "" || f.MinSequence != 0:
				return lie("the manifest records a failure reason or rollback floor for a list that verified")
			case o.Verdicts && f.Verdict != string(judgedVerdict(vl, o.FreshnessAt)):
				return lie("the manifest records verdict %s, re-verification gives %s", f.Verdict, judgedVerdict(vl, o.FreshnessAt))
			}
			continue
		}
		seq, known := 0, false
		var le *trust.ListError
		if errors.As(out.Err, &le) && le.Info != nil && le.Info.List != nil {
			seq, known = le.Info.List.SequenceNumber, true
		}
		// A list written as used although expired (--allow-expired then)
		// fails as expired now without the override: no disagreement.
		usedExpired := f.Verdict == string(trust.Expired) && f.Reason == "" && out.Verdict() == trust.Expired
		if f.Location != "" && !strings.HasPrefix(f.Reason, f.Location+": ") {
			return lie("the manifest records location %q, which its reason does not name", f.Location)
		}
		if f.Included && o.Verdicts && !usedExpired && (f.Verdict != string(out.Verdict()) || f.Reason != reasonOf(out.Err) || f.Location != locationOf(out.Err)) {
			return lie("the manifest records verdict %s%s, re-verification gives %s: %s", f.Verdict, paren(f.Reason), out.Verdict(), reasonOf(out.Err))
		}
		switch {
		case f.Territory != out.Territory:
			return lie("the manifest records territory %q, the chain asked for %q", f.Territory, out.Territory)
		case f.Role != roleOf(out):
			return lie("the manifest says it is a %s, the chain used it as the %s", f.Role, roleOf(out))
		case f.Role != RoleLOTL && f.URL != out.URL:
			return lie("the manifest records URL %q, the LOTL points to %q", f.URL, out.URL)
		case f.Included && known && f.Sequence != seq:
			return lie("the manifest records sequence %d, the list says %d", f.Sequence, seq)
		}
	}
	if o.AllLists {
		for _, f := range a.Manifest.Files {
			if f.Role == RoleList && f.Included && !seen[f.Name] {
				return formatErr(f.Name, ErrMismatch, "in the archive, but the verified LOTL points to no such list")
			}
		}
	}
	return nil
}

// recordedError is a recorded failure as the chain reported it: its reason
// word for word, and the element it is about.
func recordedError(f *File) error {
	if f.Location != "" && strings.HasPrefix(f.Reason, f.Location+": ") {
		return &trust.CheckError{Path: f.Location, Err: errors.New(strings.TrimPrefix(f.Reason, f.Location+": "))}
	}
	return errors.New(f.Reason)
}

func knownVerdict(v trust.Verdict) bool {
	switch v {
	case trust.Expired, trust.SignatureInvalid, trust.UntrustedSigner, trust.WrongTerritory, trust.WrongType, trust.Rollback, trust.ParseFailed:
		return true
	}
	return false
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func roleOf(out *trust.Outcome) string {
	switch {
	case out.Name == "lotl":
		return RoleLOTL
	case MemberName(out.Name) != "" && strings.HasPrefix(MemberName(out.Name), "pivots/"):
		return RolePivot
	}
	return RoleList
}
