// Command eutl answers whether a trust service provider holds qualified
// status according to the EU Trusted Lists, and proves the lists authentic.
// See doc.go and README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/eutl/eutl/cmd/eutl/internal/cli"
)

// graceAfterSignal is how long a run may take to end by itself after
// SIGINT/SIGTERM (every wait eutl does follows the context) before main
// ends it: a read the context cannot reach (a FIFO named as FILE) must not
// hang it. The cache stays consistent under any exit (writes are atomic).
const graceAfterSignal = 700 * time.Millisecond

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		select {
		case <-done:
		case <-time.After(graceAfterSignal):
			fmt.Fprintln(os.Stderr, "eutl: error: interrupted (signal)")
			os.Exit(cli.ExitInterrupted)
		}
	}()
	code := protect(os.Stderr, func() int {
		return cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	})
	close(done)
	stop()
	os.Exit(code)
}

// protect runs f and turns a panic into exit 1 (an internal error) with a
// request to report it. The Go runtime's own crash exits 2, which the CLI
// contract reserves for usage errors.
func protect(stderr io.Writer, f func() int) (code int) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(stderr, "eutl: error: internal error: %v\neutl: this is a bug in eutl: please report it with the command that caused it and the trace below\n%s", v, debug.Stack())
			code = cli.ExitInternal
		}
	}()
	return f()
}
