package reports

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
	"github.com/aadrisk/aadrisk/pricing"
)

// The readers below read back the files a Writer wrote, streaming: a row at
// a time, in constant memory, so that `aadrisk merge` can combine the shards
// of a batch of any size.
//
// They accept exactly what a Writer writes and nothing else: the header
// byte for byte; LF line ends and a final LF (a file cut short is refused);
// RFC 4180 quoting where, and only where, appendText quotes; text cells
// neutralised as appendText does (the leading apostrophe is dropped);
// numbers in the shortest form that reads back exactly, as appendNum
// writes them (so no NaN, no infinity, no "-0", no "1.0"); risk factors
// that are keys of a market (marketdata.ParseKey); and the blank cells a
// Writer leaves blank. So what they read, written again by a
// Writer, gives the same bytes: a merge reproduces an unsharded run byte for
// byte, and a file edited by hand or damaged is refused rather than merged.
// Every error is a *strictcsv.Error naming the file, the line, the column
// and the field, as the readers of the input files do.

// MaxReadRecord bounds the length of one record (a row, with the lines of
// its quoted fields) that the readers accept, and so their memory.
const MaxReadRecord = 64 << 20

// readBufSize is the read buffer of each reader. A merge opens three or four
// readers per shard, so it stays modest.
const readBufSize = 16 << 10

// csvReader reads the records of one CSV file written by a Writer.
type csvReader struct {
	br     *bufio.Reader
	file   string
	names  []string // the columns
	line   int      // physical lines read
	long   []byte   // a line longer than br's buffer
	num    []byte   // scratch for the canonical form of a number
	buf    []byte   // the fields of the current record, unquoted, end to end
	ends   []int    // the end of each field in buf
	lines  []int    // the line of each field
	cols   []int    // the column of each field
	quoted []bool   // whether each field was quoted
}

// newCSVReader reads and checks the header, which must be header exactly
// (with its LF).
func newCSVReader(r io.Reader, file, header string) (*csvReader, error) {
	c := &csvReader{br: bufio.NewReaderSize(r, readBufSize), file: file}
	got, err := c.readLine()
	if err == io.EOF {
		return nil, &strictcsv.Error{File: file, Msg: "empty file: want the header " + strconv.Quote(header[:len(header)-1])}
	}
	if err != nil {
		return nil, err
	}
	if want := header[:len(header)-1]; string(got) != want {
		// The column is that of the first byte that differs.
		col := 1
		for col <= len(got) && col <= len(want) && got[col-1] == want[col-1] {
			col++
		}
		msg := fmt.Sprintf("header %q: want %q", truncate(got), want)
		if why, ok := oldHeaders[string(got)]; ok && header == riskHeader {
			msg = why + ": " + msg
		}
		return nil, &strictcsv.Error{File: file, Line: 1, Column: col, Msg: msg}
	}
	for _, f := range bytes.Split([]byte(header[:len(header)-1]), []byte{','}) {
		c.names = append(c.names, string(f))
	}
	return c, nil
}

