package tltest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/eutl/eutl/pkg/tsl"
)

// Qualification is one ecc:QualificationElement: qualifiers (tails after
// SvcInfoExt/ or full URIs) and the criteria that select certificates.
type Qualification struct {
	Qualifiers []string
	Criteria   Criteria
}

// Criteria is an ecc:CriteriaList. Assert is written as given ("" omits the
// attribute).
type Criteria struct {
	Assert string
	// KeyUsage: each element is one ecc:KeyUsage with its bits.
	KeyUsage [][]tsl.KeyUsageBit
	// PolicySets: each element is one ecc:PolicySet of OIDs (written as
	// given, so "urn:oid:…" can be tested).
	PolicySets [][]string
	// EKUs: each element is one tslx:ExtendedKeyUsage of KeyPurposeIds.
	EKUs [][]string
	// DNAttrs: each element is one tslx:CertSubjectDNAttribute of OIDs.
	DNAttrs [][]string
	// Unknown adds an otherCriteriaList child no parser knows.
	Unknown bool
	Nested  []Criteria
}

func writeQualifications(exts *etree.Element, qs []Qualification) {
	x := exts.CreateElement("Extension")
	x.CreateAttr("Critical", "true")
	q := x.CreateElement("ecc:Qualifications")
	for _, qu := range qs {
		qe := q.CreateElement("ecc:QualificationElement")
		qse := qe.CreateElement("ecc:Qualifiers")
		for _, u := range qu.Qualifiers {
			qse.CreateElement("ecc:Qualifier").CreateAttr("uri", expand(tsl.SvcInfoExtPrefix, u))
		}
		writeCriteria(qe, qu.Criteria)
	}
}

func writeCriteria(parent *etree.Element, c Criteria) {
	cl := parent.CreateElement("ecc:CriteriaList")
	if c.Assert != "" {
		cl.CreateAttr("assert", c.Assert)
	}
	for _, ku := range c.KeyUsage {
		k := cl.CreateElement("ecc:KeyUsage")
		for _, b := range ku {
			e := k.CreateElement("ecc:KeyUsageBit")
			e.CreateAttr("name", b.Name)
			e.SetText(strconv.FormatBool(b.Value))
		}
	}
	for _, ps := range c.PolicySets {
		p := cl.CreateElement("ecc:PolicySet")
		for _, oid := range ps {
			id := p.CreateElement("ecc:PolicyIdentifier").CreateElement("xades:Identifier")
			if strings.HasPrefix(oid, "urn:oid:") {
				id.CreateAttr("Qualifier", "OIDAsURN")
			}
			id.SetText(oid)
		}
	}
	for _, n := range c.Nested {
		writeCriteria(cl, n)
	}
	if len(c.EKUs)+len(c.DNAttrs) > 0 || c.Unknown {
		o := cl.CreateElement("ecc:otherCriteriaList")
		for _, set := range c.EKUs {
			e := o.CreateElement("tslx:ExtendedKeyUsage")
			for _, kp := range set {
				e.CreateElement("tslx:KeyPurposeId").CreateElement("xades:Identifier").SetText(kp)
			}
		}
		for _, set := range c.DNAttrs {
			e := o.CreateElement("tslx:CertSubjectDNAttribute")
			for _, a := range set {
				e.CreateElement("tslx:AttributeOID").CreateElement("xades:Identifier").SetText(a)
			}
		}
		if c.Unknown {
			u := o.CreateElement("x:SomethingNew")
			u.CreateAttr("xmlns:x", "urn:example:criteria")
		}
	}
}

// QC statement and type identifiers (ETSI EN 319 412-5).
const (
	QcTypeESign = "0.4.0.1862.1.6.1"
	QcTypeESeal = "0.4.0.1862.1.6.2"
	QcTypeWeb   = "0.4.0.1862.1.6.3"
)

// QCStatements says which QC statements an issued certificate carries.
type QCStatements struct {
	Compliance bool
	SSCD       bool
	Types      []string // QcType OIDs
	// MalformedType writes a QcType statement whose info is not a SEQUENCE
	// OF OID (as some real certificates do).
	MalformedType bool
	PDS           bool
	// CCLegislation lists QcCClegislation country codes.
	CCLegislation []string
	// Semantics is "natural" or "legal" (pkixQCSyntax-v2 with the ETSI
	// semantics identifier), or "".
	Semantics string
	// Raw, when set, replaces the encoded extension value (malformed input).
	Raw []byte
}

