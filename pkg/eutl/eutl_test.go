package eutl_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eutl/eutl/internal/loadhook"
	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
	"github.com/eutl/eutl/pkg/tsl"
)

var at = time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)

// One generated EU for the whole package: keys are the slow part.
var (
	worldOnce sync.Once
	world     *tltest.World
	worldErr  error
)

func testWorld(t testing.TB) *tltest.World {
	t.Helper()
	worldOnce.Do(func() { world, worldErr = tltest.NewWorld(tltest.WorldOptions{BaseURL: "http://tl.test"}) })
	if worldErr != nil {
		t.Fatal(worldErr)
	}
	return world
}

// anchors are the generated world's LOTL signers, in place of the Official
// Journal's.
func anchors(w *tltest.World) *trust.Anchors {
	return &trust.Anchors{Name: "test anchors", DER: [][]byte{w.Anchors[0].DER, w.Anchors[1].DER}}
}

// online returns a context routing every host to a loopback server
// publishing w, and the server.
func online(t testing.TB, w *tltest.World) (context.Context, *tltest.Server) {
	srv := tltest.NewServer(w)
	t.Cleanup(srv.Close)
	return loadhook.With(context.Background(), loadhook.Hooks{Transport: srv.Transport(), RetryBaseDelay: time.Millisecond, Now: func() time.Time { return at }}), srv
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	src := &memSource{}
	for _, tc := range []struct {
		name  string
		cfg   eutl.Config
		field string
	}{
		{"no cache dir", eutl.Config{}, "CacheDir"},
		{"source and cache dir", eutl.Config{Source: src, CacheDir: "x"}, "CacheDir"},
		{"source and offline", eutl.Config{Source: src, Offline: true}, "Offline"},
		{"source and lock wait", eutl.Config{Source: src, LockWait: time.Second}, "LockWait"},
		{"source and timeout", eutl.Config{Source: src, Timeout: time.Second}, "Timeout"},
		{"concurrency too high", eutl.Config{CacheDir: "x", Concurrency: 65}, "Concurrency"},
		{"concurrency negative", eutl.Config{CacheDir: "x", Concurrency: -1}, "Concurrency"},
		{"timeout negative", eutl.Config{CacheDir: "x", Timeout: -time.Second}, "Timeout"},
		{"lock wait negative", eutl.Config{CacheDir: "x", LockWait: -time.Second}, "LockWait"},
		{"pivot walk timeout negative", eutl.Config{CacheDir: "x", PivotWalkTimeout: -time.Second}, "PivotWalkTimeout"},
		{"empty territory", eutl.Config{CacheDir: "x", Territories: []string{"BE", " "}}, "Territories"},
		{"empty custom anchors", eutl.Config{CacheDir: "x", CustomAnchorsUnsafe: &trust.Anchors{Name: "none"}}, "CustomAnchorsUnsafe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := eutl.Load(context.Background(), tc.cfg)
			var ce *eutl.ConfigError
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("Load: %v, want a ConfigError on %s", err, tc.field)
			}
			if !strings.HasPrefix(err.Error(), "eutl.Config."+tc.field+": ") {
				t.Errorf("message %q does not name the field", err)
			}
		})
	}
	if src.fetches != 0 {
		t.Errorf("an invalid config fetched %d lists", src.fetches)
	}
}

