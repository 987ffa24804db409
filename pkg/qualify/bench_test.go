package qualify_test

import (
	"crypto/x509/pkix"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/qualify"
	"github.com/eutl/eutl/pkg/tltest"
)

// BenchmarkEvaluate10k qualifies (EvaluateAll, as eutl cert does) 10,000 distinct certificates (parse from
// DER, index lookup, signature check, both instants) after the lists are
// loaded: 500 listed CAs (RSA-2048 and P-256 alike), 20 certificates each.
func BenchmarkEvaluate10k(b *testing.B) {
	const cas, per = 500, 20
	var svcs []tltest.Service
	var keys []*tltest.Key
	for i := 0; i < cas; i++ {
		kt := tltest.P256
		if i%2 == 0 {
			kt = tltest.RSA2048
		}
		k := tltest.MustKey(kt, tltest.CertOptions{Subject: pkix.Name{CommonName: fmt.Sprintf("Bench CA %d", i), Country: []string{"BE"}}, NotBefore: d("2010-01-01"), NotAfter: d("2040-01-01")})
		keys = append(keys, k)
		svcs = append(svcs, tltest.Service{Type: "CA/QC", Name: fmt.Sprintf("Bench CA %d", i), Status: "granted", Start: d("2017-01-01"), ASI: sig, Certs: [][]byte{k.DER},
			Qualifications: []tltest.Qualification{{Qualifiers: []string{"QCWithQSCD"}, Criteria: tltest.Criteria{Assert: "atLeastOne", PolicySets: [][]string{{"0.4.0.194112.1.2"}}}}}})
	}
	ix := newIndex(b, nil, svcs...)
	subject := tltest.MustKey(tltest.P256, tltest.CertOptions{})
	var ders [][]byte
	for i := 0; i < cas*per; i++ {
		k := keys[i%cas]
		der, err := tltest.SignCert(k, k.Subject(), subject.SPKI(), tltest.EECert{Subject: pkix.Name{CommonName: fmt.Sprintf("Holder %d", i), Country: []string{"BE"}},
			NotBefore: d("2024-01-01"), NotAfter: d("2027-01-01"), Policies: []string{"0.4.0.194112.1.2"}, QC: qc(esign)})
		if err != nil {
			b.Fatal(err)
		}
		ders = append(ders, der)
	}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	cpu0 := cpuTime()
	for n := 0; n < b.N; n++ {
		xs := make([]*qualify.Cert, len(ders))
		for i, der := range ders {
			x, err := qualify.ParseCert(der)
			if err != nil {
				b.Fatal(err)
			}
			xs[i] = x
		}
		for _, r := range ix.EvaluateAll(xs, nil, qualify.ForESig, at) {
			if r.Outcome != qualify.Qualified {
				b.Fatalf("%s: %s", r.Outcome, r.Reason)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/10k-certs")
	// CPU time, which a machine shared with other jobs inflates less than
	// wall time (wall on idle cores is about this divided by GOMAXPROCS).
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/10k-certs")
}

// BenchmarkRealCerts10k qualifies the real certificates of the manifest
// against the verified real set, 10,000 evaluations in all.
func BenchmarkRealCerts10k(b *testing.B) {
	dir := os.Getenv("EUTL_REAL_CERTS_DIR")
	if dir == "" {
		b.Skip("EUTL_REAL_CERTS_DIR is not set")
	}
	q := realIndex(b)
	files, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
	var certs []*qualify.Cert
	for _, f := range files {
		data, _ := os.ReadFile(f)
		ins, err := qualify.ReadCerts(data)
		if err != nil {
			b.Fatal(err)
		}
		certs = append(certs, ins[0].Cert)
	}
	at := time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	cpu0 := cpuTime()
	for n := 0; n < b.N; n++ {
		xs := make([]*qualify.Cert, 10000)
		for i := range xs {
			xs[i] = certs[i%len(certs)]
		}
		q.EvaluateAll(xs, nil, qualify.ForAny, at)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/10k-certs")
	// CPU time, which a machine shared with other jobs inflates less than
	// wall time (wall on idle cores is about this divided by GOMAXPROCS).
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/10k-certs")
}
