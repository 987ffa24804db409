package xmldsig_test

import (
	"bufio"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// realDir returns EUTL_REAL_TL_DIR or skips the test.
func realDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("EUTL_REAL_TL_DIR")
	if dir == "" {
		t.Skip("EUTL_REAL_TL_DIR is not set: real-list tests skipped (set it to ../shared/real-tl)")
	}
	return dir
}

type manifestRow struct {
	folder, file, kind, pinnedBy, wrapper string
}

// readManifest reads the per-file tables of MANIFEST.md.
func readManifest(t *testing.T, dir string) []manifestRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "MANIFEST.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []manifestRow
	folder := ""
	heading := regexp.MustCompile("^### ([a-z0-9-]+)/$")
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	inFacts := false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			inFacts = strings.HasPrefix(line, "## Per-file facts")
			continue
		}
		if m := heading.FindStringSubmatch(line); m != nil {
			folder = m[1]
			continue
		}
		if !inFacts || !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| File") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) < 17 {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, manifestRow{folder: folder, file: cells[0], kind: cells[2], pinnedBy: cells[14], wrapper: cells[16]})
	}
	if len(rows) < 130 {
		t.Fatalf("read %d manifest rows, expected 130", len(rows))
	}
	return rows
}

// pointerCerts collects, per territory, every certificate any LOTL in
// lotl/ lists for it (EU: the self-pointers), plus both Official Journal sets.
func pointerCerts(t *testing.T, dir string) map[string][][]byte {
	t.Helper()
	out := map[string][][]byte{}
	files, _ := filepath.Glob(filepath.Join(dir, "lotl", "*.xml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		l, err := tsl.ParseBytes(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, p := range l.Pointers {
			for _, c := range p.Certificates {
				out[p.Territory] = append(out[p.Territory], c.Raw)
			}
		}
	}
	pems, _ := filepath.Glob(filepath.Join(dir, "oj-certs", "*", "*.pem"))
	for _, f := range pems {
		data, _ := os.ReadFile(f)
		for b, rest := pem.Decode(data); b != nil; b, rest = pem.Decode(rest) {
			out["EU"] = append(out["EU"], b.Bytes)
		}
	}
	return out
}

// allowed are the signers a real list is verified against: those the LOTL
// pointers name for its territory (or, where the manifest says no LOTL lists
// its signer, the certificate it embeds).
func (r manifestRow) allowed(certs map[string][][]byte, data []byte) [][]byte {
	var allowed [][]byte
	switch {
	case r.kind == "LOTL":
		allowed = certs["EU"]
	case strings.HasPrefix(r.kind, "TL "):
		allowed = certs[strings.TrimPrefix(r.kind, "TL ")]
	}
	if r.pinnedBy == "none" || r.pinnedBy == "-" {
		doc := etree.NewDocument()
		if doc.ReadFromBytes(data) == nil {
			for _, c := range doc.FindElements("//KeyInfo//X509Certificate") {
				if der, err := decodeB64(c.Text()); err == nil {
					allowed = append(allowed, der)
				}
			}
		}
	}
	return allowed
}

// eachRealList runs f as a subtest for every file of the manifest, with its
// bytes and the signers it is verified against.
func eachRealList(t *testing.T, f func(t *testing.T, r manifestRow, data []byte, allowed [][]byte)) {
	dir := realDir(t)
	rows := readManifest(t, dir)
	certs := pointerCerts(t, dir)
	for _, r := range rows {
		t.Run(r.folder+"/"+r.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, r.folder, r.file))
			if err != nil {
				t.Fatal(err)
			}
			f(t, r, data, r.allowed(certs, data))
		})
	}
}

// TestRealLists verifies every real list with its signer pinned from the LOTL
// pointers (or, where the manifest says no LOTL lists it, the embedded
// certificate) and asserts the manifest's verdict of the independent
// xmlsec1-based check (tools/xmlsec-verify-tl.sh).
func TestRealLists(t *testing.T) {
	eachRealList(t, func(t *testing.T, r manifestRow, data []byte, allowed [][]byte) {
		_, err := xmldsig.Verify(data, allowed, xmldsig.Options{})
		wantOK := r.wrapper == "OK"
		switch {
		case wantOK && err != nil:
			t.Fatalf("manifest says OK, eutl says: %v", err)
		case !wantOK && err == nil:
			t.Fatalf("manifest says %q, eutl accepts", r.wrapper)
		case !wantOK:
			var ve *xmldsig.Error
			if !errors.As(err, &ve) {
				t.Fatalf("error is not an *xmldsig.Error: %v", err)
			}
			t.Logf("rejected as expected: %v", err)
		}
	})
}

func decodeB64(s string) ([]byte, error) { return xmldsig.DecodeBase64(s) }
