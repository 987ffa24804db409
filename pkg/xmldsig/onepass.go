package xmldsig

import (
	"bufio"
	"bytes"
	"errors"

	"github.com/eutl/eutl/internal/xmlscan"
)

// The one-pass verifier. A list is read once by the strict scanner; while it
// is read, the exclusive canonical form of the document is hashed, and each
// part the caller asked for (a TrustServiceProvider) is handed over and
// dropped from memory as soon as its end tag has been read and its bytes
// hashed. Hashing while reading needs the reference's transforms and digest
// method before the document, and the signature comes last: a locator finds
// the root's ds:Signature by its end tag (a backward search over at most the
// signature's bound), and the signature is read and checked on its own,
// inside a copy of the root's start tag (so that it sees the same
// namespaces and xml: attributes as in the document). The scan of the whole
// document then has to meet the ds:Signature element exactly where the
// locator found it.
//
// The pass is an optimisation with no verdict of its own: when anything in
// it does not hold — the locator finds nothing or something else, the
// document is not as the located signature says, inclusive C14N, any check
// failing — Verify abandons it and verifies the document whole
// (verifyWhole), which gives the verdict and the error. So the one-pass
// verifier only ever accepts what verifyWhole accepts, with the same checks
// (the differential tests compare both on every real list and on fuzzed
// input).

// Parts asks Verify to hand over, while it reads the document, each element
// named Child below the root's first element named Parent, as soon as the
// element has been read and hashed, and then to drop it from memory. Nothing
// handed over is verified until Verify returns without error: a consumer
// builds from it and discards what it built if Verify fails. When Verify
// abandons the one pass (see above) it calls Reset, verifies the document
// whole and returns every element in [Result.Root] instead.
type Parts struct {
	ParentNS, Parent string
	ChildNS, Child   string
	// Take receives each part in document order. An error abandons the
	// one pass.
	Take func(el xmlscan.Node) error
	// InnerParent and Inner, when set, name smaller parts inside each part:
	// each element named Inner below the part's first element named
	// InnerParent (a provider's services), handed to TakeInner and dropped
	// as it is read, before the part itself goes to Take. A list made of
	// one large provider is then held one service at a time.
	InnerParentNS, InnerParent string
	InnerNS, Inner             string
	TakeInner                  func(el xmlscan.Node) error
	// Reset discards everything Take and TakeInner received.
	Reset func()
}

// errAbandon abandons the one pass.
var errAbandon = errors.New("one pass abandoned")

func verifyOnePass(data []byte, allowed [][]byte, opts Options) (*Result, bool) {
	if checkInput(data, opts.MaxSize, false) != nil {
		return nil, false
	}
	loc, ok := locate(data)
	if !ok {
		return nil, false
	}
	v, ok := checkLocatedSignature(loc, allowed, opts)
	if !ok {
		return nil, false
	}
	p := &onePass{v: v, loc: loc, parts: opts.Parts, want: map[string]int{}, innerOf: -1}
	for _, id := range v.wantIDs() {
		p.want[id] = 0
	}
	h, err := lookupDigest(v.mainRef.digestMethod)
	if err != nil {
		return nil, false
	}
	hw := h.New()
	p.bw = bufio.NewWriterSize(hw, 8<<10) // SHA-256 takes 64-byte blocks: larger buffers only cost memory
	lim := scanLimits
	lim.CloseDepth = 5
	lim.OnClose = p.closed
	doc, err := xmlscan.Parse(data, lim)
	if err != nil || p.stream == nil || p.sigs != 1 {
		return nil, false
	}
	p.count(doc.Root())
	if err := p.stream.Finish(); err != nil {
		return nil, false
	}
	for _, n := range p.want {
		if n != 1 {
			return nil, false
		}
	}
	if !bytes.Equal(hw.Sum(nil), v.mainRef.digest) || v.checkPinned() != nil {
		return nil, false
	}
	v.res.Root = doc.Root()
	return v.res, true
}

