package closedform

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// ImpliedVol returns the Black–Scholes–Merton volatility at which European
// (with p.S, p.K, p.T, p.R, p.Q; p.Vol is ignored and gets no sensitivity)
// gives price for a call or put.
//
// The price is turned into the normalised price of the out-of-the-money
// option (by put–call parity where the option is in the money) and solved
// for the total volatility σ√T by Newton steps on a logarithmic objective
// (ln b(σ√T) below the inflection point of the normalised price b, the log
// of its distance to the upper bound above it), inside a bracket with a
// bisection fallback, to full double precision; below the inflection point
// it works in log space, so prices down to the smallest float64 invert. It
// converges from deep in or out of the money and for tiny T. Prices in the
// money are inverted through their out-of-the-money counterpart, so their
// time value (price minus intrinsic) carries the information: where it is
// lost in rounding, the price is at its bound and an error.
//
// The result is recorded as one statement over price, S, K, T, R and Q, with
// the partials of the implicit function theorem: ∂σ/∂price = 1/vega and
// ∂σ/∂x = −(∂price/∂x)/vega for x = S, K, T, R, Q, at the solved volatility.
// ImpliedVol is for first-order tapes only: its statement is recorded with
// Custom, which panics on a second-order tape (aad.Tape.SetSecondOrder).
//
// Special cases are:
//
//	typ neither Call nor Put, S, K or T not finite and > 0, R, Q or price not finite: an *InputError
//	price ≤ the lower bound max(±(S·e^{−QT} − K·e^{−RT}), 0), or ≥ the upper bound
//	    (S·e^{−QT} for a call, K·e^{−RT} for a put): ErrPriceOutOfBounds
//	a price so close to a bound that vega underflows, when recording: ErrNotFinite
//	no convergence (not expected for valid inputs): ErrNoConvergence
func ImpliedVol(tp *aad.Tape, typ OptionType, price aad.Number, p Params) (aad.Number, error) {
	const fn = "ImpliedVol"
	if err := firstErr(typ.check(fn), positive(fn, "spot S", p.S.Value()), positive(fn, "strike K", p.K.Value()),
		positive(fn, "time to expiry T", p.T.Value()), isFinite(fn, "rate R", p.R.Value()),
		isFinite(fn, "dividend yield Q", p.Q.Value()), isFinite(fn, "price", price.Value())); err != nil {
		return aad.Number{}, err
	}
	sv, kv, tv, rv, qv, pv := p.S.Value(), p.K.Value(), p.T.Value(), p.R.Value(), p.Q.Value(), price.Value()
	call := typ == Call
	theta := sign(call)
	sq, kd := sv*math.Exp(-qv*tv), kv*math.Exp(-rv*tv)
	lower, upper := max(theta*(sq-kd), 0), sq
	if !call {
		upper = kd
	}
	if !(pv > lower && pv < upper) {
		return aad.Number{}, fmt.Errorf("%w: %s: price %.6g, bounds (%.6g, %.6g)", ErrPriceOutOfBounds, fn, pv, lower, upper)
	}
	// Normalised out-of-the-money price β = price/√(S·e^{−QT}·K·e^{−RT}) of
	// a call on x = ln(F/K) ≤ 0 (a put on x is a call on −x).
	x := math.Log(sv/kv) + (rv-qv)*tv
	otm := pv
	if theta*x > 0 {
		otm -= theta * (sq - kd)
		theta = -theta
	}
	beta := otm / math.Sqrt(sq*kd)
	if !(beta > 0) {
		return aad.Number{}, fmt.Errorf("%w: %s: price %g is the intrinsic value %g to double precision", ErrPriceOutOfBounds, fn, pv, lower)
	}
	s, err := solveNormalised(theta*x, beta)
	if err != nil {
		return aad.Number{}, err
	}
	vol := s / math.Sqrt(tv)

	args := [6]aad.Number{price, p.S, p.K, p.T, p.R, p.Q}
	var parts [6]float64
	if wantPartials(tp, args[:]) {
		var o bsm
		o.vanilla(call, sv, kv, tv, rv, qv, vol, true)
		vega := o.d[iVol]
		parts = [6]float64{1 / vega, -o.d[iS] / vega, -o.d[iK] / vega, -o.d[iT] / vega, -o.d[iR] / vega, -o.d[iQ] / vega}
	}
	if !allFinite(vol, parts[:]) {
		return aad.Number{}, notFinite(fn)
	}
	return tp.Custom(vol, args[:], parts[:]), nil
}

