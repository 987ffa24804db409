package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/eutl/eutl/pkg/diff"
)

// ExpiryNotEnforced is what a diff says of its sides' freshness.
const ExpiryNotEnforced = "not enforced: a diff side may be old (history is old by nature); its NextUpdate is shown, every other check applies"

// Diff is the result of eutl diff.
type Diff struct {
	SchemaVersion int         `json:"schema_version"`
	At            string      `json:"at"`
	ExpiryCheck   string      `json:"expiry_check"`
	Old           DiffSide    `json:"old"`
	New           DiffSide    `json:"new"`
	Filters       DiffFilters `json:"filters"`
	Events        []DiffEvent `json:"events"`
	Summary       DiffSummary `json:"summary"`
	Warnings      []string    `json:"warnings,omitempty"`
	Overrides     []string    `json:"overrides,omitempty"`
}

// DiffFilters are the filters applied ("" when not given).
type DiffFilters struct {
	Provider string `json:"provider,omitempty"`
	Country  string `json:"country,omitempty"`
	Service  string `json:"service,omitempty"`
}

// DiffSummary counts the events shown.
type DiffSummary struct {
	Events int            `json:"events"`
	ByKind map[string]int `json:"by_kind"`
}

// DiffSide says what one side was and what verified on it.
type DiffSide struct {
	// Source is what was given: a cache directory, a file, BE@80, a date.
	Source string `json:"source"`
	// LOTL is the side's LOTL (null for a list verified with --cert).
	LOTL  *DiffList  `json:"lotl"`
	Lists []DiffList `json:"lists"`
}

// DiffList is one verified list of a side.
type DiffList struct {
	Territory  string     `json:"territory"`
	Sequence   int        `json:"sequence"`
	Issued     *time.Time `json:"issued"`
	NextUpdate *time.Time `json:"next_update"`
	// Expired is set when NextUpdate had passed at --at (not enforced).
	Expired bool   `json:"expired"`
	SHA256  string `json:"sha256"`
	Signer  string `json:"signer_sha256,omitempty"`
	// PinnedBy says which certificates were allowed to sign it: "LOTL 390"
	// or "--cert" (empty for a LOTL).
	PinnedBy string `json:"pinned_by,omitempty"`
}

// DiffEvent is one change (diff.Event in the JSON contract): kind (stable,
// see [diff.Kinds]), both values and the sequence on each side.
type DiffEvent struct {
	Kind        string     `json:"kind"`
	Territory   string     `json:"territory"`
	Pointer     string     `json:"pointer,omitempty"`
	Provider    string     `json:"provider,omitempty"`
	Service     string     `json:"service,omitempty"`
	ServiceType string     `json:"service_type,omitempty"`
	Certificate string     `json:"service_certificate,omitempty"`
	Old         []string   `json:"old"`
	New         []string   `json:"new"`
	At          *time.Time `json:"at,omitempty"`
	Detail      string     `json:"detail,omitempty"`
	OldSequence int        `json:"old_sequence"`
	NewSequence int        `json:"new_sequence"`
}

// DiffEvents converts events for rendering.
func DiffEvents(evs []diff.Event) []DiffEvent {
	out := make([]DiffEvent, 0, len(evs))
	for _, e := range evs {
		d := DiffEvent{Kind: string(e.Kind), Territory: e.Territory, Pointer: e.Pointer, Provider: e.Provider, Service: e.Service,
			ServiceType: e.ServiceType, Certificate: e.Certificate, Old: e.Old, New: e.New, Detail: e.Detail,
			OldSequence: e.OldSequence, NewSequence: e.NewSequence}
		if d.Old == nil {
			d.Old = []string{}
		}
		if d.New == nil {
			d.New = []string{}
		}
		if !e.At.IsZero() {
			d.At = utc(e.At)
		}
		out = append(out, d)
	}
	return out
}

// NewDiffSummary counts events by kind.
func NewDiffSummary(events []diff.Event) DiffSummary {
	s := DiffSummary{Events: len(events), ByKind: map[string]int{}}
	for _, e := range events {
		s.ByKind[string(e.Kind)]++
	}
	return s
}

