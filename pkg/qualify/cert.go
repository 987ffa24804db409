package qualify

import (
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/eutl/eutl/internal/dn"
	"math/big"
	"strings"
	"time"
)

// Cert is what qualification reads of an X.509 certificate. It is parsed with
// encoding/asn1 (crypto/x509 refuses brainpool keys, which real qualified
// certificates use), tolerating malformed QC statements: a statement that
// cannot be read is recorded in QC.Malformed and counts as absent.
type Cert struct {
	Raw []byte
	// RawTBS is the signed part; SigAlg and Signature its signature.
	RawTBS    []byte
	SigAlg    pkix.AlgorithmIdentifier
	Signature []byte
	// RawSubject, RawIssuer and RawSPKI are DER, compared byte for byte.
	RawSubject, RawIssuer, RawSPKI []byte
	Subject, Issuer                string
	NotBefore, NotAfter            time.Time
	Serial                         string
	// SKI and AKI are the subject and authority key identifiers (nil if absent).
	SKI, AKI []byte
	IsCA     bool
	// KeyUsage holds the keyUsage bits by name; HasKeyUsage says whether the
	// extension is present.
	KeyUsage    map[string]bool
	HasKeyUsage bool
	EKU         []string
	HasEKU      bool
	Policies    []string
	// SubjectAttrs holds the subject's attribute values by dotted OID.
	SubjectAttrs map[string][]string
	QC           QCStatements
	// Warnings are extensions that could not be read.
	Warnings []string

	// subjectKey and issuerKey are the names as index lookup keys (dnKey).
	subjectKey, issuerKey string
}

// QCStatements are the ETSI EN 319 412-5 statements of a certificate.
type QCStatements struct {
	Present       bool
	Compliance    bool
	SSCD          bool
	Types         []string // esign, eseal, web (other OIDs dotted)
	CCLegislation []string
	PDS           bool
	// Semantics is "natural" or "legal" from the pkixQCSyntax-v2 semantics
	// identifier, or "".
	Semantics string
	// Read lists every statement found, by name (for evidence).
	Read []string
	// Malformed lists statements that could not be read.
	Malformed []string
}

// SHA256 is the fingerprint of the DER bytes.
func (c *Cert) SHA256() string {
	s := sha256.Sum256(c.Raw)
	return hex.EncodeToString(s[:])
}

// SelfIssued reports whether subject and issuer are the same name.
func (c *Cert) SelfIssued() bool { return string(c.RawSubject) == string(c.RawIssuer) }

type certASN1 struct {
	TBS       asn1.RawValue
	SigAlg    pkix.AlgorithmIdentifier
	Signature asn1.BitString
}

