package closedform

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// GeometricAsianContinuous returns the value of a fixed-strike (average
// price) Asian call or put on the continuous geometric average of the spot
// over [0, T], paid at T: the formula of Kemna and Vorst (1990), a
// Black–Scholes–Merton price with volatility Vol/√3 and cost of carry
// (R − Q − Vol²/6)/2 (Haug §4.20.1). It records one statement over p's
// inputs. It may be recorded on a second-order tape, where the statement
// carries its exact Hessian over the six inputs (the same value and
// partials as on a first-order tape).
//
// Special cases are those of European, second order included.
func GeometricAsianContinuous(tp *aad.Tape, typ OptionType, p Params) aad.Number {
	if !p.valid(false) || !typ.valid() {
		return nan(tp, &p)
	}
	call := typ == Call
	greeks := p.active(tp)
	rv, qv, vol := p.R.Value(), p.Q.Value(), p.Vol.Value()
	// The averaged asset pays the dividend yield qa = R − b_A.
	qa := 0.5 * (rv + qv + vol*vol/6)
	var o bsm
	if greeks && tp.SecondOrder() {
		var ha, h [36]float64
		o.vanilla2(call, p.S.Value(), p.K.Value(), p.T.Value(), rv, qa, vol/math.Sqrt(3), true, &ha)
		dqa := o.averaged(vol)
		asianHessian(&h, &ha, dqa, vol)
		return o.record2(tp, &p, &h)
	}
	o.vanilla(call, p.S.Value(), p.K.Value(), p.T.Value(), rv, qa, vol/math.Sqrt(3), greeks)
	o.averaged(vol)
	return o.result(tp, &p, greeks)
}

// averaged turns o, the partials of a Black–Scholes–Merton value over
// (S, K, T, R, qa, Vol/√3), into those over (S, K, T, R, Q, Vol) for
// qa = (R + Q + Vol²/6)/2, and returns ∂v/∂qa.
func (o *bsm) averaged(vol float64) float64 {
	dqa := o.d[iQ]
	o.d[iR] += 0.5 * dqa
	o.d[iQ] = 0.5 * dqa
	o.d[iVol] = o.d[iVol]/math.Sqrt(3) + dqa*vol/6
	return dqa
}

// asianHessian writes into h the Hessian over (S, K, T, R, Q, Vol) of
// GeometricAsianContinuous from ha, that of the Black–Scholes–Merton value
// over z = (S, K, T, R, qa, Vol/√3), and dqa = ∂v/∂qa: with J = ∂z/∂x,
// h = Jᵀ·ha·J + dqa·∂²qa/∂Vol², where ∂²qa/∂Vol² = 1/6 is the only second
// derivative of z.
func asianHessian(h, ha *[36]float64, dqa, vol float64) {
	var jac [36]float64 // jac[a*6+i] = ∂z_a/∂x_i
	for i := iS; i <= iR; i++ {
		jac[i*6+i] = 1
	}
	jac[iQ*6+iR], jac[iQ*6+iQ], jac[iQ*6+iVol] = 0.5, 0.5, vol/6
	jac[iVol*6+iVol] = 1 / math.Sqrt(3)
	var hj [36]float64 // ha·J
	for a := range 6 {
		for j := range 6 {
			s := 0.0
			for b := range 6 {
				s += ha[a*6+b] * jac[b*6+j]
			}
			hj[a*6+j] = s
		}
	}
	for i := range 6 {
		for j := range 6 {
			s := 0.0
			for a := range 6 {
				s += jac[a*6+i] * hj[a*6+j]
			}
			h[i*6+j] = s
		}
	}
	h[iVol*6+iVol] += dqa / 6
	symmetric(h[:], 6)
}

