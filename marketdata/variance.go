package marketdata

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// TotalVariance is the implied total variance w = σ(τ,K)²·τ of a vol
// surface at one time and strike, with its partial derivatives in strike
// and time, as AAD numbers.
type TotalVariance struct {
	W   aad.Number // σ²τ
	DK  aad.Number // ∂w/∂K
	DKK aad.Number // ∂²w/∂K²
	// DT is ∂w/∂τ at fixed K, the derivative from the right (the interval
	// (τ, τ+dτ)), which is what a time step starting at τ sees.
	DT aad.Number
}

// TotalVariance returns the total variance w(τ,K) = σ(τ,K)²·τ of the
// underlying's VOL surface at time τ and strike K, with its derivatives in
// K and τ, under exactly the interpolation of Vol (SPEC.md §3).
//
// At an expiry pillar p, w_p(K) = s_p(K)²·τ_p, where s_p is the natural
// cubic spline in strike, so ∂w_p/∂K = 2·s·s′·τ_p and
// ∂²w_p/∂K² = 2·(s′² + s·s″)·τ_p. Outside the quoted strikes s is the
// smile's wing (lowerWing), with its derivatives; at the end strikes
// themselves they are the one-sided ones from inside (s′ is continuous
// there; s″ is 0 from inside, the spline being natural). Between pillars a and b, w and its strike derivatives are
// linear in τ: w = ((τ_b−τ)·w_a(K) + (τ−τ_a)·w_b(K))/(τ_b−τ_a), and
// DT = (w_b(K) − w_a(K))/(τ_b−τ_a). Before the first pillar and after the
// last, vol is flat: w = s(K)²·τ with the end pillar's spline, and
// DT = s(K)².
//
// DT is the derivative from the right: on a pillar it is the slope of the
// interval after it. W, DK and DKK are, as Vol is, continuous in τ, and on a
// pillar W equals Vol's value² times τ; their derivative in τ, which
// reaches τ when it is active, is taken on a pillar from the interval to
// its left, as Vol's is (the interval the time moves into as the valuation
// date moves forward). DT is piecewise constant in τ and carries no
// derivative in it.
//
// Each of the four is one statement on the scope's tape whose operands are
// the node vols of the expiries it depends on (they become inputs, as in
// Vol) and τ. The errors are those of Vol.
func (s *Scope) TotalVariance(name string, tau aad.Number, strike float64) (TotalVariance, error) {
	sf, ok := s.m.s.vol[name]
	if !ok {
		return TotalVariance{}, &notFound{fmt.Sprintf("no VOL quotes for %q", name)}
	}
	if math.IsNaN(strike) || math.IsInf(strike, 0) {
		return TotalVariance{}, fmt.Errorf("marketdata: total variance of %q at strike %v", name, strike)
	}
	t := tau.Value()
	// The expiries of W, DK and DKK (Vol's) and of DT (from the right):
	// at most three different ones, each evaluated once.
	var ps tvPillars
	lo, hi := bracket(sf.t, t)
	rlo, rhi := bracketRight(sf.t, t)
	a := s.tvPillar(&ps, sf, lo, strike)
	b := s.tvPillar(&ps, sf, hi, strike)
	ra := s.tvPillar(&ps, sf, rlo, strike)
	rb := s.tvPillar(&ps, sf, rhi, strike)

	var out TotalVariance
	if lo == hi {
		// Flat vol: w = s²τ.
		v0, v1, v2 := a.s*a.s, 2*a.s*a.s1, 2*(a.s1*a.s1+a.s*a.s2)
		out.W = s.tvRecord(v0*t, a, 2*t*a.s, 0, 0, nil, 0, 0, 0, tau, v0)
		out.DK = s.tvRecord(v1*t, a, 2*t*a.s1, 2*t*a.s, 0, nil, 0, 0, 0, tau, v1)
		out.DKK = s.tvRecord(v2*t, a, 2*t*a.s2, 4*t*a.s1, 2*t*a.s, nil, 0, 0, 0, tau, v2)
	} else {
		ta, tb := a.e.t, b.e.t
		d := tb - ta
		la, lb := (tb-t)/d, (t-ta)/d // the interpolation weights of a and b
		wa, wb := a.s*a.s*ta, b.s*b.s*tb
		w1a, w1b := 2*a.s*a.s1*ta, 2*b.s*b.s1*tb
		w2a, w2b := 2*(a.s1*a.s1+a.s*a.s2)*ta, 2*(b.s1*b.s1+b.s*b.s2)*tb
		// As Vol: (va·(Tb−t) + vb·(t−Ta))/Δ, exact on the pillar.
		w := (wa*(tb-t) + wb*(t-ta)) / d
		w1 := (w1a*(tb-t) + w1b*(t-ta)) / d
		w2 := (w2a*(tb-t) + w2b*(t-ta)) / d
		if t == tb {
			w, w1, w2 = wb, w1b, w2b
		}
		ca, cb := 2*la*ta, 2*lb*tb
		pa := a
		if la == 0 { // on pillar b: a's nodes have no effect
			pa = nil
		}
		out.W = s.tvRecord(w, pa, ca*a.s, 0, 0, b, cb*b.s, 0, 0, tau, (wb-wa)/d)
		out.DK = s.tvRecord(w1, pa, ca*a.s1, ca*a.s, 0, b, cb*b.s1, cb*b.s, 0, tau, (w1b-w1a)/d)
		out.DKK = s.tvRecord(w2, pa, ca*a.s2, 2*ca*a.s1, ca*a.s, b, cb*b.s2, 2*cb*b.s1, cb*b.s, tau, (w2b-w2a)/d)
	}
	if rlo == rhi {
		out.DT = s.tvRecord(ra.s*ra.s, ra, 2*ra.s, 0, 0, nil, 0, 0, 0, aad.Number{}, 0)
	} else {
		ta, tb := ra.e.t, rb.e.t
		d := tb - ta
		wa, wb := ra.s*ra.s*ta, rb.s*rb.s*tb
		out.DT = s.tvRecord((wb-wa)/d, ra, -2*ta*ra.s/d, 0, 0, rb, 2*tb*rb.s/d, 0, 0, aad.Number{}, 0)
	}
	return out, nil
}

