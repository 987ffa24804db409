package trust_test

import (
	"bytes"
	"context"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
)

var at = time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)

type env struct {
	t     *testing.T
	w     *tltest.World
	srv   *tltest.Server
	dir   string
	opts  trust.ChainOptions
	fopts fetch.Options
}

// worlds are generated once per set of options: keys are the slow part.
// Each env gets a Fresh copy it may change.
var (
	worldsMu sync.Mutex
	worlds   = map[string]*tltest.World{}
)

func sharedWorld(wo tltest.WorldOptions) (*tltest.World, error) {
	worldsMu.Lock()
	defer worldsMu.Unlock()
	key := fmt.Sprintf("%#v", wo)
	base := worlds[key]
	if base == nil {
		var err error
		if base, err = tltest.NewWorld(wo); err != nil {
			return nil, err
		}
		worlds[key] = base
	}
	return base.Fresh()
}

func newEnv(t *testing.T, wo tltest.WorldOptions) *env {
	t.Helper()
	if wo.BaseURL == "" {
		wo.BaseURL = "http://tl.test"
	}
	w, err := sharedWorld(wo)
	if err != nil {
		t.Fatal(err)
	}
	srv := tltest.NewServer(w)
	t.Cleanup(srv.Close)
	e := &env{t: t, w: w, srv: srv, dir: t.TempDir()}
	e.opts = trust.ChainOptions{
		Options: trust.Options{At: at, Now: at},
		LOTLURL: w.LOTLURL(), Anchors: trust.Anchors{Name: "test anchors", DER: [][]byte{w.Anchors[0].DER, w.Anchors[1].DER}},
		OJURI: tltest.OJURI,
	}
	e.fopts = fetch.Options{Transport: srv.Transport(), Timeout: 2 * time.Second, BaseDelay: time.Millisecond, MaxDelay: 50 * time.Millisecond}
	return e
}

func (e *env) store(offline bool) *fetch.Store {
	e.t.Helper()
	c, err := fetch.OpenCache(e.dir, !offline)
	if err != nil {
		e.t.Fatal(err)
	}
	s := &fetch.Store{Cache: c, Offline: offline, Now: func() time.Time { return at }}
	if !offline {
		s.Client = fetch.NewClient(e.fopts)
	}
	return s
}

func (e *env) run(offline bool) *trust.ChainResult {
	e.t.Helper()
	s := e.store(offline)
	res := trust.Chain(context.Background(), s, e.opts)
	if err := s.Flush(); err != nil {
		e.t.Fatal(err)
	}
	return res
}

// republish re-signs the world and serves the new files.
func (e *env) republish() {
	e.t.Helper()
	if err := e.w.Sign(); err != nil {
		e.t.Fatal(err)
	}
	e.srv.SetFiles(e.w.Files)
}

func verdicts(res *trust.ChainResult) map[string]trust.Verdict {
	m := map[string]trust.Verdict{"EU": res.LOTL.Verdict()}
	for i := range res.Lists {
		m[res.Lists[i].Territory] = res.Lists[i].Verdict()
	}
	return m
}

func want(t *testing.T, res *trust.ChainResult, expect map[string]trust.Verdict) {
	t.Helper()
	got := verdicts(res)
	for k, v := range expect {
		if got[k] != v {
			var reason string
			for i := range res.Lists {
				if res.Lists[i].Territory == k && res.Lists[i].Err != nil {
					reason = res.Lists[i].Err.Error()
				}
			}
			if k == "EU" && res.LOTL.Err != nil {
				reason = res.LOTL.Err.Error()
			}
			t.Errorf("%s: verdict %s, want %s (%s)", k, got[k], v, reason)
		}
	}
}

var allValid = map[string]trust.Verdict{"EU": trust.Valid, "BE": trust.Valid, "EL": trust.Valid, "FR": trust.Valid}

func TestChainValid(t *testing.T) {
	e := newEnv(t, tltest.WorldOptions{})
	var total int
	done := map[string]trust.Verdict{}
	e.opts.Progress = func(ev trust.Event) {
		if ev.Total > 0 {
			total = ev.Total
		}
		if ev.Done != "" {
			done[ev.Done] = ev.Verdict
		}
	}
	res := e.run(false)
	want(t, res, allValid)
	if total != 3 || len(done) != 4 || done["EU"] != trust.Valid || done["BE"] != trust.Valid {
		t.Errorf("progress: total %d, done %v", total, done)
	}
	e.opts.Progress = nil
	if len(res.Pivots) != 0 {
		t.Errorf("%d pivots walked, want 0", len(res.Pivots))
	}
	// The verified copies are cached, and verify again offline.
	want(t, e.run(true), allValid)
}

