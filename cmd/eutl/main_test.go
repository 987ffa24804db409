package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
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
	// nextWorld is the next issue of every list ("server issue next").
	nextWorld *tltest.World
)

// TestScript runs the end-to-end scripts in testdata/script. In them,
// "eutl ARGS" runs the CLI in process against a loopback server publishing
// a generated EU (hosts are routed to it), with EUTL_LOTL_URL,
// EUTL_TRUST_ANCHORS and EUTL_CACHE_DIR set; "! eutl" expects a non-zero
// exit; "exitcode N" asserts the exact code of the last run; "server fault
// PATH KIND", "server clear PATH" and "server tamper PATH" change what the
// server answers; "server issue next" publishes the next issue of every
// list (tltest.World.Next), "server issue first" the first again.
func TestScript(t *testing.T) {
	worldOnce.Do(func() {
		world, worldErr = tltest.NewWorld(tltest.WorldOptions{BaseURL: "http://tl.test"})
		if worldErr == nil {
			nextWorld, worldErr = world.Next()
		}
	})
	if worldErr != nil {
		t.Fatal(worldErr)
	}
	testscript.Run(t, testscript.Params{
		Dir:           filepath.Join("..", "..", "testdata", "script"),
		UpdateScripts: *updateScripts,
		Setup: func(env *testscript.Env) error {
			srv := tltest.NewServer(world)
			env.Defer(srv.Close)
			env.Values["server"] = srv
			env.Setenv("EUTL_LOTL_URL", world.LOTLURL())
			env.Setenv("EUTL_TRUST_ANCHORS", filepath.Join(env.WorkDir, "anchors.pem"))
			env.Setenv("EUTL_CACHE_DIR", filepath.Join(env.WorkDir, "cache"))
			return writeWorld(env.WorkDir, world)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"eutl":     runEutl,
			"exitcode": checkExitCode,
			"server":   serverCmd,
			"archive":  archiveCmd,
			"golden":   goldenCmd,
		},
	})
}

func runEutl(ts *testscript.TestScript, neg bool, args []string) {
	srv := ts.Value("server").(*tltest.Server)
	stdin := ""
	if f := ts.Getenv("EUTL_STDIN"); f != "" {
		stdin = ts.ReadFile(f)
	}
	env := &cli.Env{
		Stdin:          strings.NewReader(stdin),
		Stdout:         ts.Stdout(),
		Stderr:         ts.Stderr(),
		Now:            scriptNow(ts),
		Dir:            ts.Getenv("WORK"),
		Getenv:         ts.Getenv,
		Transport:      srv.Transport(),
		RetryBaseDelay: time.Millisecond,
		// scripts set EUTL_TEST_TTY=1 to run as if stderr were a terminal
		StderrIsTerminal: ts.Getenv("EUTL_TEST_TTY") == "1",
		// EUTL_TEST_STDIN_TTY=1: as if stdin were a terminal;
		// EUTL_TEST_WIDTH=N: as if stdout were a terminal N columns wide
		StdinIsTerminal: ts.Getenv("EUTL_TEST_STDIN_TTY") == "1",
	}
	if w := ts.Getenv("EUTL_TEST_WIDTH"); w != "" {
		n, err := strconv.Atoi(w)
		ts.Check(err)
		env.StdoutWidth = n
	}
	ctx := context.Background()
	// EUTL_TEST_INTERRUPT=D cancels the run after D, as Ctrl-C would;
	// EUTL_STDIN_OPEN=1 keeps stdin open (blocking) after EUTL_STDIN's bytes
	if d := ts.Getenv("EUTL_TEST_INTERRUPT"); d != "" {
		after, err := time.ParseDuration(d)
		ts.Check(err)
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		time.AfterFunc(after, cancel)
	}
	if ts.Getenv("EUTL_STDIN_OPEN") == "1" {
		env.Stdin = io.MultiReader(env.Stdin, blockingReader{})
	}
	code := cli.Run(ctx, args, env)
	ts.Setenv("EUTL_EXIT", strconv.Itoa(code))
	if neg && code == 0 {
		ts.Fatalf("eutl succeeded unexpectedly")
	}
	if !neg && code != 0 {
		ts.Fatalf("eutl exited %d", code)
	}
}

// blockingReader never returns: a terminal or pipe nobody writes to.
type blockingReader struct{}

func (blockingReader) Read([]byte) (int, error) { select {} }

// scriptNow is testNow, or EUTL_TEST_NOW (RFC 3339) when a script sets it.
func scriptNow(ts *testscript.TestScript) func() time.Time {
	now := testNow
	if v := ts.Getenv("EUTL_TEST_NOW"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		ts.Check(err)
		now = t
	}
	return func() time.Time { return now }
}

// digests are what differs between runs: the world's keys are generated
// afresh, so list and certificate SHA-256 values and signature values change.
var (
	sha256Hex = regexp.MustCompile(`[0-9a-f]{64}`)
	base64Run = regexp.MustCompile(`[A-Za-z0-9+/]{80,}={0,2}`)
)

