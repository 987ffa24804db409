package snapshot_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/snapshot"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
)

var at = time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)

// memSource serves a generated world's files by chain name.
type memSource struct{ files map[string][]byte }

func (m memSource) Fetch(_ context.Context, name, url string, _ bool) (*fetch.Fetched, error) {
	b, ok := m.files[name]
	if !ok {
		return nil, fetch.ErrNotInCache
	}
	return &fetch.Fetched{Data: b, URL: url}, nil
}
func (m memSource) Cached(string, string) (*fetch.Fetched, error)         { return nil, fetch.ErrNotInCache }
func (m memSource) Accept(string, *fetch.Fetched, fetch.AcceptInfo) error { return nil }
func (m memSource) LastSequence(string) (int, error)                      { return 0, nil }

func world(t testing.TB) (*tltest.World, trust.ChainOptions, memSource) {
	w, err := tltest.NewWorld(tltest.WorldOptions{Pivots: 2})
	if err != nil {
		t.Fatal(err)
	}
	src := memSource{files: map[string][]byte{"lotl": w.Files["/eu-lotl.xml"]}}
	for i := range w.Pivots {
		u := w.PivotURL(i)
		src.files[filepath.Base(u)] = w.Files[u[len(w.Opts.BaseURL):]]
	}
	for _, tr := range w.Opts.Territories {
		src.files[tr] = w.Files["/"+tr+".xml"]
	}
	var anchors trust.Anchors
	for _, k := range w.Anchors {
		anchors.DER = append(anchors.DER, k.DER)
	}
	anchors.Name = "test anchors"
	return w, trust.ChainOptions{Options: trust.Options{At: at}, LOTLURL: w.LOTLURL(), Anchors: anchors}, src
}

func create(t testing.TB, o trust.ChainOptions, src trust.Source) ([]byte, *trust.ChainResult) {
	rec := snapshot.NewRecorder(src)
	res := trust.Chain(context.Background(), rec, o)
	m, members, err := snapshot.Build(res, rec, snapshot.BuildOptions{Kind: snapshot.KindSnapshot, EutlVersion: "test", At: at, LOTLURL: o.LOTLURL, Anchors: o.Anchors})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := snapshot.Write(&buf, m, members); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), res
}

// TestRoundTrip: a generated world with pivots, snapshotted and read back,
// verifies to the same lists; two creations give the same bytes.
func TestRoundTrip(t *testing.T) {
	_, o, src := world(t)
	data, res := create(t, o, src)
	again, _ := create(t, o, src)
	if !bytes.Equal(data, again) {
		t.Fatal("two creations of the same set at the same instant differ")
	}
	a, err := snapshot.Read(data, snapshot.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(a.Members()); got != 1+1+2+3 {
		t.Fatalf("%d members: %v", got, a.Members())
	}
	res2 := trust.Chain(context.Background(), a.Source(false, at), o)
	if err := a.Reconcile(res2, snapshot.ReconcileOptions{Verdicts: true, AllLists: true}); err != nil {
		t.Fatal(err)
	}
	if len(res2.Pivots) != 2 || !res2.LOTL.Usable() || len(res2.Lists) != len(res.Lists) {
		t.Fatalf("pivots %d, LOTL %v, lists %d", len(res2.Pivots), res2.LOTL.Err, len(res2.Lists))
	}
	for i := range res.Lists {
		if !res2.Lists[i].Usable() || res2.Lists[i].List.SHA256 != res.Lists[i].List.SHA256 {
			t.Fatalf("%s: %v", res2.Lists[i].Territory, res2.Lists[i].Err)
		}
	}
}

// TestLimits: every bound refuses.
func TestLimits(t *testing.T) {
	_, o, src := world(t)
	data, _ := create(t, o, src)
	for _, c := range []struct {
		name string
		lim  snapshot.Limits
	}{
		{"members", snapshot.Limits{MaxMembers: 3}},
		{"member size", snapshot.Limits{MaxMember: 1000}},
		{"total", snapshot.Limits{MaxTotal: int64(len(data)) - 1}},
	} {
		if _, err := snapshot.Read(data, c.lim); !errors.Is(err, snapshot.ErrLimit) {
			t.Errorf("%s: %v, want ErrLimit", c.name, err)
		}
	}
	for n := 0; n < len(data); n += 97 {
		if _, err := snapshot.Read(data[:n], snapshot.Limits{}); err == nil {
			t.Fatalf("truncated to %d bytes: accepted", n)
		}
	}
}

// TestMemberNames: the grammar refuses every way out of the archive.
func TestMemberNames(t *testing.T) {
	for _, n := range []string{"../x.xml", "/etc/passwd", "lists/../../x.xml", `lists\BE.xml`, "lists/", "pivots/..xml", "lists/be.xml", "evidence/../x", "C:/x.xml", "lists/BE.xml/", "pivots/.hidden.xml"} {
		if snapshot.ValidMemberName(n) {
			t.Errorf("%q accepted", n)
		}
	}
	for _, n := range []string{"manifest.json", "lotl.xml", "lists/BE.xml", "pivots/eu-lotl-pivot-341.xml", "evidence/answer.json"} {
		if !snapshot.ValidMemberName(n) {
			t.Errorf("%q refused", n)
		}
	}
}

// FuzzRead: no input makes the reader panic, exceed its limits, or accept
// a member outside the grammar.
func FuzzRead(f *testing.F) {
	_, o, src := world(f)
	data, _ := create(f, o, src)
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := snapshot.Read(b, snapshot.Limits{MaxMembers: 64, MaxMember: 1 << 20, MaxTotal: 4 << 20})
		if err != nil {
			return
		}
		for _, n := range a.Members() {
			if !snapshot.ValidMemberName(n) {
				t.Fatalf("member %q accepted", n)
			}
		}
	})
}
