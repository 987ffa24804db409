package dn

import (
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Attribute types for [Values], as the DER content of their OIDs.
const (
	TypeOrganization           = "\x55\x04\x0a" // 2.5.4.10, O
	TypeOrganizationIdentifier = "\x55\x04\x61" // 2.5.4.97, organizationIdentifier
)

// Values reads a DER Name (an RDNSequence, such as a certificate's raw
// subject) without encoding/asn1's reflection and returns, for each
// attribute type asked (the DER content of its OID, as the Type constants),
// that type's values in order. Values are decoded as crypto/x509 decodes
// them (T61String as Latin-1, BMPString as UCS-2), so on every name
// crypto/x509 reads the result is its pkix.Name's; ok is false, with no
// values, when a value is not a string crypto/x509 accepts or the DER is
// not a Name.
func Values(der []byte, types ...string) (values [][]string, ok bool) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, false
	}
	values = make([][]string, len(types))
	for !seq.Empty() {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) {
			return nil, false
		}
		for !set.Empty() {
			var atv, oid, value cryptobyte.String
			var tag cbasn1.Tag
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) || !atv.ReadAnyASN1(&value, &tag) {
				return nil, false
			}
			s, ok := decodeString(tag, value)
			if !ok {
				return nil, false
			}
			for i, t := range types {
				if string(oid) == t {
					values[i] = append(values[i], s)
				}
			}
		}
	}
	return values, true
}

// decodeString decodes a directory string as crypto/x509 does, refusing
// what it refuses.
func decodeString(tag cbasn1.Tag, v []byte) (string, bool) {
	switch tag {
	case cbasn1.T61String:
		buf := make([]byte, 0, len(v))
		for _, b := range v {
			buf = utf8.AppendRune(buf, rune(b))
		}
		return string(buf), true
	case cbasn1.PrintableString:
		for _, b := range v {
			if !printable(b) {
				return "", false
			}
		}
		return string(v), true
	case cbasn1.UTF8String:
		return string(v), utf8.Valid(v)
	case cbasn1.Tag(30): // BMPString
		if len(v)%2 != 0 {
			return "", false
		}
		if l := len(v); l >= 2 && v[l-1] == 0 && v[l-2] == 0 {
			v = v[:l-2]
		}
		u := make([]uint16, 0, len(v)/2)
		for ; len(v) > 0; v = v[2:] {
			p := uint16(v[0])<<8 | uint16(v[1])
			if p == 0xfffe || p == 0xffff || (p >= 0xfdd0 && p <= 0xfdef) || (p >= 0xd800 && p <= 0xdfff) {
				return "", false
			}
			u = append(u, p)
		}
		return string(utf16.Decode(u)), true
	case cbasn1.IA5String:
		for _, b := range v {
			if b >= utf8.RuneSelf {
				return "", false
			}
		}
		return string(v), true
	case cbasn1.Tag(18): // NumericString
		for _, b := range v {
			if (b < '0' || b > '9') && b != ' ' {
				return "", false
			}
		}
		return string(v), true
	}
	return "", false
}

// printable is PrintableString's alphabet with the '*' and '&' crypto/x509
// tolerates.
func printable(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
		'\'' <= b && b <= ')' || '+' <= b && b <= '/' ||
		b == ' ' || b == ':' || b == '=' || b == '?' || b == '*' || b == '&'
}
