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
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
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

// SetCounts gives l the counts of its providers and services, for a list
// verified without keeping its providers (eutl.VerifyConfig.Summary).
func (l *List) SetCounts(providers, services, qualifiedServices, qualifiedProviders int) {
	l.Providers, l.Services, l.Qualified, l.QualifiedProviders = providers, services, qualifiedServices, qualifiedProviders
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

// WriteJSON writes v as one indented JSON document. Arrays are written as
// [] when empty, never null (see [NoNullArrays]).
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NoNullArrays(v))
}

// NoNullArrays returns a copy of v in which every nil slice and map, at
// any depth, is empty: JSON consumers get [] and {}, never null, whatever
// code built v. Nil pointers stay null (absent times, no signer).
func NoNullArrays(v any) any {
	if v == nil {
		return nil
	}
	return noNil(reflect.ValueOf(v)).Interface()
}

func noNil(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(noNil(v.Elem()))
		return p
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if f := out.Field(i); f.CanSet() {
				f.Set(noNil(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v // []byte is a string in JSON
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(noNil(v.Index(i)))
		}
		return out
	case reflect.Map:
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), noNil(it.Value()))
		}
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(noNil(v.Elem()))
		return out
	}
	return v
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

// FitWidth returns a writer whose tables are at most width columns wide:
// long cells are wrapped at word boundaries (words longer than a cell
// are broken). width 0 returns w: no wrapping (piped output, --wide).
func FitWidth(w io.Writer, width int) io.Writer {
	if width <= 0 {
		return w
	}
	return &fitWriter{Writer: w, width: width}
}

type fitWriter struct {
	io.Writer
	width int
}

// table buffers its rows so that, written to a [FitWidth] writer, its
// column widths can be chosen from the content before tablewriter renders
// (and wraps) it.
type table struct {
	w      io.Writer
	header []string
	rows   [][]string
}

func newTable(w io.Writer, header ...string) *table {
	return &table{w: w, header: header}
}

func (t *table) Append(row []string) error {
	t.rows = append(t.rows, row)
	return nil
}

func (t *table) Render() error {
	opts := []tablewriter.Option{
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	}
	if fw, ok := t.w.(*fitWriter); ok {
		if widths := fitColumns(t.header, t.rows, fw.width); widths != nil {
			// cells wider than their column are wrapped at spaces
			m := tw.NewMapper[int, int]()
			for i, cw := range widths {
				m.Set(i, cw+2) // the cell's padding
			}
			opts = append(opts, tablewriter.WithColumnWidths(m), tablewriter.WithRowAutoWrap(tw.WrapNormal),
				tablewriter.WithHeaderAutoWrap(tw.WrapNormal))
		}
	}
	tt := tablewriter.NewTable(t.w, opts...)
	var widths []int
	if fw, ok := t.w.(*fitWriter); ok {
		widths = fitColumns(t.header, t.rows, fw.width)
	}
	h := make([]any, len(t.header))
	for i, c := range t.header {
		if i < len(widths) {
			c = breakLongWords(c, widths[i])
		}
		h[i] = c
	}
	tt.Header(h...)
	for _, r := range t.rows {
		if widths != nil {
			r = append([]string(nil), r...)
			for i := range r {
				if i < len(widths) {
					r[i] = breakLongWords(r[i], widths[i])
				}
			}
		}
		if err := tt.Append(r); err != nil {
			return err
		}
	}
	return tt.Render()
}

// breakLongWords puts line breaks into the words of cell that are wider
// than width (DNs, URLs, digests): after a comma or slash when there is
// one, else at width. tablewriter wraps the rest at spaces.
func breakLongWords(cell string, width int) string {
	if width < 1 || twwidth.Width(cell) <= width {
		return cell
	}
	words := strings.Split(cell, " ")
	for i, w := range words {
		var b strings.Builder
		for twwidth.Width(w) > width {
			cut, wd := 0, 0
			for j, r := range w {
				rw := twwidth.Width(string(r))
				if wd+rw > width {
					break
				}
				wd += rw
				cut = j + len(string(r))
				if r == ',' || r == '/' {
					if wd > width/2 {
						cut = j + 1
					}
				}
			}
			if k := strings.LastIndexAny(w[:cut], ",/"); k >= 0 && twwidth.Width(w[:k+1]) > width/2 {
				cut = k + 1
			}
			if cut == 0 {
				break
			}
			b.WriteString(w[:cut])
			b.WriteString("\n")
			w = w[cut:]
		}
		b.WriteString(w)
		words[i] = b.String()
	}
	return strings.Join(words, " ")
}

