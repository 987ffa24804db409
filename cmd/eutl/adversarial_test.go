package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // the HMAC-SHA1 attack needs it
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/eutl/eutl/cmd/eutl/internal/cli"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// The adversarial suite (issue "Prove it holds"): every attack, hostile
// input and network fault below is run through the real CLI, in process,
// against a generated EU served on loopback. Each must end in a trust
// failure (exit 4) or a fetch failure (exit 5) — never exit 0, never a
// wrong "not qualified" (3) — within its timeouts. Subtests are named
// TestAdversarial/<class>/<case>; `make adversarial` counts them per class.

// advWorld is shared by the cases that only change what is served.
var (
	advOnce  sync.Once
	advWorld *tltest.World
	advErr   error
)

func sharedWorld(t *testing.T) *tltest.World {
	advOnce.Do(func() { advWorld, advErr = tltest.NewWorld(tltest.WorldOptions{BaseURL: "http://tl.test"}) })
	if advErr != nil {
		t.Fatal(advErr)
	}
	return advWorld
}

type harness struct {
	t   *testing.T
	w   *tltest.World
	srv *tltest.Server
	dir string
	// transport replaces the server's (e.g. a DNS failure).
	transport http.RoundTripper
}

func newHarness(t *testing.T, w *tltest.World) *harness {
	srv := tltest.NewServer(w)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "anchors.pem"), w.AnchorPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, w: w, srv: srv, dir: dir}
}

type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

// eutl runs the CLI in process with the world's LOTL URL, anchors and a
// cache directory of its own.
func (h *harness) eutl(cache string, args ...string) result {
	var out, errb bytes.Buffer
	tr := h.transport
	if tr == nil {
		tr = h.srv.Transport()
	}
	env := &cli.Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Now: func() time.Time { return testNow }, Dir: h.dir,
		Getenv:    func(string) string { return "" },
		Transport: tr, RetryBaseDelay: time.Millisecond,
	}
	base := []string{"--lotl-url", h.w.LOTLURL(), "--trust-anchors", "anchors.pem", "--cache-dir", cache}
	start := time.Now()
	code := cli.Run(context.Background(), append(base, args...), env)
	return result{code, out.String(), errb.String(), time.Since(start)}
}

// The question an attack on the BE list would change: Certipost's root CA
// is withdrawn (not qualified); the attacks grant it.
var beQuestion = []string{"check", "--provider", "Certipost", "--service", "qc-esig", "--country", "BE"}

// refused asserts a trust (4) or fetch (5) failure, never an answer.
func refused(t *testing.T, r result, codes ...int) {
	t.Helper()
	if len(codes) == 0 {
		codes = []int{cli.ExitTrust}
	}
	ok := false
	for _, c := range codes {
		ok = ok || r.code == c
	}
	if !ok || strings.HasPrefix(r.stdout, "QUALIFIED") || strings.HasPrefix(r.stdout, "NOT QUALIFIED") {
		t.Fatalf("exit %d, want %v\nstdout:\n%s\nstderr:\n%s", r.code, codes, r.stdout, r.stderr)
	}
}

func grantCertipost(b []byte) []byte {
	return bytes.Replace(b, []byte("Svcstatus/withdrawn"), []byte("Svcstatus/granted"), 1)
}

func sigBlock(b []byte) (start, end int) {
	start = bytes.Index(b, []byte("<ds:Signature"))
	end = bytes.Index(b, []byte("</ds:Signature>")) + len("</ds:Signature>")
	return
}

func rootElement(b []byte) []byte {
	i := bytes.Index(b, []byte("<TrustServiceStatusList"))
	return b[i:]
}

