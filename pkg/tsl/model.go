// Package tsl is the typed model of an ETSI TS 119 612 Trusted List (TL
// format 5 and 6) and its parser.
//
// The parser reads an element tree (see [Parse]); it does no I/O and no
// cryptography. In eutl the tree handed to [Parse] is always the content that
// package xmldsig verified, so nothing outside the signature can reach the
// model. [ParseBytes] parses unverified bytes and exists for tests and fuzzing.
//
// # Guarantees
//
//   - Elements are matched by namespace URI, never by prefix.
//   - Unknown elements are tolerated; an extension marked Critical="true" that
//     the parser does not recognise is an error, as TS 119 612 requires.
//   - Listed certificates are kept as DER and parsed by crypto/x509 only when
//     asked for (see [Certificate]); one Go cannot parse (RSA-PSS keys,
//     brainpool curves) says why when asked and never makes the whole list
//     unusable.
//   - Every error is a *[ParseError] that carries an XPath-like location such as
//     /TrustServiceStatusList/TrustServiceProviderList/TrustServiceProvider[3]/TSPServices/TSPService[12]/ServiceInformation/StatusStartingTime.
//
// The catalogue of service types, statuses, additional information and
// qualifier URIs is in uris.go ([ServiceTypes], [Statuses], [NormalizeURI]).
package tsl

import "time"

// LangString is a text in one language (xml:lang, lower-cased).
type LangString struct {
	Lang  string
	Value string
}

// MultiLang is a multilingual value: one entry per language as listed.
type MultiLang []LangString

// Get returns the value for lang, else the English one, else the first.
func (m MultiLang) Get(lang string) string {
	for _, s := range m {
		if s.Lang == lang {
			return s.Value
		}
	}
	for _, s := range m {
		if s.Lang == "en" {
			return s.Value
		}
	}
	if len(m) > 0 {
		return m[0].Value
	}
	return ""
}

// Values returns every value, in document order.
func (m MultiLang) Values() []string {
	out := make([]string, len(m))
	for i, s := range m {
		out[i] = s.Value
	}
	return out
}

// List is one Trusted List or List of Trusted Lists.
type List struct {
	// RootID is the Id attribute of the root element, if any.
	RootID string
	// Tag is the TSLTag attribute.
	Tag string

	Version                     int
	SequenceNumber              int
	Type                        string
	OperatorName                MultiLang
	OperatorAddress             Address
	SchemeName                  MultiLang
	SchemeInformationURI        MultiLang
	StatusDeterminationApproach string
	SchemeTypeCommunityRules    MultiLang
	Territory                   string
	PolicyOrLegalNotice         MultiLang
	HistoricalInformationPeriod int
	Pointers                    []Pointer
	IssueDate                   time.Time
	// NextUpdate is zero when the element is empty (a closed list).
	NextUpdate         time.Time
	DistributionPoints []string
	Providers          []Provider
}

// Closed reports whether the list is closed (NextUpdate present but empty).
func (l *List) Closed() bool { return l.NextUpdate.IsZero() }

// IsLOTL reports whether the list is a List of Trusted Lists.
func (l *List) IsLOTL() bool { return l.Type == TypeEUListOfTheLists }

// Pointer is an OtherTSLPointer: where another list lives and which
// certificates may sign it.
type Pointer struct {
	Location       string
	Certificates   []Certificate
	Type           string
	Territory      string
	MimeType       string
	OperatorName   MultiLang
	CommunityRules []string
	// Path is the location of the pointer in the list, for error messages.
	Path string
}

// Address is a postal and electronic address.
type Address struct {
	Postal     []PostalAddress
	Electronic MultiLang
}

// PostalAddress is one language version of a postal address.
type PostalAddress struct {
	Lang            string
	Street          string
	Locality        string
	StateOrProvince string
	PostalCode      string
	CountryName     string
}

// Provider is one TrustServiceProvider entry.
type Provider struct {
	Names          MultiLang
	TradeNames     MultiLang
	Address        Address
	InformationURI MultiLang
	Services       []Service
	Path           string
}

// Service is one TSPService: its current entry and its history.
type Service struct {
	Current                    ServiceInstance
	SchemeServiceDefinitionURI MultiLang
	SupplyPoints               []SupplyPoint
	TSPServiceDefinitionURI    MultiLang
	// History holds the ServiceHistoryInstance entries as listed (normally
	// newest first). Each instance carries its own extensions.
	History []ServiceInstance
	Path    string
}

// SupplyPoint is a ServiceSupplyPoint (v6 may carry a type).
type SupplyPoint struct {
	URI  string
	Type string
}

// ServiceInstance is the current ServiceInformation or one history instance.
type ServiceInstance struct {
	Type        string
	Names       MultiLang
	Identities  []DigitalID
	Status      string
	StatusStart time.Time
	Extensions  Extensions
	Path        string
}

// DigitalID is one ServiceDigitalIdentity (all its DigitalId entries).
type DigitalID struct {
	Certificates []Certificate
	SubjectNames []string
	SKIs         [][]byte
	KeyValues    int
	Other        []string
}

// Extensions are the recognised ServiceInformationExtensions.
type Extensions struct {
	AdditionalInfo             []AdditionalInfo
	Qualifications             []Qualification
	TakenOverBy                *TakenOverBy
	ExpiredCertsRevocationInfo *time.Time
	// Unknown counts non-critical extensions the parser does not model.
	Unknown int
}

// AdditionalInfo is an AdditionalServiceInformation extension.
type AdditionalInfo struct {
	URI              string
	Lang             string
	InformationValue string
	Critical         bool
}

// Qualification is one QualificationElement of an ecc:Qualifications extension.
type Qualification struct {
	Qualifiers []string
	Criteria   CriteriaList
	Critical   bool
}

// CriteriaList says which certificates of a CA/QC a qualification covers.
type CriteriaList struct {
	Assert            string
	KeyUsage          [][]KeyUsageBit
	PolicyIdentifiers []string
	Criteria          []CriteriaList
	Description       string
	ExtendedKeyUsages []string
	SubjectDNAttrs    []string

	// PolicySets holds each PolicySet on its own (a PolicySet matches when
	// every one of its identifiers is among the certificate's policies);
	// identifiers are trimmed and an "urn:oid:" prefix is removed.
	// PolicyIdentifiers above is their concatenation, as listed.
	PolicySets [][]string
	// ExtendedKeyUsageSets and SubjectDNAttrSets hold each
	// otherCriteriaList/ExtendedKeyUsage and CertSubjectDNAttribute element
	// on its own (each is one criterion).
	ExtendedKeyUsageSets [][]string
	SubjectDNAttrSets    [][]string
	// UnknownCriteria names the elements of otherCriteriaList the parser
	// does not model (namespace and local name); a qualification engine
	// must not treat them as satisfied.
	UnknownCriteria []string
	// Truncated is set when nested CriteriaList elements were dropped
	// because they exceed the nesting bound.
	Truncated bool
}

// KeyUsageBit is one KeyUsageBit of a criteria list.
type KeyUsageBit struct {
	Name  string
	Value bool
}

// TakenOverBy says the service moved to another provider.
type TakenOverBy struct {
	URI                MultiLang
	TSPName            MultiLang
	SchemeOperatorName MultiLang
	SchemeTerritory    string
}
