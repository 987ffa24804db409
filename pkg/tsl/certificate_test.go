package tsl_test

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"sync"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// testCerts are certificates of every key type of the test PKI, with
// validity encoded as UTCTime and as GeneralizedTime, self-signed and
// issued.
func testCerts(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, kt := range []tltest.KeyType{tltest.RSA2048, tltest.RSAPSS, tltest.P256, tltest.P384, tltest.Brainpool} {
		out[string(kt)] = tltest.MustKey(kt, tltest.CertOptions{}).DER
	}
	out["generalized-time"] = tltest.MustKey(tltest.P256, tltest.CertOptions{
		NotBefore: time.Date(1949, 12, 31, 23, 59, 59, 0, time.UTC), NotAfter: time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC),
	}).DER
	ca := tltest.MustKey(tltest.P256, tltest.CertOptions{Subject: pkix.Name{CommonName: "CA", Organization: []string{"Issuer Org"}}})
	ee, err := tltest.IssueCert(ca, tltest.EECert{Subject: pkix.Name{CommonName: "EE", Organization: []string{"Subject Org"}}})
	if err != nil {
		t.Fatal(err)
	}
	out["issued"] = ee.DER
	return out
}

// checkLight compares the light accessors with crypto/x509 on der: where
// crypto/x509 parses the certificate they must read it and agree (time
// zones included); readability is the same for all of them.
func checkLight(t *testing.T, der []byte) (parsed, read bool) {
	t.Helper()
	c := tsl.NewCertificate(der)
	subject, sok := c.RawSubject()
	nb, na, vok := c.Validity()
	if sok != vok {
		t.Fatalf("accessors disagree on readability: subject %v validity %v", sok, vok)
	}
	if !sok && (subject != nil || !nb.IsZero() || !na.IsZero()) {
		t.Fatalf("values reported with failure: %x %v %v", subject, nb, na)
	}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return false, sok
	}
	if !sok {
		t.Fatalf("light accessors fail on a certificate crypto/x509 parses")
	}
	if !bytes.Equal(subject, x.RawSubject) {
		t.Fatalf("subject: light %x, x509 %x", subject, x.RawSubject)
	}
	if !nb.Equal(x.NotBefore) || !na.Equal(x.NotAfter) || nb.String() != x.NotBefore.String() || na.String() != x.NotAfter.String() {
		t.Fatalf("validity: light %v – %v, x509 %v – %v", nb, na, x.NotBefore, x.NotAfter)
	}
	return true, true
}

func TestCertificateLightMatchesX509(t *testing.T) {
	for name, der := range testCerts(t) {
		t.Run(name, func(t *testing.T) {
			parsed, read := checkLight(t, der)
			if !read {
				t.Fatal("light accessors cannot read a generated certificate")
			}
			if name == string(tltest.Brainpool) && parsed {
				t.Fatal("crypto/x509 parses brainpool keys now: the test no longer covers a certificate it refuses")
			}
		})
	}
}

// TestCertificateLightMalformed: every truncation and every extension of
// a certificate is refused; a byte changed anywhere never makes the light
// accessors disagree with crypto/x509 or panic.
func TestCertificateLightMalformed(t *testing.T) {
	der := testCerts(t)["issued"]
	for n := range len(der) {
		if _, read := checkLight(t, der[:n]); read {
			t.Fatalf("truncated to %d of %d bytes: read", n, len(der))
		}
	}
	if _, read := checkLight(t, append(bytes.Clone(der), 0)); read {
		t.Fatal("trailing byte: read")
	}
	for i := range der {
		for _, b := range []byte{0x00, 0xff, der[i] ^ 0x01, der[i] ^ 0x80} {
			m := bytes.Clone(der)
			m[i] = b
			checkLight(t, m)
		}
	}
}

// TestCertificateLightValidity: the time encodings crypto/x509 accepts
// and refuses, read the same way.
func TestCertificateLightValidity(t *testing.T) {
	der := testCerts(t)["issued"]
	utc := func(s string) []byte { return tlv(cbasn1.UTCTime, s) }
	gen := func(s string) []byte { return tlv(cbasn1.GeneralizedTime, s) }
	for _, tc := range []struct {
		name     string
		validity []byte
		ok       bool
	}{
		{"utc", cat(utc("200101000000Z"), utc("400101000000Z")), true},
		{"utc-minutes", cat(utc("2001010000Z"), utc("4001010000Z")), true},
		{"utc-offset", cat(utc("200101000000+0130"), utc("400101000000-0800")), true},
		{"utc-1950", cat(utc("500101000000Z"), utc("491231235959Z")), true},
		{"generalized", cat(gen("19491231235959Z"), gen("20500101000000Z")), true},
		{"generalized-offset", cat(gen("20200101000000+0100"), gen("20400101000000Z")), true},
		{"extra-element", cat(utc("200101000000Z"), utc("400101000000Z"), utc("410101000000Z")), true},
		{"generalized-fraction", cat(gen("20200101000000.5Z"), gen("20400101000000Z")), false},
		{"utc-no-zone", cat(utc("200101000000"), utc("400101000000Z")), false},
		{"utc-bad-month", cat(utc("201301000000Z"), utc("400101000000Z")), false},
		{"one-time", utc("200101000000Z"), false},
		{"octet-string", cat(tlv(cbasn1.OCTET_STRING, "200101000000Z"), utc("400101000000Z")), false},
		{"empty", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parsed, read := checkLight(t, withValidity(t, der, tc.validity))
			if parsed != tc.ok || read != tc.ok {
				t.Fatalf("crypto/x509 parsed %v, light read %v; want %v", parsed, read, tc.ok)
			}
		})
	}
}

