package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eutl/eutl/cmd/eutl/internal/cli"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
)

// The hardening classes of issue 9 (points 3-7 and 9): the pivot walk,
// cache names from remote input, bounded local inputs, exit classes,
// partial data and cache confinement. Subtests are named
// TestAdversarialHarden/<class>/<case> and counted by `make adversarial`.

func freshWorld(t *testing.T, o tltest.WorldOptions) *tltest.World {
	t.Helper()
	o.BaseURL = "http://tl.test"
	w, err := tltest.NewWorld(o)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func resignWorld(t *testing.T, w *tltest.World) {
	t.Helper()
	if err := w.Sign(); err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, r result, code int, contains ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d (in %s)\nstdout:\n%s\nstderr:\n%s", r.code, code, r.took, r.stdout, r.stderr)
	}
	for _, c := range contains {
		if !strings.Contains(r.stdout+r.stderr, c) {
			t.Fatalf("output lacks %q\nstdout:\n%s\nstderr:\n%s", c, r.stdout, r.stderr)
		}
	}
}

// withPivots lists extra pivot URLs in the LOTL, newest first, before the
// world's own, and re-signs.
func withPivots(t *testing.T, w *tltest.World, urls ...string) {
	t.Helper()
	w.LOTL.SchemeInformationURIs = append(append([]string{}, urls...), w.LOTL.SchemeInformationURIs...)
	resignWorld(t, w)
}

func stallURLs(n int, fault string) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, "http://tl.test/"+fault+"/eu-lotl-pivot-"+strconv.Itoa(900-i)+".xml")
	}
	return out
}

func pathOf(u string) string { return strings.TrimPrefix(u, "http://tl.test") }

