package tltest

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"time"

	"github.com/eutl/eutl/pkg/tsl"
)

// OJURI is the Official Journal URI generated LOTLs name; trust.OfficialJournalURI.
const OJURI = "https://eur-lex.europa.eu/eli/C/2026/1944/oj"

// WorldOptions shape a generated EU: anchors, pivots, a LOTL and national lists.
type WorldOptions struct {
	// BaseURL is where the files are published (default https://tl.test).
	BaseURL string
	// Territories to generate (default BE, EL, FR).
	Territories []string
	// Pivots is the number of signer rotations between the anchors and the
	// current LOTL signer (0: the LOTL is signed by an anchor).
	Pivots int
	// Issued is the issue date of every list (default 2026-06-01).
	Issued time.Time
}

// World is a generated EU set. Tests change the specs (LOTL, Lists) or
// keys and call Sign again to republish Files.
type World struct {
	Opts WorldOptions
	// Anchors sign the first LOTL (pivot or current); their certificates are
	// the trust anchors a test passes to eutl.
	Anchors []*Key
	// PivotKeys[i] is the signer announced by pivot i (oldest first); the
	// current LOTL is signed by the last one (or by Anchors[0]).
	PivotKeys []*Key
	TLKeys    map[string]*Key
	LOTL      List
	Pivots    []List
	Lists     map[string]List
	// Files maps URL paths ("/eu-lotl.xml", "/BE.xml", "/eu-lotl-pivot-101.xml")
	// to the signed bytes.
	Files map[string][]byte
	// SignOpts optionally overrides how one file is signed, by path.
	SignOpts map[string]SignOptions
	// SignKeys optionally overrides which key signs one file, by path.
	SignKeys map[string]*Key
	// ServiceKeys are certificates of the generated services, by name.
	ServiceKeys map[string]*Key
}

// LOTLURL is where the current LOTL is published.
func (w *World) LOTLURL() string { return w.Opts.BaseURL + "/eu-lotl.xml" }

// ListURL is where a territory's list is published.
func (w *World) ListURL(territory string) string { return w.Opts.BaseURL + "/" + territory + ".xml" }

// PivotURL is where pivot i (0-based, oldest first) is published.
func (w *World) PivotURL(i int) string {
	return w.Opts.BaseURL + "/eu-lotl-pivot-" + strconv.Itoa(w.Pivots[i].Sequence) + ".xml"
}

// AnchorPEM is the PEM of every anchor certificate.
func (w *World) AnchorPEM() []byte {
	var out []byte
	for _, k := range w.Anchors {
		out = append(out, k.PEM()...)
	}
	return out
}

// NewWorld generates keys and list specs and signs everything.
func NewWorld(o WorldOptions) (*World, error) {
	if o.BaseURL == "" {
		o.BaseURL = "https://tl.test"
	}
	if len(o.Territories) == 0 {
		o.Territories = []string{"BE", "EL", "FR"}
	}
	if o.Issued.IsZero() {
		o.Issued = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	}
	w := &World{Opts: o, TLKeys: map[string]*Key{}, Lists: map[string]List{}, SignOpts: map[string]SignOptions{}, SignKeys: map[string]*Key{}, ServiceKeys: map[string]*Key{}}
	var err error
	name := func(cn, c string) CertOptions {
		return CertOptions{Subject: pkix.Name{CommonName: cn, Organization: []string{cn + " org"}, Country: []string{c}}, NotBefore: o.Issued.AddDate(-2, 0, 0), NotAfter: o.Issued.AddDate(5, 0, 0)}
	}
	for i := 0; i < 2; i++ {
		k, err := NewKey(RSA2048, name("EU LOTL anchor "+strconv.Itoa(i+1), "BE"))
		if err != nil {
			return nil, err
		}
		w.Anchors = append(w.Anchors, k)
	}
	for i := 0; i < o.Pivots; i++ {
		k, err := NewKey(RSA2048, name("EU LOTL signer after pivot "+strconv.Itoa(i+1), "BE"))
		if err != nil {
			return nil, err
		}
		w.PivotKeys = append(w.PivotKeys, k)
	}
	for _, t := range o.Territories {
		kt := RSA2048
		if t == "EL" {
			kt = P256
		}
		if w.TLKeys[t], err = NewKey(kt, name(t+" trusted list scheme operator", t)); err != nil {
			return nil, err
		}
	}
	if err := w.buildServices(); err != nil {
		return nil, err
	}
	w.buildLOTLs()
	for _, t := range o.Territories {
		w.Lists[t] = w.defaultList(t)
	}
	return w, w.Sign()
}

// currentLOTLKey is the key that signs the current LOTL.
func (w *World) currentLOTLKey() *Key {
	if len(w.PivotKeys) > 0 {
		return w.PivotKeys[len(w.PivotKeys)-1]
	}
	return w.Anchors[0]
}

func ders(keys ...*Key) [][]byte {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		out[i] = k.DER
	}
	return out
}

