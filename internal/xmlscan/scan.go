// Package xmlscan is the strict XML 1.0 + Namespaces tokenizer eutl verifies
// and parses Trusted Lists with. One pass over the input bytes builds a
// compact arena of nodes whose names, texts and attribute values are slices
// of the input (a value is copied only when it holds a reference or a CR to
// normalise); namespaces are resolved while scanning, with a map per prefix,
// so every shape of input costs time linear in its size.
//
// Strictness (each rule has a test in scan_test.go): UTF-8 only, every
// character an XML Char, names per XML 1.0 fifth edition, QNames with at
// most one colon, declared prefixes only, the xml and xmlns prefixes used
// as the Namespaces recommendation says, attributes unique by qualified name
// and by expanded name, only the five predefined entities and character
// references to XML Chars, no "]]>" in text, comments without "--", an XML
// declaration only at the very start (version 1.0, encoding UTF-8), and no
// markup declaration of any kind and in any case (<!DOCTYPE, <!doctype,
// <!ENTITY, <!x …): no DTD is ever read. Explicit limits (see [Limits])
// bound depth, attributes per element, name length and node count.
//
// A consumer that reads a large document part by part sets
// [Limits.OnClose]: it sees each element as it closes, may [Drop] its
// descendants once it has used them (the arena then holds one part at a
// time), write it to an [ExcStream] first (the exclusive canonical form,
// built as the parse goes), or stop the scan with [ErrStop].
//
// The strings a [Doc] hands out alias the input: the caller must not modify
// the input while the Doc, or anything read from it, is in use.
package xmlscan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// Limits bound what a document may contain. Real Trusted Lists stay far
// below each: they nest about 15 deep, carry at most a dozen attributes and
// namespace declarations per element, use names under 64 bytes, and hold
// one node (element, comment, processing instruction, text with a
// reference) per 100 bytes or more.
type Limits struct {
	MaxDepth      int // element nesting (default 128)
	MaxAttrs      int // attributes incl. namespace declarations per element (default 256)
	MaxNameLen    int // bytes in one qualified name (default 1024)
	BytesPerNode  int // at most len(input)/BytesPerNode + 4096 nodes and attributes (default 16)
	MaxNamespaces int // distinct namespace URIs in the document (default 4096)
	// Bound, when set, limits the subtree of each child of the root with
	// its name: a part of the document that must stay small (the
	// signature), refused as soon as it grows beyond, with a *BoundError.
	Bound *Bound

	// OnClose, when set, is called as each element at depth 1..CloseDepth
	// closes (the root is at depth 1; CloseDepth 0 means every depth),
	// after its end tag (or empty-element tag) is read and its namespace
	// scope popped: n and its subtree are complete in the Doc. Returning
	// Drop removes n's descendants from the arena (see [Drop]); a non-nil
	// error ends Parse, which returns it as is — with the Doc read so far
	// when it is [ErrStop] (see there), with no Doc otherwise — and the
	// Action returned with it is ignored. Drop leaves the node limit
	// (BytesPerNode) and the Bound as they are: they count every node
	// created. The arena grows on demand instead of being sized for the
	// whole input up front.
	//
	// While the parse runs, the elements enclosing n are open: their
	// children and attributes read so far are in the Doc, their Span ends
	// at 0 and their Content holds the children read so far (the
	// character data after the last of them is not yet known); Path and
	// LocalPath count the same-named siblings read so far only, so the
	// first of several carries no position yet. Node values kept from an
	// earlier call stay valid unless they lay inside a dropped subtree.
	OnClose    func(n Node, depth int) (Action, error)
	CloseDepth int
}

// Action is what OnClose asks of the element that closed.
type Action uint8

const (
	// Keep leaves the element and its subtree in the Doc.
	Keep Action = iota
	// Drop removes the element's descendants (their nodes, attributes and
	// decoded strings) from the arena, whose storage then holds the nodes
	// that follow: a parse that drops every subtree at some depth holds
	// at most one of them at a time, plus one node for each dropped
	// before: the element itself stays, childless (no children, no
	// character data), with its name, attributes and Span, detached from
	// its parent as by [Doc.Detach] (FirstChild, Next, Content… of its
	// parent skip it; Path and LocalPath still count it) and reported by
	// [Node.Dropped]. [Node.Index] values of the removed nodes are reused.
	Drop
)

// ErrStop, returned by OnClose, ends the scan early: Parse returns the Doc
// holding everything read so far, and ErrStop. The subtrees closed so far
// are complete; the elements still open (the root among them, which
// Doc.Root returns as usual) are marked incomplete ([Node.Complete] is
// false): their Span and Content end where the scan stopped, after the
// element whose close stopped it. Nothing after that point is read, but
// for the character check, which with OnClose runs as the scan goes, a
// window ahead of it: an error there is reported before OnClose is called.
var ErrStop = errors.New("xmlscan: scan stopped by OnClose")

// Bound names an element (a child of the root) and its limits.
type Bound struct {
	NS, Local string
	MaxNodes  int // nodes in its subtree
	MaxBytes  int // bytes from its start tag to its end tag
}

// BoundError reports a subtree that outgrew its Bound.
type BoundError struct {
	Path string // the innermost element open when the bound was crossed
	Msg  string
}

func (e *BoundError) Error() string { return e.Path + ": " + e.Msg }

// DefaultLimits are used when a field of Limits is zero.
var DefaultLimits = Limits{MaxDepth: 128, MaxAttrs: 256, MaxNameLen: 1024, BytesPerNode: 16, MaxNamespaces: 4096}

// Kind is the kind of a node.
type Kind uint8

// Node kinds.
const (
	Element Kind = iota + 1
	Text         // character data (CDATA sections included)
	Comment
	ProcInst
)

