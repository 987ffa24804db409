package xmldsig_test

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

var writeLarge = flag.String("write-large", "", "write a generated 20 MB signed list to this file (and its signer to FILE.pem), for measuring eutl and xmlsec1 by hand")

var (
	largeOnce sync.Once
	large     map[int][]byte
	largeKey  *tltest.Key
)

func largeLists(b testing.TB) (map[int][]byte, *tltest.Key) {
	largeOnce.Do(func() {
		largeKey = tltest.MustKey(tltest.RSA2048, tltest.CertOptions{})
		large = map[int][]byte{}
		for _, mb := range []int{5, 20} {
			data, err := tltest.SignList(tltest.LargeList("IT", mb<<20), largeKey, tltest.SignOptions{})
			if err != nil {
				panic(err)
			}
			large[mb] = data
		}
	})
	return large, largeKey
}

// BenchmarkVerify measures signature verification plus parsing of the
// verified content, as eutl does for every list.
func BenchmarkVerify(b *testing.B) {
	lists, k := largeLists(b)
	for _, mb := range []int{5, 20} {
		data := lists[mb]
		b.Run(fmt.Sprintf("%dMB", mb), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				res, err := xmldsig.Verify(data, [][]byte{k.DER}, xmldsig.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := tsl.Parse(res.Root); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestWriteLargeList writes the benchmark list when -write-large is given.
func TestWriteLargeList(t *testing.T) {
	if *writeLarge == "" {
		t.Skip("-write-large not given")
	}
	lists, k := largeLists(t)
	if err := os.WriteFile(*writeLarge, lists[20], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*writeLarge+".pem", k.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
}