// EECert describes a certificate IssueCert makes.
type EECert struct {
	Key       KeyType // default P256
	Subject   pkix.Name
	NotBefore time.Time
	NotAfter  time.Time
	QC        *QCStatements
	// Policies are certificatePolicies OIDs.
	Policies []string
	// KeyUsage; 0 means digitalSignature|nonRepudiation.
	KeyUsage x509.KeyUsage
	// NoKeyUsage omits the extension.
	NoKeyUsage bool
	EKUs       []string
	// CA makes a CA certificate (basicConstraints cA, keyCertSign).
	CA bool
	// OmitAKI leaves out the authority key identifier.
	OmitAKI bool
}

var (
	oidQCStatements   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	oidQcCompliance   = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 1}
	oidQcSSCD         = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 4}
	oidQcPDS          = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 5}
	oidQcType         = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6}
	oidQcCCLeg        = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 7}
	oidPKIXQCSyntaxV2 = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 11, 2}
	oidSemNatural     = asn1.ObjectIdentifier{0, 4, 0, 194121, 1, 1}
	oidSemLegal       = asn1.ObjectIdentifier{0, 4, 0, 194121, 1, 2}
	oidCertPolicies   = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidKeyUsage       = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidEKU            = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidSKI            = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAKI            = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidBasicCons      = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidSHA256         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidECDSASHA384    = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
)

// ParseOID reads a dotted object identifier; it panics on a malformed one
// (test input).
func ParseOID(s string) asn1.ObjectIdentifier {
	var oid asn1.ObjectIdentifier
	for _, p := range strings.Split(strings.TrimPrefix(s, "urn:oid:"), ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			panic(fmt.Sprintf("tltest: bad OID %q", s))
		}
		oid = append(oid, n)
	}
	return oid
}

type qcStatementASN1 struct {
	ID   asn1.ObjectIdentifier
	Info asn1.RawValue `asn1:"optional"`
}

// EncodeQCStatements returns the qcStatements extension value.
func EncodeQCStatements(q QCStatements) ([]byte, error) {
	if q.Raw != nil {
		return q.Raw, nil
	}
	var st []qcStatementASN1
	add := func(id asn1.ObjectIdentifier, info any) error {
		s := qcStatementASN1{ID: id}
		if info != nil {
			b, err := asn1.Marshal(info)
			if err != nil {
				return err
			}
			s.Info = asn1.RawValue{FullBytes: b}
		}
		st = append(st, s)
		return nil
	}
	if q.Semantics != "" {
		sem := oidSemNatural
		if q.Semantics == "legal" {
			sem = oidSemLegal
		}
		if err := add(oidPKIXQCSyntaxV2, struct{ ID asn1.ObjectIdentifier }{sem}); err != nil {
			return nil, err
		}
	}
	if q.Compliance {
		_ = add(oidQcCompliance, nil)
	}
	if q.SSCD {
		_ = add(oidQcSSCD, nil)
	}
	if len(q.Types) > 0 {
		var types []asn1.ObjectIdentifier
		for _, t := range q.Types {
			types = append(types, ParseOID(t))
		}
		if err := add(oidQcType, types); err != nil {
			return nil, err
		}
	}
	if q.MalformedType {
		st = append(st, qcStatementASN1{ID: oidQcType, Info: asn1.RawValue{FullBytes: []byte{0x04, 0x01, 0x00}}})
	}
	if q.PDS {
		type pds struct {
			URL  string `asn1:"ia5"`
			Lang string `asn1:"printable"`
		}
		if err := add(oidQcPDS, []pds{{"https://tsp.example/pds", "en"}}); err != nil {
			return nil, err
		}
	}
	if len(q.CCLegislation) > 0 {
		if err := add(oidQcCCLeg, q.CCLegislation); err != nil {
			return nil, err
		}
	}
	return asn1.Marshal(st)
}

// keyID is the SHA-1 of the subject public key bit string (RFC 5280 method 1).
func keyID(spkiDER []byte) []byte {
	var s spki
	if _, err := asn1.Unmarshal(spkiDER, &s); err != nil {
		return nil
	}
	h := sha1.Sum(s.PublicKey.Bytes)
	return h[:]
}

