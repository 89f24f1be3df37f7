package closedform

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/fastmath"
)

// Params are the market-side inputs of a single-asset Black–Scholes–Merton
// pricing. All are Numbers, so that any of them can be an active input of a
// recording.
type Params struct {
	S   aad.Number // spot
	K   aad.Number // strike
	T   aad.Number // time to expiry in years
	R   aad.Number // continuously compounded zero rate to T
	Q   aad.Number // continuously compounded dividend yield to T
	Vol aad.Number // Black volatility at (T, K)
}

// args writes p's inputs into a in the order of the partials of a bsm. It
// fills a caller's array rather than returning one because the compiler
// builds a returned array in a temporary and copies it with 16-byte loads
// right after its 8-byte stores, which the processor cannot forward: a
// stall of tens of cycles per pricing.
func (p *Params) args(a *[6]aad.Number) {
	a[iS], a[iK], a[iT], a[iR], a[iQ], a[iVol] = p.S, p.K, p.T, p.R, p.Q, p.Vol
}

// bsm is a Black–Scholes–Merton value with its partial derivatives with
// respect to S, K, T, R, Q and Vol, in that order.
type bsm struct {
	v float64
	d [6]float64
}

const (
	iS = iota
	iK
	iT
	iR
	iQ
	iVol
)

// record records o as one statement over p's inputs.
func (o *bsm) record(tp *aad.Tape, p *Params) aad.Number {
	var args [6]aad.Number
	p.args(&args)
	return tp.Custom(o.v, args[:], o.d[:])
}

// record2 records o as one statement over p's inputs with h, its Hessian
// over them (row-major, in the order of the partials), for a second-order
// tape. A value that is not finite is returned passive, as result does.
func (o *bsm) record2(tp *aad.Tape, p *Params, h *[36]float64) aad.Number {
	if !finite(o.v) {
		return aad.Const(o.v)
	}
	var args [6]aad.Number
	p.args(&args)
	return tp.Custom2(o.v, args[:], o.d[:], h[:])
}

// symmetric copies the upper triangle of the n×n row-major h into its
// lower one: the Hessians below are written for j ≥ i only.
func symmetric(h []float64, n int) {
	for i := 1; i < n; i++ {
		for j := range i {
			h[i*n+j] = h[j*n+i]
		}
	}
}

// dPair returns d1 = x/sd + sd/2 and d2 = d1 − sd. For sd = 0 (no
// volatility left) they are the limits: ±Inf by the sign of x, and 0 when x
// is 0 (the forward is at the strike, where Φ(d) tends to 1/2).
func dPair(x, sd float64) (d1, d2 float64) {
	if sd > 0 {
		d1 = x/sd + 0.5*sd
		return d1, d1 - sd
	}
	switch {
	case x > 0:
		return math.Inf(1), math.Inf(1)
	case x < 0:
		return math.Inf(-1), math.Inf(-1)
	}
	return 0, 0
}

// OptionType says whether an option is a call or a put. The zero
// OptionType is neither, so that an option whose type was never set is
// not taken for one: the formulas give NaN or an *InputError for it.
type OptionType uint8

// The option types.
const (
	Call OptionType = iota + 1 // pays the asset's excess over the strike
	Put                        // pays the strike's excess over the asset
)

// String returns "call" or "put", the names of the portfolio file's
// option_type column.
func (t OptionType) String() string {
	switch t {
	case Call:
		return "call"
	case Put:
		return "put"
	}
	return fmt.Sprintf("OptionType(%d)", uint8(t))
}

// valid reports whether t is a call or a put.
func (t OptionType) valid() bool { return t == Call || t == Put }

// check returns nil for a call or a put and an *InputError naming fn
// otherwise.
func (t OptionType) check(fn string) error {
	if t.valid() {
		return nil
	}
	return &InputError{Func: fn, Name: "option type", Value: float64(t), Want: "Call or Put"}
}

// sign is +1 for a call and −1 for a put.
func sign(call bool) float64 {
	if call {
		return 1
	}
	return -1
}

