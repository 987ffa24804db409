package xmldsig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ProtonMail/go-crypto/brainpool"
	"github.com/eutl/eutl/internal/dn"
)

// CertInfo is what eutl needs of a signer certificate. It is read by
// crypto/x509 when it can, and by our own SubjectPublicKeyInfo parser for
// what crypto/x509 refuses or leaves empty: brainpool curves and
// id-RSASSA-PSS keys.
type CertInfo struct {
	Raw []byte
	// Subject and Issuer are the distinguished names as RFC 4514 prints them.
	Subject string
	Issuer  string
	// CommonName and Organization are the subject's CN and O values, in the
	// order Subject prints them (most specific first); empty when absent.
	CommonName   string
	Organization []string
	NotBefore    time.Time
	NotAfter     time.Time
	PublicKey    crypto.PublicKey
	// KeyKind is KeyRSA, KeyRSAPSS (an id-RSASSA-PSS key, usable only for
	// PSS) or KeyECDSA.
	KeyKind KeyKind
	// PSSHash is the hash an id-RSASSA-PSS key's parameters bind it to, if any.
	PSSHash crypto.Hash
	// Curve names the elliptic curve of an ECDSA key.
	Curve string
}

var (
	oidRSA        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidECPublic   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidP256       = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384       = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521       = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
	oidBrainpool1 = asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 7}
	oidBrainpool3 = asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 11}
	oidBrainpool5 = asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 13}
	oidSHA224     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}
	oidSHA256     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidSHA1       = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
)

type curveInfo struct {
	name  string
	curve func() elliptic.Curve
}

var curves = []struct {
	oid asn1.ObjectIdentifier
	curveInfo
}{
	{oidP256, curveInfo{"P-256", elliptic.P256}},
	{oidP384, curveInfo{"P-384", elliptic.P384}},
	{oidP521, curveInfo{"P-521", elliptic.P521}},
	{oidBrainpool1, curveInfo{"brainpoolP256r1", brainpool.P256r1}},
	{oidBrainpool3, curveInfo{"brainpoolP384r1", brainpool.P384r1}},
	{oidBrainpool5, curveInfo{"brainpoolP512r1", brainpool.P512r1}},
}

// The certificate shape, as far as eutl reads it.
type certificateASN1 struct {
	TBS       tbsCertificateASN1
	SigAlg    pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

type tbsCertificateASN1 struct {
	Raw        asn1.RawContent
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     *big.Int
	SigAlg     pkix.AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   validityASN1
	Subject    asn1.RawValue
	SPKI       spkiASN1
	IssuerUID  asn1.BitString `asn1:"optional,tag:1"`
	SubjectUID asn1.BitString `asn1:"optional,tag:2"`
	Extensions asn1.RawValue  `asn1:"optional,explicit,tag:3"`
}

type validityASN1 struct {
	NotBefore, NotAfter time.Time
}

type spkiASN1 struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

type pssParamsASN1 struct {
	Hash         pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	MGF          pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
	SaltLength   int                      `asn1:"optional,explicit,tag:2,default:20"`
	TrailerField int                      `asn1:"optional,explicit,tag:3,default:1"`
}

// ParseCertInfo reads a DER certificate. It never builds or checks a chain.
func ParseCertInfo(der []byte) (*CertInfo, error) {
	var c certificateASN1
	rest, err := asn1.Unmarshal(der, &c)
	if err != nil {
		return nil, fmt.Errorf("certificate is not valid DER: %w", err)
	}
	if len(rest) > 0 {
		return nil, errors.New("certificate has trailing data")
	}
	info := &CertInfo{Raw: der, NotBefore: c.TBS.Validity.NotBefore.UTC(), NotAfter: c.TBS.Validity.NotAfter.UTC()}
	info.Subject = rdnString(c.TBS.Subject.FullBytes)
	info.Issuer = rdnString(c.TBS.Issuer.FullBytes)
	if cns := subjectAttributes(c.TBS.Subject.FullBytes, "CN"); len(cns) > 0 {
		info.CommonName = cns[0]
	}
	info.Organization = subjectAttributes(c.TBS.Subject.FullBytes, "O")

	if cert, err := x509.ParseCertificate(der); err == nil {
		switch k := cert.PublicKey.(type) {
		case *rsa.PublicKey:
			info.PublicKey, info.KeyKind = k, KeyRSA
			return info, nil
		case *ecdsa.PublicKey:
			info.PublicKey, info.KeyKind, info.Curve = k, KeyECDSA, k.Curve.Params().Name
			return info, nil
		}
	}
	if err := parseSPKI(&c.TBS.SPKI, info); err != nil {
		return nil, err
	}
	return info, nil
}

func rdnString(der []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return ""
	}
	return dn.Format(seq)
}