func signedWith(t *testing.T, w *tltest.World, k *tltest.Key, l tltest.List, o tltest.SignOptions) []byte {
	t.Helper()
	b, err := tltest.SignList(l, k, o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// evilBE is the BE list with Certipost granted.
func evilBE(w *tltest.World) tltest.List {
	l := w.Lists["BE"]
	l.Providers = append([]tltest.Provider{}, l.Providers...)
	for i, p := range l.Providers {
		if strings.HasPrefix(p.Name, "Certipost") {
			p.Services = append([]tltest.Service{}, p.Services...)
			p.Services[0].Status = "granted"
			p.Services[0].ASI = []string{"ForeSignatures"}
			l.Providers[i] = p
		}
	}
	return l
}

type attack struct {
	class, name string
	// body builds what /BE.xml serves; nil when run does everything.
	body func(t *testing.T, w *tltest.World) []byte
	// run, when set, replaces the standard check.
	run func(t *testing.T)
}

func signatureAttacks() []attack {
	return []attack{
		// Signature wrapping.
		{"wrapping", "signed content moved into ds:Object, forged root", func(t *testing.T, w *tltest.World) []byte {
			good := w.Files["/BE.xml"]
			s, _ := sigBlock(good)
			orig := append(append([]byte{}, good[bytes.Index(good, []byte("<TrustServiceStatusList")):s]...), []byte("</TrustServiceStatusList>")...)
			forged := grantCertipost(good)
			return bytes.Replace(forged, []byte("</ds:Signature>"), append(append([]byte("<ds:Object>"), orig...), []byte("</ds:Object></ds:Signature>")...), 1)
		}, nil},
		{"wrapping", "root-Id reference, original moved into ds:Object", func(t *testing.T, w *tltest.World) []byte {
			l := w.Lists["BE"]
			l.RootID = "be-root"
			good := signedWith(t, w, w.TLKeys["BE"], l, tltest.SignOptions{RootIDReference: true})
			orig := append(append([]byte{}, rootElement(good)[:bytes.Index(rootElement(good), []byte("<ds:Signature"))]...), []byte("</TrustServiceStatusList>")...)
			forged := grantCertipost(good)
			return bytes.Replace(forged, []byte("</ds:Signature>"), append(append([]byte("<ds:Object>"), orig...), []byte("</ds:Object></ds:Signature>")...), 1)
		}, nil},
		{"wrapping", "root-Id reference, forged root takes the Id", func(t *testing.T, w *tltest.World) []byte {
			l := w.Lists["BE"]
			l.RootID = "be-root"
			good := signedWith(t, w, w.TLKeys["BE"], l, tltest.SignOptions{RootIDReference: true})
			orig := rootElement(good)[:bytes.Index(rootElement(good), []byte("<ds:Signature"))]
			orig = append(bytes.Replace(append([]byte{}, orig...), []byte(`Id="be-root"`), []byte(`Id="moved"`), 1), []byte("</TrustServiceStatusList>")...)
			forged := grantCertipost(good)
			return bytes.Replace(forged, []byte("</ds:Signature>"), append(append([]byte("<ds:Object>"), orig...), []byte("</ds:Object></ds:Signature>")...), 1)
		}, nil},
		{"wrapping", "a second TrustServiceStatusList", func(t *testing.T, w *tltest.World) []byte {
			good := rootElement(w.Files["/BE.xml"])
			return append(append([]byte(`<Lists xmlns="urn:x">`), good...), append(grantCertipost(good), []byte("</Lists>")...)...)
		}, nil},
		{"wrapping", "a second ds:Signature", func(t *testing.T, w *tltest.World) []byte {
			good := w.Files["/BE.xml"]
			s, e := sigBlock(good)
			forged := grantCertipost(good)
			return bytes.Replace(forged, []byte("</TrustServiceStatusList>"), append(append([]byte{}, good[s:e]...), []byte("</TrustServiceStatusList>")...), 1)
		}, nil},
		{"wrapping", "duplicated SignedProperties Id", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(grantCertipost(w.Files["/BE.xml"]), []byte("</SchemeInformation>"), []byte(`</SchemeInformation><X Id="xades-id-sig-1"/>`), 1)
		}, nil},
		{"wrapping", "reference by Id to an inner element", func(t *testing.T, w *tltest.World) []byte {
			doc := tltest.Build(evilBE(w))
			doc.Root().FindElement("//SchemeInformation").CreateAttr("Id", "si")
			b, err := tltest.Sign(doc, w.TLKeys["BE"], tltest.SignOptions{ReferenceID: "si"})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}, nil},
		{"wrapping", "SignedProperties of another signature", func(t *testing.T, w *tltest.World) []byte {
			good, other := w.Files["/BE.xml"], w.Files["/FR.xml"]
			sp := regexp.MustCompile(`(?s)<xades:SignedProperties.*</xades:SignedProperties>`)
			return sp.ReplaceAll(grantCertipost(good), sp.Find(other))
		}, nil},
		{"wrapping", "QualifyingProperties targeting another signature", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte(`Target="#id-sig-1"`), []byte(`Target="#other"`), 1)
		}, nil},
		{"wrapping", "processing instruction inside a signed text", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte("Svcstatus/withdrawn"), []byte("Svcstatus/<?x y?>withdrawn"), 1)
		}, nil},
		{"wrapping", "comment inside a signed text (authentic: answers unchanged)", nil, func(t *testing.T) {
			w := sharedWorld(t)
			h := newHarness(t, w)
			h.srv.SetFault("/BE.xml", &tltest.Fault{Body: bytes.Replace(w.Files["/BE.xml"], []byte("Svcstatus/withdrawn"), []byte("Svcstatus/with<!-- granted -->drawn"), 1)})
			r := h.eutl("cache", beQuestion...)
			if r.code != cli.ExitNotQualified || !strings.Contains(r.stdout, "withdrawn since") {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		}},
		// Key confusion.
		{"key-confusion", "attacker certificate with the pinned subject", func(t *testing.T, w *tltest.World) []byte {
			k := tltest.MustKey(tltest.RSA2048, tltest.CertOptions{Subject: w.TLKeys["BE"].Cert.Subject})
			return signedWith(t, w, k, evilBE(w), tltest.SignOptions{})
		}, nil},
		{"key-confusion", "pinned certificate added to KeyInfo beside the attacker's", func(t *testing.T, w *tltest.World) []byte {
			k := tltest.MustKey(tltest.RSA2048, tltest.CertOptions{})
			return signedWith(t, w, k, evilBE(w), tltest.SignOptions{ExtraKeyInfoCerts: [][]byte{w.TLKeys["BE"].DER}})
		}, nil},
		{"key-confusion", "only the pinned certificate in KeyInfo, signed by another key", func(t *testing.T, w *tltest.World) []byte {
			k := tltest.MustKey(tltest.RSA2048, tltest.CertOptions{})
			b := signedWith(t, w, k, evilBE(w), tltest.SignOptions{})
			return bytes.Replace(b, []byte(base64.StdEncoding.EncodeToString(k.DER)), []byte(base64.StdEncoding.EncodeToString(w.TLKeys["BE"].DER)), -1)
		}, nil},
		{"key-confusion", "RSA key with an ECDSA method", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte(xmldsig.RSASHA256), []byte(xmldsig.ECDSASHA256), 1)
		}, nil},
		{"key-confusion", "ECDSA key with an RSA method", nil, func(t *testing.T) {
			w := sharedWorld(t)
			h := newHarness(t, w)
			h.srv.SetFault("/EL.xml", &tltest.Fault{Body: bytes.Replace(w.Files["/EL.xml"], []byte(xmldsig.ECDSASHA256), []byte(xmldsig.RSASHA256), 1)})
			refused(t, h.eutl("cache", "check", "--provider", "hermes", "--service", "qwac", "--country", "EL"))
		}},
		{"key-confusion", "RSA-PSS parameters that disagree with the method", nil, func(t *testing.T) {
			w, err := tltest.NewWorld(tltest.WorldOptions{BaseURL: "http://tl.test", Territories: []string{"BE"}})
			if err != nil {
				t.Fatal(err)
			}
			// BE's pinned key is an id-RSASSA-PSS key bound to SHA-512; a
			// signature with sha256-rsa-MGF1 must not pass.
			w.TLKeys["BE"] = tltest.MustKey(tltest.RSAPSSSHA512, tltest.CertOptions{})
			for i, p := range w.LOTL.Pointers {
				if p.Territory == "BE" {
					w.LOTL.Pointers[i].Certs = [][]byte{w.TLKeys["BE"].DER}
				}
			}
			w.Lists["BE"] = evilBE(w)
			w.SignOpts["/BE.xml"] = tltest.SignOptions{SignatureMethod: xmldsig.RSAPSSSHA256}
			if err := w.Sign(); err != nil {
				t.Fatal(err)
			}
			r := newHarness(t, w).eutl("cache", beQuestion...)
			refused(t, r)
			if !strings.Contains(r.stdout, "key does not fit") {
				t.Fatalf("%s", r.stdout)
			}
		}},
		{"key-confusion", "RSA-PSS method on a PKCS#1 signature", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte(xmldsig.RSASHA256), []byte(xmldsig.RSAPSSSHA256), 1)
		}, nil},
		// Downgrades.
		{"downgrade", "SHA-1 signature by the pinned key", func(t *testing.T, w *tltest.World) []byte {
			return signedWith(t, w, w.TLKeys["BE"], w.Lists["BE"], tltest.SignOptions{SignatureMethod: xmldsig.RSASHA1})
		}, nil},
		{"downgrade", "HMAC keyed with the public certificate", func(t *testing.T, w *tltest.World) []byte {
			b := grantCertipost(w.Files["/BE.xml"])
			b = bytes.Replace(b, []byte(xmldsig.RSASHA256), []byte("http://www.w3.org/2000/09/xmldsig#hmac-sha1"), 1)
			doc := etree.NewDocument()
			if err := doc.ReadFromBytes(b); err != nil {
				t.Fatal(err)
			}
			si, _ := xmldsig.Canonicalize(doc.FindElement("//ds:SignedInfo"), xmldsig.ExcC14N, "")
			mac := hmac.New(sha1.New, w.TLKeys["BE"].DER)
			mac.Write(si)
			doc.FindElement("//ds:SignatureValue").SetText(base64.StdEncoding.EncodeToString(mac.Sum(nil)))
			out, _ := doc.WriteToBytes()
			return out
		}, nil},
		{"downgrade", "XPath transform", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte(`<ds:Transform Algorithm="`+xmldsig.EnvelopedSignature+`"/>`), []byte(`<ds:Transform Algorithm="`+xmldsig.EnvelopedSignature+`"/><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::TSPService)</ds:XPath></ds:Transform>`), 1)
		}, nil},
		{"downgrade", "XSLT transform", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte(`<ds:Transform Algorithm="`+xmldsig.EnvelopedSignature+`"/>`), []byte(`<ds:Transform Algorithm="`+xmldsig.EnvelopedSignature+`"/><ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>`), 1)
		}, nil},
		{"downgrade", "exclusive c14n swapped for c14n 1.1", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(grantCertipost(w.Files["/BE.xml"]), []byte(`<ds:CanonicalizationMethod Algorithm="`+xmldsig.ExcC14N+`"`), []byte(`<ds:CanonicalizationMethod Algorithm="`+xmldsig.C14N11+`"`), 1)
		}, nil},
		{"downgrade", "SHA-1 reference digest", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte(`<ds:DigestMethod Algorithm="`+xmldsig.DigestSHA256), []byte(`<ds:DigestMethod Algorithm="`+xmldsig.DigestSHA1), 1)
		}, nil},
		// Hostile parser input, served as the BE list.
		{"parser", "billion laughs", func(t *testing.T, w *tltest.World) []byte {
			return []byte(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#">&lol3;</TrustServiceStatusList>`)
		}, nil},
		{"parser", "external entity", func(t *testing.T, w *tltest.World) []byte {
			return []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#">&xxe;</TrustServiceStatusList>`)
		}, nil},
		{"parser", "very deep nesting", func(t *testing.T, w *tltest.World) []byte {
			return []byte(`<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#">` + strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000) + `</TrustServiceStatusList>`)
		}, nil},
		{"parser", "huge attribute", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte(`TSLTag=`), []byte(`Huge="`+strings.Repeat("A", 8<<20)+`" TSLTag=`), 1)
		}, nil},
		{"parser", "invalid UTF-8", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte("Certipost"), []byte("Cert\xc3\x28post"), 1)
		}, nil},
		{"parser", "UTF-16 document", func(t *testing.T, w *tltest.World) []byte {
			good := w.Files["/BE.xml"]
			out := []byte{0xFF, 0xFE}
			for _, c := range string(good) {
				out = append(out, byte(c), byte(c>>8))
			}
			return out
		}, nil},
		{"parser", "NUL bytes", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte("Certipost"), []byte("Cert\x00post"), 1)
		}, nil},
		{"parser", "2 GB stream (bounded, rejected early)", nil, func(t *testing.T) {
			h := newHarness(t, sharedWorld(t))
			h.srv.SetFault("/BE.xml", &tltest.Fault{Oversize: 2 << 30})
			r := h.eutl("cache", beQuestion...)
			refused(t, r, cli.ExitFetch)
			if !strings.Contains(r.stdout, "size limit") || r.took > 20*time.Second {
				t.Fatalf("took %s\n%s", r.took, r.stdout)
			}
		}},
	}
}

