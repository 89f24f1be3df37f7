package pricing

import (
	"errors"
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

// Instrument is a product that can be valued on a market. Value records the
// value of one unit (quantity 1) on the scope's tape, reading every market
// input through the scope, so that one backward sweep gives its
// sensitivity to every quote it depends on. The same call on a scope reset
// with a nil tape gives the same value passively.
//
// The instruments of this package are built by their New functions, which
// validate their terms: an instrument that exists has a positive strike and
// expiry.
type Instrument interface {
	// Kind is the instrument's name in the portfolio file ("european", ...).
	Kind() string
	// Spot names the underlying whose delta and gamma the result reports, or
	// "" where they are not defined.
	Spot() string
	// Currency names the discount curve.
	Currency() string
	// Value records the value of one unit.
	Value(sc *marketdata.Scope) (aad.Number, error)
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

// Option holds the terms every single-asset option shares.
type Option struct {
	Underlying string
	// Ccy is the currency whose RATE curve discounts the payoff.
	Ccy  string
	Type OptionType
	// Strike is the absolute strike; Expiry is the time to expiry in years
	// from the market's as-of date (ACT/365F).
	Strike, Expiry float64
}

func (o Option) validate() error {
	switch {
	case o.Underlying == "":
		return errors.New("no underlying")
	case o.Ccy == "":
		return errors.New("no currency")
	case o.Type != Call && o.Type != Put:
		return fmt.Errorf("option type %v: want call or put", o.Type)
	case !(o.Strike > 0) || math.IsInf(o.Strike, 0):
		return fmt.Errorf("strike %v: want a positive number", o.Strike)
	case !(o.Expiry > 0) || math.IsInf(o.Expiry, 0):
		return fmt.Errorf("expiry %v years: want a time after the as-of date", o.Expiry)
	}
	return nil
}

// Spot returns the underlying's name.
func (o Option) Spot() string { return o.Underlying }

// Currency returns the discount curve's currency.
func (o Option) Currency() string { return o.Ccy }

// params reads the Black–Scholes–Merton inputs of o at the scope's
// valuation time: the spot, the zero rate and dividend yield to expiry and
// the implied vol at (expiry, strike).
func (o Option) params(sc *marketdata.Scope) (closedform.Params, error) {
	t := sc.Time(o.Expiry)
	s, err := sc.Spot(o.Underlying)
	if err != nil {
		return closedform.Params{}, err
	}
	r, err := sc.ZeroRate(o.Ccy, t)
	if err != nil {
		return closedform.Params{}, err
	}
	q, err := sc.DivYield(o.Underlying, t)
	if err != nil {
		return closedform.Params{}, err
	}
	vol, err := sc.Vol(o.Underlying, t, o.Strike)
	if err != nil {
		return closedform.Params{}, err
	}
	p := closedform.Params{S: s, K: aad.Const(o.Strike), T: t, R: r, Q: q, Vol: vol}
	return p, p.Validate()
}

// European is a European call or put, priced by Black–Scholes–Merton.
type European struct{ Option }

// NewEuropean returns a European option after checking its terms.
func NewEuropean(o Option) (*European, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	return &European{o}, nil
}

// Kind returns "european".
func (*European) Kind() string { return "european" }

// Value records the Black–Scholes–Merton value of one option.
func (e *European) Value(sc *marketdata.Scope) (aad.Number, error) {
	p, err := e.params(sc)
	if err != nil {
		return aad.Number{}, err
	}
	return closedform.European(sc.Tape(), e.Type, p), nil
}

// Digital pays, at expiry, a fixed cash amount (cash-or-nothing) or one unit
// of the underlying (asset-or-nothing) if it expires in the money.
type Digital struct {
	Option
	// Payout is the cash paid; Cash is false for asset-or-nothing.
	Payout float64
	Cash   bool
}

// NewDigital returns a digital option after checking its terms; payout is
// ignored unless cash is true.
func NewDigital(o Option, cash bool, payout float64) (*Digital, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if cash && (math.IsNaN(payout) || math.IsInf(payout, 0)) {
		return nil, fmt.Errorf("payout %v: want a finite number", payout)
	}
	if !cash {
		payout = 0
	}
	return &Digital{Option: o, Payout: payout, Cash: cash}, nil
}

// Kind returns "digital".
func (*Digital) Kind() string { return "digital" }

// Value records the Black–Scholes–Merton value of one digital.
func (d *Digital) Value(sc *marketdata.Scope) (aad.Number, error) {
	p, err := d.params(sc)
	if err != nil {
		return aad.Number{}, err
	}
	if d.Cash {
		return closedform.DigitalCash(sc.Tape(), d.Type, p, d.Payout), nil
	}
	return closedform.DigitalAsset(sc.Tape(), d.Type, p), nil
}

// BarrierKind is the type of a single barrier.
type BarrierKind = closedform.BarrierKind

// The four barrier types.
const (
	DownIn  = closedform.DownIn
	DownOut = closedform.DownOut
	UpIn    = closedform.UpIn
	UpOut   = closedform.UpOut
)

// ParseBarrierKind reads a barrier type as written in the portfolio file:
// down-in, down-out, up-in or up-out.
func ParseBarrierKind(s string) (BarrierKind, error) {
	switch s {
	case "down-in":
		return DownIn, nil
	case "down-out":
		return DownOut, nil
	case "up-in":
		return UpIn, nil
	case "up-out":
		return UpOut, nil
	}
	return 0, fmt.Errorf("barrier type %q: want down-in, down-out, up-in or up-out", s)
}

func barrierKindName(k BarrierKind) string {
	switch k {
	case DownIn:
		return "down-in"
	case DownOut:
		return "down-out"
	case UpIn:
		return "up-in"
	}
	return "up-out"
}

// Barrier is a continuously monitored single-barrier option with a cash
// rebate, priced by Reiner–Rubinstein: a knock-out pays the rebate when the
// barrier is hit, a knock-in pays it at expiry if it never knocked in.
type Barrier struct {
	Option
	BarrierKind   BarrierKind
	Level, Rebate float64
}

// NewBarrier returns a barrier option after checking its terms.
func NewBarrier(o Option, kind BarrierKind, level, rebate float64) (*Barrier, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if !(level > 0) || math.IsInf(level, 0) {
		return nil, fmt.Errorf("barrier %v: want a positive number", level)
	}
	if !(rebate >= 0) || math.IsInf(rebate, 0) {
		return nil, fmt.Errorf("rebate %v: want a number ≥ 0", rebate)
	}
	if kind > UpOut {
		return nil, fmt.Errorf("barrier type %d: unknown", kind)
	}
	return &Barrier{Option: o, BarrierKind: kind, Level: level, Rebate: rebate}, nil
}

// Kind returns "barrier".
func (*Barrier) Kind() string { return "barrier" }

// Value records the Reiner–Rubinstein value of one barrier option. It fails
// if the spot is already at or beyond the barrier.
func (b *Barrier) Value(sc *marketdata.Scope) (aad.Number, error) {
	p, err := b.params(sc)
	if err != nil {
		return aad.Number{}, err
	}
	return closedform.Barrier(sc.Tape(), b.Type, b.BarrierKind, p, aad.Const(b.Level), aad.Const(b.Rebate))
}

// Asian is a fixed-strike geometric-average option: continuously averaged
// over [0, expiry] when Fixings is 0 (Kemna–Vorst), else averaged over
// Fixings equally spaced fixings at expiry·i/Fixings, i = 1..Fixings.
type Asian struct {
	Option
	Fixings int
}

// MaxFixings bounds the number of fixings of an Asian option.
const MaxFixings = 100_000

// NewAsian returns a geometric Asian option after checking its terms.
func NewAsian(o Option, fixings int) (*Asian, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if fixings < 0 || fixings > MaxFixings {
		return nil, fmt.Errorf("fixings %d: want 0 (continuous) to %d", fixings, MaxFixings)
	}
	return &Asian{Option: o, Fixings: fixings}, nil
}

// Kind returns "asian".
func (*Asian) Kind() string { return "asian" }

// Value records the closed-form value of one geometric Asian option. The
// fixing times move with the valuation time, like the expiry.
func (a *Asian) Value(sc *marketdata.Scope) (aad.Number, error) {
	p, err := a.params(sc)
	if err != nil {
		return aad.Number{}, err
	}
	if a.Fixings == 0 {
		return closedform.GeometricAsianContinuous(sc.Tape(), a.Type, p), nil
	}
	fix := sc.Scratch(a.Fixings)
	n := float64(a.Fixings)
	for i := range fix {
		fix[i] = sc.Time(a.Expiry * float64(i+1) / n)
	}
	return closedform.GeometricAsianDiscrete(sc.Tape(), a.Type, p, fix), nil
}

// American is an American call or put, priced by the Barone-Adesi–Whaley
// approximation.
type American struct{ Option }

// NewAmerican returns an American option after checking its terms.
func NewAmerican(o Option) (*American, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	return &American{o}, nil
}

// Kind returns "american".
func (*American) Kind() string { return "american" }

// Value records the Barone-Adesi–Whaley value of one American option.
func (a *American) Value(sc *marketdata.Scope) (aad.Number, error) {
	p, err := a.params(sc)
	if err != nil {
		return aad.Number{}, err
	}
	return closedform.American(sc.Tape(), a.Type, p)
}
