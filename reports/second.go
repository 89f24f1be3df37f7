package reports

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing"
)

// The second-order files, written with WriterSettings.SecondOrder
// (--second-order): each trade's second-order sensitivities, and the
// portfolio's sums per currency.
const (
	SecondOrderFile     = "second_order.csv"
	RiskSecondOrderFile = "risk_second_order.csv"
)

const (
	secondOrderHeader     = "trade_id,currency,risk_factor,wrt,value,std_error\n"
	riskSecondOrderHeader = "risk_factor,wrt,currency,value\n"
)

// secondKey names a row of risk_second_order.csv: the two risk factors of
// a second derivative and the currency of the figures summed in it.
type secondKey struct {
	factor, wrt marketdata.Key
	currency    string
}

// secondID is a secondKey's identity (see riskID).
type secondID struct{ factor, wrt, currency string }

// secondTotal is a row of risk_second_order.csv being summed.
type secondTotal struct {
	key secondKey
	sum tradeSum
}

// addSecond writes the rows of second_order.csv of one ok trade, in the
// order of its Result's Second, in currency ccy, and adds them to the
// totals of risk_second_order.csv.
func (w *Writer) addSecond(id, ccy string, second []pricing.SecondOrder) {
	t := w.second
	b := t.buf
	for i := range second {
		s := &second[i]
		b = appendText(b, id)
		b = append(b, ',')
		b = appendText(b, ccy)
		b = append(b, ',')
		rf, wrt := s.RiskFactor.String(), s.Wrt.String()
		b = appendText(b, rf)
		b = append(b, ',')
		b = appendText(b, wrt)
		b = append(b, ',')
		b = appendNumOK(b, s.Value)
		b = append(b, ',')
		if s.HasStdError {
			b = appendNumOK(b, s.StdError)
		}
		b = append(b, '\n')
		k := secondID{rf, wrt, ccy}
		f := w.secondTotals[k]
		if f == nil {
			f = &secondTotal{key: secondKey{s.RiskFactor, s.Wrt, ccy}}
			w.secondTotals[k] = f
		}
		f.sum.addFrom(id, s.Value)
	}
	t.buf = b
	t.rows += len(second)
}

// sortSecond sorts keys in the order of risk_second_order.csv: by risk
// factor, then by wrt, both in the ladder order of marketdata.CompareKeys
// at asof, then by currency in byte order.
func sortSecond(keys []secondKey, asof time.Time) {
	seen := make(map[marketdata.Key]int, 2*len(keys))
	var factors []marketdata.Key
	for _, k := range keys {
		for _, f := range [...]marketdata.Key{k.factor, k.wrt} {
			if _, ok := seen[f]; !ok {
				seen[f] = 0
				factors = append(factors, f)
			}
		}
	}
	marketdata.SortKeys(factors, asof)
	for i, f := range factors {
		seen[f] = i
	}
	slices.SortFunc(keys, func(a, b secondKey) int {
		return cmp.Or(cmp.Compare(seen[a.factor], seen[b.factor]), cmp.Compare(seen[a.wrt], seen[b.wrt]),
			strings.Compare(a.currency, b.currency))
	})
}