// chainAttacks change the world itself.
func chainAttacks() []attack {
	fresh := func(t *testing.T, o tltest.WorldOptions) *tltest.World {
		o.BaseURL = "http://tl.test"
		w, err := tltest.NewWorld(o)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	resign := func(t *testing.T, w *tltest.World) {
		if err := w.Sign(); err != nil {
			t.Fatal(err)
		}
	}
	return []attack{
		{"trust-chain", "pivot signed by a non-anchor", nil, func(t *testing.T) {
			w := fresh(t, tltest.WorldOptions{Pivots: 2})
			w.SignKeys["/eu-lotl-pivot-101.xml"] = w.TLKeys["FR"]
			resign(t, w)
			refused(t, newHarness(t, w).eutl("cache", beQuestion...))
		}},
		{"trust-chain", "pivot loop", nil, func(t *testing.T) {
			w := fresh(t, tltest.WorldOptions{Pivots: 1})
			p := w.PivotURL(0)
			w.LOTL.SchemeInformationURIs = append([]string{p, w.LOTLURL(), p}, w.LOTL.SchemeInformationURIs...)
			w.Pivots[0].SchemeInformationURIs = append([]string{w.LOTLURL(), p}, w.Pivots[0].SchemeInformationURIs...)
			resign(t, w)
			r := newHarness(t, w).eutl("cache", "fetch", "--format", "json")
			if r.code != 0 || strings.Count(r.stdout, "eu-lotl-pivot-101.xml\"") != 1 || r.took > 10*time.Second {
				t.Fatalf("exit %d in %s\n%s%s", r.code, r.took, r.stdout, r.stderr)
			}
		}},
		{"trust-chain", "LOTL signed by a non-anchor", nil, func(t *testing.T) {
			w := fresh(t, tltest.WorldOptions{})
			w.SignKeys["/eu-lotl.xml"] = tltest.MustKey(tltest.RSA2048, tltest.CertOptions{Subject: w.Anchors[0].Cert.Subject})
			resign(t, w)
			refused(t, newHarness(t, w).eutl("cache", beQuestion...))
		}},
		{"trust-chain", "pointer served another territory's list", nil, func(t *testing.T) {
			w := sharedWorld(t)
			h := newHarness(t, w)
			h.srv.SetFault("/BE.xml", &tltest.Fault{Body: w.Files["/FR.xml"]})
			refused(t, h.eutl("cache", beQuestion...))
		}},
		{"trust-chain", "another territory's content signed with the right key", nil, func(t *testing.T) {
			w := fresh(t, tltest.WorldOptions{})
			fr := w.Lists["FR"]
			fr.Providers = w.Lists["BE"].Providers
			w.Lists["BE"] = fr
			resign(t, w)
			r := newHarness(t, w).eutl("cache", beQuestion...)
			refused(t, r)
			if !strings.Contains(r.stdout, "wrong_territory") {
				t.Fatalf("%s", r.stdout)
			}
		}},
		{"trust-chain", "list signed by the LOTL signer", nil, func(t *testing.T) {
			w := fresh(t, tltest.WorldOptions{})
			w.Lists["BE"] = evilBE(w)
			w.SignKeys["/BE.xml"] = w.Anchors[0]
			resign(t, w)
			refused(t, newHarness(t, w).eutl("cache", beQuestion...))
		}},
		{"trust-chain", "older sequence number (rollback)", nil, func(t *testing.T) {
			w := fresh(t, tltest.WorldOptions{})
			h := newHarness(t, w)
			if r := h.eutl("cache", beQuestion...); r.code != cli.ExitNotQualified {
				t.Fatalf("baseline: exit %d %s", r.code, r.stderr)
			}
			old := evilBE(w)
			old.Sequence = 41
			w.Lists["BE"] = old
			resign(t, w)
			h.srv.SetFiles(w.Files)
			r := h.eutl("cache", beQuestion...)
			refused(t, r)
			if !strings.Contains(r.stdout, "rollback") {
				t.Fatalf("%s", r.stdout)
			}
		}},
		{"trust-chain", "NextUpdate in the past", nil, func(t *testing.T) {
			w := fresh(t, tltest.WorldOptions{})
			l := evilBE(w)
			l.NextUpdate = testNow.Add(-time.Hour)
			w.Lists["BE"] = l
			resign(t, w)
			refused(t, newHarness(t, w).eutl("cache", beQuestion...))
		}},
	}
}

func networkFaults() []attack {
	fault := func(name string, f tltest.Fault, args ...string) attack {
		return attack{"network", name, nil, func(t *testing.T) {
			h := newHarness(t, sharedWorld(t))
			h.srv.SetFault("/BE.xml", &f)
			r := h.eutl("cache", append(append([]string{}, beQuestion...), args...)...)
			refused(t, r, cli.ExitFetch)
			if !strings.Contains(r.stdout, "BE http://tl.test/BE.xml: fetch_failed") || r.took > 15*time.Second {
				t.Fatalf("took %s\n%s", r.took, r.stdout)
			}
		}}
	}
	return []attack{
		fault("accepts and never answers", tltest.Fault{Stall: true}, "--timeout", "300ms"),
		fault("trickles one byte per second", tltest.Fault{Trickle: time.Second}, "--timeout", "1s"),
		fault("resets mid-body", tltest.Fault{Reset: true}),
		fault("wrong Content-Length", tltest.Fault{Truncate: true}),
		fault("stalls mid-body", tltest.Fault{StallMidBody: true}, "--timeout", "300ms"),
		fault("redirect loop", tltest.Fault{RedirectTo: "/BE.xml"}),
		fault("redirect to another scheme", tltest.Fault{RedirectTo: "file:///etc/passwd"}),
		fault("HTML error page with 200", tltest.Fault{HTML: true}),
		fault("always 503", tltest.Fault{Status: 503}),
		{"network", "DNS failure", nil, func(t *testing.T) {
			h := newHarness(t, sharedWorld(t))
			h.transport = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return nil, &net.DNSError{Err: "no such host", Name: strings.Split(addr, ":")[0], IsNotFound: true}
			}}
			r := h.eutl("cache", beQuestion...)
			refused(t, r, cli.ExitFetch)
			if !strings.Contains(r.stderr, "no such host") {
				t.Fatalf("%s", r.stderr)
			}
		}},
		{"network", "all countries failing at once", nil, func(t *testing.T) {
			w := sharedWorld(t)
			h := newHarness(t, w)
			for _, cc := range w.Opts.Territories {
				h.srv.SetFault("/"+cc+".xml", &tltest.Fault{Status: 503})
			}
			r := h.eutl("cache", "check", "--provider", "anyone", "--service", "qc")
			refused(t, r, cli.ExitFetch)
			for _, cc := range w.Opts.Territories {
				if !strings.Contains(r.stdout, cc+" http://tl.test/"+cc+".xml: fetch_failed") {
					t.Errorf("no reason for %s:\n%s", cc, r.stdout)
				}
			}
		}},
	}
}

