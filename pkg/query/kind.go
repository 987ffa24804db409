package query

import (
	"fmt"
	"slices"
	"strings"

	"github.com/eutl/eutl/pkg/tsl"
)

// Kind is what a query asks about: one or more service types, optionally
// narrowed to a CA/QC scope, or any qualified type.
type Kind struct {
	// Alias is the eutl alias ("qc-esig"), or "" when given as a URI.
	Alias string
	// TypeURI is the service type; empty for [AnyQualified].
	TypeURI string
	// Also are further service types the alias selects: qerds selects
	// EDS/REM/Q (a registered e-mail service is a kind of registered
	// delivery service) besides EDS/Q.
	Also []string
	// Scope is the additional-service-information URI a CA/QC must declare
	// (ForeSignatures, ForeSeals, ForWebSiteAuthentication), or "".
	Scope string
	// Clause is where TS 119 612 defines the types (and scope) selected.
	Clause string
	// Meaning says in words what the alias selects.
	Meaning string
}

// AnyQualified matches every qualified service type (is P a QTSP?).
func AnyQualified() Kind { return anyQualified }

var anyQualified = Kind{Alias: "any", Clause: "5.5.1.1", Meaning: "any qualified trust service type (is the provider a QTSP?)"}

// TypeURIs are the service types the kind selects (none for [AnyQualified]:
// every qualified type).
func (k Kind) TypeURIs() []string {
	if k.TypeURI == "" {
		return nil
	}
	return append([]string{k.TypeURI}, k.Also...)
}

// Name is how the kind is shown: "qval (QESValidation/Q)", "qerds (EDS/Q
// or EDS/REM/Q)", "any qualified service".
func (k Kind) Name() string {
	var tails []string
	for _, u := range k.TypeURIs() {
		tails = append(tails, Tail(u))
	}
	types := strings.Join(tails, " or ")
	switch {
	case k.TypeURI == "":
		return "any qualified service"
	case k.Alias != "":
		return k.Alias + " (" + types + scopeSuffix(k.Scope) + ")"
	}
	return types
}

// serviceNoun is the kind as the object of a sentence: "a qval
// (QESValidation/Q) service", "a qualified service of any type".
func (k Kind) serviceNoun() string {
	if k.TypeURI == "" {
		return "qualified service of any type"
	}
	return k.Name() + " service"
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
	u := tsl.NormalizeURI(typeURI)
	return u == k.TypeURI || slices.Contains(k.Also, u)
}

// aliasDef is one row of the alias table: its meaning is the words of TS
// 119 612 clause 5.5.1.1 (qualified service types) for the types it
// selects, and of clause 5.5.9.4 (additionalServiceInformation) for a
// CA/QC scope.
type aliasDef struct {
	alias   string
	tails   []string // after Svctype/
	scope   string
	clause  string
	meaning string
}