// NSXML is the namespace bound to the xml prefix; NSXMLNS the one of xmlns.
const (
	NSXML   = "http://www.w3.org/XML/1998/namespace"
	NSXMLNS = "http://www.w3.org/2000/xmlns/"
)

// Character data that holds no reference is read from the input where it
// lies (the gaps between stored nodes); only a text with a reference, or a
// CDATA section, is a node of its own.

// span is a string: src[off:off+n] when off >= 0, else strs[-off-1].
type span struct{ off, n int32 }

type node struct {
	kind   Kind
	flags  uint8  // detached
	plen   uint16 // element: prefix length in name (0: none)
	nattr  uint16
	ns     int32 // element: namespace URI index
	name   span  // element: qualified name; PI: target; text, comment: the value
	parent int32
	next   int32 // next sibling, -1 none (the first child of node i is node i+1)
	attr0  int32 // element: first attribute; PI: the data, an index into strs
	start  int32 // byte offset of the node's first byte
	end    int32 // byte offset after the node's last byte
	// An element's content lies in [cstart, cend): between two child nodes,
	// or a child and either end, is character data without references,
	// which is not stored as a node (see Content).
	cstart, cend int32
}

// Node flags.
const (
	detached = 1 << iota // by Doc.Detach
	dropped              // by Drop: its descendants are gone
	partial              // an element open when the scan stopped (ErrStop)
)

type attr struct {
	name span
	plen uint16
	decl bool  // a namespace declaration (xmlns or xmlns:p)
	ns   int32 // namespace URI index (0: none); for a declaration, the URI declared
	val  span
}

// Doc is a parsed document.
type Doc struct {
	src   []byte
	nodes []node
	attrs []attr
	strs  []string
	uris  []string
	root  int32
	decls int // namespace declarations in the document
	// top holds the document-level comments and processing instructions,
	// in order, with the root element among them.
	top []int32
	// detachLog holds the start offsets of the nodes detached, in the
	// order of the Detach calls (those inside a detached subtree left out).
	detachLog []int32
}

// SyntaxError is a well-formedness or limit violation.
type SyntaxError struct {
	Offset int // byte offset in the input
	Line   int
	// Path names the elements open at the error, e.g.
	// /TrustServiceStatusList/SchemeInformation ("/" outside the root).
	Path string
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d (byte %d): %s", e.Line, e.Offset, e.Msg)
}

type binding struct {
	prefix string
	prev   int32 // previous URI index for prefix (-1: unbound)
}

type openEl struct {
	idx  int32
	last int32 // last child so far
	mark int   // undo-log length at start
	strs int   // len(d.strs) after the start tag
}

type scanner struct {
	d        *Doc
	src      []byte
	pos      int
	lim      Limits
	maxNodes int
	scope    map[string]int32 // prefix -> URI index
	undo     []binding
	uriIdx   map[string]int32
	stack    []openEl
	table    []int32 // attribute uniqueness, scratch
	seed     maphash.Seed
	cur      int32 // the element whose start tag is being read, -1 none
	bounded  int32 // the open bounded element, -1 none
	bnodes   int   // nodes in it so far
	created  int   // nodes and attributes created, dropped ones included
	stopped  bool  // OnClose returned ErrStop
	// hookFailed: OnClose returned an error (returned as is).
	hookFailed bool
	checked    int  // the characters of src[:checked] are checked
	charFailed bool // checkChars found an error
}

// Parse scans data (UTF-8, an optional BOM) into a Doc.
func Parse(data []byte, lim Limits) (*Doc, error) {
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = DefaultLimits.MaxDepth
	}
	if lim.MaxAttrs <= 0 {
		lim.MaxAttrs = DefaultLimits.MaxAttrs
	}
	if lim.MaxNameLen <= 0 {
		lim.MaxNameLen = DefaultLimits.MaxNameLen
	}
	if lim.BytesPerNode <= 0 {
		lim.BytesPerNode = DefaultLimits.BytesPerNode
	}
	if lim.MaxNamespaces <= 0 {
		lim.MaxNamespaces = DefaultLimits.MaxNamespaces
	}
	if len(data) > 1<<31-1 {
		return nil, &SyntaxError{Msg: "input over 2 GiB"}
	}
	d := &Doc{src: data, root: -1, uris: []string{""}}
	s := &scanner{d: d, src: data, lim: lim,
		maxNodes: len(data)/lim.BytesPerNode + 4096,
		scope:    map[string]int32{"xml": 1},
		uriIdx:   map[string]int32{"": 0, NSXML: 1},
		cur:      -1,
		bounded:  -1,
		seed:     maphash.MakeSeed(),
	}
	d.uris = append(d.uris, NSXML)
	if lim.OnClose == nil {
		d.nodes = make([]node, 0, s.nodeBound())
		d.attrs = make([]attr, 0, s.attrBound())
	} else {
		// The consumer may drop subtrees: the arena grows on demand and
		// stays as large as the largest window.
		d.nodes = make([]node, 0, min(256, s.maxNodes))
		d.attrs = make([]attr, 0, min(256, s.maxNodes))
		if lim.CloseDepth <= 0 {
			s.lim.CloseDepth = lim.MaxDepth
		}
	}
	if lim.OnClose == nil {
		if err := s.checkChars(len(data)); err != nil {
			return nil, err
		}
	}
	// With OnClose, the characters are checked as the scan goes (each
	// close sees checked bytes; ErrStop spares the rest), and the errors
	// are those of a check up front: a character error anywhere comes
	// before a syntax error.
	err := s.document()
	if err == nil {
		err = s.checkChars(len(data))
	} else if !s.hookFailed && !s.charFailed {
		if cerr := s.checkChars(len(data)); cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		if errors.Is(err, ErrStop) && s.stopped {
			return d, err
		}
		return nil, err
	}
	return d, nil
}

