package cli

import (
	"context"
	"errors"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/snapshot"
	"github.com/eutl/eutl/pkg/trust"
)

// loadSet loads and verifies the lists (all, or only territories) with one
// library call, showing progress and printing the load's warnings.
func (g *globalOptions) loadSet(ctx context.Context, territories []string, offline bool) (*eutl.Set, error) {
	return g.loadSetFor(ctx, territories, offline, false)
}

// loadSetFor is loadSet; with perQuestion the lists are verified on
// everything but freshness, which the index decides for each question's
// instant (one model of time for check, batch, providers and show).
func (g *globalOptions) loadSetFor(ctx context.Context, territories []string, offline, perQuestion bool) (*eutl.Set, error) {
	cfg, err := g.config(territories, offline)
	if err != nil {
		return nil, err
	}
	cfg.FreshnessPerQuestion = perQuestion
	var arch *snapshot.Archive
	switch {
	case g.env.replay != nil:
		arch = g.env.replay.archive
		cfg.Source = arch.Source(true, g.at)
		cfg.Territories = g.env.replay.territories
		if g.env.replay.builtin {
			cfg.CustomAnchorsUnsafe = nil
		} else {
			a := g.env.replay.anchors
			cfg.CustomAnchorsUnsafe = &a
		}
	case g.snapshot != "":
		if arch, err = g.openSnapshot(ctx); err != nil {
			return nil, err
		}
		cfg.Source = arch.Source(false, g.at)
	}
	if arch != nil {
		cfg.LOTLURL = arch.Manifest.LOTLURL
		cfg.CacheDir, cfg.Offline, cfg.Timeout = "", false, 0
	}
	g.rec = nil
	if g.record || g.ev != nil {
		// snapshot create and --evidence write the exact bytes verified.
		cfg.Tap = func(src trust.Source) trust.Source {
			g.rec = snapshot.NewRecorder(src)
			return g.rec
		}
	}
	bar := g.progress()
	if bar != nil {
		cfg.Progress = bar.event
	}
	restoreGC := g.lowGC()
	set, err := eutl.Load(ctx, cfg)
	restoreGC()
	if bar != nil {
		bar.finish()
	}
	var ie *eutl.InterruptedError
	switch {
	case errors.As(err, &ie):
		for _, w := range ie.Warnings {
			g.warn("%s", w)
		}
		return nil, interrupted(ctx)
	case errors.Is(err, fetch.ErrNewerCache):
		return nil, &exitError{code: ExitUsage, msg: err.Error(), hints: []string{"pass another --cache-dir, or use a newer eutl"}}
	case err != nil:
		return nil, err
	}
	res := set.Chain()
	anchors := trust.BuiltinAnchors()
	if cfg.CustomAnchorsUnsafe != nil {
		anchors = *cfg.CustomAnchorsUnsafe
	}
	if arch != nil {
		// Nothing in the manifest is trusted; what it says must agree with
		// what the chain made of the bytes.
		same := g.at.Equal(arch.Manifest.At()) && sameAnchors(snapshot.AnchorsOf(anchors), arch.Manifest.Anchors)
		ro := snapshot.ReconcileOptions{Verdicts: same || g.env.replay != nil, AllLists: cfg.Territories == nil}
		if perQuestion {
			ro.FreshnessAt = g.at
		}
		if err := arch.Reconcile(res, ro); err != nil {
			return nil, g.snapshotError(err)
		}
	}
	for _, w := range set.Warnings() {
		g.warn("%s", w)
	}
	g.lastChain, g.lastAnchors, g.lastLOTLURL = res, anchors, cfg.LOTLURL
	if g.lastLOTLURL == "" {
		g.lastLOTLURL = eutl.DefaultLOTLURL
	}
	return set, nil
}

func sameAnchors(a, b snapshot.AnchorSet) bool {
	return strings.Join(a.SHA256, ",") == strings.Join(b.SHA256, ",")
}

// client is the HTTP client of --snapshot URL.
func (g *globalOptions) client(maxSize int64) *fetch.Client {
	return fetch.NewClient(fetch.Options{
		UserAgent: "eutl/" + Version, Timeout: g.timeout, Transport: g.env.Transport,
		BaseDelay: g.env.RetryBaseDelay, MaxSize: maxSize,
	})
}

// config turns the global flags into the library's configuration.
func (g *globalOptions) config(territories []string, offline bool) (eutl.Config, error) {
	if g.cacheDirErr != nil {
		return eutl.Config{}, g.cacheDirErr
	}
	cfg := eutl.Config{
		LOTLURL: g.lotlURL, CacheDir: g.cacheDir, Offline: offline, Timeout: g.timeout,
		UserAgent: "eutl/" + Version, ToolVersion: Version,
		At: g.at, Territories: territories, Concurrency: g.concurrency,
		AllowExpiredUnsafe: g.allowExpired, HistoryKeep: g.keep,
	}
	if g.keep == 0 {
		cfg.HistoryKeep = -1 // --keep 0: no history
	}
	if g.trustAnchors != "" {
		anchors, err := g.anchors()
		if err != nil {
			return eutl.Config{}, err
		}
		cfg.CustomAnchorsUnsafe = &anchors
	}
	return cfg, nil
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

// listsReport is the fetch/lists document of a chain result.
func (g *globalOptions) listsReport(res *trust.ChainResult) report.Lists {
	r := report.FromChain(res, g.at)
	r.Overrides = g.overrides()
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
	bar := &progressBar{bar: progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(g.env.Stderr),
		progressbar.OptionSetDescription("verifying the LOTL"),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
		// No ticker goroutine: progressbar v3.19's reads its state without
		// the lock (a data race); the bar redraws on each event instead.
		progressbar.OptionSetSpinnerChangeInterval(0),
	)}
	bar.bar.RenderBlank() // "verifying the LOTL" until the first event
	return bar
}

func (p *progressBar) event(e trust.Event) {
	switch {
	case e.Kind == trust.EventTotal && e.Total > 0:
		p.bar.ChangeMax(e.Total)
		p.bar.Describe("verifying national lists")
	case e.Kind == trust.EventListDone && e.Role == trust.RoleNational:
		p.bar.Add(1)
	}
}

func (p *progressBar) finish() {
	p.bar.Finish()
	p.bar.Clear()
}
