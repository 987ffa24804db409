package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/eutl/eutl/pkg/evidence"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/snapshot"
	"github.com/eutl/eutl/pkg/trust"
)

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// evidenceRun collects what a bundle records about one run of check,
// batch or cert: the command's own flags, its input, stdout as printed and
// the answer as JSON.
type evidenceRun struct {
	path    string
	command string
	args    []string
	input   []byte
	out     bytes.Buffer
	json    bytes.Buffer
	answers []report.Check
	done    bool // the command answered (answers may be nil: not check answers)
}

// evidenceFlag adds --evidence FILE to an answering command.
func evidenceFlag(cmd *cobra.Command, path *string) {
	cmd.Flags().StringVar(path, "evidence", "", "also write an evidence bundle of this answer to FILE (verify it with 'eutl evidence verify FILE')")
}

// startEvidence begins recording when --evidence is set (and, in a replay,
// captures the recomputed JSON answer). positional are the command's
// arguments as replayed; input is its input file's content, if any.
func (g *globalOptions) startEvidence(cmd *cobra.Command, path string, positional []string, input []byte) {
	if g.env.replay != nil {
		g.ev = &evidenceRun{}
		return
	}
	if path == "" {
		return
	}
	ev := &evidenceRun{path: g.path(path), command: cmd.Name(), input: input}
	if st, err := os.Stat(filepath.Dir(ev.path)); err != nil || !st.IsDir() {
		g.evErr = usagef(fmt.Errorf("--evidence %s: no such directory to write the bundle in", path))
		return
	}
	record := func(f *pflag.Flag) {
		if !f.Changed || notRecorded[f.Name] {
			return
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				ev.args = append(ev.args, "--"+f.Name+"="+v)
			}
			return
		}
		ev.args = append(ev.args, "--"+f.Name+"="+f.Value.String())
	}
	cmd.LocalFlags().VisitAll(record)
	// Global flags that shape the output (any added later too) are replayed;
	// those that only say where lists come from, or that the record holds
	// in its own fields, are not.
	cmd.Root().PersistentFlags().VisitAll(record)
	ev.args = append(ev.args, positional...)
	cmd.SetOut(io.MultiWriter(cmd.OutOrStdout(), &ev.out))
	g.ev = ev
}

// notRecorded are the flags a bundle does not replay: where the lists came
// from (the bundle's lists replace them), how they were fetched, and what
// the record keeps in fields of its own (--at, --format, --allow-expired,
// the anchors).
var notRecorded = map[string]bool{
	"evidence": true, "help": true, "snapshot": true, "offline": true, "cache-dir": true, "lotl-url": true,
	"trust-anchors": true, "timeout": true, "concurrency": true, "quiet": true, "at": true, "format": true,
	"allow-expired": true,
}

// answered records the answers and their JSON rendering.
func (g *globalOptions) answered(answers []report.Check, renderJSON func(io.Writer) error) error {
	if g.ev == nil {
		return nil
	}
	g.ev.answers, g.ev.done = answers, true
	if err := renderJSON(&g.ev.json); err != nil {
		return err
	}
	if g.env.replay != nil {
		g.env.replay.json = g.ev.json.Bytes()
	}
	return nil
}

