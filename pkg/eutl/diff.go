package eutl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/eutl/eutl/pkg/diff"
	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/snapshot"
	"github.com/eutl/eutl/pkg/trust"
)

// Side is one side of a [Diff]. Exactly one of Dir, File, Kept and Current
// is set.
type Side struct {
	// Dir is a cache or an offline snapshot directory: a whole set,
	// verified from the anchors through its pivots.
	Dir string
	// File is a list or LOTL file, or a snapshot file (package snapshot: a
	// whole set, verified from the anchors). A national list is verified against
	// DiffConfig.PinLOTL's pointer, or DiffConfig.PinCerts, or else the
	// LOTL cached in Config.CacheDir; a LOTL against the anchors.
	File string
	// Kept and KeptSequence name a version in the history of
	// Config.CacheDir ("BE" or "lotl", 80), verified against the LOTL kept
	// with it (or, when that one is no longer kept, the cached LOTL).
	Kept         string
	KeptSequence int
	// Current is a list of Config.CacheDir as cached now ("BE" or "lotl").
	Current string
	// Label names the side in results (default: what was given).
	Label string
}

// DiffConfig says what [Diff] compares. Config gives the cache (history,
// current lists, pivots for files), the anchors, At and Concurrency;
// Offline, Territories, Progress and AllowExpiredUnsafe are ignored: sides
// are read without network, and freshness is never enforced on them (a kept
// version is old by nature); every other check applies.
type DiffConfig struct {
	Config
	// Old and New are the sides; when both are nil, every list's kept
	// version before Since (or, Since zero, its previous kept version) is
	// compared with the current cached one.
	Old, New *Side
	Since    time.Time
	// PinLOTL (the bytes of a LOTL, verified against the anchors) or
	// PinCerts pin the signers of national list files.
	PinLOTL  []byte
	PinCerts [][]byte
	// Country limits the lists verified (whole sets, the history) and the
	// events ([diff.Filter.Country] is set from it when empty).
	Country string
	Filter  diff.Filter
}

// DiffResult is what changed, between two verified sides.
type DiffResult struct {
	Old, New DiffSide
	// Events are the changes the filter selected, in order.
	Events []diff.Event
	// Notes say how sides were verified when it is not what was asked (a
	// kept list checked against the cached LOTL) and the sides' warnings.
	Notes []string
}

// DiffSide is a verified side.
type DiffSide struct {
	Label string
	// LOTL is the side's LOTL (nil for a file verified with PinCerts).
	LOTL  *trust.VerifiedList
	Lists []DiffList
}

// DiffList is a verified national list of a side.
type DiffList struct {
	*trust.VerifiedList
	// PinnedBy is the sequence of the LOTL whose pointer pinned its signer
	// (0: PinCerts).
	PinnedBy int
}

// ErrNoPin is wrapped when a national list file has nothing to pin its
// signer: no PinLOTL, no PinCerts and no LOTL in Config.CacheDir.
var ErrNoPin = errors.New("nothing pins its signer: no LOTL given, no certificate given, no LOTL in the cache")

// ErrNothingKept is wrapped when the history holds no version to compare
// the current lists with.
var ErrNothingKept = errors.New("nothing kept to compare with")

// DiffSpecError is a diff that cannot be asked: sides that cannot be
// compared, a version that is not kept, a file that cannot be read.
type DiffSpecError struct{ Err error }

func (e *DiffSpecError) Error() string { return e.Err.Error() }
func (e *DiffSpecError) Unwrap() error { return e.Err }

// SideError is a side that did not verify or could not be read: it is
// never compared. Chain is its chain result when one ran; Err is the first
// failure (a *trust.ListError when a list failed).
type SideError struct {
	// Role is "old" or "new" ("" before the sides are told apart).
	Role  string
	Side  string
	Chain *trust.ChainResult
	Err   error
}

func (e *SideError) Error() string {
	who := e.Side
	if e.Role != "" {
		who = e.Role + " side " + who
	}
	return who + " did not verify (a side that does not verify is never compared): " + e.Err.Error()
}
func (e *SideError) Unwrap() error { return e.Err }

