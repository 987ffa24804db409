package tsl_test

import (
	"testing"

	"github.com/eutl/eutl/pkg/tsl"
)

func TestPointers(t *testing.T) {
	t.Parallel()
	l := &tsl.List{Pointers: []tsl.Pointer{
		{Territory: "EU", Type: tsl.TypeEUListOfTheLists, Location: "self"},
		{Territory: "BE", Type: tsl.TypeEUGeneric, MimeType: tsl.MimeTypePDF, Location: "be.pdf"},
		{Territory: "BE", Type: tsl.TypeEUGeneric, MimeType: " " + tsl.MimeTypeTSL + " ", Location: "be.xml"},
		{Territory: "BE", Type: tsl.TypeEUGeneric, MimeType: tsl.MimeTypeTSL, Location: "be-second.xml"},
		{Territory: "FR", Type: "other", MimeType: tsl.MimeTypeTSL, Location: "fr.xml"},
	}}
	if sp := l.SelfPointer(); sp == nil || sp.Location != "self" {
		t.Errorf("SelfPointer %+v", sp)
	}
	xs := l.XMLPointers()
	if len(xs) != 1 || xs[0].Location != "be.xml" {
		t.Errorf("XMLPointers %+v", xs)
	}
	if p := l.XMLPointer("BE"); p == nil || p.Location != "be.xml" {
		t.Errorf("XMLPointer(BE) %+v", p)
	}
	if p := l.XMLPointer("FR"); p != nil {
		t.Errorf("XMLPointer(FR) %+v, want none", p)
	}
	if sp := (&tsl.List{}).SelfPointer(); sp != nil {
		t.Errorf("empty list self pointer %+v", sp)
	}
}
