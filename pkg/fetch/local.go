package fetch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// MaxCertFileSize bounds a local certificate or anchor file (PEM).
const MaxCertFileSize = 1 << 20

// ErrFileTooLarge is wrapped when a local file is over its limit.
var ErrFileTooLarge = errors.New("file over the size limit")

// ErrNotRegular is wrapped when a local input is a FIFO, a device, a socket
// or a directory: eutl reads only regular files, so that /dev/zero or a pipe
// never makes it wait or read without end.
var ErrNotRegular = errors.New("not a regular file")

// ReadLocalFile reads the regular file at path, at most max bytes: a larger
// file is an error wrapping [ErrFileTooLarge], never truncated. The file is
// checked before it is opened (a FIFO would block the open) and again once
// open (it may have been replaced in between).
func ReadLocalFile(path string, max int64) ([]byte, error) {
	f, err := OpenLocalFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpened(f, path, max)
}

// OpenLocalFile opens the regular file at path for a reader that bounds
// what it reads itself (a batch file read line by line). Like
// [ReadLocalFile] it refuses anything but a regular file, before opening
// (a FIFO would block the open) and once open, wrapping [ErrNotRegular].
func OpenLocalFile(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(path, fi.Mode())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, notRegular(path, fi.Mode())
	}
	return f, nil
}

// readOpened checks that an opened file is regular and reads at most max
// bytes of it.
func readOpened(f fs.File, name string, max int64) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(name, fi.Mode())
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%s: %w: %d bytes, limit %d", name, ErrFileTooLarge, fi.Size(), max)
	}
	data, err := ReadSized(f, fi.Size(), max)
	if errors.Is(err, ErrOverLimit) {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", name, ErrFileTooLarge, max)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

func notRegular(name string, m fs.FileMode) error {
	kind := "not a regular file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a FIFO (named pipe)"
	case m&fs.ModeCharDevice != 0:
		kind = "a character device"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Errorf("%s: %w: it is %s", name, ErrNotRegular, kind)
}
