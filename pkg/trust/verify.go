// Package trust decides whether Trusted Lists may be used: one list at a
// time ([VerifyList]: signature, pinned signer, type, territory, version,
// sequence, freshness) and the whole EU set ([Chain]: Official Journal
// anchors → pivot LOTLs → current LOTL → every national list it points to).
//
// A list that fails any check is reported with a [Verdict] and its reason and
// is never returned for use. Overrides that weaken a check end in Unsafe.
package trust

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/eutl/eutl/internal/xmlscan"
	"github.com/eutl/eutl/pkg/tsl"
	"github.com/eutl/eutl/pkg/xmldsig"
)

// Verdict is the outcome of checking one list. The values are part of the
// JSON contract.
type Verdict string

// The verdicts, in the words of the CLI contract.
const (
	Valid            Verdict = "valid"
	Expired          Verdict = "expired"
	SignatureInvalid Verdict = "signature_invalid"
	UntrustedSigner  Verdict = "untrusted_signer"
	WrongTerritory   Verdict = "wrong_territory"
	WrongType        Verdict = "wrong_type"
	Rollback         Verdict = "rollback"
	FetchFailed      Verdict = "fetch_failed"
	ParseFailed      Verdict = "parse_error"
)

// ListError is a list that did not pass. Territory and URL say which list;
// Verdict classifies the failure; Err is the cause (often an
// *xmldsig.Error or *tsl.ParseError carrying the element's location).
type ListError struct {
	Territory string
	URL       string
	Verdict   Verdict
	Err       error
	// Info describes the list when its signature verified but a later check
	// failed. It is for reporting only: the list must not be used.
	Info *VerifiedList
}

func (e *ListError) Error() string {
	who := e.Territory
	if who == "" {
		who = "list"
	}
	if e.URL != "" {
		who += " " + e.URL
	}
	return who + ": " + e.Err.Error()
}

func (e *ListError) Unwrap() error { return e.Err }

// Location is the XPath-like location of the failure in the list (the
// element checked), "" when the failure has none (a fetch failure).
func (e *ListError) Location() string {
	var de *xmldsig.Error
	var pe *tsl.ParseError
	var ce *CheckError
	switch {
	case errors.As(e.Err, &ce):
		return ce.Path
	case errors.As(e.Err, &pe):
		return pe.Path
	case errors.As(e.Err, &de):
		return de.Path
	}
	return ""
}

// Cause is the reason the list failed without its location (Err's message
// when Err is not itself a located error).
func (e *ListError) Cause() string {
	switch err := e.Err.(type) {
	case *CheckError:
		return err.Err.Error()
	case *tsl.ParseError:
		return err.Err.Error()
	case *xmldsig.Error:
		return err.Err.Error()
	case nil:
		return ""
	}
	return e.Err.Error()
}

// CheckError is a check of this package that failed at a location in the
// list; Err wraps one of the sentinel causes below.
type CheckError struct {
	// Path is an XPath-like location, e.g.
	// /TrustServiceStatusList/SchemeInformation/NextUpdate.
	Path string
	Err  error
}

func (e *CheckError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *CheckError) Unwrap() error { return e.Err }

// Sentinel causes wrapped by ListError for the checks of this package.
var (
	ErrWrongType      = errors.New("wrong list type")
	ErrWrongTerritory = errors.New("wrong territory")
	ErrVersion        = errors.New("unsupported TSLVersionIdentifier")
	ErrExpired        = errors.New("list expired")
	ErrRollback       = errors.New("sequence number rollback")
	ErrIssuedInFuture = errors.New("list issued in the future")
	ErrSigningCertV1  = errors.New("version 6 list signed with XAdES SigningCertificate (V1)")
)

// Expect is what a list must be.
type Expect struct {
	// Territory is the expected SchemeTerritory ("" accepts any).
	Territory string
	// Type is the expected TSLType ("" accepts EUgeneric or the LOTL type).
	Type string
	// Allowed are the DER certificates allowed to sign the list.
	Allowed [][]byte
	// URL is where the list came from (for messages only).
	URL string
	// MinSequence is the lowest acceptable TSLSequenceNumber (rollback
	// protection); 0 disables the check.
	MinSequence int
}

// Options are the evaluation settings shared by every check.
type Options struct {
	// At is the instant the list must be fresh at (NextUpdate after At).
	At time.Time
	// Now is the wall clock, for the issue-date sanity check. Zero means At.
	Now time.Time
	// MaxSize bounds the input (default xmldsig.DefaultMaxSize).
	MaxSize int64
	// AllowExpiredUnsafe accepts lists whose NextUpdate has passed; they keep
	// the verdict Expired and a warning, and are used.
	AllowExpiredUnsafe bool
	// DeferFreshness leaves freshness (NextUpdate after At) to the caller:
	// the list is judged on everything else, which does not depend on the
	// instant asked about. package query decides freshness per question, so
	// that one run answers questions about different instants as separate
	// runs at each would.
	DeferFreshness bool
	// Providers, when set, receives the providers of the list as it is
	// read, and the List returned holds none: a caller that looks at each
	// provider once (a summary) never holds a large list's model.
	Providers ProviderSink
}