func (s *scanner) errAt(off int, format string, args ...any) error {
	if off > len(s.src) {
		off = len(s.src)
	}
	path := ""
	for _, o := range s.stack {
		path += "/" + s.str(s.d.nodes[o.idx].name)
	}
	if s.cur >= 0 {
		path += "/" + s.str(s.d.nodes[s.cur].name)
	}
	if path == "" {
		path = "/"
	}
	return &SyntaxError{Offset: off, Line: 1 + bytes.Count(s.src[:off], []byte{'\n'}), Path: path, Msg: fmt.Sprintf(format, args...)}
}

// checkAhead is how far beyond the scan position the characters are
// checked at once when they are checked as the scan goes.
const checkAhead = 32 << 10

// checkChars checks the input from where the check stands to at least to
// (a character boundary): UTF-8, and every character an XML 1.0 Char. Its
// errors are those of one check of the whole input: the first invalid
// UTF-8 anywhere, else the first character that is not allowed.
func (s *scanner) checkChars(to int) error {
	b := s.src
	from := s.checked
	if to <= from {
		return nil
	}
	for to < len(b) && b[to]&0xC0 == 0x80 {
		to++
	}
	s.checked = to
	if !utf8.Valid(b[from:to]) {
		s.charFailed = true
		return s.badUTF8(from)
	}
	if err := s.checkCharsIn(from, to); err != nil {
		s.charFailed = true
		if !utf8.Valid(b[to:]) {
			return s.badUTF8(to)
		}
		return err
	}
	return nil
}

