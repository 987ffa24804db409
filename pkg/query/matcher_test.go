package query

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
)

// TestProviderMatcherAgreesWithIndex: for every query, the providers
// ProviderMatcher accepts are exactly those the index's matching returns.
func TestProviderMatcherAgreesWithIndex(t *testing.T) {
	w, err := tltest.NewWorld(tltest.WorldOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var lists []*tsl.List
	for _, terr := range []string{"BE", "EL", "FR"} {
		data, err := tltest.Build(w.Lists[terr]).WriteToBytes()
		if err != nil {
			t.Fatal(err)
		}
		l, err := tsl.ParseBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		lists = append(lists, l)
	}
	if dir := os.Getenv("EUTL_REAL_TL_DIR"); dir != "" {
		if data, err := os.ReadFile(filepath.Join(dir, "be", "be-tl-seq81-v6-2026-06-15.xml")); err == nil {
			if l, err := tsl.ParseBytes(data); err == nil {
				lists = append(lists, l)
			}
		}
	}
	var in []Input
	for _, l := range lists {
		in = append(in, Input{List: &trust.VerifiedList{List: l}})
	}
	ix := NewIndex(in, nil)
	for _, q := range []string{"globalsign", "GLOBALSIGN nv", "VATBE-0541659084", "VATBE - 0541659084", "vatbe-0541659084", "VATBE-054165908",
		"ερμης", "ΕΡΜΗΣ Υπηρεσίες", "hermes", "Example  Trust", "itsme", "Belgian Mobile ID", "", " ", "NTRBE-0541659084", "é", "BE", "BE 0541.659.084", "VATBE-0541.659.084", "stø", "sto"} {
		want := map[*tsl.Provider]bool{}
		for _, h := range ix.matchProviders(q, "", false) {
			want[h.pe.p] = true
		}
		m := NewProviderMatcher(q)
		for _, l := range lists {
			for i := range l.Providers {
				p := &l.Providers[i]
				if m.Match(p) != want[p] {
					t.Errorf("%q and %q: matcher %v, index %v", q, p.Names.Get("en"), m.Match(p), want[p])
				}
			}
		}
	}
}
