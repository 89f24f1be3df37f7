package montecarlo

import (
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/fastmath"
)

// hestonModel is the Heston model of one underlying,
//
//	dS/S = (r − q)dt + √v·dW_S,  dv = κ(θ − v)dt + σ√v·dW,  d⟨W, W_S⟩ = ρ·dt,
//
// by a scheme chosen so that every pathwise derivative exists: the
// variance is stepped by a moment-matched lognormal (Andersen and
// Brotherton-Ratcliffe), and the log-spot by the variance's own increment
// with a trapezoidal integrated variance (as in Andersen's QE scheme, with
// its regime switch left out).
//
// The variance. Given v_{i−1}, the exact conditional mean and variance of
// v_i are
//
//	m = θ + (v_{i−1} − θ)·e,  s² = σ²·(v_{i−1}·e·h + θ·κ·h²/2),
//	e = e^{−κΔ}, h = (1 − e)/κ,
//
// and the step draws the lognormal with those two moments,
//
//	v_i = m·exp(Γ·Z − Γ²/2),  Γ² = ln(1 + s²/m²),
//
// from the step's first normal Z. v_i is positive (if θκ > 0; else 0
// absorbs, as in the model, see minVariance), and a smooth
// (infinitely differentiable) function of v_{i−1}, κ, θ, σ and the step's
// length: there is no truncation at zero, no kink and no branch. The first
// two moments of v are exact at every grid time, for any step.
//
// The log-spot. ∫√v dW over the step is (Δv − ∫κ(θ − v)dt)/σ; with the
// trapezoid for ∫v dt, and its deterministic residual (of order Δ³) left
// out so that the estimate has conditional mean zero, it is
//
//	I = (1 + κΔ/2)·(v_i − m)/σ,
//
// computed as (1 + κΔ/2)·m·expm1(σu)/σ with u = G·Z − σG²/2, G = Γ/σ, so
// that it has a finite limit as σ → 0. Then, with v̄ = (v_{i−1} + v_i)/2
// and the step's second normal Z',
//
//	ln S_i = ln S_{i−1} + ∫(r − q)dt − v̄Δ/2 + ρ·I + √(1 − ρ²)·√(v̄Δ)·Z'.
//
// v̄ ≥ v_{i−1}/2 > 0, so √(v̄Δ) is differentiable too.
//
// Why this scheme. Full-truncation Euler's v⁺ has a kink at 0 and its
// √(v⁺Δ) an unbounded derivative there, which a Feller-violating set
// (2κθ < σ²) reaches on a large share of its paths: pathwise derivatives
// through it are ill-conditioned, and their agreement with bumps of 1e-7
// breaks down. Andersen's QE switches between two distributions at ψ =
// s²/m² = ψc, and the two give different v_i for the same normal, so v_i
// jumps as a parameter moves across the switch: a pathwise derivative
// misses the jump's contribution, which does not vanish with the bump;
// its exponential branch also puts a mass at v = 0. Schemes in √v or ln v
// have drifts that blow up at 0 when Feller fails, and Broadie–Kaya's
// exact scheme samples by rejection or by inverting a Fourier transform,
// neither smooth in the parameters nor cheap. The lognormal is smooth and
// positive by construction; where it misses the true (noncentral χ²) law
// is beyond its first two moments, close to zero variance. Stepping the
// spot with the variance's own increment gives the spot–variance
// covariance exactly (an Euler spot driven by Z instead understates it
// where v is small: with the same lognormal variance, that put 19% on a
// call at 120% in the tests' 1-year Feller-violating set). The price has a bias, first order in the step, from the
// trapezoid and from the lognormal's higher moments: where 2κθ/σ² ≪ 1 the
// conditional law from a variance near zero is a noncentral χ² with a
// density singular at 0 and an exponential tail, which a lognormal of the
// same mean and variance (zero density at 0, a heavier tail) matches
// worst. doc.go gives the bias measured on the tests' sets; a
// moment-matched gamma, exact from v = 0, would cut it, at the price of
// an incomplete-gamma inversion and its derivative in the shape per step.
//
// The forward is not exactly a martingale (E[e^{ρI}] is not matched); and
// for ρ > 0 the expectation of e^{ρI}, a lognormal's exponential, is in
// theory infinite, though the tail that makes it so (a variance of some
// hundreds) is never drawn.
//
// The path is not recorded statement by statement. Each step records S_i
// and v_i as statements without operands (v_i stays on the tape for a
// barrier's StepVariance), and keeps in float64 the local partials of
// v_i and I (with respect to v_{i−1}, the step's recorded coefficients
// e = e^{−κΔ}, b = θ(1 − e), e·h, θκh²/2 and 1 + κΔ/2, and σ) and of S_i
// (with respect to S_{i−1}, the carry, v_{i−1}, v_i, I, ρ, √(1 − ρ²) and
// the step's length, active for the first step under a valuation-time
// shift). After the sweep to the mark, adjoint runs the steps backward
// with them, into per-step accumulators of the coefficients and scalar
// ones of the parameters, which flush adds to the tape once per block.
// A step costs about 1.6 times a full-truncation Euler step passively and
// 1.9 times with sensitivities (a logarithm, an exponential and a square
// root more, and the partials), and records 2 statements without
// operands instead of 2 with 11 operands.
type hestonModel struct {
	n     int
	carry []aad.Number
	dt    []float64
	dt1   aad.Number // the first step's length, active under a time shift
	sigma aad.Number
	rho   aad.Number
	rhoC  aad.Number // √(1−ρ²)
	v0    aad.Number
	s0    aad.Number
	coef  []hestonStep // per step
	v     []aad.Number // v at the grid times of the last path
	// The last path's local partials, per step (index i for step i).
	jac []hestonJac
	// Scratch for the adjoints of the path's spots and variances.
	adjS, adjV []float64
	// Hand-propagated adjoints, flushed once per block.
	acc                       []hestonAcc // per step
	accSigma, accRho, accRhoC float64
	accDt1, accS0, accV0      float64
}

