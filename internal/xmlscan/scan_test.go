package xmlscan

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestRefused: one case (or more) per well-formedness rule and limit; each
// must be refused with a message naming the rule.
func TestRefused(t *testing.T) {
	cases := []struct{ rule, doc, want string }{
		// Characters and encoding.
		{"invalid UTF-8", "<a>\xff</a>", "invalid UTF-8"},
		{"control character", "<a>\x01</a>", "not allowed"},
		{"NUL", "<a>\x00</a>", "not allowed"},
		{"U+FFFE", "<a>\uFFFE</a>", "not allowed"},
		{"U+FFFF", "<a>\xef\xbf\xbf</a>", "not allowed"},
		// XML declaration.
		{"declaration not first", "\n<?xml version=\"1.0\"?><a/>", "reserved"},
		{"declaration after a comment", "<!-- c --><?xml version=\"1.0\"?><a/>", "reserved"},
		{"encoding ISO-8859-1", `<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, "only UTF-8"},
		{"encoding with spaces around =", `<?xml version="1.0" encoding = "ISO-8859-1"?><a/>`, "only UTF-8"},
		{"encoding in single quotes", `<?xml version='1.0' encoding='latin1'?><a/>`, "only UTF-8"},
		{"version 1.1", `<?xml version="1.1"?><a/>`, "only XML 1.0"},
		{"no version", `<?xml encoding="UTF-8"?><a/>`, "unexpected"},
		{"attributes out of order", `<?xml version="1.0" standalone="yes" encoding="UTF-8"?><a/>`, "unexpected"},
		{"unknown pseudo-attribute", `<?xml version="1.0" foo="bar"?><a/>`, "unexpected"},
		{"XML PI in any case", `<a><?XmL x?></a>`, "reserved"},
		// Markup declarations, in any case, anywhere.
		{"DOCTYPE", `<!DOCTYPE a><a/>`, "markup declaration <!DOCTYPE>"},
		{"doctype lower case", `<!doctype a><a/>`, "markup declaration <!doctype>"},
		{"ENTITY", `<!ENTITY x "y"><a/>`, "markup declaration <!ENTITY>"},
		{"unknown declaration", `<!x y><a/>`, "markup declaration <!x>"},
		{"declaration inside the root", `<a><!DocType a></a>`, "markup declaration <!DocType>"},
		{"declaration after the root", `<a/><!ELEMENT a ANY>`, "markup declaration <!ELEMENT>"},
		{"CDATA outside the root", `<![CDATA[x]]><a/>`, "markup declaration"},
		// Names.
		{"name starting with a digit", `<1a/>`, "cannot start a name"},
		{"name starting with -", `<-a/>`, "cannot start a name"},
		{"attribute name starting with .", `<a .b="1"/>`, "cannot start a name"},
		{"non-name character", "<a\u00d7b/>", "white space expected"},
		{"two colons", `<a:b:c xmlns:a="u"/>`, "not a qualified name"},
		{"empty prefix", `<:a/>`, "not a qualified name"},
		{"empty local part", `<a: xmlns:a="u"/>`, "not a qualified name"},
		{"local part starting with a digit", `<a:1 xmlns:a="u"/>`, "does not start a name"},
		{"name too long", "<" + strings.Repeat("a", 2000) + "/>", "longer than"},
		{"name too long, ASCII then not", "<" + strings.Repeat("a", 1000) + strings.Repeat("é", 20) + "/>", "longer than"},
		{"name too long, non-ASCII then ASCII", "<é" + strings.Repeat("a", 1100) + "/>", "longer than"},
		// Tags.
		{"mismatched end tag", `<a></b>`, "does not match"},
		{"unclosed element", `<a><b></b>`, "unexpected end of input"},
		{"no white space between attributes", `<a x="1"y="2"/>`, "white space expected"},
		{"attribute without value", `<a x/>`, "without a value"},
		{"unquoted attribute", `<a x=1/>`, "not quoted"},
		{"< in attribute value", `<a x="<"/>`, `"<" in an attribute value`},
		{"/ not followed by >", `<a/ >`, `"/" not followed`},
		{"two roots", `<a/><b/>`, "a second root"},
		{"no root", `<!-- c -->`, "no root element"},
		{"text outside the root", `x<a/>`, "text outside"},
		{"text after the root", `<a/>x`, "text outside"},
		// Attributes.
		{"duplicate attribute", `<a x="1" x="2"/>`, "duplicate attribute x"},
		{"duplicate attribute among many", `<a a1="" a2="" a3="" a4="" a5="" a6="" a7="" a8="" a9="" a1=""/>`, "duplicate attribute a1"},
		{"same expanded name", `<a xmlns:p="u" xmlns:q="u" p:x="1" q:x="2"/>`, "same namespace and local name"},
		{"same expanded name among many", `<a xmlns:p="u" xmlns:q="u" a1="" a2="" a3="" a4="" a5="" a6="" a7="" p:x="1" q:x="2"/>`, "same namespace and local name"},
		{"duplicate namespace declaration", `<a xmlns:p="u" xmlns:p="v"/>`, "duplicate attribute"},
		// Namespaces.
		{"undeclared element prefix", `<p:a/>`, "undeclared namespace prefix"},
		{"undeclared attribute prefix", `<a p:x="1"/>`, "undeclared namespace prefix"},
		{"prefix out of scope", `<a><b xmlns:p="u"/><p:c/></a>`, "undeclared namespace prefix"},
		{"prefix undeclared with empty name", `<a xmlns:p=""/>`, "empty namespace name"},
		{"xmlns prefix declared", `<a xmlns:xmlns="u"/>`, "must not be declared"},
		{"xml prefix rebound", `<a xmlns:xml="u"/>`, "xml prefix"},
		{"XML namespace to another prefix", `<a xmlns:x="http://www.w3.org/XML/1998/namespace"/>`, "xml prefix"},
		{"XML namespace as default", `<a xmlns="http://www.w3.org/XML/1998/namespace"/>`, "xml prefix"},
		{"xmlns namespace declared", `<a xmlns:x="http://www.w3.org/2000/xmlns/"/>`, "must not be declared"},
		{"element with xmlns prefix", `<xmlns:a/>`, "uses the xmlns prefix"},
		// References.
		{"undefined entity", `<a>&nbsp;</a>`, "undefined entity"},
		{"undefined entity in attribute", `<a x="&foo;"/>`, "undefined entity"},
		{"bare &", `<a>a & b</a>`, `"&" that does not start a reference`},
		{"character reference to NUL", `<a>&#0;</a>`, "not an XML character"},
		{"character reference to a control", `<a>&#x1;</a>`, "not an XML character"},
		{"character reference to a surrogate", `<a>&#xD800;</a>`, "not an XML character"},
		{"character reference to U+FFFE", `<a>&#xFFFE;</a>`, "not an XML character"},
		{"character reference beyond Unicode", `<a>&#x110000;</a>`, "not an XML character"},
		{"malformed character reference", `<a>&#x;</a>`, "malformed character reference"},
		{"decimal reference with hex digits", `<a>&#1a;</a>`, "malformed character reference"},
		// Text, comments, CDATA, PIs.
		{"]]> in text", `<a>x]]>y</a>`, `"]]>" in character data`},
		{"-- in a comment", `<a><!-- a -- b --></a>`, `"--" inside a comment`},
		{"comment ending in --->", `<a><!-- a ---></a>`, `"--" inside a comment`},
		{"unterminated comment", `<a><!-- a </a>`, "unterminated comment"},
		{"unterminated CDATA", `<a><![CDATA[ x </a>`, "unterminated CDATA"},
		{"PI without a target", `<a><? x?></a>`, "cannot start a name"},
		{"PI target with a colon", `<a><?a:b x?></a>`, "colon"},
		{"unterminated PI", `<a><?pi x </a>`, "unterminated processing instruction"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			_, err := Parse([]byte(c.doc), Limits{})
			if err == nil {
				t.Fatalf("accepted %q", c.doc)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not say %q", err, c.want)
			}
		})
	}
}

