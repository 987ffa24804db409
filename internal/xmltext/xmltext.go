// Package xmltext reads element text the way signed XML needs it, for the
// list parser (pkg/tsl) and the signature verifier (pkg/xmldsig) alike.
package xmltext

import (
	"encoding/base64"
	"strings"
	"unsafe"

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
// anywhere are ignored. Only the decoded bytes are allocated.
func DecodeBase64(s string) ([]byte, error) {
	src := unsafe.Slice(unsafe.StringData(s), len(s)) // read only
	if strings.ContainsAny(s, " \t") {
		// encoding/base64 skips CR and LF itself, not spaces and tabs.
		buf := make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			if c := s[i]; c != ' ' && c != '\t' {
				buf = append(buf, c)
			}
		}
		src = buf
	}
	dst := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	n, err := base64.StdEncoding.Decode(dst, src)
	if err != nil {
		return nil, err
	}
	return dst[:n:n], nil
}
