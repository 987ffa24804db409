package xmldsig

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/eutl/eutl/internal/xmlscan"
)

// The streaming verifier: one scan of the input (package internal/xmlscan)
// builds an arena whose strings are slices of the input; the exclusive
// canonical form is hashed from that arena, the signature is read from its
// ds:Signature subtree, and the list model is built from the very nodes that
// were hashed (the signature subtree is detached first). Inclusive C14N,
// which no real list uses, goes through the etree path (tree.go).

// Bounds on the parts of ds:Signature no signature covers. Real lists carry
// one to three certificates in KeyInfo (under 10 KiB) and no or a small
// UnsignedProperties (a timestamp: under 20 KiB).
const (
	maxKeyInfoBytes      = 256 << 10
	maxKeyInfoNodes      = 1024
	maxUnsignedPropBytes = 512 << 10
	maxUnsignedPropNodes = 2048
	maxSignatureValue    = 64 << 10
	maxSignatureSpace    = 4 << 10 // white space between the children of the signature's containers
	maxTreeDeclarations  = 256     // namespace declarations in a document signed under inclusive C14N
	maxSignatureNodes    = 8192    // the whole ds:Signature
	maxSignatureBytes    = 2 << 20
)

// scanLimits are the tokenizer's limits (see SECURITY.md). The signature
// is bounded while it is read: its unsigned parts are bounded below, and
// SignedInfo and SignedProperties are small.
var scanLimits = xmlscan.Limits{MaxDepth: maxDepth, Bound: &xmlscan.Bound{
	NS: NSDSig, Local: "Signature", MaxNodes: maxSignatureNodes, MaxBytes: maxSignatureBytes}}

// ScanLimits are the tokenizer's limits the verifier reads a list with, for
// a reader of unverified input that must refuse nothing the verifier
// accepts (the head of a list, read to choose how to verify it).
func ScanLimits() xmlscan.Limits { return scanLimits }

// scanDocument applies the pre-parse limits and scans data.
func scanDocument(data []byte, maxSize int64) (*xmlscan.Doc, error) {
	if err := CheckInput(data, maxSize); err != nil {
		return nil, err
	}
	doc, err := xmlscan.Parse(data, scanLimits)
	if err != nil {
		var se *xmlscan.SyntaxError
		var be *xmlscan.BoundError
		if errors.As(err, &be) {
			return nil, errAt(be.Path, ErrStructure, "unsigned content beyond the limits: %s", be.Msg)
		}
		if errors.As(err, &se) {
			return nil, errAt(se.Path, ErrMalformed, "not well-formed XML: line %d (byte %d): %s", se.Line, se.Offset, se.Msg)
		}
		return nil, errAt("/", ErrMalformed, "not well-formed XML: %v", err)
	}
	return doc, nil
}

// ScanDocument scans checked input with the limits Verify uses, for
// callers that read unverified content (the territory of a list, to choose
// the certificates to verify it with).
func ScanDocument(data []byte, maxSize int64) (xmlscan.Node, error) {
	doc, err := scanDocument(data, maxSize)
	if err != nil {
		return xmlscan.Node{}, err
	}
	return doc.Root(), nil
}

// Verify checks the enveloped signature of data and that its signer is one
// of allowed (DER certificates, compared byte for byte). On success the
// result holds the verified content; on failure the error is a *[Error].
// The result's strings alias data, which must not change afterwards.
//
// With opts.Parts set, the document is verified in one pass that hands the
// parts over as it reads them (see [Parts]).
func Verify(data []byte, allowed [][]byte, opts Options) (*Result, error) {
	if opts.Parts != nil {
		if res, ok := verifyOnePass(data, allowed, opts); ok {
			return res, nil
		}
		if opts.Parts.Reset != nil {
			opts.Parts.Reset()
		}
	}
	return verifyWhole(data, allowed, opts)
}

