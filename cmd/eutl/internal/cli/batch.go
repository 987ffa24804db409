package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/report"
)

func newBatchCmd(g *globalOptions) *cobra.Command {
	var evidencePath string
	cmd := &cobra.Command{
		Use:   "batch FILE|-",
		Short: "Many checks at once: CSV (provider,service[,country][,at]) or JSON Lines",
		Long: `Answer many queries with one load of the lists. The input is CSV with a header
(provider,service[,country][,at]) or JSON Lines with the same keys. Every row is validated
first: malformed rows are reported with their line numbers and nothing is looked up (exit 2).
One result per row, in input order: a table, CSV, or JSON Lines (--format json).

Exit status: the worst over all rows, in the order 1 > 4 > 5 > 3 > 0.`,
		Example: `  eutl batch providers.csv
  printf 'provider,service\nVATBE-0541659084,qval\n' | eutl batch - --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in io.Reader
			if args[0] == "-" {
				in = g.env.Stdin
			} else {
				f, err := os.Open(g.path(args[0]))
				if err != nil {
					return usagef(fmt.Errorf("cannot read the batch file: %w", err))
				}
				defer f.Close()
				in = f
			}
			var input *bytes.Buffer
			if evidencePath != "" {
				// The bundle records the input as read (bounded by ParseBatch).
				input = &bytes.Buffer{}
				in = io.TeeReader(in, input)
			}
			rows, err := query.ParseBatch(in)
			if err != nil {
				return usagef(err)
			}
			if input != nil {
				g.startEvidence(cmd, evidencePath, []string{"-"}, input.Bytes())
			} else {
				g.startEvidence(cmd, "", nil, nil)
			}
			if g.evErr != nil {
				return g.evErr
			}
			ix, err := g.loadIndex(cmd, batchTerritories(rows))
			if err != nil {
				return err
			}
			out := make([]report.Check, len(rows))
			code := ExitOK
			memo := map[string]*query.Answer{}
			for i, r := range rows {
				at := r.At
				if at.IsZero() {
					at = g.at
				}
				key := fmt.Sprintf("%s\x00%s\x00%s\x00%d", r.Provider, r.Kind.Name(), r.Country, at.UnixNano())
				a := memo[key]
				if a == nil {
					a = ix.Check(query.Query{Provider: r.Provider, Kind: r.Kind, Country: r.Country, At: at})
					memo[key] = a
				}
				out[i] = report.FromAnswer(a, r.Service)
				out[i].Line = r.Line
				code = worse(code, answerCode(a))
			}
			if err := report.WriteBatch(cmd.OutOrStdout(), g.format, out); err != nil {
				return err
			}
			if err := g.answered(out, func(w io.Writer) error { return report.WriteBatch(w, report.JSON, out) }); err != nil {
				return err
			}
			var runErr error
			if code != ExitOK {
				runErr = &exitError{code: code}
			}
			return g.finishEvidence(runErr)
		},
	}
	evidenceFlag(cmd, &evidencePath)
	return cmd
}

// batchTerritories loads only the named territories when every row names
// one; otherwise every list.
func batchTerritories(rows []query.BatchRow) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		if r.Country == "" {
			return nil
		}
		if !seen[r.Country] {
			seen[r.Country] = true
			out = append(out, r.Country)
		}
	}
	return out
}
