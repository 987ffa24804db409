package qualify_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/qualify"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
)

func d(s string) time.Time {
	t, err := query.ParseAt(s)
	if err != nil {
		panic(err)
	}
	return t
}

// pki is the fixture: listed CAs, an unlisted intermediate, a rogue key
// with the CA's name.
type pki struct {
	ca, ca2, root, inter, rogue, unlistedRoot, unlistedInter, tsu *tltest.Key
}

var (
	pkiOnce sync.Once
	thePKI  pki
)

func fixture(t testing.TB) pki {
	pkiOnce.Do(func() {
		name := func(cn string) tltest.CertOptions {
			return tltest.CertOptions{Subject: pkix.Name{CommonName: cn, Organization: []string{"Test QTSP"}, Country: []string{"BE"}}, NotBefore: d("2005-01-01"), NotAfter: d("2045-01-01")}
		}
		p := pki{}
		p.ca = tltest.MustKey(tltest.P256, name("Test Qualified CA"))
		p.ca2 = tltest.MustKey(tltest.P256, name("Test Second CA"))
		p.rogue = tltest.MustKey(tltest.P256, name("Test Qualified CA")) // same name, other key
		p.root = tltest.MustKey(tltest.P256, name("Test Root CA"))
		var err error
		if p.inter, err = tltest.IssueCert(p.root, tltest.EECert{Subject: pkix.Name{CommonName: "Test Issuing CA", Organization: []string{"Test QTSP"}, Country: []string{"BE"}}, CA: true, NotBefore: d("2005-01-01"), NotAfter: d("2045-01-01")}); err != nil {
			panic(err)
		}
		p.unlistedRoot = tltest.MustKey(tltest.P256, name("Test Unlisted Root"))
		if p.unlistedInter, err = tltest.IssueCert(p.ca, tltest.EECert{Subject: pkix.Name{CommonName: "Test Unlisted Issuing CA", Organization: []string{"Test QTSP"}, Country: []string{"BE"}}, CA: true, NotBefore: d("2005-01-01"), NotAfter: d("2045-01-01")}); err != nil {
			panic(err)
		}
		if p.tsu, err = tltest.IssueCert(p.ca2, tltest.EECert{Subject: pkix.Name{CommonName: "Test TSU", Organization: []string{"Test QTSP"}, Country: []string{"BE"}}, EKUs: []string{"1.3.6.1.5.5.7.3.8"}, NotBefore: d("2018-01-01")}); err != nil {
			panic(err)
		}
		thePKI = p
	})
	return thePKI
}

// newIndex parses services (through the generator and parser) into an index.
func newIndex(t testing.TB, failed []query.FailedList, svcs ...tltest.Service) *qualify.Index {
	t.Helper()
	b, err := tltest.Build(tltest.List{Territory: "BE", Sequence: 7, Providers: []tltest.Provider{{Name: "Test QTSP", Services: svcs}}}).WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	l, err := tsl.ParseBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return qualify.New(query.NewIndex([]query.Input{{List: &trust.VerifiedList{List: l, SHA256: "00", Verdict: trust.Valid}, URL: "https://tl.test/BE.xml"}}, failed))
}

// all is a criteria list every default end-entity certificate matches.
var all = tltest.Criteria{Assert: "all", KeyUsage: [][]tsl.KeyUsageBit{{{Name: "nonRepudiation", Value: true}}}}

func q(qs ...string) []tltest.Qualification {
	return []tltest.Qualification{{Qualifiers: qs, Criteria: all}}
}

func qc(types ...string) *tltest.QCStatements {
	return &tltest.QCStatements{Compliance: true, Types: types}
}

func qcSSCD(types ...string) *tltest.QCStatements {
	return &tltest.QCStatements{Compliance: true, SSCD: true, Types: types}
}

const (
	esign = tltest.QcTypeESign
	eseal = tltest.QcTypeESeal
	web   = tltest.QcTypeWeb
)

type want struct {
	outcome qualify.Outcome
	qc      string // final
	typ     string
	qscd    string
	trace   string // a substring of the final, issuance or later trace/conflicts
	warning string
}

type tcase struct {
	name  string
	svcs  func(p pki) []tltest.Service
	cert  tltest.EECert
	by    func(p pki) *tltest.Key // issuer (default p.ca)
	chain func(p pki) []*tltest.Key
	at    string
	for_  qualify.Purpose
	want  want
}

func svc(p pki, status, start string, asi []string, quals []tltest.Qualification) tltest.Service {
	return tltest.Service{Type: "CA/QC", Name: "Test Qualified CA", Status: status, Start: d(start), ASI: asi, Qualifications: quals, Certs: [][]byte{p.ca.DER}}
}

var sig = []string{"ForeSignatures"}

