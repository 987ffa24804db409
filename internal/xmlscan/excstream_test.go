package xmlscan

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// streamPolicy says, at each close, whether to Detach the element, to
// call Through on it, and whether to Drop it then.
type streamPolicy struct {
	detach  func(n Node, depth int) bool
	through func(n Node, depth int) bool
	drop    func(n Node, depth int) bool
}

type c14nOpts struct {
	prefixList         string
	comments, document bool
}

func (o c14nOpts) String() string {
	return fmt.Sprintf("prefixes=%q comments=%v document=%v", o.prefixList, o.comments, o.document)
}

// streamed writes data's canonical form with an ExcStream driven by pol.
// It Detach-es an element only when no Through has reached into it, and
// drops one only when it was written or detached. It returns the output
// and the start offsets of the detached elements.
func streamed(data []byte, o c14nOpts, pol streamPolicy) ([]byte, []int, error) {
	var buf bytes.Buffer
	w := bufio.NewWriterSize(&buf, 64)
	xs := NewExcStream(w, nil, o.prefixList, o.comments, o.document)
	var detachedAt []int
	maxThrough := -1 // the largest start offset passed to Through
	d, err := Parse(data, Limits{OnClose: func(n Node, depth int) (Action, error) {
		s, _ := n.Span()
		if pol.detach != nil && maxThrough < s && pol.detach(n, depth) {
			n.Doc().Detach(n)
			detachedAt = append(detachedAt, s)
			if pol.drop != nil && pol.drop(n, depth) {
				return Drop, nil
			}
			return Keep, nil
		}
		if pol.through != nil && pol.through(n, depth) {
			if err := xs.Through(n); err != nil {
				return Keep, err
			}
			maxThrough = max(maxThrough, s)
			if pol.drop != nil && pol.drop(n, depth) {
				return Drop, nil
			}
		}
		return Keep, nil
	}})
	if err != nil {
		return nil, nil, err
	}
	if err := xs.Bind(d); err != nil {
		return nil, nil, err
	}
	if err := xs.Finish(); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), detachedAt, nil
}

