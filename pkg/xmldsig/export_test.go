package xmldsig

// DecodeBase64 exposes the lenient base64 reader to the external tests.
var DecodeBase64 = decodeBase64
