package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// TestFitWidth: written through FitWidth, a table with long cells (a
// reason, a DN without spaces, a digest) is at most the width wide and
// loses no character; without it nothing is wrapped.
func TestFitWidth(t *testing.T) {
	lists := []List{
		{Territory: "HR", Verdict: "untrusted_signer", Cause: `signer certificate not allowed: signed by "serialNumber=P20.31,CN=MINGOR E-PEČAT,L=ZAGREB,organizationIdentifier=VATHR-19370100881,O=MINISTARSTVO GOSPODARSTVA" (SHA-256 a0f6c5d283c50d411ae38866274caeac534f42c0d0df7bdeec793682ad7e3793)`,
			Signer: &Signer{Subject: `CN=Federale Overheidsdienst Economie\, K.M.O\, Middenstand en Energie,C=BE`, CommonName: "Federale Overheidsdienst Economie, K.M.O, Middenstand en Energie"}},
		{Territory: "BE", Verdict: "valid", Sequence: 81},
	}
	for _, width := range []int{60, 80, 100, 140} {
		var b bytes.Buffer
		if err := WriteListsTable(FitWidth(&b, width), lists); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
			if w := twwidth.Width(line); w > width {
				t.Errorf("width %d: line of %d columns: %s", width, w, line)
			}
		}
		// every character of the cells is still there, in order, column
		// by column
		cols := map[int]*strings.Builder{}
		for _, line := range strings.Split(b.String(), "\n") {
			for j, c := range strings.Split(line, "│") {
				if cols[j] == nil {
					cols[j] = &strings.Builder{}
				}
				cols[j].WriteString(strings.Join(strings.Fields(c), ""))
			}
		}
		squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
		for j, want := range map[int]string{6: short(lists[0].Cause, 90), 5: "Federale Overheidsdienst Economie, K.M.O, Middenstand en Energie"} {
			if !strings.Contains(cols[j].String(), squash(want)) {
				t.Errorf("width %d: %q lost in\n%s", width, want, b.String())
			}
		}
	}
	var b bytes.Buffer
	if err := WriteListsTable(FitWidth(&b, 0), lists); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != 6 {
		t.Errorf("unwrapped table has %d lines, want 6:\n%s", n, b.String())
	}
}
