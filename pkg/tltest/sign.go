package tltest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // XAdES v1 CertDigest as real lists write it
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// SignOptions choose how a list is signed. Zero values give what real lists
// use: exclusive c14n, SHA-256, rsa-sha256 or ecdsa-sha256 by key type,
// XAdES SigningCertificate (v1) for version 5 lists and V2 for version 6.
type SignOptions struct {
	SignatureMethod string
	DigestMethod    string
	// C14N is both the CanonicalizationMethod and the references' transform.
	C14N string
	// RootIDReference signs "#"+root Id instead of URI="" (the root needs an Id).
	RootIDReference bool
	// ReferenceID signs "#"+ReferenceID, the element with that Id (for
	// signature-wrapping tests; real lists never do this).
	ReferenceID string
	// SigningCertificateV2 forces V2 (true) or V1 (false); nil picks by version.
	SigningCertificateV2 *bool
	SigningTime          time.Time
	// NoSignedPropertiesTransform leaves the SignedProperties reference without
	// Transforms, as AT and LI do (inclusive C14N 1.0 then applies).
	NoSignedPropertiesTransform bool
	// ExtraKeyInfoCerts are added to KeyInfo after the signer certificate.
	ExtraKeyInfoCerts [][]byte
}

func defaultMethod(k *Key, digest string) string {
	h := map[string]string{xmldsig.DigestSHA256: "sha256", xmldsig.DigestSHA384: "sha384", xmldsig.DigestSHA512: "sha512"}[digest]
	switch k.Type {
	case RSAPSS, RSAPSSSHA512:
		return "http://www.w3.org/2007/05/xmldsig-more#" + h + "-rsa-MGF1"
	case P256, P384, P521, Brainpool, BrainpoolP384, BrainpoolP512:
		return "http://www.w3.org/2001/04/xmldsig-more#ecdsa-" + h
	}
	return "http://www.w3.org/2001/04/xmldsig-more#rsa-" + h
}

var digestHash = map[string]crypto.Hash{
	xmldsig.DigestSHA256: crypto.SHA256, xmldsig.DigestSHA384: crypto.SHA384, xmldsig.DigestSHA512: crypto.SHA512,
}

func methodHash(method string) (crypto.Hash, error) {
	for _, h := range []struct {
		s string
		h crypto.Hash
	}{{"sha256", crypto.SHA256}, {"sha384", crypto.SHA384}, {"sha512", crypto.SHA512}, {"sha224", crypto.SHA224}, {"sha1", crypto.SHA1}} {
		if len(method) >= len(h.s) && strings.Contains(method, h.s) {
			return h.h, nil
		}
	}
	return 0, fmt.Errorf("tltest: no hash known for %s", method)
}