// SPKI returns the DER SubjectPublicKeyInfo of the key's certificate.
func (k *Key) SPKI() []byte {
	var c struct {
		TBS struct {
			Raw       asn1.RawContent
			Version   int `asn1:"optional,explicit,default:0,tag:0"`
			Serial    *big.Int
			SigAlg    pkix.AlgorithmIdentifier
			Issuer    asn1.RawValue
			Validity  validity
			Subject   asn1.RawValue
			PublicKey asn1.RawValue
		}
	}
	if _, err := asn1.Unmarshal(k.DER, &c); err != nil {
		return nil
	}
	return c.TBS.PublicKey.FullBytes
}

// Subject returns the DER subject Name of the key's certificate.
func (k *Key) Subject() []byte {
	var c struct {
		TBS struct {
			Raw      asn1.RawContent
			Version  int `asn1:"optional,explicit,default:0,tag:0"`
			Serial   *big.Int
			SigAlg   pkix.AlgorithmIdentifier
			Issuer   asn1.RawValue
			Validity validity
			Subject  asn1.RawValue
		}
	}
	if _, err := asn1.Unmarshal(k.DER, &c); err != nil {
		return nil
	}
	return c.TBS.Subject.FullBytes
}

// SKI is the key identifier IssueCert writes for this key.
func (k *Key) SKI() []byte { return keyID(k.SPKI()) }

type extension struct {
	ID       asn1.ObjectIdentifier
	Critical bool `asn1:"optional"`
	Value    []byte
}

type tbsCertExt struct {
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     *big.Int
	SigAlg     pkix.AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   validity
	Subject    asn1.RawValue
	PublicKey  asn1.RawValue
	Extensions []extension `asn1:"optional,explicit,tag:3"`
}

// IssueCert makes a new key and a certificate for it signed by issuer (any
// key type of this package), with the QC statements, policies and usages of
// o. The issuer's subject becomes the issuer name; the authority key
// identifier is the issuer's SKI.
func IssueCert(issuer *Key, o EECert) (*Key, error) {
	if o.Key == "" {
		o.Key = P256
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = o.NotBefore.AddDate(3, 0, 0)
	}
	if o.Subject.CommonName == "" && len(o.Subject.Organization) == 0 {
		o.Subject = pkix.Name{CommonName: "eutl test end entity", Country: []string{"BE"}}
	}
	subj, err := NewKey(o.Key, CertOptions{Subject: o.Subject, NotBefore: o.NotBefore, NotAfter: o.NotAfter})
	if err != nil {
		return nil, err
	}
	der, err := SignCert(issuer, issuer.Subject(), subj.SPKI(), o)
	if err != nil {
		return nil, err
	}
	subj.DER = der
	subj.Cert, _ = x509.ParseCertificate(der)
	return subj, nil
}

