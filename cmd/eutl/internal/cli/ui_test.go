package cli

import "testing"

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"unknown command \"chek\" for \"eutl\"\n\nDid you mean this?\n\tcheck\n": "unknown command \"chek\" for \"eutl\" Did you mean this? check",
		"2 malformed row(s): line 2: x\nline 3: y":                               "2 malformed row(s): line 2: x\nline 3: y",
		"reading: context canceled":                                              "reading: interrupted",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}
