package tsl

// X509Parses is how many times crypto/x509 has run on listed certificates.
func X509Parses() int64 { return x509Parses.Load() }