func pivotWalkCases() []attack {
	never := func(name string, f tltest.Fault, timeout string) attack {
		return attack{"pivot-walk", name, nil, func(t *testing.T) {
			w := freshWorld(t, tltest.WorldOptions{Pivots: 1, Territories: []string{"BE"}})
			bad := stallURLs(25, "bad")
			withPivots(t, w, bad...)
			h := newHarness(t, w)
			h.srv.SetFiles(w.Files)
			if f.Trickle > 0 || f.StallMidBody {
				f.Body = w.Files["/eu-lotl-pivot-101.xml"] // a body to trickle or cut
			}
			for _, u := range bad {
				h.srv.SetFault(pathOf(u), &f)
			}
			r := h.eutl("cache", "fetch", "--timeout", timeout)
			wantCode(t, r, 0, "only the oldest 20 were walked")
			if r.took > 10*time.Second {
				t.Fatalf("the walk took %s", r.took)
			}
		}}
	}
	foreign := func(name, u string) attack {
		return attack{"pivot-walk", name, nil, func(t *testing.T) {
			w := freshWorld(t, tltest.WorldOptions{Pivots: 1, Territories: []string{"BE"}})
			withPivots(t, w, u)
			h := newHarness(t, w)
			h.srv.SetFiles(w.Files)
			h.srv.SetFault("/foreign/eu-lotl-pivot-999.xml", &tltest.Fault{Body: w.Files["/eu-lotl-pivot-101.xml"]})
			r := h.eutl("cache", "fetch")
			wantCode(t, r, 0, "skipped: not on the LOTL's own scheme and host")
			if n := h.srv.Requests("/foreign/eu-lotl-pivot-999.xml"); n != 0 {
				t.Fatalf("the foreign pivot was requested %d times", n)
			}
		}}
	}
	return []attack{
		never("25 pivots that never answer, --timeout 1s", tltest.Fault{Stall: true}, "1s"),
		never("25 pivots that trickle, --timeout 1s", tltest.Fault{Trickle: time.Second}, "1s"),
		never("25 pivots that stall mid-body, --timeout 1s", tltest.Fault{StallMidBody: true}, "1s"),
		never("25 pivots answering 503, --timeout 1s", tltest.Fault{Status: 503}, "1s"),
		{"pivot-walk", "LOTL signed by an anchor: listed pivots are never fetched", nil, func(t *testing.T) {
			w := freshWorld(t, tltest.WorldOptions{Territories: []string{"BE"}})
			bad := stallURLs(5, "never")
			withPivots(t, w, bad...)
			h := newHarness(t, w)
			h.srv.SetFiles(w.Files)
			for _, u := range bad {
				h.srv.SetFault(pathOf(u), &tltest.Fault{Stall: true})
			}
			r := h.eutl("cache", "fetch", "--timeout", "1s")
			wantCode(t, r, 0)
			for _, u := range bad {
				if n := h.srv.Requests(pathOf(u)); n != 0 {
					t.Fatalf("%s requested %d times although the anchors sign the LOTL", u, n)
				}
			}
		}},
		{"pivot-walk", "cached pivots prove the signer: no pivot request", nil, func(t *testing.T) {
			w := freshWorld(t, tltest.WorldOptions{Pivots: 2, Territories: []string{"BE"}})
			h := newHarness(t, w)
			wantCode(t, h.eutl("cache", "fetch"), 0)
			before := h.srv.Requests("/eu-lotl-pivot-101.xml") + h.srv.Requests("/eu-lotl-pivot-102.xml")
			extra := stallURLs(3, "later")
			withPivots(t, w, extra...)
			h.srv.SetFiles(w.Files)
			for _, u := range extra {
				h.srv.SetFault(pathOf(u), &tltest.Fault{Stall: true})
			}
			r := h.eutl("cache", "fetch", "--timeout", "1s")
			wantCode(t, r, 0)
			after := h.srv.Requests("/eu-lotl-pivot-101.xml") + h.srv.Requests("/eu-lotl-pivot-102.xml")
			for _, u := range extra {
				after += h.srv.Requests(pathOf(u))
			}
			if after != before {
				t.Fatalf("pivots requested again (%d → %d) although the cached ones prove the LOTL's signer", before, after)
			}
		}},
		{"pivot-walk", "the cap message names the pivots walked", nil, func(t *testing.T) {
			w := freshWorld(t, tltest.WorldOptions{Pivots: 1, Territories: []string{"BE"}})
			withPivots(t, w, stallURLs(21, "cap")...)
			h := newHarness(t, w)
			h.srv.SetFiles(w.Files)
			r := h.eutl("cache", "fetch", "--timeout", "1s")
			wantCode(t, r, 0, "only the oldest 20 were walked (eu-lotl-pivot-101.xml … eu-lotl-pivot-898.xml), the 2 newer ones were not (eu-lotl-pivot-899.xml … eu-lotl-pivot-900.xml)")
		}},
		foreign("pivot on another host", "http://evil.test/foreign/eu-lotl-pivot-999.xml"),
		foreign("pivot on another scheme", "https://tl.test/foreign/eu-lotl-pivot-999.xml"),
		foreign("pivot on another port", "http://tl.test:8443/foreign/eu-lotl-pivot-999.xml"),
		foreign("pivot with user info", "http://user@tl.test/foreign/eu-lotl-pivot-999.xml"),
		foreign("pivot on a host that only starts like the LOTL's", "http://tl.test.evil.test/foreign/eu-lotl-pivot-999.xml"),
		{"pivot-walk", "a pivot that cannot be fetched is a fetch failure (5)", nil, func(t *testing.T) {
			w := freshWorld(t, tltest.WorldOptions{Pivots: 1, Territories: []string{"BE"}})
			h := newHarness(t, w)
			h.srv.SetFault("/eu-lotl-pivot-101.xml", &tltest.Fault{Truncate: true})
			wantCode(t, h.eutl("cache", "fetch"), cli.ExitFetch, "could not be fetched (eu-lotl-pivot-101.xml)")
		}},
	}
}