type tbsASN1 struct {
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     *big.Int
	SigAlg     pkix.AlgorithmIdentifier
	Issuer     asn1.RawValue
	Validity   struct{ NotBefore, NotAfter time.Time }
	Subject    asn1.RawValue
	SPKI       asn1.RawValue
	IssuerUID  asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUID asn1.BitString   `asn1:"optional,tag:2"`
	Extensions []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

var (
	oidQCStatements = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	oidKeyUsage     = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidEKU          = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidPolicies     = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidSKI          = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAKI          = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidBasicCons    = asn1.ObjectIdentifier{2, 5, 29, 19}
)

// QC statement identifiers.
const (
	oidQcCompliance = "0.4.0.1862.1.1"
	oidQcLimitValue = "0.4.0.1862.1.2"
	oidQcRetention  = "0.4.0.1862.1.3"
	oidQcSSCD       = "0.4.0.1862.1.4"
	oidQcPDS        = "0.4.0.1862.1.5"
	oidQcType       = "0.4.0.1862.1.6"
	oidQcCCLeg      = "0.4.0.1862.1.7"
	oidQcTypeESign  = "0.4.0.1862.1.6.1"
	oidQcTypeESeal  = "0.4.0.1862.1.6.2"
	oidQcTypeWeb    = "0.4.0.1862.1.6.3"
	oidPKIXQCv1     = "1.3.6.1.5.5.7.11.1"
	oidPKIXQCv2     = "1.3.6.1.5.5.7.11.2"
	oidSemNatural   = "0.4.0.194121.1.1"
	oidSemLegal     = "0.4.0.194121.1.2"
	oidPSD2         = "0.4.0.19495.2"
	// Directive-era policies (ETSI TS 101 456): QCP public, QCP public + SSCD.
	oidQCP     = "0.4.0.1456.1.2"
	oidQCPPlus = "0.4.0.1456.1.1"
)

var keyUsageNames = []string{"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "crlSign", "encipherOnly", "decipherOnly"}

// ParseCert reads a DER certificate. Errors are for input that is not a
// certificate at all; unreadable extensions become warnings.
func ParseCert(der []byte) (*Cert, error) {
	var c certASN1
	rest, err := asn1.Unmarshal(der, &c)
	if err != nil {
		return nil, fmt.Errorf("not a DER certificate: %w", err)
	}
	if len(rest) > 0 {
		return nil, errors.New("not a DER certificate: trailing data")
	}
	var t tbsASN1
	if rest, err := asn1.Unmarshal(c.TBS.FullBytes, &t); err != nil || len(rest) > 0 {
		if err == nil {
			err = errors.New("trailing data")
		}
		return nil, fmt.Errorf("not a DER certificate: tbsCertificate: %w", err)
	}
	if t.Serial == nil {
		return nil, errors.New("not a DER certificate: no serial number")
	}
	out := &Cert{
		Raw: der, RawTBS: c.TBS.FullBytes, SigAlg: c.SigAlg, Signature: c.Signature.RightAlign(),
		RawSubject: t.Subject.FullBytes, RawIssuer: t.Issuer.FullBytes, RawSPKI: t.SPKI.FullBytes,
		NotBefore: t.Validity.NotBefore.UTC(), NotAfter: t.Validity.NotAfter.UTC(), Serial: t.Serial.Text(16),
		KeyUsage: map[string]bool{}, SubjectAttrs: map[string][]string{},
	}
	var subj, iss pkix.RDNSequence
	if _, err := asn1.Unmarshal(t.Subject.FullBytes, &subj); err != nil {
		return nil, fmt.Errorf("not a DER certificate: subject: %w", err)
	}
	if _, err := asn1.Unmarshal(t.Issuer.FullBytes, &iss); err != nil {
		return nil, fmt.Errorf("not a DER certificate: issuer: %w", err)
	}
	out.Subject, out.Issuer = dn.Format(subj), dn.Format(iss)
	out.subjectKey, out.issuerKey = dnKey(out.Subject), dnKey(out.Issuer)
	for _, rdn := range subj {
		for _, atv := range rdn {
			out.SubjectAttrs[atv.Type.String()] = append(out.SubjectAttrs[atv.Type.String()], fmt.Sprint(atv.Value))
		}
	}
	for _, e := range t.Extensions {
		out.readExtension(e)
	}
	return out, nil
}

func (c *Cert) warnf(format string, args ...any) {
	c.Warnings = append(c.Warnings, fmt.Sprintf(format, args...))
}

func (c *Cert) readExtension(e pkix.Extension) {
	switch {
	case e.Id.Equal(oidSKI):
		var v []byte
		if _, err := asn1.Unmarshal(e.Value, &v); err != nil {
			c.warnf("subjectKeyIdentifier unreadable: %v", err)
			return
		}
		c.SKI = v
	case e.Id.Equal(oidAKI):
		var v struct {
			ID []byte `asn1:"optional,tag:0"`
		}
		if _, err := asn1.Unmarshal(e.Value, &v); err != nil {
			c.warnf("authorityKeyIdentifier unreadable: %v", err)
			return
		}
		c.AKI = v.ID
	case e.Id.Equal(oidBasicCons):
		var v struct {
			CA  bool `asn1:"optional"`
			Len int  `asn1:"optional,default:-1"`
		}
		if _, err := asn1.Unmarshal(e.Value, &v); err != nil {
			c.warnf("basicConstraints unreadable: %v", err)
			return
		}
		c.IsCA = v.CA
	case e.Id.Equal(oidKeyUsage):
		var v asn1.BitString
		if _, err := asn1.Unmarshal(e.Value, &v); err != nil {
			c.warnf("keyUsage unreadable: %v", err)
			return
		}
		c.HasKeyUsage = true
		for i, n := range keyUsageNames {
			c.KeyUsage[n] = v.At(i) == 1
		}
	case e.Id.Equal(oidEKU):
		var v []asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(e.Value, &v); err != nil {
			c.warnf("extendedKeyUsage unreadable: %v", err)
			return
		}
		c.HasEKU = true
		for _, o := range v {
			c.EKU = append(c.EKU, o.String())
		}
	case e.Id.Equal(oidPolicies):
		var v []asn1.RawValue
		if _, err := asn1.Unmarshal(e.Value, &v); err != nil {
			c.warnf("certificatePolicies unreadable: %v", err)
			return
		}
		for _, pi := range v {
			var id asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(pi.Bytes, &id); err != nil {
				c.warnf("certificatePolicies: a PolicyInformation is unreadable: %v", err)
				continue
			}
			c.Policies = append(c.Policies, id.String())
		}
	case e.Id.Equal(oidQCStatements):
		c.QC = parseQCStatements(e.Value)
	}
}

// parseQCStatements reads the qcStatements extension value. Nothing in it is
// fatal: an unreadable statement is named in Malformed and ignored.
func parseQCStatements(der []byte) QCStatements {
	q := QCStatements{Present: true, Types: []string{}, Read: []string{}}
	var raws []asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &raws); err != nil || len(rest) > 0 {
		q.Malformed = append(q.Malformed, "qcStatements is not a SEQUENCE OF QCStatement")
		return q
	}
	for i, r := range raws {
		var st struct {
			ID   asn1.ObjectIdentifier
			Info asn1.RawValue `asn1:"optional"`
		}
		if rest, err := asn1.Unmarshal(r.FullBytes, &st); err != nil || len(rest) > 0 {
			q.Malformed = append(q.Malformed, fmt.Sprintf("statement %d is not a QCStatement", i+1))
			continue
		}
		id := st.ID.String()
		info := st.Info.FullBytes
		switch id {
		case oidQcCompliance:
			q.Compliance = true
			q.Read = append(q.Read, "QcCompliance")
		case oidQcSSCD:
			q.SSCD = true
			q.Read = append(q.Read, "QcSSCD")
		case oidQcPDS:
			q.PDS = true
			q.Read = append(q.Read, "QcPDS")
		case oidQcLimitValue:
			q.Read = append(q.Read, "QcLimitValue")
		case oidQcRetention:
			q.Read = append(q.Read, "QcRetentionPeriod")
		case oidPSD2:
			q.Read = append(q.Read, "QcPSD2")
		case oidQcType:
			var types []asn1.ObjectIdentifier
			if rest, err := asn1.Unmarshal(info, &types); err != nil || len(rest) > 0 || len(info) == 0 {
				q.Malformed = append(q.Malformed, "QcType: its info is not a SEQUENCE OF OBJECT IDENTIFIER (ignored)")
				q.Read = append(q.Read, "QcType(malformed)")
				continue
			}
			var names []string
			for _, t := range types {
				n := t.String()
				switch n {
				case oidQcTypeESign:
					n = "esign"
				case oidQcTypeESeal:
					n = "eseal"
				case oidQcTypeWeb:
					n = "web"
				}
				if !contains(q.Types, n) {
					q.Types = append(q.Types, n)
				}
				names = append(names, n)
			}
			q.Read = append(q.Read, "QcType("+strings.Join(names, ",")+")")
		case oidQcCCLeg:
			var cc []string
			if _, err := asn1.Unmarshal(info, &cc); err != nil {
				q.Malformed = append(q.Malformed, "QcCClegislation: unreadable country list (taken as present)")
			}
			q.CCLegislation = append(q.CCLegislation, cc...)
			if q.CCLegislation == nil {
				q.CCLegislation = []string{"?"}
			}
			q.Read = append(q.Read, "QcCClegislation("+strings.Join(cc, ",")+")")
		case oidPKIXQCv1, oidPKIXQCv2:
			name := "pkixQCSyntax-v1"
			if id == oidPKIXQCv2 {
				name = "pkixQCSyntax-v2"
			}
			var sem struct {
				ID asn1.ObjectIdentifier `asn1:"optional"`
			}
			if len(info) > 0 {
				if _, err := asn1.Unmarshal(info, &sem); err == nil {
					switch sem.ID.String() {
					case oidSemNatural:
						q.Semantics = "natural"
						name += "(natural)"
					case oidSemLegal:
						q.Semantics = "legal"
						name += "(legal)"
					}
				}
			}
			q.Read = append(q.Read, name)
		default:
			q.Read = append(q.Read, id)
		}
	}
	return q
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
