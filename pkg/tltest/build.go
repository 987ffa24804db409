package tltest

import (
	"encoding/base64"
	"strconv"
	"time"

	"github.com/beevik/etree"

	"github.com/eutl/eutl/pkg/tsl"
)

// List describes a list to generate. Zero values get sensible defaults: a
// version 5 EUgeneric list issued 2026-01-01 with NextUpdate six months on.
type List struct {
	Territory    string
	Type         string // default tsl.TypeEUGeneric
	Version      int    // default 5
	Sequence     int    // default 1
	Issued       time.Time
	NextUpdate   time.Time
	Closed       bool // empty NextUpdate
	OperatorName string
	RootID       string // Id attribute of the root, if any
	// Prefix, when set, puts the TS 119 612 namespace on this prefix instead
	// of the default namespace (as some real lists do).
	Prefix string
	// SchemeInformationURIs are written in order (the LOTL uses them for pivots
	// and the Official Journal reference).
	SchemeInformationURIs []string
	Pointers              []Pointer
	Providers             []Provider
}

// Pointer is an OtherTSLPointer of a LOTL.
type Pointer struct {
	Territory string
	Location  string
	MimeType  string // default application/vnd.etsi.tsl+xml
	Type      string // default EUgeneric, or EUlistofthelists when Territory is EU
	Certs     [][]byte
}

// Provider is a TrustServiceProvider.
type Provider struct {
	Names      []tsl.LangString // default: one "en" name from Name
	Name       string
	TradeNames []string
	Services   []Service
}

// Service is a TSPService with its history (newest first, as lists write it).
type Service struct {
	Type       string // full URI or tail after Svctype/
	Name       string
	Status     string // full URI or tail after Svcstatus/
	Start      time.Time
	ASI        []string // full URIs or tails after SvcInfoExt/
	Qualifiers []string // tails after SvcInfoExt/
	// Qualifications, when set, are written as the ecc:Qualifications
	// extension instead of the default element Qualifiers makes.
	Qualifications []Qualification
	// SKIs are written as X509SKI DigitalIds (SubjectName + SKI identities).
	SKIs        [][]byte
	Certs       [][]byte
	SubjectName string
	History     []Instance
	// CriticalUnknownExtension adds a critical extension no parser knows.
	CriticalUnknownExtension bool
	// TakenOverBy, when set, names the provider that took the service over
	// (a TakenOverBy extension of the current entry, in the list's territory).
	TakenOverBy string
}

// Instance is a ServiceHistoryInstance.
type Instance struct {
	Type   string
	Name   string
	Status string
	Start  time.Time
	ASI    []string
	// Qualifications of this history instance (see Service.Qualifications).
	Qualifications []Qualification
}

func expand(prefix, v string) string {
	if v == "" || len(v) > 7 && v[:7] == "http://" || len(v) > 8 && v[:8] == "https://" {
		return v
	}
	return prefix + v
}