func cacheNameCases() []attack {
	// A pivot published under a name of another cache entry; the national
	// list is unavailable afterwards, so its cached copy must answer.
	collide := func(name, pivotURL string) attack {
		return attack{"cache-names", name, nil, func(t *testing.T) {
			w := freshWorld(t, tltest.WorldOptions{Pivots: 1, Territories: []string{"BE", "FR"}})
			h := newHarness(t, w)
			wantCode(t, h.eutl("cache", "fetch"), 0)
			pivot := w.Files["/eu-lotl-pivot-101.xml"]
			w.LOTL.SchemeInformationURIs = append([]string{pivotURL}, w.LOTL.SchemeInformationURIs[1:]...)
			resignWorld(t, w)
			h.srv.SetFiles(w.Files)
			p := pathOf(pivotURL)
			if i := strings.IndexByte(p, '?'); i >= 0 {
				p = p[:i]
			}
			h.srv.SetFault(p, &tltest.Fault{Body: pivot})
			h.srv.SetFault("/BE.xml", &tltest.Fault{Status: 503})
			os.RemoveAll(filepath.Join(h.dir, "cache", "pivots"))
			r := h.eutl("cache", beQuestion...)
			wantCode(t, r, cli.ExitNotQualified, "withdrawn")
			for _, f := range []string{"BE.xml", "FR.xml"} {
				got, _ := os.ReadFile(filepath.Join(h.dir, "cache", f))
				if !bytes.Equal(got, w.Files["/"+f]) {
					t.Fatalf("cache/%s was overwritten by the pivot", f)
				}
			}
			lotl, _ := os.ReadFile(filepath.Join(h.dir, "cache", "lotl.xml"))
			if !bytes.Equal(lotl, w.Files["/eu-lotl.xml"]) {
				t.Fatal("cache/lotl.xml is not the LOTL")
			}
			wantCode(t, h.eutl("cache", append([]string{"--offline"}, beQuestion...)...), cli.ExitNotQualified)
		}}
	}
	badTerritory := func(name, territory string) attack {
		return attack{"cache-names", name, nil, func(t *testing.T) {
			w := freshWorld(t, tltest.WorldOptions{Territories: []string{"BE", territory}})
			h := newHarness(t, w)
			r := h.eutl("cache", "fetch")
			wantCode(t, r, cli.ExitTrust, "not a code of two capital letters")
			lotl, _ := os.ReadFile(filepath.Join(h.dir, "cache", "lotl.xml"))
			if !bytes.Equal(lotl, w.Files["/eu-lotl.xml"]) {
				t.Fatalf("cache/lotl.xml is not the LOTL")
			}
			var st struct{ Sequences map[string]int }
			b, _ := os.ReadFile(filepath.Join(h.dir, "cache", "state.json"))
			json.Unmarshal(b, &st)
			for k, v := range st.Sequences {
				if (k == territory && k != "lotl") || (k == "lotl" && v != w.LOTL.Sequence) {
					t.Fatalf("state key chosen by the territory %q: %s", territory, b)
				}
			}
			wantCode(t, h.eutl("cache", append([]string{"--offline"}, beQuestion...)...), cli.ExitNotQualified)
		}}
	}
	return []attack{
		collide("pivot named BE.xml", "http://tl.test/mirror/BE.xml"),
		collide("pivot named lotl.xml", "http://tl.test/mirror/lotl.xml"),
		collide("pivot named FR.xml", "http://tl.test/mirror/FR.xml"),
		collide("pivot whose query string ends in BE.xml", "http://tl.test/pivot?/BE.xml"),
		collide("pivot named eu-lotl.xml", "http://tl.test/mirror/eu-lotl.xml"),
		badTerritory("territory named lotl", "lotl"),
		badTerritory("territory in lower case", "be"),
		badTerritory("territory of three letters", "BEL"),
		{"cache-names", "hand-made dir with pivots at the top level", nil, func(t *testing.T) {
			w := freshWorld(t, tltest.WorldOptions{Pivots: 2, Territories: []string{"BE"}})
			h := newHarness(t, w)
			dir := filepath.Join(h.dir, "snapshot")
			os.MkdirAll(dir, 0o755)
			for p, b := range map[string]string{"eu-lotl.xml": "/eu-lotl.xml", "BE.xml": "/BE.xml", "eu-lotl-pivot-101.xml": "/eu-lotl-pivot-101.xml", "eu-lotl-pivot-102.xml": "/eu-lotl-pivot-102.xml"} {
				os.WriteFile(filepath.Join(dir, p), w.Files[b], 0o644)
			}
			wantCode(t, h.eutl("snapshot", append([]string{"--offline"}, beQuestion...)...), cli.ExitNotQualified)
		}},
	}
}

