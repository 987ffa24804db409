package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/eutl/eutl/cmd/eutl/internal/cli"
	"github.com/eutl/eutl/pkg/snapshot"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// rawArchive is an archive's members in order, manifest first, for tests
// that tamper with them.
type rawArchive struct {
	names []string
	data  map[string][]byte
}

func readRaw(t fataler, b []byte) *rawArchive {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	r := &rawArchive{data: map[string][]byte{}}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		r.names = append(r.names, f.Name)
		r.data[f.Name] = buf.Bytes()
	}
	return r
}

// bytes writes the archive back as a well-formed ZIP (fresh CRCs): what an
// attacker who edits members produces.
func (r *rawArchive) bytes(t fataler) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range r.names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(r.data[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rehash updates the manifest's digest and size of member (an attacker who
// keeps the manifest consistent with a changed member).
func (r *rawArchive) rehash(t fataler, member string) {
	t.Helper()
	m, err := snapshot.ParseManifest(r.data[snapshot.ManifestName])
	if err != nil {
		t.Fatal(err)
	}
	f := m.File(member)
	if f == nil {
		t.Fatalf("no manifest entry for %s", member)
	}
	sum := sha256.Sum256(r.data[member])
	f.SHA256, f.Size = hex.EncodeToString(sum[:]), len(r.data[member])
	mb, err := snapshot.MarshalManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	r.data[snapshot.ManifestName] = mb
}

func (r *rawArchive) clone() *rawArchive {
	c := &rawArchive{names: append([]string{}, r.names...), data: map[string][]byte{}}
	for k, v := range r.data {
		c.data[k] = append([]byte{}, v...)
	}
	return c
}

// archiveCmd is the testscript command "archive": sub FILE MEMBER OLD NEW
// [rehash] | add FILE NAME TEXT | truncate FILE BYTES | manifest FILE OLD NEW.
func archiveCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: archive sub|add|truncate|manifest FILE ...")
	}
	file := ts.MkAbs(args[1])
	b, err := os.ReadFile(file)
	ts.Check(err)
	t := &tsTB{ts}
	switch args[0] {
	case "truncate":
		n, err := strconv.Atoi(args[2])
		ts.Check(err)
		ts.Check(os.WriteFile(file, b[:n], 0o644))
		return
	case "sub", "manifest":
		r := readRaw(t, b)
		member, rest := args[2], args[3:]
		if args[0] == "manifest" {
			member, rest = snapshot.ManifestName, args[2:]
		}
		if !bytes.Contains(r.data[member], []byte(rest[0])) {
			ts.Fatalf("%s does not contain %q", member, rest[0])
		}
		r.data[member] = bytes.Replace(r.data[member], []byte(rest[0]), []byte(rest[1]), 1)
		if len(rest) > 2 && rest[2] == "rehash" {
			r.rehash(t, member)
		}
		ts.Check(os.WriteFile(file, r.bytes(t), 0o644))
	case "add":
		r := readRaw(t, b)
		r.names = append(r.names, args[2])
		r.data[args[2]] = []byte(args[3])
		ts.Check(os.WriteFile(file, r.bytes(t), 0o644))
	default:
		ts.Fatalf("unknown archive command %q", args[0])
	}
}

// fataler is what the archive helpers need of a test or a script.
type fataler interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// tsTB adapts a TestScript to fataler.
type tsTB struct{ ts *testscript.TestScript }

func (t *tsTB) Helper()                      {}
func (t *tsTB) Fatal(args ...any)            { t.ts.Fatalf("%s", fmt.Sprint(args...)) }
func (t *tsTB) Fatalf(f string, args ...any) { t.ts.Fatalf(f, args...) }

// cliRunner runs the CLI in process in dir against srv, like the scripts.
type cliRunner struct {
	dir string
	srv *tltest.Server
	now time.Time
	env map[string]string
}

