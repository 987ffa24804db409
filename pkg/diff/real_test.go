package diff_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/diff"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// realAt is inside the validity of the 2026 lists; older issues are checked
// with the expiry relaxed, as diff sides are.
var realAt = time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)

func realDir(t testing.TB) string {
	d := os.Getenv("EUTL_REAL_TL_DIR")
	if d == "" {
		t.Skip("EUTL_REAL_TL_DIR not set: the real-list tests need the real Trusted Lists")
	}
	return d
}

func relaxed() trust.Options { return trust.Options{At: realAt, AllowExpiredUnsafe: true} }

// verifiedLOTL verifies a real LOTL against the built-in Official Journal
// anchors (every LOTL in the set verifies directly against them).
func verifiedLOTL(t testing.TB, path string) *trust.VerifiedList {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	vl, err := trust.VerifyLOTL(data, trust.BuiltinAnchors(), path, relaxed())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return vl
}

// verifiedTL verifies a national list against the certificates its
// territory's pointer in lotl lists.
func verifiedTL(t testing.TB, lotl *trust.VerifiedList, path string) *trust.VerifiedList {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := trust.ExpectFromLOTL(lotl.List, data, path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	vl, err := trust.VerifyList(data, exp, relaxed())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return vl
}

func version(vl *trust.VerifiedList) *diff.Version {
	v := &diff.Version{List: vl.List}
	if vl.Signature != nil && vl.Signature.Signer != nil {
		v.SignerSHA256, v.SignerSubject = vl.Signature.SignerSHA256, vl.Signature.Signer.Subject
	}
	return v
}

func render(events []diff.Event) []byte {
	var b bytes.Buffer
	for _, e := range events {
		fmt.Fprintf(&b, "%s %s", e.Territory, e.Kind)
		for _, f := range []struct{ k, v string }{{"pointer", e.Pointer}, {"provider", e.Provider}, {"service", e.Service}, {"type", e.ServiceType}, {"cert", e.Certificate}, {"detail", e.Detail}} {
			if f.v != "" {
				fmt.Fprintf(&b, " %s=%q", f.k, f.v)
			}
		}
		if !e.At.IsZero() {
			fmt.Fprintf(&b, " at=%s", e.At.Format(time.RFC3339))
		}
		fmt.Fprintf(&b, " seq=%d→%d\n", e.OldSequence, e.NewSequence)
		fmt.Fprintf(&b, "    old: %s\n    new: %s\n", strings.Join(e.Old, " | "), strings.Join(e.New, " | "))
	}
	return b.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./pkg/diff -update, then review):\n%s", name, got)
	}
}

var beFile = regexp.MustCompile(`^be-tl-seq(\d+)-v([56])-`)