// vanilla sets o to the Black–Scholes–Merton price of a European call or
// put on plain float64 inputs (validated by the caller), with its partials
// when greeks is set (zero otherwise). All partials are written without
// 1/(σ√T) factors, so they stay finite as σ√T → 0.
//
// It fills the caller's o rather than returning a bsm: a returned bsm comes
// back through memory, written with 8-byte stores that the compiler then
// copies with 16-byte loads, which the processor cannot forward (a stall of
// tens of cycles per pricing).
func (o *bsm) vanilla(call bool, s, k, t, r, q, vol float64, greeks bool) {
	o.vanilla2(call, s, k, t, r, q, vol, greeks, nil)
}

// vanilla2 is vanilla that also writes the Hessian of the value over S, K,
// T, R, Q and Vol into h when h is not nil (greeks must then be set). The
// value and the partials are those of vanilla, from the same code: a
// second-order recording sees exactly the numbers of a first-order one.
func (o *bsm) vanilla2(call bool, s, k, t, r, q, vol float64, greeks bool, h *[36]float64) {
	phi := sign(call)
	sqT := math.Sqrt(t)
	sd := vol * sqT
	d1, d2 := dPair(fastmath.Log(s/k)+(r-q)*t, sd)
	eq, er := fastmath.Exp(-q*t), fastmath.Exp(-r*t)
	sq := s * eq // S·e^{−qT}
	kd := k * er // K·e^{−rT}
	n1 := aad.NormCDF(phi * d1)
	n2 := aad.NormCDF(phi * d2)
	a, b := phi*sq*n1, phi*kd*n2
	o.v = a - b
	if !greeks {
		o.d = [6]float64{}
		return
	}
	vt := sq * aad.NormPDF(d1) // ∂v/∂(σ√T)
	// a/S and b/K without dividing.
	o.d[iS] = phi * eq * n1
	o.d[iK] = -phi * er * n2
	o.d[iT] = -q*a + r*b + vt*vol/(2*sqT)
	o.d[iR] = t * b
	o.d[iQ] = -t * a
	o.d[iVol] = vt * sqT
	if h != nil {
		bsmHessian(h, s, k, t, r, q, vol, sqT, sd, d1, d2, a, b, vt, o.d[iS], o.d[iK])
	}
}

