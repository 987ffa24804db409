package dn_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/eutl/eutl/internal/dn"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// certWithSubject is a certificate whose subject is exactly the DER name
// given (crypto/x509 writes RawSubject as it is).
func certWithSubject(t testing.TB, name []byte) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), RawSubject: name,
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// name builds a DER Name of one-attribute RDNs (type DER content, value tag
// and bytes), or of one multi-valued RDN when multi is set.
func name(multi bool, atvs ...atv) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		add := func(b *cryptobyte.Builder, a atv) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes([]byte(a.typ)) })
				b.AddASN1(a.tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(a.value)) })
			})
		}
		if multi {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for _, a := range atvs {
					add(b, a)
				}
			})
			return
		}
		for _, a := range atvs {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { add(b, a) })
		}
	})
	return b.BytesOrPanic()
}

type atv struct {
	typ   string
	tag   cbasn1.Tag
	value string
}

const cn = "\x55\x04\x03"

// sameAsX509 fails t when crypto/x509 parses der and Values on its
// subject differs from its pkix.Name; it reports whether x509 parsed it.
func sameAsX509(t *testing.T, der []byte) bool {
	t.Helper()
	x, err := x509.ParseCertificate(der)
	if err != nil {
		return false
	}
	v, ok := dn.Values(x.RawSubject, dn.TypeOrganization, dn.TypeOrganizationIdentifier)
	if !ok {
		t.Fatalf("Values cannot read a subject crypto/x509 reads: %x", x.RawSubject)
	}
	var ids []string
	for _, a := range x.Subject.Names {
		if s, isString := a.Value.(string); isString && a.Type.String() == "2.5.4.97" {
			ids = append(ids, s)
		}
	}
	if !slices.Equal(v[0], x.Subject.Organization) || !slices.Equal(v[1], ids) {
		t.Fatalf("Values: O %q organizationIdentifier %q; crypto/x509: %q %q", v[0], v[1], x.Subject.Organization, ids)
	}
	return true
}

func TestValuesAsX509(t *testing.T) {
	o, id := dn.TypeOrganization, dn.TypeOrganizationIdentifier
	for _, tc := range []struct {
		name string
		der  []byte
		want [][]string // nil: unreadable (crypto/x509 refuses it too)
	}{
		{"printable", name(false, atv{o, cbasn1.PrintableString, "A & B *"}, atv{cn, cbasn1.UTF8String, "x"}), [][]string{{"A & B *"}, nil}},
		{"utf8 and identifier", name(false, atv{o, cbasn1.UTF8String, "Zürich"}, atv{id, cbasn1.UTF8String, "VATBE-0541659084"}), [][]string{{"Zürich"}, {"VATBE-0541659084"}}},
		{"t61 is latin-1", name(false, atv{o, cbasn1.T61String, "Soci\xe9t\xe9"}), [][]string{{"Société"}, nil}},
		{"bmp with terminator", name(false, atv{o, cbasn1.Tag(30), "\x00A\x00\xe9\x00\x00"}), [][]string{{"Aé"}, nil}},
		{"ia5", name(false, atv{o, cbasn1.IA5String, "a@b"}), [][]string{{"a@b"}, nil}},
		{"numeric", name(false, atv{o, cbasn1.Tag(18), "12 34"}), [][]string{{"12 34"}, nil}},
		{"multi-valued rdn", name(true, atv{o, cbasn1.UTF8String, "One"}, atv{o, cbasn1.UTF8String, "Two"}), [][]string{{"One", "Two"}, nil}},
		{"empty", name(false), [][]string{nil, nil}},
		{"bad printable", name(false, atv{o, cbasn1.PrintableString, "a@b"}), nil},
		{"bad utf8", name(false, atv{o, cbasn1.UTF8String, "\xff"}), nil},
		{"bmp odd", name(false, atv{o, cbasn1.Tag(30), "\x00A\x00"}), nil},
		{"bmp surrogate", name(false, atv{o, cbasn1.Tag(30), "\xd8\x00\xdc\x00"}), nil},
		{"ia5 high", name(false, atv{o, cbasn1.IA5String, "\xe9"}), nil},
		{"numeric letter", name(false, atv{o, cbasn1.Tag(18), "12a"}), nil},
		{"octet string value, another type", name(false, atv{cn, cbasn1.OCTET_STRING, "x"}), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := dn.Values(tc.der, o, id)
			if tc.want == nil {
				if ok {
					t.Fatalf("read %q", got)
				}
			} else if !ok || !slices.Equal(got[0], tc.want[0]) || !slices.Equal(got[1], tc.want[1]) {
				t.Fatalf("got %q (%v), want %q", got, ok, tc.want)
			}
			if parsed := sameAsX509(t, certWithSubject(t, tc.der)); parsed != (tc.want != nil) {
				t.Fatalf("crypto/x509 parsed the certificate: %v", parsed)
			}
		})
	}
	for _, bad := range [][]byte{nil, {0x30}, {0x30, 0x00, 0x00}, {0x31, 0x00}, {0x30, 0x02, 0x30, 0x00}} {
		if v, ok := dn.Values(bad, o); ok {
			t.Errorf("%x: read %q", bad, v)
		}
	}
}

// FuzzValues: on every certificate crypto/x509 parses, Values reads its
// subject as crypto/x509 does; on anything else it never panics.
func FuzzValues(f *testing.F) {
	o, id := dn.TypeOrganization, dn.TypeOrganizationIdentifier
	for _, n := range [][]byte{
		name(false, atv{o, cbasn1.T61String, "Soci\xe9t\xe9"}, atv{id, cbasn1.PrintableString, "NTRFR-1"}),
		name(true, atv{o, cbasn1.Tag(30), "\x00A\x00\xe9"}, atv{o, cbasn1.IA5String, "x"}),
		name(false, atv{o, cbasn1.Tag(18), "12"}, atv{cn, cbasn1.UTF8String, "Zürich"}),
	} {
		f.Add(certWithSubject(f, n))
	}
	f.Add(certWithSubject(f, mustName(f, pkix.Name{CommonName: "CA", Organization: []string{"Org"}})))
	f.Fuzz(func(t *testing.T, der []byte) {
		sameAsX509(t, der)
		if x, err := x509.ParseCertificate(der); err == nil {
			der = x.RawSubject
		}
		dn.Values(der, o, id)
	})
}

func mustName(t testing.TB, n pkix.Name) []byte {
	tmpl := &x509.Certificate{Subject: n}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl.SerialNumber = big.NewInt(2)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	x, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return x.RawSubject
}
