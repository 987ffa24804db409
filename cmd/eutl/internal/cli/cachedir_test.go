package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCacheDirUnusable: a --cache-dir that is a file, lies under a file,
// cannot be created or is not writable is an environment error: exit 2
// whatever the command that needs the cache, with the command's help hint.
func TestCacheDirUnusable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "afile")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o500); err != nil {
		t.Fatal(err)
	}
	unwritable := filepath.Join(ro, "cache")
	if runtime.GOOS == "windows" {
		unwritable = "" // permission bits do not make a directory read-only there
	} else if os.Geteuid() == 0 {
		// root writes anywhere it may; the kernel's own tree refuses it
		if _, err := os.Stat("/sys"); err != nil {
			t.Log("running as root without /sys: the unwritable case is not tried")
			unwritable = ""
		} else {
			unwritable = "/sys/eutl-cache-test"
		}
	}
	cases := map[string]string{"a file": file, "under a file": filepath.Join(file, "sub")}
	if unwritable != "" {
		cases["unwritable"] = unwritable
	}
	for name, cd := range cases {
		for _, args := range [][]string{{"fetch"}, {"check", "--provider", "x", "--service", "qc"}, {"providers"}, {"show", "x"}} {
			var out, errb bytes.Buffer
			code := Run(context.Background(), append([]string{"--cache-dir", cd, "--lotl-url", "http://127.0.0.1:1/lotl.xml", "--timeout", "1s"}, args...),
				&Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }})
			if code != ExitUsage || !strings.Contains(errb.String(), "see 'eutl "+args[0]+" --help'") {
				t.Errorf("%s, %v: exit %d\n%s", name, args, code, errb.String())
			}
		}
	}
}
