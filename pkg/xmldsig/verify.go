// Package xmldsig verifies the enveloped XMLDSig signature with XAdES
// baseline-B properties that ETSI TS 119 612 Trusted Lists carry.
//
// goxmldsig's own Validate cannot do this job (it stops at 1000 elements,
// checks only the reference to the root, knows no XAdES, RSA-PSS or raw r||s
// ECDSA). This package keeps goxmldsig for canonicalization and does the rest:
//
//   - input limits before parsing: size, empty input, invalid UTF-8, any
//     DOCTYPE or entity declaration (refused, nothing expanded), non-UTF-8
//     encodings, duplicate attributes, depth;
//   - exactly one ds:Signature, a child of the root element;
//   - every Reference verified, and only two kinds accepted: the whole
//     document (URI="" or "#"+root Id) with enveloped-signature and a c14n
//     transform, and the XAdES SignedProperties of this very signature;
//   - RSA PKCS#1 v1.5, RSA-PSS (MGF1, salt = hash length), ECDSA with raw
//     r||s on P-256/384/521 and brainpoolP256r1/P384r1/P512r1; SHA-224 to
//     SHA-512; SHA-1 and HMAC refused;
//   - XAdES SigningCertificate(V2) digest equal to the KeyInfo certificate,
//     SigningTime inside that certificate's validity;
//   - the signer certificate byte-identical to one the caller allows (pinning,
//     no chain building).
//
// [Verify] returns the verified content: the document element exactly as it
// was digested, with the signature removed. Callers must read the list from
// [Result.Root] and never from their own parse of the input.
package xmldsig

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/beevik/etree"

	"github.com/eutl/eutl/internal/xmlscan"
)

// Sentinel errors; every error returned by [Verify] is a *[Error] wrapping
// one of them.
var (
	ErrMalformed       = errors.New("malformed input")
	ErrTooLarge        = errors.New("input too large")
	ErrStructure       = errors.New("signature structure not accepted")
	ErrUnsupported     = errors.New("unsupported algorithm")
	ErrDigestMismatch  = errors.New("digest mismatch")
	ErrBadSignature    = errors.New("signature value invalid")
	ErrKeyMismatch     = errors.New("key does not fit the signature method")
	ErrUntrustedSigner = errors.New("signer certificate not allowed")
	ErrSigningCert     = errors.New("XAdES signing certificate mismatch")
	ErrSigningTime     = errors.New("XAdES signing time not acceptable")
)