// buildLOTLs makes the pivots and the current LOTL.
func (w *World) buildLOTLs() {
	o := w.Opts
	base := 100
	var pivotURIs []string
	w.Pivots = nil
	for i := range w.PivotKeys {
		seq := base + i + 1
		pivotURIs = append([]string{o.BaseURL + "/eu-lotl-pivot-" + strconv.Itoa(seq) + ".xml"}, pivotURIs...)
		w.Pivots = append(w.Pivots, List{
			Territory: "EU", Type: tsl.TypeEUListOfTheLists, Sequence: seq, Version: 6,
			Issued:                o.Issued.AddDate(0, -len(w.PivotKeys)+i, 0),
			SchemeInformationURIs: append(append([]string{}, pivotURIs[1:]...), OJURI),
			Pointers:              []Pointer{{Territory: "EU", Location: o.BaseURL + "/eu-lotl.xml", Certs: ders(w.PivotKeys[i])}},
		})
	}
	seq := base + len(w.PivotKeys) + 10
	lotl := List{
		Territory: "EU", Type: tsl.TypeEUListOfTheLists, Sequence: seq, Version: 6, Issued: o.Issued,
		SchemeInformationURIs: append(append(pivotURIs, OJURI), o.BaseURL+"/pivot-lotl-explanation.html"),
		Pointers:              []Pointer{{Territory: "EU", Location: o.BaseURL + "/eu-lotl.xml", Certs: ders(w.currentLOTLKey())}},
	}
	for _, t := range o.Territories {
		lotl.Pointers = append(lotl.Pointers,
			Pointer{Territory: t, Location: o.BaseURL + "/" + t + ".pdf", MimeType: tsl.MimeTypePDF, Certs: ders(w.TLKeys[t])},
			Pointer{Territory: t, Location: o.BaseURL + "/" + t + ".xml", Certs: ders(w.TLKeys[t])})
	}
	w.LOTL = lotl
}

// Sign (re)publishes every file from the specs.
func (w *World) Sign() error {
	w.Files = map[string][]byte{}
	sign := func(path string, l List, k *Key) error {
		if sk := w.SignKeys[path]; sk != nil {
			k = sk
		}
		data, err := SignList(l, k, w.SignOpts[path])
		if err != nil {
			return fmt.Errorf("tltest: signing %s: %w", path, err)
		}
		w.Files[path] = data
		return nil
	}
	prev := w.Anchors[0]
	for i, p := range w.Pivots {
		if err := sign("/eu-lotl-pivot-"+strconv.Itoa(p.Sequence)+".xml", p, prev); err != nil {
			return err
		}
		prev = w.PivotKeys[i]
	}
	if err := sign("/eu-lotl.xml", w.LOTL, w.currentLOTLKey()); err != nil {
		return err
	}
	terrs := make([]string, 0, len(w.Lists))
	for t := range w.Lists {
		terrs = append(terrs, t)
	}
	sort.Strings(terrs)
	for _, t := range terrs {
		if err := sign("/"+t+".xml", w.Lists[t], w.TLKeys[t]); err != nil {
			return err
		}
	}
	return nil
}

var oidOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}

// serviceCert makes a service certificate with the given subject O and
// organizationIdentifier.
func (w *World) serviceCert(name, org, orgID string) (*Key, error) {
	subj := pkix.Name{CommonName: name, Organization: []string{org}, Country: []string{"BE"}}
	if orgID != "" {
		subj.ExtraNames = append(subj.ExtraNames, pkix.AttributeTypeAndValue{Type: oidOrganizationIdentifier, Value: orgID})
	}
	k, err := NewKey(P256, CertOptions{Subject: subj, NotBefore: w.Opts.Issued.AddDate(-3, 0, 0), NotAfter: w.Opts.Issued.AddDate(3, 0, 0)})
	if err != nil {
		return nil, err
	}
	w.ServiceKeys[name] = k
	return k, nil
}

func (w *World) buildServices() error {
	for _, s := range []struct{ name, org, id string }{
		{"itsme Sign Biometric CA 2025", "Belgian Mobile ID", "NTRBE-0541659084"},
		{"itsme Sign Issuing CA G2", "QuoVadis Trustlink BVBA", ""},
		{"itsme Sign Validation", "Belgian Mobile ID", "NTRBE-0541659084"},
	} {
		if _, err := w.serviceCert(s.name, s.org, s.id); err != nil {
			return err
		}
	}
	return nil
}