// TestLimits: each explicit limit refuses the first input beyond it.
func TestLimits(t *testing.T) {
	lim := Limits{MaxDepth: 4, MaxAttrs: 3, MaxNameLen: 8, BytesPerNode: 1000, MaxNamespaces: 3}
	cases := []struct{ name, ok, bad, want string }{
		{"depth", `<a><a><a><a/></a></a></a>`, `<a><a><a><a><a/></a></a></a></a>`, "deeper than 4"},
		{"attributes", `<a x="" y="" z=""/>`, `<a x="" y="" z="" w=""/>`, "more than 3 attributes"},
		{"name length", `<abcdefgh/>`, `<abcdefghi/>`, "longer than 8"},
		{"namespaces", `<a xmlns:p="1"/>`, `<a xmlns:p="1" xmlns:q="2"/>`, "distinct namespace URIs"},
		{"nodes", strings.Repeat(" ", 0) + `<a>` + strings.Repeat("<b/>", 4000) + `</a>`, `<a>` + strings.Repeat("<b/>", 5000) + `</a>`, "nodes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Parse([]byte(c.ok), lim); err != nil {
				t.Fatalf("at the limit: %v", err)
			}
			_, err := Parse([]byte(c.bad), lim)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("beyond the limit: %v, want %q", err, c.want)
			}
		})
	}
}

