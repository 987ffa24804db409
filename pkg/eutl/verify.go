package eutl

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/eutl/eutl/internal/loadhook"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
)

// VerifyConfig says how [VerifyList] checks one list. At most one of
// Signers and LOTL gives the certificates allowed to sign it; with neither,
// the list must be a LOTL, verified against the anchors.
type VerifyConfig struct {
	// Signers are the DER certificates allowed to sign the list.
	Signers [][]byte
	// LOTL is a LOTL document: it is verified first, against the built-in
	// Official Journal anchors (or CustomAnchorsUnsafe), and its pointer for
	// the list's territory then gives the allowed signers, type and
	// territory.
	LOTL []byte
	// LOTLURL and URL say where the LOTL and the list came from, for
	// messages only.
	LOTLURL, URL string

	// At is the instant the list must be fresh at (default: now).
	At time.Time
	// AllowExpiredUnsafe accepts a list whose NextUpdate has passed; its
	// verdict stays Expired. See [Config.AllowExpiredUnsafe].
	AllowExpiredUnsafe bool
	// CustomAnchorsUnsafe replaces the built-in anchors the LOTL is checked
	// against. See [Config.CustomAnchorsUnsafe].
	CustomAnchorsUnsafe *trust.Anchors
	// Summary, when set, receives the counts of the list's providers and
	// services, and the list returned holds no provider: its model is
	// never held whole. For callers that need a list's verdict and counts,
	// not its content (eutl verify of a 20 MB list). It is filled when the
	// list's content was read, also when a later check (freshness) fails.
	Summary *Summary
}

// LOTLError is a LOTL given to [VerifyList] that did not verify against the
// anchors: nothing about the list can be said then.
type LOTLError struct {
	Anchors string // the anchors' name
	Err     error  // a *trust.ListError
}

func (e *LOTLError) Error() string {
	return "the LOTL did not verify against " + e.Anchors + ": " + e.Err.Error()
}
func (e *LOTLError) Unwrap() error { return e.Err }

// VerifyList verifies one list (a national Trusted List or a LOTL): its
// signature by an allowed signer, then type, territory, version and
// freshness. A list that fails is a *trust.ListError (its Verdict says why;
// Info describes the list when its signature verified; a territory the LOTL
// has no list for is [trust.ErrNoPointer]). A LOTL that fails is a
// [*LOTLError]; an invalid cfg a [*ConfigError]. Input that is empty, not
// XML, truncated or not a list is a ParseFailed *trust.ListError whatever
// cfg says. With neither Signers nor LOTL, data must be a LOTL and is
// verified against the anchors.
//
// ctx carries nothing but the module's own test hooks today; it is there so
// that a long verification can be bounded later without an API change.
func VerifyList(ctx context.Context, data []byte, cfg VerifyConfig) (*trust.VerifiedList, error) {
	if len(cfg.Signers) > 0 && cfg.LOTL != nil {
		return nil, &ConfigError{Field: "Signers", Err: errors.New("set Signers or LOTL, not both")}
	}
	// Whatever the configuration, input that is not a list is reported as
	// such. The head read here is unverified: only its type chooses how
	// to verify it.
	peek, err := peekList(data)
	if err != nil {
		return nil, &trust.ListError{URL: cfg.URL, Verdict: trust.ParseFailed, Err: err}
	}
	bareLOTL := len(cfg.Signers) == 0 && cfg.LOTL == nil
	if bareLOTL && peek.Type != tsl.TypeEUListOfTheLists {
		return nil, beforeVerifying(data, cfg, &ConfigError{Field: "Signers", Err: errors.New("a national list needs Signers or LOTL (only a LOTL is verified against the anchors)")})
	}
	if a := cfg.CustomAnchorsUnsafe; a != nil && len(a.DER)+len(a.SHA256) == 0 {
		return nil, beforeVerifying(data, cfg, &ConfigError{Field: "CustomAnchorsUnsafe", Err: errors.New("holds no certificate")})
	}
	now := time.Now().UTC()
	if h := loadhook.From(ctx); h.Now != nil {
		now = h.Now().UTC()
	}
	at := cfg.At
	if at.IsZero() {
		at = now
	}
	o := trust.Options{At: at, Now: now, AllowExpiredUnsafe: cfg.AllowExpiredUnsafe}
	if cfg.Summary != nil {
		*cfg.Summary = Summary{}
		o.Providers = summarySink{at: at, s: cfg.Summary}
	}
	exp := trust.Expect{Allowed: cfg.Signers}
	anchors := trust.BuiltinAnchors()
	if cfg.CustomAnchorsUnsafe != nil {
		anchors = *cfg.CustomAnchorsUnsafe
	}
	if bareLOTL {
		return trust.VerifyLOTL(data, anchors, cfg.URL, o)
	}
	if cfg.LOTL != nil {
		lo := o
		lo.Providers = nil // the summary is the list's, not the LOTL's
		lotl, err := trust.VerifyLOTL(cfg.LOTL, anchors, cfg.LOTLURL, lo)
		if err != nil {
			return nil, beforeVerifying(data, cfg, &LOTLError{Anchors: anchors.Name, Err: err})
		}
		if exp, err = trust.ExpectFromLOTL(lotl.List, data, cfg.URL); err != nil {
			return nil, beforeVerifying(data, cfg, err)
		}
	}
	exp.URL = cfg.URL
	vl, err := trust.VerifyList(data, exp, o)
	if err != nil {
		return nil, err
	}
	return vl, nil
}

// peekList reads the head of unverified input (trust.ReadHead), to tell a
// file that is empty, not XML or not a Trusted List from one that fails
// verification. A file truncated or malformed after its head is reported
// by the verification, as a parse error too.
func peekList(data []byte) (*tsl.List, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the file is empty")
	}
	return trust.ReadHead(data)
}

// beforeVerifying is err, decided before the verifier read data (a
// configuration that does not fit the list, a LOTL that failed, no pointer
// for its territory): when data is not a whole list (truncated or malformed
// past the head peekList read), that comes first, as the parse error it is
// whatever the configuration. Only these failures pay for the whole parse.
func beforeVerifying(data []byte, cfg VerifyConfig, err error) error {
	if _, perr := tsl.ParseBytes(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))); perr != nil {
		return &trust.ListError{URL: cfg.URL, Verdict: trust.ParseFailed, Err: perr}
	}
	return err
}
