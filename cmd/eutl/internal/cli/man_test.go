package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManPages: the man pages generate without error, one per command
// (every subcommand, completion's included), each naming its command.
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	if err := WriteManPages(dir); err != nil {
		t.Fatal(err)
	}
	root := newRootCmd(&globalOptions{env: &Env{}})
	prepareTree(root, nil)
	paths := commandPaths(root)
	if len(paths) < 10 {
		t.Fatalf("only %d commands: %v", len(paths), paths)
	}
	for _, p := range paths {
		name := strings.ReplaceAll(p, " ", "-") + ".1"
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: no man page: %v", p, err)
			continue
		}
		if !strings.Contains(string(data), ".TH \"EUTL\" \"1\"") || !strings.Contains(string(data), p) {
			t.Errorf("%s: page does not name it:\n%.300s", name, data)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	if len(files) != len(paths) {
		t.Errorf("%d pages for %d commands", len(files), len(paths))
	}
}
