package trust_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// TestListErrorLocation: the location and the cause of a failure are read
// from the typed error, never from its message.
func TestListErrorLocation(t *testing.T) {
	t.Parallel()
	cause := errors.New("digest mismatch")
	for _, tc := range []struct {
		name            string
		err             error
		location, cause string
	}{
		{"check", &trust.CheckError{Path: "/A/B", Err: fmt.Errorf("%w: 3 is lower than 4", trust.ErrRollback)}, "/A/B", "sequence number rollback: 3 is lower than 4"},
		{"parse", &tsl.ParseError{Path: "/A/C", Err: cause}, "/A/C", "digest mismatch"},
		{"signature", &xmldsig.Error{Path: "/A/ds:Signature", Err: cause}, "/A/ds:Signature", "digest mismatch"},
		{"signature without path", &xmldsig.Error{Err: cause}, "", "digest mismatch"},
		{"wrapped keeps its prefix", fmt.Errorf("offline: %w", &tsl.ParseError{Path: "/A/D", Err: cause}), "/A/D", "offline: /A/D: digest mismatch"},
		{"no location", cause, "", "digest mismatch"},
		// a message that merely looks located is not parsed
		{"looks located", errors.New("/A/E: not really"), "", "/A/E: not really"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			le := &trust.ListError{Territory: "BE", Verdict: trust.SignatureInvalid, Err: tc.err}
			if got := le.Location(); got != tc.location {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
			if got := le.Cause(); got != tc.cause {
				t.Errorf("Cause %q, want %q", got, tc.cause)
			}
		})
	}
}
