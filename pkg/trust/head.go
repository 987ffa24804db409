package trust

import (
	"errors"
	"fmt"

	"github.com/eutl/eutl/internal/xmlscan"
	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// scanHead scans unverified input only as far as the end of the root's
// first SchemeInformation child: what eutl reads of a list before
// verifying it (its type, territory, the pivot URLs) is there, and the
// rest, often megabytes of providers, is for the verifier to read. It
// returns the root element (complete when the document ended before a
// SchemeInformation closed, which the reader then reports as missing). An
// error is the input's own up to that point, as a *tsl.ParseError at "/";
// what follows the head is not checked here.
func scanHead(data []byte) (xmlscan.Node, error) {
	// The verifier's limits: the head read must refuse nothing the
	// verifier accepts (a list nested 100 deep is valid).
	lim := xmldsig.ScanLimits()
	lim.CloseDepth = 2
	lim.OnClose = func(n xmlscan.Node, depth int) (xmlscan.Action, error) {
		if depth == 2 && n.Is(tsl.NSTSL, "SchemeInformation") {
			return xmlscan.Keep, xmlscan.ErrStop
		}
		return xmlscan.Keep, nil
	}
	doc, err := xmlscan.Parse(data, lim)
	if err != nil && !errors.Is(err, xmlscan.ErrStop) {
		return xmlscan.Node{}, &tsl.ParseError{Path: "/", Err: fmt.Errorf("not well-formed XML: %w", err)}
	}
	return doc.Root(), nil
}

// ReadHead reads the head of an unverified list: the root element and its
// SchemeInformation (version, sequence, type, territory, pointers, dates,
// URIs), without its providers, scanning no further than the end of
// SchemeInformation. It tells input that is not XML or not a Trusted List
// from a list that then fails verification, and says which list it claims
// to be; nothing it returns may be trusted. Errors are *tsl.ParseError, as
// [tsl.ParseBytes] reports them; a list whose head reads may still be
// truncated, malformed or invalid further on, which the verification
// reports.
func ReadHead(data []byte) (*tsl.List, error) {
	root, err := scanHead(data)
	if err != nil {
		return nil, err
	}
	return tsl.Parse(root)
}
