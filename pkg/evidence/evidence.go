// Package evidence is eutl's proof of one answer: a bundle (the snapshot
// container of package snapshot, kind "evidence") holding only the lists the
// answer depended on, the question, the answer exactly as printed and the
// exit code. Re-verifying a bundle means verifying its lists again from the
// trust anchors at the recorded instant and computing the answer again; the
// bundle holds only when the result equals the record byte for byte.
package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/eutl/eutl/pkg/query"
	"github.com/eutl/eutl/pkg/report"
	"github.com/eutl/eutl/pkg/snapshot"
	"github.com/eutl/eutl/pkg/trust"
)

// Member names of what a bundle adds to the lists.
const (
	AnswerJSONMember = "evidence/answer.json"
	InputMember      = "evidence/input"
)

// OutputMember is the member holding stdout as printed in format.
func OutputMember(format string) string { return "evidence/output." + format }

// Consulted are the national lists an answer depended on, sorted: for
// answers that are all qualified, the lists of every entry the answers show
// (matches, related and named services) and every failed list they name;
// when any answer is negative or incomplete, or the answers are not check
// answers (none given), every list of the set (a negative answer is a
// statement about all of them).
func Consulted(res *trust.ChainResult, answers []report.Check) []string {
	all := map[string]bool{}
	for i := range res.Lists {
		if !errors.Is(res.Lists[i].Err, trust.ErrNoPointer) {
			all[res.Lists[i].Territory] = true
		}
	}
	want := map[string]bool{}
	// No check answers (another kind of answer, e.g. a certificate's):
	// every list.
	negative := len(answers) == 0
	for _, c := range answers {
		if c.Outcome != "qualified" {
			negative = true
			break
		}
		for _, ms := range [][]report.Match{c.Matches, c.Related, c.NamedServices} {
			for _, m := range ms {
				want[m.List.Territory] = true
			}
		}
		for _, f := range c.FailedLists {
			want[f.Territory] = true
		}
	}
	if negative {
		want = all
	}
	out := []string{}
	for t := range want {
		if all[t] {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

// ErrNotSupported: the bundle's recorded answer differs from the answer its
// lists give.
var ErrNotSupported = errors.New("the bundle's answer is not what its lists say")

// Compare checks a recomputed run against the record: the same exit code,
// stdout byte for byte, the JSON answer byte for byte.
func Compare(a *snapshot.Archive, gotOutput, gotJSON []byte, gotCode int) error {
	rec := a.Manifest.Evidence
	wantOut, _ := a.Member(rec.Output)
	wantJSON, _ := a.Member(rec.AnswerJSON)
	switch {
	case gotCode != rec.ExitCode:
		return fmt.Errorf("%w: the lists give exit code %d, the bundle records %d", ErrNotSupported, gotCode, rec.ExitCode)
	case !bytes.Equal(gotJSON, wantJSON):
		return fmt.Errorf("%w: %s differs from the recomputed answer at %s", ErrNotSupported, rec.AnswerJSON, firstDiff(wantJSON, gotJSON))
	case !bytes.Equal(gotOutput, wantOut):
		return fmt.Errorf("%w: %s differs from the recomputed output at %s", ErrNotSupported, rec.Output, firstDiff(wantOut, gotOutput))
	}
	return nil
}

func firstDiff(a, b []byte) string {
	line := 1
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return fmt.Sprintf("line %d (byte %d)", line, i)
		}
		if a[i] == '\n' {
			line++
		}
	}
	return fmt.Sprintf("line %d (one is longer: %d and %d bytes)", line, len(a), len(b))
}

// Answers decodes the recorded JSON answer: one object (check) or one per
// line (batch).
func Answers(data []byte) ([]report.Check, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []report.Check
	for dec.More() {
		var c report.Check
		if err := dec.Decode(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Statements are short sentences for an auditor, one per answer, from a
// verified bundle's answers.
func Statements(m *snapshot.Manifest, answers []report.Check) []string {
	var out []string
	for _, c := range answers {
		out = append(out, statement(m, c))
	}
	return out
}

func statement(m *snapshot.Manifest, c report.Check) string {
	at := c.Query.At
	q := fmt.Sprintf("%q for %s", c.Query.Provider, c.Query.Service)
	if c.Query.Country != "" {
		q += " in " + c.Query.Country
	}
	switch c.Outcome {
	case "qualified":
		for _, mt := range c.Matches {
			if !mt.Qualified || mt.Service == nil {
				continue
			}
			return fmt.Sprintf("%s: qualified (query %s).", listed(at, mt.List, mt.Provider.Name, mt.Service.Name, mt.Service.Type, mt.Service.Status, mt.Service.StatusSince), q)
		}
		return fmt.Sprintf("On %s the verified lists answered qualified for %s: %s.", at, q, c.Reason)
	case "not_qualified":
		return fmt.Sprintf("On %s %s answered not qualified for %s: %s.", at, listsOf(m), q, c.Reason)
	case "not_found":
		return fmt.Sprintf("On %s %s answered not qualified for %s, no such provider being listed: %s.", at, listsOf(m), q, c.Reason)
	case "ambiguous":
		return fmt.Sprintf("On %s %s gave no verdict for %s, the name matching several providers: %s.", at, listsOf(m), q, c.Reason)
	}
	return fmt.Sprintf("On %s no answer could be given for %s: %s.", at, q, c.Reason)
}

// listed is "On <at> the <Country> Trusted List, sequence N, signed by …,
// SHA-256 …, listed <provider>'s service "<service>" (<type>) as <status>
// since <date>": the part of a statement that names the entry an answer
// rests on.
func listed(at string, l report.ListInfo, provider, service, typ, status string, since time.Time) string {
	return fmt.Sprintf("On %s %s, sequence %d, signed by %s, SHA-256 %s, listed %s's service %q (%s) as %s since %s",
		at, ListName(l.Territory), l.Sequence, signer(l.SignerSubject), l.SHA256,
		provider, service, query.Tail(typ), query.Tail(status), since.UTC().Format(time.RFC3339))
}

// CertAnswers decodes the recorded JSON answer of 'eutl cert'.
func CertAnswers(data []byte) (report.Certs, error) {
	var c report.Certs
	err := json.Unmarshal(data, &c)
	return c, err
}

// CertStatements are short sentences for an auditor, one per certificate,
// from a verified bundle's answer of 'eutl cert'. Every fact in them is the
// recorded answer's (the deciding service, the label, the reason).
func CertStatements(m *snapshot.Manifest, c report.Certs) []string {
	var out []string
	for _, e := range c.Certificates {
		out = append(out, certStatement(m, c, e))
	}
	return out
}

func certStatement(m *snapshot.Manifest, c report.Certs, e report.CertEntry) string {
	cert := fmt.Sprintf("the certificate %s (SHA-256 %s)", signer(e.Subject), e.SHA256)
	if e.Subject == "" {
		cert = fmt.Sprintf("the certificate (SHA-256 %s)", e.SHA256)
	}
	asked := ""
	if e.For != "" && e.For != "any" {
		asked = " for " + e.For
	}
	var verdict string
	switch e.Outcome {
	case "qualified":
		verdict = "is " + labelText(e.Final.Label)
		if e.Final.Label == "" || e.Final.Label == "N/A" || e.Reason != e.Final.Label {
			verdict = "is qualified" + asked + ": " + e.Reason
		}
	case "not_qualified":
		verdict = "is not qualified" + asked + ": " + e.Reason
	case "indeterminate":
		verdict = "has no verdict" + asked + ": " + e.Reason
	default:
		verdict = "could not be answered" + asked + ": " + e.Reason
	}
	if d := e.Final.Deciding; d != nil {
		l := d.List
		if l.Territory == "" {
			l.Territory, l.Sequence, l.SHA256 = d.Territory, d.Sequence, d.ListSHA256
		}
		return fmt.Sprintf("%s, under which %s %s.", listed(c.At, l, d.Provider, d.Service, d.Type, d.Status, d.StatusSince), cert, verdict)
	}
	return fmt.Sprintf("On %s, by %s, %s %s.", c.At, listsOf(m), cert, verdict)
}

// labelText reads a DSS qualification label ("QC for eSig with QSCD") as
// words ("a qualified certificate for electronic signatures on a QSCD"); a
// label it does not know is kept as recorded.
func labelText(label string) string {
	kinds := map[string]string{"eSig": "electronic signatures", "eSeal": "electronic seals", "WSA": "website authentication"}
	var what, rest string
	switch {
	case strings.HasPrefix(label, "QC for "):
		what, rest = "a qualified certificate for ", strings.TrimPrefix(label, "QC for ")
	case strings.HasPrefix(label, "Cert for "):
		what, rest = "a certificate (not qualified) for ", strings.TrimPrefix(label, "Cert for ")
	default:
		return label
	}
	kind, qscd := strings.CutSuffix(rest, " with QSCD")
	k, ok := kinds[kind]
	if !ok {
		return label
	}
	if qscd {
		return what + k + " on a QSCD"
	}
	return what + k
}

// listsOf names the verified national lists of a bundle.
func listsOf(m *snapshot.Manifest) string {
	var parts []string
	for _, f := range m.Files {
		if f.Role == snapshot.RoleList && f.Included && f.Verdict == string(trust.Valid) {
			parts = append(parts, fmt.Sprintf("%s seq %d (SHA-256 %s)", f.Territory, f.Sequence, f.SHA256))
		}
	}
	if len(parts) == 1 {
		return "the Trusted List " + parts[0]
	}
	return fmt.Sprintf("the %d Trusted Lists %s", len(parts), strings.Join(parts, ", "))
}

// signer is the CN of a subject DN (RFC 4514: "\," is a comma inside a
// value), or the whole DN when it has none: a list signer's or a
// certificate's name in a statement.
func signer(subject string) string {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(subject); i++ {
		switch c := subject[i]; {
		case c == '\\' && i+1 < len(subject):
			cur.WriteByte(subject[i+1])
			i++
		case c == ',':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	parts = append(parts, cur.String())
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if strings.HasPrefix(p, "CN=") {
			return strings.TrimPrefix(p, "CN=")
		}
	}
	if subject == "" {
		return "(unknown signer)"
	}
	return subject
}

var adjectives = map[string]string{
	"AT": "Austrian", "BE": "Belgian", "BG": "Bulgarian", "CY": "Cypriot", "CZ": "Czech", "DE": "German",
	"DK": "Danish", "EE": "Estonian", "EL": "Greek", "ES": "Spanish", "FI": "Finnish", "FR": "French",
	"HR": "Croatian", "HU": "Hungarian", "IE": "Irish", "IS": "Icelandic", "IT": "Italian", "LI": "Liechtenstein",
	"LT": "Lithuanian", "LU": "Luxembourg", "LV": "Latvian", "MT": "Maltese", "NL": "Dutch", "NO": "Norwegian",
	"PL": "Polish", "PT": "Portuguese", "RO": "Romanian", "SE": "Swedish", "SI": "Slovenian", "SK": "Slovak",
	"UK": "United Kingdom",
}

// ListName is "the Belgian Trusted List" for BE.
func ListName(territory string) string {
	if a, ok := adjectives[territory]; ok {
		return "the " + a + " Trusted List"
	}
	return "the " + territory + " Trusted List"
}
