package tsl

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Certificate is an X.509 certificate as listed: its DER bytes, parsed by
// crypto/x509 only when [Certificate.X509] is first called. Most listed
// certificates are never looked at in a run, so loading a list costs no
// certificate parsing.
//
// The light accessors [Certificate.RawSubject] and [Certificate.Validity]
// read the TBSCertificate straight from the DER without crypto/x509.
// Whenever crypto/x509 parses a certificate they give exactly its
// RawSubject, NotBefore and NotAfter; on DER they cannot read they report
// failure (ok false), never a guess.
//
// A Certificate is a small value: copies share the DER and the parsed form.
// Its methods are safe for concurrent use, and crypto/x509 runs at most once
// for all copies of a Certificate made by [NewCertificate] (a Certificate
// written as a literal has no shared state and parses on every X509 call).
type Certificate struct {
	// Raw is the DER bytes as listed.
	Raw []byte

	lazy *lazyX509
}

// lazyX509 is the crypto/x509 form of one listed certificate, shared by
// every copy of its Certificate.
type lazyX509 struct {
	once sync.Once
	cert *x509.Certificate
	err  error
}

// ErrUnsupportedPublicKey is returned by [Certificate.X509], with the parsed
// certificate, when crypto/x509 reads the certificate but not its public key
// (the certificate's PublicKey is then nil).
var ErrUnsupportedPublicKey = errors.New("public key algorithm not supported by crypto/x509")

// x509Parses counts the calls of crypto/x509 on listed certificates (tests
// read it to prove what the load path does not parse).
var x509Parses atomic.Int64

// NewCertificate keeps the DER bytes of a listed certificate; nothing is
// parsed until a method needs it. A certificate Go cannot parse is kept all
// the same, so one odd certificate never makes its list unusable.
func NewCertificate(der []byte) Certificate {
	return Certificate{Raw: der, lazy: &lazyX509{}}
}

// X509 returns the certificate parsed by crypto/x509, parsing it on the
// first call. The error says why Go cannot use the certificate:
//   - crypto/x509 refuses it (brainpool curves, malformed extensions): the
//     certificate is nil;
//   - crypto/x509 parses it but not its public key (RSASSA-PSS keys, for
//     one): the certificate is returned with an error wrapping
//     [ErrUnsupportedPublicKey] that names the algorithm.
//
// The returned certificate is shared: callers must not modify it.
func (c Certificate) X509() (*x509.Certificate, error) {
	if c.lazy == nil {
		return parseX509(c.Raw)
	}
	c.lazy.once.Do(func() { c.lazy.cert, c.lazy.err = parseX509(c.Raw) })
	return c.lazy.cert, c.lazy.err
}

func parseX509(der []byte) (*x509.Certificate, error) {
	x509Parses.Add(1)
	cert, err := x509.ParseCertificate(der)
	switch {
	case err != nil:
		return nil, err
	case cert.PublicKey == nil:
		return cert, fmt.Errorf("%w (%s)", ErrUnsupportedPublicKey, cert.PublicKeyAlgorithm)
	}
	return cert, nil
}

// SHA256 returns the SHA-256 fingerprint of the DER bytes in lower-case hex.
func (c Certificate) SHA256() string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// RawSubject returns the DER of the subject name, read without crypto/x509
// (a slice of Raw: callers must not modify it). ok is false when the DER is
// not a readable certificate.
func (c Certificate) RawSubject() (subject []byte, ok bool) {
	f, ok := readTBS(c.Raw)
	return f.subject, ok
}

// Validity returns the notBefore and notAfter times, read without
// crypto/x509 and as crypto/x509 reads them. ok is false when the DER is not
// a readable certificate.
func (c Certificate) Validity() (notBefore, notAfter time.Time, ok bool) {
	f, ok := readTBS(c.Raw)
	return f.notBefore, f.notAfter, ok
}

// tbsFields are the parts of a TBSCertificate the light accessors give.
type tbsFields struct {
	subject             []byte
	notBefore, notAfter time.Time
}

// readTBS walks the certificate envelope and its TBSCertificate up to the
// subject public key with the checks crypto/x509 makes on that part (the
// same reading of the times included) and no others, so it reads every
// certificate crypto/x509 parses, and some it refuses for their names, keys
// or extensions, which it does not look into.
func readTBS(der []byte) (tbsFields, bool) {
	var f tbsFields
	input := cryptobyte.String(der)
	var cert, tbs, sigAI, outerSigAI, validity, skip cryptobyte.String
	if !input.ReadASN1(&cert, cbasn1.SEQUENCE) || !input.Empty() ||
		!cert.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!cert.ReadASN1(&outerSigAI, cbasn1.SEQUENCE) {
		return tbsFields{}, false
	}
	var version int
	if !tbs.ReadOptionalASN1Integer(&version, cbasn1.Tag(0).Constructed().ContextSpecific(), 0) || version < 0 || version > 2 ||
		!tbs.ReadASN1(&skip, cbasn1.INTEGER) || len(skip) == 0 ||
		!tbs.ReadASN1(&sigAI, cbasn1.SEQUENCE) || !bytes.Equal(sigAI, outerSigAI) ||
		!tbs.ReadASN1(&skip, cbasn1.SEQUENCE) || // issuer
		!tbs.ReadASN1(&validity, cbasn1.SEQUENCE) ||
		!readTime(&validity, &f.notBefore) || !readTime(&validity, &f.notAfter) ||
		!tbs.ReadASN1Element((*cryptobyte.String)(&f.subject), cbasn1.SEQUENCE) ||
		!tbs.ReadASN1(&skip, cbasn1.SEQUENCE) {
		return tbsFields{}, false
	}
	return f, true
}

// readTime reads a UTCTime or GeneralizedTime as crypto/x509 does.
func readTime(s *cryptobyte.String, t *time.Time) bool {
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		return s.ReadASN1UTCTime(t)
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		return s.ReadASN1GeneralizedTime(t)
	}
	return false
}
