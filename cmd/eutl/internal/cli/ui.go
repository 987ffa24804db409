package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/eutl/eutl/pkg/report"
)

// Messages on stderr follow one style: "eutl: error: …", "eutl: warning: …",
// "eutl: hint: …", "eutl: note: …"; lower case, no trailing period. stdout
// carries only results.

func printError(w io.Writer, err error) {
	for _, line := range strings.Split(humanize(err.Error()), "\n") {
		fmt.Fprintln(w, "eutl: error: "+line)
	}
}

func (g *globalOptions) warn(format string, args ...any) {
	fmt.Fprintf(g.env.Stderr, "eutl: warning: "+format+"\n", args...)
}

// detail is a note that repeats every run (about the lists, not the
// question): printed only with --verbose.
func (g *globalOptions) detail(format string, args ...any) {
	if g.verbose {
		g.note(format, args...)
	}
}

func (g *globalOptions) note(format string, args ...any) {
	if g.quiet {
		return
	}
	fmt.Fprintf(g.env.Stderr, "eutl: note: "+format+"\n", args...)
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth is the width of w's terminal, or 0 when w is not one.
func terminalWidth(w any) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return width
}

// oneLine folds the continuation lines of a message (blank or indented,
// as cobra writes "Did you mean this?" lists) onto the line they continue,
// so that every line printed is one whole message; and says in words what
// Go's context errors say.
func oneLine(msg string) string {
	msg = humanize(msg)
	var out []string
	for _, l := range strings.Split(msg, "\n") {
		cont := l == "" || l[0] == ' ' || l[0] == '\t' || strings.HasPrefix(l, "Did you mean")
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if cont && len(out) > 0 {
			out[len(out)-1] += " " + l
		} else {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// humanize replaces Go's error words by the user's.
func humanize(msg string) string {
	return strings.NewReplacer(
		"context canceled", "interrupted",
		"context deadline exceeded", "timed out",
	).Replace(msg)
}

// contextReader reads r until ctx ends: a read blocked on a terminal or a
// pipe (standard input) then returns ctx's error at once. The blocked read
// itself is abandoned; the process is about to exit.
func contextReader(ctx context.Context, r io.Reader) io.Reader {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		_, err := io.Copy(pw, r)
		pw.CloseWithError(err)
		close(done)
	}()
	go func() {
		select {
		case <-ctx.Done():
			pr.CloseWithError(ctx.Err())
		case <-done:
		}
	}()
	return pr
}

// interrupted is the error of a run ended by Ctrl-C or SIGTERM.
func interrupted(ctx context.Context) error {
	return &exitError{code: ExitInterrupted, msg: "interrupted (" + interruptCause(ctx) + "); the cache keeps what was verified before"}
}

func interruptCause(ctx context.Context) string {
	if c := context.Cause(ctx); c != nil && c != ctx.Err() {
		return c.Error()
	}
	return "signal"
}

// tableWriter is stdout for results: tables fit the terminal's width
// unless --wide is given, stdout is not a terminal, or the output is recorded
// in an evidence bundle (which must reproduce it byte for byte wherever it is
// verified, whatever that terminal's width).
func (g *globalOptions) tableWriter(cmd *cobra.Command) io.Writer {
	w := cmd.OutOrStdout()
	if g.wide || g.format != report.Table || g.ev != nil {
		return w
	}
	return report.FitWidth(w, g.env.StdoutWidth)
}
