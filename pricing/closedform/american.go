package closedform

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// American returns the Barone-Adesi–Whaley (1987) approximation of the value
// of an American call or put (Haug §3.3.1, in its generalised form with
// cost of carry R − Q):
//
//	call: c(S) + A2·(S/S*)^{q2} for S < S*, S − K for S ≥ S*,
//	put:  p(S) + A1·(S/S**)^{q1} for S > S**, K − S for S ≤ S**,
//
// where c and p are the European prices and the critical price S* (S**)
// solves the value-matching and smooth-pasting condition F(S*, θ) = 0,
//
//	F(s) = v(s) + φ·(1 − e^{−QT}·Φ(φ·d1(s)))·s/q_φ − φ·(s − K),
//
// with φ = +1, q_φ = q2 for the call and φ = −1, q_φ = q1 for the put, and
// θ = (K, T, R, Q, Vol). The root is found passively by a safeguarded Newton
// iteration inside a bracket (the strike on one side, a bound found by
// doubling or halving on the other), which converges for any valid input or
// reports ErrNoConvergence. Its sensitivities come from the implicit function
// theorem, ∂S*/∂θ = −(∂F/∂θ)/(∂F/∂S*), with the partials of F computed
// analytically at the root, and are recorded as one statement over the
// active θ; the price is one more statement over p's inputs and S*. The
// recorded sensitivities are the exact derivatives of the returned value,
// which bump-and-revalue of American reproduces.
//
// American may be recorded on a second-order tape (aad.Tape.SetSecondOrder).
// There the price is recorded with elementary operations, which carry their
// second derivatives, and the critical price as two Newton steps on F from
// the solved root, which give its exact first and second derivatives (see
// baw.second); value and gradient agree with a first-order tape to
// rounding. Where American is European, it is recorded the same way, except
// at Vol = 0, where it is European's own recording.
//
// Early exercise has no value, and American returns European, for a call
// when Q ≤ 0 (cost of carry R − Q ≥ R) and for a put when R ≤ 0. (When
// Q < R < 0 for a put, or R < Q < 0 for a call, the true American option has
// two exercise boundaries, which Barone-Adesi–Whaley does not model.)
//
// Special cases are:
//
//	invalid p (see Params.Validate), typ neither Call nor Put: an *InputError
//	Vol = 0: the European limit where early exercise has no value, else an *InputError
//	S at or beyond the critical price: the intrinsic value, recorded as S − K or K − S
//	the critical-price solve fails: ErrNoConvergence
//	a result or sensitivity that is not finite: ErrNotFinite
func American(tp *aad.Tape, typ OptionType, p Params) (aad.Number, error) {
	const fn = "American"
	if err := firstErr(typ.check(fn), p.check(fn, false)); err != nil {
		return aad.Number{}, err
	}
	call := typ == Call
	sv, kv, tv, rv, qv, vol := p.S.Value(), p.K.Value(), p.T.Value(), p.R.Value(), p.Q.Value(), p.Vol.Value()
	if (call && qv <= 0) || (!call && rv <= 0) {
		if tp.SecondOrder() && vol > 0 && p.active(tp) {
			b := newBawTape(tp, call, &p)
			return checkedFn(fn, b.european(p.S, b.d1(p.S)))
		}
		return European(tp, typ, p), nil
	}
	if err := positive(fn, "volatility Vol", vol); err != nil {
		return aad.Number{}, err
	}
	var m baw
	if err := m.init(call, kv, tv, rv, qv, vol); err != nil {
		return aad.Number{}, err
	}
	sStar, err := m.solve()
	if err != nil {
		return aad.Number{}, err
	}
	if m.phi*(sv-sStar) >= 0 { // exercise now
		if call {
			return tp.Sub(p.S, p.K), nil
		}
		return tp.Sub(p.K, p.S), nil
	}
	var args [6]aad.Number
	p.args(&args)
	greeks := wantPartials(tp, args[:])
	if greeks && tp.SecondOrder() {
		return m.second(tp, &p, sStar)
	}
	var euro bsm
	euro.vanilla(call, sv, kv, tv, rv, qv, vol, greeks)
	// The early exercise premium e = φ·(s/q)·u(s)·(S/s)^q at s = S*.
	at := m.at(sStar, greeks)
	lnSs := math.Log(sv / sStar)
	pw := math.Exp(m.qq * lnSs)
	c := m.phi * sStar / m.qq * pw // ∂e/∂u
	e := c * at.u
	v := euro.v + e
	if !greeks {
		if !finite(v) {
			return aad.Number{}, notFinite(fn)
		}
		return aad.Const(v), nil
	}

	// ∂S*/∂θ = −F_θ/F_s, recorded as one statement over K, T, R, Q, Vol.
	var dStar [5]float64
	for i := iK; i <= iVol; i++ {
		dStar[i-iK] = -at.dF[i] / at.fs
	}
	thetaArgs := [5]aad.Number{p.K, p.T, p.R, p.Q, p.Vol}
	starN := tp.Custom(sStar, thetaArgs[:], dStar[:])

	// The price over S, K, T, R, Q, Vol and S*.
	allArgs := [7]aad.Number{p.S, p.K, p.T, p.R, p.Q, p.Vol, starN}
	var parts [7]float64
	parts[iS] = euro.d[iS] + m.qq*e/sv
	for i := iK; i <= iVol; i++ {
		parts[i] = euro.d[i] + c*at.du[i] + e*m.dq[i]*(lnSs-1/m.qq)
	}
	parts[6] = e/sStar + c*at.us - m.qq*e/sStar
	if !allFinite(v, parts[:]) || !allFinite(sStar, dStar[:]) {
		return aad.Number{}, notFinite(fn)
	}
	return tp.Custom(v, allArgs[:], parts[:]), nil
}