// normCall is the normalised Black call b(x, s) = e^{x/2}Φ(x/s + s/2) −
// e^{−x/2}Φ(x/s − s/2) for x ≤ 0, with its complement bmax − b (bmax =
// e^{x/2}), computed without cancellation, and its derivative
// e^{x/2}φ(x/s + s/2).
func normCall(x, s float64) (b, comp, db float64) {
	d1, d2 := dPair(x, s)
	ep, em := math.Exp(0.5*x), math.Exp(-0.5*x)
	n2 := aad.NormCDF(d2)
	b = ep*aad.NormCDF(d1) - em*n2
	comp = ep*aad.NormCDF(-d1) + em*n2
	db = ep * aad.NormPDF(d1)
	return b, comp, db
}

// solveNormalised returns s = σ√T > 0 with normCall(x, s) = beta, for x ≤ 0
// and 0 < beta < e^{x/2}.
func solveNormalised(x, beta float64) (float64, error) {
	const maxIter = 200
	bmax := math.Exp(0.5 * x)
	cBeta := bmax - beta
	lnBeta, lnC := math.Log(beta), math.Log(cBeta)
	sc := math.Sqrt(-2 * x) // the inflection point of b in s
	bc, _, _ := normCall(x, sc)
	lowerBranch := sc > 0 && beta < bc
	// f is increasing in s; its root is the answer. Below the inflection
	// point ln b is computed in log space, so that prices down to the
	// smallest float64 are inverted.
	f := func(s float64) (fv, dfv float64) {
		if lowerBranch {
			d1, d2 := dPair(x, s)
			l1 := logNormCDF(d1)
			lnb := 0.5*x + l1 + math.Log1p(-math.Exp(logNormCDF(d2)-l1-x))
			return lnb - lnBeta, math.Exp(0.5*x - 0.5*d1*d1 - lnSqrt2Pi - lnb)
		}
		_, comp, db := normCall(x, s)
		return lnC - math.Log(comp), db / comp
	}
	// At the money b = erf(s/(2√2)), and b decreases with |x| at fixed s:
	// sATM is a lower bound of the answer and exact at the money.
	sATM := 2 * math.Sqrt2 * math.Erfinv(beta/bmax)
	var lo, hi, s float64
	if lowerBranch {
		lo, hi = 0, sc
		// Far from the money b < exp(−x²/(2s²)), another lower bound.
		s = max(sATM, -x/math.Sqrt(-2*lnBeta))
	} else {
		lo, hi = sc, max(2*sc, 1)
		for i := 0; ; i++ {
			if fv, _ := f(hi); fv > 0 {
				break
			}
			if i == maxIter {
				return 0, fmt.Errorf("%w: ImpliedVol: no upper bracket for x=%g beta=%g", ErrNoConvergence, x, beta)
			}
			lo = hi
			hi *= 2
		}
		s = sATM
	}
	if !(s > lo && s < hi) {
		s = 0.5 * (lo + hi)
	}
	for range maxIter {
		fv, dfv := f(s)
		if fv == 0 {
			return s, nil
		}
		if fv < 0 || math.IsNaN(fv) {
			lo = s
		} else {
			hi = s
		}
		sn, done := newtonInBracket(s, fv/dfv, lo, hi, 1e-15)
		if done {
			return sn, nil
		}
		s = sn
	}
	return 0, fmt.Errorf("%w: ImpliedVol: x=%g beta=%g", ErrNoConvergence, x, beta)
}