func dt(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// Build returns the unsigned document of l.
func Build(l List) *etree.Document {
	if l.Type == "" {
		l.Type = tsl.TypeEUGeneric
	}
	if l.Version == 0 {
		l.Version = 5
	}
	if l.Sequence == 0 {
		l.Sequence = 1
	}
	if l.Issued.IsZero() {
		l.Issued = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if l.NextUpdate.IsZero() && !l.Closed {
		l.NextUpdate = l.Issued.AddDate(0, 6, 0)
	}
	if l.OperatorName == "" {
		l.OperatorName = l.Territory + " test scheme operator"
	}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := doc.CreateElement("TrustServiceStatusList")
	root.CreateAttr("xmlns", tsl.NSTSL)
	root.CreateAttr("xmlns:tslx", tsl.NSAdditionalTypes)
	root.CreateAttr("xmlns:ecc", tsl.NSSIE)
	root.CreateAttr("xmlns:xades", tsl.NSXAdES132)
	root.CreateAttr("TSLTag", tsl.TSLTag)
	if l.RootID != "" {
		root.CreateAttr("Id", l.RootID)
	}
	si := root.CreateElement("SchemeInformation")
	si.CreateElement("TSLVersionIdentifier").SetText(strconv.Itoa(l.Version))
	si.CreateElement("TSLSequenceNumber").SetText(strconv.Itoa(l.Sequence))
	si.CreateElement("TSLType").SetText(l.Type)
	name(si.CreateElement("SchemeOperatorName"), "Name", l.OperatorName)
	addr := si.CreateElement("SchemeOperatorAddress")
	pa := addr.CreateElement("PostalAddresses").CreateElement("PostalAddress")
	pa.CreateAttr("xml:lang", "en")
	pa.CreateElement("StreetAddress").SetText("Rue de la Loi 1")
	pa.CreateElement("Locality").SetText("Brussels")
	pa.CreateElement("CountryName").SetText(l.Territory)
	name(addr.CreateElement("ElectronicAddress"), "URI", "mailto:operator@example.eu")
	name(si.CreateElement("SchemeName"), "Name", l.Territory+":test trusted list")
	if len(l.SchemeInformationURIs) > 0 {
		su := si.CreateElement("SchemeInformationURI")
		for _, u := range l.SchemeInformationURIs {
			e := su.CreateElement("URI")
			e.CreateAttr("xml:lang", "en")
			e.SetText(u)
		}
	}
	if l.Type == tsl.TypeEUListOfTheLists {
		si.CreateElement("StatusDeterminationApproach").SetText("http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/EUlistofthelists")
		name(si.CreateElement("SchemeTypeCommunityRules"), "URI", "http://uri.etsi.org/TrstSvc/TrustedList/schemerules/EUlistofthelists")
	} else {
		si.CreateElement("StatusDeterminationApproach").SetText("http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/EUappropriate")
		name(si.CreateElement("SchemeTypeCommunityRules"), "URI", "http://uri.etsi.org/TrstSvc/TrustedList/schemerules/EUcommon")
	}
	si.CreateElement("SchemeTerritory").SetText(l.Territory)
	name(si.CreateElement("PolicyOrLegalNotice"), "TSLLegalNotice", "Test list generated by eutl's tltest package.")
	si.CreateElement("HistoricalInformationPeriod").SetText("65535")
	if len(l.Pointers) > 0 {
		pts := si.CreateElement("PointersToOtherTSL")
		for _, p := range l.Pointers {
			writePointer(pts.CreateElement("OtherTSLPointer"), p)
		}
	}
	si.CreateElement("ListIssueDateTime").SetText(dt(l.Issued))
	nu := si.CreateElement("NextUpdate")
	if !l.Closed {
		nu.CreateElement("dateTime").SetText(dt(l.NextUpdate))
	}
	if l.Type != tsl.TypeEUListOfTheLists && len(l.Providers) > 0 {
		tspl := root.CreateElement("TrustServiceProviderList")
		for _, p := range l.Providers {
			writeProvider(tspl.CreateElement("TrustServiceProvider"), p, l.Territory)
		}
	}
	if l.Prefix != "" {
		root.RemoveAttr("xmlns")
		root.CreateAttr("xmlns:"+l.Prefix, tsl.NSTSL)
		var walk func(e *etree.Element)
		walk = func(e *etree.Element) {
			if e.Space == "" && e.SelectAttr("xmlns") == nil {
				e.Space = l.Prefix
			}
			for _, c := range e.ChildElements() {
				if c.SelectAttr("xmlns") == nil {
					walk(c)
				}
			}
		}
		walk(root)
	}
	return doc
}

func name(parent *etree.Element, tag, value string) {
	e := parent.CreateElement(tag)
	e.CreateAttr("xml:lang", "en")
	e.SetText(value)
}

func writePointer(e *etree.Element, p Pointer) {
	if p.MimeType == "" {
		p.MimeType = tsl.MimeTypeTSL
	}
	if p.Type == "" {
		p.Type = tsl.TypeEUGeneric
		if p.Territory == "EU" {
			p.Type = tsl.TypeEUListOfTheLists
		}
	}
	e.CreateElement("TSLLocation").SetText(p.Location)
	sdis := e.CreateElement("ServiceDigitalIdentities")
	for _, c := range p.Certs {
		sdis.CreateElement("ServiceDigitalIdentity").CreateElement("DigitalId").CreateElement("X509Certificate").SetText(base64.StdEncoding.EncodeToString(c))
	}
	ai := e.CreateElement("AdditionalInformation")
	ai.CreateElement("OtherInformation").CreateElement("TSLType").SetText(p.Type)
	ai.CreateElement("OtherInformation").CreateElement("SchemeTerritory").SetText(p.Territory)
	ai.CreateElement("OtherInformation").CreateElement("tslx:MimeType").SetText(p.MimeType)
	name(ai.CreateElement("OtherInformation").CreateElement("SchemeOperatorName"), "Name", p.Territory+" test scheme operator")
}

func writeProvider(e *etree.Element, p Provider, territory string) {
	info := e.CreateElement("TSPInformation")
	tn := info.CreateElement("TSPName")
	names := p.Names
	if len(names) == 0 {
		names = []tsl.LangString{{Lang: "en", Value: p.Name}}
	}
	for _, n := range names {
		ne := tn.CreateElement("Name")
		ne.CreateAttr("xml:lang", n.Lang)
		ne.SetText(n.Value)
	}
	if len(p.TradeNames) > 0 {
		tr := info.CreateElement("TSPTradeName")
		for _, n := range p.TradeNames {
			name(tr, "Name", n)
		}
	}
	addr := info.CreateElement("TSPAddress")
	pa := addr.CreateElement("PostalAddresses").CreateElement("PostalAddress")
	pa.CreateAttr("xml:lang", "en")
	pa.CreateElement("StreetAddress").SetText("Main Street 1")
	pa.CreateElement("Locality").SetText("Capital")
	pa.CreateElement("CountryName").SetText(territory)
	name(addr.CreateElement("ElectronicAddress"), "URI", "https://tsp.example/")
	name(info.CreateElement("TSPInformationURI"), "URI", "https://tsp.example/policy")
	svcs := e.CreateElement("TSPServices")
	for _, s := range p.Services {
		se := svcs.CreateElement("TSPService")
		si := se.CreateElement("ServiceInformation")
		writeInstance(si, Instance{Type: s.Type, Name: s.Name, Status: s.Status, Start: s.Start, ASI: s.ASI, Qualifications: s.Qualifications}, s)
		if s.TakenOverBy != "" {
			writeTakenOverBy(si, s.TakenOverBy, territory)
		}
		if len(s.History) > 0 {
			h := se.CreateElement("ServiceHistory")
			for _, hi := range s.History {
				writeInstance(h.CreateElement("ServiceHistoryInstance"), hi, Service{SubjectName: s.SubjectName})
			}
		}
	}
}

func writeInstance(e *etree.Element, in Instance, s Service) {
	e.CreateElement("ServiceTypeIdentifier").SetText(expand(tsl.ServiceTypePrefix, in.Type))
	name(e.CreateElement("ServiceName"), "Name", in.Name)
	sdi := e.CreateElement("ServiceDigitalIdentity")
	for _, c := range s.Certs {
		sdi.CreateElement("DigitalId").CreateElement("X509Certificate").SetText(base64.StdEncoding.EncodeToString(c))
	}
	sn := s.SubjectName
	if sn == "" {
		sn = "CN=" + in.Name
	}
	sdi.CreateElement("DigitalId").CreateElement("X509SubjectName").SetText(sn)
	for _, ski := range s.SKIs {
		sdi.CreateElement("DigitalId").CreateElement("X509SKI").SetText(base64.StdEncoding.EncodeToString(ski))
	}
	e.CreateElement("ServiceStatus").SetText(expand(tsl.StatusPrefix, in.Status))
	e.CreateElement("StatusStartingTime").SetText(dt(in.Start))
	if len(in.ASI) == 0 && len(s.Qualifiers) == 0 && len(in.Qualifications) == 0 && !s.CriticalUnknownExtension {
		return
	}
	exts := e.CreateElement("ServiceInformationExtensions")
	for _, a := range in.ASI {
		x := exts.CreateElement("Extension")
		x.CreateAttr("Critical", "true")
		u := x.CreateElement("AdditionalServiceInformation").CreateElement("URI")
		u.CreateAttr("xml:lang", "en")
		u.SetText(expand(tsl.SvcInfoExtPrefix, a))
	}
	if len(in.Qualifications) > 0 {
		writeQualifications(exts, in.Qualifications)
	} else if len(s.Qualifiers) > 0 {
		x := exts.CreateElement("Extension")
		x.CreateAttr("Critical", "true")
		qe := x.CreateElement("ecc:Qualifications").CreateElement("ecc:QualificationElement")
		qs := qe.CreateElement("ecc:Qualifiers")
		for _, q := range s.Qualifiers {
			qs.CreateElement("ecc:Qualifier").CreateAttr("uri", expand(tsl.SvcInfoExtPrefix, q))
		}
		cl := qe.CreateElement("ecc:CriteriaList")
		cl.CreateAttr("assert", "atLeastOne")
		kb := cl.CreateElement("ecc:KeyUsage").CreateElement("ecc:KeyUsageBit")
		kb.CreateAttr("name", "nonRepudiation")
		kb.SetText("true")
	}
	if s.CriticalUnknownExtension {
		x := exts.CreateElement("Extension")
		x.CreateAttr("Critical", "true")
		x.CreateElement("UnknownThing").CreateAttr("xmlns", "urn:example:unknown")
	}
}

// writeTakenOverBy adds a TakenOverBy extension to a ServiceInformation.
func writeTakenOverBy(si *etree.Element, tsp, territory string) {
	exts := si.SelectElement("ServiceInformationExtensions")
	if exts == nil {
		exts = si.CreateElement("ServiceInformationExtensions")
	}
	x := exts.CreateElement("Extension")
	x.CreateAttr("Critical", "false")
	tob := x.CreateElement("tslx:TakenOverBy")
	u := tob.CreateElement("tslx:URI")
	u.CreateAttr("xml:lang", "en")
	u.SetText("https://tsp.example/takeover")
	name(tob.CreateElement("tslx:TSPName"), "Name", tsp)
	name(tob.CreateElement("SchemeOperatorName"), "Name", territory+" test scheme operator")
	tob.CreateElement("SchemeTerritory").SetText(territory)
}