func newRunner(t *testing.T) *cliRunner {
	w := sharedWorld(t)
	dir := t.TempDir()
	if err := writeWorld(dir, w); err != nil {
		t.Fatal(err)
	}
	srv := tltest.NewServer(w)
	t.Cleanup(srv.Close)
	return &cliRunner{dir: dir, srv: srv, now: testNow, env: map[string]string{
		"EUTL_LOTL_URL": w.LOTLURL(), "EUTL_TRUST_ANCHORS": filepath.Join(dir, "anchors.pem"), "EUTL_CACHE_DIR": filepath.Join(dir, "cache"),
	}}
}

func (r *cliRunner) run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, &cli.Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: func() time.Time { return r.now },
		Dir: r.dir, Getenv: func(k string) string { return r.env[k] }, Transport: r.srv.Transport(), RetryBaseDelay: time.Millisecond,
	})
	return code, out.String(), errb.String()
}

func (r *cliRunner) file(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// positions samples byte offsets of a member: every byte of a short one,
// else the first and last 24 and about n spread evenly between.
func positions(size, n int) []int {
	if size <= n+48 {
		out := make([]int, size)
		for i := range out {
			out[i] = i
		}
		return out
	}
	var out []int
	for i := 0; i < 24; i++ {
		out = append(out, i, size-1-i)
	}
	step := size / n
	for i := 24; i < size-24; i += step {
		out = append(out, i)
	}
	return out
}

// informational are the manifest's byte ranges nothing can check: the
// version of eutl that wrote it, and the anchors it recorded (the verifier
// decides with its own anchors and warns when they differ).
func informational(t *testing.T, manifest []byte) [][2]int {
	t.Helper()
	var out [][2]int
	i := bytes.Index(manifest, []byte(`"eutl_version": "`))
	j := bytes.Index(manifest, []byte(`"verified_at"`))
	a := bytes.Index(manifest, []byte(`"anchors": {`))
	b := bytes.Index(manifest, []byte(`"files": [`))
	if i < 0 || j < 0 || a < 0 || b < 0 {
		t.Fatal("manifest layout changed: update informational()")
	}
	return append(out, [2]int{i + len(`"eutl_version": "`), j}, [2]int{a + len(`"anchors": {`), b})
}

func inRanges(p int, rs [][2]int) bool {
	for _, r := range rs {
		if p >= r[0] && p < r[1] {
			return true
		}
	}
	return false
}

// TestEvidenceTamper changes single bytes of every member of bundles and
// checks that verify refuses each (exit 4, naming the member), whether or
// not the manifest's digest is updated to match; format_version changes
// give exit 2.
func TestEvidenceTamper(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"check", []string{"check", "--provider", "Belgian Mobile ID", "--service", "qval", "--country", "BE", "--evidence", "b.zip"}, 0},
		{"batch", []string{"batch", "rows.csv", "--format", "csv", "--evidence", "b.zip"}, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(t)
			if err := os.WriteFile(filepath.Join(r.dir, "rows.csv"), []byte("provider,service,country\nBelgian Mobile ID,qval,BE\nNobody,qc,\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if code, _, stderr := r.run(c.args...); code != c.code {
				t.Fatalf("exit %d, want %d: %s", code, c.code, stderr)
			}
			orig := readRaw(t, r.file(t, "b.zip"))
			if code, _, stderr := r.run("evidence", "verify", "b.zip"); code != c.code {
				t.Fatalf("untouched bundle: exit %d, want %d: %s", code, c.code, stderr)
			}
			verify := func(ar *rawArchive) (int, string) {
				if err := os.WriteFile(filepath.Join(r.dir, "t.zip"), ar.bytes(t), 0o644); err != nil {
					t.Fatal(err)
				}
				code, _, stderr := r.run("evidence", "verify", "t.zip")
				return code, stderr
			}
			tried, outside := 0, 0
			for _, member := range orig.names {
				data := orig.data[member]
				isManifest := member == snapshot.ManifestName
				var skip [][2]int
				if isManifest {
					skip = informational(t, data)
				}
				n := 40
				if isManifest {
					n = 250
				}
				// The XML declaration before a list's root element is outside
				// its signature: a manifest rewritten to match a change there
				// still proves the same signed content. (Without the rewrite
				// the digest catches it, below.)
				unsigned := 0
				if strings.HasSuffix(member, ".xml") {
					unsigned = bytes.Index(data, []byte("<TrustServiceStatusList"))
				}
				for i, p := range positions(len(data), n) {
					if inRanges(p, skip) {
						continue
					}
					for _, rehash := range []bool{false, true} {
						// With the manifest rewritten each case replays the
						// answer: every other position suffices.
						if rehash && (isManifest || p < unsigned || i%2 == 1) {
							continue
						}
						ar := orig.clone()
						ar.data[member][p] ^= 0x01
						if ar.data[member][p] == data[p] {
							t.Fatal("no change")
						}
						if rehash {
							ar.rehash(t, member)
						}
						code, stderr := verify(ar)
						tried++
						switch {
						case isManifest && (code == 4 || code == 2) && strings.Contains(stderr, "eutl: error:"):
						case code == 4 && (strings.Contains(stderr, member) || (rehash && strings.Contains(stderr, "the bundle's answer is not what its lists say"))):
						case rehash && strings.HasSuffix(member, ".xml") && code == c.code && signedUnchanged(t, data, ar.data[member]):
							// The byte is outside what the signature covers (an
							// unused namespace declaration, which exclusive
							// canonicalization leaves out): the list still
							// proves exactly the same signed content, and verify
							// recomputed the identical answer from it.
							outside++
						case rehash && member == "evidence/input" && code == c.code:
							// A change of the input that does not change the
							// query (white space the parser trims): verify
							// recomputed the identical answer from it.
						default:
							t.Fatalf("%s byte %d (%q→%q in %q, rehash %v): exit %d, stderr:\n%s", member, p, data[p], ar.data[member][p], data[max(0, p-40):min(len(data), p+40)], rehash, code, stderr)
						}
					}
				}
			}
			t.Logf("%d tampered bundles: %d refused, %d changed only bytes outside the signed content", tried, tried-outside, outside)
		})
	}
}

