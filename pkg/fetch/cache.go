package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// CacheFormat is the version of the cache layout this code writes. A cache
// marked with a newer version is refused for writing and its metadata
// ignored, so an older eutl never damages it.
const CacheFormat = 1

// ErrNewerCache is returned when the cache was written by a newer eutl.
var ErrNewerCache = errors.New("cache written by a newer eutl")

// Cache is a directory of lists:
//
//	DIR/eutl-cache.json             {"format_version": 1}
//	DIR/lotl.xml                    the LOTL, bytes exactly as received
//	DIR/<TERRITORY>.xml             each national list (BE.xml, EL.xml, ...)
//	DIR/pivots/<name>               each pivot LOTL (pivots/eu-lotl-pivot-341.xml)
//	DIR/meta/<entry>.json           metadata of each list (see Meta)
//	DIR/state.json                  the highest sequence number accepted per list
//	DIR/history/<NAME>/<SEQ>.xml    every verified version accepted (history.go)
//	DIR/.lock                       held (flock; LockFileEx on Windows) by a run that writes
//
// Entry names are "lotl", a territory code of two capital letters, or a
// pivot name made by [PivotName]: no string from a list chooses another
// entry's file or state key. Every operation goes through an [os.Root] of
// the directory, so none follows a symbolic link out of it.
//
// Only bytes that passed verification are written. A directory prepared by
// hand with lotl.xml (or the LOTL URL's base name), <TERRITORY>.xml files and
// pivots at the top level (no metadata) is a valid cache, and so is a cache
// of an earlier eutl that kept pivots at the top level.
type Cache struct {
	Dir string
	// MaxSize bounds every file read from the cache (default DefaultMaxSize).
	MaxSize int64
}

// ErrOutsideCache is wrapped when a path in the cache is a link leading out
// of the cache directory: it is never followed.
var ErrOutsideCache = errors.New("link out of the cache")

// CacheError is a cache directory eutl cannot use: the path is a file, it is
// not writable, or its marker or rollback state is damaged. It is a problem
// of the environment, not of a list.
type CacheError struct {
	// Path is the directory or the file concerned.
	Path string
	Err  error
}

func (e *CacheError) Error() string { return "cache " + e.Path + ": " + e.Err.Error() }
func (e *CacheError) Unwrap() error { return e.Err }

