package tsl_test

import (
	"testing"

	"github.com/eutl/eutl/pkg/tsl"
)

// FuzzParseBytes: the parser never panics and every error is located.
func FuzzParseBytes(f *testing.F) {
	f.Add(build(f, sample()))
	l := sample()
	l.Prefix = "tsl"
	f.Add(build(f, l))
	f.Add([]byte(`<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><SchemeInformation/></TrustServiceStatusList>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := tsl.ParseBytes(data)
		if err == nil && got == nil {
			t.Fatal("nil list without error")
		}
		if err != nil {
			if pe, ok := err.(*tsl.ParseError); !ok || pe.Path == "" {
				t.Fatalf("unlocated error %T %v", err, err)
			}
		}
	})
}
