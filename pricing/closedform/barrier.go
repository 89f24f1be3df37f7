package closedform

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// BarrierKind is the kind of a single barrier: where it lies relative to the
// spot and whether touching it activates (in) or cancels (out) the option.
// The zero BarrierKind is invalid.
type BarrierKind uint8

// The barrier kinds.
const (
	DownIn  BarrierKind = iota + 1 // barrier below the spot; the option starts when it is touched
	DownOut                        // barrier below the spot; the option ends when it is touched
	UpIn                           // barrier above the spot; the option starts when it is touched
	UpOut                          // barrier above the spot; the option ends when it is touched
)

// String returns "down-in", "down-out", "up-in" or "up-out", the names of
// the portfolio file's barrier_type column.
func (k BarrierKind) String() string {
	switch k {
	case DownIn:
		return "down-in"
	case DownOut:
		return "down-out"
	case UpIn:
		return "up-in"
	case UpOut:
		return "up-out"
	}
	return fmt.Sprintf("BarrierKind(%d)", uint8(k))
}

// Down reports whether the barrier lies below the spot.
func (k BarrierKind) Down() bool { return k == DownIn || k == DownOut }

// In reports whether touching the barrier activates the option.
func (k BarrierKind) In() bool { return k == DownIn || k == UpIn }