func localInputCases() []attack {
	local := func(name string, setup func(t *testing.T, h *harness) []string, want string) attack {
		return attack{"local-input", name, nil, func(t *testing.T) {
			w := sharedWorld(t)
			h := newHarness(t, w)
			os.WriteFile(filepath.Join(h.dir, "BE.xml"), w.Files["/BE.xml"], 0o644)
			os.WriteFile(filepath.Join(h.dir, "lotl.xml"), w.Files["/eu-lotl.xml"], 0o644)
			os.WriteFile(filepath.Join(h.dir, "be.pem"), w.TLKeys["BE"].PEM(), 0o644)
			r := h.eutl("cache", setup(t, h)...)
			wantCode(t, r, cli.ExitUsage, want)
			if r.took > 5*time.Second {
				t.Fatalf("took %s", r.took)
			}
		}}
	}
	args := func(a ...string) func(*testing.T, *harness) []string {
		return func(*testing.T, *harness) []string { return a }
	}
	fifo := func(a ...string) func(*testing.T, *harness) []string {
		return func(t *testing.T, h *harness) []string {
			if err := mkfifo(filepath.Join(h.dir, "fifo")); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			return a
		}
	}
	sparse := func(size int64, a ...string) func(*testing.T, *harness) []string {
		return func(t *testing.T, h *harness) []string {
			f, err := os.Create(filepath.Join(h.dir, "big"))
			if err != nil {
				t.Fatal(err)
			}
			f.Truncate(size)
			f.Close()
			return a
		}
	}
	return []attack{
		local("verify dev-zero", args("verify", "/dev/zero", "--cert", "be.pem"), "character device"),
		local("verify --cert dev-zero", args("verify", "BE.xml", "--cert", "/dev/zero"), "character device"),
		local("verify --lotl dev-zero", args("verify", "BE.xml", "--lotl", "/dev/zero"), "character device"),
		local("--trust-anchors dev-zero", args("verify", "BE.xml", "--lotl", "lotl.xml", "--trust-anchors", "/dev/zero"), "character device"),
		local("--trust-anchors dev-zero for check", args("check", "--provider", "x", "--service", "qc", "--trust-anchors", "/dev/zero"), "character device"),
		local("verify dev-urandom", args("verify", "/dev/urandom", "--cert", "be.pem"), "character device"),
		local("verify a FIFO", fifo("verify", "fifo", "--cert", "be.pem"), "FIFO"),
		local("verify --cert a FIFO", fifo("verify", "BE.xml", "--cert", "fifo"), "FIFO"),
		local("verify --lotl a FIFO", fifo("verify", "BE.xml", "--lotl", "fifo"), "FIFO"),
		local("--trust-anchors a FIFO", fifo("verify", "BE.xml", "--lotl", "lotl.xml", "--trust-anchors", "fifo"), "FIFO"),
		local("verify a directory", args("verify", ".", "--cert", "be.pem"), "a directory"),
		local("cert dev-zero", args("cert", "/dev/zero"), "character device"),
		local("cert a FIFO", fifo("cert", "fifo"), "FIFO"),
		local("batch dev-zero", args("batch", "/dev/zero"), "character device"),
		local("batch a FIFO", fifo("batch", "fifo"), "FIFO"),
		local("batch a directory", args("batch", "."), "a directory"),
		local("cert --chain dev-zero", args("cert", "be.pem", "--chain", "/dev/zero"), "character device"),
		local("cert a 2 MiB file", sparse(2<<20, "cert", "big"), "size limit"),
		local("verify a 40 MiB file", sparse(40<<20, "verify", "big", "--cert", "be.pem"), "size limit"),
		local("verify --lotl a 40 MiB file", sparse(40<<20, "verify", "BE.xml", "--lotl", "big"), "size limit"),
		local("verify --cert a 2 MiB file", sparse(2<<20, "verify", "BE.xml", "--cert", "big"), "size limit"),
		local("--trust-anchors a 2 MiB file", sparse(2<<20, "check", "--provider", "x", "--service", "qc", "--trust-anchors", "big"), "size limit"),
	}
}

