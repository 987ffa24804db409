package tsl

import "strings"

// SelfPointer returns a LOTL's pointer to itself (territory EU, type
// EUlistofthelists): the certificates allowed to sign the next LOTL. Nil
// when there is none.
func (l *List) SelfPointer() *Pointer {
	for i, p := range l.Pointers {
		if p.Territory == "EU" && p.Type == TypeEUListOfTheLists {
			return &l.Pointers[i]
		}
	}
	return nil
}

// XMLPointers returns a LOTL's pointers to national lists in XML form
// (MimeType application/vnd.etsi.tsl+xml, compared as media types are:
// case-insensitively, parameters ignored; type EUgeneric), in document
// order, at most one per territory (the first). PDF pointers are ignored.
func (l *List) XMLPointers() []Pointer {
	var out []Pointer
	seen := map[string]bool{}
	for _, p := range l.Pointers {
		if !isTSLMediaType(p.MimeType) || p.Type != TypeEUGeneric || seen[p.Territory] {
			continue
		}
		seen[p.Territory] = true
		out = append(out, p)
	}
	return out
}

// XMLPointer returns the XML pointer of territory, or nil.
func (l *List) XMLPointer(territory string) *Pointer {
	for _, p := range l.XMLPointers() {
		if p.Territory == territory {
			return &p
		}
	}
	return nil
}

// isTSLMediaType compares a pointer's MimeType with the XML list media type
// as media types compare: case-insensitively, parameters ignored
// ("application/VND.ETSI.TSL+XML" is an XML pointer).
func isTSLMediaType(m string) bool {
	if i := strings.IndexByte(m, ';'); i >= 0 {
		m = m[:i]
	}
	return strings.EqualFold(strings.TrimSpace(m), MimeTypeTSL)
}
