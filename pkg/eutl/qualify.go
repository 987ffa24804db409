package eutl

import "github.com/eutl/eutl/pkg/qualify"

// Certificates indexes the lists that verified for certificate
// qualification ([qualify.Index.Evaluate], [qualify.Index.TrustStore]): is
// this certificate an EU qualified certificate, and which services'
// certificates form a trust store. It fails as [Set.Index] does.
func (s *Set) Certificates() (*qualify.Index, error) {
	ix, err := s.Index()
	if err != nil {
		return nil, err
	}
	return qualify.New(ix), nil
}