// verifyWhole verifies the document read whole into the arena.
func verifyWhole(data []byte, allowed [][]byte, opts Options) (*Result, error) {
	doc, err := scanDocument(data, opts.MaxSize)
	if err != nil {
		return nil, err
	}
	v := &streamVerifier{doc: doc, root: doc.Root(), allowed: allowed, opts: opts}
	v.rootPath = "/" + v.root.Name()
	if err := runSteps(v.indexIDs, v.locateSignature, v.checkSignatureShape, v.readSignature, v.classifyReferences); err != nil {
		return nil, err
	}
	if !v.exclusive() {
		return v.verifyByTree(data)
	}
	if err := runSteps(v.checkSignedProperties, v.verifySignatureValue, v.checkSigningTime, v.checkDocumentReference, v.digestDocument, v.checkPinned); err != nil {
		return nil, err
	}
	v.res.Root = v.root
	return v.res, nil
}

// runSteps runs the verifier's steps in order, up to the first error.
func runSteps(steps ...func() error) error {
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

type streamVerifier struct {
	doc      *xmlscan.Doc
	root     xmlscan.Node
	rootPath string
	allowed  [][]byte
	opts     Options

	ids     map[string][]xmlscan.Node
	sigEl   xmlscan.Node
	sigPath string
	sig     *scanSignature
	mainRef *reference
	spRef   *reference
	xp      *xadesProps
	certDER []byte
	res     *Result
}

type scanSignature struct {
	id           string
	signedInfo   xmlscan.Node
	c14n         string
	c14nPath     string
	c14nPrefixes string
	method       string
	methodPath   string
	refs         []reference
	value        []byte
	certs        [][]byte
	certPath     string
}

// indexIDs collects the elements by Id/ID/id and counts the signatures.
func (v *streamVerifier) indexIDs() error {
	v.ids = map[string][]xmlscan.Node{}
	var sigs []xmlscan.Node
	var walk func(el xmlscan.Node)
	walk = func(el xmlscan.Node) {
		for i := 0; i < el.NumAttrs(); i++ {
			a := el.Attr(i)
			if a.Prefix == "" && !a.Decl && (a.Local == "Id" || a.Local == "ID" || a.Local == "id") {
				v.ids[a.Value] = append(v.ids[a.Value], el)
			}
		}
		if el.Is(NSDSig, "Signature") {
			sigs = append(sigs, el)
		}
		for c := el.FirstElement(); c.Valid(); c = c.NextElement() {
			walk(c)
		}
	}
	walk(v.root)
	switch {
	case len(sigs) == 0:
		return errAt(v.rootPath, ErrStructure, "no ds:Signature element (the list is not signed)")
	case len(sigs) > 1:
		return errAt(v.rootPath, ErrStructure, "%d ds:Signature elements, exactly one expected", len(sigs))
	}
	v.sigEl = sigs[0]
	return nil
}

func (v *streamVerifier) locateSignature() error {
	if p := v.sigEl.Parent(); !p.Valid() || p.Index() != v.root.Index() {
		return errAt(v.sigEl.Path(), ErrStructure, "ds:Signature is not a child of the root element")
	}
	v.sigPath = v.rootPath + "/" + v.sigEl.Name()
	return nil
}

// checkSignatureShape accepts only the structure TS 119 612 lists use:
// SignedInfo, SignatureValue, KeyInfo and one ds:Object holding this
// signature's QualifyingProperties (SignedProperties and optionally
// UnsignedProperties), with the unsigned parts bounded. Nothing a reference
// covers is needed elsewhere, and unsigned content is what an attacker can
// add to a genuine list.
func (v *streamVerifier) checkSignatureShape() error {
	want := []string{"SignedInfo", "SignatureValue", "KeyInfo", "Object"}
	k := 0
	var obj xmlscan.Node
	for c, text := range v.sigEl.Content() {
		if err := v.onlySpace(c, text, v.sigPath); err != nil {
			return err
		}
		if !c.Valid() || c.Kind() != xmlscan.Element {
			continue
		}
		path := v.sigPath + "/" + c.Name()
		if c.NS() != NSDSig || k >= len(want) || c.Local() != want[k] {
			return errAt(path, ErrStructure, "element {%s}%s is not accepted here: a signature holds ds:SignedInfo, ds:SignatureValue, ds:KeyInfo and one ds:Object, in this order", c.NS(), c.Local())
		}
		switch want[k] {
		case "SignatureValue":
			if s, e := c.Span(); e-s > maxSignatureValue {
				return errAt(path, ErrStructure, "%d bytes, limit %d", e-s, maxSignatureValue)
			}
			if c.FirstElement().Valid() {
				return errAt(path, ErrStructure, "element content in SignatureValue")
			}
		case "KeyInfo":
			if err := bounded(c, path, maxKeyInfoBytes, maxKeyInfoNodes); err != nil {
				return err
			}
		case "Object":
			obj = c
		}
		k++
	}
	if k < len(want) {
		return errAt(v.sigPath, ErrStructure, "no ds:%s (a signature holds ds:SignedInfo, ds:SignatureValue, ds:KeyInfo and one ds:Object)", want[k])
	}
	objPath := v.sigPath + "/" + obj.Name()
	var qp xmlscan.Node
	for c, text := range obj.Content() {
		if err := v.onlySpace(c, text, objPath); err != nil {
			return err
		}
		if !c.Valid() || c.Kind() != xmlscan.Element {
			continue
		}
		if qp.Valid() || !c.Is(NSXAdES, "QualifyingProperties") {
			return errAt(objPath+"/"+c.Name(), ErrStructure, "element {%s}%s is not accepted here: ds:Object holds only xades:QualifyingProperties", c.NS(), c.Local())
		}
		qp = c
	}
	if !qp.Valid() {
		return errAt(objPath, ErrStructure, "no xades:QualifyingProperties")
	}
	qpPath := objPath + "/" + qp.Name()
	var sp, up bool
	for c, text := range qp.Content() {
		if err := v.onlySpace(c, text, qpPath); err != nil {
			return err
		}
		if !c.Valid() || c.Kind() != xmlscan.Element {
			continue
		}
		path := qpPath + "/" + c.Name()
		switch {
		case c.Is(NSXAdES, "SignedProperties") && !sp && !up:
			sp = true
		case c.Is(NSXAdES, "UnsignedProperties") && sp && !up:
			up = true
			if err := bounded(c, path, maxUnsignedPropBytes, maxUnsignedPropNodes); err != nil {
				return err
			}
		default:
			return errAt(path, ErrStructure, "element {%s}%s is not accepted here: QualifyingProperties holds one SignedProperties and at most one UnsignedProperties", c.NS(), c.Local())
		}
	}
	if !sp {
		return errAt(qpPath, ErrStructure, "no xades:SignedProperties")
	}
	return nil
}

// onlySpace refuses anything but short white space between the elements of
// the signature's containers.
func (v *streamVerifier) onlySpace(c xmlscan.Node, text, path string) error {
	switch {
	case !c.Valid() || c.Kind() == xmlscan.Text:
		val := text
		if c.Valid() {
			val = c.Value()
		}
		if strings.TrimSpace(val) != "" {
			return errAt(path, ErrStructure, "text content %q is not accepted here", clip(strings.TrimSpace(val)))
		}
		if len(val) > maxSignatureSpace {
			return errAt(path, ErrStructure, "%d bytes of white space, limit %d", len(val), maxSignatureSpace)
		}
		return nil
	case c.Kind() == xmlscan.Element:
		return nil
	case c.Kind() == xmlscan.Comment:
		return errAt(path, ErrStructure, "a comment is not accepted here")
	}
	return errAt(path, ErrStructure, "a processing instruction is not accepted here")
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func bounded(el xmlscan.Node, path string, maxBytes, maxNodes int) error {
	if s, e := el.Span(); e-s > maxBytes {
		return errAt(path, ErrStructure, "%d bytes of unsigned content, limit %d", e-s, maxBytes)
	}
	if n := el.Subtree(); n > maxNodes {
		return errAt(path, ErrStructure, "%d nodes of unsigned content, limit %d", n, maxNodes)
	}
	return nil
}

// children returns the child elements of el in namespace ns named local.
func scanChildren(el xmlscan.Node, ns, local string) []xmlscan.Node {
	var out []xmlscan.Node
	for c := el.FirstElement(); c.Valid(); c = c.NextElement() {
		if c.Is(ns, local) {
			out = append(out, c)
		}
	}
	return out
}

func scanExactlyOne(el xmlscan.Node, path, ns, local string) (xmlscan.Node, string, error) {
	cs := scanChildren(el, ns, local)
	if len(cs) != 1 {
		return xmlscan.Node{}, "", errAt(path, ErrStructure, "%d %s elements, exactly one expected", len(cs), local)
	}
	return cs[0], path + "/" + cs[0].Name(), nil
}

func attrOr(el xmlscan.Node, local string) string {
	v, _ := el.AttrValue(local)
	return v
}

func (v *streamVerifier) readSignature() error {
	s := &scanSignature{}
	s.id = attrOr(v.sigEl, "Id")
	si, siPath, err := scanExactlyOne(v.sigEl, v.sigPath, NSDSig, "SignedInfo")
	if err != nil {
		return err
	}
	s.signedInfo = si
	cm, cmPath, err := scanExactlyOne(si, siPath, NSDSig, "CanonicalizationMethod")
	if err != nil {
		return err
	}
	s.c14n, s.c14nPath = attrOr(cm, "Algorithm"), cmPath
	if s.c14nPrefixes, err = scanPrefixList(cm, cmPath); err != nil {
		return err
	}
	sm, smPath, err := scanExactlyOne(si, siPath, NSDSig, "SignatureMethod")
	if err != nil {
		return err
	}
	s.method, s.methodPath = attrOr(sm, "Algorithm"), smPath
	if c := sm.FirstElement(); c.Valid() {
		return errAt(smPath, ErrUnsupported, "SignatureMethod carries parameters (%s); eutl accepts only methods without them", c.Local())
	}
	refs := scanChildren(si, NSDSig, "Reference")
	if len(refs) == 0 {
		return errAt(siPath, ErrStructure, "no ds:Reference")
	}
	for i, r := range refs {
		p := siPath + "/" + r.Name() + "[" + strconv.Itoa(i+1) + "]"
		ref, err := scanReference(r, p)
		if err != nil {
			return err
		}
		s.refs = append(s.refs, ref)
	}
	sv, svPath, err := scanExactlyOne(v.sigEl, v.sigPath, NSDSig, "SignatureValue")
	if err != nil {
		return err
	}
	if s.value, err = decodeBase64(sv.Text()); err != nil {
		return errAt(svPath, ErrMalformed, "SignatureValue is not base64: %v", err)
	}
	ki, kiPath, err := scanExactlyOne(v.sigEl, v.sigPath, NSDSig, "KeyInfo")
	if err != nil {
		return err
	}
	s.certPath = kiPath + "/ds:X509Data/ds:X509Certificate"
	for _, xd := range scanChildren(ki, NSDSig, "X509Data") {
		for _, c := range scanChildren(xd, NSDSig, "X509Certificate") {
			der, err := decodeBase64(c.Text())
			if err != nil {
				return errAt(s.certPath, ErrMalformed, "certificate is not base64: %v", err)
			}
			s.certs = append(s.certs, der)
		}
	}
	if len(s.certs) == 0 {
		return errAt(kiPath, ErrStructure, "KeyInfo holds no X509Certificate")
	}
	v.sig = s
	v.res = &Result{SignatureMethod: s.method, CanonicalizationMethod: s.c14n}
	return nil
}

func scanPrefixList(el xmlscan.Node, path string) (string, error) {
	var out []string
	for c := el.FirstElement(); c.Valid(); c = c.NextElement() {
		if c.Local() != "InclusiveNamespaces" {
			return "", errAt(path, ErrStructure, "unexpected element %s", c.Name())
		}
		out = append(out, attrOr(c, "PrefixList"))
	}
	return strings.Join(out, " "), nil
}

func scanReference(r xmlscan.Node, path string) (reference, error) {
	ref := reference{path: path}
	uri, ok := r.AttrValue("URI")
	if !ok {
		return ref, errAt(path, ErrStructure, "reference without URI attribute")
	}
	ref.uri = uri
	ref.typ = attrOr(r, "Type")
	dm, dmPath, err := scanExactlyOne(r, path, NSDSig, "DigestMethod")
	if err != nil {
		return ref, err
	}
	ref.digestMethod = attrOr(dm, "Algorithm")
	if _, err := lookupDigest(ref.digestMethod); err != nil {
		return ref, &Error{Path: dmPath, Err: err}
	}
	dv, dvPath, err := scanExactlyOne(r, path, NSDSig, "DigestValue")
	if err != nil {
		return ref, err
	}
	if ref.digest, err = decodeBase64(dv.Text()); err != nil {
		return ref, errAt(dvPath, ErrMalformed, "DigestValue is not base64: %v", err)
	}
	ts := scanChildren(r, NSDSig, "Transforms")
	if len(ts) > 1 {
		return ref, errAt(path, ErrStructure, "%d Transforms elements", len(ts))
	}
	if len(ts) == 1 {
		i := 0
		for t := ts[0].FirstElement(); t.Valid(); t = t.NextElement() {
			i++
			tp := path + "/ds:Transforms/ds:Transform[" + strconv.Itoa(i) + "]"
			if !t.Is(NSDSig, "Transform") {
				return ref, errAt(tp, ErrStructure, "unexpected element %s in Transforms", t.Name())
			}
			if err := ref.addTransform(i, attrOr(t, "Algorithm"), tp, func() (string, error) { return scanPrefixList(t, tp) }); err != nil {
				return ref, err
			}
		}
	}
	ref.defaultC14N()
	return ref, nil
}

// classifyReferences finds the two references: the document and this
// signature's SignedProperties.
func (v *streamVerifier) classifyReferences() error {
	for i := range v.sig.refs {
		r := &v.sig.refs[i]
		if r.typ == SignedPropertiesType {
			if v.spRef != nil {
				return errAt(r.path, ErrStructure, "a second SignedProperties reference")
			}
			v.spRef = r
			continue
		}
		if r.typ != "" {
			return errAt(r.path, ErrStructure, "reference Type %q not accepted", r.typ)
		}
		if v.mainRef != nil {
			return errAt(r.path, ErrStructure, "a second reference to the document (URI %q)", r.uri)
		}
		v.mainRef = r
	}
	if v.mainRef == nil {
		return errAt(v.sigPath+"/ds:SignedInfo", ErrStructure, "no reference to the document (URI=\"\" or \"#\" + root Id)")
	}
	if v.spRef == nil {
		return errAt(v.sigPath+"/ds:SignedInfo", ErrStructure, "no reference to XAdES SignedProperties")
	}
	v.res.DigestMethod = v.mainRef.digestMethod
	v.res.ReferenceURI = v.mainRef.uri
	return nil
}

// exclusive reports whether the document reference uses exclusive c14n (or
// an unknown method, which the streaming path refuses with the right
// error). SignedInfo and SignedProperties under inclusive C14N (AT and LI
// sign SignedProperties so) are small and canonicalized by goxmldsig from an
// etree copy of their subtree (see canonicalSubtree).
func (v *streamVerifier) exclusive() bool {
	m, err := lookupC14N(v.mainRef.c14n)
	return err != nil || m.kind == 0
}

// canonicalSubtree returns the canonical form of el under m: exclusive c14n
// from the arena, inclusive C14N 1.0/1.1 by goxmldsig on an etree copy of
// el with its ancestors' namespace declarations and xml:* attributes.
func canonicalSubtree(el xmlscan.Node, m c14nMethod, prefixes string) ([]byte, error) {
	if m.kind == 0 {
		return scanCanonical(el, xmlscan.Node{}, prefixes, m.comments, false)
	}
	cp := toEtree(el)
	child := cp
	for p := el.Parent(); p.Valid(); p = p.Parent() {
		anc := etree.NewElement(p.Local())
		anc.Space = p.Prefix()
		copyAttrs(anc, p)
		anc.AddChild(child)
		child = anc
	}
	return canonicalizeSubtree(cp, m, prefixes)
}

// toEtree copies the subtree of n into an etree element.
func toEtree(n xmlscan.Node) *etree.Element {
	el := etree.NewElement(n.Local())
	el.Space = n.Prefix()
	copyAttrs(el, n)
	for c, text := range n.Content() {
		if !c.Valid() {
			el.AddChild(etree.NewText(text))
			continue
		}
		switch c.Kind() {
		case xmlscan.Element:
			el.AddChild(toEtree(c))
		case xmlscan.Text:
			el.AddChild(etree.NewText(c.Value()))
		case xmlscan.Comment:
			el.AddChild(etree.NewComment(c.Value()))
		case xmlscan.ProcInst:
			el.AddChild(etree.NewProcInst(c.Name(), c.Value()))
		}
	}
	return el
}

func copyAttrs(el *etree.Element, n xmlscan.Node) {
	for i := 0; i < n.NumAttrs(); i++ {
		a := n.Attr(i)
		switch {
		case a.Decl && a.Prefix == "":
			el.CreateAttr("xmlns", a.Value)
		case a.Decl:
			el.CreateAttr("xmlns:"+a.Local, a.Value)
		default:
			el.CreateAttr(a.Name, a.Value)
		}
	}
}

// verifyByTree verifies a signature using inclusive C14N on the etree path,
// and builds the content from the serialisation of the tree it digested.
func (v *streamVerifier) verifyByTree(data []byte) (*Result, error) {
	// The tree path's namespace lookups scan the declarations in scope: it
	// takes only documents with as few as real lists carry (about 10).
	if n := v.doc.Declarations(); n > maxTreeDeclarations {
		return nil, errAt(v.mainRef.path, ErrUnsupported, "inclusive canonicalization of a document with %d namespace declarations (limit %d)", n, maxTreeDeclarations)
	}
	res, root, err := verifyTree(data, v.allowed, v.opts)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	root.WriteTo(&buf, &canonicalWrite)
	doc, err := xmlscan.Parse(buf.Bytes(), scanLimits)
	if err != nil {
		return nil, errAt("/", ErrMalformed, "reading the verified content: %v", err)
	}
	res.Root = doc.Root()
	return res, nil
}

// checkSignedProperties: place, digest and content of XAdES SignedProperties.
func (v *streamVerifier) checkSignedProperties() error {
	r := v.spRef
	if r.enveloped {
		return errAt(r.path, ErrStructure, "SignedProperties reference must not use the enveloped-signature transform")
	}
	if !strings.HasPrefix(r.uri, "#") || len(r.uri) < 2 {
		return errAt(r.path, ErrStructure, "SignedProperties reference URI %q is not \"#\" + Id", r.uri)
	}
	id := r.uri[1:]
	els := v.ids[id]
	if len(els) != 1 {
		return errAt(r.path, ErrStructure, "Id %q appears %d times in the document, exactly once expected", id, len(els))
	}
	sp := els[0]
	if !sp.Is(NSXAdES, "SignedProperties") {
		return errAt(r.path, ErrStructure, "URI %q names {%s}%s, not xades:SignedProperties", r.uri, sp.NS(), sp.Local())
	}
	qp := sp.Parent()
	if !qp.Valid() || !qp.Is(NSXAdES, "QualifyingProperties") {
		return errAt(r.path, ErrStructure, "SignedProperties %q is not inside xades:QualifyingProperties", id)
	}
	obj := qp.Parent()
	if !obj.Valid() || !obj.Is(NSDSig, "Object") || obj.Parent().Index() != v.sigEl.Index() {
		return errAt(r.path, ErrStructure, "SignedProperties %q is not inside a ds:Object of this signature", id)
	}
	sigID := v.sig.id
	if sigID == "" {
		return errAt(r.path, ErrStructure, "ds:Signature has no Id for QualifyingProperties to target")
	}
	if t := attrOr(qp, "Target"); t != "#"+sigID {
		return errAt(r.path, ErrStructure, "QualifyingProperties Target %q does not name this signature (#%s)", t, sigID)
	}
	if n := len(v.ids[sigID]); n != 1 {
		return errAt(r.path, ErrStructure, "signature Id %q appears %d times", sigID, n)
	}
	r.targetPath = sp.Path()
	// A bare-name #Id reference excludes comments.
	m, _ := lookupC14N(r.c14n) // checked in scanReference
	m.comments = false
	canon, err := canonicalSubtree(sp, m, r.prefixes)
	if err != nil {
		return errAt(r.path, ErrMalformed, "canonicalizing SignedProperties: %v", err)
	}
	h, _ := lookupDigest(r.digestMethod)
	hh := h.New()
	hh.Write(canon)
	if !bytes.Equal(hh.Sum(nil), r.digest) {
		return errAt(r.path, ErrDigestMismatch, "XAdES SignedProperties were changed after signing")
	}
	xp, err := scanSignedProperties(sp, r.targetPath)
	if err != nil {
		return err
	}
	v.xp = xp
	return nil
}

func scanCanonical(el, skip xmlscan.Node, prefixes string, comments, document bool) ([]byte, error) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := xmlscan.ExcC14N(w, el, skip, prefixes, comments, document); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (v *streamVerifier) pinned(der []byte) bool {
	return isAllowed(der, v.allowed, v.opts.AllowedSHA256)
}

// verifySignatureValue checks SignatureValue over the canonical SignedInfo,
// made by the key of one of the XAdES-named KeyInfo certificates (a pinned
// one first). Further KeyInfo certificates are never used.
func (v *streamVerifier) verifySignatureValue() error {
	s := v.sig
	candidates, err := v.xp.signerCandidates(s.certs)
	if err != nil {
		return err
	}
	m, err := lookupSignatureMethod(s.method)
	if err != nil {
		return &Error{Path: s.methodPath, Err: err}
	}
	c14n, err := lookupC14N(s.c14n)
	if err != nil {
		return &Error{Path: s.c14nPath, Err: err}
	}
	signedInfo, err := canonicalSubtree(s.signedInfo, c14n, s.c14nPrefixes)
	if err != nil {
		return errAt(s.c14nPath, ErrMalformed, "canonicalizing SignedInfo: %v", err)
	}
	// Pinned candidates first, order kept otherwise.
	ordered := make([][]byte, 0, len(candidates))
	for _, pass := range []bool{true, false} {
		for _, der := range candidates {
			if v.pinned(der) == pass {
				ordered = append(ordered, der)
			}
		}
	}
	var sigErr error
	for _, der := range ordered {
		info, err := ParseCertInfo(der)
		if err != nil {
			sigErr = errAt(s.certPath, ErrMalformed, "KeyInfo certificate: %v", err)
			continue
		}
		if err := verifySignature(info, m, signedInfo, s.value); err != nil {
			sigErr = &Error{Path: v.sigPath + "/ds:SignatureValue", Err: err}
			continue
		}
		v.certDER, v.res.Signer = der, info
		sum := sha256.Sum256(der)
		v.res.SignerSHA256 = hex.EncodeToString(sum[:])
		return nil
	}
	if sigErr == nil {
		sigErr = errAt(v.sigPath+"/ds:SignatureValue", ErrBadSignature, "")
	}
	return sigErr
}

func (v *streamVerifier) checkSigningTime() error {
	if err := v.xp.checkTime(v.res.Signer); err != nil {
		return err
	}
	v.res.SigningTime, v.res.SigningCertificateV2 = v.xp.signingTime, v.xp.v2
	return nil
}

func (v *streamVerifier) checkDocumentReference() error {
	return checkDocumentRef(v.mainRef, attrOr(v.root, "Id"), func(id string) int { return len(v.ids[id]) })
}

// digestDocument applies the enveloped-signature transform (the signature
// subtree is detached from the arena, so nothing read later can come from
// it) and hashes the exclusive canonical form of what remains.
func (v *streamVerifier) digestDocument() error {
	r := v.mainRef
	h, err := lookupDigest(r.digestMethod)
	if err != nil {
		return &Error{Path: r.path + "/ds:DigestMethod", Err: err}
	}
	v.doc.Detach(v.sigEl)
	hw := h.New()
	bw := bufio.NewWriterSize(hw, 64<<10)
	// URI="" digests the document (processing instructions around the root
	// included), "#Id" the root element; both without comments.
	if err := xmlscan.ExcC14N(bw, v.root, xmlscan.Node{}, r.prefixes, false, r.uri == ""); err != nil {
		return errAt(r.path, ErrMalformed, "canonicalizing the document: %v", err)
	}
	if !bytes.Equal(hw.Sum(nil), r.digest) {
		return errAt(r.path, ErrDigestMismatch, "the signed document was changed after signing")
	}
	return nil
}

// checkPinned: the KeyInfo certificate must be one the caller allows.
func (v *streamVerifier) checkPinned() error {
	if !v.pinned(v.certDER) {
		return errAt(v.sig.certPath, ErrUntrustedSigner, "signed by %q (SHA-256 %s), which is not among the %d allowed certificate(s)", v.res.Signer.Subject, v.res.SignerSHA256, len(v.allowed)+len(v.opts.AllowedSHA256))
	}
	return nil
}
