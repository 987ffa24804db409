//go:build !unix

package cli

import "github.com/eutl/eutl/pkg/fetch"

// readListFile reads the list file a command verifies (see the unix
// version, which keeps a large one out of the Go heap).
func readListFile(path string, max int64) ([]byte, error) {
	return fetch.ReadLocalFile(path, max)
}
