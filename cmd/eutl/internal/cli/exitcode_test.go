package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/trust"
)

func TestExitCode(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{usagef(errors.New("bad flag")), ExitUsage},
		{&exitError{code: ExitNotQualified}, ExitNotQualified},
		{&trust.ListError{Verdict: trust.SignatureInvalid, Err: errors.New("x")}, ExitTrust},
		{fmt.Errorf("wrapped: %w", &trust.ListError{Verdict: trust.FetchFailed, Err: errors.New("x")}), ExitFetch},
		{&trust.ListError{Verdict: trust.Expired, Err: errors.New("x")}, ExitTrust},
		{&trust.ListError{Verdict: trust.Rollback, Err: errors.New("x")}, ExitTrust},
		{errors.New("something unexpected"), ExitInternal},
		{&exitError{code: ExitInterrupted, msg: "interrupted"}, ExitInterrupted},
		// by type, wherever they happen
		{fmt.Errorf("reading: %w", context.Canceled), ExitInterrupted},
		{fmt.Errorf("opening the cache: %w", &fs.PathError{Op: "mkdir", Path: "/ro/c", Err: syscall.EACCES}), ExitUsage},
		{fmt.Errorf("opening the cache: %w", &fs.PathError{Op: "mkdir", Path: "/f/c", Err: syscall.ENOTDIR}), ExitUsage},
		{&fs.PathError{Op: "open", Path: "/ro/c/x", Err: syscall.EROFS}, ExitUsage},
		{fmt.Errorf("load: %w", &eutl.ConfigError{Field: "Concurrency", Err: errors.New("x")}), ExitUsage},
		{&eutl.TerritoryError{Territory: "US"}, ExitUsage},
		{&trust.ListError{Verdict: trust.FetchFailed, Err: &fs.PathError{Op: "open", Path: "x", Err: syscall.EACCES}}, ExitFetch},
	}
	for _, c := range cases {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

// TestWorseOrder: batch exits with the worst code in the order 1 > 4 > 5 > 3 > 0.
func TestWorseOrder(t *testing.T) {
	order := []int{ExitOK, ExitNotQualified, ExitFetch, ExitTrust, ExitInternal}
	for i, a := range order {
		for j, b := range order {
			want := a
			if j > i {
				want = b
			}
			if got := worse(a, b); got != want {
				t.Errorf("worse(%d, %d) = %d, want %d", a, b, got, want)
			}
		}
	}
}
