package xmldsig

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"sort"

	"github.com/beevik/etree"
)

// verifyTree is the etree verifier, kept for inclusive C14N (which no real
// list uses) and as the reference the streaming verifier is tested against.
// It returns the digested root element, without the signature.
func verifyTree(data []byte, allowed [][]byte, opts Options) (*Result, *etree.Element, error) {
	doc, err := ParseDocument(data, opts.MaxSize)
	if err != nil {
		return nil, nil, err
	}
	root := doc.Root()
	rootPath := "/" + root.FullTag()
	ix, err := indexDocument(root)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case len(ix.signatures) == 0:
		return nil, nil, errAt(rootPath, ErrStructure, "no ds:Signature element (the list is not signed)")
	case len(ix.signatures) > 1:
		return nil, nil, errAt(rootPath, ErrStructure, "%d ds:Signature elements, exactly one expected", len(ix.signatures))
	}
	sigEl := ix.signatures[0]
	if sigEl.Parent() != root {
		return nil, nil, errAt(sigEl.GetPath(), ErrStructure, "ds:Signature is not a child of the root element")
	}
	sigPath := rootPath + "/" + sigEl.FullTag()
	sig, err := readSignature(sigEl, sigPath)
	if err != nil {
		return nil, nil, err
	}
	res := &Result{
		SignatureMethod:        sig.method,
		CanonicalizationMethod: sig.c14n,
	}

	// The two references.
	var mainRef, spRef *reference
	for i := range sig.refs {
		r := &sig.refs[i]
		if r.typ == SignedPropertiesType {
			if spRef != nil {
				return nil, nil, errAt(r.path, ErrStructure, "a second SignedProperties reference")
			}
			spRef = r
			continue
		}
		if r.typ != "" {
			return nil, nil, errAt(r.path, ErrStructure, "reference Type %q not accepted", r.typ)
		}
		if mainRef != nil {
			return nil, nil, errAt(r.path, ErrStructure, "a second reference to the document (URI %q)", r.uri)
		}
		mainRef = r
	}
	if mainRef == nil {
		return nil, nil, errAt(sigPath+"/ds:SignedInfo", ErrStructure, "no reference to the document (URI=\"\" or \"#\" + root Id)")
	}
	if spRef == nil {
		return nil, nil, errAt(sigPath+"/ds:SignedInfo", ErrStructure, "no reference to XAdES SignedProperties")
	}
	res.DigestMethod = mainRef.digestMethod
	res.ReferenceURI = mainRef.uri

	// XAdES SignedProperties: its place and content. They name the signing
	// certificate among those in KeyInfo.
	sp, err := locateSignedProperties(spRef, sigEl, sig.id, ix)
	if err != nil {
		return nil, nil, err
	}
	if err := checkDigest(spRef, sp); err != nil {
		return nil, nil, err
	}
	xp, err := readSignedProperties(sp, spRef.targetPath)
	if err != nil {
		return nil, nil, err
	}
	candidates, err := xp.signerCandidates(sig.certs)
	if err != nil {
		return nil, nil, err
	}

	// SignatureValue over the canonical SignedInfo, made by the key of one of
	// the candidates (a pinned one first). Further KeyInfo certificates are
	// never used.
	m, err := lookupSignatureMethod(sig.method)
	if err != nil {
		return nil, nil, &Error{Path: sig.methodPath, Err: err}
	}
	c14n, err := lookupC14N(sig.c14n)
	if err != nil {
		return nil, nil, &Error{Path: sig.c14nPath, Err: err}
	}
	signedInfo, err := canonicalizeSubtree(sig.signedInfo, c14n, sig.c14nPrefixes)
	if err != nil {
		return nil, nil, errAt(sig.c14nPath, ErrMalformed, "canonicalizing SignedInfo: %v", err)
	}
	pinned := func(der []byte) bool { return isAllowed(der, allowed, opts.AllowedSHA256) }
	sort.SliceStable(candidates, func(i, j int) bool { return pinned(candidates[i]) && !pinned(candidates[j]) })
	var certDER []byte
	var signer *CertInfo
	var sigErr error
	for _, der := range candidates {
		info, err := ParseCertInfo(der)
		if err != nil {
			sigErr = errAt(sig.certPath, ErrMalformed, "KeyInfo certificate: %v", err)
			continue
		}
		if err := verifySignature(info, m, signedInfo, sig.value); err != nil {
			sigErr = &Error{Path: sigPath + "/ds:SignatureValue", Err: err}
			continue
		}
		certDER, signer = der, info
		break
	}
	if signer == nil {
		return nil, nil, sigErr
	}
	res.Signer = signer
	sum := sha256.Sum256(certDER)
	res.SignerSHA256 = hex.EncodeToString(sum[:])

	// The signing time.
	if err := xp.checkTime(signer); err != nil {
		return nil, nil, err
	}
	res.SigningTime, res.SigningCertificateV2 = xp.signingTime, xp.v2

	// The document reference.
	if err := checkMainRefTarget(mainRef, root, ix); err != nil {
		return nil, nil, err
	}
	h, err := lookupDigest(mainRef.digestMethod)
	if err != nil {
		return nil, nil, &Error{Path: mainRef.path + "/ds:DigestMethod", Err: err}
	}
	rc14n, _ := lookupC14N(mainRef.c14n) // checked in readReference
	root.RemoveChild(sigEl)              // the enveloped-signature transform
	hw := h.New()
	if mainRef.uri == "" {
		err = canonicalizeDocument(hw, doc, root, rc14n, mainRef.prefixes)
	} else {
		err = canonicalizeElement(hw, root, rc14n, mainRef.prefixes)
	}
	if err != nil {
		return nil, nil, errAt(mainRef.path, ErrMalformed, "canonicalizing the document: %v", err)
	}
	if !bytes.Equal(hw.Sum(nil), mainRef.digest) {
		return nil, nil, errAt(mainRef.path, ErrDigestMismatch, "the signed document was changed after signing")
	}

	// Pinning: the KeyInfo certificate must be one the caller allows.
	if !pinned(certDER) {
		return nil, nil, errAt(sig.certPath, ErrUntrustedSigner, "signed by %q (SHA-256 %s), which is not among the %d allowed certificate(s)", signer.Subject, res.SignerSHA256, len(allowed)+len(opts.AllowedSHA256))
	}
	root.SetTail("")
	return res, root, nil
}
