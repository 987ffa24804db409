package tsl_test

import (
	"strings"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
)

// TestParseCriteria: each PolicySet, ExtendedKeyUsage and
// CertSubjectDNAttribute is kept on its own, identifiers as real lists write
// them (xades:Identifier inside, urn:oid: prefix), unknown criteria named,
// nesting kept and bounded.
func TestParseCriteria(t *testing.T) {
	deep := tltest.Criteria{Assert: "all"}
	for i := 0; i < 20; i++ {
		deep = tltest.Criteria{Assert: "all", Nested: []tltest.Criteria{deep}}
	}
	l := tltest.List{Territory: "BE", Providers: []tltest.Provider{{Name: "P", Services: []tltest.Service{{
		Type: "CA/QC", Name: "CA", Status: "granted", Start: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		Qualifications: []tltest.Qualification{
			{Qualifiers: []string{"QCWithQSCD", "QCForESig"}, Criteria: tltest.Criteria{Assert: "atLeastOne",
				KeyUsage:   [][]tsl.KeyUsageBit{{{Name: "nonRepudiation", Value: true}, {Name: "keyCertSign", Value: false}}},
				PolicySets: [][]string{{"1.2.3", "urn:oid:1.2.4"}, {"1.2.5"}},
				EKUs:       [][]string{{"1.3.6.1.5.5.7.3.1"}, {"1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.4"}},
				DNAttrs:    [][]string{{"2.5.4.10"}},
				Unknown:    true,
				Nested:     []tltest.Criteria{{Assert: "none", DNAttrs: [][]string{{"2.5.4.42"}}}},
			}},
			{Qualifiers: []string{"NotQualified"}, Criteria: deep},
		},
	}}}}}
	got, err := tsl.ParseBytes(build(t, l))
	if err != nil {
		t.Fatal(err)
	}
	qs := got.Providers[0].Services[0].Current.Extensions.Qualifications
	if len(qs) != 2 {
		t.Fatalf("%d qualifications", len(qs))
	}
	c := qs[0].Criteria
	if c.Assert != "atLeastOne" || strings.Join(qs[0].Qualifiers, " ") != tsl.SvcInfoExtPrefix+"QCWithQSCD "+tsl.SvcInfoExtPrefix+"QCForESig" {
		t.Errorf("assert %q qualifiers %v", c.Assert, qs[0].Qualifiers)
	}
	if len(c.KeyUsage) != 1 || c.KeyUsage[0][0] != (tsl.KeyUsageBit{Name: "nonRepudiation", Value: true}) || c.KeyUsage[0][1].Value {
		t.Errorf("key usage %+v", c.KeyUsage)
	}
	if len(c.PolicySets) != 2 || strings.Join(c.PolicySets[0], ",") != "1.2.3,1.2.4" || strings.Join(c.PolicySets[1], ",") != "1.2.5" {
		t.Errorf("policy sets %q", c.PolicySets)
	}
	if len(c.ExtendedKeyUsageSets) != 2 || strings.Join(c.ExtendedKeyUsageSets[1], ",") != "1.3.6.1.5.5.7.3.2,1.3.6.1.5.5.7.3.4" {
		t.Errorf("EKU sets %q", c.ExtendedKeyUsageSets)
	}
	if len(c.SubjectDNAttrSets) != 1 || c.SubjectDNAttrSets[0][0] != "2.5.4.10" {
		t.Errorf("DN sets %q", c.SubjectDNAttrSets)
	}
	if len(c.UnknownCriteria) != 1 || !strings.Contains(c.UnknownCriteria[0], "SomethingNew") {
		t.Errorf("unknown %q", c.UnknownCriteria)
	}
	if len(c.Criteria) != 1 || c.Criteria[0].Assert != "none" || c.Criteria[0].SubjectDNAttrSets[0][0] != "2.5.4.42" {
		t.Errorf("nested %+v", c.Criteria)
	}
	d, truncated := qs[1].Criteria, false
	for i := 0; i < 30 && !truncated; i++ {
		truncated = d.Truncated
		if len(d.Criteria) == 0 {
			break
		}
		d = d.Criteria[0]
	}
	if !truncated {
		t.Error("nesting beyond the bound is not marked Truncated")
	}
}
