package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eutl/eutl/cmd/eutl/internal/cli"
)

// TestDiffRealGolden runs eutl diff on real lists: the Belgian issues 80
// and 81 pinned by LOTL 390's pointer (the MANIFEST: 390 lists their
// signer), and the LOTLs 388 and 390 (signed by the built-in anchors), in
// every format. Goldens are refreshed with -update.
func TestDiffRealGolden(t *testing.T) {
	dir := os.Getenv("EUTL_REAL_TL_DIR")
	if dir == "" {
		t.Skip("EUTL_REAL_TL_DIR not set: the real-list tests need the real Trusted Lists")
	}
	be80, be81 := "be/be-tl-seq80-v6-2026-05-19.xml", "be/be-tl-seq81-v6-2026-06-15.xml"
	lotl388, lotl390 := "lotl/eu-lotl-seq388-2026-05-22.xml", "lotl/eu-lotl-seq390-2026-08-03.xml"
	cache := t.TempDir()
	for _, c := range []struct {
		golden string
		args   []string
		code   int
	}{
		{"diff-real-be-80-81.txt", []string{"diff", be80, be81, "--lotl", lotl390}, 3},
		{"diff-real-be-80-81.json", []string{"diff", be80, be81, "--lotl", lotl390, "--format", "json"}, 3},
		{"diff-real-be-80-81.csv", []string{"diff", be80, be81, "--lotl", lotl390, "--format", "csv"}, 3},
		{"diff-real-be-74-75.txt", []string{"diff", "be/be-tl-seq74-v5-2025-01-27.xml", "be/be-tl-seq75-v5-2025-08-11.xml", "--lotl", lotl390}, 3},
		{"diff-real-lotl-388-390.txt", []string{"diff", lotl388, lotl390}, 3},
		{"diff-real-be-81-81.txt", []string{"diff", be81, be81, "--lotl", lotl390}, 0},
		{"diff-real-be-80-81-filtered.txt", []string{"diff", be80, be81, "--lotl", lotl390, "--provider", "VATBE-0541659084"}, 0},
	} {
		t.Run(c.golden, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append(c.args, "--at", "2026-08-20", "--cache-dir", cache)
			env := &cli.Env{Stdin: &bytes.Buffer{}, Stdout: &out, Stderr: &errb, Dir: dir,
				Now: func() time.Time { return time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC) }, Getenv: func(string) string { return "" }}
			if code := cli.Run(context.Background(), args, env); code != c.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.code, errb.String())
			}
			path := filepath.Join("..", "..", "testdata", "golden", c.golden)
			if *updateScripts {
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/eutl -update)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("%s differs (go test ./cmd/eutl -run TestDiffRealGolden -update, then review):\n%s", c.golden, out.String())
			}
		})
	}
	// a side that does not verify against the pinning LOTL is a trust
	// failure: BE 75 is signed by a certificate LOTL 369 does not list
	var out, errb bytes.Buffer
	env := &cli.Env{Stdin: &bytes.Buffer{}, Stdout: &out, Stderr: &errb, Dir: dir, Getenv: func(string) string { return "" }}
	code := cli.Run(context.Background(), []string{"diff", "be/be-tl-seq74-v5-2025-01-27.xml", "be/be-tl-seq75-v5-2025-08-11.xml",
		"--lotl", "lotl/eu-lotl-seq369-2025-07-31.xml", "--at", "2026-08-20", "--cache-dir", cache}, env)
	if code != 4 || out.Len() != 0 {
		t.Errorf("BE 75 against LOTL 369: exit %d, stdout %q; stderr:\n%s", code, out.String(), errb.String())
	}
}
