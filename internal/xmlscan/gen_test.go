package xmlscan

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// genDoc writes a random well-formed document exercising what the scanner
// and the canonicalizer handle: default and prefixed namespaces (declared
// on ancestors, redeclared, undeclared with xmlns=""), attributes in any
// order with references and white space to normalise, texts with
// references, CDATA sections, CR and CRLF, comments, processing
// instructions, empty-element tags, and comments and PIs around the root.
func genDoc(r *rand.Rand, maxDepth int) string {
	g := &gen{r: r, maxDepth: maxDepth}
	var b strings.Builder
	if r.IntN(2) == 0 {
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	}
	g.misc(&b)
	g.element(&b, 1, nil)
	g.misc(&b)
	return b.String()
}

type gen struct {
	r        *rand.Rand
	maxDepth int
}

var (
	genPrefixes = []string{"", "ds", "xades", "p", "q"}
	genURIs     = []string{"urn:a", "urn:b", "http://www.w3.org/2000/09/xmldsig#", "urn:c&amp;d"}
	genLocals   = []string{"A", "B", "C", "Sig", "Item"}
	genTexts    = []string{"", " ", "\n  ", "x", "a&amp;b", "&lt;&gt;&#x41;", "1 &gt; 0", "t\r\nu\rv", "é&#233;", "]]", "&#xD;"}
	genAttrVals = []string{"", "v", "a&amp;b&quot;", "t\tn\nr\r.", "&#x9;&#xA;&#xD;", "&lt;&lt;&gt;", "é"}
)

func (g *gen) misc(b *strings.Builder) {
	for range g.r.IntN(3) {
		switch g.r.IntN(3) {
		case 0:
			fmt.Fprintf(b, "<!--c%d\r\n-->", g.r.IntN(10))
		case 1:
			b.WriteString("<?pi data ?>")
		default:
			b.WriteString("<?target?>")
		}
		if g.r.IntN(2) == 0 {
			b.WriteString("\n")
		}
	}
}

// element writes one element at depth; scope lists the prefixes declared
// so far ("" once a default namespace is declared).
func (g *gen) element(b *strings.Builder, depth int, scope []string) {
	r := g.r
	var decls []string
	if r.IntN(3) == 0 {
		for range 1 + r.IntN(2) {
			p := genPrefixes[r.IntN(len(genPrefixes))]
			if contains(decls, p) {
				continue
			}
			decls = append(decls, p)
		}
	}
	inner := append(append([]string(nil), scope...), decls...)
	prefix := ""
	if len(inner) > 0 && r.IntN(2) == 0 {
		prefix = inner[r.IntN(len(inner))]
	}
	name := genLocals[r.IntN(len(genLocals))]
	if prefix != "" {
		name = prefix + ":" + name
	}
	b.WriteString("<" + name)
	var attrs []string
	for _, p := range decls {
		uri := genURIs[r.IntN(len(genURIs))]
		if p == "" {
			if r.IntN(4) == 0 {
				uri = "" // xmlns="": undeclares the default namespace
			}
			attrs = append(attrs, ` xmlns="`+uri+`"`)
		} else {
			attrs = append(attrs, ` xmlns:`+p+`="`+uri+`"`)
		}
	}
	used := map[string]bool{}
	for range r.IntN(4) {
		an := []string{"Id", "z", "a", "URI"}[r.IntN(4)]
		if len(inner) > 0 && r.IntN(3) == 0 {
			if p := inner[r.IntN(len(inner))]; p != "" {
				an = p + ":" + an
			}
		}
		if used[an] || strings.Contains(an, ":") && used["ns:"+an[strings.IndexByte(an, ':')+1:]] {
			continue
		}
		used[an] = true
		if i := strings.IndexByte(an, ':'); i >= 0 {
			used["ns:"+an[i+1:]] = true // same local name under two prefixes may share a URI
		}
		attrs = append(attrs, " "+an+`="`+genAttrVals[r.IntN(len(genAttrVals))]+`"`)
	}
	r.Shuffle(len(attrs), func(i, j int) { attrs[i], attrs[j] = attrs[j], attrs[i] })
	for _, a := range attrs {
		b.WriteString(a)
	}
	if depth >= g.maxDepth || r.IntN(5) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteString(">")
	for range r.IntN(5) {
		switch k := r.IntN(10); {
		case k < 5:
			g.element(b, depth+1, dedupScope(inner))
		case k < 7:
			b.WriteString(genTexts[r.IntN(len(genTexts))])
		case k == 7:
			b.WriteString("<![CDATA[<c>&\r\n]]>")
		case k == 8:
			b.WriteString("<!-- in\r -->")
		default:
			b.WriteString("<?pi in?>")
		}
	}
	if r.IntN(3) == 0 {
		b.WriteString(genTexts[r.IntN(len(genTexts))])
	}
	b.WriteString("</" + name + ">")
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func dedupScope(s []string) []string {
	var out []string
	for _, p := range s {
		if !contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}
