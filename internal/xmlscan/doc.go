package xmlscan

import (
	"bytes"
	"iter"
	"strings"
	"unsafe"
)

// Node is one node of a Doc: an element, a text, a comment or a processing
// instruction. The zero Node is no node (Valid reports false).
type Node struct {
	d *Doc
	i int32
}

func (d *Doc) str(sp span) string {
	if sp.off < 0 {
		return d.strs[-sp.off-1]
	}
	return unsafe.String(unsafe.SliceData(d.src[sp.off:]), int(sp.n))
}

// Root returns the document element.
func (d *Doc) Root() Node { return Node{d, d.root} }

// Nodes reports how many nodes the arena holds.
func (d *Doc) Nodes() int { return len(d.nodes) }

// Declarations reports how many namespace declarations the document holds.
func (d *Doc) Declarations() int { return d.decls }

// Source returns the input the Doc was parsed from.
func (d *Doc) Source() []byte { return d.src }

// TopLevel returns the document-level nodes in order: comments and
// processing instructions before and after the root, and the root.
func (d *Doc) TopLevel() []Node {
	out := make([]Node, len(d.top))
	for i, t := range d.top {
		out[i] = Node{d, t}
	}
	return out
}

// Valid reports whether n is a node.
func (n Node) Valid() bool { return n.d != nil && n.i >= 0 }

// Doc returns the document n belongs to.
func (n Node) Doc() *Doc { return n.d }

// Index is n's position in its document's arena: distinct for the nodes
// the Doc holds, in document order. The positions of dropped nodes (see
// [Drop]) are reused.
func (n Node) Index() int { return int(n.i) }

// Dropped reports whether n is an element whose descendants were dropped
// (see [Drop]).
func (n Node) Dropped() bool { return n.nd().flags&dropped != 0 }

// Complete reports whether n has been read to its end: false for an
// element whose end tag was not read yet (while the parse runs, or after
// it stopped with ErrStop).
func (n Node) Complete() bool {
	nd := n.nd()
	return nd.end > 0 && nd.flags&partial == 0
}

func (n Node) nd() *node { return &n.d.nodes[n.i] }

// Kind returns the kind of n.
func (n Node) Kind() Kind { return n.nd().kind }

// Is reports whether n is an element named local in namespace ns.
func (n Node) Is(ns, local string) bool {
	return n.Kind() == Element && n.Local() == local && n.NS() == ns
}

// Name returns the qualified name of an element ("ds:Signature"), or the
// target of a processing instruction.
func (n Node) Name() string { return n.d.str(n.nd().name) }

// Prefix returns the prefix of an element's name ("" when none).
func (n Node) Prefix() string {
	nd := n.nd()
	return n.d.str(nd.name)[:nd.plen]
}

// Local returns the local part of an element's name.
func (n Node) Local() string {
	nd := n.nd()
	q := n.d.str(nd.name)
	if nd.plen > 0 {
		return q[nd.plen+1:]
	}
	return q
}

// NS returns an element's namespace URI.
func (n Node) NS() string { return n.d.uris[n.nd().ns] }

// Value returns the content of a text, comment or processing instruction.
func (n Node) Value() string { return n.d.value(n.nd()) }

// value is the content of a text, comment or processing instruction.
func (d *Doc) value(nd *node) string {
	if nd.kind == ProcInst {
		return d.strs[-nd.attr0-1]
	}
	return d.str(nd.name)
}

// first returns the first child of node i, -1 when none.
func (d *Doc) first(i int32) int32 {
	if c := i + 1; int(c) < len(d.nodes) && d.nodes[c].parent == i && d.nodes[i].kind == Element {
		return c
	}
	return -1
}

// Parent returns n's parent element (not Valid for the root).
func (n Node) Parent() Node { return Node{n.d, n.nd().parent} }

// FirstChild returns n's first child node. Character data without
// references is not a node: see Content and Text.
func (n Node) FirstChild() Node { return n.d.skipDetached(n.d.first(n.i)) }

// Next returns n's next sibling node.
func (n Node) Next() Node { return n.d.skipDetached(n.nd().next) }

func (d *Doc) skipDetached(i int32) Node {
	for i >= 0 && d.nodes[i].flags&(detached|dropped) != 0 {
		i = d.nodes[i].next
	}
	return Node{d, i}
}

// Content yields the content of element n in order: each child node with
// "", and the character data between them as (Node{}, text), line ends
// normalised.
func (n Node) Content() iter.Seq2[Node, string] {
	return func(yield func(Node, string) bool) {
		d := n.d
		nd := n.nd()
		pos := nd.cstart
		for c := d.first(n.i); c >= 0; c = d.nodes[c].next {
			cn := &d.nodes[c]
			if cn.start > pos && !yield(Node{}, d.gap(pos, cn.start)) {
				return
			}
			pos = cn.end
			if cn.flags&(detached|dropped) == 0 && !yield(Node{d, c}, "") {
				return
			}
		}
		if nd.cend > pos {
			yield(Node{}, d.gap(pos, nd.cend))
		}
	}
}

