// Package report is eutl's output contract: every JSON document of schema
// version 1 is a type of this package, and no other package gives a JSON
// name (a check in make depcheck enforces it), so renaming a field anywhere
// else can never change a document. It also renders the documents as tables
// (through tablewriter, used nowhere else) and CSV.
//
// The documents, one per command:
//
//   - [Lists]: fetch and lists (LIST objects: [List])
//   - [Verify]: verify
//   - [Check]: check, and each line of batch (JSON Lines)
//   - [Providers]: providers
//   - [Show]: show
//   - [TypesDoc]: types
//
// Documents are built from the library's values by the From… functions
// ([FromChain], [FromAnswer], [FromProviders], [FromShow], [FromVerified],
// [FromError]); every count is computed there, so rendering does no domain
// work. Golden files of every document and rendering are in
// testdata/golden.
//
// # JSON stability
//
// Every JSON document carries a top-level "schema_version" ([SchemaVersion]).
// Fields use snake_case and times are RFC 3339 in UTC. Changes are additive
// only: a field, once published, never changes meaning; a breaking change
// would bump the schema version.
package report

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/trust"
)

// SchemaVersion is the version of every JSON document eutl writes.
const SchemaVersion = 1

// Format is an output format.
type Format string

// The output formats.
const (
	Table Format = "table"
	JSON  Format = "json"
	CSV   Format = "csv"
)

// ParseFormat accepts table, json or csv.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case Table, JSON, CSV:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q (want table, json or csv)", s)
}

// Signer identifies the certificate that signed a list.
type Signer struct {
	Subject string `json:"subject"`
	SHA256  string `json:"sha256"`
	// Additions: the subject's CN and O values (most specific first).
	CommonName   string   `json:"common_name,omitempty"`
	Organization []string `json:"organization,omitempty"`
}

// Name is how tables name the signer: its CN, else its O, else the subject.
func (s *Signer) Name() string {
	switch {
	case s == nil:
		return "-"
	case s.CommonName != "":
		return s.CommonName
	case len(s.Organization) > 0:
		return s.Organization[0]
	}
	return s.Subject
}

// List is the report of one list (the contract's LIST object).
type List struct {
	Territory  string        `json:"territory"`
	URL        string        `json:"url"`
	Sequence   int           `json:"sequence"`
	Version    int           `json:"version"`
	Issued     *time.Time    `json:"issued"`
	NextUpdate *time.Time    `json:"next_update"`
	Signer     *Signer       `json:"signer"`
	Verdict    trust.Verdict `json:"verdict"`
	Reason     string        `json:"reason"`
	// Location is the element the failure is about, when it has one (an
	// addition); Cause is Reason without it, for tables.
	Location string `json:"location,omitempty"`
	Cause    string `json:"-"`
	// Additions to the contract's LIST.
	SHA256      string     `json:"sha256,omitempty"`
	Algorithm   string     `json:"algorithm,omitempty"`
	SigningTime *time.Time `json:"signing_time,omitempty"`
	Providers   int        `json:"providers"`
	Services    int        `json:"services"`
	Qualified   int        `json:"qualified_services"`
	// QualifiedProviders counts providers with a qualified service at the
	// time asked.
	QualifiedProviders int      `json:"qualified_providers"`
	Source             string   `json:"source,omitempty"`
	Warnings           []string `json:"warnings,omitempty"`
	// Notes are remarks that do not weaken trust.
	Notes []string `json:"notes,omitempty"`
}

