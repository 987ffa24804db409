// Package dn writes X.509 distinguished names as eutl shows them: RFC 4514
// order and escaping, with the attribute names real Trusted List and qualified
// certificates use (organizationIdentifier among them, which crypto/x509
// prints as an OID). Package xmldsig names list signers with it and package
// qualify names certificates, so both read the same.
package dn

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
)

// AttrName is the short name of an attribute type ("O", "CN",
// "organizationIdentifier"), or "" when it has none here.
func AttrName(oid string) string { return attrNames[oid] }

var attrNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "STREET",
	"2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.5": "serialNumber", "2.5.4.4": "SN", "2.5.4.42": "GN",
	"2.5.4.12": "title", "2.5.4.46": "dnQualifier", "2.5.4.97": "organizationIdentifier",
	"2.5.4.17": "postalCode", "2.5.4.65": "pseudonym", "2.5.4.43": "initials",
	"1.2.840.113549.1.9.1": "emailAddress", "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
}

// Format writes a distinguished name in RFC 4514 order and escaping,
// naming the attributes real TL certificates use (organizationIdentifier
// among them, which crypto/x509 prints as an OID).
func Format(seq pkix.RDNSequence) string {
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
