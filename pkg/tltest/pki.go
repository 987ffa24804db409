// Package tltest is a test PKI and Trusted List generator: it makes keys and
// certificates (RSA, RSA-PSS, ECDSA on NIST and brainpool curves), builds
// LOTLs and national lists with providers, services, histories and
// extensions, and signs them with an enveloped XAdES baseline-B signature the
// way real lists are signed. It also serves lists over loopback HTTP (see
// [Server]).
//
// Tests use it instead of hand-made XML; what it signs is cross-checked
// against xmlsec1 where xmlsec1 is installed.
package tltest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"github.com/ProtonMail/go-crypto/brainpool"
)

// KeyType names a key algorithm of the test PKI.
type KeyType string

const (
	RSA2048   KeyType = "rsa2048"
	RSA3072   KeyType = "rsa3072"
	RSAPSS    KeyType = "rsa-pss" // an id-RSASSA-PSS SubjectPublicKeyInfo (usable only with PSS)
	P256      KeyType = "p256"
	P384      KeyType = "p384"
	P521      KeyType = "p521"
	Brainpool KeyType = "brainpoolP256r1"
	// BrainpoolP384 and BrainpoolP512 are the larger brainpool curves.
	BrainpoolP384 KeyType = "brainpoolP384r1"
	BrainpoolP512 KeyType = "brainpoolP512r1"
	// RSAPSSSHA512 is an id-RSASSA-PSS key whose parameters bind it to SHA-512.
	RSAPSSSHA512 KeyType = "rsa-pss-sha512"
)

var brainpoolCurves = map[KeyType]struct {
	curve func() elliptic.Curve
	oid   asn1.ObjectIdentifier
}{
	Brainpool:     {brainpool.P256r1, asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 7}},
	BrainpoolP384: {brainpool.P384r1, asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 11}},
	BrainpoolP512: {brainpool.P512r1, asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 13}},
}

// Key is a signing key with its self-signed certificate.
type Key struct {
	Type   KeyType
	Signer crypto.Signer
	// DER is the certificate; Cert is nil where crypto/x509 cannot parse it
	// (brainpool).
	DER  []byte
	Cert *x509.Certificate
}

// SHA256 is the certificate fingerprint in lower-case hex.
func (k *Key) SHA256() string {
	s := sha256.Sum256(k.DER)
	return hex.EncodeToString(s[:])
}

// PEM returns the certificate in PEM form.
func (k *Key) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.DER})
}

// KeyPEM returns the private key in PKCS#8 PEM form (not for brainpool).
func (k *Key) KeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// CertOptions describe the certificate of a new key.
type CertOptions struct {
	Subject   pkix.Name
	NotBefore time.Time
	NotAfter  time.Time
}

// NewKey makes a key of type t with a self-signed certificate.
func NewKey(t KeyType, o CertOptions) (*Key, error) {
	if o.NotBefore.IsZero() {
		o.NotBefore = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Subject.CommonName == "" && len(o.Subject.Organization) == 0 {
		o.Subject = pkix.Name{CommonName: "eutl test signer " + string(t), Country: []string{"EU"}}
	}
	k := &Key{Type: t}
	var err error
	switch t {
	case RSA2048, RSA3072, RSAPSS, RSAPSSSHA512:
		bits := 2048
		if t == RSA3072 {
			bits = 3072
		}
		priv, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, err
		}
		k.Signer = priv
	case P256, P384, P521:
		curve := map[KeyType]elliptic.Curve{P256: elliptic.P256(), P384: elliptic.P384(), P521: elliptic.P521()}[t]
		priv, err := ecdsa.GenerateKey(curve, rand.Reader)
		if err != nil {
			return nil, err
		}
		k.Signer = priv
	case Brainpool, BrainpoolP384, BrainpoolP512:
		priv, err := ecdsa.GenerateKey(brainpoolCurves[t].curve(), rand.Reader)
		if err != nil {
			return nil, err
		}
		k.Signer = priv
	default:
		return nil, fmt.Errorf("tltest: unknown key type %q", t)
	}
	switch t {
	case RSAPSS, RSAPSSSHA512, Brainpool, BrainpoolP384, BrainpoolP512:
		k.DER, err = buildCert(k, o)
	default:
		k.DER, err = x509.CreateCertificate(rand.Reader, template(o), template(o), k.Signer.Public(), k.Signer)
	}
	if err != nil {
		return nil, err
	}
	if c, err := x509.ParseCertificate(k.DER); err == nil {
		k.Cert = c
	}
	return k, nil
}

