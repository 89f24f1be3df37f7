package closedform

import (
	"math"
	"math/cmplx"
	"sync"
)

// The Fourier integral of HestonEuropean. With k = ln(K/F) and any α whose
// moment E[e^{(α+1)X}] is finite, the undiscounted call on a unit forward is
// (Carr and Madan 1999, Lord and Kahl 2007)
//
//	c(k) = R(α) + I(α),  I(α) = (1/π)·∫_0^∞ Re[e^{−(α+iv)k}·φ(v − i(α+1))/((α + iv)(α + 1 + iv))] dv,
//
// with the residue R = 0 for α > 0, 1 for −1 < α < 0 (Lewis's formula at
// α = −1/2) and 1 − e^k for α < −1 (then I is the undiscounted put). The value
// does not depend on α; the quadrature does.

// glNodes is the number of Gauss–Legendre nodes per panel.
const glNodes = 16

// glRule holds Gauss–Legendre nodes and weights mapped to [0, 1].
type glRule struct{ x, w [glNodes]float64 }

// gaussLegendre is the glNodes-point rule, computed once by Newton's method
// on the Legendre polynomial (by its three-term recurrence) from the usual
// cosine approximations of its roots; nodes and weights are exact to
// rounding. The table is immutable.
var gaussLegendre = sync.OnceValue(func() glRule {
	var g glRule
	const n = glNodes
	for i := range (n + 1) / 2 {
		z := math.Cos(math.Pi * (float64(i) + 0.75) / (n + 0.5))
		var dp float64
		for range 100 {
			var p float64
			p, dp = legendre(n, z)
			dz := p / dp
			z -= dz
			if math.Abs(dz) <= 1e-17 {
				break
			}
		}
		_, dp = legendre(n, z)
		w := 1 / ((1 - z*z) * dp * dp) // half the weight on [−1, 1]
		g.x[i], g.x[n-1-i] = 0.5*(1-z), 0.5*(1+z)
		g.w[i], g.w[n-1-i] = w, w
	}
	return g
})

// legendre returns P_n(z) and P_n'(z).
func legendre(n int, z float64) (p, dp float64) {
	p0, p1 := 1.0, z
	for j := 2; j <= n; j++ {
		p0, p1 = p1, (float64(2*j-1)*z*p1-float64(j-1)*p0)/float64(j)
	}
	return p1, float64(n) * (z*p1 - p0) / (z*z - 1)
}

// hestonResolution is the resolution of the quadrature. A panel starting at
// v is at most step/|λ| long, λ the logarithmic derivative of the integrand
// at v (its rate of oscillation and decay), at most curve/√|λ'| (the width
// of a Gaussian core), at most dist times the distance from v to the
// nearest singularity on the imaginary axis (which grades the panels
// geometrically towards a singularity close to the contour), and at most
// twice the previous panel. The integral stops where the tail, estimated
// from the integrand's size and rate of decay, is below tail times the
// out-of-the-money value.
type hestonResolution struct{ step, curve, dist, tail float64 }

// hestonDefault is the resolution of HestonEuropean, chosen by comparison
// with much finer panels over random parameters across wide ranges (see
// TestHestonQuadratureConverged): it is converged to the rounding of the
// sum.
func hestonDefault() hestonResolution {
	return hestonResolution{step: 12, curve: 1.5, dist: 1, tail: 1e-16}
}

// hestonMaxPanels bounds the work (panels of glNodes nodes).
const hestonMaxPanels = 4096

// hestonSum is I(α) with its partials: by k and by T, V0, κ, θ, σ, ρ at
// fixed k.
type hestonSum struct {
	i, ik float64
	d     [cfN]float64
	nodes int
}

// integrate computes I(α) for k into s at resolution res, with partials if
// greeks is set. ok is false when the integral did not converge within
// hestonMaxPanels panels.
func (m *hestonModel) integrate(res hestonResolution, alpha, delta, k float64, greeks bool, s *hestonSum) (ok bool) {
	// The accuracy is relative to the out-of-the-money option, base + I:
	// I itself outside Lewis's strip, 1 + I (call) or e^k + I (put) in it.
	base := 0.0
	if alpha > -1 && alpha < 0 {
		base = 1
		if k < 0 {
			base = math.Exp(k)
		}
	}
	g := gaussLegendre()
	omega := alpha + 1
	var c cfPoint
	a, hPrev := 0.0, math.Inf(1)
	for range hestonMaxPanels {
		lam, dlam, lnAbs := m.logDeriv(alpha, k, a)
		if a > 0 && real(lam) < 0 {
			tail := 2 * math.Exp(lnAbs) / (math.Pi * -real(lam))
			if tail <= res.tail*math.Abs(base+s.i)+1e-17*base || tail == 0 {
				return true
			}
		}
		h := min(res.step/cmplx.Abs(lam), res.curve/math.Sqrt(cmplx.Abs(dlam)), res.dist*math.Hypot(a, delta), 2*hPrev)
		if !(h > 0) || math.IsInf(h, 1) || math.IsInf(lnAbs, 1) {
			return false
		}
		for j := range glNodes {
			v := a + h*g.x[j]
			m.eval(&c, complex(v, -omega))
			den := complex(alpha, v) * complex(omega, v)
			f := cmplx.Exp(c.lnPhi-complex(alpha*k, v*k)) * cinv(den)
			wt := h * g.w[j] / math.Pi
			s.i += wt * real(f)
			if greeks {
				wf := complex(wt, 0) * f
				s.ik -= real(complex(alpha, v) * wf)
				m.grad(&c, wf, &s.d)
			}
		}
		s.nodes += glNodes
		a += h
		hPrev = h
	}
	return false
}

