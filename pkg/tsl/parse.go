package tsl

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/eutl/eutl/internal/xmltext"
)

// ParseError is a problem at one place of a list.
type ParseError struct {
	// Path is an XPath-like location, e.g.
	// /TrustServiceStatusList/SchemeInformation/TSLSequenceNumber.
	Path string
	Err  error
}

func (e *ParseError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }

// ErrCriticalExtension is wrapped by the error for an unrecognised extension
// marked critical.
var ErrCriticalExtension = errors.New("unrecognised critical extension")

// node is an element with its location for error messages.
type node struct {
	el   *etree.Element
	path string
}

func (n node) errf(format string, args ...any) error {
	return &ParseError{Path: n.path, Err: fmt.Errorf(format, args...)}
}

// children returns the child elements named local in namespace ns, with
// their paths ("Name[i]" when there are several, as XPath counts).
func (n node) children(ns, local string) []node {
	var els []*etree.Element
	for _, t := range n.el.Child {
		if c, ok := t.(*etree.Element); ok && c.Tag == local && c.NamespaceURI() == ns {
			els = append(els, c)
		}
	}
	out := make([]node, len(els))
	for i, c := range els {
		p := n.path + "/" + local
		if len(els) > 1 {
			p += "[" + strconv.Itoa(i+1) + "]"
		}
		out[i] = node{c, p}
	}
	return out
}

// child returns the first child named local in ns, if any.
func (n node) child(ns, local string) (node, bool) {
	for _, t := range n.el.Child {
		if c, ok := t.(*etree.Element); ok && c.Tag == local && c.NamespaceURI() == ns {
			return node{c, n.path + "/" + local}, true
		}
	}
	return node{}, false
}

// require returns the single child named local or an error.
func (n node) require(ns, local string) (node, error) {
	cs := n.children(ns, local)
	switch len(cs) {
	case 1:
		return cs[0], nil
	case 0:
		return node{}, n.errf("missing element %s", local)
	}
	return node{}, n.errf("element %s appears %d times, expected once", local, len(cs))
}

func (n node) text() string { return strings.TrimSpace(TextContent(n.el)) }

// TextContent is all the character data directly inside el (see
// internal/xmltext: a comment inside a signed text must not truncate it).
func TextContent(el *etree.Element) string { return xmltext.Content(el) }

func (n node) lang() string {
	for _, a := range n.el.Attr {
		if a.Key == "lang" && (a.Space == "xml" || a.NamespaceURI() == NSXML) {
			return strings.ToLower(strings.TrimSpace(a.Value))
		}
	}
	return ""
}

func (n node) attr(key string) (string, bool) {
	for _, a := range n.el.Attr {
		if a.Space == "" && a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// ParseBytes parses an unverified list. eutl itself only parses content that
// xmldsig has verified (see [Parse]); this entry point serves tests, tools and
// fuzzing.
func ParseBytes(data []byte) (*List, error) {
	doc := etree.NewDocument()
	doc.ReadSettings = etree.ReadSettings{MaxDepth: 64}
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, &ParseError{Path: "/", Err: fmt.Errorf("not well-formed XML: %w", err)}
	}
	root := doc.Root()
	if root == nil {
		return nil, &ParseError{Path: "/", Err: errors.New("no root element")}
	}
	return Parse(root)
}

// Parse reads a list from its root element.
func Parse(root *etree.Element) (*List, error) {
	r := node{root, "/" + root.Tag}
	if root.Tag != "TrustServiceStatusList" || root.NamespaceURI() != NSTSL {
		return nil, r.errf("root element is {%s}%s, expected {%s}TrustServiceStatusList", root.NamespaceURI(), root.Tag, NSTSL)
	}
	l := &List{}
	l.RootID, _ = r.attr("Id")
	l.Tag, _ = r.attr("TSLTag")
	si, err := r.require(NSTSL, "SchemeInformation")
	if err != nil {
		return nil, err
	}
	if err := parseSchemeInformation(si, l); err != nil {
		return nil, err
	}
	if tspl, ok := r.child(NSTSL, "TrustServiceProviderList"); ok {
		for _, tn := range tspl.children(NSTSL, "TrustServiceProvider") {
			p, err := parseProvider(tn)
			if err != nil {
				return nil, err
			}
			l.Providers = append(l.Providers, p)
		}
	}
	return l, nil
}

func parseInt(n node) (int, error) {
	v, err := strconv.Atoi(n.text())
	if err != nil {
		return 0, n.errf("%q is not an integer", n.text())
	}
	return v, nil
}

// ParseTime reads an xs:dateTime as lists write it. A value without a zone
// is taken as UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an xs:dateTime", s)
}

