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
	"path/filepath"
	"regexp"
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
//	DIR/eutl-cache.json        {"format_version": 1}
//	DIR/lotl.xml               the LOTL, bytes exactly as received
//	DIR/<TERRITORY>.xml        each national list (BE.xml, EL.xml, ...)
//	DIR/<pivot base name>      each pivot LOTL (eu-lotl-pivot-341.xml)
//	DIR/meta/<name>.json       metadata of each list (see Meta)
//	DIR/state.json             the highest sequence number accepted per list
//	DIR/history/<NAME>/<SEQ>.xml  every verified version accepted (history.go)
//	DIR/.lock                  held (flock; LockFileEx on Windows) by a run that writes
//
// Only bytes that passed verification are written. A directory prepared by
// hand with lotl.xml and <TERRITORY>.xml files (no metadata) is a valid cache.
type Cache struct {
	Dir string
}

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

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$`)

// OpenCache uses dir as a cache, creating the directory when create is set.
// It refuses a cache marked by a newer eutl. Writers take [Cache.Lock] and
// then call [Cache.Prepare].
func OpenCache(dir string, create bool) (*Cache, error) {
	c := &Cache{Dir: dir}
	if create {
		if err := os.MkdirAll(filepath.Join(dir, "meta"), 0o755); err != nil {
			return nil, fmt.Errorf("cache %s: %w", dir, err)
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
	data, err := os.ReadFile(filepath.Join(c.Dir, "eutl-cache.json"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("cache %s: %w", c.Dir, err)
	case json.Unmarshal(data, &m) != nil:
		return 0, fmt.Errorf("cache %s: eutl-cache.json is damaged; remove it to reuse the directory", c.Dir)
	case m.FormatVersion > CacheFormat:
		return 0, fmt.Errorf("cache %s: %w (format %d; this eutl reads format %d): use another cache directory or a newer eutl", c.Dir, ErrNewerCache, m.FormatVersion, CacheFormat)
	}
	return m.FormatVersion, nil
}

// Prepare readies the cache for writing: it removes temporary files left by
// a run that was killed mid-write (they are never read) and marks the
// directory with this format. Call it with the lock held.
func (c *Cache) Prepare() error {
	for _, pattern := range []string{".*.tmp-*", "meta/.*.tmp-*"} {
		files, _ := filepath.Glob(filepath.Join(c.Dir, pattern))
		for _, f := range files {
			os.Remove(f)
		}
	}
	c.cleanHistoryTemp()
	v, err := c.format()
	if err != nil || v != 0 {
		return err
	}
	return writeFileAtomic(filepath.Join(c.Dir, "eutl-cache.json"), []byte(`{"format_version": 1}`+"\n"))
}

// FileName is the file a list is kept in: "lotl" → lotl.xml, "BE" → BE.xml,
// a pivot "eu-lotl-pivot-341.xml" as it is.
func FileName(name string) string {
	if filepath.Ext(name) == ".xml" {
		return name
	}
	return name + ".xml"
}

func (c *Cache) check(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("cache: invalid list name %q", name)
	}
	return nil
}

// Read returns a cached list and its metadata (nil for a hand-made entry).
// A missing list is an error wrapping ErrNotInCache.
func (c *Cache) Read(name string) ([]byte, *Meta, error) {
	if err := c.check(name); err != nil {
		return nil, nil, err
	}
	data, err := os.ReadFile(filepath.Join(c.Dir, FileName(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%s: %w (%s)", name, ErrNotInCache, c.Dir)
	}
	if err != nil {
		return nil, nil, err
	}
	var meta *Meta
	if mdata, err := os.ReadFile(filepath.Join(c.Dir, "meta", name+".json")); err == nil {
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
	if err := c.check(name); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	m.SHA256, m.Size = hex.EncodeToString(sum[:]), len(data)
	mdata, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(c.Dir, "meta"), 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(c.Dir, FileName(name)), data); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(c.Dir, "meta", name+".json"), append(mdata, '\n'))
}

// ReadState returns the accepted sequence numbers (empty when none).
func (c *Cache) ReadState() (*State, error) {
	s := &State{FormatVersion: CacheFormat, Sequences: map[string]int{}}
	data, err := os.ReadFile(filepath.Join(c.Dir, "state.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	var got State
	if err := json.Unmarshal(data, &got); err != nil {
		return nil, fmt.Errorf("cache %s: state.json is damaged (%v); remove it to reset rollback protection", c.Dir, err)
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
	return writeFileAtomic(filepath.Join(c.Dir, "state.json"), append(data, '\n'))
}

// Lock takes the cache's exclusive lock, waiting for another run to finish,
// until ctx ends. The returned function releases it.
func (c *Cache) Lock(ctx context.Context) (func(), error) {
	f, err := os.OpenFile(filepath.Join(c.Dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cache lock: %w", err)
	}
	for {
		held, err := tryLock(f)
		if err == nil && !held {
			return func() { unlockFile(f); f.Close() }, nil
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("cache lock: %w", err)
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

// writeFileAtomic writes a temporary file in the same directory, syncs it,
// renames it over path and syncs the directory.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
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
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
