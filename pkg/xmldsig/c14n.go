package xmldsig

import (
	"bufio"
	"io"
	"strings"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Canonicalization is done by goxmldsig (exclusive c14n, C14N 1.0 and 1.1);
// this file adds what signatures over a large document need around it:
// namespace context for a subtree, serialisation straight into a hash
// without an extra tree copy, and document-level processing instructions.

var canonicalWrite = etree.WriteSettings{CanonicalEndTags: true, CanonicalText: true, CanonicalAttrVal: true}

// detach copies el with every namespace declaration in scope from its
// ancestors added to the copy (the element's own declarations win). For
// inclusive c14n the xml:* attributes in scope are inherited too.
func detach(el *etree.Element, inheritXMLAttrs bool) *etree.Element {
	cp := el.Copy()
	own := map[string]bool{}
	for _, a := range cp.Attr {
		switch {
		case a.Space == "xmlns":
			own["xmlns:"+a.Key] = true
		case a.Space == "" && a.Key == "xmlns":
			own["xmlns"] = true
		case a.Space == "xml":
			own["xml:"+a.Key] = true
		}
	}
	for p := el.Parent(); p != nil; p = p.Parent() {
		for _, a := range p.Attr {
			var key string
			switch {
			case a.Space == "xmlns":
				key = "xmlns:" + a.Key
			case a.Space == "" && a.Key == "xmlns":
				key = "xmlns"
			case a.Space == "xml" && inheritXMLAttrs && (a.Key == "lang" || a.Key == "space"):
				key = "xml:" + a.Key
			default:
				continue
			}
			if own[key] {
				continue
			}
			own[key] = true // the nearest ancestor wins
			cp.Attr = append(cp.Attr, etree.Attr{Space: a.Space, Key: a.Key, Value: a.Value})
		}
	}
	return cp
}

// canonicalizeSubtree returns the canonical form of el (which stays
// untouched) under method m. prefixList is the InclusiveNamespaces
// PrefixList for exclusive c14n.
func canonicalizeSubtree(el *etree.Element, m c14nMethod, prefixList string) ([]byte, error) {
	var sb strings.Builder
	w := bufio.NewWriter(&sb)
	var err error
	if m.kind == 0 {
		err = writeExcC14N(w, el, prefixList, m.comments)
	} else {
		err = canonicalizeTo(w, detach(el, true), m, prefixList)
	}
	if err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return []byte(sb.String()), nil
}

// canonicalizeTo writes the canonical form of an element to w: exclusive
// c14n by our streaming writer (the element is not modified), inclusive
// C14N 1.0 and 1.1 by goxmldsig on el, which must be detached (see detach);
// comments are removed from it in place unless m keeps them.
func canonicalizeTo(w *bufio.Writer, el *etree.Element, m c14nMethod, prefixList string) error {
	switch m.kind {
	case 0:
		return writeExcC14N(w, el, prefixList, m.comments)
	}
	if !m.comments {
		stripComments(el)
	}
	c := dsig.MakeC14N11Canonicalizer()
	if m.kind == 1 {
		c = dsig.MakeC14N10RecCanonicalizer()
	}
	out, err := c.Canonicalize(el)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

func stripComments(el *etree.Element) {
	n := 0
	for _, c := range el.Child {
		if _, ok := c.(*etree.Comment); ok {
			continue
		}
		el.Child[n] = c
		n++
	}
	for i := n; i < len(el.Child); i++ {
		el.Child[i] = nil
	}
	el.Child = el.Child[:n]
	for _, c := range el.Child {
		if e, ok := c.(*etree.Element); ok {
			stripComments(e)
		}
	}
}

// canonicalizeDocument writes the canonical form of a whole document (the
// node-set of URI="" after the enveloped transform, without comments):
// processing instructions around the root element, each on its own line, and
// the root element, which is transformed in place for exclusive c14n.
func canonicalizeDocument(w io.Writer, doc *etree.Document, root *etree.Element, m c14nMethod, prefixList string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	before := true
	var after []*etree.ProcInst
	for _, t := range doc.Child {
		switch t := t.(type) {
		case *etree.Element:
			before = false
		case *etree.ProcInst:
			if strings.EqualFold(t.Target, "xml") {
				continue
			}
			if before {
				t.WriteTo(bw, &canonicalWrite)
				bw.WriteByte('\n')
			} else {
				after = append(after, t)
			}
		}
	}
	m.comments = false
	if err := canonicalizeTo(bw, root, m, prefixList); err != nil {
		return err
	}
	for _, pi := range after {
		bw.WriteByte('\n')
		pi.WriteTo(bw, &canonicalWrite)
	}
	return bw.Flush()
}

// Canonicalize returns the canonical form of el under the canonicalization
// algorithm URI, with the namespace context el has in its document. el is
// not modified. Signers (package tltest) use it; [Verify] uses the same code.
func Canonicalize(el *etree.Element, algorithm, prefixList string) ([]byte, error) {
	m, err := lookupC14N(algorithm)
	if err != nil {
		return nil, err
	}
	return canonicalizeSubtree(el, m, prefixList)
}

// CanonicalizeDocument returns the canonical form of a whole document as a
// reference with URI="" digests it (comments removed). The document is not
// modified; a signature in it must already have been removed.
func CanonicalizeDocument(doc *etree.Document, algorithm, prefixList string) ([]byte, error) {
	m, err := lookupC14N(algorithm)
	if err != nil {
		return nil, err
	}
	cp := doc.Copy()
	var sb strings.Builder
	if err := canonicalizeDocument(&sb, cp, cp.Root(), m, prefixList); err != nil {
		return nil, err
	}
	return []byte(sb.String()), nil
}
