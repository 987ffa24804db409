package tsl_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
)

func build(t testing.TB, l tltest.List) []byte {
	t.Helper()
	b, err := tltest.Build(l).WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sample() tltest.List {
	return tltest.List{
		Territory: "BE", Version: 6, Sequence: 81,
		Issued:     time.Date(2026, 6, 15, 15, 0, 0, 0, time.UTC),
		NextUpdate: time.Date(2026, 12, 15, 16, 0, 0, 0, time.UTC),
		Providers: []tltest.Provider{{
			Names:      []tsl.LangString{{Lang: "en", Value: "Belgian Mobile ID SA/NV"}, {Lang: "nl", Value: "Belgian Mobile ID NV"}},
			TradeNames: []string{"VATBE-0541659084", "Belgian Mobile ID"},
			Services: []tltest.Service{{
				Type: "QESValidation/Q", Name: "itsme Sign Validation", Status: "granted",
				Start: time.Date(2018, 9, 12, 0, 0, 0, 0, time.UTC), ASI: []string{"ForeSignatures", "ForeSeals"},
			}, {
				Type: "CA/QC", Name: "Old CA", Status: "withdrawn", Start: time.Date(2016, 9, 6, 0, 0, 0, 0, time.UTC),
				Qualifiers: []string{"QCWithQSCD", "QCForESig"},
				History: []tltest.Instance{
					{Type: "CA/QC", Name: "Old CA", Status: "granted", Start: time.Date(2016, 6, 30, 22, 0, 0, 0, time.UTC), ASI: []string{"ForeSignatures"}},
					{Type: "CA/QC", Name: "Old CA", Status: "undersupervision", Start: time.Date(2003, 1, 26, 23, 0, 0, 0, time.UTC)},
				},
			}},
		}},
	}
}

func TestParseModel(t *testing.T) {
	for _, prefix := range []string{"", "tsl"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			l := sample()
			l.Prefix = prefix
			got, err := tsl.ParseBytes(build(t, l))
			if err != nil {
				t.Fatal(err)
			}
			if got.Version != 6 || got.SequenceNumber != 81 || got.Territory != "BE" || got.Type != tsl.TypeEUGeneric {
				t.Errorf("scheme information: %+v", got)
			}
			if !got.NextUpdate.Equal(time.Date(2026, 12, 15, 16, 0, 0, 0, time.UTC)) || got.Closed() {
				t.Errorf("NextUpdate %v", got.NextUpdate)
			}
			if len(got.Providers) != 1 {
				t.Fatalf("%d providers", len(got.Providers))
			}
			p := got.Providers[0]
			if p.Names.Get("nl") != "Belgian Mobile ID NV" || p.Names.Get("fr") != "Belgian Mobile ID SA/NV" {
				t.Errorf("names %v", p.Names)
			}
			if len(p.TradeNames) != 2 || p.TradeNames[0].Value != "VATBE-0541659084" {
				t.Errorf("trade names %v", p.TradeNames)
			}
			s := p.Services[1]
			if s.Current.Status != tsl.StatusWithdrawn || len(s.History) != 2 {
				t.Fatalf("service %+v", s.Current)
			}
			if len(s.Current.Extensions.Qualifications) != 1 || len(s.Current.Extensions.Qualifications[0].Qualifiers) != 2 {
				t.Errorf("qualifications %+v", s.Current.Extensions.Qualifications)
			}
			if ai := s.History[0].Extensions.AdditionalInfo; len(ai) != 1 || ai[0].URI != tsl.ASIForeSignatures || !ai[0].Critical {
				t.Errorf("history extensions are the instance's own: %+v", ai)
			}
			if !strings.HasSuffix(s.History[1].Path, "/ServiceHistory/ServiceHistoryInstance[2]") {
				t.Errorf("path %q", s.History[1].Path)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	crit := sample()
	crit.Providers[0].Services[0].CriticalUnknownExtension = true
	cases := []struct {
		name  string
		data  string
		where string
		is    error
	}{
		{"unrecognised critical extension", string(build(t, crit)), "/TSPService[1]/ServiceInformation/ServiceInformationExtensions/Extension[3]", tsl.ErrCriticalExtension},
		{"bad date", strings.Replace(string(build(t, sample())), "2018-09-12T00:00:00Z", "12 Sept 2018", 1), "/TrustServiceProvider/TSPServices/TSPService[1]/ServiceInformation/StatusStartingTime", nil},
		{"missing sequence", strings.Replace(string(build(t, sample())), "<TSLSequenceNumber>81</TSLSequenceNumber>", "", 1), "/TrustServiceStatusList/SchemeInformation", nil},
		{"non-numeric version", strings.Replace(string(build(t, sample())), "<TSLVersionIdentifier>6<", "<TSLVersionIdentifier>six<", 1), "/TSLVersionIdentifier", nil},
		{"wrong root", `<TrustServiceStatusList xmlns="urn:other"/>`, "/TrustServiceStatusList", nil},
		{"bad certificate base64", strings.Replace(string(build(t, sample())), "<X509SubjectName>", "<X509Certificate>!!!</X509Certificate><X509SubjectName>", 1), "/ServiceDigitalIdentity/DigitalId/X509Certificate", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := tsl.ParseBytes([]byte(c.data))
			var pe *tsl.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *tsl.ParseError", err)
			}
			if !strings.Contains(pe.Path, c.where) {
				t.Errorf("path %q does not contain %q", pe.Path, c.where)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %v is not %v", err, c.is)
			}
		})
	}
}

func TestUnparseableCertificateKept(t *testing.T) {
	bp := tltest.MustKey(tltest.Brainpool, tltest.CertOptions{})
	pss := tltest.MustKey(tltest.RSAPSS, tltest.CertOptions{})
	l := sample()
	l.Providers[0].Services[0].Certs = [][]byte{bp.DER, pss.DER}
	got, err := tsl.ParseBytes(build(t, l))
	if err != nil {
		t.Fatal(err)
	}
	certs := got.Providers[0].Services[0].Current.Identities[0].Certificates
	if len(certs) != 2 {
		t.Fatalf("%d certificates, want 2", len(certs))
	}
	// crypto/x509 refuses brainpool keys: no certificate, and a reason.
	c := certs[0]
	x, err := c.X509()
	if x != nil || err == nil || errors.Is(err, tsl.ErrUnsupportedPublicKey) || string(c.Raw) != string(bp.DER) || c.SHA256() != bp.SHA256() {
		t.Errorf("brainpool certificate: parsed=%v reason=%v", x != nil, err)
	}
	// It parses RSASSA-PSS keys' certificates but not the key: the
	// certificate and a reason naming the algorithm.
	c = certs[1]
	x, err = c.X509()
	if x == nil || !errors.Is(err, tsl.ErrUnsupportedPublicKey) || x.PublicKey != nil ||
		err.Error() != "public key algorithm not supported by crypto/x509 ("+x.PublicKeyAlgorithm.String()+")" {
		t.Errorf("RSASSA-PSS certificate: parsed=%v reason=%v", x != nil, err)
	}
}

func TestNormalizeURI(t *testing.T) {
	for in, want := range map[string]string{
		"https://uri.etsi.org/TrstSvc/Svctype/CA/QC/":               tsl.ServiceTypeCAQC,
		" http://uri.etsi.org/TrstSvc/Svctype/CertStatus/OCSP/QC ":  tsl.ServiceTypeOCSPQC,
		"http://uri.etsi.org/TrstSvd/Svctype/TLIssuer":              "http://uri.etsi.org/TrstSvc/Svctype/TLIssuer",
		"http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted": tsl.StatusGranted,
	} {
		if got := tsl.NormalizeURI(in); got != want {
			t.Errorf("NormalizeURI(%q) = %q, want %q", in, got, want)
		}
	}
	if st := tsl.LookupServiceType("http://uri.etsi.org/TrstSvd/Svctype/TLIssuer"); st == nil || st.Class != tsl.ClassNational {
		t.Errorf("TLIssuer (TrstSvd) not found")
	}
	if st := tsl.LookupServiceType("http://example.com/national"); st != nil {
		t.Errorf("unknown URI found: %+v", st)
	}
	aliases := map[string]bool{}
	for _, s := range tsl.ServiceTypes() {
		if s.Alias != "" {
			if aliases[s.Alias] {
				t.Errorf("alias %q twice", s.Alias)
			}
			aliases[s.Alias] = true
		}
	}
}

// TestRealBelgianMobileID checks the parser against the manifest's facts of
// the Belgian list seq 81.
func TestRealBelgianMobileID(t *testing.T) {
	dir := os.Getenv("EUTL_REAL_TL_DIR")
	if dir == "" {
		t.Skip("EUTL_REAL_TL_DIR is not set: real-list tests skipped")
	}
	data, err := os.ReadFile(filepath.Join(dir, "tl-2026", "be-tl-seq81-v6-2026-06-15.xml"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := tsl.ParseBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	services := 0
	var mobile []tsl.Provider
	for _, p := range l.Providers {
		services += len(p.Services)
		if strings.Contains(p.Names.Get("en"), "Mobile ID") {
			mobile = append(mobile, p)
		}
	}
	if len(l.Providers) != 17 || services != 135 || l.Version != 6 || l.SequenceNumber != 81 {
		t.Errorf("BE seq 81: %d TSPs, %d services, v%d seq %d", len(l.Providers), services, l.Version, l.SequenceNumber)
	}
	if len(mobile) != 1 {
		t.Fatalf("%d Mobile ID providers", len(mobile))
	}
	m := mobile[0]
	if m.Names.Get("en") != "Belgian Mobile ID SA/NV" || len(m.Services) != 2 {
		t.Fatalf("%v, %d services", m.Names, len(m.Services))
	}
	for _, s := range m.Services {
		if s.Current.Type != tsl.ServiceTypeQESValidation || s.Current.Status != tsl.StatusGranted || len(s.History) != 0 {
			t.Errorf("service %v: %s %s", s.Current.Names, s.Current.Type, s.Current.Status)
		}
		if len(s.Current.Extensions.AdditionalInfo) != 2 {
			t.Errorf("ASI %+v", s.Current.Extensions.AdditionalInfo)
		}
	}
	if got := m.Services[0].Current.Identities[0].Certificates; len(got) != 2 {
		t.Errorf("service 1 has %d certificates, want 2", len(got))
	}
}