// finishEvidence writes the bundle of a run that answered with exit code
// code (the run's own error is passed through unchanged).
func (g *globalOptions) finishEvidence(runErr error) error {
	ev := g.ev
	if ev == nil || g.env.replay != nil {
		return runErr
	}
	if !ev.done || g.lastChain == nil {
		g.warn("no evidence bundle written: there is no answer to record")
		return runErr
	}
	code := exitCode(runErr)
	res := g.lastChain
	m, members, err := snapshot.Build(res, g.rec, snapshot.BuildOptions{
		Kind: snapshot.KindEvidence, EutlVersion: Version, At: g.at, LOTLURL: g.lastLOTLURL, Anchors: g.lastAnchors,
		Territories: evidence.Consulted(res, ev.answers), IncludeFailed: true,
	})
	if err != nil {
		return fmt.Errorf("evidence bundle: %w", err)
	}
	rec := &snapshot.Record{Command: ev.command, Args: ev.args, Format: g.formatFlag, AllowExpired: g.allowExpired,
		Overrides: g.overrides(), Territories: evidence.Consulted(res, ev.answers),
		Output: evidence.OutputMember(g.formatFlag), AnswerJSON: evidence.AnswerJSONMember, ExitCode: code}
	if rec.Args == nil {
		rec.Args = []string{}
	}
	add := func(name string, data []byte) {
		members[name] = data
		m.AddFile(snapshot.File{Name: name, Role: snapshot.RoleEvidence}, data)
	}
	if ev.input != nil {
		rec.Input = evidence.InputMember
		add(evidence.InputMember, ev.input)
	}
	names := make([]string, 0, len(g.certInputs))
	for n := range g.certInputs {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		member := fmt.Sprintf("%s-%d", evidence.InputMember, i+1)
		rec.Files = append(rec.Files, snapshot.RecordedFile{Name: n, Member: member})
		add(member, g.certInputs[n])
	}
	add(rec.AnswerJSON, ev.json.Bytes())
	if rec.Output != rec.AnswerJSON {
		add(rec.Output, ev.out.Bytes())
	}
	m.Evidence = rec
	var buf bytes.Buffer
	if err := snapshot.Write(&buf, m, members); err != nil {
		return fmt.Errorf("evidence bundle: %w", err)
	}
	if err := snapshot.WriteFile(ev.path, buf.Bytes()); err != nil {
		g.warn("could not write the evidence bundle %s: %v", ev.path, err)
		if runErr == nil {
			return &exitError{code: ExitUsage, msg: "cannot write --evidence " + ev.path + ": " + err.Error()}
		}
		return runErr
	}
	g.note("wrote evidence bundle %s (%d lists, SHA-256 %s)", ev.path, len(rec.Territories), sha256Hex(buf.Bytes()))
	return runErr
}

// replaySpec is what 'evidence verify' hands the replayed command.
type replaySpec struct {
	file        string
	archive     *snapshot.Archive
	anchors     trust.Anchors
	builtin     bool
	territories []string
	overrides   []string
	// inputs are the recorded input files by name.
	inputs map[string][]byte
	// err is the first bundle error the replay met (a manifest the lists
	// contradict).
	err error
	// json is the recomputed JSON answer.
	json []byte
}

func newEvidenceCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Verify or show an evidence bundle written by check/batch --evidence",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usagef(errors.New("eutl evidence needs a subcommand: verify FILE or show FILE"))
		},
	}
	cmd.AddCommand(newEvidenceVerifyCmd(g), newEvidenceShowCmd(g))
	return cmd
}

func (g *globalOptions) readBundle(file string, strict bool) (*snapshot.Archive, error) {
	data, err := readBounded(g.path(file), snapshot.DefaultLimits().MaxTotal)
	if err != nil {
		return nil, err
	}
	read := snapshot.Read
	if !strict {
		read = snapshot.Inspect
	}
	a, err := read(data, snapshot.DefaultLimits())
	if err != nil {
		if errors.Is(err, snapshot.ErrNewerFormat) {
			return nil, usagef(fmt.Errorf("%s: %w", file, err))
		}
		return nil, &exitError{code: ExitTrust, msg: file + ": " + err.Error()}
	}
	if a.Manifest.Kind != snapshot.KindEvidence {
		return nil, usagef(fmt.Errorf("%s is a %s, not an evidence bundle (answer from it with --snapshot)", file, a.Manifest.Kind))
	}
	return a, nil
}

func newEvidenceVerifyCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "verify FILE",
		Short: "Re-verify a bundle offline at its recorded instant and reproduce its answer",
		Long: `Verify every list of an evidence bundle again from the trust anchors (built-in, or
--trust-anchors: the bundle records which anchors it was made with) at the instant it records,
compute the answer again from those lists alone, and compare it byte for byte with the recorded
answer. Nothing is fetched. Signer certificates that have expired since do not matter: lists are
judged at the recorded instant.

Exit status: the recorded exit code when the answer is reproduced (0 qualified, 3 not
qualified, ...); 4 when a file was changed (named) or the recorded answer is not what the lists
say; 2 for a bundle of a newer format.`,
		Example: `  eutl evidence verify answer-2026-08-20.zip
  eutl evidence verify old-bundle.zip --trust-anchors oj-2026-1944.pem`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := g.readBundle(args[0], true)
			if err != nil {
				return err
			}
			anchors, err := g.anchors()
			if err != nil {
				return err
			}
			rec := a.Manifest.Evidence
			if want := recordedOverrides(rec.AllowExpired, a.Manifest.Anchors.Notice); strings.Join(want, "\n") != strings.Join(rec.Overrides, "\n") {
				return &exitError{code: ExitTrust, msg: fmt.Sprintf("%s: %s: the recorded overrides %q do not follow from the recorded run (%q)", args[0], snapshot.ManifestName, rec.Overrides, want)}
			}
			if !sameAnchors(snapshot.AnchorsOf(anchors), a.Manifest.Anchors) {
				g.warn("the bundle was made with other trust anchors (%s: %s) than these (%s)", a.Manifest.Anchors.Notice, strings.Join(a.Manifest.Anchors.SHA256, " "), anchors.Name)
			}
			spec := &replaySpec{file: args[0], archive: a, anchors: anchors, builtin: g.trustAnchors == "",
				territories: rec.Territories, overrides: rec.Overrides, inputs: map[string][]byte{}}
			for _, f := range rec.Files {
				spec.inputs[f.Name], _ = a.Member(f.Member)
			}
			code, out, stderr := g.replay(cmd.Context(), spec)
			if spec.err != nil {
				return &exitError{code: ExitTrust, msg: args[0] + ": " + spec.err.Error(), hints: anchorHint(a, anchors)}
			}
			if err := evidence.Compare(a, out, spec.json, code); err != nil {
				msg := args[0] + ": " + err.Error()
				if s := strings.TrimSpace(stderr); s != "" {
					msg += "\nthe recomputation said:\n" + s
				}
				return &exitError{code: ExitTrust, msg: msg, hints: anchorHint(a, anchors)}
			}
			var statements []string
			switch rec.Command {
			case "check", "batch":
				answers, err := evidence.Answers(spec.json)
				if err != nil {
					return err
				}
				statements = evidence.Statements(a.Manifest, answers)
			case "cert":
				certs, err := evidence.CertAnswers(spec.json)
				if err != nil {
					return err
				}
				statements = evidence.CertStatements(a.Manifest, certs)
			}
			w := cmd.OutOrStdout()
			if g.format == report.JSON {
				err = report.WriteJSON(w, report.EvidenceVerify{SchemaVersion: report.SchemaVersion, Verified: true, At: a.Manifest.VerifiedAt,
					Command: rec.Command, Args: rec.Args, ExitCode: rec.ExitCode, Statements: statements, Files: a.Manifest.Files, Anchors: a.Manifest.Anchors})
			} else {
				err = writeVerified(w, args[0], a, statements)
			}
			if err != nil {
				return err
			}
			if rec.ExitCode != ExitOK {
				return &exitError{code: rec.ExitCode}
			}
			return nil
		},
	}
}

// writeVerified prints a verified bundle: its statements for an auditor
// (the recorded output when there are none) and its lists.
func writeVerified(w io.Writer, file string, a *snapshot.Archive, statements []string) error {
	m := a.Manifest
	fmt.Fprintf(w, "VERIFIED: %s reproduces its answer (exit %d) from its lists, re-verified at %s\n", file, m.Evidence.ExitCode, m.VerifiedAt)
	for _, s := range statements {
		fmt.Fprintln(w, "  "+s)
	}
	if len(statements) == 0 {
		out, _ := a.Member(m.Evidence.Output)
		fmt.Fprintf(w, "  On %s the lists below, verified again, give the recorded answer:\n%s", m.VerifiedAt, out)
	}
	fmt.Fprintf(w, "query: eutl %s %s\n", m.Evidence.Command, strings.Join(m.Evidence.Args, " "))
	fmt.Fprintf(w, "anchors: %s\n", m.Anchors.Notice)
	for _, f := range m.Files {
		if f.Role == snapshot.RoleEvidence {
			continue
		}
		fmt.Fprintf(w, "  %-34s %-2s %-8s %-17s sha256 %s\n", f.Name, f.Territory, seqText(f.Sequence), f.Verdict, f.SHA256)
	}
	return nil
}