// Error is a verification failure at one place of the document.
type Error struct {
	// Path is an XPath-like location, e.g.
	// /TrustServiceStatusList/ds:Signature/ds:SignedInfo/ds:Reference[1].
	Path string
	Err  error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

func errAt(path string, sentinel error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if msg == "" {
		return &Error{Path: path, Err: sentinel}
	}
	return &Error{Path: path, Err: fmt.Errorf("%w: %s", sentinel, msg)}
}

// DefaultMaxSize is the largest input accepted unless Options.MaxSize says
// otherwise: well above the largest real list (DE, over 4 MiB).
const DefaultMaxSize = 64 << 20

// maxDepth bounds element nesting; real lists nest about 15 deep.
const maxDepth = 128

// Options tune [Verify].
type Options struct {
	// MaxSize is the largest input in bytes (default DefaultMaxSize).
	MaxSize int64
	// AllowedSHA256 are further allowed signers, named by the SHA-256 of
	// their DER encoding (lower-case hex), as the built-in trust anchors are.
	AllowedSHA256 []string
	// Parts, when set, has the document verified in one pass that hands
	// these parts over as they are read (see [Parts]).
	Parts *Parts
}

// Result is a verified signature and the content it covers.
type Result struct {
	// Root is the document element as digested, without the signature and
	// without the parts handed over to Options.Parts. Its strings alias the
	// verified input.
	Root xmlscan.Node
	// Signer is the KeyInfo certificate, byte-identical to an allowed one.
	Signer *CertInfo
	// SignerSHA256 is the SHA-256 fingerprint of Signer.Raw, lower-case hex.
	SignerSHA256           string
	SignatureMethod        string
	DigestMethod           string
	CanonicalizationMethod string
	// ReferenceURI is the URI of the reference to the document ("" or "#Id").
	ReferenceURI string
	SigningTime  time.Time
	// SigningCertificateV2 reports whether XAdES SigningCertificateV2 was used.
	SigningCertificateV2 bool
}

// AlgorithmName returns the short name of the signature method, e.g. "rsa-sha512".
func (r *Result) AlgorithmName() string { return ShortName(r.SignatureMethod) }

// ShortName returns the fragment of an algorithm URI ("rsa-sha256").
func ShortName(uri string) string {
	if i := strings.LastIndexByte(uri, '#'); i >= 0 {
		return uri[i+1:]
	}
	return uri
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// CheckInput applies the pre-parse limits to raw input: size, emptiness,
// UTF-8, no DOCTYPE or entity declarations, no non-UTF-8 encoding.
func CheckInput(data []byte, maxSize int64) error { return checkInput(data, maxSize, true) }

// checkInput is CheckInput; without chars it leaves the UTF-8 and NUL
// checks to the scanner, which makes them as it reads (the one pass: any
// failure there sends the document to the whole verifier, whose CheckInput
// reports it).
func checkInput(data []byte, maxSize int64, chars bool) error {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if int64(len(data)) > maxSize {
		return errAt("/", ErrTooLarge, "%d bytes, limit %d", len(data), maxSize)
	}
	body := bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(body)) == 0 {
		return errAt("/", ErrMalformed, "empty document")
	}
	if len(body) >= 2 && (body[0] == 0xFE && body[1] == 0xFF || body[0] == 0xFF && body[1] == 0xFE || body[0] == 0 || body[1] == 0) {
		return errAt("/", ErrMalformed, "document is UTF-16 or UTF-32; only UTF-8 is accepted")
	}
	if chars && !utf8.Valid(body) {
		off := 0
		for off < len(body) {
			r, n := utf8.DecodeRune(body[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return errAt("/", ErrMalformed, "invalid UTF-8 at byte offset %d", off+len(data)-len(body))
	}
	if chars && bytes.IndexByte(body, 0) >= 0 {
		return errAt("/", ErrMalformed, "NUL byte in document")
	}
	// Markup declarations in any case, anywhere (inside comments and CDATA
	// sections too): only comments and CDATA sections start with "<!".
	for off := 0; ; {
		i := bytes.Index(body[off:], []byte("<!"))
		if i < 0 {
			break
		}
		i += off
		rest := body[i+2:]
		off = i + 2
		if bytes.HasPrefix(rest, []byte("--")) || bytes.HasPrefix(rest, []byte("[CDATA[")) {
			continue
		}
		word := rest
		if j := bytes.IndexAny(word, " \t\r\n>[<"); j >= 0 {
			word = word[:j]
		}
		if len(word) > 40 {
			word = word[:40]
		}
		at := i + len(data) - len(body)
		switch {
		case bytes.EqualFold(word, []byte("DOCTYPE")):
			return errAt("/", ErrMalformed, "DOCTYPE declaration at byte %d refused (no DTDs or entities are processed)", at)
		case bytes.EqualFold(word, []byte("ENTITY")):
			return errAt("/", ErrMalformed, "ENTITY declaration at byte %d refused", at)
		}
		return errAt("/", ErrMalformed, "markup declaration <!%s> at byte %d refused (no DTDs or entities are processed)", word, at)
	}
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) != len(body) && bytes.HasPrefix(trimmed, []byte("<?xml")) {
		return errAt("/", ErrMalformed, "white space before the XML declaration (it must be the first thing in the document)")
	}
	if bytes.HasPrefix(body, []byte("<?xml")) {
		end := bytes.Index(body, []byte("?>"))
		if end > 0 {
			if m := encodingDecl.FindSubmatch(body[:end]); m != nil {
				if enc := string(m[1]); !strings.EqualFold(enc, "UTF-8") && !strings.EqualFold(enc, "UTF8") {
					return errAt("/", ErrMalformed, "encoding %q declared; only UTF-8 is accepted", enc)
				}
			}
		}
	}
	return nil
}

// encodingDecl finds the encoding of an XML declaration (white space is
// allowed around "=").
var encodingDecl = regexp.MustCompile(`\sencoding\s*=\s*["']([^"']*)["']`)

// ParseDocument parses checked input into an element tree with the limits
// this package relies on.
func ParseDocument(data []byte, maxSize int64) (*etree.Document, error) {
	if err := CheckInput(data, maxSize); err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{PreserveDuplicateAttrs: true, MaxDepth: maxDepth}
	if err := doc.ReadFromBytes(bytes.TrimPrefix(data, utf8BOM)); err != nil {
		return nil, errAt("/", ErrMalformed, "not well-formed XML: %v", err)
	}
	var roots int
	for _, t := range doc.Child {
		switch t := t.(type) {
		case *etree.Element:
			roots++
		case *etree.CharData:
			if strings.TrimSpace(t.Data) != "" {
				return nil, errAt("/", ErrMalformed, "text outside the root element")
			}
		case *etree.Directive:
			return nil, errAt("/", ErrMalformed, "directive <!%s> refused", firstWord(t.Data))
		}
	}
	if roots != 1 {
		return nil, errAt("/", ErrMalformed, "%d root elements, expected 1", roots)
	}
	return doc, nil
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// docIndex is what one walk over the tree collects.
type docIndex struct {
	ids        map[string][]*etree.Element // Id / ID / id values
	signatures []*etree.Element
}

func indexDocument(root *etree.Element) (*docIndex, error) {
	ix := &docIndex{ids: map[string][]*etree.Element{}}
	seen := map[string]bool{}
	var walk func(el *etree.Element) error
	walk = func(el *etree.Element) error {
		if len(el.Attr) > 1 {
			clear(seen)
			for _, a := range el.Attr {
				k := a.Space + ":" + a.Key
				if seen[k] {
					return errAt(el.GetPath(), ErrMalformed, "duplicate attribute %s", a.FullKey())
				}
				seen[k] = true
			}
		}
		for _, a := range el.Attr {
			if a.Space == "" && (a.Key == "Id" || a.Key == "ID" || a.Key == "id") {
				ix.ids[a.Value] = append(ix.ids[a.Value], el)
			}
		}
		if el.Tag == "Signature" && el.NamespaceURI() == NSDSig {
			ix.signatures = append(ix.signatures, el)
		}
		for _, t := range el.Child {
			if c, ok := t.(*etree.Element); ok {
				if err := walk(c); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return ix, walk(root)
}

func isAllowed(der []byte, allowed [][]byte, fingerprints []string) bool {
	for _, a := range allowed {
		if bytes.Equal(a, der) {
			return true
		}
	}
	if len(fingerprints) > 0 {
		sum := sha256.Sum256(der)
		fp := hex.EncodeToString(sum[:])
		for _, f := range fingerprints {
			if strings.EqualFold(f, fp) {
				return true
			}
		}
	}
	return false
}

// canonicalizeElement digests the root element alone (URI="#Id"): no
// processing instructions around it, no comments.
func canonicalizeElement(w io.Writer, root *etree.Element, m c14nMethod, prefixes string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	m.comments = false
	if err := canonicalizeTo(bw, root, m, prefixes); err != nil {
		return err
	}
	return bw.Flush()
}

type reference struct {
	path         string
	uri          string
	typ          string
	digestMethod string
	digest       []byte
	c14n         string // the canonicalization transform
	prefixes     string
	enveloped    bool
	targetPath   string
}

type signature struct {
	id           string
	signedInfo   *etree.Element
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

// children returns the child elements of el in namespace ns named local.
func children(el *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

func exactlyOne(el *etree.Element, path, ns, local string) (*etree.Element, string, error) {
	cs := children(el, ns, local)
	if len(cs) != 1 {
		return nil, "", errAt(path, ErrStructure, "%d %s elements, exactly one expected", len(cs), local)
	}
	return cs[0], path + "/" + cs[0].FullTag(), nil
}

func readSignature(sigEl *etree.Element, sigPath string) (*signature, error) {
	s := &signature{}
	s.id = sigEl.SelectAttrValue("Id", "")
	si, siPath, err := exactlyOne(sigEl, sigPath, NSDSig, "SignedInfo")
	if err != nil {
		return nil, err
	}
	s.signedInfo = si
	cm, cmPath, err := exactlyOne(si, siPath, NSDSig, "CanonicalizationMethod")
	if err != nil {
		return nil, err
	}
	s.c14n, s.c14nPath = cm.SelectAttrValue("Algorithm", ""), cmPath
	if s.c14nPrefixes, err = prefixList(cm, cmPath); err != nil {
		return nil, err
	}
	sm, smPath, err := exactlyOne(si, siPath, NSDSig, "SignatureMethod")
	if err != nil {
		return nil, err
	}
	s.method, s.methodPath = sm.SelectAttrValue("Algorithm", ""), smPath
	if len(sm.ChildElements()) > 0 {
		return nil, errAt(smPath, ErrUnsupported, "SignatureMethod carries parameters (%s); eutl accepts only methods without them", sm.ChildElements()[0].Tag)
	}
	refs := children(si, NSDSig, "Reference")
	if len(refs) == 0 {
		return nil, errAt(siPath, ErrStructure, "no ds:Reference")
	}
	for i, r := range refs {
		p := siPath + "/" + r.FullTag() + "[" + strconv.Itoa(i+1) + "]"
		ref, err := readReference(r, p)
		if err != nil {
			return nil, err
		}
		s.refs = append(s.refs, ref)
	}
	sv, svPath, err := exactlyOne(sigEl, sigPath, NSDSig, "SignatureValue")
	if err != nil {
		return nil, err
	}
	if s.value, err = decodeBase64(textContent(sv)); err != nil {
		return nil, errAt(svPath, ErrMalformed, "SignatureValue is not base64: %v", err)
	}
	ki, kiPath, err := exactlyOne(sigEl, sigPath, NSDSig, "KeyInfo")
	if err != nil {
		return nil, err
	}
	s.certPath = kiPath + "/ds:X509Data/ds:X509Certificate"
	for _, xd := range children(ki, NSDSig, "X509Data") {
		for _, c := range children(xd, NSDSig, "X509Certificate") {
			der, err := decodeBase64(textContent(c))
			if err != nil {
				return nil, errAt(s.certPath, ErrMalformed, "certificate is not base64: %v", err)
			}
			s.certs = append(s.certs, der)
		}
	}
	if len(s.certs) == 0 {
		return nil, errAt(kiPath, ErrStructure, "KeyInfo holds no X509Certificate")
	}
	return s, nil
}

func prefixList(el *etree.Element, path string) (string, error) {
	var out []string
	for _, c := range el.ChildElements() {
		if c.Tag != "InclusiveNamespaces" {
			return "", errAt(path, ErrStructure, "unexpected element %s", c.FullTag())
		}
		out = append(out, c.SelectAttrValue("PrefixList", ""))
	}
	return strings.Join(out, " "), nil
}

func readReference(r *etree.Element, path string) (reference, error) {
	ref := reference{path: path}
	uri := r.SelectAttr("URI")
	if uri == nil {
		return ref, errAt(path, ErrStructure, "reference without URI attribute")
	}
	ref.uri = uri.Value
	ref.typ = r.SelectAttrValue("Type", "")
	dm, dmPath, err := exactlyOne(r, path, NSDSig, "DigestMethod")
	if err != nil {
		return ref, err
	}
	ref.digestMethod = dm.SelectAttrValue("Algorithm", "")
	if _, err := lookupDigest(ref.digestMethod); err != nil {
		return ref, &Error{Path: dmPath, Err: err}
	}
	dv, dvPath, err := exactlyOne(r, path, NSDSig, "DigestValue")
	if err != nil {
		return ref, err
	}
	if ref.digest, err = decodeBase64(textContent(dv)); err != nil {
		return ref, errAt(dvPath, ErrMalformed, "DigestValue is not base64: %v", err)
	}
	ts := children(r, NSDSig, "Transforms")
	if len(ts) > 1 {
		return ref, errAt(path, ErrStructure, "%d Transforms elements", len(ts))
	}
	if len(ts) == 1 {
		for i, t := range ts[0].ChildElements() {
			tp := path + "/ds:Transforms/ds:Transform[" + strconv.Itoa(i+1) + "]"
			if t.Tag != "Transform" || t.NamespaceURI() != NSDSig {
				return ref, errAt(tp, ErrStructure, "unexpected element %s in Transforms", t.FullTag())
			}
			if err := ref.addTransform(i+1, t.SelectAttrValue("Algorithm", ""), tp, func() (string, error) { return prefixList(t, tp) }); err != nil {
				return ref, err
			}
		}
	}
	ref.defaultC14N()
	return ref, nil
}

// addTransform takes the i-th (from 1) Transform of a Reference, at path tp:
// enveloped-signature first, then at most one canonicalization (with its
// InclusiveNamespaces PrefixList, read by prefixes); anything else (XPath,
// XSLT) is refused, never run. Both the streaming and the tree verifier
// decide through it.
func (ref *reference) addTransform(i int, alg, tp string, prefixes func() (string, error)) error {
	if alg == EnvelopedSignature {
		if i != 1 {
			return errAt(tp, ErrStructure, "enveloped-signature must be the first transform")
		}
		ref.enveloped = true
		return nil
	}
	if _, err := lookupC14N(alg); err != nil {
		return errAt(tp, ErrUnsupported, "transform %q is not accepted (only enveloped-signature and canonicalization; XPath and XSLT are never run)", alg)
	}
	if ref.c14n != "" {
		return errAt(tp, ErrStructure, "a second canonicalization transform")
	}
	ref.c14n = alg
	var err error
	ref.prefixes, err = prefixes()
	return err
}

// defaultC14N applies the canonicalization a Reference without one gets.
func (ref *reference) defaultC14N() {
	if ref.c14n == "" {
		ref.c14n = C14N10 // the default when no canonicalization transform is given
	}
}

func checkMainRefTarget(r *reference, root *etree.Element, ix *docIndex) error {
	return checkDocumentRef(r, root.SelectAttrValue("Id", ""), func(id string) int { return len(ix.ids[id]) })
}

// checkDocumentRef: the reference to the document is enveloped and names
// the whole document (URI "") or the root by its Id, which no other element
// bears (idCount says how many elements bear an Id). The whole, the
// one-pass and the tree verifier share it.
func checkDocumentRef(r *reference, rootID string, idCount func(string) int) error {
	if !r.enveloped {
		return errAt(r.path, ErrStructure, "reference to the document lacks the enveloped-signature transform")
	}
	switch {
	case r.uri == "":
	case strings.HasPrefix(r.uri, "#"):
		id := r.uri[1:]
		if rootID == "" || id != rootID {
			return errAt(r.path, ErrStructure, "reference URI %q names an element other than the root (root Id %q); only the whole list may be signed", r.uri, rootID)
		}
		if n := idCount(id); n != 1 {
			return errAt(r.path, ErrStructure, "Id %q appears %d times in the document", id, n)
		}
	default:
		return errAt(r.path, ErrStructure, "reference URI %q is not same-document", r.uri)
	}
	return nil
}

func locateSignedProperties(r *reference, sigEl *etree.Element, sigID string, ix *docIndex) (*etree.Element, error) {
	if r.enveloped {
		return nil, errAt(r.path, ErrStructure, "SignedProperties reference must not use the enveloped-signature transform")
	}
	if !strings.HasPrefix(r.uri, "#") || len(r.uri) < 2 {
		return nil, errAt(r.path, ErrStructure, "SignedProperties reference URI %q is not \"#\" + Id", r.uri)
	}
	id := r.uri[1:]
	els := ix.ids[id]
	if len(els) != 1 {
		return nil, errAt(r.path, ErrStructure, "Id %q appears %d times in the document, exactly once expected", id, len(els))
	}
	sp := els[0]
	if sp.Tag != "SignedProperties" || sp.NamespaceURI() != NSXAdES {
		return nil, errAt(r.path, ErrStructure, "URI %q names {%s}%s, not xades:SignedProperties", r.uri, sp.NamespaceURI(), sp.Tag)
	}
	qp := sp.Parent()
	if qp == nil || qp.Tag != "QualifyingProperties" || qp.NamespaceURI() != NSXAdES {
		return nil, errAt(r.path, ErrStructure, "SignedProperties %q is not inside xades:QualifyingProperties", id)
	}
	obj := qp.Parent()
	if obj == nil || obj.Tag != "Object" || obj.NamespaceURI() != NSDSig || obj.Parent() != sigEl {
		return nil, errAt(r.path, ErrStructure, "SignedProperties %q is not inside a ds:Object of this signature", id)
	}
	if sigID == "" {
		return nil, errAt(r.path, ErrStructure, "ds:Signature has no Id for QualifyingProperties to target")
	}
	if t := qp.SelectAttrValue("Target", ""); t != "#"+sigID {
		return nil, errAt(r.path, ErrStructure, "QualifyingProperties Target %q does not name this signature (#%s)", t, sigID)
	}
	if n := len(ix.ids[sigID]); n != 1 {
		return nil, errAt(r.path, ErrStructure, "signature Id %q appears %d times", sigID, n)
	}
	r.targetPath = sp.GetPath()
	return sp, nil
}

// checkDigest verifies a reference to an element by Id.
func checkDigest(r *reference, sp *etree.Element) error {
	m, _ := lookupC14N(r.c14n)
	m.comments = false // a bare-name #Id reference excludes comments
	canon, err := canonicalizeSubtree(sp, m, r.prefixes)
	if err != nil {
		return errAt(r.path, ErrMalformed, "canonicalizing SignedProperties: %v", err)
	}
	h, _ := lookupDigest(r.digestMethod)
	hh := h.New()
	hh.Write(canon)
	if !bytes.Equal(hh.Sum(nil), r.digest) {
		return errAt(r.path, ErrDigestMismatch, "XAdES SignedProperties were changed after signing")
	}
	return nil
}
