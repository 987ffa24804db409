package qualify

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"sort"
	"strings"
	"sync"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tsl"
)

// service is one service of a verified list.
type service struct {
	ref query.ServiceRef
	ord int // position in the set, for deterministic order
}

// identity is one listed certificate (or SubjectName + SKI) of a service.
type identity struct {
	svc  *service
	cert *Cert   // nil for a SubjectName + X509SKI identity
	key  *Issuer // the certificate's key
	sha  string
	name string // folded subject name
	ski  []byte
	// keyID is the RFC 5280 method-1 identifier of the certificate's key.
	keyID []byte
}

// Index finds the listed services of certificates. Build it once per verified
// set with New; it is safe for concurrent use.
type Index struct {
	q        *query.Index
	services []*service
	// byName holds listed identities by folded subject name, bySKI by key
	// identifier (the certificate's SKI extension, or X509SKI), byKey by
	// subject name + SubjectPublicKeyInfo (a certificate listed itself).
	byName, bySKI, byKey map[string][]*identity
	// up memoises the walk above a listed certificate.
	up sync.Map // sha256 → []hit
}

// New indexes the services of a verified set for certificate lookups.
func New(ix *query.Index) *Index {
	q := &Index{q: ix, byName: map[string][]*identity{}, bySKI: map[string][]*identity{}, byKey: map[string][]*identity{}}
	ix.Services(func(ref query.ServiceRef) {
		s := &service{ref: ref, ord: len(q.services)}
		q.services = append(q.services, s)
		for _, id := range ref.Service.Current.Identities {
			for _, c := range id.Certificates {
				pc, err := ParseCert(c.Raw)
				if err != nil {
					continue
				}
				idn := &identity{svc: s, cert: pc, key: NewIssuer(c.Raw), sha: pc.SHA256(), name: pc.subjectKey, ski: pc.SKI, keyID: keyID(pc.RawSPKI)}
				q.byName[idn.name] = append(q.byName[idn.name], idn)
				q.byKey[string(pc.RawSubject)+"\x00"+string(pc.RawSPKI)] = append(q.byKey[string(pc.RawSubject)+"\x00"+string(pc.RawSPKI)], idn)
				for _, k := range [][]byte{pc.SKI, keyID(pc.RawSPKI)} {
					if len(k) > 0 {
						q.bySKI[string(k)] = appendOnce(q.bySKI[string(k)], idn)
					}
				}
			}
			if len(id.Certificates) == 0 && len(id.SKIs) > 0 {
				for _, ski := range id.SKIs {
					for _, sn := range id.SubjectNames {
						idn := &identity{svc: s, name: dnKey(sn), ski: ski}
						q.bySKI[string(ski)] = append(q.bySKI[string(ski)], idn)
					}
				}
			}
		}
	})
	return q
}

