package xmltext

import (
	"bufio"
	"strings"
	"testing"
)

// TestWriteEscaped: the escapes of Canonical XML 1.0 §2.3, text and
// attribute values apart.
func TestWriteEscaped(t *testing.T) {
	for _, c := range []struct {
		in         string
		text, attr string
	}{
		{"plain", "plain", "plain"},
		{`a&b<c>d"e`, `a&amp;b&lt;c&gt;d"e`, `a&amp;b&lt;c>d&quot;e`},
		{"t\tn\nr\r", "t\tn\nr&#xD;", "t&#x9;n&#xA;r&#xD;"},
		{"", "", ""},
	} {
		for _, attr := range []bool{false, true} {
			var b strings.Builder
			w := bufio.NewWriter(&b)
			WriteEscaped(w, c.in, attr)
			w.Flush()
			want := c.text
			if attr {
				want = c.attr
			}
			if b.String() != want {
				t.Errorf("%q (attr %v): %q, want %q", c.in, attr, b.String(), want)
			}
		}
	}
}
