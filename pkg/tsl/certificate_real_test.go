package tsl_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/eutl/eutl/pkg/tsl"
)

// realListFiles are the 130 XML files of the real set (skips when unset).
func realListFiles(t *testing.T) []string {
	t.Helper()
	dir := os.Getenv("EUTL_REAL_TL_DIR")
	if dir == "" {
		t.Skip("EUTL_REAL_TL_DIR is not set: real-list tests skipped")
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".xml" {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 130 {
		t.Fatalf("%d XML files under %s, expected 130", len(files), dir)
	}
	return files
}

// everyCertificate is every listed certificate of l: pointers, current
// service identities and history identities.
func everyCertificate(l *tsl.List) []tsl.Certificate {
	var out []tsl.Certificate
	for _, p := range l.Pointers {
		out = append(out, p.Certificates...)
	}
	for _, p := range l.Providers {
		for _, s := range p.Services {
			for _, in := range append([]tsl.ServiceInstance{s.Current}, s.History...) {
				for _, id := range in.Identities {
					out = append(out, id.Certificates...)
				}
			}
		}
	}
	return out
}

// TestRealCertificatesLight: on every certificate of every real list the
// light accessors give what crypto/x509 gives.
func TestRealCertificatesLight(t *testing.T) {
	files := realListFiles(t)
	var n, refused, unsupported, lightOnly int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		l, err := tsl.ParseBytes(data)
		if err != nil {
			continue // the tampered and malformed files of the set
		}
		for _, c := range everyCertificate(l) {
			n++
			x, xerr := c.X509()
			subject, sok := c.RawSubject()
			nb, na, vok := c.Validity()
			if sok != vok {
				t.Errorf("%s: certificate %.16s: accessors disagree on readability (%v %v)", filepath.Base(f), c.SHA256(), sok, vok)
			}
			if x == nil {
				refused++
				if sok {
					lightOnly++
					t.Logf("%s: certificate %.16s: crypto/x509 refuses it (%v), the light accessors read it", filepath.Base(f), c.SHA256(), xerr)
				}
				continue
			}
			if errors.Is(xerr, tsl.ErrUnsupportedPublicKey) {
				unsupported++
			}
			if !sok {
				t.Errorf("%s: certificate %.16s: light accessors fail where crypto/x509 parses", filepath.Base(f), c.SHA256())
				continue
			}
			if !bytes.Equal(subject, x.RawSubject) || !nb.Equal(x.NotBefore) || !na.Equal(x.NotAfter) ||
				nb.Location().String() != x.NotBefore.Location().String() || na.Location().String() != x.NotAfter.Location().String() {
				t.Errorf("%s: certificate %.16s: light (%x, %v, %v) != x509 (%x, %v, %v)", filepath.Base(f), c.SHA256(),
					subject, nb, na, x.RawSubject, x.NotBefore, x.NotAfter)
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d certificates in the real set", n)
	}
	t.Logf("%d certificates: %d refused by crypto/x509 (%d of them read by the light accessors), %d with a key it does not support", n, refused, lightOnly, unsupported)
}
