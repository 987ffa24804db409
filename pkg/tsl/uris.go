package tsl

import (
	"slices"
	"strings"

	"github.com/eutl/eutl/internal/xmltext"
)

// XML namespaces of ETSI TS 119 612 lists. Elements are always matched by
// namespace URI, never by prefix.
const (
	NSTSL             = "http://uri.etsi.org/02231/v2#"
	NSAdditionalTypes = "http://uri.etsi.org/02231/v2/additionaltypes#"
	NSSIE             = "http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#"
	NSXAdES132        = xmltext.NSXAdES132
	NSXAdES141        = "http://uri.etsi.org/01903/v1.4.1#"
	NSDSig            = xmltext.NSDSig
	NSXML             = "http://www.w3.org/XML/1998/namespace"
)

// URIs of list types, status determination and scheme rules, as ETSI TS
// 119 612 registers them.
const (
	TSLTag                   = "http://uri.etsi.org/19612/TSLTag"
	TypeEUGeneric            = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric"
	TypeEUListOfTheLists     = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists"
	MimeTypeTSL              = "application/vnd.etsi.tsl+xml"
	MimeTypePDF              = "application/pdf"
	svcTypePrefix            = "http://uri.etsi.org/TrstSvc/Svctype/"
	StatusPrefix             = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/"
	SvcInfoExtPrefix         = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/"
	ServiceTypePrefix        = svcTypePrefix
	StatusGranted            = StatusPrefix + "granted"
	StatusWithdrawn          = StatusPrefix + "withdrawn"
	ASIForeSignatures        = SvcInfoExtPrefix + "ForeSignatures"
	ASIForeSeals             = SvcInfoExtPrefix + "ForeSeals"
	ASIForWebSiteAuth        = SvcInfoExtPrefix + "ForWebSiteAuthentication"
	ASIRootCAQC              = SvcInfoExtPrefix + "RootCA-QC"
	ServiceTypeCAQC          = svcTypePrefix + "CA/QC"
	ServiceTypeOCSPQC        = svcTypePrefix + "Certstatus/OCSP/QC"
	ServiceTypeCRLQC         = svcTypePrefix + "Certstatus/CRL/QC"
	ServiceTypeQESValidation = svcTypePrefix + "QESValidation/Q"
	ServiceTypeTSAQTST       = svcTypePrefix + "TSA/QTST"
)

// Class says how the decision rules treat a service type.
type Class int

const (
	// ClassUnknown is a type the catalogue does not know: never qualified.
	ClassUnknown Class = iota
	// ClassQualified is a qualified trust service type (TS 119 612 §5.5.1.1).
	ClassQualified
	// ClassNonQualified is a non-qualified type (§5.5.1.2).
	ClassNonQualified
	// ClassNational is a nationally defined type (§5.5.1.3).
	ClassNational
)

func (c Class) String() string {
	switch c {
	case ClassQualified:
		return "qualified"
	case ClassNonQualified:
		return "non-qualified"
	case ClassNational:
		return "national"
	}
	return "unknown"
}

// ServiceType is one entry of the service-type catalogue.
type ServiceType struct {
	URI     string
	Tail    string // the part after Svctype/
	Alias   string // the eutl alias, empty when none
	Meaning string
	Class   Class
	// QCFamily is set for CA/QC and the QC status services: the types for which
	// Directive-era statuses still count as qualified.
	QCFamily bool
	// EIDAS2 marks the types added by TS 119 612 v2.4.1 (TL format 6).
	EIDAS2 bool
}

func st(tail, alias, meaning string, class Class, qcFamily, eidas2 bool) ServiceType {
	return ServiceType{URI: svcTypePrefix + tail, Tail: tail, Alias: alias, Meaning: meaning, Class: class, QCFamily: qcFamily, EIDAS2: eidas2}
}

