package query

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// BatchRow is one validated query of a batch file.
type BatchRow struct {
	Line     int
	Provider string
	Service  string // as written
	Kind     Kind
	Country  string
	// At is zero when the row gives none (the run's --at applies).
	At time.Time
	// Exact matches whole names only (the exact column or key).
	Exact bool
}

// BatchError lists every malformed row of a batch input, by line.
type BatchError struct {
	Problems []string
}

func (e *BatchError) Error() string {
	const max = 20
	p := e.Problems
	more := ""
	if len(p) > max {
		more = fmt.Sprintf("\n(%d more)", len(p)-max)
		p = p[:max]
	}
	return fmt.Sprintf("%d malformed row(s), nothing looked up:\n%s%s", len(e.Problems), strings.Join(p, "\n"), more)
}

// MaxBatchLine bounds one line of a batch input: a longer line is a
// usage error naming it, never a buffer grown to its size.
const MaxBatchLine = 64 << 10

// maxProblems bounds how many malformed rows are collected.
const maxProblems = 1000

// ParseAt reads a time: RFC 3339, or YYYY-MM-DD meaning midnight UTC.
func ParseAt(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither RFC 3339 (2026-08-20T12:00:00Z) nor a date (2026-08-20)", s)
}

// ParseBatch reads CSV with a header (provider,service[,country][,at][,exact])
// or JSON Lines with the same keys, and validates every row. All malformed
// rows are reported together in a *BatchError. It holds every row: for
// long inputs use [ScanBatch].
func ParseBatch(r io.Reader) ([]BatchRow, error) {
	var rows []BatchRow
	err := ScanBatch(r, func(row BatchRow) error {
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// ScanBatch reads a batch input row by row, in bounded memory, calling fn
// for each valid row in input order. Every malformed row is reported, by
// line, in a *BatchError returned at the end (fn has then seen the valid
// ones: validate a whole input first, with a fn that does nothing, before
// answering any row). A line longer than MaxBatchLine stops the scan with a
// *BatchError naming it. An error from fn stops the scan and is returned.
func ScanBatch(r io.Reader, fn func(BatchRow) error) error {
	lr := &lineLimiter{r: r, line: 1}
	br := bufio.NewReaderSize(lr, 64<<10)
	// Skip a UTF-8 byte-order mark and look at the first significant byte.
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	first, err := firstByte(br)
	if err != nil {
		if tl := lr.tooLong(); tl != nil {
			return tl
		}
		if err == io.EOF {
			return errors.New("batch input is empty")
		}
		return err
	}
	var problems []string
	rows := 0
	emit := func(rr rawRow) error {
		row, errs := validate(rr)
		if len(errs) > 0 {
			if len(problems) < maxProblems {
				problems = append(problems, errs...)
			}
			return nil
		}
		rows++
		if len(problems) > 0 {
			return nil // malformed input: nothing more is answered
		}
		return fn(row)
	}
	var perr error
	var headProblems []string
	if first == '{' {
		headProblems, perr = scanJSONL(br, emit)
	} else {
		headProblems, perr = scanCSV(br, emit)
	}
	if tl := lr.tooLong(); tl != nil {
		return tl
	}
	if perr != nil {
		return perr
	}
	problems = append(headProblems, problems...)
	if len(problems) > 0 {
		return &BatchError{Problems: problems}
	}
	if rows == 0 {
		return errors.New("batch input has a header but no rows")
	}
	return nil
}

// firstByte returns the first byte that is not white space, unread.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b, br.UnreadByte()
	}
}

// lineLimiter fails a read once a line grows past MaxBatchLine, so that no
// reader above it buffers a huge line.
type lineLimiter struct {
	r    io.Reader
	line int // the current line number
	n    int // bytes of the current line so far
	long *BatchError
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.long != nil {
		return 0, l.long
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.line++
			l.n = 0
			continue
		}
		l.n++
		if l.n > MaxBatchLine {
			l.long = &BatchError{Problems: []string{fmt.Sprintf("line %d: longer than %d bytes (one row per line; nothing looked up)", l.line, MaxBatchLine)}}
			return i, l.long
		}
	}
	return n, err
}

func (l *lineLimiter) tooLong() error {
	if l.long != nil {
		return l.long
	}
	return nil
}

