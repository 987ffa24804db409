package snapshot_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"hash/crc32"
	"testing"

	"github.com/eutl/eutl/pkg/snapshot"
)

// rawArchive is a ZIP archive of one stored member whose header declares
// size bytes and checksum crc, whatever data holds.
func rawArchive(t *testing.T, data []byte, size uint64, crc uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "lotl.xml", Method: zip.Store, CRC32: crc,
		CompressedSize64: uint64(len(data)), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMemberNotAsDeclared: a member whose bytes are more or fewer than its
// header declares, or whose CRC-32 is wrong, is a corrupt archive (the
// member is read into one buffer of its declared size and up to its end).
func TestMemberNotAsDeclared(t *testing.T) {
	data := []byte("<TrustServiceStatusList/>")
	sum := crc32.ChecksumIEEE(data)
	for name, arch := range map[string][]byte{
		"longer":    rawArchive(t, data, uint64(len(data)-5), sum),
		"shorter":   rawArchive(t, data, uint64(len(data)+5), sum),
		"bad crc":   rawArchive(t, data, uint64(len(data)), sum^1),
		"truncated": rawArchive(t, data, uint64(len(data)), sum)[:30+len("lotl.xml")+10],
	} {
		_, err := snapshot.Read(arch, snapshot.Limits{})
		if !errors.Is(err, snapshot.ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
	// as declared, the member is read (the archive then lacks a manifest)
	_, err := snapshot.Read(rawArchive(t, data, uint64(len(data)), sum), snapshot.Limits{})
	var fe *snapshot.FormatError
	if !errors.As(err, &fe) || fe.Member != snapshot.ManifestName {
		t.Errorf("a member as declared: %v, want the manifest missing", err)
	}
}