func run(t *testing.T, cases []tcase) {
	t.Helper()
	p := fixture(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ix := newIndex(t, nil, c.svcs(p)...)
			issuer := p.ca
			if c.by != nil {
				issuer = c.by(p)
			}
			if c.cert.NotBefore.IsZero() {
				c.cert.NotBefore = d("2024-01-01")
			}
			leaf, err := tltest.IssueCert(issuer, c.cert)
			if err != nil {
				t.Fatal(err)
			}
			x, err := qualify.ParseCert(leaf.DER)
			if err != nil {
				t.Fatal(err)
			}
			var extra []*qualify.Cert
			if c.chain != nil {
				for _, k := range c.chain(p) {
					cc, err := qualify.ParseCert(k.DER)
					if err != nil {
						t.Fatal(err)
					}
					extra = append(extra, cc)
				}
			}
			at := c.at
			if at == "" {
				at = "2026-06-01"
			}
			pu := c.for_
			if pu == "" {
				pu = qualify.ForAny
			}
			r := ix.Evaluate(x, extra, pu, d(at))
			all := strings.Join(append(append(append(append([]string{}, r.Final.Trace...), r.AtIssuance.Trace...), r.AtTime.Trace...), append(r.Final.Conflicts, r.Reason)...), "\n")
			if r.Outcome != c.want.outcome {
				t.Errorf("outcome %s (%s), want %s\n%s", r.Outcome, r.Reason, c.want.outcome, all)
			}
			if c.want.qc != "" && r.Final.QC != c.want.qc {
				t.Errorf("qc %s, want %s\n%s", r.Final.QC, c.want.qc, all)
			}
			if c.want.typ != "" && r.Final.Type != c.want.typ {
				t.Errorf("type %s, want %s\n%s", r.Final.Type, c.want.typ, all)
			}
			if c.want.qscd != "" && r.Final.QSCD != c.want.qscd {
				t.Errorf("qscd %s, want %s\n%s", r.Final.QSCD, c.want.qscd, all)
			}
			if c.want.trace != "" && !strings.Contains(all, c.want.trace) {
				t.Errorf("no %q in\n%s", c.want.trace, all)
			}
			if c.want.warning != "" && !strings.Contains(strings.Join(r.Warnings, "\n"), c.want.warning) {
				t.Errorf("no warning %q in %q", c.want.warning, r.Warnings)
			}
		})
	}
}