// Meta describes a cached list.
type Meta struct {
	URL          string    `json:"url"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	FetchedAt    time.Time `json:"fetched_at"`
	SHA256       string    `json:"sha256"`
	Size         int       `json:"size"`
	Verdict      string    `json:"verdict"`
	Territory    string    `json:"territory,omitempty"`
	Sequence     int       `json:"sequence,omitempty"`
	NextUpdate   time.Time `json:"next_update,omitempty"`
	ToolVersion  string    `json:"tool_version,omitempty"`
}

type cacheMarker struct {
	FormatVersion int `json:"format_version"`
}

// State holds the highest sequence number accepted per list name.
type State struct {
	FormatVersion int            `json:"format_version"`
	Sequences     map[string]int `json:"sequences"`
}

var (
	territoryName = regexp.MustCompile(`^[A-Z]{2}$`)
	pivotFile     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	// reservedTop are top-level names a pivot may never be read from: the
	// LOTL's, a territory's, the cache's own files.
	reservedTop = regexp.MustCompile(`(?i)^([a-z]{2}\.xml|lotl\.xml|eu-lotl\.xml|eutl-cache\.json|state\.json|meta|pivots|history)$`)
	// tmpFile is the name of eutl's own temporary files (see writeFileAtomic).
	tmpFile = regexp.MustCompile(`^\.[A-Za-z0-9][A-Za-z0-9._-]*\.tmp-[0-9]+$`)
)

// pivotPrefix starts the entry name of a pivot.
const pivotPrefix = "pivots/"

// PivotName is the cache entry name of the pivot LOTL published at rawURL:
// "pivots/" and the URL's base name reduced to letters, digits, '.', '_' and
// '-' ("pivots/eu-lotl-pivot-341.xml"). A base name that would be hidden or
// empty is prefixed, so the name never leaves the pivots folder.
func PivotName(rawURL string) string {
	base := rawURL
	if u, err := url.Parse(rawURL); err == nil {
		base = u.Path
	}
	base = path.Base(base)
	b := []byte(base)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	base = string(b)
	if base == "" || !(base[0] >= 'a' && base[0] <= 'z' || base[0] >= 'A' && base[0] <= 'Z' || base[0] >= '0' && base[0] <= '9') {
		base = "pivot" + base
	}
	if len(base) > 100 {
		base = base[len(base)-100:]
		base = "p" + base[1:]
	}
	return pivotPrefix + base
}

// IsPivotName reports whether name is a pivot entry name.
func IsPivotName(name string) bool { return strings.HasPrefix(name, pivotPrefix) }

// entry is where one list lives.
type entry struct {
	file, meta string
	// legacy is a top-level file name read when file is missing (pivots of
	// hand-made dirs and of earlier caches); "" when none.
	legacy, legacyMeta string
}

func (c *Cache) entry(name string) (entry, error) {
	switch {
	case name == "lotl":
		return entry{file: "lotl.xml", meta: "meta/lotl.json"}, nil
	case territoryName.MatchString(name):
		return entry{file: name + ".xml", meta: "meta/" + name + ".json"}, nil
	case IsPivotName(name) && pivotFile.MatchString(name[len(pivotPrefix):]):
		base := name[len(pivotPrefix):]
		e := entry{file: name, meta: "meta/" + name + ".json"}
		if !reservedTop.MatchString(base) {
			e.legacy, e.legacyMeta = base, "meta/"+base+".json"
		}
		return e, nil
	}
	return entry{}, fmt.Errorf("cache: invalid list name %q (a territory code of two capital letters, \"lotl\" or a pivot name)", name)
}

// FileName is the file, relative to the cache directory, a list is kept in:
// "lotl" → lotl.xml, "BE" → BE.xml, "pivots/eu-lotl-pivot-341.xml" as it is.
// It is "" for an invalid name.
func FileName(name string) string {
	e, err := (&Cache{}).entry(name)
	if err != nil {
		return ""
	}
	return e.file
}

func (c *Cache) maxSize() int64 {
	if c.MaxSize > 0 {
		return c.MaxSize
	}
	return DefaultMaxSize
}

// root opens the cache directory as an os.Root: every path below it is
// resolved without leaving the directory.
func (c *Cache) root() (*os.Root, error) {
	r, err := os.OpenRoot(c.Dir)
	if err != nil {
		return nil, &CacheError{Path: c.Dir, Err: unwrapPathError(err)}
	}
	return r, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// OpenCache uses dir as a cache, creating the directory when create is set.
// It refuses a cache marked by a newer eutl, a path that is not a directory
// and a damaged marker, with a *CacheError. Writers take [Cache.Lock] and
// then call [Cache.Prepare].
func OpenCache(dir string, create bool) (*Cache, error) {
	c := &Cache{Dir: dir}
	if create {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, &CacheError{Path: dir, Err: unwrapPathError(err)}
		}
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && !create:
		return c, nil // offline without a cache: every read reports what is missing
	case err != nil:
		return nil, &CacheError{Path: dir, Err: unwrapPathError(err)}
	case !fi.IsDir():
		return nil, &CacheError{Path: dir, Err: errors.New("not a directory")}
	}
	if create {
		r, err := c.root()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		for _, d := range []string{"meta", "meta/pivots", "pivots"} {
			if err := r.MkdirAll(d, 0o755); err != nil {
				return nil, &CacheError{Path: dir, Err: confinedError(r, dir, d, err)}
			}
		}
	}
	if _, err := c.format(); err != nil {
		return nil, err
	}
	return c, nil
}

// format reads the cache marker; 0 when there is none (a hand-made directory).
func (c *Cache) format() (int, error) {
	var m cacheMarker
	data, err := c.readFile("eutl-cache.json", 64<<10)
	marker := filepath.Join(c.Dir, "eutl-cache.json")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, nil
	case err != nil:
		return 0, &CacheError{Path: marker, Err: err}
	case json.Unmarshal(data, &m) != nil:
		return 0, &CacheError{Path: marker, Err: errors.New("damaged (not the JSON eutl writes); remove it to reuse the directory")}
	case m.FormatVersion > CacheFormat:
		return 0, fmt.Errorf("cache %s: %w (format %d; this eutl reads format %d): use another cache directory or a newer eutl", c.Dir, ErrNewerCache, m.FormatVersion, CacheFormat)
	}
	return m.FormatVersion, nil
}

// readFile reads a regular file below the cache directory, at most max
// bytes, without following a link out of the directory. A missing file (or
// cache directory) wraps fs.ErrNotExist.
func (c *Cache) readFile(name string, max int64) ([]byte, error) {
	r, err := os.OpenRoot(c.Dir)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	fi, err := r.Stat(name)
	if err != nil {
		return nil, confinedError(r, c.Dir, name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(filepath.Join(c.Dir, name), fi.Mode())
	}
	f, err := r.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpened(f, filepath.Join(c.Dir, name), max)
}

// confinedError words an error of an operation below the cache directory:
// a link that leads out of it is named as such (it is never followed).
func confinedError(r *os.Root, dir, name string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return err
	}
	// the first link on the way decides
	p := ""
	for _, part := range strings.Split(name, "/") {
		p = path.Join(p, part)
		if fi, lerr := r.Lstat(p); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%w: %s is a symbolic link that leads out of the cache directory or cannot be resolved in it (eutl does not follow it)", ErrOutsideCache, filepath.Join(dir, filepath.FromSlash(p)))
		}
	}
	return fmt.Errorf("%s: %w", filepath.Join(dir, filepath.FromSlash(name)), unwrapPathError(err))
}

// Prepare readies the cache for writing: it removes temporary files left by
// a run that was killed mid-write (they are never read) and marks the
// directory with this format. Only regular files named like eutl's own
// temporary files, directly in the cache's folders, are removed. Call it
// with the lock held.
func (c *Cache) Prepare() error {
	r, err := c.root()
	if err != nil {
		return err
	}
	defer r.Close()
	for _, dir := range []string{".", "meta", "meta/pivots", "pivots"} {
		d, err := r.Open(dir)
		if err != nil {
			continue
		}
		ents, _ := d.ReadDir(-1)
		d.Close()
		for _, e := range ents {
			if e.Type().IsRegular() && tmpFile.MatchString(e.Name()) {
				r.Remove(path.Join(dir, e.Name()))
			}
		}
	}
	c.cleanHistoryTemp()
	v, err := c.format()
	if err != nil || v != 0 {
		return err
	}
	if err := writeFileAtomic(r, "eutl-cache.json", []byte(`{"format_version": 1}`+"\n")); err != nil {
		return &CacheError{Path: filepath.Join(c.Dir, "eutl-cache.json"), Err: unwrapPathError(err)}
	}
	return nil
}

// Read returns a cached list and its metadata (nil for a hand-made entry).
// A missing list is an error wrapping ErrNotInCache that names the file
// expected.
func (c *Cache) Read(name string) ([]byte, *Meta, error) {
	return c.read(name, true)
}

// read is Read; without withMeta the metadata is neither read nor checked
// against the bytes (which costs a SHA-256 of them), and meta is nil.
func (c *Cache) read(name string, withMeta bool) ([]byte, *Meta, error) {
	e, err := c.entry(name)
	if err != nil {
		return nil, nil, err
	}
	data, meta, err := c.readEntry(e.file, e.meta, withMeta)
	if errors.Is(err, fs.ErrNotExist) && e.legacy != "" {
		data, meta, err = c.readEntry(e.legacy, e.legacyMeta, withMeta)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%s: %w (expected %s)", name, ErrNotInCache, filepath.Join(c.Dir, filepath.FromSlash(e.file)))
	}
	return data, meta, err
}

// ReadFile returns the cached bytes of a file at the top of the cache
// directory that is not another entry's (for the LOTL under its URL's base
// name in a hand-made directory), with no metadata.
func (c *Cache) ReadFile(base string) ([]byte, error) {
	if !pivotFile.MatchString(base) || (reservedTop.MatchString(base) && !strings.EqualFold(base, "eu-lotl.xml")) || territoryName.MatchString(strings.TrimSuffix(base, ".xml")) {
		return nil, fmt.Errorf("cache: %q is not a file eutl reads", base)
	}
	data, err := c.readFile(base, c.maxSize())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (expected %s)", base, ErrNotInCache, filepath.Join(c.Dir, base))
	}
	return data, err
}

func (c *Cache) readEntry(file, metaFile string, withMeta bool) ([]byte, *Meta, error) {
	data, err := c.readFile(file, c.maxSize())
	if err != nil || !withMeta {
		return data, nil, err
	}
	var meta *Meta
	if mdata, err := c.readFile(metaFile, 1<<20); err == nil {
		var m Meta
		sum := sha256.Sum256(data)
		// Metadata that does not describe these bytes is ignored.
		if json.Unmarshal(mdata, &m) == nil && m.SHA256 == hex.EncodeToString(sum[:]) {
			meta = &m
		}
	}
	return data, meta, nil
}

// Write stores verified bytes and their metadata atomically: a crash at any
// point leaves either the previous copy or the new one.
func (c *Cache) Write(name string, data []byte, m Meta) error {
	e, err := c.entry(name)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	m.SHA256, m.Size = hex.EncodeToString(sum[:]), len(data)
	mdata, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	r, err := c.root()
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.MkdirAll(path.Dir(e.meta), 0o755); err != nil {
		return err
	}
	if err := r.MkdirAll(path.Dir(e.file), 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(r, e.file, data); err != nil {
		return err
	}
	return writeFileAtomic(r, e.meta, append(mdata, '\n'))
}

// ReadState returns the accepted sequence numbers (empty when none). A
// damaged or unreadable state file is a *CacheError naming it.
func (c *Cache) ReadState() (*State, error) {
	s := &State{FormatVersion: CacheFormat, Sequences: map[string]int{}}
	file := filepath.Join(c.Dir, "state.json")
	data, err := c.readFile("state.json", 1<<20)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, &CacheError{Path: file, Err: fmt.Errorf("the rollback state (highest sequence numbers accepted) cannot be read: %w", err)}
	}
	var got State
	if err := json.Unmarshal(data, &got); err != nil {
		return nil, &CacheError{Path: file, Err: fmt.Errorf("the rollback state (highest sequence numbers accepted) is damaged (%v); remove it to reset rollback protection", err)}
	}
	if got.FormatVersion > CacheFormat {
		return nil, fmt.Errorf("cache %s: state.json: %w", c.Dir, ErrNewerCache)
	}
	if got.Sequences != nil {
		s.Sequences = got.Sequences
	}
	return s, nil
}

// WriteState stores the accepted sequence numbers atomically.
func (c *Cache) WriteState(s *State) error {
	s.FormatVersion = CacheFormat
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	r, err := c.root()
	if err != nil {
		return err
	}
	defer r.Close()
	return writeFileAtomic(r, "state.json", append(data, '\n'))
}

// Lock takes the cache's exclusive lock, waiting for another run to finish,
// until ctx ends. The returned function releases it. A lock file that
// cannot be created (an unwritable directory) is a *CacheError.
func (c *Cache) Lock(ctx context.Context) (func(), error) {
	r, err := c.root()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	f, err := r.OpenFile(".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, &CacheError{Path: c.Dir, Err: fmt.Errorf("cannot create the lock file: %w", confinedError(r, c.Dir, ".lock", err))}
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, &CacheError{Path: filepath.Join(c.Dir, ".lock"), Err: errors.New("the lock file is not a regular file")}
	}
	for {
		held, err := tryLock(f)
		if err == nil && !held {
			return func() { unlockFile(f); f.Close() }, nil
		}
		if err != nil {
			f.Close()
			return nil, &CacheError{Path: filepath.Join(c.Dir, ".lock"), Err: fmt.Errorf("cannot lock: %w", err)}
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("cache lock: another eutl run holds %s: %w", c.Dir, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// writeHook lets tests fail or interrupt a write between its steps.
var writeHook = func(step string) error { return nil }

// writeFileAtomic writes a temporary file in the same directory below r,
// syncs it, renames it over name and syncs the directory. The temporary file
// is created exclusively (never through an existing file or link).
func writeFileAtomic(r *os.Root, name string, data []byte) (err error) {
	dir := path.Dir(name)
	var f *os.File
	var tmp string
	for range 100 {
		tmp = path.Join(dir, "."+path.Base(name)+".tmp-"+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err = r.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			r.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = writeHook("written"); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = writeHook("before-rename"); err != nil {
		return err
	}
	if err = r.Rename(tmp, name); err != nil {
		return err
	}
	if d, derr := r.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