// logDeriv returns, at v, the logarithmic derivative λ = d ln f/dv of the
// complex integrand f(v) = e^{−(α+iv)k}·φ(v − iω)/((α + iv)(ω + iv)), its
// derivative λ', and ln |f(v)|.
func (m *hestonModel) logDeriv(alpha, k, v float64) (lam, dlam complex128, lnAbs float64) {
	omega := alpha + 1
	f, f1, f2 := m.jet(complex(v, -omega))
	p, q := complex(alpha, v), complex(omega, v)
	lam = f1 - complex(0, k) - 1i/p - 1i/q
	dlam = f2 - 1/(p*p) - 1/(q*q)
	lnAbs = real(f) - alpha*k - math.Log(cmplx.Abs(p)) - math.Log(cmplx.Abs(q))
	return lam, dlam, lnAbs
}

// cjet is a complex value with its first two derivatives.
type cjet struct{ v, d, dd complex128 }

func (a cjet) mul(b cjet) cjet {
	return cjet{a.v * b.v, a.v*b.d + a.d*b.v, a.v*b.dd + 2*a.d*b.d + a.dd*b.v}
}

func (a cjet) div(b cjet) cjet {
	q := a.v / b.v
	q1 := (a.d - q*b.d) / b.v
	return cjet{q, q1, (a.dd - 2*q1*b.d - q*b.dd) / b.v}
}

func (a cjet) scale(c complex128) cjet { return cjet{c * a.v, c * a.d, c * a.dd} }

func (a cjet) add(b cjet) cjet { return cjet{a.v + b.v, a.d + b.d, a.dd + b.dd} }

// compose returns f∘a, given f and its first two derivatives at a.v: f0, f1, f2.
func (a cjet) compose(f0, f1, f2 complex128) cjet {
	return cjet{f0, f1 * a.d, f2*a.d*a.d + f1*a.dd}
}

// jet returns ln φ(z) and its first two derivatives in z, the same formula
// as eval differentiated in z.
func (m *hestonModel) jet(z complex128) (f, f1, f2 complex128) {
	s2 := complex(m.sigma*m.sigma, 0)
	tt := complex(m.t, 0)
	zz := cjet{z * (z + 1i), 2*z + 1i, 2}
	ib := complex(0, -m.rho*m.sigma)
	beta := cjet{complex(m.kappa, 0) + ib*z, ib, 0}
	g := beta.mul(beta).add(zz.scale(s2))
	dv := csqrt(g.v)
	d1 := g.d / (2 * dv)
	d := cjet{dv, d1, (g.dd - 2*d1*d1) / (2 * dv)}
	var r cjet
	if real(beta.v)*real(dv)+imag(beta.v)*imag(dv) > 0 {
		r = zz.scale(-s2).div(beta.add(d))
	} else {
		r = beta.add(d.scale(-1))
	}
	x := d.scale(tt)
	e0, e1, e2 := expm1Ratio(x.v, 2)
	y := x.compose(e0, e1, e2).scale(0.5 * tt)
	ry := r.mul(y)
	q := cjet{1 - ry.v, -ry.d, -ry.dd}
	l1 := q.d / q.v
	l := cjet{log1pC(-ry.v), l1, q.dd/q.v - l1*l1}
	a := r.scale(tt).add(l.scale(-2)).scale(complex(m.kappa*m.theta/(m.sigma*m.sigma), 0))
	b := zz.mul(y).div(q)
	res := a.add(b.scale(complex(m.v0, 0)))
	return res.v, res.d, res.dd
}

// tStar is the time at which the moment E[S_t^ω] of the Heston model
// becomes infinite (Andersen and Piterbarg 2007, Proposition 3.1), +Inf if
// it never does.
func (m *hestonModel) tStar(omega float64) float64 {
	c := omega * (omega - 1)
	if c <= 0 {
		return math.Inf(1)
	}
	b := m.kappa - m.rho*m.sigma*omega
	d := b*b - m.sigma*m.sigma*c
	if d >= 0 {
		if b >= 0 {
			return math.Inf(1)
		}
		sd := math.Sqrt(d)
		return math.Log((b-sd)/(b+sd)) / sd
	}
	sd := math.Sqrt(-d)
	return 2 / sd * (0.5*math.Pi + math.Atan(b/sd))
}