func specErr(format string, args ...any) error {
	return &DiffSpecError{Err: fmt.Errorf(format, args...)}
}

// Diff verifies two sides and compares them. It fails with a
// [*DiffSpecError] for a diff that cannot be asked, a [*SideError] for a
// side that did not verify, and as [Load] for the rest.
func Diff(ctx context.Context, dc DiffConfig) (*DiffResult, error) {
	if dc.Country != "" && dc.Filter.Country == "" {
		dc.Filter.Country = dc.Country
	}
	var old, cur *side
	var err error
	switch {
	case (dc.Old == nil) != (dc.New == nil):
		return nil, specErr("give two sides, or none to compare the kept versions with the current ones")
	case dc.Old != nil && !dc.Since.IsZero():
		return nil, specErr("Since compares the history with the current lists: give no sides with it")
	case dc.Old != nil:
		if old, err = dc.side(dc.Old); err != nil {
			return nil, err
		}
		if cur, err = dc.side(dc.New); err != nil {
			return nil, err
		}
		if err := pairSides(old, cur); err != nil {
			return nil, err
		}
	default:
		if old, cur, err = dc.historySides(); err != nil {
			return nil, err
		}
	}
	res := &DiffResult{}
	oldSet, err := dc.verify(ctx, "old side: ", old, &res.Old, &res.Notes)
	if err != nil {
		return nil, role(err, "old")
	}
	newSet, err := dc.verify(ctx, "new side: ", cur, &res.New, &res.Notes)
	if err != nil {
		return nil, role(err, "new")
	}
	if !old.lotl || !cur.lotl {
		oldSet.LOTL, newSet.LOTL = nil, nil
	}
	res.Events = dc.Filter.Apply(diff.Sets(oldSet, newSet))
	return res, nil
}

func role(err error, r string) error {
	var se *SideError
	if errors.As(err, &se) {
		se.Role = r
	}
	return err
}

// group is what one verification checks: a source with a LOTL and the
// lists it pins, or a file checked against certificates.
type group struct {
	src         trust.Source
	dir         string   // src is this cache directory, read offline
	territories []string // nil: every list; empty: the LOTL only
	primary     bool     // its LOTL is the side's LOTL
	certData    []byte
	certs       [][]byte
}

type side struct {
	label     string
	groups    []group
	lotl      bool   // a whole set or a LOTL: its LOTL is compared
	territory string // of a single list
	notes     []string
}

// kind is "set" (a LOTL and its lists), "lotl" or "list".
func (s *side) kind() string {
	if !s.lotl {
		return "list"
	}
	for _, g := range s.groups {
		if g.certs == nil && (g.territories == nil || len(g.territories) > 0) {
			return "set"
		}
	}
	return "lotl"
}

func (s *side) narrow(terrs []string) {
	for i := range s.groups {
		s.groups[i].territories = terrs
	}
}

// pairSides checks that two sides can be compared and narrows a whole set
// to what the other side holds.
func pairSides(old, cur *side) error {
	ok, ck := old.kind(), cur.kind()
	switch {
	case ok == "list" && ck == "list" && old.territory != cur.territory:
		return specErr("the sides are lists of different territories (%s, %s)", old.territory, cur.territory)
	case ok == "lotl" && ck == "list" || ok == "list" && ck == "lotl":
		return specErr("one side is a LOTL, the other a national list: compare a LOTL with a LOTL, a list with a list")
	case ok == "set" && ck == "list":
		old.narrow([]string{cur.territory})
		old.lotl = false
	case ok == "list" && ck == "set":
		cur.narrow([]string{old.territory})
		cur.lotl = false
	case ok == "set" && ck == "lotl":
		old.narrow([]string{})
	case ok == "lotl" && ck == "set":
		cur.narrow([]string{})
	}
	return nil
}

func (dc *DiffConfig) cache() (*fetch.Cache, error) {
	if dc.CacheDir == "" {
		return nil, specErr("a kept or cached version needs Config.CacheDir")
	}
	return openCache(dc.CacheDir)
}