// signedUnchanged reports whether tampered still verifies and its signed
// content (the document as digested) is the original's.
func signedUnchanged(t *testing.T, orig, tampered []byte) bool {
	w := sharedWorld(t)
	var allowed [][]byte
	for _, k := range append(append(append([]*tltest.Key{}, w.Anchors...), w.PivotKeys...), w.TLKeys["BE"], w.TLKeys["EL"], w.TLKeys["FR"]) {
		allowed = append(allowed, k.DER)
	}
	model := func(b []byte) *tsl.List {
		r, err := xmldsig.Verify(b, allowed, xmldsig.Options{})
		if err != nil {
			return nil
		}
		l, err := tsl.Parse(r.Root)
		if err != nil {
			return nil
		}
		return l
	}
	a, b := model(orig), model(tampered)
	return a != nil && b != nil && reflect.DeepEqual(a, b)
}

// TestEvidenceYearsLater: a bundle verifies long after its signer
// certificates expired (the clock is 2040; the generated certificates end
// in 2031), at its recorded instant.
func TestEvidenceYearsLater(t *testing.T) {
	r := newRunner(t)
	if code, _, stderr := r.run("check", "--provider", "Belgian Mobile ID", "--service", "qval", "--evidence", "b.zip"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := r.run("--snapshot", "b.zip", "check", "--provider", "Belgian Mobile ID", "--service", "qval"); code != 0 {
		t.Fatalf("a bundle as --snapshot: exit %d: %s", code, stderr)
	}
	r.now = time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	code, out, stderr := r.run("evidence", "verify", "b.zip")
	if code != 0 || !strings.Contains(out, "On 2026-08-20T12:00:00Z the Belgian Trusted List, sequence 42") {
		t.Fatalf("in 2040: exit %d\n%s\n%s", code, out, stderr)
	}
	// whereas answering now, from the same lists, fails closed: expired
	if code, _, _ := r.run("--snapshot", "b.zip", "check", "--provider", "Belgian Mobile ID", "--service", "qval"); code != 4 {
		t.Fatalf("answering in 2040 from 2026 lists: exit %d, want 4", code)
	}
}

// realRunner runs the CLI on the real 2026 set laid out as an offline cache,
// with the built-in anchors, at 2026-08-20.
func realRunner(t *testing.T) *cliRunner {
	src := os.Getenv("EUTL_REAL_TL_DIR")
	if src == "" {
		t.Skip("EUTL_REAL_TL_DIR is not set: real-list tests skipped (set it to ../shared/real-tl)")
	}
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	cp := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cache, to), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lotl, _ := filepath.Glob(filepath.Join(src, "lotl", "eu-lotl-seq390*.xml"))
	if len(lotl) != 1 {
		t.Fatalf("lotl/eu-lotl-seq390*.xml: %v", lotl)
	}
	cp(lotl[0], "lotl.xml")
	files, _ := filepath.Glob(filepath.Join(src, "tl-2026", "*.xml"))
	for _, f := range files {
		cp(f, strings.ToUpper(strings.SplitN(filepath.Base(f), "-", 2)[0])+".xml")
	}
	srv := tltest.NewServer(sharedWorld(t)) // never reached: every run is offline or from the snapshot
	t.Cleanup(srv.Close)
	return &cliRunner{dir: dir, srv: srv, now: time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC), env: map[string]string{"EUTL_CACHE_DIR": cache}}
}

