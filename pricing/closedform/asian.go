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
// more per 64 fixings beyond the first 64; it allocates nothing. It may be
// recorded on a second-order tape, where the price carries its exact
// Hessian over S, K, T, R, Q, Vol and the two sums (which are linear in the
// fixing times), with the same value and partials as on a first-order
// tape.
//
// Special cases are those of European (at second order too), and:
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
	if tp.SecondOrder() {
		var h [64]float64
		q := discreteAsian{s: sv, k: kv, t: tv, r: rv, vol: vol, n: nf, m1: m1, w: w, nu: nu, sqW: sqW, sd: sd, fwd: fwd, df: df, d1: d1, d2: d2, a: a, b: b, u: u}
		q.hessian(&h)
		return tp.Custom2(v, args[:], parts[:], h[:])
	}
	return tp.Custom(v, args[:], parts[:])
}

// discreteAsian holds what GeometricAsianDiscrete has computed, for its
// Hessian: the inputs, N, Σt_i (m1) and Σ(2(N−i)−1)·t_i (w), the drift nu,
// √w, the standard deviation sd and forward fwd of the average, the
// discount factor df, d1, d2, a = φ·fwd·Φ(φ·d1), b = φ·K·Φ(φ·d2) and the
// undiscounted price u = a − b.
type discreteAsian struct {
	s, k, t, r, vol, n, m1, w, nu, sqW, sd, fwd, df, d1, d2, a, b, u float64
}

// hessian writes into h the Hessian of the price df·u(F, K, sd) over
// x = (S, K, T, R, Q, Vol, Σt_i, Σ(2(N−i)−1)·t_i). u is Black's formula,
// the Black–Scholes–Merton value on S = F with T = 1, R = Q = 0 and
// volatility sd, so its Hessian over p = (F, K, sd) is bsmHessian's rows
// and columns S, K and Vol. With ℓ = ln df = −R·T and L = ln F,
//
//	∂²V/∂x_i∂x_j = df·((∂²ℓ/∂x_i∂x_j + ∂ℓ/∂x_i·∂ℓ/∂x_j)·u + ∂ℓ/∂x_i·G_j + ∂ℓ/∂x_j·G_i
//	    + Σ_ab ∂p_a/∂x_i·∂²u/∂p_a∂p_b·∂p_b/∂x_j + ∂u/∂F·∂²F/∂x_i∂x_j + ∂u/∂sd·∂²sd/∂x_i∂x_j),
//
// where G_j = Σ_a ∂u/∂p_a·∂p_a/∂x_j, ∂F/∂x = F·∂L/∂x and
// ∂²F/∂x_i∂x_j = F·(∂²L/∂x_i∂x_j + ∂L/∂x_i·∂L/∂x_j).
func (q *discreteAsian) hessian(h *[64]float64) {
	const iM1, iW, n = 6, 7, 8
	var hu [36]float64
	vt := q.fwd * aad.NormPDF(q.d1) // ∂u/∂sd
	bsmHessian(&hu, q.fwd, q.k, 1, 0, 0, q.sd, 1, q.sd, q.d1, q.d2, q.a, q.b, vt, q.a/q.fwd, -q.b/q.k)
	var hp [9]float64 // ∂²u/∂p_a∂p_b
	at := [3]int{iS, iK, iVol}
	for a := range 3 {
		for b := range 3 {
			hp[a*3+b] = hu[at[a]*6+at[b]]
		}
	}
	up := [3]float64{q.a / q.fwd, -q.b / q.k, vt} // ∂u/∂p

	// L = ln S + nu·m1/N + Vol²·w/(2N²), sd = Vol·√w/N, ℓ = −R·T.
	n2 := q.n * q.n
	var dL, dl [n]float64
	dL[iS], dL[iR], dL[iQ] = 1/q.s, q.m1/q.n, -q.m1/q.n
	dL[iVol] = -q.vol*q.m1/q.n + q.vol*q.w/n2
	dL[iM1], dL[iW] = q.nu/q.n, q.vol*q.vol/(2*n2)
	dl[iT], dl[iR] = -q.r, -q.t
	var dp [3][n]float64 // ∂p_a/∂x
	for i := range n {
		dp[0][i] = q.fwd * dL[i]
	}
	dp[1][iK] = 1
	dp[2][iVol], dp[2][iW] = q.sqW/q.n, q.vol/(2*q.n*q.sqW)
	var g [n]float64
	for j := range n {
		g[j] = up[0]*dp[0][j] + up[1]*dp[1][j] + up[2]*dp[2][j]
	}
	// The second derivatives of L, sd and ℓ, upper triangles.
	var hL, hsd, hl [n * n]float64
	hL[iS*n+iS] = -1 / (q.s * q.s)
	hL[iR*n+iM1], hL[iQ*n+iM1] = 1/q.n, -1/q.n
	hL[iVol*n+iVol] = -q.m1/q.n + q.w/n2
	hL[iVol*n+iM1], hL[iVol*n+iW] = -q.vol/q.n, q.vol/n2
	hsd[iVol*n+iW] = 1 / (2 * q.n * q.sqW)
	hsd[iW*n+iW] = -q.vol / (4 * q.n * q.w * q.sqW)
	hl[iT*n+iR] = -1
	for i := range n {
		for j := i; j < n; j++ {
			ij := i*n + j
			e := (hl[ij]+dl[i]*dl[j])*q.u + dl[i]*g[j] + dl[j]*g[i]
			for a := range 3 {
				for b := range 3 {
					e += dp[a][i] * hp[a*3+b] * dp[b][j]
				}
			}
			e += up[0]*q.fwd*(hL[ij]+dL[i]*dL[j]) + up[2]*hsd[ij]
			h[ij] = q.df * e
		}
	}
	symmetric(h[:], n)
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
// operands, with no allocation, on a tape of either order.
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
		var x aad.Number
		if tp.SecondOrder() {
			// A linear statement: DotConst carries its zero second
			// derivatives, and sums the same products in the same order.
			x = tp.DotConst(fixings[lo:hi], buf[:hi-lo])
		} else {
			x = tp.Custom(part, fixings[lo:hi], buf[:hi-lo])
		}
		if lo == 0 {
			sum = x
		} else {
			sum = tp.Add(sum, x)
		}
	}
	return sum
}