// hestonJac holds a step's local partials: of v_i and I with respect to
// (v_{i−1}, e, b, a1, a2, σ, kf), and of S_i with respect to (S_{i−1},
// carry, v_{i−1}, v_i, I, ρ, √(1−ρ²), Δ).
type hestonJac struct {
	dv, di hestonGrad
	ds     [8]float64
}

// hestonAcc accumulates the adjoints of a step's coefficients.
type hestonAcc struct {
	carry, e, b, a1, a2, kf float64
}

// hestonStep holds a step's recorded coefficients: e = e^{−κΔ},
// b = θ(1 − e), a1 = e·h, a2 = θκh²/2 with h = (1 − e)/κ, and
// kf = 1 + κΔ/2.
type hestonStep struct {
	e, b, a1, a2, kf aad.Number
}

func (m *hestonModel) factors() int { return 2 }

func (m *hestonModel) setup(c *setupContext) error {
	tp := c.sc.Tape()
	name := c.pr.Underlyings[0]
	s0, err := c.sc.Spot(name)
	if err != nil {
		return err
	}
	c.path.s[0][0], m.s0 = s0, s0
	h, err := c.sc.Heston(name)
	if err != nil {
		return err
	}
	m.n = len(c.times) - 1
	if m.carry, err = c.carry(m.carry, name, true); err != nil {
		return err
	}
	m.dt = grow(m.dt, m.n+1)
	for i := 1; i <= m.n; i++ {
		m.dt[i] = c.times[i] - c.times[i-1]
	}
	m.dt1 = c.stepTime(1)
	m.dt[1] = m.dt1.Value()
	m.v0, m.sigma, m.rho = h.V0, h.Sigma, h.Rho
	if r := m.rho.Value(); math.Abs(r) < 1 {
		m.rhoC = tp.Sqrt(tp.ConstSub(1, tp.Square(m.rho)))
	} else {
		m.rhoC = aad.Const(0) // no derivative through √ at 0
	}
	kappa, theta := h.Kappa, h.Theta
	m.coef = grow(m.coef, m.n+1)
	for i := 1; i <= m.n; i++ {
		dtN := c.stepTime(i)
		// h = Δ·φ(κΔ), φ(x) = (1 − e^{−x})/x, smooth through κ = 0.
		dt, k := dtN.Value(), kappa.Value()
		p, dp := phi1(k * dt)
		hN := tp.Custom4(dt*p, kappa, dt*dt*dp, dtN, p+k*dt*dp, aad.Number{}, 0, aad.Number{}, 0)
		// e directly, not as 1 − κh, which rounds below 0 for a large κΔ.
		e := tp.Exp(tp.Neg(tp.Mul(kappa, dtN)))
		tk := tp.Mul(theta, kappa)
		st := &m.coef[i]
		st.e = e
		st.b = tp.Mul(tk, hN)
		st.a1 = tp.Mul(e, hN)
		st.a2 = tp.MulConst(tp.Mul(tk, tp.Square(hN)), 0.5)
		st.kf = tp.AddConst(tp.MulConst(tp.Mul(kappa, dtN), 0.5), 1)
	}
	m.v = grow(m.v, m.n+1)
	m.jac = grow(m.jac, m.n+1)
	m.adjS, m.adjV = grow(m.adjS, m.n), grow(m.adjV, m.n)
	m.acc = grow(m.acc, m.n+1)
	clear(m.acc)
	m.accSigma, m.accRho, m.accRhoC, m.accDt1, m.accS0, m.accV0 = 0, 0, 0, 0, 0, 0
	return nil
}

