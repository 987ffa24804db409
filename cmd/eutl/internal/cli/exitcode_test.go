package cli

import (
	"errors"
	"fmt"
	"testing"

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