// baw holds the quantities of Barone-Adesi–Whaley that do not depend on the
// critical price, with their partials with respect to θ = (K, T, R, Q, Vol)
// indexed iK … iVol.
type baw struct {
	call            bool
	phi             float64
	k, t, r, q, vol float64
	sqT, sd, g, b   float64 // √T, Vol·√T, e^{−QT}, R − Q
	nn, mk, dd, qq  float64 // N = 2b/Vol², M/K(T) = 2R/(Vol²(1 − e^{−RT})), D, q_φ
	dq              [6]float64
}

// init computes N, M/K, q_φ and ∂q_φ/∂θ.
func (m *baw) init(call bool, k, t, r, q, vol float64) error {
	*m = baw{call: call, phi: sign(call), k: k, t: t, r: r, q: q, vol: vol}
	m.sqT = math.Sqrt(t)
	m.sd = vol * m.sqT
	m.g = math.Exp(-q * t)
	m.b = r - q
	v2 := vol * vol
	m.nn = 2 * m.b / v2
	h, dh := xOverOneMinusExp(r * t)
	m.mk = 2 * h / (v2 * t)
	n1 := m.nn - 1
	m.dd = math.Sqrt(n1*n1 + 4*m.mk)
	m.qq = 0.5 * (-n1 + m.phi*m.dd)
	if !finite(m.qq) || (call && !(m.qq > 1)) || (!call && !(m.qq < 0)) {
		return fmt.Errorf("%w: American: q = %g out of range (K=%g T=%g R=%g Q=%g Vol=%g)", ErrNoConvergence, m.qq, k, t, r, q, vol)
	}
	var dN, dMK [6]float64
	dN[iR], dN[iQ], dN[iVol] = 2/v2, -2/v2, -2*m.nn/vol
	dMK[iR] = 2 * dh / v2
	dMK[iT] = (2*dh*r/v2 - m.mk) / t
	dMK[iVol] = -2 * m.mk / vol
	for i := iK; i <= iVol; i++ {
		dD := (n1*dN[i] + 2*dMK[i]) / m.dd
		m.dq[i] = 0.5 * (-dN[i] + m.phi*dD)
	}
	return nil
}