// phi1 returns φ(x) = (1 − e^{−x})/x and φ'(x), by their series near 0.
func phi1(x float64) (float64, float64) {
	if math.Abs(x) < 1e-3 {
		return 1 - x/2 + x*x/6 - x*x*x/24, -0.5 + x/3 - x*x/8 + x*x*x/30
	}
	em := -math.Expm1(-x) // 1 − e^{−x}
	return em / x, ((1-em)*(1+x) - 1) / (x * x)
}

// log1pOver returns λ(x) = ln(1 + x)/x and λ'(x), by their series near 0.
func log1pOver(x float64) (float64, float64) {
	if math.Abs(x) < 1e-3 {
		return 1 - x/2 + x*x/3 - x*x*x/4, -0.5 + 2*x/3 - 3*x*x/4 + 4*x*x*x/5
	}
	l := math.Log1p(x)
	return l / x, (x/(1+x) - l) / (x * x)
}

// expOver returns e^y, E(y) = (e^y − 1)/y and E'(y) with one
// exponential: e^y − 1 by expm1 where |y| < 1/2 (where it would cancel),
// by e^y − 1 elsewhere; E and E' by their series near 0.
func expOver(y float64) (w, eo, deo float64) {
	var em float64
	if math.Abs(y) < 0.5 {
		em = math.Expm1(y)
		w = 1 + em
	} else {
		w = fastmath.Exp(y)
		em = w - 1
	}
	if math.Abs(y) < 1e-3 {
		return w, 1 + y/2 + y*y/6 + y*y*y/24, 0.5 + y/3 + y*y/8 + y*y*y/30
	}
	return w, em / y, (w*(y-1) + 1) / (y * y)
}

// minVariance is the conditional mean below which a variance step keeps
// the variance where it is: a variance so small that s²/m² would
// overflow. Only θκ = 0 lets the variance get there (0 is absorbing then).
const minVariance = 1e-150

// hestonGrad is a gradient with respect to a variance step's inputs, in
// the order v_{i−1}, e, b, a1, a2, σ, kf.
type hestonGrad [7]float64

