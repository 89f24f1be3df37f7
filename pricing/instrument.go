package pricing

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

// Instrument is a product with terms, apart from the engine that prices it
// (see Engine): European, Digital, Barrier, Asian, American and Basket. The
// instruments of this package are built by their New functions, which
// validate their terms once: an instrument that exists has a call or a
// put, a positive strike and expiry, and the terms of its kind (a barrier
// level, fixings, weights) within their domains. Neither the portfolio
// reader nor an engine checks them again.
type Instrument interface {
	// Kind is the instrument's name in the portfolio file ("european", ...).
	Kind() string
	// Underlying names the asset whose delta and gamma the result reports,
	// or "" where they are not defined (a basket).
	Underlying() string
	// Underlyings names the assets whose VOL and DIVYIELD quotes make up
	// the instrument's vega and div_rho.
	Underlyings() []string
	// Currency names the discount curve.
	Currency() string
}

// OptionType says whether an option is a call or a put: closedform's,
// which the formulas take. The zero OptionType is neither, and no
// instrument is built with it.
type OptionType = closedform.OptionType

// The option types.
const (
	Call = closedform.Call
	Put  = closedform.Put
)

// Option holds the terms every option shares.
type Option struct {
	// Asset is the underlying's name (its SPOT quote); a basket's New
	// function sets it to the names of its assets joined by "|".
	Asset string
	// Ccy is the currency whose RATE curve discounts the payoff.
	Ccy  string
	Type OptionType
	// Strike is the absolute strike; Expiry is the time to expiry in years
	// from the market's as-of date (ACT/365F).
	Strike, Expiry float64
}

// A TermError is a term of an instrument or an engine that its New
// function refuses, or an instrument that an engine cannot price. Term
// names it as the portfolio file's column does ("strike", "barrier",
// "engine", ...), so that the reader reports the error at that cell.
type TermError struct {
	Term string
	Err  error
}

// Error returns the reason, which names the term.
func (e *TermError) Error() string { return e.Err.Error() }

// Unwrap returns the reason.
func (e *TermError) Unwrap() error { return e.Err }

// termErrorf returns a *TermError for term with a formatted reason.
func termErrorf(term, format string, args ...any) error {
	return &TermError{Term: term, Err: fmt.Errorf(format, args...)}
}

func (o Option) validate() error {
	switch {
	case o.Asset == "":
		return termErrorf("underlying", "no underlying")
	case o.Ccy == "":
		return termErrorf("currency", "no currency")
	case o.Type != Call && o.Type != Put:
		return termErrorf("option_type", "option type %v: want call or put", o.Type)
	case !(o.Strike > 0) || math.IsInf(o.Strike, 0):
		return termErrorf("strike", "strike %v: want a positive number", o.Strike)
	case !(o.Expiry > 0) || math.IsInf(o.Expiry, 0):
		return termErrorf("expiry", "expiry %v years: want a time after the as-of date", o.Expiry)
	}
	return nil
}

// Underlying returns the asset's name.
func (o Option) Underlying() string { return o.Asset }

// Underlyings returns the asset's name, alone.
func (o Option) Underlyings() []string { return []string{o.Asset} }

// Currency returns the discount curve's currency.
func (o Option) Currency() string { return o.Ccy }

// params reads the Black–Scholes–Merton inputs of o at the scope's
// valuation time: the spot, the zero rate and dividend yield to expiry and
// the implied vol at (expiry, strike).
func (o Option) params(sc *marketdata.Scope) (closedform.Params, error) {
	t := sc.Time(o.Expiry)
	s, err := sc.Spot(o.Asset)
	if err != nil {
		return closedform.Params{}, err
	}
	r, err := sc.ZeroRate(o.Ccy, t)
	if err != nil {
		return closedform.Params{}, err
	}
	q, err := sc.DivYield(o.Asset, t)
	if err != nil {
		return closedform.Params{}, err
	}
	vol, err := sc.Vol(o.Asset, t, o.Strike)
	if err != nil {
		return closedform.Params{}, err
	}
	p := closedform.Params{S: s, K: aad.Const(o.Strike), T: t, R: r, Q: q, Vol: vol}
	return p, p.Validate()
}

// sign is +1 for a call and −1 for a put.
func (o Option) sign() float64 {
	if o.Type == Put {
		return -1
	}
	return 1
}

// vanilla returns max(φ·(x − K), 0).
func vanilla(tp *aad.Tape, x aad.Number, k, sign float64) aad.Number {
	return tp.Max(tp.MulConst(tp.SubConst(x, k), sign), aad.Const(0))
}