// TestAccepted: what well-formed documents do.
func TestAccepted(t *testing.T) {
	cases := []struct{ name, doc, text string }{
		{"BOM and declaration", "\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\" standalone='no' ?><a>x</a>", "x"},
		{"spaces around = in the declaration", "<?xml version = \"1.0\" encoding = \"UTF-8\"?><a>x</a>", "x"},
		{"references", `<a>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;</a>`, `<>&'"AB😀`},
		{"CDATA", `<a>x<![CDATA[<&]]>y</a>`, "x<&y"},
		{"CRLF", "<a>x\r\ny\rz</a>", "x\ny\nz"},
		{"comment inside text", `<a>x<!-- c -->y</a>`, "xy"},
		{"PI inside text", `<a>x<?pi data?>y</a>`, "xy"},
		{"non-ASCII names", "<été xmlns:ü=\"u\" ü:ß=\"1\">x</été>", "x"},
		{"ASCII then non-ASCII name characters", "<abé·c xmlns:pü=\"u\" pü:á=\"1\">x</abé·c>", "x"},
		{"end tag with space", `<a>x</a >`, "x"},
		{"default namespace undeclared", `<a xmlns="u"><b xmlns="">x</b></a>`, ""},
		{"comments and PIs around the root", `<!-- c --><?pi x?><a>x</a><!-- d --><?pi y?>`, "x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Parse([]byte(c.doc), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Root().Text(); got != c.text {
				t.Fatalf("text %q, want %q", got, c.text)
			}
		})
	}
}