// Barrier returns the value of a continuously monitored single-barrier call
// or put with strike p.K and barrier level barrier, by the formulas of
// Reiner and Rubinstein (1991) as given by Haug, "The Complete Guide to
// Option Pricing Formulas", §2.10.1 (terms A to F). The cash rebate is paid
// when the barrier is hit for a knock-out (term F) and at expiry if the
// barrier was never hit for a knock-in (term E); it is linear in rebate,
// which may be active (its sensitivity is the value of one unit of rebate).
//
// The formula is recorded as 13 to 28 statements, each a small block with
// analytic partials (a term c·e^a·Φ(y) of the formula is one statement): one
// sweep gives the sensitivities to S, K, T, R, Q, Vol, barrier and rebate.
// The terms are evaluated in log space where a power (H/S)^{2μ} would
// overflow, so a small volatility gives the finite limit.
//
// Barrier may be recorded on a second-order tape (aad.Tape.SetSecondOrder):
// each statement is then recorded with its exact Hessian as well, so that
// one second-order sweep gives the gradient and the Hessian-vector product
// (gamma, vanna, volga and the cross terms with the barrier and rebate).
// The value and the gradient are bit for bit those of a first-order tape,
// and a first-order recording computes no second derivative.
//
// Special cases are:
//
//	S, K, T, barrier or Vol not finite and > 0, R, Q or rebate not finite, an unknown kind
//	    or typ neither Call nor Put: an *InputError
//	the spot at or beyond the barrier (S ≤ barrier for down, S ≥ barrier for up): ErrBarrierBreached
//	a knock-out with a rebate (non-zero or active) and μ² + 2R/Vol² < 0 (a negative rate),
//	    where term F is not real: an *InputError
//	a result or sensitivity that is not finite: ErrNotFinite
//
// With rebate 0, a knock-in plus the knock-out of the same kind is the
// European option.
func Barrier(tp *aad.Tape, typ OptionType, kind BarrierKind, p Params, barrier, rebate aad.Number) (aad.Number, error) {
	const fn = "Barrier"
	if err := typ.check(fn); err != nil {
		return aad.Number{}, err
	}
	call := typ == Call
	if kind < DownIn || kind > UpOut {
		return aad.Number{}, &InputError{Func: fn, Name: "kind", Value: float64(kind), Want: "DownIn, DownOut, UpIn or UpOut"}
	}
	if err := p.check(fn, true); err != nil {
		return aad.Number{}, err
	}
	hv, rbv := barrier.Value(), rebate.Value()
	if err := firstErr(positive(fn, "barrier", hv), isFinite(fn, "rebate", rbv)); err != nil {
		return aad.Number{}, err
	}
	sv, kv, tv, rv, qv, vol := p.S.Value(), p.K.Value(), p.T.Value(), p.R.Value(), p.Q.Value(), p.Vol.Value()
	down, in := kind.Down(), kind.In()
	if (down && sv <= hv) || (!down && sv >= hv) {
		return aad.Number{}, fmt.Errorf("%w: %s %s: spot %g, barrier %g", ErrBarrierBreached, fn, kind, sv, hv)
	}
	phi, eta := sign(call), sign(down)

	// The knock-in value is cA·A + cB·B + cC·C + cD·D (+ E); the knock-out
	// value is the vanilla A minus it (+ F).
	var c [4]float64 // A, B, C, D
	switch strikeAbove := kv >= hv; {
	case call && down:
		if strikeAbove {
			c = [4]float64{0, 0, 1, 0}
		} else {
			c = [4]float64{1, -1, 0, 1}
		}
	case call && !down:
		if strikeAbove {
			c = [4]float64{1, 0, 0, 0}
		} else {
			c = [4]float64{0, 1, -1, 1}
		}
	case !call && down:
		if strikeAbove {
			c = [4]float64{0, 1, -1, 1}
		} else {
			c = [4]float64{1, 0, 0, 0}
		}
	default: // put, up
		if strikeAbove {
			c = [4]float64{1, -1, 0, 1}
		} else {
			c = [4]float64{0, 0, 1, 0}
		}
	}
	if !in {
		c = [4]float64{1 - c[0], -c[1], -c[2], -c[3]}
	}
	withRebate := rbv != 0 || rebate.Active()

	sqT := math.Sqrt(tv)
	mu := (rv-qv)/(vol*vol) - 0.5
	lam := 0.0
	if withRebate && !in {
		lam2 := mu*mu + 2*rv/(vol*vol)
		if !(lam2 >= 0) {
			return aad.Number{}, &InputError{Func: fn, Name: "μ² + 2R/Vol²", Value: lam2, Want: ">= 0 for a knock-out rebate"}
		}
		lam = math.Sqrt(lam2)
	}

	// On a second-order tape each statement's Hessian (r.h2, h3, h4) is
	// set just before it is recorded; a first-order recording skips them.
	r := newRecorder(tp)
	var zero aad.Number
	// sd = Vol·√T, μ = (R − Q)/Vol² − 1/2, L = ln(H/S).
	if r.so {
		r.h2(0, 1/(2*sqT), -vol/(4*tv*sqT))
	}
	sd := r.c2(vol*sqT, p.Vol, sqT, p.T, vol/(2*sqT))
	if r.so {
		v3 := vol * vol * vol
		r.h3(0, 0, -2/v3, 0, 2/v3, 6*(rv-qv)/(v3*vol))
	}
	muN := r.c3(mu, p.R, 1/(vol*vol), p.Q, -1/(vol*vol), p.Vol, -2*(rv-qv)/(vol*vol*vol))
	lnHS := math.Log(hv / sv)
	if r.so {
		r.h2(-1/(hv*hv), 0, 1/(sv*sv))
	}
	L := r.c2(lnHS, barrier, 1/hv, p.S, -1/sv)
	var lnSK aad.Number
	if c[0] != 0 || c[2] != 0 {
		if r.so {
			r.h2(-1/(sv*sv), 0, 1/(kv*kv))
		}
		lnSK = r.c2(math.Log(sv/kv), p.S, 1/sv, p.K, -1/kv)
	}
	// xterm records (cu·u + cv·v)/sd + (1+μ)·sd: x1, x2, y1 and y2 of Haug.
	// Its only second derivatives are those involving sd: ∂²/∂sd²,
	// ∂²/∂u∂sd, ∂²/∂v∂sd and ∂²/∂sd∂μ = 1.
	xterm := func(u aad.Number, cu float64, v aad.Number, cv float64) aad.Number {
		num := cu*u.Value() + cv*v.Value()
		s := sd.Value()
		if r.so {
			s2 := s * s
			r.h4(0, 0, -cu/s2, 0, 0, -cv/s2, 0, 2*num/(s2*s), 1, 0)
		}
		return r.c4(num/s+(1+mu)*s, u, cu/s, v, cv/s, sd, -num/(s*s)+1+mu, muN, s)
	}
	// The exponents are bilinear: −Q·T, −R·T and μ·L.
	if r.so {
		r.h2(0, -1, 0)
	}
	aS := r.c2(-qv*tv, p.Q, -tv, p.T, -qv) // ln of e^{(b−r)T}
	if r.so {
		r.h2(0, -1, 0)
	}
	aK := r.c2(-rv*tv, p.R, -tv, p.T, -rv) // ln of e^{−rT}
	var aS2, aK2 aad.Number                // with the reflection factors (H/S)^{2(μ+1)} and (H/S)^{2μ}
	if c[2] != 0 || c[3] != 0 || (withRebate && in) {
		if r.so {
			r.h4(0, -1, 0, 0, 0, 0, 0, 0, 2, 0)
		}
		aS2 = r.c4(-qv*tv+2*(mu+1)*lnHS, p.Q, -tv, p.T, -qv, muN, 2*lnHS, L, 2*(mu+1))
		if r.so {
			r.h4(0, -1, 0, 0, 0, 0, 0, 0, 2, 0)
		}
		aK2 = r.c4(-rv*tv+2*mu*lnHS, p.R, -tv, p.T, -rv, muN, 2*lnHS, L, 2*mu)
	}

	var terms [12]aad.Number
	var w [12]float64
	n := 0
	add := func(x aad.Number, wx float64) {
		terms[n], w[n] = x, wx
		n++
	}
	// pair adds φ·c·(S-term − K-term) of one of A to D.
	pair := func(ci float64, aSi, aKi, x aad.Number, s float64) {
		add(r.cdfTerm(p.S, aSi, x, zero, s), phi*ci)
		add(r.cdfTerm(p.K, aKi, x, sd, s), -phi*ci)
	}
	var x2, y2 aad.Number
	if c[1] != 0 || (withRebate && in) {
		x2 = xterm(L, -1, zero, 0)
	}
	if c[3] != 0 || (withRebate && in) {
		y2 = xterm(L, 1, zero, 0)
	}
	if c[0] != 0 {
		pair(c[0], aS, aK, xterm(lnSK, 1, zero, 0), phi)
	}
	if c[1] != 0 {
		pair(c[1], aS, aK, x2, phi)
	}
	if c[2] != 0 {
		pair(c[2], aS2, aK2, xterm(L, 2, lnSK, 1), eta)
	}
	if c[3] != 0 {
		pair(c[3], aS2, aK2, y2, eta)
	}
	switch {
	case withRebate && in: // E: the rebate at expiry times the probability of no hit
		add(r.cdfTerm(rebate, aK, x2, sd, eta), 1)
		add(r.cdfTerm(rebate, aK2, y2, sd, eta), -1)
	case withRebate: // F: the rebate at the first hit
		s := sd.Value()
		// λ = √g, g = μ² + 2R/Vol², as a function of μ, R and Vol: its
		// partials are λ_i = g_i/(2λ) and its second derivatives
		// λ_ij = (g_ij/2 − λ_i·λ_j)/λ.
		lm, lr, lv := mu/lam, 1/(vol*vol*lam), -2*rv/(vol*vol*vol*lam)
		if r.so {
			v3 := vol * vol * vol
			r.h3((1-lm*lm)/lam, -lm*lr/lam, -lm*lv/lam,
				-lr*lr/lam, (-2/v3-lr*lv)/lam, (6*rv/(v3*vol)-lv*lv)/lam)
		}
		lamN := r.c3(lam, muN, lm, p.R, lr, p.Vol, lv)
		if r.so {
			r.h3(0, -1/(s*s), 0, 2*lnHS/(s*s*s), 1, 0)
		}
		z := r.c3(lnHS/s+lam*s, L, 1/s, sd, -lnHS/(s*s)+lam, lamN, s)
		if r.so {
			r.h3(0, 0, 1, 0, 1, 0)
		}
		a1 := r.c3((mu+lam)*lnHS, muN, lnHS, lamN, lnHS, L, mu+lam)
		if r.so {
			r.h3(0, 0, 1, 0, -1, 0)
		}
		a2 := r.c3((mu-lam)*lnHS, muN, lnHS, lamN, -lnHS, L, mu-lam)
		if r.so {
			r.h2(0, 2, 0)
		}
		twoLamSd := r.c2(2*lam*s, lamN, 2*s, sd, 2*lam)
		add(r.cdfTerm(rebate, a1, z, zero, eta), 1)
		add(r.cdfTerm(rebate, a2, z, twoLamSd, eta), 1)
	}
	v := tp.DotConst(terms[:n], w[:n])
	if r.bad || !finite(v.Value()) {
		return aad.Number{}, notFinite(fn)
	}
	return v, nil
}
