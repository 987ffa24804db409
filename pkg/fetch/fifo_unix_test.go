//go:build unix

package fetch

import "syscall"

// mkfifo makes a named pipe (tests of inputs that are not regular files).
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }
