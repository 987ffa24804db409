// Package snapshot is eutl's portable file of a verified set of Trusted
// Lists: the exact signed bytes of the LOTL, the pivots walked and the
// national lists, and a manifest describing them. Evidence bundles (package
// evidence) use the same container with a record of one answer added.
//
// The container is a ZIP archive written deterministically: members stored
// (not compressed) in a fixed order with fixed times and modes, so the same
// set verified at the same instant always gives the same bytes. Reading is
// bounded (member count, member size, total size), refuses any member name
// outside a small fixed grammar, and never writes a member to disk: a
// snapshot is read into memory and answered from there.
//
// Nothing in a snapshot is trusted. Its manifest only says which file is
// which; every list is verified again (package trust) through [Source], and
// [Archive.Reconcile] reports any manifest entry the verified bytes
// contradict.
package snapshot

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"regexp"
	"sort"
	"time"

	"github.com/eutl/eutl/pkg/fetch"
)

// Limits bound what a reader accepts. The defaults are far above the real
// EU set (about 40 members, 23 MB) and far below what would hurt a runner.
type Limits struct {
	// MaxMembers is the largest number of archive members.
	MaxMembers int
	// MaxMember is the largest size of one member, in bytes.
	MaxMember int64
	// MaxTotal is the largest archive, and the largest sum of member sizes.
	MaxTotal int64
}

// DefaultLimits are used when a Limits field is zero.
func DefaultLimits() Limits {
	return Limits{MaxMembers: 512, MaxMember: 64 << 20, MaxTotal: 512 << 20}
}

func (l Limits) withDefaults() Limits {
	if l.MaxMembers <= 0 {
		l.MaxMembers = DefaultLimits().MaxMembers
	}
	if l.MaxMember <= 0 {
		l.MaxMember = DefaultLimits().MaxMember
	}
	if l.MaxTotal <= 0 {
		l.MaxTotal = DefaultLimits().MaxTotal
	}
	return l
}

// Errors wrapped by *FormatError and returned by Read.
var (
	// ErrNewerFormat: the file was written by a newer eutl (its
	// format_version is higher than FormatVersion).
	ErrNewerFormat = errors.New("written by a newer eutl")
	// ErrCorrupt: not a well-formed archive (truncated, bad checksum).
	ErrCorrupt = errors.New("not a well-formed snapshot archive")
	// ErrName: a member name outside the grammar (path traversal, absolute
	// path, directory, unknown member).
	ErrName = errors.New("member name refused")
	// ErrLimit: a bound of Limits was exceeded.
	ErrLimit = errors.New("over a size limit")
	// ErrMismatch: the manifest disagrees with the bytes.
	ErrMismatch = errors.New("the manifest disagrees with the bytes")
)

// FormatError is a snapshot or bundle that cannot be used. Member names the
// archive member concerned ("" for the archive as a whole).
type FormatError struct {
	Member string
	Err    error
}

func (e *FormatError) Error() string {
	if e.Member == "" {
		return e.Err.Error()
	}
	return e.Member + ": " + e.Err.Error()
}