// fitColumns chooses content widths so that the table is at most width
// columns wide: columns that fit their share keep their natural width, the
// rest share what is left and are wrapped at spaces. Words are kept whole
// up to a length that still lets the table fit (longer ones, such as DNs,
// URLs and digests, are broken by breakLongWords). nil: it fits as is.
func fitColumns(header []string, rows [][]string, width int) []int {
	n := len(header)
	natural, longest := make([]int, n), make([]int, n)
	for _, r := range append([][]string{header}, rows...) {
		for i := 0; i < n && i < len(r); i++ {
			for _, line := range strings.Split(r[i], "\n") {
				natural[i] = max(natural[i], twwidth.Width(line))
				for _, w := range strings.Fields(line) {
					longest[i] = max(longest[i], twwidth.Width(w))
				}
			}
		}
	}
	avail := width - (3*n + 1) // borders and padding
	total := 0
	for _, nw := range natural {
		total += nw
	}
	if total <= avail {
		return nil
	}
	var out []int
	for wordCap := 20; wordCap >= 4; wordCap-- {
		word := make([]int, n)
		for i := range word {
			word[i] = min(longest[i], wordCap)
		}
		out = allocate(natural, word, avail)
		sum := 0
		for _, w := range out {
			sum += w
		}
		if sum <= avail {
			break
		}
	}
	return out
}

// allocate gives each column its natural width when that fits its share
// (or when it is one word that may not be broken), else at least its
// longest word, and divides the rest equally.
func allocate(natural, word []int, avail int) []int {
	out := make([]int, len(natural))
	left, open := avail, len(natural)
	for changed := true; changed && open > 0; {
		changed = false
		share := left / open
		for i, nw := range natural {
			if out[i] == 0 && (nw <= share || word[i] >= nw) {
				out[i] = nw
				left -= nw
				open--
				changed = true
			}
		}
	}
	for changed := true; changed && open > 0; {
		changed = false
		share := left / open
		for i := range out {
			if out[i] == 0 && word[i] > share {
				out[i] = word[i]
				left -= word[i]
				open--
				changed = true
			}
		}
	}
	for i := range out {
		if out[i] == 0 {
			out[i] = max(1, left/open)
		}
	}
	return out
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
	ListsValid int `json:"lists_valid"`
	// ListsExpired are lists used although expired (--allow-expired).
	ListsExpired       int `json:"lists_expired"`
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
			if o.Verdict() == trust.Expired {
				r.Summary.ListsExpired++ // used because expired lists were allowed
			} else {
				r.Summary.ListsValid++
			}
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
	// the table shows the pivot walk, when one was walked, before the LOTL
	// it led to
	rows := make([]List, 0, len(r.Pivots)+len(all))
	for _, p := range r.Pivots {
		if p.Territory == "" {
			p.Territory = "EU"
		}
		p.Territory += " pivot"
		rows = append(rows, p)
	}
	if err := WriteListsTable(w, append(rows, all...)); err != nil {
		return err
	}
	s := r.Summary
	expired := ""
	if s.ListsExpired > 0 {
		expired = fmt.Sprintf(", %d expired (used, as allowed)", s.ListsExpired)
	}
	_, err := fmt.Fprintf(w, "%d lists valid%s, %d failed; %d providers (%d qualified), %d services (%d qualified at %s)\n",
		s.ListsValid, expired, s.ListsFailed, s.Providers, s.QualifiedProviders, s.Services, s.QualifiedServices, r.At)
	return err
}
