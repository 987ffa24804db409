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
			cfg := eutl.VerifyConfig{URL: args[0], At: g.at, AllowExpiredUnsafe: g.allowExpired}
			if lotlFile != "" {
				if cfg.LOTL, err = readLocal(g.path(lotlFile), fetch.DefaultMaxSize); err != nil {
					return usagef(fmt.Errorf("cannot read --lotl file: %w", err))
				}
				cfg.LOTLURL = lotlFile
				if g.trustAnchors != "" {
					anchors, err := g.anchors()
					if err != nil {
						return err
					}
					cfg.CustomAnchorsUnsafe = &anchors
				}
			} else if cfg.Signers, err = readCertFiles(g.paths(certFiles)); err != nil {
				return usagef(err)
			}
			vl, err := eutl.VerifyList(cmd.Context(), data, cfg)
			var lotlErr *eutl.LOTLError
			switch {
			case errors.As(err, &lotlErr):
				return fmt.Errorf("the LOTL given with --lotl did not verify against %s: %w", lotlErr.Anchors, lotlErr.Err)
			case errors.Is(err, trust.ErrNoPointer):
				return err
			}
			out := report.Verify{SchemaVersion: report.SchemaVersion, Overrides: g.overrides()}
			if err != nil {
				territory := ""
				var le *trust.ListError
				if errors.As(err, &le) {
					territory = le.Territory
				}
				out.List = report.FromError(err, territory, args[0])
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
