package xmldsig_test

import (
	"encoding/pem"
	"os"
	"testing"

	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

func TestZZShape(t *testing.T) {
	name := os.Getenv("ZZ_SHAPE")
	if name == "" {
		t.Skip()
	}
	data, _ := os.ReadFile(name)
	p, _ := os.ReadFile("/tmp/shapes/signer.pem")
	b, _ := pem.Decode(p)
	var tb *tsl.Builder
	_, ok := xmldsig.VerifyOnePass(data, [][]byte{b.Bytes}, xmldsig.Options{Parts: providerParts(&tb)})
	t.Logf("one pass ok=%v", ok)
}
