package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
)

func newProvidersCmd(g *globalOptions) *cobra.Command {
	var country, service string
	var qualified, exact bool
	cmd := &cobra.Command{
		Use:   "providers [QUERY]",
		Short: "Find providers by name, trade name or identifier (case- and accent-insensitive)",
		Example: `  eutl providers "ceska posta"
  eutl providers --country BE --qualified
  eutl providers --service qtst --qualified --format csv`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pq := query.ProvidersQuery{Country: country, Qualified: qualified, At: g.at, Exact: exact}
			if len(args) == 1 {
				pq.Query = args[0]
			}
			if service != "" {
				k, err := query.ParseKind(service)
				if err != nil {
					return usagef(err)
				}
				pq.Kind = &k
			}
			ix, err := g.loadIndex(cmd, countryFilter(country))
			if err != nil {
				return err
			}
			out := report.FromProviders(g.at, ix.Providers(pq), ix.Failed())
			if err := report.WriteProviders(g.tableWriter(cmd), g.format, out); err != nil {
				return err
			}
			if len(out.Providers) == 0 && pq.Query != "" {
				a := ix.Check(query.Query{Provider: pq.Query, Kind: query.AnyQualified(), Country: country, At: g.at})
				for _, s := range a.NamedServices {
					g.note("no provider is named like %q, but the service %q of %s (%s) is", pq.Query, s.Service.Name, s.Provider.Name, s.Country)
				}
				if len(a.Suggestions) > 0 {
					g.note("closest provider names: %s", strings.Join(a.Suggestions, ", "))
				}
			}
			return g.partialWarning(ix)
		},
	}
	cmd.Flags().StringVar(&country, "country", "", "only this territory (EL for Greece; GR accepted)")
	cmd.Flags().StringVar(&service, "service", "", "only providers with a service of this type")
	cmd.Flags().BoolVar(&qualified, "qualified", false, "only providers qualified (for --service, or for any type) at --at")
	cmd.Flags().BoolVar(&exact, "exact", false, "match whole names and trade names (after folding), not names containing QUERY")
	return cmd
}

func newShowCmd(g *globalOptions) *cobra.Command {
	var country string
	var exact bool
	cmd := &cobra.Command{
		Use:   "show PROVIDER",
		Short: "Every service of a provider with its full status history",
		Example: `  eutl show "Belgian Mobile ID"
  eutl show VATBE-0475396406 --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ix, err := g.loadIndex(cmd, countryFilter(country))
			if err != nil {
				return err
			}
			out := report.FromShow(g.at, ix.Show(query.ShowQuery{Query: args[0], Country: country, At: g.at, Exact: exact}), ix.Failed())
			if err := report.WriteShow(g.tableWriter(cmd), g.format, out); err != nil {
				return err
			}
			if len(out.Providers) == 0 {
				a := ix.Check(query.Query{Provider: args[0], Kind: query.AnyQualified(), Country: country, At: g.at, Exact: exact})
				if code := answerCode(a); code != ExitNotQualified && code != ExitOK {
					return g.answerError(a)
				}
				return &exitError{code: ExitNotQualified, msg: a.Reason}
			}
			return g.partialWarning(ix)
		},
	}
	cmd.Flags().StringVar(&country, "country", "", "only this territory (EL for Greece; GR accepted)")
	cmd.Flags().BoolVar(&exact, "exact", false, "match whole names and trade names (after folding), not names containing PROVIDER")
	return cmd
}

// partialWarning: listings from a partial set succeed but say so, and exit
// with the failure's code so scripts notice.
func (g *globalOptions) partialWarning(ix *query.Index) error {
	failed := ix.FailedAt(g.at)
	if len(failed) == 0 {
		return nil
	}
	code := ExitOK
	for _, f := range failed {
		if f.Verdict == trust.FetchFailed {
			code = worse(code, ExitFetch)
		} else {
			code = worse(code, ExitTrust)
		}
	}
	if nothingFetched(failed) {
		return &exitError{code: code, msg: nothingFetchedMsg(failed), hints: g.failureHints(failed)}
	}
	for _, f := range failed {
		g.warn("%s could not be used (%s): it is missing from this listing", f.Territory, f.Verdict)
	}
	return &exitError{code: code, hints: g.failureHints(failed)}
}

func newTypesCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "types",
		Short: "The service-type catalogue: alias, ETSI URI, meaning, qualified or not",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return report.WriteTypes(g.tableWriter(cmd), g.format, report.Types())
		},
	}
}
