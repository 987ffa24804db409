package qualify

import (
	"bytes"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
)

// MaxInput is the most bytes read of one certificate file (or stdin).
const MaxInput = 1 << 20

// InputError says where input is not a certificate.
type InputError struct {
	// Offset is the byte offset of the offending block or DER value.
	Offset int64
	Err    error
}

func (e *InputError) Error() string { return fmt.Sprintf("at byte offset %d: %v", e.Offset, e.Err) }
func (e *InputError) Unwrap() error { return e.Err }

// Input is one certificate read from a file, with where it starts.
type Input struct {
	Cert   *Cert
	Offset int64
}

// ReadCerts reads every certificate of data: PEM (any number of CERTIFICATE
// blocks; other blocks are an error) or DER (one or more concatenated
// certificates). Empty input or anything that is not a certificate is an
// *InputError naming the offset.
func ReadCerts(data []byte) ([]Input, error) {
	if len(data) > MaxInput {
		return nil, &InputError{Offset: MaxInput, Err: fmt.Errorf("input larger than %d bytes", MaxInput)}
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, &InputError{Offset: 0, Err: fmt.Errorf("no certificate (empty input)")}
	}
	if trimmed[0] != 0x30 && bytes.Contains(data, []byte("-----BEGIN")) {
		// PEM; text around the blocks (comments, as trust-store writes) is
		// ignored, as OpenSSL does.
		return readPEM(data)
	}
	var out []Input
	off := 0
	for off < len(data) {
		var raw asn1.RawValue
		rest, err := asn1.Unmarshal(data[off:], &raw)
		if err != nil {
			return nil, &InputError{Offset: int64(off), Err: fmt.Errorf("neither PEM nor a DER certificate: %v", err)}
		}
		n := len(data[off:]) - len(rest)
		c, err := ParseCert(data[off : off+n])
		if err != nil {
			return nil, &InputError{Offset: int64(off), Err: err}
		}
		out = append(out, Input{Cert: c, Offset: int64(off)})
		off += n
	}
	return out, nil
}

func readPEM(data []byte) ([]Input, error) {
	var out []Input
	rest := data
	for {
		start := int64(len(data) - len(rest))
		if i := bytes.Index(rest, []byte("-----BEGIN")); i >= 0 {
			start += int64(i)
		}
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			if len(bytes.TrimSpace(rest)) > 0 && bytes.Contains(rest, []byte("-----BEGIN")) {
				return nil, &InputError{Offset: start, Err: fmt.Errorf("malformed PEM block")}
			}
			break
		}
		if b.Type != "CERTIFICATE" && b.Type != "X509 CERTIFICATE" && b.Type != "TRUSTED CERTIFICATE" {
			return nil, &InputError{Offset: start, Err: fmt.Errorf("PEM block %q is not a certificate", b.Type)}
		}
		c, err := ParseCert(b.Bytes)
		if err != nil {
			return nil, &InputError{Offset: start, Err: err}
		}
		out = append(out, Input{Cert: c, Offset: start})
	}
	if len(out) == 0 {
		return nil, &InputError{Offset: 0, Err: fmt.Errorf("no PEM CERTIFICATE block")}
	}
	return out, nil
}
