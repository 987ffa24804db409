package xmldsig_test

import (
	"errors"
	"testing"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// FuzzVerify: the verifier never panics, every refusal is a located
// *xmldsig.Error, and whatever it accepts is signed by the pinned key.
func FuzzVerify(f *testing.F) {
	ks := testKeys(f)
	k := ks[tltest.RSA2048]
	for _, o := range []tltest.SignOptions{{}, {C14N: xmldsig.C14N11}, {RootIDReference: true}, {NoSignedPropertiesTransform: true}} {
		f.Add(sign(f, k, o))
	}
	f.Add(sign(f, ks[tltest.P256], tltest.SignOptions{}))
	allowed := [][]byte{k.DER, ks[tltest.P256].DER}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := xmldsig.Verify(data, allowed, xmldsig.Options{})
		if err != nil {
			var ve *xmldsig.Error
			if !errors.As(err, &ve) {
				t.Fatalf("unlocated error %T %v", err, err)
			}
			return
		}
		if res.SignerSHA256 != k.SHA256() && res.SignerSHA256 != ks[tltest.P256].SHA256() {
			t.Fatalf("accepted a signer that is not pinned: %s", res.SignerSHA256)
		}
	})
}

// FuzzParseCertInfo: the certificate reader (ours, for brainpool and
// RSASSA-PSS keys) never panics on arbitrary DER.
func FuzzParseCertInfo(f *testing.F) {
	for _, k := range testKeys(f) {
		f.Add(k.DER)
	}
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, der []byte) {
		info, err := xmldsig.ParseCertInfo(der)
		if err == nil && info.PublicKey == nil {
			t.Fatal("certificate accepted without a public key")
		}
	})
}
