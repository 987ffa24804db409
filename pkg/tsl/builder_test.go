package tsl_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/eutl/eutl/internal/xmlscan"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
)

// builderCases are generated lists of 1, 2 and many providers, and one
// without a provider list, plus every real list when EUTL_REAL_TL_DIR is set.
func builderCases(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	build := func(name string, l tltest.List) {
		data, err := tltest.Build(l).WriteToBytes()
		if err != nil {
			t.Fatal(err)
		}
		out[name] = data
	}
	build("one provider", tltest.LargeList("IT", 1))
	build("two providers", tltest.LargeList("IT", 2*18500))
	build("sixty providers", tltest.LargeList("IT", 60*18500))
	none := tltest.LargeList("IT", 1)
	none.Providers = nil
	build("no provider", none)
	if dir := os.Getenv("EUTL_REAL_TL_DIR"); dir != "" {
		_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".xml") {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				out[filepath.Base(path)] = data
			}
			return nil
		})
	} else {
		t.Log("EUTL_REAL_TL_DIR is not set: real lists left out")
	}
	return out
}

// TestBuilderMatchesParse: handing the providers to a Builder one by one and
// detaching them, as the streaming verifier does, gives the List Parse gives
// for the whole tree, paths included.
func TestBuilderMatchesParse(t *testing.T) {
	for name, data := range builderCases(t) {
		t.Run(name, func(t *testing.T) {
			want, werr := tsl.ParseBytes(data)
			doc, err := xmlscan.Parse(data, xmlscan.Limits{MaxDepth: 64})
			if err != nil {
				if werr == nil {
					t.Fatalf("Parse accepted what the scanner refuses: %v", err)
				}
				return
			}
			root := doc.Root()
			var provs []xmlscan.Node
			for c := root.FirstElement(); c.Valid(); c = c.NextElement() {
				if c.Is(tsl.NSTSL, "TrustServiceProviderList") {
					for p := c.FirstElement(); p.Valid(); p = p.NextElement() {
						if p.Is(tsl.NSTSL, "TrustServiceProvider") {
							provs = append(provs, p)
						}
					}
					break
				}
			}
			b := tsl.NewBuilder()
			var sunk []tsl.Provider
			b2 := tsl.NewBuilder()
			b2.Sink = func(p *tsl.Provider) { sunk = append(sunk, *p) }
			for _, p := range provs {
				_ = b.Provider(p) // an error is Finish's to return
				_ = b2.Provider(p)
				doc.Detach(p)
			}
			got, gerr := b.Finish(root)
			got2, gerr2 := b2.Finish(root)
			if (werr == nil) != (gerr == nil) || (werr == nil) != (gerr2 == nil) {
				t.Fatalf("Parse: %v; Builder: %v; with a sink: %v", werr, gerr, gerr2)
			}
			if werr != nil {
				return
			}
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("the Builder's list differs from Parse's (%d providers handed over)", len(provs))
			}
			if len(provs) > 0 && len(got.Providers) != len(provs) {
				t.Fatalf("%d providers, %d handed over", len(got.Providers), len(provs))
			}
			// With a sink, the providers go to it and the list holds none.
			if len(got2.Providers) != 0 || len(sunk) != len(want.Providers) || len(sunk) > 0 && !reflect.DeepEqual(sunk, want.Providers) {
				t.Fatalf("with a sink: %d providers kept, %d sunk, want 0 and the %d Parse gives", len(got2.Providers), len(sunk), len(want.Providers))
			}
			got2.Providers = want.Providers
			if !reflect.DeepEqual(want, got2) {
				t.Fatal("with a sink, the rest of the list differs from Parse's")
			}
			// Services handed over one by one before their provider, as the
			// one pass does for a large provider.
			doc4, _ := xmlscan.Parse(data, xmlscan.Limits{MaxDepth: 64})
			b4 := tsl.NewBuilder()
			for _, p := range providersOf(doc4.Root()) {
				if svcs := firstChild(p, "TSPServices"); svcs.Valid() {
					var list []xmlscan.Node
					for c := svcs.FirstElement(); c.Valid(); c = c.NextElement() {
						if c.Is(tsl.NSTSL, "TSPService") {
							list = append(list, c)
						}
					}
					for _, c := range list {
						_ = b4.Service(c)
						doc4.Detach(c)
					}
				}
				_ = b4.Provider(p)
				doc4.Detach(p)
			}
			if got4, err := b4.Finish(doc4.Root()); err != nil || !reflect.DeepEqual(want, got4) {
				t.Fatalf("services handed over: %v, or another list than Parse's", err)
			}
			// A sink and nothing handed over (the whole-document fallback):
			// Finish sends every provider of the tree.
			whole, _ := xmlscan.Parse(data, xmlscan.Limits{MaxDepth: 64})
			var sunk3 []tsl.Provider
			b3 := tsl.NewBuilder()
			b3.Sink = func(p *tsl.Provider) { sunk3 = append(sunk3, *p) }
			if got3, err := b3.Finish(whole.Root()); err != nil || len(got3.Providers) != 0 || len(sunk3) != len(want.Providers) || len(sunk3) > 0 && !reflect.DeepEqual(sunk3, want.Providers) {
				t.Fatalf("sink at Finish: %v, %d sunk, want the %d Parse gives", err, len(sunk3), len(want.Providers))
			}
		})
	}
}

