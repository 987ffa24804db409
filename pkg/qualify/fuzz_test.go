package qualify_test

import (
	"crypto/x509/pkix"
	"testing"

	"github.com/eutl/eutl/pkg/qualify"
	"github.com/eutl/eutl/pkg/tltest"
)

// FuzzReadCerts feeds arbitrary bytes to the certificate reader (PEM or
// DER, QC statements, policies, key usages) and evaluates whatever parses:
// nothing may panic, and a parsed certificate never matches a service
// whose key did not sign it.
func FuzzReadCerts(f *testing.F) {
	p := fixture(f)
	seeds := []*tltest.EECert{
		{QC: qcSSCD(esign), Policies: []string{"0.4.0.194112.1.2"}, EKUs: []string{"1.3.6.1.5.5.7.3.1"}},
		{QC: &tltest.QCStatements{Compliance: true, MalformedType: true, PDS: true, CCLegislation: []string{"CH"}, Semantics: "legal"}},
		{QC: &tltest.QCStatements{Raw: []byte{0x30, 0x03, 0x06, 0x01, 0x00}}, NoKeyUsage: true},
		{Subject: pkix.Name{CommonName: "x", Organization: []string{"o"}}, CA: true},
	}
	for _, o := range seeds {
		k, err := tltest.IssueCert(p.ca, *o)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(k.DER)
		f.Add(k.PEM())
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{0x30, 0x80})
	ix := newIndex(f, nil, svc(p, "granted", "2017-01-01", sig, q("QCStatement", "QCWithQSCD")))
	f.Fuzz(func(t *testing.T, data []byte) {
		ins, err := qualify.ReadCerts(data)
		if err != nil {
			if _, ok := err.(*qualify.InputError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for _, in := range ins {
			r := ix.Evaluate(in.Cert, nil, qualify.ForAny, d("2026-06-01"))
			if len(r.Services) > 0 && qualify.NewIssuer(p.ca.DER).CheckSignature(in.Cert) != nil {
				t.Fatalf("matched a service whose key did not sign the certificate")
			}
		}
	})
}