func appendOnce(ids []*identity, id *identity) []*identity {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

// Failed returns the lists of the set that could not be used.
func (q *Index) Failed() []query.FailedList { return q.q.Failed() }

// dnKey is a lookup key for a distinguished name written as a string:
// its attribute=value parts, each with case and spacing folded, sorted (so
// that RFC 4514 and X.500 order give the same key).
func dnKey(s string) string {
	parts := splitDN(s)
	for i, p := range parts {
		if k, v, ok := strings.Cut(p, "="); ok {
			p = strings.TrimSpace(k) + "=" + strings.TrimSpace(v)
		}
		parts[i] = strings.ToLower(strings.Join(strings.Fields(p), " "))
	}
	sort.Strings(parts)
	return strings.Join(parts, "\x00")
}

// splitDN splits a string DN into its attribute=value parts, in issuer
// (most significant first) order as xmldsig.FormatName writes them.
func splitDN(s string) []string {
	var parts []string
	var cur strings.Builder
	esc := false
	for _, r := range s {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case r == '\\':
			cur.WriteRune(r)
			esc = true
		case r == ',' || r == ';':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		parts = append(parts, strings.TrimSpace(cur.String()))
	}
	return parts
}

// keyID is the RFC 5280 method-1 key identifier of a SubjectPublicKeyInfo.
func keyID(spki []byte) []byte {
	var s struct {
		Alg pkix.AlgorithmIdentifier
		Key asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &s); err != nil {
		return nil
	}
	return sha1Sum(s.Key.Bytes)
}

// ServiceMatch is a listed service a certificate of the chain is tied to.
type ServiceMatch struct {
	// Level is the position in the chain of the certificate the service
	// identity equals: 0 the certificate itself, 1 its issuer, …
	Level int
	// How: "issuer" (the certificate below was verified with this
	// identity's key) or "self" (the certificate is listed itself).
	How         string
	Territory   string
	Provider    string
	Service     string
	Type        string
	Status      string
	StatusSince string
	IdentitySHA string
	List        query.ListInfo
	svc         *service
}

type hit struct {
	svc   *service
	level int
	how   string
	sha   string
}

// ChainLink is one certificate of the chain walked.
type ChainLink struct {
	Subject string
	Issuer  string
	SHA256  string
	// Source is "input", "chain" (--chain) or "list" (a listed identity).
	Source string
	// VerifiedBy is how its signature was checked: the SHA-256 of the
	// issuer certificate whose key verified it, or "" at the top.
	VerifiedBy string
}

const maxChain = 8

// match walks x's chain (through extra, the --chain certificates) and
// returns the services tied to it, and the chain.
func (q *Index) match(x *Cert, extra []*Cert) ([]hit, []ChainLink, []string) {
	var hits []hit
	var notes []string
	chain := []ChainLink{{Subject: x.Subject, Issuer: x.Issuer, SHA256: x.SHA256(), Source: "input"}}
	byName := map[string][]*Cert{}
	for _, c := range extra {
		byName[c.subjectKey] = append(byName[c.subjectKey], c)
	}
	seen := map[string]bool{x.SHA256(): true}
	cur := x
	for level := 0; level < maxChain; level++ {
		if level == 0 {
			for _, id := range q.byKey[string(cur.RawSubject)+"\x00"+string(cur.RawSPKI)] {
				hits = append(hits, hit{id.svc, 0, "self", id.sha})
			}
		}
		hs, listedUp := q.issuerHits(cur, level)
		hits = append(hits, hs...)
		if listedUp != nil {
			chain[len(chain)-1].VerifiedBy = listedUp[0].SHA256
			chain = append(chain, listedUp...)
		}
		// An unlisted issuer from --chain: proven by its signature.
		var next *Cert
		if !cur.SelfIssued() {
			for _, c := range byName[cur.issuerKey] {
				if seen[c.SHA256()] {
					continue
				}
				if err := NewIssuer(c.Raw).CheckSignature(cur); err != nil {
					notes = append(notes, "chain certificate "+c.Subject+" has the issuer's name but its key does not verify "+cur.Subject)
					continue
				}
				next = c
				break
			}
		}
		if next == nil {
			break
		}
		seen[next.SHA256()] = true
		chain = append(chain, ChainLink{Subject: next.Subject, Issuer: next.Issuer, SHA256: next.SHA256(), Source: "chain", VerifiedBy: ""})
		chain[len(chain)-2].VerifiedBy = next.SHA256()
		// A SubjectName + SKI identity is the chain certificate that
		// verified: same name and key identifier.
		for _, k := range [][]byte{next.SKI, keyID(next.RawSPKI)} {
			for _, id := range q.bySKI[string(k)] {
				if id.cert == nil && id.name == next.subjectKey {
					hits = append(hits, hit{id.svc, level + 1, "issuer", ""})
				}
			}
		}
		cur = next
	}
	return dedupe(hits), chain, notes
}

// issuerHits returns the services whose listed certificate issued cur (name
// and key identifier matched, signature verified), and everything above
// those listed certificates.
func (q *Index) issuerHits(cur *Cert, level int) ([]hit, []ChainLink) {
	if cur.SelfIssued() && level > 0 {
		return nil, nil
	}
	var hits []hit
	var chain []ChainLink
	verified := map[string]bool{}
	cands := q.byName[cur.issuerKey]
	for _, id := range q.provenIssuers(cur, cands) {
		verified[id.sha] = true
		hits = append(hits, hit{id.svc, level + 1, "issuer", id.sha})
	}
	for _, id := range cands {
		if !verified[id.sha] || id.cert == nil {
			continue
		}
		verified[id.sha] = false // walk each listed certificate once
		if len(chain) == 0 {
			chain = append(chain, ChainLink{Subject: id.cert.Subject, Issuer: id.cert.Issuer, SHA256: id.sha, Source: "list"})
		}
		hits = append(hits, q.above(id.cert, level+1)...)
	}
	return hits, chain
}

// above returns the services above a listed certificate (listed
// certificates only), memoised.
func (q *Index) above(c *Cert, level int) []hit {
	if c.SelfIssued() {
		return nil
	}
	key := c.SHA256()
	var rel []hit
	if v, ok := q.up.Load(key); ok {
		rel = v.([]hit)
	} else {
		rel = q.walkListed(c, map[string]bool{key: true}, 0)
		q.up.Store(key, rel)
	}
	out := make([]hit, len(rel))
	for i, h := range rel {
		h.level += level
		out[i] = h
	}
	return out
}

func (q *Index) walkListed(c *Cert, seen map[string]bool, depth int) []hit {
	if depth >= maxChain || c.SelfIssued() {
		return nil
	}
	var out []hit
	for _, id := range q.provenIssuers(c, q.byName[c.issuerKey]) {
		if seen[id.sha] {
			continue
		}
		out = append(out, hit{id.svc, depth + 1, "issuer", id.sha})
		seen[id.sha] = true
		out = append(out, q.walkListed(id.cert, seen, depth+1)...)
	}
	return out
}

// provenIssuers returns the candidate identities (listed certificates with
// c's issuer name) whose key verifies c's signature. A signature verifies
// under one key only, so once a key verified, identities with another key
// are skipped and those with the same key need no second check; keys whose
// identifier equals c's authority key identifier are tried first.
func (q *Index) provenIssuers(c *Cert, cands []*identity) []*identity {
	ordered := make([]*identity, 0, len(cands))
	for _, pass := range []bool{true, false} {
		for _, id := range cands {
			if id.cert == nil || id.name != c.issuerKey || string(id.cert.Raw) == string(c.Raw) {
				continue
			}
			akiMatch := len(c.AKI) > 0 && (string(id.ski) == string(c.AKI) || string(id.keyID) == string(c.AKI))
			if akiMatch == pass {
				ordered = append(ordered, id)
			}
		}
	}
	var out []*identity
	good := ""
	bad := map[string]bool{}
	for _, id := range ordered {
		k := string(id.cert.RawSPKI)
		switch {
		case good != "":
			if k != good {
				continue
			}
		case bad[k]:
			continue
		default:
			if id.key.CheckSignature(c) != nil {
				bad[k] = true
				continue
			}
			good = k
		}
		out = append(out, id)
	}
	return out
}

func dedupe(hs []hit) []hit {
	seen := map[*service]bool{}
	var out []hit
	for _, h := range hs {
		if !seen[h.svc] {
			seen[h.svc] = true
			out = append(out, h)
		}
	}
	return out
}

// kindASI are the three scope ASIs, by tail.
var kindASI = map[string]bool{"ForeSignatures": true, "ForeSeals": true, "ForWebSiteAuthentication": true}

func tail(u string) string {
	u = tsl.NormalizeURI(u)
	for _, p := range []string{tsl.SvcInfoExtPrefix, tsl.ServiceTypePrefix, tsl.StatusPrefix} {
		if strings.HasPrefix(u, p) {
			return strings.TrimPrefix(u, p)
		}
	}
	return u
}
