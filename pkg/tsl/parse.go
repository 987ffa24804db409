package tsl

import (
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/eutl/eutl/internal/xmlscan"
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

// node is an element with, for providers, services, their instances and
// pointers, the location the model records. Any other location is computed
// from the document only when an error needs it.
type node struct {
	el   xmlscan.Node
	path string
}

func (n node) where() string {
	if n.path != "" {
		return n.path
	}
	return n.el.LocalPath()
}

func (n node) errf(format string, args ...any) error {
	return &ParseError{Path: n.where(), Err: fmt.Errorf(format, args...)}
}

// count returns how many child elements are named local in namespace ns.
func (n node) count(ns, local string) int {
	k := 0
	for c := n.el.FirstElement(); c.Valid(); c = c.NextElement() {
		if c.Is(ns, local) {
			k++
		}
	}
	return k
}

// children yields the child elements named local in namespace ns.
func (n node) children(ns, local string) iter.Seq2[int, node] {
	return func(yield func(int, node) bool) {
		i := 0
		for c := n.el.FirstElement(); c.Valid(); c = c.NextElement() {
			if c.Is(ns, local) {
				if !yield(i, node{el: c}) {
					return
				}
				i++
			}
		}
	}
}

// indexed is the path of the i-th of count siblings: "base[i+1]" when there
// are several, as XPath counts.
func indexed(base string, i, count int) string {
	if count > 1 {
		return base + "[" + strconv.Itoa(i+1) + "]"
	}
	return base
}

// child returns the first child named local in ns, if any.
func (n node) child(ns, local string) (node, bool) {
	for c := n.el.FirstElement(); c.Valid(); c = c.NextElement() {
		if c.Is(ns, local) {
			return node{el: c}, true
		}
	}
	return node{}, false
}

// require returns the single child named local or an error.
func (n node) require(ns, local string) (node, error) {
	switch k := n.count(ns, local); k {
	case 1:
		c, _ := n.child(ns, local)
		return c, nil
	case 0:
		return node{}, n.errf("missing element %s", local)
	default:
		return node{}, n.errf("element %s appears %d times, expected once", local, k)
	}
}

func (n node) text() string { return strings.TrimSpace(n.el.Text()) }

func (n node) lang() string {
	v, _ := n.el.AttrNS(NSXML, "lang")
	return strings.ToLower(strings.TrimSpace(v))
}

func (n node) attr(key string) (string, bool) { return n.el.AttrValue(key) }

// ParseBytes parses an unverified list. eutl itself only parses content that
// xmldsig has verified (see [Parse]); this entry point serves tests, tools and
// fuzzing.
func ParseBytes(data []byte) (*List, error) {
	doc, err := xmlscan.Parse(data, xmlscan.Limits{MaxDepth: 64})
	if err != nil {
		return nil, &ParseError{Path: "/", Err: fmt.Errorf("not well-formed XML: %w", err)}
	}
	return Parse(doc.Root())
}

// Parse reads a list from its root element: in eutl, the content package
// xmldsig verified ([xmldsig.Result.Root]). The model holds its own copies
// of the document's strings: it does not alias the input.
func Parse(root xmlscan.Node) (*List, error) {
	return NewBuilder().Finish(root)
}

// Builder builds a List while its document is read, for a verifier that
// hashes each TrustServiceProvider as soon as the element is read and then
// drops it: the verifier hands it to [Builder.Provider], and the root, once
// the document is complete, to [Builder.Finish]. The List is the one [Parse]
// gives for the whole document. A Builder is for one document.
type Builder struct {
	// Sink, when set, receives each provider as it is built instead of the
	// List holding it (Finish's List then has no providers).
	Sink      func(*Provider)
	strs      *strtab
	providers []Provider
	given     int       // providers built by Provider
	services  []Service // handed to Service, for the provider being read
	svcBase   string    // their path without the index
	base      string    // the providers' path without the index
	err       error
	// single is the only provider when it went to Sink with its path
	// indexed: it goes to Sink at Finish, once the count is known.
	single *Provider
}

// NewBuilder returns a Builder for one document.
func NewBuilder() *Builder { return &Builder{strs: newStrtab()} }

// Provider parses el, the next TrustServiceProvider of the root's first
// TrustServiceProviderList, in document order. Its path is indexed as if
// the list had several providers; Finish drops the index when it had one.
// After an error, further providers are ignored and Finish returns it.
func (b *Builder) Provider(el xmlscan.Node) error {
	if b.err != nil {
		return b.err
	}
	if b.base == "" {
		b.base = node{el: el.Parent()}.where() + "/TrustServiceProvider"
	}
	p, err := parseProviderWith(node{el: el, path: indexed(b.base, b.given, 2)}, b.services)
	clear(b.services)
	b.services = b.services[:0] // copied into p: the buffer serves the next provider
	if err != nil {
		b.err = err
		return err
	}
	b.strs.provider(&p)
	b.given++
	switch {
	case b.Sink == nil:
		b.providers = append(b.providers, p)
	case b.given == 1:
		b.single = &p // its path depends on whether a second one follows
	default:
		if b.single != nil {
			b.Sink(b.single)
			b.single = nil
		}
		b.Sink(&p)
	}
	return nil
}

// Service parses el, the next TSPService of the first TSPServices of the
// provider being read (the one the next call to Provider receives, with
// these services detached from it), in document order. A verifier hands
// over services so that a list of one large provider is held one service at
// a time.
func (b *Builder) Service(el xmlscan.Node) error {
	if b.err != nil {
		return b.err
	}
	prov := el.Parent().Parent()
	if b.base == "" {
		b.base = node{el: prov.Parent()}.where() + "/TrustServiceProvider"
	}
	if len(b.services) == 0 {
		b.svcBase = indexed(b.base, b.given, 2) + "/TSPServices/TSPService"
	}
	s, err := parseService(node{el: el, path: indexed(b.svcBase, len(b.services), 2)})
	if err != nil {
		b.err = err
		return err
	}
	b.services = append(b.services, s)
	return nil
}

func (b *Builder) keep(l *List, p *Provider) {
	if b.Sink != nil {
		b.Sink(p)
		return
	}
	l.Providers = append(l.Providers, *p)
}

// Finish parses the rest of the list from its root element: the root,
// SchemeInformation, and the providers of the first
// TrustServiceProviderList still in the tree (those given to Provider must
// have been detached from it; they come first).
func (b *Builder) Finish(root xmlscan.Node) (*List, error) {
	if !root.Valid() {
		return nil, &ParseError{Path: "/", Err: errors.New("no root element")}
	}
	r := node{el: root}
	if !root.Is(NSTSL, "TrustServiceStatusList") {
		return nil, r.errf("root element is {%s}%s, expected {%s}TrustServiceStatusList", root.NS(), root.Local(), NSTSL)
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
	b.strs.list(l)
	if b.err != nil {
		return nil, b.err
	}
	if tspl, ok := r.child(NSTSL, "TrustServiceProviderList"); ok {
		given := b.given
		k, base := tspl.count(NSTSL, "TrustServiceProvider"), tspl.where()+"/TrustServiceProvider"
		if b.Sink == nil {
			l.Providers = append(make([]Provider, 0, given+k), b.providers...)
			b.providers = nil
		}
		if b.single != nil {
			if k == 0 {
				unindex(b.single, b.base)
			}
			b.Sink(b.single)
			b.single = nil
		} else if given == 1 && k == 0 && b.Sink == nil {
			unindex(&l.Providers[0], b.base)
		}
		for i, tn := range tspl.children(NSTSL, "TrustServiceProvider") {
			tn.path = indexed(base, given+i, given+k)
			p, err := parseProvider(tn)
			if err != nil {
				return nil, err
			}
			b.strs.provider(&p)
			b.keep(l, &p)
		}
	}
	return l, nil
}

// unindex gives the only provider of a list the paths Parse gives it:
// without "[1]".
func unindex(p *Provider, base string) {
	from := base + "[1]"
	fix := func(s *string) {
		if strings.HasPrefix(*s, from) {
			*s = base + (*s)[len(from):]
		}
	}
	fix(&p.Path)
	for i := range p.Services {
		unindexService(&p.Services[i], base)
	}
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
		return time.Time{}, &ParseError{Path: n.where(), Err: err}
	}
	return t, nil
}

func multiLang(n node, local string) MultiLang {
	k := n.count(NSTSL, local)
	if k == 0 {
		return nil
	}
	out := make(MultiLang, k)
	for i, c := range n.children(NSTSL, local) {
		out[i] = LangString{Lang: c.lang(), Value: c.el.Text()}
	}
	return out
}

// parseSchemeInformation reads SchemeInformation in named steps, each
// reading one group of its children.
func parseSchemeInformation(si node, l *List) error {
	for _, step := range []func(node, *List) error{
		parseSchemeIdentity,
		parseSchemeOperator,
		parseSchemeTerritoryAndPolicy,
		parsePointers,
		parseSchemeDates,
		parseDistributionAndExtensions,
	} {
		if err := step(si, l); err != nil {
			return err
		}
	}
	return nil
}

// parseSchemeIdentity: version, sequence number (at least 1) and type.
func parseSchemeIdentity(si node, l *List) error {
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
	return nil
}

// parseSchemeOperator: who operates the scheme and where its rules are.
func parseSchemeOperator(si node, l *List) error {
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
	return nil
}

// parseSchemeTerritoryAndPolicy: the territory (required), policy and
// legal notices, the historical information period.
func parseSchemeTerritoryAndPolicy(si node, l *List) error {
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
	return nil
}

// parsePointers: PointersToOtherTSL, each with its path.
func parsePointers(si node, l *List) error {
	pts, ok := si.child(NSTSL, "PointersToOtherTSL")
	if !ok {
		return nil
	}
	k, base := pts.count(NSTSL, "OtherTSLPointer"), pts.where()+"/OtherTSLPointer"
	l.Pointers = make([]Pointer, 0, k)
	for i, pn := range pts.children(NSTSL, "OtherTSLPointer") {
		pn.path = indexed(base, i, k)
		p, err := parsePointer(pn)
		if err != nil {
			return err
		}
		l.Pointers = append(l.Pointers, p)
	}
	return nil
}

// parseSchemeDates: ListIssueDateTime and NextUpdate (empty for a closed
// list).
func parseSchemeDates(si node, l *List) error {
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
	return nil
}

// parseDistributionAndExtensions: DistributionPoints, and SchemeExtensions
// (none modelled; a critical one is an error).
func parseDistributionAndExtensions(si node, l *List) error {
	if dp, ok := si.child(NSTSL, "DistributionPoints"); ok {
		for _, u := range dp.children(NSTSL, "URI") {
			l.DistributionPoints = append(l.DistributionPoints, u.text())
		}
	}
	if ext, ok := si.child(NSTSL, "SchemeExtensions"); ok {
		return checkUnknownExtensions(ext)
	}
	return nil
}

// checkUnknownExtensions rejects any critical Extension below n: used for
// extension containers whose content eutl does not model.
func checkUnknownExtensions(n node) error {
	for _, e := range n.children(NSTSL, "Extension") {
		if c, _ := e.attr("Critical"); isTrue(c) {
			return &ParseError{Path: e.where(), Err: fmt.Errorf("%w: %s", ErrCriticalExtension, describeFirstChild(e))}
		}
	}
	return nil
}

func describeFirstChild(n node) string {
	if c := n.el.FirstElement(); c.Valid() {
		return "{" + c.NS() + "}" + c.Local()
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
			for c := oi.el.FirstElement(); c.Valid(); c = c.NextElement() {
				cn := node{el: c}
				switch {
				case c.Local() == "TSLType" && c.NS() == NSTSL:
					p.Type = cn.text()
				case c.Local() == "SchemeTerritory" && c.NS() == NSTSL:
					p.Territory = cn.text()
				case c.Local() == "MimeType" && c.NS() == NSAdditionalTypes:
					p.MimeType = cn.text()
				case c.Local() == "SchemeOperatorName" && c.NS() == NSTSL:
					p.OperatorName = multiLang(cn, "Name")
				case c.Local() == "SchemeTypeCommunityRules" && c.NS() == NSTSL:
					for _, u := range cn.children(NSTSL, "URI") {
						p.CommunityRules = append(p.CommunityRules, u.text())
					}
				}
			}
		}
	}
	return p, nil
}

