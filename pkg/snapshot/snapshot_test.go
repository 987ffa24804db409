package snapshot_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
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

var (
	worldOnce sync.Once
	theWorld  *tltest.World
	worldErr  error
)

// world is one generated EU with two pivots, shared by the tests (keys are
// slow to generate).
func world(t testing.TB) (*tltest.World, trust.ChainOptions, memSource) {
	worldOnce.Do(func() { theWorld, worldErr = tltest.NewWorld(tltest.WorldOptions{Pivots: 2}) })
	w, err := theWorld, worldErr
	if err != nil {
		t.Fatal(err)
	}
	src := memSource{files: map[string][]byte{"lotl": w.Files["/eu-lotl.xml"]}}
	for i := range w.Pivots {
		u := w.PivotURL(i)
		src.files[fetch.PivotName(u)] = w.Files[u[len(w.Opts.BaseURL):]]
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

// TestManifestLies: every field the bytes decide, changed in the manifest
// (and kept in the form eutl writes), is reported naming the member.
func TestManifestLies(t *testing.T) {
	_, o, src := world(t)
	data, _ := create(t, o, src)
	orig, err := snapshot.Read(data, snapshot.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		member string
		lie    func(m *snapshot.Manifest)
	}{
		{"sequence", "lists/BE.xml", func(m *snapshot.Manifest) { m.File("lists/BE.xml").Sequence++ }},
		{"territory", "lists/EL.xml", func(m *snapshot.Manifest) { m.File("lists/EL.xml").Territory = "FR" }},
		{"url", "lists/FR.xml", func(m *snapshot.Manifest) { m.File("lists/FR.xml").URL += "x" }},
		{"verdict", "lists/BE.xml", func(m *snapshot.Manifest) { m.File("lists/BE.xml").Verdict = "expired" }},
		{"reason", "lists/BE.xml", func(m *snapshot.Manifest) { m.File("lists/BE.xml").Reason = "x" }},
		{"role", "lists/BE.xml", func(m *snapshot.Manifest) { m.File("lists/BE.xml").Role = snapshot.RolePivot }},
		{"lotl url", "lotl.xml", func(m *snapshot.Manifest) { m.File("lotl.xml").URL = "https://elsewhere/lotl.xml" }},
		{"pivot sequence", "pivots/eu-lotl-pivot-101.xml", func(m *snapshot.Manifest) { m.File("pivots/eu-lotl-pivot-101.xml").Sequence = 7 }},
		{"not included", "lists/BE.xml", func(m *snapshot.Manifest) { m.File("lists/BE.xml").Included = false }},
		{"digest", "lists/BE.xml", func(m *snapshot.Manifest) { m.File("lists/BE.xml").SHA256 = strings.Repeat("0", 64) }},
		{"size", "lists/EL.xml", func(m *snapshot.Manifest) { m.File("lists/EL.xml").Size++ }},
		{"dropped entry", "lists/FR.xml", func(m *snapshot.Manifest) { m.Files = m.Files[:len(m.Files)-1] }},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, _ := snapshot.ParseManifest(orig.ManifestBytes)
			c.lie(m)
			members := map[string][]byte{}
			for _, n := range orig.Members() {
				if n != snapshot.ManifestName {
					members[n], _ = orig.Member(n)
				}
			}
			var buf bytes.Buffer
			if err := writeRaw(&buf, m, members); err != nil {
				t.Fatal(err)
			}
			a, err := snapshot.Read(buf.Bytes(), snapshot.Limits{})
			if err == nil {
				res := trust.Chain(context.Background(), a.Source(false, at), o)
				err = a.Reconcile(res, snapshot.ReconcileOptions{Verdicts: true, AllLists: true})
			}
			var fe *snapshot.FormatError
			if !errors.As(err, &fe) || !errors.Is(err, snapshot.ErrMismatch) {
				t.Fatalf("%v, want a mismatch", err)
			}
			if fe.Member != c.member && fe.Member != snapshot.ManifestName {
				t.Fatalf("names %s, want %s: %v", fe.Member, c.member, err)
			}
		})
	}
}

// writeRaw writes members with a manifest that need not describe them
// (snapshot.Write would be as happy: it trusts its caller).
func writeRaw(w *bytes.Buffer, m *snapshot.Manifest, members map[string][]byte) error {
	return snapshot.Write(w, m, members)
}

// TestFormatVersion: a newer format is ErrNewerFormat, 0 and a missing one
// are refused.
func TestFormatVersion(t *testing.T) {
	for v, want := range map[string]error{`2`: snapshot.ErrNewerFormat, `99`: snapshot.ErrNewerFormat, `0`: snapshot.ErrMismatch, `"1"`: snapshot.ErrMismatch} {
		_, err := snapshot.ParseManifest([]byte(`{"format_version": ` + v + `}`))
		if !errors.Is(err, want) {
			t.Errorf("format_version %s: %v, want %v", v, err, want)
		}
	}
}