// goldenCmd: "golden NAME" compares the last run's stdout with
// testdata/golden/cli/NAME, SHA-256 digests and $WORK normalised; with
// -update (make golden) it rewrites the file.
func goldenCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: golden NAME")
	}
	got := ts.ReadFile("stdout")
	got = strings.ReplaceAll(got, ts.Getenv("WORK"), "$WORK")
	got = sha256Hex.ReplaceAllString(got, "<sha256>")
	got = base64Run.ReplaceAllString(got, "<base64>")
	path := filepath.Join("..", "..", "testdata", "golden", "cli", args[0])
	if *updateScripts {
		ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
		ts.Check(os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		ts.Fatalf("%v (run make golden)", err)
	}
	if got != string(want) {
		ts.Fatalf("stdout differs from %s (run make golden and review the diff):\n%s", path, got)
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

func serverCmd(ts *testscript.TestScript, neg bool, args []string) {
	srv := ts.Value("server").(*tltest.Server)
	if neg || len(args) < 2 {
		ts.Fatalf("usage: server fault PATH KIND | server clear PATH | server tamper PATH | server publish PATH FILE | server issue next|first")
	}
	path := args[1]
	switch args[0] {
	case "publish":
		// server publish PATH FILE: serve FILE's bytes at PATH too.
		if len(args) != 3 {
			ts.Fatalf("usage: server publish PATH FILE")
		}
		files := map[string][]byte{path: []byte(ts.ReadFile(args[2]))}
		for k, v := range world.Files {
			files[k] = v
		}
		srv.SetFiles(files)
	case "clear":
		srv.SetFault(path, nil)
	case "issue":
		switch path {
		case "next":
			srv.SetFiles(nextWorld.Files)
		case "first":
			srv.SetFiles(world.Files)
		default:
			ts.Fatalf("usage: server issue next|first")
		}
	case "tamper":
		body := bytes.Replace(world.Files[path], []byte("Svcstatus/withdrawn"), []byte("Svcstatus/granted"), 1)
		srv.SetFault(path, &tltest.Fault{Body: body})
		srv.SetSHA2(path, strings.Repeat("00", 32))
	case "fault":
		if len(args) != 3 {
			ts.Fatalf("usage: server fault PATH KIND")
		}
		f := &tltest.Fault{}
		switch k := args[2]; {
		case k == "stall":
			f.Stall = true
		case k == "html":
			f.HTML = true
		case k == "truncate":
			f.Truncate = true
		case strings.HasPrefix(k, "status="):
			n, err := strconv.Atoi(strings.TrimPrefix(k, "status="))
			ts.Check(err)
			f.Status = n
		case strings.HasPrefix(k, "once="):
			n, err := strconv.Atoi(strings.TrimPrefix(k, "once="))
			ts.Check(err)
			f.Status, f.FailTimes = n, 1
		default:
			ts.Fatalf("unknown fault %q", k)
		}
		srv.SetFault(path, f)
	default:
		ts.Fatalf("unknown server command %q", args[0])
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
	if nextWorld != nil && w == world { // only the scripts' world has a next issue
		files["be-next.xml"] = nextWorld.Files["/BE.xml"]
		files["lotl-next.xml"] = nextWorld.Files["/eu-lotl.xml"]
	}
	files["be-tampered.xml"] = bytes.Replace(w.Files["/BE.xml"], []byte("Svcstatus/withdrawn"), []byte("Svcstatus/granted"), 1)
	// a download cut short, and a list of a territory the LOTL does not know
	files["truncated.xml"] = w.Files["/BE.xml"][:len(w.Files["/BE.xml"])/2]
	files["XX.xml"] = bytes.Replace(w.Files["/BE.xml"], []byte("SchemeTerritory>BE<"), []byte("SchemeTerritory>XX<"), 1)
	// A hand-made offline directory: lotl.xml and <CC>.xml.
	if err := os.MkdirAll(filepath.Join(dir, "handmade"), 0o755); err != nil {
		return err
	}
	files["handmade/lotl.xml"] = w.Files["/eu-lotl.xml"]
	for _, t := range w.Opts.Territories {
		files["handmade/"+t+".xml"] = w.Files["/"+t+".xml"]
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return writeCertFiles(dir, w)
}

// TestProtect: a panic is an internal error (exit 1) with a request to
// report it, never the Go runtime's exit 2 (the usage code).
func TestProtect(t *testing.T) {
	var errb bytes.Buffer
	code := protect(&errb, func() int { panic("boom") })
	if code != cli.ExitInternal || !strings.Contains(errb.String(), "please report") || !strings.Contains(errb.String(), "boom") {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	if code := protect(&errb, func() int { return 3 }); code != 3 {
		t.Fatalf("exit %d", code)
	}
}
