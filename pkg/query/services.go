package query

import "github.com/eutl/eutl/pkg/tsl"

// ServiceRef is one service of a verified list with its provider, list and
// status timeline, as [Index.Services] hands it out.
type ServiceRef struct {
	List     ListInfo
	Provider ProviderRef
	TSP      *tsl.Provider
	Service  *tsl.Service
	// Timeline is Timeline(Service), computed once when the index was built.
	Timeline []Entry
}

// Services calls fn for every service of every usable list, in list order
// (as loaded), then provider and service order. It is how other packages
// (certificate qualification, trust stores) build their own indexes on the
// verified set.
func (ix *Index) Services(fn func(ServiceRef)) {
	for _, pe := range ix.providers {
		ref := providerRef(pe)
		for _, se := range pe.services {
			fn(ServiceRef{List: pe.list.info, Provider: ref, TSP: pe.p, Service: se.s, Timeline: se.timeline})
		}
	}
}
