package xmldsig

import (
	"bufio"
	"fmt"
	"sort"
	"strings"

	"github.com/beevik/etree"
	"github.com/eutl/eutl/internal/xmltext"
)

// excWriter streams the exclusive canonical form (without comments) of an
// element straight into a writer, leaving the tree untouched.
//
// goxmldsig's exclusive c14n transforms the tree in place, copying a
// namespace map per element, and then needs a second pass to serialise; on a
// 40 MB list that was half the verification time and a tree's worth of
// garbage. This writer keeps the namespace context as two stacks and writes
// as it walks. It must produce exactly what goxmldsig produces: a
// differential test and fuzz target (excc14n_test.go) compare the two, and
// xmlsec1 checks the result on generated and real lists.
type excWriter struct {
	w         *bufio.Writer
	scope     []nsBinding // declarations in scope in the input
	rendered  []nsBinding // declarations in force in the output
	inclusive map[string]bool
	comments  bool
	err       error
	decls     []nsBinding // scratch
	attrs     []qattr     // scratch
}

type nsBinding struct{ prefix, uri string }

type qattr struct {
	uri, local, qname, value string
}

const xmlNamespace = "http://www.w3.org/XML/1998/namespace"

func lookupNS(stack []nsBinding, prefix string) (string, bool) {
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].prefix == prefix {
			return stack[i].uri, true
		}
	}
	return "", false
}

// writeExcC14N writes the exclusive canonical form of el, whose in-scope
// namespaces come from its ancestors.
func writeExcC14N(w *bufio.Writer, el *etree.Element, prefixList string, comments bool) error {
	x := &excWriter{w: w, comments: comments}
	if f := strings.Fields(prefixList); len(f) > 0 {
		x.inclusive = map[string]bool{}
		for _, p := range f {
			x.inclusive[p] = true
		}
	}
	var chain []*etree.Element
	for p := el.Parent(); p != nil; p = p.Parent() {
		chain = append(chain, p)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		x.pushScope(chain[i])
	}
	x.element(el)
	return x.err
}

func (x *excWriter) pushScope(e *etree.Element) {
	for _, a := range e.Attr {
		switch {
		case a.Space == "xmlns":
			x.scope = append(x.scope, nsBinding{a.Key, a.Value})
		case a.Space == "" && a.Key == "xmlns":
			x.scope = append(x.scope, nsBinding{"", a.Value})
		}
	}
}

func (x *excWriter) element(e *etree.Element) {
	if x.err != nil {
		return
	}
	scopeMark, renderedMark := len(x.scope), len(x.rendered)
	x.pushScope(e)

	// Namespace declarations: the visibly utilised prefixes (and those of
	// the InclusiveNamespaces PrefixList) whose binding differs from the one
	// already rendered by an output ancestor.
	decls := x.decls[:0]
	consider := func(prefix string) {
		if prefix == "xml" {
			return
		}
		for _, d := range decls {
			if d.prefix == prefix {
				return
			}
		}
		uri, ok := lookupNS(x.scope, prefix)
		if !ok && prefix != "" {
			if x.err == nil {
				x.err = fmt.Errorf("undeclared namespace prefix %q on element %s", prefix, e.FullTag())
			}
			return
		}
		have, rok := lookupNS(x.rendered, prefix)
		if prefix == "" && !rok {
			have, rok = "", true // no default namespace rendered = the empty one
		}
		if rok && have == uri {
			return
		}
		decls = append(decls, nsBinding{prefix, uri})
	}
	consider(e.Space)
	attrs := x.attrs[:0]
	for _, a := range e.Attr {
		if a.Space == "xmlns" || (a.Space == "" && a.Key == "xmlns") {
			if x.inclusive != nil {
				p := a.Key
				if a.Space == "" {
					p = "#default"
				}
				if x.inclusive[p] {
					if p == "#default" {
						consider("")
					} else {
						consider(p)
					}
				}
			}
			continue
		}
		qa := qattr{local: a.Key, value: a.Value, qname: a.Key}
		if a.Space != "" {
			qa.qname = a.Space + ":" + a.Key
			if a.Space == "xml" {
				qa.uri = xmlNamespace
			} else {
				consider(a.Space)
				qa.uri, _ = lookupNS(x.scope, a.Space)
			}
		}
		attrs = append(attrs, qa)
	}
	if x.inclusive != nil {
		// PrefixList prefixes declared on ancestors and in scope here.
		for p := range x.inclusive {
			if p == "#default" {
				if _, ok := lookupNS(x.scope, ""); ok {
					consider("")
				}
			} else if _, ok := lookupNS(x.scope, p); ok {
				consider(p)
			}
		}
	}
	if x.err != nil {
		return
	}
	sort.Slice(decls, func(i, j int) bool { return decls[i].prefix < decls[j].prefix })
	sort.Slice(attrs, func(i, j int) bool {
		if attrs[i].uri != attrs[j].uri {
			return attrs[i].uri < attrs[j].uri
		}
		return attrs[i].local < attrs[j].local
	})

	w := x.w
	w.WriteByte('<')
	w.WriteString(e.FullTag())
	for _, d := range decls {
		if d.prefix == "" {
			w.WriteString(` xmlns="`)
		} else {
			w.WriteString(" xmlns:")
			w.WriteString(d.prefix)
			w.WriteString(`="`)
		}
		escapeAttr(w, d.uri)
		w.WriteByte('"')
		x.rendered = append(x.rendered, d)
	}
	for _, a := range attrs {
		w.WriteByte(' ')
		w.WriteString(a.qname)
		w.WriteString(`="`)
		escapeAttr(w, a.value)
		w.WriteByte('"')
	}
	w.WriteByte('>')
	x.decls, x.attrs = decls[:0], attrs[:0]

	for _, c := range e.Child {
		switch c := c.(type) {
		case *etree.Element:
			x.element(c)
		case *etree.CharData:
			escapeText(w, c.Data)
		case *etree.ProcInst:
			w.WriteString("<?")
			w.WriteString(c.Target)
			if c.Inst != "" {
				w.WriteByte(' ')
				w.WriteString(c.Inst)
			}
			w.WriteString("?>")
		case *etree.Comment:
			if x.comments {
				w.WriteString("<!--")
				w.WriteString(c.Data)
				w.WriteString("-->")
			}
		}
	}
	w.WriteString("</")
	w.WriteString(e.FullTag())
	w.WriteByte('>')
	x.scope, x.rendered = x.scope[:scopeMark], x.rendered[:renderedMark]
}

// escapeText and escapeAttr write character data and attribute values as
// canonical XML requires.
func escapeText(w *bufio.Writer, s string) { xmltext.WriteEscaped(w, s, false) }

func escapeAttr(w *bufio.Writer, s string) { xmltext.WriteEscaped(w, s, true) }