// momentBound returns the largest |ω| in direction dir (+1 above 1, −1
// below 0) such that E[S_T^ω] is finite, to a relative 1e-10, capped at
// hestonMaxOmega.
func (m *hestonModel) momentBound(dir float64) float64 {
	// T* decreases as ω moves away from [0, 1].
	in, out := 0.5+0.5*dir, 0.5+1.5*dir // in: finite; out: to be checked
	for m.tStar(out) > m.t {
		in = out
		if math.Abs(out) >= hestonMaxOmega {
			return out
		}
		out = 0.5 + 2*(out-0.5)
	}
	for range 200 {
		mid := 0.5 * (in + out)
		if mid == in || mid == out || math.Abs(out-in) <= 1e-10*math.Abs(in) {
			break
		}
		if m.tStar(mid) > m.t {
			in = mid
		} else {
			out = mid
		}
	}
	return in
}

// hestonMaxOmega caps the contour shift where the moments never explode (a
// small Sigma or T): beyond it, the options that would need it are worth
// less than the smallest float64.
const hestonMaxOmega = 1 << 20

// lnPsiDeriv returns the first two derivatives in α of
// ln Ψ(α) = −αk + ln E[e^{(α+1)X}] − ln|α(α+1)|, the logarithm of the
// integrand's size at v = 0, and ln Ψ itself.
func (m *hestonModel) lnPsiDeriv(alpha, k float64) (g, g1, g2 float64) {
	f, f1, f2 := m.jet(complex(0, -(alpha + 1))) // dz/dα = −i
	p := alpha * (alpha + 1)
	g = -alpha*k + real(f) - math.Log(math.Abs(p))
	g1 = -k + imag(f1) - (2*alpha+1)/p // Re(−i·f1) = Im f1
	g2 = -real(f2) + (2*alpha*alpha+2*alpha+1)/(p*p)
	return g, g1, g2
}

// minPsi minimises the convex ln Ψ on (lo, hi), where it tends to +∞ at
// both ends, by Newton steps safeguarded by bisection, and returns the
// minimiser and the minimum. The minimiser is only needed roughly: the
// price does not depend on α.
func (m *hestonModel) minPsi(lo, hi, x, k float64) (alpha, lnPsi float64) {
	if !(x > lo && x < hi) {
		x = 0.5 * (lo + hi)
	}
	for range 100 {
		_, g1, g2 := m.lnPsiDeriv(x, k)
		if g1 > 0 {
			hi = x
		} else {
			lo = x
		}
		step := g1 / g2
		next, done := newtonInBracket(x, step, lo, hi, 1e-6)
		if !(g2 > 0) {
			next, done = 0.5*(lo+hi), false
		}
		x = next
		if done || hi-lo <= 1e-6*(math.Abs(lo)+math.Abs(hi)) {
			break
		}
	}
	g, _, _ := m.lnPsiDeriv(x, k)
	if math.IsNaN(g) {
		g = math.Inf(1)
	}
	return x, g
}

// contour chooses α for log-moneyness k: the minimiser of Ψ on the side
// where the integral is the out-of-the-money option (α > 0 for k ≥ 0,
// α < −1 for k < 0), unless Lewis's strip −1 < α < 0 gives a smaller Ψ
// (where the side strips are narrow). Each range is kept 1% inside the
// moments that exist. delta is the distance from the contour to the
// integrand's nearest singularity.
func (m *hestonModel) contour(k float64) (alpha, delta float64) {
	// The search starts near the minimiser for Black–Scholes with the
	// expected total variance w: α ≈ k/w far from the money, α(α+1) ≈ 2/w
	// at it.
	w := m.theta*m.t + (m.v0-m.theta)*m.t*-seriesOrDirectE(m.kappa*m.t)
	lo, hi := m.momentBound(-1), m.momentBound(1)
	var psi float64
	if k >= 0 {
		alpha, psi = m.minPsi(0, 0.99*(hi-1), k/w+math.Sqrt(2/w), k)
	} else {
		alpha, psi = m.minPsi(-1+0.99*lo, -1, k/w-1-math.Sqrt(2/w), k)
	}
	if b, psiMid := m.minPsi(-1, 0, -0.5, k); psiMid < psi {
		alpha = b
	}
	// The integrand's singularities nearest to the real axis: the poles at
	// v = iα and v = i(α+1), and where the moments explode.
	omega := alpha + 1
	delta = min(math.Abs(alpha), math.Abs(omega), hi-omega, omega-lo)
	return alpha, delta
}

// seriesOrDirectE returns E(x) = (e^{−x} − 1)/x for real x.
func seriesOrDirectE(x float64) float64 {
	e, _, _ := expm1Ratio(complex(x, 0), 0)
	return real(e)
}