// ProviderSink receives the providers of a list while it is verified (see
// Options.Providers). What it receives counts only once VerifyList returns
// without error.
type ProviderSink interface {
	// Provider receives the next provider, in document order.
	Provider(*tsl.Provider)
	// Reset forgets every provider received so far: the list is read
	// again from its start.
	Reset()
}

// ClockSkew is how far in the future a ListIssueDateTime may lie.
const ClockSkew = 10 * time.Minute

// VerifiedList is a list that passed every check (or, with
// AllowExpiredUnsafe, all but freshness).
type VerifiedList struct {
	List      *tsl.List
	Signature *xmldsig.Result
	// SHA256 is the digest of the exact bytes verified, lower-case hex.
	SHA256 string
	Size   int
	URL    string
	// Verdict is Valid, or Expired when AllowExpiredUnsafe let it through.
	Verdict  Verdict
	Warnings []string
	// Notes are remarks that do not weaken trust (a closed list, an
	// operator name that differs from the LOTL's).
	Notes []string
	// At is the instant the list was judged at (Options.At).
	At time.Time
}

// VerifyList verifies one list's signature against exp.Allowed and checks
// type, territory, version, sequence and freshness.
func VerifyList(data []byte, exp Expect, o Options) (*VerifiedList, error) {
	return verifyList(data, exp, o, nil)
}

func verifyList(data []byte, exp Expect, o Options, fingerprints []string) (*VerifiedList, error) {
	fail := func(v Verdict, err error) (*VerifiedList, error) {
		return nil, &ListError{Territory: exp.Territory, URL: exp.URL, Verdict: v, Err: err}
	}
	// The providers are built as the verifier reads them (and dropped from
	// its memory then); nothing built is kept unless the list verifies.
	newBuilder := func() *tsl.Builder {
		b := tsl.NewBuilder()
		if o.Providers != nil {
			b.Sink = o.Providers.Provider
		}
		return b
	}
	b := newBuilder()
	parts := &xmldsig.Parts{
		ParentNS: tsl.NSTSL, Parent: "TrustServiceProviderList",
		ChildNS: tsl.NSTSL, Child: "TrustServiceProvider",
		Take: func(el xmlscan.Node) error { return b.Provider(el) },
		// and each of its services as it is read: a list of one large
		// provider is held one service at a time
		InnerParentNS: tsl.NSTSL, InnerParent: "TSPServices",
		InnerNS: tsl.NSTSL, Inner: "TSPService",
		TakeInner: func(el xmlscan.Node) error { return b.Service(el) },
		Reset: func() {
			if o.Providers != nil {
				o.Providers.Reset()
			}
			b = newBuilder()
		},
	}
	res, err := xmldsig.Verify(data, exp.Allowed, xmldsig.Options{MaxSize: o.MaxSize, AllowedSHA256: fingerprints, Parts: parts})
	if err != nil {
		switch {
		case errors.Is(err, xmldsig.ErrUntrustedSigner):
			return fail(UntrustedSigner, err)
		case errors.Is(err, xmldsig.ErrMalformed), errors.Is(err, xmldsig.ErrTooLarge):
			return fail(ParseFailed, err)
		}
		return fail(SignatureInvalid, err)
	}
	l, err := b.Finish(res.Root)
	if err != nil {
		return fail(ParseFailed, err)
	}
	ownStrings(res)
	sum := sha256.Sum256(data)
	vl := &VerifiedList{List: l, Signature: res, SHA256: hex.EncodeToString(sum[:]), Size: len(data), URL: exp.URL, Verdict: Valid, At: o.At}
	terr := exp.Territory
	if terr == "" {
		terr = l.Territory
	}
	fail = func(v Verdict, err error) (*VerifiedList, error) {
		return nil, &ListError{Territory: terr, URL: exp.URL, Verdict: v, Err: err, Info: vl}
	}
	si := "/TrustServiceStatusList/SchemeInformation/"
	switch {
	case exp.Type != "" && l.Type != exp.Type:
		return fail(WrongType, &CheckError{Path: si + "TSLType", Err: fmt.Errorf("%w: %q, expected %q", ErrWrongType, l.Type, exp.Type)})
	case exp.Type == "" && l.Type != tsl.TypeEUGeneric && l.Type != tsl.TypeEUListOfTheLists:
		return fail(WrongType, &CheckError{Path: si + "TSLType", Err: fmt.Errorf("%w: %q is neither EUgeneric nor EUlistofthelists", ErrWrongType, l.Type)})
	case exp.Territory != "" && l.Territory != exp.Territory:
		return fail(WrongTerritory, &CheckError{Path: si + "SchemeTerritory", Err: fmt.Errorf("%w: %q, expected %q", ErrWrongTerritory, l.Territory, exp.Territory)})
	case l.Type == tsl.TypeEUListOfTheLists && l.Territory != "EU":
		return fail(WrongTerritory, &CheckError{Path: si + "SchemeTerritory", Err: fmt.Errorf("%w: a LOTL of territory %q", ErrWrongTerritory, l.Territory)})
	case l.Version != 5 && l.Version != 6:
		return fail(ParseFailed, &CheckError{Path: si + "TSLVersionIdentifier", Err: fmt.Errorf("%w: %d, expected 5 or 6", ErrVersion, l.Version)})
	case l.Version == 6 && !res.SigningCertificateV2:
		return fail(SignatureInvalid, &CheckError{Path: "/TrustServiceStatusList/ds:Signature", Err: fmt.Errorf("%w; v6 requires SigningCertificateV2", ErrSigningCertV1)})
	case exp.MinSequence > 0 && l.SequenceNumber < exp.MinSequence:
		return fail(Rollback, &CheckError{Path: si + "TSLSequenceNumber", Err: fmt.Errorf("%w: %d is lower than %d, the last accepted", ErrRollback, l.SequenceNumber, exp.MinSequence)})
	}
	now := o.Now
	if now.IsZero() {
		now = o.At
	}
	if !now.IsZero() && l.IssueDate.After(now.Add(ClockSkew)) {
		return fail(SignatureInvalid, &CheckError{Path: si + "ListIssueDateTime", Err: fmt.Errorf("%w: issued %s, clock says %s", ErrIssuedInFuture, l.IssueDate.Format(time.RFC3339), now.UTC().Format(time.RFC3339))})
	}
	if l.Closed() {
		vl.Notes = append(vl.Notes, "closed list (empty NextUpdate): it holds history only")
	} else if err := FreshnessError(l.NextUpdate, o.At); err != nil && !o.DeferFreshness {
		if !o.AllowExpiredUnsafe {
			return fail(Expired, err)
		}
		vl.Verdict = Expired
		vl.Warnings = append(vl.Warnings, "used although expired (expired lists allowed): "+err.Error())
	}
	vl.Notes = append(vl.Notes, signerProfileNotes(res.Signer, l)...)
	if l.Version == 5 && !o.At.IsZero() && o.At.After(v6Date) && l.IssueDate.After(v6Date) {
		vl.Warnings = append(vl.Warnings, "version 5 list issued after the TL v6 date (2026-04-28T22:00:00Z)")
	}
	return vl, nil
}