// whole is ExcC14N over the whole document with the elements starting at
// detachedAt detached.
func whole(data []byte, o c14nOpts, detachedAt []int) ([]byte, error) {
	d, err := Parse(data, Limits{})
	if err != nil {
		return nil, err
	}
	els := elements(d)
	for _, s := range detachedAt {
		d.Detach(els[s])
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := ExcC14N(w, d.Root(), Node{}, o.prefixList, o.comments, o.document); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkStream asserts the invariant: streamed output equals the whole
// document's canonical form with the same nodes detached.
func checkStream(t testing.TB, name string, data []byte, o c14nOpts, pol streamPolicy) {
	t.Helper()
	got, detachedAt, err := streamed(data, o, pol)
	if err != nil {
		t.Fatalf("%s %s: streaming: %v", name, o, err)
	}
	want, err := whole(data, o, detachedAt)
	if err != nil {
		t.Fatalf("%s %s: whole: %v", name, o, err)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("%s %s: streamed output differs at byte %d of %d/%d:\n got  %q\n want %q", name, o,
			i, len(got), len(want), excerpt(got, i), excerpt(want, i))
	}
}

func excerpt(b []byte, i int) []byte {
	return b[max(0, i-80):min(len(b), i+80)]
}

var allOpts = []c14nOpts{
	{"", false, false}, {"", false, true}, {"", true, false}, {"", true, true},
	{"ds xades #default", false, true}, {"ds xades #default", true, false},
	{"p q", false, true}, {"#default", true, true},
}

func randomPolicy(r *rand.Rand, minDepth, maxDepth int, pThrough, pDrop, pDetach float64) streamPolicy {
	return streamPolicy{
		detach: func(_ Node, depth int) bool { return depth >= 2 && r.Float64() < pDetach },
		through: func(_ Node, depth int) bool {
			return depth >= minDepth && depth <= maxDepth && r.Float64() < pThrough
		},
		drop: func(Node, int) bool { return r.Float64() < pDrop },
	}
}

var always = func(Node, int) bool { return true }

// TestExcStreamRandom: the invariant on generated documents, for every
// setting, with Through at random closes (each dropped or not, some
// elements detached), at every close, and never (Finish alone).
func TestExcStreamRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	docs := append([]string(nil), nestedDocs...)
	for range 300 {
		docs = append(docs, genDoc(r, 7))
	}
	for i, doc := range docs {
		data := []byte(doc)
		for _, o := range allOpts {
			name := fmt.Sprintf("doc%d", i)
			checkStream(t, name+"/random", data, o, randomPolicy(r, 1, 7, 0.4, 0.6, 0.1))
			checkStream(t, name+"/every close, dropped", data, o, streamPolicy{through: always, drop: always})
			checkStream(t, name+"/every depth-2 close", data, o, streamPolicy{through: func(_ Node, d int) bool { return d == 2 }, drop: always})
			checkStream(t, name+"/Finish alone", data, o, streamPolicy{})
		}
	}
}

// TestExcStreamCases: exact output around each pause, and the same as
// ExcC14N over the whole document.
func TestExcStreamCases(t *testing.T) {
	cases := []struct {
		name, doc string
		opts      c14nOpts
		through   string // names of the elements Through is called on as they close (then dropped)
		detach    string // names of the elements detached as they close
		want      string
	}{
		{"prefix of an ancestor first used inside a flushed subtree, then after",
			`<r xmlns:p="P"><a><p:b p:x="1"/></a><p:c/><d><p:e/></d></r>`, c14nOpts{}, "a d",
			"", `<r><a><p:b xmlns:p="P" p:x="1"></p:b></a><p:c xmlns:p="P"></p:c><d><p:e xmlns:p="P"></p:e></d></r>`},
		{"prefix rendered on an open ancestor stays in force across the pause",
			`<p:r xmlns:p="P"><a><p:b/></a><p:c/></p:r>`, c14nOpts{}, "a",
			"", `<p:r xmlns:p="P"><a><p:b></p:b></a><p:c></p:c></p:r>`},
		{"prefix redeclared inside a flushed subtree, then the outer binding again",
			`<r xmlns:p="P"><p:a><p:b xmlns:p="Q"/></p:a><p:c/></r>`, c14nOpts{}, "b a",
			"", `<r><p:a xmlns:p="P"><p:b xmlns:p="Q"></p:b></p:a><p:c xmlns:p="P"></p:c></r>`},
		{"default namespace undeclared with xmlns=\"\" in a flushed subtree and after",
			`<r xmlns="D"><a><b xmlns=""><c/></b></a><d xmlns=""/><e/></r>`, c14nOpts{}, "b a",
			"", `<r xmlns="D"><a><b xmlns=""><c></c></b></a><d xmlns=""></d><e></e></r>`},
		{"no default namespace in force: xmlns=\"\" not rendered",
			`<r><a><b xmlns=""/></a><c xmlns=""/></r>`, c14nOpts{}, "a",
			"", `<r><a><b></b></a><c></c></r>`},
		{"PrefixList prefix declared on the root, in force across pauses",
			`<r xmlns:p="P" xmlns:q="Q"><a/><b/></r>`, c14nOpts{prefixList: "p"}, "a b",
			"", `<r xmlns:p="P"><a></a><b></b></r>`},
		{"PrefixList prefix declared inside a flushed subtree, then on a sibling",
			`<r><a xmlns:p="P"><x/></a><b xmlns:p="P"><y/></b></r>`, c14nOpts{prefixList: "p #default"}, "x",
			"", `<r><a xmlns:p="P"><x></x></a><b xmlns:p="P"><y></y></b></r>`},
		{"PrefixList #default",
			`<r xmlns="D"><a><b/></a><c/></r>`, c14nOpts{prefixList: "#default"}, "b a",
			"", `<r xmlns="D"><a><b></b></a><c></c></r>`},
		{"text, references and comments between flushed siblings",
			"<r>t1<a/>t2<!--c-->t3<a>x&gt;</a>&amp;\r\n<a/>t4<?pi d?></r>", c14nOpts{comments: true}, "a",
			"", "<r>t1<a></a>t2<!--c-->t3<a>x&gt;</a>&amp;\n<a></a>t4<?pi d?></r>"},
		{"comments left out between flushed siblings",
			`<r>t1<a/>t2<!--c-->t3<a>x</a></r>`, c14nOpts{}, "a",
			"", `<r>t1<a></a>t2t3<a>x</a></r>`},
		{"an empty-element child of the root",
			`<r><a/></r>`, c14nOpts{}, "a", "", `<r><a></a></r>`},
		{"the root itself",
			`<r><a/>x</r>`, c14nOpts{}, "r", "", `<r><a></a>x</r>`},
		{"document-level PIs and comments before and after the root",
			"<?xml version=\"1.0\"?>\n<?pi a?><!--c-->\n<r><a/></r>\n<!--d--><?pi z ?>", c14nOpts{comments: true, document: true}, "a",
			"", "<?pi a?>\n<!--c-->\n<r><a></a></r>\n<!--d-->\n<?pi z ?>"},
		{"document-level comments left out, PIs kept",
			"<!--c--><?pi a?><r><a/></r><!--d--><?pi z?>", c14nOpts{document: true}, "a r",
			"", "<?pi a?>\n<r><a></a></r>\n<?pi z?>"},
		{"enveloped signature detached at its close",
			`<r><a/><ds:Signature xmlns:ds="urn:ds"><ds:x/></ds:Signature> <b/></r>`, c14nOpts{}, "a b",
			"ds:Signature", `<r><a></a> <b></b></r>`},
		{"Through a parent after its child",
			`<r><a><b/><c>t</c></a><d/></r>`, c14nOpts{}, "b a",
			"", `<r><a><b></b><c>t</c></a><d></d></r>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := func(list string) func(Node, int) bool {
				names := strings.Fields(list)
				return func(n Node, _ int) bool { return contains(names, n.Name()) }
			}
			pol := streamPolicy{through: in(c.through), detach: in(c.detach), drop: always}
			got, _, err := streamed([]byte(c.doc), c.opts, pol)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
			checkStream(t, c.name, []byte(c.doc), c.opts, pol)
		})
	}
}

// TestExcStreamRefuses: misuse fails instead of writing a wrong canonical
// form.
func TestExcStreamRefuses(t *testing.T) {
	doc := []byte(`<r><a><b/></a><c/></r>`)
	run := func(hook func(xs *ExcStream, n Node) (Action, error)) error {
		var buf bytes.Buffer
		xs := NewExcStream(bufio.NewWriter(&buf), nil, "", false, false)
		d, err := Parse(doc, Limits{OnClose: func(n Node, _ int) (Action, error) { return hook(xs, n) }})
		if err != nil {
			return err
		}
		if err := xs.Bind(d); err != nil {
			return err
		}
		return xs.Finish()
	}
	cases := []struct {
		name string
		hook func(xs *ExcStream, n Node) (Action, error)
		want string
	}{
		{"dropped before written", func(xs *ExcStream, n Node) (Action, error) {
			if n.Name() == "a" {
				return Drop, nil
			}
			return Keep, nil
		}, "dropped before it was written"},
		{"detached after its start tag was written", func(xs *ExcStream, n Node) (Action, error) {
			switch n.Name() {
			case "b":
				return Keep, xs.Through(n)
			case "a":
				n.Doc().Detach(n)
			}
			return Keep, nil
		}, "detached or dropped after its start tag"},
		{"dropped after its start tag was written", func(xs *ExcStream, n Node) (Action, error) {
			switch n.Name() {
			case "b":
				return Drop, xs.Through(n)
			case "a":
				return Drop, nil
			}
			return Keep, nil
		}, "detached or dropped after its start tag"},
		{"detached after it was written", func(xs *ExcStream, n Node) (Action, error) {
			switch n.Name() {
			case "b":
				return Keep, xs.Through(n)
			case "r":
				n.Doc().Detach(n.FirstElement().FirstElement())
			}
			return Keep, nil
		}, "detached after it was written"},
		{"an open element", func(xs *ExcStream, n Node) (Action, error) {
			return Keep, xs.Through(n.Parent())
		}, "not read to its end"},
		{"a node of another document", func(xs *ExcStream, n Node) (Action, error) {
			other, err := Parse([]byte(`<x/>`), Limits{})
			if err != nil {
				return Keep, err
			}
			if err := xs.Through(other.Root()); err != nil {
				return Keep, err
			}
			return Keep, xs.Through(n)
		}, "another document"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := run(c.hook); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%v, want %q", err, c.want)
			}
		})
	}
	// ExcC14N over a Doc with a dropped subtree refuses too.
	d, err := Parse(doc, Limits{OnClose: func(n Node, depth int) (Action, error) {
		if depth == 2 {
			return Drop, nil
		}
		return Keep, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ExcC14N(bufio.NewWriter(&bytes.Buffer{}), d.Root(), Node{}, "", false, true); !errors.Is(err, errDropped) {
		t.Fatalf("ExcC14N over dropped subtrees: %v", err)
	}
	// After ErrStop, Finish refuses the unread rest.
	var buf bytes.Buffer
	xs := NewExcStream(bufio.NewWriter(&buf), nil, "", false, true)
	_, err = Parse(doc, Limits{OnClose: func(n Node, _ int) (Action, error) {
		if err := xs.Through(n); err != nil {
			return Keep, err
		}
		return Keep, ErrStop
	}})
	if !errors.Is(err, ErrStop) {
		t.Fatal(err)
	}
	if err := xs.Finish(); err == nil || !strings.Contains(err.Error(), "not read to its end") {
		t.Fatalf("Finish after ErrStop: %v", err)
	}
}

// realLists returns the XML files under $EUTL_REAL_TL_DIR.
func realLists(t testing.TB) []string {
	dir := os.Getenv("EUTL_REAL_TL_DIR")
	if dir == "" {
		t.Skip("EUTL_REAL_TL_DIR not set: the real Trusted Lists are not available")
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".xml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no .xml file under %s", dir)
	}
	return files
}

const nsDSig = "http://www.w3.org/2000/09/xmldsig#"

// TestExcStreamReal: the invariant on every real list: Through at every
// depth-3 close (the providers) with drops and the root's ds:Signature
// detached, as the verifier does; and at random closes of depth 2..5.
func TestExcStreamReal(t *testing.T) {
	files := realLists(t)
	r := rand.New(rand.NewPCG(5, 6))
	isSig := func(n Node, depth int) bool { return depth == 2 && n.Is(nsDSig, "Signature") }
	skipped := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		if _, err := Parse(data, Limits{}); err != nil {
			// Refused whole (a tampered fixture): refused streamed too.
			if _, _, serr := streamed(data, allOpts[0], streamPolicy{through: always, drop: always}); serr == nil || serr.Error() != err.Error() {
				t.Fatalf("%s: refused with %v, streamed: %v", name, err, serr)
			}
			skipped++
			continue
		}
		for _, o := range []c14nOpts{{"", false, true}, {"ds xades #default", true, false}, {"", true, true}, {"ds xades #default", false, true}} {
			checkStream(t, name+"/depth 3", data, o, streamPolicy{
				detach:  isSig,
				through: func(n Node, depth int) bool { return depth == 3 && !n.Parent().Is(nsDSig, "Signature") },
				drop:    always,
			})
			pol := randomPolicy(r, 2, 5, 0.3, 0.5, 0)
			pol.detach = isSig
			checkStream(t, name+"/random", data, o, pol)
		}
	}
	t.Logf("%d files, %d refused by the scanner", len(files), skipped)
}

// FuzzExcStream: on any input that parses, the streamed canonical form
// equals the whole one, whatever closes Through is called at.
func FuzzExcStream(f *testing.F) {
	for _, s := range nestedDocs {
		f.Add([]byte(s), uint64(1))
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 8 {
		f.Add([]byte(genDoc(r, 5)), r.Uint64())
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		if _, err := Parse(data, Limits{}); err != nil {
			return
		}
		r := rand.New(rand.NewPCG(seed, seed>>1))
		o := allOpts[seed%uint64(len(allOpts))]
		checkStream(t, "random", data, o, randomPolicy(r, 1, 8, 0.5, 0.5, 0.1))
		checkStream(t, "every close", data, o, streamPolicy{through: always, drop: always})
	})
}