// varianceStep returns v_i and I of a step from v = v_{i−1}, the step's
// coefficients, σ and the normal z and, if grad, their gradients with
// respect to (v, e, b, a1, a2, σ, kf) (see hestonModel). The values do not
// depend on grad.
//
// Both depend on the inputs through m = v·e + b, s² = v·a1 + a2 (as
// q = s²/m²), σ and kf: the partials are taken with respect to those and
// mapped to the inputs at the end.
func varianceStep(v, e, b, a1, a2, sigma, kf, z float64, grad bool) (vn, in float64, dv, di hestonGrad) {
	mv := v*e + b
	if !(mv > minVariance) {
		// Only where θκ = 0 (else m ≥ θ(1 − e) > 0): the variance has
		// been absorbed at 0, and stays at m.
		return mv, 0, hestonGrad{e, v, 1}, hestonGrad{}
	}
	s2 := v*a1 + a2
	q := s2 / (mv * mv)
	x := sigma * sigma * q
	lam, dlam := log1pOver(x)
	g2 := q * lam // G² = Γ²/σ² = ln(1 + σ²q)/σ²
	g := math.Sqrt(g2)
	u := g*z - 0.5*sigma*g2
	y := sigma * u
	w, eo, deo := expOver(y)
	vn = mv * w
	in = kf * mv * u * eo
	if !grad {
		return vn, in, dv, di
	}
	// Partials with respect to q and σ (m and kf held).
	g2q, g2s := lam+q*dlam*sigma*sigma, 2*sigma*q*q*dlam
	var gq, gs float64
	if g > 0 {
		gq, gs = 0.5*g2q/g, 0.5*g2s/g
	}
	uq, us := z*gq-0.5*sigma*g2q, z*gs-0.5*sigma*g2s-0.5*g2
	yq, ys := sigma*uq, u+sigma*us
	vq, vs := vn*yq, vn*ys
	c := kf * mv
	iq, is := c*(uq*eo+u*deo*yq), c*(us*eo+u*deo*ys)
	// With respect to m (q moves with it: ∂q/∂m = −2q/m) and s².
	qm, qs2 := -2*q/mv, 1/(mv*mv)
	vm, vs2 := w+vq*qm, vq*qs2
	im, is2 := kf*u*eo+iq*qm, iq*qs2
	dv = hestonGrad{vm*e + vs2*a1, vm * v, vm, vs2 * v, vs2, vs}
	di = hestonGrad{im*e + is2*a1, im * v, im, is2 * v, is2, is, mv * u * eo}
	return vn, in, dv, di
}

func (m *hestonModel) simulate(tp *aad.Tape, z []float64, p *Path) {
	s := p.s[0]
	m.v[0] = m.v0
	x, v := s[0].Value(), m.v0.Value()
	sigma, rho, rhoC := m.sigma.Value(), m.rho.Value(), m.rhoC.Value()
	grad := tp != nil
	for i := 1; i <= m.n; i++ {
		z1, z2 := z[2*(i-1)], z[2*(i-1)+1]
		dt := m.dt[i]
		st := &m.coef[i]
		vn, in, dv, di := varianceStep(v, st.e.Value(), st.b.Value(), st.a1.Value(), st.a2.Value(), sigma, st.kf.Value(), z1, grad)
		// The log-spot step on the trapezoidal variance.
		vb := 0.5 * (v + vn)
		r := math.Sqrt(vb * dt)
		ea := fastmath.Exp(m.carry[i-1].Value() - 0.5*vb*dt + rho*in + rhoC*r*z2)
		xn := x * ea
		if grad {
			var dvb, dT float64 // ∂a/∂v̄ and ∂a/∂Δ of the exponent a
			if r > 0 {
				dvb = -0.5*dt + rhoC*z2*dt/(2*r)
				dT = -0.5*vb + rhoC*z2*vb/(2*r)
			}
			j := &m.jac[i]
			j.dv, j.di = dv, di
			j.ds = [8]float64{ea, xn, xn * 0.5 * dvb, xn * 0.5 * dvb, xn * rho, xn * in, xn * r * z2, xn * dT}
		}
		// Statements without operands: adjoint propagates through the
		// steps by hand.
		s[i], m.v[i] = tp.Var(xn), tp.Var(vn)
		x, v = xn, vn
	}
}