// xOverOneMinusExp returns h(x) = x/(1 − e^{−x}) and h'(x), by their
// Bernoulli series near 0, where the direct formulas cancel.
func xOverOneMinusExp(x float64) (h, dh float64) {
	if math.Abs(x) < 0.1 {
		x2 := x * x
		h = 1 + x/2 + x2*(1.0/12+x2*(-1.0/720+x2*(1.0/30240-x2/1209600)))
		dh = 0.5 + x*(1.0/6+x2*(-1.0/180+x2*(1.0/5040-x2/151200)))
		return h, dh
	}
	em := -math.Expm1(-x) // 1 − e^{−x}
	h = x / em
	dh = (em - x*(1-em)) / (em * em)
	return h, dh
}

// f returns F(s) and ∂F/∂s.
func (m *baw) f(s float64) (f, fs float64) {
	phi := m.phi
	d1, d2 := dPair(math.Log(s/m.k)+m.b*m.t, m.sd)
	n1 := aad.NormCDF(phi * d1)
	v := phi * (s*m.g*n1 - m.k*math.Exp(-m.r*m.t)*aad.NormCDF(phi*d2))
	u := 1 - m.g*n1
	f = v + phi*u*s/m.qq - phi*(s-m.k)
	fs = phi*m.g*n1 + phi*(u-phi*m.g*aad.NormPDF(d1)/m.sd)/m.qq - phi
	return f, fs
}

// rootAt is what the price and the implicit function theorem need at the
// critical price s: u(s) = 1 − e^{−QT}Φ(φd1(s)) with its partials ∂u/∂θ
// and ∂u/∂s, and F's partials ∂F/∂θ and ∂F/∂s.
type rootAt struct {
	u, us, fs float64
	du, dF    [6]float64
}

func (m *baw) at(s float64, greeks bool) (a rootAt) {
	phi := m.phi
	d1, d2 := dPair(math.Log(s/m.k)+m.b*m.t, m.sd)
	n1 := aad.NormCDF(phi * d1)
	a.u = 1 - m.g*n1
	if !greeks {
		return a
	}
	pdf := aad.NormPDF(d1)
	_, a.fs = m.f(s)
	a.us = -phi * m.g * pdf / (s * m.sd)
	var dd1, dg [6]float64
	dd1[iK] = -1 / (m.k * m.sd)
	dd1[iT] = m.b/m.sd - d2/(2*m.t)
	dd1[iR] = m.t / m.sd
	dd1[iQ] = -m.t / m.sd
	dd1[iVol] = -d2 / m.vol
	dg[iT] = -m.q * m.g
	dg[iQ] = -m.t * m.g
	var v bsm
	v.vanilla(m.call, s, m.k, m.t, m.r, m.q, m.vol, true)
	for i := iK; i <= iVol; i++ {
		a.du[i] = -dg[i]*n1 - phi*m.g*pdf*dd1[i]
		a.dF[i] = v.d[i] + phi*s*(a.du[i]/m.qq-a.u*m.dq[i]/(m.qq*m.qq))
	}
	a.dF[iK] += phi
	return a
}

// solve returns the critical price: the root of F, bracketed between the
// strike and a bound found by doubling (call) or halving (put), by Newton
// steps that fall back to bisection when they leave the bracket.
func (m *baw) solve() (float64, error) {
	const maxIter = 200
	// F > 0 on the continuation side of the root: below it for a call,
	// above it for a put. The strike is always on that side.
	lo, hi := m.k, m.k
	x := m.seed()
	if !(x > 0) || math.IsInf(x, 1) {
		x = m.k
	}
	if m.call {
		hi = max(x, m.k) * 2
		for i := 0; ; i++ {
			if f, _ := m.f(hi); f < 0 {
				break
			}
			if i == maxIter || math.IsInf(hi, 1) {
				return 0, m.noConvergence("no upper bracket")
			}
			lo = hi
			hi *= 2
		}
	} else {
		lo = min(x, m.k) / 2
		for i := 0; ; i++ {
			if f, _ := m.f(lo); f < 0 {
				break
			}
			if i == maxIter || lo == 0 {
				return 0, m.noConvergence("no lower bracket")
			}
			hi = lo
			lo /= 2
		}
	}
	if !(x > lo && x < hi) {
		x = 0.5 * (lo + hi)
	}
	for range maxIter {
		f, fs := m.f(x)
		if f == 0 {
			return x, nil
		}
		if (f > 0) == m.call {
			lo = x
		} else {
			hi = x
		}
		xn, done := newtonInBracket(x, f/fs, lo, hi, 1e-14)
		if done {
			return xn, nil
		}
		x = xn
	}
	return 0, m.noConvergence("too many iterations")
}