func d(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

var eidasDate = time.Date(2016, 6, 30, 22, 0, 0, 0, time.UTC)

// defaultList is the generated content of a territory: providers and
// services that exercise the decision rules (see package query's tests).
func (w *World) defaultList(t string) List {
	l := List{Territory: t, Sequence: 42, Version: 6, Issued: w.Opts.Issued, NextUpdate: w.Opts.Issued.AddDate(0, 6, 0)}
	switch t {
	case "BE":
		l.Providers = []Provider{
			{Name: "Belgian Mobile ID SA/NV", TradeNames: []string{"VATBE-0541659084", "Belgian Mobile ID"}, Services: []Service{
				{Type: "QESValidation/Q", Name: "itsme Sign Validation", Status: "granted", Start: d(2018, 9, 12), ASI: []string{"ForeSignatures", "ForeSeals"}, Certs: [][]byte{w.ServiceKeys["itsme Sign Validation"].DER}},
			}},
			{Name: "GlobalSign NV/SA", TradeNames: []string{"VATBE-0459134256"}, Services: []Service{
				{Type: "CA/QC", Name: "itsme Sign Biometric CA 2025", Status: "granted", Start: d(2026, 3, 30), ASI: []string{"ForeSignatures"}, Certs: [][]byte{w.ServiceKeys["itsme Sign Biometric CA 2025"].DER}},
				{Type: "TSA/QTST", Name: "GlobalSign QTSA", Status: "granted", Start: d(2017, 1, 1)},
			}},
			{Name: "DigiCert Europe Belgium B.V.", TradeNames: []string{"VATBE-0537698318"}, Services: []Service{
				{Type: "CA/QC", Name: "itsme Sign Issuing CA G2", Status: "granted", Start: d(2022, 6, 2), ASI: []string{"ForeSignatures"}, Qualifiers: []string{"QCWithQSCD"}, Certs: [][]byte{w.ServiceKeys["itsme Sign Issuing CA G2"].DER}},
			}},
			{Name: "Certipost NV/SA", TradeNames: []string{"VATBE-0475396406"}, Services: []Service{
				{Type: "CA/QC", Name: "Belgium Root CA", Status: "withdrawn", Start: d(2016, 9, 6), History: []Instance{
					{Type: "CA/QC", Name: "Belgium Root CA", Status: "granted", Start: eidasDate, ASI: []string{"ForeSignatures", "RootCA-QC"}},
					{Type: "CA/QC", Name: "Belgium Root CA", Status: "undersupervision", Start: time.Date(2003, 1, 26, 23, 0, 0, 0, time.UTC)},
				}},
			}},
		}
	case "EL":
		l.Providers = []Provider{
			{Names: []tsl.LangString{{Lang: "el", Value: "ΕΡΜΗΣ Υπηρεσίες Εμπιστοσύνης Α.Ε."}, {Lang: "en", Value: "HERMES Trust Services S.A."}}, TradeNames: []string{"VATEL-099999999"}, Services: []Service{
				{Type: "CA/QC", Name: "HERMES Qualified CA", Status: "granted", Start: d(2019, 1, 1), ASI: []string{"ForeSignatures", "ForeSeals", "ForWebSiteAuthentication"}},
			}},
		}
	default:
		l.Providers = []Provider{
			{Name: t + " Example Trust  Services ", TradeNames: []string{"VAT" + t + "-123456789"}, Services: []Service{
				{Type: "CA/QC", Name: t + " Example QC CA", Status: "granted", Start: d(2018, 1, 1)},
				{Type: "TSA/QTST", Name: t + " Example TSA", Status: "withdrawn", Start: d(2020, 1, 1), History: []Instance{
					{Type: "TSA/QTST", Name: t + " Example TSA", Status: "granted", Start: d(2017, 1, 1)},
				}},
			}},
		}
	}
	return l
}

// LargeList returns a list spec of about size bytes once built: many
// providers with services and histories, as the largest real lists have.
func LargeList(territory string, size int) List {
	l := List{Territory: territory, Sequence: 1, Version: 5}
	// One provider with 10 services and a history each is about 18.5 kB.
	n := size / 18500
	if n < 1 {
		n = 1
	}
	for i := 0; i < n; i++ {
		p := Provider{Name: fmt.Sprintf("Provider %d Trust Services", i), TradeNames: []string{fmt.Sprintf("VAT%s-%09d", territory, i)}}
		for j := 0; j < 10; j++ {
			p.Services = append(p.Services, Service{
				Type: "CA/QC", Name: fmt.Sprintf("Provider %d CA %d", i, j), Status: "granted", Start: d(2018, 1, 1),
				ASI: []string{"ForeSignatures"}, Qualifiers: []string{"QCWithQSCD"},
				History: []Instance{{Type: "CA/QC", Name: fmt.Sprintf("Provider %d CA %d", i, j), Status: "undersupervision", Start: d(2010, 1, 1)}},
			})
		}
		l.Providers = append(l.Providers, p)
	}
	return l
}

// Fresh returns a new world with w's options and keys (key generation is
// the slow part of NewWorld) and everything else rebuilt from the defaults:
// lists, LOTLs, signing overrides and files are its own, so a test may
// change them freely. Share one world per package and call Fresh in each
// test that changes it.
func (w *World) Fresh() (*World, error) {
	f := &World{Opts: w.Opts, Lists: map[string]List{}, SignOpts: map[string]SignOptions{}, SignKeys: map[string]*Key{},
		Anchors: append([]*Key(nil), w.Anchors...), PivotKeys: append([]*Key(nil), w.PivotKeys...),
		TLKeys: maps.Clone(w.TLKeys), ServiceKeys: maps.Clone(w.ServiceKeys)}
	f.Opts.Territories = append([]string(nil), w.Opts.Territories...)
	f.buildLOTLs()
	for _, t := range f.Opts.Territories {
		f.Lists[t] = f.defaultList(t)
	}
	return f, f.Sign()
}
