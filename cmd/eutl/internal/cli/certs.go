package cli

import (
	"encoding/pem"
	"fmt"
	"os"
)

// readCertFiles reads every CERTIFICATE block of the given PEM files.
func readCertFiles(files []string) ([][]byte, error) {
	var out [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
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
