package trust

import (
	"testing"

	"github.com/eutl/eutl/pkg/tltest"
)

// BenchmarkReadHead reads the head of a generated 20 MB list (what eutl
// verify reads before verifying it): its cost must not grow with the
// providers that follow SchemeInformation.
func BenchmarkReadHead(b *testing.B) {
	data, err := tltest.Build(tltest.LargeList("IT", 20<<20)).WriteToBytes()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadHead(data); err != nil {
			b.Fatal(err)
		}
	}
}
