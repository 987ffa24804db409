package xmldsig

import (
	"bytes"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/eutl/eutl/internal/xmlscan"
	"github.com/eutl/eutl/internal/xmltext"
)

// NSDSig is the XMLDSig namespace; NSXAdES the XAdES 1.3.2 namespace.
const (
	NSDSig  = xmltext.NSDSig
	NSXAdES = xmltext.NSXAdES132
)

// xadesProps is what eutl reads of XAdES SignedSignatureProperties.
type xadesProps struct {
	path        string
	signingTime time.Time
	v2          bool
	certs       []certRef
}

type certRef struct {
	path         string
	digestMethod string
	digest       []byte
}

func readSignedProperties(sp *etree.Element, path string) (*xadesProps, error) {
	ssp, sspPath, err := exactlyOne(sp, path, NSXAdES, "SignedSignatureProperties")
	if err != nil {
		return nil, err
	}
	xp := &xadesProps{path: sspPath}
	st, stPath, err := exactlyOne(ssp, sspPath, NSXAdES, "SigningTime")
	if err != nil {
		return nil, errAt(sspPath, ErrSigningTime, "XAdES SigningTime missing or repeated")
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(textContent(st)))
	if err != nil {
		return nil, errAt(stPath, ErrSigningTime, "%q is not an xs:dateTime with a time zone", strings.TrimSpace(textContent(st)))
	}
	xp.signingTime = t.UTC()

	v1 := children(ssp, NSXAdES, "SigningCertificate")
	v2 := children(ssp, NSXAdES, "SigningCertificateV2")
	var sc *etree.Element
	switch {
	case len(v1)+len(v2) != 1:
		return nil, errAt(sspPath, ErrSigningCert, "%d SigningCertificate and %d SigningCertificateV2 elements, exactly one expected", len(v1), len(v2))
	case len(v2) == 1:
		sc, xp.v2 = v2[0], true
	default:
		sc = v1[0]
	}
	scPath := sspPath + "/" + sc.FullTag()
	for _, c := range children(sc, NSXAdES, "Cert") {
		cd := children(c, NSXAdES, "CertDigest")
		if len(cd) != 1 {
			return nil, errAt(scPath+"/xades:Cert", ErrSigningCert, "Cert without exactly one CertDigest")
		}
		dm := children(cd[0], NSDSig, "DigestMethod")
		dv := children(cd[0], NSDSig, "DigestValue")
		if len(dm) != 1 || len(dv) != 1 {
			return nil, errAt(scPath+"/xades:Cert/xades:CertDigest", ErrSigningCert, "CertDigest needs one DigestMethod and one DigestValue")
		}
		d, err := decodeBase64(textContent(dv[0]))
		if err != nil {
			return nil, errAt(scPath+"/xades:Cert/xades:CertDigest", ErrMalformed, "DigestValue is not base64")
		}
		xp.certs = append(xp.certs, certRef{path: scPath, digestMethod: dm[0].SelectAttrValue("Algorithm", ""), digest: d})
	}
	if len(xp.certs) == 0 {
		return nil, errAt(scPath, ErrSigningCert, "no Cert element")
	}
	return xp, nil
}

// signerCandidates returns the KeyInfo certificates that the XAdES
// SigningCertificate digests name (usually one; some lists also list the
// issuing CA in both places).
func (xp *xadesProps) signerCandidates(certs [][]byte) ([][]byte, error) {
	var found [][]byte
	for _, der := range certs {
		for _, c := range xp.certs {
			h, err := lookupCertDigest(c.digestMethod)
			if err != nil {
				return nil, &Error{Path: c.path, Err: err}
			}
			hh := h.New()
			hh.Write(der)
			if bytes.Equal(hh.Sum(nil), c.digest) {
				found = append(found, der)
				break
			}
		}
	}
	if len(found) == 0 {
		return nil, errAt(xp.path, ErrSigningCert, "no SigningCertificate digest matches a KeyInfo certificate (%d in KeyInfo)", len(certs))
	}
	return found, nil
}

// checkTime requires SigningTime inside the signer certificate's validity.
func (xp *xadesProps) checkTime(signer *CertInfo) error {
	if xp.signingTime.Before(signer.NotBefore) || xp.signingTime.After(signer.NotAfter) {
		return errAt(xp.path+"/xades:SigningTime", ErrSigningTime, "signed at %s, outside the signer certificate's validity %s to %s",
			xp.signingTime.Format(time.RFC3339), signer.NotBefore.Format(time.RFC3339), signer.NotAfter.Format(time.RFC3339))
	}
	return nil
}

func decodeBase64(s string) ([]byte, error) { return xmltext.DecodeBase64(s) }

func textContent(el *etree.Element) string { return xmltext.Content(el) }

// scanSignedProperties is readSignedProperties over the scanned arena.
func scanSignedProperties(sp xmlscan.Node, path string) (*xadesProps, error) {
	ssp, sspPath, err := scanExactlyOne(sp, path, NSXAdES, "SignedSignatureProperties")
	if err != nil {
		return nil, err
	}
	xp := &xadesProps{path: sspPath}
	st, stPath, err := scanExactlyOne(ssp, sspPath, NSXAdES, "SigningTime")
	if err != nil {
		return nil, errAt(sspPath, ErrSigningTime, "XAdES SigningTime missing or repeated")
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(st.Text()))
	if err != nil {
		return nil, errAt(stPath, ErrSigningTime, "%q is not an xs:dateTime with a time zone", strings.TrimSpace(st.Text()))
	}
	xp.signingTime = t.UTC()

	v1 := scanChildren(ssp, NSXAdES, "SigningCertificate")
	v2 := scanChildren(ssp, NSXAdES, "SigningCertificateV2")
	var sc xmlscan.Node
	switch {
	case len(v1)+len(v2) != 1:
		return nil, errAt(sspPath, ErrSigningCert, "%d SigningCertificate and %d SigningCertificateV2 elements, exactly one expected", len(v1), len(v2))
	case len(v2) == 1:
		sc, xp.v2 = v2[0], true
	default:
		sc = v1[0]
	}
	scPath := sspPath + "/" + sc.Name()
	for _, c := range scanChildren(sc, NSXAdES, "Cert") {
		cd := scanChildren(c, NSXAdES, "CertDigest")
		if len(cd) != 1 {
			return nil, errAt(scPath+"/xades:Cert", ErrSigningCert, "Cert without exactly one CertDigest")
		}
		dm := scanChildren(cd[0], NSDSig, "DigestMethod")
		dv := scanChildren(cd[0], NSDSig, "DigestValue")
		if len(dm) != 1 || len(dv) != 1 {
			return nil, errAt(scPath+"/xades:Cert/xades:CertDigest", ErrSigningCert, "CertDigest needs one DigestMethod and one DigestValue")
		}
		d, err := decodeBase64(dv[0].Text())
		if err != nil {
			return nil, errAt(scPath+"/xades:Cert/xades:CertDigest", ErrMalformed, "DigestValue is not base64")
		}
		xp.certs = append(xp.certs, certRef{path: scPath, digestMethod: attrOr(dm[0], "Algorithm"), digest: d})
	}
	if len(xp.certs) == 0 {
		return nil, errAt(scPath, ErrSigningCert, "no Cert element")
	}
	return xp, nil
}