// adjoint propagates the payoff's adjoints of the path's spots and
// variances back through the steps, with the partials simulate kept, into
// the accumulators of the steps' coefficients and the parameters.
func (m *hestonModel) adjoint(tp *aad.Tape, _ []float64, p *Path) {
	n := m.n
	adjS := tp.AdjointsTo(m.adjS[:n], p.s[0][1:n+1])
	adjV := tp.AdjointsTo(m.adjV[:n], m.v[1:n+1])
	var bs, bv float64 // adjoints of S_i and v_i from the steps after i
	var sig, rho, rhoC float64
	for i := n; i >= 1; i-- {
		bs += adjS[i-1]
		bv += adjV[i-1]
		j := &m.jac[i]
		a := &m.acc[i]
		// S_i's step.
		d := &j.ds
		bi := bs * d[4]
		a.carry += bs * d[1]
		bv += bs * d[3]
		bvPrev := bs * d[2]
		rho += bs * d[5]
		rhoC += bs * d[6]
		if i == 1 {
			m.accDt1 += bs * d[7]
		}
		bsPrev := bs * d[0]
		// I's and v_i's steps, on the same inputs.
		dv, di := &j.dv, &j.di
		bvPrev += bv*dv[0] + bi*di[0]
		a.e += bv*dv[1] + bi*di[1]
		a.b += bv*dv[2] + bi*di[2]
		a.a1 += bv*dv[3] + bi*di[3]
		a.a2 += bv*dv[4] + bi*di[4]
		sig += bv*dv[5] + bi*di[5]
		a.kf += bi * di[6]
		bs, bv = bsPrev, bvPrev
	}
	m.accS0 += bs
	m.accV0 += bv
	m.accSigma += sig
	m.accRho += rho
	m.accRhoC += rhoC
}

func (m *hestonModel) flush(tp *aad.Tape) {
	add := func(x aad.Number, a *float64) {
		if x.Active() && *a != 0 {
			tp.SetAdjoint(x, tp.Adjoint(x)+*a)
		}
		*a = 0
	}
	for i := 1; i <= m.n; i++ {
		a, c := &m.acc[i], &m.coef[i]
		add(m.carry[i-1], &a.carry)
		add(c.e, &a.e)
		add(c.b, &a.b)
		add(c.a1, &a.a1)
		add(c.a2, &a.a2)
		add(c.kf, &a.kf)
	}
	add(m.sigma, &m.accSigma)
	add(m.rho, &m.accRho)
	add(m.rhoC, &m.accRhoC)
	add(m.dt1, &m.accDt1)
	add(m.s0, &m.accS0)
	add(m.v0, &m.accV0)
}

// stepVarianceValue is the scheme's variance of the log-spot over step i,
// v̄Δ with the trapezoidal v̄ = (v_{i−1} + v_i)/2: the quadratic variation
// the log-spot step is given.
func (m *hestonModel) stepVarianceValue(_, i int) float64 {
	return 0.5 * (m.v[i-1].Value() + m.v[i].Value()) * m.dt[i]
}

func (m *hestonModel) stepVariance(tp *aad.Tape, _, i int) aad.Number {
	a, b := m.v[i-1], m.v[i]
	dt := m.dt[i]
	dtN := aad.Const(dt)
	if i == 1 {
		dtN = m.dt1
	}
	vb := 0.5 * (a.Value() + b.Value())
	return tp.Custom4(vb*dt, a, 0.5*dt, b, 0.5*dt, dtN, vb, aad.Number{}, 0)
}
