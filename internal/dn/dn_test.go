package dn

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

func TestFormat(t *testing.T) {
	oid := func(s ...int) asn1.ObjectIdentifier { return asn1.ObjectIdentifier(s) }
	seq := pkix.RDNSequence{
		{{Type: oid(2, 5, 4, 6), Value: "BE"}},
		{{Type: oid(2, 5, 4, 10), Value: "Example, S.A."}},
		{{Type: oid(2, 5, 4, 97), Value: "VATBE-0123456789"}},
		{{Type: oid(2, 5, 4, 3), Value: " Lead+Trail "}},
	}
	got := Format(seq)
	want := `CN=\ Lead\+Trail\ ,organizationIdentifier=VATBE-0123456789,O=Example\, S.A.,C=BE`
	if got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
	if AttrName("2.5.4.97") != "organizationIdentifier" || AttrName("1.2.3") != "" {
		t.Error("AttrName")
	}
}
