package query_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/eutl/eutl/pkg/query"
)

// TestBatchLineEndings: a batch file written on Windows (CRLF) reads as
// the same rows as with LF, in both input forms.
func TestBatchLineEndings(t *testing.T) {
	t.Parallel()
	for name, lf := range map[string]string{
		"csv":   "provider,service,country,at\nVATBE-0541659084,qval,BE,2026-08-20\n\"Certipost NV/SA\",qc,,\n",
		"jsonl": "{\"provider\": \"VATBE-0541659084\", \"service\": \"qval\", \"country\": \"BE\", \"at\": \"2026-08-20\"}\n{\"provider\": \"Certipost NV/SA\", \"service\": \"qc\"}\n",
	} {
		t.Run(name, func(t *testing.T) {
			want, err := query.ParseBatch(strings.NewReader(lf))
			if err != nil {
				t.Fatal(err)
			}
			got, err := query.ParseBatch(strings.NewReader(strings.ReplaceAll(lf, "\n", "\r\n")))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("CRLF rows %+v, LF rows %+v", got, want)
			}
		})
	}
}
