package trust_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
)

func realDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("EUTL_REAL_TL_DIR")
	if dir == "" {
		t.Skip("EUTL_REAL_TL_DIR is not set: real-list tests skipped (set it to ../shared/real-tl)")
	}
	return dir
}

// realCache lays out the 2026 set as a hand-made offline cache in a
// temporary directory: lotl.xml (seq 390), <CC>.xml, and the real pivots.
func realCache(t testing.TB) string {
	src := realDir(t)
	dir := t.TempDir()
	if err := tltest.WriteRealSet(src, dir); err != nil {
		t.Fatal(err)
	}
	cp := func(from, to string) {
		data, err := os.ReadFile(filepath.Join(src, from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"282", "300", "335", "341"} {
		cp("lotl/eu-lotl-pivot-"+p+".xml", "eu-lotl-pivot-"+p+".xml")
	}
	cp("lotl/eu-lotl-seq378-2026-01-21-pivot.xml", "eu-lotl-pivot-378.xml")
	return dir
}

func pemAnchors(t testing.TB, dir string) trust.Anchors {
	files, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
	a := trust.Anchors{Name: dir}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for b, rest := pem.Decode(data); b != nil; b, rest = pem.Decode(rest) {
			a.DER = append(a.DER, b.Bytes)
		}
	}
	if len(a.DER) == 0 {
		t.Fatalf("no certificates in %s", dir)
	}
	return a
}

func runReal(t testing.TB, dir string, anchors trust.Anchors, ojURI string, at time.Time) *trust.ChainResult {
	c, err := fetch.OpenCache(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	return trust.Chain(context.Background(), &fetch.Store{Cache: c, Offline: true}, trust.ChainOptions{
		Options: trust.Options{At: at, Now: at},
		LOTLURL: "https://ec.europa.eu/tools/lotl/eu-lotl.xml", Anchors: anchors, OJURI: ojURI,
	})
}

// TestRealChain: the 2026 set, offline, at 2026-08-20 when it was current,
// with the built-in Official Journal anchors: verdicts as the manifest gives.
func TestRealChain(t *testing.T) {
	t.Parallel()
	dir := realCache(t)
	res := runReal(t, dir, trust.BuiltinAnchors(), trust.OfficialJournalURI, time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC))
	if res.LOTL.Verdict() != trust.Valid || res.LOTL.List.List.SequenceNumber != 390 {
		t.Fatalf("LOTL: %s %v", res.LOTL.Verdict(), res.LOTL.Err)
	}
	if len(res.Pivots) != 0 {
		t.Errorf("the built-in anchors sign LOTL 390 directly; %d pivots walked", len(res.Pivots))
	}
	expect := map[string]trust.Verdict{
		// stale 2024 HR list: its signer is pinned only by LOTL 335/341
		"HR": trust.UntrustedSigner,
		// NextUpdate 2026-08-10 and 2026-08-04
		"NL": trust.Expired, "NO": trust.Expired,
		// not in the mirror
		"DE": trust.FetchFailed, "LI": trust.FetchFailed,
	}
	seen := map[string]bool{}
	for i := range res.Lists {
		o := &res.Lists[i]
		seen[o.Territory] = true
		w, ok := expect[o.Territory]
		if !ok {
			w = trust.Valid
		}
		if o.Verdict() != w {
			t.Errorf("%s: %s, want %s (%v)", o.Territory, o.Verdict(), w, o.Err)
		}
	}
	if len(seen) != 31 {
		t.Errorf("%d territories, want 31 (LOTL 390 has 31 XML pointers besides itself)", len(seen))
	}
	var be *trust.Outcome
	for i := range res.Lists {
		if res.Lists[i].Territory == "BE" {
			be = &res.Lists[i]
		}
	}
	if be == nil || be.List == nil || be.List.List.SequenceNumber != 81 || !strings.HasPrefix(be.List.Signature.SignerSHA256, "fbec3a3b1bb26cd0") {
		t.Errorf("BE: %+v", be)
	}
}

// TestRealChainToday: at today's date (2026-11-25) several 2026 lists have
// passed their NextUpdate and are reported expired, never used.
func TestRealChainToday(t *testing.T) {
	t.Parallel()
	dir := realCache(t)
	res := runReal(t, dir, trust.BuiltinAnchors(), trust.OfficialJournalURI, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	if res.LOTL.Verdict() != trust.Valid {
		t.Fatalf("LOTL 390 (NextUpdate 2027-01-27): %s", res.LOTL.Verdict())
	}
	expired := map[string]bool{}
	for i := range res.Lists {
		o := &res.Lists[i]
		if o.Verdict() == trust.Expired {
			expired[o.Territory] = true
			if o.Usable() {
				t.Errorf("%s is expired but usable", o.Territory)
			}
		}
	}
	for _, cc := range []string{"AT", "CY", "ES", "FI", "FR", "IE", "IS", "LV", "MT", "NL", "NO", "PL", "PT", "EE", "LU"} {
		if !expired[cc] {
			t.Errorf("%s should be expired on 2026-11-25", cc)
		}
	}
	for _, cc := range []string{"BE", "CZ", "IT", "SE", "SI"} {
		if expired[cc] {
			t.Errorf("%s is still current on 2026-11-25", cc)
		}
	}
}

// TestRealPivotWalk: starting from the superseded 2019 Official Journal set,
// the walk must reach LOTL 390 through pivots 282 → 300 → 335 → 341 → 378.
func TestRealPivotWalk(t *testing.T) {
	t.Parallel()
	dir := realCache(t)
	anchors := pemAnchors(t, filepath.Join(realDir(t), "oj-certs", "oj-2019-C276-from-dss-keystore"))
	res := runReal(t, dir, anchors, "", time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC))
	var walked []string
	for _, p := range res.Pivots {
		if p.Verdict() != trust.Valid {
			t.Errorf("pivot %s: %s %v", p.Name, p.Verdict(), p.Err)
		}
		walked = append(walked, strings.TrimSuffix(strings.TrimPrefix(p.Name, "pivots/eu-lotl-pivot-"), ".xml"))
	}
	if got := strings.Join(walked, " → "); got != "282 → 300 → 335 → 341 → 378" {
		t.Errorf("walk %s", got)
	}
	if res.LOTL.Verdict() != trust.Valid {
		t.Fatalf("LOTL 390 from the 2019 anchors: %s %v", res.LOTL.Verdict(), res.LOTL.Err)
	}
	// Without the pivots, the 2019 set cannot verify LOTL 390.
	for _, p := range []string{"282", "300", "335", "341", "378"} {
		os.Remove(filepath.Join(dir, "eu-lotl-pivot-"+p+".xml"))
	}
	res = runReal(t, dir, anchors, "", time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC))
	// The signer could only be proven by pivots that are missing: a fetch
	// failure naming them, never a usable LOTL.
	if res.LOTL.Verdict() != trust.FetchFailed || res.LOTL.Usable() || !strings.Contains(res.LOTL.Err.Error(), "eu-lotl-pivot-282.xml") {
		t.Errorf("LOTL 390 without pivots: %s %v", res.LOTL.Verdict(), res.LOTL.Err)
	}
}

