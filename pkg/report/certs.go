package report

import (
	"encoding/csv"
	"encoding/pem"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/eutl/eutl/pkg/qualify"
)

// Certs is the report of `eutl cert`: one object per certificate.
type Certs struct {
	SchemaVersion int          `json:"schema_version"`
	At            string       `json:"at"`
	For           string       `json:"for"`
	Certificates  []CertEntry  `json:"certificates"`
	FailedLists   []FailedList `json:"failed_lists"`
	Overrides     []string     `json:"overrides,omitempty"`
}

// CertEntry is one certificate's answer (qualify.Result) with where it was
// read.
type CertEntry struct {
	File       string         `json:"file"`
	Offset     int64          `json:"offset"`
	SHA256     string         `json:"sha256"`
	Subject    string         `json:"subject"`
	Issuer     string         `json:"issuer"`
	Serial     string         `json:"serial"`
	NotBefore  time.Time      `json:"not_before"`
	NotAfter   time.Time      `json:"not_after"`
	For        string         `json:"for"`
	Outcome    string         `json:"outcome"`
	Qualified  bool           `json:"qualified"`
	Reason     string         `json:"reason"`
	Person     string         `json:"person"`
	PersonFrom string         `json:"person_from,omitempty"`
	Final      Determination  `json:"final"`
	AtIssuance Determination  `json:"at_issuance"`
	AtTime     Determination  `json:"at_time"`
	TSU        *TSU           `json:"tsu,omitempty"`
	QC         QCStatements   `json:"qc_statements"`
	Policies   []string       `json:"policies"`
	Chain      []ChainLink    `json:"chain"`
	Services   []ServiceMatch `json:"services"`
	Failed     []FailedList   `json:"failed_lists"`
	Warnings   []string       `json:"warnings"`
}

// Determination is the answer at one instant (or combined).
type Determination struct {
	At        time.Time        `json:"at,omitzero"`
	QC        string           `json:"qc"`
	Type      string           `json:"type"`
	QSCD      string           `json:"qscd"`
	Label     string           `json:"label"`
	ESig      bool             `json:"esig"`
	ESeal     bool             `json:"eseal"`
	WSA       bool             `json:"wsa"`
	Deciding  *DecidingService `json:"deciding,omitempty"`
	Trace     []string         `json:"trace"`
	Conflicts []string         `json:"conflicts,omitempty"`
}

// DecidingService is the service entry that decided a determination.
type DecidingService struct {
	Territory      string    `json:"territory"`
	Sequence       int       `json:"sequence"`
	ListSHA256     string    `json:"list_sha256"`
	Provider       string    `json:"provider"`
	Service        string    `json:"service"`
	Type           string    `json:"type"`
	Status         string    `json:"status"`
	StatusSince    time.Time `json:"status_since"`
	AdditionalInfo []string  `json:"additional_info"`
	Qualifiers     []string  `json:"qualifiers_captured"`
	Criteria       []string  `json:"criteria"`
	List           ListInfo  `json:"list"`
}

// TSU is the answer for a time-stamping unit.
type TSU struct {
	Qualified bool             `json:"qualified"`
	Reason    string           `json:"reason"`
	Service   *DecidingService `json:"service,omitempty"`
}

// QCStatements are the QC statements read from a certificate.
type QCStatements struct {
	Present       bool     `json:"present"`
	Compliance    bool     `json:"qc_compliance"`
	SSCD          bool     `json:"qc_sscd"`
	Types         []string `json:"qc_types"`
	CCLegislation []string `json:"qc_cc_legislation,omitempty"`
	PDS           bool     `json:"qc_pds"`
	Semantics     string   `json:"semantics,omitempty"`
	Read          []string `json:"read"`
	Malformed     []string `json:"malformed,omitempty"`
}

// ChainLink is one certificate of the chain walked.
type ChainLink struct {
	Subject    string `json:"subject"`
	Issuer     string `json:"issuer"`
	SHA256     string `json:"sha256"`
	Source     string `json:"source"`
	VerifiedBy string `json:"verified_by,omitempty"`
}

