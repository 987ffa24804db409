package xmlscan_test

import (
	"bufio"
	"crypto/sha256"
	"sync"
	"testing"

	"github.com/eutl/eutl/internal/xmlscan"
	"github.com/eutl/eutl/pkg/tltest"
)

const nsDSig = "http://www.w3.org/2000/09/xmldsig#"

var (
	largeOnce sync.Once
	largeList []byte
)

// large is a generated, signed 20 MB list, as pkg/xmldsig's benchmarks use.
func large(b *testing.B) []byte {
	largeOnce.Do(func() {
		k := tltest.MustKey(tltest.RSA2048, tltest.CertOptions{})
		data, err := tltest.SignList(tltest.LargeList("IT", 20<<20), k, tltest.SignOptions{})
		if err != nil {
			b.Fatal(err)
		}
		largeList = data
	})
	return largeList
}

// BenchmarkScanC14N: the enveloped document's canonical form hashed, from a
// whole parse (the arena holds the list) and streamed, each provider
// (every depth-3 subtree but the signature's) written and dropped as it
// closes. B/op is what the arena costs.
func BenchmarkScanC14N(b *testing.B) {
	data := large(b)
	b.Run("whole", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			d, err := xmlscan.Parse(data, xmlscan.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			var sig xmlscan.Node
			for c := d.Root().FirstElement(); c.Valid(); c = c.NextElement() {
				if c.Is(nsDSig, "Signature") {
					sig = c
				}
			}
			h := sha256.New()
			if err := xmlscan.ExcC14N(bufio.NewWriterSize(h, 32<<10), d.Root(), sig, "", false, true); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stream-drop-depth3", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			h := sha256.New()
			xs := xmlscan.NewExcStream(bufio.NewWriterSize(h, 32<<10), nil, "", false, true)
			d, err := xmlscan.Parse(data, xmlscan.Limits{CloseDepth: 3, OnClose: func(n xmlscan.Node, depth int) (xmlscan.Action, error) {
				switch {
				case depth == 2 && n.Is(nsDSig, "Signature"):
					n.Doc().Detach(n)
				case depth == 3 && !n.Parent().Is(nsDSig, "Signature"):
					if err := xs.Through(n); err != nil {
						return xmlscan.Keep, err
					}
					return xmlscan.Drop, nil
				}
				return xmlscan.Keep, nil
			}})
			if err != nil {
				b.Fatal(err)
			}
			if err := xs.Bind(d); err != nil {
				b.Fatal(err)
			}
			if err := xs.Finish(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkScanHead: reading the head of a 20 MB list (its first child of
// the root) and stopping there with ErrStop.
func BenchmarkScanHead(b *testing.B) {
	data := large(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := xmlscan.Parse(data, xmlscan.Limits{CloseDepth: 2, OnClose: func(n xmlscan.Node, depth int) (xmlscan.Action, error) {
			return xmlscan.Keep, xmlscan.ErrStop
		}})
		if err != xmlscan.ErrStop || !d.Root().FirstElement().Complete() {
			b.Fatal(err)
		}
	}
}
