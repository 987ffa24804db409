package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/snapshot"
)

func newSnapshotCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Write the verified set to one portable file (eutl snapshot create FILE)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usagef(errors.New("eutl snapshot needs a subcommand: create FILE"))
		},
	}
	cmd.AddCommand(newSnapshotCreateCmd(g))
	return cmd
}

func newSnapshotCreateCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "create FILE",
		Short: "Fetch (or read the cache with --offline), verify and write the set to FILE",
		Long: `Verify the LOTL, its pivots and every national list as 'eutl fetch' does (or from the cache
with --offline, or from another snapshot with --snapshot), and write the exact bytes of every
list that verified with a manifest to FILE, a ZIP archive. Lists that failed are named in the
manifest and not included. The manifest records the instant the lists were verified at (--at,
default now), not the time of writing: the same set at the same --at gives the same bytes.

Answer from the file with 'eutl --snapshot FILE check ...' (a file or an http(s) URL): every
list is verified again, nothing in the manifest is trusted.

Exit status: 0 when every list verified; 4 or 5 when one did not (the file is written with the
lists that did, unless the LOTL itself failed).`,
		Example: `  eutl fetch && eutl snapshot create eutl-snapshot.zip --offline
  eutl snapshot create eutl-snapshot.zip --at 2026-08-20 --offline`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g.record = true
			set, err := g.loadSet(cmd.Context(), nil, g.offline)
			if err != nil {
				return err
			}
			res := set.Chain()
			r := g.listsReport(res)
			if !res.LOTL.Usable() {
				if err := report.WriteLists(cmd.OutOrStdout(), g.format, r); err != nil {
					return err
				}
				return &exitError{code: chainCode(res), msg: "no snapshot written: " + failedSummary(res), hints: g.hints(res, g.offline)}
			}
			m, members, err := snapshot.Build(res, g.rec, snapshot.BuildOptions{
				Kind: snapshot.KindSnapshot, EutlVersion: Version, At: g.at, LOTLURL: g.lastLOTLURL, Anchors: g.lastAnchors,
			})
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := snapshot.Write(&buf, m, members); err != nil {
				return err
			}
			out := g.path(args[0])
			if err := snapshot.WriteFile(out, buf.Bytes()); err != nil {
				return usagef(fmt.Errorf("cannot write the snapshot: %w", err))
			}
			if err := report.WriteLists(cmd.OutOrStdout(), g.format, r); err != nil {
				return err
			}
			failed := 0
			for _, f := range m.Files {
				if !f.Included {
					failed++
				}
			}
			g.note("wrote %s: %d files, %d bytes, SHA-256 %s; %d failed list(s) named in the manifest, not included", args[0], len(members), buf.Len(), sha256Hex(buf.Bytes()), failed)
			if code := chainCode(res); code != ExitOK {
				return &exitError{code: code, msg: failedSummary(res), hints: g.hints(res, g.offline)}
			}
			return nil
		},
	}
}

// openSnapshot reads --snapshot: a file, or an http(s) URL fetched with the
// client (conditional GET against the copy kept in the cache dir).
func (g *globalOptions) openSnapshot(ctx context.Context) (*snapshot.Archive, error) {
	lim := snapshot.DefaultLimits()
	var data []byte
	if snapshot.IsURL(g.snapshot) {
		b, origin, err := snapshot.Download(ctx, g.client(lim.MaxTotal), g.snapshot, g.cacheDir)
		if err != nil {
			return nil, &exitError{code: ExitFetch, msg: "--snapshot: " + err.Error(), hints: []string{"check the URL and the network; a snapshot file works offline"}}
		}
		g.note("snapshot %s: %s", fetch.Redact(g.snapshot), origin)
		data = b
	} else {
		b, err := readBounded(g.path(g.snapshot), lim.MaxTotal)
		if err != nil {
			return nil, err
		}
		data = b
	}
	a, err := snapshot.Read(data, lim)
	if err != nil {
		return nil, g.snapshotError(err)
	}
	if a.Manifest.Kind != snapshot.KindSnapshot {
		g.note("%s is an evidence bundle: answering from the lists it holds", g.snapshot)
	}
	return a, nil
}

// readBounded reads a local archive, refusing one over limit before reading.
func readBounded(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, usagef(fmt.Errorf("cannot read %s: %w", name, err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, usagef(fmt.Errorf("cannot read %s: %w", name, err))
	}
	if !st.Mode().IsRegular() {
		return nil, usagef(fmt.Errorf("%s is not a regular file", name))
	}
	if st.Size() > limit {
		return nil, &exitError{code: ExitTrust, msg: fmt.Sprintf("%s: %d bytes, over the %d-byte limit of a snapshot", name, st.Size(), limit)}
	}
	b := make([]byte, st.Size())
	if _, err := f.ReadAt(b, 0); err != nil {
		return nil, usagef(fmt.Errorf("cannot read %s: %w", name, err))
	}
	return b, nil
}

// snapshotError maps a snapshot or bundle that cannot be used to its exit
// code: 2 for a newer format, 4 (naming the member) otherwise.
func (g *globalOptions) snapshotError(err error) error {
	what := g.snapshot
	if g.env.replay != nil {
		what = g.env.replay.file
	}
	if errors.Is(err, snapshot.ErrNewerFormat) {
		return usagef(fmt.Errorf("%s: %w", what, err))
	}
	var fe *snapshot.FormatError
	if errors.As(err, &fe) {
		if g.env.replay != nil && g.env.replay.err == nil {
			g.env.replay.err = err
		}
		return &exitError{code: ExitTrust, msg: what + ": " + err.Error()}
	}
	return err
}
