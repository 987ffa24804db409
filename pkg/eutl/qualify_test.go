package eutl_test

import (
	"crypto/x509/pkix"
	"testing"

	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/qualify"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
)

// TestCertificates: a certificate issued under a listed CA of the generated
// BE list is qualified through the loaded set; one issued by another key
// with the CA's name is not; the trust store holds the CA.
func TestCertificates(t *testing.T) {
	t.Parallel()
	w := testWorld(t)
	ctx, _ := online(t, w)
	set, err := eutl.Load(ctx, eutl.Config{LOTLURL: w.LOTLURL(), CacheDir: t.TempDir(), CustomAnchorsUnsafe: anchors(w), At: at, Territories: []string{"BE"}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := set.Certificates()
	if err != nil {
		t.Fatal(err)
	}
	ca := w.ServiceKeys["itsme Sign Issuing CA G2"]
	rogue := tltest.MustKey(tltest.P256, tltest.CertOptions{Subject: ca.Cert.Subject})
	for _, c := range []struct {
		by   *tltest.Key
		want qualify.Outcome
	}{{ca, qualify.Qualified}, {rogue, qualify.NotQualified}} {
		leaf, err := tltest.IssueCert(c.by, tltest.EECert{Subject: pkix.Name{CommonName: "x", Country: []string{"BE"}}, QC: &tltest.QCStatements{Compliance: true, Types: []string{tltest.QcTypeESign}}})
		if err != nil {
			t.Fatal(err)
		}
		x, err := qualify.ParseCert(leaf.DER)
		if err != nil {
			t.Fatal(err)
		}
		if r := q.Evaluate(x, nil, qualify.ForESig, at); r.Outcome != c.want {
			t.Errorf("%s (%s), want %s", r.Outcome, r.Reason, c.want)
		}
	}
	kind, _ := query.ParseKind("qc-esig")
	found := false
	for _, e := range q.TrustStore(kind, "BE", at) {
		if e.SHA256 == ca.SHA256() {
			found = true
		}
	}
	if !found {
		t.Error("the trust store lacks the listed CA")
	}
}
