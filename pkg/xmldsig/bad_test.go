package xmldsig_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

func replaceOnce(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("test setup: %q not in the signed list", old)
	}
	return bytes.Replace(data, []byte(old), []byte(new), 1)
}

// TestBadInput: every damaged or hostile input is refused with the right
// class of error and a location.
func TestBadInput(t *testing.T) {
	ks := testKeys(t)
	k := ks[tltest.RSA2048]
	good := sign(t, k, tltest.SignOptions{})
	sigStart := bytes.Index(good, []byte("<ds:Signature"))
	sigEnd := bytes.Index(good, []byte("</ds:Signature>")) + len("</ds:Signature>")
	sigEl := string(good[sigStart:sigEnd])
	qpStart := bytes.Index(good, []byte("<ds:Object>"))
	qpEnd := bytes.Index(good, []byte("</ds:Object>")) + len("</ds:Object>")

	inner := sampleList()
	inner.Providers[0].Name = "Inner"
	innerDoc := tltest.Build(inner)
	innerDoc.Root().FindElement("//TrustServiceProviderList").CreateAttr("Id", "inner-id")
	innerSigned, err := tltest.Sign(innerDoc, k, tltest.SignOptions{ReferenceID: "inner-id"})
	if err != nil {
		t.Fatal(err)
	}
	pss := ks[tltest.RSAPSS]
	pssAsPKCS1, err := tltest.SignList(sampleList(), pss, tltest.SignOptions{SignatureMethod: xmldsig.RSASHA256})
	if err != nil {
		t.Fatal(err)
	}
	pss512 := ks[tltest.RSAPSSSHA512]
	pssWrongHash, err := tltest.SignList(sampleList(), pss512, tltest.SignOptions{SignatureMethod: xmldsig.RSAPSSSHA256})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name    string
		data    []byte
		allowed [][]byte
		maxSize int64
		want    error
		where   string // part of the error's location
	}{
		{"tampered text", replaceOnce(t, good, "Example QC CA", "Example QC CB"), nil, 0, xmldsig.ErrDigestMismatch, "Reference[1]"},
		{"tampered attribute", replaceOnce(t, good, `TSLTag="http://uri.etsi.org/19612/TSLTag"`, `TSLTag="http://uri.etsi.org/19612/TSLTag2"`), nil, 0, xmldsig.ErrDigestMismatch, "Reference[1]"},
		{"tampered whitespace", replaceOnce(t, good, "<TSLSequenceNumber>7<", "<TSLSequenceNumber> 7<"), nil, 0, xmldsig.ErrDigestMismatch, "Reference[1]"},
		{"tampered status", replaceOnce(t, good, "Svcstatus/undersupervision", "Svcstatus/granted"), nil, 0, xmldsig.ErrDigestMismatch, "Reference[1]"},
		{"tampered SigningTime", replaceOnce(t, good, "<xades:SigningTime>2020-01-02", "<xades:SigningTime>2020-01-03"), nil, 0, xmldsig.ErrDigestMismatch, "Reference[2]"},
		{"tampered certificate digest", replaceOnce(t, good, "<xades:CertDigest><ds:DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/><ds:DigestValue>", "<xades:CertDigest><ds:DigestMethod Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\"/><ds:DigestValue>AAAA"), nil, 0, xmldsig.ErrDigestMismatch, "Reference[2]"},
		{"second signature", replaceOnce(t, good, "</TrustServiceStatusList>", sigEl+"</TrustServiceStatusList>"), nil, 0, xmldsig.ErrStructure, "TrustServiceStatusList"},
		{"signature not child of root", replaceOnce(t, replaceOnce(t, good, sigEl, ""), "</SchemeInformation>", sigEl+"</SchemeInformation>"), nil, 0, xmldsig.ErrStructure, "Signature"},
		{"reference to an inner Id", innerSigned, nil, 0, xmldsig.ErrStructure, "Reference[1]"},
		{"SignedProperties Id duplicated in a second ds:Object", replaceOnce(t, good, "</ds:Signature>", `<ds:Object><x Id="xades-id-sig-1"/></ds:Object></ds:Signature>`), nil, 0, xmldsig.ErrStructure, "ds:Signature/ds:Object"},
		{"SignedProperties Id duplicated in the list", replaceOnce(t, good, "</SchemeInformation>", `<x Id="xades-id-sig-1"/></SchemeInformation>`), nil, 0, xmldsig.ErrStructure, "Reference[2]"},
		{"SignedProperties outside the signature", replaceOnce(t, replaceOnce(t, good, string(good[qpStart:qpEnd]), ""), "</SchemeInformation>", strings.Replace(string(good[qpStart:qpEnd]), "<ds:Object>", `<ds:Object xmlns:ds="`+xmldsig.NSDSig+`">`, 1)+"</SchemeInformation>"), nil, 0, xmldsig.ErrStructure, "ds:Signature"},
		{"unlisted signer", good, [][]byte{ks[tltest.P256].DER}, 0, xmldsig.ErrUntrustedSigner, "X509Certificate"},
		{"no signer allowed", good, [][]byte{}, 0, xmldsig.ErrUntrustedSigner, "X509Certificate"},
		{"DOCTYPE", append([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>`), good[bytes.Index(good, []byte("<TrustServiceStatusList")):]...), nil, 0, xmldsig.ErrMalformed, "/"},
		{"ENTITY without DOCTYPE", replaceOnce(t, good, "<TrustServiceStatusList", `<!ENTITY x "y"><TrustServiceStatusList`), nil, 0, xmldsig.ErrMalformed, "/"},
		{"truncated", good[:len(good)/2], nil, 0, xmldsig.ErrMalformed, "/"},
		{"over the size limit", good, nil, int64(len(good) - 1), xmldsig.ErrTooLarge, "/"},
		{"invalid UTF-8", replaceOnce(t, good, "Example QC CA", "Example \xff CA"), nil, 0, xmldsig.ErrMalformed, "/"},
		{"empty", []byte{}, nil, 0, xmldsig.ErrMalformed, "/"},
		{"only white space", []byte("  \n "), nil, 0, xmldsig.ErrMalformed, "/"},
		{"UTF-16", append([]byte{0xFF, 0xFE}, good...), nil, 0, xmldsig.ErrMalformed, "/"},
		{"NUL byte", replaceOnce(t, good, "Example QC CA", "Example \x00 CA"), nil, 0, xmldsig.ErrMalformed, "/"},
		{"other encoding declared", replaceOnce(t, good, `encoding="UTF-8"`, `encoding="ISO-8859-1"`), nil, 0, xmldsig.ErrMalformed, "/"},
		{"duplicate attribute", replaceOnce(t, good, `TSLTag=`, `Id="a" Id="b" TSLTag=`), nil, 0, xmldsig.ErrMalformed, "TrustServiceStatusList"},
		{"unsigned", replaceOnce(t, good, sigEl, ""), nil, 0, xmldsig.ErrStructure, "TrustServiceStatusList"},
		{"SHA-1 signature method", replaceOnce(t, good, xmldsig.RSASHA256, xmldsig.RSASHA1), nil, 0, xmldsig.ErrUnsupported, "SignatureMethod"},
		{"HMAC signature method", replaceOnce(t, good, xmldsig.RSASHA256, "http://www.w3.org/2000/09/xmldsig#hmac-sha1"), nil, 0, xmldsig.ErrUnsupported, "SignatureMethod"},
		{"SHA-1 digest", replaceOnce(t, good, `<ds:DigestMethod Algorithm="`+xmldsig.DigestSHA256, `<ds:DigestMethod Algorithm="`+xmldsig.DigestSHA1), nil, 0, xmldsig.ErrUnsupported, "DigestMethod"},
		{"XPath transform", replaceOnce(t, good, `<ds:Transform Algorithm="`+xmldsig.EnvelopedSignature+`"/>`, `<ds:Transform Algorithm="`+xmldsig.EnvelopedSignature+`"/><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>1</ds:XPath></ds:Transform>`), nil, 0, xmldsig.ErrUnsupported, "Transform[2]"},
		{"XSLT transform", replaceOnce(t, good, `<ds:Transform Algorithm="`+xmldsig.EnvelopedSignature+`"/>`, `<ds:Transform Algorithm="`+xmldsig.EnvelopedSignature+`"/><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>`), nil, 0, xmldsig.ErrUnsupported, "Transform[2]"},
		{"ECDSA method with an RSA key", replaceOnce(t, good, xmldsig.RSASHA256, xmldsig.ECDSASHA256), nil, 0, xmldsig.ErrKeyMismatch, "SignatureValue"},
		{"RSASSA-PSS key with PKCS#1 v1.5", pssAsPKCS1, [][]byte{pss.DER}, 0, xmldsig.ErrKeyMismatch, "SignatureValue"},
		{"RSA-PSS parameters disagree with the method", pssWrongHash, [][]byte{pss512.DER}, 0, xmldsig.ErrKeyMismatch, "SignatureValue"},
		{"SignatureMethod with parameters", replaceOnce(t, good, `<ds:SignatureMethod Algorithm="`+xmldsig.RSASHA256+`"/>`, `<ds:SignatureMethod Algorithm="`+xmldsig.RSASHA256+`"><x/></ds:SignatureMethod>`), nil, 0, xmldsig.ErrUnsupported, "SignatureMethod"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			allowed := c.allowed
			if allowed == nil {
				allowed = [][]byte{k.DER}
			}
			res, err := xmldsig.Verify(c.data, allowed, xmldsig.Options{MaxSize: c.maxSize})
			if err == nil {
				t.Fatalf("accepted (signer %s)", res.Signer.Subject)
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			var ve *xmldsig.Error
			if !errors.As(err, &ve) || !strings.Contains(ve.Path, c.where) {
				t.Fatalf("error location %q does not name %q (%v)", ve.Path, c.where, err)
			}
		})
	}
}

// TestValidVariants: what real lists do and parsers must take.
func TestValidVariants(t *testing.T) {
	ks := testKeys(t)
	k := ks[tltest.RSA2048]
	good := sign(t, k, tltest.SignOptions{})
	prefixed := sampleList()
	prefixed.Prefix = "tsl"
	prefixedData, err := tltest.SignList(prefixed, k, tltest.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	indented := tltest.Build(sampleList())
	indented.Indent(2)
	reparsed, _ := indented.WriteToBytes()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(reparsed); err != nil {
		t.Fatal(err)
	}
	indentedSigned, err := tltest.Sign(doc, k, tltest.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	withPIDoc := tltest.Build(sampleList())
	withPIDoc.InsertChildAt(1, etreeProcInst("xml-stylesheet", `type="text/xsl" href="tl.xsl"`))
	withPI, err := tltest.Sign(withPIDoc, k, tltest.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	extra := ks[tltest.P256]
	withChain, err := tltest.SignList(sampleList(), k, tltest.SignOptions{ExtraKeyInfoCerts: [][]byte{extra.DER}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		data []byte
	}{
		{"UTF-8 byte-order mark", append([]byte{0xEF, 0xBB, 0xBF}, good...)},
		{"CRLF line ends", bytes.ReplaceAll(indentedSigned, []byte("\n"), []byte("\r\n"))},
		{"LF line ends", indentedSigned},
		{"prefixed TSL namespace", prefixedData},
		{"no XML declaration", good[bytes.Index(good, []byte("<TrustServiceStatusList")):]},
		{"processing instruction before the root", withPI},
		{"spaces inside a start tag", replaceOnce(t, good, `<TrustServiceStatusList xmlns=`, "<TrustServiceStatusList \n   xmlns=")},
		{"a CA certificate in KeyInfo too", withChain},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := xmldsig.Verify(c.data, [][]byte{k.DER}, xmldsig.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.SignerSHA256 != k.SHA256() {
				t.Fatalf("signer %s", res.SignerSHA256)
			}
			if _, err := tsl.Parse(res.Root); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("a CA certificate in KeyInfo is never the signer", func(t *testing.T) {
		if _, err := xmldsig.Verify(withChain, [][]byte{extra.DER}, xmldsig.Options{}); !errors.Is(err, xmldsig.ErrUntrustedSigner) {
			t.Fatalf("pinned to the extra KeyInfo certificate: %v", err)
		}
	})
	t.Run("a comment inside signed text neither breaks nor truncates it", func(t *testing.T) {
		// Canonicalization drops comments, so the signature stays valid; the
		// model must still read the whole signed text, not stop at the comment.
		data := replaceOnce(t, good, ">Example Trust NV<", ">Example <!-- injected -->Trust NV<")
		data = replaceOnce(t, data, "Svcstatus/undersupervision<", "Svcstatus/under<!---->supervision<")
		res, err := xmldsig.Verify(data, [][]byte{k.DER}, xmldsig.Options{})
		if err != nil {
			t.Fatal(err)
		}
		l, err := tsl.Parse(res.Root)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.Providers[0].Names.Get("en"); got != "Example Trust NV" {
			t.Errorf("name read as %q", got)
		}
		if got := l.Providers[0].Services[0].History[0].Status; got != tsl.StatusPrefix+"undersupervision" {
			t.Errorf("status read as %q", got)
		}
	})
	t.Run("a PI added after signing breaks the digest", func(t *testing.T) {
		data := replaceOnce(t, good, "?>", "?><?evil x?>")
		if _, err := xmldsig.Verify(data, [][]byte{k.DER}, xmldsig.Options{}); !errors.Is(err, xmldsig.ErrDigestMismatch) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("verified content excludes unsigned additions", func(t *testing.T) {
		// Content placed in the signature's UnsignedProperties is not part of the list.
		data := replaceOnce(t, good, "</xades:SignedProperties>", `</xades:SignedProperties><xades:UnsignedProperties><TrustServiceProvider xmlns="`+tsl.NSTSL+`"><TSPInformation><TSPName><Name xml:lang="en">Injected</Name></TSPName></TSPInformation></TrustServiceProvider></xades:UnsignedProperties>`)
		res, err := xmldsig.Verify(data, [][]byte{k.DER}, xmldsig.Options{})
		if err != nil {
			t.Fatal(err)
		}
		l, err := tsl.Parse(res.Root)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range l.Providers {
			if p.Names.Get("en") == "Injected" {
				t.Fatal("unsigned provider reached the model")
			}
		}
	})
}

func etreeProcInst(target, inst string) *etree.ProcInst { return etree.NewProcInst(target, inst) }