func openCache(dir string) (*fetch.Cache, error) {
	c, err := fetch.OpenCache(dir, false)
	if err != nil {
		if errors.Is(err, fetch.ErrNewerCache) {
			return nil, err
		}
		return nil, &SideError{Side: dir, Err: &trust.ListError{Verdict: trust.FetchFailed, Err: err}}
	}
	return c, nil
}

func fixed(lists map[string][]byte, origin fetch.Origin, pivots *fetch.Cache) *fetch.Fixed {
	return &fetch.Fixed{Lists: lists, Origin: origin, Pivots: pivots}
}

// side resolves one side.
func (dc *DiffConfig) side(s *Side) (*side, error) {
	label := s.Label
	n := 0
	for _, set := range []bool{s.Dir != "", s.File != "", s.Kept != "", s.Current != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, specErr("a side is exactly one of a directory, a file, a kept version or a current list")
	}
	switch {
	case s.Kept != "":
		if label == "" {
			label = s.Kept + "@" + strconv.Itoa(s.KeptSequence)
		}
		cache, err := dc.cache()
		if err != nil {
			return nil, err
		}
		name, ok := fetch.HistoryName(s.Kept)
		if !ok {
			return nil, specErr("%s: not a list name (a territory or lotl)", s.Kept)
		}
		data, e, err := cache.ReadHistory(name, s.KeptSequence)
		if errors.Is(err, fetch.ErrNotInHistory) {
			return nil, notKept(cache, name, err)
		}
		if err != nil {
			return nil, &SideError{Side: label, Err: &trust.ListError{Territory: name, Verdict: trust.FetchFailed, Err: err}}
		}
		if name == fetch.HistoryLOTL {
			return &side{label: label, lotl: true, groups: []group{{src: fixed(map[string][]byte{"lotl": data}, fetch.OriginHistory, cache), territories: []string{}, primary: true}}}, nil
		}
		g, notes, err := historyGroup(cache, map[string][]byte{name: data}, e.LOTLSequence)
		if err != nil {
			return nil, err
		}
		return &side{label: label, territory: name, groups: []group{g}, notes: notes}, nil
	case s.Current != "":
		if label == "" {
			label = s.Current + " (cached)"
		}
		cache, err := dc.cache()
		if err != nil {
			return nil, err
		}
		name, ok := fetch.HistoryName(s.Current)
		if !ok {
			return nil, specErr("%s: not a list name (a territory or lotl)", s.Current)
		}
		g := group{src: &fetch.Store{Cache: cache, Offline: true}, dir: cache.Dir, primary: true}
		if name == fetch.HistoryLOTL {
			g.territories = []string{}
			return &side{label: label, lotl: true, groups: []group{g}}, nil
		}
		g.territories = []string{name}
		return &side{label: label, territory: name, groups: []group{g}}, nil
	case s.Dir != "":
		if label == "" {
			label = s.Dir
		}
		cache, err := openCache(s.Dir)
		if err != nil {
			return nil, err
		}
		g := group{src: &fetch.Store{Cache: cache, Offline: true}, dir: s.Dir, primary: true}
		if dc.Country != "" {
			g.territories = []string{dc.Country}
		}
		return &side{label: label, lotl: true, groups: []group{g}}, nil
	}
	if label == "" {
		label = s.File
	}
	data, err := os.ReadFile(s.File)
	if err != nil {
		return nil, specErr("cannot read %s: %w", label, err)
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		// a snapshot file (pkg/snapshot): a whole set, read from the archive
		a, err := snapshot.Read(data, snapshot.Limits{})
		if err != nil {
			return nil, &SideError{Side: label, Err: &trust.ListError{Verdict: trust.ParseFailed, Err: err}}
		}
		g := group{src: a.Source(false, dc.At), primary: true}
		if dc.Country != "" {
			g.territories = []string{dc.Country}
		}
		return &side{label: label, lotl: true, groups: []group{g}}, nil
	}
	terr := trust.ClaimedTerritory(data)
	out := &side{label: label, territory: terr}
	if len(dc.PinCerts) > 0 {
		out.lotl = terr == "EU"
		out.groups = []group{{certData: data, certs: dc.PinCerts, primary: true}}
		return out, nil
	}
	var pivots *fetch.Cache
	if dc.CacheDir != "" {
		pivots, _ = fetch.OpenCache(dc.CacheDir, false)
	}
	if terr == "EU" {
		out.lotl, out.territory = true, ""
		out.groups = []group{{src: fixed(map[string][]byte{"lotl": data}, fetch.OriginFile, pivots), territories: []string{}, primary: true}}
		return out, nil
	}
	lotlData := dc.PinLOTL
	if lotlData == nil {
		if pivots != nil {
			lotlData, _, _ = pivots.Read("lotl") // none: nothing pins it (below)
		}
		if lotlData == nil {
			return nil, &DiffSpecError{Err: fmt.Errorf("%s: %w", label, ErrNoPin)}
		}
		out.notes = append(out.notes, label+": signer pinned by the cached LOTL")
	}
	if terr == "" {
		terr = "??"
	}
	out.groups = []group{{src: fixed(map[string][]byte{"lotl": lotlData, terr: data}, fetch.OriginFile, pivots), territories: []string{terr}, primary: true}}
	return out, nil
}

