package tltest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
)

// TestWorld: the generated EU is coherent (pointers name the signers, the
// pivots announce the next signer) and the server publishes it with .sha2
// digests and ETags.
func TestWorld(t *testing.T) {
	w, err := tltest.NewWorld(tltest.WorldOptions{Pivots: 2, BaseURL: "http://tl.test"})
	if err != nil {
		t.Fatal(err)
	}
	lotl, err := tsl.ParseBytes(w.Files["/eu-lotl.xml"])
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Pivots) != 2 || !strings.Contains(lotl.SchemeInformationURI[0].Value, "pivot-102") {
		t.Errorf("pivots: %d, first SchemeInformationURI %v", len(w.Pivots), lotl.SchemeInformationURI)
	}
	for _, p := range lotl.Pointers {
		if p.Territory != "EU" && string(p.Certificates[0].Raw) != string(w.TLKeys[p.Territory].DER) {
			t.Errorf("%s pointer does not name its signer", p.Territory)
		}
	}
	srv := tltest.NewServer(w)
	defer srv.Close()
	c := &http.Client{Transport: srv.Transport()}
	resp, err := c.Get("http://tl.test/BE.sha2")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sum := sha256.Sum256(w.Files["/BE.xml"])
	if strings.TrimSpace(string(body)) != hex.EncodeToString(sum[:]) {
		t.Errorf(".sha2 %q", body)
	}
	resp, _ = c.Get("http://tl.test/BE.xml")
	resp.Body.Close()
	req, _ := http.NewRequest("GET", "http://tl.test/BE.xml", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp, err = c.Do(req)
	if err != nil || resp.StatusCode != http.StatusNotModified || srv.NotModified("/BE.xml") != 1 {
		t.Errorf("conditional GET: %v %v", resp.StatusCode, err)
	}
	srv.SetFault("/BE.xml", &tltest.Fault{Status: 503, FailTimes: 1})
	resp, _ = c.Get("http://tl.test/BE.xml")
	if resp.StatusCode != 503 {
		t.Errorf("fault: %d", resp.StatusCode)
	}
	resp, _ = c.Get("http://tl.test/BE.xml")
	if resp.StatusCode != 200 {
		t.Errorf("after one failure: %d", resp.StatusCode)
	}
}

// TestWorldFresh: a fresh world has the same keys and the same files as a
// new one would, and changing it leaves the original alone.
func TestWorldFresh(t *testing.T) {
	w, err := tltest.NewWorld(tltest.WorldOptions{Pivots: 1})
	if err != nil {
		t.Fatal(err)
	}
	f, err := w.Fresh()
	if err != nil {
		t.Fatal(err)
	}
	if f.Anchors[0] != w.Anchors[0] || f.TLKeys["BE"] != w.TLKeys["BE"] || len(f.Files) != len(w.Files) {
		t.Fatalf("fresh world differs: %d files, want %d", len(f.Files), len(w.Files))
	}
	for path, data := range w.Files {
		if len(f.Files[path]) == 0 {
			t.Errorf("fresh world lacks %s", path)
		} else if path != "/eu-lotl.xml" && len(f.Files[path]) != len(data) {
			t.Errorf("%s: %d bytes, want %d", path, len(f.Files[path]), len(data))
		}
	}
	l := f.Lists["BE"]
	l.Sequence = 99
	f.Lists["BE"] = l
	f.Opts.Territories[0] = "XX"
	if err := f.Sign(); err != nil {
		t.Fatal(err)
	}
	if w.Lists["BE"].Sequence == 99 || w.Opts.Territories[0] == "XX" || bytes.Equal(w.Files["/BE.xml"], f.Files["/BE.xml"]) {
		t.Error("changing the fresh world changed the original")
	}
}
