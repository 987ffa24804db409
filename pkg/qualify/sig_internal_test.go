package qualify

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"testing"
)

// TestPKCS1v15AgreesWithCryptoRSA: our RSASSA-PKCS1-v1_5 check accepts
// exactly what crypto/rsa accepts, over key sizes, hashes and corruptions.
func TestPKCS1v15AgreesWithCryptoRSA(t *testing.T) {
	for _, bits := range []int{1024, 2048, 3072} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		other, _ := rsa.GenerateKey(rand.Reader, bits)
		for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			d := h.New()
			d.Write([]byte("tbs"))
			digest := d.Sum(nil)
			sig, err := rsa.SignPKCS1v15(rand.Reader, k, h, digest)
			if err != nil {
				t.Fatal(err)
			}
			cases := map[string]struct {
				pub    *rsa.PublicKey
				h      crypto.Hash
				digest []byte
				sig    []byte
			}{
				"valid":         {&k.PublicKey, h, digest, sig},
				"other key":     {&other.PublicKey, h, digest, sig},
				"flipped bit":   {&k.PublicKey, h, digest, flip(sig, len(sig)/2)},
				"last byte":     {&k.PublicKey, h, digest, flip(sig, len(sig)-1)},
				"short":         {&k.PublicKey, h, digest, sig[1:]},
				"long":          {&k.PublicKey, h, digest, append([]byte{0}, sig...)},
				"other digest":  {&k.PublicKey, h, flip(digest, 0), sig},
				"other hash id": {&k.PublicKey, otherHash(h), digest, sig},
				"zero":          {&k.PublicKey, h, digest, make([]byte, len(sig))},
			}
			for name, c := range cases {
				want := rsa.VerifyPKCS1v15(c.pub, c.h, c.digest, c.sig) == nil
				got := verifyPKCS1v15(c.pub, c.h, c.digest, c.sig) == nil
				if got != want {
					t.Errorf("%d bits %v %s: ours %t, crypto/rsa %t", bits, h, name, got, want)
				}
				if name == "valid" && !got {
					t.Errorf("%d bits %v: a valid signature refused", bits, h)
				}
			}
		}
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 0x01
	return c
}

func otherHash(h crypto.Hash) crypto.Hash {
	if h == crypto.SHA256 {
		return crypto.SHA512
	}
	return crypto.SHA256
}