// notKept explains a kept version that is not there.
func notKept(cache *fetch.Cache, name string, err error) error {
	es, _ := cache.History(name)
	var seqs []string
	for _, e := range es {
		seqs = append(seqs, strconv.Itoa(e.Sequence))
	}
	kept := "none"
	if len(seqs) > 0 {
		kept = strings.Join(seqs, ", ")
	}
	return &DiffSpecError{Err: fmt.Errorf("%w; kept versions of %s: %s", err, name, kept)}
}

// historyGroup verifies kept lists against the LOTL that pinned them when
// they were accepted; when that LOTL is no longer kept (or was accepted by
// an eutl without history), against the current cached LOTL, and says so.
func historyGroup(cache *fetch.Cache, lists map[string][]byte, lotlSeq int) (group, []string, error) {
	var notes []string
	var lotlData []byte
	if lotlSeq > 0 {
		lotlData, _, _ = cache.ReadHistory(fetch.HistoryLOTL, lotlSeq)
	}
	var terrs []string
	for n := range lists {
		terrs = append(terrs, n)
	}
	sort.Strings(terrs)
	if lotlData == nil {
		var err error
		if lotlData, _, err = cache.Read("lotl"); err != nil {
			return group{}, nil, &SideError{Side: strings.Join(terrs, ", "), Err: &trust.ListError{Territory: "EU", Verdict: trust.FetchFailed, Err: err}}
		}
		notes = append(notes, fmt.Sprintf("%s: the LOTL that pinned it is not kept; its signer is checked against the current cached LOTL", strings.Join(terrs, ", ")))
	}
	all := map[string][]byte{"lotl": lotlData}
	for n, d := range lists {
		all[n] = d
	}
	return group{src: fixed(all, fetch.OriginHistory, cache), territories: terrs}, notes, nil
}

