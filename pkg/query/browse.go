package query

import (
	"sort"
	"strings"
	"time"
)

// ProviderSummary is one row of `eutl providers`.
type ProviderSummary struct {
	Provider ProviderRef
	Country  string
	Services int
	// QualifiedFor lists the service types (tails) qualified at the time asked.
	QualifiedFor []string
	Qualified    bool
	List         ListInfo
}

// ProvidersQuery filters `eutl providers`.
type ProvidersQuery struct {
	Query   string // "" = all
	Country string
	// Kind, when set, keeps providers with a service of that kind (qualified
	// for it when Qualified is set).
	Kind      *Kind
	Qualified bool
	At        time.Time
	// Exact matches whole names and trade names only.
	Exact bool
}

// Providers lists the providers matching pq.
func (ix *Index) Providers(pq ProvidersQuery) []ProviderSummary {
	country := CountryAlias(pq.Country)
	var cands []*provEntry
	if strings.TrimSpace(pq.Query) == "" {
		for _, pe := range ix.providers {
			if (country == "" || pe.list.info.Territory == country) && ix.usableAt(pe.list, pq.At) {
				cands = append(cands, pe)
			}
		}
	} else {
		for _, h := range ix.matchProviders(pq.Query, country, pq.Exact) {
			if ix.usableAt(h.pe.list, pq.At) {
				cands = append(cands, h.pe)
			}
		}
	}
	kind := AnyQualified()
	if pq.Kind != nil {
		kind = *pq.Kind
	}
	out := []ProviderSummary{}
	for _, pe := range cands {
		s := ProviderSummary{Provider: providerRef(pe), Country: pe.list.info.Territory, Services: len(pe.p.Services), QualifiedFor: []string{}, List: pe.list.infoAt(pq.At)}
		hasKind := false
		seen := map[string]bool{}
		for _, se := range pe.services {
			if e, ok := entryAt(se.timeline, pq.At); ok && kind.Matches(e.Instance.Type) {
				hasKind = true
			}
			d, e, ok := qualifiedFor(se.timeline, kind, pq.At)
			if ok && d.Qualified {
				s.Qualified = true
				if t := Tail(e.Instance.Type); !seen[t] {
					seen[t] = true
					s.QualifiedFor = append(s.QualifiedFor, t)
				}
			}
		}
		if (pq.Kind != nil && !hasKind) || (pq.Qualified && !s.Qualified) {
			continue
		}
		sort.Strings(s.QualifiedFor)
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Country != out[j].Country {
			return out[i].Country < out[j].Country
		}
		return Fold(out[i].Provider.Name) < Fold(out[j].Provider.Name)
	})
	return out
}

// ServiceDetail is one service in `eutl show`.
type ServiceDetail struct {
	Name      string
	Type      string
	Status    string
	Since     time.Time
	Qualified bool
	Reason    string
	History   []HistoryEntry
}

// ProviderDetail is one provider entry in `eutl show`.
type ProviderDetail struct {
	Provider ProviderRef
	Country  string
	List     ListInfo
	Services []ServiceDetail
}

// ShowQuery says which providers `eutl show` describes.
type ShowQuery struct {
	Query   string // a name, trade name or identifier
	Country string
	At      time.Time
	// Exact matches whole names and trade names only.
	Exact bool
}

// Show returns every matching provider entry with each service's history.
func (ix *Index) Show(sq ShowQuery) []ProviderDetail {
	at := sq.At
	out := []ProviderDetail{}
	for _, h := range ix.matchProviders(sq.Query, CountryAlias(sq.Country), sq.Exact) {
		pe := h.pe
		if !ix.usableAt(pe.list, at) {
			continue
		}
		pd := ProviderDetail{Provider: providerRef(pe), Country: pe.list.info.Territory, List: pe.list.infoAt(at), Services: []ServiceDetail{}}
		for _, se := range pe.services {
			s := se.s
			d, _, _ := qualifiedFor(se.timeline, AnyQualified(), at)
			pd.Services = append(pd.Services, ServiceDetail{
				Name: strings.TrimSpace(s.Current.Names.Get("en")), Type: s.Current.Type, Status: s.Current.Status,
				Since: s.Current.StatusStart.UTC(), Qualified: d.Qualified, Reason: d.Reason, History: history(se.timeline),
			})
		}
		out = append(out, pd)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Country < out[j].Country })
	return out
}