// badUTF8 reports the first invalid UTF-8 sequence from offset from.
func (s *scanner) badUTF8(from int) error {
	b := s.src
	off := from
	for off < len(b) {
		r, n := utf8.DecodeRune(b[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	return s.charErr(off, "invalid UTF-8")
}

// charErr is a character error, reported as a check before the scan does.
func (s *scanner) charErr(off int, format string, args ...any) error {
	return &SyntaxError{Offset: off, Line: 1 + bytes.Count(s.src[:off], []byte{'\n'}), Path: "/", Msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) checkCharsIn(from, to int) error {
	b := s.src
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := from
	for ; i+8 <= to; i += 8 {
		// Eight bytes at a time: skip words with no byte below 0x20 and no
		// 0xEF (the lead byte of U+FFFE and U+FFFF).
		w := binary.LittleEndian.Uint64(b[i:])
		low := (w - 0x20*ones) &^ w & highs
		x := w ^ 0xEF*ones
		ef := (x - ones) &^ x & highs
		if low|ef == 0 {
			continue
		}
		if err := s.checkCharsAt(b, i, i+8); err != nil {
			return err
		}
	}
	return s.checkCharsAt(b, i, to)
}

func (s *scanner) checkCharsAt(b []byte, from, to int) error {
	for i := from; i < to; i++ {
		c := b[i]
		if c < 0x20 {
			if c != '\t' && c != '\n' && c != '\r' {
				return s.charErr(i, "character U+%04X is not allowed in XML", c)
			}
		} else if c == 0xEF && i+2 < len(b) && b[i+1] == 0xBF && (b[i+2] == 0xBE || b[i+2] == 0xBF) {
			return s.charErr(i, "character U+FFF%c is not allowed in XML", "EF"[b[i+2]-0xBE])
		}
	}
	return nil
}

func (s *scanner) str(sp span) string {
	if sp.off < 0 {
		return s.d.strs[-sp.off-1]
	}
	return unsafe.String(unsafe.SliceData(s.src[sp.off:]), int(sp.n))
}

func (s *scanner) newNode(n node) (int32, error) {
	if s.bounded >= 0 {
		b := s.lim.Bound
		s.bnodes++
		if s.bnodes > b.MaxNodes || s.pos-int(s.d.nodes[s.bounded].start) > b.MaxBytes {
			return 0, &BoundError{Path: s.errAt(s.pos, "").(*SyntaxError).Path,
				Msg: fmt.Sprintf("%s holds more than %d nodes or %d bytes", s.str(s.d.nodes[s.bounded].name), b.MaxNodes, b.MaxBytes)}
		}
	}
	if s.created >= s.maxNodes {
		return 0, s.errAt(s.pos, "more than %d nodes and attributes (limit: one per %d bytes of input)", s.maxNodes, s.lim.BytesPerNode)
	}
	s.created++
	n.next = -1
	s.d.nodes = appendGrowing(s.d.nodes, n, s.nodeBound)
	return int32(len(s.d.nodes) - 1), nil
}

// nodeBound is the exact bound on the nodes of the input, so that an arena
// sized by it never regrows: one per "<" that does not start an end tag,
// one per text with a reference.
func (s *scanner) nodeBound() int {
	n := bytes.Count(s.src, []byte{'<'}) - bytes.Count(s.src, []byte("</")) + bytes.Count(s.src, []byte{'&'}) + 1
	return min(n, s.maxNodes)
}

// attrBound bounds the attributes of the input: one per "=".
func (s *scanner) attrBound() int { return min(bytes.Count(s.src, []byte{'='}), s.maxNodes) }

// windowMax is the arena size (elements) up to which a window grows by
// doubling.
const windowMax = 1 << 16

// appendGrowing appends v to an arena that was not sized up front (OnClose:
// the consumer may drop subtrees, and the arena stays as large as its
// largest window). It doubles the capacity up to windowMax; an arena that
// outgrows that holds what the consumer keeps (a million siblings), and
// goes straight to the input's bound, as a whole parse sizes it, instead of
// append's growth by a quarter, which would copy it a dozen times over.
func appendGrowing[T any](s []T, v T, bound func() int) []T {
	if len(s) == cap(s) {
		c := max(2*cap(s), 256)
		if cap(s) >= windowMax {
			c = max(bound(), 2*cap(s))
		}
		t := make([]T, len(s), c)
		copy(t, s)
		s = t
	}
	return append(s, v)
}

// link appends node i to the open element on top of the stack, or to the
// document level.
func (s *scanner) link(i int32) {
	if len(s.stack) == 0 {
		s.d.nodes[i].parent = -1
		s.d.top = append(s.d.top, i)
		return
	}
	top := &s.stack[len(s.stack)-1]
	s.d.nodes[i].parent = top.idx
	if top.last >= 0 {
		s.d.nodes[top.last].next = i
	}
	top.last = i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) skipSpace() int {
	start := s.pos
	for s.pos < len(s.src) && isSpace(s.src[s.pos]) {
		s.pos++
	}
	return s.pos - start
}

func (s *scanner) hasPrefix(p string) bool {
	return len(s.src)-s.pos >= len(p) && string(s.src[s.pos:s.pos+len(p)]) == p
}

func (s *scanner) document() error {
	if bytes.HasPrefix(s.src, []byte{0xEF, 0xBB, 0xBF}) {
		s.pos = 3
	}
	if s.hasPrefix("<?xml") && s.pos+5 < len(s.src) && isSpace(s.src[s.pos+5]) {
		if err := s.xmlDecl(); err != nil {
			return err
		}
	}
	for {
		s.skipSpace()
		if s.pos >= len(s.src) {
			break
		}
		if s.src[s.pos] != '<' {
			return s.errAt(s.pos, "text outside the root element")
		}
		switch {
		case s.hasPrefix("<?"):
			if err := s.procInst(); err != nil {
				return err
			}
		case s.hasPrefix("<!--"):
			if err := s.comment(); err != nil {
				return err
			}
		case s.hasPrefix("<!"):
			return s.markupDecl()
		default:
			if s.d.root >= 0 {
				return s.errAt(s.pos, "a second root element")
			}
			if err := s.element(); err != nil {
				return err
			}
			if err := s.content(); err != nil {
				return err
			}
		}
	}
	if s.d.root < 0 {
		return s.errAt(s.pos, "no root element")
	}
	return nil
}

// markupDecl refuses <!DOCTYPE, <!ENTITY and any other <!… outside a
// comment or CDATA section, in any case.
func (s *scanner) markupDecl() error {
	start := s.pos
	end := s.pos + 2
	for end < len(s.src) && end-start < 40 && !isSpace(s.src[end]) && s.src[end] != '>' && s.src[end] != '[' && s.src[end] != '<' {
		end++
	}
	return s.errAt(start, "markup declaration <!%s> refused (no DTDs or entities are processed)", s.src[start+2:end])
}

func (s *scanner) xmlDecl() error {
	start := s.pos
	s.pos += 5
	fail := func(format string, args ...any) error {
		return s.errAt(start, "XML declaration: "+format, args...)
	}
	seen := 0
	for {
		sp := s.skipSpace()
		if s.hasPrefix("?>") {
			s.pos += 2
			break
		}
		if sp == 0 {
			return fail("white space expected")
		}
		nameStart := s.pos
		for s.pos < len(s.src) && (s.src[s.pos] >= 'a' && s.src[s.pos] <= 'z') {
			s.pos++
		}
		name := string(s.src[nameStart:s.pos])
		s.skipSpace()
		if s.pos >= len(s.src) || s.src[s.pos] != '=' {
			return fail("%q without a value", name)
		}
		s.pos++
		s.skipSpace()
		if s.pos >= len(s.src) || (s.src[s.pos] != '"' && s.src[s.pos] != '\'') {
			return fail("%s value not quoted", name)
		}
		q := s.src[s.pos]
		vend := bytes.IndexByte(s.src[s.pos+1:], q)
		if vend < 0 {
			return fail("unterminated %s value", name)
		}
		val := string(s.src[s.pos+1 : s.pos+1+vend])
		s.pos += vend + 2
		switch {
		case name == "version" && seen == 0:
			if val != "1.0" {
				return fail("version %q; only XML 1.0 is accepted", val)
			}
			seen = 1
		case name == "encoding" && seen == 1:
			if !eqFold(val, "UTF-8") && !eqFold(val, "UTF8") {
				return fail("encoding %q declared; only UTF-8 is accepted", val)
			}
			seen = 2
		case name == "standalone" && seen >= 1 && seen < 3:
			if val != "yes" && val != "no" {
				return fail("standalone %q", val)
			}
			seen = 3
		default:
			return fail("unexpected %q", name)
		}
	}
	if seen == 0 {
		return fail("no version")
	}
	return nil
}

func eqFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 32
		}
		if 'a' <= y && y <= 'z' {
			y -= 32
		}
		if x != y {
			return false
		}
	}
	return true
}

func (s *scanner) comment() error {
	start := s.pos
	s.pos += 4
	i := bytes.Index(s.src[s.pos:], []byte("--"))
	if i < 0 {
		return s.errAt(start, "unterminated comment")
	}
	if s.pos+i+2 >= len(s.src) || s.src[s.pos+i+2] != '>' {
		return s.errAt(s.pos+i, `"--" inside a comment`)
	}
	val := span{int32(s.pos), int32(i)}
	if bytes.IndexByte(s.src[s.pos:s.pos+i], '\r') >= 0 {
		val = s.keep(normalizeNewlines(s.src[s.pos : s.pos+i]))
	}
	n, err := s.newNode(node{kind: Comment, name: val, start: int32(start)})
	if err != nil {
		return err
	}
	s.pos += i + 3
	s.d.nodes[n].end = int32(s.pos)
	s.link(n)
	return nil
}

func (s *scanner) procInst() error {
	start := s.pos
	s.pos += 2
	nameStart := s.pos
	if err := s.name(); err != nil {
		return err
	}
	target := s.src[nameStart:s.pos]
	if eqFold(string(target), "xml") {
		return s.errAt(start, "processing instruction target %q is reserved (an XML declaration is only allowed at the very start)", target)
	}
	if bytes.IndexByte(target, ':') >= 0 {
		return s.errAt(start, "colon in processing instruction target %q", target)
	}
	var val span
	if !s.hasPrefix("?>") {
		if s.skipSpace() == 0 {
			return s.errAt(s.pos, "white space expected after the processing instruction target")
		}
		i := bytes.Index(s.src[s.pos:], []byte("?>"))
		if i < 0 {
			return s.errAt(start, "unterminated processing instruction")
		}
		val = span{int32(s.pos), int32(i)}
		if bytes.IndexByte(s.src[s.pos:s.pos+i], '\r') >= 0 {
			val = s.keep(normalizeNewlines(s.src[s.pos : s.pos+i]))
		}
		s.pos += i
	}
	s.pos += 2
	n, err := s.newNode(node{kind: ProcInst, name: span{int32(nameStart), int32(len(target))}, attr0: s.keep(s.str(val)).off, start: int32(start), end: int32(s.pos)})
	if err != nil {
		return err
	}
	s.link(n)
	return nil
}

func (s *scanner) keep(v string) span {
	s.d.strs = append(s.d.strs, v)
	return span{int32(-len(s.d.strs)), int32(len(v))}
}

func normalizeNewlines(b []byte) string {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\r' {
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, b[i])
	}
	return string(out)
}