// historySides are the sides without arguments: for each list the version
// kept before Since (or, Since zero, the previous kept version) against the
// current cached one.
func (dc *DiffConfig) historySides() (*side, *side, error) {
	cache, err := dc.cache()
	if err != nil {
		return nil, nil, err
	}
	names, err := cache.HistoryNames()
	if err != nil {
		return nil, nil, &SideError{Side: dc.CacheDir, Err: err}
	}
	label := "the previous accepted versions"
	if !dc.Since.IsZero() {
		label = "the newest versions accepted before " + dc.Since.UTC().Format(time.RFC3339)
	}
	old := &side{label: label + " (history of " + dc.CacheDir + ")"}
	byLOTL := map[int]map[string][]byte{}
	terrs := []string{}
	for _, n := range names {
		if dc.Country != "" && n != dc.Country && n != fetch.HistoryLOTL {
			continue
		}
		e, ok := pickHistory(cache, n, dc.Since)
		if !ok {
			continue
		}
		data, _, err := cache.ReadHistory(n, e.Sequence)
		if err != nil {
			return nil, nil, &SideError{Side: old.label, Err: err}
		}
		if n == fetch.HistoryLOTL {
			old.lotl = true
			old.groups = append(old.groups, group{src: fixed(map[string][]byte{"lotl": data}, fetch.OriginHistory, cache), territories: []string{}, primary: true})
			continue
		}
		if byLOTL[e.LOTLSequence] == nil {
			byLOTL[e.LOTLSequence] = map[string][]byte{}
		}
		byLOTL[e.LOTLSequence][n] = data
		terrs = append(terrs, n)
	}
	if !old.lotl && len(terrs) == 0 {
		what := "no earlier version is kept"
		if !dc.Since.IsZero() {
			what = "no version accepted before " + dc.Since.UTC().Format(time.RFC3339) + " is kept"
		}
		return nil, nil, &DiffSpecError{Err: fmt.Errorf("%w: %s in the history of %s (it grows with every load that writes the cache)", ErrNothingKept, what, dc.CacheDir)}
	}
	var seqs []int
	for s := range byLOTL {
		seqs = append(seqs, s)
	}
	sort.Ints(seqs)
	for _, s := range seqs {
		g, notes, err := historyGroup(cache, byLOTL[s], s)
		if err != nil {
			return nil, nil, err
		}
		old.groups, old.notes = append(old.groups, g), append(old.notes, notes...)
	}
	sort.Strings(terrs)
	cur := &side{label: "the current lists (cache " + dc.CacheDir + ")", lotl: old.lotl,
		groups: []group{{src: &fetch.Store{Cache: cache, Offline: true}, dir: dc.CacheDir, territories: terrs, primary: true}}}
	return old, cur, nil
}

// pickHistory chooses the old version of name: the newest accepted before
// since, or (since zero) the newest older than the current cached copy.
func pickHistory(cache *fetch.Cache, name string, since time.Time) (fetch.HistoryEntry, bool) {
	es, err := cache.History(name)
	if err != nil || len(es) == 0 {
		return fetch.HistoryEntry{}, false
	}
	if !since.IsZero() {
		for i := len(es) - 1; i >= 0; i-- {
			if !es[i].AcceptedAt.IsZero() && es[i].AcceptedAt.Before(since) {
				return es[i], true
			}
		}
		return fetch.HistoryEntry{}, false
	}
	current := 0
	if _, meta, err := cache.Read(name); err == nil && meta != nil {
		current = meta.Sequence
	}
	if current == 0 {
		current = es[len(es)-1].Sequence
	}
	return previous(es, current)
}

// previous is the newest entry older than sequence cur.
func previous(es []fetch.HistoryEntry, cur int) (fetch.HistoryEntry, bool) {
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Sequence < cur {
			return es[i], true
		}
	}
	return fetch.HistoryEntry{}, false
}

