package tsl_test

import (
	"testing"

	"github.com/eutl/eutl/pkg/tsl"
)

func TestTerritoryCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"GR": "EL", "gr": "EL", " el ": "EL", "GB": "UK", "uk": "UK", "be": "BE", "EU": "EU", "": ""} {
		if got := tsl.TerritoryCode(in); got != want {
			t.Errorf("TerritoryCode(%q) = %q, want %q", in, got, want)
		}
	}
}