// TestModelOwnsItsStrings: no string or byte slice of the model points into
// the input, so the input can be freed (or reused by the caller) once the
// list is built.
func TestModelOwnsItsStrings(t *testing.T) {
	for name, data := range builderCases(t) {
		t.Run(name, func(t *testing.T) {
			l, err := tsl.ParseBytes(data)
			if err != nil {
				t.Skipf("not a list the parser accepts: %v", err)
			}
			lo := uintptr(unsafe.Pointer(unsafe.SliceData(data)))
			hi := lo + uintptr(len(data))
			n := 0
			walkMemory(reflect.ValueOf(l), func(p uintptr, size int, where string) {
				n++
				if size > 0 && p >= lo && p < hi {
					t.Fatalf("%s aliases the input (byte %d)", where, p-lo)
				}
			}, "List", 0)
			if n == 0 {
				t.Fatal("no string found in the model")
			}
		})
	}
}

// walkMemory calls f with the data pointer of every string and byte slice
// reachable from v.
func walkMemory(v reflect.Value, f func(p uintptr, size int, where string), where string, depth int) {
	if depth > 40 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		f(uintptr(unsafe.Pointer(unsafe.StringData(s))), len(s), where)
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkMemory(v.Elem(), f, where, depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			walkMemory(v.Field(i), f, where+"."+v.Type().Field(i).Name, depth+1)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			f(uintptr(v.UnsafePointer()), v.Len(), where)
			return
		}
		fallthrough
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walkMemory(v.Index(i), f, where+"[]", depth+1)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			walkMemory(it.Key(), f, where+"{}", depth+1)
			walkMemory(it.Value(), f, where+"{}", depth+1)
		}
	}
}

// providersOf are the providers of root's first TrustServiceProviderList.
func providersOf(root xmlscan.Node) []xmlscan.Node {
	var out []xmlscan.Node
	if l := firstChild(root, "TrustServiceProviderList"); l.Valid() {
		for p := l.FirstElement(); p.Valid(); p = p.NextElement() {
			if p.Is(tsl.NSTSL, "TrustServiceProvider") {
				out = append(out, p)
			}
		}
	}
	return out
}

// firstChild is el's first child element named local in the TSL namespace.
func firstChild(el xmlscan.Node, local string) xmlscan.Node {
	for c := el.FirstElement(); c.Valid(); c = c.NextElement() {
		if c.Is(tsl.NSTSL, local) {
			return c
		}
	}
	return xmlscan.Node{}
}
