package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/eutl/eutl/pkg/fetch"
)

// TestReadListFile: the list reader (off the Go heap for large files on
// unix) gives exactly the file's bytes, and for what it refuses the errors
// of fetch.ReadLocalFile.
func TestReadListFile(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 100, offHeapMin - 1, offHeapMin, offHeapMin + 12345} {
		want := bytes.Repeat([]byte("<a>é</a>\n"), size/10+1)[:size]
		path := filepath.Join(dir, "list.xml")
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := readListFile(path, fetch.DefaultMaxSize)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d bytes: read %d bytes, %v", size, len(got), err)
		}
		_, err = readListFile(path, int64(size)-1)
		_, want2 := fetch.ReadLocalFile(path, int64(size)-1)
		if size > 0 && (err == nil || want2 == nil || err.Error() != want2.Error()) {
			t.Fatalf("%d bytes over a limit of %d: %v, want %v", size, size-1, err, want2)
		}
	}
	for _, path := range []string{dir, filepath.Join(dir, "missing.xml")} {
		_, err := readListFile(path, fetch.DefaultMaxSize)
		_, want := fetch.ReadLocalFile(path, fetch.DefaultMaxSize)
		if err == nil || want == nil || err.Error() != want.Error() {
			t.Fatalf("%s: %v, want %v", path, err, want)
		}
	}
}