// serviceTypes is the catalogue of every registered service type; read it
// through [ServiceTypes].
var serviceTypes = []ServiceType{
	st("CA/QC", "qc", "issues qualified certificates", ClassQualified, true, false),
	st("Certstatus/OCSP/QC", "ocsp-qc", "OCSP responder for qualified certificates", ClassQualified, true, false),
	st("Certstatus/CRL/QC", "crl-qc", "CRL issuer for qualified certificates", ClassQualified, true, false),
	st("TSA/QTST", "qtst", "qualified electronic time stamps", ClassQualified, false, false),
	st("EDS/Q", "qeds", "qualified electronic registered delivery", ClassQualified, false, false),
	st("EDS/REM/Q", "qrem", "qualified registered electronic mail", ClassQualified, false, false),
	st("PSES/Q", "qpres", "qualified preservation of qualified signatures/seals", ClassQualified, false, false),
	st("QESValidation/Q", "qval", "qualified validation of qualified signatures/seals", ClassQualified, false, false),
	st("RemoteQSigCDManagement/Q", "qsigcd", "qualified management of remote signature creation devices", ClassQualified, false, true),
	st("RemoteQSealCDManagement/Q", "qsealcd", "qualified management of remote seal creation devices", ClassQualified, false, true),
	st("EAA/Q", "qeaa", "qualified electronic attestations of attributes", ClassQualified, false, true),
	st("ElectronicArchiving/Q", "qarch", "qualified electronic archiving", ClassQualified, false, true),
	st("Ledgers/Q", "qledger", "qualified electronic ledgers", ClassQualified, false, true),

	st("CA/PKC", "", "issues non-qualified certificates", ClassNonQualified, false, false),
	st("Certstatus/OCSP", "", "OCSP responder (non-qualified)", ClassNonQualified, false, false),
	st("Certstatus/CRL", "", "CRL issuer (non-qualified)", ClassNonQualified, false, false),
	st("TSA", "", "time stamps (non-qualified)", ClassNonQualified, false, false),
	st("TSA/TSS-QC", "", "time stamps tied to QC validation (non-qualified)", ClassNonQualified, false, false),
	st("TSA/TSS-AdESQCandQES", "", "time stamps tied to AdES/QES validation (non-qualified)", ClassNonQualified, false, false),
	st("EDS", "", "electronic delivery (non-qualified)", ClassNonQualified, false, false),
	st("EDS/REM", "", "registered e-mail (non-qualified)", ClassNonQualified, false, false),
	st("PSES", "", "preservation of signatures/seals (non-qualified)", ClassNonQualified, false, false),
	st("AdESValidation", "", "validation of advanced signatures/seals", ClassNonQualified, false, false),
	st("AdESGeneration", "", "generation of advanced signatures/seals", ClassNonQualified, false, false),
	st("RemoteSigCDManagement", "", "management of remote signature creation devices (non-qualified)", ClassNonQualified, false, true),
	st("RemoteSealCDManagement", "", "management of remote seal creation devices (non-qualified)", ClassNonQualified, false, true),
	st("EAA", "", "electronic attestations of attributes (non-qualified)", ClassNonQualified, false, true),
	st("EAA/Pub-EAA", "", "attestations of attributes by or for a public body", ClassNonQualified, false, true),
	st("ElectronicArchiving", "", "electronic archiving (non-qualified)", ClassNonQualified, false, true),
	st("Ledgers", "", "electronic ledgers (non-qualified)", ClassNonQualified, false, true),
	st("PKCValidation", "", "validation of public-key certificates", ClassNonQualified, false, true),
	st("PKCPreservation", "", "preservation of public-key certificates", ClassNonQualified, false, true),
	st("EAAValidation", "", "validation of attestations of attributes", ClassNonQualified, false, true),
	st("TSTValidation", "", "validation of time stamps", ClassNonQualified, false, true),
	st("EDSValidation", "", "validation of electronic delivery evidence", ClassNonQualified, false, true),
	st("CA/PKC/CertsforOtherTypesOfTS", "", "issues certificates for other trust services", ClassNonQualified, false, true),
	st("PKCValidation/CertsforOtherTypesOfTS", "", "validation of certificates for other trust services", ClassNonQualified, false, true),

	st("RA", "", "registration authority", ClassNational, false, false),
	st("RA/nothavingPKIid", "", "registration authority without PKI identity", ClassNational, false, false),
	st("ACA", "", "attribute certificate authority", ClassNational, false, false),
	st("SignaturePolicyAuthority", "", "signature policy authority", ClassNational, false, false),
	st("Archiv", "", "archival service", ClassNational, false, false),
	st("Archiv/nothavingPKIid", "", "archival service without PKI identity", ClassNational, false, false),
	st("IdV", "", "identity verification", ClassNational, false, false),
	st("IdV/nothavingPKIid", "", "identity verification without PKI identity", ClassNational, false, false),
	st("KEscrow", "", "key escrow", ClassNational, false, false),
	st("KEscrow/nothavingPKIid", "", "key escrow without PKI identity", ClassNational, false, false),
	st("PPwd", "", "personal password service", ClassNational, false, false),
	st("PPwd/nothavingPKIid", "", "personal password service without PKI identity", ClassNational, false, false),
	st("TLIssuer", "", "trusted list issuer", ClassNational, false, false),
	st("NationalRootCA-QC", "", "national root CA for QCs (never qualified)", ClassNational, false, false),
	st("unspecified", "", "unspecified", ClassNational, false, false),
}

var serviceTypeByURI = func() map[string]*ServiceType {
	m := make(map[string]*ServiceType, len(serviceTypes))
	for i := range serviceTypes {
		m[serviceTypes[i].URI] = &serviceTypes[i]
	}
	return m
}()

// LookupServiceType returns the catalogue entry of a service-type URI after
// [NormalizeURI], or nil when the URI is not registered.
func LookupServiceType(uri string) *ServiceType {
	return serviceTypeByURI[NormalizeURI(uri)]
}

// Era is the legal framework a status belongs to.
type Era int

const (
	EraUnknown Era = iota
	// EraDirective is a status of Directive 1999/93/EC (before 2016-07-01).
	EraDirective
	// EraEIDAS is a status of Regulation (EU) 910/2014 (from 2016-07-01).
	EraEIDAS
)

