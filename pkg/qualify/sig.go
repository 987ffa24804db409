package qualify

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/eutl/eutl/pkg/xmldsig"
)

// Signature algorithms of certificates.
var (
	oidSHA1RSA    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidSHA224RSA  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}
	oidSHA256RSA  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384RSA  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512RSA  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidRSAPSS     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidECDSASHA1  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSASHA2x = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3} // .1 SHA-224 … .4 SHA-512
	oidSHA1       = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA224     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	oidSHA256     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// ErrSignature is returned when a certificate's signature does not verify
// with a candidate issuer's key.
var ErrSignature = errors.New("signature does not verify")

type pssParams struct {
	Hash       pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	MGF        pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
	SaltLength int                      `asn1:"optional,explicit,tag:2,default:20"`
	Trailer    int                      `asn1:"optional,explicit,tag:3,default:1"`
}

func hashOf(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid.Equal(oidSHA1):
		return crypto.SHA1, true
	case oid.Equal(oidSHA224):
		return crypto.SHA224, true
	case oid.Equal(oidSHA256):
		return crypto.SHA256, true
	case oid.Equal(oidSHA384):
		return crypto.SHA384, true
	case oid.Equal(oidSHA512):
		return crypto.SHA512, true
	}
	return 0, false
}

// Issuer is a certificate's public key prepared for signature checks.
type Issuer struct {
	info *xmldsig.CertInfo
	err  error
}

// NewIssuer reads the public key of a DER certificate (RSA, RSASSA-PSS,
// ECDSA on NIST and brainpool curves).
func NewIssuer(der []byte) *Issuer {
	info, err := xmldsig.ParseCertInfo(der)
	return &Issuer{info: info, err: err}
}

// CheckSignature verifies that c was signed by the key of iss. SHA-1 is
// accepted (old qualified certificates use it); the lists that name the
// issuer are themselves verified with SHA-2 only.
func (iss *Issuer) CheckSignature(c *Cert) error {
	if iss.err != nil {
		return fmt.Errorf("issuer key unreadable: %w", iss.err)
	}
	alg := c.SigAlg.Algorithm
	var h crypto.Hash
	kind := ""
	switch {
	case alg.Equal(oidSHA1RSA):
		h, kind = crypto.SHA1, "rsa"
	case alg.Equal(oidSHA224RSA):
		h, kind = crypto.SHA224, "rsa"
	case alg.Equal(oidSHA256RSA):
		h, kind = crypto.SHA256, "rsa"
	case alg.Equal(oidSHA384RSA):
		h, kind = crypto.SHA384, "rsa"
	case alg.Equal(oidSHA512RSA):
		h, kind = crypto.SHA512, "rsa"
	case alg.Equal(oidRSAPSS):
		kind = "pss"
	case alg.Equal(oidECDSASHA1):
		h, kind = crypto.SHA1, "ecdsa"
	case len(alg) == len(oidECDSASHA2x)+1 && alg[:len(oidECDSASHA2x)].Equal(oidECDSASHA2x):
		kind = "ecdsa"
		switch alg[len(alg)-1] {
		case 1:
			h = crypto.SHA224
		case 2:
			h = crypto.SHA256
		case 3:
			h = crypto.SHA384
		case 4:
			h = crypto.SHA512
		default:
			return fmt.Errorf("unsupported signature algorithm %v", alg)
		}
	default:
		return fmt.Errorf("unsupported signature algorithm %v", alg)
	}
	salt := 0
	if kind == "pss" {
		var p pssParams
		if _, err := asn1.Unmarshal(c.SigAlg.Parameters.FullBytes, &p); err != nil {
			return fmt.Errorf("RSASSA-PSS parameters unreadable: %w", err)
		}
		var ok bool
		if len(p.Hash.Algorithm) == 0 {
			h, ok = crypto.SHA1, true
		} else {
			h, ok = hashOf(p.Hash.Algorithm)
		}
		if !ok {
			return fmt.Errorf("unsupported RSASSA-PSS hash %v", p.Hash.Algorithm)
		}
		salt = p.SaltLength
	}
	d := h.New()
	d.Write(c.RawTBS)
	digest := d.Sum(nil)
	switch kind {
	case "rsa":
		if iss.info.KeyKind != xmldsig.KeyRSA {
			return fmt.Errorf("%w: an RSA signature, the issuer key is not plain RSA", ErrSignature)
		}
		if verifyPKCS1v15(iss.info.PublicKey.(*rsa.PublicKey), h, digest, c.Signature) != nil {
			return ErrSignature
		}
	case "pss":
		pub, ok := iss.info.PublicKey.(*rsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: an RSASSA-PSS signature, the issuer key is not RSA", ErrSignature)
		}
		if iss.info.KeyKind == xmldsig.KeyRSAPSS && iss.info.PSSHash != 0 && iss.info.PSSHash != h {
			return fmt.Errorf("%w: the issuer key is bound to another hash", ErrSignature)
		}
		if rsa.VerifyPSS(pub, h, digest, c.Signature, &rsa.PSSOptions{SaltLength: salt, Hash: h}) != nil {
			return ErrSignature
		}
	case "ecdsa":
		pub, ok := iss.info.PublicKey.(*ecdsa.PublicKey)
		if !ok {
			return fmt.Errorf("%w: an ECDSA signature, the issuer key is not ECDSA", ErrSignature)
		}
		if !ecdsa.VerifyASN1(pub, digest, c.Signature) {
			return ErrSignature
		}
	}
	return nil
}

// digestInfoPrefix is the DER DigestInfo before the digest (RFC 8017 §9.2).
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA1:   {0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14},
	crypto.SHA224: {0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c},
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// verifyPKCS1v15 checks an RSASSA-PKCS1-v1_5 signature by encoding the
// expected block and comparing it whole (RFC 8017 §8.2.2). It does what
// rsa.VerifyPKCS1v15 does with math/big: crypto/rsa rebuilds its modulus
// for every call, which costs seven times the exponentiation on the
// 4096-bit keys of real CAs, and verification is public-key only (no
// secret to leak through timing). A test checks it against crypto/rsa.
func verifyPKCS1v15(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte) error {
	prefix, ok := digestInfoPrefix[h]
	if !ok || len(digest) != h.Size() || pub.N == nil || pub.N.BitLen() < 1024 || pub.E < 3 {
		return ErrSignature
	}
	k := (pub.N.BitLen() + 7) / 8
	tLen := len(prefix) + len(digest)
	if len(sig) != k || k < tLen+11 {
		return ErrSignature
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return ErrSignature
	}
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	em := m.FillBytes(make([]byte, k))
	want := make([]byte, k)
	want[1] = 0x01
	for i := 2; i < k-tLen-1; i++ {
		want[i] = 0xff
	}
	copy(want[k-tLen:], prefix)
	copy(want[k-len(digest):], digest)
	if !bytes.Equal(em, want) {
		return ErrSignature
	}
	return nil
}