func tlv(tag cbasn1.Tag, s string) []byte {
	var b cryptobyte.Builder
	b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s)) })
	return b.BytesOrPanic()
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// withValidity re-encodes der with the given content of its Validity
// SEQUENCE (the signature no longer verifies; parsing does not check it).
func withValidity(t *testing.T, der, validity []byte) []byte {
	t.Helper()
	in := cryptobyte.String(der)
	var cert, tbs, version, serial, sigAI, issuer, old, rest, outerRest cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1Element(&tbs, cbasn1.SEQUENCE) || !tbs.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&version, cbasn1.Tag(0).Constructed().ContextSpecific()) || !tbs.ReadASN1Element(&serial, cbasn1.INTEGER) ||
		!tbs.ReadASN1Element(&sigAI, cbasn1.SEQUENCE) || !tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || !tbs.ReadASN1(&old, cbasn1.SEQUENCE) {
		t.Fatal("cannot take the generated certificate apart")
	}
	rest, outerRest = tbs, cert
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(cat(version, serial, sigAI, issuer))
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddBytes(validity) })
			b.AddBytes(rest)
		})
		b.AddBytes(outerRest)
	})
	return b.BytesOrPanic()
}

// TestCertificateParsedOnce: crypto/x509 runs on first X509 call only,
// once for every copy, however many goroutines ask; light accessors and
// copies never parse.
func TestCertificateParsedOnce(t *testing.T) {
	der := testCerts(t)["issued"]
	before := tsl.X509Parses()
	c := tsl.NewCertificate(der)
	copies := []tsl.Certificate{c, c, c, c}
	for _, cp := range copies {
		cp.RawSubject()
		cp.Validity()
		_ = cp.SHA256()
	}
	if n := tsl.X509Parses() - before; n != 0 {
		t.Fatalf("%d parses before X509 was called", n)
	}
	var wg sync.WaitGroup
	got := make([]*x509.Certificate, 16)
	for i := range got {
		wg.Go(func() {
			x, err := copies[i%len(copies)].X509()
			if err != nil {
				t.Error(err)
			}
			got[i] = x
		})
	}
	wg.Wait()
	if n := tsl.X509Parses() - before; n != 1 {
		t.Fatalf("%d parses for 16 calls on copies of one certificate, want 1", n)
	}
	for _, x := range got {
		if x == nil || x != got[0] {
			t.Fatal("copies returned different parsed certificates")
		}
	}
	// A literal has no shared state: it parses, every time.
	lit := tsl.Certificate{Raw: der}
	if x, err := lit.X509(); err != nil || !bytes.Equal(x.Raw, der) {
		t.Fatalf("literal: %v", err)
	}
}

// TestParseBytesParsesNoCertificate: parsing a list keeps its certificates
// as DER; crypto/x509 runs only when one is asked for.
func TestParseBytesParsesNoCertificate(t *testing.T) {
	l := sample()
	for _, der := range testCerts(t) {
		l.Providers[0].Services[0].Certs = append(l.Providers[0].Services[0].Certs, der)
	}
	data := build(t, l)
	before := tsl.X509Parses()
	got, err := tsl.ParseBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	certs := got.Providers[0].Services[0].Current.Identities[0].Certificates
	if len(certs) != len(l.Providers[0].Services[0].Certs) {
		t.Fatalf("%d certificates", len(certs))
	}
	if n := tsl.X509Parses() - before; n != 0 {
		t.Fatalf("parsing the list ran crypto/x509 %d times", n)
	}
	_, _ = certs[0].X509()
	if n := tsl.X509Parses() - before; n != 1 {
		t.Fatalf("asking for one certificate ran crypto/x509 %d times", n)
	}
}

// FuzzCertificateLight: the light accessors never panic, and on every
// input crypto/x509 parses they give its subject and validity.
func FuzzCertificateLight(f *testing.F) {
	for _, der := range testCerts(f) {
		f.Add(der)
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		checkLight(t, der)
	})
}
