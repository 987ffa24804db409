package xmldsig_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/eutl/eutl/internal/xmlscan"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// providerParts hands the providers to a tsl.Builder, as pkg/trust does.
func providerParts(b **tsl.Builder) *xmldsig.Parts {
	*b = tsl.NewBuilder()
	return &xmldsig.Parts{
		ParentNS: tsl.NSTSL, Parent: "TrustServiceProviderList",
		ChildNS: tsl.NSTSL, Child: "TrustServiceProvider",
		Take:          func(el xmlscan.Node) error { return (*b).Provider(el) },
		InnerParentNS: tsl.NSTSL, InnerParent: "TSPServices",
		InnerNS: tsl.NSTSL, Inner: "TSPService",
		TakeInner: func(el xmlscan.Node) error { return (*b).Service(el) },
		Reset:     func() { *b = tsl.NewBuilder() },
	}
}

// compareOnePass checks the one-pass verifier against the whole one on
// data: it accepts only what the whole one accepts, with the same result
// and the same model. It reports whether the one pass accepted.
func compareOnePass(t testing.TB, data []byte, allowed [][]byte) bool {
	t.Helper()
	var b *tsl.Builder
	one, ok := xmldsig.VerifyOnePass(data, allowed, xmldsig.Options{Parts: providerParts(&b)})
	whole, err := xmldsig.VerifyWhole(data, allowed, xmldsig.Options{})
	if !ok {
		// Verify with parts falls back to the whole verifier: same verdict.
		var b2 *tsl.Builder
		res, verr := xmldsig.Verify(data, allowed, xmldsig.Options{Parts: providerParts(&b2)})
		if (verr == nil) != (err == nil) || verr != nil && verr.Error() != err.Error() {
			t.Fatalf("Verify with parts: %v; whole: %v", verr, err)
		}
		if verr == nil {
			l1, e1 := b2.Finish(res.Root)
			l2, e2 := tsl.Parse(whole.Root)
			if (e1 == nil) != (e2 == nil) || e1 == nil && !reflect.DeepEqual(l1, l2) {
				t.Fatalf("after falling back, the model differs from the whole verifier's (%v, %v)", e1, e2)
			}
		}
		return false
	}
	if err != nil {
		t.Fatalf("the one pass accepted what the whole verifier refuses: %v", err)
	}
	a, w := *one, *whole
	a.Root, w.Root = xmlscan.Node{}, xmlscan.Node{}
	if !reflect.DeepEqual(a, w) {
		t.Fatalf("results differ:\none pass %+v\nwhole    %+v", a, w)
	}
	l1, e1 := b.Finish(one.Root)
	l2, e2 := tsl.Parse(whole.Root)
	if (e1 == nil) != (e2 == nil) {
		t.Fatalf("model: one pass %v, whole %v", e1, e2)
	}
	if e1 == nil && !reflect.DeepEqual(l1, l2) {
		t.Fatal("the one pass built another model than the whole verifier's content gives")
	}
	return true
}

// TestOnePassRealLists: on every real list Verify with parts gives the
// manifest's verdict (xmlsec1's), the one pass agrees with the whole
// verifier, and it handles every list that verifies and is signed
// under exclusive C14N (the ones that need no fallback).
func TestOnePassRealLists(t *testing.T) {
	handled, fellBack := 0, 0
	eachRealList(t, func(t *testing.T, r manifestRow, data []byte, allowed [][]byte) {
		// Verify as pkg/trust calls it, against the independent xmlsec1
		// verdict of the manifest.
		var b *tsl.Builder
		if _, err := xmldsig.Verify(data, allowed, xmldsig.Options{Parts: providerParts(&b)}); (err == nil) != (r.wrapper == "OK") {
			t.Fatalf("manifest (xmlsec1) says %q, Verify with parts says %v", r.wrapper, err)
		}
		if compareOnePass(t, data, allowed) {
			handled++
			return
		}
		if _, err := xmldsig.VerifyWhole(data, allowed, xmldsig.Options{}); err == nil {
			fellBack++
			if !bytes.Contains(data, []byte(`Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n`)) && !bytes.Contains(data, []byte(`Algorithm="http://www.w3.org/2006/12/xml-c14n11`)) {
				t.Errorf("a valid list signed under exclusive C14N that the one pass gives up on")
			}
		}
	})
	t.Logf("one pass: %d lists handled, %d valid lists fell back (inclusive C14N)", handled, fellBack)
	if handled == 0 {
		t.Fatal("the one pass handled no real list")
	}
}

