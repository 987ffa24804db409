package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
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
			data, err := os.ReadFile(g.path(args[0]))
			if err != nil {
				return usagef(fmt.Errorf("cannot read %s: %w", args[0], err))
			}
			out := report.Verify{SchemaVersion: report.SchemaVersion, Overrides: g.overrides()}
			// Whatever the flags, a file that is not a list is reported as
			// such (the model read here is unverified: only its type and
			// territory choose how to verify it).
			peek, perr := tsl.ParseBytes(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
			if len(bytes.TrimSpace(data)) == 0 {
				perr = errors.New("the file is empty")
			}
			if perr != nil {
				err = &trust.ListError{URL: args[0], Verdict: trust.ParseFailed, Err: perr}
				return g.writeVerify(cmd, out, err, nil, args[0])
			}
			var vl *trust.VerifiedList
			switch {
			case lotlFile != "":
				exp, noPointer, lerr := g.expectFromLOTL(lotlFile, peek.Territory, args[0])
				switch {
				case noPointer != nil:
					err = noPointer
				case lerr != nil:
					return lerr // the LOTL itself failed: there is no verdict on FILE
				default:
					exp.URL = args[0]
					vl, err = trust.VerifyList(data, exp, g.trustOptions())
				}
			case len(certFiles) > 0:
				exp := trust.Expect{URL: args[0]}
				if exp.Allowed, err = readCertFiles(g.paths(certFiles)); err != nil {
					return usagef(err)
				}
				vl, err = trust.VerifyList(data, exp, g.trustOptions())
			case peek.Type == tsl.TypeEUListOfTheLists:
				anchors, aerr := g.anchors()
				if aerr != nil {
					return aerr
				}
				vl, err = trust.VerifyLOTL(data, anchors, args[0], g.trustOptions())
			default:
				return usagef(errors.New("give the allowed signers with --cert PEM (repeatable) or take them from a LOTL with --lotl FILE (a LOTL needs neither: it is verified against the trust anchors)"))
			}
			var usage *usageError
			if errors.As(err, &usage) {
				return err
			}
			return g.writeVerify(cmd, out, err, vl, args[0])
		},
	}
	cmd.Flags().StringArrayVar(&certFiles, "cert", nil, "PEM file of a certificate allowed to sign the list (repeatable)")
	cmd.Flags().StringVar(&lotlFile, "lotl", "", "take the allowed signers from this LOTL's pointer for the list's territory (the LOTL is verified against the trust anchors first)")
	return cmd
}

// writeVerify prints the LIST object of a verification (passed: vl; failed:
// err) and returns err.
func (g *globalOptions) writeVerify(cmd *cobra.Command, out report.Verify, err error, vl *trust.VerifiedList, name string) error {
	if err != nil {
		var le *trust.ListError
		terr := ""
		if errors.As(err, &le) {
			terr = le.Territory
		}
		out.List = report.FromError(err, terr, name)
	} else {
		out.List = report.FromVerified(vl, "", name)
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

func (g *globalOptions) trustOptions() trust.Options {
	return trust.Options{At: g.at, Now: g.now, AllowExpiredUnsafe: g.allowExpired}
}

// expectFromLOTL verifies the LOTL file against the trust anchors and returns
// what a list of territory must be according to the LOTL's pointer for it.
// A LOTL without such a pointer gives noPointer, the untrusted_signer
// verdict on the list; err is a failure of the LOTL (or of reading it).
func (g *globalOptions) expectFromLOTL(lotlFile, territory, name string) (exp trust.Expect, noPointer, err error) {
	lotlData, err := os.ReadFile(g.path(lotlFile))
	if err != nil {
		return exp, nil, usagef(fmt.Errorf("cannot read --lotl file: %w", err))
	}
	anchors, err := g.anchors()
	if err != nil {
		return exp, nil, err
	}
	lotl, err := trust.VerifyLOTL(lotlData, anchors, lotlFile, g.trustOptions())
	if err != nil {
		return exp, nil, fmt.Errorf("the LOTL given with --lotl did not verify against %s: %w", anchors.Name, err)
	}
	p := trust.PointerFor(lotl.List, territory)
	if p == nil {
		return exp, &trust.ListError{Territory: territory, URL: name, Verdict: trust.UntrustedSigner,
			Err: fmt.Errorf("the LOTL (sequence %d) has no XML pointer for territory %q, so no signer is allowed for it", lotl.List.SequenceNumber, territory)}, nil
	}
	return trust.ExpectFromPointer(*p), nil, nil
}