func parseTimeNode(n node) (time.Time, error) {
	t, err := ParseTime(n.text())
	if err != nil {
		return time.Time{}, &ParseError{Path: n.path, Err: err}
	}
	return t, nil
}

func multiLang(n node, local string) MultiLang {
	var out MultiLang
	for _, c := range n.children(NSTSL, local) {
		out = append(out, LangString{Lang: c.lang(), Value: TextContent(c.el)})
	}
	return out
}

func parseSchemeInformation(si node, l *List) error {
	v, err := si.require(NSTSL, "TSLVersionIdentifier")
	if err != nil {
		return err
	}
	if l.Version, err = parseInt(v); err != nil {
		return err
	}
	seq, err := si.require(NSTSL, "TSLSequenceNumber")
	if err != nil {
		return err
	}
	if l.SequenceNumber, err = parseInt(seq); err != nil {
		return err
	}
	if l.SequenceNumber < 1 {
		return seq.errf("sequence number %d is below 1", l.SequenceNumber)
	}
	t, err := si.require(NSTSL, "TSLType")
	if err != nil {
		return err
	}
	l.Type = t.text()
	if on, ok := si.child(NSTSL, "SchemeOperatorName"); ok {
		l.OperatorName = multiLang(on, "Name")
	}
	if oa, ok := si.child(NSTSL, "SchemeOperatorAddress"); ok {
		l.OperatorAddress = parseAddress(oa)
	}
	if sn, ok := si.child(NSTSL, "SchemeName"); ok {
		l.SchemeName = multiLang(sn, "Name")
	}
	if su, ok := si.child(NSTSL, "SchemeInformationURI"); ok {
		l.SchemeInformationURI = multiLang(su, "URI")
	}
	if sd, ok := si.child(NSTSL, "StatusDeterminationApproach"); ok {
		l.StatusDeterminationApproach = sd.text()
	}
	if cr, ok := si.child(NSTSL, "SchemeTypeCommunityRules"); ok {
		l.SchemeTypeCommunityRules = multiLang(cr, "URI")
	}
	terr, err := si.require(NSTSL, "SchemeTerritory")
	if err != nil {
		return err
	}
	l.Territory = terr.text()
	if pl, ok := si.child(NSTSL, "PolicyOrLegalNotice"); ok {
		l.PolicyOrLegalNotice = append(multiLang(pl, "TSLPolicy"), multiLang(pl, "TSLLegalNotice")...)
	}
	if hp, ok := si.child(NSTSL, "HistoricalInformationPeriod"); ok {
		if l.HistoricalInformationPeriod, err = parseInt(hp); err != nil {
			return err
		}
	}
	if pts, ok := si.child(NSTSL, "PointersToOtherTSL"); ok {
		for _, pn := range pts.children(NSTSL, "OtherTSLPointer") {
			p, err := parsePointer(pn)
			if err != nil {
				return err
			}
			l.Pointers = append(l.Pointers, p)
		}
	}
	id, err := si.require(NSTSL, "ListIssueDateTime")
	if err != nil {
		return err
	}
	if l.IssueDate, err = parseTimeNode(id); err != nil {
		return err
	}
	nu, err := si.require(NSTSL, "NextUpdate")
	if err != nil {
		return err
	}
	if dt, ok := nu.child(NSTSL, "dateTime"); ok && dt.text() != "" {
		if l.NextUpdate, err = parseTimeNode(dt); err != nil {
			return err
		}
	}
	if dp, ok := si.child(NSTSL, "DistributionPoints"); ok {
		for _, u := range dp.children(NSTSL, "URI") {
			l.DistributionPoints = append(l.DistributionPoints, u.text())
		}
	}
	if ext, ok := si.child(NSTSL, "SchemeExtensions"); ok {
		if err := checkUnknownExtensions(ext); err != nil {
			return err
		}
	}
	return nil
}

