package tsl

import (
	"strings"
	"unsafe"
)

// strtab gives the model its own copy of every string it keeps, one copy per
// distinct value. The scanner's strings are views of the input; copying them
// lets the input go once the list is built (a 20 MB list is not kept alive by
// a 30-byte name), and makes the model independent of a buffer its caller may
// reuse. Trusted Lists repeat the same few hundred URIs (service types,
// statuses, qualifiers, languages) thousands of times, so most strings cost a
// map lookup and no allocation. Copies are packed into blocks.
type strtab struct {
	m     map[string]string
	block []byte
}

// Blocks start small (most lists hold a few kilobytes of distinct text)
// and double up to strBlock.
const (
	strBlockFirst = 2 << 10
	strBlock      = 32 << 10
)

func newStrtab() *strtab { return &strtab{m: make(map[string]string, 256)} }

// get returns the model's copy of s. Short values and URIs, the ones lists
// repeat, are shared; the others (names, addresses, descriptions) are copied
// without a lookup.
func (t *strtab) get(s string) string {
	if s == "" {
		return ""
	}
	shared := len(s) <= 16 || strings.HasPrefix(s, "http") || strings.HasPrefix(s, "urn:")
	if shared {
		if v, ok := t.m[s]; ok {
			return v
		}
	}
	var v string
	if len(s) > strBlock/4 {
		v = strings.Clone(s)
	} else {
		if cap(t.block)-len(t.block) < len(s) {
			size := min(max(2*cap(t.block), strBlockFirst), strBlock)
			for size < len(s) {
				size *= 2
			}
			t.block = make([]byte, 0, size)
		}
		off := len(t.block)
		t.block = append(t.block, s...)
		v = unsafe.String(&t.block[off], len(s))
	}
	if shared {
		t.m[v] = v
	}
	return v
}

func (t *strtab) strs(v []string) {
	for i := range v {
		v[i] = t.get(v[i])
	}
}

func (t *strtab) multi(m MultiLang) {
	for i := range m {
		m[i].Lang = t.get(m[i].Lang)
		m[i].Value = t.get(m[i].Value)
	}
}

func (t *strtab) address(a *Address) {
	for i := range a.Postal {
		p := &a.Postal[i]
		p.Lang, p.Street, p.Locality = t.get(p.Lang), t.get(p.Street), t.get(p.Locality)
		p.StateOrProvince, p.PostalCode, p.CountryName = t.get(p.StateOrProvince), t.get(p.PostalCode), t.get(p.CountryName)
	}
	t.multi(a.Electronic)
}

// Paths are left alone: the parser builds them, they never alias the input.

// list replaces every string of the scheme information and pointers of l
// (providers are done one by one, see provider).
func (t *strtab) list(l *List) {
	l.RootID, l.Tag, l.Type = t.get(l.RootID), t.get(l.Tag), t.get(l.Type)
	t.multi(l.OperatorName)
	t.address(&l.OperatorAddress)
	t.multi(l.SchemeName)
	t.multi(l.SchemeInformationURI)
	l.StatusDeterminationApproach = t.get(l.StatusDeterminationApproach)
	t.multi(l.SchemeTypeCommunityRules)
	l.Territory = t.get(l.Territory)
	t.multi(l.PolicyOrLegalNotice)
	for i := range l.Pointers {
		p := &l.Pointers[i]
		p.Location, p.Type, p.Territory, p.MimeType = t.get(p.Location), t.get(p.Type), t.get(p.Territory), t.get(p.MimeType)
		t.multi(p.OperatorName)
		t.strs(p.CommunityRules)
	}
	t.strs(l.DistributionPoints)
}

func (t *strtab) provider(p *Provider) {
	t.multi(p.Names)
	t.multi(p.TradeNames)
	t.address(&p.Address)
	t.multi(p.InformationURI)
	for i := range p.Services {
		s := &p.Services[i]
		t.instance(&s.Current)
		t.multi(s.SchemeServiceDefinitionURI)
		for j := range s.SupplyPoints {
			sp := &s.SupplyPoints[j]
			sp.URI, sp.Type = t.get(sp.URI), t.get(sp.Type)
		}
		t.multi(s.TSPServiceDefinitionURI)
		for j := range s.History {
			t.instance(&s.History[j])
		}
	}
}

func (t *strtab) instance(in *ServiceInstance) {
	in.Type, in.Status = t.get(in.Type), t.get(in.Status)
	t.multi(in.Names)
	for i := range in.Identities {
		id := &in.Identities[i]
		t.strs(id.SubjectNames)
		t.strs(id.Other)
	}
	x := &in.Extensions
	for i := range x.AdditionalInfo {
		a := &x.AdditionalInfo[i]
		a.URI, a.Lang, a.InformationValue = t.get(a.URI), t.get(a.Lang), t.get(a.InformationValue)
	}
	for i := range x.Qualifications {
		q := &x.Qualifications[i]
		t.strs(q.Qualifiers)
		t.criteria(&q.Criteria)
	}
	if tob := x.TakenOverBy; tob != nil {
		t.multi(tob.URI)
		t.multi(tob.TSPName)
		t.multi(tob.SchemeOperatorName)
		tob.SchemeTerritory = t.get(tob.SchemeTerritory)
	}
}

func (t *strtab) criteria(c *CriteriaList) {
	c.Assert, c.Description = t.get(c.Assert), t.get(c.Description)
	for _, bits := range c.KeyUsage {
		for i := range bits {
			bits[i].Name = t.get(bits[i].Name)
		}
	}
	t.strs(c.PolicyIdentifiers)
	for i := range c.Criteria {
		t.criteria(&c.Criteria[i])
	}
	t.strs(c.ExtendedKeyUsages)
	t.strs(c.SubjectDNAttrs)
	for _, set := range c.PolicySets {
		t.strs(set)
	}
	for _, set := range c.ExtendedKeyUsageSets {
		t.strs(set)
	}
	for _, set := range c.SubjectDNAttrSets {
		t.strs(set)
	}
	t.strs(c.UnknownCriteria)
}