// Sign adds an enveloped XAdES baseline-B signature by k to doc and returns
// the serialised document. doc is modified.
func Sign(doc *etree.Document, k *Key, o SignOptions) ([]byte, error) {
	if o.DigestMethod == "" {
		o.DigestMethod = xmldsig.DigestSHA256
	}
	if o.SignatureMethod == "" {
		o.SignatureMethod = defaultMethod(k, o.DigestMethod)
	}
	if o.C14N == "" {
		o.C14N = xmldsig.ExcC14N
	}
	if o.SigningTime.IsZero() {
		o.SigningTime = k.notBefore().Add(24 * time.Hour)
	}
	root := doc.Root()
	v2 := root.FindElement("./SchemeInformation/TSLVersionIdentifier") != nil && root.FindElement("./SchemeInformation/TSLVersionIdentifier").Text() == "6"
	if o.SigningCertificateV2 != nil {
		v2 = *o.SigningCertificateV2
	}
	dh, ok := digestHash[o.DigestMethod]
	if !ok {
		return nil, fmt.Errorf("tltest: digest %s", o.DigestMethod)
	}

	// 1. Digest of the document without the signature.
	refURI := ""
	if o.RootIDReference {
		id := root.SelectAttrValue("Id", "")
		if id == "" {
			return nil, fmt.Errorf("tltest: RootIDReference needs a root Id")
		}
		refURI = "#" + id
	}
	var docCanon []byte
	var err error
	if o.ReferenceID != "" {
		refURI = "#" + o.ReferenceID
		el := root.FindElement(fmt.Sprintf("//*[@Id='%s']", o.ReferenceID))
		if el == nil {
			return nil, fmt.Errorf("tltest: no element with Id %q", o.ReferenceID)
		}
		docCanon, err = xmldsig.Canonicalize(el, o.C14N, "")
	} else if refURI == "" {
		docCanon, err = xmldsig.CanonicalizeDocument(doc, o.C14N, "")
	} else {
		docCanon, err = xmldsig.Canonicalize(root, o.C14N, "")
	}
	if err != nil {
		return nil, err
	}

	// 2. The signature skeleton with the XAdES properties.
	sig := root.CreateElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", xmldsig.NSDSig)
	sig.CreateAttr("Id", "id-sig-1")
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", o.C14N)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", o.SignatureMethod)
	ref1 := si.CreateElement("ds:Reference")
	ref1.CreateAttr("Id", "r-id-1")
	ref1.CreateAttr("URI", refURI)
	ts := ref1.CreateElement("ds:Transforms")
	ts.CreateElement("ds:Transform").CreateAttr("Algorithm", xmldsig.EnvelopedSignature)
	ts.CreateElement("ds:Transform").CreateAttr("Algorithm", o.C14N)
	ref1.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", o.DigestMethod)
	ref1.CreateElement("ds:DigestValue").SetText(b64(digest(dh, docCanon)))
	ref2 := si.CreateElement("ds:Reference")
	ref2.CreateAttr("Type", xmldsig.SignedPropertiesType)
	ref2.CreateAttr("URI", "#xades-id-sig-1")
	if !o.NoSignedPropertiesTransform {
		ref2.CreateElement("ds:Transforms").CreateElement("ds:Transform").CreateAttr("Algorithm", o.C14N)
	}
	ref2.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", o.DigestMethod)
	spDigest := ref2.CreateElement("ds:DigestValue")
	sv := sig.CreateElement("ds:SignatureValue")
	sv.CreateAttr("Id", "value-id-sig-1")
	x509d := sig.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data")
	x509d.CreateElement("ds:X509Certificate").SetText(base64.StdEncoding.EncodeToString(k.DER))
	for _, c := range o.ExtraKeyInfoCerts {
		x509d.CreateElement("ds:X509Certificate").SetText(base64.StdEncoding.EncodeToString(c))
	}
	qp := sig.CreateElement("ds:Object").CreateElement("xades:QualifyingProperties")
	qp.CreateAttr("xmlns:xades", tsl.NSXAdES132)
	qp.CreateAttr("Target", "#id-sig-1")
	sp := qp.CreateElement("xades:SignedProperties")
	sp.CreateAttr("Id", "xades-id-sig-1")
	ssp := sp.CreateElement("xades:SignedSignatureProperties")
	ssp.CreateElement("xades:SigningTime").SetText(o.SigningTime.UTC().Format("2006-01-02T15:04:05Z"))
	scName := "xades:SigningCertificate"
	if v2 {
		scName = "xades:SigningCertificateV2"
	}
	cd := ssp.CreateElement(scName).CreateElement("xades:Cert").CreateElement("xades:CertDigest")
	if v2 {
		cd.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", o.DigestMethod)
		cd.CreateElement("ds:DigestValue").SetText(b64(digest(dh, k.DER)))
	} else {
		s := sha1.Sum(k.DER) //nolint:gosec // as real v5 lists do
		cd.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", xmldsig.DigestSHA1)
		cd.CreateElement("ds:DigestValue").SetText(b64(s[:]))
	}

	// 3. SignedProperties digest, then the signature over SignedInfo.
	spC14N := o.C14N
	if o.NoSignedPropertiesTransform {
		spC14N = xmldsig.C14N10
	}
	spCanon, err := xmldsig.Canonicalize(sp, spC14N, "")
	if err != nil {
		return nil, err
	}
	spDigest.SetText(b64(digest(dh, spCanon)))
	siCanon, err := xmldsig.Canonicalize(si, o.C14N, "")
	if err != nil {
		return nil, err
	}
	value, err := signBytes(k, o.SignatureMethod, siCanon)
	if err != nil {
		return nil, err
	}
	sv.SetText(b64(value))
	return doc.WriteToBytes()
}

func (k *Key) notBefore() time.Time {
	if k.Cert != nil {
		return k.Cert.NotBefore
	}
	if info, err := xmldsig.ParseCertInfo(k.DER); err == nil {
		return info.NotBefore
	}
	return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
}

func digest(h crypto.Hash, b []byte) []byte {
	hh := h.New()
	hh.Write(b)
	return hh.Sum(nil)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// signBytes signs data the way the XMLDSig method says: PKCS#1 v1.5, PSS
// with salt = hash length, or ECDSA as raw r||s.
func signBytes(k *Key, method string, data []byte) ([]byte, error) {
	h, err := methodHash(method)
	if err != nil {
		return nil, err
	}
	d := digest(h, data)
	switch key := k.Signer.(type) {
	case *rsa.PrivateKey:
		if strings.Contains(method, "MGF1") {
			return rsa.SignPSS(rand.Reader, key, h, d, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.SignPKCS1v15(rand.Reader, key, h, d)
	case *ecdsa.PrivateKey:
		der, err := ecdsa.SignASN1(rand.Reader, key, d)
		if err != nil {
			return nil, err
		}
		var rs struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(der, &rs); err != nil {
			return nil, err
		}
		size := (key.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		rs.R.FillBytes(out[:size])
		rs.S.FillBytes(out[size:])
		return out, nil
	}
	return nil, fmt.Errorf("tltest: cannot sign with %T", k.Signer)
}

// SignList builds and signs l with k.
func SignList(l List, k *Key, o SignOptions) ([]byte, error) {
	return Sign(Build(l), k, o)
}