// checkUnknownExtensions rejects any critical Extension below n: used for
// extension containers whose content eutl does not model.
func checkUnknownExtensions(n node) error {
	for _, e := range n.children(NSTSL, "Extension") {
		if c, _ := e.attr("Critical"); isTrue(c) {
			return &ParseError{Path: e.path, Err: fmt.Errorf("%w: %s", ErrCriticalExtension, describeFirstChild(e))}
		}
	}
	return nil
}

func describeFirstChild(n node) string {
	for _, c := range n.el.ChildElements() {
		return "{" + c.NamespaceURI() + "}" + c.Tag
	}
	return "empty extension"
}

func isTrue(s string) bool {
	s = strings.TrimSpace(s)
	return s == "true" || s == "1"
}

func parseAddress(n node) Address {
	var a Address
	if pa, ok := n.child(NSTSL, "PostalAddresses"); ok {
		for _, p := range pa.children(NSTSL, "PostalAddress") {
			get := func(local string) string {
				if c, ok := p.child(NSTSL, local); ok {
					return c.text()
				}
				return ""
			}
			a.Postal = append(a.Postal, PostalAddress{
				Lang: p.lang(), Street: get("StreetAddress"), Locality: get("Locality"),
				StateOrProvince: get("StateOrProvince"), PostalCode: get("PostalCode"), CountryName: get("CountryName"),
			})
		}
	}
	if ea, ok := n.child(NSTSL, "ElectronicAddress"); ok {
		a.Electronic = multiLang(ea, "URI")
	}
	return a
}

func parsePointer(pn node) (Pointer, error) {
	p := Pointer{Path: pn.path}
	loc, err := pn.require(NSTSL, "TSLLocation")
	if err != nil {
		return p, err
	}
	p.Location = loc.text()
	if sdis, ok := pn.child(NSTSL, "ServiceDigitalIdentities"); ok {
		for _, sdi := range sdis.children(NSTSL, "ServiceDigitalIdentity") {
			id, err := parseDigitalID(sdi)
			if err != nil {
				return p, err
			}
			p.Certificates = append(p.Certificates, id.Certificates...)
		}
	}
	if ai, ok := pn.child(NSTSL, "AdditionalInformation"); ok {
		for _, oi := range ai.children(NSTSL, "OtherInformation") {
			for _, c := range oi.el.ChildElements() {
				cn := node{c, oi.path + "/" + c.Tag}
				switch {
				case c.Tag == "TSLType" && c.NamespaceURI() == NSTSL:
					p.Type = cn.text()
				case c.Tag == "SchemeTerritory" && c.NamespaceURI() == NSTSL:
					p.Territory = cn.text()
				case c.Tag == "MimeType" && c.NamespaceURI() == NSAdditionalTypes:
					p.MimeType = cn.text()
				case c.Tag == "SchemeOperatorName" && c.NamespaceURI() == NSTSL:
					p.OperatorName = multiLang(cn, "Name")
				case c.Tag == "SchemeTypeCommunityRules" && c.NamespaceURI() == NSTSL:
					for _, u := range cn.children(NSTSL, "URI") {
						p.CommunityRules = append(p.CommunityRules, u.text())
					}
				}
			}
		}
	}
	return p, nil
}