// TestQualifiers covers every qualifier and the consistency rules (the
// domain reference §5, examples E1–E19).
func TestQualifiers(t *testing.T) {
	one := func(asi []string, quals ...string) func(p pki) []tltest.Service {
		return func(p pki) []tltest.Service {
			var qs []tltest.Qualification
			if len(quals) > 0 {
				qs = q(quals...)
			}
			return []tltest.Service{svc(p, "granted", "2017-01-01", asi, qs)}
		}
	}
	QC, notQC := "qualified", "not_qualified"
	yes, no, mob := qualify.QSCDYes, qualify.QSCDNo, qualify.QSCDManagedOnBehalf
	run(t, []tcase{
		{name: "E1 no qualifier, cert QcSSCD", svcs: one(sig), cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Qualified, QC, "esig", yes, "QSCD from the certificate", ""}},
		{name: "E1 no qualifier, no QcSSCD", svcs: one(sig), cert: tltest.EECert{QC: qc(esign)}, want: want{qualify.Qualified, QC, "esig", no, "", ""}},
		{name: "E2 QCQSCDStatusAsInCert", svcs: one(sig, "QCQSCDStatusAsInCert"), cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Qualified, QC, "esig", yes, "QCQSCDStatusAsInCert", ""}},
		{name: "QCQSCDStatusAsInCert without QcSSCD", svcs: one(sig, "QCQSCDStatusAsInCert"), cert: tltest.EECert{QC: qc(esign)}, want: want{qualify.Qualified, QC, "esig", no, "", ""}},
		{name: "E3 QCWithQSCD overrules cert", svcs: one(sig, "QCWithQSCD"), cert: tltest.EECert{QC: qc(esign)}, want: want{qualify.Qualified, QC, "esig", yes, "QCWithQSCD", ""}},
		{name: "E4 QCWithSSCD post-2016 (S3)", svcs: one(sig, "QCWithSSCD"), cert: tltest.EECert{QC: qc(esign)}, want: want{qualify.Qualified, QC, "esig", no, "S3", ""}},
		{name: "E5 QCNoSSCD post-2016 (S3)", svcs: one(sig, "QCNoSSCD"), cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Qualified, QC, "esig", no, "S3", ""}},
		{name: "E6 QCWithQSCD+QCNoQSCD (S1)", svcs: one(sig, "QCWithQSCD", "QCNoQSCD"), cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Qualified, QC, "esig", no, "S1", ""}},
		{name: "E7 managed on behalf", svcs: one(sig, "QCQSCDManagedOnBehalf", "QCWithQSCD"), cert: tltest.EECert{QC: qc(esign)}, want: want{qualify.Qualified, QC, "esig", mob, "QCQSCDManagedOnBehalf", ""}},
		{name: "E8 StatusAsInCert+WithQSCD (S2)", svcs: one(sig, "QCQSCDStatusAsInCert", "QCWithQSCD"), cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Qualified, QC, "esig", no, "S2", ""}},
		{name: "QCNoQSCD overrules QcSSCD", svcs: one(sig, "QCNoQSCD"), cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Qualified, QC, "esig", no, "QCNoQSCD", ""}},
		{name: "NotQualified", svcs: one(sig, "NotQualified"), cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.NotQualified, notQC, "esig", no, "NotQualified", ""}},
		{name: "E12 QCStatement without QcCompliance", svcs: one(sig, "QCStatement"), cert: tltest.EECert{}, want: want{qualify.Qualified, QC, "unknown", no, "QCStatement captured", ""}},
		{name: "QCStatement+NotQualified (C1)", svcs: one(sig, "QCStatement", "NotQualified"), cert: tltest.EECert{QC: qc(esign)}, want: want{qualify.NotQualified, notQC, "", "", "C1", ""}},
		{name: "QCForESig", svcs: one(sig, "QCForESig"), cert: tltest.EECert{QC: qc(esign)}, want: want{qualify.Qualified, QC, "esig", no, "QCForESig", ""}},
		{name: "QCForESeal overrides esign", svcs: one([]string{"ForeSignatures", "ForeSeals"}, "QCForESeal"), cert: tltest.EECert{QC: qc(esign)}, want: want{qualify.Qualified, QC, "eseal", no, "type overruled by TL qualifier QCForESeal", ""}},
		{name: "QCForWSA overrides default (real SK case)", svcs: one([]string{"ForeSignatures", "ForeSeals", "ForWebSiteAuthentication"}, "QCForWSA"), cert: tltest.EECert{QC: qc()}, for_: qualify.ForWSA, want: want{qualify.Qualified, QC, "wsa", no, "QCForWSA", ""}},
		{name: "E18 QCForLegalPerson removes ForeSignatures", svcs: one(sig, "QCForLegalPerson"), cert: tltest.EECert{QC: qc(esign)}, want: want{qualify.NotQualified, notQC, "esig", no, "type coverage", ""}},
		{name: "T1 QCForLegalPerson+QCForESig", svcs: one(sig, "QCStatement", "QCForLegalPerson", "QCForESig"), cert: tltest.EECert{}, want: want{qualify.Qualified, QC, "unknown", no, "T1", ""}},
		{name: "T2 two usage qualifiers (E11 cert)", svcs: one([]string{"ForeSignatures", "ForeSeals"}, "QCForESig", "QCForESeal"), cert: tltest.EECert{QC: qc(esign, eseal)}, want: want{qualify.Qualified, QC, "unknown", no, "T2", ""}},
		{name: "E11 two QcTypes", svcs: one([]string{"ForeSignatures", "ForeSeals"}), cert: tltest.EECert{QC: qc(esign, eseal)}, want: want{qualify.Qualified, QC, "unknown", no, "", ""}},
		{name: "E14 T3 QCForESeal without ForeSeals", svcs: one([]string{"ForeSignatures", "ForWebSiteAuthentication"}, "QCForESeal"), cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Qualified, QC, "unknown", yes, "T3", ""}},
		{name: "E13 eseal cert under signatures+seals", svcs: one([]string{"ForeSignatures", "ForeSeals"}), cert: tltest.EECert{QC: qcSSCD(eseal)}, for_: qualify.ForESeal, want: want{qualify.Qualified, QC, "eseal", yes, "", ""}},
		{name: "E17 eseal cert under ForeSignatures only", svcs: one(sig), cert: tltest.EECert{QC: qc(eseal)}, want: want{qualify.NotQualified, notQC, "eseal", no, "no CA/QC entry covers", ""}},
		{name: "E15 web cert", svcs: one([]string{"ForWebSiteAuthentication"}), cert: tltest.EECert{QC: qcSSCD(web)}, for_: qualify.ForWSA, want: want{qualify.Qualified, QC, "wsa", yes, "", ""}},
		{name: "esig cert asked for eseal", svcs: one(sig), cert: tltest.EECert{QC: qc(esign)}, for_: qualify.ForESeal, want: want{qualify.NotQualified, QC, "esig", no, "not qualified for eseal", ""}},
		{name: "QcCClegislation is never an EU QC", svcs: one(sig), cert: tltest.EECert{QC: &tltest.QCStatements{Compliance: true, Types: []string{esign}, CCLegislation: []string{"CH"}}}, want: want{qualify.NotQualified, notQC, "", "", "QcCClegislation", ""}},
		{name: "no QcCompliance, no qualifier", svcs: one(sig), cert: tltest.EECert{}, want: want{qualify.NotQualified, notQC, "unknown", no, "does not claim", ""}},
		{name: "malformed QcType tolerated", svcs: one(sig, "QCStatement", "QCForESig"), cert: tltest.EECert{QC: &tltest.QCStatements{Compliance: true, SSCD: true, MalformedType: true}}, want: want{qualify.Qualified, QC, "esig", yes, "QCForESig", "QcType"}},
		{name: "unknown qualifier URI warns (W1)", svcs: one(sig, "QCSomethingNew"), cert: tltest.EECert{QC: qc(esign)}, want: want{qualify.Qualified, QC, "esig", no, "", "W1"}},
	})
}

