package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/eutl/eutl/pkg/tsl"
)

// example is one command line shown to users, and where.
type example struct {
	where, line string
}

// helpExamples are the lines of every command's Example.
func helpExamples() []example {
	root := newRootCmd(&globalOptions{env: &Env{}})
	var out []example
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, l := range strings.Split(c.Example, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, example{c.CommandPath() + " --help", l})
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return out
}

// readmeExamples are the eutl lines of README.md's shell blocks and of the
// example column of its command table.
func readmeExamples(t *testing.T) []example {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	inBlock, inCommands := false, false
	cell := regexp.MustCompile("`(eutl [^`]+)` \\|\\s*$")
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "```"):
			inBlock = !inBlock
		case strings.HasPrefix(l, "## "):
			inCommands = l == "## Commands"
		case inBlock && strings.HasPrefix(strings.TrimSpace(l), "eutl "):
			out = append(out, example{"README.md:" + itoa(n), strings.TrimSpace(l)})
		case inCommands && strings.HasPrefix(l, "| `"):
			if m := cell.FindStringSubmatch(l); m != nil {
				out = append(out, example{"README.md:" + itoa(n), m[1]})
			}
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// shellWords splits a command line as sh would for these simple lines:
// quotes, a trailing comment, a pipe from a command, a redirect to a file.
func shellWords(line string) (words []string, stdinCmd, redirect string) {
	if i := strings.Index(line, "| eutl "); i > 0 {
		stdinCmd, line = line[:i], line[i+2:]
	}
	var cur strings.Builder
	var quote rune
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '#':
			flush()
			return finish(words), stdinCmd, redirect
		case r == ' ' || r == '\t':
			flush()
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	flush()
	for i, w := range words {
		if w == ">" && i+1 < len(words) {
			redirect = words[i+1]
			words = words[:i]
			break
		}
	}
	return finish(words), stdinCmd, redirect
}

func finish(words []string) []string {
	for i, w := range words {
		if w == ">" {
			return words[:i]
		}
	}
	return words
}