// ParseCertificate keeps the DER bytes and, when Go can, the parsed form.
func ParseCertificate(der []byte) Certificate {
	c := Certificate{Raw: der}
	cert, err := x509.ParseCertificate(der)
	switch {
	case err != nil:
		c.ParseError = err.Error()
	case cert.PublicKey == nil:
		c.Cert = cert
		c.ParseError = "public key algorithm not supported by crypto/x509 (" + cert.PublicKeyAlgorithm.String() + ")"
	default:
		c.Cert = cert
	}
	return c
}

func parseDigitalID(n node) (DigitalID, error) {
	var d DigitalID
	for _, di := range n.children(NSTSL, "DigitalId") {
		for _, c := range di.el.ChildElements() {
			cn := node{c, di.path + "/" + c.Tag}
			switch {
			case c.Tag == "X509Certificate" && c.NamespaceURI() == NSTSL:
				der, err := xmltext.DecodeBase64(TextContent(c))
				if err != nil {
					return d, cn.errf("certificate is not valid base64: %v", err)
				}
				d.Certificates = append(d.Certificates, ParseCertificate(der))
			case c.Tag == "X509SubjectName" && c.NamespaceURI() == NSTSL:
				d.SubjectNames = append(d.SubjectNames, cn.text())
			case c.Tag == "X509SKI" && c.NamespaceURI() == NSTSL:
				ski, err := xmltext.DecodeBase64(TextContent(c))
				if err != nil {
					return d, cn.errf("X509SKI is not valid base64: %v", err)
				}
				d.SKIs = append(d.SKIs, ski)
			case c.Tag == "KeyValue" && c.NamespaceURI() == NSDSig:
				d.KeyValues++
			case c.Tag == "Other" && c.NamespaceURI() == NSTSL:
				d.Other = append(d.Other, cn.text())
			}
		}
	}
	return d, nil
}

func parseProvider(tn node) (Provider, error) {
	p := Provider{Path: tn.path}
	info, err := tn.require(NSTSL, "TSPInformation")
	if err != nil {
		return p, err
	}
	name, err := info.require(NSTSL, "TSPName")
	if err != nil {
		return p, err
	}
	p.Names = multiLang(name, "Name")
	if tr, ok := info.child(NSTSL, "TSPTradeName"); ok {
		p.TradeNames = multiLang(tr, "Name")
	}
	if a, ok := info.child(NSTSL, "TSPAddress"); ok {
		p.Address = parseAddress(a)
	}
	if u, ok := info.child(NSTSL, "TSPInformationURI"); ok {
		p.InformationURI = multiLang(u, "URI")
	}
	if ext, ok := info.child(NSTSL, "TSPInformationExtensions"); ok {
		if err := checkUnknownExtensions(ext); err != nil {
			return p, err
		}
	}
	if svcs, ok := tn.child(NSTSL, "TSPServices"); ok {
		for _, sn := range svcs.children(NSTSL, "TSPService") {
			s, err := parseService(sn)
			if err != nil {
				return p, err
			}
			p.Services = append(p.Services, s)
		}
	}
	return p, nil
}

func parseService(sn node) (Service, error) {
	s := Service{Path: sn.path}
	si, err := sn.require(NSTSL, "ServiceInformation")
	if err != nil {
		return s, err
	}
	if s.Current, err = parseInstance(si); err != nil {
		return s, err
	}
	if u, ok := si.child(NSTSL, "SchemeServiceDefinitionURI"); ok {
		s.SchemeServiceDefinitionURI = multiLang(u, "URI")
	}
	if sp, ok := si.child(NSTSL, "ServiceSupplyPoints"); ok {
		for _, p := range sp.children(NSTSL, "ServiceSupplyPoint") {
			typ, _ := p.attr("type")
			s.SupplyPoints = append(s.SupplyPoints, SupplyPoint{URI: p.text(), Type: typ})
		}
	}
	if u, ok := si.child(NSTSL, "TSPServiceDefinitionURI"); ok {
		s.TSPServiceDefinitionURI = multiLang(u, "URI")
	}
	if h, ok := sn.child(NSTSL, "ServiceHistory"); ok {
		for _, hn := range h.children(NSTSL, "ServiceHistoryInstance") {
			inst, err := parseInstance(hn)
			if err != nil {
				return s, err
			}
			s.History = append(s.History, inst)
		}
	}
	return s, nil
}