// name scans an XML Name at s.pos.
func (s *scanner) name() error {
	start := s.pos
	src := s.src
	if i := s.pos; i < len(src) && src[i] < utf8.RuneSelf && nameStartASCII[src[i]] {
		// The usual name: ASCII only, read in one tight loop.
		i++
		for i < len(src) && src[i] < utf8.RuneSelf && nameASCII[src[i]] {
			i++
		}
		if i-start > s.lim.MaxNameLen {
			return s.errAt(start, "name longer than %d bytes", s.lim.MaxNameLen)
		}
		if i == len(src) || src[i] < utf8.RuneSelf {
			s.pos = i
			return nil
		}
		s.pos = i // a non-ASCII character follows: the general loop goes on
	}
	first := s.pos == start
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		if c < utf8.RuneSelf {
			if !(nameStartASCII[c] || !first && nameASCII[c]) {
				break
			}
			s.pos++
		} else {
			r, n := utf8.DecodeRune(s.src[s.pos:])
			if !(isNameStartRune(r) || !first && isNameRune(r)) {
				break
			}
			s.pos += n
		}
		first = false
		if s.pos-start > s.lim.MaxNameLen {
			return s.errAt(start, "name longer than %d bytes", s.lim.MaxNameLen)
		}
	}
	if s.pos == start {
		if s.pos >= len(s.src) {
			return s.errAt(s.pos, "unexpected end of input, a name expected")
		}
		r, _ := utf8.DecodeRune(s.src[s.pos:])
		return s.errAt(s.pos, "%q cannot start a name", r)
	}
	return nil
}

var nameStartASCII, nameASCII [128]bool

func init() {
	for c := 0; c < 128; c++ {
		b := byte(c)
		start := b == ':' || b == '_' || 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z'
		nameStartASCII[c] = start
		nameASCII[c] = start || b == '-' || b == '.' || '0' <= b && b <= '9'
	}
}

func isNameStartRune(r rune) bool {
	switch {
	case r < 0x80:
		return nameStartASCII[r]
	case 0xC0 <= r && r <= 0xD6, 0xD8 <= r && r <= 0xF6, 0xF8 <= r && r <= 0x2FF,
		0x370 <= r && r <= 0x37D, 0x37F <= r && r <= 0x1FFF, 0x200C <= r && r <= 0x200D,
		0x2070 <= r && r <= 0x218F, 0x2C00 <= r && r <= 0x2FEF, 0x3001 <= r && r <= 0xD7FF,
		0xF900 <= r && r <= 0xFDCF, 0xFDF0 <= r && r <= 0xFFFD, 0x10000 <= r && r <= 0xEFFFF:
		return true
	}
	return false
}

func isNameRune(r rune) bool {
	return isNameStartRune(r) || r < 0x80 && nameASCII[r] || r == 0xB7 || 0x300 <= r && r <= 0x36F || 0x203F <= r && r <= 0x2040
}

// qname splits and checks a qualified name: at most one colon, neither
// part empty. It returns the prefix length.
func (s *scanner) qname(start, end int) (uint16, error) {
	b := s.src[start:end]
	i := bytes.IndexByte(b, ':')
	if i < 0 {
		return 0, nil
	}
	if i == 0 || i == len(b)-1 || bytes.IndexByte(b[i+1:], ':') >= 0 {
		return 0, s.errAt(start, "%q is not a qualified name (Namespaces in XML)", b)
	}
	if c := b[i+1]; c < utf8.RuneSelf && !nameStartASCII[c] || c == ':' {
		return 0, s.errAt(start, "local part of %q does not start a name", b)
	} else if c >= utf8.RuneSelf {
		if r, _ := utf8.DecodeRune(b[i+1:]); !isNameStartRune(r) {
			return 0, s.errAt(start, "local part of %q does not start a name", b)
		}
	}
	return uint16(i), nil
}

func (s *scanner) intern(uri string) (int32, error) {
	if i, ok := s.d.uriIndex(s.uriIdx, uri); ok {
		return i, nil
	}
	if len(s.d.uris) >= s.lim.MaxNamespaces {
		return 0, s.errAt(s.pos, "more than %d distinct namespace URIs", s.lim.MaxNamespaces)
	}
	s.d.uris = append(s.d.uris, uri)
	s.uriIdx[uri] = int32(len(s.d.uris) - 1)
	return int32(len(s.d.uris) - 1), nil
}

func (d *Doc) uriIndex(m map[string]int32, uri string) (int32, bool) {
	i, ok := m[uri]
	return i, ok
}

