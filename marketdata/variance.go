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
// Vol) and τ. On a second-order tape (aad.Tape.SetSecondOrder) each
// carries its second derivatives in those inputs and τ too; there, on a
// pillar with τ active, the nodes of the expiry before it become inputs as
// well (with partials 0, as the value does not move with them) for their
// cross derivatives with τ, which the derivative in τ from the left has.
// The errors are those of Vol.
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
		out.W = s.tvRecord(v0*t, tvW, tvSide{a, 2 * t * a.s, 0, 0, t, 1}, tvSide{}, tau, v0)
		out.DK = s.tvRecord(v1*t, tvDK, tvSide{a, 2 * t * a.s1, 2 * t * a.s, 0, t, 1}, tvSide{}, tau, v1)
		out.DKK = s.tvRecord(v2*t, tvDKK, tvSide{a, 2 * t * a.s2, 4 * t * a.s1, 2 * t * a.s, t, 1}, tvSide{}, tau, v2)
	} else {
		ta, tb := a.e.t, b.e.t
		d := tb - ta
		la, lb := (tb-t)/d, (t-ta)/d // the interpolation weights of a and b
		l := tvBetween(a.s, a.s1, a.s2, b.s, b.s1, b.s2, ta, tb, t)
		w, w1, w2 := l.w, l.w1, l.w2
		wa, wb, w1a, w1b, w2a, w2b := l.wa, l.wb, l.w1a, l.w1b, l.w2a, l.w2b
		ca, cb := 2*la*ta, 2*lb*tb
		pa := a
		// On pillar b a's nodes have no effect on the value, but they do on
		// the derivative in τ, which a second-order recording follows.
		if la == 0 && !(s.tp.SecondOrder() && tau.Active()) {
			pa = nil
		}
		// Each output is la·ta·g(a) + lb·tb·g(b), for its g of one expiry.
		lta, ltb, dla, dlb := la*ta, lb*tb, -ta/d, tb/d
		out.W = s.tvRecord(w, tvW, tvSide{pa, ca * a.s, 0, 0, lta, dla}, tvSide{b, cb * b.s, 0, 0, ltb, dlb}, tau, (wb-wa)/d)
		out.DK = s.tvRecord(w1, tvDK, tvSide{pa, ca * a.s1, ca * a.s, 0, lta, dla}, tvSide{b, cb * b.s1, cb * b.s, 0, ltb, dlb}, tau, (w1b-w1a)/d)
		out.DKK = s.tvRecord(w2, tvDKK, tvSide{pa, ca * a.s2, 2 * ca * a.s1, ca * a.s, lta, dla}, tvSide{b, cb * b.s2, 2 * cb * b.s1, cb * b.s, ltb, dlb}, tau, (w2b-w2a)/d)
	}
	if rlo == rhi {
		out.DT = s.tvRecord(ra.s*ra.s, tvW, tvSide{ra, 2 * ra.s, 0, 0, 1, 0}, tvSide{}, aad.Number{}, 0)
	} else {
		ta, tb := ra.e.t, rb.e.t
		d := tb - ta
		wa, wb := ra.s*ra.s*ta, rb.s*rb.s*tb
		out.DT = s.tvRecord((wb-wa)/d, tvW, tvSide{ra, -2 * ta * ra.s / d, 0, 0, -ta / d, 0}, tvSide{rb, 2 * tb * rb.s / d, 0, 0, tb / d, 0}, aad.Number{}, 0)
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

// tvKind is the function of one expiry's spline that a TotalVariance
// output is made of, up to a factor in τ: g = s² (W and DT), 2·s·s′ (DK)
// or 2·(s′² + s·s″) (DKK).
type tvKind int

const (
	tvW tvKind = iota
	tvDK
	tvDKK
)

// curv returns uᵀ·∇²g·w for the weights u and w of two nodes in (s, s′,
// s″), written so that swapping u and w gives the same float: g is
// quadratic, so ∇²g is a constant matrix.
func (g tvKind) curv(u, w []float64) float64 {
	switch g {
	case tvW:
		return 2 * (u[0] * w[0])
	case tvDK:
		return 2 * (u[0]*w[1] + u[1]*w[0])
	}
	return 2*(u[0]*w[2]+u[2]*w[0]) + 4*(u[1]*w[1])
}

// grad returns ∇g·w at expiry x for the weights w of a node in (s, s′, s″).
func (g tvKind) grad(x *tvExpiry, w []float64) float64 {
	switch g {
	case tvW:
		return 2 * x.s * w[0]
	case tvDK:
		return 2*x.s1*w[0] + 2*x.s*w[1]
	}
	return 2*x.s2*w[0] + 4*x.s1*w[1] + 2*x.s*w[2]
}

// tvSide is one expiry's term l(τ)·g(s, s′, s″) of a TotalVariance output:
// the expiry (nil: no term), the output's partials c0, c1, c2 in its s, s′
// and s″ (l·∇g, as the first order computes them), and l and ∂l/∂τ, from
// which the second order takes l·∇²g and the cross terms ∂l/∂τ·∇g.
type tvSide struct {
	x          *tvExpiry
	c0, c1, c2 float64
	l, dl      float64
}

// tvRecord records v = a's term + b's term (see tvSide) as one statement
// whose operands are the node vols of a, with partials c0·w0[i] +
// c1·w1[i] + c2·w2[i] (from their weights in s, s′ and s″), those of b
// likewise, and tau with partial dt. A node whose weights are all 0 is
// left out. On a second-order tape it carries the Hessian of v (see
// tvHessian).
func (s *Scope) tvRecord(v float64, g tvKind, a, b tvSide, tau aad.Number, dt float64) aad.Number {
	n := s.tvArgs(0, a)
	na := n
	n = s.tvArgs(n, b)
	if tau.Active() {
		s.args[n], s.parts[n] = tau, dt
		n++
	}
	if s.tp.SecondOrder() {
		h := s.hessian(n)
		s.tvHessian(h, n, na, g, a, b, tau.Active())
		return s.tp.Custom2(v, s.args[:n], s.parts[:n], h)
	}
	return s.tp.Custom(v, s.args[:n], s.parts[:n])
}

// tvArgs appends to the scope's args, from index n, the node vols of side
// x with partials c0·w0[i] + c1·w1[i] + c2·w2[i], and returns the new count
// (n if x has no expiry).
func (s *Scope) tvArgs(n int, x tvSide) int {
	if x.x == nil {
		return n
	}
	e := x.x
	w1, w2 := e.w1[:len(e.w0)], e.w2[:len(e.w0)]
	for i, w := range e.w0 {
		if w == 0 && w1[i] == 0 && w2[i] == 0 {
			continue
		}
		s.args[n], s.parts[n] = s.x(e.e.q[i]), x.c0*w+x.c1*w1[i]+x.c2*w2[i]
		n++
	}
	return n
}

// tvHessian writes into h (n×n, row by row) the Hessian of tvRecord's
// statement over its operands: na nodes of a, then b's, then τ if active.
// Each side's term is l(τ)·g with g quadratic in (s, s′, s″) and those
// linear in the node vols, so two nodes of one expiry have l·uᵀ∇²g·w,
// nodes of different expiries 0, a node and τ ∂l/∂τ·∇g·w, and τ with
// itself 0, l being linear in τ.
func (s *Scope) tvHessian(h []float64, n, na int, g tvKind, a, b tvSide, tauActive bool) {
	// The weights in (s, s′, s″) of each node operand, in tvArgs' order.
	p := 0
	for _, x := range [2]*tvExpiry{a.x, b.x} {
		if x == nil {
			continue
		}
		w1, w2 := x.w1[:len(x.w0)], x.w2[:len(x.w0)]
		for i, w := range x.w0 {
			if w == 0 && w1[i] == 0 && w2[i] == 0 {
				continue
			}
			s.hw[3*p], s.hw[3*p+1], s.hw[3*p+2] = w, w1[i], w2[i]
			p++
		}
	}
	nodes := p
	clear(h)
	for i := range nodes {
		side, lo, hi := &a, 0, na
		if i >= na {
			side, lo, hi = &b, na, nodes
		}
		u := s.hw[3*i : 3*i+3]
		row := h[i*n : (i+1)*n]
		for j := lo; j < hi; j++ {
			row[j] = side.l * g.curv(u, s.hw[3*j:3*j+3])
		}
		if tauActive {
			c := side.dl * g.grad(side.x, u)
			row[nodes], h[nodes*n+i] = c, c
		}
	}
}

// tvLinear is the total variance and its strike derivatives between two
// expiries a and b, linear in time, with the expiries' own.
type tvLinear struct {
	w, w1, w2                  float64 // at the time
	wa, wb, w1a, w1b, w2a, w2b float64 // at the expiries
}

// tvBetween interpolates, at time t between expiries a at ta and b at tb
// (ta < t ≤ tb), the total variance w = s²·τ and its strike derivatives
// from the splines' values s, s′ and s″ at each, as Vol interpolates:
// (va·(Tb−t) + vb·(t−Ta))/Δ, exact on the pillar. TotalVariance and
// VarianceGrid share it, so that their values are the same bits.
func tvBetween(as, as1, as2, bs, bs1, bs2, ta, tb, t float64) tvLinear {
	d := tb - ta
	l := tvLinear{
		wa: as * as * ta, wb: bs * bs * tb,
		w1a: 2 * as * as1 * ta, w1b: 2 * bs * bs1 * tb,
		w2a: 2 * (as1*as1 + as*as2) * ta, w2b: 2 * (bs1*bs1 + bs*bs2) * tb,
	}
	if t == tb {
		l.w, l.w1, l.w2 = l.wb, l.w1b, l.w2b
		return l
	}
	l.w = (l.wa*(tb-t) + l.wb*(t-ta)) / d
	l.w1 = (l.w1a*(tb-t) + l.w1b*(t-ta)) / d
	l.w2 = (l.w2a*(tb-t) + l.w2b*(t-ta)) / d
	return l
}
