package query_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
)

// randomList is a generated list with random providers, services, statuses,
// histories and additional information.
func randomList(r *rand.Rand, n int) tltest.List {
	types := []string{"CA/QC", "TSA/QTST", "QESValidation/Q", "EDS/Q", "CA/PKC", "Certstatus/OCSP/QC", "PSES/Q"}
	statuses := []string{"granted", "withdrawn", "recognisedatnationallevel", "undersupervision", "accredited", "supervisionceased"}
	asis := []string{"ForeSignatures", "ForeSeals", "ForWebSiteAuthentication"}
	l := tltest.List{Territory: "BE", Sequence: 1 + r.IntN(100), Version: 6, Issued: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}
	for i := 0; i < n; i++ {
		p := tltest.Provider{Name: fmt.Sprintf("Provider %d %c", i, 'A'+rune(r.IntN(26))), TradeNames: []string{fmt.Sprintf("VATBE-%010d", r.IntN(1e9))}}
		for j := 0; j < 1+r.IntN(4); j++ {
			start := time.Date(2010+r.IntN(16), time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
			s := tltest.Service{Type: types[r.IntN(len(types))], Name: fmt.Sprintf("Service %d-%d", i, j), Status: statuses[r.IntN(len(statuses))], Start: start}
			for _, a := range asis {
				if r.IntN(2) == 0 {
					s.ASI = append(s.ASI, a)
				}
			}
			if r.IntN(2) == 0 {
				s.History = []tltest.Instance{{Type: s.Type, Name: s.Name, Status: statuses[r.IntN(len(statuses))], Start: start.AddDate(-3, 0, 0)}}
			}
			p.Services = append(p.Services, s)
		}
		l.Providers = append(l.Providers, p)
	}
	return l
}

var propertyKinds = []string{"any", "qc", "qc-esig", "qc-eseal", "qwac", "qtst", "qval", "qeds", "ocsp-qc"}

// answers is every (provider, kind, instant) verdict a verified list gives.
func answers(t *testing.T, vl *trust.VerifiedList, l tltest.List) map[string]bool {
	ix := query.NewIndex([]query.Input{{List: vl}}, nil)
	out := map[string]bool{}
	for _, p := range l.Providers {
		for _, k := range propertyKinds {
			kind, _ := query.ParseKind(k)
			for _, at := range []time.Time{time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)} {
				for _, q := range []string{p.Name, p.TradeNames[0]} {
					a := ix.Check(query.Query{Provider: q, Kind: kind, At: at})
					out[fmt.Sprintf("%s|%s|%s", q, k, at.Format("2006"))] = a.Qualified
				}
			}
		}
	}
	return out
}

// mutateByte changes one byte.
func mutateByte(r *rand.Rand, b []byte) []byte {
	out := append([]byte{}, b...)
	i := r.IntN(len(out))
	switch r.IntN(3) {
	case 0:
		out[i] ^= 1 << r.IntN(8)
	case 1:
		out[i] = byte(' ' + r.IntN(95))
	default:
		out = append(out[:i], out[i+1:]...)
	}
	return out
}

// mutateNode changes one element: removes, duplicates or moves it, edits
// its text or an attribute.
func mutateNode(r *rand.Rand, b []byte) []byte {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(b); err != nil {
		return nil
	}
	var all []*etree.Element
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		all = append(all, e)
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(doc.Root())
	el := all[1+r.IntN(len(all)-1)]
	parent := el.Parent()
	switch r.IntN(6) {
	case 0:
		parent.RemoveChild(el)
	case 1:
		parent.InsertChildAt(el.Index(), el.Copy())
	case 2:
		el.SetText(el.Text() + "x")
	case 3:
		el.CreateAttr("Id", fmt.Sprintf("m%d", r.IntN(10)))
	case 4:
		if len(el.Attr) > 0 {
			el.Attr[0].Value += "x"
		} else {
			el.SetText("granted")
		}
	default:
		other := all[r.IntN(len(all))]
		if other != el && !isAncestor(el, other) {
			parent.RemoveChild(el)
			other.AddChild(el)
		}
	}
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil
	}
	return out
}

func isAncestor(a, b *etree.Element) bool {
	for p := b; p != nil; p = p.Parent() {
		if p == a {
			return true
		}
	}
	return false
}

// TestAdversarialProperty: for random generated lists and random
// single-byte or single-node mutations of the signed bytes, eutl never
// answers from a mutated list anything its authentic version does not say:
// either the mutation is refused, or (it only touched what the signature
// does not cover) every answer is unchanged.
func TestAdversarialProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(20261125, 1))
	key := tltest.MustKey(tltest.RSA2048, tltest.CertOptions{})
	const lists, mutations = 5, 200
	at := time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)
	for li := 0; li < lists; li++ {
		spec := randomList(r, 3+r.IntN(4))
		signed, err := tltest.SignList(spec, key, tltest.SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		exp := trust.Expect{Territory: "BE", Allowed: [][]byte{key.DER}}
		vl, err := trust.VerifyList(signed, exp, trust.Options{At: at})
		if err != nil {
			t.Fatal(err)
		}
		want := answers(t, vl, spec)
		for _, kind := range []string{"byte-mutation", "node-mutation"} {
			for m := 0; m < mutations; m++ {
				var mutated []byte
				if kind == "byte-mutation" {
					mutated = mutateByte(r, signed)
				} else {
					mutated = mutateNode(r, signed)
				}
				t.Run(fmt.Sprintf("property/%s-list%d-%d", kind, li, m), func(t *testing.T) {
					t.Parallel() // mutated, exp, want and spec are this case's own or read only
					if mutated == nil || string(mutated) == string(signed) {
						t.Skip("mutation produced no change")
					}
					got, err := trust.VerifyList(mutated, exp, trust.Options{At: at})
					if err != nil {
						return // refused
					}
					for k, v := range answers(t, got, spec) {
						if want[k] != v {
							t.Fatalf("a mutated list that verified changes the answer %s: %v → %v", k, want[k], v)
						}
					}
					if strings.Contains(string(mutated), "Svcstatus/grantedx") {
						t.Fatal("mutated status accepted")
					}
				})
			}
		}
	}
}
