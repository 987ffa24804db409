package trust_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"unsafe"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
)

// pointsInto reports the first string or byte slice reachable from v whose
// bytes lie inside data, with the path that reaches it.
func pointsInto(v reflect.Value, data []byte, path string, seen map[uintptr]bool) string {
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(data)))
	hi := lo + uintptr(len(data))
	inside := func(p uintptr) bool { return p >= lo && p < hi }
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); s != "" && inside(uintptr(unsafe.Pointer(unsafe.StringData(s)))) {
			return path
		}
	case reflect.Slice:
		if v.Len() == 0 {
			return ""
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if inside(v.Pointer()) {
				return path
			}
			return ""
		}
		for i := 0; i < v.Len(); i++ {
			if p := pointsInto(v.Index(i), data, path+"[]", seen); p != "" {
				return p
			}
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if p := pointsInto(v.Index(i), data, path+"[]", seen); p != "" {
				return p
			}
		}
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return ""
		}
		seen[v.Pointer()] = true
		return pointsInto(v.Elem(), data, path, seen)
	case reflect.Interface:
		if !v.IsNil() {
			return pointsInto(v.Elem(), data, path, seen)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if p := pointsInto(v.Field(i), data, path+"."+v.Type().Field(i).Name, seen); p != "" {
				return p
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if p := pointsInto(it.Key(), data, path+"{key}", seen); p != "" {
				return p
			}
			if p := pointsInto(it.Value(), data, path+"{}", seen); p != "" {
				return p
			}
		}
	}
	return ""
}

// TestVerifiedListOwnsItsBytes: nothing a verified list keeps (the model,
// the signature's result, the signer) points into the bytes verified, so
// that they are freed as soon as the list is verified, however long the
// list is used.
func TestVerifiedListOwnsItsBytes(t *testing.T) {
	w, err := sharedWorld(tltest.WorldOptions{BaseURL: "http://tl.test"})
	if err != nil {
		t.Fatal(err)
	}
	data := w.Files["/BE.xml"]
	vl, err := trust.VerifyList(data, trust.Expect{Territory: "BE", Allowed: [][]byte{w.TLKeys["BE"].DER}}, trust.Options{At: at})
	if err != nil {
		t.Fatal(err)
	}
	if len(vl.List.Providers) == 0 || vl.Signature.SignatureMethod == "" {
		t.Fatal("nothing to look at: no provider or no signature method")
	}
	if p := pointsInto(reflect.ValueOf(vl), data, "VerifiedList", map[uintptr]bool{}); p != "" {
		t.Errorf("%s points into the verified bytes", p)
	}
	lotl, err := trust.VerifyLOTL(w.Files["/eu-lotl.xml"], trust.Anchors{DER: [][]byte{w.Anchors[0].DER, w.Anchors[1].DER}}, w.LOTLURL(), trust.Options{At: at})
	if err != nil {
		t.Fatal(err)
	}
	if p := pointsInto(reflect.ValueOf(lotl), w.Files["/eu-lotl.xml"], "LOTL", map[uintptr]bool{}); p != "" {
		t.Errorf("%s points into the verified LOTL", p)
	}
}

// TestListErrorOwnsItsBytes: nor does a failed list's error (its located
// cause, and the Info of a list whose signature verified).
func TestListErrorOwnsItsBytes(t *testing.T) {
	w, err := sharedWorld(tltest.WorldOptions{BaseURL: "http://tl.test"})
	if err != nil {
		t.Fatal(err)
	}
	be := w.Files["/BE.xml"]
	allowed := [][]byte{w.TLKeys["BE"].DER}
	for name, c := range map[string]struct {
		data []byte
		exp  trust.Expect
		want trust.Verdict
	}{
		"changed":         {bytes.Replace(be, []byte("SchemeTerritory>BE<"), []byte("SchemeTerritory>XX<"), 1), trust.Expect{Territory: "BE", Allowed: allowed}, trust.SignatureInvalid},
		"truncated":       {be[:len(be)/2], trust.Expect{Territory: "BE", Allowed: allowed}, trust.ParseFailed},
		"not well-formed": {bytes.Replace(be, []byte("</TSLType>"), []byte("</TSLTypo>"), 1), trust.Expect{Territory: "BE", Allowed: allowed}, trust.ParseFailed},
		"wrong territory": {be, trust.Expect{Territory: "FR", Allowed: allowed}, trust.WrongTerritory},
		"untrusted":       {be, trust.Expect{Territory: "BE", Allowed: [][]byte{w.TLKeys["EL"].DER}}, trust.UntrustedSigner},
	} {
		_, err := trust.VerifyList(c.data, c.exp, trust.Options{At: at})
		var le *trust.ListError
		if !errors.As(err, &le) || le.Verdict != c.want {
			t.Errorf("%s: %v, want %s", name, err, c.want)
			continue
		}
		if p := pointsInto(reflect.ValueOf(le), c.data, "ListError", map[uintptr]bool{}); p != "" {
			t.Errorf("%s: %s points into the input", name, p)
		}
	}
}
