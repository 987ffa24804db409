package xmldsig_test

import (
	"bytes"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

var (
	keysOnce sync.Once
	keys     map[tltest.KeyType]*tltest.Key
)

func testKeys(t testing.TB) map[tltest.KeyType]*tltest.Key {
	t.Helper()
	keysOnce.Do(func() {
		keys = map[tltest.KeyType]*tltest.Key{}
		for _, kt := range []tltest.KeyType{tltest.RSA2048, tltest.RSAPSS, tltest.RSAPSSSHA512, tltest.P256, tltest.P384, tltest.P521, tltest.Brainpool, tltest.BrainpoolP384, tltest.BrainpoolP512} {
			keys[kt] = tltest.MustKey(kt, tltest.CertOptions{})
		}
	})
	return keys
}

func sampleList() tltest.List {
	return tltest.List{
		Territory: "BE", Sequence: 7, RootID: "tsl-root",
		Providers: []tltest.Provider{{
			Name: "Example Trust NV", TradeNames: []string{"VATBE-0123456789", "Example"},
			Services: []tltest.Service{{
				Type: "CA/QC", Name: "Example QC CA", Status: "granted",
				Start: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), ASI: []string{"ForeSignatures"},
				Qualifiers: []string{"QCWithQSCD"},
				History:    []tltest.Instance{{Type: "CA/QC", Name: "Example QC CA", Status: "undersupervision", Start: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)}},
			}},
		}},
	}
}