// TestRealSnapshotAnswers: on the real 2026 set, a snapshot answers every
// query exactly as the offline cache does (stdout and exit code), and an
// evidence bundle reproduces its answer with the auditor's statement.
func TestRealSnapshotAnswers(t *testing.T) {
	r := realRunner(t)
	at := []string{"--at", "2026-08-20"}
	code, _, stderr := r.run(append([]string{"--offline", "snapshot", "create", "real.zip"}, at...)...)
	if code != 0 && code != 4 {
		t.Fatalf("snapshot create: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "real.zip")); err != nil {
		t.Fatal(err)
	}
	queries := [][]string{
		{"check", "--provider", "Belgian Mobile ID", "--service", "qval", "--country", "BE", "--format", "json"},
		{"check", "--provider", "Belgian Mobile ID", "--service", "qc-esig", "--country", "BE"},
		{"providers", "--country", "BE", "--format", "json"},
		{"show", "Belgian Mobile ID", "--country", "BE", "--format", "json"},
		// every list: the failed ones (expired, untrusted, absent) named
		// alike
		{"check", "--provider", "No Such Provider Anywhere", "--service", "qc", "--format", "json"},
		{"check", "--provider", "VATBE-0541659084", "--service", "qval", "--format", "json"},
		{"lists", "--format", "csv"},
	}
	for _, q := range queries {
		c1, o1, e1 := r.run(append(append([]string{"--offline"}, at...), q...)...)
		c2, o2, e2 := r.run(append(append([]string{"--snapshot", "real.zip"}, at...), q...)...)
		if q[0] == "lists" {
			// Lists that failed are not in a snapshot: only their verdict and
			// reason are, so compare the rows of lists that verified, with the
			// source column (where the bytes came from) left out.
			o1, o2 = validRows(o1, "cache"), validRows(o2, "snapshot")
		}
		if c1 != c2 || o1 != o2 {
			t.Errorf("%v: offline exit %d, snapshot exit %d\n--- offline\n%s%s\n--- snapshot\n%s%s", q, c1, c2, o1, e1, o2, e2)
		}
	}
	code, _, stderr = r.run(append([]string{"--offline", "check", "--provider", "Belgian Mobile ID", "--service", "qval", "--country", "BE", "--evidence", "bmid.zip"}, at...)...)
	if code != 0 {
		t.Fatalf("check --evidence: exit %d: %s", code, stderr)
	}
	r.now = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	code, out, stderr := r.run("evidence", "verify", "bmid.zip")
	if code != 0 || !strings.Contains(out, "On 2026-08-20T00:00:00Z the Belgian Trusted List, sequence 81, signed by") ||
		!strings.Contains(out, `listed Belgian Mobile ID SA/NV's service`) {
		t.Fatalf("evidence verify: exit %d\n%s\n%s", code, out, stderr)
	}
	t.Log(out)
}

func validRows(csv, source string) string {
	var out []string
	for _, l := range strings.Split(csv, "\n") {
		if strings.Contains(l, ",valid,") {
			out = append(out, strings.ReplaceAll(l, ","+source+",", ",?,"))
		}
	}
	return strings.Join(out, "\n")
}
