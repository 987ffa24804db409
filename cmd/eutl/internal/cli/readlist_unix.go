//go:build unix

package cli

import (
	"errors"
	"io"
	"syscall"

	"github.com/eutl/eutl/pkg/fetch"
)

// readListFile reads the list file a command verifies. A large one is read
// into memory mapped for it alone (anonymous and private: a copy the file
// cannot change afterwards, read once) rather than into the Go heap, whose
// collector lets the heap grow to about twice what is live: held there, a
// 20 MB list would make room for 20 MB more. The mapping lives as long as
// the process, which ends once the command has printed its answer; nothing
// the verifier keeps points into it (the model has its own strings).
// Anything unusual — a small file, a file over max, one that grows while
// read, a mapping refused — is read by fetch.ReadLocalFile, with its checks
// and messages.
func readListFile(path string, max int64) ([]byte, error) {
	f, err := fetch.OpenLocalFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() < offHeapMin || fi.Size() > max || fi.Size() > 1<<31-1 {
		return fetch.ReadLocalFile(path, max)
	}
	buf, err := syscall.Mmap(-1, 0, int(fi.Size()), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return fetch.ReadLocalFile(path, max)
	}
	n, err := io.ReadFull(f, buf)
	var probe [1]byte
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return buf[:n], nil // it shrank: what it held
	case err != nil:
		_ = syscall.Munmap(buf)
		return nil, err
	}
	if m, _ := f.Read(probe[:]); m > 0 {
		_ = syscall.Munmap(buf) // it grew: read it the ordinary way, bounded
		return fetch.ReadLocalFile(path, max)
	}
	return buf, nil
}