// TestTimeline covers withdrawal, late listing, the 2016 transition and the
// combination of the two instants.
func TestTimeline(t *testing.T) {
	QC, notQC := "qualified", "not_qualified"
	withHistory := func(cur tltest.Service, hist ...tltest.Instance) tltest.Service {
		cur.History = hist
		return cur
	}
	run(t, []tcase{
		{name: "withdrawn before issuance", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{withHistory(svc(p, "withdrawn", "2020-01-01", sig, nil), tltest.Instance{Type: "CA/QC", Name: "Test Qualified CA", Status: "granted", Start: d("2017-01-01"), ASI: sig})}
		}, cert: tltest.EECert{QC: qcSSCD(esign), NotBefore: d("2021-01-01")}, want: want{qualify.NotQualified, notQC, "esig", qualify.QSCDNo, "is not granted", ""}},
		{name: "withdrawn after issuance", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{withHistory(svc(p, "withdrawn", "2025-01-01", sig, nil), tltest.Instance{Type: "CA/QC", Name: "Test Qualified CA", Status: "granted", Start: d("2017-01-01"), ASI: sig})}
		}, cert: tltest.EECert{QC: qcSSCD(esign), NotBefore: d("2021-01-01")}, want: want{qualify.NotQualified, notQC, "esig", qualify.QSCDNo, "a QC at issuance, not at the later instant", ""}},
		{name: "withdrawn after issuance, asked at a time it was granted", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{withHistory(svc(p, "withdrawn", "2025-01-01", sig, nil), tltest.Instance{Type: "CA/QC", Name: "Test Qualified CA", Status: "granted", Start: d("2017-01-01"), ASI: sig})}
		}, cert: tltest.EECert{QC: qcSSCD(esign), NotBefore: d("2021-01-01")}, at: "2024-06-01", want: want{qualify.Qualified, QC, "esig", qualify.QSCDYes, "", ""}},
		{name: "E9 withdrawn at issuance, granted later", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{withHistory(svc(p, "granted", "2022-01-01", sig, nil), tltest.Instance{Type: "CA/QC", Name: "Test Qualified CA", Status: "withdrawn", Start: d("2019-01-01"), ASI: sig})}
		}, cert: tltest.EECert{QC: qcSSCD(esign), NotBefore: d("2020-01-01")}, want: want{qualify.NotQualified, notQC, "esig", "", "not a QC at issuance", ""}},
		{name: "not yet listed at issuance", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{svc(p, "granted", "2022-01-01", sig, nil)}
		}, cert: tltest.EECert{QC: qcSSCD(esign), NotBefore: d("2020-01-01")}, want: want{qualify.NotQualified, notQC, "", "", "not yet listed", ""}},
		{name: "E10 QSCD from the later instant", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{withHistory(svc(p, "granted", "2022-01-01", sig, q("QCWithQSCD")), tltest.Instance{Type: "CA/QC", Name: "Test Qualified CA", Status: "granted", Start: d("2017-01-01"), ASI: sig, Qualifications: q("QCNoQSCD")})}
		}, cert: tltest.EECert{QC: qc(esign), NotBefore: d("2020-01-01")}, want: want{qualify.Qualified, QC, "esig", qualify.QSCDYes, "QSCD from the later instant", ""}},
		{name: "E16 2016 transition: undersupervision then granted", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{withHistory(svc(p, "granted", "2016-06-30T22:00:00Z", sig, q("QCQSCDStatusAsInCert")), tltest.Instance{Type: "CA/QC", Name: "Test Qualified CA", Status: "undersupervision", Start: d("2010-01-01"), Qualifications: q("QCSSCDStatusAsInCert")})}
		}, cert: tltest.EECert{QC: qcSSCD(), NotBefore: d("2014-01-01")}, want: want{qualify.Qualified, QC, "esig", qualify.QSCDYes, "QCSSCDStatusAsInCert", ""}},
		{name: "pre-2016 cert with QCP+ policy only", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{withHistory(svc(p, "granted", "2016-06-30T22:00:00Z", sig, nil), tltest.Instance{Type: "CA/QC", Name: "Test Qualified CA", Status: "accredited", Start: d("2010-01-01")})}
		}, cert: tltest.EECert{Policies: []string{"0.4.0.1456.1.1"}, NotBefore: d("2012-01-01")}, at: "2015-01-01", want: want{qualify.Qualified, QC, "esig", qualify.QSCDYes, "QCP/QCP+ policy=yes", ""}},
		{name: "pre-2016 entry QCNoSSCD", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{withHistory(svc(p, "granted", "2016-06-30T22:00:00Z", sig, nil), tltest.Instance{Type: "CA/QC", Name: "Test Qualified CA", Status: "undersupervision", Start: d("2010-01-01"), Qualifications: q("QCNoSSCD")})}
		}, cert: tltest.EECert{QC: qcSSCD(), NotBefore: d("2012-01-01")}, at: "2015-01-01", want: want{qualify.Qualified, QC, "esig", qualify.QSCDNo, "QCNoSSCD", ""}},
		{name: "pre-2016 entry QCWithSSCD", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{withHistory(svc(p, "granted", "2016-06-30T22:00:00Z", sig, nil), tltest.Instance{Type: "CA/QC", Name: "Test Qualified CA", Status: "undersupervision", Start: d("2010-01-01"), Qualifications: q("QCWithSSCD")})}
		}, cert: tltest.EECert{QC: qc(), NotBefore: d("2012-01-01")}, at: "2015-01-01", want: want{qualify.Qualified, QC, "esig", qualify.QSCDYes, "QCWithSSCD", ""}},
		{name: "T4 pre-2016 entry for seals", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{withHistory(svc(p, "granted", "2016-06-30T22:00:00Z", sig, nil), tltest.Instance{Type: "CA/QC", Name: "Test Qualified CA", Status: "undersupervision", Start: d("2010-01-01"), ASI: []string{"ForeSeals"}})}
		}, cert: tltest.EECert{QC: qc(), NotBefore: d("2012-01-01")}, at: "2015-01-01", want: want{qualify.Qualified, QC, "unknown", qualify.QSCDNo, "T4", ""}},
		{name: "granted before 2016 is dropped (step 6)", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{svc(p, "granted", "2012-01-01", sig, nil)}
		}, cert: tltest.EECert{QC: qcSSCD(), NotBefore: d("2013-01-01")}, at: "2015-01-01", want: want{qualify.NotQualified, "not_qualified", "", "", "an eIDAS status before 1 July 2016", ""}},
		{name: "undersupervision not migrated: counts before 2016 only", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{svc(p, "undersupervision", "2010-01-01", nil, nil)}
		}, cert: tltest.EECert{QC: qcSSCD(), NotBefore: d("2013-01-01")}, want: want{qualify.NotQualified, "not_qualified", "esig", qualify.QSCDNo, "not migrated on 1 July 2016", ""}},
		{name: "undersupervision not migrated, asked before 2016", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{svc(p, "undersupervision", "2010-01-01", nil, nil)}
		}, cert: tltest.EECert{QC: qcSSCD(), NotBefore: d("2013-01-01")}, at: "2015-06-01", want: want{qualify.Qualified, "qualified", "esig", qualify.QSCDYes, "", ""}},
	})
}