// TestBuiltinAnchors: the pinned fingerprints are exactly the six
// certificates LOTL 390 lists for itself (and the PEMs saved from it).
func TestBuiltinAnchors(t *testing.T) {
	builtin := trust.BuiltinAnchors()
	if len(builtin.SHA256) != 6 || !strings.Contains(builtin.Name, "C/2026/1944") {
		t.Fatalf("built-in anchors: %+v", builtin)
	}
	src := realDir(t)
	data, err := os.ReadFile(filepath.Join(src, "lotl", "eu-lotl-seq390-2026-08-03.xml"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := tsl.ParseBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range l.SelfPointer().Certificates {
		got = append(got, c.SHA256())
	}
	for _, a := range pemAnchors(t, filepath.Join(src, "oj-certs", "lotl-seq390-self-pointer")).DER {
		s := sha256.Sum256(a)
		if !slices.Contains(builtin.SHA256, hex.EncodeToString(s[:])) {
			t.Errorf("saved self-pointer certificate %x is not built in", s[:8])
		}
	}
	want := append([]string{}, builtin.SHA256...)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("self-pointer of LOTL 390:\n %v\nbuilt in:\n %v", got, want)
	}
	_ = hex.EncodeToString
}

// BenchmarkRealSet verifies the whole 2026 set (LOTL and 29 lists), offline,
// as `eutl lists` does.
func BenchmarkRealSet(b *testing.B) {
	dir := realCache(b)
	var size int64
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && !strings.Contains(f, "pivot") {
			size += fi.Size()
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		res := runReal(b, dir, trust.BuiltinAnchors(), trust.OfficialJournalURI, time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC))
		if res.LOTL.Verdict() != trust.Valid {
			b.Fatal(res.LOTL.Err)
		}
	}
}

// BenchmarkRealSetVerify is BenchmarkRealSet with the lists already in
// memory (a fetch.Fixed source): what verifying the set allocates, without
// reading the files (BenchmarkRealSet's other byte per input byte).
func BenchmarkRealSetVerify(b *testing.B) {
	dir := realCache(b)
	lists := map[string][]byte{}
	var size int64
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".xml")
		if strings.Contains(name, "pivot") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		lists[name] = data
		size += int64(len(data))
	}
	at := time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		res := trust.Chain(context.Background(), &fetch.Fixed{Lists: lists, Origin: fetch.OriginFile}, trust.ChainOptions{
			Options: trust.Options{At: at, Now: at},
			LOTLURL: "https://ec.europa.eu/tools/lotl/eu-lotl.xml", Anchors: trust.BuiltinAnchors(), OJURI: trust.OfficialJournalURI,
		})
		if res.LOTL.Verdict() != trust.Valid || len(res.Lists) < 25 {
			b.Fatalf("LOTL %s, %d lists", res.LOTL.Verdict(), len(res.Lists))
		}
		for _, o := range res.Lists {
			if o.Territory == "BE" && o.Verdict() != trust.Valid {
				b.Fatalf("BE: %v", o.Err)
			}
		}
	}
}
