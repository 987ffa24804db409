package snapshot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/eutl/eutl/pkg/fetch"
)

// IsURL reports whether a --snapshot value is an http(s) URL rather than a
// file name.
func IsURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

// downloadMeta is kept next to a downloaded snapshot for conditional GET.
type downloadMeta struct {
	URL          string `json:"url"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// SHA256 names the kept file (DIR/snapshots/<sha256>.zip).
	SHA256 string `json:"sha256"`
}

// Download brings a snapshot from url with c (its timeouts, retries and
// size limit apply). When dir is set, the last download is kept there
// (DIR/snapshots/<hash of the URL>.json naming <sha256>.zip) and sent for a conditional GET, so
// an unchanged snapshot is not transferred again. The bytes are returned
// unchecked: Read and the chain decide. origin is fetch.OriginNetwork or
// fetch.OriginNotModified.
func Download(ctx context.Context, c *fetch.Client, url, dir string) (data []byte, origin fetch.Origin, err error) {
	var base, old string
	var cached []byte
	var v fetch.Validators
	if dir != "" {
		sum := sha256.Sum256([]byte(url))
		base = filepath.Join(dir, "snapshots", hex.EncodeToString(sum[:16]))
		var m downloadMeta
		if mb, err := os.ReadFile(base + ".json"); err == nil && json.Unmarshal(mb, &m) == nil && m.URL == url && len(m.SHA256) == 64 {
			old = filepath.Join(filepath.Dir(base), m.SHA256+".zip")
			if b, err := os.ReadFile(old); err == nil && digest(b) == m.SHA256 {
				cached = b
				v = fetch.Validators{ETag: m.ETag, LastModified: m.LastModified}
			}
		}
	}
	resp, err := c.Get(ctx, url, v)
	if err != nil {
		return nil, "", err
	}
	if resp.NotModified {
		if cached == nil {
			return nil, "", &fetch.Error{URL: fetch.Redact(url), Err: errors.New("304 Not Modified without a kept copy")}
		}
		return cached, fetch.OriginNotModified, nil
	}
	if base != "" && (resp.ETag != "" || resp.LastModified != "") {
		// Best effort: a read-only or shared cache only costs a transfer.
		_ = keep(base, old, resp.Body, downloadMeta{URL: url, ETag: resp.ETag, LastModified: resp.LastModified, SHA256: digest(resp.Body)})
	}
	return resp.Body, fetch.OriginNetwork, nil
}

// keep writes the snapshot under its digest, then the metadata naming it,
// each atomically (temporary file and rename): concurrent runs sharing a
// directory never see a partial file, and metadata always names a complete
// file whose digest it records.
func keep(base, old string, data []byte, m downloadMeta) error {
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return err
	}
	mb, err := json.Marshal(m)
	if err != nil {
		return err
	}
	name := filepath.Join(filepath.Dir(base), m.SHA256+".zip")
	if err := atomicWrite(name, data); err != nil {
		return err
	}
	if err := atomicWrite(base+".json", mb); err != nil {
		return err
	}
	if old != "" && old != name {
		os.Remove(old)
	}
	return nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func atomicWrite(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr == nil {
		werr = os.Rename(tmp, name)
	}
	if werr != nil {
		os.Remove(tmp)
	}
	return werr
}

// WriteFile writes an archive to name atomically.
func WriteFile(name string, data []byte) error { return atomicWrite(name, data) }