// TestCriteria covers every criteria kind and assert mode (§3).
func TestCriteria(t *testing.T) {
	ku := func(name string, v bool) [][]tsl.KeyUsageBit { return [][]tsl.KeyUsageBit{{{Name: name, Value: v}}} }
	withQSCD := func(c tltest.Criteria) func(p pki) []tltest.Service {
		return func(p pki) []tltest.Service {
			return []tltest.Service{svc(p, "granted", "2017-01-01", sig, []tltest.Qualification{{Qualifiers: []string{"QCWithQSCD"}, Criteria: c}})}
		}
	}
	base := func() tltest.EECert { return tltest.EECert{QC: qc(esign)} }
	with := func(f func(*tltest.EECert)) tltest.EECert { c := base(); f(&c); return c }
	captured, notCaptured := want{qualify.Qualified, "qualified", "esig", qualify.QSCDYes, "", ""}, want{qualify.Qualified, "qualified", "esig", qualify.QSCDNo, "", ""}
	org := pkix.Name{CommonName: "Seal", Organization: []string{"Org"}, Country: []string{"BE"}}
	person := pkix.Name{CommonName: "Jane Doe", Country: []string{"BE"}, ExtraNames: []pkix.AttributeTypeAndValue{{Type: []int{2, 5, 4, 42}, Value: "Jane"}}}
	dnRule := tltest.Criteria{Assert: "all", DNAttrs: [][]string{{"2.5.4.10"}}, Nested: []tltest.Criteria{{Assert: "none", DNAttrs: [][]string{{"2.5.4.42"}}}}}
	run(t, []tcase{
		{name: "KeyUsage all matches", svcs: withQSCD(tltest.Criteria{Assert: "all", KeyUsage: ku("nonRepudiation", true)}), cert: base(), want: captured},
		{name: "KeyUsage all fails", svcs: withQSCD(tltest.Criteria{Assert: "all", KeyUsage: ku("nonRepudiation", true)}), cert: with(func(c *tltest.EECert) { c.KeyUsage = x509.KeyUsageDigitalSignature }), want: notCaptured},
		{name: "KeyUsage false bit", svcs: withQSCD(tltest.Criteria{Assert: "all", KeyUsage: ku("keyEncipherment", false)}), cert: base(), want: captured},
		{name: "KeyUsage absent extension: every bit false", svcs: withQSCD(tltest.Criteria{Assert: "all", KeyUsage: ku("nonRepudiation", false)}), cert: with(func(c *tltest.EECert) { c.NoKeyUsage = true }), want: captured},
		{name: "PolicySet all OIDs present", svcs: withQSCD(tltest.Criteria{Assert: "all", PolicySets: [][]string{{"1.2.3.4", "0.4.0.194112.1.2"}}}), cert: with(func(c *tltest.EECert) { c.Policies = []string{"0.4.0.194112.1.2", "1.2.3.4"} }), want: captured},
		{name: "PolicySet one OID missing", svcs: withQSCD(tltest.Criteria{Assert: "all", PolicySets: [][]string{{"1.2.3.4", "0.4.0.194112.1.2"}}}), cert: with(func(c *tltest.EECert) { c.Policies = []string{"1.2.3.4"} }), want: notCaptured},
		{name: "PolicySet urn:oid:", svcs: withQSCD(tltest.Criteria{Assert: "all", PolicySets: [][]string{{"urn:oid:1.2.3.4"}}}), cert: with(func(c *tltest.EECert) { c.Policies = []string{"1.2.3.4"} }), want: captured},
		{name: "atLeastOne of two PolicySets", svcs: withQSCD(tltest.Criteria{Assert: "atLeastOne", PolicySets: [][]string{{"1.2.3.4"}, {"1.2.3.5"}}}), cert: with(func(c *tltest.EECert) { c.Policies = []string{"1.2.3.5"} }), want: captured},
		{name: "atLeastOne none matching", svcs: withQSCD(tltest.Criteria{Assert: "atLeastOne", PolicySets: [][]string{{"1.2.3.4"}, {"1.2.3.5"}}}), cert: with(func(c *tltest.EECert) { c.Policies = []string{"1.2.3.6"} }), want: notCaptured},
		{name: "atLeastOne empty is false", svcs: withQSCD(tltest.Criteria{Assert: "atLeastOne"}), cert: base(), want: notCaptured},
		{name: "none without policies matches", svcs: withQSCD(tltest.Criteria{Assert: "none", PolicySets: [][]string{{"1.2.3.4"}}}), cert: base(), want: captured},
		{name: "none with the policy fails", svcs: withQSCD(tltest.Criteria{Assert: "none", PolicySets: [][]string{{"1.2.3.4"}}}), cert: with(func(c *tltest.EECert) { c.Policies = []string{"1.2.3.4"} }), want: notCaptured},
		{name: "EKU present", svcs: withQSCD(tltest.Criteria{Assert: "all", EKUs: [][]string{{"1.3.6.1.5.5.7.3.1"}}}), cert: with(func(c *tltest.EECert) { c.EKUs = []string{"1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"} }), want: captured},
		{name: "EKU extension absent", svcs: withQSCD(tltest.Criteria{Assert: "all", EKUs: [][]string{{"1.3.6.1.5.5.7.3.1"}}}), cert: base(), want: notCaptured},
		{name: "DN attribute O present", svcs: withQSCD(dnRule), cert: with(func(c *tltest.EECert) { c.Subject = org }), want: captured},
		{name: "DN nested none[givenName] fails for a person", svcs: withQSCD(dnRule), cert: with(func(c *tltest.EECert) { c.Subject = person }), want: notCaptured},
		{name: "unknown criterion is not matching", svcs: withQSCD(tltest.Criteria{Assert: "atLeastOne", Unknown: true}), cert: base(), want: want{qualify.Qualified, "qualified", "esig", qualify.QSCDNo, "", "unknown criterion"}},
		{name: "missing assert is all", svcs: withQSCD(tltest.Criteria{KeyUsage: ku("nonRepudiation", true)}), cert: base(), want: want{qualify.Qualified, "qualified", "esig", qualify.QSCDYes, "", "without assert"}},
		{name: "unknown assert is not matching", svcs: withQSCD(tltest.Criteria{Assert: "most", KeyUsage: ku("nonRepudiation", true)}), cert: base(), want: want{qualify.Qualified, "qualified", "esig", qualify.QSCDNo, "", "unknown assert"}},
	})
}

