//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eutl/eutl/cmd/eutl/internal/cli"
	"github.com/eutl/eutl/pkg/tltest"
)

// TestSignals runs the real binary and interrupts it with SIGINT and
// SIGTERM while it waits: on standard input (`batch -` reading a pipe that
// never ends), and on a server that stalls (fetch, check, batch FILE,
// providers, show). Every run must end with exit 130 and say it was
// interrupted. (The bound below only catches a hang; it is no timing
// claim.)
func TestSignals(t *testing.T) {
	exe, err := exec.LookPath("eutl-exe")
	if err != nil {
		t.Skipf("eutl-exe not on PATH (testscript sets it up): %v", err)
	}
	w := sharedWorld(t)
	h := newHarness(t, w)
	h.srv.SetFault("/BE.xml", &tltest.Fault{Stall: true})
	if err := os.WriteFile(filepath.Join(h.dir, "q.csv"), []byte("provider,service\nCertipost,qc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		args  []string
		stdin bool // a pipe that stays open
	}{
		// (verify and batch refuse a FIFO before reading it: exit 2, the
		// local-input class of the adversarial suite)
		{"batch stdin", []string{"batch", "-"}, true},
		{"batch stdin json", []string{"batch", "-", "--format", "json"}, true},
		{"fetch", []string{"fetch"}, false},
		{"check", []string{"check", "--provider", "Certipost", "--service", "qc"}, false},
		{"batch file", []string{"batch", "q.csv"}, false},
		{"providers", []string{"providers", "certipost"}, false},
		{"show", []string{"show", "certipost"}, false},
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		for _, c := range cases {
			t.Run(sig.String()+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				args := append([]string{"--at", "2026-08-20", "--lotl-url", w.LOTLURL(), "--trust-anchors", filepath.Join(h.dir, "anchors.pem"),
					"--cache-dir", t.TempDir()}, c.args...)
				cmd := exec.Command(exe, args...)
				cmd.Dir = h.dir
				cmd.Env = append(os.Environ(), "HTTP_PROXY="+h.srv.URL, "NO_PROXY=")
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if c.stdin {
					pw, err := cmd.StdinPipe()
					if err != nil {
						t.Fatal(err)
					}
					defer pw.Close()
					pw.Write([]byte("provider,service\n")) // a header, then nothing more
				}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				time.Sleep(time.Second) // past start-up, when the handlers are installed
				cmd.Process.Signal(sig)
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					cmd.Process.Kill()
					<-done
					t.Fatalf("still running 20s after %s\n%s", sig, stderr.String())
				}
				if code := cmd.ProcessState.ExitCode(); code != cli.ExitInterrupted {
					t.Fatalf("exit %d, want %d\n%s", code, cli.ExitInterrupted, stderr.String())
				}
				if !strings.Contains(stderr.String(), "interrupted") || strings.Contains(stderr.String(), "context canceled") {
					t.Errorf("stderr:\n%s", stderr.String())
				}
			})
		}
	}
}
