// Package loadhook carries test-only settings into [eutl.Load] through its
// context: the HTTP transport (tests route host names to a loopback server),
// a shorter retry backoff and a fixed wall clock. Being internal, it is not
// part of the library's API: programs that import eutl cannot set these.
//
// [eutl.Load]: https://pkg.go.dev/github.com/eutl/eutl/pkg/eutl#Load
package loadhook

import (
	"context"
	"net/http"
	"time"
)

// Hooks replace parts of the world a load sees. Zero fields keep the default.
type Hooks struct {
	// Transport carries every HTTP request.
	Transport http.RoundTripper
	// RetryBaseDelay shortens the retry backoff.
	RetryBaseDelay time.Duration
	// Now is the wall clock.
	Now func() time.Time
}

type key struct{}

// With returns ctx carrying h.
func With(ctx context.Context, h Hooks) context.Context {
	return context.WithValue(ctx, key{}, h)
}

// From returns the hooks ctx carries (zero when none).
func From(ctx context.Context) Hooks {
	h, _ := ctx.Value(key{}).(Hooks)
	return h
}