// TestMatching covers chains, duplicates, conflicts and forgeries (§2, §7).
func TestMatching(t *testing.T) {
	QC := "qualified"
	inter := func(asi []string, quals []tltest.Qualification) tltest.Service {
		return tltest.Service{Type: "CA/QC", Name: "Test Issuing CA", Status: "granted", Start: d("2017-01-01"), ASI: asi, Qualifications: quals, Certs: [][]byte{fixture(t).inter.DER}}
	}
	rootSvc := tltest.Service{Type: "CA/QC", Name: "Test Root CA", Status: "granted", Start: d("2017-01-01"), ASI: sig, Certs: [][]byte{fixture(t).root.DER}}
	run(t, []tcase{
		{name: "forged: right issuer name, wrong key", svcs: func(p pki) []tltest.Service { return []tltest.Service{svc(p, "granted", "2017-01-01", sig, nil)} },
			by: func(p pki) *tltest.Key { return p.rogue }, cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.NotQualified, "", "", "", "no listed service issued", ""}},
		{name: "chain through an unlisted intermediate", svcs: func(p pki) []tltest.Service { return []tltest.Service{svc(p, "granted", "2017-01-01", sig, nil)} },
			by: func(p pki) *tltest.Key { return p.unlistedInter }, chain: func(p pki) []*tltest.Key { return []*tltest.Key{p.unlistedInter} }, cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Qualified, QC, "esig", qualify.QSCDYes, "", ""}},
		{name: "unlisted intermediate without --chain", svcs: func(p pki) []tltest.Service { return []tltest.Service{svc(p, "granted", "2017-01-01", sig, nil)} },
			by: func(p pki) *tltest.Key { return p.unlistedInter }, cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.NotQualified, "", "", "", "no listed service issued", ""}},
		{name: "forged intermediate in --chain", svcs: func(p pki) []tltest.Service { return []tltest.Service{svc(p, "granted", "2017-01-01", sig, nil)} },
			by: func(p pki) *tltest.Key { return p.unlistedInter }, chain: func(p pki) []*tltest.Key {
				forged, err := tltest.IssueCert(p.rogue, tltest.EECert{Subject: p.unlistedInter.Cert.Subject, CA: true, NotBefore: d("2005-01-01")})
				if err != nil {
					panic(err)
				}
				return []*tltest.Key{forged}
			}, cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.NotQualified, "", "", "", "no listed service issued", ""}},
		{name: "listed intermediate and root agree", svcs: func(p pki) []tltest.Service { return []tltest.Service{inter(sig, nil), rootSvc} },
			by: func(p pki) *tltest.Key { return p.inter }, cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Qualified, QC, "esig", qualify.QSCDYes, "2 services agree", ""}},
		{name: "E19 listed intermediate and root disagree", svcs: func(p pki) []tltest.Service { return []tltest.Service{inter(sig, q("QCNoQSCD")), rootSvc} },
			by: func(p pki) *tltest.Key { return p.inter }, cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Indeterminate, "indeterminate", "", qualify.QSCDUnknown, "services disagree", ""}},
		{name: "CA listed twice, conflicting", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{svc(p, "granted", "2017-01-01", sig, nil), svc(p, "granted", "2017-01-01", sig, q("NotQualified"))}
		}, cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Indeterminate, "indeterminate", "", "", "services disagree", ""}},
		{name: "CA listed once per purpose: the type picks", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{svc(p, "granted", "2017-01-01", sig, nil), svc(p, "granted", "2017-01-01", []string{"ForeSeals"}, q("QCWithQSCD"))}
		}, cert: tltest.EECert{QC: qc(eseal)}, for_: qualify.ForESeal, want: want{qualify.Qualified, QC, "eseal", qualify.QSCDYes, "type coverage", ""}},
		{name: "granted and withdrawn duplicates conflict", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{svc(p, "granted", "2017-01-01", sig, nil), svc(p, "withdrawn", "2017-01-01", sig, nil)}
		}, cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Indeterminate, "indeterminate", "", "", "services disagree", ""}},
		{name: "only a non-CA/QC service matches", svcs: func(p pki) []tltest.Service {
			s := svc(p, "granted", "2017-01-01", nil, nil)
			s.Type = "Certstatus/OCSP/QC"
			return []tltest.Service{s}
		}, cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.NotQualified, "not_qualified", "esig", "", "no CA/QC service", ""}},
		{name: "SubjectName + SKI identity via --chain", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{{Type: "CA/QC", Name: "Test Unlisted Issuing CA", Status: "granted", Start: d("2017-01-01"), ASI: sig, SubjectName: "CN=Test Unlisted Issuing CA,O=Test QTSP,C=BE", SKIs: [][]byte{p.unlistedInter.SKI()}}}
		}, by: func(p pki) *tltest.Key { return p.unlistedInter }, chain: func(p pki) []*tltest.Key { return []*tltest.Key{p.unlistedInter} }, cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.Qualified, QC, "esig", qualify.QSCDYes, "", ""}},
		{name: "SubjectName + SKI identity, wrong SKI", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{{Type: "CA/QC", Name: "Test Unlisted Issuing CA", Status: "granted", Start: d("2017-01-01"), ASI: sig, SubjectName: "CN=Test Unlisted Issuing CA,O=Test QTSP,C=BE", SKIs: [][]byte{p.ca.SKI()}}}
		}, by: func(p pki) *tltest.Key { return p.unlistedInter }, chain: func(p pki) []*tltest.Key { return []*tltest.Key{p.unlistedInter} }, cert: tltest.EECert{QC: qcSSCD(esign)}, want: want{qualify.NotQualified, "", "", "", "no listed service issued", ""}},
		{name: "TSU issued by a CA listed as TSA/QTST", svcs: func(p pki) []tltest.Service {
			return []tltest.Service{{Type: "TSA/QTST", Name: "Test QTSA", Status: "granted", Start: d("2017-01-01"), Certs: [][]byte{p.ca.DER}}}
		}, cert: tltest.EECert{EKUs: []string{"1.3.6.1.5.5.7.3.8"}}, want: want{qualify.Qualified, "not_qualified", "", "", "qualified time-stamping unit", ""}},
		{name: "TSU under a TSA/QTST granted only before 2016", svcs: func(p pki) []tltest.Service {
			s := tltest.Service{Type: "TSA/QTST", Name: "Test QTSA", Status: "withdrawn", Start: d("2016-01-01"), Certs: [][]byte{p.ca.DER}}
			s.History = []tltest.Instance{{Type: "TSA/QTST", Name: "Test QTSA", Status: "undersupervision", Start: d("2010-01-01")}}
			return []tltest.Service{s}
		}, cert: tltest.EECert{EKUs: []string{"1.3.6.1.5.5.7.3.8"}, NotBefore: d("2014-01-01")}, at: "2015-01-01", want: want{qualify.NotQualified, "", "", "", "no granted TSA/QTST", ""}},
	})
}

