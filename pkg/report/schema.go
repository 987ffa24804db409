package report

import (
	"time"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/trust"
)

// The parts of answers that several documents share: MATCH and its
// provider, service, history and list, and the failed lists. They mirror
// pkg/query's values field by field (converted by the From… functions
// below) so that nothing outside this package decides a JSON name.

// ListInfo identifies the list evidence comes from (MATCH's "list").
type ListInfo struct {
	Territory     string    `json:"territory"`
	Sequence      int       `json:"sequence"`
	SHA256        string    `json:"sha256"`
	Signature     string    `json:"signature"`
	URL           string    `json:"url,omitempty"`
	Issued        time.Time `json:"issued"`
	NextUpdate    time.Time `json:"next_update,omitzero"`
	SignerSubject string    `json:"signer_subject,omitempty"`
	SignerSHA256  string    `json:"signer_sha256,omitempty"`
}

// FailedList is a list that could hold an answer but could not be used.
type FailedList struct {
	Territory string        `json:"territory"`
	URL       string        `json:"url,omitempty"`
	Verdict   trust.Verdict `json:"verdict"`
	Reason    string        `json:"reason"`
	// Location is the element the failure is about, when it has one.
	Location string `json:"location,omitempty"`
	// Cause is Reason without its location, for tables.
	Cause string `json:"-"`
}

// ProviderRef names a provider.
type ProviderRef struct {
	Name        string   `json:"name"`
	Names       []string `json:"names"`
	Identifiers []string `json:"identifiers"`
}

// HistoryEntry is one status period of a service.
type HistoryEntry struct {
	Type           string    `json:"type"`
	Status         string    `json:"status"`
	From           time.Time `json:"from"`
	Until          time.Time `json:"until,omitzero"`
	AdditionalInfo []string  `json:"additional_info,omitempty"`
}

// ServiceEvidence is the service that decided an answer.
type ServiceEvidence struct {
	Name           string         `json:"name"`
	Type           string         `json:"type"`
	Status         string         `json:"status"`
	StatusSince    time.Time      `json:"status_since"`
	AdditionalInfo []string       `json:"additional_info"`
	Qualifiers     []string       `json:"qualifiers,omitempty"`
	History        []HistoryEntry `json:"history"`
	// TakenOverBy is set when the entry in force says another provider
	// took the service over (TS 119 612 §5.5.9.3); the status still decides.
	TakenOverBy *TakenOver `json:"taken_over_by,omitempty"`
	// ServiceCertificatesExpired is set for a granted CA/QC whose every
	// service certificate has expired at the instant asked about.
	ServiceCertificatesExpired bool      `json:"service_certificates_expired,omitempty"`
	CertificatesNotAfter       time.Time `json:"service_certificates_not_after,omitzero"`
}

// TakenOver names the provider that took a service over.
type TakenOver struct {
	TSPName         string `json:"tsp_name"`
	SchemeOperator  string `json:"scheme_operator,omitempty"`
	SchemeTerritory string `json:"scheme_territory,omitempty"`
	URI             string `json:"uri,omitempty"`
}

// Match is one provider entry (or, in related evidence, one service) with
// its verdict: the contract's MATCH.
type Match struct {
	Provider  ProviderRef      `json:"provider"`
	Country   string           `json:"country"`
	Qualified bool             `json:"qualified"`
	Reason    string           `json:"reason"`
	Service   *ServiceEvidence `json:"service"`
	List      ListInfo         `json:"list"`
	// MatchedOn says how the query matched (identifier, name, exact name)
	// and Matched the list's identifier or name, as written.
	MatchedOn string `json:"matched_on,omitempty"`
	Matched   string `json:"matched,omitempty"`
	// Entity numbers the legal entity within one answer: entries sharing a
	// country+number identifier share it.
	Entity int `json:"entity,omitempty"`
	// AnsweredFromHistory is set when the list was issued after the
	// instant asked about.
	AnsweredFromHistory string `json:"answered_from_history,omitempty"`
}

// ProviderSummary is one provider of `eutl providers`.
type ProviderSummary struct {
	Provider ProviderRef `json:"provider"`
	Country  string      `json:"country"`
	Services int         `json:"services"`
	// QualifiedFor lists the service types (tails) qualified at the time asked.
	QualifiedFor []string `json:"qualified_for"`
	Qualified    bool     `json:"qualified"`
	List         ListInfo `json:"list"`
}

// ServiceDetail is one service of `eutl show`.
type ServiceDetail struct {
	Name      string         `json:"name"`
	Type      string         `json:"type"`
	Status    string         `json:"status"`
	Since     time.Time      `json:"status_since"`
	Qualified bool           `json:"qualified"`
	Reason    string         `json:"reason"`
	History   []HistoryEntry `json:"history"`
}

