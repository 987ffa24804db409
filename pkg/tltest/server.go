package tltest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault makes the server misbehave for one path.
type Fault struct {
	// Status answers with this HTTP status (only the first FailTimes
	// requests after the fault was set, when FailTimes > 0).
	Status    int
	FailTimes int
	// RetryAfter is sent with Status.
	RetryAfter string
	// Stall accepts the request and never answers (until the client gives up).
	Stall bool
	// StallMidBody sends half the body, then stalls.
	StallMidBody bool
	// Truncate declares the full Content-Length but sends half the body.
	Truncate bool
	// Reset closes the connection after half the body.
	Reset bool
	// Trickle sends one byte per interval.
	Trickle time.Duration
	// Oversize sends this many bytes of padding instead of the file.
	Oversize int64
	// RedirectTo redirects (302) to this URL.
	RedirectTo string
	// HTML answers 200 with an HTML error page.
	HTML bool
	// Body replaces the file's content.
	Body []byte
}

// Server serves a World's files on loopback, with .sha2 digests, ETags,
// conditional GET and injectable faults. Its Transport routes every host to
// it, so lists keep their real-looking URLs.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string][]byte
	faults   map[string]*Fault
	sha2     map[string]string
	requests map[string]int
	hits     map[string]int // requests since the path's fault was set
	cond     map[string]int // conditional requests answered 304
}

// NewServer starts a server for w's files.
func NewServer(w *World) *Server {
	s := &Server{faults: map[string]*Fault{}, sha2: map[string]string{}, requests: map[string]int{}, hits: map[string]int{}, cond: map[string]int{}}
	s.SetFiles(w.Files)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetFiles replaces the served files (after World.Sign).
func (s *Server) SetFiles(files map[string][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files = map[string][]byte{}
	for k, v := range files {
		s.files[k] = v
	}
}

// SetFault sets (nil: clears) the fault of a path.
func (s *Server) SetFault(path string, f *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[path] = 0
	if f == nil {
		delete(s.faults, path)
		return
	}
	s.faults[path] = f
}

// SetSHA2 overrides the published .sha2 digest of a list path.
func (s *Server) SetSHA2(path, digest string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sha2[path] = digest
}

// Requests is how often path was requested.
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// NotModified is how often path was answered 304.
func (s *Server) NotModified(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cond[path]
}

// Transport routes every request, whatever its host, to the server.
func (s *Server) Transport() *http.Transport {
	addr := s.Listener.Addr().String()
	return &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
		ResponseHeaderTimeout: 0,
	}
}

func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	s.mu.Lock()
	s.requests[p]++
	s.hits[p]++
	n := s.hits[p]
	f := s.faults[p]
	var fault Fault
	if f != nil {
		fault = *f
	}
	body, ok := s.files[p]
	if strings.HasSuffix(p, ".sha2") {
		base := strings.TrimSuffix(p, ".sha2") + ".xml"
		if d, over := s.sha2[base]; over {
			body, ok = []byte(d+"\n"), true
		} else if b, has := s.files[base]; has {
			sum := sha256.Sum256(b)
			body, ok = []byte(hex.EncodeToString(sum[:])+"\n"), true
		}
	}
	s.mu.Unlock()

	if f != nil {
		if fault.Status != 0 && (fault.FailTimes == 0 || n <= fault.FailTimes) {
			if fault.RetryAfter != "" {
				w.Header().Set("Retry-After", fault.RetryAfter)
			}
			http.Error(w, http.StatusText(fault.Status), fault.Status)
			return
		}
		switch {
		case fault.Stall:
			<-r.Context().Done()
			return
		case fault.RedirectTo != "":
			http.Redirect(w, r, fault.RedirectTo, http.StatusFound)
			return
		case fault.HTML:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1></body></html>")
			return
		case fault.Oversize > 0:
			w.Header().Set("Content-Type", "application/vnd.etsi.tsl+xml")
			chunk := []byte(strings.Repeat("<a/>", 1024))
			for sent := int64(0); sent < fault.Oversize; sent += int64(len(chunk)) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
			return
		case fault.Body != nil:
			body, ok = fault.Body, true
		}
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	tag := etag(body)
	if r.Header.Get("If-None-Match") == tag {
		s.mu.Lock()
		s.cond[p]++
		s.mu.Unlock()
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", tag)
	w.Header().Set("Content-Type", "application/vnd.etsi.tsl+xml")
	switch {
	case fault.StallMidBody, fault.Truncate, fault.Reset:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body[:len(body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		if fault.StallMidBody {
			<-r.Context().Done()
			return
		}
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				if tc, ok := conn.(*net.TCPConn); ok && fault.Reset {
					tc.SetLinger(0)
				}
				conn.Close()
			}
		}
		return
	case fault.Trickle > 0:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		for i := range body {
			if _, err := w.Write(body[i : i+1]); err != nil {
				return
			}
			if fl, ok := w.(http.Flusher); ok {
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			case <-time.After(fault.Trickle):
			}
		}
		return
	}
	w.Write(body)
}