// recordedOverrides are the overrides a run with these settings records
// (as globalOptions.overrides names them).
func recordedOverrides(allowExpired bool, anchorsName string) []string {
	var out []string
	if allowExpired {
		out = append(out, "allow-expired")
	}
	if p, ok := strings.CutPrefix(anchorsName, anchorsFlagPrefix); ok {
		out = append(out, "trust-anchors:"+p)
	}
	return out
}

// anchorHint names the anchors a bundle was made with, when the LOTL could
// not be verified from the ones given.
func anchorHint(a *snapshot.Archive, used trust.Anchors) []string {
	if sameAnchors(snapshot.AnchorsOf(used), a.Manifest.Anchors) {
		return nil
	}
	return []string{fmt.Sprintf("the bundle was made with the anchors of %s (SHA-256 %s): after the anchors rotate, pass those certificates with --trust-anchors", a.Manifest.Anchors.Notice, strings.Join(a.Manifest.Anchors.SHA256, ", "))}
}

// replay runs the recorded command again, in process, answering from the
// bundle only, with the recorded flags, instant and format; it returns the
// exit code, stdout and stderr.
func (g *globalOptions) replay(ctx context.Context, spec *replaySpec) (int, []byte, string) {
	rec := spec.archive.Manifest.Evidence
	argv := append([]string{rec.Command}, rec.Args...)
	var stdin []byte
	if rec.Input != "" {
		stdin, _ = spec.archive.Member(rec.Input)
	}
	argv = append(argv, "--at", spec.archive.Manifest.VerifiedAt, "--format", rec.Format, "--cache-dir", g.cacheDir,
		"--concurrency", fmt.Sprint(g.concurrency))
	if rec.AllowExpired {
		argv = append(argv, "--allow-expired")
	}
	var out, errb bytes.Buffer
	env := &Env{Stdin: bytes.NewReader(stdin), Stdout: &out, Stderr: &errb, Now: g.env.Now,
		Getenv: func(string) string { return "" }, Dir: g.env.Dir, replay: spec}
	code := Run(ctx, argv, env)
	return code, out.Bytes(), errb.String()
}

func newEvidenceShowCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "show FILE",
		Short: "List a bundle's contents and query WITHOUT verifying them",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := g.readBundle(args[0], false)
			if err != nil {
				return err
			}
			m := a.Manifest
			w := cmd.OutOrStdout()
			if g.format == report.JSON {
				return report.WriteJSON(w, report.EvidenceShow{SchemaVersion: report.SchemaVersion, Verified: false,
					Note: "UNVERIFIED: as recorded in the bundle; run 'eutl evidence verify'", Manifest: m})
			}
			rec := m.Evidence
			fmt.Fprintf(w, "UNVERIFIED: the contents of %s as recorded; nothing below has been checked (run 'eutl evidence verify %s')\n", args[0], args[0])
			fmt.Fprintf(w, "format %d, written by eutl %s, lists verified at %s\n", m.FormatVersion, m.EutlVersion, m.VerifiedAt)
			fmt.Fprintf(w, "query: eutl %s %s (--format %s)\n", rec.Command, strings.Join(rec.Args, " "), rec.Format)
			fmt.Fprintf(w, "recorded exit code: %d\n", rec.ExitCode)
			fmt.Fprintf(w, "anchors: %s\n", m.Anchors.Notice)
			for _, s := range m.Anchors.SHA256 {
				fmt.Fprintf(w, "  %s\n", s)
			}
			fmt.Fprintln(w, "files:")
			files := append([]snapshot.File{}, m.Files...)
			sort.SliceStable(files, func(i, j int) bool { return files[i].Role == snapshot.RoleLOTL && files[j].Role != snapshot.RoleLOTL })
			for _, f := range files {
				inc := "included"
				if !f.Included {
					inc = "not included"
				}
				fmt.Fprintf(w, "  %-34s %-8s %-2s %-8s %-17s %8d bytes  sha256 %-64s  %s\n", f.Name, f.Role, f.Territory, seqText(f.Sequence), f.Verdict, f.Size, f.SHA256, inc)
			}
			if out, ok := a.Member(rec.Output); ok {
				fmt.Fprintf(w, "recorded answer (%s):\n%s", rec.Output, out)
			}
			return nil
		},
	}
}

func seqText(n int) string {
	if n <= 0 {
		return "-"
	}
	return fmt.Sprintf("seq %d", n)
}