// MustKey is NewKey for tests: it panics on error.
func MustKey(t KeyType, o CertOptions) *Key {
	k, err := NewKey(t, o)
	if err != nil {
		panic(err)
	}
	return k
}

func template(o CertOptions) *x509.Certificate {
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      o.Subject,
		NotBefore:    o.NotBefore,
		NotAfter:     o.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
}

var (
	oidRSAPSS      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidSHA256RSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSASHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidSHA512      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidMGF1        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
)

type tbsCert struct {
	Version   int `asn1:"optional,explicit,default:0,tag:0"`
	Serial    *big.Int
	SigAlg    pkix.AlgorithmIdentifier
	Issuer    asn1.RawValue
	Validity  validity
	Subject   asn1.RawValue
	PublicKey spki
}

type validity struct{ NotBefore, NotAfter time.Time }

type spki struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

type certASN1 struct {
	TBS       asn1.RawValue
	SigAlg    pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

// buildCert writes the certificate by hand for the key types crypto/x509
// cannot make: an id-RSASSA-PSS key and a brainpool key.
func buildCert(k *Key, o CertOptions) ([]byte, error) {
	name, err := asn1.Marshal(o.Subject.ToRDNSequence())
	if err != nil {
		return nil, err
	}
	var pub spki
	var sigAlg pkix.AlgorithmIdentifier
	switch key := k.Signer.Public().(type) {
	case *rsa.PublicKey:
		pub.Algorithm = pkix.AlgorithmIdentifier{Algorithm: oidRSAPSS}
		if k.Type == RSAPSSSHA512 {
			sha512 := pkix.AlgorithmIdentifier{Algorithm: oidSHA512}
			mgfParams, _ := asn1.Marshal(sha512)
			params, err := asn1.Marshal(struct {
				Hash pkix.AlgorithmIdentifier `asn1:"explicit,tag:0"`
				MGF  pkix.AlgorithmIdentifier `asn1:"explicit,tag:1"`
				Salt int                      `asn1:"explicit,tag:2"`
			}{sha512, pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: mgfParams}}, 64})
			if err != nil {
				return nil, err
			}
			pub.Algorithm.Parameters = asn1.RawValue{FullBytes: params}
		}
		pub.PublicKey = asn1.BitString{Bytes: x509.MarshalPKCS1PublicKey(key)}
		pub.PublicKey.BitLength = 8 * len(pub.PublicKey.Bytes)
		sigAlg = pkix.AlgorithmIdentifier{Algorithm: oidSHA256RSA, Parameters: asn1.NullRawValue}
	case *ecdsa.PublicKey:
		params, _ := asn1.Marshal(brainpoolCurves[k.Type].oid)
		pub.Algorithm = pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: asn1.RawValue{FullBytes: params}}
		//lint:ignore SA1019 brainpool keys exist only as coordinates in Go
		pt := elliptic.Marshal(key.Curve, key.X, key.Y)
		pub.PublicKey = asn1.BitString{Bytes: pt, BitLength: 8 * len(pt)}
		sigAlg = pkix.AlgorithmIdentifier{Algorithm: oidECDSASHA256}
	default:
		return nil, fmt.Errorf("tltest: cannot hand-build a certificate for %T", key)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tbs, err := asn1.Marshal(tbsCert{
		Version: 2, Serial: serial, SigAlg: sigAlg,
		Issuer: asn1.RawValue{FullBytes: name}, Subject: asn1.RawValue{FullBytes: name},
		Validity: validity{o.NotBefore.UTC(), o.NotAfter.UTC()}, PublicKey: pub,
	})
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(tbs)
	var sig []byte
	if rk, ok := k.Signer.(*rsa.PrivateKey); ok {
		sig, err = rsa.SignPKCS1v15(rand.Reader, rk, crypto.SHA256, digest[:])
	} else {
		sig, err = ecdsa.SignASN1(rand.Reader, k.Signer.(*ecdsa.PrivateKey), digest[:])
	}
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(certASN1{TBS: asn1.RawValue{FullBytes: tbs}, SigAlg: sigAlg, Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
}