func cacheAttacks() []attack {
	damaged := func(name string, damage func([]byte) []byte) attack {
		return attack{"cache", name, nil, func(t *testing.T) {
			w := sharedWorld(t)
			h := newHarness(t, w)
			if r := h.eutl("cache", "fetch"); r.code != 0 {
				t.Fatalf("fetch: %d %s", r.code, r.stderr)
			}
			p := filepath.Join(h.dir, "cache", "BE.xml")
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, damage(b), 0o644); err != nil {
				t.Fatal(err)
			}
			refused(t, h.eutl("cache", append([]string{"--offline"}, beQuestion...)...))
			// the next fetch replaces the damaged copy with a verified one
			if r := h.eutl("cache", "fetch"); r.code != 0 {
				t.Fatalf("fetch after damage: %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if r := h.eutl("cache", append([]string{"--offline"}, beQuestion...)...); r.code != cli.ExitNotQualified {
				t.Fatalf("after repair: %d %s", r.code, r.stderr)
			}
		}}
	}
	return []attack{
		damaged("corrupted cached list", grantCertipost),
		damaged("truncated cached list", func(b []byte) []byte { return b[:len(b)/3] }),
		damaged("emptied cached list", func([]byte) []byte { return nil }),
		{"cache", "two runs at once", nil, func(t *testing.T) {
			h := newHarness(t, sharedWorld(t))
			var wg sync.WaitGroup
			results := make([]result, 4)
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i] = h.eutl("cache", "fetch")
				}()
			}
			wg.Wait()
			for _, r := range results {
				if r.code != 0 {
					t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
			}
			if r := h.eutl("cache", "lists"); r.code != 0 {
				t.Fatalf("lists: %d %s", r.code, r.stderr)
			}
		}},
		{"cache", "cache written by a newer format version", nil, func(t *testing.T) {
			h := newHarness(t, sharedWorld(t))
			if r := h.eutl("cache", "fetch"); r.code != 0 {
				t.Fatal(r.stderr)
			}
			marker := filepath.Join(h.dir, "cache", "eutl-cache.json")
			os.WriteFile(marker, []byte(`{"format_version": 2}`), 0o644)
			before, _ := os.ReadFile(filepath.Join(h.dir, "cache", "BE.xml"))
			r := h.eutl("cache", "fetch")
			if r.code != cli.ExitUsage || !strings.Contains(r.stderr, "newer eutl") {
				t.Fatalf("exit %d %s", r.code, r.stderr)
			}
			after, _ := os.ReadFile(filepath.Join(h.dir, "cache", "BE.xml"))
			if !bytes.Equal(before, after) {
				t.Fatal("a newer cache was modified")
			}
		}},
	}
}

