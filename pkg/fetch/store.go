package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Fetched is the bytes of a list and where they came from.
type Fetched struct {
	Data []byte
	URL  string
	// Origin says how the bytes were obtained.
	Origin       Origin
	FromCache    bool
	ETag         string
	LastModified string
	FetchedAt    time.Time
	// Notes are remarks for the user (e.g. a .sha2 that disagrees).
	Notes []string
}

// Origin says how the bytes of a list were obtained; the values appear in
// reports (a LIST's "source").
type Origin string

// The origins.
const (
	OriginNetwork       Origin = "network"
	OriginNotModified   Origin = "not modified (304)"
	OriginUnchanged     Origin = "unchanged (.sha2)"
	OriginCache         Origin = "cache" // offline, or a pivot already cached
	OriginCacheFallback Origin = "cache (fetch failed)"
)

// AcceptInfo describes a list that passed verification.
type AcceptInfo struct {
	Territory  string
	Sequence   int
	NextUpdate time.Time
	Verdict    string
}

// Store fetches lists through a Client and keeps verified copies in a Cache.
// It is safe for concurrent use.
type Store struct {
	Client  *Client
	Cache   *Cache
	Offline bool
	Now     func() time.Time
	// ToolVersion is recorded in the metadata of what is cached.
	ToolVersion string
	// Keep bounds the history (history.go) per list: 0 keeps DefaultKeep
	// versions, a negative value keeps none.
	Keep int

	mu    sync.Mutex
	state *State
	dirty bool
	// lotlSeq is the LOTL accepted in this run (it pins the lists after it);
	// historyDirty says the history grew and must be bounded.
	lotlSeq      int
	historyDirty bool
}

// Fetch returns the current bytes of list name at url. Offline, and for
// pivots already cached (they never change), it reads the cache. It sends
// the cached copy's ETag / Last-Modified and, for .xml/.xtsl URLs, first
// compares the published .sha2 digest with the cached copy.
func (s *Store) Fetch(ctx context.Context, name, url string, immutable bool) (*Fetched, error) {
	// Offline, only a pivot's metadata matters (the URL it was fetched from).
	cached, meta, cerr := s.read(name, url, !s.Offline || IsPivotName(name))
	if cerr == nil && IsPivotName(name) && meta != nil && meta.URL != url {
		// another pivot URL with the same base name: not this pivot's copy
		cached, meta, cerr = nil, nil, fmt.Errorf("%s: %w (the cached copy is of %s)", name, ErrNotInCache, Redact(meta.URL))
	}
	if s.Offline {
		if cerr != nil {
			return nil, fmt.Errorf("offline: %w", cerr)
		}
		return &Fetched{Data: cached, URL: url, Origin: OriginCache, FromCache: true}, nil
	}
	if cerr == nil && immutable {
		return &Fetched{Data: cached, URL: url, Origin: OriginCache, FromCache: true}, nil
	}
	var v Validators
	var notes []string
	published := ""
	if cerr == nil {
		if meta != nil && meta.URL == url {
			v = Validators{ETag: meta.ETag, LastModified: meta.LastModified}
		}
		if sha2URL := SHA2URL(url); sha2URL != "" {
			var err error
			if published, err = s.sha2(ctx, sha2URL); err == nil && published == sha256Hex(cached) {
				f := &Fetched{Data: cached, URL: url, Origin: OriginUnchanged, FromCache: true}
				if meta != nil {
					f.ETag, f.LastModified = meta.ETag, meta.LastModified
				}
				return f, nil
			}
		}
	}
	resp, err := s.Client.Get(ctx, url, v)
	if err != nil {
		return nil, err
	}
	if resp.NotModified {
		if cerr != nil {
			return nil, &Error{URL: Redact(url), Err: errors.New("304 Not Modified without a cached copy")}
		}
		return &Fetched{Data: cached, URL: url, Origin: OriginNotModified, FromCache: true, ETag: resp.ETag, LastModified: resp.LastModified}, nil
	}
	if err := looksLikeXML(resp.Body, resp.ContentType); err != nil {
		return nil, &Error{URL: Redact(url), Err: err}
	}
	if published != "" && published != sha256Hex(resp.Body) {
		notes = append(notes, "the published .sha2 digest does not match the downloaded list (it only signals changes; the signature decides)")
	}
	return &Fetched{Data: resp.Body, URL: url, Origin: OriginNetwork, ETag: resp.ETag, LastModified: resp.LastModified, FetchedAt: s.now(), Notes: notes}, nil
}

// sha256Hex is the SHA-256 digest of data in lower-case hex, as .sha2 files
// and the metadata write it.
func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// read reads an entry from the cache, with its metadata when withMeta is
// set. The LOTL of a hand-made directory may also be kept under its URL's
// base name (eu-lotl.xml).
func (s *Store) read(name, rawURL string, withMeta bool) ([]byte, *Meta, error) {
	data, meta, err := s.Cache.read(name, withMeta)
	if name != "lotl" || !errors.Is(err, ErrNotInCache) {
		return data, meta, err
	}
	base := strings.TrimPrefix(PivotName(rawURL), pivotPrefix)
	if base == "lotl.xml" || base == "" {
		return nil, nil, err
	}
	alt, aerr := s.Cache.ReadFile(base)
	if aerr == nil {
		return alt, nil, nil
	}
	if errors.Is(aerr, ErrNotInCache) {
		return nil, nil, fmt.Errorf("lotl: %w (expected %s or %s)", ErrNotInCache, filepath.Join(s.Cache.Dir, "lotl.xml"), filepath.Join(s.Cache.Dir, base))
	}
	return nil, nil, err
}

