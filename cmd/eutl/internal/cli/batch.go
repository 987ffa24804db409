package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/report"
)

func newBatchCmd(g *globalOptions) *cobra.Command {
	var anyMatch bool
	var evidencePath string
	cmd := &cobra.Command{
		Use:   "batch FILE|-",
		Short: "Many checks at once: CSV (provider,service[,country][,at][,exact]) or JSON Lines",
		Long: `Answer many queries with one load of the lists. The input is CSV with a header
(provider,service[,country][,at][,exact]) or JSON Lines with the same keys. Every row is
validated first: malformed rows (and any line over 64 KiB) are reported with their line
numbers and nothing is looked up (exit 2). One result per row, in input order, written as it
is answered: a table, CSV, or JSON Lines (--format json).

A row's "at" decides everything about it exactly as 'check --at' would: the statuses and which
lists are fresh enough to answer. "exact" (true/false) matches whole names, as --exact does.

Exit status: the worst over all rows, in the order 1 > 4 > 5 > 3 > 0.`,
		Example: `  eutl batch providers.csv
  printf 'provider,service\nVATBE-0541659084,qval\n' | eutl batch - --format json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef(fmt.Errorf("batch takes one FILE (or - for standard input), got %d arguments", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			in, cleanup, err := g.batchInput(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			defer cleanup()
			// First pass: validate every row (nothing is looked up if one is
			// malformed) and learn which territories to load. An evidence
			// bundle records the input as read.
			first := in.first
			var input *bytes.Buffer
			if evidencePath != "" {
				input = &bytes.Buffer{}
				first = io.TeeReader(first, input)
			}
			territories, err := batchTerritories(first)
			if err != nil {
				if cmd.Context().Err() != nil {
					return interrupted(cmd.Context())
				}
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
			ix, err := g.loadIndex(cmd, territories)
			if err != nil {
				return err
			}
			again, err := in.again()
			if err != nil {
				return err
			}
			// Second pass: answer and write row by row.
			bw := report.NewBatchWriter(g.tableWriter(cmd), g.format)
			code := ExitOK
			memo := map[string]*query.Answer{}
			failedSeen := map[string]bool{}
			var failed []query.FailedList
			// Only an evidence bundle holds the answers (it records them all).
			var recorded []report.Check
			err = query.ScanBatch(again, func(r query.BatchRow) error {
				if err := cmd.Context().Err(); err != nil {
					return err
				}
				at := r.At
				if at.IsZero() {
					at = g.at
				}
				key := fmt.Sprintf("%s\x00%s\x00%s\x00%d\x00%t", r.Provider, r.Kind.Name(), r.Country, at.UnixNano(), r.Exact)
				a := memo[key]
				if a == nil {
					a = ix.Check(query.Query{Provider: r.Provider, Kind: r.Kind, Country: r.Country, At: at, Exact: r.Exact, AnyMatch: anyMatch})
					if len(memo) >= 4096 {
						clear(memo)
					}
					memo[key] = a
				}
				c := report.FromAnswer(a, r.Service)
				c.Line = r.Line
				code = worse(code, answerCode(a))
				for _, f := range a.Failed { // for the hints: each kind once
					if k := f.Territory + "\x00" + string(f.Verdict); !failedSeen[k] {
						failedSeen[k] = true
						failed = append(failed, f)
					}
				}
				if g.ev != nil {
					recorded = append(recorded, c)
				}
				return bw.Write(c)
			})
			if cerr := bw.Close(); err == nil {
				err = cerr
			}
			if cmd.Context().Err() != nil {
				return interrupted(cmd.Context())
			}
			if err != nil {
				return err
			}
			if err := g.answered(recorded, func(w io.Writer) error { return report.WriteBatch(w, report.JSON, recorded) }); err != nil {
				return err
			}
			var runErr error
			if code == ExitTrust || code == ExitFetch {
				runErr = &exitError{code: code, hints: g.failureHints(failed)}
			} else if code != ExitOK {
				runErr = &exitError{code: code}
			}
			return g.finishEvidence(runErr)
		},
	}
	evidenceFlag(cmd, &evidencePath)
	cmd.Flags().BoolVar(&anyMatch, "any-match", false, "a row whose provider matches several distinct providers is qualified if any is (default: ambiguous)")
	return cmd
}

// batchSource is a batch input that can be read twice: once to validate,
// once to answer.
type batchSource struct {
	first io.Reader
	again func() (io.Reader, error)
}

// batchInput opens FILE, or spools standard input ("-") to a temporary
// file while the first pass reads it, so that neither pass holds the input
// in memory.
func (g *globalOptions) batchInput(ctx context.Context, name string) (batchSource, func(), error) {
	if name != "-" {
		// a regular file only: a FIFO or a device (/dev/zero) is refused
		f, err := fetch.OpenLocalFile(g.path(name))
		if err != nil {
			return batchSource{}, nil, usagef(fmt.Errorf("cannot read the batch file: %w", err))
		}
		return batchSource{first: f, again: func() (io.Reader, error) {
			_, err := f.Seek(0, io.SeekStart)
			return f, err
		}}, func() { f.Close() }, nil
	}
	tmp, err := os.CreateTemp("", "eutl-batch-*")
	if err != nil {
		return batchSource{}, nil, fmt.Errorf("spooling standard input: %w", err)
	}
	cleanup := func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}
	if g.env.StdinIsTerminal {
		fmt.Fprintln(g.env.Stderr, "eutl: reading queries from the terminal: a CSV header (provider,service[,country][,at]) or JSON Lines; end with Ctrl-D")
	}
	// read standard input so that Ctrl-C and SIGTERM end the wait
	stdin := contextReader(ctx, g.env.Stdin)
	return batchSource{first: io.TeeReader(stdin, tmp), again: func() (io.Reader, error) {
		_, err := tmp.Seek(0, io.SeekStart)
		return tmp, err
	}}, cleanup, nil
}

// batchTerritories validates every row and returns the territories to
// load: only the named ones when every row names one; otherwise (nil) every
// list.
func batchTerritories(in io.Reader) ([]string, error) {
	seen := map[string]bool{}
	all := false
	err := query.ScanBatch(in, func(r query.BatchRow) error {
		if r.Country == "" {
			all = true
		} else {
			seen[r.Country] = true
		}
		return nil
	})
	if err != nil || all {
		return nil, err
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	sort.Strings(out)
	return out, nil
}