// TestAdversarial runs every case; `make adversarial` prints the figures.
func TestAdversarial(t *testing.T) {
	all := append(append(append(append(signatureAttacks(), chainAttacks()...), networkFaults()...), cacheAttacks()...), streamAttacks()...)
	for _, a := range all {
		t.Run(a.class+"/"+a.name, func(t *testing.T) {
			t.Parallel() // every case has its own server and cache
			if a.run != nil {
				a.run(t)
				return
			}
			w := sharedWorld(t)
			h := newHarness(t, w)
			body := a.body(t, w)
			if bytes.Equal(body, w.Files["/BE.xml"]) {
				t.Fatal("test setup: the attack did not change the list")
			}
			h.srv.SetFault("/BE.xml", &tltest.Fault{Body: body})
			r := h.eutl("cache", beQuestion...)
			if a.class == "parser" {
				refused(t, r, cli.ExitTrust, cli.ExitFetch) // refused as a list, or as a response
			} else {
				refused(t, r)
			}
			for _, line := range strings.Split(r.stdout, "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "BE ") {
					t.Log(strings.TrimSpace(line))
				}
			}
		})
	}
}

// TestAdversarialKill runs the real binary's `eutl fetch` many times and
// kills it (SIGKILL) at random moments; after every kill the cache must
// hold only lists that verify (exit 0, or 5 for lists not fetched yet),
// never a broken copy used as valid (4).
func TestAdversarialKill(t *testing.T) {
	exe, err := exec.LookPath("eutl-exe")
	if err != nil {
		t.Skipf("eutl-exe not on PATH (testscript sets it up): %v", err)
	}
	w := sharedWorld(t)
	h := newHarness(t, w)
	// The subprocess reaches the loopback server through it as an HTTP proxy.
	proxy := "HTTP_PROXY=" + h.srv.URL
	cache := filepath.Join(h.dir, "cache")
	args := []string{"fetch", "--quiet", "--at", "2026-08-20", "--lotl-url", w.LOTLURL(), "--trust-anchors", filepath.Join(h.dir, "anchors.pem"), "--cache-dir", cache}
	// First, one run to the end: the subprocess does reach the server.
	first := exec.Command(exe, append(args[:len(args)-1:len(args)-1], filepath.Join(h.dir, "probe"))...)
	first.Env = append(os.Environ(), proxy, "NO_PROXY=")
	if out, err := first.CombinedOutput(); err != nil {
		t.Fatalf("eutl fetch through the proxy: %v\n%s", err, out)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	const runs = 30
	for i := 0; i < runs; i++ {
		t.Run(fmt.Sprintf("cache/SIGKILL during fetch %02d", i), func(t *testing.T) {
			if i%5 == 0 {
				// vary the content so that later runs have something to write
				h.srv.SetSHA2("/BE.xml", strings.Repeat("ab", 32))
			}
			cmd := exec.Command(exe, args...)
			cmd.Env = append(os.Environ(), proxy, "NO_PROXY=")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(rng.IntN(120)) * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			r := h.eutl("cache", "lists", "--offline")
			if r.code != 0 && r.code != cli.ExitFetch {
				t.Fatalf("after SIGKILL the cache holds a list that does not verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout, "signature_invalid") || strings.Contains(r.stdout, "parse_error") {
				t.Fatalf("broken cached list:\n%s", r.stdout)
			}
		})
	}
	if r := h.eutl("cache", "fetch"); r.code != 0 {
		t.Fatalf("fetch after the kills: %d\n%s", r.code, r.stderr)
	}
}

// TestInterrupted: Ctrl-C during a fetch (a server that stalls) ends the
// run promptly with exit 130.
func TestInterrupted(t *testing.T) {
	h := newHarness(t, sharedWorld(t))
	h.srv.SetFault("/BE.xml", &tltest.Fault{Stall: true})
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: func() time.Time { return testNow },
		Dir: h.dir, Getenv: func(string) string { return "" }, Transport: h.srv.Transport()}
	go func() {
		time.Sleep(200 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	code := cli.Run(ctx, []string{"--lotl-url", h.w.LOTLURL(), "--trust-anchors", "anchors.pem", "--cache-dir", "cache", "fetch"}, env)
	if code != cli.ExitInterrupted || time.Since(start) > 5*time.Second || !strings.Contains(errb.String(), "interrupted") {
		t.Fatalf("exit %d after %s\n%s", code, time.Since(start), errb.String())
	}
}

// serveBE runs the BE question with body served as the BE list.
func serveBE(t *testing.T, body []byte) (*harness, result) {
	t.Helper()
	w := sharedWorld(t)
	if bytes.Equal(body, w.Files["/BE.xml"]) {
		t.Fatal("test setup: the attack did not change the list")
	}
	h := newHarness(t, w)
	h.srv.SetFault("/BE.xml", &tltest.Fault{Body: body})
	return h, h.eutl("cache", beQuestion...)
}

// signedBE is the BE list with mutate applied before it is signed by the
// BE key: content a hostile list operator could publish.
func signedBE(t *testing.T, mutate func(si *etree.Element)) []byte {
	t.Helper()
	w := sharedWorld(t)
	doc := tltest.Build(w.Lists["BE"])
	mutate(doc.Root().SelectElement("SchemeInformation"))
	b, err := tltest.Sign(doc, w.TLKeys["BE"], w.SignOpts["/BE.xml"])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// intoSignature inserts extra before the closing tag of element (e.g.
// "</ds:Signature>") in the genuine BE list.
func intoSignature(w *tltest.World, before, extra string) []byte {
	return bytes.Replace(w.Files["/BE.xml"], []byte(before), []byte(extra+before), 1)
}

// unsignedInSignature: unsigned content inside ds:Signature is refused as
// signature_invalid naming the element, quickly, and never cached.
func unsignedInSignature(name, element string, body func(w *tltest.World) []byte) attack {
	return attack{"sig-structure", name, nil, func(t *testing.T) {
		data := body(sharedWorld(t))
		h, r := serveBE(t, data)
		refused(t, r)
		if !strings.Contains(r.stdout, "signature_invalid") || !strings.Contains(r.stdout+r.stderr, element) {
			t.Fatalf("not refused as signature_invalid naming %s:\n%s\n%s", element, r.stdout, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(h.dir, "cache", "BE.xml")); err == nil {
			t.Fatal("the refused list was cached")
		}
		t.Logf("%d bytes refused in %s", len(data), r.took)
	}}
}

// boundedCost: a validly signed list of a hostile shape is answered (the
// genuine "not qualified") or refused, in time linear in its size: a few
// seconds, well within three minutes even under the race detector on a
// loaded machine, where a quadratic lookup over these sizes takes hours.
func boundedCost(name string, body func(t *testing.T, w *tltest.World) []byte) attack {
	return attack{"linear-cost", name, nil, func(t *testing.T) {
		data := body(t, sharedWorld(t))
		_, r := serveBE(t, data)
		answered := r.code == cli.ExitNotQualified && strings.HasPrefix(r.stdout, "NOT QUALIFIED")
		if !answered {
			refused(t, r)
		}
		if r.took > 3*time.Minute {
			t.Fatalf("%d bytes took %s", len(data), r.took)
		}
		t.Logf("%d bytes: exit %d in %s", len(data), r.code, r.took)
	}}
}

// strictXML: variants of refused XML forms are refused like the plain forms.
func strictXML(name string, body func(w *tltest.World) []byte) attack {
	return attack{"strict-xml", name, nil, func(t *testing.T) {
		_, r := serveBE(t, body(sharedWorld(t)))
		refused(t, r)
		if !strings.Contains(r.stdout, "parse") {
			t.Fatalf("not refused as a parse failure:\n%s", r.stdout)
		}
	}}
}

func streamAttacks() []attack {
	pad := func(n int, s string) string { return strings.Repeat(s, n) }
	const xades = `xmlns:xades="http://uri.etsi.org/01903/v1.3.2#"`
	return []attack{
		// Issue 9.1: only SignedInfo, SignatureValue, KeyInfo and one ds:Object
		// holding this signature's QualifyingProperties; unsigned parts bounded.
		unsignedInSignature("a million empty elements in an extra ds:Object", "ds:Object", func(w *tltest.World) []byte {
			return intoSignature(w, "</ds:Signature>", "<ds:Object>"+pad(1000000, "<a/>")+"</ds:Object>")
		}),
		unsignedInSignature("a forged list in an extra ds:Object", "ds:Object", func(w *tltest.World) []byte {
			forged := grantCertipost(w.Files["/BE.xml"])
			s, e := sigBlock(forged)
			forged = append(append([]byte{}, forged[:s]...), forged[e:]...)
			return intoSignature(w, "</ds:Signature>", `<ds:Object>`+string(rootElement(forged))+`</ds:Object>`)
		}),
		unsignedInSignature("an unknown element after ds:Object", "ds:Manifest", func(w *tltest.World) []byte {
			return intoSignature(w, "</ds:Signature>", "<ds:Manifest/>")
		}),
		unsignedInSignature("a foreign element in ds:Signature", "ds:Signature/pad", func(w *tltest.World) []byte {
			return intoSignature(w, "</ds:Signature>", `<pad xmlns="urn:x">`+pad(100000, "<a/>")+`</pad>`)
		}),
		unsignedInSignature("an element next to QualifyingProperties", "{urn:x}pad", func(w *tltest.World) []byte {
			return intoSignature(w, "</ds:Object>", `<pad xmlns="urn:x"/>`)
		}),
		unsignedInSignature("an element next to SignedProperties", "{urn:x}pad", func(w *tltest.World) []byte {
			return intoSignature(w, "</xades:QualifyingProperties>", `<pad xmlns="urn:x"/>`)
		}),
		unsignedInSignature("a second UnsignedProperties", "UnsignedProperties", func(w *tltest.World) []byte {
			return intoSignature(w, "</xades:QualifyingProperties>", `<xades:UnsignedProperties/><xades:UnsignedProperties/>`)
		}),
		unsignedInSignature("a padded UnsignedProperties", "UnsignedProperties", func(w *tltest.World) []byte {
			return intoSignature(w, "</xades:QualifyingProperties>", `<xades:UnsignedProperties `+xades+`>`+pad(1000000, "<a/>")+`</xades:UnsignedProperties>`)
		}),
		unsignedInSignature("a padded KeyInfo (elements)", "ds:KeyInfo", func(w *tltest.World) []byte {
			return intoSignature(w, "</ds:KeyInfo>", pad(1000000, "<a/>"))
		}),
		unsignedInSignature("a padded KeyInfo (white space in the certificate)", "ds:KeyInfo", func(w *tltest.World) []byte {
			return intoSignature(w, "</ds:X509Certificate>", pad(8<<20, " "))
		}),
		unsignedInSignature("a padded SignatureValue", "ds:SignatureValue", func(w *tltest.World) []byte {
			return intoSignature(w, "</ds:SignatureValue>", pad(8<<20, "\n"))
		}),
		unsignedInSignature("white space between the signature's children", "ds:Signature", func(w *tltest.World) []byte {
			return intoSignature(w, "<ds:KeyInfo", pad(8<<20, " "))
		}),
		unsignedInSignature("a comment in ds:Signature", "ds:Signature", func(w *tltest.World) []byte {
			return intoSignature(w, "</ds:Signature>", "<!--"+pad(8<<20, "x")+"-->")
		}),
		unsignedInSignature("a processing instruction in ds:Object", "ds:Object", func(w *tltest.World) []byte {
			return intoSignature(w, "</ds:Object>", "<?pad x?>")
		}),
		unsignedInSignature("text in ds:Signature", "ds:Signature", func(w *tltest.World) []byte {
			return intoSignature(w, "</ds:Signature>", "padding")
		}),

		// Issue 9.2: every shape costs time linear in its size.
		boundedCost("a million unused namespace declarations on the root", func(t *testing.T, w *tltest.World) []byte {
			var b strings.Builder
			for i := range 1000000 {
				fmt.Fprintf(&b, ` xmlns:n%d="urn:n"`, i)
			}
			return bytes.Replace(w.Files["/BE.xml"], []byte("<TrustServiceStatusList "), []byte("<TrustServiceStatusList"+b.String()+" "), 1)
		}),
		boundedCost("200 unused namespace declarations on every element", func(t *testing.T, w *tltest.World) []byte {
			var b strings.Builder
			for i := range 200 {
				fmt.Fprintf(&b, ` xmlns:n%d="urn:n%d"`, i, i)
			}
			return bytes.ReplaceAll(w.Files["/BE.xml"], []byte("<Name "), []byte("<Name"+b.String()+" "))
		}),
		boundedCost("a million comments", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte("</SchemeInformation>"), []byte(pad(1000000, "<!--x-->")+"</SchemeInformation>"), 1)
		}),
		boundedCost("one 8 MB comment", func(t *testing.T, w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte("</SchemeInformation>"), []byte("<!--"+pad(8<<20, "x")+"--></SchemeInformation>"), 1)
		}),
		boundedCost("signed: 8 MB of text", func(t *testing.T, w *tltest.World) []byte {
			return signedBE(t, func(si *etree.Element) { si.CreateElement("Pad").CreateText(pad(8<<20, "x")) })
		}),
		boundedCost("signed: 20,000 chains 100 deep", func(t *testing.T, w *tltest.World) []byte {
			return signedBE(t, func(si *etree.Element) {
				p := si.CreateElement("Pad")
				for range 20000 {
					e := p
					for range 100 {
						e = e.CreateElement("d")
					}
				}
			})
		}),
		boundedCost("signed: 200 attributes on each of 10,000 elements", func(t *testing.T, w *tltest.World) []byte {
			return signedBE(t, func(si *etree.Element) {
				p := si.CreateElement("Pad")
				for range 10000 {
					e := p.CreateElement("e")
					for j := range 200 {
						e.CreateAttr("a"+strconv.Itoa(j), "v")
					}
				}
			})
		}),
		boundedCost("signed: 100 prefixed attributes of 100 namespaces on each of 5,000 elements", func(t *testing.T, w *tltest.World) []byte {
			return signedBE(t, func(si *etree.Element) {
				p := si.CreateElement("Pad")
				for j := range 100 {
					p.CreateAttr("xmlns:p"+strconv.Itoa(j), "urn:p"+strconv.Itoa(j))
				}
				for range 5000 {
					e := p.CreateElement("e")
					for j := range 100 {
						e.CreateAttr("p"+strconv.Itoa(j)+":a", "v")
					}
				}
			})
		}),
		boundedCost("signed: 1000-byte names", func(t *testing.T, w *tltest.World) []byte {
			return signedBE(t, func(si *etree.Element) {
				p := si.CreateElement("Pad")
				for range 5000 {
					p.CreateElement(pad(1000, "n"))
				}
			})
		}),
		boundedCost("signed: a name over the limit", func(t *testing.T, w *tltest.World) []byte {
			return signedBE(t, func(si *etree.Element) { si.CreateElement(pad(1<<20, "n")) })
		}),
		boundedCost("signed: nesting over the limit", func(t *testing.T, w *tltest.World) []byte {
			return signedBE(t, func(si *etree.Element) {
				e := si
				for range 200 {
					e = e.CreateElement("d")
				}
			})
		}),
		boundedCost("signed: a million siblings", func(t *testing.T, w *tltest.World) []byte {
			return signedBE(t, func(si *etree.Element) {
				p := si.CreateElement("Pad")
				for range 1000000 {
					p.CreateElement("e")
				}
			})
		}),

		// Issue 9.8: variants of refused forms are refused like the plain forms.
		strictXML("encoding = \"ISO-8859-1\" (spaces around =)", func(w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte(`encoding="UTF-8"`), []byte(`encoding = "ISO-8859-1"`), 1)
		}),
		strictXML("encoding='latin1' (single quotes)", func(w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte(`encoding="UTF-8"`), []byte(`encoding='latin1'`), 1)
		}),
		strictXML("white space before <?xml", func(w *tltest.World) []byte {
			return append([]byte(" \n"), w.Files["/BE.xml"]...)
		}),
		strictXML("an XML declaration inside the document", func(w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte("<SchemeInformation>"), []byte(`<SchemeInformation><?xml version="1.0"?>`), 1)
		}),
		strictXML("<!doctype …> in lower case", func(w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte("?>"), []byte(`?><!doctype TrustServiceStatusList>`), 1)
		}),
		strictXML("<!DocType …> inside the root", func(w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte("<SchemeInformation>"), []byte(`<SchemeInformation><!DocType x>`), 1)
		}),
		strictXML("<!x y>", func(w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte("?>"), []byte(`?><!x y>`), 1)
		}),
		strictXML("<!entity …> in a comment", func(w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte("?>"), []byte(`?><!-- <!entity x "y"> -->`), 1)
		}),
		strictXML("<!ELEMENT …> after the root", func(w *tltest.World) []byte {
			return append(append([]byte{}, w.Files["/BE.xml"]...), []byte(`<!ELEMENT a ANY>`)...)
		}),
		strictXML("<!ATTLIST …> in CDATA", func(w *tltest.World) []byte {
			return bytes.Replace(w.Files["/BE.xml"], []byte("<SchemeInformation>"), []byte(`<SchemeInformation><![CDATA[<!ATTLIST a>]]>`), 1)
		}),
	}
}
