package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eutl/eutl/pkg/tltest"
)

// nullable are the JSON fields that may be null: absent times, no signer,
// no deciding service. Arrays never are.
var nullable = map[string]bool{"issued": true, "next_update": true, "signer": true, "signing_time": true, "service": true,
	"status_since": true, "until": true}

// TestJSONNoNullArrays runs every command with --format json, on answers
// that find something and on answers that find nothing or fail, and walks
// each document: no array (nor any other field but the nullable ones) is
// null.
func TestJSONNoNullArrays(t *testing.T) {
	w := sharedWorld(t)
	h := newHarness(t, w)
	h.srv.SetFault("/EL.xml", &tltest.Fault{Status: 404})
	for name, data := range map[string][]byte{
		"BE.xml": w.Files["/BE.xml"], "lotl.xml": w.Files["/eu-lotl.xml"], "be-signer.pem": w.TLKeys["BE"].PEM(),
		"empty.xml": nil, "q.csv": []byte("provider,service\nCertipost,qc\nnobody at all,qc\n"),
	} {
		if err := os.WriteFile(filepath.Join(h.dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runs := [][]string{
		{"fetch"}, {"lists"}, {"lists", "--at", "2027-06-01", "--allow-expired"},
		{"check", "--provider", "Certipost", "--service", "qc", "--country", "BE"},
		{"check", "--provider", "nobody at all", "--service", "qc", "--country", "BE"},
		{"check", "--provider", "nobody at all", "--service", "qc"},
		{"batch", "q.csv"},
		{"providers", "certipost"}, {"providers", "nobody at all"}, {"providers", "--country", "BE"},
		{"show", "certipost"}, {"show", "nobody at all", "--country", "BE"},
		{"types"}, {"version"},
		{"verify", "BE.xml", "--cert", "be-signer.pem"}, {"verify", "empty.xml"}, {"verify", "lotl.xml"},
	}
	for _, args := range runs {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := h.eutl("cache", append(args, "--format", "json", "--at", "2026-08-20")...)
			if r.stdout == "" {
				t.Fatalf("exit %d, no JSON\n%s", r.code, r.stderr)
			}
			dec := json.NewDecoder(strings.NewReader(r.stdout))
			for dec.More() {
				var doc any
				if err := dec.Decode(&doc); err != nil {
					t.Fatalf("%v\n%s", err, r.stdout)
				}
				walkNulls(t, "", doc)
			}
		})
	}
}

func walkNulls(t *testing.T, path string, v any) {
	switch v := v.(type) {
	case nil:
		key := path[strings.LastIndex(path, ".")+1:]
		if !nullable[key] {
			t.Errorf("%s is null", path)
		}
	case map[string]any:
		for k, x := range v {
			walkNulls(t, path+"."+k, x)
		}
	case []any:
		for _, x := range v {
			walkNulls(t, path+"[]", x)
		}
	}
}
