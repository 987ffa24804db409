package fetch

import (
	"errors"
	"io"
)

// ErrOverLimit is ReadSized's "more than max bytes" (the readers of this
// package word it with their own sentinels, ErrTooLarge and
// ErrFileTooLarge).
var ErrOverLimit = errors.New("over the limit")

// ReadSized reads r to its end, at most max bytes (more is ErrOverLimit,
// never a truncation). size is what r is expected to hold (a file's size, a
// Content-Length; negative: unknown): when it is right the bytes are read
// into one buffer of exactly that size, where io.ReadAll would allocate
// about twice the input while it doubles its buffer. A reader holding less
// than size (a file that shrank) gives what it held; one holding more (a
// file that grew) is read on, still bounded by max. size is never trusted
// beyond max. r is read until it reports io.EOF, so that a reader that
// checks its content there (a zip member's CRC-32) does.
func ReadSized(r io.Reader, size, max int64) ([]byte, error) {
	var buf []byte
	if size >= 0 && size <= max {
		buf = make([]byte, size)
		n := 0
		for n < len(buf) {
			m, err := r.Read(buf[n:])
			n += m
			if err == io.EOF {
				return buf[:n], nil
			}
			if err != nil {
				return nil, err
			}
		}
		var probe [1]byte
		for {
			m, err := r.Read(probe[:])
			if m > 0 {
				buf = append(buf, probe[0])
				break
			}
			if err == io.EOF {
				return buf, nil
			}
			if err != nil {
				return nil, err
			}
		}
	}
	rest, err := io.ReadAll(io.LimitReader(r, max+1-int64(len(buf))))
	if err != nil {
		return nil, err
	}
	if int64(len(buf)+len(rest)) > max {
		return nil, ErrOverLimit
	}
	if buf == nil {
		return rest, nil
	}
	return append(buf, rest...), nil
}
