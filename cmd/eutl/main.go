// Command eutl answers whether a trust service provider holds qualified
// status according to the EU Trusted Lists, and proves the lists authentic.
// See doc.go and README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
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
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	close(done)
	stop()
	os.Exit(code)
}