// bsmHessian writes into h the Hessian over (S, K, T, R, Q, Vol) of the
// Black–Scholes–Merton value v = a − b, from the quantities vanilla has
// computed: a = φ·S·e^{−QT}·Φ(φ·d1), b = φ·K·e^{−RT}·Φ(φ·d2),
// vt = S·e^{−QT}·φ(d1) = K·e^{−RT}·φ(d2) (∂v/∂(Vol·√T)), the delta dS and
// the dual delta dK. Each entry is written as the terms that come from the
// discount and dividend factors (a, b, dS, dK) plus those that carry the
// density vt, so that no two large terms cancel. It uses, with
// sd = Vol·√T and ∂d1/∂T = (R−Q)/sd − d2/(2T), ∂d2/∂T = (R−Q)/sd − d1/(2T):
//
//	∂d/∂S = 1/(S·sd), ∂d/∂K = −1/(K·sd), ∂d/∂R = −∂d/∂Q = T/sd (d = d1, d2),
//	∂d1/∂Vol = −d2/Vol, ∂d2/∂Vol = −d1/Vol, ∂vt/∂x = vt·(∂ln(S·e^{−QT})/∂x − d1·∂d1/∂x).
//
// At sd = 0 (or where vt underflows to 0) the value is piecewise linear in
// S and the density terms are taken as 0: the discount terms alone, finite.
func bsmHessian(h *[36]float64, s, k, t, r, q, vol, sqT, sd, d1, d2, a, b, vt, dS, dK float64) {
	*h = [36]float64{}
	// The terms without the density: from e^{−QT} and e^{−RT}.
	h[iS*6+iT] = -q * dS
	h[iS*6+iQ] = -t * dS
	h[iK*6+iT] = -r * dK
	h[iK*6+iR] = -t * dK
	h[iT*6+iT] = q*q*a - r*r*b
	h[iT*6+iR] = b * (1 - r*t)
	h[iT*6+iQ] = -a * (1 - q*t)
	h[iR*6+iR] = -t * t * b
	h[iQ*6+iQ] = t * t * a
	if vt != 0 && sd > 0 {
		g1 := (r-q)/sd - d2/(2*t) // ∂d1/∂T
		g2 := (r-q)/sd - d1/(2*t) // ∂d2/∂T
		vs, vk := vt/s, vt/k
		tsd := t / sd
		h[iS*6+iS] = vs / (s * sd)
		h[iS*6+iK] = -vs / (k * sd)
		h[iS*6+iT] += vs * g1
		h[iS*6+iR] = vs * tsd
		h[iS*6+iQ] -= vs * tsd
		h[iS*6+iVol] = -vs * d2 / vol
		h[iK*6+iK] = vk / (k * sd)
		h[iK*6+iT] -= vk * g2
		h[iK*6+iR] -= vk * tsd
		h[iK*6+iQ] = vk * tsd
		h[iK*6+iVol] = vk * d1 / vol
		// ∂/∂T of v_T = −Q·a + R·b + vt·Vol/(2√T).
		h[iT*6+iT] += vt * ((r-q)*(r-q)/sd + (q*d2-r*d1)/(2*t) - vol/(2*sqT)*(q+d1*g1) - vol/(4*t*sqT))
		h[iT*6+iR] += vt * t * g2
		h[iT*6+iQ] -= vt * t * g1
		h[iT*6+iVol] = vt * ((q*d2-r*d1)/vol + (1+d1*d2)/(2*sqT))
		h[iR*6+iR] += vt * t * tsd
		h[iR*6+iQ] = -vt * t * tsd
		h[iR*6+iVol] = -vt * t * d1 / vol
		h[iQ*6+iQ] += vt * t * tsd
		h[iQ*6+iVol] = vt * t * d2 / vol
		h[iVol*6+iVol] = vt * sqT * d1 * d2 / vol
	}
	symmetric(h[:], 6)
}

// European returns the Black–Scholes–Merton price of a European call or put
// on a dividend-paying asset:
//
//	call = S·e^{−QT}·Φ(d1) − K·e^{−RT}·Φ(d2),  put = K·e^{−RT}·Φ(−d2) − S·e^{−QT}·Φ(−d1),
//	d1 = (ln(S/K) + (R−Q)T)/(Vol·√T) + Vol·√T/2,  d2 = d1 − Vol·√T.
//
// It records one statement whose partials are the analytic delta, dual
// delta, theta (∂/∂T), rho, dividend rho and vega, so that one backward
// sweep gives them all.
//
// It may be recorded on a second-order tape (aad.Tape.SetSecondOrder): the
// statement then carries its exact Hessian over the six inputs, so that
// one tangent-over-adjoint sweep gives gamma, vanna, volga and every cross
// term along the seeded direction. The value and the partials are the same
// numbers on either tape.
//
// Special cases are:
//
//	invalid p (S, K or T not finite and > 0, R or Q not finite, Vol < 0 or not finite,
//	    see Params.Validate) or typ neither Call nor Put: NaN, recorded as a passive constant
//	Vol = 0: the discounted intrinsic value of the forward, max(±(S·e^{−QT} − K·e^{−RT}), 0),
//	    with the limits of the partials (at the forward exactly, delta is half the one-sided values)
//	Vol·√T tiny: the same limit, reached continuously; every partial stays finite
//	second order at Vol·√T = 0: the value is piecewise linear in S there, so the
//	    terms of the Hessian that carry the density φ(d1) (gamma, vanna, volga, …)
//	    are 0 and only those of the discount and dividend factors remain; for tiny
//	    Vol·√T > 0 they are the exact ones, which grow like 1/(Vol·√T) near the forward
//	a result that overflows (e^{−QT} or e^{−RT} beyond float64): ±Inf or NaN
func European(tp *aad.Tape, typ OptionType, p Params) aad.Number {
	if !p.valid(false) || !typ.valid() {
		return nan(tp, &p)
	}
	call := typ == Call
	greeks := p.active(tp)
	var o bsm
	if greeks && tp.SecondOrder() {
		var h [36]float64
		o.vanilla2(call, p.S.Value(), p.K.Value(), p.T.Value(), p.R.Value(), p.Q.Value(), p.Vol.Value(), true, &h)
		return o.record2(tp, &p, &h)
	}
	o.vanilla(call, p.S.Value(), p.K.Value(), p.T.Value(), p.R.Value(), p.Q.Value(), p.Vol.Value(), greeks)
	return o.result(tp, &p, greeks)
}

