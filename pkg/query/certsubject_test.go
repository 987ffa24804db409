package query_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"slices"
	"testing"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// lightSubject is what the index reads of a listed certificate's subject,
// without crypto/x509: the O= and organizationIdentifier values.
func lightSubject(c tsl.Certificate) (orgs, orgIDs []string, ok bool) {
	subject, ok := c.RawSubject()
	if !ok {
		return nil, nil, false
	}
	return xmldsig.NameAttributes(subject, "O"), xmldsig.NameAttributes(subject, "organizationIdentifier"), true
}

// sameAsX509 fails t when crypto/x509 parses c and the index's reading of
// its subject differs from crypto/x509's.
func sameAsX509(t *testing.T, c tsl.Certificate) bool {
	t.Helper()
	x, err := x509.ParseCertificate(c.Raw)
	if err != nil {
		return false
	}
	orgs, ids, ok := lightSubject(c)
	if !ok {
		t.Fatalf("certificate %.16s: the index cannot read a subject crypto/x509 parses", c.SHA256())
	}
	var want []string
	for _, atv := range x.Subject.Names {
		if s, isString := atv.Value.(string); isString && atv.Type.String() == "2.5.4.97" {
			want = append(want, s)
		}
	}
	if !slices.Equal(orgs, x.Subject.Organization) || !slices.Equal(ids, want) {
		t.Fatalf("certificate %.16s: O %q organizationIdentifier %q, crypto/x509 %q %q", c.SHA256(), orgs, ids, x.Subject.Organization, want)
	}
	return true
}

// TestRealCertificateSubjects: on every service certificate of the real
// set that crypto/x509 parses, the index reads the subject's O= and
// organizationIdentifier values exactly as crypto/x509 does.
func TestRealCertificateSubjects(t *testing.T) {
	n := 0
	realIndex(t).Services(func(ref query.ServiceRef) {
		for _, in := range append([]tsl.ServiceInstance{ref.Service.Current}, ref.Service.History...) {
			for _, id := range in.Identities {
				for _, c := range id.Certificates {
					if sameAsX509(t, c) {
						n++
					}
				}
			}
		}
	})
	if n < 1000 {
		t.Fatalf("only %d certificates compared", n)
	}
}

// FuzzCertificateSubject: on any DER crypto/x509 parses, the index's
// reading of the subject agrees with it; on any other it never panics.
func FuzzCertificateSubject(f *testing.F) {
	ca := tltest.MustKey(tltest.P256, tltest.CertOptions{Subject: pkix.Name{CommonName: "CA", Organization: []string{"Org One", "Org Two"}, Country: []string{"BE"}}})
	f.Add(ca.DER)
	ee, err := tltest.IssueCert(ca, tltest.EECert{Subject: pkix.Name{CommonName: "EE", Organization: []string{"Zürich AG"},
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: []int{2, 5, 4, 97}, Value: "VATBE-0541659084"}}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(ee.DER)
	f.Add(tltest.MustKey(tltest.Brainpool, tltest.CertOptions{Subject: pkix.Name{Organization: []string{"Brainpool Org"}}}).DER)
	f.Fuzz(func(t *testing.T, der []byte) {
		sameAsX509(t, tsl.NewCertificate(der))
	})
}
