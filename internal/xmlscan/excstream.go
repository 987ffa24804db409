package xmlscan

import (
	"bufio"
	"errors"
	"fmt"
	"math"
)

// ExcStream writes the exclusive canonical form of a document while it is
// being parsed, so that the parts already written can be dropped (see
// [Limits.OnClose] and [Drop]). Its output is byte for byte that of
// [ExcC14N] over the root of the whole document with the same prefix
// list, comments and document settings, with the nodes Detach-ed before
// the writer reached them left out (the enveloped-signature transform).
//
// A typical consumer calls Through(n) from OnClose for the elements it
// drops, then returns Drop, and calls Finish once Parse has returned nil.
// Detach a node before any Through reaches into it: a Through or Finish
// fails when a node it has written was detached since, when an element it
// has begun (start tag written, end tag not) was detached or dropped, and
// when it meets a subtree dropped before it was written.
type ExcStream struct {
	x        excWriter
	document bool
	begun    bool
	passed   int32 // every node starting before it has been walked
	logSeen  int   // entries of the Doc's detachLog checked
}

// NewExcStream returns a writer of d's canonical form to w. prefixList is
// the InclusiveNamespaces PrefixList ("#default" for the default
// namespace), comments keeps comments (#WithComments), document writes the
// document-level comments and processing instructions around the root (a
// URI="" reference). d may be nil, since Parse makes the Doc: the writer
// then takes the Doc of the first node passed to Through, or the one given
// to Bind (needed before Finish when no Through was called).
func NewExcStream(w *bufio.Writer, d *Doc, prefixList string, comments, document bool) *ExcStream {
	return &ExcStream{x: *newExcWriter(w, d, prefixList, comments), document: document}
}

// Through writes, in document order, everything not yet written up to and
// including the whole subtree of n: the start tags of n's ancestors (once:
// they stay open in the writer), and everything before n. n must be
// complete (an element whose end tag has been read, as in OnClose); a node
// already written, or one in a Detach-ed subtree, writes nothing more. It
// does not flush w.
func (s *ExcStream) Through(n Node) error {
	if err := s.resume(n.d); err != nil {
		return err
	}
	if !n.Valid() || !n.Complete() {
		return fmt.Errorf("xmlscan: canonical writer: %s not read to its end", n.describe())
	}
	end := n.nd().end
	s.x.run(end)
	s.passed = max(s.passed, end)
	return s.x.err
}

// Bind gives the writer its Doc when NewExcStream had none: Finish needs
// it when no Through was called. It fails for another Doc than the one
// the writer already has.
func (s *ExcStream) Bind(d *Doc) error {
	switch {
	case d == nil:
		return errors.New("xmlscan: canonical writer: no document")
	case s.x.d == nil:
		s.x.d = d
	case s.x.d != d:
		return errors.New("xmlscan: canonical writer: a node of another document")
	}
	return nil
}

// Finish writes what remains — the rest of the document, the end tags of
// the elements left open, and in document mode the comments and
// processing instructions after the root — and flushes w. It is called
// once Parse has returned nil.
func (s *ExcStream) Finish() error {
	if s.x.d == nil {
		return errors.New("xmlscan: canonical writer: no document")
	}
	if err := s.resume(s.x.d); err != nil {
		return err
	}
	s.x.run(math.MaxInt32)
	if s.x.err != nil {
		return s.x.err
	}
	if len(s.x.stack) > 0 {
		return fmt.Errorf("xmlscan: canonical writer: %s not read to its end", Node{s.x.d, s.x.stack[len(s.x.stack)-1].el}.describe())
	}
	if s.document {
		s.x.afterRoot()
	}
	return s.x.w.Flush()
}

// resume checks the writer's state before it walks on from where it
// stopped, and begins the document on the first call.
func (s *ExcStream) resume(d *Doc) error {
	x := &s.x
	if x.err != nil {
		return x.err
	}
	if d == nil {
		return errors.New("xmlscan: canonical writer: not a node")
	}
	if err := s.Bind(d); err != nil {
		return err
	}
	if d.root < 0 {
		return errors.New("xmlscan: canonical writer: no root element")
	}
	if !s.begun {
		s.begun = true
		if s.document {
			x.beforeRoot()
		} else {
			x.open(d.root)
		}
	}
	for _, f := range x.stack {
		if fl := d.nodes[f.el].flags; fl&(detached|dropped) != 0 {
			x.err = fmt.Errorf("xmlscan: canonical writer: %s detached or dropped after its start tag was written", Node{d, f.el}.describe())
			return x.err
		}
	}
	for _, start := range d.detachLog[s.logSeen:] {
		if start < s.passed {
			x.err = fmt.Errorf("xmlscan: canonical writer: the node at byte %d detached after it was written", start)
			return x.err
		}
	}
	s.logSeen = len(d.detachLog)
	return nil
}

// describe names n in an error.
func (n Node) describe() string {
	if !n.Valid() {
		return "no node"
	}
	if n.Kind() != Element {
		return "a non-element node"
	}
	return "element " + n.Name()
}
