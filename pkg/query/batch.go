package query

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// MaxBatchInput bounds a batch input.
const MaxBatchInput = 64 << 20

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

// ParseBatch reads CSV with a header (provider,service[,country][,at]) or
// JSON Lines with the same keys, and validates every row before any is
// answered. All malformed rows are reported together in a *BatchError.
func ParseBatch(r io.Reader) ([]BatchRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBatchInput+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBatchInput {
		return nil, fmt.Errorf("batch input over %d bytes", MaxBatchInput)
	}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, errors.New("batch input is empty")
	}
	var raw []rawRow
	var problems []string
	if trimmed[0] == '{' {
		raw, problems = parseJSONL(data)
	} else {
		raw, problems = parseCSV(data)
	}
	var rows []BatchRow
	for _, rr := range raw {
		row, errs := validate(rr)
		problems = append(problems, errs...)
		rows = append(rows, row)
	}
	if len(problems) > 0 {
		return nil, &BatchError{Problems: problems}
	}
	if len(rows) == 0 {
		return nil, errors.New("batch input has a header but no rows")
	}
	return rows, nil
}

type rawRow struct {
	line                           int
	provider, service, country, at string
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

func parseCSV(data []byte) ([]rawRow, []string) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, []string{fmt.Sprintf("line 1: cannot read the CSV header: %v", err)}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var problems []string
	for _, need := range []string{"provider", "service"} {
		if _, ok := col[need]; !ok {
			problems = append(problems, fmt.Sprintf("line 1: the CSV header lacks %q (want provider,service[,country][,at])", need))
		}
	}
	for h := range col {
		switch h {
		case "provider", "service", "country", "at":
		default:
			problems = append(problems, fmt.Sprintf("line 1: unknown CSV column %q", h))
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	var rows []rawRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("CSV: %v", err))
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) > len(header) {
			problems = append(problems, fmt.Sprintf("line %d: %d fields, the header has %d", line, len(rec), len(header)))
			continue
		}
		rows = append(rows, rawRow{line: line, provider: get(rec, "provider"), service: get(rec, "service"), country: get(rec, "country"), at: get(rec, "at")})
	}
	return rows, problems
}

func parseJSONL(data []byte) ([]rawRow, []string) {
	var rows []rawRow
	var problems []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var obj map[string]any
		dec := json.NewDecoder(strings.NewReader(text))
		if err := dec.Decode(&obj); err != nil {
			problems = append(problems, fmt.Sprintf("line %d: not a JSON object: %v", line, err))
			continue
		}
		if dec.More() {
			problems = append(problems, fmt.Sprintf("line %d: more than one JSON value", line))
			continue
		}
		rr := rawRow{line: line}
		for k, v := range obj {
			s, ok := v.(string)
			if !ok {
				problems = append(problems, fmt.Sprintf("line %d: %q must be a string", line, k))
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
			default:
				problems = append(problems, fmt.Sprintf("line %d: unknown key %q", line, k))
			}
		}
		rows = append(rows, rr)
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, fmt.Sprintf("line %d: %v", line+1, err))
	}
	return rows, problems
}
