package snapshot

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// FormatVersion is the manifest format this code writes and reads. A
// manifest with a higher version is refused with ErrNewerFormat.
const FormatVersion = 1

// Kinds of archive.
const (
	KindSnapshot = "snapshot"
	KindEvidence = "evidence"
)

// Roles of a file entry.
const (
	RoleLOTL     = "lotl"
	RolePivot    = "pivot"
	RoleList     = "list"
	RoleEvidence = "evidence"
)

// Manifest describes an archive. It is informative only: the bytes decide.
type Manifest struct {
	FormatVersion int    `json:"format_version"`
	Kind          string `json:"kind"`
	// EutlVersion is the version of eutl that wrote the archive (recorded,
	// not verifiable).
	EutlVersion string `json:"eutl_version"`
	// VerifiedAt is the instant every list was verified at (the --at of the
	// run that wrote it), RFC 3339 UTC; not a wall-clock creation time.
	VerifiedAt string `json:"verified_at"`
	// LOTLURL is where the LOTL was fetched from (recorded).
	LOTLURL string `json:"lotl_url"`
	// Anchors are the certificates the chain started from.
	Anchors AnchorSet `json:"anchors"`
	// Files are every list of the set, included or not, then the evidence
	// members.
	Files []File `json:"files"`
	// Evidence is set in evidence bundles.
	Evidence *Record `json:"evidence,omitempty"`
}

// AnchorSet names the trust anchors by SHA-256 and their Official Journal
// notice (or the --trust-anchors file they came from).
type AnchorSet struct {
	Notice string   `json:"notice"`
	SHA256 []string `json:"sha256"`
}

// File is one list (or evidence member) of the archive.
type File struct {
	// Name is the archive member name (lotl.xml, pivots/…, lists/BE.xml).
	Name      string `json:"name"`
	Role      string `json:"role"`
	Territory string `json:"territory,omitempty"`
	URL       string `json:"url,omitempty"`
	Sequence  int    `json:"sequence,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
	Size      int    `json:"size"`
	// Verdict is the list's verdict at VerifiedAt (valid, expired, or the
	// failure); Reason says why a list failed.
	Verdict string `json:"verdict,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Location is the element a failure is about (a prefix of Reason).
	Location string `json:"location,omitempty"`
	// Included: the bytes are in the archive. Lists that failed are named
	// but not included in snapshots.
	Included bool `json:"included"`
	// MinSequence is the rollback floor the list was checked against when
	// the archive was written (evidence: to reproduce a rollback verdict).
	MinSequence int `json:"min_sequence,omitempty"`
}

// Record is what an evidence bundle adds: the question, the answer exactly
// as printed and the exit code.
type Record struct {
	// Command is the eutl command that answered (check, batch, cert).
	Command string `json:"command"`
	// Args are the command's own flags and arguments, as replayed.
	Args []string `json:"args"`
	// Input names the member holding the command's input (batch), if any.
	Input string `json:"input,omitempty"`
	// Format is the --format the answer was printed in.
	Format string `json:"format"`
	// AllowExpired records --allow-expired.
	AllowExpired bool `json:"allow_expired,omitempty"`
	// Overrides are the safety overrides the answer recorded.
	Overrides []string `json:"overrides,omitempty"`
	// Territories are the national lists the answer was computed from
	// (sorted); every list of the LOTL when the answer was negative.
	Territories []string `json:"territories"`
	// Output names the member holding stdout exactly as printed;
	// AnswerJSON the member holding the answer as JSON.
	Output     string `json:"output"`
	AnswerJSON string `json:"answer_json"`
	// ExitCode is the exit code of the run.
	ExitCode int `json:"exit_code"`
}

// MarshalManifest is the one encoding of a manifest (indented JSON and a
// final newline). Read refuses a manifest stored in any other form.
func MarshalManifest(m *Manifest) ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ParseManifest decodes a manifest strictly: a newer format_version is
// ErrNewerFormat; unknown fields, trailing data, a wrong kind or a form
// other than MarshalManifest's are refused.
func ParseManifest(b []byte) (*Manifest, error) {
	var v struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, formatErr(ManifestName, ErrMismatch, "not valid JSON: %v", err)
	}
	switch {
	case v.FormatVersion == nil:
		return nil, formatErr(ManifestName, ErrMismatch, "no format_version")
	case *v.FormatVersion > FormatVersion:
		return nil, formatErr(ManifestName, ErrNewerFormat, "format_version %d; this eutl reads up to %d: upgrade eutl", *v.FormatVersion, FormatVersion)
	case *v.FormatVersion < 1:
		return nil, formatErr(ManifestName, ErrMismatch, "format_version %d", *v.FormatVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	m := &Manifest{}
	if err := dec.Decode(m); err != nil {
		return nil, formatErr(ManifestName, ErrMismatch, "%v", err)
	}
	if dec.More() {
		return nil, formatErr(ManifestName, ErrMismatch, "data after the manifest")
	}
	if m.Kind != KindSnapshot && m.Kind != KindEvidence {
		return nil, formatErr(ManifestName, ErrMismatch, "kind %q, expected %q or %q", m.Kind, KindSnapshot, KindEvidence)
	}
	if (m.Kind == KindEvidence) != (m.Evidence != nil) {
		return nil, formatErr(ManifestName, ErrMismatch, "kind %q with%s an evidence record", m.Kind, map[bool]string{true: "", false: "out"}[m.Evidence != nil])
	}
	if t, err := time.Parse(time.RFC3339Nano, m.VerifiedAt); err != nil || t.UTC().Format(time.RFC3339Nano) != m.VerifiedAt {
		return nil, formatErr(ManifestName, ErrMismatch, "verified_at %q is not an RFC 3339 UTC instant", m.VerifiedAt)
	}
	again, err := MarshalManifest(m)
	if err != nil {
		return nil, formatErr(ManifestName, ErrMismatch, "%v", err)
	}
	if !bytes.Equal(again, b) {
		return nil, formatErr(ManifestName, ErrMismatch, "not in the form eutl writes (edited?)")
	}
	return m, nil
}

// At is VerifiedAt as a time.
func (m *Manifest) At() time.Time {
	t, _ := time.Parse(time.RFC3339Nano, m.VerifiedAt)
	return t.UTC()
}

// File returns the entry of a member name.
func (m *Manifest) File(name string) *File {
	for i := range m.Files {
		if m.Files[i].Name == name {
			return &m.Files[i]
		}
	}
	return nil
}

// AddFile appends an entry for data (nil: a file named but not included).
func (m *Manifest) AddFile(f File, data []byte) {
	if data != nil {
		sum := sha256.Sum256(data)
		f.SHA256, f.Size, f.Included = hex.EncodeToString(sum[:]), len(data), true
	}
	m.Files = append(m.Files, f)
}

// FormatInstant is how instants are written in manifests.
func FormatInstant(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (f *File) String() string {
	s := f.Name
	if f.Territory != "" {
		s += fmt.Sprintf(" (%s", f.Territory)
		if f.Sequence > 0 {
			s += fmt.Sprintf(" seq %d", f.Sequence)
		}
		s += ")"
	}
	return s
}
