// Package eutl is the entry point of the eutl library. It answers "is this
// trust service provider qualified for this kind of service, according to
// the EU Trusted Lists?" from lists whose authenticity it has proved: every
// list's XAdES signature is verified back to the LOTL signing certificates
// pinned from the Official Journal of the EU.
//
// # Load the lists
//
// [Load] does the whole job in one call: it opens and locks the cache
// directory, fetches what changed, walks the chain of trust (anchors →
// pivot LOTLs → LOTL → national lists) and caches only what verified:
//
//	set, err := eutl.Load(ctx, eutl.Config{CacheDir: dir})
//	if err != nil {
//		return err // an invalid Config, the cache, or ctx ended
//	}
//
// A list failing any check does not make Load fail: it stays in
// [Set.Chain] with its verdict and reason and is never consulted. Load
// fails only when it could not run (a [*ConfigError], a cache that cannot
// be opened or locked, an [*InterruptedError]). [DefaultCacheDir] is the
// conventional cache directory.
//
// # Ask
//
// [Set.Index] indexes the lists that verified; its Check, Providers and
// Show methods answer (see package query):
//
//	ix, err := set.Index()
//	kind, err := query.ParseKind("qval")
//	a := ix.Check(query.Query{Provider: "VATBE-0541659084", Kind: kind, At: set.At()})
//	switch a.Outcome() {
//	case query.Qualified:    // yes
//	case query.NotQualified: // no, from verified lists only
//	default:                 // no answer: a list that could hold one failed
//	}
//
// An answer is never negative when a list that could hold the provider
// failed. The example of [Load] runs this against a prepared directory.
// [Set.Certificates] answers for a certificate: is it an EU qualified
// certificate, and which services' certificates form a trust store (see
// package qualify).
//
// # Verify one list
//
// [VerifyList] checks a single list against the certificates allowed to
// sign it, or against a LOTL it verifies first (see its example).
//
// # Offline use and other sources
//
// With [Config.Offline] nothing touches the network and the cache
// directory is only read; a directory prepared by hand (lotl.xml or the
// LOTL URL's base name, <TERRITORY>.xml, pivots at the top level or in
// pivots/; see the README's "Cache and offline use") works.
// [Config.Source] replaces the cache and the network with another
// [trust.Source], such as a snapshot; its lists are verified all the same.
//
// # Safety overrides
//
// Options that weaken a check end in Unsafe: [Config.AllowExpiredUnsafe]
// and [Config.CustomAnchorsUnsafe]. A caller that sets one should say so
// next to every answer it gives.
//
// # Output
//
// The JSON documents the eutl command writes are types of package report,
// built from a [Set] (report.FromChain, report.FromAnswer); they are the
// versioned contract for machines.
package eutl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/eutl/eutl/internal/loadhook"
	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/trust"
)

// DefaultLOTLURL is where the European Commission publishes the LOTL.
const DefaultLOTLURL = "https://ec.europa.eu/tools/lotl/eu-lotl.xml"

// Defaults taken by the zero value of the corresponding [Config] field.
const (
	DefaultConcurrency = 8
	DefaultTimeout     = 30 * time.Second
	DefaultLockWait    = 2 * time.Minute
)

// MaxConcurrency is the highest [Config.Concurrency] accepted.
const MaxConcurrency = 64

