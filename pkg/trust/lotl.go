package trust

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/eutl/eutl/pkg/tsl"
)

// ErrUnusablePointer is wrapped when the LOTL lists a territory only by
// pointers eutl cannot use (a PDF, an unknown media type or list type).
var ErrUnusablePointer = errors.New("no usable pointer")

// VerifyLOTL verifies a LOTL signed directly by one of anchors.
func VerifyLOTL(data []byte, anchors Anchors, url string, o Options) (*VerifiedList, error) {
	return verifyWithAnchors(data, anchors, Expect{Territory: "EU", Type: tsl.TypeEUListOfTheLists, URL: url}, o)
}

func verifyWithAnchors(data []byte, anchors Anchors, exp Expect, o Options) (*VerifiedList, error) {
	exp.Allowed = append(exp.Allowed, anchors.DER...)
	return verifyList(data, exp, o, anchors.SHA256)
}

// validTerritory: a territory code as lists write it (ISO 3166-1 alpha-2,
// EL for Greece, UK, EU), two capital letters.
func validTerritory(t string) bool {
	return len(t) == 2 && t[0] >= 'A' && t[0] <= 'Z' && t[1] >= 'A' && t[1] <= 'Z'
}

// unusableTerritories are the territories the LOTL lists (a pointer other
// than its pointer to itself) for which it has no XML pointer eutl reads:
// each is a failed outcome saying why, so that a question about it, or
// about every territory, is never answered from its absence.
func unusableTerritories(lotl *tsl.List) []Outcome {
	usable := map[string]bool{}
	for _, p := range lotl.XMLPointers() {
		usable[p.Territory] = true
	}
	var order []string
	forms := map[string][]string{}
	first := map[string]tsl.Pointer{}
	for _, p := range lotl.Pointers {
		t := p.Territory
		if t == "EU" || usable[t] {
			continue
		}
		if _, ok := first[t]; !ok {
			first[t] = p
			order = append(order, t)
		}
		form := fmt.Sprintf("as %q", strings.TrimSpace(p.MimeType))
		if p.Type != tsl.TypeEUGeneric {
			form += fmt.Sprintf(" of type %q", p.Type)
		}
		if !slices.Contains(forms[t], form) {
			forms[t] = append(forms[t], form)
		}
	}
	var out []Outcome
	for _, t := range order {
		p := first[t]
		out = append(out, Outcome{Territory: t, URL: p.Location, Err: &ListError{Territory: t, URL: p.Location, Verdict: ParseFailed,
			Err: fmt.Errorf("%w: the LOTL (sequence %d) points to the list of territory %q only %s, and eutl verifies only EUgeneric lists as %s",
				ErrUnusablePointer, lotl.SequenceNumber, t, strings.Join(forms[t], ", "), tsl.MimeTypeTSL)}})
	}
	return out
}

// expectFromPointer is what a national list fetched through p must be.
func expectFromPointer(p tsl.Pointer) Expect {
	exp := Expect{Territory: p.Territory, Type: tsl.TypeEUGeneric, URL: p.Location}
	for _, c := range p.Certificates {
		exp.Allowed = append(exp.Allowed, c.Raw)
	}
	return exp
}

// ExpectFromLOTL is what the list data (fetched from url) must be according
// to the verified LOTL: the pointer for its territory gives the allowed
// signers. The territory is read from the unverified data only to choose
// the pointer; a territory the LOTL has no XML pointer for is a
// *ListError with verdict UntrustedSigner.
func ExpectFromLOTL(lotl *tsl.List, data []byte, url string) (Expect, error) {
	terr := ClaimedTerritory(data)
	p := lotl.XMLPointer(terr)
	if p == nil {
		return Expect{Territory: terr}, &ListError{Territory: terr, URL: url, Verdict: UntrustedSigner,
			Err: &noPointerError{sequence: lotl.SequenceNumber, territory: terr}}
	}
	return expectFromPointer(*p), nil
}

// noPointerError is a territory the LOTL has no XML pointer for; it is
// [ErrNoPointer].
type noPointerError struct {
	sequence  int
	territory string
}

func (e *noPointerError) Error() string {
	return fmt.Sprintf("the LOTL (sequence %d) has no XML pointer for territory %q", e.sequence, e.territory)
}

func (e *noPointerError) Is(target error) bool { return target == ErrNoPointer }

// ClaimedTerritory reads SchemeTerritory from unverified input, only to
// choose which pointer's certificates to verify it with (the verification
// then checks the territory like everything else). It returns "" when it
// cannot tell; the verification that follows reports the real problem.
// Only the head of data is read (see [ReadHead]).
func ClaimedTerritory(data []byte) string {
	root, err := scanHead(data)
	if err != nil {
		return ""
	}
	for si := root.FirstElement(); si.Valid(); si = si.NextElement() {
		if !si.Is(tsl.NSTSL, "SchemeInformation") {
			continue
		}
		for c := si.FirstElement(); c.Valid(); c = c.NextElement() {
			if c.Is(tsl.NSTSL, "SchemeTerritory") {
				return strings.TrimSpace(c.Text())
			}
		}
	}
	return ""
}
