package qualify

import (
	"fmt"
	"strings"

	"github.com/eutl/eutl/pkg/tsl"
)

// matchCriteria evaluates a CriteriaList against x (TS 119 612 §5.5.9.2, as
// the domain reference §3 describes it). It returns whether x matches and a
// one-line description of the decision; warnings name what the list writes
// that is not a known criterion or assert value.
func matchCriteria(cl *tsl.CriteriaList, x *Cert, warn func(string)) (bool, string) {
	var results []bool
	var parts []string
	for _, ku := range cl.KeyUsage {
		ok := true
		var bits []string
		for _, b := range ku {
			has := x.KeyUsage[b.Name] // absent extension: every bit false
			known := false
			for _, n := range keyUsageNames {
				if n == b.Name {
					known = true
				}
			}
			if !known {
				warn(fmt.Sprintf("criteria: unknown KeyUsageBit %q (taken as not matching)", b.Name))
				ok = false
			}
			if has != b.Value {
				ok = false
			}
			bits = append(bits, fmt.Sprintf("%s=%t", b.Name, b.Value))
		}
		results = append(results, ok)
		parts = append(parts, fmt.Sprintf("KeyUsage[%s]:%s", strings.Join(bits, ","), yn(ok)))
	}
	for _, ps := range cl.PolicySets {
		ok := len(ps) > 0
		for _, p := range ps {
			if !contains(x.Policies, p) {
				ok = false
			}
		}
		results = append(results, ok)
		parts = append(parts, fmt.Sprintf("PolicySet[%s]:%s", strings.Join(ps, ","), yn(ok)))
	}
	for _, set := range cl.ExtendedKeyUsageSets {
		ok := x.HasEKU && len(set) > 0
		for _, kp := range set {
			if !contains(x.EKU, kp) {
				ok = false
			}
		}
		results = append(results, ok)
		parts = append(parts, fmt.Sprintf("ExtendedKeyUsage[%s]:%s", strings.Join(set, ","), yn(ok)))
	}
	for _, set := range cl.SubjectDNAttrSets {
		ok := len(set) > 0
		for _, a := range set {
			nonEmpty := false
			for _, v := range x.SubjectAttrs[a] {
				if strings.TrimSpace(v) != "" {
					nonEmpty = true
				}
			}
			if !nonEmpty {
				ok = false
			}
		}
		results = append(results, ok)
		parts = append(parts, fmt.Sprintf("CertSubjectDNAttribute[%s]:%s", strings.Join(set, ","), yn(ok)))
	}
	for _, u := range cl.UnknownCriteria {
		warn(fmt.Sprintf("criteria: unknown criterion %s (taken as not matching)", u))
		results = append(results, false)
		parts = append(parts, u+":unknown")
	}
	for i := range cl.Criteria {
		ok, d := matchCriteria(&cl.Criteria[i], x, warn)
		results = append(results, ok)
		parts = append(parts, d)
	}
	assert := cl.Assert
	if cl.Truncated {
		warn("criteria: nesting too deep; the list is taken as not matching")
		return false, "truncated:no"
	}
	var ok bool
	switch assert {
	case "all", "":
		if assert == "" {
			warn("criteria: CriteriaList without assert (taken as all)")
			assert = "all"
		}
		ok = true
		for _, r := range results {
			ok = ok && r
		}
	case "atLeastOne":
		for _, r := range results {
			ok = ok || r
		}
	case "none":
		ok = true
		for _, r := range results {
			ok = ok && !r
		}
	default:
		warn(fmt.Sprintf("criteria: unknown assert %q (taken as not matching)", assert))
		ok = false
	}
	return ok, fmt.Sprintf("%s(%s):%s", assert, strings.Join(parts, " "), yn(ok))
}

func yn(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
