package query

import (
	"fmt"
	"sort"
	"strings"

	"github.com/eutl/eutl/pkg/tsl"
)

// Kind is what a query asks about: a service type, optionally narrowed to a
// CA/QC scope, or any qualified type.
type Kind struct {
	// Alias is the eutl alias ("qc-esig"), or "" when given as a URI.
	Alias string
	// TypeURI is the service type; empty for AnyQualified.
	TypeURI string
	// Scope is the additional-service-information URI a CA/QC must declare
	// (ForeSignatures, ForeSeals, ForWebSiteAuthentication), or "".
	Scope string
}

// AnyQualified matches every qualified service type (is P a QTSP?).
var AnyQualified = Kind{Alias: "any"}

// Name is how the kind is shown.
func (k Kind) Name() string {
	switch {
	case k.Alias == "any":
		return "any qualified service"
	case k.Alias != "":
		return k.Alias + " (" + Tail(k.TypeURI) + scopeSuffix(k.Scope) + ")"
	}
	return Tail(k.TypeURI)
}

func scopeSuffix(scope string) string {
	if scope == "" {
		return ""
	}
	return ", " + Tail(scope)
}

// Matches reports whether a service type URI is of this kind.
func (k Kind) Matches(typeURI string) bool {
	if k.TypeURI == "" {
		st := tsl.LookupServiceType(typeURI)
		return st != nil && st.Class == tsl.ClassQualified
	}
	return tsl.NormalizeURI(typeURI) == k.TypeURI
}

// scopedAliases narrow CA/QC by additional service information.
var scopedAliases = map[string]string{
	"qc-esig":  tsl.ASIForeSignatures,
	"qc-eseal": tsl.ASIForeSeals,
	"qwac":     tsl.ASIForWebSiteAuth,
}

// Aliases lists every alias with its kind, sorted.
func Aliases() []Kind {
	var out []Kind
	for _, st := range tsl.ServiceTypes() {
		if st.Alias != "" {
			out = append(out, Kind{Alias: st.Alias, TypeURI: st.URI})
		}
	}
	for a, scope := range scopedAliases {
		out = append(out, Kind{Alias: a, TypeURI: tsl.ServiceTypeCAQC, Scope: scope})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Alias < out[j].Alias })
	return out
}

// ParseKind reads --service: an alias, a full service-type URI, or its tail
// after Svctype/ (e.g. "CA/QC").
func ParseKind(s string) (Kind, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return Kind{}, fmt.Errorf("empty service type")
	}
	lv := strings.ToLower(v)
	if scope, ok := scopedAliases[lv]; ok {
		return Kind{Alias: lv, TypeURI: tsl.ServiceTypeCAQC, Scope: scope}, nil
	}
	if lv == "any" || lv == "qtsp" {
		return AnyQualified, nil
	}
	for _, st := range tsl.ServiceTypes() {
		if st.Alias != "" && st.Alias == lv {
			return Kind{Alias: st.Alias, TypeURI: st.URI}, nil
		}
	}
	uri := v
	if !strings.Contains(v, "://") {
		uri = tsl.ServiceTypePrefix + strings.TrimPrefix(v, "/")
	}
	if st := tsl.LookupServiceType(uri); st != nil {
		return Kind{TypeURI: st.URI}, nil
	}
	aliases := []string{AnyQualified.Alias}
	for _, k := range Aliases() {
		aliases = append(aliases, k.Alias)
	}
	return Kind{}, fmt.Errorf("unknown service type %q: use an alias (%s), a full ETSI URI, or its tail after Svctype/ such as CA/QC", s, strings.Join(aliases, ", "))
}
