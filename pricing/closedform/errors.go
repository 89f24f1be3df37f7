package closedform

import (
	"errors"
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// Errors that the pricers return, wrapped with the function and the input
// concerned; test for them with errors.Is.
var (
	// ErrInvalidInput: an input outside the domain of the formula (a
	// non-positive spot, strike, time or barrier, a negative volatility, a
	// NaN or an infinity). The error is an *InputError. (The formulas
	// without an error result return NaN instead; Params.Validate and
	// ValidateFixings give their reason.)
	ErrInvalidInput = errors.New("closedform: invalid input")
	// ErrBarrierBreached: the spot is at or beyond the barrier, so the
	// option has already knocked in or out.
	ErrBarrierBreached = errors.New("closedform: barrier already breached")
	// ErrNoConvergence: a root solve (the American critical price, the
	// implied volatility) did not converge.
	ErrNoConvergence = errors.New("closedform: root solve did not converge")
	// ErrPriceOutOfBounds: ImpliedVol was given a price at or below the
	// no-arbitrage lower bound or at or above the upper bound, which no
	// positive volatility reproduces.
	ErrPriceOutOfBounds = errors.New("closedform: price outside the no-arbitrage bounds")
	// ErrNotFinite: the formula overflowed, or a sensitivity is infinite,
	// in a formula with an error result.
	ErrNotFinite = errors.New("closedform: result or sensitivity not finite")
)

// An InputError reports an input outside the domain of a formula. It wraps
// ErrInvalidInput.
type InputError struct {
	Func  string  // the pricer, e.g. "European"
	Name  string  // the input, e.g. "spot S"
	Value float64 // its value
	Want  string  // the condition it fails, e.g. "> 0"
}

func (e *InputError) Error() string {
	return fmt.Sprintf("closedform: %s: %s = %g, want %s", e.Func, e.Name, e.Value, e.Want)
}

// Unwrap returns ErrInvalidInput.
func (e *InputError) Unwrap() error { return ErrInvalidInput }

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// positive returns an *InputError unless x is finite and > 0.
func positive(fn, name string, x float64) error {
	if x > 0 && !math.IsInf(x, 1) {
		return nil
	}
	return &InputError{Func: fn, Name: name, Value: x, Want: "finite and > 0"}
}

// nonNegative returns an *InputError unless x is finite and >= 0.
func nonNegative(fn, name string, x float64) error {
	if x >= 0 && !math.IsInf(x, 1) {
		return nil
	}
	return &InputError{Func: fn, Name: name, Value: x, Want: "finite and >= 0"}
}

// isFinite returns an *InputError unless x is finite.
func isFinite(fn, name string, x float64) error {
	if finite(x) {
		return nil
	}
	return &InputError{Func: fn, Name: name, Value: x, Want: "finite"}
}

// Validate reports whether p is in the domain of the Black–Scholes–Merton
// formulas of this package (European, the digitals, the geometric Asians):
// S, K and T finite and > 0, R and Q finite, Vol finite and >= 0. For
// invalid Params those formulas return NaN; Validate says why, with an
// *InputError. Barrier and American (which also need Vol > 0) and
// ImpliedVol return such errors themselves.
func (p Params) Validate() error { return p.check("Params", false) }

// valid reports whether p passes Validate (with Vol > 0 if volPositive) in a
// few comparisons.
func (p *Params) valid(volPositive bool) bool {
	s, k, t, r, q, vol := p.S.Value(), p.K.Value(), p.T.Value(), p.R.Value(), p.Q.Value(), p.Vol.Value()
	// x − x is 0 for a finite x, NaN for NaN and ±Inf.
	return s > 0 && k > 0 && t > 0 && vol >= 0 && (vol > 0 || !volPositive) &&
		s-s == 0 && k-k == 0 && t-t == 0 && r-r == 0 && q-q == 0 && vol-vol == 0
}

// check returns nil for valid Params and the error for the first invalid
// input otherwise.
func (p *Params) check(fn string, volPositive bool) error {
	if p.valid(volPositive) {
		return nil
	}
	return p.explain(fn, volPositive)
}

// explain returns the error for the first invalid input of p.
func (p *Params) explain(fn string, volPositive bool) error {
	if err := positive(fn, "spot S", p.S.Value()); err != nil {
		return err
	}
	if err := positive(fn, "strike K", p.K.Value()); err != nil {
		return err
	}
	if err := positive(fn, "time to expiry T", p.T.Value()); err != nil {
		return err
	}
	if err := isFinite(fn, "rate R", p.R.Value()); err != nil {
		return err
	}
	if err := isFinite(fn, "dividend yield Q", p.Q.Value()); err != nil {
		return err
	}
	if volPositive {
		return positive(fn, "volatility Vol", p.Vol.Value())
	}
	return nonNegative(fn, "volatility Vol", p.Vol.Value())
}

// nan is the value of a formula without an error result for invalid
// inputs. An active input with a nil tape still panics.
func nan(tp *aad.Tape, p *Params) aad.Number {
	p.active(tp)
	return aad.Const(math.NaN())
}

// notFinite is the error for a non-finite result or sensitivity.
func notFinite(fn string) error {
	return fmt.Errorf("%w (%s)", ErrNotFinite, fn)
}

// allFinite reports whether v and every partial are finite.
func allFinite(v float64, parts []float64) bool {
	if !finite(v) {
		return false
	}
	for _, d := range parts {
		if !finite(d) {
			return false
		}
	}
	return true
}

// active reports whether any of p's inputs is active; with a nil tape that
// is a programmer error and panics, as it does in package aad.
func (p *Params) active(tp *aad.Tape) bool {
	if p.S.Active() || p.K.Active() || p.T.Active() || p.R.Active() || p.Q.Active() || p.Vol.Active() {
		if tp == nil {
			activeOnNil()
		}
		return true
	}
	return false
}

func activeOnNil() {
	panic("closedform: active Number used with a nil tape; pass the tape it was recorded on")
}

// wantPartials reports whether a statement over args needs its partials: a
// tape and at least one active argument. An active argument with a nil tape
// is a programmer error and panics, as it does in package aad.
func wantPartials(tp *aad.Tape, args []aad.Number) bool {
	for _, a := range args {
		if a.Active() {
			if tp == nil {
				activeOnNil()
			}
			return true
		}
	}
	return false
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