func exitClassCases() []attack {
	envErr := func(name string, setup func(t *testing.T, h *harness) string, offline bool, want ...string) attack {
		return attack{"exit-class", name, nil, func(t *testing.T) {
			h := newHarness(t, sharedWorld(t))
			cache := setup(t, h)
			a := beQuestion
			if offline {
				a = append([]string{"--offline"}, a...)
			}
			wantCode(t, h.eutl(cache, a...), cli.ExitUsage, want...)
		}}
	}
	fetched := func(t *testing.T, h *harness) {
		if r := h.eutl("cache", "fetch"); r.code != 0 {
			t.Fatalf("fetch: %d %s", r.code, r.stderr)
		}
	}
	return []attack{
		{"exit-class", "LOTL body shorter than its Content-Length", nil, func(t *testing.T) {
			h := newHarness(t, sharedWorld(t))
			h.srv.SetFault("/eu-lotl.xml", &tltest.Fault{Truncate: true})
			wantCode(t, h.eutl("cache", beQuestion...), cli.ExitFetch, "fetch_failed")
		}},
		{"exit-class", "list body shorter than its Content-Length, fetch", nil, func(t *testing.T) {
			h := newHarness(t, sharedWorld(t))
			h.srv.SetFault("/BE.xml", &tltest.Fault{Truncate: true})
			wantCode(t, h.eutl("cache", "fetch"), cli.ExitFetch, "fetch_failed")
		}},
		envErr("cache dir is a file", func(t *testing.T, h *harness) string {
			os.WriteFile(filepath.Join(h.dir, "cachefile"), []byte("x"), 0o644)
			return "cachefile"
		}, false, "cachefile", "not a directory"),
		envErr("cache dir is a file, offline", func(t *testing.T, h *harness) string {
			os.WriteFile(filepath.Join(h.dir, "cachefile"), []byte("x"), 0o644)
			return "cachefile"
		}, true, "cachefile"),
		envErr("cache dir below a file", func(t *testing.T, h *harness) string {
			os.WriteFile(filepath.Join(h.dir, "cachefile"), []byte("x"), 0o644)
			return "cachefile/sub"
		}, false, "cachefile/sub"),
		envErr("cache dir that cannot be created (in proc)", func(t *testing.T, h *harness) string {
			return "/proc/eutl-cache"
		}, false, "/proc/eutl-cache"),
		envErr("damaged eutl-cache.json", func(t *testing.T, h *harness) string {
			fetched(t, h)
			os.WriteFile(filepath.Join(h.dir, "cache", "eutl-cache.json"), []byte("{"), 0o644)
			return "cache"
		}, false, "eutl-cache.json", "damaged"),
		envErr("damaged eutl-cache.json, offline", func(t *testing.T, h *harness) string {
			fetched(t, h)
			os.WriteFile(filepath.Join(h.dir, "cache", "eutl-cache.json"), []byte("\x00garbage"), 0o644)
			return "cache"
		}, true, "eutl-cache.json"),
		envErr("eutl-cache.json is a directory", func(t *testing.T, h *harness) string {
			os.MkdirAll(filepath.Join(h.dir, "cache", "eutl-cache.json"), 0o755)
			return "cache"
		}, false, "eutl-cache.json"),
		envErr("damaged state.json", func(t *testing.T, h *harness) string {
			fetched(t, h)
			os.WriteFile(filepath.Join(h.dir, "cache", "state.json"), []byte(`{"sequences":`), 0o644)
			return "cache"
		}, false, "state.json", "rollback state"),
		envErr("damaged state.json, offline", func(t *testing.T, h *harness) string {
			fetched(t, h)
			os.WriteFile(filepath.Join(h.dir, "cache", "state.json"), []byte(`[1,2]`), 0o644)
			return "cache"
		}, true, "state.json", "rollback state"),
	}
}