// realWorkDir lays out, in a temporary directory, what the examples name:
// an offline directory made from the real 2026 set (LOTL seq 390, the
// national lists, the pivots) as "snapshot" (and the default cache dir),
// tsl-be.xml, eu-lotl.xml, be-signer.pem (the certificates the LOTL pins
// for BE), oj-2019.pem (the OJ C 276 anchors) and batch files.
func realWorkDir(t *testing.T) string {
	src := os.Getenv("EUTL_REAL_TL_DIR")
	if src == "" {
		t.Skip("EUTL_REAL_TL_DIR is not set: the examples are not run against the real lists (set it to ../shared/real-tl)")
	}
	dir := t.TempDir()
	snap := filepath.Join(dir, "snapshot")
	if err := os.MkdirAll(snap, 0o755); err != nil {
		t.Fatal(err)
	}
	cp := func(from, to string) []byte {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return data
	}
	lotl := cp(filepath.Join(src, "lotl", "eu-lotl-seq390-2026-08-03.xml"), filepath.Join(snap, "lotl.xml"))
	cp(filepath.Join(src, "lotl", "eu-lotl-seq390-2026-08-03.xml"), filepath.Join(dir, "eu-lotl.xml"))
	files, _ := filepath.Glob(filepath.Join(src, "tl-2026", "*.xml"))
	for _, f := range files {
		cc := strings.ToUpper(strings.SplitN(filepath.Base(f), "-", 2)[0])
		cp(f, filepath.Join(snap, cc+".xml"))
		if cc == "BE" {
			cp(f, filepath.Join(dir, "tsl-be.xml"))
		}
	}
	pivots, _ := filepath.Glob(filepath.Join(src, "lotl", "eu-lotl-pivot-*.xml"))
	for _, f := range pivots {
		cp(f, filepath.Join(snap, filepath.Base(f)))
	}
	// pivot 378 is kept under its issue date; the cache names it by its URL
	cp(filepath.Join(src, "lotl", "eu-lotl-seq378-2026-01-21-pivot.xml"), filepath.Join(snap, "eu-lotl-pivot-378.xml"))
	l, err := tsl.ParseBytes(lotl)
	if err != nil {
		t.Fatal(err)
	}
	var be bytes.Buffer
	if p := l.XMLPointer("BE"); p != nil {
		for _, c := range p.Certificates {
			pem.Encode(&be, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
	}
	var oj bytes.Buffer
	ojs, _ := filepath.Glob(filepath.Join(src, "oj-certs", "oj-2019-C276-from-dss-keystore", "*.pem"))
	for _, f := range ojs {
		data, _ := os.ReadFile(f)
		oj.Write(data)
	}
	// the certificates the cert examples name, from the real certificates
	// when EUTL_REAL_CERTS_DIR is set (those examples are skipped otherwise)
	if certs := os.Getenv("EUTL_REAL_CERTS_DIR"); certs != "" {
		cp(filepath.Join(certs, "be-esig-itsme-qscdmob.pem"), filepath.Join(dir, "signer.pem"))
		cp(filepath.Join(certs, "be-esig-eid-citizenca.pem"), filepath.Join(dir, "leaf.pem"))
		cp(filepath.Join(certs, "chain", "be-esig-eid-citizenca.intermediate.pem"), filepath.Join(dir, "intermediate.pem"))
	}
	// two kept versions of BE for the diff examples: in the cache's
	// history (BE@80, BE@81) and as files
	if err := os.MkdirAll(filepath.Join(snap, "history", "BE"), 0o755); err != nil {
		t.Fatal(err)
	}
	for seq, f := range map[string]string{"80": "be-tl-seq80-v6-2026-05-19.xml", "81": "be-tl-seq81-v6-2026-06-15.xml"} {
		cp(filepath.Join(src, "be", f), filepath.Join(snap, "history", "BE", seq+".xml"))
		cp(filepath.Join(src, "be", f), filepath.Join(dir, "tsl-be-"+seq+".xml"))
	}
	// oj-2026-1944.pem: the certificates of the notice the built-in anchors
	// come from (the LOTL's own self-pointer set)
	var oj26 bytes.Buffer
	self, _ := filepath.Glob(filepath.Join(src, "oj-certs", "lotl-seq390-self-pointer", "*.pem"))
	for _, f := range self {
		data, _ := os.ReadFile(f)
		oj26.Write(data)
	}
	if err := os.WriteFile(filepath.Join(dir, "oj-2026-1944.pem"), oj26.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// evidence bundles the evidence examples read, written by check
	for _, name := range []string{"answer.zip", "answer-2026-08-20.zip", "old-bundle.zip"} {
		var out, errb bytes.Buffer
		args := []string{"--offline", "--cache-dir", "snapshot", "--at", "2026-08-20", "check", "--provider", "VATBE-0541659084", "--service", "qval", "--country", "BE", "--evidence", name}
		if code := Run(context.Background(), args, &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Dir: dir, Getenv: func(string) string { return "" }}); code != 0 {
			t.Logf("writing %s: exit %d\n%s", name, code, errb.String())
		}
	}
	batch := "provider,service,country\nBelgian Mobile ID,qval,BE\nVATBE-0541659084,qval,BE\nThe Czech Post,qtst,CZ\n"
	for name, data := range map[string][]byte{"be-signer.pem": be.Bytes(), "oj-2019.pem": oj.Bytes(),
		"providers.csv": []byte(batch), "queries.csv": []byte(batch)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestExamplesReal runs every example of the README and of every
// command's --help against the real 2026 set, offline, at 2026-08-20.
// None may be a usage error or a bug (1, 2); a question about a provider
// must find it; an answer scoped to one country must be an answer (0 or
// 3), as must everything that does not touch the lists that fail in the
// real set (HR untrusted, NL and NO expired, DE and LI not in the set:
// commands over every list exit 4 for them).
func TestExamplesReal(t *testing.T) {
	dir := realWorkDir(t)
	exs := append(helpExamples(), readmeExamples(t)...)
	if len(exs) < 20 {
		t.Fatalf("only %d examples found", len(exs))
	}
	for _, ex := range exs {
		t.Run(ex.where+": "+ex.line, func(t *testing.T) {
			t.Parallel()
			// "a && b" runs a, then b; each is checked
			for _, line := range strings.Split(ex.line, " && ") {
				runExample(t, dir, strings.TrimSpace(line))
			}
		})
	}
}

// unrunnable are examples that need state this test cannot make from the
// real files, with the reason (reported as skips, never silently).
var unrunnable = map[string]string{
	"eutl diff --since 2026-06-01 --country BE --format json": "needs a cache history with acceptance times, which only fetches over time write",
}

// fileLike matches an argument naming an input file.
var fileLike = regexp.MustCompile(`^\./|\.(pem|crt|cer|der|xml|csv|jsonl|json|zip|p7b|txt)$`)

// runExample runs one command line in dir and checks its outcome.
func runExample(t *testing.T, dir, line string) {
	t.Helper()
	if why, ok := unrunnable[line]; ok {
		t.Skip(why)
	}
	words, stdinCmd, redirect := shellWords(line)
	if len(words) < 2 || words[0] != "eutl" {
		t.Fatalf("not an eutl command: %q", line)
	}
	for i, w := range words {
		if strings.HasPrefix(w, "http://") || strings.HasPrefix(w, "https://") {
			t.Skipf("%q needs the network", w)
		}
		if strings.HasPrefix(w, "-") || !fileLike.MatchString(w) || (i > 0 && (words[i-1] == "create" || words[i-1] == "--output" || words[i-1] == "-o")) {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, w)); err != nil {
			t.Skipf("the example reads %s, which realWorkDir does not provide (add it there)", w)
		}
	}
	args := append([]string{"--offline", "--cache-dir", "snapshot", "--at", "2026-08-20"}, words[1:]...)
	stdin := []byte{}
	if stdinCmd != "" {
		cmd := exec.Command("sh", "-c", stdinCmd)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", stdinCmd, err)
		}
		stdin = out
	}
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, &Env{Stdin: bytes.NewReader(stdin), Stdout: &out, Stderr: &errb, Dir: dir,
		Getenv: func(string) string { return "" }, Now: func() time.Time { return time.Date(2026, 8, 20, 12, 0, 0, 0, time.UTC) }})
	if redirect != "" {
		if err := os.WriteFile(filepath.Join(dir, redirect), out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fail := func(why string) {
		t.Helper()
		t.Fatalf("%s: %s: exit %d\nstdout:\n%.3000s\nstderr:\n%.3000s", line, why, code, out.String(), errb.String())
	}
	sub := words[1]
	scoped := has(words, "--country")
	if code == ExitInternal || code == ExitUsage {
		fail("a usage error or a bug")
	}
	switch sub {
	case "check":
		if code == 4 && !scoped && !strings.Contains(out.String(), "QUALIFIED") && !strings.Contains(out.String(), `"qualified": true`) {
			fail("no answer")
		}
		if scoped && code != ExitOK && code != ExitNotQualified {
			fail("no answer from one country's list")
		}
		if strings.Contains(out.String(), "not found in the verified lists") || strings.Contains(out.String(), "NOT FOUND") {
			fail("the example's provider is not found")
		}
	case "providers", "show":
		if strings.Contains(out.String(), "\n0 providers") || strings.HasPrefix(out.String(), "0 providers") || strings.Contains(out.String(), "no provider matches") ||
			strings.Contains(out.String(), `"providers": []`) || (strings.Count(out.String(), "\n") < 2 && !strings.Contains(out.String(), "{")) {
			fail("finds nothing")
		}
		if scoped && code != ExitOK {
			fail("one country's list, not an answer")
		}
	case "batch":
		if code != ExitOK && code != ExitNotQualified {
			fail("batch rows naming their country are answered")
		}
	case "fetch", "lists":
		if code != ExitOK && code != ExitTrust {
			fail("the real set: 0, or 4 for its failing lists")
		}
		if has(words, "--trust-anchors") && (!regexp.MustCompile(`│ EU +│ 390 .*│ valid`).MatchString(out.String()) ||
			!strings.Contains(out.String(), "│ EU pivot ") || strings.Contains(out.String(), "fetch_failed: offline: eu-lotl-pivot")) {
			fail("the pivot walk from the 2019 anchors did not reach the LOTL")
		}
	case "verify", "version", "types":
		if code != ExitOK {
			fail("not a success")
		}
	}
}

func has(words []string, w string) bool {
	for _, x := range words {
		if x == w || strings.HasPrefix(x, w+"=") {
			return true
		}
	}
	return false
}

// TestVerboseNotesReal: the notes about the lists that repeat every run
// (the BE scheme operator named differently by the LOTL) appear only with
// -v/--verbose.
func TestVerboseNotesReal(t *testing.T) {
	dir := realWorkDir(t)
	run := func(extra ...string) string {
		var out, errb bytes.Buffer
		args := append([]string{"--offline", "--cache-dir", "snapshot", "--at", "2026-08-20", "check", "--provider", "Belgian Mobile ID", "--service", "qval", "--country", "BE"}, extra...)
		if code := Run(context.Background(), args, &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Dir: dir, Getenv: func(string) string { return "" }}); code != 0 {
			t.Fatalf("exit %d\n%s", code, errb.String())
		}
		return errb.String()
	}
	const note = "note: BE: the LOTL names the scheme operator"
	if e := run(); strings.Contains(e, note) {
		t.Errorf("without -v:\n%s", e)
	}
	for _, v := range []string{"-v", "--verbose"} {
		if e := run(v); !strings.Contains(e, note) {
			t.Errorf("with %s:\n%s", v, e)
		}
	}
	// verify: the DK signer's key usage remark
	verify := func(extra ...string) string {
		var out, errb bytes.Buffer
		args := append([]string{"--at", "2026-08-20", "verify", "snapshot/DK.xml", "--lotl", "eu-lotl.xml"}, extra...)
		if code := Run(context.Background(), args, &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Dir: dir, Getenv: func(string) string { return "" }}); code != 0 {
			t.Fatalf("verify: exit %d\n%s", code, errb.String())
		}
		return errb.String()
	}
	const dk = "allows key usages beyond digitalSignature"
	if e := verify(); strings.Contains(e, dk) {
		t.Errorf("verify without -v:\n%s", e)
	}
	if e := verify("-v"); !strings.Contains(e, dk) {
		t.Errorf("verify -v:\n%s", e)
	}
}
