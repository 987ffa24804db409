package xmltext

// The namespaces both the list parser and the signature verifier match
// elements by, defined once (pkg/tsl and pkg/xmldsig re-export them).
const (
	// NSDSig is the XMLDSig namespace.
	NSDSig = "http://www.w3.org/2000/09/xmldsig#"
	// NSXAdES132 is the XAdES 1.3.2 namespace.
	NSXAdES132 = "http://uri.etsi.org/01903/v1.3.2#"
)
