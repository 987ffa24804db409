package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
)

// loadSet fetches (or, offline, reads from the cache) and verifies the LOTL
// and the national lists (all, or only territories), updating the cache.
func (g *globalOptions) loadSet(ctx context.Context, territories []string, offline bool) (*trust.ChainResult, error) {
	anchors, err := g.anchors()
	if err != nil {
		return nil, err
	}
	cache, err := fetch.OpenCache(g.cacheDir, !offline)
	if err != nil {
		if errors.Is(err, fetch.ErrNewerCache) {
			return nil, usagef(err)
		}
		return nil, fmt.Errorf("opening the cache: %w", err)
	}
	store := &fetch.Store{Cache: cache, Offline: offline, Now: g.env.Now, ToolVersion: Version}
	if !offline {
		lockCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		unlock, err := cache.Lock(lockCtx)
		cancel()
		if err != nil {
			return nil, err
		}
		defer unlock()
		if err := cache.Prepare(); err != nil {
			if errors.Is(err, fetch.ErrNewerCache) {
				return nil, usagef(err)
			}
			return nil, fmt.Errorf("preparing the cache: %w", err)
		}
		store.Client = fetch.NewClient(fetch.Options{
			UserAgent: "eutl/" + Version, Timeout: g.timeout, Transport: g.env.Transport,
			BaseDelay: g.env.RetryBaseDelay,
		})
	}
	ojURI := ""
	if g.trustAnchors == "" {
		ojURI = trust.OfficialJournalURI
	}
	opts := trust.ChainOptions{
		Options: g.trustOptions(), LOTLURL: g.lotlURL, Anchors: anchors, OJURI: ojURI,
		Territories: territories, Concurrency: g.concurrency,
		PivotWalkTimeout: pivotWalkTimeout(g.timeout),
	}
	bar := g.progress()
	if bar != nil {
		opts.Progress = bar.event
	}
	res := trust.Chain(ctx, store, opts)
	if bar != nil {
		bar.finish()
	}
	if err := store.Flush(); err != nil {
		g.warn("could not save rollback state in %s: %v", g.cacheDir, err)
	}
	if ctx.Err() != nil {
		return nil, &exitError{code: ExitInterrupted, msg: "interrupted: " + ctx.Err().Error() + "; the cache keeps what was verified before"}
	}
	if res.Err != nil {
		return nil, res.Err
	}
	for _, w := range res.Warnings {
		g.warn("%s", w)
	}
	return res, nil
}

// pivotWalkTimeout is the one deadline of the whole pivot walk: one and a
// half times the per-request timeout (45s by default), so that a request
// and its one retry may not both use their whole timeout, and pivots that
// never answer cost one deadline, not one per pivot.
func pivotWalkTimeout(perRequest time.Duration) time.Duration {
	return perRequest * 3 / 2
}

// chainCode is the exit code of a chain result: 0 when the LOTL and every
// list are usable, else 4 or 5 (4 before 5).
func chainCode(res *trust.ChainResult) int {
	code := ExitOK
	outs := append([]trust.Outcome{res.LOTL}, res.Lists...)
	for i := range outs {
		if !outs[i].Usable() {
			code = worse(code, verdictCode(outs[i].Verdict()))
		}
	}
	return code
}

// listsReport turns a chain result into the fetch/lists report.
func (g *globalOptions) listsReport(res *trust.ChainResult) report.Lists {
	r := report.Lists{SchemaVersion: report.SchemaVersion, At: g.at.Format(time.RFC3339), Anchors: res.Anchors.Name,
		LOTL: report.FromOutcome(&res.LOTL), Pivots: []report.List{}, Lists: []report.List{}, Warnings: res.Warnings, Overrides: g.overrides()}
	for i := range res.Pivots {
		r.Pivots = append(r.Pivots, report.FromOutcome(&res.Pivots[i]))
	}
	for i := range res.Lists {
		o := &res.Lists[i]
		l := report.FromOutcome(o)
		r.Lists = append(r.Lists, l)
		if o.Usable() {
			r.Summary.ListsValid++
			r.Summary.Providers += l.Providers
			r.Summary.Services += l.Services
			r.Summary.QualifiedServices += l.Qualified
			r.Summary.QualifiedProviders += l.QualifiedProviders
		} else {
			r.Summary.ListsFailed++
		}
	}
	sort.SliceStable(r.Lists, func(i, j int) bool { return r.Lists[i].Territory < r.Lists[j].Territory })
	return r
}

// progressBar shows the chain's progress on stderr.
type progressBar struct {
	bar *progressbar.ProgressBar
}

func (g *globalOptions) progress() *progressBar {
	if g.quiet || !g.env.StderrIsTerminal {
		return nil
	}
	return &progressBar{bar: progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(g.env.Stderr),
		progressbar.OptionSetDescription("verifying the LOTL"),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)}
}

func (p *progressBar) event(e trust.Event) {
	if e.Total > 0 {
		p.bar.ChangeMax(e.Total)
		p.bar.Describe("verifying national lists")
		return
	}
	if e.Done != "" && e.Done != "EU" && len(e.Done) == 2 {
		p.bar.Add(1)
	}
}

func (p *progressBar) finish() {
	p.bar.Finish()
	p.bar.Clear()
}