// Partials are a closed form's derivatives in each of its inputs.
type Partials struct{ S, K, T, R, Q, Vol float64 }

// EuropeanGradient returns European's value on plain inputs and its
// partials in each: exactly the statement European records, bit for bit,
// for a caller whose inputs are plain numbers, whose gradient then needs no
// tape at all (no recording and no sweep: a tape's fixed cost is a quarter
// of a closed form's AAD time). Invalid inputs give NaN, value and
// partials, as European's value is.
func EuropeanGradient(typ OptionType, s, k, t, r, q, vol float64) (float64, Partials) {
	p := Params{S: aad.Const(s), K: aad.Const(k), T: aad.Const(t), R: aad.Const(r), Q: aad.Const(q), Vol: aad.Const(vol)}
	if !p.valid(false) || !typ.valid() {
		n := math.NaN()
		return n, Partials{n, n, n, n, n, n}
	}
	var o bsm
	o.vanilla(typ == Call, s, k, t, r, q, vol, true)
	return o.v, Partials{S: o.d[iS], K: o.d[iK], T: o.d[iT], R: o.d[iR], Q: o.d[iQ], Vol: o.d[iVol]}
}

// result returns o as a passive Number, or recorded over p's inputs when
// greeks is set. A value that is not finite is returned passive.
func (o *bsm) result(tp *aad.Tape, p *Params, greeks bool) aad.Number {
	if !greeks || !finite(o.v) {
		return aad.Const(o.v)
	}
	return o.record(tp, p)
}

// digital sets o to the value of a cash-or-nothing (asset false) or
// asset-or-nothing digital on plain inputs, with its partials when greeks is
// set (zero otherwise). The cash amount is 1. It fills o, as vanilla does.
func (o *bsm) digital(call, asset bool, s, k, t, r, q, vol float64, greeks bool) {
	o.digital2(call, asset, s, k, t, r, q, vol, greeks, nil)
}

// digital2 is digital that also writes the Hessian of the value into h when
// h is not nil (greeks must then be set), as vanilla2 does for vanilla.
func (o *bsm) digital2(call, asset bool, s, k, t, r, q, vol float64, greeks bool, h *[36]float64) {
	phi := sign(call)
	sqT := math.Sqrt(t)
	sd := vol * sqT
	b := r - q
	d1, d2 := dPair(fastmath.Log(s/k)+b*t, sd)
	// V = c·Φ(φ·d) with c = e^{−RT} and d = d2 (cash) or c = S·e^{−QT} and
	// d = d1 (asset); w = φ·c·φ(d) multiplies ∂d/∂x.
	c, d, other := fastmath.Exp(-r*t), d2, d1
	if asset {
		c, d, other = s*fastmath.Exp(-q*t), d1, d2
	}
	o.v = c * aad.NormCDF(phi*d)
	if !greeks {
		o.d = [6]float64{}
		return
	}
	w := phi * c * aad.NormPDF(d)
	// ∂d/∂S = 1/(S·sd), ∂d/∂K = −1/(K·sd), ∂d/∂R = T/sd = −∂d/∂Q,
	// ∂d/∂Vol = −other/Vol, ∂d/∂T = b/sd − other/(2T). Where φ(d) is 0 the
	// terms are 0 even if sd is 0 (d is then infinite).
	var wsd, wVol, wT float64
	if w != 0 {
		wsd = w / sd
		wVol = -w * other / vol
		wT = wsd*b - w*other/(2*t)
	}
	o.d[iS] = wsd / s
	o.d[iK] = -wsd / k
	o.d[iT] = wT
	o.d[iR] = wsd * t
	o.d[iQ] = -wsd * t
	o.d[iVol] = wVol
	if asset {
		o.d[iS] += o.v / s
		o.d[iT] -= q * o.v
		o.d[iQ] -= t * o.v
	} else {
		o.d[iT] -= r * o.v
		o.d[iR] -= t * o.v
	}
	if h != nil {
		digitalHessian(h, asset, s, k, t, r, q, vol, sqT, sd, d1, d2, d, o.v, w)
	}
}

