package evidence

import (
	"errors"
	"reflect"
	"testing"

	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/trust"
)

func TestConsulted(t *testing.T) {
	res := &trust.ChainResult{Lists: []trust.Outcome{
		{Territory: "BE"}, {Territory: "EL"}, {Territory: "FR"},
		{Territory: "XX", Err: &trust.ListError{Err: trust.ErrNoPointer}},
	}}
	match := func(cc string) report.Match { return report.Match{List: report.ListInfo{Territory: cc}} }
	for _, c := range []struct {
		name    string
		answers []report.Check
		want    []string
	}{
		{"qualified: the lists shown", []report.Check{{Outcome: "qualified", Matches: []report.Match{match("BE")}, Related: []report.Match{match("EL")}}}, []string{"BE", "EL"}},
		{"qualified with a failed list", []report.Check{{Outcome: "qualified", Matches: []report.Match{match("BE")}, FailedLists: []report.FailedList{{Territory: "FR"}}}}, []string{"BE", "FR"}},
		{"negative: every list", []report.Check{{Outcome: "qualified", Matches: []report.Match{match("BE")}}, {Outcome: "not_qualified"}}, []string{"BE", "EL", "FR"}},
		{"incomplete: every list", []report.Check{{Outcome: "incomplete"}}, []string{"BE", "EL", "FR"}},
		{"another kind of answer: every list", nil, []string{"BE", "EL", "FR"}},
	} {
		if got := Consulted(res, c.answers); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if !errors.Is(res.Lists[3].Err, trust.ErrNoPointer) {
		t.Fatal("setup")
	}
}

func TestSigner(t *testing.T) {
	for in, want := range map[string]string{
		`CN=Federale Overheidsdienst Economie\, K.M.O.,O=FOD,C=BE`: "Federale Overheidsdienst Economie, K.M.O.",
		`O=Malta Communications Authority,C=MT`:                    `O=Malta Communications Authority,C=MT`,
		`C=LU, CN=EUROPEAN COMMISSION`:                             "EUROPEAN COMMISSION",
	} {
		if got := signer(in); got != want {
			t.Errorf("signer(%q) = %q, want %q", in, got, want)
		}
	}
	if ListName("BE") != "the Belgian Trusted List" || ListName("ZZ") != "the ZZ Trusted List" {
		t.Error(ListName("BE"), ListName("ZZ"))
	}
}