func parseInstance(n node) (ServiceInstance, error) {
	inst := ServiceInstance{Path: n.path}
	t, err := n.require(NSTSL, "ServiceTypeIdentifier")
	if err != nil {
		return inst, err
	}
	inst.Type = t.text()
	if name, ok := n.child(NSTSL, "ServiceName"); ok {
		inst.Names = multiLang(name, "Name")
	}
	for _, sdi := range n.children(NSTSL, "ServiceDigitalIdentity") {
		id, err := parseDigitalID(sdi)
		if err != nil {
			return inst, err
		}
		inst.Identities = append(inst.Identities, id)
	}
	st, err := n.require(NSTSL, "ServiceStatus")
	if err != nil {
		return inst, err
	}
	inst.Status = st.text()
	start, err := n.require(NSTSL, "StatusStartingTime")
	if err != nil {
		return inst, err
	}
	if inst.StatusStart, err = parseTimeNode(start); err != nil {
		return inst, err
	}
	if ext, ok := n.child(NSTSL, "ServiceInformationExtensions"); ok {
		if inst.Extensions, err = parseExtensions(ext); err != nil {
			return inst, err
		}
	}
	return inst, nil
}

func parseExtensions(n node) (Extensions, error) {
	var x Extensions
	for _, e := range n.children(NSTSL, "Extension") {
		critAttr, _ := e.attr("Critical")
		critical := isTrue(critAttr)
		recognised := false
		for _, c := range e.el.ChildElements() {
			cn := node{c, e.path + "/" + c.Tag}
			ns := c.NamespaceURI()
			switch {
			case c.Tag == "AdditionalServiceInformation" && ns == NSTSL:
				recognised = true
				ai := AdditionalInfo{Critical: critical}
				if u, ok := cn.child(NSTSL, "URI"); ok {
					ai.URI, ai.Lang = u.text(), u.lang()
				}
				if v, ok := cn.child(NSTSL, "InformationValue"); ok {
					ai.InformationValue = v.text()
				}
				x.AdditionalInfo = append(x.AdditionalInfo, ai)
			case c.Tag == "Qualifications" && ns == NSSIE:
				recognised = true
				for _, qe := range cn.children(NSSIE, "QualificationElement") {
					q := Qualification{Critical: critical}
					if qs, ok := qe.child(NSSIE, "Qualifiers"); ok {
						for _, qn := range qs.children(NSSIE, "Qualifier") {
							u, _ := qn.attr("uri")
							q.Qualifiers = append(q.Qualifiers, strings.TrimSpace(u))
						}
					}
					if cl, ok := qe.child(NSSIE, "CriteriaList"); ok {
						q.Criteria = parseCriteria(cl, 0)
					}
					x.Qualifications = append(x.Qualifications, q)
				}
			case c.Tag == "TakenOverBy" && ns == NSAdditionalTypes:
				recognised = true
				tob := &TakenOverBy{}
				if u, ok := cn.child(NSAdditionalTypes, "URI"); ok {
					tob.URI = MultiLang{{Lang: u.lang(), Value: u.text()}}
				}
				if tn, ok := cn.child(NSAdditionalTypes, "TSPName"); ok {
					tob.TSPName = multiLang(tn, "Name")
				}
				if on, ok := cn.child(NSTSL, "SchemeOperatorName"); ok {
					tob.SchemeOperatorName = multiLang(on, "Name")
				}
				if st, ok := cn.child(NSTSL, "SchemeTerritory"); ok {
					tob.SchemeTerritory = st.text()
				}
				x.TakenOverBy = tob
			case c.Tag == "ExpiredCertsRevocationInfo" && ns == NSTSL:
				recognised = true
				t, err := parseTimeNode(cn)
				if err != nil {
					return x, err
				}
				x.ExpiredCertsRevocationInfo = &t
			}
		}
		if !recognised {
			if critical {
				return x, &ParseError{Path: e.path, Err: fmt.Errorf("%w: %s", ErrCriticalExtension, describeFirstChild(e))}
			}
			x.Unknown++
		}
	}
	return x, nil
}

