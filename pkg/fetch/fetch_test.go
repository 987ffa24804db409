package fetch

import (
	"context"
	"errors"
	"io/fs"
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

func TestPivotName(t *testing.T) {
	for in, want := range map[string]string{
		"https://ec.europa.eu/tools/lotl/eu-lotl-pivot-341.xml": "pivots/eu-lotl-pivot-341.xml",
		"http://x/mirror/BE.xml":                                "pivots/BE.xml",
		"http://x/pivot?/BE.xml":                                "pivots/pivot",
		"http://x/a/..%2F..%2Flotl.xml":                         "pivots/lotl.xml",
		"http://x/.hidden.xml":                                  "pivots/pivot.hidden.xml",
		"http://x/a%20b$c.xml":                                  "pivots/a_b_c.xml",
		"http://x/":                                             "pivots/pivot_",
	} {
		if got := PivotName(in); got != want {
			t.Errorf("PivotName(%q) = %q, want %q", in, got, want)
		}
		if FileName(PivotName(in)) == "" {
			t.Errorf("PivotName(%q) is not a valid entry name", in)
		}
	}
}

func TestCacheEntries(t *testing.T) {
	dir := t.TempDir()
	c, err := OpenCache(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"be", "BEL", "lotl.xml", "BE.xml", "pivots/../BE.xml", "pivots/.x", "pivots/", "meta/BE"} {
		if err := c.Write(bad, []byte("<a/>"), Meta{}); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	if err := c.Write("BE", []byte("<be/>"), Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Write("pivots/BE.xml", []byte("<pivot/>"), Meta{URL: "u"}); err != nil {
		t.Fatal(err)
	}
	if b, _, _ := c.Read("BE"); string(b) != "<be/>" {
		t.Errorf("a pivot named BE.xml changed BE: %q", b)
	}
	if b, m, _ := c.Read("pivots/BE.xml"); string(b) != "<pivot/>" || m == nil {
		t.Errorf("pivot: %q %+v", b, m)
	}
	// hand-made and earlier caches: pivots at the top level, but never
	// another entry's file
	os.WriteFile(filepath.Join(dir, "eu-lotl-pivot-7.xml"), []byte("<old/>"), 0o644)
	if b, _, err := c.Read("pivots/eu-lotl-pivot-7.xml"); err != nil || string(b) != "<old/>" {
		t.Errorf("top-level pivot: %q %v", b, err)
	}
	os.WriteFile(filepath.Join(dir, "lotl.xml"), []byte("<lotl/>"), 0o644)
	if _, _, err := c.Read("pivots/lotl.xml"); !errors.Is(err, ErrNotInCache) || !strings.Contains(err.Error(), filepath.Join(dir, "pivots", "lotl.xml")) {
		t.Errorf("a pivot named lotl.xml read the LOTL: %v", err)
	}
	if _, _, err := c.Read("FR"); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "FR.xml")) {
		t.Errorf("missing entry does not name the file expected: %v", err)
	}
}

func TestCacheConfinement(t *testing.T) {
	dir, out := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(out, "secret"), []byte("<secret/>"), 0o644)
	os.Symlink(filepath.Join(out, "secret"), filepath.Join(dir, "BE.xml"))
	os.Symlink(out, filepath.Join(dir, "meta"))
	c := &Cache{Dir: dir}
	if _, _, err := c.Read("BE"); err == nil {
		t.Error("read through a link out of the cache")
	}
	if err := c.Write("FR", []byte("<fr/>"), Meta{}); err == nil {
		t.Error("metadata written through a link out of the cache")
	}
	if _, err := OpenCache(dir, true); err == nil {
		t.Error("a cache whose meta/ leaves the directory was opened for writing")
	}
	ents, _ := os.ReadDir(out)
	if len(ents) != 1 {
		t.Errorf("files written outside: %v", ents)
	}
}

func TestReadLocalFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "small"), []byte("abc"), 0o644)
	big := filepath.Join(dir, "big")
	f, _ := os.Create(big)
	f.Truncate(2 << 20)
	f.Close()
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Skip(err)
	}
	if b, err := ReadLocalFile(filepath.Join(dir, "small"), 3); err != nil || string(b) != "abc" {
		t.Errorf("small: %q %v", b, err)
	}
	for p, want := range map[string]error{big: ErrFileTooLarge, "/dev/zero": ErrNotRegular, dir: ErrNotRegular, fifo: ErrNotRegular, filepath.Join(dir, "none"): fs.ErrNotExist} {
		if _, err := ReadLocalFile(p, MaxCertFileSize); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", p, err, want)
		}
	}
}

func TestCacheErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	var ce *CacheError
	for _, dir := range []string{file, filepath.Join(file, "sub")} {
		if _, err := OpenCache(dir, true); !errors.As(err, &ce) || !strings.Contains(err.Error(), dir) {
			t.Errorf("%s: %v", dir, err)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "eutl-cache.json"), []byte("{"), 0o644)
	if _, err := OpenCache(dir, false); !errors.As(err, &ce) || !strings.Contains(err.Error(), "eutl-cache.json") {
		t.Errorf("damaged marker: %v", err)
	}
	os.Remove(filepath.Join(dir, "eutl-cache.json"))
	os.WriteFile(filepath.Join(dir, "state.json"), []byte("{"), 0o644)
	if _, err := (&Cache{Dir: dir}).ReadState(); !errors.As(err, &ce) || !strings.Contains(err.Error(), "rollback state") {
		t.Errorf("damaged state: %v", err)
	}
}

// TestOfflineNames: offline, a missing file is named by the path expected,
// and the LOTL is read under its URL's base name too.
func TestOfflineNames(t *testing.T) {
	dir := t.TempDir()
	s := &Store{Cache: &Cache{Dir: dir}, Offline: true}
	ctx := context.Background()
	const lotlURL = "https://ec.europa.eu/tools/lotl/eu-lotl.xml"
	_, err := s.Fetch(ctx, "lotl", lotlURL, false)
	if !errors.Is(err, ErrNotInCache) || !strings.Contains(err.Error(), filepath.Join(dir, "lotl.xml")+" or "+filepath.Join(dir, "eu-lotl.xml")) {
		t.Errorf("missing LOTL: %v", err)
	}
	if _, err := s.Fetch(ctx, "EL", "https://www.eett.gr/tsl/tl-el.xml", false); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "EL.xml")) {
		t.Errorf("missing EL: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "eu-lotl.xml"), []byte("<lotl/>"), 0o644)
	if f, err := s.Fetch(ctx, "lotl", lotlURL, false); err != nil || string(f.Data) != "<lotl/>" {
		t.Errorf("eu-lotl.xml not read: %v", err)
	}
	// the LOTL URL's base name never reads another entry's file
	os.WriteFile(filepath.Join(dir, "BE.xml"), []byte("<be/>"), 0o644)
	os.Remove(filepath.Join(dir, "eu-lotl.xml"))
	if _, err := s.Fetch(ctx, "lotl", "https://x.test/BE.xml", false); !errors.Is(err, ErrNotInCache) {
		t.Errorf("LOTL read from BE.xml: %v", err)
	}
}