// bracketRight is bracket with a time on a pillar read in the interval to
// its right: lo == hi for a flat end (t before the first pillar, or at or
// after the last), else the two pillars with t[lo] <= t < t[hi].
func bracketRight(ts []float64, t float64) (lo, hi int) {
	// The first index with ts[i] > t.
	i, j := 0, len(ts)
	for i < j {
		h := int(uint(i+j) >> 1)
		if ts[h] <= t {
			i = h + 1
		} else {
			j = h
		}
	}
	switch {
	case i == 0:
		return 0, 0
	case i == len(ts):
		return len(ts) - 1, len(ts) - 1
	}
	return i - 1, i
}

// tvExpiry is one expiry's spline at the strike of a TotalVariance: the
// weights of its node vols in s(K), s′(K) and s″(K), and their values.
type tvExpiry struct {
	p          int // pillar index
	e          *expiry
	w0, w1, w2 []float64
	s, s1, s2  float64
}

// tvPillars holds the expiries a TotalVariance has evaluated.
type tvPillars struct {
	x [3]tvExpiry
	n int
}

// tvPillar returns expiry p of sf evaluated at strike K, evaluating it into
// ps (and the scope's scratch) unless it already is.
func (s *Scope) tvPillar(ps *tvPillars, sf *surface, p int, K float64) *tvExpiry {
	for i := range ps.n {
		if ps.x[i].p == p {
			return &ps.x[i]
		}
	}
	x := &ps.x[ps.n]
	k := s.m.s.maxNodes
	buf := s.tvw[3*k*ps.n : 3*k*(ps.n+1)]
	ps.n++
	e := &sf.exp[p]
	x.p, x.e = p, e
	x.w0 = e.weights(K, buf[:k], s.u)
	x.w1, x.w2 = e.slopeWeights(K, buf[k:2*k], buf[2*k:], s.u)
	// The value as Vol computes it, bit for bit.
	for i, w := range x.w0 {
		if w != 0 {
			x.s += w * s.value(e.q[i])
		}
	}
	for i, w := range x.w1 {
		if w != 0 {
			x.s1 += w * s.value(e.q[i])
		}
	}
	for i, w := range x.w2 {
		if w != 0 {
			x.s2 += w * s.value(e.q[i])
		}
	}
	return x
}

// tvRecord records v as one statement whose operands are the node vols of
// expiry a, with partials c0·w0[i] + c1·w1[i] + c2·w2[i] (from its
// weights in s, s′ and s″), those of expiry b likewise with d0, d1, d2
// (either may be nil: left out), and tau with partial dt. A node whose
// weights are all 0 is left out.
func (s *Scope) tvRecord(v float64, a *tvExpiry, c0, c1, c2 float64, b *tvExpiry, d0, d1, d2 float64, tau aad.Number, dt float64) aad.Number {
	n := s.tvArgs(0, a, c0, c1, c2)
	n = s.tvArgs(n, b, d0, d1, d2)
	if tau.Active() {
		s.args[n], s.parts[n] = tau, dt
		n++
	}
	return s.tp.Custom(v, s.args[:n], s.parts[:n])
}

// tvArgs appends to the scope's args, from index n, the node vols of x
// with partials c0·w0[i] + c1·w1[i] + c2·w2[i], and returns the new count
// (n if x is nil).
func (s *Scope) tvArgs(n int, x *tvExpiry, c0, c1, c2 float64) int {
	if x == nil {
		return n
	}
	w1, w2 := x.w1[:len(x.w0)], x.w2[:len(x.w0)]
	for i, w := range x.w0 {
		if w == 0 && w1[i] == 0 && w2[i] == 0 {
			continue
		}
		s.args[n], s.parts[n] = s.x(x.e.q[i]), c0*w+c1*w1[i]+c2*w2[i]
		n++
	}
	return n
}
