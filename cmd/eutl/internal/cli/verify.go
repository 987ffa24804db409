package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
)

func newVerifyCmd(g *globalOptions) *cobra.Command {
	var certFiles []string
	var lotlFile string
	cmd := &cobra.Command{
		Use:   "verify FILE (--cert PEM ... | --lotl LOTLFILE)",
		Short: "Verify one Trusted List or LOTL file: signature, allowed signer, type, version, freshness",
		Example: `  eutl verify tsl-be.xml --cert be-signer.pem
  eutl verify tsl-be.xml --lotl eu-lotl.xml --at 2026-08-20 --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (len(certFiles) == 0) == (lotlFile == "") {
				return usagef(errors.New("give the allowed signers with --cert PEM (repeatable) or take them from a LOTL with --lotl FILE"))
			}
			data, err := readLocal(g.path(args[0]), fetch.DefaultMaxSize)
			if err != nil {
				return usagef(fmt.Errorf("cannot read %s: %w", args[0], err))
			}
			var exp trust.Expect
			if lotlFile != "" {
				if exp, err = g.expectFromLOTL(cmd, lotlFile, data); err != nil {
					return err
				}
			} else if exp.Allowed, err = readCertFiles(g.paths(certFiles)); err != nil {
				return usagef(err)
			}
			exp.URL = args[0]
			vl, err := trust.VerifyList(data, exp, g.trustOptions())
			out := report.Verify{SchemaVersion: report.SchemaVersion, Overrides: g.overrides()}
			if err != nil {
				out.List = report.FromError(err, exp.Territory, args[0])
			} else {
				out.List = report.FromVerified(vl, "", args[0])
				for _, w := range vl.Warnings {
					g.warn("%s: %s", args[0], w)
				}
				for _, n := range vl.Notes {
					g.note("%s: %s", args[0], n)
				}
			}
			if werr := report.WriteVerify(cmd.OutOrStdout(), g.format, out); werr != nil {
				return werr
			}
			return err
		},
	}
	cmd.Flags().StringArrayVar(&certFiles, "cert", nil, "PEM file of a certificate allowed to sign the list (repeatable)")
	cmd.Flags().StringVar(&lotlFile, "lotl", "", "take the allowed signers from this LOTL's pointer for the list's territory (the LOTL is verified against the trust anchors first)")
	return cmd
}

func (g *globalOptions) trustOptions() trust.Options {
	return trust.Options{At: g.at, Now: g.now, AllowExpiredUnsafe: g.allowExpired}
}

// expectFromLOTL verifies the LOTL file against the trust anchors and returns
// what the list must be according to the LOTL's pointer for its territory.
func (g *globalOptions) expectFromLOTL(cmd *cobra.Command, lotlFile string, data []byte) (trust.Expect, error) {
	lotlData, err := readLocal(g.path(lotlFile), fetch.DefaultMaxSize)
	if err != nil {
		return trust.Expect{}, usagef(fmt.Errorf("cannot read --lotl file: %w", err))
	}
	anchors, err := g.anchors()
	if err != nil {
		return trust.Expect{}, err
	}
	lotl, err := trust.VerifyLOTL(lotlData, anchors, lotlFile, g.trustOptions())
	if err != nil {
		return trust.Expect{}, fmt.Errorf("the LOTL given with --lotl did not verify against %s: %w", anchors.Name, err)
	}
	terr := trust.PeekTerritory(data)
	p := trust.PointerFor(lotl.List, terr)
	if p == nil {
		return trust.Expect{Territory: terr}, &trust.ListError{Territory: terr, URL: cmd.Flags().Arg(0), Verdict: trust.UntrustedSigner,
			Err: fmt.Errorf("the LOTL (sequence %d) has no XML pointer for territory %q", lotl.List.SequenceNumber, terr)}
	}
	return trust.ExpectFromPointer(*p), nil
}
