package xmldsig_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eutl/eutl/internal/xmlscan"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// The differential tests: the streaming verifier (Verify, over
// internal/xmlscan) against the etree verifier (verifyTree), libxml2
// (xmllint --exc-c14n) and xmlsec1, on every real file and on generated
// lists.

var sentinels = []error{xmldsig.ErrMalformed, xmldsig.ErrTooLarge, xmldsig.ErrStructure, xmldsig.ErrUnsupported, xmldsig.ErrDigestMismatch,
	xmldsig.ErrBadSignature, xmldsig.ErrKeyMismatch, xmldsig.ErrUntrustedSigner, xmldsig.ErrSigningCert, xmldsig.ErrSigningTime}

// verdict names the class of a Verify outcome.
func verdict(err error) string {
	if err == nil {
		return "ok"
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return "unclassified: " + err.Error()
}

// shapeRefusal reports a refusal by the rules only the streaming verifier
// has: the signature structure (issue 9.1).
func shapeRefusal(err error) bool {
	return errors.Is(err, xmldsig.ErrStructure) && (strings.Contains(err.Error(), "is not accepted here") ||
		strings.Contains(err.Error(), "unsigned content") || strings.Contains(err.Error(), "limit"))
}

// compareWithTree checks one input: the same verdict class (unless the
// streaming verifier refuses the signature's shape, a rule the tree path
// lacks) and, when both parse it, the same canonical bytes.
func compareWithTree(t *testing.T, name string, data []byte, allowed [][]byte) {
	t.Helper()
	_, serr := xmldsig.Verify(data, allowed, xmldsig.Options{})
	_, terr := xmldsig.VerifyTree(data, allowed, xmldsig.Options{})
	if verdict(serr) != verdict(terr) && !shapeRefusal(serr) {
		t.Errorf("%s: streaming %q (%v), tree %q (%v)", name, verdict(serr), serr, verdict(terr), terr)
	}
	sc, err1 := xmldsig.StreamCanonical(data, true)
	tc, err2 := xmldsig.TreeCanonical(data)
	if err1 == nil && err2 == nil && !bytes.Equal(sc, tc) {
		t.Errorf("%s: canonical forms differ (streaming %d bytes, tree %d bytes) at byte %d", name, len(sc), len(tc), firstDiff(sc, tc))
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func realFiles(t *testing.T) []string {
	t.Helper()
	dir := os.Getenv("EUTL_REAL_TL_DIR")
	if dir == "" {
		t.Skip("EUTL_REAL_TL_DIR is not set: real-list differential tests skipped")
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".xml") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 130 {
		t.Fatalf("%d real files, expected 130", len(files))
	}
	return files
}

// keyInfoCerts returns the KeyInfo certificates of data, to pin every real
// file to its own signer (so that the comparison reaches every check).
func keyInfoCerts(data []byte) [][]byte {
	doc, err := xmlscan.Parse(data, xmlscan.Limits{})
	if err != nil {
		return nil
	}
	var out [][]byte
	var walk func(n xmlscan.Node, inKeyInfo bool)
	walk = func(n xmlscan.Node, in bool) {
		in = in || n.Is(xmldsig.NSDSig, "KeyInfo")
		if in && n.Is(xmldsig.NSDSig, "X509Certificate") {
			if der, err := xmldsig.DecodeBase64(n.Text()); err == nil {
				out = append(out, der)
			}
		}
		for c := n.FirstElement(); c.Valid(); c = c.NextElement() {
			walk(c, in)
		}
	}
	walk(doc.Root(), false)
	return out
}

// TestStreamMatchesTreeOnRealFiles: all 130 real files, pinned to their
// own signer and to nobody.
func TestStreamMatchesTreeOnRealFiles(t *testing.T) {
	for _, f := range realFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		compareWithTree(t, filepath.Base(f), data, keyInfoCerts(data))
		compareWithTree(t, filepath.Base(f)+" (unpinned)", data, nil)
	}
}

// TestStreamMatchesLibxml2OnRealFiles: the streaming writer's exclusive
// canonical form of every real file (comments kept) equals libxml2's.
func TestStreamMatchesLibxml2OnRealFiles(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not installed (apt-get install -y libxml2-utils): independent c14n check skipped")
	}
	n := 0
	for _, f := range realFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := xmldsig.StreamCanonical(data, false)
		if err != nil {
			continue // refused before canonicalization: nothing to compare
		}
		want, err := exec.Command("xmllint", "--nonet", "--exc-c14n", f).Output()
		if err != nil {
			t.Fatalf("%s: xmllint: %v", f, err)
		}
		if !bytes.Equal(got, bytes.TrimRight(want, "\n")) {
			t.Errorf("%s: differs from libxml2 at byte %d", filepath.Base(f), firstDiff(got, want))
		}
		n++
	}
	t.Logf("%d files compared with libxml2", n)
}