func (s *scanner) element() error {
	start := s.pos
	s.pos++
	nameStart := s.pos
	if err := s.name(); err != nil {
		return err
	}
	plen, err := s.qname(nameStart, s.pos)
	if err != nil {
		return err
	}
	if len(s.stack) >= s.lim.MaxDepth {
		return s.errAt(start, "elements nested deeper than %d", s.lim.MaxDepth)
	}
	n, err := s.newNode(node{kind: Element, plen: plen, name: span{int32(nameStart), int32(s.pos - nameStart)}, attr0: int32(len(s.d.attrs)), start: int32(start)})
	if err != nil {
		return err
	}
	s.link(n)
	if len(s.stack) == 0 {
		s.d.root = n // reachable even if the scan stops before its end tag
	}
	s.cur = n
	mark := len(s.undo)
	// Attributes.
	nattr := 0
	for {
		sp := s.skipSpace()
		if s.pos >= len(s.src) {
			return s.errAt(start, "unterminated start tag")
		}
		c := s.src[s.pos]
		if c == '>' || c == '/' {
			break
		}
		if sp == 0 {
			return s.errAt(s.pos, "white space expected between attributes")
		}
		if nattr++; nattr > s.lim.MaxAttrs {
			return s.errAt(start, "more than %d attributes on one element", s.lim.MaxAttrs)
		}
		if err := s.attribute(); err != nil {
			return err
		}
	}
	el := &s.d.nodes[n]
	el.nattr = uint16(nattr)
	// Namespace declarations first, then the names they bind.
	attrs := s.d.attrs[el.attr0:]
	for i := range attrs {
		a := &attrs[i]
		qn := s.str(a.name)
		var prefix string
		switch {
		case qn == "xmlns":
		case a.plen == 5 && qn[:5] == "xmlns":
			prefix = qn[6:]
		default:
			continue
		}
		a.decl = true
		s.d.decls++
		uri := s.str(a.val)
		switch {
		case prefix == "xmlns":
			return s.errAt(start, "the xmlns prefix must not be declared")
		case prefix == "xml" && uri != NSXML, prefix != "xml" && uri == NSXML:
			return s.errAt(start, "the xml prefix and only it is bound to %s", NSXML)
		case uri == NSXMLNS:
			return s.errAt(start, "%s must not be declared", NSXMLNS)
		case prefix != "" && uri == "":
			return s.errAt(start, "prefix %q declared with an empty namespace name", prefix)
		}
		idx, err := s.intern(uri)
		if err != nil {
			return err
		}
		a.ns = idx
		prev, ok := s.scope[prefix]
		if !ok {
			prev = -1
		}
		s.undo = append(s.undo, binding{prefix, prev})
		s.scope[prefix] = idx
	}
	el = &s.d.nodes[n]
	qn := s.str(el.name)
	if el.plen > 0 {
		p := qn[:el.plen]
		if p == "xmlns" {
			return s.errAt(start, "element name %q uses the xmlns prefix", qn)
		}
		ns, ok := s.scope[p]
		if !ok || ns < 0 {
			return s.errAt(start, "undeclared namespace prefix %q on element %s", p, qn)
		}
		el.ns = ns
	} else if ns, ok := s.scope[""]; ok && ns >= 0 {
		el.ns = ns
	}
	if nattr > 0 {
		if err := s.resolveAttrs(start, el.attr0, nattr); err != nil {
			return err
		}
	}
	if b := s.lim.Bound; b != nil && len(s.stack) == 1 && s.bounded < 0 {
		if el := &s.d.nodes[n]; s.d.uris[el.ns] == b.NS && s.str(el.name)[int(el.plen)+boolInt(el.plen > 0):] == b.Local {
			s.bounded, s.bnodes = n, 1
		}
	}
	if s.src[s.pos] == '/' {
		if s.pos+1 >= len(s.src) || s.src[s.pos+1] != '>' {
			return s.errAt(s.pos, `"/" not followed by ">"`)
		}
		s.pos += 2
		s.cur = -1
		el := &s.d.nodes[n]
		el.end, el.cstart, el.cend = int32(s.pos), int32(s.pos), int32(s.pos)
		s.popScope(mark)
		return s.closed(n, len(s.d.strs))
	}
	s.pos++
	s.cur = -1
	s.d.nodes[n].cstart = int32(s.pos)
	s.stack = append(s.stack, openEl{idx: n, last: -1, mark: mark, strs: len(s.d.strs)})
	return nil
}

