package eutl_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
)

// checkSummary verifies data with and without a Summary: the same verdict,
// the summary's counts those of the full model, and no provider kept.
func checkSummary(t *testing.T, data []byte, cfg eutl.VerifyConfig) {
	t.Helper()
	full, ferr := eutl.VerifyList(context.Background(), data, cfg)
	var sum eutl.Summary
	cfg.Summary = &sum
	vl, err := eutl.VerifyList(context.Background(), data, cfg)
	if (err == nil) != (ferr == nil) || err != nil && err.Error() != ferr.Error() {
		t.Fatalf("with a summary: %v; without: %v", err, ferr)
	}
	want := full
	if ferr != nil {
		var le *trust.ListError
		if !errors.As(ferr, &le) || le.Info == nil {
			return // the content was not read: nothing to count
		}
		want = le.Info
		errors.As(err, &le)
		vl = le.Info
	}
	if len(vl.List.Providers) != 0 {
		t.Fatalf("with a summary, %d providers were kept", len(vl.List.Providers))
	}
	services := 0
	for _, p := range want.List.Providers {
		services += len(p.Services)
	}
	q, qp := query.CountQualified(want.List, want.At)
	if got := (eutl.Summary{Providers: len(want.List.Providers), Services: services, QualifiedServices: q, QualifiedProviders: qp}); sum != got {
		t.Fatalf("summary %+v, the model counts %+v", sum, got)
	}
}

// TestSummary: generated lists, valid and expired (the counts come with the
// failure), and every real 2026 list against LOTL 390.
func TestSummary(t *testing.T) {
	k := tltest.MustKey(tltest.RSA2048, tltest.CertOptions{})
	l := tltest.LargeList("IT", 12*18500)
	l.Issued = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	data, err := tltest.SignList(l, k, tltest.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)} {
		checkSummary(t, data, eutl.VerifyConfig{Signers: [][]byte{k.DER}, At: at})
	}
	dir := os.Getenv("EUTL_REAL_TL_DIR")
	if dir == "" {
		t.Skip("EUTL_REAL_TL_DIR is not set: real lists skipped")
	}
	lotl, err := os.ReadFile(filepath.Join(dir, "lotl", "eu-lotl-seq390-2026-08-03.xml"))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "tl-2026", "*.xml"))
	at := time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			checkSummary(t, data, eutl.VerifyConfig{LOTL: lotl, At: at})
		})
	}
	checkSummary(t, lotl, eutl.VerifyConfig{At: at})
}