func parseDigitalID(n node) (DigitalID, error) {
	var d DigitalID
	for _, di := range n.children(NSTSL, "DigitalId") {
		for c := di.el.FirstElement(); c.Valid(); c = c.NextElement() {
			cn := node{el: c}
			switch {
			case c.Local() == "X509Certificate" && c.NS() == NSTSL:
				der, err := xmltext.DecodeBase64(c.Text())
				if err != nil {
					return d, cn.errf("certificate is not valid base64: %v", err)
				}
				d.Certificates = append(d.Certificates, NewCertificate(der))
			case c.Local() == "X509SubjectName" && c.NS() == NSTSL:
				d.SubjectNames = append(d.SubjectNames, cn.text())
			case c.Local() == "X509SKI" && c.NS() == NSTSL:
				ski, err := xmltext.DecodeBase64(c.Text())
				if err != nil {
					return d, cn.errf("X509SKI is not valid base64: %v", err)
				}
				d.SKIs = append(d.SKIs, ski)
			case c.Local() == "KeyValue" && c.NS() == NSDSig:
				d.KeyValues++
			case c.Local() == "Other" && c.NS() == NSTSL:
				d.Other = append(d.Other, cn.text())
			}
		}
	}
	return d, nil
}

func parseProvider(tn node) (Provider, error) { return parseProviderWith(tn, nil) }