func (m *baw) noConvergence(why string) error {
	return fmt.Errorf("%w: American critical price: %s (K=%g T=%g R=%g Q=%g Vol=%g)", ErrNoConvergence, why, m.k, m.t, m.r, m.q, m.vol)
}

// seed is Barone-Adesi and Whaley's first guess of the critical price, from
// the perpetual option (Haug §3.3.1); NaN where it is not defined.
func (m *baw) seed() float64 {
	v2 := m.vol * m.vol
	n1 := m.nn - 1
	mm := 2 * m.r / v2
	qInf := 0.5 * (-n1 + m.phi*math.Sqrt(n1*n1+4*mm))
	sInf := m.k / (1 - 1/qInf)
	if m.call {
		h := -(m.b*m.t + 2*m.sd) * m.k / (sInf - m.k)
		return m.k + (sInf-m.k)*(1-math.Exp(h))
	}
	h := (m.b*m.t - 2*m.sd) * m.k / (m.k - sInf)
	return sInf + (m.k-sInf)*math.Exp(h)
}

// second records the price on a second-order tape, with elementary
// operations whose second derivatives the tape carries. The critical price
// is recorded as two Newton steps on F from the solved root sStar, a
// constant: the Newton map s − F/F_s has a zero derivative in s at the root,
// so one step from the constant root gives the exact first derivatives of
// S*(θ) (those of the implicit function theorem) and the second step the
// exact second derivatives, ∂²S*/∂θ_i∂θ_j = −(F_ij + F_is·S*_j + F_js·S*_i +
// F_ss·S*_i·S*_j)/F_s, without writing out F's Hessian.
func (m *baw) second(tp *aad.Tape, p *Params, sStar float64) (aad.Number, error) {
	b := newBawTape(tp, m.call, p)
	s1 := b.newton(aad.Const(sStar))
	s2 := b.newton(s1)
	// The premium φ·(S*/q)·u(S*)·(S/S*)^q.
	e := tp.Mul(tp.Mul(tp.Div(s2, b.qq), b.u(s2)), tp.Exp(tp.Mul(b.qq, tp.Log(tp.Div(p.S, s2)))))
	if m.call {
		return checkedFn("American", tp.Add(b.european(p.S, b.d1(p.S)), e))
	}
	return checkedFn("American", tp.Sub(b.european(p.S, b.d1(p.S)), e))
}

// checkedFn returns v, or ErrNotFinite for fn if its value is not finite.
func checkedFn(fn string, v aad.Number) (aad.Number, error) {
	if !finite(v.Value()) {
		return aad.Number{}, notFinite(fn)
	}
	return v, nil
}

// bawTape holds the quantities of Barone-Adesi–Whaley that do not depend on
// the spot, recorded on a tape from p's inputs with elementary operations.
type bawTape struct {
	tp     *aad.Tape
	call   bool
	phi    float64
	k, sd  aad.Number // K, Vol·√T
	g, kd  aad.Number // e^{−QT}, K·e^{−RT}
	bt, qq aad.Number // (R − Q)·T, q_φ
}

// newBawTape records the quantities of b from p (Vol > 0).
func newBawTape(tp *aad.Tape, call bool, p *Params) bawTape {
	b := bawTape{tp: tp, call: call, phi: sign(call), k: p.K}
	b.sd = tp.Mul(p.Vol, tp.Sqrt(p.T))
	b.g = tp.Exp(tp.Neg(tp.Mul(p.Q, p.T)))
	b.kd = tp.Mul(p.K, tp.Exp(tp.Neg(tp.Mul(p.R, p.T))))
	rq := tp.Sub(p.R, p.Q)
	b.bt = tp.Mul(rq, p.T)
	v2 := tp.Square(p.Vol)
	// N = 2(R − Q)/Vol², M/K = 2h(RT)/(Vol²·T), D = √((N − 1)² + 4M/K),
	// q_φ = (1 − N + φ·D)/2, as in init.
	n1 := tp.SubConst(tp.MulConst(tp.Div(rq, v2), 2), 1)
	rt := tp.Mul(p.R, p.T)
	hv, dh := xOverOneMinusExp(rt.Value())
	args, parts, hess := [1]aad.Number{rt}, [1]float64{dh}, [1]float64{xOverOneMinusExpD2(rt.Value())}
	h := tp.Custom2(hv, args[:], parts[:], hess[:])
	mk := tp.MulConst(tp.Div(h, tp.Mul(v2, p.T)), 2)
	dd := tp.Sqrt(tp.Add(tp.Square(n1), tp.MulConst(mk, 4)))
	b.qq = tp.MulConst(tp.Add(tp.Neg(n1), tp.MulConst(dd, b.phi)), 0.5)
	return b
}

