package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// Messages on stderr follow one style: "eutl: error: …", "eutl: warning: …",
// "eutl: hint: …", "eutl: note: …"; lower case, no trailing period. stdout
// carries only results.

func printError(w io.Writer, err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintln(w, "eutl: error: "+line)
	}
}

func (g *globalOptions) warn(format string, args ...any) {
	fmt.Fprintf(g.env.Stderr, "eutl: warning: "+format+"\n", args...)
}

func (g *globalOptions) note(format string, args ...any) {
	if g.quiet {
		return
	}
	fmt.Fprintf(g.env.Stderr, "eutl: note: "+format+"\n", args...)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
