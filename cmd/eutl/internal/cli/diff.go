package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
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

var (
	historyRef = regexp.MustCompile(`^([A-Za-z]{2}|lotl|LOTL)@([0-9]+)$`)
	currentRef = regexp.MustCompile(`^([A-Z]{2}|lotl)$`)
)

// side reads a side argument: a directory, a file, NAME@SEQUENCE (kept in
// the history) or NAME (cached now). A path that exists wins.
func (g *globalOptions) side(arg string) (*eutl.Side, error) {
	p := g.path(arg)
	st, statErr := os.Stat(p)
	if statErr == nil {
		if st.IsDir() {
			return &eutl.Side{Dir: p, Label: arg}, nil
		}
		return &eutl.Side{File: p, Label: arg}, nil
	}
	if m := historyRef.FindStringSubmatch(arg); m != nil {
		seq, _ := strconv.Atoi(m[2])
		name := strings.ToUpper(m[1])
		if name == "LOTL" {
			name = "lotl"
		}
		return &eutl.Side{Kept: name, KeptSequence: seq, Label: arg}, nil
	}
	if currentRef.MatchString(arg) {
		return &eutl.Side{Current: arg}, nil
	}
	return nil, usagef(fmt.Errorf("%s is neither a cache directory, a list file, NAME@SEQUENCE nor a territory: %w", arg, statErr))
}

func (g *globalOptions) runDiff(cmd *cobra.Command, args []string, f diffFlags) error {
	ctx := cmd.Context()
	cfg, err := g.config(nil, true)
	if err != nil {
		return err
	}
	dc := eutl.DiffConfig{Config: cfg, Filter: diff.Filter{Provider: strings.TrimSpace(f.provider)}}
	if f.country != "" {
		dc.Country = query.CountryAlias(f.country)
	}
	if f.service != "" {
		k, err := query.ParseKind(f.service)
		if err != nil {
			return usagef(fmt.Errorf("--service: %w", err))
		}
		dc.Filter.Service = &k
	}
	switch {
	case f.lotl != "" && len(f.certs) > 0:
		return usagef(errors.New("give --lotl or --cert, not both"))
	case f.lotl != "":
		if dc.PinLOTL, err = os.ReadFile(g.path(f.lotl)); err != nil {
			return usagef(fmt.Errorf("cannot read --lotl file: %w", err))
		}
	case len(f.certs) > 0:
		if dc.PinCerts, err = readCertFiles(g.paths(f.certs)); err != nil {
			return usagef(err)
		}
	}
	switch {
	case len(args) == 1:
		return usagef(errors.New("give two sides (OLD NEW), or none to compare the previous accepted versions with the current ones"))
	case len(args) == 2:
		if dc.Old, err = g.side(args[0]); err != nil {
			return err
		}
		if dc.New, err = g.side(args[1]); err != nil {
			return err
		}
	}
	if f.since != "" {
		if dc.Since, err = query.ParseAt(f.since); err != nil {
			return usagef(fmt.Errorf("--since: %w", err))
		}
	}
	restoreGC := g.lowGC()
	res, err := eutl.Diff(ctx, dc)
	restoreGC()
	if err != nil {
		return g.diffError(err)
	}
	for _, n := range res.Notes {
		g.note("%s", n)
	}
	out := report.Diff{
		SchemaVersion: report.SchemaVersion, At: g.at.Format(time.RFC3339), ExpiryCheck: report.ExpiryNotEnforced,
		Old: diffSideReport(res.Old), New: diffSideReport(res.New), Events: report.DiffEvents(res.Events), Summary: report.NewDiffSummary(res.Events),
		Overrides: g.overrides(), Filters: report.DiffFilters{Provider: dc.Filter.Provider, Country: dc.Filter.Country, Service: f.service},
	}
	if err := report.WriteDiff(cmd.OutOrStdout(), g.format, out); err != nil {
		return err
	}
	if len(res.Events) > 0 {
		return &exitError{code: ExitChanged}
	}
	return nil
}

// diffError maps what eutl.Diff refused to an exit code.
func (g *globalOptions) diffError(err error) error {
	var spec *eutl.DiffSpecError
	var se *eutl.SideError
	var ie *eutl.InterruptedError
	var ce *eutl.ConfigError
	switch {
	case errors.Is(err, eutl.ErrNothingKept):
		return &exitError{code: ExitUsage, msg: err.Error(), hints: []string{"the history grows with every 'eutl fetch'; --keep N bounds it (default 12 versions of each list)"}}
	case errors.Is(err, eutl.ErrNoPin):
		return usagef(fmt.Errorf("%w: give the LOTL that pins its signer with --lotl, or its signer with --cert", err))
	case errors.As(err, &spec), errors.As(err, &ce), errors.Is(err, fetch.ErrNewerCache):
		return usagef(err)
	case errors.As(err, &ie):
		return &exitError{code: ExitInterrupted, msg: err.Error()}
	case errors.As(err, &se) && se.Chain != nil:
		who := se.Side
		if se.Role != "" {
			who = se.Role + " side " + who
		}
		return &exitError{code: chainCode(se.Chain), msg: who + " did not verify (a side that does not verify is never compared):\n" + failedSummary(se.Chain)}
	case errors.As(err, &se):
		code := exitCode(se.Err)
		if code == ExitInternal {
			code = ExitFetch
		}
		return &exitError{code: code, msg: err.Error()}
	}
	return err
}

func diffSideReport(s eutl.DiffSide) report.DiffSide {
	out := report.DiffSide{Source: s.Label, Lists: []report.DiffList{}}
	if s.LOTL != nil {
		l := diffListReport(s.LOTL, "")
		out.LOTL = &l
	}
	for _, l := range s.Lists {
		pinned := "--cert"
		if l.PinnedBy > 0 {
			pinned = "LOTL " + strconv.Itoa(l.PinnedBy)
		}
		out.Lists = append(out.Lists, diffListReport(l.VerifiedList, pinned))
	}
	return out
}

func diffListReport(vl *trust.VerifiedList, pinnedBy string) report.DiffList {
	dl := report.DiffList{Territory: vl.List.Territory, Sequence: vl.List.SequenceNumber, Issued: utcPtr(vl.List.IssueDate),
		NextUpdate: utcPtr(vl.List.NextUpdate), Expired: vl.Verdict == trust.Expired, SHA256: vl.SHA256, PinnedBy: pinnedBy}
	if vl.Signature != nil {
		dl.Signer = vl.Signature.SignerSHA256
	}
	return dl
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
func (g *globalOptions) fetchSummary(ctx context.Context, set *eutl.Set) {
	if g.quiet {
		return
	}
	cfg, err := g.config(nil, false)
	if err != nil {
		return
	}
	var parts []string
	total := 0
	for _, c := range eutl.Changes(ctx, cfg, set) {
		switch {
		case c.Old == 0:
			parts = append(parts, fmt.Sprintf("%s %d (no earlier version kept)", c.Territory, c.New))
		case c.Err != nil:
			parts = append(parts, fmt.Sprintf("%s %d→%d (the previous version did not verify: %v)", c.Territory, c.Old, c.New, c.Err))
		default:
			total += len(c.Events)
			s := diff.Summary(c.Events)
			if s == "" {
				s = "no change"
			}
			parts = append(parts, fmt.Sprintf("%s %d→%d: %s", c.Territory, c.Old, c.New, s))
		}
	}
	if len(parts) == 0 {
		g.note("no list changed since the previous accepted versions")
		return
	}
	g.note("since the previous accepted versions: %s ('eutl diff' lists the %d change(s))", strings.Join(parts, "; "), total)
}