// looksLikeXML refuses what is plainly not a list (an HTML error page
// answered with 200) as a fetch failure rather than a trust failure. The
// body decides, not the Content-Type: some publishers label lists oddly.
func looksLikeXML(body []byte, contentType string) error {
	b := bytes.TrimLeft(bytes.TrimPrefix(body, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
	lower := bytes.ToLower(b[:min(len(b), 512)])
	switch {
	case bytes.HasPrefix(lower, []byte("<!doctype html")), bytes.HasPrefix(lower, []byte("<html")):
		return fmt.Errorf("%w: the server answered with an HTML page (Content-Type %q)", ErrNotAList, contentType)
	case len(b) == 0:
		return fmt.Errorf("%w: empty body", ErrNotAList)
	case b[0] != '<':
		return fmt.Errorf("%w: body does not start with '<' (Content-Type %q)", ErrNotAList, contentType)
	}
	return nil
}

// SHA2URL is where the .sha2 digest of a list is published: the URL with
// its .xml / .xtsl extension replaced by .sha2 ("" when it has neither).
func SHA2URL(url string) string {
	lower := strings.ToLower(url)
	for _, ext := range []string{".xml", ".xtsl"} {
		if strings.HasSuffix(lower, ext) {
			return url[:len(url)-len(ext)] + ".sha2"
		}
	}
	return ""
}

func (s *Store) sha2(ctx context.Context, url string) (string, error) {
	c := *s.Client
	c.o.MaxSize, c.o.Retries = 4096, -1
	resp, err := c.Get(ctx, url, Validators{})
	if err != nil {
		return "", err
	}
	f := strings.Fields(string(resp.Body))
	if len(f) == 0 || len(f[0]) != 64 {
		return "", errors.New("not a SHA-256 digest")
	}
	return strings.ToLower(f[0]), nil
}

// ReadsLocally reports whether the store reads only its cache (offline):
// package trust then reads each list only when it can verify it at once.
func (s *Store) ReadsLocally() bool { return s.Offline }

// Cached returns the cached copy of a list, for answering when it cannot be
// fetched now. The caller verifies it and checks its NextUpdate.
func (s *Store) Cached(name, url string) (*Fetched, error) {
	data, meta, err := s.read(name, url, true)
	if err != nil {
		return nil, err
	}
	if IsPivotName(name) && meta != nil && meta.URL != url {
		return nil, fmt.Errorf("%s: %w (the cached copy is of %s)", name, ErrNotInCache, Redact(meta.URL))
	}
	f := &Fetched{Data: data, URL: url, Origin: OriginCacheFallback, FromCache: true}
	if meta != nil {
		f.FetchedAt = meta.FetchedAt
	}
	return f, nil
}

// LastSequence is the highest sequence number accepted for name (0: none).
func (s *Store) LastSequence(name string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadState(); err != nil {
		return 0, err
	}
	return s.state.Sequences[name], nil
}

func (s *Store) loadState() error {
	if s.state != nil {
		return nil
	}
	st, err := s.Cache.ReadState()
	if err != nil {
		return err
	}
	s.state = st
	return nil
}

// Accept records a list that passed verification: new bytes go to the
// cache, and its sequence number becomes the floor for later runs. Offline,
// nothing is written.
func (s *Store) Accept(name string, f *Fetched, info AcceptInfo) error {
	if s.Offline {
		return nil
	}
	if !f.FromCache || f.Origin == OriginNotModified {
		err := s.Cache.Write(name, f.Data, Meta{
			URL: f.URL, ETag: f.ETag, LastModified: f.LastModified, FetchedAt: s.now(),
			Verdict: info.Verdict, Territory: info.Territory, Sequence: info.Sequence, NextUpdate: info.NextUpdate,
			ToolVersion: s.ToolVersion,
		})
		if err != nil {
			return fmt.Errorf("cache %s: %w", name, err)
		}
	}
	if err := s.addHistory(name, f, info); err != nil {
		return err
	}
	if IsPivotName(name) {
		return nil // pivots are history already: no rollback floor
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadState(); err != nil {
		return err
	}
	if info.Sequence > s.state.Sequences[name] {
		s.state.Sequences[name] = info.Sequence
		s.dirty = true
	}
	return nil
}

// Flush writes the rollback state if it changed and bounds the history.
func (s *Store) Flush() error {
	if err := s.flushHistory(); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dirty || s.Offline {
		return nil
	}
	if err := s.Cache.WriteState(s.state); err != nil {
		return err
	}
	s.dirty = false
	return nil
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
