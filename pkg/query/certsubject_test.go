package query_test

import (
	"crypto/x509"
	"slices"
	"testing"

	"github.com/eutl/eutl/internal/dn"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tsl"
)

// lightSubject is what the index reads of a listed certificate's subject,
// without crypto/x509: the O= and organizationIdentifier values (as
// certSubjects reads them).
func lightSubject(c tsl.Certificate) (orgs, orgIDs []string, ok bool) {
	subject, ok := c.RawSubject()
	if !ok {
		return nil, nil, false
	}
	v, ok := dn.Values(subject, dn.TypeOrganization, dn.TypeOrganizationIdentifier)
	if !ok {
		return nil, nil, false
	}
	return v[0], v[1], true
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