// Config says what [Load] loads and how. The zero value of a field takes the
// default its comment names; a value that cannot be right is an error
// (a [*ConfigError]), never silently corrected.
type Config struct {
	// LOTLURL is where the LOTL is fetched (default [DefaultLOTLURL]).
	LOTLURL string

	// CacheDir is the cache directory: verified lists, their metadata and the
	// rollback floor of each list. Required unless Source is set;
	// [DefaultCacheDir] gives the conventional one.
	CacheDir string
	// Offline never touches the network: lists come from CacheDir only, which
	// is not written to.
	Offline bool
	// LockWait bounds how long Load waits for another process that holds
	// the cache's lock (default [DefaultLockWait]). Offline loads take no lock.
	LockWait time.Duration
	// Timeout bounds each HTTP request, body included (default
	// [DefaultTimeout]).
	Timeout time.Duration
	// PivotWalkTimeout is the one deadline of the whole pivot walk, when
	// one is needed (every pivot fetched at once, each retried once): default
	// 1.5 × Timeout, so that pivots that never answer cost one deadline,
	// not a timeout per pivot and attempt.
	PivotWalkTimeout time.Duration
	// UserAgent is sent with every request (default "eutl").
	UserAgent string
	// ToolVersion is recorded in the metadata of what is cached.
	ToolVersion string
	// HistoryKeep bounds the cache's history of verified versions per list
	// (see package fetch): 0 keeps [fetch.DefaultKeep], a negative value
	// keeps none. A load that writes adds what it accepted.
	HistoryKeep int

	// Source, when set, replaces the cache and the network: lists are read
	// from it and what verified is handed back to it. CacheDir, Offline,
	// LockWait and Timeout must then be unset. If Source has a
	// Flush() error method, Load calls it once the chain is done.
	Source trust.Source

	// At is the instant statuses and list freshness are evaluated at
	// (default: the current time when Load is called).
	At time.Time
	// Territories limits the national lists loaded (nil: every list the LOTL
	// points to). A territory the LOTL has no list for makes [Set.Index]
	// return a [*TerritoryError].
	Territories []string
	// Concurrency bounds how many lists are fetched at once: 1 to
	// [MaxConcurrency] (default [DefaultConcurrency]). At most one list per
	// CPU (GOMAXPROCS), and never more than Concurrency, is verified at a
	// time: more would not finish sooner, only hold more lists in memory.
	Concurrency int

	// Tap, when set, wraps the source the chain reads through (the cache and
	// network, or Source), e.g. with snapshot.NewRecorder to keep the exact
	// bytes that were verified.
	Tap func(trust.Source) trust.Source

	// Progress, when set, is told about each list as it is done. It is called
	// from one goroutine at a time, never after Load returns.
	Progress func(trust.Event)

	// AllowExpiredUnsafe uses lists whose NextUpdate has passed. They keep
	// the verdict Expired and a warning. Do not use it to answer questions of
	// the present: an expired list may no longer say what the scheme operator
	// says today.
	AllowExpiredUnsafe bool
	// FreshnessPerQuestion verifies the lists on everything that does not
	// depend on the instant asked about (signatures, signers, type,
	// territory, version, sequence) and leaves freshness to [Set.Index]:
	// the index then lets a list answer a question at t only when its
	// NextUpdate (and the LOTL's) is after t, or AllowExpiredUnsafe is set.
	// One loaded set then answers questions about different instants
	// exactly as separate loads at each would. At still judges the rest.
	FreshnessPerQuestion bool
	// CustomAnchorsUnsafe replaces the built-in Official Journal anchors
	// ([trust.BuiltinAnchors]) with other certificates allowed to sign the
	// first LOTL of the pivot walk; every pivot the LOTL lists is then
	// walked. It is how an older snapshot is checked against the notice of
	// its time. Do not use it unless you know where the certificates come
	// from: whoever they belong to decides what is trusted.
	CustomAnchorsUnsafe *trust.Anchors
}

// ConfigError is an invalid [Config].
type ConfigError struct {
	Field string // the Config field, e.g. "Concurrency"
	Err   error
}

func (e *ConfigError) Error() string { return "eutl.Config." + e.Field + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// InterruptedError is returned when ctx ended while the lists were being
// loaded. What verified before is kept in the cache; nothing is answered.
type InterruptedError struct {
	Err error // ctx.Err()
	// Warnings were raised before the interruption (a cache write failure).
	Warnings []string
}

func (e *InterruptedError) Error() string {
	return "interrupted: " + e.Err.Error() + "; the cache keeps what was verified before"
}
func (e *InterruptedError) Unwrap() error { return e.Err }

// TerritoryError is a territory asked for in [Config.Territories] for which
// the verified LOTL has no Trusted List.
type TerritoryError struct {
	Territory string
	// Known are the territories the LOTL has a list for, in its order.
	Known []string
}

func (e *TerritoryError) Error() string {
	return fmt.Sprintf("the LOTL lists no Trusted List for territory %q; it has: %s", e.Territory, strings.Join(e.Known, " "))
}

// Unwrap returns [trust.ErrNoPointer].
func (e *TerritoryError) Unwrap() error { return trust.ErrNoPointer }

// DefaultCacheDir is the conventional cache directory: "eutl" in the user
// cache directory of the platform ([os.UserCacheDir]).
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "eutl"), nil
}