// checkLocatedSignature reads and checks the located signature on its own:
// everything verifyWhole checks that lies inside ds:Signature.
func checkLocatedSignature(loc located, allowed [][]byte, opts Options) (*streamVerifier, bool) {
	doc, err := xmlscan.Parse(loc.wrapper, scanLimits)
	if err != nil {
		return nil, false
	}
	v := &streamVerifier{doc: doc, root: doc.Root(), allowed: allowed, opts: opts}
	v.rootPath = "/" + v.root.Name()
	if runSteps(v.indexIDs, v.locateSignature, v.checkSignatureShape, v.readSignature, v.classifyReferences) != nil {
		return nil, false
	}
	if m, err := lookupC14N(v.mainRef.c14n); err != nil || m.kind != 0 {
		return nil, false // inclusive C14N: the tree path
	}
	if runSteps(v.checkSignedProperties, v.verifySignatureValue, v.checkSigningTime, v.checkDocumentReference) != nil {
		return nil, false
	}
	return v, true
}

// wantIDs are the Id values that must each name exactly one element of the
// whole document: the signature's, its SignedProperties', and the root's
// when the reference names it.
func (v *streamVerifier) wantIDs() []string {
	ids := []string{v.sig.id, v.spRef.uri[1:]}
	if r := v.mainRef.uri; r != "" {
		ids = append(ids, r[1:])
	}
	return ids
}

type onePass struct {
	v      *streamVerifier
	loc    located
	parts  *Parts
	bw     *bufio.Writer
	stream *xmlscan.ExcStream
	// lists counts the root's Parent elements closed so far: parts are
	// taken from the first one only, as the model reads the first only.
	lists int
	// inners counts the InnerParent elements of the part innerOf closed
	// so far: inner parts are taken from the first one only.
	innerOf int
	inners  int
	sigs    int // ds:Signature elements met
	want    map[string]int
}

// closed is the scanner's OnClose: depth 2 are the root's children, depth 3
// their children.
func (p *onePass) closed(n xmlscan.Node, depth int) (xmlscan.Action, error) {
	if p.stream == nil {
		r := p.v.mainRef
		p.stream = xmlscan.NewExcStream(p.bw, n.Doc(), r.prefixes, false, r.uri == "")
	}
	switch depth {
	case 2:
		if n.Is(NSDSig, "Signature") {
			if start, end := n.Span(); start != p.loc.sigStart || end != p.loc.sigEnd {
				return xmlscan.Keep, errAbandon
			}
			p.count(n)
			// the enveloped-signature transform; the model never sees it
			n.Doc().Detach(n)
		} else if n.Is(p.parts.ParentNS, p.parts.Parent) {
			p.lists++
		}
	case 3:
		if !p.isPart(n) {
			return xmlscan.Keep, nil
		}
		return p.take(n, p.parts.Take)
	case 4:
		if pr := n.Parent(); p.parts.InnerParent != "" && n.Is(p.parts.InnerParentNS, p.parts.InnerParent) && p.isPart(pr) {
			if p.innerOf != pr.Index() {
				p.innerOf, p.inners = pr.Index(), 0
			}
			p.inners++
		}
	case 5:
		c := n.Parent()
		if p.parts.TakeInner == nil || !n.Is(p.parts.InnerNS, p.parts.Inner) || !c.Is(p.parts.InnerParentNS, p.parts.InnerParent) || !p.isPart(c.Parent()) {
			return xmlscan.Keep, nil
		}
		if p.innerOf == c.Parent().Index() && p.inners > 0 {
			return xmlscan.Keep, nil // not the part's first InnerParent: the model reads the first only
		}
		return p.take(n, p.parts.TakeInner)
	}
	return xmlscan.Keep, nil
}

// isPart reports whether el is a part: a Child of the root's first Parent.
func (p *onePass) isPart(el xmlscan.Node) bool {
	if !el.Valid() || !el.Is(p.parts.ChildNS, p.parts.Child) {
		return false
	}
	parent := el.Parent()
	return parent.Is(p.parts.ParentNS, p.parts.Parent) && parent.Parent().Index() == el.Doc().Root().Index() && p.lists == 0
}

// take hashes el, hands it over and drops it.
func (p *onePass) take(el xmlscan.Node, to func(xmlscan.Node) error) (xmlscan.Action, error) {
	p.count(el)
	if err := p.stream.Through(el); err != nil {
		return xmlscan.Keep, errAbandon
	}
	if err := to(el); err != nil {
		return xmlscan.Keep, errAbandon
	}
	return xmlscan.Drop, nil
}