// WriteDiff renders a diff.
func WriteDiff(w io.Writer, f Format, d Diff) error {
	switch f {
	case JSON:
		return WriteJSON(w, d)
	case CSV:
		return writeDiffCSV(w, d.Events)
	}
	for _, s := range []struct {
		label string
		side  DiffSide
	}{{"old", d.Old}, {"new", d.New}} {
		fmt.Fprintf(w, "%s: %s — %s\n", s.label, s.side.Source, sideText(s.side))
	}
	fmt.Fprintln(w, "NextUpdate is shown, not enforced: diff sides may be old")
	if len(d.Events) == 0 {
		fmt.Fprintln(w, "no changes")
		return nil
	}
	t := newTable(w, "TERRITORY", "CHANGE", "PROVIDER / SERVICE", "OLD", "NEW")
	for _, e := range d.Events {
		if err := t.Append([]string{e.Territory, strings.ReplaceAll(e.Kind, "_", " "), subject(e), cell(e.Old), cell(e.New) + at(e)}); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d change(s): %s\n", len(d.Events), summaryText(d.Summary))
	return nil
}

// summaryText counts by kind, in the order of [diff.Kinds].
func summaryText(s DiffSummary) string {
	var parts []string
	for _, k := range diff.Kinds() {
		if n := s.ByKind[string(k)]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ReplaceAll(string(k), "_", " ")))
		}
	}
	return strings.Join(parts, ", ")
}

func sideText(s DiffSide) string {
	var parts []string
	if s.LOTL != nil {
		parts = append(parts, "LOTL "+listText(*s.LOTL))
	}
	if len(s.Lists) <= 3 {
		for _, l := range s.Lists {
			parts = append(parts, l.Territory+" "+listText(l))
		}
	} else {
		var expired []string
		for _, l := range s.Lists {
			if l.Expired {
				expired = append(expired, l.Territory)
			}
		}
		p := strconv.Itoa(len(s.Lists)) + " lists"
		if len(expired) > 0 {
			p += " (past NextUpdate: " + strings.Join(expired, ", ") + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

func listText(l DiffList) string {
	s := strconv.Itoa(l.Sequence) + " (issued " + Day(l.Issued) + ", next update " + Day(l.NextUpdate)
	if l.Expired {
		s += ", past"
	}
	s += ")"
	if l.PinnedBy != "" {
		s += " pinned by " + l.PinnedBy
	}
	return s
}

func subject(e DiffEvent) string {
	switch {
	case e.Pointer != "":
		return "pointer " + e.Pointer + " (" + e.Detail + ")"
	case e.Service != "":
		s := e.Provider + " / " + e.Service + " (" + e.ServiceType + ")"
		if e.Certificate != "" {
			s += "\n" + e.Certificate
		}
		return s
	}
	return e.Provider
}

func cell(vs []string) string {
	if len(vs) == 0 {
		return "-"
	}
	return strings.Join(vs, "\n")
}

func at(e DiffEvent) string {
	if e.Kind == string(diff.ServiceHistoryRewritten) {
		return "\n" + e.Detail
	}
	return ""
}

var diffCSVHeader = []string{"territory", "kind", "pointer", "provider", "service", "service_type", "service_certificate", "old", "new", "at", "detail", "old_sequence", "new_sequence"}

func writeDiffCSV(w io.Writer, events []DiffEvent) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(diffCSVHeader); err != nil {
		return err
	}
	for _, e := range events {
		a := ""
		if e.At != nil {
			a = e.At.Format(time.RFC3339)
		}
		if err := cw.Write([]string{e.Territory, e.Kind, e.Pointer, e.Provider, e.Service, e.ServiceType, e.Certificate,
			strings.Join(e.Old, " | "), strings.Join(e.New, " | "), a, e.Detail, strconv.Itoa(e.OldSequence), strconv.Itoa(e.NewSequence)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SortDiffLists orders a side's lists by territory.
func SortDiffLists(ls []DiffList) {
	sort.Slice(ls, func(i, j int) bool { return ls[i].Territory < ls[j].Territory })
}