// ProviderDetail is one provider entry of `eutl show`.
type ProviderDetail struct {
	Provider ProviderRef     `json:"provider"`
	Country  string          `json:"country"`
	List     ListInfo        `json:"list"`
	Services []ServiceDetail `json:"services"`
}

func fromListInfo(l query.ListInfo) ListInfo {
	return ListInfo{Territory: l.Territory, Sequence: l.Sequence, SHA256: l.SHA256, Signature: l.Signature, URL: l.URL,
		Issued: l.Issued, NextUpdate: l.NextUpdate, SignerSubject: l.SignerSubject, SignerSHA256: l.SignerSHA256}
}

// FromFailed converts the failed lists of an index or an answer (nil stays
// nil: the field is omitted).
func FromFailed(fs []query.FailedList) []FailedList {
	if fs == nil {
		return nil
	}
	out := make([]FailedList, len(fs))
	for i, f := range fs {
		out[i] = FailedList{Territory: f.Territory, URL: f.URL, Verdict: f.Verdict, Reason: f.Reason, Location: f.Location, Cause: f.Cause}
	}
	return out
}

func fromProviderRef(p query.ProviderRef) ProviderRef {
	return ProviderRef{Name: p.Name, Names: p.Names, Identifiers: p.Identifiers}
}

func fromHistory(hs []query.HistoryEntry) []HistoryEntry {
	if hs == nil {
		return nil
	}
	out := make([]HistoryEntry, len(hs))
	for i, h := range hs {
		out[i] = HistoryEntry{Type: h.Type, Status: h.Status, From: h.From, Until: h.Until, AdditionalInfo: h.AdditionalInfo}
	}
	return out
}

func fromEvidence(e *query.ServiceEvidence) *ServiceEvidence {
	if e == nil {
		return nil
	}
	ev := &ServiceEvidence{Name: e.Name, Type: e.Type, Status: e.Status, StatusSince: e.StatusSince, AdditionalInfo: e.AdditionalInfo,
		Qualifiers: e.Qualifiers, History: fromHistory(e.History),
		ServiceCertificatesExpired: e.ServiceCertificatesExpired, CertificatesNotAfter: e.CertificatesNotAfter}
	if t := e.TakenOverBy; t != nil {
		ev.TakenOverBy = &TakenOver{TSPName: t.TSPName, SchemeOperator: t.SchemeOperator, SchemeTerritory: t.SchemeTerritory, URI: t.URI}
	}
	return ev
}

// FromMatches converts matches of an answer (nil stays nil).
func FromMatches(ms []query.Match) []Match {
	if ms == nil {
		return nil
	}
	out := make([]Match, len(ms))
	for i, m := range ms {
		out[i] = Match{Provider: fromProviderRef(m.Provider), Country: m.Country, Qualified: m.Qualified, Reason: m.Reason,
			Service: fromEvidence(m.Service), List: fromListInfo(m.List),
			MatchedOn: m.MatchedOn, Matched: m.Matched, Entity: m.Entity, AnsweredFromHistory: m.AnsweredFromHistory}
	}
	return out
}

// FromProviders is the `eutl providers` document at instant at.
func FromProviders(at time.Time, ps []query.ProviderSummary, failed []query.FailedList) Providers {
	out := Providers{SchemaVersion: SchemaVersion, At: at.UTC().Format(time.RFC3339), Providers: make([]ProviderSummary, len(ps)), FailedLists: FromFailed(failed)}
	for i, p := range ps {
		out.Providers[i] = ProviderSummary{Provider: fromProviderRef(p.Provider), Country: p.Country, Services: p.Services,
			QualifiedFor: p.QualifiedFor, Qualified: p.Qualified, List: fromListInfo(p.List)}
	}
	return out
}

// FromShow is the `eutl show` document at instant at.
func FromShow(at time.Time, ps []query.ProviderDetail, failed []query.FailedList) Show {
	out := Show{SchemaVersion: SchemaVersion, At: at.UTC().Format(time.RFC3339), Providers: make([]ProviderDetail, len(ps)), FailedLists: FromFailed(failed)}
	for i, p := range ps {
		d := ProviderDetail{Provider: fromProviderRef(p.Provider), Country: p.Country, List: fromListInfo(p.List), Services: make([]ServiceDetail, len(p.Services))}
		for j, s := range p.Services {
			d.Services[j] = ServiceDetail{Name: s.Name, Type: s.Type, Status: s.Status, Since: s.Since, Qualified: s.Qualified, Reason: s.Reason, History: fromHistory(s.History)}
		}
		out.Providers[i] = d
	}
	return out
}
