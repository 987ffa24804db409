package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
)

func newVerifyCmd(g *globalOptions) *cobra.Command {
	var certFiles []string
	var lotlFile string
	cmd := &cobra.Command{
		Use:   "verify FILE [--cert PEM ... | --lotl LOTLFILE]",
		Short: "Verify one Trusted List or LOTL file: signature, allowed signer, type, version, freshness",
		Long: `Verify one list file. A national list's allowed signers are given with --cert (repeatable)
or taken from the pointer for its territory in a LOTL given with --lotl (that LOTL is verified
against the trust anchors first); the two exclude each other. A LOTL given with neither is
verified against the trust anchors (--trust-anchors, or the built-in Official Journal set).

A file that is empty, not XML or truncated is reported as parse_error, whatever the flags.
The LIST object is printed in every case (every --format); exit 0 valid, 4 otherwise.`,
		Example: `  eutl verify tsl-be.xml --cert be-signer.pem
  eutl verify tsl-be.xml --lotl eu-lotl.xml --at 2026-08-20 --format json
  eutl verify eu-lotl.xml --at 2026-08-20`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(certFiles) > 0 && lotlFile != "" {
				return usagef(errors.New("--cert and --lotl exclude each other: --cert names the allowed signers, --lotl takes them from the LOTL's pointer"))
			}
			data, err := readListFile(g.path(args[0]), fetch.DefaultMaxSize)
			if err != nil {
				return usagef(fmt.Errorf("cannot read %s: %w", args[0], err))
			}
			cfg := eutl.VerifyConfig{URL: args[0], At: g.at, AllowExpiredUnsafe: g.allowExpired}
			if lotlFile != "" {
				if cfg.LOTL, err = readLocal(g.path(lotlFile), fetch.DefaultMaxSize); err != nil {
					return usagef(fmt.Errorf("cannot read --lotl file: %w", err))
				}
				cfg.LOTLURL = lotlFile
			} else if len(certFiles) > 0 {
				if cfg.Signers, err = readCertFiles(g.paths(certFiles)); err != nil {
					return usagef(err)
				}
			}
			if g.trustAnchors != "" && len(certFiles) == 0 {
				anchors, err := g.anchors()
				if err != nil {
					return err
				}
				cfg.CustomAnchorsUnsafe = &anchors
			}
			// What verify prints of the providers is their counts: they are
			// counted as the list is read, never held.
			var sum eutl.Summary
			cfg.Summary = &sum
			restoreGC := g.lowGC()
			vl, err := eutl.VerifyList(cmd.Context(), data, cfg)
			restoreGC()
			var lotlErr *eutl.LOTLError
			var cfgErr *eutl.ConfigError
			switch {
			case errors.As(err, &lotlErr):
				return fmt.Errorf("the LOTL given with --lotl did not verify against %s: %w", lotlErr.Anchors, lotlErr.Err)
			case errors.As(err, &cfgErr) && cfgErr.Field == "Signers":
				return usagef(errors.New("give the allowed signers with --cert PEM (repeatable) or take them from a LOTL with --lotl FILE (a LOTL needs neither: it is verified against the trust anchors)"))
			case errors.As(err, &cfgErr):
				return usagef(err)
			}
			// every verdict, a territory without a pointer in the --lotl
			// LOTL included (untrusted_signer), prints the LIST object
			return g.writeVerify(cmd, err, vl, &sum, args[0])
		},
	}
	cmd.Flags().StringArrayVar(&certFiles, "cert", nil, "PEM file of a certificate allowed to sign the list (repeatable)")
	cmd.Flags().StringVar(&lotlFile, "lotl", "", "take the allowed signers from this LOTL's pointer for the list's territory (the LOTL is verified against the trust anchors first)")
	return cmd
}

// writeVerify prints the LIST object of a verification (passed: vl; failed:
// err) and returns err.
func (g *globalOptions) writeVerify(cmd *cobra.Command, err error, vl *trust.VerifiedList, sum *eutl.Summary, name string) error {
	out := report.Verify{SchemaVersion: report.SchemaVersion, Overrides: g.overrides()}
	if err != nil {
		var le *trust.ListError
		terr := ""
		if errors.As(err, &le) {
			terr = le.Territory
		}
		out.List = report.FromError(err, terr, name)
		if le != nil && le.Info != nil {
			out.List.SetCounts(sum.Providers, sum.Services, sum.QualifiedServices, sum.QualifiedProviders)
		}
	} else {
		out.List = report.FromVerified(vl, "", name)
		out.List.SetCounts(sum.Providers, sum.Services, sum.QualifiedServices, sum.QualifiedProviders)
		for _, w := range vl.Warnings {
			g.warn("%s: %s", name, w)
		}
		for _, n := range vl.Notes {
			g.detail("%s: %s", name, n) // the same on every run: --verbose
		}
	}
	if werr := report.WriteVerify(g.tableWriter(cmd), g.format, out); werr != nil {
		return werr
	}
	return err
}
