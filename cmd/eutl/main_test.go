package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/eutl/eutl/cmd/eutl/internal/cli"
	"github.com/eutl/eutl/pkg/tltest"
)

var updateScripts = flag.Bool("update", false, "rewrite the expected output in testdata/script from the actual output")

// testNow is the clock of every in-process run: the generated lists are
// issued 2026-06-01 and valid until 2026-12-01.
var testNow = time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	// "eutl-exe" runs the real binary entry point, os.Exit included.
	testscript.Main(m, map[string]func(){"eutl-exe": main})
}

var (
	worldOnce sync.Once
	world     *tltest.World
	worldErr  error
)

// TestScript runs the end-to-end scripts in testdata/script. In them,
// "eutl ARGS" runs the CLI in process (exit code recorded; "! eutl" expects a
// non-zero code) and "exitcode N" asserts the exact code of the last run.
func TestScript(t *testing.T) {
	worldOnce.Do(func() { world, worldErr = tltest.NewWorld(tltest.WorldOptions{}) })
	if worldErr != nil {
		t.Fatal(worldErr)
	}
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join("..", "..", "testdata", "script"),
		UpdateScripts: *updateScripts,
		Setup: func(env *testscript.Env) error {
			return writeWorld(env.WorkDir, world)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"eutl":     runEutl,
			"exitcode": checkExitCode,
		},
	})
}

func runEutl(ts *testscript.TestScript, neg bool, args []string) {
	env := &cli.Env{
		Stdin:  strings.NewReader(""),
		Stdout: ts.Stdout(),
		Stderr: ts.Stderr(),
		Now:    func() time.Time { return testNow },
		Dir:    ts.Getenv("WORK"),
		Getenv: ts.Getenv,
	}
	code := cli.Run(context.Background(), args, env)
	ts.Setenv("EUTL_EXIT", strconv.Itoa(code))
	if neg && code == 0 {
		ts.Fatalf("eutl succeeded unexpectedly")
	}
	if !neg && code != 0 {
		ts.Fatalf("eutl exited %d", code)
	}
}

func checkExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: exitcode N")
	}
	got := ts.Getenv("EUTL_EXIT")
	if (got == args[0]) == neg {
		ts.Fatalf("exit code %s, want %s%s", got, map[bool]string{true: "not ", false: ""}[neg], args[0])
	}
}

// writeWorld lays out the generated lists and certificates in dir.
func writeWorld(dir string, w *tltest.World) error {
	files := map[string][]byte{
		"anchors.pem":   w.AnchorPEM(),
		"lotl.xml":      w.Files["/eu-lotl.xml"],
		"be-signer.pem": w.TLKeys["BE"].PEM(),
		"el-signer.pem": w.TLKeys["EL"].PEM(),
	}
	for _, t := range w.Opts.Territories {
		files[t+".xml"] = w.Files["/"+t+".xml"]
	}
	files["be-tampered.xml"] = []byte(strings.Replace(string(w.Files["/BE.xml"]), "Svcstatus/withdrawn", "Svcstatus/granted", 1))
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