// ServiceMatch is a listed service tied to the chain.
type ServiceMatch struct {
	Level       int      `json:"level"`
	How         string   `json:"how"`
	Territory   string   `json:"territory"`
	Provider    string   `json:"provider"`
	Service     string   `json:"service"`
	Type        string   `json:"type"`
	Status      string   `json:"status"`
	StatusSince string   `json:"status_since"`
	IdentitySHA string   `json:"identity_sha256,omitempty"`
	List        ListInfo `json:"list"`
}

func fromDeciding(e *qualify.EvidenceService) *DecidingService {
	if e == nil {
		return nil
	}
	return &DecidingService{Territory: e.Territory, Sequence: e.Sequence, ListSHA256: e.ListSHA256, Provider: e.Provider, Service: e.Service,
		Type: e.Type, Status: e.Status, StatusSince: e.StatusSince, AdditionalInfo: nonNilStrings(e.AdditionalInfo), Qualifiers: nonNilStrings(e.Qualifiers),
		Criteria: nonNilStrings(e.Criteria), List: fromListInfo(e.List)}
}

func fromDetermination(d qualify.Determination) Determination {
	return Determination{At: d.At, QC: d.QC, Type: d.Type, QSCD: d.QSCD, Label: d.Label, ESig: d.ESig, ESeal: d.ESeal, WSA: d.WSA,
		Deciding: fromDeciding(d.Deciding), Trace: nonNilStrings(d.Trace), Conflicts: d.Conflicts}
}

