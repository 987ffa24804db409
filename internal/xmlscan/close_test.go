package xmlscan

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// dump writes everything a consumer can read of n through the public
// accessors (Path aside: see TestCloseDrop).
func dump(b *strings.Builder, n Node) {
	switch n.Kind() {
	case Element:
		s, e := n.Span()
		fmt.Fprintf(b, "<%s|%s|%s|%s [%d,%d) complete=%v dropped=%v", n.Name(), n.Prefix(), n.Local(), n.NS(), s, e, n.Complete(), n.Dropped())
		for i := range n.NumAttrs() {
			a := n.Attr(i)
			fmt.Fprintf(b, " %s|%s|%s|%s|%v=%q", a.Name, a.Prefix, a.Local, a.NS, a.Decl, a.Value)
		}
		fmt.Fprintf(b, " text=%q>", n.Text())
		for c, v := range n.Content() {
			if !c.Valid() {
				fmt.Fprintf(b, "T%q", v)
				continue
			}
			dump(b, c)
		}
		b.WriteString("</>")
	case Text:
		fmt.Fprintf(b, "X%q", n.Value())
	case Comment:
		fmt.Fprintf(b, "C%q", n.Value())
	case ProcInst:
		fmt.Fprintf(b, "P%q%q", n.Name(), n.Value())
	}
}

func dumpNode(n Node) string {
	var b strings.Builder
	dump(&b, n)
	return b.String()
}

func dumpDoc(d *Doc) string {
	var b strings.Builder
	for _, t := range d.TopLevel() {
		dump(&b, t)
		b.WriteString("\n")
	}
	return b.String()
}

// elements returns every element reachable from the root, by start offset.
func elements(d *Doc) map[int]Node {
	m := map[int]Node{}
	var walk func(Node)
	walk = func(n Node) {
		s, _ := n.Span()
		m[s] = n
		for c := n.FirstElement(); c.Valid(); c = c.NextElement() {
			walk(c)
		}
	}
	walk(d.Root())
	return m
}

type dropRule struct {
	name       string
	closeDepth int
	drop       func(start, depth int) bool
}

var dropRules = []dropRule{
	{"every depth-2 element", 2, func(_, depth int) bool { return depth == 2 }},
	{"every depth-3 element", 3, func(_, depth int) bool { return depth == 3 }},
	{"every other depth-3 element", 3, func(start, depth int) bool { return depth == 3 && start%2 == 0 }},
	{"depths 2 to 5 at random", 5, func(start, depth int) bool { return depth >= 2 && (start*7919)%3 == 0 }},
	{"nested: depth 3, then its depth-2 parent", 0, func(_, depth int) bool { return depth == 2 || depth == 3 }},
	{"the root", 1, func(_, depth int) bool { return depth == 1 }},
	{"nothing dropped, every close seen", 0, func(int, int) bool { return false }},
}

var nestedDocs = []string{
	`<r><a><b>x</b><c/></a> <a k="1"><b>&amp;y</b></a>tail<d/></r>`,
	`<?pi top?><!--c--><r xmlns="urn:d" xmlns:p="urn:p"><p:a p:x="&lt;1" y="2"><b xmlns=""><p:c>t&#x41;<![CDATA[<]]></p:c></b>mid<!--in--><?q d?></p:a>` +
		"\r\n" + `<a><b/><b>z</b></a><a/></r><!--after--><?pi end?>`,
	`<TSL><SchemeInformation><TSLType>t</TSLType></SchemeInformation><TrustServiceProviderList>` +
		strings.Repeat(`<TrustServiceProvider><Name xml:lang="en">N&amp;1</Name><Services><S a="&#9;"/><S/></Services></TrustServiceProvider>`+"\n", 5) +
		`</TrustServiceProviderList><ds:Signature xmlns:ds="urn:ds"><ds:SignedInfo/></ds:Signature></TSL>`,
}