// checkBound refuses the bounded subtree as soon as its bytes pass the
// limit, naming the element open then.
func (s *scanner) checkBound() error {
	if s.bounded < 0 {
		return nil
	}
	b := s.lim.Bound
	if size := s.pos - int(s.d.nodes[s.bounded].start); size > b.MaxBytes {
		return &BoundError{Path: s.errAt(s.pos, "").(*SyntaxError).Path,
			Msg: fmt.Sprintf("%s holds more than %d bytes", s.str(s.d.nodes[s.bounded].name), b.MaxBytes)}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// closed ends element n, whose descendants' decoded strings start at
// strs[strsMark].
func (s *scanner) closed(n int32, strsMark int) error {
	if n == s.bounded {
		b := s.lim.Bound
		if size := int(s.d.nodes[n].end - s.d.nodes[n].start); size > b.MaxBytes {
			return &BoundError{Path: s.errAt(s.pos, "").(*SyntaxError).Path + "/" + s.str(s.d.nodes[n].name),
				Msg: fmt.Sprintf("%d bytes, limit %d", size, b.MaxBytes)}
		}
		s.bounded = -1
	}
	if s.lim.OnClose == nil || len(s.stack) >= s.lim.CloseDepth {
		return nil
	}
	if err := s.checkChars(min(s.pos+checkAhead, len(s.src))); err != nil {
		return err
	}
	act, err := s.lim.OnClose(Node{s.d, n}, len(s.stack)+1)
	if err != nil {
		s.hookFailed = true
		if errors.Is(err, ErrStop) {
			s.stop()
		}
		return err
	}
	if act == Drop {
		s.drop(n, strsMark)
	}
	return nil
}

// drop removes the descendants of the element n that just closed: they are
// the last nodes, attributes and kept strings of the arena.
func (s *scanner) drop(n int32, strsMark int) {
	d := s.d
	el := &d.nodes[n]
	el.flags |= dropped
	el.cend = el.cstart
	d.nodes = d.nodes[:n+1]
	d.attrs = d.attrs[:int(el.attr0)+int(el.nattr)]
	clear(d.strs[strsMark:])
	d.strs = d.strs[:strsMark]
}

// stop marks the elements still open as read up to here.
func (s *scanner) stop() {
	s.stopped = true
	for _, o := range s.stack {
		el := &s.d.nodes[o.idx]
		el.end, el.cend = int32(s.pos), int32(s.pos)
		el.flags |= partial
	}
}

func (s *scanner) popScope(mark int) {
	for i := len(s.undo) - 1; i >= mark; i-- {
		b := s.undo[i]
		if b.prev < 0 {
			delete(s.scope, b.prefix)
		} else {
			s.scope[b.prefix] = b.prev
		}
	}
	s.undo = s.undo[:mark]
}

// resolveAttrs gives prefixed attributes their namespace and checks
// uniqueness by qualified and by expanded name.
func (s *scanner) resolveAttrs(start int, a0 int32, nattr int) error {
	attrs := s.d.attrs[a0 : int(a0)+nattr]
	for i := range attrs {
		a := &attrs[i]
		if a.decl || a.plen == 0 {
			continue
		}
		qn := s.str(a.name)
		p := qn[:a.plen]
		ns, ok := s.scope[p]
		if !ok || ns < 0 {
			return s.errAt(start, "undeclared namespace prefix %q on attribute %s", p, qn)
		}
		a.ns = ns
	}
	if nattr == 1 {
		return nil
	}
	if nattr <= 8 {
		for i := 1; i < nattr; i++ {
			for j := 0; j < i; j++ {
				if err := s.sameAttr(start, &attrs[i], &attrs[j]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	// Many attributes: an open-addressing table of attribute indexes, keyed
	// by a hash of the qualified name and of {namespace, local name}.
	size := 1
	for size < 4*nattr {
		size <<= 1
	}
	if cap(s.table) < size {
		s.table = make([]int32, size)
	}
	table := s.table[:size]
	clear(table)
	mask := uint64(size - 1)
	insert := func(h uint64, i int, same func(j int) bool) bool {
		for k := h & mask; ; k = (k + 1) & mask {
			j := table[k]
			if j == 0 {
				table[k] = int32(i + 1)
				return true
			}
			if same(int(j - 1)) {
				return false
			}
		}
	}
	for i := range attrs {
		a := &attrs[i]
		qn := s.str(a.name)
		if !insert(maphash.String(s.seed, qn)<<1, i, func(j int) bool { return s.str(attrs[j].name) == qn }) {
			return s.errAt(start, "duplicate attribute %s", qn)
		}
		if a.decl || a.plen == 0 {
			continue
		}
		local := qn[a.plen+1:]
		h := (maphash.String(s.seed, local)^uint64(a.ns)*0x9E3779B97F4A7C15)<<1 | 1
		expanded := func(j int) bool {
			b := &attrs[j]
			return j != i && !b.decl && b.plen > 0 && b.ns == a.ns && s.str(b.name)[b.plen+1:] == local
		}
		if !insert(h, i, expanded) {
			return s.errAt(start, "attributes %s and another with the same namespace and local name", qn)
		}
	}
	return nil
}

func (s *scanner) sameAttr(start int, a, b *attr) error {
	qa, qb := s.str(a.name), s.str(b.name)
	if qa == qb {
		return s.errAt(start, "duplicate attribute %s", qa)
	}
	if a.decl || b.decl || a.plen == 0 || b.plen == 0 {
		return nil
	}
	if a.ns == b.ns && qa[a.plen+1:] == qb[b.plen+1:] {
		return s.errAt(start, "attributes %s and %s have the same namespace and local name", qa, qb)
	}
	return nil
}

func (s *scanner) attribute() error {
	nameStart := s.pos
	if err := s.name(); err != nil {
		return err
	}
	nameEnd := s.pos
	plen, err := s.qname(nameStart, nameEnd)
	if err != nil {
		return err
	}
	s.skipSpace()
	if s.pos >= len(s.src) || s.src[s.pos] != '=' {
		return s.errAt(nameStart, "attribute %s without a value", s.src[nameStart:nameEnd])
	}
	s.pos++
	s.skipSpace()
	if s.pos >= len(s.src) || (s.src[s.pos] != '"' && s.src[s.pos] != '\'') {
		return s.errAt(s.pos, "attribute %s: value not quoted", s.src[nameStart:nameEnd])
	}
	q := s.src[s.pos]
	s.pos++
	vstart := s.pos
	i := bytes.IndexByte(s.src[s.pos:], q)
	if i < 0 {
		return s.errAt(vstart, "unterminated attribute value")
	}
	raw := s.src[vstart : vstart+i]
	s.pos += i + 1
	if bytes.IndexByte(raw, '<') >= 0 {
		return s.errAt(vstart+bytes.IndexByte(raw, '<'), `"<" in an attribute value`)
	}
	val := span{int32(vstart), int32(len(raw))}
	if bytes.IndexByte(raw, '&') >= 0 || bytes.ContainsAny(raw, "\t\n\r") {
		v, err := s.decode(raw, vstart, true)
		if err != nil {
			return err
		}
		val = s.keep(v)
	}
	if s.created >= s.maxNodes {
		return s.errAt(s.pos, "more than %d nodes and attributes (limit: one per %d bytes of input)", s.maxNodes, s.lim.BytesPerNode)
	}
	s.created++
	s.d.attrs = appendGrowing(s.d.attrs, attr{name: span{int32(nameStart), int32(nameEnd - nameStart)}, plen: plen, val: val}, s.attrBound)
	return nil
}

// decode expands references and normalises line ends (and, in attribute
// values, white space) in raw, found at offset off.
func (s *scanner) decode(raw []byte, off int, attrValue bool) (string, error) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			c = '\n'
			if attrValue {
				c = ' '
			}
			out = append(out, c)
		case '\t', '\n':
			if attrValue {
				c = ' '
			}
			out = append(out, c)
		case '&':
			semi := bytes.IndexByte(raw[i:], ';')
			if semi < 0 {
				return "", s.errAt(off+i, `"&" that does not start a reference`)
			}
			ref := raw[i+1 : i+semi]
			r, err := s.reference(ref, off+i)
			if err != nil {
				return "", err
			}
			out = utf8.AppendRune(out, r)
			i += semi
		default:
			out = append(out, c)
		}
	}
	return string(out), nil
}

func (s *scanner) reference(ref []byte, off int) (rune, error) {
	switch string(ref) {
	case "lt":
		return '<', nil
	case "gt":
		return '>', nil
	case "amp":
		return '&', nil
	case "apos":
		return '\'', nil
	case "quot":
		return '"', nil
	}
	if len(ref) < 2 || ref[0] != '#' {
		return 0, s.errAt(off, "undefined entity &%s; (only the five predefined entities and character references are accepted)", ref)
	}
	digits, base := ref[1:], 10
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 || len(digits) > 8 {
		return 0, s.errAt(off, "malformed character reference &%s;", ref)
	}
	for _, c := range digits {
		ok := '0' <= c && c <= '9' || base == 16 && ('a' <= c && c <= 'f' || 'A' <= c && c <= 'F')
		if !ok {
			return 0, s.errAt(off, "malformed character reference &%s;", ref)
		}
	}
	v, err := strconv.ParseUint(string(digits), base, 32)
	if err != nil || !isChar(rune(v)) {
		return 0, s.errAt(off, "character reference &%s; is not an XML character", ref)
	}
	return rune(v), nil
}

func isChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || 0x20 <= r && r <= 0xD7FF || 0xE000 <= r && r <= 0xFFFD || 0x10000 <= r && r <= 0x10FFFF
}

// content scans until the end tag of the element on top of the stack, and
// of every element opened on the way.
func (s *scanner) content() error {
	for len(s.stack) > 0 {
		if s.pos >= len(s.src) {
			top := s.stack[len(s.stack)-1]
			return s.errAt(s.pos, "unexpected end of input inside element %s", s.str(s.d.nodes[top.idx].name))
		}
		if s.src[s.pos] != '<' {
			if err := s.text(); err != nil {
				return err
			}
			continue
		}
		switch {
		case s.hasPrefix("</"):
			if err := s.endTag(); err != nil {
				return err
			}
		case s.hasPrefix("<!--"):
			if err := s.comment(); err != nil {
				return err
			}
		case s.hasPrefix("<![CDATA["):
			if err := s.cdata(); err != nil {
				return err
			}
		case s.hasPrefix("<!"):
			return s.markupDecl()
		case s.hasPrefix("<?"):
			if err := s.procInst(); err != nil {
				return err
			}
		default:
			if err := s.element(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *scanner) text() error {
	start := s.pos
	i := bytes.IndexByte(s.src[s.pos:], '<')
	if i < 0 {
		i = len(s.src) - s.pos
	}
	raw := s.src[start : start+i]
	s.pos += i
	if j := bytes.Index(raw, []byte("]]>")); j >= 0 {
		return s.errAt(start+j, `"]]>" in character data`)
	}
	if err := s.checkBound(); err != nil {
		return err
	}
	if bytes.IndexByte(raw, '&') < 0 {
		return nil // read from the input where it lies
	}
	v, err := s.decode(raw, start, false)
	if err != nil {
		return err
	}
	n, err := s.newNode(node{kind: Text, name: s.keep(v), start: int32(start), end: int32(s.pos)})
	if err != nil {
		return err
	}
	s.link(n)
	return nil
}

func (s *scanner) cdata() error {
	start := s.pos
	s.pos += 9
	i := bytes.Index(s.src[s.pos:], []byte("]]>"))
	if i < 0 {
		return s.errAt(start, "unterminated CDATA section")
	}
	raw := s.src[s.pos : s.pos+i]
	val := span{int32(s.pos), int32(i)}
	if bytes.IndexByte(raw, '\r') >= 0 {
		val = s.keep(normalizeNewlines(raw))
	}
	s.pos += i + 3
	n, err := s.newNode(node{kind: Text, name: val, start: int32(start), end: int32(s.pos)})
	if err != nil {
		return err
	}
	s.link(n)
	return nil
}

func (s *scanner) endTag() error {
	start := s.pos
	s.pos += 2
	nameStart := s.pos
	if err := s.name(); err != nil {
		return err
	}
	top := s.stack[len(s.stack)-1]
	el := &s.d.nodes[top.idx]
	if got, want := s.src[nameStart:s.pos], s.str(el.name); string(got) != want {
		return s.errAt(start, "end tag </%s> does not match <%s>", got, want)
	}
	s.skipSpace()
	if s.pos >= len(s.src) || s.src[s.pos] != '>' {
		return s.errAt(start, "unterminated end tag")
	}
	s.pos++
	el.end, el.cend = int32(s.pos), int32(start)
	if err := s.checkBound(); err != nil {
		return err
	}
	s.stack = s.stack[:len(s.stack)-1]
	s.popScope(top.mark)
	return s.closed(top.idx, top.strs)
}
