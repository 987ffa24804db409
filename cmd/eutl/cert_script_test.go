package main

import (
	"crypto/x509/pkix"
	"os"
	"path/filepath"
	"time"

	"github.com/eutl/eutl/pkg/tltest"
)

// writeCertFiles issues the end-entity certificates the cert and
// trust-store scripts ask about, under the generated BE services.
func writeCertFiles(dir string, w *tltest.World) error {
	ca := w.ServiceKeys["itsme Sign Issuing CA G2"]
	bio := w.ServiceKeys["itsme Sign Biometric CA 2025"]
	subj := func(cn string) pkix.Name { return pkix.Name{CommonName: cn, Country: []string{"BE"}} }
	nb := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	rogue := tltest.MustKey(tltest.P256, tltest.CertOptions{Subject: ca.Cert.Subject})
	inter, err := tltest.IssueCert(ca, tltest.EECert{Subject: pkix.Name{CommonName: "Unlisted Issuing CA", Country: []string{"BE"}}, CA: true, NotBefore: nb.AddDate(-1, 0, 0), NotAfter: nb.AddDate(10, 0, 0)})
	if err != nil {
		return err
	}
	certs := map[string]struct {
		by *tltest.Key
		o  tltest.EECert
	}{
		"qc-esig.pem":   {ca, tltest.EECert{Subject: subj("Jane Signer"), NotBefore: nb, QC: &tltest.QCStatements{Compliance: true, Types: []string{tltest.QcTypeESign}, Semantics: "natural"}}},
		"qc-eseal.pem":  {ca, tltest.EECert{Subject: subj("Seal of Org"), NotBefore: nb, QC: &tltest.QCStatements{Compliance: true, SSCD: true, Types: []string{tltest.QcTypeESeal}}}},
		"forged.pem":    {rogue, tltest.EECert{Subject: subj("Mallory"), NotBefore: nb, QC: &tltest.QCStatements{Compliance: true, SSCD: true, Types: []string{tltest.QcTypeESign}}}},
		"early-bio.pem": {bio, tltest.EECert{Subject: subj("Too Early"), NotBefore: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), QC: &tltest.QCStatements{Compliance: true, Types: []string{tltest.QcTypeESign}}}},
		"via-inter.pem": {inter, tltest.EECert{Subject: subj("Under Intermediate"), NotBefore: nb, QC: &tltest.QCStatements{Compliance: true, Types: []string{tltest.QcTypeESign}}}},
	}
	for name, c := range certs {
		k, err := tltest.IssueCert(c.by, c.o)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), k.PEM(), 0o644); err != nil {
			return err
		}
		if name == "qc-esig.pem" {
			if err := os.WriteFile(filepath.Join(dir, "qc-esig.der"), k.DER, 0o644); err != nil {
				return err
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "inter.pem"), inter.PEM(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "itsme-ca.pem"), ca.PEM(), 0o644)
}