// writeRiskSecond appends the rows of risk_second_order.csv: each the exact
// sum of the trades' figures in one currency, rounded once.
func (w *Writer) writeRiskSecond(asof time.Time) error {
	keys := make([]secondKey, 0, len(w.secondTotals))
	for _, f := range w.secondTotals {
		keys = append(keys, f.key)
	}
	sortSecond(keys, asof)
	t := w.riskSecond
	t.rows = len(keys)
	for _, k := range keys {
		f := w.secondTotals[secondID{k.factor.String(), k.wrt.String(), k.currency}]
		v := f.sum.value()
		var ok bool
		t.buf = appendText(t.buf, k.factor.String())
		t.buf = append(t.buf, ',')
		t.buf = appendText(t.buf, k.wrt.String())
		t.buf = append(t.buf, ',')
		t.buf = appendText(t.buf, k.currency)
		t.buf = append(t.buf, ',')
		if t.buf, ok = appendNum(t.buf, v); !ok {
			return fmt.Errorf("reports: second-order risk %q × %q in %q: %v (%s): %w", k.factor.String(), k.wrt.String(), k.currency, v, f.sum.largest(), errNonFinite)
		}
		t.buf = append(t.buf, '\n')
		if len(t.buf) >= flushSize {
			if err := t.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkSecond checks the second-order figures of an ok result.
func checkSecond(r *pricing.Result) error {
	for i := range r.Second {
		s := &r.Second[i]
		if s.RiskFactor == (marketdata.Key{}) || s.Wrt == (marketdata.Key{}) {
			return fmt.Errorf("reports: trade %q: second-order figure %d has no risk factor", r.TradeID, i)
		}
		if !finite(s.Value) {
			return nonFinite(r.TradeID, s.RiskFactor.String()+" × "+s.Wrt.String(), "second-order value", s.Value)
		}
		if s.HasStdError && !finite(s.StdError) {
			return nonFinite(r.TradeID, s.RiskFactor.String()+" × "+s.Wrt.String(), "second-order std_error", s.StdError)
		}
	}
	return nil
}

// SecondOrderRow is a row of second_order.csv.
type SecondOrderRow struct {
	TradeID, Currency string
	pricing.SecondOrder
}

// SecondOrderReader reads back a second_order.csv written by a Writer, one
// row at a time.
type SecondOrderReader struct {
	c       *csvReader
	factors map[string]marketdata.Key
	words   map[string]string
	lastID  string
}

// NewSecondOrderReader reads and checks the header of a second_order.csv;
// file names it in errors.
func NewSecondOrderReader(r io.Reader, file string) (*SecondOrderReader, error) {
	c, err := newCSVReader(r, file, secondOrderHeader)
	if err != nil {
		return nil, err
	}
	return &SecondOrderReader{c: c, factors: make(map[string]marketdata.Key), words: make(map[string]string)}, nil
}

// Line returns the line on which the last row read began.
func (sr *SecondOrderReader) Line() int { return sr.c.recordLine() }

// Next reads the next row into row; io.EOF after the last row. Its Quote
// and WrtQuote are −1: a file has no market.
func (sr *SecondOrderReader) Next(row *SecondOrderRow) error {
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
	*row = SecondOrderRow{TradeID: sr.lastID, SecondOrder: pricing.SecondOrder{Quote: -1, WrtQuote: -1}}
	if row.Currency, err = c.intern(1, sr.words, 1<<10); err != nil {
		return err
	}
	if row.RiskFactor, err = c.key(2, sr.factors); err != nil {
		return err
	}
	if row.Wrt, err = c.key(3, sr.factors); err != nil {
		return err
	}
	if row.Value, err = c.number(4); err != nil {
		return err
	}
	row.StdError, row.HasStdError, err = c.optNumber(5)
	return err
}

// RiskSecondOrderRow is a row of risk_second_order.csv: the portfolio's
// ∂²pv/∂RiskFactor∂Wrt, summed over its trades in one currency.
type RiskSecondOrderRow struct {
	RiskFactor, Wrt marketdata.Key
	Currency        string
	Value           float64
}

// RiskSecondOrderReader reads back a risk_second_order.csv written by a
// Writer, one row at a time, refusing rows out of its order (see
// Writer.Commit) or repeated.
type RiskSecondOrderReader struct {
	c    *csvReader
	asof time.Time
	prev secondKey
	any  bool
}

// NewRiskSecondOrderReader reads and checks the header of a
// risk_second_order.csv of a run as of asof; file names it in errors.
func NewRiskSecondOrderReader(r io.Reader, file string, asof time.Time) (*RiskSecondOrderReader, error) {
	c, err := newCSVReader(r, file, riskSecondOrderHeader)
	if err != nil {
		return nil, err
	}
	return &RiskSecondOrderReader{c: c, asof: asof}, nil
}

// Line returns the line on which the last row read began.
func (rr *RiskSecondOrderReader) Line() int { return rr.c.recordLine() }

// Next reads the next row into row; io.EOF after the last row.
func (rr *RiskSecondOrderReader) Next(row *RiskSecondOrderRow) error {
	c := rr.c
	if err := c.next(); err != nil {
		return err
	}
	*row = RiskSecondOrderRow{}
	var err error
	if row.RiskFactor, err = c.key(0, nil); err != nil {
		return err
	}
	if row.Wrt, err = c.key(1, nil); err != nil {
		return err
	}
	if row.Currency, err = c.text(2); err != nil {
		return err
	}
	k := secondKey{row.RiskFactor, row.Wrt, row.Currency}
	if rr.any {
		o := cmp.Or(marketdata.CompareKeys(rr.prev.factor, k.factor, rr.asof), marketdata.CompareKeys(rr.prev.wrt, k.wrt, rr.asof),
			strings.Compare(rr.prev.currency, k.currency))
		if o >= 0 {
			what := "out of order"
			if o == 0 {
				what = "repeated"
			}
			return c.errorf(c.recordLine(), 1, "", "%v × %v, %s: %s (risk_second_order.csv is sorted by risk factor, then wrt, in ladder order, then by currency, one row each)", k.factor, k.wrt, k.currency, what)
		}
	}
	rr.prev, rr.any = k, true
	row.Value, err = c.number(3)
	return err
}