func TestNamespacesAndAttrs(t *testing.T) {
	d, err := Parse([]byte(`<r xmlns="d" xmlns:p="P"><p:a p:x="1" y="2" xml:lang="EN"><b xmlns=""/><c/></p:a></r>`), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	r := d.Root()
	a := r.FirstElement()
	if !r.Is("d", "r") || !a.Is("P", "a") || a.Prefix() != "p" {
		t.Fatalf("names: %s %s", r.NS(), a.NS())
	}
	if v, _ := a.AttrNS("P", "x"); v != "1" {
		t.Fatal("p:x")
	}
	if v, _ := a.AttrValue("y"); v != "2" {
		t.Fatal("y")
	}
	if v, _ := a.AttrNS(NSXML, "lang"); v != "EN" {
		t.Fatal("xml:lang")
	}
	b := a.FirstElement()
	if b.NS() != "" || b.NextElement().NS() != "d" {
		t.Fatalf("b %q c %q", b.NS(), b.NextElement().NS())
	}
	if got := b.NextElement().Path(); got != "/r/p:a/c" {
		t.Fatal(got)
	}
}

func canon(t *testing.T, doc string, prefixes string) string {
	t.Helper()
	d, err := Parse([]byte(doc), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := ExcC14N(w, d.Root(), Node{}, prefixes, false, true); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestExcC14N: the cases of the Exclusive c14n recommendation that matter
// (further cases, against libxml2 and goxmldsig, are in pkg/xmldsig).
func TestExcC14N(t *testing.T) {
	cases := []struct{ name, in, prefixes, want string }{
		{"unused declarations dropped", `<a xmlns:p="P" xmlns:q="Q"><p:b/></a>`, "", `<a><p:b xmlns:p="P"></p:b></a>`},
		{"attribute order", `<a xmlns:p="P" z="1" p:y="2" b="3"/>`, "", `<a xmlns:p="P" b="3" z="1" p:y="2"></a>`},
		{"default namespace reset", `<a xmlns="D"><b xmlns=""/></a>`, "", `<a xmlns="D"><b xmlns=""></b></a>`},
		{"no redundant reset", `<a><b xmlns=""/></a>`, "", `<a><b></b></a>`},
		{"escapes", "<a x='\"&lt;\t'>&amp;&lt;&gt;\r</a>", "", "<a x=\"&quot;&lt; \">&amp;&lt;&gt;\n</a>"},
		{"char ref CR in text", "<a>&#xD;</a>", "", "<a>&#xD;</a>"},
		{"PrefixList keeps an unused prefix", `<a xmlns:p="P"><b/></a>`, "p", `<a xmlns:p="P"><b></b></a>`},
		{"comments dropped, PIs kept", `<?pi a?><!--c--><a><!--x--><?q b?></a><?pi z?>`, "", "<?pi a?>\n<a><?q b?></a>\n<?pi z?>"},
		{"CDATA as text", `<a><![CDATA[<x>]]></a>`, "", `<a>&lt;x&gt;</a>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := canon(t, c.in, c.prefixes); got != c.want {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestLinear: a million namespace declarations, attributes or comments
// cost one pass (this would take minutes if a lookup scanned them).
func TestLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("<a")
	for i := 0; i < 200000; i++ {
		b.WriteString(` xmlns:n`)
		b.WriteString(itoa(i))
		b.WriteString(`="u"`)
	}
	b.WriteString(">")
	for i := 0; i < 20000; i++ {
		b.WriteString("<b/>")
	}
	b.WriteString("</a>")
	d, err := Parse([]byte(b.String()), Limits{MaxAttrs: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := ExcC14N(bufio.NewWriter(&buf), d.Root(), Node{}, "", false, false); err != nil {
		t.Fatal(err)
	}
	if want := "<a>" + strings.Repeat("<b></b>", 20000) + "</a>"; buf.String() != want {
		t.Fatalf("canonical form of %d bytes", buf.Len())
	}
}

// TestBound: a bounded subtree is refused as soon as it outgrows its limit,
// by nodes or by bytes, with the path of the element then open.
func TestBound(t *testing.T) {
	lim := Limits{Bound: &Bound{NS: "urn:s", Local: "Sig", MaxNodes: 10, MaxBytes: 200}}
	ok := `<r><s:Sig xmlns:s="urn:s"><a/><b>x</b></s:Sig>` + strings.Repeat("<c/>", 100) + `</r>`
	if _, err := Parse([]byte(ok), lim); err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]string{
		"nodes":           `<r><s:Sig xmlns:s="urn:s"><o>` + strings.Repeat("<a/>", 20) + `</o></s:Sig></r>`,
		"bytes in text":   `<r><s:Sig xmlns:s="urn:s"><o>` + strings.Repeat(" ", 300) + `</o></s:Sig></r>`,
		"bytes in a tag":  `<r><s:Sig xmlns:s="urn:s"><o a="` + strings.Repeat("x", 300) + `"/></s:Sig></r>`,
		"bytes, at close": `<r><s:Sig xmlns:s="urn:s" a="` + strings.Repeat("x", 300) + `"></s:Sig></r>`,
	} {
		_, err := Parse([]byte(doc), lim)
		be, isBound := err.(*BoundError)
		if !isBound || !strings.HasPrefix(be.Path, "/r/s:Sig") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Only a child of the root is bounded.
	deep := `<r><x><s:Sig xmlns:s="urn:s">` + strings.Repeat("<a/>", 20) + `</s:Sig></x></r>`
	if _, err := Parse([]byte(deep), lim); err != nil {
		t.Fatal(err)
	}
}

// TestCharsAtEveryOffset: the word-at-a-time character check finds a
// forbidden character at every position of a word and across words.
func TestCharsAtEveryOffset(t *testing.T) {
	for _, bad := range []string{"\x01", "\x1f", "\x00", "\uFFFE", "\uFFFF"} {
		for off := 0; off < 24; off++ {
			doc := "<a>" + strings.Repeat("x", off) + bad + strings.Repeat("y", 20) + "</a>"
			if _, err := Parse([]byte(doc), Limits{}); err == nil || !strings.Contains(err.Error(), "not allowed") {
				t.Fatalf("%q at %d: %v", bad, off, err)
			}
		}
	}
	ok := "<a>" + strings.Repeat("\t\n\r x\uFFFD\uFEFF", 20) + "</a>"
	if _, err := Parse([]byte(ok), Limits{}); err != nil {
		t.Fatal(err)
	}
}

// TestEscapeGap: '>' and line ends in character data read from the input.
func TestEscapeGap(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "",
		"abc":                           "abc",
		">":                             "&gt;",
		"a>b>c":                         "a&gt;b&gt;c",
		"a\r\nb\rc\n":                   "a\nb\nc\n",
		"\r\r\n>\r":                     "\n\n&gt;\n",
		">\r>\r\n>":                     "&gt;\n&gt;\n&gt;",
		strings.Repeat(">", 3) + "\r\n": "&gt;&gt;&gt;\n",
	} {
		var buf bytes.Buffer
		w := bufio.NewWriter(&buf)
		escapeGap(w, []byte(in))
		w.Flush()
		if buf.String() != want {
			t.Errorf("%q: %q, want %q", in, buf.String(), want)
		}
	}
}

// FuzzScan: the tokenizer never panics; what it accepts, encoding/xml
// (strict) reads to the end too, and the canonical form of what it accepts
// is itself accepted and canonicalizes to the same bytes (idempotence).
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0" encoding="UTF-8"?><a xmlns="urn:d" xmlns:p="urn:p" p:x="1&amp;"><p:b>t&#x41;<![CDATA[<]]></p:b><!--c--><?pi d?></a>`,
		"<r>\r\n<x a='\t'/>\r</r>", `<a><b xmlns=""/></a>`, `<!DOCTYPE a><a/>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data, Limits{})
		// With OnClose, the same verdict, error and Doc.
		ds, serr := Parse(data, Limits{OnClose: func(Node, int) (Action, error) { return Keep, nil }})
		if fmt.Sprint(err) != fmt.Sprint(serr) || fmt.Sprintf("%#v", err) != fmt.Sprintf("%#v", serr) {
			t.Fatalf("error %v, with OnClose %v", err, serr)
		}
		if err != nil {
			return
		}
		if dumpDoc(d) != dumpDoc(ds) {
			t.Fatalf("with OnClose:\n%s\nwithout:\n%s", dumpDoc(ds), dumpDoc(d))
		}
		dec := xml.NewDecoder(bytes.NewReader(data))
		for {
			_, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				if strings.Contains(err.Error(), "unsupported version") || strings.Contains(err.Error(), "invalid XML name") ||
					strings.Contains(err.Error(), "expected element name") || strings.Contains(err.Error(), "character") ||
					strings.Contains(err.Error(), "CharsetReader") {
					return // encoding/xml's own name and character tables
				}
				t.Fatalf("xmlscan accepts, encoding/xml: %v", err)
			}
		}
		var b1 bytes.Buffer
		w := bufio.NewWriter(&b1)
		if err := ExcC14N(w, d.Root(), Node{}, "", true, false); err != nil {
			t.Fatal(err)
		}
		d2, err := Parse(b1.Bytes(), Limits{})
		if err != nil {
			t.Fatalf("canonical form refused: %v\n%q", err, b1.Bytes())
		}
		var b2 bytes.Buffer
		w2 := bufio.NewWriter(&b2)
		if err := ExcC14N(w2, d2.Root(), Node{}, "", true, false); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1.Bytes(), b2.Bytes()) {
			t.Fatalf("not idempotent:\n%q\n%q", b1.Bytes(), b2.Bytes())
		}
	})
}