var aliasTable = []aliasDef{
	{"qc", []string{"CA/QC"}, "", "5.5.1.1", "issues qualified certificates (any use)"},
	{"qc-esig", []string{"CA/QC"}, tsl.ASIForeSignatures, "5.5.1.1, 5.5.9.4", "issues qualified certificates for electronic signatures"},
	{"qc-eseal", []string{"CA/QC"}, tsl.ASIForeSeals, "5.5.1.1, 5.5.9.4", "issues qualified certificates for electronic seals"},
	{"qwac", []string{"CA/QC"}, tsl.ASIForWebSiteAuth, "5.5.1.1, 5.5.9.4", "issues qualified certificates for website authentication"},
	{"ocsp-qc", []string{"Certstatus/OCSP/QC"}, "", "5.5.1.1", "OCSP responder for qualified certificates"},
	{"crl-qc", []string{"Certstatus/CRL/QC"}, "", "5.5.1.1", "CRL issuer for qualified certificates"},
	{"qtst", []string{"TSA/QTST"}, "", "5.5.1.1", "qualified electronic time stamps"},
	{"qeds", []string{"EDS/Q"}, "", "5.5.1.1", "qualified electronic registered delivery service (EDS/Q only)"},
	{"qerds", []string{"EDS/Q", "EDS/REM/Q"}, "", "5.5.1.1", "qualified electronic registered delivery service, registered e-mail (REM) included"},
	{"qrem", []string{"EDS/REM/Q"}, "", "5.5.1.1", "qualified electronic registered mail (REM) delivery service only"},
	{"qpres", []string{"PSES/Q"}, "", "5.5.1.1", "qualified preservation of qualified signatures/seals"},
	{"qval", []string{"QESValidation/Q"}, "", "5.5.1.1", "qualified validation of qualified signatures/seals"},
	{"qsigcd", []string{"RemoteQSigCDManagement/Q"}, "", "5.5.1.1", "qualified management of remote qualified signature creation devices"},
	{"qsealcd", []string{"RemoteQSealCDManagement/Q"}, "", "5.5.1.1", "qualified management of remote qualified seal creation devices"},
	{"qeaa", []string{"EAA/Q"}, "", "5.5.1.1", "qualified electronic attestations of attributes"},
	{"qarch", []string{"ElectronicArchiving/Q"}, "", "5.5.1.1", "qualified electronic archiving"},
	{"qledger", []string{"Ledgers/Q"}, "", "5.5.1.1", "qualified electronic ledgers"},
}

func (a aliasDef) kind() Kind {
	k := Kind{Alias: a.alias, Scope: a.scope, Clause: a.clause, Meaning: a.meaning}
	for i, t := range a.tails {
		if i == 0 {
			k.TypeURI = tsl.ServiceTypePrefix + t
		} else {
			k.Also = append(k.Also, tsl.ServiceTypePrefix+t)
		}
	}
	return k
}

// Aliases lists every alias with its kind, sorted by alias; "any" last.
func Aliases() []Kind {
	out := make([]Kind, 0, len(aliasTable)+1)
	for _, a := range aliasTable {
		out = append(out, a.kind())
	}
	slices.SortFunc(out, func(a, b Kind) int { return strings.Compare(a.Alias, b.Alias) })
	return append(out, AnyQualified())
}

// ParseKind reads --service: an alias, a full service-type URI, or its tail
// after Svctype/ (e.g. "CA/QC", "Svctype/TLIssuer"), case-insensitively.
func ParseKind(s string) (Kind, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return Kind{}, fmt.Errorf("empty service type")
	}
	lv := strings.ToLower(v)
	if lv == "any" || lv == "qtsp" {
		return AnyQualified(), nil
	}
	for _, a := range aliasTable {
		if a.alias == lv {
			return a.kind(), nil
		}
	}
	if strings.Contains(v, "://") {
		if st := tsl.LookupServiceType(v); st != nil {
			return typeKind(st), nil
		}
	} else {
		tail := strings.Trim(v, "/")
		if len(tail) > len("svctype/") && strings.EqualFold(tail[:len("svctype/")], "svctype/") {
			tail = tail[len("svctype/"):]
		}
		for _, st := range tsl.ServiceTypes() {
			if strings.EqualFold(st.Tail, tail) {
				return typeKind(&st), nil
			}
		}
	}
	var aliases []string
	for _, k := range Aliases() {
		aliases = append(aliases, k.Alias)
	}
	return Kind{}, fmt.Errorf("unknown service type %q: use an alias (%s), a full ETSI URI, or its tail after Svctype/ such as CA/QC", s, strings.Join(aliases, ", "))
}

func typeKind(st *tsl.ServiceType) Kind {
	clause := map[tsl.Class]string{tsl.ClassQualified: "5.5.1.1", tsl.ClassNonQualified: "5.5.1.2", tsl.ClassNational: "5.5.1.3"}[st.Class]
	return Kind{TypeURI: st.URI, Clause: clause, Meaning: st.Meaning}
}
