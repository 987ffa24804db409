// Package fetch brings Trusted Lists over HTTP and keeps them in a disk
// cache.
//
// # Network
//
// One [Client] does every request: explicit dial, TLS-handshake and
// response-header timeouts, a per-request timeout, proxies from the
// environment, a User-Agent, bodies bounded by a limit that fails rather than
// truncates, retries with capped backoff for temporary errors, 5xx and 429
// (Retry-After honoured), no redirect to another scheme, and cancellation
// through the context.
//
// # Cache
//
// A [Cache] keeps the raw bytes of each list exactly as received, with
// metadata (URL, ETag, Last-Modified, fetch time, SHA-256, verdict), writes
// atomically (temporary file, fsync, rename) under an exclusive lock, and
// never holds a copy that failed verification. [Store] combines both and is
// what package trust fetches through; in offline mode it never touches the
// network. Nothing here decides trust: every byte read from the network or
// the cache is verified by package trust before use.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxSize bounds a list body: well above the largest real list (DE,
// over 4 MiB); an oversize body is an error, never truncated.
const DefaultMaxSize = 32 << 20

// Options configure a [Client]. Zero values take the defaults.
type Options struct {
	// UserAgent is sent with every request (default "eutl").
	UserAgent string
	// Timeout bounds each request, body included (default 30s).
	Timeout time.Duration
	// MaxSize bounds each body (default DefaultMaxSize).
	MaxSize int64
	// Retries is how many times a temporary failure is retried (default 3;
	// negative: none).
	Retries int
	// BaseDelay and MaxDelay shape the backoff: BaseDelay·3^n, capped at
	// MaxDelay (defaults 500ms and 10s). A Retry-After longer than MaxDelay
	// is not waited for: the request fails.
	BaseDelay, MaxDelay time.Duration
	// Transport replaces the default transport (tests route hosts to a
	// loopback server with it).
	Transport http.RoundTripper
	// Sleep waits between retries (tests make it instant); it must return
	// early with ctx.Err() when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client fetches URLs.
type Client struct {
	hc    *http.Client
	o     Options
	sleep func(ctx context.Context, d time.Duration) error
}

// NewClient returns a client with o's settings.
func NewClient(o Options) *Client {
	if o.UserAgent == "" {
		o.UserAgent = "eutl"
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	if o.Retries == 0 {
		o.Retries = 3
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = 500 * time.Millisecond
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 10 * time.Second
	}
	tr := o.Transport
	if tr == nil {
		tr = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: o.Timeout,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConnsPerHost:   4,
			ForceAttemptHTTP2:     true,
		}
	}
	c := &Client{o: o, sleep: o.Sleep}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	c.hc = &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return fmt.Errorf("%w: more than 5 redirects (last to %s)", ErrRedirect, Redact(req.URL.String()))
			}
			if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
				return fmt.Errorf("%w: from https to %s (%s)", ErrRedirect, req.URL.Scheme, Redact(req.URL.String()))
			}
			if req.URL.Scheme != "https" && req.URL.Scheme != "http" {
				return fmt.Errorf("%w: to scheme %q", ErrRedirect, req.URL.Scheme)
			}
			return nil
		},
	}
	return c
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Sentinel causes wrapped by [Error].
var (
	ErrTooLarge   = errors.New("response body over the size limit")
	ErrStatus     = errors.New("unexpected HTTP status")
	ErrRedirect   = errors.New("redirect refused")
	ErrNotAList   = errors.New("response is not an XML document")
	ErrNotInCache = errors.New("not in the cache")
	// ErrShortBody is a body that ended before its Content-Length: the
	// connection broke, a fetch failure (retried), never a list to parse.
	ErrShortBody = errors.New("response body shorter than its Content-Length")
)

// Error is a failed request. URL has its query string redacted.
type Error struct {
	URL        string
	StatusCode int
	Attempts   int
	Err        error
}