func TestChainPivots(t *testing.T) {
	t.Run("two-step rotation", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{Pivots: 2})
		res := e.run(false)
		want(t, res, allValid)
		if len(res.Pivots) != 2 || res.Pivots[0].Verdict() != trust.Valid || res.Pivots[1].Verdict() != trust.Valid {
			t.Fatalf("pivots: %+v", res.Pivots)
		}
		if !strings.Contains(res.Pivots[0].URL, "pivot-101") {
			t.Errorf("oldest pivot first: %s", res.Pivots[0].URL)
		}
	})
	t.Run("broken pivot", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{Pivots: 2})
		p := "/eu-lotl-pivot-101.xml"
		e.srv.SetFault(p, &tltest.Fault{Body: bytes.Replace(e.w.Files[p], []byte("<TSLSequenceNumber>101<"), []byte("<TSLSequenceNumber>109<"), 1)})
		res := e.run(false)
		if res.Pivots[0].Verdict() != trust.SignatureInvalid {
			t.Errorf("broken pivot verdict %s", res.Pivots[0].Verdict())
		}
		want(t, res, map[string]trust.Verdict{"EU": trust.UntrustedSigner})
		if len(res.Lists) != 0 {
			t.Errorf("national lists used without a trusted LOTL")
		}
	})
	t.Run("LOTL signed by a non-anchor", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{})
		e.w.SignKeys["/eu-lotl.xml"] = e.w.TLKeys["BE"]
		e.republish()
		want(t, e.run(false), map[string]trust.Verdict{"EU": trust.UntrustedSigner})
	})
	t.Run("pivot signed by a non-anchor", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{Pivots: 1})
		e.w.SignKeys["/eu-lotl-pivot-101.xml"] = e.w.TLKeys["FR"]
		e.republish()
		res := e.run(false)
		if res.Pivots[0].Verdict() != trust.UntrustedSigner {
			t.Errorf("pivot verdict %s", res.Pivots[0].Verdict())
		}
		want(t, res, map[string]trust.Verdict{"EU": trust.UntrustedSigner})
	})
	t.Run("LOTL naming another location for itself is reported", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{})
		e.w.LOTL.Pointers[0].Location = "https://ec.europa.eu/tools/lotl/new-location.xml"
		e.w.LOTL.SchemeInformationURIs = append([]string{"https://eur-lex.europa.eu/eli/C/2027/1/oj"}, e.w.LOTL.SchemeInformationURIs...)
		e.republish()
		res := e.run(false)
		want(t, res, allValid)
		all := strings.Join(res.Warnings, "\n")
		if !strings.Contains(all, "another location for itself (https://ec.europa.eu/tools/lotl/new-location.xml)") || !strings.Contains(all, "Official Journal notice eutl does not pin (https://eur-lex.europa.eu/eli/C/2027/1/oj)") {
			t.Errorf("warnings: %v", res.Warnings)
		}
	})
	t.Run("LOTL signed directly by an anchor despite pivots listed", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{Pivots: 1})
		e.w.SignKeys["/eu-lotl.xml"] = e.w.Anchors[1]
		e.republish()
		want(t, e.run(false), allValid)
	})
}

