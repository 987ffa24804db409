package xmldsig

import (
	"crypto"
	_ "crypto/sha256" // register SHA-224/256
	_ "crypto/sha512" // register SHA-384/512
	"fmt"
	"strings"
)

// Algorithm URIs accepted by the verifier.
const (
	C14N10             = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	C14N10WithComments = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
	C14N11             = "http://www.w3.org/2006/12/xml-c14n11"
	C14N11WithComments = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
	ExcC14N            = "http://www.w3.org/2001/10/xml-exc-c14n#"
	ExcC14NWithComment = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	EnvelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

	DigestSHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"
	DigestSHA224 = "http://www.w3.org/2001/04/xmldsig-more#sha224"
	DigestSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
	DigestSHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
	DigestSHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"

	RSASHA1      = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	RSASHA224    = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha224"
	RSASHA256    = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	RSASHA384    = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
	RSASHA512    = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
	RSAPSSSHA224 = "http://www.w3.org/2007/05/xmldsig-more#sha224-rsa-MGF1"
	RSAPSSSHA256 = "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"
	RSAPSSSHA384 = "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1"
	RSAPSSSHA512 = "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1"
	ECDSASHA1    = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"
	ECDSASHA224  = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224"
	ECDSASHA256  = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	ECDSASHA384  = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
	ECDSASHA512  = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512"

	// SignedPropertiesType is the Type of the reference to XAdES SignedProperties.
	SignedPropertiesType = "http://uri.etsi.org/01903#SignedProperties"
)

// KeyKind is the family of a signature method's key.
type KeyKind int

const (
	KeyRSA KeyKind = iota + 1
	KeyRSAPSS
	KeyECDSA
)

type sigMethod struct {
	kind KeyKind
	hash crypto.Hash
}

var sigMethods = map[string]sigMethod{
	RSASHA224:    {KeyRSA, crypto.SHA224},
	RSASHA256:    {KeyRSA, crypto.SHA256},
	RSASHA384:    {KeyRSA, crypto.SHA384},
	RSASHA512:    {KeyRSA, crypto.SHA512},
	RSAPSSSHA224: {KeyRSAPSS, crypto.SHA224},
	RSAPSSSHA256: {KeyRSAPSS, crypto.SHA256},
	RSAPSSSHA384: {KeyRSAPSS, crypto.SHA384},
	RSAPSSSHA512: {KeyRSAPSS, crypto.SHA512},
	ECDSASHA224:  {KeyECDSA, crypto.SHA224},
	ECDSASHA256:  {KeyECDSA, crypto.SHA256},
	ECDSASHA384:  {KeyECDSA, crypto.SHA384},
	ECDSASHA512:  {KeyECDSA, crypto.SHA512},
}

var digestMethods = map[string]crypto.Hash{
	DigestSHA224: crypto.SHA224,
	DigestSHA256: crypto.SHA256,
	DigestSHA384: crypto.SHA384,
	DigestSHA512: crypto.SHA512,
}

// lookupSignatureMethod explains why a method is refused.
func lookupSignatureMethod(uri string) (sigMethod, error) {
	if m, ok := sigMethods[uri]; ok {
		return m, nil
	}
	switch uri {
	case RSASHA1, ECDSASHA1, "http://www.w3.org/2000/09/xmldsig#dsa-sha1", "http://www.w3.org/2007/05/xmldsig-more#sha1-rsa-MGF1":
		return sigMethod{}, fmt.Errorf("%w: signature method %s uses SHA-1, which is no longer accepted", ErrUnsupported, uri)
	}
	if strings.Contains(strings.ToLower(uri), "hmac") {
		return sigMethod{}, fmt.Errorf("%w: signature method %s is an HMAC (a shared secret), not a public-key signature", ErrUnsupported, uri)
	}
	return sigMethod{}, fmt.Errorf("%w: signature method %q", ErrUnsupported, uri)
}

func lookupDigest(uri string) (crypto.Hash, error) {
	if h, ok := digestMethods[uri]; ok {
		return h, nil
	}
	if uri == DigestSHA1 {
		return 0, fmt.Errorf("%w: digest method %s (SHA-1) is no longer accepted", ErrUnsupported, uri)
	}
	return 0, fmt.Errorf("%w: digest method %q", ErrUnsupported, uri)
}

// lookupCertDigest also accepts SHA-1: XAdES v1 SigningCertificate commonly
// uses it, and the certificate itself is compared byte for byte anyway.
func lookupCertDigest(uri string) (crypto.Hash, error) {
	if uri == DigestSHA1 {
		return crypto.SHA1, nil
	}
	return lookupDigest(uri)
}

type c14nMethod struct {
	kind     int // 0 exc, 1 c14n 1.0, 2 c14n 1.1
	comments bool
}

var c14nMethods = map[string]c14nMethod{
	ExcC14N:            {0, false},
	ExcC14NWithComment: {0, true},
	C14N10:             {1, false},
	C14N10WithComments: {1, true},
	C14N11:             {2, false},
	C14N11WithComments: {2, true},
}

func lookupC14N(uri string) (c14nMethod, error) {
	if m, ok := c14nMethods[uri]; ok {
		return m, nil
	}
	return c14nMethod{}, fmt.Errorf("%w: canonicalization or transform %q", ErrUnsupported, uri)
}