// verify verifies every group of a side; any list that does not verify
// fails the whole diff.
func (dc *DiffConfig) verify(ctx context.Context, prefix string, s *side, out *DiffSide, notes *[]string) (diff.Set, error) {
	set := diff.Set{Lists: map[string]*diff.Version{}}
	out.Label = s.label
	for _, n := range s.notes {
		*notes = append(*notes, prefix+n)
	}
	add := func(vl *trust.VerifiedList, pinnedBy int, primary bool) {
		if vl.List.IsLOTL() {
			if primary {
				set.LOTL, out.LOTL = version(vl), vl
			}
			return
		}
		set.Lists[vl.List.Territory] = version(vl)
		out.Lists = append(out.Lists, DiffList{VerifiedList: vl, PinnedBy: pinnedBy})
	}
	for _, g := range s.groups {
		if g.certs != nil {
			vl, err := trust.VerifyList(g.certData, trust.Expect{Allowed: g.certs, URL: s.label}, dc.sideOptions())
			if err != nil {
				return set, &SideError{Side: s.label, Err: err}
			}
			add(vl, 0, true)
			continue
		}
		cfg := dc.Config
		cfg.Territories, cfg.Progress, cfg.HistoryKeep = g.territories, nil, 0
		cfg.AllowExpiredUnsafe = true // freshness is shown, not enforced
		if g.dir != "" {
			cfg.CacheDir, cfg.Offline, cfg.Source = g.dir, true, nil
		} else {
			cfg.CacheDir, cfg.Offline, cfg.Timeout, cfg.LockWait, cfg.Source = "", false, 0, 0, g.src
		}
		loaded, err := Load(ctx, cfg)
		if err != nil {
			return set, err
		}
		res := loaded.Chain()
		outs := append([]trust.Outcome{res.LOTL}, res.Lists...)
		for i := range outs {
			if !outs[i].Usable() {
				return set, &SideError{Side: s.label, Chain: res, Err: outs[i].Err}
			}
		}
		for _, w := range loaded.Warnings() {
			*notes = append(*notes, prefix+s.label+": "+w)
		}
		add(res.LOTL.List, 0, g.primary)
		for i := range res.Lists {
			add(res.Lists[i].List, res.LOTL.List.List.SequenceNumber, false)
		}
	}
	sort.Slice(out.Lists, func(i, j int) bool { return out.Lists[i].List.Territory < out.Lists[j].List.Territory })
	return set, nil
}

func (dc *DiffConfig) sideOptions() trust.Options {
	at := dc.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	return trust.Options{At: at, AllowExpiredUnsafe: true}
}

func version(vl *trust.VerifiedList) *diff.Version {
	v := &diff.Version{List: vl.List}
	if vl.Signature != nil && vl.Signature.Signer != nil {
		v.SignerSHA256, v.SignerSubject = vl.Signature.SignerSHA256, vl.Signature.Signer.Subject
	}
	return v
}

// Change is what changed in one list since its previous kept version.
type Change struct {
	// Name is the list ("lotl" or a territory); Territory as the list says.
	Name, Territory string
	// Old is the previous kept sequence (0: none kept), New the current.
	Old, New int
	Events   []diff.Event
	// Err is set when the previous version did not verify.
	Err error
}

// Changes compares, for every list the load fetched anew, the previous
// version kept in the cache's history with the verified current one. Lists
// answered from the cache (unchanged) are left out.
func Changes(ctx context.Context, cfg Config, set *Set) []Change {
	cache, err := fetch.OpenCache(cfg.CacheDir, false)
	if err != nil || cfg.CacheDir == "" {
		return nil
	}
	res := set.Chain()
	outs := append([]trust.Outcome{res.LOTL}, res.Lists...)
	var changes []Change
	for i := range outs {
		o := &outs[i]
		if !o.Usable() || o.Origin != fetch.OriginNetwork {
			continue
		}
		name, ok := fetch.HistoryName(o.Name)
		if !ok {
			continue
		}
		c := Change{Name: name, Territory: o.Territory, New: o.List.List.SequenceNumber}
		es, _ := cache.History(name)
		prev, ok := previous(es, c.New)
		if !ok {
			changes = append(changes, c)
			continue
		}
		c.Old = prev.Sequence
		dc := DiffConfig{Config: cfg, Old: &Side{Kept: name, KeptSequence: prev.Sequence}}
		dc.Config.Offline = false
		old, err := dc.side(dc.Old)
		if err == nil {
			var s diff.Set
			var ds DiffSide
			var notes []string
			if s, err = dc.verify(ctx, "", old, &ds, &notes); err == nil {
				ov := s.LOTL
				if name != fetch.HistoryLOTL {
					ov = s.Lists[o.List.List.Territory]
				}
				if ov == nil {
					err = &trust.ListError{Territory: o.Territory, Verdict: trust.FetchFailed, Err: fs.ErrNotExist}
				} else {
					c.Events = diff.Lists(ov, version(o.List))
				}
			}
		}
		c.Err = err
		changes = append(changes, c)
	}
	return changes
}
