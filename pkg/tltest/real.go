package tltest

import (
	"os"
	"path/filepath"
	"strings"
)

// RealLOTL is the LOTL of the real 2026 set, relative to EUTL_REAL_TL_DIR:
// it points at the lists of tl-2026/ (and is signed by the built-in
// Official Journal anchors).
const RealLOTL = "lotl/eu-lotl-seq390-2026-08-03.xml"

// WriteRealSet lays out the real 2026 set of src (an EUTL_REAL_TL_DIR: the
// LOTL RealLOTL and the lists of tl-2026/) in dir as an offline cache holds
// it: lotl.xml and <TERRITORY>.xml ("be-tl-seq81-….xml" becomes BE.xml).
func WriteRealSet(src, dir string) error {
	cp := func(from, to string) error {
		data, err := os.ReadFile(filepath.Join(src, from))
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, to), data, 0o644)
	}
	if err := cp(RealLOTL, "lotl.xml"); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(src, "tl-2026", "*.xml"))
	if err != nil {
		return err
	}
	for _, f := range files {
		cc := strings.ToUpper(strings.SplitN(filepath.Base(f), "-", 2)[0])
		if err := cp(filepath.Join("tl-2026", filepath.Base(f)), cc+".xml"); err != nil {
			return err
		}
	}
	return nil
}
