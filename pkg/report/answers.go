package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tsl"
)

// QueryJSON is the "query" object of a check answer.
type QueryJSON struct {
	Provider string `json:"provider"`
	Service  string `json:"service"`
	Country  string `json:"country"`
	At       string `json:"at"`
}

// Outcome is a check's "outcome": how the answer can be relied on.
type Outcome string

// The outcomes.
const (
	OutcomeQualified    Outcome = "qualified"     // qualified, from verified lists
	OutcomeNotQualified Outcome = "not_qualified" // not qualified, every list that could say otherwise verified
	OutcomeIncomplete   Outcome = "incomplete"    // no answer: a list that could hold one failed
	OutcomeNotFound     Outcome = "not_found"     // no provider matched, every list that could hold one verified
	OutcomeAmbiguous    Outcome = "ambiguous"     // the name matched several distinct providers: no verdict
)

// outcomeOf names an answer's outcome.
func outcomeOf(o query.Outcome) Outcome {
	switch o {
	case query.Qualified:
		return OutcomeQualified
	case query.NotQualified:
		return OutcomeNotQualified
	case query.NotFound:
		return OutcomeNotFound
	case query.Ambiguous:
		return OutcomeAmbiguous
	}
	return OutcomeIncomplete
}

// Check is the result of `eutl check` and of each `eutl batch` row.
type Check struct {
	SchemaVersion int       `json:"schema_version"`
	Line          int       `json:"line,omitempty"` // batch: the input line
	Query         QueryJSON `json:"query"`
	Qualified     bool      `json:"qualified"`
	Reason        string    `json:"reason"`
	Matches       []Match   `json:"matches"`
	Related       []Match   `json:"related"`
	// Additions to the contract's shape.
	Outcome Outcome `json:"outcome"`
	// Entities is how many distinct legal entities matched (entries sharing
	// a country+number identifier are one).
	Entities      int          `json:"entities"`
	Suggestions   []string     `json:"suggestions,omitempty"`
	NamedServices []Match      `json:"named_services,omitempty"`
	FailedLists   []FailedList `json:"failed_lists,omitempty"`
	Warnings      []string     `json:"warnings,omitempty"`
	Overrides     []string     `json:"overrides,omitempty"`
	// Exact and AnyMatch echo whole-name matching and "qualified when any
	// candidate is".
	Exact    bool `json:"exact,omitempty"`
	AnyMatch bool `json:"any_match,omitempty"`
}

// FromAnswer turns an answer into its report; service is the --service text
// as given.
func FromAnswer(a *query.Answer, service string) Check {
	c := Check{
		SchemaVersion: SchemaVersion,
		Query:         QueryJSON{Provider: a.Query.Provider, Service: service, Country: a.Query.Country, At: a.Query.At.UTC().Format(time.RFC3339)},
		Qualified:     a.Qualified, Reason: a.Reason, Matches: FromMatches(a.Matches), Related: FromMatches(a.Related),
		Suggestions: a.Suggestions, NamedServices: FromMatches(a.NamedServices), FailedLists: FromFailed(a.Failed), Warnings: a.Warnings,
		Outcome: outcomeOf(a.Outcome()), Entities: a.Entities, Exact: a.Query.Exact, AnyMatch: a.Query.AnyMatch,
	}
	return c
}

func verdictWords(c Check) string {
	switch c.Outcome {
	case OutcomeQualified:
		return "QUALIFIED"
	case OutcomeNotQualified:
		return "NOT QUALIFIED"
	case OutcomeNotFound:
		return "NOT FOUND"
	case OutcomeAmbiguous:
		return "AMBIGUOUS"
	}
	return "NO ANSWER (lists could not be verified)"
}

