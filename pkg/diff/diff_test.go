package diff_test

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/diff"
	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
)

var (
	worldOnce sync.Once
	world     *tltest.World
	worldErr  error
)

func testWorld(t testing.TB) *tltest.World {
	t.Helper()
	worldOnce.Do(func() { world, worldErr = tltest.NewWorld(tltest.WorldOptions{}) })
	if worldErr != nil {
		t.Fatal(worldErr)
	}
	return world
}

// model builds and parses a generated list (unsigned: the comparison is of
// models; TestGeneratedWorldVerified covers signed worlds).
func model(t *testing.T, l tltest.List) *tsl.List {
	t.Helper()
	data, err := tltest.Build(l).WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	m, err := tsl.ParseBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func kinds(events []diff.Event) []string {
	var out []string
	for _, e := range events {
		out = append(out, string(e.Kind))
	}
	sort.Strings(out)
	return out
}

func copyList(l tltest.List) tltest.List {
	l.Providers = append([]tltest.Provider{}, l.Providers...)
	for i := range l.Providers {
		l.Providers[i].Services = append([]tltest.Service{}, l.Providers[i].Services...)
		l.Providers[i].TradeNames = append([]string{}, l.Providers[i].TradeNames...)
	}
	l.Pointers = append([]tltest.Pointer{}, l.Pointers...)
	l.SchemeInformationURIs = append([]string{}, l.SchemeInformationURIs...)
	return l
}

// svc returns the service named name in l.
func svc(l *tltest.List, name string) *tltest.Service {
	for i := range l.Providers {
		for j := range l.Providers[i].Services {
			if l.Providers[i].Services[j].Name == name {
				return &l.Providers[i].Services[j]
			}
		}
	}
	panic("no service " + name)
}

// TestEveryKind changes one thing at a time in a generated list and checks
// that exactly the expected events are reported.
func TestEveryKind(t *testing.T) {
	w := testWorld(t)
	other := w.ServiceKeys["itsme Sign Issuing CA G2"].DER
	cases := []struct {
		name   string
		lotl   bool
		spec   func(l *tltest.List)
		model  func(l *tsl.List)
		signer string
		want   []diff.Kind
	}{
		{name: "sequence", spec: func(l *tltest.List) { l.Sequence++ }, want: []diff.Kind{diff.ListSequenceChanged}},
		{name: "version", spec: func(l *tltest.List) { l.Version = 5 }, want: []diff.Kind{diff.ListVersionChanged}},
		{name: "signer", signer: "other", want: []diff.Kind{diff.ListSignerRotated}},
		{name: "next update", spec: func(l *tltest.List) { l.NextUpdate = l.NextUpdate.AddDate(0, 1, 0) }, want: []diff.Kind{diff.ListNextUpdateChanged}},
		{name: "closed", spec: func(l *tltest.List) { l.Closed, l.NextUpdate = true, time.Time{} }, want: []diff.Kind{diff.ListNextUpdateChanged}},
		{name: "operator", spec: func(l *tltest.List) { l.OperatorName = "FPS Economy" }, want: []diff.Kind{diff.ListOperatorChanged}},
		{name: "provider added", spec: func(l *tltest.List) {
			l.Providers = append(l.Providers, tltest.Provider{Name: "New QTSP", TradeNames: []string{"VATBE-0999999999"}})
		}, want: []diff.Kind{diff.ProviderAdded}},
		{name: "provider removed", spec: func(l *tltest.List) { l.Providers = l.Providers[1:] }, want: []diff.Kind{diff.ProviderRemoved}},
		{name: "provider renamed", spec: func(l *tltest.List) { l.Providers[3].Name = "Certipost SA" }, want: []diff.Kind{diff.ProviderRenamed}},
		{name: "trade name", spec: func(l *tltest.List) { l.Providers[0].TradeNames[1] = "itsme" }, want: []diff.Kind{diff.ProviderTradeNameChanged}},
		{name: "identifier", spec: func(l *tltest.List) { l.Providers[1].TradeNames = []string{"NTRBE-0459134256"} }, want: []diff.Kind{diff.ProviderIdentifiersChanged}},
		{name: "service added", spec: func(l *tltest.List) {
			l.Providers[1].Services = append(l.Providers[1].Services, tltest.Service{Type: "QESValidation/Q", Name: "GlobalSign Validation", Status: "granted", Start: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)})
		}, want: []diff.Kind{diff.ServiceAdded}},
		{name: "service removed", spec: func(l *tltest.List) { l.Providers[1].Services = l.Providers[1].Services[:1] }, want: []diff.Kind{diff.ServiceRemoved}},
		{name: "service renamed", spec: func(l *tltest.List) { svc(l, "GlobalSign QTSA").Name = "GlobalSign Qualified TSA" }, want: []diff.Kind{diff.ServiceRenamed}},
		{name: "service type", spec: func(l *tltest.List) { svc(l, "GlobalSign QTSA").Type = "TSA" }, want: []diff.Kind{diff.ServiceTypeChanged}},
		{name: "status changed", spec: func(l *tltest.List) {
			s := svc(l, "GlobalSign QTSA")
			s.History = append([]tltest.Instance{{Type: s.Type, Name: s.Name, Status: s.Status, Start: s.Start}}, s.History...)
			s.Status, s.Start = "withdrawn", time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
		}, want: []diff.Kind{diff.ServiceStatusChanged}},
		{name: "history rewritten", spec: func(l *tltest.List) {
			s := svc(l, "Belgium Root CA")
			s.History = append([]tltest.Instance{}, s.History...)
			s.History[1].Status = "accredited"
		}, want: []diff.Kind{diff.ServiceHistoryRewritten}},
		{name: "history entry inserted", spec: func(l *tltest.List) {
			s := svc(l, "Belgium Root CA")
			s.History = append(append([]tltest.Instance{}, s.History...), tltest.Instance{Type: "CA/QC", Name: s.Name, Status: "accredited", Start: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)})
		}, want: []diff.Kind{diff.ServiceHistoryRewritten}},
		{name: "status and history", spec: func(l *tltest.List) {
			s := svc(l, "GlobalSign QTSA")
			s.Status = "withdrawn" // same instant, and the granted entry vanishes
		}, want: []diff.Kind{diff.ServiceStatusChanged, diff.ServiceHistoryRewritten}},
		{name: "additional info", spec: func(l *tltest.List) {
			svc(l, "itsme Sign Biometric CA 2025").ASI = []string{"ForeSignatures", "ForeSeals"}
		}, want: []diff.Kind{diff.ServiceInfoChanged}},
		{name: "qualifiers", spec: func(l *tltest.List) {
			svc(l, "itsme Sign Issuing CA G2").Qualifiers = []string{"QCWithQSCD", "QCForLegalPerson"}
		}, want: []diff.Kind{diff.ServiceQualifiersChanged}},
		{name: "criteria", model: func(l *tsl.List) {
			l.Providers[2].Services[0].Current.Extensions.Qualifications[0].Criteria.Assert = "all"
		}, want: []diff.Kind{diff.ServiceCriteriaChanged}},
		{name: "certificate added", spec: func(l *tltest.List) {
			s := svc(l, "itsme Sign Biometric CA 2025")
			s.Certs = append(append([][]byte{}, s.Certs...), other)
		}, want: []diff.Kind{diff.ServiceCertificateAdded}},
		{name: "certificate rotated", spec: func(l *tltest.List) { svc(l, "itsme Sign Biometric CA 2025").Certs = [][]byte{other} }, want: []diff.Kind{diff.ServiceCertificateRotated}},
		{name: "taken over", spec: func(l *tltest.List) { svc(l, "GlobalSign QTSA").TakenOverBy = "Other TSP NV" }, want: []diff.Kind{diff.ServiceTakenOver}},
		{name: "lotl pointer added", lotl: true, spec: func(l *tltest.List) {
			l.Pointers = append(l.Pointers, tltest.Pointer{Territory: "NL", Location: "https://tl.test/NL.xml", Certs: [][]byte{other}})
		}, want: []diff.Kind{diff.LOTLPointerAdded}},
		{name: "lotl pointer removed", lotl: true, spec: func(l *tltest.List) { l.Pointers = l.Pointers[:len(l.Pointers)-1] }, want: []diff.Kind{diff.LOTLPointerRemoved}},
		{name: "lotl pointer moved", lotl: true, spec: func(l *tltest.List) {
			l.Pointers[2].Location = "https://tl.test/new/BE.xml"
		}, want: []diff.Kind{diff.LOTLPointerLocationChanged}},
		{name: "lotl pointer certificate added", lotl: true, spec: func(l *tltest.List) {
			l.Pointers[2].Certs = append(append([][]byte{}, l.Pointers[2].Certs...), other)
		}, want: []diff.Kind{diff.LOTLPointerCertificateAdded}},
		{name: "lotl pointer certificate replaced", lotl: true, spec: func(l *tltest.List) {
			l.Pointers[2].Certs = [][]byte{other}
		}, want: []diff.Kind{diff.LOTLPointerCertificateAdded, diff.LOTLPointerCertificateRemoved}},
		{name: "lotl pivot", lotl: true, spec: func(l *tltest.List) {
			l.SchemeInformationURIs = append([]string{"https://tl.test/eu-lotl-pivot-120.xml"}, l.SchemeInformationURIs...)
		}, want: []diff.Kind{diff.LOTLPivotAdded}},
		{name: "lotl notice", lotl: true, spec: func(l *tltest.List) {
			l.SchemeInformationURIs = append([]string{"https://eur-lex.europa.eu/eli/C/2027/1/oj"}, l.SchemeInformationURIs...)
		}, want: []diff.Kind{diff.LOTLNoticeChanged}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := w.Lists["BE"]
			if c.lotl {
				base = w.LOTL
			}
			changed := copyList(base)
			if c.spec != nil {
				c.spec(&changed)
			}
			o, n := model(t, base), model(t, changed)
			if c.model != nil {
				c.model(n)
			}
			ov := &diff.Version{List: o, SignerSHA256: "aa", SignerSubject: "CN=signer"}
			nv := &diff.Version{List: n, SignerSHA256: "aa", SignerSubject: "CN=signer"}
			if c.signer != "" {
				nv.SignerSHA256, nv.SignerSubject = "bb", "CN="+c.signer
			}
			got := diff.Lists(ov, nv)
			var want []string
			for _, k := range c.want {
				want = append(want, string(k))
			}
			sort.Strings(want)
			if strings.Join(kinds(got), " ") != strings.Join(want, " ") {
				t.Fatalf("kinds %v, want %v: %+v", kinds(got), want, got)
			}
			for _, e := range got {
				if e.Territory != n.Territory || e.OldSequence != o.SequenceNumber || e.NewSequence != n.SequenceNumber || e.Old == nil || e.New == nil {
					t.Errorf("event %+v: territory or sequences or values missing", e)
				}
			}
			// the reverse change reports the mirror event
			back := diff.Lists(nv, ov)
			if len(back) == 0 {
				t.Errorf("the reverse change reports nothing")
			}
			if c.name == "certificate added" && strings.Join(kinds(back), " ") != string(diff.ServiceCertificateRemoved) {
				t.Errorf("reverse of a certificate added: %v", kinds(back))
			}
			if c.name == "provider added" && strings.Join(kinds(back), " ") != string(diff.ProviderRemoved) {
				t.Errorf("reverse of a provider added: %v", kinds(back))
			}
			// a list against itself is empty
			if same := diff.Lists(nv, nv); len(same) != 0 {
				t.Errorf("itself: %v", kinds(same))
			}
		})
	}
}