func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(member string, sentinel error, format string, args ...any) error {
	return &FormatError{Member: member, Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}

// Member names: the manifest, the LOTL, pivots by the base name of their
// URL, national lists by territory, and evidence records. Nothing else is
// accepted, so no name can point outside the archive (no "/" prefix, no
// "..", no backslash, no directories).
const (
	ManifestName = "manifest.json"
	LOTLName     = "lotl.xml"
)

var memberGrammar = regexp.MustCompile(`^(manifest\.json|lotl\.xml|pivots/[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.xml|lists/[A-Z]{2}\.xml|evidence/[a-z0-9][a-z0-9._-]{0,60})$`)

// ValidMemberName reports whether name is a member name eutl writes and reads.
func ValidMemberName(name string) bool {
	return memberGrammar.MatchString(name) && !bytes.Contains([]byte(name), []byte(".."))
}

// Archive is a read snapshot or bundle: its manifest and the bytes of its
// members, all checked against the manifest's digests and sizes.
type Archive struct {
	Manifest *Manifest
	// ManifestBytes are the manifest exactly as stored.
	ManifestBytes []byte
	members       map[string][]byte
}

// Member returns the bytes of a member (nil, false when absent).
func (a *Archive) Member(name string) ([]byte, bool) {
	b, ok := a.members[name]
	return b, ok
}

// Members lists the member names, sorted (manifest included).
func (a *Archive) Members() []string {
	out := make([]string, 0, len(a.members)+1)
	out = append(out, ManifestName)
	for n := range a.members {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Read parses and checks an archive held in memory: well-formed ZIP, bounded,
// member names in the grammar and unique, every member listed in the
// manifest with its SHA-256 and size, every included file present, the
// manifest in the exact form eutl writes. It does not verify any list: that
// is the chain's job, through [Archive.Source].
func Read(data []byte, lim Limits) (*Archive, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxTotal {
		return nil, formatErr("", ErrLimit, "archive of %d bytes, limit %d", len(data), lim.MaxTotal)
	}
	a, err := readMembers(data, lim)
	if err != nil {
		return nil, err
	}
	m, err := ParseManifest(a.ManifestBytes)
	if err != nil {
		return nil, err
	}
	a.Manifest = m
	if err := a.checkMembers(); err != nil {
		return nil, err
	}
	return a, nil
}

// readMembers reads every member within the limits and name rules.
func readMembers(data []byte, lim Limits) (*Archive, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, formatErr("", ErrCorrupt, "%v (truncated or not a ZIP archive)", err)
	}
	if len(zr.File) > lim.MaxMembers {
		return nil, formatErr("", ErrLimit, "%d members, limit %d", len(zr.File), lim.MaxMembers)
	}
	a := &Archive{members: map[string][]byte{}}
	var total int64
	seen := map[string]bool{}
	for _, f := range zr.File {
		name := f.Name
		if !ValidMemberName(name) {
			return nil, formatErr(name, ErrName, "not a member eutl writes (names are manifest.json, lotl.xml, pivots/NAME.xml, lists/CC.xml, evidence/NAME)")
		}
		if seen[name] {
			return nil, formatErr(name, ErrName, "member appears twice")
		}
		seen[name] = true
		if f.Method != zip.Store && f.Method != zip.Deflate {
			return nil, formatErr(name, ErrCorrupt, "compression method %d not supported", f.Method)
		}
		if f.UncompressedSize64 > uint64(lim.MaxMember) {
			return nil, formatErr(name, ErrLimit, "member of %d bytes, limit %d", f.UncompressedSize64, lim.MaxMember)
		}
		total += int64(f.UncompressedSize64)
		if total > lim.MaxTotal {
			return nil, formatErr(name, ErrLimit, "members total over %d bytes", lim.MaxTotal)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, formatErr(name, ErrCorrupt, "%v", err)
		}
		// The declared size bounds the read (into one buffer of that
		// size); a member longer or shorter than declared, or with a wrong
		// CRC-32, is refused.
		b, err := fetch.ReadSized(rc, int64(f.UncompressedSize64), int64(f.UncompressedSize64))
		rc.Close()
		if errors.Is(err, fetch.ErrOverLimit) {
			return nil, formatErr(name, ErrCorrupt, "more bytes than the %d declared", f.UncompressedSize64)
		}
		if err != nil {
			return nil, formatErr(name, ErrCorrupt, "%v", err)
		}
		if uint64(len(b)) != f.UncompressedSize64 {
			return nil, formatErr(name, ErrCorrupt, "%d bytes where %d are declared", len(b), f.UncompressedSize64)
		}
		if name == ManifestName {
			a.ManifestBytes = b
		} else {
			a.members[name] = b
		}
	}
	if a.ManifestBytes == nil {
		return nil, formatErr(ManifestName, ErrCorrupt, "missing")
	}
	return a, nil
}

// checkMembers compares members with the manifest's file entries.
func (a *Archive) checkMembers() error {
	listed := map[string]*File{}
	for i := range a.Manifest.Files {
		f := &a.Manifest.Files[i]
		if !ValidMemberName(f.Name) || f.Name == ManifestName {
			return formatErr(ManifestName, ErrMismatch, "file entry %q is not a member name eutl writes", f.Name)
		}
		if listed[f.Name] != nil {
			return formatErr(ManifestName, ErrMismatch, "file %s listed twice", f.Name)
		}
		listed[f.Name] = f
		if want := roleOfName(f.Name); f.Role != want {
			return formatErr(ManifestName, ErrMismatch, "file %s has role %q, expected %q", f.Name, f.Role, want)
		}
		if f.Role == RoleEvidence && (f.Territory != "" || f.URL != "" || f.Sequence != 0 || f.Verdict != "" || f.Reason != "" || f.Location != "" || f.MinSequence != 0 || !f.Included) {
			return formatErr(ManifestName, ErrMismatch, "evidence file %s carries list fields", f.Name)
		}
		if f.Role == RoleEvidence && a.Manifest.Evidence == nil {
			return formatErr(ManifestName, ErrMismatch, "evidence file %s in a snapshot", f.Name)
		}
		data, present := a.members[f.Name]
		switch {
		case f.Included && !present:
			return formatErr(f.Name, ErrMismatch, "listed in the manifest as included, missing from the archive")
		case !f.Included && present:
			return formatErr(f.Name, ErrMismatch, "in the archive, but the manifest says it is not included")
		case present:
			sum := sha256.Sum256(data)
			if got := hex.EncodeToString(sum[:]); got != f.SHA256 {
				return formatErr(f.Name, ErrMismatch, "SHA-256 is %s, the manifest says %s", got, f.SHA256)
			}
			if len(data) != f.Size {
				return formatErr(f.Name, ErrMismatch, "%d bytes, the manifest says %d", len(data), f.Size)
			}
		}
	}
	for name := range a.members {
		if listed[name] == nil {
			return formatErr(name, ErrMismatch, "in the archive but not in the manifest")
		}
	}
	if rec := a.Manifest.Evidence; rec != nil {
		refs := map[string]bool{rec.Output: true, rec.AnswerJSON: true}
		if rec.Input != "" {
			refs[rec.Input] = true
		}
		for _, f := range rec.Files {
			if refs[f.Member] {
				return formatErr(ManifestName, ErrMismatch, "the evidence record names %q twice", f.Member)
			}
			refs[f.Member] = true
		}
		for name := range refs {
			if f := listed[name]; f == nil || f.Role != RoleEvidence {
				return formatErr(ManifestName, ErrMismatch, "the evidence record names %q, which is not an evidence file of the bundle", name)
			}
		}
		for name, f := range listed {
			if f.Role == RoleEvidence && !refs[name] {
				return formatErr(name, ErrMismatch, "an evidence file the record does not name")
			}
		}
	}
	return nil
}

// roleOfName is the role a member name implies.
func roleOfName(name string) string {
	switch {
	case name == LOTLName:
		return RoleLOTL
	case len(name) > 7 && name[:7] == "pivots/":
		return RolePivot
	case len(name) > 6 && name[:6] == "lists/":
		return RoleList
	}
	return RoleEvidence
}

// Write writes a deterministic archive: the manifest first, then members in
// name order, stored, each with the manifest's instant (DOS precision) as
// its time and mode 0644. members maps names to bytes; the manifest's file
// entries must describe them (use [Manifest.AddFile]).
func Write(w io.Writer, m *Manifest, members map[string][]byte) error {
	mb, err := MarshalManifest(m)
	if err != nil {
		return err
	}
	for name := range members {
		if !ValidMemberName(name) || name == ManifestName {
			return fmt.Errorf("snapshot: member name %q refused", name)
		}
	}
	names := make([]string, 0, len(members))
	for n := range members {
		names = append(names, n)
	}
	sort.Strings(names)
	mtime, err := time.Parse(time.RFC3339Nano, m.VerifiedAt)
	if err != nil {
		return fmt.Errorf("snapshot: verified_at: %w", err)
	}
	// DOS times run from 1980; the zip writer keeps the rest of the instant
	// out of the file (no extended-time field when Modified is zero).
	mtime = mtime.UTC().Truncate(2 * time.Second)
	if mtime.Year() < 1980 {
		mtime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	zw := zip.NewWriter(w)
	put := func(name string, data []byte) error {
		h := &zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(data),
			CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))}
		h.SetMode(0o644)
		//lint:ignore SA1019 ModifiedTime/Date keep the header free of the extended-time field, for byte-identical output
		h.ModifiedTime, h.ModifiedDate = dosTime(mtime)
		fw, err := zw.CreateRaw(h)
		if err != nil {
			return err
		}
		_, err = fw.Write(data)
		return err
	}
	if err := put(ManifestName, mb); err != nil {
		return err
	}
	for _, n := range names {
		if err := put(n, members[n]); err != nil {
			return err
		}
	}
	return zw.Close()
}

