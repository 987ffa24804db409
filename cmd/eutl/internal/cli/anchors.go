package cli

import (
	"fmt"

	"github.com/eutl/eutl/pkg/trust"
)

// anchors returns the LOTL trust anchors: --trust-anchors, or the built-in
// Official Journal set.
func (g *globalOptions) anchors() (trust.Anchors, error) {
	if g.trustAnchors == "" {
		return trust.BuiltinAnchors(), nil
	}
	if g.anchorSet != nil {
		return *g.anchorSet, nil
	}
	ders, err := readCertFiles([]string{g.path(g.trustAnchors)})
	if err != nil {
		return trust.Anchors{}, usagef(fmt.Errorf("--trust-anchors: %w", err))
	}
	g.warn("--trust-anchors %s replaces the built-in Official Journal anchors (%d certificate(s))", g.trustAnchors, len(ders))
	g.anchorSet = &trust.Anchors{Name: anchorsFlagPrefix + g.trustAnchors, DER: ders}
	return *g.anchorSet, nil
}

// anchorsFlagPrefix starts the name of an anchor set given with
// --trust-anchors.
const anchorsFlagPrefix = "--trust-anchors "