// TestStreamMatchesXMLSecOnRealFiles: where xmlsec1 finds every digest and
// the signature value right, the streaming verifier finds no digest or
// signature error, and the other way round.
func TestStreamMatchesXMLSecOnRealFiles(t *testing.T) {
	if _, err := exec.LookPath("xmlsec1"); err != nil {
		t.Skip("xmlsec1 not installed (apt-get install -y xmlsec1): independent cross-check skipped")
	}
	for _, f := range realFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, serr := xmldsig.Verify(data, keyInfoCerts(data), xmldsig.Options{})
		out, xerr := exec.Command("xmlsec1", "--verify", "--insecure", "--enabled-reference-uris", "empty,same-doc",
			"--id-attr:Id", "http://uri.etsi.org/02231/v2#:TrustServiceStatusList",
			"--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties", f).CombinedOutput()
		xmlsecOK := xerr == nil
		cryptoFail := errors.Is(serr, xmldsig.ErrDigestMismatch) || errors.Is(serr, xmldsig.ErrBadSignature)
		switch {
		case serr == nil && !xmlsecOK:
			t.Errorf("%s: eutl accepts, xmlsec1 refuses:\n%s", filepath.Base(f), out)
		case xmlsecOK && cryptoFail:
			t.Errorf("%s: xmlsec1 verifies every digest and the signature, eutl says %v", filepath.Base(f), serr)
		case !xmlsecOK && serr == nil:
			t.Errorf("%s: xmlsec1 refuses, eutl accepts", filepath.Base(f))
		}
	}
}

// generatedSigned are signed lists of every shape the generator makes,
// and the signers to pin.
func generatedSigned(t testing.TB) (map[string][]byte, [][]byte) {
	ks := testKeys(t)
	out := map[string][]byte{}
	var allowed [][]byte
	for _, kt := range []tltest.KeyType{tltest.RSA2048, tltest.RSAPSS, tltest.P256, tltest.Brainpool} {
		allowed = append(allowed, ks[kt].DER)
	}
	k := ks[tltest.RSA2048]
	for name, o := range map[string]tltest.SignOptions{
		"default": {}, "root Id": {RootIDReference: true}, "SHA-512": {DigestMethod: xmldsig.DigestSHA512},
		"SignedProperties without transform": {NoSignedPropertiesTransform: true},
		"C14N 1.1":                           {C14N: xmldsig.C14N11}, "C14N 1.0": {C14N: xmldsig.C14N10},
		"exclusive with comments": {C14N: xmldsig.ExcC14NWithComment},
	} {
		out[name] = sign(t, k, o)
	}
	for name, kt := range map[string]tltest.KeyType{"RSA-PSS": tltest.RSAPSS, "P-256": tltest.P256, "brainpool": tltest.Brainpool} {
		out[name] = sign(t, ks[kt], tltest.SignOptions{})
	}
	prefixed := sampleList()
	prefixed.Prefix = "tsl"
	data, err := tltest.SignList(prefixed, k, tltest.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out["prefixed"] = data
	large, err := tltest.SignList(tltest.LargeList("IT", 1<<20), k, tltest.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out["large"] = large
	return out, allowed
}

// TestStreamMatchesTreeOnGeneratedLists: generated lists and tampered
// variants of them.
func TestStreamMatchesTreeOnGeneratedLists(t *testing.T) {
	lists, allowed := generatedSigned(t)
	for name, data := range lists {
		compareWithTree(t, name, data, allowed)
		for _, m := range mutations {
			if bytes.Contains(data, []byte(m[0])) {
				compareWithTree(t, name+" with "+m[0]+" → "+m[1], bytes.Replace(data, []byte(m[0]), []byte(m[1]), 1), allowed)
			}
		}
	}
}

// mutations change a signed list in ways both verifiers must judge alike.
var mutations = [][2]string{
	{"Example", "Exampel"},
	{"<TSLSequenceNumber>", "<TSLSequenceNumber> "},
	{"</SchemeInformation>", "<!-- comment --></SchemeInformation>"},
	{"</SchemeInformation>", "<?pi x?></SchemeInformation>"},
	{`xmlns="http://uri.etsi.org/02231/v2#"`, `xmlns="http://uri.etsi.org/02231/v2#" xmlns:unused="urn:unused"`},
	{"<SchemeInformation>", `<SchemeInformation xmlns:p="urn:p" p:a="1">`},
	{"&", "&amp;amp;"},
	{"<ds:SignatureValue>", "<ds:SignatureValue>\n"},
	{"<ds:DigestValue>", "<ds:DigestValue>AAAA"},
}

// FuzzStreamMatchesTree: on any input both verifiers give the same verdict
// class (unless the streaming one refuses the signature's shape), and where
// both parse it the same canonical bytes.
func FuzzStreamMatchesTree(f *testing.F) {
	lists, allowed := generatedSigned(f)
	for _, data := range lists {
		if len(data) < 64<<10 { // the large list would make every run slow
			f.Add(data)
		}
	}
	f.Add([]byte(`<a xmlns="urn:x"><b xmlns=""/><c:d xmlns:c="urn:c" c:e="1" f="2"/></a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, serr := xmldsig.Verify(data, allowed, xmldsig.Options{})
		_, terr := xmldsig.VerifyTree(data, allowed, xmldsig.Options{})
		sv, tv := verdict(serr), verdict(terr)
		switch {
		case sv == tv, shapeRefusal(serr):
		case serr != nil && errors.Is(serr, xmldsig.ErrMalformed) && terr != nil:
			// The tokenizer is stricter; both refuse.
		case serr != nil && errors.Is(serr, xmldsig.ErrMalformed) && terr == nil:
			t.Fatalf("the tree verifier accepts what the tokenizer refuses: %v", serr)
		default:
			t.Fatalf("streaming %q (%v), tree %q (%v)", sv, serr, tv, terr)
		}
		if serr == nil && terr != nil {
			t.Fatalf("the streaming verifier accepts what the tree refuses: %v", terr)
		}
		sc, err1 := xmldsig.StreamCanonical(data, true)
		tc, err2 := xmldsig.TreeCanonical(data)
		if err1 == nil && err2 == nil && !bytes.Equal(sc, tc) {
			t.Fatalf("canonical forms differ:\n streaming %q\n tree      %q", sc, tc)
		}
	})
}
