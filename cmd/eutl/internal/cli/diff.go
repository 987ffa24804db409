package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/diff"
	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
)

// ExitChanged is diff's answer "some change matches the filters"; it shares
// 3 with check's "not qualified": the value a scheduled job alerts on.
const ExitChanged = ExitNotQualified

type diffFlags struct {
	since    string
	provider string
	country  string
	service  string
	lotl     string
	certs    []string
}

func newDiffCmd(g *globalOptions) *cobra.Command {
	var f diffFlags
	cmd := &cobra.Command{
		Use:   "diff [OLD NEW]",
		Short: "What changed between two verified versions of the lists, in provider terms",
		Long: `Compare two versions of the Trusted Lists and list what changed: providers and services
added, removed or renamed, statuses changed (with their instant), status history rewritten,
additional information, qualifiers, criteria and certificates changed, services taken over;
for each list its sequence, signer, NextUpdate and scheme operator; for the LOTL its pointers,
their certificates, its pivots and the Official Journal notice.

A side is a cache or offline snapshot directory, a list or LOTL file, a version kept in the
cache's history (BE@80, lotl@388) or the current cached list (BE, lotl). Without arguments,
the previous accepted version of every list is compared with the current one; with --since
DATE, the newest version accepted before DATE. Both sides are verified first (signature,
signer pinned by that side's own LOTL, or --lotl / --cert for a bare list file, type and
territory); a side that does not verify is a trust failure, never a diff. A side's age is no
reason to refuse it: NextUpdate is shown, not enforced.

Exit status: 0 when no change matches the filters, 3 when some do, 4 when a side did not
verify, 5 when a side could not be read, 2 for usage errors.`,
		Example: `  eutl diff BE@80 BE@81
  eutl diff --since 2026-06-01 --country BE --format json
  eutl diff ./snapshot-2026-05 ./snapshot-2026-08 --provider VATBE-0541659084
  eutl diff tsl-be-80.xml tsl-be-81.xml --lotl eu-lotl.xml`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.runDiff(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.since, "since", "", "compare the newest versions accepted before this date (RFC 3339 or YYYY-MM-DD) with the current ones")
	fl.StringVar(&f.provider, "provider", "", "only changes of providers matching this name, trade name or identifier (as check matches)")
	fl.StringVar(&f.country, "country", "", "only changes of this territory (and the LOTL's pointer to it)")
	fl.StringVar(&f.service, "service", "", "only changes of services of this type (alias, URI or tail, as check takes it)")
	fl.StringVar(&f.lotl, "lotl", "", "LOTL file whose pointers pin the signers of bare list files")
	fl.StringArrayVar(&f.certs, "cert", nil, "PEM certificate allowed to sign bare list files (repeatable)")
	return cmd
}

// sideGroup is what one verification run checks: a source with a LOTL and
// the lists that LOTL pins (or a file checked against --cert).
type sideGroup struct {
	src         trust.Source
	territories []string // nil: every list; empty: the LOTL only
	primary     bool     // its LOTL is the side's LOTL
	certData    []byte   // a file verified against certs
	certs       [][]byte
}

// diffSide is one side before verification.
type diffSide struct {
	source string
	groups []sideGroup
	// lotl: the side is a whole set or a LOTL, whose LOTL is compared.
	lotl bool
	// territory of a single-list side.
	territory string
	notes     []string
}

// kind says what a side holds: "set" (a LOTL and its lists), "lotl" (a
// LOTL alone) or "list" (one national list).
func (s *diffSide) kind() string {
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

// narrow limits a whole set to what the other side holds: one territory
// (terrs) or the LOTL alone (empty terrs).
func (s *diffSide) narrow(terrs []string) {
	for i := range s.groups {
		s.groups[i].territories = terrs
	}
}

// pairSides checks that two sides can be compared and narrows a whole set
// to what the other side holds.
func pairSides(old, cur *diffSide) error {
	ok, ck := old.kind(), cur.kind()
	switch {
	case ok == "list" && ck == "list" && old.territory != cur.territory:
		return usagef(fmt.Errorf("the sides are lists of different territories (%s, %s)", old.territory, cur.territory))
	case ok == "lotl" && ck == "list" || ok == "list" && ck == "lotl":
		return usagef(errors.New("one side is a LOTL, the other a national list: compare a LOTL with a LOTL, a list with a list"))
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

var (
	historyRef = regexp.MustCompile(`^([A-Za-z]{2}|lotl|LOTL)@([0-9]+)$`)
	currentRef = regexp.MustCompile(`^([A-Z]{2}|lotl)$`)
)

func (g *globalOptions) runDiff(cmd *cobra.Command, args []string, f diffFlags) error {
	ctx := cmd.Context()
	filter := diff.Filter{Provider: strings.TrimSpace(f.provider)}
	if f.country != "" {
		filter.Country = query.CountryAlias(f.country)
	}
	if f.service != "" {
		k, err := query.ParseKind(f.service)
		if err != nil {
			return usagef(fmt.Errorf("--service: %w", err))
		}
		filter.Service = &k
	}
	if f.lotl != "" && len(f.certs) > 0 {
		return usagef(errors.New("give --lotl or --cert, not both"))
	}
	var old, cur *diffSide
	var err error
	switch {
	case len(args) == 1:
		return usagef(errors.New("give two sides (OLD NEW), or none to compare the previous accepted versions with the current ones"))
	case len(args) == 2 && f.since != "":
		return usagef(errors.New("--since compares the history with the current lists: give no sides with it"))
	case len(args) == 2:
		if old, err = g.resolveSide(args[0], f, filter.Country); err != nil {
			return err
		}
		if cur, err = g.resolveSide(args[1], f, filter.Country); err != nil {
			return err
		}
		if err := pairSides(old, cur); err != nil {
			return err
		}
	default:
		var since time.Time
		if f.since != "" {
			if since, err = query.ParseAt(f.since); err != nil {
				return usagef(fmt.Errorf("--since: %w", err))
			}
		}
		if old, cur, err = g.historySides(since, filter.Country); err != nil {
			return err
		}
	}
	oldSet, oldRep, err := g.verifySide(ctx, "old", old)
	if err != nil {
		return err
	}
	newSet, newRep, err := g.verifySide(ctx, "new", cur)
	if err != nil {
		return err
	}
	if !old.lotl || !cur.lotl {
		oldSet.LOTL, newSet.LOTL = nil, nil
	}
	events := filter.Apply(diff.Sets(oldSet, newSet))
	out := report.Diff{
		SchemaVersion: report.SchemaVersion, At: g.at.Format(time.RFC3339), ExpiryCheck: report.ExpiryNotEnforced,
		Old: oldRep, New: newRep, Events: events, Summary: report.NewDiffSummary(events), Overrides: g.overrides(),
		Filters: report.DiffFilters{Provider: filter.Provider, Country: filter.Country, Service: f.service},
	}
	if err := report.WriteDiff(cmd.OutOrStdout(), g.format, out); err != nil {
		return err
	}
	if len(events) > 0 {
		return &exitError{code: ExitChanged}
	}
	return nil
}

// resolveSide reads one side argument.
func (g *globalOptions) resolveSide(arg string, f diffFlags, country string) (*diffSide, error) {
	p := g.path(arg)
	st, statErr := os.Stat(p)
	if m := historyRef.FindStringSubmatch(arg); m != nil && statErr != nil {
		seq, _ := strconv.Atoi(m[2])
		cache, err := g.readCache(g.cacheDir)
		if err != nil {
			return nil, err
		}
		name, _ := fetch.HistoryName(strings.ToUpper(m[1]))
		if strings.EqualFold(m[1], "lotl") {
			name = fetch.HistoryLOTL
		}
		data, e, err := cache.ReadHistory(name, seq)
		if err != nil {
			if errors.Is(err, fetch.ErrNotInHistory) {
				return nil, g.notKept(cache, name, err)
			}
			return nil, err
		}
		s := &diffSide{source: arg}
		if name == fetch.HistoryLOTL {
			s.lotl = true
			s.groups = []sideGroup{{src: &fetch.Fixed{Lists: map[string][]byte{"lotl": data}, Origin: "history", Pivots: cache}, territories: []string{}, primary: true}}
			return s, nil
		}
		s.territory = name
		grp, note, err := g.historyGroup(cache, map[string][]byte{name: data}, e.LOTLSequence)
		if err != nil {
			return nil, err
		}
		s.groups, s.notes = []sideGroup{grp}, append(s.notes, note...)
		return s, nil
	}
	if m := currentRef.FindStringSubmatch(arg); m != nil && statErr != nil {
		cache, err := g.readCache(g.cacheDir)
		if err != nil {
			return nil, err
		}
		src := &fetch.Store{Cache: cache, Offline: true}
		if m[1] == "lotl" {
			return &diffSide{source: arg + " (cached)", lotl: true, groups: []sideGroup{{src: src, territories: []string{}, primary: true}}}, nil
		}
		return &diffSide{source: arg + " (cached)", territory: m[1], groups: []sideGroup{{src: src, territories: []string{m[1]}, primary: true}}}, nil
	}
	switch {
	case statErr != nil:
		return nil, usagef(fmt.Errorf("%s is neither a cache directory, a list file, NAME@SEQUENCE nor a territory: %w", arg, statErr))
	case st.IsDir():
		cache, err := g.readCache(p)
		if err != nil {
			return nil, err
		}
		grp := sideGroup{src: &fetch.Store{Cache: cache, Offline: true}, primary: true}
		if country != "" {
			grp.territories = []string{country}
		}
		return &diffSide{source: arg, lotl: true, groups: []sideGroup{grp}}, nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, usagef(fmt.Errorf("cannot read %s: %w", arg, err))
	}
	terr := trust.PeekTerritory(data)
	s := &diffSide{source: arg, territory: terr}
	if len(f.certs) > 0 {
		certs, err := readCertFiles(g.paths(f.certs))
		if err != nil {
			return nil, usagef(err)
		}
		s.lotl = terr == "EU"
		s.groups = []sideGroup{{certData: data, certs: certs, primary: true}}
		return s, nil
	}
	pivots, _ := fetch.OpenCache(g.cacheDir, false)
	if terr == "EU" {
		s.lotl, s.territory = true, ""
		s.groups = []sideGroup{{src: &fetch.Fixed{Lists: map[string][]byte{"lotl": data}, Origin: "file", Pivots: pivots}, territories: []string{}, primary: true}}
		return s, nil
	}
	var lotlData []byte
	switch {
	case f.lotl != "":
		if lotlData, err = os.ReadFile(g.path(f.lotl)); err != nil {
			return nil, usagef(fmt.Errorf("cannot read --lotl file: %w", err))
		}
	case pivots != nil:
		if lotlData, _, err = pivots.Read("lotl"); err != nil {
			return nil, usagef(fmt.Errorf("%s: give the LOTL that pins its signer with --lotl, or its signer with --cert (the cache %s has no LOTL)", arg, g.cacheDir))
		}
		s.notes = append(s.notes, arg+": signer pinned by the cached LOTL")
	default:
		return nil, usagef(fmt.Errorf("%s: give the LOTL that pins its signer with --lotl, or its signer with --cert", arg))
	}
	if terr == "" {
		terr = "??"
	}
	s.groups = []sideGroup{{src: &fetch.Fixed{Lists: map[string][]byte{"lotl": lotlData, terr: data}, Origin: "file", Pivots: pivots}, territories: []string{terr}, primary: true}}
	return s, nil
}

func (g *globalOptions) readCache(dir string) (*fetch.Cache, error) {
	c, err := fetch.OpenCache(dir, false)
	if err != nil {
		if errors.Is(err, fetch.ErrNewerCache) {
			return nil, usagef(err)
		}
		return nil, &trust.ListError{Verdict: trust.FetchFailed, Err: err}
	}
	return c, nil
}

// notKept explains a history reference that is not kept.
func (g *globalOptions) notKept(cache *fetch.Cache, name string, err error) error {
	es, _ := cache.History(name)
	var seqs []string
	for _, e := range es {
		seqs = append(seqs, strconv.Itoa(e.Sequence))
	}
	kept := "none"
	if len(seqs) > 0 {
		kept = strings.Join(seqs, ", ")
	}
	return usagef(fmt.Errorf("%w; kept versions of %s: %s", err, name, kept))
}

// historyGroup verifies kept lists against the LOTL that pinned them when
// they were accepted; when that LOTL is no longer kept (or was accepted by
// an eutl without history), against the current cached LOTL, and says so.
func (g *globalOptions) historyGroup(cache *fetch.Cache, lists map[string][]byte, lotlSeq int) (sideGroup, []string, error) {
	var notes []string
	var lotlData []byte
	if lotlSeq > 0 {
		lotlData, _, _ = cache.ReadHistory(fetch.HistoryLOTL, lotlSeq)
	}
	if lotlData == nil {
		var err error
		if lotlData, _, err = cache.Read("lotl"); err != nil {
			return sideGroup{}, nil, &trust.ListError{Territory: "EU", Verdict: trust.FetchFailed, Err: err}
		}
		var names []string
		for n := range lists {
			names = append(names, n)
		}
		sort.Strings(names)
		notes = append(notes, fmt.Sprintf("%s: the LOTL that pinned it is not kept; its signer is checked against the current cached LOTL", strings.Join(names, ", ")))
	}
	all := map[string][]byte{"lotl": lotlData}
	var terrs []string
	for n, d := range lists {
		all[n] = d
		terrs = append(terrs, n)
	}
	sort.Strings(terrs)
	return sideGroup{src: &fetch.Fixed{Lists: all, Origin: "history", Pivots: cache}, territories: terrs}, notes, nil
}

// historySides are the sides of a diff without arguments: for each list the
// version kept before since (or, when since is zero, the previous kept
// version) against the current cached one.
func (g *globalOptions) historySides(since time.Time, country string) (*diffSide, *diffSide, error) {
	cache, err := g.readCache(g.cacheDir)
	if err != nil {
		return nil, nil, err
	}
	names, err := cache.HistoryNames()
	if err != nil {
		return nil, nil, err
	}
	label := "the previous accepted versions"
	if !since.IsZero() {
		label = "the newest versions accepted before " + since.Format(time.RFC3339)
	}
	old := &diffSide{source: label + " (history of " + g.cacheDir + ")", lotl: true}
	byLOTL := map[int]map[string][]byte{}
	var terrs []string
	haveLOTL := false
	for _, n := range names {
		if country != "" && n != country && n != fetch.HistoryLOTL {
			continue
		}
		e, ok := g.pickHistory(cache, n, since)
		if !ok {
			continue
		}
		data, _, err := cache.ReadHistory(n, e.Sequence)
		if err != nil {
			return nil, nil, err
		}
		if n == fetch.HistoryLOTL {
			haveLOTL = true
			old.groups = append(old.groups, sideGroup{src: &fetch.Fixed{Lists: map[string][]byte{"lotl": data}, Origin: "history", Pivots: cache}, territories: []string{}, primary: true})
			continue
		}
		if byLOTL[e.LOTLSequence] == nil {
			byLOTL[e.LOTLSequence] = map[string][]byte{}
		}
		byLOTL[e.LOTLSequence][n] = data
		terrs = append(terrs, n)
	}
	if !haveLOTL && len(terrs) == 0 {
		what := "no earlier version is kept"
		if !since.IsZero() {
			what = "no version accepted before " + since.Format(time.RFC3339) + " is kept"
		}
		return nil, nil, usagef(fmt.Errorf("%s in the history of %s (it grows with every 'eutl fetch'; see --keep)", what, g.cacheDir))
	}
	var seqs []int
	for s := range byLOTL {
		seqs = append(seqs, s)
	}
	sort.Ints(seqs)
	for _, s := range seqs {
		grp, notes, err := g.historyGroup(cache, byLOTL[s], s)
		if err != nil {
			return nil, nil, err
		}
		old.groups, old.notes = append(old.groups, grp), append(old.notes, notes...)
	}
	sort.Strings(terrs)
	if terrs == nil {
		terrs = []string{}
	}
	cur := &diffSide{source: "the current lists (cache " + g.cacheDir + ")", lotl: haveLOTL,
		groups: []sideGroup{{src: &fetch.Store{Cache: cache, Offline: true}, territories: terrs, primary: true}}}
	old.lotl = haveLOTL
	return old, cur, nil
}

// pickHistory chooses the old version of name: the newest accepted before
// since, or (since zero) the newest older than the current cached copy.
func (g *globalOptions) pickHistory(cache *fetch.Cache, name string, since time.Time) (fetch.HistoryEntry, bool) {
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
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Sequence < current {
			return es[i], true
		}
	}
	return fetch.HistoryEntry{}, false
}

// diffOptions verify a side with every check but freshness: NextUpdate is
// reported, not enforced.
func (g *globalOptions) diffOptions() trust.Options {
	return trust.Options{At: g.at, Now: g.now, AllowExpiredUnsafe: true}
}

// verifySide verifies every group of a side; any list that does not verify
// fails the whole diff (4 or 5).
func (g *globalOptions) verifySide(ctx context.Context, label string, s *diffSide) (diff.Set, report.DiffSide, error) {
	set := diff.Set{Lists: map[string]*diff.Version{}}
	rep := report.DiffSide{Source: s.source, Lists: []report.DiffList{}}
	for _, n := range s.notes {
		g.note("%s side: %s", label, n)
	}
	add := func(vl *trust.VerifiedList, pinnedBy string, primary bool) {
		v := &diff.Version{List: vl.List}
		if vl.Signature != nil && vl.Signature.Signer != nil {
			v.SignerSHA256, v.SignerSubject = vl.Signature.SignerSHA256, vl.Signature.Signer.Subject
		}
		dl := report.DiffList{Territory: vl.List.Territory, Sequence: vl.List.SequenceNumber, Issued: utcPtr(vl.List.IssueDate),
			NextUpdate: utcPtr(vl.List.NextUpdate), Expired: vl.Verdict == trust.Expired, SHA256: vl.SHA256, Signer: v.SignerSHA256, PinnedBy: pinnedBy}
		if vl.List.IsLOTL() {
			if primary {
				set.LOTL = v
				dl.PinnedBy = ""
				rep.LOTL = &dl
			}
			return
		}
		set.Lists[vl.List.Territory] = v
		rep.Lists = append(rep.Lists, dl)
	}
	for _, grp := range s.groups {
		if grp.certs != nil {
			vl, err := trust.VerifyList(grp.certData, trust.Expect{Allowed: grp.certs, URL: s.source}, g.diffOptions())
			if err != nil {
				return set, rep, fmt.Errorf("%s side %s did not verify: %w", label, s.source, err)
			}
			add(vl, "--cert", true)
			continue
		}
		cfg, err := g.config(grp.territories, true)
		if err != nil {
			return set, rep, err
		}
		// Every check but freshness: NextUpdate is shown, not enforced.
		cfg.AllowExpiredUnsafe, cfg.HistoryKeep = true, 0
		if st, ok := grp.src.(*fetch.Store); ok {
			cfg.CacheDir = st.Cache.Dir
		} else {
			cfg.CacheDir, cfg.Offline, cfg.Timeout, cfg.Source = "", false, 0, grp.src
		}
		loaded, err := eutl.Load(ctx, cfg)
		var ie *eutl.InterruptedError
		switch {
		case errors.As(err, &ie):
			return set, rep, &exitError{code: ExitInterrupted, msg: err.Error()}
		case errors.Is(err, fetch.ErrNewerCache):
			return set, rep, usagef(err)
		case err != nil:
			return set, rep, err
		}
		res := loaded.Chain()
		if code := chainCode(res); code != ExitOK {
			return set, rep, &exitError{code: code, msg: label + " side " + s.source + " did not verify (a side that does not verify is never compared):\n" + failedSummary(res)}
		}
		for _, w := range loaded.Warnings() {
			g.note("%s side: %s", label, w)
		}
		add(res.LOTL.List, "", grp.primary)
		for i := range res.Lists {
			add(res.Lists[i].List, "LOTL "+strconv.Itoa(res.LOTL.List.List.SequenceNumber), false)
		}
	}
	report.SortDiffLists(rep.Lists)
	return set, rep, nil
}

func utcPtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// fetchSummary prints one line on what changed since the previous accepted
// versions of the lists this run fetched anew.
func (g *globalOptions) fetchSummary(ctx context.Context, res *trust.ChainResult) {
	if g.quiet {
		return
	}
	cache, err := fetch.OpenCache(g.cacheDir, false)
	if err != nil {
		return
	}
	outs := append([]trust.Outcome{res.LOTL}, res.Lists...)
	var parts []string
	total := 0
	for i := range outs {
		o := &outs[i]
		if !o.Usable() || o.Origin != fetch.OriginNetwork {
			continue
		}
		name, _ := fetch.HistoryName(o.Name)
		terr := o.Territory
		cur := o.List.List.SequenceNumber
		prev, ok := previousEntry(cache, name, cur)
		if !ok {
			parts = append(parts, fmt.Sprintf("%s %d (no earlier version kept)", terr, cur))
			continue
		}
		ev, err := g.diffWithPrevious(ctx, cache, name, prev, o.List)
		if err != nil {
			parts = append(parts, fmt.Sprintf("%s %d→%d (the previous version did not verify: %v)", terr, prev.Sequence, cur, err))
			continue
		}
		total += len(ev)
		s := diff.Summary(ev)
		if s == "" {
			s = "no change"
		}
		parts = append(parts, fmt.Sprintf("%s %d→%d: %s", terr, prev.Sequence, cur, s))
	}
	if len(parts) == 0 {
		g.note("no list changed since the previous accepted versions")
		return
	}
	g.note("since the previous accepted versions: %s ('eutl diff' lists the %d change(s))", strings.Join(parts, "; "), total)
}

func previousEntry(cache *fetch.Cache, name string, cur int) (fetch.HistoryEntry, bool) {
	es, err := cache.History(name)
	if err != nil {
		return fetch.HistoryEntry{}, false
	}
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Sequence < cur {
			return es[i], true
		}
	}
	return fetch.HistoryEntry{}, false
}

// diffWithPrevious verifies a kept version and compares it with vl.
func (g *globalOptions) diffWithPrevious(ctx context.Context, cache *fetch.Cache, name string, prev fetch.HistoryEntry, vl *trust.VerifiedList) ([]diff.Event, error) {
	data, _, err := cache.ReadHistory(name, prev.Sequence)
	if err != nil {
		return nil, err
	}
	var side *diffSide
	if name == fetch.HistoryLOTL {
		side = &diffSide{source: name + "@" + strconv.Itoa(prev.Sequence), lotl: true, groups: []sideGroup{{src: &fetch.Fixed{Lists: map[string][]byte{"lotl": data}, Origin: "history", Pivots: cache}, territories: []string{}, primary: true}}}
	} else {
		grp, _, err := g.historyGroup(cache, map[string][]byte{name: data}, prev.LOTLSequence)
		if err != nil {
			return nil, err
		}
		side = &diffSide{source: name + "@" + strconv.Itoa(prev.Sequence), groups: []sideGroup{grp}}
	}
	quiet := g.quiet
	g.quiet = true // the notes of this verification are not the fetch's
	set, _, err := g.verifySide(ctx, "previous", side)
	g.quiet = quiet
	if err != nil {
		return nil, err
	}
	cur := &diff.Version{List: vl.List}
	if vl.Signature != nil && vl.Signature.Signer != nil {
		cur.SignerSHA256, cur.SignerSubject = vl.Signature.SignerSHA256, vl.Signature.Signer.Subject
	}
	var old *diff.Version
	if name == fetch.HistoryLOTL {
		old = set.LOTL
	} else {
		old = set.Lists[vl.List.Territory]
	}
	if old == nil {
		return nil, &trust.ListError{Territory: vl.List.Territory, Verdict: trust.FetchFailed, Err: fs.ErrNotExist}
	}
	return diff.Lists(old, cur), nil
}
