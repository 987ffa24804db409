package snapshot_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/snapshot"
)

// TestDownload: conditional GET against the kept copy, a kept copy that no
// longer matches its digest is not used, and the client's size limit holds.
func TestDownload(t *testing.T) {
	body := strings.Repeat("snapshot bytes ", 400)
	var full, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		full.Add(1)
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte(body))
	}))
	defer srv.Close()
	dir := t.TempDir()
	c := fetch.NewClient(fetch.Options{Timeout: 5 * time.Second, Retries: -1})
	get := func() (string, fetch.Origin) {
		b, origin, err := snapshot.Download(context.Background(), c, srv.URL+"/s.zip", dir)
		if err != nil {
			t.Fatal(err)
		}
		return string(b), origin
	}
	if b, o := get(); b != body || o != fetch.OriginNetwork {
		t.Fatalf("first: %q %d bytes", o, len(b))
	}
	if b, o := get(); b != body || o != fetch.OriginNotModified {
		t.Fatalf("second: %q %d bytes", o, len(b))
	}
	// a kept copy changed on disk: not trusted for a 304, downloaded again
	kept, _ := filepath.Glob(filepath.Join(dir, "snapshots", "*.zip"))
	if len(kept) != 1 {
		t.Fatalf("kept: %v", kept)
	}
	if err := os.WriteFile(kept[0], []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, o := get(); b != body || o != fetch.OriginNetwork {
		t.Fatalf("after a change on disk: %q %d bytes", o, len(b))
	}
	if full.Load() != 2 || notModified.Load() != 1 {
		t.Fatalf("%d full, %d not modified", full.Load(), notModified.Load())
	}
	small := fetch.NewClient(fetch.Options{Timeout: 5 * time.Second, Retries: -1, MaxSize: 100})
	if _, _, err := snapshot.Download(context.Background(), small, srv.URL+"/s.zip", ""); !errors.Is(err, fetch.ErrTooLarge) {
		t.Fatalf("over the size limit: %v", err)
	}
}