// digitalHessian writes into h the Hessian over (S, K, T, R, Q, Vol) of a
// digital V = c·Φ(φ·d) from the quantities digital has computed: d (d1 for
// the asset digital, d2 for cash), its value v and w = φ·c·φ(d). With
// ℓ = ln c (−R·T for cash, ln S − Q·T for the asset),
//
//	∂²V/∂x_i∂x_j = V·(∂²ℓ/∂x_i∂x_j + ∂ℓ/∂x_i·∂ℓ/∂x_j)
//	    + w·(∂ℓ/∂x_i·∂d/∂x_j + ∂ℓ/∂x_j·∂d/∂x_i + ∂²d/∂x_i∂x_j − d·∂d/∂x_i·∂d/∂x_j),
//
// and the derivatives of d = g ± sd/2, g = x/sd (x = ln(S/K) + (R−Q)·T,
// sd = Vol·√T) follow from those of x and sd:
//
//	∂g/∂x_i = (∂x/∂x_i − g·∂sd/∂x_i)/sd,
//	∂²g/∂x_i∂x_j = (∂²x/∂x_i∂x_j − g·∂²sd/∂x_i∂x_j − ∂g/∂x_i·∂sd/∂x_j − ∂g/∂x_j·∂sd/∂x_i)/sd.
//
// Where w is 0 or sd is 0 the terms in w are taken as 0, as digital takes
// the first-order ones where w is 0: at sd = 0 the value is a step in S.
func digitalHessian(h *[36]float64, asset bool, s, k, t, r, q, vol, sqT, sd, d1, d2, d, v, w float64) {
	var l [6]float64 // ∂ℓ/∂x
	if asset {
		l[iS], l[iT], l[iQ] = 1/s, -q, -t
	} else {
		l[iT], l[iR] = -r, -t
	}
	for i := range 6 {
		for j := i; j < 6; j++ {
			h[i*6+j] = v * l[i] * l[j]
		}
	}
	if asset {
		h[iS*6+iS] -= v / (s * s)
		h[iT*6+iQ] -= v
	} else {
		h[iT*6+iR] -= v
	}
	if w != 0 && sd > 0 {
		half := -0.5 // d = g + half·sd
		if asset {
			half = 0.5
		}
		g := 0.5 * (d1 + d2)
		dx := [6]float64{iS: 1 / s, iK: -1 / k, iT: r - q, iR: t, iQ: -t}
		var dsd [6]float64
		dsd[iT], dsd[iVol] = vol/(2*sqT), sqT
		var hx, hsd [36]float64 // the upper triangles of the second derivatives of x and sd
		hx[iS*6+iS], hx[iK*6+iK], hx[iT*6+iR], hx[iT*6+iQ] = -1/(s*s), 1/(k*k), 1, -1
		hsd[iT*6+iT], hsd[iT*6+iVol] = -vol/(4*t*sqT), 1/(2*sqT)
		var dg, dd [6]float64
		for i := range 6 {
			dg[i] = (dx[i] - g*dsd[i]) / sd
			dd[i] = dg[i] + half*dsd[i]
		}
		for i := range 6 {
			for j := i; j < 6; j++ {
				ij := i*6 + j
				ddij := (hx[ij]-g*hsd[ij]-dg[i]*dsd[j]-dg[j]*dsd[i])/sd + half*hsd[ij]
				h[ij] += w * (l[i]*dd[j] + l[j]*dd[i] + ddij - d*dd[i]*dd[j])
			}
		}
	}
	symmetric(h[:], 6)
}

