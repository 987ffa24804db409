// Command eutl answers whether a trust service provider holds qualified
// status according to the EU Trusted Lists, and proves the lists authentic.
// See doc.go and README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/eutl/eutl/cmd/eutl/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
