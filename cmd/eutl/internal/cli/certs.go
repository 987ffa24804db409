package cli

import (
	"encoding/pem"
	"fmt"

	"github.com/eutl/eutl/pkg/fetch"
)

// readLocal reads a file named on the command line: a regular file of at
// most max bytes (FIFOs, devices and directories are refused, a larger file
// is an error, never truncated). Lists take the fetch limit, certificate and
// anchor files fetch.MaxCertFileSize.
func readLocal(path string, max int64) ([]byte, error) {
	return fetch.ReadLocalFile(path, max)
}

// readCertFiles reads every CERTIFICATE block of the given PEM files.
func readCertFiles(files []string) ([][]byte, error) {
	var out [][]byte
	for _, f := range files {
		data, err := readLocal(f, fetch.MaxCertFileSize)
		if err != nil {
			return nil, fmt.Errorf("cannot read certificate file: %w", err)
		}
		n := 0
		for b, rest := pem.Decode(data); b != nil; b, rest = pem.Decode(rest) {
			if b.Type == "CERTIFICATE" {
				out = append(out, b.Bytes)
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("%s holds no PEM CERTIFICATE block", f)
		}
	}
	return out, nil
}

func (g *globalOptions) paths(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = g.path(p)
	}
	return out
}
