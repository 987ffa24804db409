package qualify

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"github.com/eutl/eutl/pkg/query"
)

// StoreEntry is one certificate of a trust store: a service digital
// identity of a service qualified for the kind asked, at the time asked.
type StoreEntry struct {
	SHA256      string
	Subject     string
	Territory   string
	Provider    string
	Service     string
	Type        string
	Status      string
	StatusSince time.Time
	Reason      string
	// AlsoListedAs names further qualified services listing the same
	// certificate ("TERRITORY provider — service").
	AlsoListedAs []string
	List         query.ListInfo
	DER          []byte
}

// TrustStore returns the certificates of the services qualified for kind at
// t (in country, "" for every list), once each, ordered by territory,
// provider, service and fingerprint.
func (q *Index) TrustStore(kind query.Kind, country string, t time.Time) []StoreEntry {
	country = query.CountryAlias(country)
	byCert := map[string]int{}
	var out []StoreEntry
	for _, s := range q.services {
		ref := s.ref
		if country != "" && ref.List.Territory != country {
			continue
		}
		d, e, ok := query.QualifiedFor(ref.Service, kind, t)
		if !ok || !d.Qualified {
			continue
		}
		for _, id := range ref.Service.Current.Identities {
			for _, c := range id.Certificates {
				sum := sha256.Sum256(c.Raw)
				sha := hex.EncodeToString(sum[:])
				name := strings.TrimSpace(ref.Service.Current.Names.Get("en"))
				if i, dup := byCert[sha]; dup {
					also := ref.List.Territory + " " + ref.Provider.Name + " — " + name
					if !contains(out[i].AlsoListedAs, also) {
						out[i].AlsoListedAs = append(out[i].AlsoListedAs, also)
					}
					continue
				}
				subject := ""
				if pc, err := ParseCert(c.Raw); err == nil {
					subject = pc.Subject
				}
				byCert[sha] = len(out)
				out = append(out, StoreEntry{SHA256: sha, Subject: subject, Territory: ref.List.Territory, Provider: ref.Provider.Name,
					Service: name, Type: tail(e.Instance.Type), Status: tail(e.Instance.Status), StatusSince: e.From.UTC(),
					Reason: d.Reason, List: ref.List, DER: c.Raw})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.Territory != b.Territory:
			return a.Territory < b.Territory
		case a.Provider != b.Provider:
			return a.Provider < b.Provider
		case a.Service != b.Service:
			return a.Service < b.Service
		}
		return a.SHA256 < b.SHA256
	})
	return out
}

// RelevantFailed returns the failed lists that could hold services of
// country ("" for every list).
func (q *Index) RelevantFailed(country string) []query.FailedList {
	country = query.CountryAlias(country)
	var out []query.FailedList
	for _, f := range q.Failed() {
		if country == "" || f.Territory == country || f.Territory == "EU" {
			out = append(out, f)
		}
	}
	return out
}