// TestTSUListedItself: a TSU certificate that is itself a service identity.
func TestTSUListedItself(t *testing.T) {
	p := fixture(t)
	ix := newIndex(t, nil, tltest.Service{Type: "TSA/QTST", Name: "Test TSU", Status: "granted", Start: d("2018-01-01"), Certs: [][]byte{p.tsu.DER}})
	x, _ := qualify.ParseCert(p.tsu.DER)
	r := ix.Evaluate(x, nil, qualify.ForAny, d("2026-06-01"))
	if r.Outcome != qualify.Qualified || r.TSU == nil || !r.TSU.Qualified || len(r.Services) != 1 || r.Services[0].How != "self" {
		t.Fatalf("%+v %+v", r, r.TSU)
	}
	if r.Reason != "qualified time-stamping unit" {
		t.Errorf("reason %q", r.Reason)
	}
}

// TestIncomplete: a failed list of the issuer's country makes a negative
// answer incomplete; another country's failure does not.
func TestIncomplete(t *testing.T) {
	p := fixture(t)
	leaf, _ := tltest.IssueCert(p.rogue, tltest.EECert{QC: qcSSCD(esign)})
	x, _ := qualify.ParseCert(leaf.DER)
	for _, c := range []struct {
		terr string
		want qualify.Outcome
	}{{"BE", qualify.Incomplete}, {"EU", qualify.Incomplete}, {"FR", qualify.NotQualified}} {
		ix := newIndex(t, []query.FailedList{{Territory: c.terr, Verdict: "signature_invalid", Reason: "x"}}, svc(p, "granted", "2017-01-01", sig, nil))
		if r := ix.Evaluate(x, nil, qualify.ForAny, d("2026-06-01")); r.Outcome != c.want {
			t.Errorf("%s failed: %s (%s), want %s", c.terr, r.Outcome, r.Reason, c.want)
		}
	}
}

