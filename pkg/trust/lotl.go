package trust

import (
	"fmt"
	"strings"

	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// VerifyLOTL verifies a LOTL signed directly by one of anchors.
func VerifyLOTL(data []byte, anchors Anchors, url string, o Options) (*VerifiedList, error) {
	return verifyWithAnchors(data, anchors, Expect{Territory: "EU", Type: tsl.TypeEUListOfTheLists, URL: url}, o)
}

func verifyWithAnchors(data []byte, anchors Anchors, exp Expect, o Options) (*VerifiedList, error) {
	exp.Allowed = append(exp.Allowed, anchors.DER...)
	return verifyList(data, exp, o, anchors.SHA256)
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
	terr := peekTerritory(data)
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

// peekTerritory reads SchemeTerritory from unverified input, only to choose
// which pointer's certificates to verify it with. It returns "" when it
// cannot tell; the verification that follows reports the real problem.
func peekTerritory(data []byte) string {
	root, err := xmldsig.ScanDocument(data, 0)
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
