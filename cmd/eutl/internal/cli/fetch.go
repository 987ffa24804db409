package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
)

func newFetchCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "fetch",
		Short: "Fetch and verify the LOTL and every national Trusted List; update the cache",
		Long: `Fetch (conditional GET, .sha2 change detection) the EU List of Trusted Lists, walk its pivots
from the trust anchors, verify it, then fetch and verify every XML Trusted List it points to.
Lists that verify are cached; a list that fails is reported and never used.

Exit status: 0 when every list verified, 4 when one did not verify, 5 when one could not be
fetched and no verified cached copy may stand in for it.`,
		Example: `  eutl fetch
  eutl fetch --format json > lists.json
  eutl fetch --trust-anchors oj-2019.pem   # start the pivot walk from another notice`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.runLists(cmd, g.offline)
		},
	}
}

func newListsCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "lists",
		Short: "Show the cached lists and their verdicts, verified again, without network",
		Example: `  eutl lists
  eutl lists --at 2026-08-20 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.runLists(cmd, true)
		},
	}
}

func (g *globalOptions) runLists(cmd *cobra.Command, offline bool) error {
	set, err := g.loadSet(cmd.Context(), nil, offline)
	if err != nil {
		return err
	}
	res := set.Chain()
	r := g.listsReport(res)
	if err := report.WriteLists(cmd.OutOrStdout(), g.format, r); err != nil {
		return err
	}
	if !offline {
		g.fetchSummary(cmd.Context(), set)
	}
	if code := chainCode(res); code != ExitOK {
		return &exitError{code: code, msg: failedSummary(res), hints: g.hints(res, offline)}
	}
	return nil
}

// failedSummary is one stderr line per list that cannot be used.
func failedSummary(res *trust.ChainResult) string {
	var lines []string
	outs := append([]trust.Outcome{res.LOTL}, res.Lists...)
	for i := range outs {
		if !outs[i].Usable() {
			lines = append(lines, outs[i].Err.Error())
		}
	}
	return strings.Join(lines, "\n")
}

// hints suggest what to do about a failed chain.
func (g *globalOptions) hints(res *trust.ChainResult, offline bool) []string {
	var hs []string
	if !res.LOTL.Usable() && res.LOTL.Verdict() == trust.UntrustedSigner {
		if g.trustAnchors == "" {
			hs = append(hs, "the LOTL is not signed by a certificate of "+trust.OfficialJournalNotice+"; if a newer notice has been published, pass its certificates with --trust-anchors (see README, How trust is established)")
		} else {
			hs = append(hs, "the LOTL is not signed by the --trust-anchors certificates, nor through the pivots it lists")
		}
	}
	outs := append([]trust.Outcome{res.LOTL}, res.Lists...)
	for i := range outs {
		switch outs[i].Verdict() {
		case trust.FetchFailed:
			if offline {
				hs = append(hs, "offline: run 'eutl fetch' while online, or prepare --cache-dir by hand (see README, Cache and offline use)")
			} else {
				hs = append(hs, "check the network and proxy settings (HTTPS_PROXY); --offline answers from verified cached copies")
			}
			return hs
		case trust.Expired:
			hs = append(hs, "--at evaluates at another instant; --allow-expired uses expired lists, reported as such")
			return hs
		}
	}
	return hs
}
