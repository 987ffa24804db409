package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/eutl/eutl/pkg/tltest"
)

// TestCIRecipe runs contrib/eutl-snapshot-ci.sh on loopback with the real
// binary entry point: the scheduled job fetches once from a fault-free
// server (reached as an HTTP proxy, so lists keep their URLs) and publishes
// the snapshot to a directory a loopback web server serves; then 20 gating
// jobs run concurrently against http://127.0.0.1:…, sharing one cache dir,
// and the list server sees no request from them.
func TestCIRecipe(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	if _, err := exec.LookPath("eutl-exe"); err != nil {
		t.Skip("eutl-exe not on PATH (testscript.Main sets it up)")
	}
	w := sharedWorld(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "anchors.pem"), w.AnchorPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	lists := tltest.NewServer(w)
	defer lists.Close()
	pub := filepath.Join(dir, "published")
	web := httptest.NewServer(http.FileServer(http.Dir(pub)))
	defer web.Close()
	script, err := filepath.Abs(filepath.Join("..", "..", "contrib", "eutl-snapshot-ci.sh"))
	if err != nil {
		t.Fatal(err)
	}
	env := func(cache string) []string {
		return append(os.Environ(), "EUTL=eutl-exe", "EUTL_AT=2026-08-20T12:00:00Z", "HTTP_PROXY="+lists.URL, "http_proxy="+lists.URL,
			"EUTL_LOTL_URL="+w.LOTLURL(), "EUTL_TRUST_ANCHORS="+filepath.Join(dir, "anchors.pem"), "EUTL_CACHE_DIR="+cache)
	}
	cmd := exec.Command("bash", script, "publish", pub)
	cmd.Env = env(filepath.Join(dir, "publisher-cache"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	for _, p := range []string{"/eu-lotl.xml", "/BE.xml", "/EL.xml", "/FR.xml"} {
		if n := lists.Requests(p); n != 1 {
			t.Errorf("%s requested %d times by the scheduled job, want 1", p, n)
		}
	}
	before := lists.Requests("/BE.xml") + lists.Requests("/eu-lotl.xml")
	url := web.URL + "/eutl-snapshot.zip"
	const runners = 20
	var wg sync.WaitGroup
	outs := make([][]byte, runners)
	errs := make([]error, runners)
	gateCache := filepath.Join(dir, "runner-cache")
	for i := 0; i < runners; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := exec.Command("bash", script, "gate", url, "--provider", "Belgian Mobile ID", "--service", "qval", "--format", "json")
			c.Env = env(gateCache)
			var stderr bytes.Buffer
			c.Stderr = &stderr
			out, err := c.Output()
			outs[i] = out
			if err != nil {
				errs[i] = fmt.Errorf("%v: %s", err, stderr.String())
			}
		}()
	}
	wg.Wait()
	for i := 0; i < runners; i++ {
		if errs[i] != nil {
			t.Fatalf("runner %d: %v", i, errs[i])
		}
		if !bytes.Equal(outs[i], outs[0]) {
			t.Fatalf("runner %d answered differently:\n%s\nvs\n%s", i, outs[i], outs[0])
		}
	}
	if !bytes.Contains(outs[0], []byte(`"outcome": "qualified"`)) {
		t.Fatalf("gate answer: %s", outs[0])
	}
	if after := lists.Requests("/BE.xml") + lists.Requests("/eu-lotl.xml"); after != before {
		t.Errorf("gating jobs reached the list server (%d requests): --snapshot must use no other network", after-before)
	}
	// A gate that is not qualified exits 3 through the script.
	c := exec.Command("bash", script, "gate", url, "--provider", "Belgian Mobile ID", "--service", "qc-esig", "--country", "BE")
	c.Env = env(gateCache)
	err = c.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Fatalf("not qualified gate: %v, want exit 3", err)
	}
}
