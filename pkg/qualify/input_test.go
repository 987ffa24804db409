package qualify_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/eutl/eutl/pkg/qualify"
	"github.com/eutl/eutl/pkg/tltest"
)

func TestReadCerts(t *testing.T) {
	p := fixture(t)
	a, _ := tltest.IssueCert(p.ca, tltest.EECert{QC: qc(esign)})
	b, _ := tltest.IssueCert(p.ca, tltest.EECert{QC: qc(eseal)})
	for _, c := range []struct {
		name    string
		data    []byte
		n       int
		offsets []int64
		err     string
		errOff  int64
	}{
		{name: "one DER", data: a.DER, n: 1, offsets: []int64{0}},
		{name: "two DER concatenated", data: append(append([]byte{}, a.DER...), b.DER...), n: 2, offsets: []int64{0, int64(len(a.DER))}},
		{name: "PEM with comments", data: append(append([]byte("# a comment\n"), a.PEM()...), append([]byte("# another\n"), b.PEM()...)...), n: 2, offsets: []int64{12, int64(12 + len(a.PEM()) + 10)}},
		{name: "empty", data: []byte("  \n"), err: "empty input"},
		{name: "text", data: []byte("hello"), err: "neither PEM nor a DER certificate"},
		{name: "DER then garbage", data: append(append([]byte{}, a.DER...), 0x30, 0x03, 0x02, 0x01, 0x01), err: "not a DER certificate", errOff: int64(len(a.DER))},
		{name: "PEM private key", data: []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), err: `PEM block "PRIVATE KEY" is not a certificate`},
		{name: "PEM with a bad body", data: []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), err: "not a DER certificate"},
		{name: "too large", data: bytes.Repeat([]byte{'A'}, qualify.MaxInput+1), err: "larger than", errOff: qualify.MaxInput},
	} {
		t.Run(c.name, func(t *testing.T) {
			ins, err := qualify.ReadCerts(c.data)
			if c.err != "" {
				var ie *qualify.InputError
				if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.err) || ie.Offset != c.errOff {
					t.Fatalf("error %v, want %q at offset %d", err, c.err, c.errOff)
				}
				return
			}
			if err != nil || len(ins) != c.n {
				t.Fatalf("%d certificates, %v", len(ins), err)
			}
			for i, in := range ins {
				if in.Offset != c.offsets[i] {
					t.Errorf("certificate %d at offset %d, want %d", i, in.Offset, c.offsets[i])
				}
			}
		})
	}
}

// TestQCStatementsRead: what the certificate says is read back as written.
func TestQCStatementsRead(t *testing.T) {
	p := fixture(t)
	k, err := tltest.IssueCert(p.ca, tltest.EECert{Policies: []string{"0.4.0.194112.1.2", "1.2.3"}, EKUs: []string{"1.3.6.1.5.5.7.3.4"},
		QC: &tltest.QCStatements{Compliance: true, SSCD: true, Types: []string{esign, eseal, "1.2.3.4"}, PDS: true, CCLegislation: []string{"CH"}, Semantics: "legal"}})
	if err != nil {
		t.Fatal(err)
	}
	x, err := qualify.ParseCert(k.DER)
	if err != nil {
		t.Fatal(err)
	}
	q := x.QC
	if !q.Compliance || !q.SSCD || !q.PDS || q.Semantics != "legal" || strings.Join(q.Types, ",") != "esign,eseal,1.2.3.4" || strings.Join(q.CCLegislation, ",") != "CH" {
		t.Errorf("%+v", q)
	}
	if strings.Join(x.Policies, ",") != "0.4.0.194112.1.2,1.2.3" || strings.Join(x.EKU, ",") != "1.3.6.1.5.5.7.3.4" || !x.KeyUsage["nonRepudiation"] || x.KeyUsage["keyCertSign"] {
		t.Errorf("policies %v, EKU %v, KU %v", x.Policies, x.EKU, x.KeyUsage)
	}
	if len(x.AKI) == 0 || string(x.AKI) != string(p.ca.SKI()) {
		t.Errorf("AKI %x, want %x", x.AKI, p.ca.SKI())
	}
	bad, _ := tltest.IssueCert(p.ca, tltest.EECert{QC: &tltest.QCStatements{Raw: []byte{0x04, 0x00}}})
	if x, err := qualify.ParseCert(bad.DER); err != nil || len(x.QC.Malformed) == 0 || x.QC.Compliance {
		t.Errorf("malformed qcStatements: %v %+v", err, x.QC)
	}
}
