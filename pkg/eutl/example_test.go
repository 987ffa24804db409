package eutl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/eutl/eutl/pkg/eutl"
	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/tltest"
	"github.com/eutl/eutl/pkg/trust"
)

// generated is a generated EU (pkg/tltest): a LOTL and the lists of BE, EL
// and FR, signed by test keys. Real programs use the built-in Official
// Journal anchors and the network or a prepared directory instead.
type generated struct {
	dir     string         // an offline directory: lotl.xml, BE.xml, EL.xml, FR.xml
	anchors *trust.Anchors // the generated LOTL signers
	be      []byte         // BE.xml
	beCert  []byte         // BE's list signer, DER
}

func generate() generated {
	w, err := tltest.NewWorld(tltest.WorldOptions{})
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "eutl-example-")
	if err != nil {
		log.Fatal(err)
	}
	files := map[string][]byte{"lotl.xml": w.Files["/eu-lotl.xml"]}
	for _, t := range w.Opts.Territories {
		files[t+".xml"] = w.Files["/"+t+".xml"]
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			log.Fatal(err)
		}
	}
	return generated{dir: dir, anchors: anchors(w), be: w.Files["/BE.xml"], beCert: w.TLKeys["BE"].DER}
}

// Load a set from a directory prepared for an air-gapped machine (the LOTL
// as lotl.xml, each list as <TERRITORY>.xml), then ask whether a provider
// is qualified for a service.
func ExampleLoad() {
	g := generate()
	defer os.RemoveAll(g.dir)
	at := time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)

	set, err := eutl.Load(context.Background(), eutl.Config{
		CacheDir: g.dir,
		Offline:  true, // never touch the network; nothing is written
		At:       at,
		// Generated lists are signed by test keys, not by the certificates
		// of the Official Journal: only for this example.
		CustomAnchorsUnsafe: g.anchors,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range set.Chain().Lists {
		fmt.Println(o.Territory, o.Verdict())
	}

	ix, err := set.Index()
	if err != nil {
		log.Fatal(err)
	}
	qval, err := query.ParseKind("qval")
	if err != nil {
		log.Fatal(err)
	}
	a := ix.Check(query.Query{Provider: "VATBE-0541659084", Kind: qval, At: at})
	switch a.Outcome() {
	case query.Qualified:
		fmt.Println("qualified:", a.Matches[0].Provider.Name, "-", a.Matches[0].Service.Name)
	case query.NotQualified:
		fmt.Println("not qualified:", a.Reason)
	default:
		fmt.Println("no answer: a list that could hold it did not verify")
	}
	// Output:
	// BE valid
	// EL valid
	// FR valid
	// qualified: Belgian Mobile ID SA/NV - itsme Sign Validation
}

// Verify one Trusted List against the certificate allowed to sign it, and
// see what a failed check looks like.
func ExampleVerifyList() {
	g := generate()
	defer os.RemoveAll(g.dir)
	at := time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)

	vl, err := eutl.VerifyList(context.Background(), g.be, eutl.VerifyConfig{Signers: [][]byte{g.beCert}, At: at})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(vl.List.Territory, vl.List.SequenceNumber, vl.Verdict, len(vl.List.Providers), "providers")

	// The same list judged after its NextUpdate fails closed.
	_, err = eutl.VerifyList(context.Background(), g.be, eutl.VerifyConfig{Signers: [][]byte{g.beCert}, At: at.AddDate(1, 0, 0)})
	var le *trust.ListError
	if errors.As(err, &le) {
		fmt.Println(le.Verdict, "at", le.Location())
	}
	// Output:
	// BE 42 valid 4 providers
	// expired at /TrustServiceStatusList/SchemeInformation/NextUpdate
}