func sign(t testing.TB, k *tltest.Key, o tltest.SignOptions) []byte {
	t.Helper()
	data, err := tltest.SignList(sampleList(), k, o)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type algCase struct {
	name string
	key  tltest.KeyType
	o    tltest.SignOptions
	// xmlsec says whether xmlsec1 1.2.x implements the method.
	xmlsec bool
}

func algCases() []algCase {
	v2 := true
	return []algCase{
		{"rsa-sha256/exc", tltest.RSA2048, tltest.SignOptions{}, true},
		{"rsa-sha384/exc", tltest.RSA2048, tltest.SignOptions{DigestMethod: xmldsig.DigestSHA384}, true},
		{"rsa-sha512/exc", tltest.RSA2048, tltest.SignOptions{DigestMethod: xmldsig.DigestSHA512}, true},
		{"rsa-sha256/c14n10", tltest.RSA2048, tltest.SignOptions{C14N: xmldsig.C14N10}, true},
		{"rsa-sha256/c14n10-comments", tltest.RSA2048, tltest.SignOptions{C14N: xmldsig.C14N10WithComments}, true},
		{"rsa-sha256/c14n11", tltest.RSA2048, tltest.SignOptions{C14N: xmldsig.C14N11}, true},
		{"rsa-sha256/c14n11-comments", tltest.RSA2048, tltest.SignOptions{C14N: xmldsig.C14N11WithComments}, true},
		{"rsa-sha256/exc-comments", tltest.RSA2048, tltest.SignOptions{C14N: xmldsig.ExcC14NWithComment}, true},
		{"rsa-sha256/root-id", tltest.RSA2048, tltest.SignOptions{RootIDReference: true}, true},
		{"rsa-sha256/sp-no-transform", tltest.RSA2048, tltest.SignOptions{NoSignedPropertiesTransform: true}, true},
		{"rsa-sha256/xades-v2", tltest.RSA2048, tltest.SignOptions{SigningCertificateV2: &v2}, true},
		{"rsa-pss-sha256", tltest.RSAPSS, tltest.SignOptions{}, false},
		{"rsa-pss-sha512", tltest.RSAPSS, tltest.SignOptions{DigestMethod: xmldsig.DigestSHA512}, false},
		{"rsa-pss-on-rsa-key", tltest.RSA2048, tltest.SignOptions{SignatureMethod: xmldsig.RSAPSSSHA256}, false},
		{"ecdsa-p256-sha256", tltest.P256, tltest.SignOptions{}, true},
		{"ecdsa-p256-sha512", tltest.P256, tltest.SignOptions{DigestMethod: xmldsig.DigestSHA512}, true},
		{"ecdsa-p384-sha384", tltest.P384, tltest.SignOptions{DigestMethod: xmldsig.DigestSHA384}, true},
		{"ecdsa-p521-sha512", tltest.P521, tltest.SignOptions{DigestMethod: xmldsig.DigestSHA512}, true},
		{"ecdsa-brainpool-sha256", tltest.Brainpool, tltest.SignOptions{}, false},
		{"ecdsa-brainpoolP384-sha384", tltest.BrainpoolP384, tltest.SignOptions{DigestMethod: xmldsig.DigestSHA384}, false},
		{"ecdsa-brainpoolP512-sha512", tltest.BrainpoolP512, tltest.SignOptions{DigestMethod: xmldsig.DigestSHA512}, false},
		{"rsa-pss key bound to SHA-512", tltest.RSAPSSSHA512, tltest.SignOptions{DigestMethod: xmldsig.DigestSHA512}, false},
	}
}

func TestVerifyAlgorithms(t *testing.T) {
	ks := testKeys(t)
	for _, c := range algCases() {
		t.Run(c.name, func(t *testing.T) {
			k := ks[c.key]
			data := sign(t, k, c.o)
			res, err := xmldsig.Verify(data, [][]byte{k.DER}, xmldsig.Options{})
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if res.SignerSHA256 != k.SHA256() {
				t.Errorf("signer %s, want %s", res.SignerSHA256, k.SHA256())
			}
			l, err := tsl.Parse(res.Root)
			if err != nil {
				t.Fatalf("Parse verified content: %v", err)
			}
			if l.Territory != "BE" || l.SequenceNumber != 7 || len(l.Providers) != 1 {
				t.Errorf("content: %s %d %d", l.Territory, l.SequenceNumber, len(l.Providers))
			}
			// Any other key is refused as untrusted.
			other := ks[tltest.RSA2048]
			if c.key == tltest.RSA2048 {
				other = ks[tltest.P256]
			}
			if _, err := xmldsig.Verify(data, [][]byte{other.DER}, xmldsig.Options{}); !errors.Is(err, xmldsig.ErrUntrustedSigner) {
				t.Errorf("with another pinned key: %v, want ErrUntrustedSigner", err)
			}
		})
	}
}

// TestXMLSecAgrees checks what our generator signs against xmlsec1, an
// independent implementation, for every method xmlsec1 1.2 implements.
func TestXMLSecAgrees(t *testing.T) {
	if _, err := exec.LookPath("xmlsec1"); err != nil {
		t.Skip("xmlsec1 not installed (apt-get install -y xmlsec1): independent cross-check skipped")
	}
	ks := testKeys(t)
	dir := t.TempDir()
	for _, c := range algCases() {
		t.Run(c.name, func(t *testing.T) {
			if !c.xmlsec {
				t.Skip("xmlsec1 1.2 does not implement this method or curve")
			}
			data := sign(t, ks[c.key], c.o)
			f := filepath.Join(dir, strings.ReplaceAll(c.name, "/", "_")+".xml")
			if err := os.WriteFile(f, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := xmlsecVerify(f); err != nil {
				t.Fatalf("xmlsec1 rejects what we signed: %v\n%s", err, out)
			}
			// and a one-byte change is rejected by both
			bad := bytes.Replace(data, []byte("Example QC CA"), []byte("Example QC CB"), 1)
			if err := os.WriteFile(f, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := xmlsecVerify(f); err == nil {
				t.Fatal("xmlsec1 accepts a tampered list")
			}
			if _, err := xmldsig.Verify(bad, [][]byte{ks[c.key].DER}, xmldsig.Options{}); !errors.Is(err, xmldsig.ErrDigestMismatch) {
				t.Fatalf("eutl on the tampered list: %v", err)
			}
		})
	}
}

func xmlsecVerify(file string) ([]byte, error) {
	return exec.Command("xmlsec1", "--verify", "--insecure", "--enabled-reference-uris", "empty,same-doc",
		"--id-attr:Id", "http://uri.etsi.org/02231/v2#:TrustServiceStatusList",
		"--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties", file).CombinedOutput()
}

// TestOpenSSLAgreesOnSignatureValue proves the methods xmlsec1 1.2 lacks
// (RSA-PSS, an id-RSASSA-PSS key, brainpool ECDSA) with OpenSSL: the
// SignatureValue must verify over the canonical SignedInfo (whose
// canonicalization xmlsec1 proves in TestXMLSecAgrees).
func TestOpenSSLAgreesOnSignatureValue(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: independent cross-check skipped")
	}
	ks := testKeys(t)
	for _, c := range algCases() {
		if c.xmlsec {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			k := ks[c.key]
			data := sign(t, k, c.o)
			doc := etree.NewDocument()
			if err := doc.ReadFromBytes(data); err != nil {
				t.Fatal(err)
			}
			si := doc.FindElement("//ds:SignedInfo")
			canon, err := xmldsig.Canonicalize(si, xmldsig.ExcC14N, "")
			if err != nil {
				t.Fatal(err)
			}
			sigVal, err := base64.StdEncoding.DecodeString(doc.FindElement("//ds:SignatureValue").Text())
			if err != nil {
				t.Fatal(err)
			}
			method := si.FindElement("ds:SignatureMethod").SelectAttrValue("Algorithm", "")
			args := []string{"dgst", "-" + hashName(method), "-verify", filepath.Join(dir, "pub.pem"), "-signature", filepath.Join(dir, "sig.bin")}
			if strings.Contains(method, "MGF1") {
				args = append(args, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest")
			}
			if strings.Contains(method, "ecdsa") {
				half := len(sigVal) / 2
				der, _ := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sigVal[:half]), new(big.Int).SetBytes(sigVal[half:])})
				sigVal = der
			}
			write := func(name string, b []byte) {
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			write("cert.pem", k.PEM())
			write("sig.bin", sigVal)
			write("si.xml", canon)
			out, err := exec.Command("openssl", "x509", "-in", filepath.Join(dir, "cert.pem"), "-pubkey", "-noout").Output()
			if err != nil {
				t.Fatalf("openssl x509: %v", err)
			}
			write("pub.pem", out)
			if out, err := exec.Command("openssl", append(args, filepath.Join(dir, "si.xml"))...).CombinedOutput(); err != nil {
				t.Fatalf("openssl rejects the SignatureValue: %v\n%s", err, out)
			}
			canon[len(canon)-2] ^= 1
			write("si.xml", canon)
			if _, err := exec.Command("openssl", append(args, filepath.Join(dir, "si.xml"))...).CombinedOutput(); err == nil {
				t.Fatal("openssl accepts a changed SignedInfo")
			}
		})
	}
}

func hashName(method string) string {
	for _, h := range []string{"sha512", "sha384", "sha224", "sha256"} {
		if strings.Contains(method, h) {
			return h
		}
	}
	return "sha256"
}