// TestLoadOnlineThenOffline loads through the network into a cache, answers
// from it, then loads the same cache offline without a request.
func TestLoadOnlineThenOffline(t *testing.T) {
	t.Parallel()
	w := testWorld(t)
	ctx, srv := online(t, w)
	dir := t.TempDir()
	var events []trust.Event
	set, err := eutl.Load(ctx, eutl.Config{LOTLURL: w.LOTLURL(), CacheDir: dir, CustomAnchorsUnsafe: anchors(w), At: at,
		Progress: func(e trust.Event) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	res := set.Chain()
	if !res.LOTL.Usable() || len(res.Lists) != 3 {
		t.Fatalf("LOTL %s, %d lists", res.LOTL.Verdict(), len(res.Lists))
	}
	for _, o := range res.Lists {
		if o.Verdict() != trust.Valid {
			t.Errorf("%s: %s (%v)", o.Territory, o.Verdict(), o.Err)
		}
	}
	if !set.At().Equal(at) {
		t.Errorf("At %s", set.At())
	}
	roles := map[trust.Role]int{}
	total := 0
	for _, e := range events {
		switch e.Kind {
		case trust.EventListDone:
			roles[e.Role]++
		case trust.EventTotal:
			total = e.Total
		default:
			t.Errorf("event of no kind: %+v", e)
		}
	}
	if total != 3 || roles[trust.RoleNational] != 3 || roles[trust.RoleLOTL] != 1 {
		t.Errorf("progress: total %d, done by role %v; events %+v", total, roles, events)
	}
	checkBMID(t, set, query.Qualified)
	for _, f := range []string{"lotl.xml", "BE.xml", "EL.xml", "FR.xml", "state.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("cache: %v", err)
		}
	}

	before := srv.Requests("/eu-lotl.xml") + srv.Requests("/BE.xml")
	set, err = eutl.Load(ctx, eutl.Config{LOTLURL: w.LOTLURL(), CacheDir: dir, Offline: true, CustomAnchorsUnsafe: anchors(w), At: at, Territories: []string{"BE"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Requests("/eu-lotl.xml") + srv.Requests("/BE.xml"); n != before {
		t.Errorf("offline load made %d requests", n-before)
	}
	if got := len(set.Chain().Lists); got != 1 {
		t.Errorf("Territories BE loaded %d lists", got)
	}
	checkBMID(t, set, query.Qualified)
}

func checkBMID(t *testing.T, set *eutl.Set, want query.Outcome) {
	t.Helper()
	ix, err := set.Index()
	if err != nil {
		t.Fatal(err)
	}
	kind, err := query.ParseKind("qval")
	if err != nil {
		t.Fatal(err)
	}
	a := ix.Check(query.Query{Provider: "VATBE-0541659084", Kind: kind, At: set.At()})
	if a.Outcome() != want {
		t.Errorf("check: outcome %v, want %v (%s)", a.Outcome(), want, a.Reason)
	}
}

// TestBuiltinAnchorsRefuseOthers: without CustomAnchorsUnsafe the pinned
// Official Journal set decides, so a generated LOTL is untrusted and no
// answer is negative.
func TestBuiltinAnchorsRefuseOthers(t *testing.T) {
	t.Parallel()
	w := testWorld(t)
	ctx, _ := online(t, w)
	set, err := eutl.Load(ctx, eutl.Config{LOTLURL: w.LOTLURL(), CacheDir: t.TempDir(), At: at})
	if err != nil {
		t.Fatal(err)
	}
	if v := set.Chain().LOTL.Verdict(); v != trust.UntrustedSigner {
		t.Fatalf("LOTL verdict %s, want untrusted_signer", v)
	}
	if name := set.Chain().Anchors.Name; name != trust.OfficialJournalNotice {
		t.Errorf("anchors %q", name)
	}
	checkBMID(t, set, query.IncompleteTrust)
}

func TestUnknownTerritory(t *testing.T) {
	t.Parallel()
	w := testWorld(t)
	ctx, _ := online(t, w)
	set, err := eutl.Load(ctx, eutl.Config{LOTLURL: w.LOTLURL(), CacheDir: t.TempDir(), CustomAnchorsUnsafe: anchors(w), At: at, Territories: []string{"US", "BE"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = set.Index()
	var te *eutl.TerritoryError
	if !errors.As(err, &te) || te.Territory != "US" || strings.Join(te.Known, " ") != "BE EL FR" || !errors.Is(err, trust.ErrNoPointer) {
		t.Fatalf("Index: %v, want a TerritoryError for US knowing BE EL FR", err)
	}
}

// TestLockWait: a load waits LockWait for another holder of the cache's
// lock, then fails naming the directory.
func TestLockWait(t *testing.T) {
	t.Parallel()
	w := testWorld(t)
	ctx, _ := online(t, w)
	dir := t.TempDir()
	c, err := fetch.OpenCache(dir, true)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := c.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = eutl.Load(ctx, eutl.Config{LOTLURL: w.LOTLURL(), CacheDir: dir, CustomAnchorsUnsafe: anchors(w), At: at, LockWait: 20 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Load with the lock held: %v", err)
	}
	unlock()
	if _, err := eutl.Load(ctx, eutl.Config{LOTLURL: w.LOTLURL(), CacheDir: dir, CustomAnchorsUnsafe: anchors(w), At: at, LockWait: time.Second}); err != nil {
		t.Fatalf("Load after unlock: %v", err)
	}
}

func TestInterrupted(t *testing.T) {
	t.Parallel()
	w := testWorld(t)
	ctx, _ := online(t, w)
	ctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := eutl.Load(ctx, eutl.Config{Source: &memSource{files: w.Files}, LOTLURL: w.LOTLURL(), CustomAnchorsUnsafe: anchors(w), At: at})
	var ie *eutl.InterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Load with a cancelled context: %v", err)
	}
}

func TestNewerCacheRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "eutl-cache.json"), []byte(`{"format_version": 99}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, offline := range []bool{false, true} {
		_, err := eutl.Load(context.Background(), eutl.Config{CacheDir: dir, Offline: offline})
		if !errors.Is(err, fetch.ErrNewerCache) {
			t.Errorf("offline=%v: %v, want ErrNewerCache", offline, err)
		}
	}
}

// TestUnusableCache: a cache that cannot be used is a *fetch.CacheError
// naming the path, and a damaged rollback state is reported as such, before
// any list is judged.
func TestUnusableCache(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	damaged := t.TempDir()
	os.WriteFile(filepath.Join(damaged, "state.json"), []byte("{"), 0o644)
	for _, tc := range []struct{ dir, want string }{{file, file}, {damaged, "rollback state"}} {
		for _, offline := range []bool{false, true} {
			_, err := eutl.Load(context.Background(), eutl.Config{CacheDir: tc.dir, Offline: offline})
			var ce *fetch.CacheError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s offline=%v: %v", tc.dir, offline, err)
			}
		}
	}
}

// memSource is a trust.Source over files in memory, as a snapshot is.
type memSource struct {
	files    map[string][]byte // by URL path
	mu       sync.Mutex
	fetches  int
	accepted map[string]int
	flushed  int
	flushErr error
}

func (m *memSource) Fetch(_ context.Context, name, url string, _ bool) (*fetch.Fetched, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fetches++
	path := url[strings.Index(url[len("http://"):], "/")+len("http://"):]
	data, ok := m.files[path]
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fetch.ErrNotInCache)
	}
	return &fetch.Fetched{Data: data, URL: url, Origin: "memory", FromCache: true}, nil
}

func (m *memSource) Cached(name, _ string) (*fetch.Fetched, error) {
	return nil, fmt.Errorf("%s: %w", name, fetch.ErrNotInCache)
}

func (m *memSource) Accept(name string, _ *fetch.Fetched, info fetch.AcceptInfo) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.accepted == nil {
		m.accepted = map[string]int{}
	}
	m.accepted[name] = info.Sequence
	return nil
}

func (m *memSource) LastSequence(string) (int, error) { return 0, nil }

func (m *memSource) Flush() error { m.flushed++; return m.flushErr }

// TestSource: a Source replaces cache and network; lists are still verified
// (a tampered one fails), Flush is called and its failure is a warning.
func TestSource(t *testing.T) {
	t.Parallel()
	w := testWorld(t)
	files := map[string][]byte{}
	for k, v := range w.Files {
		files[k] = v
	}
	files["/FR.xml"] = []byte(strings.Replace(string(files["/FR.xml"]), "Svcstatus/withdrawn", "Svcstatus/granted", 1))
	src := &memSource{files: files, flushErr: errors.New("disk full")}
	set, err := eutl.Load(context.Background(), eutl.Config{Source: src, LOTLURL: w.LOTLURL(), CustomAnchorsUnsafe: anchors(w), At: at})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]trust.Verdict{}
	for _, o := range set.Chain().Lists {
		got[o.Territory] = o.Verdict()
	}
	if got["BE"] != trust.Valid || got["EL"] != trust.Valid || got["FR"] != trust.SignatureInvalid {
		t.Errorf("verdicts %v", got)
	}
	if _, ok := src.accepted["FR"]; ok || src.accepted["BE"] != 42 {
		t.Errorf("accepted %v", src.accepted)
	}
	if src.flushed != 1 || len(set.Warnings()) != 1 || !strings.Contains(set.Warnings()[0], "disk full") {
		t.Errorf("flushed %d times, warnings %q", src.flushed, set.Warnings())
	}
	checkBMID(t, set, query.Qualified)
	// The failure travels as a value: verdict, location, cause and the error.
	ix, _ := set.Index()
	failed := ix.Failed()
	var le *trust.ListError
	if len(failed) != 1 || failed[0].Territory != "FR" || failed[0].Verdict != trust.SignatureInvalid || !errors.As(failed[0].Err, &le) ||
		le.Location() == "" || failed[0].Location != le.Location() || failed[0].Cause != le.Cause() {
		t.Errorf("failed lists %+v", failed)
	}
}

// TestFreshnessPerQuestion: with FreshnessPerQuestion one set answers a
// question about any instant as a load at that instant would: the
// generated lists (NextUpdate 2026-12-01) answer at 2026-08-20, count as
// expired at 2027-01-01 (no answer, never "not qualified"), and answer
// then with AllowExpiredUnsafe.
func TestFreshnessPerQuestion(t *testing.T) {
	w := testWorld(t)
	kind, _ := query.ParseKind("qval")
	ask := func(set *eutl.Set, at time.Time) *query.Answer {
		ix, err := set.Index()
		if err != nil {
			t.Fatal(err)
		}
		return ix.Check(query.Query{Provider: "VATBE-0541659084", Kind: kind, Country: "BE", At: at})
	}
	later := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, allow := range []bool{false, true} {
		set, err := eutl.Load(context.Background(), eutl.Config{Source: &memSource{files: w.Files}, LOTLURL: w.LOTLURL(), CustomAnchorsUnsafe: anchors(w), At: at,
			FreshnessPerQuestion: true, AllowExpiredUnsafe: allow})
		if err != nil {
			t.Fatal(err)
		}
		if a := ask(set, at); a.Outcome() != query.Qualified {
			t.Errorf("allow=%v at %s: %v %q", allow, at, a.Outcome(), a.Reason)
		}
		a := ask(set, later)
		switch {
		case !allow && (a.Outcome() != query.IncompleteTrust || len(a.Failed) == 0 || a.Failed[0].Verdict != "expired"):
			t.Errorf("at %s: %v %+v", later, a.Outcome(), a.Failed)
		case allow && a.Outcome() != query.Qualified:
			t.Errorf("allow-expired at %s: %v %q", later, a.Outcome(), a.Reason)
		}
		// The same as a load at that instant.
		direct, err := eutl.Load(context.Background(), eutl.Config{Source: &memSource{files: w.Files}, LOTLURL: w.LOTLURL(), CustomAnchorsUnsafe: anchors(w), At: later, AllowExpiredUnsafe: allow})
		if err != nil {
			t.Fatal(err)
		}
		if d := ask(direct, later); d.Outcome() != a.Outcome() {
			t.Errorf("allow=%v: per question %v, loaded at %s %v", allow, a.Outcome(), later, d.Outcome())
		}
	}
}

// TestOneModelOfTime: for every instant and question, one set loaded with
// FreshnessPerQuestion answers exactly (outcome and reason) as a set
// loaded at that instant does.
func TestOneModelOfTime(t *testing.T) {
	w := testWorld(t)
	perQuestion, err := eutl.Load(context.Background(), eutl.Config{Source: &memSource{files: w.Files}, LOTLURL: w.LOTLURL(), CustomAnchorsUnsafe: anchors(w), At: at, FreshnessPerQuestion: true})
	if err != nil {
		t.Fatal(err)
	}
	ix, _ := perQuestion.Index()
	instants := []time.Time{
		time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 31, 0, 0, 0, 0, time.UTC), at,
		time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC),
	}
	var questions []query.Query
	for _, p := range []string{"VATBE-0541659084", "GlobalSign", "certipost", "NV", "Nobody", "ερμης"} {
		for _, s := range []string{"qval", "qc-esig", "qtst", "any"} {
			k, _ := query.ParseKind(s)
			for _, c := range []string{"", "BE"} {
				questions = append(questions, query.Query{Provider: p, Kind: k, Country: c})
			}
		}
	}
	for _, when := range instants {
		direct, err := eutl.Load(context.Background(), eutl.Config{Source: &memSource{files: w.Files}, LOTLURL: w.LOTLURL(), CustomAnchorsUnsafe: anchors(w), At: when})
		if err != nil {
			t.Fatal(err)
		}
		dix, _ := direct.Index()
		for _, q := range questions {
			q.At = when
			a, b := ix.Check(q), dix.Check(q)
			if a.Outcome() != b.Outcome() || a.Reason != b.Reason {
				t.Errorf("%s %q %s %q: per question %v %q; loaded at that instant %v %q", when.Format(time.RFC3339), q.Provider, q.Kind.Alias, q.Country, a.Outcome(), a.Reason, b.Outcome(), b.Reason)
			}
		}
	}
}

// TestTap: Tap wraps the source the chain reads through, whichever it is
// (here a Source), and Flush still reaches the source itself.
func TestTap(t *testing.T) {
	t.Parallel()
	w := testWorld(t)
	src := &memSource{files: w.Files}
	var tapped *countingSource
	set, err := eutl.Load(context.Background(), eutl.Config{Source: src, LOTLURL: w.LOTLURL(), CustomAnchorsUnsafe: anchors(w), At: at,
		Tap: func(s trust.Source) trust.Source { tapped = &countingSource{Source: s}; return tapped }})
	if err != nil {
		t.Fatal(err)
	}
	if tapped == nil || tapped.fetches.Load() != int32(src.fetches) || src.fetches < 4 || src.flushed != 1 {
		t.Fatalf("tapped %v, source fetched %d, flushed %d", tapped, src.fetches, src.flushed)
	}
	checkBMID(t, set, query.Qualified)
}

type countingSource struct {
	trust.Source
	fetches atomic.Int32
}

func (c *countingSource) Fetch(ctx context.Context, name, url string, immutable bool) (*fetch.Fetched, error) {
	c.fetches.Add(1)
	return c.Source.Fetch(ctx, name, url, immutable)
}

// TestDefaultCacheDir: the cache lives in the platform's user cache
// directory (XDG_CACHE_HOME on Linux, ~/Library/Caches on macOS,
// %LocalAppData% on Windows).
func TestDefaultCacheDir(t *testing.T) {
	base, err := os.UserCacheDir()
	if err != nil {
		t.Skipf("no user cache directory here: %v", err)
	}
	got, err := eutl.DefaultCacheDir()
	if err != nil || got != filepath.Join(base, "eutl") {
		t.Errorf("DefaultCacheDir %q, %v; want %q", got, err, filepath.Join(base, "eutl"))
	}
	if runtime.GOOS == "linux" {
		t.Setenv("XDG_CACHE_HOME", "/xdg")
		if got, _ := eutl.DefaultCacheDir(); got != filepath.FromSlash("/xdg/eutl") {
			t.Errorf("with XDG_CACHE_HOME=/xdg: %q", got)
		}
	}
}

func TestVerifyList(t *testing.T) {
	t.Parallel()
	w := testWorld(t)
	ctx := context.Background()
	be, lotl := w.Files["/BE.xml"], w.Files["/eu-lotl.xml"]
	vl, err := eutl.VerifyList(ctx, be, eutl.VerifyConfig{LOTL: lotl, CustomAnchorsUnsafe: anchors(w), At: at, URL: "BE.xml"})
	if err != nil || vl.Verdict != trust.Valid || vl.List.Territory != "BE" {
		t.Fatalf("through the LOTL: %v, %v", vl, err)
	}
	// The built-in anchors did not sign the generated LOTL.
	_, err = eutl.VerifyList(ctx, be, eutl.VerifyConfig{LOTL: lotl, At: at})
	var lerr *eutl.LOTLError
	if !errors.As(err, &lerr) || lerr.Anchors != trust.OfficialJournalNotice {
		t.Errorf("LOTL against the built-in anchors: %v", err)
	}
	// Another territory's signer is not allowed.
	_, err = eutl.VerifyList(ctx, be, eutl.VerifyConfig{Signers: [][]byte{w.TLKeys["EL"].DER}, At: at})
	var le *trust.ListError
	if !errors.As(err, &le) || le.Verdict != trust.UntrustedSigner {
		t.Errorf("EL signer on BE: %v", err)
	}
	for name, cfg := range map[string]eutl.VerifyConfig{
		"neither": {},
		"both":    {Signers: [][]byte{w.TLKeys["BE"].DER}, LOTL: lotl},
		"anchors": {LOTL: lotl, CustomAnchorsUnsafe: &trust.Anchors{}},
	} {
		var ce *eutl.ConfigError
		if _, err := eutl.VerifyList(ctx, be, cfg); !errors.As(err, &ce) {
			t.Errorf("%s: %v, want a ConfigError", name, err)
		}
	}
	// A LOTL with neither Signers nor LOTL: verified against the anchors.
	if vl, err := eutl.VerifyList(ctx, lotl, eutl.VerifyConfig{CustomAnchorsUnsafe: anchors(w), At: at}); err != nil || vl.List.Territory != "EU" {
		t.Errorf("bare LOTL: %v, %v", vl, err)
	}
	// A list changed after signing so that a provider no longer parses is
	// signature_invalid, as the chain reports it: only the head is read
	// before the verifier, which checks the signature before the model.
	unparsable := bytes.Replace(bytes.Replace(be, []byte("<TSPName>"), []byte("<TSPNamX>"), 1), []byte("</TSPName>"), []byte("</TSPNamX>"), 1)
	if _, err := tsl.ParseBytes(unparsable); err == nil {
		t.Fatal("the changed list still parses")
	}
	if _, err := eutl.VerifyList(ctx, unparsable, eutl.VerifyConfig{Signers: [][]byte{w.TLKeys["BE"].DER}, At: at}); !errors.As(err, &le) || le.Verdict != trust.SignatureInvalid {
		t.Errorf("a changed list whose provider does not parse: %v, want signature_invalid", err)
	}
	// Input that is not a list is a parse error whatever the configuration,
	// also when only its head is a list's (truncated or malformed further
	// on) and the configuration, the LOTL or its pointers would fail it
	// before the verifier reads it all.
	xx := bytes.Replace(be, []byte("SchemeTerritory>BE<"), []byte("SchemeTerritory>XX<"), 1)
	garbled := append(append([]byte{}, be[:len(be)-40]...), "<<<&&&"...)
	for _, data := range [][]byte{nil, []byte("  \n"), []byte("not xml"), be[:len(be)/2], []byte("<html/>"), xx[:len(xx)/2], garbled, lotl[:len(lotl)-100]} {
		for name, cfg := range map[string]eutl.VerifyConfig{
			"signers":          {Signers: [][]byte{w.TLKeys["BE"].DER}, At: at},
			"lotl":             {LOTL: lotl, CustomAnchorsUnsafe: anchors(w), At: at},
			"neither":          {At: at},
			"unsigned lotl":    {LOTL: lotl, At: at},
			"no anchors":       {LOTL: lotl, CustomAnchorsUnsafe: &trust.Anchors{}, At: at},
			"neither, anchors": {CustomAnchorsUnsafe: anchors(w), At: at},
		} {
			var le *trust.ListError
			if _, err := eutl.VerifyList(ctx, data, cfg); !errors.As(err, &le) || le.Verdict != trust.ParseFailed {
				t.Errorf("%.20q with %s: %v, want parse_error", data, name, err)
			}
		}
	}
}