// settings is a validated Config with its defaults applied.
type settings struct {
	Config
	hooks loadhook.Hooks
	now   time.Time
}

func (c Config) validate(ctx context.Context) (*settings, error) {
	bad := func(field, format string, args ...any) (*settings, error) {
		return nil, &ConfigError{Field: field, Err: fmt.Errorf(format, args...)}
	}
	s := &settings{Config: c, hooks: loadhook.From(ctx)}
	if c.Source != nil {
		switch {
		case c.CacheDir != "":
			return bad("CacheDir", "must be empty when Source is set (Source replaces the cache)")
		case c.Offline:
			return bad("Offline", "must be false when Source is set (Source replaces the cache and the network)")
		case c.LockWait != 0:
			return bad("LockWait", "must be zero when Source is set (no cache is locked)")
		case c.Timeout != 0:
			return bad("Timeout", "must be zero when Source is set (nothing is fetched over HTTP)")
		}
	} else if c.CacheDir == "" {
		return bad("CacheDir", "is required unless Source is set (DefaultCacheDir gives the user cache directory)")
	}
	if s.LOTLURL == "" {
		s.LOTLURL = DefaultLOTLURL
	}
	switch {
	case c.Concurrency == 0:
		s.Concurrency = DefaultConcurrency
	case c.Concurrency < 1 || c.Concurrency > MaxConcurrency:
		return bad("Concurrency", "must be between 1 and %d, got %d", MaxConcurrency, c.Concurrency)
	}
	switch {
	case c.Timeout == 0 && c.Source == nil:
		s.Timeout = DefaultTimeout
	case c.Timeout < 0:
		return bad("Timeout", "must be positive, got %s", c.Timeout)
	}
	switch {
	case c.PivotWalkTimeout == 0 && s.Timeout > 0:
		s.PivotWalkTimeout = s.Timeout * 3 / 2
	case c.PivotWalkTimeout < 0:
		return bad("PivotWalkTimeout", "must be positive, got %s", c.PivotWalkTimeout)
	}
	switch {
	case c.LockWait == 0 && c.Source == nil:
		s.LockWait = DefaultLockWait
	case c.LockWait < 0:
		return bad("LockWait", "must be positive, got %s", c.LockWait)
	}
	if s.UserAgent == "" {
		s.UserAgent = "eutl"
	}
	for _, t := range c.Territories {
		if strings.TrimSpace(t) == "" {
			return bad("Territories", "holds an empty territory")
		}
	}
	if a := c.CustomAnchorsUnsafe; a != nil && len(a.DER)+len(a.SHA256) == 0 {
		return bad("CustomAnchorsUnsafe", "holds no certificate")
	}
	s.now = time.Now().UTC()
	if s.hooks.Now != nil {
		s.now = s.hooks.Now().UTC()
	}
	if s.At.IsZero() {
		s.At = s.now
	}
	return s, nil
}

// Load fetches (or, offline, reads from the cache) and verifies the LOTL and
// the national lists, updating the cache with what verified. It returns an
// error only when the load itself could not run: an invalid Config
// ([*ConfigError]), a cache that cannot be opened, prepared or locked, or
// whose rollback state is damaged (a [*fetch.CacheError] naming the path; a
// cache written by a newer eutl wraps [fetch.ErrNewerCache]), or ctx ending
// ([*InterruptedError]). Lists that fail are part of the [Set], never an
// error.
func Load(ctx context.Context, cfg Config) (*Set, error) {
	s, err := cfg.validate(ctx)
	if err != nil {
		return nil, err
	}
	src := s.Source
	if src == nil {
		store, unlock, err := s.openStore(ctx)
		if err != nil {
			return nil, err
		}
		if unlock != nil {
			defer unlock()
		}
		src = store
	}
	read := src
	if s.Tap != nil {
		read = s.Tap(src)
	}
	res := trust.Chain(ctx, read, s.chainOptions())
	set := &Set{chain: res, at: s.At, allowExpired: s.AllowExpiredUnsafe}
	if f, ok := src.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			where := ""
			if s.CacheDir != "" {
				where = " in " + s.CacheDir
			}
			set.warnings = append(set.warnings, fmt.Sprintf("could not save rollback state%s: %v", where, err))
		}
	}
	if ctx.Err() != nil {
		return nil, &InterruptedError{Err: ctx.Err(), Warnings: set.warnings}
	}
	if res.Err != nil {
		return nil, res.Err
	}
	set.warnings = append(set.warnings, res.Warnings...)
	return set, nil
}

