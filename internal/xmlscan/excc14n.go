package xmlscan

import (
	"bufio"
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/eutl/eutl/internal/xmltext"
)

// ExcC14N writes the exclusive canonical form (Exclusive XML Canonicalization
// 1.0) of element el's subtree to w, leaving out the subtree of skip when it
// is Valid (the enveloped-signature transform). prefixList is the
// InclusiveNamespaces PrefixList; comments keeps comments (#WithComments).
// With document set, el is the root and the document's processing
// instructions around it are written as a URI="" reference needs them.
func ExcC14N(w *bufio.Writer, el, skip Node, prefixList string, comments, document bool) error {
	d := el.d
	x := newExcWriter(w, d, prefixList, comments)
	if skip.Valid() {
		x.skip = skip.i
	}
	if x.scope != nil {
		// The declarations of el's ancestors, outermost first.
		var chain []int32
		for p := d.nodes[el.i].parent; p >= 0; p = d.nodes[p].parent {
			chain = append(chain, p)
		}
		for i := len(chain) - 1; i >= 0; i-- {
			x.pushScope(chain[i])
		}
	}
	if !document {
		x.open(el.i)
	} else {
		x.beforeRoot()
	}
	x.run(math.MaxInt32)
	if x.err != nil {
		return x.err
	}
	if document {
		x.afterRoot()
	}
	return w.Flush()
}

// errDropped reports a subtree dropped (see [Drop]) before the canonical
// writer reached it: its content is gone.
var errDropped = errors.New("xmlscan: canonical form of a subtree dropped before it was written")

func newExcWriter(w *bufio.Writer, d *Doc, prefixList string, comments bool) *excWriter {
	x := &excWriter{d: d, w: w, comments: comments, skip: -1, rendered: map[int32]int32{}, stack: make([]excFrame, 0, 16)}
	if f := strings.Fields(prefixList); len(f) > 0 {
		x.scope = map[string]int32{}
		for _, p := range f {
			if p == "#default" {
				p = ""
			}
			x.inclusive = append(x.inclusive, p)
		}
	}
	return x
}

// beforeRoot writes the document-level comments and processing
// instructions before the root, and the root's start tag.
func (x *excWriter) beforeRoot() {
	d := x.d
	for x.top < len(d.top) {
		t := d.top[x.top]
		x.top++
		if d.nodes[t].kind == Element {
			x.open(t)
			return
		}
		if x.topLevel(t) {
			x.w.WriteByte('\n')
		}
	}
}

// afterRoot writes the document-level comments and processing
// instructions after the root.
func (x *excWriter) afterRoot() {
	for ; x.top < len(x.d.top); x.top++ {
		n := &x.d.nodes[x.d.top[x.top]]
		if n.kind == Comment && !x.comments {
			continue
		}
		x.w.WriteByte('\n')
		x.topLevel(x.d.top[x.top])
	}
}

// topLevel writes a document-level comment (if comments are kept) or
// processing instruction, reporting whether it wrote one.
func (x *excWriter) topLevel(t int32) bool {
	n := &x.d.nodes[t]
	switch {
	case n.kind == ProcInst:
		x.pi(n)
	case n.kind == Comment && x.comments:
		x.w.WriteString("<!--")
		x.w.WriteString(x.d.value(n))
		x.w.WriteString("-->")
	default:
		return false
	}
	return true
}

type excWriter struct {
	d         *Doc
	w         *bufio.Writer
	comments  bool
	skip      int32
	inclusive []string
	scope     map[string]int32 // prefix -> URI, for the PrefixList only
	scopeUndo []binding
	// rendered maps a prefix (by the offset of its first declaration in
	// renderedKeys) to the URI in force in the output.
	rendered     map[int32]int32
	prefixes     map[string]int32
	renderedUndo []renderedBinding
	decls        []decl
	declared     map[string]bool
	attrs        []int32
	keys         []sortKey
	// The elements whose start tag is written and end tag is not, outermost
	// first: the walk pauses and resumes there (see run).
	stack []excFrame
	top   int // next entry of d.top (document mode)
	err   error
}

type excFrame struct {
	el   int32
	last int32 // the last child walked, -1 none yet
	// Undo-log lengths at the start tag.
	scopeMark, renderedMark int32
}

type sortKey struct {
	uri, local string
	idx        int32
}

type renderedBinding struct {
	key, prev int32 // prev -1: none
}

type decl struct {
	prefix string
	uri    int32
}

func (x *excWriter) pushScope(i int32) {
	n := &x.d.nodes[i]
	for k := 0; k < int(n.nattr); k++ {
		a := &x.d.attrs[int(n.attr0)+k]
		if !a.decl {
			continue
		}
		p := ""
		if a.plen > 0 {
			p = x.d.str(a.name)[6:]
		}
		prev, ok := x.scope[p]
		if !ok {
			prev = -1
		}
		x.scopeUndo = append(x.scopeUndo, binding{p, prev})
		x.scope[p] = a.ns
	}
}