// DigitalCash returns the value of a European cash-or-nothing digital that
// pays payout at expiry if S_T > K (call) or S_T < K (put):
// payout·e^{−RT}·Φ(±d2). The value is linear in payout, which may have
// either sign. It records one statement over p's inputs. It may be
// recorded on a second-order tape, where the statement carries its exact
// Hessian over the six inputs (the same value and partials as on a
// first-order tape).
//
// Special cases are those of European, and:
//
//	payout not finite: NaN
//	Vol·√T = 0: payout·e^{−RT} if the forward is in the money, 0 if out, half of it at the forward
//	Vol·√T = 0 with the forward exactly at K: that value, with infinite sensitivities
//	    to S, K, T, R, Q (and a NaN one to Vol): the payoff's jump sits on the forward
//	second order at Vol·√T = 0: the value is a step in S there, so the terms of the
//	    Hessian that carry the density φ(d2) are 0 and only those of the discount
//	    factor remain
//	second order at tiny Vol·√T > 0 near the forward: the exact terms, which grow like
//	    1/(Vol·√T)² (the cross terms with Vol like 1/(Vol²·√T)); ±Inf beyond float64
func DigitalCash(tp *aad.Tape, typ OptionType, p Params, payout float64) aad.Number {
	if !p.valid(false) || !finite(payout) || !typ.valid() {
		return nan(tp, &p)
	}
	call := typ == Call
	greeks := p.active(tp)
	var o bsm
	if greeks && tp.SecondOrder() {
		var h [36]float64
		o.digital2(call, false, p.S.Value(), p.K.Value(), p.T.Value(), p.R.Value(), p.Q.Value(), p.Vol.Value(), true, &h)
		o.scale(payout)
		for i := range h {
			h[i] *= payout
		}
		return o.record2(tp, &p, &h)
	}
	o.digital(call, false, p.S.Value(), p.K.Value(), p.T.Value(), p.R.Value(), p.Q.Value(), p.Vol.Value(), greeks)
	o.scale(payout)
	return o.result(tp, &p, greeks)
}

// scale multiplies o's value and partials by c.
func (o *bsm) scale(c float64) {
	o.v *= c
	for i := range o.d {
		o.d[i] *= c
	}
}

// DigitalAsset returns the value of a European asset-or-nothing digital that
// delivers the asset at expiry if S_T > K (call) or S_T < K (put):
// S·e^{−QT}·Φ(±d1). It records one statement over p's inputs. It may be
// recorded on a second-order tape, as DigitalCash may.
//
// Special cases are those of DigitalCash (without payout; at second order the
// density is φ(d1) and the factor S·e^{−QT}).
func DigitalAsset(tp *aad.Tape, typ OptionType, p Params) aad.Number {
	if !p.valid(false) || !typ.valid() {
		return nan(tp, &p)
	}
	call := typ == Call
	greeks := p.active(tp)
	var o bsm
	if greeks && tp.SecondOrder() {
		var h [36]float64
		o.digital2(call, true, p.S.Value(), p.K.Value(), p.T.Value(), p.R.Value(), p.Q.Value(), p.Vol.Value(), true, &h)
		return o.record2(tp, &p, &h)
	}
	o.digital(call, true, p.S.Value(), p.K.Value(), p.T.Value(), p.R.Value(), p.Q.Value(), p.Vol.Value(), greeks)
	return o.result(tp, &p, greeks)
}