func TestStatusChangeValues(t *testing.T) {
	w := testWorld(t)
	changed := copyList(w.Lists["BE"])
	s := svc(&changed, "GlobalSign QTSA")
	s.History = []tltest.Instance{{Type: s.Type, Name: s.Name, Status: s.Status, Start: s.Start}}
	at := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	s.Status, s.Start = "withdrawn", at
	changed.Sequence = 43
	ev := diff.Lists(&diff.Version{List: model(t, w.Lists["BE"])}, &diff.Version{List: model(t, changed)})
	var e *diff.Event
	for i := range ev {
		if ev[i].Kind == diff.ServiceStatusChanged {
			e = &ev[i]
		}
	}
	if e == nil {
		t.Fatalf("no status change in %v", kinds(ev))
	}
	if e.Provider != "GlobalSign NV/SA" || e.Service != "GlobalSign QTSA" || e.ServiceType != "TSA/QTST" || !e.At.Equal(at) ||
		e.Old[0] != "granted since 2017-01-01T00:00:00Z" || e.New[0] != "withdrawn since 2026-06-15T10:00:00Z" ||
		e.OldSequence != 42 || e.NewSequence != 43 || e.Detail != "granted → withdrawn at 2026-06-15T10:00:00Z" {
		t.Errorf("event %+v", *e)
	}
}