// SignCert signs a certificate for subjectSPKI with issuer's key under the
// issuer name issuerName (which may be another certificate's subject: a
// forgery a verifier must refuse).
func SignCert(issuer *Key, issuerName, subjectSPKI []byte, o EECert) ([]byte, error) {
	name, err := asn1.Marshal(o.Subject.ToRDNSequence())
	if err != nil {
		return nil, err
	}
	var exts []extension
	add := func(id asn1.ObjectIdentifier, critical bool, v any) error {
		b, err := asn1.Marshal(v)
		if err != nil {
			return err
		}
		exts = append(exts, extension{ID: id, Critical: critical, Value: b})
		return nil
	}
	if o.CA {
		_ = add(oidBasicCons, true, struct {
			CA bool `asn1:"optional"`
		}{true})
	}
	if !o.NoKeyUsage {
		ku := o.KeyUsage
		if ku == 0 {
			ku = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
			if o.CA {
				ku = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
			}
		}
		_ = add(oidKeyUsage, true, keyUsageBits(ku))
	}
	_ = add(oidSKI, false, keyID(subjectSPKI))
	if !o.OmitAKI {
		_ = add(oidAKI, false, struct {
			ID []byte `asn1:"optional,tag:0"`
		}{keyID(issuer.SPKI())})
	}
	if len(o.Policies) > 0 {
		type polInfo struct{ ID asn1.ObjectIdentifier }
		var ps []polInfo
		for _, p := range o.Policies {
			ps = append(ps, polInfo{ParseOID(p)})
		}
		_ = add(oidCertPolicies, false, ps)
	}
	if len(o.EKUs) > 0 {
		var es []asn1.ObjectIdentifier
		for _, e := range o.EKUs {
			es = append(es, ParseOID(e))
		}
		_ = add(oidEKU, false, es)
	}
	if o.QC != nil {
		v, err := EncodeQCStatements(*o.QC)
		if err != nil {
			return nil, err
		}
		exts = append(exts, extension{ID: oidQCStatements, Value: v})
	}
	sigAlg, sign := signerFor(issuer)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tbs, err := asn1.Marshal(tbsCertExt{
		Version: 2, Serial: serial, SigAlg: sigAlg,
		Issuer: asn1.RawValue{FullBytes: issuerName}, Subject: asn1.RawValue{FullBytes: name},
		Validity: validity{o.NotBefore.UTC(), o.NotAfter.UTC()}, PublicKey: asn1.RawValue{FullBytes: subjectSPKI},
		Extensions: exts,
	})
	if err != nil {
		return nil, err
	}
	sig, err := sign(tbs)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(certASN1{TBS: asn1.RawValue{FullBytes: tbs}, SigAlg: sigAlg, Signature: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
}

func keyUsageBits(ku x509.KeyUsage) asn1.BitString {
	var b [2]byte
	n := 0
	for i := 0; i < 9; i++ {
		if ku&(1<<i) != 0 {
			b[i/8] |= 0x80 >> (i % 8)
			n = i + 1
		}
	}
	l := 1
	if n > 8 {
		l = 2
	}
	return asn1.BitString{Bytes: b[:l], BitLength: n}
}

// signerFor returns the signature algorithm a key signs certificates with
// and the signing function: SHA-256 with RSA PKCS#1 v1.5, RSASSA-PSS
// (SHA-256, or SHA-512 for an RSAPSSSHA512 key), ECDSA with SHA-256 (SHA-384
// on curves of 384 bits and more).
func signerFor(k *Key) (pkix.AlgorithmIdentifier, func([]byte) ([]byte, error)) {
	switch priv := k.Signer.(type) {
	case *rsa.PrivateKey:
		if k.Type == RSAPSS || k.Type == RSAPSSSHA512 {
			h, hOID := crypto.SHA256, oidSHA256
			if k.Type == RSAPSSSHA512 {
				h, hOID = crypto.SHA512, oidSHA512
			}
			alg := pkix.AlgorithmIdentifier{Algorithm: hOID}
			mgf, _ := asn1.Marshal(alg)
			params, _ := asn1.Marshal(struct {
				Hash pkix.AlgorithmIdentifier `asn1:"explicit,tag:0"`
				MGF  pkix.AlgorithmIdentifier `asn1:"explicit,tag:1"`
				Salt int                      `asn1:"explicit,tag:2"`
			}{alg, pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: mgf}}, h.Size()})
			return pkix.AlgorithmIdentifier{Algorithm: oidRSAPSS, Parameters: asn1.RawValue{FullBytes: params}}, func(tbs []byte) ([]byte, error) {
				d := h.New()
				d.Write(tbs)
				return rsa.SignPSS(rand.Reader, priv, h, d.Sum(nil), &rsa.PSSOptions{SaltLength: h.Size(), Hash: h})
			}
		}
		return pkix.AlgorithmIdentifier{Algorithm: oidSHA256RSA, Parameters: asn1.NullRawValue}, func(tbs []byte) ([]byte, error) {
			d := sha256.Sum256(tbs)
			return rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, d[:])
		}
	case *ecdsa.PrivateKey:
		if priv.Curve.Params().BitSize >= 384 {
			return pkix.AlgorithmIdentifier{Algorithm: oidECDSASHA384}, func(tbs []byte) ([]byte, error) {
				d := crypto.SHA384.New()
				d.Write(tbs)
				return ecdsa.SignASN1(rand.Reader, priv, d.Sum(nil))
			}
		}
		return pkix.AlgorithmIdentifier{Algorithm: oidECDSASHA256}, func(tbs []byte) ([]byte, error) {
			d := sha256.Sum256(tbs)
			return ecdsa.SignASN1(rand.Reader, priv, d[:])
		}
	}
	return pkix.AlgorithmIdentifier{}, func([]byte) ([]byte, error) { return nil, fmt.Errorf("tltest: cannot sign with %T", k.Signer) }
}
