package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
)

func newTrustStoreCmd(g *globalOptions) *cobra.Command {
	var service, country, format string
	cmd := &cobra.Command{
		Use:   "trust-store --service TYPE [--country CC] [--format pem|json]",
		Short: "The certificates of the services qualified for TYPE at --at, as PEM or JSON",
		Long: `Write a trust store for other tools (a PDF validator, a TLS client checking QWACs, a
time-stamp verifier): the service digital identity certificates of every service qualified
for TYPE at --at, from verified lists only, each once, ordered by territory, provider,
service and fingerprint. PEM output has one comment line per certificate naming its
territory, provider, service and status since when.

--service takes the aliases of 'eutl check' (qc-esig, qwac, qtst, ...). --format is pem
(default) or json for this command.

Exit status: 0; 4 or 5 when a list that could hold such services did not verify or could
not be fetched (what verified is still written).`,
		Example: `  eutl trust-store --service qwac > qwac-roots.pem
  eutl trust-store --service qtst --country BE --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(service) == "" {
				return usagef(errors.New("--service is required"))
			}
			kind, err := query.ParseKind(service)
			if err != nil {
				return usagef(err)
			}
			pemOut := true
			switch strings.ToLower(format) {
			case "pem":
			case "json":
				pemOut = false
			default:
				return usagef(fmt.Errorf("unknown format %q for trust-store (want pem or json)", format))
			}
			set, err := g.loadNoted(cmd, countryFilter(country))
			if err != nil {
				return err
			}
			q, err := set.Certificates()
			if err != nil {
				return usagef(err)
			}
			st := report.TrustStore{SchemaVersion: report.SchemaVersion, At: g.at.Format(time.RFC3339), Service: kind.Name(), Country: query.CountryAlias(country),
				Certificates: report.FromStore(q.TrustStore(kind, country, g.at)), FailedLists: report.FromFailed(q.RelevantFailed(country)), Overrides: g.overrides()}
			if st.FailedLists == nil {
				st.FailedLists = []report.FailedList{}
			}
			if err := report.WriteTrustStore(cmd.OutOrStdout(), pemOut, st); err != nil {
				return err
			}
			code := ExitOK
			var lines []string
			for _, f := range st.FailedLists {
				code = worse(code, map[bool]int{true: ExitFetch, false: ExitTrust}[f.Verdict == trust.FetchFailed])
				lines = append(lines, fmt.Sprintf("%s %s: %s: %s (its services are missing from the trust store)", f.Territory, f.URL, f.Verdict, f.Reason))
			}
			if code != ExitOK {
				return &exitError{code: code, msg: strings.Join(lines, "\n"), hints: []string{"run 'eutl fetch' for details on the failed list"}}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&service, "service", "", "service type: alias, ETSI URI or tail after Svctype/ (required)")
	cmd.Flags().StringVar(&country, "country", "", "limit to one territory's list (EL for Greece; GR accepted)")
	cmd.Flags().StringVar(&format, "format", "pem", "output format of this command: pem or json")
	return cmd
}
