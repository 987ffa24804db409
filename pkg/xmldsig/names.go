package xmldsig

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"slices"

	"github.com/eutl/eutl/internal/dn"
)

// NameAttributes returns the values of one attribute (e.g. "O" or
// "organizationIdentifier") in a DER-encoded name.
func NameAttributes(der []byte, attr string) []string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return nil
	}
	var out []string
	for _, rdn := range seq {
		for _, atv := range rdn {
			if dn.AttrName(atv.Type.String()) == attr {
				if s, ok := atv.Value.(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// subjectAttributes is NameAttributes in the order dn.Format prints them
// (RFC 4514: the last RDN first, the values of one RDN in order).
func subjectAttributes(der []byte, attr string) []string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return nil
	}
	var out []string
	for _, rdn := range slices.Backward(seq) {
		for _, atv := range rdn {
			if s, ok := atv.Value.(string); ok && dn.AttrName(atv.Type.String()) == attr {
				out = append(out, s)
			}
		}
	}
	return out
}