// count counts, in el's subtree (detached nodes left out), the ds:Signature
// elements and the elements bearing one of the wanted Id values.
func (p *onePass) count(el xmlscan.Node) {
	if el.Is(NSDSig, "Signature") {
		p.sigs++
	}
	for i := 0; i < el.NumAttrs(); i++ {
		a := el.Attr(i)
		if a.Prefix == "" && !a.Decl && (a.Local == "Id" || a.Local == "ID" || a.Local == "id") {
			if k, ok := p.want[a.Value]; ok {
				p.want[a.Value] = k + 1
			}
		}
	}
	for c := el.FirstElement(); c.Valid(); c = c.NextElement() {
		p.count(c)
	}
}

// located is where the locator found the root's ds:Signature, and the
// small document it is checked in: the root's start tag, the signature, the
// root's end tag.
type located struct {
	sigStart, sigEnd int
	wrapper          []byte
}

// locate finds the root's ds:Signature without parsing the document: the
// root's start tag from the front, then backwards from the root's end tag
// the signature's end tag and, counting nested signatures of the same
// name, its start tag. Whatever it finds is only a guess the scan must
// confirm; anything unexpected gives up.
func locate(data []byte) (located, bool) {
	var loc located
	i := 0
	if bytes.HasPrefix(data, utf8BOM) {
		i = 3
	}
	// The prolog: white space, the XML declaration, comments, PIs.
	for {
		for i < len(data) && isXMLSpace(data[i]) {
			i++
		}
		switch {
		case bytes.HasPrefix(data[i:], []byte("<?")):
			j := bytes.Index(data[i:], []byte("?>"))
			if j < 0 {
				return loc, false
			}
			i += j + 2
			continue
		case bytes.HasPrefix(data[i:], []byte("<!--")):
			j := bytes.Index(data[i+4:], []byte("-->"))
			if j < 0 {
				return loc, false
			}
			i += 4 + j + 3
			continue
		}
		break
	}
	if i >= len(data) || data[i] != '<' {
		return loc, false
	}
	rootStart := i
	j := i + 1
	for j < len(data) && !isXMLSpace(data[j]) && data[j] != '>' && data[j] != '/' {
		j++
	}
	rootName := data[rootStart+1 : j]
	if len(rootName) == 0 {
		return loc, false
	}
	// The end of the root's start tag: the first ">" outside quotes.
	var quote byte
	for ; j < len(data); j++ {
		c := data[j]
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			continue
		}
		if c == '"' || c == '\'' {
			quote = c
		} else if c == '>' {
			break
		}
	}
	if j >= len(data) || data[j-1] == '/' {
		return loc, false
	}
	startTag := data[rootStart : j+1]
	// The root's end tag, then the signature's end tag before it.
	rootEnd := bytes.LastIndex(data, append([]byte("</"), rootName...))
	if rootEnd <= j {
		return loc, false
	}
	k := rootEnd
	for k > j && isXMLSpace(data[k-1]) {
		k--
	}
	const endTag = "Signature>"
	if k-len(endTag) <= j || string(data[k-len(endTag):k]) != endTag {
		return loc, false
	}
	sigEnd := k
	nameEnd := k - 1
	nameStart := nameEnd - len("Signature")
	for nameStart > j && data[nameStart-1] != '/' && data[nameStart-1] != '<' && !isXMLSpace(data[nameStart-1]) {
		nameStart--
	}
	if nameStart < j+2 || data[nameStart-1] != '/' || data[nameStart-2] != '<' {
		return loc, false
	}
	sigName := data[nameStart:nameEnd]
	// Backwards to the matching start tag, within the signature's bound.
	lo := max(j+1, sigEnd-maxSignatureBytes)
	depth := 1
	hi := nameStart - 2
	for depth > 0 {
		at := bytes.LastIndex(data[lo:hi], sigName)
		if at < 0 {
			return loc, false
		}
		at += lo
		hi = at
		if at < 2 {
			return loc, false
		}
		after := byte('>')
		if at+len(sigName) < len(data) {
			after = data[at+len(sigName)]
		}
		switch {
		case data[at-1] == '/' && data[at-2] == '<' && after == '>':
			depth++
		case data[at-1] == '<' && (isXMLSpace(after) || after == '>' || after == '/'):
			depth--
			if depth == 0 {
				loc.sigStart = at - 1
			}
		}
	}
	loc.sigEnd = sigEnd
	w := make([]byte, 0, len(startTag)+sigEnd-loc.sigStart+len(rootName)+3)
	w = append(w, startTag...)
	w = append(w, data[loc.sigStart:sigEnd]...)
	w = append(w, "</"...)
	w = append(w, rootName...)
	w = append(w, '>')
	loc.wrapper = w
	return loc, true
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