func dosTime(t time.Time) (tm, dt uint16) {
	dt = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	tm = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return tm, dt
}

// Inspect reads an archive for display only ('evidence show'): the same
// bounds and member-name rules as Read, a manifest of a known format, but no
// comparison of members with the manifest. Nothing it returns is verified.
func Inspect(data []byte, lim Limits) (*Archive, error) {
	lim = lim.withDefaults()
	if int64(len(data)) > lim.MaxTotal {
		return nil, formatErr("", ErrLimit, "archive of %d bytes, limit %d", len(data), lim.MaxTotal)
	}
	a, err := readMembers(data, lim)
	if err != nil {
		return nil, err
	}
	var v struct {
		FormatVersion int `json:"format_version"`
	}
	if err := json.Unmarshal(a.ManifestBytes, &v); err != nil {
		return nil, formatErr(ManifestName, ErrMismatch, "not valid JSON: %v", err)
	}
	if v.FormatVersion > FormatVersion {
		return nil, formatErr(ManifestName, ErrNewerFormat, "format_version %d; this eutl reads up to %d: upgrade eutl", v.FormatVersion, FormatVersion)
	}
	m := &Manifest{}
	if err := json.Unmarshal(a.ManifestBytes, m); err != nil {
		return nil, formatErr(ManifestName, ErrMismatch, "%v", err)
	}
	if m.Kind == KindEvidence && m.Evidence == nil {
		return nil, formatErr(ManifestName, ErrMismatch, "an evidence bundle without its record")
	}
	a.Manifest = m
	return a, nil
}