// Black76 returns the Black (1976) price of a European call or put on a
// forward f, paid at t with discount factor df:
//
//	df·(f·Φ(d1) − k·Φ(d2)) (call),  df·(k·Φ(−d2) − f·Φ(−d1)) (put),
//	d1 = ln(f/k)/(vol·√t) + vol·√t/2,  d2 = d1 − vol·√t.
//
// It records one statement over f, k, t, df and vol. It may be recorded on
// a second-order tape, where the statement carries its exact Hessian over
// the five inputs (the same value and partials as on a first-order tape).
//
// Special cases are:
//
//	f, k, t or df not finite and > 0, vol < 0 or not finite, typ neither Call nor Put:
//	    NaN, recorded as a passive constant
//	vol = 0: df·max(±(f − k), 0), with the limits of the partials; at second order
//	    the terms of the Hessian that carry the density φ(d1) are 0, as for European
func Black76(tp *aad.Tape, typ OptionType, f, k, t, df, vol aad.Number) aad.Number {
	args := [5]aad.Number{f, k, t, df, vol}
	greeks := wantPartials(tp, args[:])
	fv, kv, tv, dfv, vv := f.Value(), k.Value(), t.Value(), df.Value(), vol.Value()
	if !(fv > 0 && kv > 0 && tv > 0 && dfv > 0 && vv >= 0 && fv-fv == 0 && kv-kv == 0 && tv-tv == 0 && dfv-dfv == 0 && vv-vv == 0) || !typ.valid() {
		return aad.Const(math.NaN())
	}
	phi := sign(typ == Call)
	sqT := math.Sqrt(tv)
	d1, d2 := dPair(math.Log(fv/kv), vv*sqT)
	a, b := phi*fv*aad.NormCDF(phi*d1), phi*kv*aad.NormCDF(phi*d2)
	u := a - b
	v := dfv * u
	if !greeks || !finite(v) {
		return aad.Const(v)
	}
	ft := fv * aad.NormPDF(d1) // ∂u/∂(vol·√t)
	parts := [5]float64{dfv * a / fv, -dfv * b / kv, dfv * ft * vv / (2 * sqT), u, dfv * ft * sqT}
	if tp.SecondOrder() {
		var h [25]float64
		black76Hessian(&h, fv, kv, tv, dfv, vv, sqT, d1, d2, a, b, ft)
		return tp.Custom2(v, args[:], parts[:], h[:])
	}
	return tp.Custom(v, args[:], parts[:])
}

// black76Hessian writes into h the Hessian of Black76's df·u over (f, k, t,
// df, vol): u is the Black–Scholes–Merton value on S = f with R = Q = 0, so
// its Hessian is bsmHessian's rows and columns S, K, T and Vol; v is linear
// in df, whose row is the gradient of u.
func black76Hessian(h *[25]float64, f, k, t, df, vol, sqT, d1, d2, a, b, ft float64) {
	var hu [36]float64
	bsmHessian(&hu, f, k, t, 0, 0, vol, sqT, vol*sqT, d1, d2, a, b, ft, a/f, -b/k)
	const iDF = 3
	at := [5]int{iS, iK, iT, -1, iVol} // the index in hu of each argument but df
	du := [5]float64{a / f, -b / k, ft * vol / (2 * sqT), 0, ft * sqT}
	for i := range 5 {
		for j := range 5 {
			switch {
			case i == iDF:
				h[i*5+j] = du[j]
			case j == iDF:
				h[i*5+j] = du[i]
			default:
				h[i*5+j] = df * hu[at[i]*6+at[j]]
			}
		}
	}
}

