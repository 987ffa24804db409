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
	p := trust.PointerFor(lotl.List, trust.PeekTerritory(data))
	if p == nil {
		t.Fatalf("%s: no pointer", path)
	}
	vl, err := trust.VerifyList(data, trust.ExpectFromPointer(*p), relaxed())
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
	for i := 1; i < len(issues); i++ {
		name := fmt.Sprintf("be-%d-%d.txt", issues[i-1].seq, issues[i].seq)
		t.Run(name, func(t *testing.T) {
			golden(t, name, render(diff.Lists(vs[i-1], vs[i])))
		})
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
	if ev := diff.Lists(vs["seq390-2026-08-03"], vs["seq390-2026-08-03"]); len(ev) != 0 {
		t.Errorf("LOTL 390 against itself: %d events", len(ev))
	}
}