// TestCloseDrop: whatever OnClose drops, the Doc that remains reads as the
// whole document with those subtrees Detach-ed; each element is complete
// when its close is reported; a dropped element keeps its name, attributes
// and span, without children; paths count the dropped siblings.
func TestCloseDrop(t *testing.T) {
	docs := append([]string(nil), nestedDocs...)
	r := rand.New(rand.NewPCG(1, 2))
	for range 60 {
		docs = append(docs, genDoc(r, 6))
	}
	for di, doc := range docs {
		for _, rule := range dropRules {
			t.Run(fmt.Sprintf("doc%d/%s", di, rule.name), func(t *testing.T) {
				full, err := Parse([]byte(doc), Limits{})
				if err != nil {
					t.Fatalf("%v\n%s", err, doc)
				}
				fullEls := elements(full)
				paths := map[int]string{}
				for s, n := range fullEls {
					paths[s] = n.Path() + " " + n.LocalPath()
				}
				var dropped []Node
				var droppedAt []int
				var hookErr error
				lim := Limits{CloseDepth: rule.closeDepth, OnClose: func(n Node, depth int) (Action, error) {
					s, _ := n.Span()
					want, ok := fullEls[s]
					if !ok || n.Name() != want.Name() {
						hookErr = fmt.Errorf("close of %s at %d: not an element of the full parse", n.Name(), s)
						return Keep, hookErr
					}
					if rule.closeDepth > 0 && depth > rule.closeDepth {
						hookErr = fmt.Errorf("close reported at depth %d, CloseDepth %d", depth, rule.closeDepth)
					}
					if got := strings.Count(want.Path(), "/"); got != depth {
						hookErr = fmt.Errorf("%s: depth %d, want %d", want.Path(), depth, got)
					}
					if !n.Complete() {
						hookErr = fmt.Errorf("%s not complete at its close", want.Path())
					}
					// The full parse with what was dropped so far detached.
					if got, w := dumpNode(n), dumpNode(want); got != w {
						hookErr = fmt.Errorf("at close:\n got  %s\n want %s", got, w)
					}
					if rule.drop(s, depth) {
						full.Detach(want)
						// Those dropped inside n are gone with its descendants.
						_, e := n.Span()
						for len(droppedAt) > 0 && droppedAt[len(droppedAt)-1] > s && droppedAt[len(droppedAt)-1] < e {
							dropped, droppedAt = dropped[:len(dropped)-1], droppedAt[:len(droppedAt)-1]
						}
						dropped = append(dropped, n)
						droppedAt = append(droppedAt, s)
						return Drop, nil
					}
					return Keep, nil
				}}
				d, err := Parse([]byte(doc), lim)
				if err != nil {
					t.Fatal(err)
				}
				if hookErr != nil {
					t.Fatal(hookErr)
				}
				if got, want := dumpDoc(d), dumpDoc(full); got != want && !d.Root().Dropped() {
					t.Fatalf("after the parse:\n got  %s\n want %s", got, want)
				}
				for s, n := range elements(d) {
					if got := n.Path() + " " + n.LocalPath(); got != paths[s] {
						t.Errorf("path %s, want %s", got, paths[s])
					}
				}
				for i, n := range dropped {
					want := fullEls[droppedAt[i]]
					if s, e := n.Span(); s != droppedAt[i] {
						t.Fatalf("dropped %s: span [%d,%d)", n.Name(), s, e)
					} else if ws, we := want.Span(); e != we || ws != s {
						t.Fatalf("dropped %s: span [%d,%d), want [%d,%d)", n.Name(), s, e, ws, we)
					}
					if !n.Dropped() || n.FirstChild().Valid() || n.Subtree() != 1 || n.Text() != "" || n.Name() != want.Name() || n.NS() != want.NS() {
						t.Fatalf("dropped %s: %s", want.Path(), dumpNode(n))
					}
					if n.NumAttrs() != want.NumAttrs() {
						t.Fatalf("dropped %s: %d attributes, want %d", want.Path(), n.NumAttrs(), want.NumAttrs())
					}
					for k := range n.NumAttrs() {
						if n.Attr(k) != want.Attr(k) {
							t.Fatalf("dropped %s: attribute %v, want %v", want.Path(), n.Attr(k), want.Attr(k))
						}
					}
				}
			})
		}
	}
}