// TestOnePassShapes: signatures the one pass handles, and documents it must
// give up on while Verify still gives the whole verifier's verdict.
func TestOnePassShapes(t *testing.T) {
	ks := testKeys(t)
	k := ks[tltest.RSA2048]
	allowed := [][]byte{k.DER, ks[tltest.P256].DER}
	base := sign(t, k, tltest.SignOptions{})
	sigAt := bytes.Index(base, []byte("<ds:Signature"))
	end := bytes.LastIndex(base, []byte("</"))
	if sigAt < 0 || end < 0 {
		t.Fatal("unexpected signed list shape")
	}
	rootEnd := base[end:]
	body := base[:end]
	cases := []struct {
		name     string
		data     []byte
		onePass  bool // the one pass accepts
		verifies bool // the whole verifier accepts
	}{
		{"as signed", base, true, true},
		{"root Id reference", sign(t, k, tltest.SignOptions{RootIDReference: true}), true, true},
		{"P-256", sign(t, ks[tltest.P256], tltest.SignOptions{}), true, true},
		{"one provider with many services", oneProvider(t, k, 40), true, true},
		{"one provider with one service", oneProvider(t, k, 1), true, true},
		{"a second TSPServices (the model reads the first)", secondServices(t, k), true, true},
		{"inclusive C14N 1.1", sign(t, k, tltest.SignOptions{C14N: xmldsig.C14N11}), false, true},
		// exclusive c14n drops comments: still valid, but the signature's
		// end tag is no longer next to the root's
		{"comment after the signature", cat(body, []byte("<!-- x -->"), rootEnd), false, true},
		{"comment after the root", cat(base, []byte("<!-- </ds:Signature>"), bytes.TrimSpace(rootEnd), []byte(" -->")), false, true},
		// valid (the signature may be any child of the root), but not where
		// the locator looks
		{"signature moved first", moveSignatureFirst(t, base), false, true},
		{"fake signature in a comment before", cat(base[:sigAt], []byte("<!-- <ds:Signature> -->"), base[sigAt:]), true, true},
		{"digest broken", bytes.Replace(base, []byte("Provider"), []byte("Pr0vider"), 1), false, false},
		{"truncated", base[:len(base)-40], false, false},
		// the one pass leaves these to its scanner; the whole verifier's
		// CheckInput reports them
		{"invalid UTF-8 in a provider", bytes.Replace(base, []byte("Provider"), []byte("Pro\xffider"), 1), false, false},
		{"NUL in a provider", bytes.Replace(base, []byte("Provider"), []byte("Pro\x00ider"), 1), false, false},
		{"invalid UTF-8 after the root", cat(base, []byte("<!-- \xff -->")), false, false},
		// comments are not signed: only the character check refuses these
		{"invalid UTF-8 in a comment", bytes.Replace(base, []byte("<SchemeInformation>"), []byte("<SchemeInformation><!-- \xff -->"), 1), false, false},
		{"NUL in a comment", bytes.Replace(base, []byte("<SchemeInformation>"), []byte("<SchemeInformation><!-- \x00 -->"), 1), false, false},
		{"invalid UTF-8 in a comment in the last provider", lastProviderComment(base, "\xff"), false, false},
		{"a valid comment in the last provider", lastProviderComment(base, "ok"), true, true},
		{"a valid comment there", bytes.Replace(base, []byte("<SchemeInformation>"), []byte("<SchemeInformation><!-- é -->"), 1), true, true},
		{"second signature", cat(body, base[sigAt:end], rootEnd), false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, werr := xmldsig.VerifyWhole(c.data, allowed, xmldsig.Options{})
			if (werr == nil) != c.verifies {
				t.Fatalf("whole verifier: %v, want accepted=%v", werr, c.verifies)
			}
			if got := compareOnePass(t, c.data, allowed); got != c.onePass {
				t.Fatalf("one pass accepted=%v, want %v", got, c.onePass)
			}
		})
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// oneProvider is a signed list of one provider with n services.
func oneProvider(t *testing.T, k *tltest.Key, n int) []byte {
	l := tltest.LargeList("BE", 5*18500)
	p := l.Providers[0]
	for _, q := range l.Providers[1:] {
		p.Services = append(p.Services, q.Services...)
	}
	p.Services = p.Services[:n]
	l.Providers = []tltest.Provider{p}
	data, err := tltest.SignList(l, k, tltest.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// secondServices is a signed list whose providers each have a second
// TSPServices element, which the model does not read.
func secondServices(t *testing.T, k *tltest.Key) []byte {
	doc := tltest.Build(tltest.LargeList("BE", 3*18500))
	for _, tsp := range doc.Root().SelectElement("TrustServiceProviderList").SelectElements("TrustServiceProvider") {
		tsp.AddChild(tsp.SelectElement("TSPServices").Copy())
	}
	data, err := tltest.Sign(doc, k, tltest.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// lastProviderComment puts a comment holding text at the end of the last
// provider, after every other provider was handed over.
func lastProviderComment(data []byte, text string) []byte {
	i := bytes.LastIndex(data, []byte("</TrustServiceProvider>"))
	return cat(data[:i], []byte("<!-- "+text+" -->"), data[i:])
}

// moveSignatureFirst puts the signature before SchemeInformation.
func moveSignatureFirst(t *testing.T, data []byte) []byte {
	s := bytes.Index(data, []byte("<ds:Signature"))
	e := bytes.LastIndex(data, []byte("</ds:Signature>")) + len("</ds:Signature>")
	si := bytes.Index(data, []byte("<SchemeInformation"))
	if s < 0 || e < s || si < 0 || si > s {
		t.Fatal("unexpected signed list shape")
	}
	return cat(data[:si], data[s:e], data[si:s], data[e:])
}

// TestLocate: the locator finds the root's signature by its end tag and the
// matching start tag, nested signatures of the same name counted.
func TestLocate(t *testing.T) {
	cases := []struct {
		doc  string
		want string // the located span, "" when it must give up
	}{
		{`<r xmlns:ds="d"><a/><ds:Signature Id="s"><x/></ds:Signature></r>`, `<ds:Signature Id="s"><x/></ds:Signature>`},
		{`<?xml version="1.0"?><!-- c --><r><Signature><Signature>in</Signature></Signature>` + "\n" + `</r>`, `<Signature><Signature>in</Signature></Signature>`},
		{`<r><ds:Signature><ds:SignatureValue>v</ds:SignatureValue></ds:Signature></r>`, `<ds:Signature><ds:SignatureValue>v</ds:SignatureValue></ds:Signature>`},
		{`<r a=">"><ds:Signature/></r>`, ""},
		{`<r><ds:Signature>x</ds:Signature><!-- after --></r>`, ""},
		{`<r><ds:Signature>x</ds:Signature></r><!-- </r> -->`, ""},
		{`<r/>`, ""},
		{`<r>no signature</r>`, ""},
		{`<r>x</ds:Signature></r>`, ""},
		{``, ""},
		{`<!DOCTYPE r><r><ds:Signature>x</ds:Signature></r>`, ""},
	}
	for _, c := range cases {
		s, e, ok := xmldsig.Locate([]byte(c.doc))
		got := ""
		if ok {
			got = c.doc[s:e]
		}
		if got != c.want {
			t.Errorf("%s: located %q, want %q", c.doc, got, c.want)
		}
	}
}

// FuzzOnePass: whatever the one pass accepts, the whole verifier accepts,
// with the same result and model.
func FuzzOnePass(f *testing.F) {
	ks := testKeys(f)
	k := ks[tltest.RSA2048]
	for _, o := range []tltest.SignOptions{{}, {RootIDReference: true}, {C14N: xmldsig.C14N11}} {
		f.Add(sign(f, k, o))
	}
	allowed := [][]byte{k.DER}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareOnePass(t, data, allowed)
	})
}