type rawRow struct {
	line                                  int
	provider, service, country, at, exact string
}

func validate(rr rawRow) (BatchRow, []string) {
	row := BatchRow{Line: rr.line, Provider: strings.TrimSpace(rr.provider), Service: strings.TrimSpace(rr.service), Country: CountryAlias(rr.country)}
	var errs []string
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Sprintf("line %d: ", rr.line)+fmt.Sprintf(format, args...))
	}
	if row.Provider == "" {
		bad("provider is empty")
	}
	k, err := ParseKind(row.Service)
	if err != nil {
		bad("%v", err)
	}
	row.Kind = k
	if row.Country != "" && (len(row.Country) != 2 || strings.ToUpper(row.Country) != row.Country || !isLetters(row.Country)) {
		bad("country %q is not a two-letter territory code", rr.country)
	}
	if strings.TrimSpace(rr.at) != "" {
		if row.At, err = ParseAt(rr.at); err != nil {
			bad("at: %v", err)
		}
	}
	switch strings.ToLower(strings.TrimSpace(rr.exact)) {
	case "", "false", "no", "0":
	case "true", "yes", "1":
		row.Exact = true
	default:
		bad("exact %q is neither true nor false", rr.exact)
	}
	return row, errs
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

func scanCSV(r io.Reader, emit func(rawRow) error) ([]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return []string{fmt.Sprintf("line 1: cannot read the CSV header: %v", err)}, nil
	}
	header = append([]string(nil), header...)
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var problems []string
	for _, need := range []string{"provider", "service"} {
		if _, ok := col[need]; !ok {
			problems = append(problems, fmt.Sprintf("line 1: the CSV header lacks %q (want provider,service[,country][,at][,exact])", need))
		}
	}
	for h := range col {
		switch h {
		case "provider", "service", "country", "at", "exact":
		default:
			problems = append(problems, fmt.Sprintf("line 1: unknown CSV column %q", h))
		}
	}
	if len(problems) > 0 {
		return problems, nil
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var be *BatchError
		if errors.As(err, &be) {
			return nil, be
		}
		if err != nil {
			return append(problems, fmt.Sprintf("CSV: %v", err)), nil
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) > len(header) {
			problems = append(problems, fmt.Sprintf("line %d: %d fields, the header has %d", line, len(rec), len(header)))
			continue
		}
		if err := emit(rawRow{line: line, provider: get(rec, "provider"), service: get(rec, "service"), country: get(rec, "country"), at: get(rec, "at"), exact: get(rec, "exact")}); err != nil {
			return nil, err
		}
	}
	return problems, nil
}

func scanJSONL(r io.Reader, emit func(rawRow) error) ([]string, error) {
	var problems []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxBatchLine+1)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var obj map[string]any
		dec := json.NewDecoder(bytes.NewReader(text))
		if err := dec.Decode(&obj); err != nil {
			problems = append(problems, fmt.Sprintf("line %d: not a JSON object: %v", line, err))
			continue
		}
		if dec.More() {
			problems = append(problems, fmt.Sprintf("line %d: more than one JSON value", line))
			continue
		}
		rr := rawRow{line: line}
		bad := false
		for k, v := range obj {
			if k == "exact" {
				if b, ok := v.(bool); ok {
					rr.exact = strconv.FormatBool(b)
					continue
				}
			}
			s, ok := v.(string)
			if !ok {
				problems = append(problems, fmt.Sprintf("line %d: %q must be a string", line, k))
				bad = true
				continue
			}
			switch k {
			case "provider":
				rr.provider = s
			case "service":
				rr.service = s
			case "country":
				rr.country = s
			case "at":
				rr.at = s
			case "exact":
				rr.exact = s
			default:
				problems = append(problems, fmt.Sprintf("line %d: unknown key %q", line, k))
				bad = true
			}
		}
		if bad {
			continue
		}
		if err := emit(rr); err != nil {
			return nil, err
		}
		if len(problems) > maxProblems {
			break
		}
	}
	if err := sc.Err(); err != nil {
		var be *BatchError
		if errors.As(err, &be) {
			return nil, be
		}
		return append(problems, fmt.Sprintf("line %d: %v", line+1, err)), nil
	}
	return problems, nil
}