func (c *csvReader) errorf(line, col int, field, format string, args ...any) error {
	return &strictcsv.Error{File: c.file, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// fieldErr is an error about field i of the current record.
func (c *csvReader) fieldErr(i int, format string, args ...any) error {
	return c.errorf(c.lines[i], c.cols[i], c.names[i], format, args...)
}

// readLine returns the next physical line without its LF; io.EOF at the
// end of the file. A last line without an LF is an error: the file was
// cut short.
func (c *csvReader) readLine() ([]byte, error) {
	b, err := c.br.ReadSlice('\n')
	if err == nil {
		c.line++
		return b[:len(b)-1], nil
	}
	if err == bufio.ErrBufferFull {
		c.long = append(c.long[:0], b...)
		for err == bufio.ErrBufferFull {
			if len(c.long) > MaxReadRecord {
				return nil, c.errorf(c.line+1, 0, "", "line longer than %d bytes", MaxReadRecord)
			}
			b, err = c.br.ReadSlice('\n')
			c.long = append(c.long, b...)
		}
		if err == nil {
			c.line++
			return c.long[:len(c.long)-1], nil
		}
		b = c.long
	}
	if err == io.EOF {
		if len(b) == 0 {
			return nil, io.EOF
		}
		return nil, c.errorf(c.line+1, 0, "", "the file ends in the middle of a line (no final line end): it was cut short")
	}
	return nil, &strictcsv.Error{File: c.file, Line: c.line + 1, Msg: err.Error(), Err: err}
}

// next reads the next record; io.EOF at the end of the file.
func (c *csvReader) next() error {
	line, err := c.readLine()
	if err != nil {
		return err
	}
	c.buf, c.ends, c.lines, c.cols, c.quoted = c.buf[:0], c.ends[:0], c.lines[:0], c.cols[:0], c.quoted[:0]
	start := c.line
	pos := 0
	for {
		fline, fcol := c.line, pos+1
		quoted := pos < len(line) && line[pos] == '"'
		if quoted {
			pos++
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 { // the field goes on on the next line
					c.buf = append(c.buf, line[pos:]...)
					c.buf = append(c.buf, '\n')
					if len(c.buf) > MaxReadRecord {
						return c.errorf(start, 0, "", "record longer than %d bytes", MaxReadRecord)
					}
					line, err = c.readLine()
					if err == io.EOF {
						return c.errorf(fline, fcol, "", "quoted field not closed before the end of the file")
					}
					if err != nil {
						return err
					}
					pos = 0
					continue
				}
				c.buf = append(c.buf, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					c.buf = append(c.buf, '"')
					pos++
					continue
				}
				break
			}
		} else {
			end := pos
			for end < len(line) && !unquotedStop[line[end]] {
				end++
			}
			if end < len(line) && line[end] != ',' {
				return c.errorf(c.line, end+1, "", "%q in an unquoted field", line[end])
			}
			c.buf = append(c.buf, line[pos:end]...)
			pos = end
		}
		if len(c.ends) == len(c.names) {
			return c.errorf(fline, fcol, "", "more than %d fields", len(c.names))
		}
		c.ends = append(c.ends, len(c.buf))
		c.lines = append(c.lines, fline)
		c.cols = append(c.cols, fcol)
		c.quoted = append(c.quoted, quoted)
		if pos == len(line) {
			break
		}
		if line[pos] != ',' {
			return c.errorf(c.line, pos+1, "", "want a comma or the end of the line after a quoted field, got %q", line[pos])
		}
		pos++
	}
	if len(c.ends) != len(c.names) {
		return c.errorf(start, 0, "", "%d fields, want %d (%s)", len(c.ends), len(c.names), joinNames(c.names))
	}
	return nil
}

// unquotedStop marks the bytes that end an unquoted field: the comma, and
// the quote and CR, which cannot be in one.
var unquotedStop = [256]bool{',': true, '"': true, '\r': true}

func joinNames(names []string) string {
	var b []byte
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, n...)
	}
	return string(b)
}

// recordLine is the line on which the current record began.
func (c *csvReader) recordLine() int {
	if len(c.lines) == 0 {
		return c.line
	}
	return c.lines[0]
}

// raw returns field i as read, unquoted.
func (c *csvReader) raw(i int) []byte {
	start := 0
	if i > 0 {
		start = c.ends[i-1]
	}
	return c.buf[start:c.ends[i]]
}

// textBytes returns text field i with its neutralising apostrophe removed,
// refusing a cell that appendText would not have written so.
func (c *csvReader) textBytes(i int) ([]byte, error) {
	b := c.raw(i)
	if len(b) > 0 && b[0] == '\'' {
		if len(b) == 1 || !formulaStart(b[1]) {
			return nil, c.fieldErr(i, "a leading apostrophe before %q, which is not neutralised: not a file written by aadrisk", truncate(b[1:]))
		}
		b = b[1:]
	} else if len(b) > 0 && formulaStart(b[0]) {
		return nil, c.fieldErr(i, "text beginning with %q is not neutralised: not a file written by aadrisk", b[:1])
	}
	if needsQuotesBytes(b) != c.quoted[i] {
		if c.quoted[i] {
			return nil, c.fieldErr(i, "quoted, but aadrisk does not quote %q", truncate(b))
		}
		return nil, c.fieldErr(i, "%q must be quoted", truncate(b))
	}
	return b, nil
}

// text is textBytes as a string.
func (c *csvReader) text(i int) (string, error) {
	b, err := c.textBytes(i)
	return string(b), err
}

// intern returns the text field i from m, adding it while m is smaller than
// limit: instruments, engines and risk factors repeat on every row.
func (c *csvReader) intern(i int, m map[string]string, limit int) (string, error) {
	b, err := c.textBytes(i)
	if err != nil {
		return "", err
	}
	if s, ok := m[string(b)]; ok {
		return s, nil
	}
	s := string(b)
	if len(m) < limit {
		m[s] = s
	}
	return s, nil
}

func needsQuotesBytes(b []byte) bool {
	if len(b) > 0 && b[0] == ' ' {
		return true
	}
	for _, c := range b {
		if quoted[c] {
			return true
		}
	}
	return false
}