// TestCloseDepth: OnClose sees each element at depth 1..CloseDepth once,
// children before their parent, and nothing when CloseDepth is exceeded.
func TestCloseDepth(t *testing.T) {
	doc := `<r><a><b><c/></b></a><a/></r>`
	for _, c := range []struct {
		depth int
		want  string
	}{
		{1, "r1"}, {2, "a2 a2 r1"}, {3, "b3 a2 a2 r1"}, {0, "c4 b3 a2 a2 r1"}, {9, "c4 b3 a2 a2 r1"},
	} {
		var got []string
		_, err := Parse([]byte(doc), Limits{CloseDepth: c.depth, OnClose: func(n Node, depth int) (Action, error) {
			got = append(got, fmt.Sprintf("%s%d", n.Name(), depth))
			return Keep, nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("CloseDepth %d: %q, want %q", c.depth, got, c.want)
		}
	}
}

// TestCloseLimits: dropping does not lift a limit. The node limit counts
// every node and attribute ever created; the Bound counts the bounded
// subtree's nodes even when parts of it are dropped.
func TestCloseLimits(t *testing.T) {
	dropAll := func(Node, int) (Action, error) { return Drop, nil }
	// 11 bytes per <p><b/></p>, 2 nodes: one per 6 bytes.
	many := `<r>` + strings.Repeat(`<p><b/></p>`, 5000) + `</r>`
	withAttrs := `<r>` + strings.Repeat(`<p a="" b=""/>`, 5000) + `</r>`
	cases := []struct {
		name string
		doc  string
		lim  Limits
		want string
	}{
		{"nodes, dropped at depth 2", many, Limits{BytesPerNode: 16, OnClose: dropAll, CloseDepth: 2}, "nodes and attributes"},
		{"nodes, dropped at depth 3", many, Limits{BytesPerNode: 16, OnClose: dropAll}, "nodes and attributes"},
		{"attributes, dropped", withAttrs, Limits{BytesPerNode: 16, OnClose: dropAll, CloseDepth: 2}, "nodes and attributes"},
		{"bound by nodes, dropped inside", `<r><s:Sig xmlns:s="urn:s">` + strings.Repeat(`<o><a/></o>`, 20) + `</s:Sig></r>`,
			Limits{Bound: &Bound{NS: "urn:s", Local: "Sig", MaxNodes: 10, MaxBytes: 10000}, OnClose: dropAll}, "more than 10 nodes"},
		{"bound by bytes, dropped inside", `<r><s:Sig xmlns:s="urn:s">` + strings.Repeat(`<o><a/></o>`, 20) + `</s:Sig></r>`,
			Limits{Bound: &Bound{NS: "urn:s", Local: "Sig", MaxNodes: 1000, MaxBytes: 100}, OnClose: dropAll}, "bytes"},
		{"bound at its close, dropped", `<r><s:Sig xmlns:s="urn:s" a="` + strings.Repeat("x", 300) + `"></s:Sig></r>`,
			Limits{Bound: &Bound{NS: "urn:s", Local: "Sig", MaxNodes: 1000, MaxBytes: 100}, OnClose: dropAll}, "more than 100 bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lim := c.lim
			lim.OnClose = nil
			// Without the hook the same limit refuses the same input.
			if _, err := Parse([]byte(c.doc), lim); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("without OnClose: %v", err)
			}
			_, err := Parse([]byte(c.doc), c.lim)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("with drops: %v, want %q", err, c.want)
			}
		})
	}
	// And what fits the limits passes with drops.
	if _, err := Parse([]byte(many), Limits{BytesPerNode: 6, OnClose: dropAll, CloseDepth: 2}); err != nil {
		t.Fatal(err)
	}
}

// TestCloseError: an error from OnClose ends Parse and is returned as is,
// without a Doc; a syntax error after a drop is still reported.
func TestCloseError(t *testing.T) {
	mine := errors.New("mine")
	wrapped := fmt.Errorf("wrapped: %w", mine)
	for _, want := range []error{mine, wrapped} {
		calls := 0
		d, err := Parse([]byte(`<r><a/><b/><c/></r>`), Limits{OnClose: func(n Node, _ int) (Action, error) {
			calls++
			if n.Name() == "b" {
				return Keep, want
			}
			return Drop, nil
		}})
		if err != want || d != nil || calls != 2 {
			t.Fatalf("err %v, doc %v, %d calls", err, d, calls)
		}
	}
	_, err := Parse([]byte(`<r><a><x/></a><b></r>`), Limits{OnClose: func(Node, int) (Action, error) { return Drop, nil }})
	if se := (*SyntaxError)(nil); !errors.As(err, &se) || se.Path != "/r/b" {
		t.Fatalf("syntax error after a drop: %v", err)
	}
}