// openStore opens the cache and, unless offline, locks and prepares it and
// builds the HTTP client. unlock is nil when no lock was taken.
func (s *settings) openStore(ctx context.Context) (store *fetch.Store, unlock func(), err error) {
	cache, err := fetch.OpenCache(s.CacheDir, !s.Offline)
	if err != nil {
		if errors.Is(err, fetch.ErrNewerCache) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("opening the cache: %w", err)
	}
	store = &fetch.Store{Cache: cache, Offline: s.Offline, Now: s.hooks.Now, ToolVersion: s.ToolVersion, Keep: s.HistoryKeep}
	if s.Offline {
		return store, nil, nil
	}
	lockCtx, cancel := context.WithTimeout(ctx, s.LockWait)
	unlock, err = cache.Lock(lockCtx)
	cancel()
	if err != nil {
		return nil, nil, err
	}
	if err := cache.Prepare(); err != nil {
		unlock()
		if errors.Is(err, fetch.ErrNewerCache) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("preparing the cache: %w", err)
	}
	store.Client = fetch.NewClient(fetch.Options{
		UserAgent: s.UserAgent, Timeout: s.Timeout, Transport: s.hooks.Transport, BaseDelay: s.hooks.RetryBaseDelay,
	})
	return store, unlock, nil
}

func (s *settings) chainOptions() trust.ChainOptions {
	anchors, ojURI := trust.BuiltinAnchors(), trust.OfficialJournalURI
	if s.CustomAnchorsUnsafe != nil {
		anchors, ojURI = *s.CustomAnchorsUnsafe, ""
	}
	return trust.ChainOptions{
		Options: trust.Options{At: s.At, Now: s.now, AllowExpiredUnsafe: s.AllowExpiredUnsafe, DeferFreshness: s.FreshnessPerQuestion},
		LOTLURL: s.LOTLURL, Anchors: anchors, OJURI: ojURI,
		Territories: s.Territories, Concurrency: s.Concurrency, Progress: s.Progress,
		PivotWalkTimeout: s.PivotWalkTimeout,
	}
}

// Set is a loaded set of lists: every list with its verdict, and an index
// of those that verified.
type Set struct {
	chain    *trust.ChainResult
	warnings []string
	at       time.Time
	// allowExpired lets the index answer from lists not fresh at a
	// question's instant (Config.AllowExpiredUnsafe).
	allowExpired bool

	once     sync.Once
	index    *query.Index
	indexErr error
}

// Chain is the result of the chain of trust: the anchors, each pivot, the
// LOTL and every national list, each with its verdict. Only outcomes with a
// List verified.
func (s *Set) Chain() *trust.ChainResult { return s.chain }

// At is the instant the lists were judged at.
func (s *Set) At() time.Time { return s.at }

// Warnings are things about the load a user must hear of (the LOTL names a
// newer Official Journal notice, a pivot did not verify, the rollback state
// could not be saved). Per-list warnings and notes are in [Set.Chain].
func (s *Set) Warnings() []string { return s.warnings }

// Index indexes the lists that verified, for [query.Index.Check],
// [query.Index.Providers] and [query.Index.Show]; failed lists are recorded
// in it so that no answer is negative from partial data. It returns a
// [*TerritoryError] when [Config.Territories] named a territory the verified
// LOTL has no list for.
func (s *Set) Index() (*query.Index, error) {
	s.once.Do(func() {
		if err := s.territoryError(); err != nil {
			s.indexErr = err
			return
		}
		s.index = query.FromChain(s.chain, query.AllowExpired(s.allowExpired))
	})
	return s.index, s.indexErr
}

func (s *Set) territoryError() error {
	res := s.chain
	if !res.LOTL.Usable() {
		return nil
	}
	for i := range res.Lists {
		if errors.Is(res.Lists[i].Err, trust.ErrNoPointer) {
			var known []string
			for _, p := range res.LOTL.List.List.XMLPointers() {
				known = append(known, p.Territory)
			}
			return &TerritoryError{Territory: res.Lists[i].Territory, Known: known}
		}
	}
	return nil
}