func (x *excWriter) prefixKey(p string) int32 {
	if x.prefixes == nil {
		x.prefixes = map[string]int32{}
	}
	k, ok := x.prefixes[p]
	if !ok {
		k = int32(len(x.prefixes))
		x.prefixes[p] = k
	}
	return k
}

// consider adds a declaration of prefix p (bound to uri in the input) unless
// the output already has it in force.
func (x *excWriter) consider(p string, uri int32) {
	if p == "xml" {
		return
	}
	if len(x.decls) < 16 {
		for _, d := range x.decls {
			if d.prefix == p {
				return
			}
		}
	} else {
		// Many prefixes on one element: a set, so the cost stays linear.
		if x.declared == nil {
			x.declared = map[string]bool{}
		}
		if len(x.declared) == 0 {
			for _, d := range x.decls {
				x.declared[d.prefix] = true
			}
		}
		if x.declared[p] {
			return
		}
		x.declared[p] = true
	}
	have, ok := x.rendered[x.prefixKey(p)]
	if !ok && p == "" {
		have, ok = 0, true // no default namespace rendered = the empty one
	}
	if ok && have == uri {
		return
	}
	x.decls = append(x.decls, decl{p, uri})
}

// open writes the start tag of element i and pushes its frame.
func (x *excWriter) open(i int32) {
	d, w := x.d, x.w
	n := &d.nodes[i]
	x.stack = append(x.stack, excFrame{el: i, last: -1, scopeMark: int32(len(x.scopeUndo)), renderedMark: int32(len(x.renderedUndo))})
	if x.scope != nil {
		x.pushScope(i)
	}
	qn := d.str(n.name)
	x.decls, x.attrs = x.decls[:0], x.attrs[:0]
	x.consider(qn[:n.plen], n.ns)
	for k := 0; k < int(n.nattr); k++ {
		ai := n.attr0 + int32(k)
		a := &d.attrs[ai]
		if a.decl {
			continue
		}
		if a.plen > 0 {
			x.consider(d.str(a.name)[:a.plen], a.ns)
		}
		x.attrs = append(x.attrs, ai)
	}
	for _, p := range x.inclusive {
		if uri, ok := x.scope[p]; ok && uri >= 0 {
			x.consider(p, uri)
		}
	}
	// Sort: declarations by prefix, attributes by namespace URI then local
	// name (insertion sort: a handful of items).
	clear(x.declared)
	decls := x.decls
	if len(decls) > 16 {
		slices.SortFunc(decls, func(a, b decl) int { return strings.Compare(a.prefix, b.prefix) })
	} else {
		for a := 1; a < len(decls); a++ {
			for b := a; b > 0 && decls[b].prefix < decls[b-1].prefix; b-- {
				decls[b], decls[b-1] = decls[b-1], decls[b]
			}
		}
	}
	attrs := x.attrs
	if len(attrs) > 16 {
		// Sort keys made once per attribute; input already in canonical
		// order (the usual case) is not sorted again.
		keys := x.keys[:0]
		for _, ai := range attrs {
			a := &d.attrs[ai]
			k := sortKey{local: d.str(a.name), idx: ai}
			if a.plen > 0 {
				k.uri, k.local = d.uris[a.ns], k.local[a.plen+1:]
			}
			keys = append(keys, k)
		}
		cmpKey := func(a, b sortKey) int {
			if c := strings.Compare(a.uri, b.uri); c != 0 {
				return c
			}
			return strings.Compare(a.local, b.local)
		}
		if !slices.IsSortedFunc(keys, cmpKey) {
			slices.SortFunc(keys, cmpKey)
		}
		for i, k := range keys {
			attrs[i] = k.idx
		}
		x.keys = keys
	} else {
		for a := 1; a < len(attrs); a++ {
			for b := a; b > 0 && x.attrLess(attrs[b], attrs[b-1]); b-- {
				attrs[b], attrs[b-1] = attrs[b-1], attrs[b]
			}
		}
	}
	w.WriteByte('<')
	w.WriteString(qn)
	for _, dc := range decls {
		if dc.prefix == "" {
			w.WriteString(` xmlns="`)
		} else {
			w.WriteString(" xmlns:")
			w.WriteString(dc.prefix)
			w.WriteString(`="`)
		}
		xmltext.WriteEscaped(w, d.uris[dc.uri], true)
		w.WriteByte('"')
		k := x.prefixKey(dc.prefix)
		prev, ok := x.rendered[k]
		if !ok {
			prev = -1
		}
		x.renderedUndo = append(x.renderedUndo, renderedBinding{k, prev})
		x.rendered[k] = dc.uri
	}
	for _, ai := range attrs {
		a := &d.attrs[ai]
		w.WriteByte(' ')
		w.WriteString(d.str(a.name))
		w.WriteString(`="`)
		xmltext.WriteEscaped(w, d.str(a.val), true)
		w.WriteByte('"')
	}
	w.WriteByte('>')
}