// Status is one entry of the service-status catalogue.
type Status struct {
	URI     string
	Tail    string
	Era     Era
	Meaning string
	// Approving is set for the statuses that can make a service qualified:
	// granted (eIDAS) and the Directive-era supervision and accreditation
	// statuses (for the QC family only, see package query).
	Approving bool
}

// statuses is the catalogue of service statuses; read it through [Statuses].
var statuses = []Status{
	{StatusGranted, "granted", EraEIDAS, "qualified status granted", true},
	{StatusWithdrawn, "withdrawn", EraEIDAS, "qualified status withdrawn", false},
	{StatusPrefix + "recognisedatnationallevel", "recognisedatnationallevel", EraEIDAS, "recognised at national level", false},
	{StatusPrefix + "deprecatedatnationallevel", "deprecatedatnationallevel", EraEIDAS, "deprecated at national level", false},
	{StatusPrefix + "undersupervision", "undersupervision", EraDirective, "under supervision (Directive 1999/93/EC)", true},
	{StatusPrefix + "supervisionincessation", "supervisionincessation", EraDirective, "supervision in cessation (Directive 1999/93/EC)", true},
	{StatusPrefix + "accredited", "accredited", EraDirective, "accredited (Directive 1999/93/EC)", true},
	{StatusPrefix + "supervisionceased", "supervisionceased", EraDirective, "supervision ceased", false},
	{StatusPrefix + "supervisionrevoked", "supervisionrevoked", EraDirective, "supervision revoked", false},
	{StatusPrefix + "accreditationceased", "accreditationceased", EraDirective, "accreditation ceased", false},
	{StatusPrefix + "accreditationrevoked", "accreditationrevoked", EraDirective, "accreditation revoked", false},
	{StatusPrefix + "setbynationallaw", "setbynationallaw", EraDirective, "set by national law", false},
	{StatusPrefix + "deprecatedbynationallaw", "deprecatedbynationallaw", EraDirective, "deprecated by national law", false},
}

var statusByURI = func() map[string]*Status {
	m := make(map[string]*Status, len(statuses))
	for i := range statuses {
		m[statuses[i].URI] = &statuses[i]
	}
	return m
}()

// LookupStatus returns the catalogue entry of a status URI after
// [NormalizeURI], or nil when it is not registered.
func LookupStatus(uri string) *Status { return statusByURI[NormalizeURI(uri)] }

// additionalInfoURIs lists the registered additional-service-information URIs;
// read it through [AdditionalInfoURIs].
var additionalInfoURIs = []string{ASIForeSignatures, ASIForeSeals, ASIForWebSiteAuth, ASIRootCAQC}

// qualifierURIs lists the registered qualifier URIs (valid on CA/QC only);
// read it through [QualifierURIs].
var qualifierURIs = func() []string {
	tails := []string{"QCWithSSCD", "QCNoSSCD", "QCSSCDStatusAsInCert", "QCWithQSCD", "QCNoQSCD",
		"QCQSCDStatusAsInCert", "QCQSCDManagedOnBehalf", "QCForLegalPerson", "QCForESig", "QCForESeal",
		"QCForWSA", "NotQualified", "QCStatement"}
	out := make([]string, len(tails))
	for i, t := range tails {
		out[i] = SvcInfoExtPrefix + t
	}
	return out
}()

// NormalizeURI maps the spelling variants seen in real lists onto the
// registered form: https→http, no trailing slash, "CertStatus" (Annex J)
// → "Certstatus", and the old "TrstSvd" spelling of TLIssuer → "TrstSvc".
// Surrounding white space is removed.
func NormalizeURI(u string) string {
	u = strings.TrimSpace(u)
	if strings.HasPrefix(u, "https://uri.etsi.org/") {
		u = "http://" + strings.TrimPrefix(u, "https://")
	}
	u = strings.TrimRight(u, "/")
	if strings.HasPrefix(u, "http://uri.etsi.org/TrstSvd/") {
		u = "http://uri.etsi.org/TrstSvc/" + strings.TrimPrefix(u, "http://uri.etsi.org/TrstSvd/")
	}
	if strings.HasPrefix(u, svcTypePrefix+"CertStatus/") {
		u = svcTypePrefix + "Certstatus/" + strings.TrimPrefix(u, svcTypePrefix+"CertStatus/")
	}
	return u
}

// ServiceTypes returns the catalogue of every registered service type (a
// copy: the catalogue itself cannot be changed).
func ServiceTypes() []ServiceType { return slices.Clone(serviceTypes) }

// Statuses returns the catalogue of service statuses (a copy).
func Statuses() []Status { return slices.Clone(statuses) }

// AdditionalInfoURIs returns the registered additional-service-information
// URIs (a copy).
func AdditionalInfoURIs() []string { return slices.Clone(additionalInfoURIs) }

// QualifierURIs returns the registered qualifier URIs, valid on CA/QC only
// (a copy).
func QualifierURIs() []string { return slices.Clone(qualifierURIs) }
