package trust

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
)

// TestHeadStopsAtSchemeInformation: on a 20 MB list the head read holds the
// root, SchemeInformation and nothing after it: it stops at the end tag of
// SchemeInformation, whatever follows (megabytes of providers, a
// truncation, garbage).
func TestHeadStopsAtSchemeInformation(t *testing.T) {
	doc := tltest.Build(tltest.LargeList("IT", 20<<20))
	data, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	siEnd := bytes.Index(data, []byte("</SchemeInformation>"))
	if len(data) < 18<<20 || siEnd < 0 {
		t.Fatalf("generated list of %d bytes, SchemeInformation ending at %d", len(data), siEnd)
	}
	siEnd += len("</SchemeInformation>")
	root, err := scanHead(data)
	if err != nil {
		t.Fatal(err)
	}
	_, end := root.Span()
	if root.Complete() || end > siEnd {
		t.Errorf("the head read went on to byte %d of %d (SchemeInformation ends at %d)", end, len(data), siEnd)
	}
	si := root.FirstElement()
	if !si.Is(tsl.NSTSL, "SchemeInformation") || si.NextElement().Valid() {
		t.Errorf("root holds %s and more after it", si.Name())
	}
	// the root, SchemeInformation's subtree, and the text and comments
	// around: a few dozen nodes, not the list's hundreds of thousands
	if n, want := root.Doc().Nodes(), 1+si.Subtree()+8; n > want {
		t.Errorf("%d nodes read, want at most %d", n, want)
	}
	l, err := ReadHead(data)
	if err != nil || l.Territory != "IT" || len(l.Providers) != 0 {
		t.Fatalf("ReadHead: %v, %+v", err, l)
	}
	for name, tail := range map[string][]byte{
		"truncated": data[:siEnd+100],
		"garbage":   append(append([]byte{}, data[:siEnd]...), "<<<&&& not XML"...),
	} {
		if h, err := ReadHead(tail); err != nil || h.Territory != "IT" {
			t.Errorf("%s after the head: %v", name, err)
		}
	}
}

// TestReadHeadIsParse: the head is what the whole parse says of the list
// but its providers, on generated lists and on the real LOTL and lists.
func TestReadHeadIsParse(t *testing.T) {
	w, err := tltest.NewWorld(tltest.WorldOptions{BaseURL: "http://tl.test"})
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string][]byte{}
	for name, data := range w.Files {
		inputs[name] = data
	}
	if dir := os.Getenv("EUTL_REAL_TL_DIR"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "tl-2026", "*.xml"))
		lotls, _ := filepath.Glob(filepath.Join(dir, "lotl", "*.xml"))
		for _, f := range append(files, lotls...) {
			if data, err := os.ReadFile(f); err == nil {
				inputs[f] = data
			}
		}
	}
	for name, data := range inputs {
		full, ferr := tsl.ParseBytes(data)
		head, herr := ReadHead(data)
		if ferr != nil {
			continue // a list the full parse refuses past its head: the verifier reports it
		}
		if herr != nil {
			t.Errorf("%s: head %v, the whole list parses", name, herr)
			continue
		}
		full.Providers = nil
		head.Providers = nil
		if !reflect.DeepEqual(full, head) {
			t.Errorf("%s: the head differs from the whole list's SchemeInformation", name)
		}
		if c := ClaimedTerritory(data); c != full.Territory {
			t.Errorf("%s: claimed territory %q, the list's %q", name, c, full.Territory)
		}
	}
}

// TestReadHeadRefuses: input whose head is not a list's is refused as
// the whole parse refuses it, with the same located messages.
func TestReadHeadRefuses(t *testing.T) {
	doc := tltest.Build(tltest.List{Territory: "BE"})
	data, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	si := bytes.Index(data, []byte("<SchemeInformation"))
	for name, in := range map[string]string{
		"not XML":          "not xml",
		"wrong root":       "<html/>",
		"no root":          "<?xml version=\"1.0\"?>",
		"doctype":          "<!DOCTYPE x><x/>",
		"truncated head":   string(data[:si+200]),
		"no scheme info":   `<TrustServiceStatusList xmlns="` + tsl.NSTSL + `"><TrustServiceProviderList/></TrustServiceStatusList>`,
		"bad scheme info":  strings.Replace(string(data), "<TSLType>", "<TSLTypo>", 1),
		"wrong root in ns": `<TrustServiceStatusList xmlns="urn:other"><SchemeInformation/></TrustServiceStatusList>`,
	} {
		_, ferr := tsl.ParseBytes([]byte(in))
		_, herr := ReadHead([]byte(in))
		var pe *tsl.ParseError
		if ferr == nil || herr == nil || !errors.As(herr, &pe) || herr.Error() != ferr.Error() {
			t.Errorf("%s: head %v, whole parse %v", name, herr, ferr)
		}
	}
}

// TestReadHeadAcceptsWhatTheVerifierAccepts: the head read has the
// verifier's limits, not tsl.ParseBytes' tighter ones: a validly signed list
// nested 100 deep inside SchemeInformation is read and verifies.
func TestReadHeadAcceptsWhatTheVerifierAccepts(t *testing.T) {
	k := tltest.MustKey(tltest.RSA2048, tltest.CertOptions{})
	doc := tltest.Build(tltest.List{Territory: "BE", Sequence: 3, Version: 5})
	el := doc.Root().SelectElement("SchemeInformation")
	for i := 0; i < 100; i++ {
		el = el.CreateElement("Deep")
	}
	data, err := tltest.Sign(doc, k, tltest.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	head, err := ReadHead(data)
	if err != nil || head.Territory != "BE" {
		t.Fatalf("head: %v", err)
	}
	if _, err := tsl.ParseBytes(data); err == nil {
		t.Fatal("tsl.ParseBytes accepts 100 levels: the test no longer shows the difference")
	}
	if _, err := VerifyList(data, Expect{Territory: "BE", Allowed: [][]byte{k.DER}}, Options{At: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatalf("verify: %v", err)
	}
}