func utc(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// FromVerified describes a list that passed.
func FromVerified(vl *trust.VerifiedList, territory, url string) List {
	l := List{Territory: territory, URL: url, Verdict: vl.Verdict}
	fill(&l, vl)
	return l
}

func fill(l *List, vl *trust.VerifiedList) {
	if l.Territory == "" {
		l.Territory = vl.List.Territory
	}
	l.Sequence, l.Version = vl.List.SequenceNumber, vl.List.Version
	l.Issued, l.NextUpdate = utc(vl.List.IssueDate), utc(vl.List.NextUpdate)
	si := vl.Signature.Signer
	l.Signer = &Signer{Subject: si.Subject, SHA256: vl.Signature.SignerSHA256, CommonName: si.CommonName, Organization: si.Organization}
	l.SHA256, l.Algorithm = vl.SHA256, vl.Signature.AlgorithmName()
	l.SigningTime = utc(vl.Signature.SigningTime)
	l.Providers = len(vl.List.Providers)
	for _, p := range vl.List.Providers {
		l.Services += len(p.Services)
	}
	l.Qualified, l.QualifiedProviders = query.CountQualified(vl.List, vl.At)
	l.Warnings = append(l.Warnings, vl.Warnings...)
	l.Notes = append(l.Notes, vl.Notes...)
	if vl.Verdict == trust.Expired && l.Reason == "" {
		l.Reason = "NextUpdate " + vl.List.NextUpdate.UTC().Format(time.RFC3339) + " has passed; used because expired lists were allowed"
		l.Cause = l.Reason
	}
}

// FromError describes a list that failed; err is normally a *trust.ListError.
func FromError(err error, territory, url string) List {
	l := List{Territory: territory, URL: url, Verdict: trust.FetchFailed, Reason: err.Error(), Cause: err.Error()}
	var le *trust.ListError
	if errors.As(err, &le) {
		l.Verdict = le.Verdict
		l.Reason, l.Location, l.Cause = le.Err.Error(), le.Location(), le.Cause()
		if le.Info != nil {
			fill(&l, le.Info)
		}
	}
	return l
}

// WriteJSON writes v as one indented JSON document.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Day formats a time for tables: the date, or "-" for none.
func Day(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// short cuts a reason for a table cell; the full text is in JSON and on stderr.
func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func newTable(w io.Writer, header ...any) *tablewriter.Table {
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	t.Header(header...)
	return t
}

// listRow is the table row of one list.
func listRow(l List) []string {
	verdict := string(l.Verdict)
	if l.Cause != "" && l.Verdict != trust.Valid {
		verdict += ": " + short(l.Cause, 90)
	}
	seq := "-"
	if l.Sequence > 0 {
		seq = strconv.Itoa(l.Sequence)
	}
	return []string{l.Territory, seq, Day(l.Issued), Day(l.NextUpdate), l.Signer.Name(), verdict}
}

// WriteListsTable writes one row per list.
func WriteListsTable(w io.Writer, lists []List) error {
	t := newTable(w, "TERRITORY", "SEQ", "ISSUED", "NEXT UPDATE", "SIGNER", "VERDICT")
	for _, l := range lists {
		if err := t.Append(listRow(l)); err != nil {
			return err
		}
	}
	return t.Render()
}

var listCSVHeader = []string{"territory", "url", "sequence", "version", "issued", "next_update", "signer_subject", "signer_sha256", "verdict", "reason"}

// WriteListsCSV writes one CSV record per list, with a header.
func WriteListsCSV(w io.Writer, lists []List) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(listCSVHeader); err != nil {
		return err
	}
	for _, l := range lists {
		var subj, fp string
		if l.Signer != nil {
			subj, fp = l.Signer.Subject, l.Signer.SHA256
		}
		if err := cw.Write([]string{l.Territory, l.URL, strconv.Itoa(l.Sequence), strconv.Itoa(l.Version), stamp(l.Issued), stamp(l.NextUpdate), subj, fp, string(l.Verdict), l.Reason}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Verify is the result of `eutl verify`: one LIST object plus the schema
// version and any overrides in force.
type Verify struct {
	SchemaVersion int `json:"schema_version"`
	List
	Overrides []string `json:"overrides,omitempty"`
}

// WriteVerify renders a verify result.
func WriteVerify(w io.Writer, f Format, v Verify) error {
	switch f {
	case JSON:
		return WriteJSON(w, v)
	case CSV:
		return WriteListsCSV(w, []List{v.List})
	}
	t := newTable(w, "FIELD", "VALUE")
	signer, fp := "-", "-"
	if v.Signer != nil {
		signer, fp = v.Signer.Subject, v.Signer.SHA256
	}
	rows := [][]string{
		{"verdict", string(v.Verdict)},
		{"territory", v.Territory},
		{"sequence", strconv.Itoa(v.Sequence)},
		{"version", strconv.Itoa(v.Version)},
		{"issued", stamp(v.Issued)},
		{"next update", stamp(v.NextUpdate)},
		{"signer", signer},
		{"signer sha256", fp},
		{"algorithm", v.Algorithm},
		{"signing time", stamp(v.SigningTime)},
		{"list sha256", v.SHA256},
	}
	if v.Reason != "" {
		rows = append(rows[:1], append([][]string{{"reason", v.Reason}}, rows[1:]...)...)
	}
	for _, warn := range v.Warnings {
		rows = append(rows, []string{"warning", warn})
	}
	for _, r := range rows {
		if r[1] == "" || r[1] == "0" || r[1] == "-" {
			continue
		}
		if err := t.Append(r); err != nil {
			return err
		}
	}
	return t.Render()
}

// Lists is the result of `eutl fetch` and `eutl lists`.
type Lists struct {
	SchemaVersion int      `json:"schema_version"`
	At            string   `json:"at"`
	Anchors       string   `json:"anchors"`
	LOTL          List     `json:"lotl"`
	Pivots        []List   `json:"pivots"`
	Lists         []List   `json:"lists"`
	Summary       Summary  `json:"summary"`
	Warnings      []string `json:"warnings,omitempty"`
	Overrides     []string `json:"overrides,omitempty"`
}

// Summary counts the lists and their content.
type Summary struct {
	ListsValid         int `json:"lists_valid"`
	ListsFailed        int `json:"lists_failed"`
	Providers          int `json:"providers"`
	Services           int `json:"services"`
	QualifiedServices  int `json:"qualified_services"`
	QualifiedProviders int `json:"qualified_providers"`
}

// FromChain is the fetch/lists document of a chain result judged at at,
// its summary counted. Overrides are the caller's to fill.
func FromChain(res *trust.ChainResult, at time.Time) Lists {
	r := Lists{SchemaVersion: SchemaVersion, At: at.UTC().Format(time.RFC3339), Anchors: res.Anchors.Name,
		LOTL: FromOutcome(&res.LOTL), Pivots: []List{}, Lists: []List{}, Warnings: res.Warnings}
	for i := range res.Pivots {
		r.Pivots = append(r.Pivots, FromOutcome(&res.Pivots[i]))
	}
	for i := range res.Lists {
		o := &res.Lists[i]
		l := FromOutcome(o)
		r.Lists = append(r.Lists, l)
		if o.Usable() {
			r.Summary.ListsValid++
			r.Summary.Providers += l.Providers
			r.Summary.Services += l.Services
			r.Summary.QualifiedServices += l.Qualified
			r.Summary.QualifiedProviders += l.QualifiedProviders
		} else {
			r.Summary.ListsFailed++
		}
	}
	sort.SliceStable(r.Lists, func(i, j int) bool { return r.Lists[i].Territory < r.Lists[j].Territory })
	return r
}

// FromOutcome describes one list of a chain result.
func FromOutcome(o *trust.Outcome) List {
	var l List
	if o.List != nil {
		l = FromVerified(o.List, o.Territory, o.URL)
	} else {
		l = FromError(o.Err, o.Territory, o.URL)
	}
	l.Source = string(o.Origin)
	l.Warnings = append(l.Warnings, o.Notes...)
	return l
}

// WriteLists renders a fetch/lists result.
func WriteLists(w io.Writer, f Format, r Lists) error {
	all := append([]List{r.LOTL}, r.Lists...)
	switch f {
	case JSON:
		return WriteJSON(w, r)
	case CSV:
		return WriteListsCSV(w, all)
	}
	if err := WriteListsTable(w, all); err != nil {
		return err
	}
	s := r.Summary
	_, err := fmt.Fprintf(w, "%d lists valid, %d failed; %d providers (%d qualified), %d services (%d qualified at %s)\n",
		s.ListsValid, s.ListsFailed, s.Providers, s.QualifiedProviders, s.Services, s.QualifiedServices, r.At)
	return err
}
