package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestNoNullArrays: documents built with nil slices, at any depth, are
// written with [] (every document type, and batch's JSON Lines).
func TestNoNullArrays(t *testing.T) {
	docs := map[string]func(*bytes.Buffer) error{
		"check":     func(b *bytes.Buffer) error { return WriteCheck(b, JSON, Check{Matches: []Match{{}}}) },
		"batch":     func(b *bytes.Buffer) error { return WriteBatch(b, JSON, []Check{{}, {Related: []Match{{}}}}) },
		"providers": func(b *bytes.Buffer) error { return WriteProviders(b, JSON, Providers{}) },
		"providers with one": func(b *bytes.Buffer) error {
			return WriteProviders(b, JSON, Providers{Providers: []ProviderSummary{{}}})
		},
		"show":          func(b *bytes.Buffer) error { return WriteShow(b, JSON, Show{}) },
		"show with one": func(b *bytes.Buffer) error { return WriteShow(b, JSON, Show{Providers: []ProviderDetail{{}}}) },
		"lists":         func(b *bytes.Buffer) error { return WriteLists(b, JSON, Lists{}) },
		"verify":        func(b *bytes.Buffer) error { return WriteVerify(b, JSON, Verify{}) },
		"types":         func(b *bytes.Buffer) error { return WriteTypes(b, JSON, nil) },
	}
	for name, write := range docs {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(name, err)
		}
		for _, line := range strings.Split(b.String(), "\n") {
			if strings.Contains(line, "null") && !strings.Contains(line, `"service":null`) && !strings.Contains(line, `"service": null`) &&
				!strings.Contains(line, `"signer": null`) && !strings.Contains(line, `"issued": null`) && !strings.Contains(line, `"next_update": null`) {
				t.Errorf("%s: %s", name, strings.TrimSpace(line))
			}
		}
	}
}
