package query_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"slices"
	"strings"
	"testing"

	"github.com/eutl/eutl/internal/dn"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
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

// TestRelatedThroughAnyListedCertificate: a service whose certificate is
// issued to the queried provider is related to it whatever the
// certificate's key: one crypto/x509 refuses (brainpool), one it parses
// without the key (RSASSA-PSS) and one it reads fully are all found by
// their subject's O= and organizationIdentifier, and their expiry counts.
func TestRelatedThroughAnyListedCertificate(t *testing.T) {
	at := d("2026-08-20")
	for _, kt := range []tltest.KeyType{tltest.Brainpool, tltest.RSAPSS, tltest.P256} {
		t.Run(string(kt), func(t *testing.T) {
			byOrg := tltest.MustKey(kt, tltest.CertOptions{Subject: pkix.Name{CommonName: "Signing CA", Organization: []string{"Acme Signing SA"}},
				NotBefore: d("2020-01-01"), NotAfter: d("2026-01-01")})
			byID := tltest.MustKey(kt, tltest.CertOptions{Subject: pkix.Name{CommonName: "Seal CA", Organization: []string{"Somebody Else"},
				ExtraNames: []pkix.AttributeTypeAndValue{{Type: []int{2, 5, 4, 97}, Value: "NTRBE-0123456789"}}}})
			ix := index(t, tltest.List{Territory: "BE", NextUpdate: d("2026-12-01"), Providers: []tltest.Provider{
				{Name: "Acme Signing SA", TradeNames: []string{"VATBE-0123456789"}, Services: []tltest.Service{
					{Type: "QESValidation/Q", Name: "Acme Validation", Status: "granted", Start: d("2020-01-01")},
				}},
				{Name: "Host CA NV", Services: []tltest.Service{
					{Type: "CA/QC", Name: "Acme CA by O", Status: "granted", Start: d("2020-01-01"), ASI: []string{"ForeSignatures"}, Certs: [][]byte{byOrg.DER}},
					{Type: "CA/QC", Name: "Acme CA by identifier", Status: "granted", Start: d("2020-01-01"), ASI: []string{"ForeSignatures"}, Certs: [][]byte{byID.DER}},
				}},
			}})
			a := ix.Check(query.Query{Provider: "Acme Signing SA", Kind: kind(t, "qc-esig"), At: at})
			var got []string
			for _, r := range a.Related {
				got = append(got, r.Service.Name)
			}
			slices.Sort(got)
			if want := []string{"Acme CA by O", "Acme CA by identifier"}; !slices.Equal(got, want) {
				t.Fatalf("related %q, want %q", got, want)
			}
			// The expiry of the provider's own certificate is noted.
			own := index(t, tltest.List{Territory: "BE", NextUpdate: d("2026-12-01"), Providers: []tltest.Provider{
				{Name: "Acme Signing SA", Services: []tltest.Service{
					{Type: "CA/QC", Name: "Acme Own CA", Status: "granted", Start: d("2020-01-01"), ASI: []string{"ForeSignatures"}, Certs: [][]byte{byOrg.DER}},
				}},
			}})
			a = own.Check(query.Query{Provider: "Acme Signing SA", Kind: kind(t, "qc-esig"), At: at})
			if !a.Qualified || !slices.ContainsFunc(a.Warnings, func(w string) bool {
				return strings.Contains(w, "every certificate of the service (1) expired by 2026-08-20T00:00:00Z (the last on 2026-01-01T00:00:00Z)")
			}) {
				t.Errorf("qualified %v, warnings %q", a.Qualified, a.Warnings)
			}
		})
	}
}
