package marketdata

import (
	"math"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
)

// The bounds beyond which a quote that Load accepts is taken for a
// percentage written where the market file wants a decimal (4.10 for a
// rate of 4.1%, 25.5 for a vol of 25.5%). Each lies above every value a
// desk quotes as a decimal and below nearly every value it quotes as a
// percentage, so that a warning is almost surely a unit error.
const (
	// MaxPlausibleRate bounds |value| of a RATE or DIVYIELD quote: a
	// continuously compounded zero rate of 1 is 100% (172% a year
	// compounded annually), beyond any currency's curve outside
	// hyperinflation, while rates and yields written in percent are 1 or
	// more from 1% up. A percentage below 1% (0.5 for 0.5%) cannot be told
	// from a decimal and gets no warning.
	MaxPlausibleRate = 1.0
	// MaxPlausibleVol bounds a VOL quote: 5 is a 500% implied vol, more
	// than even short-dated options on the most volatile stocks reach,
	// while an equity or FX vol written in percent is 5 or more.
	MaxPlausibleVol = 5.0
)

// Warning is a quote that was accepted but is almost surely wrong: a RATE
// or DIVYIELD whose magnitude is above MaxPlausibleRate, or a VOL above
// MaxPlausibleVol, read as a percentage written where a decimal is
// expected. A Market carries the warnings of its quotes (Market.Warnings)
// for the caller to report or, if it wants, to treat as errors: the
// market itself is built from the values as written.
type Warning struct {
	// File, Line and Column are the position of the quote's value cell
	// (as in a *strictcsv.Error); File is "" and Column 0 for a quote
	// built in code (New), whose Line is the Quote's.
	File         string
	Line, Column int
	Field        string // the column the warning is about: "value"
	Key          string // the quote's risk-factor key, RATE/USD/1Y
	Msg          string // what looks wrong and what was probably meant
}

// Error formats w as the package's errors are formatted,
// "file:line:column: field: msg", for example
//
//	market.csv:4:14: value: RATE/USD/1Y = 4.1 looks like a percentage (a rate is a decimal: 4.1% is 0.041)
//
// so that a caller that treats warnings as errors can return one.
func (w Warning) Error() string {
	e := strictcsv.Error{File: w.File, Line: w.Line, Column: w.Column, Field: w.Field, Msg: w.Msg}
	return e.Error()
}

// String returns w.Error().
func (w Warning) String() string { return w.Error() }

// unitWarning returns the message of a warning for quote q (whose Key is
// set), or "" if its value is plausible.
func unitWarning(q *Quote) string {
	var what string
	switch {
	case (q.Kind == Rate || q.Kind == DivYield) && math.Abs(q.Value) > MaxPlausibleRate:
		what = "a rate"
		if q.Kind == DivYield {
			what = "a dividend yield"
		}
	case q.Kind == Vol && q.Value > MaxPlausibleVol:
		what = "a vol"
	default:
		return ""
	}
	// The decimal the percentage stands for, shifted exactly from the
	// shortest text of the value: 4.1/100 in float64 is
	// 0.040999999999999995.
	v := strconv.FormatFloat(q.Value, 'g', -1, 64)
	d := strconv.FormatFloat(decimal.NewFromFloat(q.Value).Shift(-2).InexactFloat64(), 'g', -1, 64)
	return q.Key + " = " + v + " looks like a percentage (" + what + " is a decimal: " + v + "% is " + d + ")"
}
