package xmldsig

import (
	"bytes"

	"github.com/eutl/eutl/internal/xmlscan"
)

// DecodeBase64 exposes the lenient base64 reader to the external tests.
var DecodeBase64 = decodeBase64

// VerifyTree is the etree verifier, the reference of the differential tests.
func VerifyTree(data []byte, allowed [][]byte, opts Options) (*Result, error) {
	res, _, err := verifyTree(data, allowed, opts)
	return res, err
}

// StreamCanonical is the exclusive canonical form of data's document by the
// streaming path: with the signature detached and without comments as
// Verify digests it (enveloped), or the whole document with comments.
func StreamCanonical(data []byte, enveloped bool) ([]byte, error) {
	doc, err := scanDocument(data, 0)
	if err != nil {
		return nil, err
	}
	root := doc.Root()
	if !enveloped {
		return scanCanonical(root, xmlscan.Node{}, "", true, true)
	}
	for c := root.FirstElement(); c.Valid(); c = c.NextElement() {
		if c.Is(NSDSig, "Signature") {
			doc.Detach(c)
			break
		}
	}
	return scanCanonical(root, xmlscan.Node{}, "", false, true)
}

// TreeCanonical is the enveloped form by the etree path.
func TreeCanonical(data []byte) ([]byte, error) {
	doc, err := ParseDocument(data, 0)
	if err != nil {
		return nil, err
	}
	root := doc.Root()
	for _, c := range root.ChildElements() {
		if c.Tag == "Signature" && c.NamespaceURI() == NSDSig {
			root.RemoveChild(c)
			break
		}
	}
	var buf bytes.Buffer
	m, _ := lookupC14N(ExcC14N)
	if err := canonicalizeDocument(&buf, doc, root, m, ""); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// VerifyOnePass runs the one-pass verifier alone; ok is false when it gives
// up (Verify would then verify the document whole).
func VerifyOnePass(data []byte, allowed [][]byte, opts Options) (*Result, bool) {
	return verifyOnePass(data, allowed, opts)
}

// VerifyWhole is the verifier of the document read whole.
func VerifyWhole(data []byte, allowed [][]byte, opts Options) (*Result, error) {
	return verifyWhole(data, allowed, opts)
}

// Locate is the one-pass locator: the byte span of the root's ds:Signature.
func Locate(data []byte) (start, end int, ok bool) {
	loc, ok := locate(data)
	return loc.sigStart, loc.sigEnd, ok
}
