package eutl

import (
	"time"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tsl"
)

// Summary counts a list's providers and services, and those qualified at
// the instant the list was judged at (see [VerifyConfig.Summary]).
type Summary struct {
	Providers, Services int
	// QualifiedServices are the services of any qualified type that are
	// qualified at that instant; QualifiedProviders the providers with at
	// least one (QTSPs). As query.CountQualified counts them.
	QualifiedServices, QualifiedProviders int
}

// summarySink counts each provider as the verifier reads it.
type summarySink struct {
	at time.Time
	s  *Summary
}

func (k summarySink) Provider(p *tsl.Provider) {
	k.s.Providers++
	k.s.Services += len(p.Services)
	if n := query.CountProvider(p, k.at); n > 0 {
		k.s.QualifiedServices += n
		k.s.QualifiedProviders++
	}
}

func (k summarySink) Reset() { *k.s = Summary{} }
