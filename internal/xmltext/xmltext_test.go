package xmltext

import (
	"testing"

	"github.com/beevik/etree"
)

func TestContent(t *testing.T) {
	for in, want := range map[string]string{
		`<a>plain</a>`:                   "plain",
		`<a>with<!-- c -->drawn</a>`:     "withdrawn",
		`<a>a<?pi x?>b<!--c-->c</a>`:     "abc",
		`<a><![CDATA[x<y]]> &amp; z</a>`: "x<y & z",
		`<a/>`:                           "",
		`<a>x<b>inner</b>y</a>`:          "xy",
	} {
		doc := etree.NewDocument()
		if err := doc.ReadFromString(in); err != nil {
			t.Fatal(err)
		}
		if got := Content(doc.Root()); got != want {
			t.Errorf("Content(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeBase64(t *testing.T) {
	got, err := DecodeBase64(" aGVs\n bG8=\r\n")
	if err != nil || string(got) != "hello" {
		t.Errorf("%q %v", got, err)
	}
	if _, err := DecodeBase64("!!"); err == nil {
		t.Error("invalid base64 accepted")
	}
}