// TestRealBelgianHistory diffs every consecutive pair of the real v5/v6
// Belgian issues, each verified against the pointer of LOTL 390 (which pins
// the signer of every one of them, as the MANIFEST says).
func TestRealBelgianHistory(t *testing.T) {
	dir := realDir(t)
	lotl := verifiedLOTL(t, filepath.Join(dir, "lotl", "eu-lotl-seq390-2026-08-03.xml"))
	files, err := filepath.Glob(filepath.Join(dir, "be", "be-tl-seq*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	type issue struct {
		seq  int
		path string
	}
	var issues []issue
	for _, f := range files {
		if m := beFile.FindStringSubmatch(filepath.Base(f)); m != nil {
			n, _ := strconv.Atoi(m[1])
			issues = append(issues, issue{n, f})
		}
	}
	sort.Slice(issues, func(i, j int) bool { return issues[i].seq < issues[j].seq })
	if len(issues) != 16 {
		t.Fatalf("found %d v5/v6 Belgian issues, want 16", len(issues))
	}
	vs := make([]*diff.Version, len(issues))
	for i, is := range issues {
		vs[i] = version(verifiedTL(t, lotl, is.path))
	}
	pairs := map[string][]diff.Event{}
	for i := 1; i < len(issues); i++ {
		name := fmt.Sprintf("be-%d-%d.txt", issues[i-1].seq, issues[i].seq)
		pairs[name] = diff.Lists(vs[i-1], vs[i])
		t.Run(name, func(t *testing.T) {
			golden(t, name, render(pairs[name]))
		})
	}
	// Checked by reading the files: in 69 the GlobalSign Atlas ECCR5 QTSA is
	// withdrawn from 2024-04-13T00:00:42Z (granted since 2020-10-21 in 68);
	// in 80 the Belgium Root CA2 of Certipost is withdrawn; 81 adds one
	// provider, Banqup SA (16 → 17 TSPs), and nothing else changes.
	expect := []struct {
		pair, kind, service, old, new string
		at                            time.Time
	}{
		{"be-68-69.txt", "service_status_changed", "GlobalSign Atlas ECCR5 Qualified Timestamping CA 2020", "granted since 2020-10-21T00:00:00Z", "withdrawn since 2024-04-13T00:00:42Z", time.Date(2024, 4, 13, 0, 0, 42, 0, time.UTC)},
		{"be-78-80.txt", "service_status_changed", "CN=Belgium Root CA2, C=BE", "granted since 2016-06-30T22:00:00Z", "withdrawn since 2026-05-19T13:00:00Z", time.Date(2026, 5, 19, 13, 0, 0, 0, time.UTC)},
		{"be-78-80.txt", "list_version_changed", "", "5", "6", time.Time{}},
		{"be-80-81.txt", "provider_added", "", "", "Banqup SA", time.Time{}},
		{"be-74-75.txt", "list_signer_rotated", "", "", "", time.Time{}},
	}
	for _, x := range expect {
		found := false
		for _, e := range pairs[x.pair] {
			if string(e.Kind) == x.kind && e.Service == x.service && (x.old == "" || len(e.Old) > 0 && e.Old[0] == x.old) &&
				(x.new == "" || len(e.New) > 0 && e.New[0] == x.new) && e.At.Equal(x.at) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no %s %q %s → %s", x.pair, x.kind, x.service, x.old, x.new)
		}
	}
	if n := len(pairs["be-80-81.txt"]); n != 3 {
		t.Errorf("BE 80 → 81: %d events, want 3 (sequence, NextUpdate, Banqup added)", n)
	}
	for i, v := range vs {
		if ev := diff.Lists(v, v); len(ev) != 0 {
			t.Errorf("BE %d against itself: %d events", issues[i].seq, len(ev))
		}
	}
}

// TestRealLOTLs diffs LOTL 248 (2019) against 390 (2026) and each
// consecutive pair of the 2026 LOTLs.
func TestRealLOTLs(t *testing.T) {
	dir := realDir(t)
	seqs := []string{"seq248-2019-09-04", "seq390-2026-08-03", "seq385-2026-04-15-last-v5", "seq386-2026-04-28-first-v6", "seq388-2026-05-22", "seq390-2026-08-03"}
	vs := map[string]*diff.Version{}
	for _, s := range seqs {
		if vs[s] == nil {
			vs[s] = version(verifiedLOTL(t, filepath.Join(dir, "lotl", "eu-lotl-"+s+".xml")))
		}
	}
	for i := 1; i < len(seqs); i++ {
		o, n := seqs[i-1], seqs[i]
		if i == 2 {
			continue // 390 → 385 is not a pair
		}
		name := "lotl-" + strings.SplitN(o, "-", 2)[0] + "-" + strings.SplitN(n, "-", 2)[0] + ".txt"
		t.Run(name, func(t *testing.T) { golden(t, name, render(diff.Lists(vs[o], vs[n]))) })
	}
	// Checked by reading the files: 388 → 390 adds three certificates to
	// the Greek pointer and replaces six of the Irish ones by one; 248 →
	// 390 rotates the LOTL signer, lists the pivots 282 … 378 and names the
	// 2026 Official Journal notice.
	count := func(evs []diff.Event, k diff.Kind, pointer string, n int) {
		t.Helper()
		for _, e := range evs {
			if e.Kind == k && (pointer == "" || e.Pointer == pointer && e.Detail == tsl.MimeTypeTSL) {
				if len(e.Old)+len(e.New) != n {
					t.Errorf("%s %s: %d values, want %d", k, pointer, len(e.Old)+len(e.New), n)
				}
				return
			}
		}
		t.Errorf("no %s %s", k, pointer)
	}
	recent := diff.Lists(vs["seq388-2026-05-22"], vs["seq390-2026-08-03"])
	count(recent, diff.LOTLPointerCertificateAdded, "EL", 3)
	count(recent, diff.LOTLPointerCertificateAdded, "IE", 1)
	count(recent, diff.LOTLPointerCertificateRemoved, "IE", 6)
	old := diff.Lists(vs["seq248-2019-09-04"], vs["seq390-2026-08-03"])
	count(old, diff.ListSignerRotated, "", 2)
	count(old, diff.LOTLNoticeChanged, "", 3)
	pivots := 0
	for _, e := range old {
		if e.Kind == diff.LOTLPivotAdded {
			pivots++
		}
	}
	if pivots != 5 {
		t.Errorf("248 → 390: %d pivots added, want 5 (282, 300, 335, 341, 378)", pivots)
	}
	if ev := diff.Lists(vs["seq390-2026-08-03"], vs["seq390-2026-08-03"]); len(ev) != 0 {
		t.Errorf("LOTL 390 against itself: %d events", len(ev))
	}
}