// key reads text field i, a risk-factor key, through the cache m (nil for
// none): a sensitivities.csv repeats its keys on every trade's rows, and a
// key read once is not parsed again while m is smaller than 1<<16.
func (c *csvReader) key(i int, m map[string]marketdata.Key) (marketdata.Key, error) {
	b, err := c.textBytes(i)
	if err != nil {
		return marketdata.Key{}, err
	}
	if k, ok := m[string(b)]; ok {
		return k, nil
	}
	k, err := marketdata.ParseKey(string(b))
	if err != nil {
		return k, c.fieldErr(i, "%v", err)
	}
	if m != nil && len(m) < 1<<16 {
		m[k.String()] = k
	}
	return k, nil
}

// number reads field i, a finite number in the form appendNum writes.
func (c *csvReader) number(i int) (float64, error) {
	b := c.raw(i)
	if len(b) == 0 {
		return 0, c.fieldErr(i, "want a number, got a blank cell")
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err == nil {
		var ok bool
		c.num, ok = appendNum(c.num[:0], v)
		if ok && !c.quoted[i] && bytes.Equal(c.num, b) {
			return v, nil
		}
	}
	return 0, c.fieldErr(i, "want a finite number in the shortest form that reads back exactly, as aadrisk writes it, got %q", truncate(b))
}

// optNumber reads field i, a number or a blank cell.
func (c *csvReader) optNumber(i int) (float64, bool, error) {
	if len(c.raw(i)) == 0 && !c.quoted[i] {
		return 0, false, nil
	}
	v, err := c.number(i)
	return v, err == nil, err
}

// blank checks that field i is blank.
func (c *csvReader) blank(i int, why string) error {
	if b := c.raw(i); len(b) != 0 || c.quoted[i] {
		return c.fieldErr(i, "want a blank cell %s, got %q", why, truncate(b))
	}
	return nil
}

// word reads field i, one of the words given, unquoted.
func (c *csvReader) word(i int, words ...string) (int, error) {
	b := c.raw(i)
	if !c.quoted[i] {
		for j, w := range words {
			if string(b) == w {
				return j, nil
			}
		}
	}
	return 0, c.fieldErr(i, "want %s, got %q", orList(words), truncate(b))
}

func orList(words []string) string {
	s := ""
	for i, w := range words {
		switch {
		case i == 0:
		case i == len(words)-1:
			s += " or "
		default:
			s += ", "
		}
		s += strconv.Quote(w)
	}
	return s
}

// truncate shortens b for an error message.
func truncate(b []byte) string {
	const max = 80
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// Columns of results.csv.
const (
	rTradeID = iota
	rInstrument
	rEngine
	rStatus
	rPV
	rStdError
	rDelta
	rGamma
	rVega
	rRho
	rDivRho
	rTheta
	rVanna
	rVolga
	rDeltaSE
	rGammaSE
	rVegaSE
	rRhoSE
	rDivRhoSE
	rThetaSE
	rVannaSE
	rVolgaSE
	rError
)

// ResultsReader reads back a results.csv written by a Writer, one row at a
// time.
type ResultsReader struct {
	c     *csvReader
	words map[string]string
}

// NewResultsReader reads and checks the header of a results.csv; file names
// it in errors.
func NewResultsReader(r io.Reader, file string) (*ResultsReader, error) {
	c, err := newCSVReader(r, file, resultsHeader)
	if err != nil {
		return nil, err
	}
	return &ResultsReader{c: c, words: make(map[string]string)}, nil
}

// Line returns the line on which the last row read began.
func (rr *ResultsReader) Line() int { return rr.c.recordLine() }

// Next reads the next row into res, replacing what it held (res.Sens is set
// to res.Sens[:0], keeping its memory; results.csv has no sensitivities, nor
// the trade's line, which is left 0). A row with status "error" gives a
// Result whose Err has the row's message as its text, so that a Writer
// writes the same row again. Next returns io.EOF after the last row.
func (rr *ResultsReader) Next(res *pricing.Result) error {
	c := rr.c
	if err := c.next(); err != nil {
		return err
	}
	*res = pricing.Result{Sens: res.Sens[:0], Second: res.Second[:0]}
	var err error
	if res.TradeID, err = c.text(rTradeID); err != nil {
		return err
	}
	if res.Instrument, err = c.intern(rInstrument, rr.words, 64); err != nil {
		return err
	}
	if res.Engine, err = c.intern(rEngine, rr.words, 64); err != nil {
		return err
	}
	status, err := c.word(rStatus, "ok", "error")
	if err != nil {
		return err
	}
	if status == 1 {
		for i := rPV; i <= rVolgaSE; i++ {
			if err := c.blank(i, "in an error row"); err != nil {
				return err
			}
		}
		msg, err := c.text(rError)
		if err != nil {
			return err
		}
		res.Err = errors.New(msg)
		return nil
	}
	for _, f := range [...]struct {
		i int
		v *float64
	}{{rPV, &res.PV}, {rVega, &res.Vega}, {rRho, &res.Rho}, {rDivRho, &res.DivRho}, {rTheta, &res.Theta}, {rVolga, &res.Volga}} {
		if *f.v, err = c.number(f.i); err != nil {
			return err
		}
	}
	if res.StdError, res.HasStdError, err = c.optNumber(rStdError); err != nil {
		return err
	}
	var hasGamma bool
	if res.Delta, res.HasDelta, err = c.optNumber(rDelta); err != nil {
		return err
	}
	if res.Gamma, hasGamma, err = c.optNumber(rGamma); err != nil {
		return err
	}
	if hasGamma != res.HasDelta {
		return c.fieldErr(rGamma, "delta and gamma are both given or both blank")
	}
	var hasVanna bool
	if res.Vanna, hasVanna, err = c.optNumber(rVanna); err != nil {
		return err
	}
	if hasVanna != res.HasDelta {
		return c.fieldErr(rVanna, "delta and vanna are both given or both blank")
	}
	// The standard errors of the Greeks are given exactly when std_error
	// is (delta's and gamma's also only with a delta).
	for _, f := range [...]struct {
		i    int
		v    *float64
		want bool
	}{
		{rDeltaSE, &res.DeltaStdError, res.HasStdError && res.HasDelta},
		{rGammaSE, &res.GammaStdError, res.HasStdError && res.HasDelta},
		{rVegaSE, &res.VegaStdError, res.HasStdError},
		{rRhoSE, &res.RhoStdError, res.HasStdError},
		{rDivRhoSE, &res.DivRhoStdError, res.HasStdError},
		{rThetaSE, &res.ThetaStdError, res.HasStdError},
		{rVannaSE, &res.VannaStdError, res.HasStdError && res.HasDelta},
		{rVolgaSE, &res.VolgaStdError, res.HasStdError},
	} {
		if !f.want {
			why := "where std_error is blank"
			if res.HasStdError {
				why = "where delta is blank"
			}
			if err := c.blank(f.i, why); err != nil {
				return err
			}
			continue
		}
		if *f.v, err = c.number(f.i); err != nil {
			return err
		}
	}
	return c.blank(rError, "in an ok row")
}

// SensitivityRow is a row of sensitivities.csv.
type SensitivityRow struct {
	TradeID string
	pricing.Sensitivity
}

// SensitivitiesReader reads back a sensitivities.csv written by a Writer,
// one row at a time.
type SensitivitiesReader struct {
	c       *csvReader
	factors map[string]marketdata.Key
	lastID  string
}

// NewSensitivitiesReader reads and checks the header of a
// sensitivities.csv; file names it in errors.
func NewSensitivitiesReader(r io.Reader, file string) (*SensitivitiesReader, error) {
	c, err := newCSVReader(r, file, sensitivitiesHeader)
	if err != nil {
		return nil, err
	}
	return &SensitivitiesReader{c: c, factors: make(map[string]marketdata.Key)}, nil
}

// Line returns the line on which the last row read began.
func (sr *SensitivitiesReader) Line() int { return sr.c.recordLine() }

// Next reads the next row into row; io.EOF after the last row. The row's
// Quote is −1: a file has no market.
func (sr *SensitivitiesReader) Next(row *SensitivityRow) error {
	c := sr.c
	if err := c.next(); err != nil {
		return err
	}
	id, err := c.textBytes(0)
	if err != nil {
		return err
	}
	if string(id) != sr.lastID { // a trade's rows are consecutive
		sr.lastID = string(id)
	}
	*row = SensitivityRow{TradeID: sr.lastID, Sensitivity: pricing.Sensitivity{Quote: -1}}
	if row.RiskFactor, err = c.key(1, sr.factors); err != nil {
		return err
	}
	if row.Value, err = c.number(2); err != nil {
		return err
	}
	row.StdError, row.HasStdError, err = c.optNumber(3)
	return err
}

// oldHeaders explains the headers of files that earlier versions of
// aadrisk wrote and this one no longer reads.
var oldHeaders = map[string]string{
	"risk_factor,sensitivity": "the risk.csv of an earlier aadrisk, which added up sensitivities in different currencies; " +
		"risk.csv now has one row per risk factor and currency (price the batch again)",
}

// RiskRow is a row of risk.csv: the portfolio's sensitivity to one risk
// factor, summed over its trades in one currency (risk.csv has no standard
// errors).
type RiskRow struct {
	RiskFactor  marketdata.Key
	Currency    string
	Sensitivity float64
}

// RiskReader reads back a risk.csv written by a Writer, one row at a time,
// refusing rows out of the Writer's order (see Writer.Commit) or repeated.
type RiskReader struct {
	c    *csvReader
	asof time.Time
	prev riskKey
	any  bool
}

// NewRiskReader reads and checks the header of a risk.csv, of a run as of
// asof (the as-of date orders date pillars against tenors); file names it
// in errors. The risk.csv of an earlier aadrisk, with the header
// "risk_factor,sensitivity" (no currency), is refused.
func NewRiskReader(r io.Reader, file string, asof time.Time) (*RiskReader, error) {
	c, err := newCSVReader(r, file, riskHeader)
	if err != nil {
		return nil, err
	}
	return &RiskReader{c: c, asof: asof}, nil
}

// Line returns the line on which the last row read began.
func (rr *RiskReader) Line() int { return rr.c.recordLine() }

// Next reads the next row into row; io.EOF after the last row.
func (rr *RiskReader) Next(row *RiskRow) error {
	c := rr.c
	if err := c.next(); err != nil {
		return err
	}
	*row = RiskRow{}
	var err error
	if row.RiskFactor, err = c.key(0, nil); err != nil {
		return err
	}
	if row.Currency, err = c.text(1); err != nil {
		return err
	}
	k := riskKey{row.RiskFactor, row.Currency}
	if rr.any {
		o := cmp.Or(marketdata.CompareKeys(rr.prev.factor, k.factor, rr.asof), strings.Compare(rr.prev.currency, k.currency))
		if o >= 0 {
			what := "out of order"
			if o == 0 {
				what = "repeated"
			}
			return c.errorf(c.recordLine(), 1, "", "%v, %s: %s (risk.csv is sorted by risk factor in ladder order, then by currency, one row each)", k.factor, k.currency, what)
		}
	}
	rr.prev, rr.any = k, true
	row.Sensitivity, err = c.number(2)
	return err
}

// ValidationReader reads back a validation.csv written by a Writer, one row
// at a time.
type ValidationReader struct {
	c       *csvReader
	factors map[string]string
	lastID  string
}

// NewValidationReader reads and checks the header of a validation.csv; file
// names it in errors.
func NewValidationReader(r io.Reader, file string) (*ValidationReader, error) {
	c, err := newCSVReader(r, file, validationHeader)
	if err != nil {
		return nil, err
	}
	return &ValidationReader{c: c, factors: make(map[string]string)}, nil
}

// Line returns the line on which the last row read began.
func (vr *ValidationReader) Line() int { return vr.c.recordLine() }

// Next reads the next row into v; io.EOF after the last row.
func (vr *ValidationReader) Next(v *pricing.Validation) error {
	c := vr.c
	if err := c.next(); err != nil {
		return err
	}
	id, err := c.textBytes(0)
	if err != nil {
		return err
	}
	if string(id) != vr.lastID {
		vr.lastID = string(id)
	}
	*v = pricing.Validation{TradeID: vr.lastID}
	if v.RiskFactor, err = c.intern(1, vr.factors, 1<<16); err != nil {
		return err
	}
	checks := [...]string{pricing.CheckBump, pricing.CheckSameRN, pricing.CheckRevaluation}
	check, err := c.word(2, checks[:]...)
	if err != nil {
		return err
	}
	v.Check = checks[check]
	for i, p := range [...]*float64{&v.AAD, &v.Bump, &v.AbsDiff, &v.RelDiff, &v.Tolerance} {
		if *p, err = c.number(3 + i); err != nil {
			return err
		}
	}
	// std_error and z are given exactly for revaluation rows.
	if v.Check != pricing.CheckRevaluation {
		for _, i := range [...]int{8, 9} {
			if err := c.blank(i, "in a "+v.Check+" row"); err != nil {
				return err
			}
		}
	} else {
		if v.StdError, err = c.number(8); err != nil {
			return err
		}
		if v.Z, err = c.number(9); err != nil {
			return err
		}
		v.HasStdError = true
	}
	status, err := c.word(10, "ok", "fail")
	v.OK = status == 0
	return err
}
