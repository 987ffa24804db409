package trust_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
)

type collect struct {
	got    []tsl.Provider
	resets int
}

func (c *collect) Provider(p *tsl.Provider) { c.got = append(c.got, *p) }
func (c *collect) Reset()                   { c.got, c.resets = nil, c.resets+1 }

// TestProviderSink: with a sink, the providers go to it in document order
// and the list holds none; when the one pass gives up (a comment after the
// signature, which the digest ignores) the sink is reset and still ends up
// with exactly the providers, once.
func TestProviderSink(t *testing.T) {
	k := tltest.MustKey(tltest.RSA2048, tltest.CertOptions{})
	l := tltest.LargeList("BE", 5*18500)
	l.Issued = at.AddDate(0, -1, 0)
	signed, err := tltest.SignList(l, k, tltest.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	end := bytes.LastIndex(signed, []byte("</"))
	commented := append(append(append([]byte{}, signed[:end]...), "<!-- after the signature -->"...), signed[end:]...)
	exp := trust.Expect{Territory: "BE", Allowed: [][]byte{k.DER}}
	for _, c := range []struct {
		name   string
		data   []byte
		resets int
	}{{"one pass", signed, 0}, {"fallback", commented, 1}} {
		t.Run(c.name, func(t *testing.T) {
			full, err := trust.VerifyList(c.data, exp, trust.Options{At: at})
			if err != nil {
				t.Fatal(err)
			}
			sink := &collect{}
			vl, err := trust.VerifyList(c.data, exp, trust.Options{At: at, Providers: sink})
			if err != nil {
				t.Fatal(err)
			}
			if len(vl.List.Providers) != 0 {
				t.Fatalf("the list holds %d providers", len(vl.List.Providers))
			}
			if len(full.List.Providers) != 5 || !reflect.DeepEqual(sink.got, full.List.Providers) {
				t.Fatalf("the sink got %d providers, want the %d of the list", len(sink.got), len(full.List.Providers))
			}
			if sink.resets != c.resets {
				t.Fatalf("%d resets, want %d", sink.resets, c.resets)
			}
		})
	}
}