// parseProviderWith parses a provider whose first services were parsed
// already (given, with paths indexed as if there were several), the
// elements detached from tn.
func parseProviderWith(tn node, given []Service) (Provider, error) {
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
		k, base := svcs.count(NSTSL, "TSPService"), p.Path+"/TSPServices/TSPService"
		p.Services = append(make([]Service, 0, len(given)+k), given...)
		for i, sn := range svcs.children(NSTSL, "TSPService") {
			sn.path = indexed(base, len(given)+i, len(given)+k)
			s, err := parseService(sn)
			if err != nil {
				return p, err
			}
			p.Services = append(p.Services, s)
		}
		if len(given) == 1 && k == 0 {
			unindexService(&p.Services[0], base)
		}
	}
	return p, nil
}

// unindexService gives a provider's only service the paths parseProvider
// gives it: without "[1]".
func unindexService(s *Service, base string) {
	from := base + "[1]"
	fix := func(p *string) {
		if strings.HasPrefix(*p, from) {
			*p = base + (*p)[len(from):]
		}
	}
	fix(&s.Path)
	fix(&s.Current.Path)
	for j := range s.History {
		fix(&s.History[j].Path)
	}
}

func parseService(sn node) (Service, error) {
	s := Service{Path: sn.path}
	si, err := sn.require(NSTSL, "ServiceInformation")
	if err != nil {
		return s, err
	}
	si.path = s.Path + "/ServiceInformation"
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
		k, base := h.count(NSTSL, "ServiceHistoryInstance"), s.Path+"/ServiceHistory/ServiceHistoryInstance"
		s.History = make([]ServiceInstance, 0, k)
		for i, hn := range h.children(NSTSL, "ServiceHistoryInstance") {
			hn.path = indexed(base, i, k)
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
	inst := ServiceInstance{Path: n.where()}
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
		for c := e.el.FirstElement(); c.Valid(); c = c.NextElement() {
			cn := node{el: c}
			ns := c.NS()
			switch {
			case c.Local() == "AdditionalServiceInformation" && ns == NSTSL:
				recognised = true
				ai := AdditionalInfo{Critical: critical}
				if u, ok := cn.child(NSTSL, "URI"); ok {
					ai.URI, ai.Lang = u.text(), u.lang()
				}
				if v, ok := cn.child(NSTSL, "InformationValue"); ok {
					ai.InformationValue = v.text()
				}
				x.AdditionalInfo = append(x.AdditionalInfo, ai)
			case c.Local() == "Qualifications" && ns == NSSIE:
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
			case c.Local() == "TakenOverBy" && ns == NSAdditionalTypes:
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
			case c.Local() == "ExpiredCertsRevocationInfo" && ns == NSTSL:
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
				return x, &ParseError{Path: e.where(), Err: fmt.Errorf("%w: %s", ErrCriticalExtension, describeFirstChild(e))}
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
	if n.count(NSSIE, "CriteriaList") > 0 {
		if depth < maxCriteriaDepth {
			for _, sub := range n.children(NSSIE, "CriteriaList") {
				cl.Criteria = append(cl.Criteria, parseCriteria(sub, depth+1))
			}
		} else {
			cl.Truncated = true
		}
	}
	if d, ok := n.child(NSSIE, "Description"); ok {
		cl.Description = d.text()
	}
	if o, ok := n.child(NSSIE, "otherCriteriaList"); ok {
		for c := o.el.FirstElement(); c.Valid(); c = c.NextElement() {
			switch {
			case c.Is(NSAdditionalTypes, "ExtendedKeyUsage"):
				set := []string{}
				for kp := c.FirstElement(); kp.Valid(); kp = kp.NextElement() {
					cl.ExtendedKeyUsages = append(cl.ExtendedKeyUsages, strings.TrimSpace(kp.Text()))
					set = append(set, policyOID(leafText(kp)))
				}
				cl.ExtendedKeyUsageSets = append(cl.ExtendedKeyUsageSets, set)
			case c.Is(NSAdditionalTypes, "CertSubjectDNAttribute"):
				set := []string{}
				for a := c.FirstElement(); a.Valid(); a = a.NextElement() {
					cl.SubjectDNAttrs = append(cl.SubjectDNAttrs, strings.TrimSpace(a.Text()))
					set = append(set, policyOID(leafText(a)))
				}
				cl.SubjectDNAttrSets = append(cl.SubjectDNAttrSets, set)
			default:
				cl.UnknownCriteria = append(cl.UnknownCriteria, "{"+c.NS()+"}"+c.Local())
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
func leafText(el xmlscan.Node) string {
	for depth := 0; depth < 4; depth++ {
		kid := el.FirstElement()
		if !kid.Valid() {
			break
		}
		el = kid
	}
	return el.Text()
}