// GeometricAsianDiscrete returns the value of a fixed-strike (average
// price) Asian call or put on the geometric average of the spot at the
// fixing times fixings (in years from the valuation date, increasing, all
// in the future), paid at p.T, with the rate, dividend yield and volatility
// of p constant up to the last fixing. It is the formula of QuantLib's
// AnalyticDiscreteGeometricAveragePriceAsianEngine with no past fixings:
// with N fixings t_i, the log of the average is normal with
//
//	mean ln S + (R − Q − Vol²/2)·Σt_i/N,  variance Vol²/N²·(Σt_i + 2·Σ_{i<j} t_i),
//
// priced by Black's formula on the implied forward and discounted with
// e^{−R·T}. The fixing times are inputs like the others: the sensitivities
// to them (through Σt_i and Σ_{i<j} t_i) come from the same sweep, which is
// what theta needs. With one fixing at T it is the European option.
//
// It records one statement over p's inputs, or, when a fixing time is
// active, three (the two sums over the fixing times and the price) and two
// more per 64 fixings beyond the first 64; it allocates nothing.
//
// Special cases are those of European, and:
//
//	no fixings, a fixing time not finite and > 0, or fixing times that decrease
//	    (see ValidateFixings): NaN, recorded as a passive constant
func GeometricAsianDiscrete(tp *aad.Tape, typ OptionType, p Params, fixings []aad.Number) aad.Number {
	greeks := p.active(tp)
	activeFix := wantPartials(tp, fixings)
	if !p.valid(false) || !validFixings(fixings) || !typ.valid() {
		return aad.Const(math.NaN())
	}
	call := typ == Call
	// m1 = Σ t_i; w = Σ t_i + 2·Σ_{i<j} t_i = Σ (2(n−i)−1)·t_i, i = 0…n−1.
	n := len(fixings)
	var m1, w float64
	for i, f := range fixings {
		t := f.Value()
		m1 += t
		w += float64(2*(n-i)-1) * t
	}

	sv, kv, tv, rv, qv, vol := p.S.Value(), p.K.Value(), p.T.Value(), p.R.Value(), p.Q.Value(), p.Vol.Value()
	phi := sign(call)
	nf := float64(n)
	nu := rv - qv - 0.5*vol*vol
	sqW := math.Sqrt(w)
	sd := vol * sqW / nf // standard deviation of the log average
	fwd := sv * math.Exp(nu*m1/nf+0.5*sd*sd)
	df := math.Exp(-rv * tv)
	d1, d2 := dPair(math.Log(fwd/kv), sd)
	a, b := phi*fwd*aad.NormCDF(phi*d1), phi*kv*aad.NormCDF(phi*d2)
	u := a - b
	v := df * u
	if !(greeks || activeFix) || !finite(v) {
		return aad.Const(v)
	}
	// The price over S, K, T, R, Q, Vol, Σt_i and Σ(2(n−i)−1)·t_i.
	args := [8]aad.Number{p.S, p.K, p.T, p.R, p.Q, p.Vol}
	if activeFix {
		args[6] = tp.Sum(fixings...)
		args[7] = weightedTimes(tp, fixings)
	}
	vf := df * a                      // F·∂V/∂F
	vsd := df * fwd * aad.NormPDF(d1) // ∂V/∂sd
	parts := [8]float64{
		iS:   vf / sv,
		iK:   -df * b / kv,
		iT:   -rv * v,
		iR:   vf*m1/nf - tv*v,
		iQ:   -vf * m1 / nf,
		iVol: vf*vol*(w/(nf*nf)-m1/nf) + vsd*sqW/nf,
		6:    vf * nu / nf,
		7:    vf*vol*vol/(2*nf*nf) + vsd*vol/(2*nf*sqW),
	}
	return tp.Custom(v, args[:], parts[:])
}

// ValidateFixings reports whether fixings are valid fixing times for
// GeometricAsianDiscrete: at least one, each finite and > 0, none before the
// one it follows. For invalid fixings GeometricAsianDiscrete returns NaN;
// ValidateFixings says why, with an *InputError.
func ValidateFixings(fixings []aad.Number) error {
	const fn = "GeometricAsianDiscrete"
	if len(fixings) == 0 {
		return &InputError{Func: fn, Name: "number of fixings", Value: 0, Want: ">= 1"}
	}
	prev := 0.0
	for i, f := range fixings {
		t := f.Value()
		if err := positive(fn, fmt.Sprintf("fixing time %d", i+1), t); err != nil {
			return err
		}
		if t < prev {
			return &InputError{Func: fn, Name: fmt.Sprintf("fixing time %d", i+1), Value: t, Want: fmt.Sprintf(">= the previous one, %g", prev)}
		}
		prev = t
	}
	return nil
}

// validFixings reports whether ValidateFixings would return nil, without
// building its error.
func validFixings(fixings []aad.Number) bool {
	prev := 0.0
	for _, f := range fixings {
		t := f.Value()
		if !(t >= prev && t > 0 && t-t == 0) {
			return false
		}
		prev = t
	}
	return len(fixings) > 0
}

// weightedTimes records Σ (2(n−i)−1)·fixings[i] in statements of at most 64
// operands, with no allocation.
func weightedTimes(tp *aad.Tape, fixings []aad.Number) aad.Number {
	const chunk = 64
	var buf [chunk]float64
	n := len(fixings)
	var sum aad.Number
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		part := 0.0
		for i := lo; i < hi; i++ {
			buf[i-lo] = float64(2*(n-i) - 1)
			part += buf[i-lo] * fixings[i].Value()
		}
		x := tp.Custom(part, fixings[lo:hi], buf[:hi-lo])
		if lo == 0 {
			sum = x
		} else {
			sum = tp.Add(sum, x)
		}
	}
	return sum
}