func partialDataCases() []attack {
	pointer := func(name string, change func(w *tltest.World), args []string, code int, want ...string) attack {
		return attack{"partial-data", name, nil, func(t *testing.T) {
			w := freshWorld(t, tltest.WorldOptions{})
			change(w)
			resignWorld(t, w)
			wantCode(t, newHarness(t, w).eutl("cache", args...), code, want...)
		}}
	}
	mime := func(m string) func(w *tltest.World) {
		return func(w *tltest.World) {
			for i, p := range w.LOTL.Pointers {
				if p.Territory == "BE" && p.MimeType == "" {
					w.LOTL.Pointers[i].MimeType = m
				}
			}
		}
	}
	dropXML := func(w *tltest.World) {
		var keep []tltest.Pointer
		for _, p := range w.LOTL.Pointers {
			if p.Territory != "BE" || p.MimeType == tsl.MimeTypePDF {
				keep = append(keep, p)
			}
		}
		w.LOTL.Pointers = keep
	}
	bmid := []string{"check", "--provider", "Belgian Mobile ID", "--service", "qval"}
	nobody := []string{"check", "--provider", "Nobody Trust Services", "--service", "qc"}
	return []attack{
		pointer("MimeType in upper case", mime("application/VND.ETSI.TSL+XML"), bmid, cli.ExitOK),
		pointer("MimeType in mixed case", mime("Application/Vnd.Etsi.Tsl+Xml"), bmid, cli.ExitOK),
		pointer("MimeType with a parameter", mime("application/vnd.etsi.tsl+xml; charset=UTF-8"), bmid, cli.ExitOK),
		pointer("MimeType with white space", mime("  application/vnd.etsi.tsl+xml\n"), bmid, cli.ExitOK),
		pointer("territory listed only as PDF: no 'not found'", dropXML, nobody, cli.ExitTrust, "BE", "application/pdf"),
		pointer("territory listed only as PDF: --country names why", dropXML, append(nobody, "--country", "BE"), cli.ExitTrust, "only as \"application/pdf\""),
		pointer("territory listed with an unknown media type", mime("text/xml"), nobody, cli.ExitTrust, "text/xml"),
		pointer("territory listed with an empty media type", func(w *tltest.World) {
			dropXML(w)
			w.LOTL.Pointers = append(w.LOTL.Pointers, tltest.Pointer{Territory: "BE", Location: w.ListURL("BE"), MimeType: " ", Certs: [][]byte{w.TLKeys["BE"].DER}})
		}, nobody, cli.ExitTrust, "BE"),
		pointer("territory listed with another list type", func(w *tltest.World) {
			for i, p := range w.LOTL.Pointers {
				if p.Territory == "BE" {
					w.LOTL.Pointers[i].Type = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/CClist"
				}
			}
		}, append(nobody, "--country", "BE"), cli.ExitTrust, "CClist"),
	}
}