func (e *Error) Error() string {
	msg := "GET " + e.URL + ": " + e.Err.Error()
	if e.Attempts > 1 {
		msg += " (after " + strconv.Itoa(e.Attempts) + " attempts)"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Redact drops the query string and user info of a URL for messages.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.User = nil
	if u.RawQuery != "" {
		u.RawQuery = "REDACTED"
	}
	return u.String()
}

// Validators are the conditional-GET values of a cached copy.
type Validators struct {
	ETag         string
	LastModified string
}

// Response is a successful fetch.
type Response struct {
	Body         []byte
	NotModified  bool // 304: the cached copy is current
	ETag         string
	LastModified string
	ContentType  string
}

// Get fetches rawURL, conditionally when v is set, retrying temporary
// failures. ctx cancels it.
func (c *Client) Get(ctx context.Context, rawURL string, v Validators) (*Response, error) {
	var lastErr error
	attempts := 0
	for attempt := 0; ; attempt++ {
		attempts++
		resp, retryAfter, err := c.once(ctx, rawURL, v)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if ctx.Err() != nil || !temporary(err) || attempt >= c.retries(ctx) {
			break
		}
		delay := c.o.BaseDelay
		for i := 0; i < attempt; i++ {
			delay *= 3
		}
		if delay > c.o.MaxDelay {
			delay = c.o.MaxDelay
		}
		if retryAfter >= 0 {
			if retryAfter > c.o.MaxDelay {
				var fe *Error
				if errors.As(err, &fe) {
					fe.Err = fmt.Errorf("%w; its Retry-After (%s) is longer than eutl waits (%s)", fe.Err, retryAfter, c.o.MaxDelay)
				}
				break
			}
			delay = retryAfter
		}
		if serr := c.sleep(ctx, delay); serr != nil {
			lastErr = serr
			break
		}
	}
	var fe *Error
	if errors.As(lastErr, &fe) {
		fe.Attempts = attempts
		return nil, fe
	}
	return nil, &Error{URL: Redact(rawURL), Attempts: attempts, Err: lastErr}
}

type retriesKey struct{}

// WithRetries returns a context under which requests are retried at most n
// times (fewer than the client's setting only): the pivot walk asks for one
// retry under its own deadline.
func WithRetries(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, retriesKey{}, n)
}

func (c *Client) retries(ctx context.Context) int {
	if n, ok := ctx.Value(retriesKey{}).(int); ok && n < c.o.Retries {
		return n
	}
	return c.o.Retries
}

type statusError struct {
	code int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%v %d %s", ErrStatus, e.code, http.StatusText(e.code))
}
func (e *statusError) Unwrap() error { return ErrStatus }

func temporary(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return se.code >= 500 || se.code == http.StatusTooManyRequests || se.code == http.StatusRequestTimeout
	}
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrRedirect) || errors.Is(err, ErrNotAList) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true // timeouts, resets, refused connections
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, ErrShortBody)
}

func (c *Client) once(ctx context.Context, rawURL string, v Validators) (*Response, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, -1, &Error{URL: Redact(rawURL), Err: err}
	}
	req.Header.Set("User-Agent", c.o.UserAgent)
	req.Header.Set("Accept", "application/vnd.etsi.tsl+xml, application/xml;q=0.9, */*;q=0.1")
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, -1, &Error{URL: Redact(rawURL), Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && (v.ETag != "" || v.LastModified != ""):
		return &Response{NotModified: true, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}, -1, nil
	case resp.StatusCode != http.StatusOK:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil, retryAfter(resp), &Error{URL: Redact(rawURL), StatusCode: resp.StatusCode, Err: &statusError{resp.StatusCode}}
	}
	if resp.ContentLength > c.o.MaxSize {
		return nil, -1, &Error{URL: Redact(rawURL), Err: fmt.Errorf("%w: Content-Length %d, limit %d", ErrTooLarge, resp.ContentLength, c.o.MaxSize)}
	}
	body, err := readAllLimited(resp.Body, resp.ContentLength, c.o.MaxSize)
	if err != nil {
		return nil, -1, &Error{URL: Redact(rawURL), Err: err}
	}
	if resp.ContentLength >= 0 && int64(len(body)) != resp.ContentLength {
		// net/http reports this itself; the check makes it independent of
		// the transport in use.
		return nil, -1, &Error{URL: Redact(rawURL), Err: fmt.Errorf("%w: body of %d bytes, Content-Length %d", ErrShortBody, len(body), resp.ContentLength)}
	}
	return &Response{Body: body, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"), ContentType: resp.Header.Get("Content-Type")}, -1, nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// readAllLimited reads at most max bytes and fails, rather than truncating,
// when there is more. A Content-Length (size, -1 when absent) sizes the
// buffer; it is never trusted beyond max, and the caller checks that the
// body matched it.
func readAllLimited(r io.Reader, size, max int64) ([]byte, error) {
	data, err := ReadSized(r, size, max)
	if errors.Is(err, ErrOverLimit) {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return data, err
}

// retryAfter reads the Retry-After header; -1 when absent or unreadable.
func retryAfter(resp *http.Response) time.Duration {
	h := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if h == "" {
		return -1
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
		return 0
	}
	return -1
}
