package xmldsig_test

import (
	"crypto/x509/pkix"
	"slices"
	"testing"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// TestCertInfoNameParts: the subject's CN and O are fields, in the order
// the formatted subject shows them, whatever characters they hold.
func TestCertInfoNameParts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		subject pkix.Name
		cn      string
		orgs    []string
	}{
		{"cn and o", pkix.Name{CommonName: "Scheme Operator, BE", Organization: []string{"FPS Economy", "SPF Économie"}, Country: []string{"BE"}}, "Scheme Operator, BE", []string{"FPS Economy", "SPF Économie"}},
		{"o only", pkix.Name{Organization: []string{"EUROPEAN COMMISSION"}}, "", []string{"EUROPEAN COMMISSION"}},
		{"escaped characters", pkix.Name{CommonName: `a+b "c" \d`, Country: []string{"EL"}}, `a+b "c" \d`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := tltest.NewKey(tltest.P256, tltest.CertOptions{Subject: tc.subject})
			if err != nil {
				t.Fatal(err)
			}
			info, err := xmldsig.ParseCertInfo(k.DER)
			if err != nil {
				t.Fatal(err)
			}
			if info.CommonName != tc.cn || !slices.Equal(info.Organization, tc.orgs) {
				t.Errorf("CN %q O %q, want %q %q (subject %s)", info.CommonName, info.Organization, tc.cn, tc.orgs, info.Subject)
			}
		})
	}
}
