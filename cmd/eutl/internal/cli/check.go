package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/report"
)

func newCheckCmd(g *globalOptions) *cobra.Command {
	var provider, service, country, evidencePath string
	var exact, anyMatch bool
	cmd := &cobra.Command{
		Use:   "check --provider NAME --service TYPE [--country CC]",
		Short: "Is this provider qualified for this kind of service (at --at)? Exit 0 yes, 3 no",
		Long: `Answer from the verified lists whether a trust service provider holds qualified status for a
service type, with the evidence: the list (territory, sequence, SHA-256, signature), the provider,
the deciding service, its status and since when, and its history.

--provider matches names and trade names in every language containing it (case, accents,
letters such as ø/ł/ß and spacing folded; --exact: the whole name), or a registration
identifier however written (VATBE-0463006734, VATBE-0463.006.734, BE 0463.006.734): country
and number decide, any scheme. A name matching several distinct providers is ambiguous and
never passes (--any-match: qualified when any is). --service takes an alias (see 'eutl
types'), a full ETSI URI, or its tail such as CA/QC. The instant --at decides both the
statuses and which lists are fresh enough to answer.

Exit status: 0 qualified; 3 not qualified, not found or ambiguous, from verified lists; 4 or
5 when a list that could hold the provider did not verify, is expired at --at, or could not
be fetched (never 3 from partial data).`,
		Example: `  eutl check --provider "Belgian Mobile ID" --service qval --country BE
  eutl check --provider VATBE-0541659084 --service qc-esig --format json
  eutl check --provider "ΕΡΜΗΣ" --service qwac --country GR --at 2026-08-20
  eutl check --provider "BE 0463.006.734" --service qerds
  eutl check --provider "GlobalSign NV/SA" --exact --service qc-esig`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(provider) == "" {
				return usagef(errors.New("--provider is required"))
			}
			kind, err := query.ParseKind(service)
			if err != nil {
				return usagef(err)
			}
			if g.startEvidence(cmd, evidencePath, nil, nil); g.evErr != nil {
				return g.evErr
			}
			ix, err := g.loadIndex(cmd, countryFilter(country))
			if err != nil {
				return err
			}
			a := ix.Check(query.Query{Provider: provider, Kind: kind, Country: country, At: g.at, Exact: exact, AnyMatch: anyMatch})
			for _, w := range a.Warnings {
				g.warn("%s", w)
			}
			c := report.FromAnswer(a, service)
			c.Overrides = g.overrides()
			if err := report.WriteCheck(cmd.OutOrStdout(), g.format, c); err != nil {
				return err
			}
			if err := g.answered([]report.Check{c}, func(w io.Writer) error { return report.WriteCheck(w, report.JSON, c) }); err != nil {
				return err
			}
			return g.finishEvidence(answerError(a))
		},
	}
	evidenceFlag(cmd, &evidencePath)
	cmd.Flags().StringVar(&provider, "provider", "", "provider name, trade name or registration identifier (required)")
	cmd.Flags().StringVar(&service, "service", "", "service type: alias, ETSI URI or tail after Svctype/ (required)")
	cmd.Flags().StringVar(&country, "country", "", "limit to one territory's list (EL for Greece; GR accepted)")
	cmd.Flags().BoolVar(&exact, "exact", false, "match whole names and trade names (after folding), not names containing --provider")
	cmd.Flags().BoolVar(&anyMatch, "any-match", false, "when --provider matches several distinct providers, answer qualified if any is (default: ambiguous, exit 3)")
	return cmd
}

// countryFilter returns the territories to load for a --country value.
func countryFilter(country string) []string {
	if strings.TrimSpace(country) == "" {
		return nil
	}
	return []string{query.CountryAlias(country)}
}

// answerCode maps an answer to its exit code.
func answerCode(a *query.Answer) int {
	switch a.Outcome() {
	case query.Qualified:
		return ExitOK
	case query.NotQualified, query.NotFound, query.Ambiguous:
		return ExitNotQualified
	case query.IncompleteTrust:
		return ExitTrust
	}
	return ExitFetch
}

// ambiguityHints say how to ask again when a name matched several
// distinct providers.
func ambiguityHints(a *query.Answer) []string {
	if a.Outcome() != query.Ambiguous {
		return nil
	}
	if a.Query.Exact {
		return []string{"several providers have this very name: use a registration identifier (VATBE-0463006734, BE0463006734); --any-match accepts any candidate"}
	}
	return []string{"use a registration identifier (VATBE-0463006734, BE0463006734) or --exact with the whole name; --any-match accepts any candidate"}
}

func answerError(a *query.Answer) error {
	code := answerCode(a)
	if code == ExitOK {
		return nil
	}
	if code == ExitNotQualified {
		return &exitError{code: code, hints: ambiguityHints(a)}
	}
	var lines []string
	for _, f := range a.Failed {
		lines = append(lines, fmt.Sprintf("%s %s: %s: %s", f.Territory, f.URL, f.Verdict, f.Reason))
	}
	hint := "--country limits the answer to one list, so that others' failures do not matter"
	if a.Query.Country != "" {
		hint = "run 'eutl fetch' for details on the failed list"
	}
	return &exitError{code: code, msg: strings.Join(lines, "\n"), hints: []string{hint}}
}

// loadIndex loads and verifies the lists and indexes them for queries.
func (g *globalOptions) loadIndex(cmd *cobra.Command, territories []string) (*query.Index, error) {
	set, err := g.loadNotedFor(cmd, territories, true)
	if err != nil {
		return nil, err
	}
	ix, err := set.Index()
	if err != nil {
		return nil, usagef(err)
	}
	return ix, nil
}

// loadNoted loads the set and prints the lists' warnings and notes.
func (g *globalOptions) loadNoted(cmd *cobra.Command, territories []string) (*eutl.Set, error) {
	return g.loadNotedFor(cmd, territories, false)
}

// loadNotedFor is loadNoted; perQuestion leaves freshness to the index,
// decided at each question's instant (see loadSetFor).
func (g *globalOptions) loadNotedFor(cmd *cobra.Command, territories []string, perQuestion bool) (*eutl.Set, error) {
	set, err := g.loadSetFor(cmd.Context(), territories, g.offline, perQuestion)
	if err != nil {
		return nil, err
	}
	if _, err := set.Index(); err != nil {
		return nil, usagef(err)
	}
	res := set.Chain()
	for i := range res.Lists {
		o := &res.Lists[i]
		for _, n := range o.Notes {
			g.note("%s: %s", o.Territory, n)
		}
		if o.List != nil {
			for _, w := range o.List.Warnings {
				g.warn("%s: %s", o.Territory, w)
			}
			for _, n := range o.List.Notes {
				g.note("%s: %s", o.Territory, n)
			}
		}
	}
	return set, nil
}