func nonNilStrings(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// FromCertResult is the report of one certificate read from file at offset.
func FromCertResult(file string, offset int64, r *qualify.Result) CertEntry {
	e := CertEntry{File: file, Offset: offset, SHA256: r.SHA256, Subject: r.Subject, Issuer: r.Issuer, Serial: r.Serial, NotBefore: r.NotBefore, NotAfter: r.NotAfter,
		For: string(r.Purpose), Outcome: string(r.Outcome), Qualified: r.Qualified, Reason: r.Reason, Person: r.Person, PersonFrom: r.PersonFrom,
		Final: fromDetermination(r.Final), AtIssuance: fromDetermination(r.AtIssuance), AtTime: fromDetermination(r.AtTime),
		QC: QCStatements{Present: r.QC.Present, Compliance: r.QC.Compliance, SSCD: r.QC.SSCD, Types: nonNilStrings(r.QC.Types), CCLegislation: r.QC.CCLegislation,
			PDS: r.QC.PDS, Semantics: r.QC.Semantics, Read: nonNilStrings(r.QC.Read), Malformed: r.QC.Malformed},
		Policies: nonNilStrings(r.Policies), Chain: []ChainLink{}, Services: []ServiceMatch{}, Failed: FromFailed(r.Failed), Warnings: nonNilStrings(r.Warnings)}
	if e.Failed == nil {
		e.Failed = []FailedList{}
	}
	if r.TSU != nil {
		e.TSU = &TSU{Qualified: r.TSU.Qualified, Reason: r.TSU.Reason, Service: fromDeciding(r.TSU.Service)}
	}
	for _, l := range r.Chain {
		e.Chain = append(e.Chain, ChainLink{Subject: l.Subject, Issuer: l.Issuer, SHA256: l.SHA256, Source: l.Source, VerifiedBy: l.VerifiedBy})
	}
	for _, s := range r.Services {
		e.Services = append(e.Services, ServiceMatch{Level: s.Level, How: s.How, Territory: s.Territory, Provider: s.Provider, Service: s.Service,
			Type: s.Type, Status: s.Status, StatusSince: s.StatusSince, IdentitySHA: s.IdentitySHA, List: fromListInfo(s.List)})
	}
	return e
}

func certVerdict(r CertEntry) string {
	switch qualify.Outcome(r.Outcome) {
	case qualify.Qualified:
		return "QUALIFIED"
	case qualify.NotQualified:
		return "NOT QUALIFIED"
	case qualify.Indeterminate:
		return "INDETERMINATE"
	}
	return "NO ANSWER (lists could not be verified)"
}

// WriteCerts renders the answers of `eutl cert`.
func WriteCerts(w io.Writer, f Format, c Certs) error {
	switch f {
	case JSON:
		return WriteJSON(w, c)
	case CSV:
		return writeCertsCSV(w, c)
	}
	for i, e := range c.Certificates {
		if i > 0 {
			fmt.Fprintln(w, "\n"+strings.Repeat("─", 72))
		}
		if err := writeCertTable(w, c, e); err != nil {
			return err
		}
	}
	return nil
}

func writeCertTable(w io.Writer, c Certs, e CertEntry) error {
	r := e
	fmt.Fprintf(w, "%s for %s: %s\n", certVerdict(r), c.For, r.Reason)
	fmt.Fprintf(w, "certificate: %s (byte offset %d), sha256 %s\n", e.File, e.Offset, r.SHA256)
	fmt.Fprintf(w, "  subject: %s\n  issuer:  %s\n  valid:   %s → %s\n", r.Subject, r.Issuer, r.NotBefore.Format(time.RFC3339), r.NotAfter.Format(time.RFC3339))
	fmt.Fprintf(w, "  person:  %s", r.Person)
	if r.PersonFrom != "" {
		fmt.Fprintf(w, " (%s)", r.PersonFrom)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	t := newTable(w, "INSTANT", "QC", "ESIG", "ESEAL", "WSA", "QSCD", "LABEL (DSS)")
	for _, row := range []struct {
		name string
		d    Determination
	}{{"at issuance " + r.AtIssuance.At.Format(time.RFC3339), r.AtIssuance}, {"at " + r.AtTime.At.Format(time.RFC3339), r.AtTime}, {"final (both)", r.Final}} {
		if err := t.Append([]string{row.name, row.d.QC, yesNo(row.d.ESig), yesNo(row.d.ESeal), yesNo(row.d.WSA), row.d.QSCD, row.d.Label}); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if r.TSU != nil {
		fmt.Fprintf(w, "\ntime-stamping unit: %s\n", r.TSU.Reason)
	}
	if ev := r.Final.Deciding; ev != nil {
		fmt.Fprintf(w, "\ndeciding service: %s — %s — %s (%s %s since %s)\n", ev.Territory, ev.Provider, ev.Service, ev.Type, ev.Status, ev.StatusSince.Format(time.RFC3339))
		fmt.Fprintf(w, "  list: %s seq %d, sha256 %s (%s)\n", ev.Territory, ev.Sequence, ev.ListSHA256, ev.List.Signature)
		fmt.Fprintf(w, "  additional service information: %s\n", orNone(ev.AdditionalInfo))
		fmt.Fprintf(w, "  qualifiers captured: %s\n", orNone(ev.Qualifiers))
		for _, cr := range ev.Criteria {
			fmt.Fprintf(w, "  criteria: %s\n", cr)
		}
	}
	fmt.Fprintf(w, "\nQC statements: %s\n", orNone(r.QC.Read))
	fmt.Fprintf(w, "policies: %s\n", orNone(r.Policies))
	fmt.Fprintln(w, "chain:")
	for _, l := range r.Chain {
		line := fmt.Sprintf("  %s [%s]", l.Subject, l.Source)
		if l.VerifiedBy != "" {
			line += " signature verified with " + l.VerifiedBy
		}
		fmt.Fprintln(w, line)
	}
	if len(r.Services) > 0 {
		fmt.Fprintln(w, "matching services:")
		for _, s := range r.Services {
			fmt.Fprintf(w, "  level %d (%s): %s — %s — %s (%s, %s since %s), list %s seq %d\n", s.Level, s.How, s.Territory, s.Provider, s.Service, s.Type, s.Status, s.StatusSince, s.List.Territory, s.List.Sequence)
		}
	}
	for _, row := range []struct {
		name string
		d    Determination
	}{{"at issuance", r.AtIssuance}, {"at " + r.AtTime.At.Format(time.RFC3339), r.AtTime}, {"combined", r.Final}} {
		fmt.Fprintf(w, "rules applied %s:\n", row.name)
		for _, s := range row.d.Trace {
			fmt.Fprintf(w, "  - %s\n", s)
		}
	}
	for _, cf := range r.Final.Conflicts {
		fmt.Fprintf(w, "conflict: %s\n", cf)
	}
	if len(r.Failed) > 0 {
		fmt.Fprintln(w, "lists that could hold the answer but could not be used:")
		for _, fl := range r.Failed {
			fmt.Fprintf(w, "  %s %s: %s: %s\n", fl.Territory, fl.URL, fl.Verdict, fl.Cause)
		}
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", wn)
	}
	return nil
}

func orNone(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, ", ")
}

var certCSVHeader = []string{"file", "offset", "sha256", "subject", "issuer", "not_before", "for", "outcome", "qualified", "esig", "eseal", "wsa", "qscd", "person", "label", "label_at_issuance", "label_at_time", "deciding_territory", "deciding_provider", "deciding_service", "reason"}

func writeCertsCSV(w io.Writer, c Certs) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(certCSVHeader); err != nil {
		return err
	}
	for _, e := range c.Certificates {
		r := e
		var terr, prov, svc string
		if ev := r.Final.Deciding; ev != nil {
			terr, prov, svc = ev.Territory, ev.Provider, ev.Service
		}
		if err := cw.Write([]string{e.File, strconv.FormatInt(e.Offset, 10), r.SHA256, r.Subject, r.Issuer, r.NotBefore.Format(time.RFC3339), r.For,
			r.Outcome, yesNo(r.Qualified), yesNo(r.Final.ESig), yesNo(r.Final.ESeal), yesNo(r.Final.WSA), r.Final.QSCD, r.Person,
			r.Final.Label, r.AtIssuance.Label, r.AtTime.Label, terr, prov, svc, r.Reason}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// TrustStore is the report of `eutl trust-store`.
type TrustStore struct {
	SchemaVersion int          `json:"schema_version"`
	At            string       `json:"at"`
	Service       string       `json:"service"`
	Country       string       `json:"country,omitempty"`
	Certificates  []StoreCert  `json:"certificates"`
	FailedLists   []FailedList `json:"failed_lists"`
	Overrides     []string     `json:"overrides,omitempty"`
}

// StoreCert is one certificate of a trust store, with its PEM.
type StoreCert struct {
	SHA256       string    `json:"sha256"`
	Subject      string    `json:"subject"`
	Territory    string    `json:"territory"`
	Provider     string    `json:"provider"`
	Service      string    `json:"service"`
	Type         string    `json:"type"`
	Status       string    `json:"status"`
	StatusSince  time.Time `json:"status_since"`
	Reason       string    `json:"reason"`
	AlsoListedAs []string  `json:"also_listed_as,omitempty"`
	List         ListInfo  `json:"list"`
	PEM          string    `json:"pem"`
}

// FromStore converts trust-store entries for rendering.
func FromStore(es []qualify.StoreEntry) []StoreCert {
	out := make([]StoreCert, len(es))
	for i, e := range es {
		out[i] = StoreCert{SHA256: e.SHA256, Subject: e.Subject, Territory: e.Territory, Provider: e.Provider, Service: e.Service, Type: e.Type,
			Status: e.Status, StatusSince: e.StatusSince, Reason: e.Reason, AlsoListedAs: e.AlsoListedAs, List: fromListInfo(e.List),
			PEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.DER}))}
	}
	return out
}

// WriteTrustStore renders a trust store as PEM (one comment line per
// certificate) or JSON.
func WriteTrustStore(w io.Writer, pemFormat bool, s TrustStore) error {
	if !pemFormat {
		return WriteJSON(w, s)
	}
	fmt.Fprintf(w, "# eutl trust store: %s, country %s, at %s: %d certificate(s)\n", s.Service, orAll(s.Country), s.At, len(s.Certificates))
	for _, c := range s.Certificates {
		line := fmt.Sprintf("# %s | %s | %s | %s %s since %s | sha256 %s", c.Territory, c.Provider, c.Service, c.Type, c.Status, c.StatusSince.Format(time.RFC3339), c.SHA256)
		if len(c.AlsoListedAs) > 0 {
			line += " | also: " + strings.Join(c.AlsoListedAs, "; ")
		}
		fmt.Fprintln(w, strings.ReplaceAll(line, "\n", " "))
		if _, err := io.WriteString(w, c.PEM); err != nil {
			return err
		}
	}
	return nil
}