// maxCriteriaDepth bounds nested CriteriaList recursion.
const maxCriteriaDepth = 16

func parseCriteria(n node, depth int) CriteriaList {
	cl := CriteriaList{}
	cl.Assert, _ = n.attr("assert")
	for _, ku := range n.children(NSSIE, "KeyUsage") {
		var bits []KeyUsageBit
		for _, b := range ku.children(NSSIE, "KeyUsageBit") {
			name, _ := b.attr("name")
			bits = append(bits, KeyUsageBit{Name: name, Value: isTrue(b.text())})
		}
		cl.KeyUsage = append(cl.KeyUsage, bits)
	}
	for _, ps := range n.children(NSSIE, "PolicySet") {
		set := []string{}
		for _, pi := range ps.children(NSSIE, "PolicyIdentifier") {
			for _, ns := range []string{NSXAdES132, NSXAdES141} {
				if id, ok := pi.child(ns, "Identifier"); ok {
					cl.PolicyIdentifiers = append(cl.PolicyIdentifiers, id.text())
					set = append(set, policyOID(id.text()))
				}
			}
		}
		cl.PolicySets = append(cl.PolicySets, set)
	}
	subs := n.children(NSSIE, "CriteriaList")
	if depth < maxCriteriaDepth {
		for _, sub := range subs {
			cl.Criteria = append(cl.Criteria, parseCriteria(sub, depth+1))
		}
	} else if len(subs) > 0 {
		cl.Truncated = true
	}
	if d, ok := n.child(NSSIE, "Description"); ok {
		cl.Description = d.text()
	}
	if o, ok := n.child(NSSIE, "otherCriteriaList"); ok {
		for _, c := range o.el.ChildElements() {
			switch {
			case c.Tag == "ExtendedKeyUsage" && c.NamespaceURI() == NSAdditionalTypes:
				set := []string{}
				for _, kp := range c.ChildElements() {
					cl.ExtendedKeyUsages = append(cl.ExtendedKeyUsages, strings.TrimSpace(TextContent(kp)))
					set = append(set, policyOID(leafText(kp)))
				}
				cl.ExtendedKeyUsageSets = append(cl.ExtendedKeyUsageSets, set)
			case c.Tag == "CertSubjectDNAttribute" && c.NamespaceURI() == NSAdditionalTypes:
				set := []string{}
				for _, a := range c.ChildElements() {
					cl.SubjectDNAttrs = append(cl.SubjectDNAttrs, strings.TrimSpace(TextContent(a)))
					set = append(set, policyOID(leafText(a)))
				}
				cl.SubjectDNAttrSets = append(cl.SubjectDNAttrSets, set)
			default:
				cl.UnknownCriteria = append(cl.UnknownCriteria, "{"+c.NamespaceURI()+"}"+c.Tag)
			}
		}
	}
	return cl
}

// policyOID trims an object identifier as lists write it and removes an
// "urn:oid:" prefix (the OIDAsURN qualifier).
func policyOID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 8 && strings.EqualFold(s[:8], "urn:oid:") {
		s = s[8:]
	}
	return s
}

// leafText is the text of el or, when it wraps elements (a KeyPurposeId or
// AttributeOID holding an xades:Identifier, as real lists write it), the text
// of its first descendant leaf.
func leafText(el *etree.Element) string {
	for depth := 0; depth < 4; depth++ {
		kids := el.ChildElements()
		if len(kids) == 0 {
			break
		}
		el = kids[0]
	}
	return TextContent(el)
}
