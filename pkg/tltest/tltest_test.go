package tltest_test

import (
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