// TestSignatureAlgorithms: every issuer key type the verifier supports is
// proven by the signature, and a same-named other key never is.
func TestSignatureAlgorithms(t *testing.T) {
	for _, kt := range []tltest.KeyType{tltest.RSA2048, tltest.RSAPSS, tltest.RSAPSSSHA512, tltest.P256, tltest.P384, tltest.P521, tltest.Brainpool, tltest.BrainpoolP384, tltest.BrainpoolP512} {
		t.Run(string(kt), func(t *testing.T) {
			opts := tltest.CertOptions{Subject: pkix.Name{CommonName: "CA " + string(kt), Country: []string{"BE"}}, NotBefore: d("2010-01-01"), NotAfter: d("2040-01-01")}
			ca := tltest.MustKey(kt, opts)
			rogue := tltest.MustKey(kt, opts)
			ix := newIndex(t, nil, tltest.Service{Type: "CA/QC", Name: "CA", Status: "granted", Start: d("2017-01-01"), ASI: sig, Certs: [][]byte{ca.DER}})
			for _, c := range []struct {
				by   *tltest.Key
				want qualify.Outcome
			}{{ca, qualify.Qualified}, {rogue, qualify.NotQualified}} {
				leaf, err := tltest.IssueCert(c.by, tltest.EECert{Key: kt, QC: qcSSCD(esign)})
				if err != nil {
					t.Fatal(err)
				}
				x, err := qualify.ParseCert(leaf.DER)
				if err != nil {
					t.Fatal(err)
				}
				if r := ix.Evaluate(x, nil, qualify.ForESig, d("2026-06-01")); r.Outcome != c.want {
					t.Errorf("issued by %s: %s (%s), want %s", map[bool]string{true: "the CA", false: "a rogue key"}[c.by == ca], r.Outcome, r.Reason, c.want)
				}
			}
		})
	}
}

// TestTwoLists: the same CA listed in two territories' lists; agreeing
// entries combine, disagreeing ones are indeterminate.
func TestTwoLists(t *testing.T) {
	p := fixture(t)
	parse := func(terr string, s tltest.Service) query.Input {
		b, err := tltest.Build(tltest.List{Territory: terr, Providers: []tltest.Provider{{Name: terr + " QTSP", Services: []tltest.Service{s}}}}).WriteToBytes()
		if err != nil {
			t.Fatal(err)
		}
		l, err := tsl.ParseBytes(b)
		if err != nil {
			t.Fatal(err)
		}
		return query.Input{List: &trust.VerifiedList{List: l, SHA256: terr, Verdict: trust.Valid}}
	}
	leaf, _ := tltest.IssueCert(p.ca, tltest.EECert{QC: qcSSCD(esign)})
	x, _ := qualify.ParseCert(leaf.DER)
	for _, c := range []struct {
		name  string
		fr    []tltest.Qualification
		want  qualify.Outcome
		trace string
	}{{"agree", nil, qualify.Qualified, "2 services agree"}, {"disagree", q("QCNoQSCD"), qualify.Indeterminate, "services disagree"}} {
		ix := qualify.New(query.NewIndex([]query.Input{parse("BE", svc(p, "granted", "2017-01-01", sig, nil)), parse("FR", svc(p, "granted", "2017-01-01", sig, c.fr))}, nil))
		r := ix.Evaluate(x, nil, qualify.ForESig, d("2026-06-01"))
		if r.Outcome != c.want || len(r.Services) != 2 || !strings.Contains(strings.Join(append(r.AtTime.Trace, r.AtTime.Conflicts...), "\n"), c.trace) {
			t.Errorf("%s: %s (%s), %d services, trace %q", c.name, r.Outcome, r.Reason, len(r.Services), r.AtTime.Trace)
		}
	}
}