// Bachelier returns the price of a European call or put on a forward f with
// normally distributed changes (normal volatility normalVol, in units of f
// per √year), paid at t with discount factor df:
//
//	df·(±(f − k)·Φ(±d) + normalVol·√t·φ(d)),  d = (f − k)/(normalVol·√t).
//
// It records one statement over f, k, t, df and normalVol. f and k may have
// any sign. It may be recorded on a second-order tape, where the statement
// carries its exact Hessian over the five inputs (the same value and
// partials as on a first-order tape).
//
// Special cases are:
//
//	f or k not finite, t or df not finite and > 0, normalVol < 0 or not finite,
//	    typ neither Call nor Put: NaN, recorded as a passive constant
//	normalVol = 0: df·max(±(f − k), 0), with the limits of the partials; at second
//	    order the value is piecewise linear in f and k, and every second derivative
//	    but those with df (the partials of the undiscounted price) is 0
func Bachelier(tp *aad.Tape, typ OptionType, f, k, t, df, normalVol aad.Number) aad.Number {
	args := [5]aad.Number{f, k, t, df, normalVol}
	greeks := wantPartials(tp, args[:])
	fv, kv, tv, dfv, vv := f.Value(), k.Value(), t.Value(), df.Value(), normalVol.Value()
	if !(tv > 0 && dfv > 0 && vv >= 0 && fv-fv == 0 && kv-kv == 0 && tv-tv == 0 && dfv-dfv == 0 && vv-vv == 0) || !typ.valid() {
		return aad.Const(math.NaN())
	}
	phi := sign(typ == Call)
	sqT := math.Sqrt(tv)
	sd := vv * sqT
	m := fv - kv
	d, _ := dPair(m, 0) // the limit ±Inf (or 0 at f = k) for sd = 0
	if sd > 0 {
		d = m / sd
	}
	nd := aad.NormPDF(d)
	delta := phi * aad.NormCDF(phi*d)
	u := m*delta + sd*nd
	v := dfv * u
	if !greeks || !finite(v) {
		return aad.Const(v)
	}
	parts := [5]float64{dfv * delta, -dfv * delta, dfv * vv * nd / (2 * sqT), u, dfv * sqT * nd}
	if tp.SecondOrder() {
		var h [25]float64
		bachelierHessian(&h, tv, dfv, vv, sqT, sd, d, nd, delta)
		return tp.Custom2(v, args[:], parts[:], h[:])
	}
	return tp.Custom(v, args[:], parts[:])
}

// bachelierHessian writes into h the Hessian of Bachelier's df·u over (f,
// k, t, df, normalVol), from d, nd = φ(d) and delta = ∂u/∂f. With
// ∂d/∂f = −∂d/∂k = 1/sd and ∂d/∂sd = −d/sd (sd = normalVol·√t), every
// second derivative of u carries nd:
//
//	u_ff = −u_fk = u_kk = nd/sd,  u_ft = −u_kt = −nd·d/(2t),  u_fσ = −u_kσ = −nd·d/σ,
//	u_σσ = nd·d²·√t/σ,  u_σt = nd·(1 + d²)/(2√t),  u_tt = nd·σ·(d² − 1)/(4t·√t).
//
// At sd = 0 (or where nd underflows to 0) the value is piecewise linear in
// f and k and they are taken as 0. v is linear in df, whose row is the
// gradient of u.
func bachelierHessian(h *[25]float64, t, df, vol, sqT, sd, d, nd, delta float64) {
	const iF, iK, iT, iDF, iV = 0, 1, 2, 3, 4
	*h = [25]float64{}
	h[iF*5+iDF], h[iK*5+iDF], h[iT*5+iDF], h[iDF*5+iV] = delta, -delta, vol*nd/(2*sqT), sqT*nd
	if nd != 0 && sd > 0 {
		ff := df * nd / sd
		ft := -df * nd * d / (2 * t)
		fv := -df * nd * d / vol
		h[iF*5+iF], h[iF*5+iK], h[iK*5+iK] = ff, -ff, ff
		h[iF*5+iT], h[iK*5+iT] = ft, -ft
		h[iF*5+iV], h[iK*5+iV] = fv, -fv
		h[iV*5+iV] = df * nd * d * d * sqT / vol
		h[iT*5+iV] = df * nd * (1 + d*d) / (2 * sqT)
		h[iT*5+iT] = df * nd * vol * (d*d - 1) / (4 * t * sqT)
	}
	symmetric(h[:], 5)
}
