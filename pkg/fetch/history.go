package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultKeep is how many verified versions the history keeps per list.
const DefaultKeep = 12

// HistoryLOTL is the history name of the LOTL (its cache name).
const HistoryLOTL = "lotl"

// The history keeps every verified version a writing run accepted, per list
// and sequence number:
//
//	DIR/history/<NAME>/<SEQUENCE>.xml    the bytes exactly as verified
//	DIR/history/<NAME>/<SEQUENCE>.json   a HistoryEntry describing them
//
// NAME is a territory (BE) or "lotl". Pivot LOTLs are not kept: they never
// change and stay in the cache. The history is an addition to cache format
// 1: an older eutl ignores the directory, and a format-1 cache without it is
// upgraded in place by the first run that writes (the lists it verifies
// become the first entries). Like the rest of the cache, the metadata is a
// convenience: the bytes are verified again whenever they are used.

// HistoryEntry describes one kept version.
type HistoryEntry struct {
	Name       string    `json:"name"`
	Sequence   int       `json:"sequence"`
	SHA256     string    `json:"sha256"`
	Size       int       `json:"size"`
	URL        string    `json:"url,omitempty"`
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	NextUpdate time.Time `json:"next_update,omitzero"`
	// LOTLSequence is the sequence of the LOTL whose pointer pinned the
	// list's signer when it was accepted (0 for the LOTL itself).
	LOTLSequence int `json:"lotl_sequence,omitempty"`
}

// historyFile is the path of a kept version, relative to the cache
// directory (slash-separated, as os.Root takes it).
func historyFile(name string, seq int, ext string) string {
	return "history/" + name + "/" + strconv.Itoa(seq) + ext
}

// historyRoot opens the cache directory as an os.Root: no history path is
// resolved through a symbolic link out of the cache.
func (c *Cache) historyRoot() (*os.Root, error) { return os.OpenRoot(c.Dir) }

// readHistoryFile reads a regular file of the history, bounded like every
// cached list.
func readHistoryFile(r *os.Root, rel string) ([]byte, error) {
	fi, err := r.Lstat(rel)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("history: %s is not a regular file", rel)
	}
	f, err := r.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := ReadSized(f, fi.Size(), historyMaxSize)
	if errors.Is(err, ErrOverLimit) {
		return nil, fmt.Errorf("history: %s is larger than %d bytes", rel, historyMaxSize)
	}
	return data, err
}

// historyMaxSize bounds a kept version (the client's limit for a list).
const historyMaxSize = 64 << 20

// writeHistoryFile writes a file of the history atomically (the cache's
// helper: temporary file, fsync, rename, fsync of the directory).
func (c *Cache) writeHistoryFile(r *os.Root, rel string, data []byte) error {
	return writeFileAtomic(r, rel, data)
}

// HistoryName maps a cache name to its history name; ok is false for names
// the history does not keep (pivots).
func HistoryName(name string) (string, bool) {
	if name == HistoryLOTL || strings.EqualFold(name, "EU") {
		return HistoryLOTL, true
	}
	if !territoryName.MatchString(name) {
		return "", false
	}
	return name, true
}

// AddHistory keeps a verified version. A version already kept under the same
// sequence number is left as it is (the first accepted bytes stay); added
// reports whether something was written. Call it with the lock held.
func (c *Cache) AddHistory(data []byte, e HistoryEntry) (added bool, err error) {
	name, ok := HistoryName(e.Name)
	if !ok || e.Sequence <= 0 {
		return false, fmt.Errorf("history: cannot keep %q sequence %d", e.Name, e.Sequence)
	}
	e.Name = name
	r, err := c.historyRoot()
	if err != nil {
		return false, err
	}
	defer r.Close()
	xml, js := historyFile(name, e.Sequence, ".xml"), historyFile(name, e.Sequence, ".json")
	if fi, err := r.Lstat(xml); err == nil && fi.Mode().IsRegular() {
		if fi, err := r.Lstat(js); err == nil && fi.Mode().IsRegular() {
			return false, nil
		}
	}
	sum := sha256.Sum256(data)
	e.SHA256, e.Size = hex.EncodeToString(sum[:]), len(data)
	meta, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return false, err
	}
	if err := r.MkdirAll("history/"+name, 0o755); err != nil {
		return false, err
	}
	if err := c.writeHistoryFile(r, xml, data); err != nil {
		return false, err
	}
	return true, c.writeHistoryFile(r, js, append(meta, '\n'))
}

