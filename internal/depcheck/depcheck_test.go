// Package depcheck holds checks of the repository's layering rules that are
// easier to write in Go than in the Makefile; `make depcheck` runs them.
package depcheck

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// flagWord is a word that looks like a command-line flag (--allow-expired)
// or a command line ('eutl fetch').
var flagWord = regexp.MustCompile(`(^|[^A-Za-z0-9-])--[a-z]|'eutl [a-z]`)

// flagStrings returns the positions of string literals in src that name a
// flag. Comments may name flags (documentation); strings end up in messages.
func flagStrings(name string, src []byte) []string {
	fset := token.NewFileSet()
	file := fset.AddFile(name, -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, 0)
	var out []string
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if (tok == token.STRING || tok == token.CHAR) && flagWord.MatchString(lit) {
			out = append(out, fset.Position(pos).String()+": "+lit)
		}
	}
}

// TestLibrarySpeaksNoCLI: no non-test file under pkg/ has a flag name in a
// string: the library's messages are read by programs that have no flags;
// the CLI adds hints that name its flags.
func TestLibrarySpeaksNoCLI(t *testing.T) {
	eachLibraryFile(t, func(path string, src []byte) {
		for _, hit := range flagStrings(path, src) {
			t.Errorf("a flag name in a library string (the CLI adds hints): %s", hit)
		}
	})
}

// eachLibraryFile calls f with every non-test Go file under pkg/ and its
// content.
func eachLibraryFile(t *testing.T, f func(path string, src []byte)) {
	t.Helper()
	root := filepath.Join("..", "..", "pkg")
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		f(path, src)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("only %d library files found under %s: the check would pass on nothing", n, root)
	}
}

// jsonTagStrings returns the positions of struct tags in src that give a
// JSON name.
func jsonTagStrings(name string, src []byte) []string {
	fset := token.NewFileSet()
	file := fset.AddFile(name, -1, len(src))
	var s scanner.Scanner
	s.Init(file, src, nil, 0)
	var out []string
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok == token.STRING && strings.HasPrefix(lit, "`") && strings.Contains(lit, `json:"`) {
			out = append(out, fset.Position(pos).String()+": "+lit)
		}
	}
}

// TestJSONContractInReport: every JSON name of schema version 1 is given in
// pkg/report, the contract package, so that renaming a field elsewhere can
// never change a document. pkg/fetch's tags are the cache's own on-disk
// format (versioned by fetch.CacheFormat), pkg/snapshot's the snapshot and
// bundle manifest (versioned by snapshot.FormatVersion), not output.
func TestJSONContractInReport(t *testing.T) {
	root := filepath.Join("..", "..", "pkg")
	allowed := []string{filepath.Join(root, "report") + string(filepath.Separator), filepath.Join(root, "fetch") + string(filepath.Separator),
		filepath.Join(root, "snapshot") + string(filepath.Separator)}
	eachLibraryFile(t, func(path string, src []byte) {
		for _, a := range allowed {
			if strings.HasPrefix(path, a) {
				return
			}
		}
		for _, hit := range jsonTagStrings(path, src) {
			t.Errorf("a JSON tag outside pkg/report (the contract package): %s", hit)
		}
	})
	sample := "package p\ntype T struct {\n\tA int BQjson:\"a\"BQ\n\tB int BQxml:\"b\"BQ\n}\nvar s = \"json:\\\"x\\\"\"\n"
	if got := jsonTagStrings("p.go", []byte(strings.ReplaceAll(sample, "BQ", "`"))); len(got) != 1 || !strings.HasPrefix(got[0], "p.go:3:") {
		t.Errorf("the check found %q, want only line 3", got)
	}
}

// TestFlagStrings: the check itself finds flag words in strings of every
// form, and only there.
func TestFlagStrings(t *testing.T) {
	src := "package p\n" +
		"// comments may say --cache-dir\n" +
		"var a = \"use --cache-dir\"\n" +
		"var b = `raw --allow-expired`\n" +
		"var c = \"--offline\"\n" +
		"var d = \"a range 1--2, an em dash -- like this, x--y\"\n" +
		"var e = \"fine\" // --quiet in a comment\n" +
		"var f = \"see 'eutl types'\"\n" +
		"var g = \"eutl test signer\"\n"
	got := flagStrings("p.go", []byte(src))
	if len(got) != 4 || !strings.HasPrefix(got[0], "p.go:3:") || !strings.HasPrefix(got[1], "p.go:4:") || !strings.HasPrefix(got[2], "p.go:5:") || !strings.HasPrefix(got[3], "p.go:8:") {
		t.Errorf("found %q, want lines 3, 4, 5 and 8", got)
	}
}

// exportedVars returns the exported package-level variables declared in
// src, except error sentinels (ErrX), which callers compare with errors.Is.
func exportedVars(name string, src []byte) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, spec := range gd.Specs {
			for _, id := range spec.(*ast.ValueSpec).Names {
				if id.IsExported() && !strings.HasPrefix(id.Name, "Err") {
					out = append(out, fset.Position(id.Pos()).String()+": "+id.Name)
				}
			}
		}
	}
	return out, nil
}

// TestNoMutableExportedVars: the library exports no variables another
// program could change under every other user in the process (catalogues,
// dates, limits): accessors or constants instead.
func TestNoMutableExportedVars(t *testing.T) {
	eachLibraryFile(t, func(path string, src []byte) {
		hits, err := exportedVars(path, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, hit := range hits {
			t.Errorf("an exported package variable (use an accessor or a constant): %s", hit)
		}
	})
}

func TestExportedVars(t *testing.T) {
	src := []byte("package p\nvar ErrX = 1\nvar Catalogue = map[string]int{}\nvar private = 2\nvar (\n\tA, b = 1, 2\n)\n")
	got, err := exportedVars("p.go", src)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !strings.HasSuffix(got[0], "Catalogue") || !strings.HasSuffix(got[1], ": A") {
		t.Errorf("exportedVars = %q", got)
	}
}
