package diff_test

import (
	"testing"

	"github.com/eutl/eutl/pkg/diff"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/tsl"
)

// FuzzDiff: for any two lists the parser accepts, the comparison never
// panics, a list against itself is empty, and every event names its kind,
// territory and both sequences.
func FuzzDiff(f *testing.F) {
	w, err := tltest.NewWorld(tltest.WorldOptions{})
	if err != nil {
		f.Fatal(err)
	}
	next, err := w.Next()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(w.Files["/BE.xml"], next.Files["/BE.xml"])
	f.Add(w.Files["/eu-lotl.xml"], next.Files["/eu-lotl.xml"])
	f.Add(w.Files["/FR.xml"], w.Files["/EL.xml"])
	f.Fuzz(func(t *testing.T, a, b []byte) {
		la, err := tsl.ParseBytes(a)
		if err != nil {
			return
		}
		lb, err := tsl.ParseBytes(b)
		if err != nil {
			return
		}
		va, vb := &diff.Version{List: la}, &diff.Version{List: lb}
		if ev := diff.Lists(va, va); len(ev) != 0 {
			t.Fatalf("a list against itself: %v", kinds(ev))
		}
		for _, e := range diff.Lists(va, vb) {
			if e.Kind == "" || e.Old == nil || e.New == nil || e.OldSequence != la.SequenceNumber || e.NewSequence != lb.SequenceNumber {
				t.Fatalf("incomplete event %+v", e)
			}
		}
		diff.Filter{Provider: "a", Country: "BE"}.Apply(diff.Sets(diff.Set{LOTL: va}, diff.Set{LOTL: vb}))
	})
}