func parseSPKI(spki *spkiASN1, info *CertInfo) error {
	alg := spki.Algorithm.Algorithm
	keyBytes := spki.PublicKey.RightAlign()
	switch {
	case alg.Equal(oidRSA), alg.Equal(oidRSAPSS):
		k, err := x509.ParsePKCS1PublicKey(keyBytes)
		if err != nil {
			return fmt.Errorf("RSA public key: %w", err)
		}
		info.PublicKey, info.KeyKind = k, KeyRSA
		if alg.Equal(oidRSAPSS) {
			info.KeyKind = KeyRSAPSS
			if len(spki.Algorithm.Parameters.FullBytes) > 0 && spki.Algorithm.Parameters.Tag != asn1.TagNull {
				var p pssParamsASN1
				if _, err := asn1.Unmarshal(spki.Algorithm.Parameters.FullBytes, &p); err != nil {
					return fmt.Errorf("RSASSA-PSS parameters: %w", err)
				}
				h, err := hashFromOID(p.Hash.Algorithm)
				if err != nil {
					return err
				}
				info.PSSHash = h
			}
		}
		return nil
	case alg.Equal(oidECPublic):
		var curveOID asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(spki.Algorithm.Parameters.FullBytes, &curveOID); err != nil {
			return errors.New("EC public key: only named curves are supported")
		}
		for _, c := range curves {
			if c.oid.Equal(curveOID) {
				pub, err := unmarshalPoint(c.curve(), keyBytes)
				if err != nil {
					return fmt.Errorf("EC public key is not a point on %s", c.name)
				}
				info.PublicKey = pub
				info.KeyKind, info.Curve = KeyECDSA, c.name
				return nil
			}
		}
		return fmt.Errorf("%w: elliptic curve %v", ErrUnsupported, curveOID)
	}
	return fmt.Errorf("%w: public key algorithm %v", ErrUnsupported, alg)
}

func hashFromOID(oid asn1.ObjectIdentifier) (crypto.Hash, error) {
	switch {
	case len(oid) == 0, oid.Equal(oidSHA1):
		return crypto.SHA1, nil // the RSASSA-PSS default
	case oid.Equal(oidSHA224):
		return crypto.SHA224, nil
	case oid.Equal(oidSHA256):
		return crypto.SHA256, nil
	case oid.Equal(oidSHA384):
		return crypto.SHA384, nil
	case oid.Equal(oidSHA512):
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("%w: hash %v in RSASSA-PSS parameters", ErrUnsupported, oid)
}

// verifySignature checks sig over the digest of signed with key and method.
func verifySignature(info *CertInfo, m sigMethod, signed, sig []byte) error {
	h := m.hash.New()
	h.Write(signed)
	digest := h.Sum(nil)
	switch m.kind {
	case KeyRSA:
		if info.KeyKind != KeyRSA {
			return fmt.Errorf("%w: RSA PKCS#1 v1.5 method with a %s key", ErrKeyMismatch, kindName(info.KeyKind))
		}
		if err := rsa.VerifyPKCS1v15(info.PublicKey.(*rsa.PublicKey), m.hash, digest, sig); err != nil {
			return fmt.Errorf("%w: RSA signature does not verify", ErrBadSignature)
		}
		return nil
	case KeyRSAPSS:
		if info.KeyKind != KeyRSA && info.KeyKind != KeyRSAPSS {
			return fmt.Errorf("%w: RSA-PSS method with a %s key", ErrKeyMismatch, kindName(info.KeyKind))
		}
		if info.KeyKind == KeyRSAPSS && info.PSSHash != 0 && info.PSSHash != m.hash {
			return fmt.Errorf("%w: the certificate's RSASSA-PSS parameters name %v, the signature method %v", ErrKeyMismatch, info.PSSHash, m.hash)
		}
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: m.hash}
		if err := rsa.VerifyPSS(info.PublicKey.(*rsa.PublicKey), m.hash, digest, sig, opts); err != nil {
			return fmt.Errorf("%w: RSA-PSS signature does not verify", ErrBadSignature)
		}
		return nil
	case KeyECDSA:
		if info.KeyKind != KeyECDSA {
			return fmt.Errorf("%w: ECDSA method with a %s key", ErrKeyMismatch, kindName(info.KeyKind))
		}
		pub := info.PublicKey.(*ecdsa.PublicKey)
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return fmt.Errorf("%w: ECDSA SignatureValue is %d bytes, expected %d (raw r||s on %s)", ErrBadSignature, len(sig), 2*size, info.Curve)
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(pub, digest, r, s) {
			return fmt.Errorf("%w: ECDSA signature does not verify", ErrBadSignature)
		}
		return nil
	}
	return fmt.Errorf("%w: signature method kind", ErrUnsupported)
}

func kindName(k KeyKind) string {
	switch k {
	case KeyRSA:
		return "RSA"
	case KeyRSAPSS:
		return "RSASSA-PSS"
	case KeyECDSA:
		return "ECDSA"
	}
	return "unknown"
}

// unmarshalPoint reads an uncompressed point. Brainpool curves exist only as
// elliptic.Curve values (crypto/ecdh and ecdsa.ParseUncompressedPublicKey
// know NIST curves only), hence the deprecated API.
func unmarshalPoint(curve elliptic.Curve, b []byte) (*ecdsa.PublicKey, error) {
	//lint:ignore SA1019 brainpool curves have no other form in Go
	x, y := elliptic.Unmarshal(curve, b)
	if x == nil {
		return nil, errors.New("not a point on the curve")
	}
	//lint:ignore SA1019 brainpool keys can only be built from coordinates
	return &ecdsa.PublicKey{Curve: curve, X: x, Y: y}, nil
}
