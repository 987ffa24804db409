package cli

import (
	"context"
	"errors"

	"github.com/schollz/progressbar/v3"

	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
)

// loadSet loads and verifies the lists (all, or only territories) with one
// library call, showing progress and printing the load's warnings.
func (g *globalOptions) loadSet(ctx context.Context, territories []string, offline bool) (*eutl.Set, error) {
	cfg, err := g.config(territories, offline)
	if err != nil {
		return nil, err
	}
	bar := g.progress()
	if bar != nil {
		cfg.Progress = bar.event
	}
	set, err := eutl.Load(ctx, cfg)
	if bar != nil {
		bar.finish()
	}
	var ie *eutl.InterruptedError
	switch {
	case errors.As(err, &ie):
		for _, w := range ie.Warnings {
			g.warn("%s", w)
		}
		return nil, &exitError{code: ExitInterrupted, msg: err.Error()}
	case errors.Is(err, fetch.ErrNewerCache):
		return nil, &exitError{code: ExitUsage, msg: err.Error(), hints: []string{"pass another --cache-dir, or use a newer eutl"}}
	case err != nil:
		return nil, err
	}
	for _, w := range set.Warnings() {
		g.warn("%s", w)
	}
	return set, nil
}

// config turns the global flags into the library's configuration.
func (g *globalOptions) config(territories []string, offline bool) (eutl.Config, error) {
	cfg := eutl.Config{
		LOTLURL: g.lotlURL, CacheDir: g.cacheDir, Offline: offline, Timeout: g.timeout,
		UserAgent: "eutl/" + Version, ToolVersion: Version,
		At: g.at, Territories: territories, Concurrency: g.concurrency,
		AllowExpiredUnsafe: g.allowExpired,
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
	return &progressBar{bar: progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(g.env.Stderr),
		progressbar.OptionSetDescription("verifying the LOTL"),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
		// No ticker goroutine: progressbar v3.19's reads its state without
		// the lock (a data race); the bar redraws on each event instead.
		progressbar.OptionSetSpinnerChangeInterval(0),
	)}
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
