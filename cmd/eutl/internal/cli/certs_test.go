package cli

import (
	"bytes"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

// TestReadCertFilesLineEndings: a PEM file saved with CRLF line endings
// (Windows) holds the same certificates as with LF.
func TestReadCertFilesLineEndings(t *testing.T) {
	t.Parallel()
	der := []byte("not parsed here, only carried")
	lf := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der[1:]})...)
	dir := t.TempDir()
	for name, data := range map[string][]byte{"lf.pem": lf, "crlf.pem": bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readCertFiles([]string{path})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !bytes.Equal(got[0], der) || !bytes.Equal(got[1], der[1:]) {
			t.Errorf("%s: read %q", name, got)
		}
	}
}
