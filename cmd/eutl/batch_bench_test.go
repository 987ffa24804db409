package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eutl/eutl/cmd/eutl/internal/cli"
	"github.com/eutl/eutl/pkg/tltest"
)

// BenchmarkBatch1M answers a batch of 1,000,000 rows (names, identifiers,
// unknown providers, ambiguous names, several instants, exact rows) against
// the generated set, JSON Lines to a discarding writer, and reports the
// peak heap in use ("peak-heap-MB", sampled every 10 ms): streaming keeps
// it bounded whatever the number of rows.
//
//	go test ./cmd/eutl -run '^$' -bench Batch1M -benchtime 1x
func BenchmarkBatch1M(b *testing.B) {
	worldOnce.Do(func() { world, worldErr = tltest.NewWorld(tltest.WorldOptions{BaseURL: "http://tl.test"}) })
	if worldErr != nil {
		b.Fatal(worldErr)
	}
	dir := b.TempDir()
	if err := writeWorld(dir, world); err != nil {
		b.Fatal(err)
	}
	in := filepath.Join(dir, "rows.csv")
	writeRows(b, in, 1_000_000)
	srv := tltest.NewServer(world)
	defer srv.Close()
	env := func(out io.Writer) *cli.Env {
		return &cli.Env{
			Stdin: strings.NewReader(""), Stdout: out, Stderr: io.Discard, Now: func() time.Time { return testNow }, Dir: dir,
			Getenv: func(k string) string {
				return map[string]string{"EUTL_LOTL_URL": world.LOTLURL(), "EUTL_TRUST_ANCHORS": filepath.Join(dir, "anchors.pem"), "EUTL_CACHE_DIR": filepath.Join(dir, "cache")}[k]
			},
			Transport: srv.Transport(), RetryBaseDelay: time.Millisecond,
		}
	}
	// Warm the cache so that the measured runs read it offline.
	if code := cli.Run(context.Background(), []string{"fetch", "-q"}, env(io.Discard)); code != 0 {
		b.Fatalf("fetch exited %d", code)
	}
	var peak uint64
	for b.Loop() {
		stop := sampleHeap(&peak)
		code := cli.Run(context.Background(), []string{"batch", in, "--offline", "--format", "json", "-q"}, env(io.Discard))
		stop()
		if code != 3 {
			b.Fatalf("batch exited %d, want 3 (some rows are not found)", code)
		}
	}
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
}

func writeRows(b *testing.B, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "provider,service,country,at,exact")
	names := []string{"Belgian Mobile ID", "VATBE-0541659084", "BE 0541.659.084", "GlobalSign NV/SA", "Certipost", "ερμης", "NV", "FR Example"}
	services := []string{"qval", "qc-esig", "qtst", "qwac", "any", "qerds"}
	countries := []string{"", "BE", "EL", "FR"}
	for i := 0; i < n; i++ {
		name := names[i%len(names)]
		if i%5 == 0 {
			name = fmt.Sprintf("Nobody %d", i%5000) // unknown: suggestions computed
		}
		at := time.Date(2026, 7, 1+i%60, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		exact := ""
		if i%7 == 0 {
			exact = "true"
		}
		fmt.Fprintf(w, "%s,%s,%s,%s,%s\n", name, services[i%len(services)], countries[i%len(countries)], at, exact)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// sampleHeap records the peak HeapInuse until stopped.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > *peak {
				*peak = m.HeapInuse
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
