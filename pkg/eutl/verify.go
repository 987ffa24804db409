package eutl

import (
	"context"
	"errors"
	"time"

	"github.com/eutl/eutl/internal/loadhook"
	"github.com/eutl/eutl/pkg/trust"
)

// VerifyConfig says how [VerifyList] checks one list. Exactly one of
// Signers and LOTL gives the certificates allowed to sign it.
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
// [*LOTLError]; an invalid cfg a [*ConfigError].
//
// ctx carries nothing but the module's own test hooks today; it is there so
// that a long verification can be bounded later without an API change.
func VerifyList(ctx context.Context, data []byte, cfg VerifyConfig) (*trust.VerifiedList, error) {
	if (len(cfg.Signers) == 0) == (cfg.LOTL == nil) {
		return nil, &ConfigError{Field: "Signers", Err: errors.New("exactly one of Signers and LOTL must be set")}
	}
	if a := cfg.CustomAnchorsUnsafe; a != nil && len(a.DER)+len(a.SHA256) == 0 {
		return nil, &ConfigError{Field: "CustomAnchorsUnsafe", Err: errors.New("holds no certificate")}
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
	exp := trust.Expect{Allowed: cfg.Signers}
	if cfg.LOTL != nil {
		anchors := trust.BuiltinAnchors()
		if cfg.CustomAnchorsUnsafe != nil {
			anchors = *cfg.CustomAnchorsUnsafe
		}
		lotl, err := trust.VerifyLOTL(cfg.LOTL, anchors, cfg.LOTLURL, o)
		if err != nil {
			return nil, &LOTLError{Anchors: anchors.Name, Err: err}
		}
		if exp, err = trust.ExpectFromLOTL(lotl.List, data, cfg.URL); err != nil {
			return nil, err
		}
	}
	exp.URL = cfg.URL
	vl, err := trust.VerifyList(data, exp, o)
	if err != nil {
		return nil, err
	}
	return vl, nil
}