func confinementCases() []attack {
	outside := func(name string, setup func(t *testing.T, cache, out string), args []string, codes ...int) attack {
		return attack{"confinement", name, nil, func(t *testing.T) {
			h := newHarness(t, sharedWorld(t))
			cache, out := filepath.Join(h.dir, "cache"), filepath.Join(h.dir, "outside")
			os.MkdirAll(cache, 0o755)
			os.MkdirAll(out, 0o755)
			os.WriteFile(filepath.Join(out, "keep"), []byte("user data"), 0o644)
			setup(t, cache, out)
			r := h.eutl("cache", args...)
			ok := false
			for _, c := range codes {
				ok = ok || r.code == c
			}
			if !ok {
				t.Fatalf("exit %d, want %v\n%s%s", r.code, codes, r.stdout, r.stderr)
			}
			ents, _ := os.ReadDir(out)
			if len(ents) != 1 {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Fatalf("eutl wrote outside the cache: %v", names)
			}
			if b, _ := os.ReadFile(filepath.Join(out, "keep")); string(b) != "user data" {
				t.Fatalf("a file outside the cache changed: %q", b)
			}
		}}
	}
	link := func(target, name string) func(t *testing.T, cache, out string) {
		return func(t *testing.T, cache, out string) {
			tgt := target
			if !filepath.IsAbs(tgt) {
				tgt = filepath.Join(out, target)
			}
			os.MkdirAll(filepath.Dir(filepath.Join(cache, name)), 0o755)
			if err := os.Symlink(tgt, filepath.Join(cache, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	fetchArgs := []string{"fetch"}
	offline := append([]string{"--offline"}, beQuestion...)
	return []attack{
		outside("meta is a link out of the cache", link(".", "meta"), fetchArgs, cli.ExitUsage),
		outside("pivots is a link out of the cache", link(".", "pivots"), fetchArgs, cli.ExitUsage),
		outside(".lock is a link out of the cache", link("lockfile", ".lock"), fetchArgs, cli.ExitUsage),
		outside("state.json is a link out of the cache", link("keep", "state.json"), fetchArgs, cli.ExitUsage),
		outside("BE.xml is a link to a file outside, offline", func(t *testing.T, cache, out string) {
			link("keep", "BE.xml")(t, cache, out)
			os.WriteFile(filepath.Join(cache, "lotl.xml"), sharedWorld(t).Files["/eu-lotl.xml"], 0o644)
		}, offline, cli.ExitFetch),
		outside("BE.xml is a link to dev-zero, offline", func(t *testing.T, cache, out string) {
			link("/dev/zero", "BE.xml")(t, cache, out)
			os.WriteFile(filepath.Join(cache, "lotl.xml"), sharedWorld(t).Files["/eu-lotl.xml"], 0o644)
		}, offline, cli.ExitFetch),
		outside("lotl.xml is a FIFO, offline", func(t *testing.T, cache, out string) {
			if err := mkfifo(filepath.Join(cache, "lotl.xml")); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
		}, offline, cli.ExitFetch),
		outside("a temporary-looking link out of the cache survives cleanup, its target too", link("keep", ".BE.xml.tmp-123"), fetchArgs, cli.ExitOK),
		{"confinement", "cleanup keeps files that are not eutl's temporary files", nil, func(t *testing.T) {
			h := newHarness(t, sharedWorld(t))
			cache := filepath.Join(h.dir, "cache")
			os.MkdirAll(filepath.Join(cache, "meta"), 0o755)
			mine := []string{".BE.xml.tmp-42", "meta/.BE.json.tmp-7"}
			theirs := []string{".notes.tmp-old", "notes.tmp-1", ".BE.xml.tmp-", "meta/.x.tmp-1/inside"}
			for _, f := range append(append([]string{}, mine...), theirs...) {
				os.MkdirAll(filepath.Dir(filepath.Join(cache, f)), 0o755)
				os.WriteFile(filepath.Join(cache, f), []byte("x"), 0o644)
			}
			wantCode(t, h.eutl("cache", "fetch"), 0)
			for _, f := range mine {
				if _, err := os.Lstat(filepath.Join(cache, f)); err == nil {
					t.Errorf("stale temporary file %s kept", f)
				}
			}
			for _, f := range theirs {
				if _, err := os.Lstat(filepath.Join(cache, f)); err != nil {
					t.Errorf("%s removed: %v", f, err)
				}
			}
		}},
	}
}

// TestAdversarialHarden runs the hardening classes.
func TestAdversarialHarden(t *testing.T) {
	var all []attack
	for _, cases := range [][]attack{pivotWalkCases(), cacheNameCases(), localInputCases(), exitClassCases(), partialDataCases(), confinementCases()} {
		all = append(all, cases...)
	}
	for _, a := range all {
		t.Run(a.class+"/"+a.name, func(t *testing.T) {
			t.Parallel()
			a.run(t)
		})
	}
}