// ownStrings cuts what is kept of the signature from the input: the
// verified document (the model is all that is kept of it) and the strings
// that alias the input, which would otherwise keep all of its bytes alive
// for as long as the list is in use.
func ownStrings(res *xmldsig.Result) {
	res.Root = xmlscan.Node{}
	res.SignatureMethod = strings.Clone(res.SignatureMethod)
	res.DigestMethod = strings.Clone(res.DigestMethod)
	res.CanonicalizationMethod = strings.Clone(res.CanonicalizationMethod)
	res.ReferenceURI = strings.Clone(res.ReferenceURI)
	res.SignerSHA256 = strings.Clone(res.SignerSHA256)
}

// v6Date is when TL format 6 applies (Implementing Decision (EU) 2025/2164).
var v6Date = time.Date(2026, 4, 28, 22, 0, 0, 0, time.UTC)

// signerProfileNotes compares the signer certificate with the profile TS
// 119 612 §5.7.1 asks of a list signer (country of the territory, key usage
// digitalSignature and/or nonRepudiation only, not a CA). Lists are trusted
// by pinning, so a deviation is reported, never fatal.
func signerProfileNotes(signer *xmldsig.CertInfo, l *tsl.List) []string {
	if signer == nil {
		return nil
	}
	cert, err := x509.ParseCertificate(signer.Raw)
	if err != nil {
		return nil // brainpool or another form crypto/x509 does not read
	}
	var notes []string
	if len(cert.Subject.Country) > 0 && l.Territory != "EU" {
		if c := tsl.TerritoryCode(cert.Subject.Country[0]); c != l.Territory {
			notes = append(notes, fmt.Sprintf("the signer certificate's country is %s, the list's territory %s", cert.Subject.Country[0], l.Territory))
		}
	}
	if cert.IsCA {
		notes = append(notes, "the signer certificate is a CA certificate (TS 119 612 asks for CA=false)")
	}
	if extra := cert.KeyUsage &^ (x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment); cert.KeyUsage != 0 && extra != 0 {
		notes = append(notes, "the signer certificate allows key usages beyond digitalSignature and nonRepudiation")
	}
	return notes
}

// FreshnessError is the error of a list whose NextUpdate is not after at
// (the list has expired at that instant), or nil: when it is after, when
// the list is closed (no NextUpdate) or when at is zero. Package query
// judges freshness per question with it (see Options.DeferFreshness).
func FreshnessError(nextUpdate, at time.Time) error {
	if at.IsZero() || nextUpdate.IsZero() || nextUpdate.After(at) {
		return nil
	}
	return &CheckError{Path: "/TrustServiceStatusList/SchemeInformation/NextUpdate", Err: fmt.Errorf("%w: NextUpdate %s is not after %s", ErrExpired, nextUpdate.Format(time.RFC3339), at.UTC().Format(time.RFC3339))}
}
