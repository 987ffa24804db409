package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/qualify"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
)

func newCertCmd(g *globalOptions) *cobra.Command {
	var forFlag string
	var chainFiles []string
	var evidencePath string
	cmd := &cobra.Command{
		Use:   "cert FILE... [--for esig|eseal|wsa|any] [--chain FILE]",
		Short: "Is this certificate an EU qualified certificate (ETSI TS 119 615)? Exit 0 yes, 3 no",
		Long: `Decide from the verified lists whether certificates are EU qualified certificates: qualified
or not for e-signatures, e-seals and website authentication, with the key on a QSCD or not,
for a natural or a legal person — at issuance (notBefore) and at --at, and combined.

The issuing service is found by the issuer's name and key identifier and proven by the
certificate's signature; --chain supplies unlisted intermediates (PEM or DER, any order),
walked only through signatures that verify. The evidence: the deciding service (list,
provider, service, status and since when), the qualifiers and criteria that applied, the QC
statements read, the chain walked, and the rules that decided. A time-stamping unit under a
TSA/QTST service answers "qualified time-stamping unit".

FILE is PEM or DER, one or more certificates each, '-' for stdin (at most 1 MiB a file). CA
certificates of the input that issued another input certificate serve as chain, not as
questions.

Exit status: 0 every certificate qualified for --for at --at; 3 at least one not (or no
listed service issued it, or its services conflict); 4 or 5 when a list that could decide
did not verify or could not be fetched; 2 for input that is not a certificate.`,
		Example: `  eutl cert signer.pem --for esig
  eutl cert leaf.pem --chain intermediate.pem --at 2026-08-20 --format json
  cat *.pem | eutl cert - --for eseal --format csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := qualify.ParsePurpose(forFlag)
			if err != nil {
				return usagef(err)
			}
			if evidencePath != "" {
				g.certInputs = map[string][]byte{}
			}
			type item struct {
				file string
				in   qualify.Input
			}
			var items []item
			stdinUsed := false
			for _, a := range args {
				if a == "-" {
					if stdinUsed {
						return usagef(errors.New("'-' (stdin) given twice"))
					}
					stdinUsed = true
				}
				ins, err := g.readCertInput(a)
				if err != nil {
					return err
				}
				for _, in := range ins {
					items = append(items, item{a, in})
				}
			}
			var extra []*qualify.Cert
			for _, cf := range chainFiles {
				ins, err := g.readCertInput(cf)
				if err != nil {
					return err
				}
				for _, in := range ins {
					extra = append(extra, in.Cert)
				}
			}
			// CA certificates that issued another input certificate are chain.
			issuers := map[string]bool{}
			for _, it := range items {
				issuers[string(it.in.Cert.RawIssuer)] = true
			}
			var asked []item
			for _, it := range items {
				c := it.in.Cert
				if c.IsCA && issuers[string(c.RawSubject)] && !c.SelfIssued() {
					extra = append(extra, c)
					continue
				}
				asked = append(asked, it)
			}
			if len(asked) == 0 {
				asked = items
			}
			if g.startEvidence(cmd, evidencePath, args, nil); g.evErr != nil {
				return g.evErr
			}
			set, err := g.loadNoted(cmd, nil)
			if err != nil {
				return err
			}
			q, err := set.Certificates()
			if err != nil {
				return usagef(err)
			}
			rep := report.Certs{SchemaVersion: report.SchemaVersion, At: g.at.Format(time.RFC3339), For: string(p), Certificates: []report.CertEntry{},
				FailedLists: report.FromFailed(q.Failed()), Overrides: g.overrides()}
			if rep.FailedLists == nil {
				rep.FailedLists = []report.FailedList{}
			}
			code := ExitOK
			var failedMsgs []string
			xs := make([]*qualify.Cert, len(asked))
			for i, it := range asked {
				xs[i] = it.in.Cert
			}
			results := q.EvaluateAll(xs, extra, p, g.at)
			for i, it := range asked {
				r := results[i]
				rep.Certificates = append(rep.Certificates, report.FromCertResult(it.file, it.in.Offset, r))
				code = worse(code, certCode(r))
				for _, f := range r.Failed {
					m := fmt.Sprintf("%s %s: %s: %s", f.Territory, f.URL, f.Verdict, f.Reason)
					if r.Outcome == qualify.Incomplete && !contains(failedMsgs, m) {
						failedMsgs = append(failedMsgs, m)
					}
				}
			}
			if err := report.WriteCerts(cmd.OutOrStdout(), g.format, rep); err != nil {
				return err
			}
			if err := g.answered(nil, func(w io.Writer) error { return report.WriteCerts(w, report.JSON, rep) }); err != nil {
				return err
			}
			switch code {
			case ExitOK:
				return g.finishEvidence(nil)
			case ExitNotQualified:
				return g.finishEvidence(&exitError{code: code})
			}
			return g.finishEvidence(&exitError{code: code, msg: strings.Join(failedMsgs, "\n"), hints: []string{"run 'eutl fetch' for details on the failed list"}})
		},
	}
	cmd.Flags().StringVar(&forFlag, "for", "any", "what the certificate must be qualified for: esig, eseal, wsa or any")
	cmd.Flags().StringArrayVar(&chainFiles, "chain", nil, "intermediate certificates (PEM or DER; repeatable)")
	evidenceFlag(cmd, &evidencePath)
	return cmd
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// certCode maps one certificate's outcome to its exit code.
func certCode(r *qualify.Result) int {
	switch r.Outcome {
	case qualify.Qualified:
		return ExitOK
	case qualify.NotQualified, qualify.Indeterminate:
		return ExitNotQualified
	}
	code := ExitOK
	for _, f := range r.Failed {
		if f.Verdict == trust.FetchFailed {
			code = worse(code, ExitFetch)
		} else {
			code = worse(code, ExitTrust)
		}
	}
	if code == ExitOK {
		code = ExitTrust
	}
	return code
}

// readCertInput reads the certificates of a file or of stdin ("-"), at most
// qualify.MaxInput bytes; anything else is a usage error naming the file and
// offset.
func (g *globalOptions) readCertInput(name string) ([]qualify.Input, error) {
	var data []byte
	var err error
	if g.env.replay != nil {
		// evidence verify: the files the recorded run read, from the bundle
		b, ok := g.env.replay.inputs[name]
		if !ok {
			return nil, usagef(fmt.Errorf("%s is not in the bundle", name))
		}
		data = b
	} else if name == "-" {
		data, err = io.ReadAll(io.LimitReader(g.env.Stdin, qualify.MaxInput+1))
	} else {
		// a regular file only (no FIFO or device), bounded like every
		// local input; one byte over the limit lets ReadCerts say so
		data, err = readLocal(g.path(name), qualify.MaxInput+1)
	}
	if err != nil {
		return nil, usagef(fmt.Errorf("cannot read certificate file: %w", err))
	}
	if g.certInputs != nil {
		g.certInputs[name] = data // --evidence records the input
	}
	ins, err := qualify.ReadCerts(data)
	if err != nil {
		return nil, usagef(fmt.Errorf("%s: %w", displayName(name), err))
	}
	return ins, nil
}

func displayName(name string) string {
	if name == "-" {
		return "stdin"
	}
	return name
}