// gap is the character data in src[from:to], which holds no reference.
func (d *Doc) gap(from, to int32) string {
	b := d.src[from:to]
	if bytes.IndexByte(b, '\r') >= 0 {
		return normalizeNewlines(b)
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// FirstElement returns the first child element of n.
func (n Node) FirstElement() Node {
	c := n.FirstChild()
	for c.Valid() && c.Kind() != Element {
		c = c.Next()
	}
	return c
}

// NextElement returns the next sibling element of n.
func (n Node) NextElement() Node {
	c := n.Next()
	for c.Valid() && c.Kind() != Element {
		c = c.Next()
	}
	return c
}

// Span returns the byte offsets of n in the input: [start, end).
func (n Node) Span() (start, end int) {
	nd := n.nd()
	return int(nd.start), int(nd.end)
}

// Attr is one attribute of an element.
type Attr struct {
	// Name is the qualified name, Prefix its prefix, Local its local part.
	Name, Prefix, Local string
	// NS is the namespace of a prefixed attribute ("" for an unprefixed
	// one); for a namespace declaration, the URI it declares.
	NS    string
	Value string
	// Decl marks a namespace declaration (xmlns or xmlns:p).
	Decl bool
}

// NumAttrs returns how many attributes (namespace declarations included)
// element n has.
func (n Node) NumAttrs() int { return int(n.nd().nattr) }

// Attr returns the i-th attribute of element n.
func (n Node) Attr(i int) Attr {
	a := &n.d.attrs[int(n.nd().attr0)+i]
	q := n.d.str(a.name)
	at := Attr{Name: q, Local: q, NS: n.d.uris[a.ns], Value: n.d.str(a.val), Decl: a.decl}
	if a.plen > 0 {
		at.Prefix, at.Local = q[:a.plen], q[a.plen+1:]
	}
	return at
}

// AttrValue returns the value of the unprefixed attribute local.
func (n Node) AttrValue(local string) (string, bool) {
	nd := n.nd()
	for i := 0; i < int(nd.nattr); i++ {
		a := &n.d.attrs[int(nd.attr0)+i]
		if a.plen == 0 && !a.decl && n.d.str(a.name) == local {
			return n.d.str(a.val), true
		}
	}
	return "", false
}

// AttrNS returns the value of the attribute local in namespace ns.
func (n Node) AttrNS(ns, local string) (string, bool) {
	nd := n.nd()
	for i := 0; i < int(nd.nattr); i++ {
		a := &n.d.attrs[int(nd.attr0)+i]
		if a.plen > 0 && !a.decl && n.d.uris[a.ns] == ns && n.d.str(a.name)[a.plen+1:] == local {
			return n.d.str(a.val), true
		}
	}
	return "", false
}

// Text returns all the character data directly inside n, in order.
// Comments and processing instructions inside a text are skipped, not taken
// as its end (canonicalization drops comments, so a comment inserted into
// a signed text keeps the signature valid; reading only up to it would let
// it truncate what was signed).
func (n Node) Text() string {
	var first string
	var b *strings.Builder
	for c, v := range n.Content() {
		if c.Valid() {
			if c.Kind() != Text {
				continue
			}
			v = c.Value()
		}
		switch {
		case b != nil:
			b.WriteString(v)
		case first == "":
			first = v
		default:
			b = &strings.Builder{}
			b.WriteString(first)
			b.WriteString(v)
		}
	}
	if b != nil {
		return b.String()
	}
	return first
}

// Path returns an XPath-like location of element n: /Root/Child[2]/…,
// with a position wherever several siblings share the name.
func (n Node) Path() string {
	return n.path(Node.Name, func(c, e Node) bool { return c.Name() == e.Name() })
}

// path is the location of n, each step named by name, with a position
// among the siblings same says are alike when there are several.
func (n Node) path(name func(Node) string, same func(c, e Node) bool) string {
	var parts []string
	for e := n; e.Valid(); e = e.Parent() {
		p := name(e)
		if par := e.Parent(); par.Valid() {
			count, pos := 0, 0
			for c := par.d.first(par.i); c >= 0; c = par.d.nodes[c].next {
				if c := (Node{par.d, c}); c.sibling() && same(c, e) {
					count++
					if c.i == e.i {
						pos = count
					}
				}
			}
			if count > 1 {
				p += "[" + itoa(pos) + "]"
			}
		}
		parts = append(parts, p)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	return b.String()
}

// sibling reports whether n counts in a position of Path: an element not
// detached (a dropped one is still part of the document).
func (n Node) sibling() bool {
	nd := n.nd()
	return nd.kind == Element && nd.flags&detached == 0
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// Detach removes n from its parent's children (the enveloped-signature
// transform): no walk from the root reaches it afterwards.
func (d *Doc) Detach(n Node) {
	// The node stays in its parent's list, marked, so that the character
	// data on either side of it stays two texts.
	nd := &d.nodes[n.i]
	if nd.flags&detached != 0 {
		return
	}
	nd.flags |= detached
	for p := nd.parent; p >= 0; p = d.nodes[p].parent {
		if d.nodes[p].flags&detached != 0 {
			return // inside a detached subtree already
		}
	}
	// For the canonical writers: a node they have already written must not
	// be detached afterwards (see ExcStream).
	d.detachLog = append(d.detachLog, nd.start)
}

// Subtree returns how many nodes n's subtree holds (n included).
func (n Node) Subtree() int {
	last := n.i
	for {
		c := n.d.first(last)
		if c < 0 {
			break
		}
		for n.d.nodes[c].next >= 0 {
			c = n.d.nodes[c].next
		}
		last = c
	}
	return int(last-n.i) + 1
}

// LocalPath is Path with local names: /TrustServiceStatusList/SchemeInformation,
// a position wherever several siblings share the namespace and local name.
func (n Node) LocalPath() string {
	return n.path(Node.Local, func(c, e Node) bool { return c.Is(e.NS(), e.Local()) })
}