// TestErrStop: ErrStop ends the scan with a usable Doc of what was read:
// closed subtrees complete, open elements (the root) reachable and marked
// incomplete, and nothing after the stop read (a malformed tail is not
// seen).
func TestErrStop(t *testing.T) {
	head := `<?pi x?><TSL xmlns="urn:tsl" Id="t"><SchemeInformation><TSLType>ty&amp;pe</TSLType><SchemeTerritory>IT</SchemeTerritory></SchemeInformation>`
	for _, tail := range []string{
		`<TrustServiceProviderList><TSP/></TrustServiceProviderList></TSL>`,
		`<TrustServiceProviderList><unclosed></TSL>`,
		`<&&& not XML`,
		``,
	} {
		stops := 0
		d, err := Parse([]byte(head+"\n  "+tail), Limits{CloseDepth: 2, OnClose: func(n Node, depth int) (Action, error) {
			if n.Is("urn:tsl", "SchemeInformation") {
				stops++
				return Keep, ErrStop
			}
			return Keep, nil
		}})
		if !errors.Is(err, ErrStop) || d == nil || stops != 1 {
			t.Fatalf("tail %q: %v", tail, err)
		}
		root := d.Root()
		if !root.Valid() || !root.Is("urn:tsl", "TSL") || root.Complete() {
			t.Fatalf("root %s complete=%v", root.Name(), root.Complete())
		}
		if v, _ := root.AttrValue("Id"); v != "t" {
			t.Fatal("root attributes")
		}
		si := root.FirstElement()
		if !si.Complete() || si.FirstElement().Text() != "ty&pe" || si.FirstElement().NextElement().Text() != "IT" {
			t.Fatalf("SchemeInformation: %s", dumpNode(si))
		}
		if si.NextElement().Valid() || root.Subtree() != 5 || root.Text() != "" || si.Path() != "/TSL/SchemeInformation" {
			t.Fatalf("root after the stop: %s", dumpNode(root))
		}
		if _, e := root.Span(); e != len(head) {
			t.Fatalf("root span ends at %d, want %d", e, len(head))
		}
		if n := len(d.TopLevel()); n != 2 {
			t.Fatalf("%d top-level nodes", n)
		}
	}
	// Stopping at the root's close: the whole element is there.
	d, err := Parse([]byte(`<r><a>x</a></r><!--after-->`), Limits{OnClose: func(n Node, depth int) (Action, error) {
		if depth == 1 {
			return Keep, ErrStop
		}
		return Drop, nil
	}})
	if !errors.Is(err, ErrStop) || !d.Root().Complete() || len(d.TopLevel()) != 1 || d.Root().FirstChild().Valid() || d.Root().Subtree() != 2 {
		t.Fatalf("stop at the root: %v", err)
	}
	// Stopping deep inside: every open element is readable.
	d, err = Parse([]byte(`<r>a<b>b<c>c<d/>tail</c></b></r>`), Limits{OnClose: func(n Node, depth int) (Action, error) {
		return Keep, ErrStop
	}})
	if !errors.Is(err, ErrStop) || dumpNode(d.Root()) == "" {
		t.Fatal(err)
	}
	for n := d.Root(); n.Valid(); n = n.FirstElement() {
		if n.Complete() != (n.Name() == "d") {
			t.Fatalf("%s complete=%v", n.Path(), n.Complete())
		}
	}
	if got := d.Root().FirstElement().FirstElement().Text(); got != "c" {
		t.Fatalf("open c reads %q", got)
	}
}

// genProviders writes a list shaped like a Trusted List: n providers at
// depth 3 of varied sizes (the k-th holds k%17 services), with a head and
// a signature around them.
func genProviders(n int) (doc string, maxProvider int) {
	var b strings.Builder
	b.WriteString(`<TSL xmlns="urn:tsl" xmlns:ds="urn:ds"><SchemeInformation><TSLType>t</TSLType></SchemeInformation><TrustServiceProviderList>`)
	for k := range n {
		services := k % 17
		b.WriteString("\n<TrustServiceProvider><TSPName><Name xml:lang=\"en\">P&amp;")
		b.WriteString(itoa(k))
		b.WriteString("</Name></TSPName><Services>")
		for range services {
			b.WriteString(`<Service><Type>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</Type><Status a="1" b="2">granted</Status><!--c--><Cert>MIIB&#xD;</Cert></Service>`)
		}
		b.WriteString("</Services></TrustServiceProvider>")
		maxProvider = max(maxProvider, 5+6*services)
	}
	b.WriteString(`</TrustServiceProviderList><ds:Signature><ds:SignedInfo/></ds:Signature></TSL>`)
	return b.String(), maxProvider
}