func TestChainVerdicts(t *testing.T) {
	cases := []struct {
		name   string
		change func(e *env)
		want   map[string]trust.Verdict
	}{
		{"key rollover: pointer lists two certificates", func(e *env) {
			old := e.w.TLKeys["BE"]
			next := tltest.MustKey(tltest.RSA2048, tltest.CertOptions{})
			for i, p := range e.w.LOTL.Pointers {
				if p.Territory == "BE" {
					e.w.LOTL.Pointers[i].Certs = [][]byte{old.DER, next.DER}
				}
			}
			e.w.TLKeys["BE"] = next
		}, allValid},
		{"wrong territory", func(e *env) {
			l := e.w.Lists["FR"]
			e.w.Lists["BE"] = l
			e.w.SignKeys["/BE.xml"] = e.w.TLKeys["BE"]
		}, map[string]trust.Verdict{"EU": trust.Valid, "BE": trust.WrongTerritory, "FR": trust.Valid}},
		{"wrong type", func(e *env) {
			l := e.w.Lists["BE"]
			l.Type = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/CClist"
			e.w.Lists["BE"] = l
		}, map[string]trust.Verdict{"BE": trust.WrongType, "EL": trust.Valid}},
		{"expired", func(e *env) {
			l := e.w.Lists["EL"]
			l.NextUpdate = at.Add(-time.Hour)
			e.w.Lists["EL"] = l
		}, map[string]trust.Verdict{"EL": trust.Expired, "BE": trust.Valid}},
		{"signed by another territory's key", func(e *env) {
			e.w.SignKeys["/BE.xml"] = e.w.TLKeys["FR"]
		}, map[string]trust.Verdict{"BE": trust.UntrustedSigner, "FR": trust.Valid}},
		{"signed by the LOTL signer instead of the national one", func(e *env) {
			e.w.SignKeys["/FR.xml"] = e.w.Anchors[0]
		}, map[string]trust.Verdict{"FR": trust.UntrustedSigner, "EU": trust.Valid}},
		{"version 4", func(e *env) {
			l := e.w.Lists["BE"]
			l.Version = 4
			e.w.Lists["BE"] = l
		}, map[string]trust.Verdict{"BE": trust.ParseFailed}},
		{"version 6 with XAdES SigningCertificate v1", func(e *env) {
			v1 := false
			e.w.SignOpts["/BE.xml"] = tltest.SignOptions{SigningCertificateV2: &v1}
		}, map[string]trust.Verdict{"BE": trust.SignatureInvalid}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tltest.WorldOptions{})
			c.change(e)
			e.republish()
			want(t, e.run(false), c.want)
		})
	}
}

func TestChainOperatorNameNote(t *testing.T) {
	e := newEnv(t, tltest.WorldOptions{})
	l := e.w.Lists["BE"]
	l.OperatorName = "Another operator"
	e.w.Lists["BE"] = l
	e.republish()
	res := e.run(false)
	want(t, res, allValid)
	for i := range res.Lists {
		o := &res.Lists[i]
		notes := strings.Join(o.List.Notes, " ")
		if got := strings.Contains(notes, `the LOTL names the scheme operator "BE test scheme operator", the list "Another operator"`); got != (o.Territory == "BE") {
			t.Errorf("%s notes: %v", o.Territory, o.List.Notes)
		}
	}
}

func TestSignerProfileNotes(t *testing.T) {
	good := tltest.MustKey(tltest.RSA2048, tltest.CertOptions{Subject: pkix.Name{CommonName: "BE signer", Country: []string{"BE"}}})
	foreign := tltest.MustKey(tltest.RSA2048, tltest.CertOptions{Subject: pkix.Name{CommonName: "FR signer", Country: []string{"FR"}}})
	l := tltest.List{Territory: "BE", Issued: at.AddDate(0, -1, 0)}
	for _, c := range []struct {
		key  *tltest.Key
		want string
	}{{good, ""}, {foreign, "the signer certificate's country is FR, the list's territory BE"}} {
		data, err := tltest.SignList(l, c.key, tltest.SignOptions{})
		if err != nil {
			t.Fatal(err)
		}
		vl, err := trust.VerifyList(data, trust.Expect{Territory: "BE", Allowed: [][]byte{c.key.DER}}, trust.Options{At: at})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(vl.Notes, "; "); got != c.want {
			t.Errorf("notes %q, want %q", got, c.want)
		}
	}
}

// failingAccept is a store whose cache writes fail (a full disk).
type failingAccept struct{ *fetch.Store }

func (failingAccept) Accept(string, *fetch.Fetched, fetch.AcceptInfo) error {
	return errors.New("no space left on device")
}

// TestAdversarialCacheWriteFailure: a full disk during a fetch changes no
// verdict and is reported.
func TestAdversarialCacheWriteFailure(t *testing.T) {
	t.Run("cache/write failure during a whole fetch", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{})
		res := trust.Chain(context.Background(), failingAccept{e.store(false)}, e.opts)
		want(t, res, allValid)
		if n := strings.Join(outcome(res, "BE").Notes, " "); !strings.Contains(n, "verified but not cached: no space left on device") {
			t.Errorf("notes: %q", n)
		}
	})
}

// panickingFetch panics while fetching one territory's list.
type panickingFetch struct{ *fetch.Store }

func (p panickingFetch) Fetch(ctx context.Context, name, url string, immutable bool) (*fetch.Fetched, error) {
	if name == "FR" {
		panic("fetching FR")
	}
	return p.Store.Fetch(ctx, name, url, immutable)
}

// TestChainWorkerPanic: a panic in a worker goroutine is raised again in
// the caller's goroutine, where the program's recover sees it.
func TestChainWorkerPanic(t *testing.T) {
	e := newEnv(t, tltest.WorldOptions{})
	defer func() {
		if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "fetching FR") {
			t.Fatalf("recovered %v", v)
		}
	}()
	trust.Chain(context.Background(), panickingFetch{e.store(false)}, e.opts)
	t.Fatal("no panic")
}

// TestChainProgressPerCall: Progress calls are serialised within a Chain,
// not across calls (two chains report at the same time).
func TestChainProgressPerCall(t *testing.T) {
	e := newEnv(t, tltest.WorldOptions{})
	block := make(chan struct{})
	started := make(chan struct{}, 1)
	o1 := e.opts
	o1.Progress = func(trust.Event) {
		select {
		case started <- struct{}{}:
			<-block // the first chain holds its progress callback
		default:
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		trust.Chain(context.Background(), e.store(false), o1)
	}()
	<-started
	e2 := newEnv(t, tltest.WorldOptions{})
	o2 := e2.opts
	n := 0
	o2.Progress = func(trust.Event) { n++ }
	trust.Chain(context.Background(), e2.store(false), o2)
	close(block)
	<-done
	if n == 0 {
		t.Fatal("no progress from the second chain")
	}
}

// barrierSource holds each national list's fetch until n of them are in
// flight at once (or a second has passed), recording the most in flight.
type barrierSource struct {
	*fetch.Store
	n       int
	mu      sync.Mutex
	cur     int
	max     int
	arrived chan struct{}
}

func (b *barrierSource) Fetch(ctx context.Context, name, url string, immutable bool) (*fetch.Fetched, error) {
	if name != "lotl" && !fetch.IsPivotName(name) {
		b.mu.Lock()
		b.cur++
		b.max = max(b.max, b.cur)
		if b.cur == b.n {
			close(b.arrived)
		}
		b.mu.Unlock()
		select {
		case <-b.arrived:
		case <-time.After(time.Second): // a deadlock guard, not a timing
		}
		defer func() { b.mu.Lock(); b.cur--; b.mu.Unlock() }()
	}
	return b.Store.Fetch(ctx, name, url, immutable)
}

// TestChainFetchesInParallel: bounding the verifications to the CPUs does
// not bound the fetches, which wait on the network: with one CPU, every
// national list is still fetched at once (up to Concurrency).
func TestChainFetchesInParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	e := newEnv(t, tltest.WorldOptions{})
	src := &barrierSource{Store: e.store(false), n: 3, arrived: make(chan struct{})}
	res := trust.Chain(context.Background(), src, e.opts)
	want(t, res, allValid)
	if src.max != 3 {
		t.Errorf("at most %d national lists fetched at once, want 3", src.max)
	}
}

// localSource reads locally; it records how many national lists were read
// and not yet accepted at once.
type localSource struct {
	*fetch.Store
	mu       sync.Mutex
	cur, max int
}

func (l *localSource) ReadsLocally() bool { return true }

func (l *localSource) Fetch(ctx context.Context, name, url string, immutable bool) (*fetch.Fetched, error) {
	if name != "lotl" && !fetch.IsPivotName(name) {
		l.mu.Lock()
		l.cur++
		l.max = max(l.max, l.cur)
		l.mu.Unlock()
		for range 10 {
			runtime.Gosched() // let the other workers run: read their lists if they may
		}
	}
	return l.Store.Fetch(ctx, name, url, immutable)
}

func (l *localSource) Accept(name string, f *fetch.Fetched, info fetch.AcceptInfo) error {
	if name != "lotl" && !fetch.IsPivotName(name) {
		l.mu.Lock()
		l.cur--
		l.mu.Unlock()
	}
	return l.Store.Accept(name, f, info)
}

// TestChainLocalReadsWhenItVerifies: from a source that reads locally, a
// national list is read only when it can be verified at once: with one
// CPU, one list at a time is in memory unverified, whatever Concurrency.
func TestChainLocalReadsWhenItVerifies(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	e := newEnv(t, tltest.WorldOptions{})
	want(t, e.run(false), allValid) // fills the cache
	src := &localSource{Store: e.store(true)}
	e.opts.Concurrency = 8
	res := trust.Chain(context.Background(), src, e.opts)
	want(t, res, allValid)
	if src.max != 1 {
		t.Errorf("%d national lists read and not yet verified at once, want 1", src.max)
	}
	if !(&fetch.Store{Offline: true}).ReadsLocally() || (&fetch.Store{}).ReadsLocally() {
		t.Error("a Store reads locally exactly when it is offline")
	}
}
