package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestClientRetriesAndLimits(t *testing.T) {
	var calls atomic.Int32
	var ua atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		ua.Store(r.Header.Get("User-Agent"))
		switch r.URL.Path {
		case "/flaky":
			if n == 1 {
				w.Header().Set("Retry-After", "0")
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			w.Write([]byte("<ok/>"))
		case "/slowdown":
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 2048)))
		case "/big-declared":
			w.Header().Set("Content-Length", "999999")
			w.Write([]byte("x"))
		case "/notfound":
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var slept []time.Duration
	c := NewClient(Options{UserAgent: "eutl/test", MaxSize: 1024, Sleep: func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}})
	ctx := context.Background()

	resp, err := c.Get(ctx, srv.URL+"/flaky", Validators{})
	if err != nil || string(resp.Body) != "<ok/>" {
		t.Fatalf("flaky: %v", err)
	}
	if ua.Load() != "eutl/test" || len(slept) != 1 || slept[0] != 0 {
		t.Errorf("user agent %v, slept %v", ua.Load(), slept)
	}

	_, err = c.Get(ctx, srv.URL+"/slowdown", Validators{})
	var fe *Error
	if !errors.As(err, &fe) || fe.StatusCode != 429 || !strings.Contains(err.Error(), "Retry-After") {
		t.Errorf("429 with a long Retry-After: %v", err)
	}

	calls.Store(0)
	_, err = c.Get(ctx, srv.URL+"/big", Validators{})
	if !errors.Is(err, ErrTooLarge) || calls.Load() != 1 {
		t.Errorf("oversize body: %v after %d calls (an oversize body is not retried)", err, calls.Load())
	}
	if _, err = c.Get(ctx, srv.URL+"/big-declared", Validators{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversize Content-Length: %v", err)
	}
	calls.Store(0)
	_, err = c.Get(ctx, srv.URL+"/notfound?token=secret", Validators{})
	if !errors.As(err, &fe) || fe.StatusCode != 404 || calls.Load() != 1 || strings.Contains(err.Error(), "secret") {
		t.Errorf("404: %v after %d calls", err, calls.Load())
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Get(cctx, srv.URL+"/flaky", Validators{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSHA2URL(t *testing.T) {
	for in, want := range map[string]string{
		"https://tsl.belgium.be/tsl-be-v6.xml": "https://tsl.belgium.be/tsl-be-v6.sha2",
		"https://tsl.gov.cz/publ/TSL_CZ.xtsl":  "https://tsl.gov.cz/publ/TSL_CZ.sha2",
		"https://nkom.no/files/TL/NO_TL.XML":   "https://nkom.no/files/TL/NO_TL.sha2",
		"https://www.digst.dk/TSLDK_v6xml":     "",
	} {
		if got := SHA2URL(in); got != want {
			t.Errorf("SHA2URL(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestCacheWriteInterrupted(t *testing.T) {
	dir := t.TempDir()
	c, err := OpenCache(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Write("BE", []byte("<old/>"), Meta{URL: "u", Verdict: "valid"}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"written", "before-rename"} {
		writeHook = func(s string) error {
			if s == step {
				return errors.New("simulated crash at " + s)
			}
			return nil
		}
		err := c.Write("BE", []byte("<new/>"), Meta{URL: "u", Verdict: "valid"})
		writeHook = func(string) error { return nil }
		if err == nil {
			t.Fatalf("%s: write did not fail", step)
		}
		data, meta, err := c.Read("BE")
		if err != nil || string(data) != "<old/>" || meta == nil || meta.Verdict != "valid" {
			t.Fatalf("%s: cache after an interrupted write: %q %+v %v", step, data, meta, err)
		}
		tmps, _ := filepath.Glob(filepath.Join(dir, ".BE.xml.tmp-*"))
		if len(tmps) != 0 {
			t.Errorf("%s: temporary files left: %v", step, tmps)
		}
		// what a SIGKILL would leave is removed by the next writer (Prepare)
		os.WriteFile(filepath.Join(dir, ".BE.xml.tmp-123"), []byte("partial"), 0o644)
		if err := c.Prepare(); err != nil {
			t.Fatal(err)
		}
		if tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(tmps) != 0 {
			t.Errorf("stale temporary files kept: %v", tmps)
		}
	}
}

func TestCacheFormatAndNames(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "eutl-cache.json"), []byte(`{"format_version": 99}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCache(dir, true); !errors.Is(err, ErrNewerCache) {
		t.Errorf("newer cache: %v", err)
	}
	c, err := OpenCache(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"../etc/passwd", "", ".hidden", "a/b"} {
		if _, _, err := c.Read(bad); err == nil || errors.Is(err, ErrNotInCache) {
			t.Errorf("name %q accepted: %v", bad, err)
		}
	}
	// metadata that does not describe the bytes is ignored
	if err := c.Write("FR", []byte("<a/>"), Meta{Verdict: "valid"}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, "FR.xml"), []byte("<b/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, meta, err := c.Read("FR"); err != nil || meta != nil {
		t.Errorf("stale metadata used: %+v %v", meta, err)
	}
	// a damaged state file is an error that says what to do
	if err := os.WriteFile(filepath.Join(c.Dir, "state.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadState(); err == nil || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("damaged state: %v", err)
	}
}

func TestCacheLock(t *testing.T) {
	c, err := OpenCache(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := c.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := c.Lock(ctx); err == nil {
		t.Fatal("second lock taken while the first is held")
	}
	unlock()
	unlock2, err := c.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	unlock2()
}

// FuzzCacheMeta: reading a cache entry with arbitrary metadata never panics.
func FuzzCacheMeta(f *testing.F) {
	f.Add([]byte(`{"url":"u","sha256":"x","verdict":"valid"}`), []byte(`{"format_version":1,"sequences":{"BE":3}}`))
	f.Fuzz(func(t *testing.T, meta, state []byte) {
		dir := t.TempDir()
		c := &Cache{Dir: dir}
		os.MkdirAll(filepath.Join(dir, "meta"), 0o755)
		os.WriteFile(filepath.Join(dir, "BE.xml"), []byte("<a/>"), 0o644)
		os.WriteFile(filepath.Join(dir, "meta", "BE.json"), meta, 0o644)
		os.WriteFile(filepath.Join(dir, "state.json"), state, 0o644)
		c.Read("BE")
		c.ReadState()
	})
}

// TestAdversarialDiskFull: a write that fails (disk full) leaves the
// previous verified copy and state in place and reports the error.
func TestAdversarialDiskFull(t *testing.T) {
	for _, step := range []string{"written", "before-rename"} {
		t.Run("cache/disk full at "+step, func(t *testing.T) {
			c, err := OpenCache(t.TempDir(), true)
			if err != nil {
				t.Fatal(err)
			}
			s := &Store{Cache: c}
			old := &Fetched{Data: []byte("<old/>"), URL: "u", Origin: "network"}
			if err := s.Accept("BE", old, AcceptInfo{Sequence: 5, Verdict: "valid"}); err != nil {
				t.Fatal(err)
			}
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
			writeHook = func(st string) error {
				if st == step {
					return syscall.ENOSPC
				}
				return nil
			}
			defer func() { writeHook = func(string) error { return nil } }()
			err = s.Accept("BE", &Fetched{Data: []byte("<new/>"), URL: "u", Origin: "network"}, AcceptInfo{Sequence: 6, Verdict: "valid"})
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("write error not reported: %v", err)
			}
			if seq, _ := s.LastSequence("BE"); seq != 5 {
				t.Fatalf("sequence floor raised by a list that was not stored: %d", seq)
			}
			data, _, err := c.Read("BE")
			if err != nil || string(data) != "<old/>" {
				t.Fatalf("cache after a failed write: %q %v", data, err)
			}
			// The state file itself on a full disk.
			writeHook = func(string) error { return nil }
			if err := s.Accept("BE", &Fetched{Data: []byte("<new/>"), URL: "u", Origin: "network"}, AcceptInfo{Sequence: 6, Verdict: "valid"}); err != nil {
				t.Fatal(err)
			}
			writeHook = func(st string) error {
				if st == step {
					return syscall.ENOSPC
				}
				return nil
			}
			if err := s.Flush(); !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("state write error not reported: %v", err)
			}
			st, err := c.ReadState()
			if err != nil || st.Sequences["BE"] != 5 {
				t.Fatalf("state after a failed write: %+v %v", st, err)
			}
		})
	}
}

func TestLooksLikeXML(t *testing.T) {
	for body, ok := range map[string]bool{
		"<?xml version=\"1.0\"?><TrustServiceStatusList/>": true,
		"\xEF\xBB\xBF\r\n <TrustServiceStatusList/>":       true,
		"<!DOCTYPE html><html><body>error</body></html>":   false,
		"  <HTML><body>Service unavailable</body></HTML>":  false,
		"":              false,
		"{\"error\":1}": false,
	} {
		if err := looksLikeXML([]byte(body), "text/html"); (err == nil) != ok {
			t.Errorf("looksLikeXML(%q) = %v", body, err)
		}
	}
}