// TestFilters: provider (as check matches), country (with the LOTL's
// pointer to it), service kind.
func TestFilters(t *testing.T) {
	w := testWorld(t)
	next, err := w.Next()
	if err != nil {
		t.Fatal(err)
	}
	set := func(ww *tltest.World) diff.Set {
		s := diff.Set{LOTL: &diff.Version{List: model(t, ww.LOTL)}, Lists: map[string]*diff.Version{}}
		for terr, l := range ww.Lists {
			s.Lists[terr] = &diff.Version{List: model(t, l)}
		}
		return s
	}
	nl := copyList(next.LOTL)
	nl.Pointers[2].Certs = [][]byte{w.ServiceKeys["itsme Sign Validation"].DER} // BE's XML pointer
	ns := set(next)
	ns.LOTL = &diff.Version{List: model(t, nl)}
	all := diff.Sets(set(w), ns)
	qtst, err := query.ParseKind("qtst")
	if err != nil {
		t.Fatal(err)
	}
	qc, _ := query.ParseKind("qc")
	count := func(f diff.Filter) map[diff.Kind]int {
		m := map[diff.Kind]int{}
		for _, e := range f.Apply(all) {
			m[e.Kind]++
		}
		return m
	}
	for _, c := range []struct {
		name string
		f    diff.Filter
		want map[diff.Kind]int
	}{
		{"globalsign", diff.Filter{Provider: "globalsign"}, map[diff.Kind]int{diff.ServiceStatusChanged: 1}},
		{"identifier", diff.Filter{Provider: "VATBE-0123456789"}, map[diff.Kind]int{diff.ProviderAdded: 1}},
		{"identifier with spaces", diff.Filter{Provider: "VATBE - 0123456789"}, map[diff.Kind]int{diff.ProviderAdded: 1}},
		{"identifier is exact", diff.Filter{Provider: "VATBE-012345678"}, map[diff.Kind]int{}},
		{"accents and case", diff.Filter{Provider: "EXAMPLE new qtsp"}, map[diff.Kind]int{diff.ProviderAdded: 1}},
		{"nobody", diff.Filter{Provider: "Belgian Mobile ID"}, map[diff.Kind]int{}},
		{"qtst", diff.Filter{Service: &qtst}, map[diff.Kind]int{diff.ServiceStatusChanged: 1}},
		{"qc in BE", diff.Filter{Service: &qc, Country: "BE"}, map[diff.Kind]int{}},
		{"BE", diff.Filter{Country: "BE"}, map[diff.Kind]int{diff.ListSequenceChanged: 1, diff.ListNextUpdateChanged: 1, diff.ProviderAdded: 1, diff.ServiceStatusChanged: 1,
			diff.LOTLPointerCertificateAdded: 1, diff.LOTLPointerCertificateRemoved: 1}},
		{"FR", diff.Filter{Country: "FR"}, map[diff.Kind]int{diff.ListSequenceChanged: 1, diff.ListNextUpdateChanged: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := count(c.f)
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for k, n := range c.want {
				if got[k] != n {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}

// TestGeneratedWorldVerified verifies two signed generated worlds through
// the chain, as eutl diff does, and compares the sets.
func TestGeneratedWorldVerified(t *testing.T) {
	w := testWorld(t)
	next, err := w.Next()
	if err != nil {
		t.Fatal(err)
	}
	verify := func(ww *tltest.World) diff.Set {
		files := map[string][]byte{"lotl": ww.Files["/eu-lotl.xml"]}
		for terr := range ww.Lists {
			files[terr] = ww.Files["/"+terr+".xml"]
		}
		res := trust.Chain(context.Background(), &fetch.Fixed{Lists: files}, trust.ChainOptions{
			Options: trust.Options{At: time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)}, LOTLURL: ww.LOTLURL(),
			Anchors: trust.Anchors{Name: "test", DER: [][]byte{ww.Anchors[0].DER}},
		})
		s := diff.Set{Lists: map[string]*diff.Version{}}
		if !res.LOTL.Usable() {
			t.Fatal(res.LOTL.Err)
		}
		s.LOTL = &diff.Version{List: res.LOTL.List.List, SignerSHA256: res.LOTL.List.Signature.SignerSHA256}
		for _, o := range res.Lists {
			if !o.Usable() {
				t.Fatalf("%s: %v", o.Territory, o.Err)
			}
			s.Lists[o.Territory] = &diff.Version{List: o.List.List, SignerSHA256: o.List.Signature.SignerSHA256}
		}
		return s
	}
	a, b := verify(w), verify(next)
	got := map[diff.Kind]int{}
	for _, e := range diff.Sets(a, b) {
		got[e.Kind]++
	}
	want := map[diff.Kind]int{diff.ListSequenceChanged: 4, diff.ListNextUpdateChanged: 4, diff.ProviderAdded: 1, diff.ServiceStatusChanged: 1}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if ev := diff.Sets(b, b); len(ev) != 0 {
		t.Errorf("a set against itself: %v", kinds(ev))
	}
	// a territory on one side only
	delete(b.Lists, "FR")
	ev := diff.Sets(a, b)
	n := 0
	for _, e := range ev {
		if e.Kind == diff.ListRemoved && e.Territory == "FR" && e.OldSequence == 42 {
			n++
		}
	}
	if n != 1 {
		t.Errorf("FR removed: %v", kinds(ev))
	}
	added := 0
	for _, e := range diff.Sets(b, a) {
		if e.Kind == diff.ListAdded && e.Territory == "FR" && e.NewSequence == 42 && e.New[0] == "sequence 42" {
			added++
		}
	}
	if added != 1 {
		t.Errorf("FR added: %v", kinds(diff.Sets(b, a)))
	}
}

// TestKindsListed: every kind constant is in Kinds() once (Summary and the
// README list them from there).
func TestKindsListed(t *testing.T) {
	seen := map[diff.Kind]bool{}
	for _, k := range diff.Kinds() {
		if seen[k] || !strings.Contains(string(k), "_") {
			t.Errorf("kind %q listed twice or malformed", k)
		}
		seen[k] = true
	}
	if len(seen) != 33 {
		t.Errorf("%d kinds listed, the package declares 33", len(seen))
	}
}