// TestWindowBounded: a parse that drops every provider holds one of them
// at a time: at every close, the arena holds the ancestors, one childless
// element per provider dropped before, and the provider closing; its
// capacity stays within twice that.
func TestWindowBounded(t *testing.T) {
	const providers = 5000
	doc, maxProvider := genProviders(providers)
	d0, err := Parse([]byte(doc), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	dropped, peak, peakAttrs := 0, 0, 0
	d, err := Parse([]byte(doc), Limits{CloseDepth: 3, OnClose: func(n Node, depth int) (Action, error) {
		if depth != 3 || n.Local() != "TrustServiceProvider" {
			return Keep, nil
		}
		nd := n.Doc()
		// Ancestors: TSL, SchemeInformation (and its child), the provider list.
		if limit := 4 + dropped + n.Subtree(); nd.Nodes() != limit || n.Subtree() > maxProvider {
			return Keep, fmt.Errorf("provider %d: %d nodes in the arena, at most %d expected", dropped, nd.Nodes(), limit)
		}
		peak, peakAttrs = max(peak, cap(nd.nodes)), max(peakAttrs, cap(nd.attrs))
		dropped++
		return Drop, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if dropped != providers {
		t.Fatalf("%d providers dropped", dropped)
	}
	if limit := 2 * (4 + providers + maxProvider); peak > limit || len(d.nodes) > 4+providers+3 {
		t.Fatalf("arena capacity %d (limit %d), %d nodes after the parse", peak, limit, len(d.nodes))
	}
	if peakAttrs > 2*(3*maxProvider) {
		t.Fatalf("attribute capacity %d for providers of at most %d nodes", peakAttrs, maxProvider)
	}
	if len(d.strs) > 1 || cap(d.nodes) >= d0.Nodes()/4 {
		t.Fatalf("%d kept strings, arena capacity %d against %d nodes without drops", len(d.strs), cap(d.nodes), d0.Nodes())
	}
}

// BenchmarkScanDrop: scanning a generated list of 5,000 providers whole,
// and dropping each provider as it closes (B/op: the arena's share).
func BenchmarkScanDrop(b *testing.B) {
	doc, _ := genProviders(5000)
	data := []byte(doc)
	for _, c := range []struct {
		name string
		lim  Limits
	}{
		{"whole", Limits{}},
		{"drop-providers", Limits{CloseDepth: 3, OnClose: func(n Node, depth int) (Action, error) {
			if depth == 3 {
				return Drop, nil
			}
			return Keep, nil
		}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(data, c.lim); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCloseSameErrors: with OnClose the characters are checked as the scan
// goes, yet every input gets the error a check up front gives: the first
// invalid UTF-8 anywhere, else the first character not allowed, else the
// syntax error; at every offset around the checked window's edge.
func TestCloseSameErrors(t *testing.T) {
	keep := Limits{OnClose: func(Node, int) (Action, error) { return Keep, nil }}
	pad := strings.Repeat("<e>x</e>", checkAhead/8+100)
	var docs []string
	for _, c := range []string{"\x01", "\xff", "\uFFFE", "\xef\xbf\xbf", "</x>", "&bad;", "\xc3"} {
		for _, at := range []int{0, 3, checkAhead - 1, checkAhead, checkAhead + 1, len(pad) - 5} {
			docs = append(docs, "<r>"+pad[:at]+c+pad[at:]+"</r>")
		}
		docs = append(docs,
			"<r>\x01"+pad+"\xff</r>",             // control early, invalid UTF-8 late
			"<r>\x01"+pad+"\x02</r>",             // two controls
			"<r></x>"+pad+"\x01</r>",             // syntax early, character late
			"<r><a/>"+pad+"\uFFFF"+pad+"</r><!>", // character in the middle
			"<r>é"+pad[:checkAhead-5]+"é"+pad+"\x02</r>")
	}
	for i, doc := range docs {
		_, want := Parse([]byte(doc), Limits{})
		_, got := Parse([]byte(doc), keep)
		if want == nil || fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
			t.Errorf("doc %d: with OnClose %v, want %v", i, got, want)
		}
	}
}

// TestArenaGrowth: with OnClose, an arena the consumer keeps whole (a
// million siblings) ends at the input's bound, as a whole parse sizes it,
// not at append's quarter-by-quarter growth; a small window stays small.
func TestArenaGrowth(t *testing.T) {
	const n = 300_000
	var b bytes.Buffer
	b.WriteString("<r>")
	for i := 0; i < n; i++ {
		b.WriteString(`<sibling attribute="1234567890"/>`)
	}
	b.WriteString("</r>")
	keep := func(Node, int) (Action, error) { return Keep, nil }
	d, err := Parse(b.Bytes(), Limits{OnClose: keep, CloseDepth: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.nodes) != n+1 || cap(d.nodes) > n+2 || cap(d.attrs) != n { // the bound: one per "<" not of an end tag, plus one
		t.Fatalf("%d nodes in an arena of %d, %d attributes of %d: want both sized to the input", len(d.nodes), cap(d.nodes), len(d.attrs), cap(d.attrs))
	}
	small := []byte("<r><s/><s/><s/></r>")
	if d, err = Parse(small, Limits{OnClose: keep}); err != nil || cap(d.nodes) > 256 {
		t.Fatalf("a 4-node document: arena of %d, %v", cap(d.nodes), err)
	}
}