// run walks on in document order from where it stands, writing every node
// that starts before limit, and the end tags of the elements that end by
// limit. It stops when the stack is empty, or when the next node of the
// innermost open element starts at or after limit or is not read yet.
func (x *excWriter) run(limit int32) {
	d, w := x.d, x.w
	for len(x.stack) > 0 {
		f := &x.stack[len(x.stack)-1]
		var c, pos int32
		if f.last < 0 {
			c, pos = d.first(f.el), d.nodes[f.el].cstart
		} else {
			c, pos = d.nodes[f.last].next, d.nodes[f.last].end
		}
		if c >= 0 && d.nodes[c].start < limit {
			cn := &d.nodes[c]
			if cn.start > pos {
				escapeGap(w, d.src[pos:cn.start])
			}
			f.last = c
			if c == x.skip || cn.flags&detached != 0 {
				continue
			}
			if cn.flags&dropped != 0 {
				x.err = errDropped
				return
			}
			switch cn.kind {
			case Element:
				x.open(c)
			case Text:
				xmltext.WriteEscaped(w, d.value(cn), false)
			case ProcInst:
				x.pi(cn)
			case Comment:
				if x.comments {
					w.WriteString("<!--")
					w.WriteString(d.value(cn))
					w.WriteString("-->")
				}
			}
			continue
		}
		n := &d.nodes[f.el]
		if n.end == 0 || n.end > limit || n.flags&partial != 0 {
			return // the rest of the element lies beyond limit or is not read yet
		}
		if n.cend > pos {
			escapeGap(w, d.src[pos:n.cend])
		}
		x.close()
	}
}

// close writes the end tag of the innermost open element and pops it.
func (x *excWriter) close() {
	f := x.stack[len(x.stack)-1]
	x.stack = x.stack[:len(x.stack)-1]
	w := x.w
	w.WriteString("</")
	w.WriteString(x.d.str(x.d.nodes[f.el].name))
	w.WriteByte('>')
	renderedMark, scopeMark := int(f.renderedMark), int(f.scopeMark)
	for k := len(x.renderedUndo) - 1; k >= renderedMark; k-- {
		b := x.renderedUndo[k]
		if b.prev < 0 {
			delete(x.rendered, b.key)
		} else {
			x.rendered[b.key] = b.prev
		}
	}
	x.renderedUndo = x.renderedUndo[:renderedMark]
	if x.scope != nil {
		for k := len(x.scopeUndo) - 1; k >= scopeMark; k-- {
			b := x.scopeUndo[k]
			if b.prev < 0 {
				delete(x.scope, b.prefix)
			} else {
				x.scope[b.prefix] = b.prev
			}
		}
		x.scopeUndo = x.scopeUndo[:scopeMark]
	}
}

func (x *excWriter) attrLess(i, j int32) bool {
	a, b := &x.d.attrs[i], &x.d.attrs[j]
	ua, ub := x.d.uris[a.ns], x.d.uris[b.ns]
	if a.plen == 0 {
		ua = ""
	}
	if b.plen == 0 {
		ub = ""
	}
	if ua != ub {
		return ua < ub
	}
	la, lb := x.d.str(a.name), x.d.str(b.name)
	if a.plen > 0 {
		la = la[a.plen+1:]
	}
	if b.plen > 0 {
		lb = lb[b.plen+1:]
	}
	return la < lb
}

func (x *excWriter) pi(n *node) {
	w := x.w
	w.WriteString("<?")
	w.WriteString(x.d.str(n.name))
	if v := x.d.value(n); v != "" {
		w.WriteByte(' ')
		w.WriteString(v)
	}
	w.WriteString("?>")
}

// escapeGap writes character data read from the input (no references):
// line ends normalised, then escaped as canonical XML requires. Runs
// without '>' or CR are found with bytes.IndexByte (most gaps are white
// space or base64), each position searched once.
func escapeGap(w *bufio.Writer, b []byte) {
	next := func(c byte, from int) int {
		if i := bytes.IndexByte(b[from:], c); i >= 0 {
			return from + i
		}
		return len(b)
	}
	gt, cr := next('>', 0), next('\r', 0)
	pos := 0
	for {
		k := min(gt, cr)
		if k == len(b) {
			w.Write(b[pos:])
			return
		}
		w.Write(b[pos:k])
		pos = k + 1
		if k == gt {
			w.WriteString("&gt;")
			gt = next('>', pos)
			continue
		}
		w.WriteByte('\n')
		if pos < len(b) && b[pos] == '\n' {
			pos++
		}
		cr = next('\r', pos)
		if gt < pos {
			gt = next('>', pos)
		}
	}
}