// History lists the kept versions of name, oldest sequence first. A version
// whose metadata is missing or does not describe its bytes is listed with
// what its file name tells (sequence) only.
func (c *Cache) History(name string) ([]HistoryEntry, error) {
	hn, ok := HistoryName(name)
	if !ok {
		return nil, fmt.Errorf("history: invalid list name %q", name)
	}
	r, err := c.historyRoot()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	files, err := readDir(r, "history/"+hn)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []HistoryEntry
	for _, f := range files {
		seq, err := strconv.Atoi(strings.TrimSuffix(f.Name(), ".xml"))
		if !strings.HasSuffix(f.Name(), ".xml") || err != nil || seq <= 0 || !f.Type().IsRegular() {
			continue
		}
		e := HistoryEntry{Name: hn, Sequence: seq}
		if mdata, err := readHistoryFile(r, historyFile(hn, seq, ".json")); err == nil {
			var m HistoryEntry
			if json.Unmarshal(mdata, &m) == nil && m.Sequence == seq {
				m.Name = hn
				e = m
			}
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Sequence < out[j].Sequence })
	return out, nil
}

func readDir(r *os.Root, rel string) ([]fs.DirEntry, error) {
	d, err := r.Open(rel)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.ReadDir(-1)
}

// HistoryNames lists the names with kept versions, sorted ("lotl" among them).
func (c *Cache) HistoryNames() ([]string, error) {
	r, err := c.historyRoot()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
	files, err := readDir(r, "history")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		if n, ok := HistoryName(f.Name()); ok && f.IsDir() && n == f.Name() {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ReadHistory returns the bytes of a kept version and its entry. The entry
// is the metadata only when it describes these bytes.
func (c *Cache) ReadHistory(name string, seq int) ([]byte, *HistoryEntry, error) {
	hn, ok := HistoryName(name)
	if !ok {
		return nil, nil, fmt.Errorf("history: invalid list name %q", name)
	}
	r, err := c.historyRoot()
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	data, err := readHistoryFile(r, historyFile(hn, seq, ".xml"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%s@%d: %w (%s)", hn, seq, ErrNotInHistory, c.Dir)
	}
	if err != nil {
		return nil, nil, err
	}
	e := &HistoryEntry{Name: hn, Sequence: seq}
	if mdata, err := readHistoryFile(r, historyFile(hn, seq, ".json")); err == nil {
		var m HistoryEntry
		sum := sha256.Sum256(data)
		if json.Unmarshal(mdata, &m) == nil && m.SHA256 == hex.EncodeToString(sum[:]) {
			m.Name = hn
			e = &m
		}
	}
	return data, e, nil
}

// ErrNotInHistory is wrapped when a version is not kept.
var ErrNotInHistory = errors.New("not in the history")

// PruneHistory keeps the newest keep versions of every list (keep 0 keeps
// none). LOTL versions that pinned a kept national list are kept too, so
// that every kept list can still be verified against its own LOTL. Call it
// with the lock held.
func (c *Cache) PruneHistory(keep int) error {
	if keep < 0 {
		keep = 0
	}
	names, err := c.HistoryNames()
	if err != nil {
		return err
	}
	pinned := map[int]bool{}
	var errs []error
	for _, n := range names {
		if n == HistoryLOTL {
			continue
		}
		es, err := c.History(n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for i, e := range es {
			if i < len(es)-keep {
				errs = append(errs, c.removeHistory(n, e.Sequence))
			} else if e.LOTLSequence > 0 {
				pinned[e.LOTLSequence] = true
			}
		}
	}
	es, err := c.History(HistoryLOTL)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for i, e := range es {
		if i < len(es)-keep && !pinned[e.Sequence] {
			errs = append(errs, c.removeHistory(HistoryLOTL, e.Sequence))
		}
	}
	return errors.Join(errs...)
}

// removeHistory removes the metadata first: a crash in between leaves bytes
// without metadata, which History still lists and the next prune removes.
func (c *Cache) removeHistory(name string, seq int) error {
	r, err := c.historyRoot()
	if err != nil {
		return err
	}
	defer r.Close()
	for _, ext := range []string{".json", ".xml"} {
		if err := r.Remove(historyFile(name, seq, ext)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// cleanHistoryTemp removes temporary files a killed run left in history/.
func (c *Cache) cleanHistoryTemp() {
	r, err := c.historyRoot()
	if err != nil {
		return
	}
	defer r.Close()
	dirs, _ := readDir(r, "history")
	for _, d := range dirs {
		if _, ok := HistoryName(d.Name()); !ok || !d.IsDir() {
			continue
		}
		files, _ := readDir(r, "history/"+d.Name())
		for _, f := range files {
			if n := f.Name(); f.Type().IsRegular() && strings.HasPrefix(n, ".") && strings.Contains(n, ".tmp-") {
				r.Remove("history/" + d.Name() + "/" + n)
			}
		}
	}
}

// addHistory keeps a list the Store accepted (nothing for pivots or when
// the history is disabled).
func (s *Store) addHistory(name string, f *Fetched, info AcceptInfo) error {
	hn, ok := HistoryName(name)
	if !ok || s.Keep < 0 || info.Sequence <= 0 {
		return nil
	}
	s.mu.Lock()
	lotlSeq := s.lotlSeq
	if hn == HistoryLOTL {
		s.lotlSeq = info.Sequence
		lotlSeq = 0
	}
	s.historyDirty = true
	s.mu.Unlock()
	_, err := s.Cache.AddHistory(f.Data, HistoryEntry{
		Name: hn, Sequence: info.Sequence, URL: f.URL, AcceptedAt: s.now(), NextUpdate: info.NextUpdate, LOTLSequence: lotlSeq,
	})
	if err != nil {
		return fmt.Errorf("history %s: %w", hn, err)
	}
	return nil
}

// flushHistory bounds the history after a run that accepted lists.
func (s *Store) flushHistory() error {
	s.mu.Lock()
	dirty := s.historyDirty
	s.historyDirty = false
	s.mu.Unlock()
	if !dirty || s.Offline {
		return nil
	}
	keep := s.Keep
	if keep == 0 {
		keep = DefaultKeep
	}
	return s.Cache.PruneHistory(keep)
}

// Fixed is a read-only source of given bytes, for verifying lists that are
// not the current ones (a kept version, a file): Lists holds the bytes by
// cache name ("lotl", "BE"); pivots are read from Pivots when set. It
// implements trust.Source; nothing is ever written.
type Fixed struct {
	Lists  map[string][]byte
	Origin Origin
	Pivots *Cache
}

// Origins of bytes a Fixed source hands out.
const (
	OriginHistory Origin = "history" // a version kept in the cache's history
	OriginFile    Origin = "file"    // a file given by the caller
)

// Fetch returns the given bytes of name, or a pivot from the cache.
func (x *Fixed) Fetch(_ context.Context, name, url string, _ bool) (*Fetched, error) {
	if data, ok := x.Lists[name]; ok {
		return &Fetched{Data: data, URL: url, Origin: x.Origin, FromCache: true}, nil
	}
	if x.Pivots != nil && IsPivotName(name) {
		data, _, err := x.Pivots.Read(name)
		if err != nil {
			return nil, err
		}
		return &Fetched{Data: data, URL: url, Origin: OriginCache, FromCache: true}, nil
	}
	return nil, fmt.Errorf("%s: %w", name, ErrNotInCache)
}

// Cached has nothing more to offer than Fetch: pivots from the cache, for
// the chain's walk over cached pivots, and nothing else.
func (x *Fixed) Cached(name, url string) (*Fetched, error) {
	if x.Pivots != nil && IsPivotName(name) {
		return x.Fetch(context.Background(), name, url, true) // pivots come from the cache either way
	}
	return nil, fmt.Errorf("%s: %w", name, ErrNotInCache)
}

// Accept keeps nothing.
func (x *Fixed) Accept(string, *Fetched, AcceptInfo) error { return nil }

// LastSequence is 0: kept versions are old by nature, rollback does not apply.
func (x *Fixed) LastSequence(string) (int, error) { return 0, nil }
