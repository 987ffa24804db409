package xmldsig

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

var attrNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "STREET",
	"2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.5": "serialNumber", "2.5.4.4": "SN", "2.5.4.42": "GN",
	"2.5.4.12": "title", "2.5.4.46": "dnQualifier", "2.5.4.97": "organizationIdentifier",
	"2.5.4.17": "postalCode", "2.5.4.65": "pseudonym", "2.5.4.43": "initials",
	"1.2.840.113549.1.9.1": "emailAddress", "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
}

// formatName writes a distinguished name in RFC 4514 order and escaping,
// naming the attributes real TL certificates use (organizationIdentifier
// among them, which crypto/x509 prints as an OID).
func formatName(seq pkix.RDNSequence) string {
	var parts []string
	for i := len(seq) - 1; i >= 0; i-- {
		var atvs []string
		for _, atv := range seq[i] {
			name, ok := attrNames[atv.Type.String()]
			if !ok {
				name = atv.Type.String()
			}
			var val string
			switch v := atv.Value.(type) {
			case string:
				val = escapeDN(v)
			default:
				der, _ := asn1.Marshal(v)
				val = "#" + hex.EncodeToString(der)
			}
			atvs = append(atvs, name+"="+val)
		}
		parts = append(parts, strings.Join(atvs, "+"))
	}
	return strings.Join(parts, ",")
}

func escapeDN(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune(",+\"\\<>;", r), i == 0 && (r == '#' || r == ' '), i == len(s)-1 && r == ' ':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, "\\%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

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
			if attrNames[atv.Type.String()] == attr {
				if s, ok := atv.Value.(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// subjectAttributes is NameAttributes in the order formatName prints them
// (RFC 4514: the last RDN first, the values of one RDN in order).
func subjectAttributes(der []byte, attr string) []string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(der, &seq); err != nil {
		return nil
	}
	var out []string
	for _, rdn := range slices.Backward(seq) {
		for _, atv := range rdn {
			if s, ok := atv.Value.(string); ok && attrNames[atv.Type.String()] == attr {
				out = append(out, s)
			}
		}
	}
	return out
}
