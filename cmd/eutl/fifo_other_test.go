//go:build !unix

package main

import "errors"

// mkfifo: named pipes are a Unix matter; the tests that need one skip.
func mkfifo(string) error { return errors.New("no named pipes on this platform") }
