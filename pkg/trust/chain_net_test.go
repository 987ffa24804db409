package trust_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/fetch"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
)

func TestChainNetworkFaults(t *testing.T) {
	cases := []struct {
		name  string
		fault tltest.Fault
		want  trust.Verdict
	}{
		{"HTTP 500 then success", tltest.Fault{Status: 500, FailTimes: 1}, trust.Valid},
		{"429 with Retry-After then success", tltest.Fault{Status: 429, FailTimes: 2, RetryAfter: "0"}, trust.Valid},
		{"404", tltest.Fault{Status: 404}, trust.FetchFailed},
		{"always 503", tltest.Fault{Status: 503}, trust.FetchFailed},
		{"server accepts and never answers", tltest.Fault{Stall: true}, trust.FetchFailed},
		{"stall mid-body", tltest.Fault{StallMidBody: true}, trust.FetchFailed},
		{"truncated body", tltest.Fault{Truncate: true}, trust.FetchFailed},
		{"reset mid-body", tltest.Fault{Reset: true}, trust.FetchFailed},
		{"oversize body", tltest.Fault{Oversize: 3 << 20}, trust.FetchFailed},
		{"redirect loop", tltest.Fault{RedirectTo: "/BE.xml"}, trust.FetchFailed},
		{"redirect to another scheme", tltest.Fault{RedirectTo: "ftp://tl.test/BE.xml"}, trust.FetchFailed},
		{"HTML error page with 200", tltest.Fault{HTML: true}, trust.FetchFailed},
		{"garbage XML", tltest.Fault{Body: []byte("<TrustServiceStatusList><unclosed>")}, trust.ParseFailed},
		{"tampered list", tltest.Fault{}, trust.SignatureInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tltest.WorldOptions{})
			e.fopts.Timeout = 300 * time.Millisecond
			e.fopts.MaxSize = 2 << 20
			f := c.fault
			if c.name == "tampered list" {
				f.Body = bytes.Replace(e.w.Files["/BE.xml"], []byte("Svcstatus/withdrawn"), []byte("Svcstatus/granted"), 1)
			}
			e.srv.SetFault("/BE.xml", &f)
			start := time.Now()
			res := e.run(false)
			want(t, res, map[string]trust.Verdict{"BE": c.want, "EL": trust.Valid, "FR": trust.Valid, "EU": trust.Valid})
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

func TestChainCache(t *testing.T) {
	t.Run("conditional GET answered 304", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{})
		e.srv.SetSHA2("/BE.xml", "not-a-digest") // force the conditional GET path
		e.run(false)
		res := e.run(false)
		want(t, res, allValid)
		if e.srv.NotModified("/BE.xml") != 1 {
			t.Errorf("304 answers: %d", e.srv.NotModified("/BE.xml"))
		}
		if o := outcome(res, "BE"); o.Origin != "not modified (304)" {
			t.Errorf("origin %q", o.Origin)
		}
	})
	t.Run("unchanged .sha2 skips the download", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{})
		e.run(false)
		before := e.srv.Requests("/BE.xml")
		res := e.run(false)
		want(t, res, allValid)
		if e.srv.Requests("/BE.xml") != before {
			t.Errorf("list downloaded again although .sha2 is unchanged")
		}
		if o := outcome(res, "BE"); o.Origin != "unchanged (.sha2)" {
			t.Errorf("origin %q", o.Origin)
		}
	})
	t.Run(".sha2 mismatch", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{})
		e.run(false)
		l := e.w.Lists["BE"]
		l.Sequence++
		e.w.Lists["BE"] = l
		e.republish()
		e.srv.SetSHA2("/BE.xml", strings.Repeat("ab", 32))
		res := e.run(false)
		want(t, res, allValid)
		if o := outcome(res, "BE"); o.Origin != "network" || !strings.Contains(strings.Join(o.Notes, " "), ".sha2") {
			t.Errorf("origin %q notes %v", o.Origin, o.Notes)
		}
	})
	t.Run("fetch failure answered from the verified cached copy", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{})
		l := e.w.Lists["BE"]
		l.NextUpdate = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
		e.w.Lists["BE"] = l
		e.republish()
		e.run(false)
		e.srv.SetFault("/BE.xml", &tltest.Fault{Status: 500})
		e.srv.SetFault("/BE.sha2", &tltest.Fault{Status: 500})
		res := e.run(false)
		want(t, res, allValid)
		if o := outcome(res, "BE"); !strings.Contains(strings.Join(o.Notes, " "), "last verified cached copy") {
			t.Errorf("notes %v", o.Notes)
		}
		// once the cached copy's NextUpdate has passed it may not stand in
		e.opts.At = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
		e.opts.Now = e.opts.At
		res = e.run(false)
		want(t, res, map[string]trust.Verdict{"EU": trust.Valid, "BE": trust.Expired})
	})
	t.Run("a bad fresh copy never replaces the good cached one", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{})
		e.run(false)
		good, err := os.ReadFile(filepath.Join(e.dir, "BE.xml"))
		if err != nil {
			t.Fatal(err)
		}
		e.srv.SetFault("/BE.xml", &tltest.Fault{Body: bytes.Replace(e.w.Files["/BE.xml"], []byte("Certipost"), []byte("Evilpost"), 1)})
		e.srv.SetSHA2("/BE.xml", strings.Repeat("00", 32))
		want(t, e.run(false), map[string]trust.Verdict{"BE": trust.SignatureInvalid})
		now, _ := os.ReadFile(filepath.Join(e.dir, "BE.xml"))
		if !bytes.Equal(now, good) {
			t.Error("cached copy replaced by a list that failed verification")
		}
	})
	t.Run("rollback", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{})
		e.run(false)
		l := e.w.Lists["BE"]
		l.Sequence = 41
		e.w.Lists["BE"] = l
		e.republish()
		want(t, e.run(false), map[string]trust.Verdict{"BE": trust.Rollback, "FR": trust.Valid})
	})
	t.Run("offline with an empty cache", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{})
		res := e.run(true)
		want(t, res, map[string]trust.Verdict{"EU": trust.FetchFailed})
	})
	t.Run("offline with a hand-made directory", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{Pivots: 1})
		for name, path := range map[string]string{"lotl.xml": "/eu-lotl.xml", "BE.xml": "/BE.xml", "EL.xml": "/EL.xml", "FR.xml": "/FR.xml", "eu-lotl-pivot-101.xml": "/eu-lotl-pivot-101.xml"} {
			if err := os.WriteFile(filepath.Join(e.dir, name), e.w.Files[path], 0o644); err != nil {
				t.Fatal(err)
			}
		}
		res := e.run(true)
		want(t, res, allValid)
		if len(res.Pivots) != 1 || res.Pivots[0].Verdict() != trust.Valid {
			t.Errorf("pivot from the hand-made directory: %+v", res.Pivots)
		}
		if e.srv.Requests("/eu-lotl.xml") != 0 {
			t.Error("offline run touched the network")
		}
	})
	t.Run("two runs at once", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, tltest.WorldOptions{})
		var wg sync.WaitGroup
		results := make([]*trust.ChainResult, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := e.store(false)
				unlock, err := s.Cache.Lock(context.Background())
				if err != nil {
					t.Error(err)
					return
				}
				defer unlock()
				results[i] = trust.Chain(context.Background(), s, e.opts)
				s.Flush()
			}()
		}
		wg.Wait()
		for _, r := range results {
			want(t, r, allValid)
		}
		want(t, e.run(true), allValid)
	})
}

func outcome(res *trust.ChainResult, terr string) *trust.Outcome {
	for i := range res.Lists {
		if res.Lists[i].Territory == terr {
			return &res.Lists[i]
		}
	}
	return &trust.Outcome{}
}

var _ = fetch.ErrNotInCache