// d1 returns d1 = (ln(s/K) + (R − Q)·T)/(Vol·√T) + Vol·√T/2 at spot s.
func (b *bawTape) d1(s aad.Number) aad.Number {
	tp := b.tp
	return tp.Add(tp.Div(tp.Add(tp.Log(tp.Div(s, b.k)), b.bt), b.sd), tp.MulConst(b.sd, 0.5))
}

// signed returns φ·x.
func (b *bawTape) signed(x aad.Number) aad.Number {
	if b.call {
		return x
	}
	return b.tp.Neg(x)
}

// european returns the European price at spot s, with d1 = b.d1(s).
func (b *bawTape) european(s, d1 aad.Number) aad.Number {
	tp := b.tp
	d2 := tp.Sub(d1, b.sd)
	return b.signed(tp.Sub(tp.Mul(tp.Mul(s, b.g), tp.NormCDF(b.signed(d1))), tp.Mul(b.kd, tp.NormCDF(b.signed(d2)))))
}

// u returns u(s) = 1 − e^{−QT}·Φ(φ·d1(s)).
func (b *bawTape) u(s aad.Number) aad.Number {
	return b.tp.ConstSub(1, b.tp.Mul(b.g, b.tp.NormCDF(b.signed(b.d1(s)))))
}

// newton returns the Newton step s − F(s)/F_s(s) on F of baw.f, with
//
//	F(s) = v(s) + φ·u(s)·s/q_φ − φ·(s − K),
//	F_s(s) = φ·e^{−QT}·Φ(φ·d1) + φ·(u(s) − φ·e^{−QT}·φ(d1)/(Vol·√T))/q_φ − φ.
func (b *bawTape) newton(s aad.Number) aad.Number {
	tp := b.tp
	d1 := b.d1(s)
	gn1 := tp.Mul(b.g, tp.NormCDF(b.signed(d1)))
	u := tp.ConstSub(1, gn1)
	// φ·(u·s/q_φ − (s − K)).
	f := tp.Add(b.european(s, d1), b.signed(tp.Sub(tp.Div(tp.Mul(u, s), b.qq), tp.Sub(s, b.k))))
	gpdf := tp.Div(tp.Mul(b.g, tp.NormPDF(d1)), b.sd)
	fs := tp.SubConst(tp.Add(gn1, tp.Div(tp.Sub(u, b.signed(gpdf)), b.qq)), 1)
	return tp.Sub(s, tp.Div(f, b.signed(fs)))
}

// xOverOneMinusExpD2 returns h”(x) for h(x) = x/(1 − e^{−x}), by its
// Bernoulli series near 0, where the direct formula cancels (the series of
// xOverOneMinusExp differentiated, with one more term, which h” needs to
// stay within rounding at |x| = 0.1).
func xOverOneMinusExpD2(x float64) float64 {
	if math.Abs(x) < 0.1 {
		x2 := x * x
		return 1.0/6 + x2*(-1.0/60+x2*(1.0/1008+x2*(-1.0/21600+x2/532224)))
	}
	em := -math.Expm1(-x) // E = 1 − e^{−x}
	e := 1 - em           // e^{−x} = E′ = −E″
	// h = x/E, h″ = (−x·E″·E − 2E′·(E − x·E′))/E³.
	return e * (x*em - 2*(em-x*e)) / (em * em * em)
}
