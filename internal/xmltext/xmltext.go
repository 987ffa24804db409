// Package xmltext reads element text the way signed XML needs it, for the
// list parser (pkg/tsl) and the signature verifier (pkg/xmldsig) alike.
package xmltext

import (
	"encoding/base64"
	"strings"

	"github.com/beevik/etree"
)

// Content is all the character data directly inside el, in order.
// Comments and processing instructions inside a text are skipped, not taken
// as its end: canonicalization drops comments, so a comment inserted into a
// signed text keeps the signature valid, and reading only up to it (as
// etree's Text does) would let it truncate what was signed.
func Content(el *etree.Element) string {
	var first string
	var b *strings.Builder
	for _, t := range el.Child {
		cd, ok := t.(*etree.CharData)
		if !ok {
			continue
		}
		switch {
		case b != nil:
			b.WriteString(cd.Data)
		case first == "":
			first = cd.Data
		default:
			b = &strings.Builder{}
			b.WriteString(first)
			b.WriteString(cd.Data)
		}
	}
	if b != nil {
		return b.String()
	}
	return first
}

// DecodeBase64 decodes base64 as XML carries it: line breaks and spaces
// anywhere are ignored.
func DecodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r':
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s)
}