// WriteCheck renders a check answer.
func WriteCheck(w io.Writer, f Format, c Check) error {
	switch f {
	case JSON:
		return WriteJSON(w, c)
	case CSV:
		return WriteBatchCSV(w, []Check{c})
	}
	fmt.Fprintf(w, "%s: %s\n", verdictWords(c), c.Reason)
	fmt.Fprintf(w, "query: provider %q, service %s, country %s, at %s%s\n", c.Query.Provider, c.Query.Service, orAll(c.Query.Country), c.Query.At, matchMode(c))
	for _, n := range historyNotes(c.Matches) {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if len(c.Matches) > 0 {
		fmt.Fprintln(w)
		if err := writeMatches(w, c.Matches); err != nil {
			return err
		}
		for _, m := range c.Matches {
			writeHistory(w, m)
		}
	}
	if len(c.Related) > 0 {
		fmt.Fprintln(w, "\nrelated services (certificates issued to the provider, listed under other providers; not part of the verdict):")
		if err := writeMatches(w, c.Related); err != nil {
			return err
		}
	}
	if len(c.NamedServices) > 0 {
		fmt.Fprintln(w, "\nservices whose name contains the query (not part of the verdict):")
		if err := writeMatches(w, c.NamedServices); err != nil {
			return err
		}
	}
	if len(c.FailedLists) > 0 {
		fmt.Fprintln(w, "\nlists that could hold the answer but could not be used:")
		for _, fl := range c.FailedLists {
			fmt.Fprintf(w, "  %s %s: %s: %s\n", fl.Territory, fl.URL, fl.Verdict, fl.Cause)
		}
	}
	return nil
}

func matchMode(c Check) string {
	var m []string
	if c.Exact {
		m = append(m, "exact names")
	}
	if c.AnyMatch {
		m = append(m, "any match")
	}
	if len(m) == 0 {
		return ""
	}
	return " (" + strings.Join(m, ", ") + ")"
}

// historyNotes are the distinct "answered from the history" notes.
func historyNotes(ms []Match) []string {
	var out []string
	for _, m := range ms {
		if n := m.AnsweredFromHistory; n != "" && (len(out) == 0 || out[len(out)-1] != n) {
			out = append(out, n)
		}
	}
	return out
}

func orAll(c string) string {
	if c == "" {
		return "any"
	}
	return c
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func writeMatches(w io.Writer, ms []Match) error {
	t := newTable(w, "QUALIFIED", "COUNTRY", "PROVIDER", "IDENTIFIER", "SERVICE", "TYPE", "STATUS", "SINCE", "LIST")
	for _, m := range ms {
		svc, typ, status, since := "-", "-", "-", "-"
		if m.Service != nil {
			svc, typ, status, since = m.Service.Name, query.Tail(m.Service.Type), query.Tail(m.Service.Status), m.Service.StatusSince.Format(time.RFC3339)
			if len(m.Service.AdditionalInfo) > 0 {
				var tails []string
				for _, a := range m.Service.AdditionalInfo {
					tails = append(tails, query.Tail(a))
				}
				typ += " [" + strings.Join(tails, ", ") + "]"
			}
		}
		list := fmt.Sprintf("%s seq %d (%s)", m.List.Territory, m.List.Sequence, m.List.Signature)
		// Every candidate shows its identifier: the one that matched, as the
		// list writes it, or else those it has.
		ident := strings.Join(m.Provider.Identifiers, " ")
		if m.MatchedOn == "identifier" {
			ident = m.Matched
		}
		if ident == "" {
			ident = "-"
		}
		if m.Service != nil {
			if m.Service.TakenOverBy != nil {
				status += " (taken over by " + m.Service.TakenOverBy.TSPName + ")"
			}
			if m.Service.ServiceCertificatesExpired {
				status += " (certificates expired)"
			}
		}
		if err := t.Append([]string{yesNo(m.Qualified), m.Country, m.Provider.Name, ident, svc, typ, status, since, list}); err != nil {
			return err
		}
	}
	return t.Render()
}

func writeHistory(w io.Writer, m Match) {
	if m.Service == nil || len(m.Service.History) == 0 {
		return
	}
	fmt.Fprintf(w, "\nhistory of %q (%s, %s):\n", m.Service.Name, m.Provider.Name, m.Country)
	for _, h := range m.Service.History {
		fmt.Fprintf(w, "  %s\n", timelineLine(h))
	}
	fmt.Fprintf(w, "  list: %s seq %d, sha256 %s\n", m.List.Territory, m.List.Sequence, m.List.SHA256)
}

func timelineLine(h HistoryEntry) string {
	until := "now"
	if !h.Until.IsZero() {
		until = h.Until.Format(time.RFC3339)
	}
	line := fmt.Sprintf("%s → %-20s %-26s %s", h.From.Format(time.RFC3339), until, query.Tail(h.Status), query.Tail(h.Type))
	if len(h.AdditionalInfo) > 0 {
		var tails []string
		for _, a := range h.AdditionalInfo {
			tails = append(tails, query.Tail(a))
		}
		line += " [" + strings.Join(tails, ", ") + "]"
	}
	return line
}

var batchCSVHeader = []string{"line", "provider", "service", "country", "at", "outcome", "qualified", "reason", "matched_providers", "deciding_service", "list"}

// WriteBatchCSV writes one CSV record per answer.
func WriteBatchCSV(w io.Writer, cs []Check) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(batchCSVHeader); err != nil {
		return err
	}
	for _, c := range cs {
		if err := cw.Write(batchCSVRecord(c)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func batchCSVRecord(c Check) []string {
	var provs []string
	svc, list := "", ""
	for _, m := range c.Matches {
		provs = append(provs, m.Provider.Name+" ("+m.Country+")")
		if svc == "" && m.Service != nil && m.Qualified == c.Qualified {
			svc = m.Service.Name
			list = fmt.Sprintf("%s seq %d sha256 %s", m.List.Territory, m.List.Sequence, m.List.SHA256)
		}
	}
	line := ""
	if c.Line > 0 {
		line = strconv.Itoa(c.Line)
	}
	return []string{line, c.Query.Provider, c.Query.Service, c.Query.Country, c.Query.At, string(c.Outcome), strconv.FormatBool(c.Qualified), c.Reason, strings.Join(provs, "; "), svc, list}
}

// WriteBatch renders batch answers: a table, CSV, or JSON Lines (one
// object per input row).
func WriteBatch(w io.Writer, f Format, cs []Check) error {
	bw := NewBatchWriter(w, f)
	for _, c := range cs {
		if err := bw.Write(c); err != nil {
			return err
		}
	}
	return bw.Close()
}

// BatchTableRows is how many rows one batch table holds: longer batches
// print one table per block, so that output streams in bounded memory.
const BatchTableRows = 1000

// BatchWriter renders batch answers one at a time, holding none but the
// rows of the current table block.
type BatchWriter struct {
	w     io.Writer
	f     Format
	cw    *csv.Writer
	table [][]string
}

// NewBatchWriter starts a batch rendering.
func NewBatchWriter(w io.Writer, f Format) *BatchWriter {
	return &BatchWriter{w: w, f: f}
}

// Write renders one answer.
func (b *BatchWriter) Write(c Check) error {
	switch b.f {
	case JSON:
		data, err := json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = b.w.Write(append(data, '\n'))
		return err
	case CSV:
		if b.cw == nil {
			b.cw = csv.NewWriter(b.w)
			if err := b.cw.Write(batchCSVHeader); err != nil {
				return err
			}
		}
		if err := b.cw.Write(batchCSVRecord(c)); err != nil {
			return err
		}
		if b.cw.Flush(); b.cw.Error() != nil {
			return b.cw.Error()
		}
		return nil
	}
	b.table = append(b.table, []string{strconv.Itoa(c.Line), verdictWords(c), c.Query.Provider, c.Query.Service, orAll(c.Query.Country), c.Query.At, short(c.Reason, 100)})
	if len(b.table) >= BatchTableRows {
		return b.flushTable()
	}
	return nil
}

func (b *BatchWriter) flushTable() error {
	if len(b.table) == 0 {
		return nil
	}
	t := newTable(b.w, "LINE", "VERDICT", "PROVIDER", "SERVICE", "COUNTRY", "AT", "REASON")
	for _, r := range b.table {
		if err := t.Append(r); err != nil {
			return err
		}
	}
	b.table = b.table[:0]
	return t.Render()
}

// Close renders what is held (the last table block; a CSV header when no
// row came).
func (b *BatchWriter) Close() error {
	switch b.f {
	case JSON:
		return nil
	case CSV:
		if b.cw == nil {
			b.cw = csv.NewWriter(b.w)
			b.cw.Write(batchCSVHeader)
		}
		b.cw.Flush()
		return b.cw.Error()
	}
	return b.flushTable()
}

// Providers is the result of `eutl providers`.
type Providers struct {
	SchemaVersion int               `json:"schema_version"`
	At            string            `json:"at"`
	Providers     []ProviderSummary `json:"providers"`
	FailedLists   []FailedList      `json:"failed_lists,omitempty"`
}

// WriteProviders renders a providers listing.
func WriteProviders(w io.Writer, f Format, p Providers) error {
	switch f {
	case JSON:
		return WriteJSON(w, p)
	case CSV:
		cw := csv.NewWriter(w)
		cw.Write([]string{"country", "provider", "identifiers", "services", "qualified", "qualified_for"})
		for _, s := range p.Providers {
			cw.Write([]string{s.Country, s.Provider.Name, strings.Join(s.Provider.Identifiers, " "), strconv.Itoa(s.Services), strconv.FormatBool(s.Qualified), strings.Join(s.QualifiedFor, " ")})
		}
		cw.Flush()
		return cw.Error()
	}
	t := newTable(w, "COUNTRY", "PROVIDER", "IDENTIFIERS", "SERVICES", "QUALIFIED FOR (at "+p.At+")")
	for _, s := range p.Providers {
		q := strings.Join(s.QualifiedFor, ", ")
		if q == "" {
			q = "-"
		}
		if err := t.Append([]string{s.Country, s.Provider.Name, strings.Join(s.Provider.Identifiers, " "), strconv.Itoa(s.Services), q}); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d providers\n", len(p.Providers))
	return err
}

// Show is the result of `eutl show`.
type Show struct {
	SchemaVersion int              `json:"schema_version"`
	At            string           `json:"at"`
	Providers     []ProviderDetail `json:"providers"`
	FailedLists   []FailedList     `json:"failed_lists,omitempty"`
}

// WriteShow renders every service of the providers with its timeline.
func WriteShow(w io.Writer, f Format, s Show) error {
	switch f {
	case JSON:
		return WriteJSON(w, s)
	case CSV:
		cw := csv.NewWriter(w)
		cw.Write([]string{"country", "provider", "service", "type", "status", "from", "until", "additional_info", "qualified_now"})
		for _, p := range s.Providers {
			for _, svc := range p.Services {
				for i, h := range svc.History {
					until := ""
					if !h.Until.IsZero() {
						until = h.Until.Format(time.RFC3339)
					}
					q := ""
					if i == 0 {
						q = strconv.FormatBool(svc.Qualified)
					}
					cw.Write([]string{p.Country, p.Provider.Name, svc.Name, h.Type, h.Status, h.From.Format(time.RFC3339), until, strings.Join(h.AdditionalInfo, " "), q})
				}
			}
		}
		cw.Flush()
		return cw.Error()
	}
	for i, p := range s.Providers {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (%s) %s\n", p.Provider.Name, p.Country, strings.Join(p.Provider.Identifiers, " "))
		if len(p.Provider.Names) > 1 {
			fmt.Fprintf(w, "  also: %s\n", strings.Join(p.Provider.Names[1:], "; "))
		}
		fmt.Fprintf(w, "  list: %s seq %d, issued %s, sha256 %s, signature %s\n", p.List.Territory, p.List.Sequence, p.List.Issued.Format("2006-01-02"), p.List.SHA256, p.List.Signature)
		for _, svc := range p.Services {
			mark := "not qualified"
			if svc.Qualified {
				mark = "qualified"
			}
			fmt.Fprintf(w, "\n  %s — %s, %s at %s\n", svc.Name, query.Tail(svc.Type), mark, s.At)
			for _, h := range svc.History {
				fmt.Fprintf(w, "    %s\n", timelineLine(h))
			}
		}
	}
	if len(s.Providers) == 0 {
		fmt.Fprintln(w, "no provider matches")
	}
	return nil
}

// TypeRow is one service type of `eutl types`.
type TypeRow struct {
	Alias string `json:"alias"`
	URI   string `json:"uri"`
	// URIs are every type the alias selects (qerds: EDS/Q and EDS/REM/Q).
	URIs      []string `json:"uris"`
	Meaning   string   `json:"meaning"`
	Qualified bool     `json:"qualified"`
	Class     string   `json:"class"`
	// Clause is the TS 119 612 clause that defines the type(s).
	Clause string `json:"clause"`
}

// TypesDoc is the result of `eutl types`.
type TypesDoc struct {
	SchemaVersion int       `json:"schema_version"`
	Types         []TypeRow `json:"types"`
}

// Types is the catalogue: every alias, then every service type that no
// alias stands for alone.
func Types() []TypeRow {
	var out []TypeRow
	covered := map[string]bool{}
	for _, k := range query.Aliases() {
		meaning := k.Meaning
		class := tsl.ClassQualified.String()
		if k.Scope != "" {
			meaning += " (declares " + query.Tail(k.Scope) + ")"
		}
		if k.Scope == "" && len(k.Also) == 0 && k.TypeURI != "" {
			covered[k.TypeURI] = true
		}
		uris := k.TypeURIs()
		if uris == nil {
			uris = []string{}
		}
		out = append(out, TypeRow{Alias: k.Alias, URI: k.TypeURI, URIs: uris, Meaning: meaning, Qualified: true, Class: class, Clause: k.Clause})
	}
	for _, st := range tsl.ServiceTypes() {
		if covered[st.URI] {
			continue
		}
		k, err := query.ParseKind(st.URI)
		if err != nil {
			continue
		}
		out = append(out, TypeRow{URI: st.URI, URIs: []string{st.URI}, Meaning: st.Meaning, Qualified: st.Class == tsl.ClassQualified, Class: st.Class.String(), Clause: k.Clause})
	}
	return out
}

// WriteTypes renders the catalogue.
func WriteTypes(w io.Writer, f Format, rows []TypeRow) error {
	switch f {
	case JSON:
		return WriteJSON(w, TypesDoc{SchemaVersion: SchemaVersion, Types: rows})
	case CSV:
		cw := csv.NewWriter(w)
		cw.Write([]string{"alias", "uri", "meaning", "qualified", "class", "clause"})
		for _, r := range rows {
			cw.Write([]string{r.Alias, strings.Join(r.URIs, " "), r.Meaning, strconv.FormatBool(r.Qualified), r.Class, r.Clause})
		}
		cw.Flush()
		return cw.Error()
	}
	t := newTable(w, "ALIAS", "TYPE (after Svctype/)", "MEANING", "QUALIFIED", "TS 119 612")
	for _, r := range rows {
		alias := r.Alias
		if alias == "" {
			alias = "-"
		}
		var tails []string
		for _, u := range r.URIs {
			tails = append(tails, query.Tail(u))
		}
		typ := strings.Join(tails, ", ")
		if typ == "" {
			typ = "every qualified type"
		}
		if err := t.Append([]string{alias, typ, r.Meaning, yesNo(r.Qualified), "§" + r.Clause}); err != nil {
			return err
		}
	}
	return t.Render()
}
