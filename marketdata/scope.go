package marketdata

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/aadrisk/aadrisk/aad"
)

// Scope reads a market for one pricing at a time, on an AAD tape: each
// quote it touches becomes an input (a tape variable) on first use, so that
// one backward sweep gives the sensitivity of the pricing to every quote it
// depends on, and Inputs lists them.
//
// Give each worker goroutine its own Scope and Reset it for every trade.
// Once warm, a Scope allocates nothing per trade: it keeps per-quote slots
// and scratch space sized for its market, and builds no maps.
//
// A value read through a Scope with a nil tape is bit for bit the value
// read with a tape: the same code computes both.
//
// On a tape in second-order mode (aad.Tape.SetSecondOrder; Reset it with
// ResetDirected to seed a direction) every read carries its second
// derivatives as well, so that one second-order sweep gives the gradient
// and a Hessian-vector product over the quotes and the time; the values and
// first-order partials are bit for bit those of a first-order tape.
type Scope struct {
	m  *Market
	tp *aad.Tape

	// vars[i] is quote i's variable when stamp[i] == gen.
	vars  []aad.Number
	stamp []uint32
	gen   uint32
	used  []int32 // quotes given a variable since Reset, in first-use order

	h    aad.Number // the valuation-time shift, when hSet
	hSet bool
	bump Bump
	// dir, when not nil, is the direction of a second-order recording:
	// quote i's variable gets tangent dir[i] as it is recorded.
	dir []float64

	scratch []aad.Number

	inputs []Input
	// Scratch for the interpolations.
	wa, wb, u []float64
	args      []aad.Number
	parts     []float64
	tvw       []float64 // TotalVariance: three expiries' weights of s, s' and s''
	// Scratch of the second-order recordings, made on the first one (see
	// hessian): a first-order scope never needs it.
	hess []float64 // the Hessian of one statement, row by row
	hw   []float64 // the weights of each operand in its group's variables
}

// Input is a market quote recorded as an AAD input: the quote's index in
// Market.Quotes and its variable on the scope's tape.
type Input struct {
	Quote int
	X     aad.Number
}

// HestonParams are the Heston model parameters of an underlying: initial
// variance V0, mean-reversion speed Kappa, long-run variance Theta, vol of
// variance Sigma and spot–variance correlation Rho. The variance follows
// dv = Kappa·(Theta − v)·dt + Sigma·√v·dW, with d⟨W, W_S⟩ = Rho·dt against
// the Brownian motion of the spot. Each may be active or passive: Scope.Heston
// reads them from a market as inputs, and closedform.HestonEuropean takes
// them from any caller.
type HestonParams struct {
	V0, Kappa, Theta, Sigma, Rho aad.Number
}

// NewScope returns a Scope on m, with a nil tape (passive) until Reset.
func (m *Market) NewScope() *Scope {
	n := len(m.values)
	k := m.s.maxNodes
	return &Scope{
		m:     m,
		vars:  make([]aad.Number, n),
		stamp: make([]uint32, n),
		gen:   1,
		wa:    make([]float64, k),
		wb:    make([]float64, k),
		u:     make([]float64, k),
		args:  make([]aad.Number, 2*k+3),
		parts: make([]float64, 2*k+3),
		tvw:   make([]float64, 9*k),
	}
}

// Reset starts a new pricing on tape t (nil for a passive one: the same
// values, nothing recorded). Numbers from before are not valid afterwards,
// as after a Reset of their tape.
func (s *Scope) Reset(t *aad.Tape) {
	s.tp = t
	s.gen++
	if s.gen == 0 { // wrapped: forget every stamp
		clear(s.stamp)
		s.gen = 1
	}
	s.used = s.used[:0]
	s.hSet = false
	s.h = aad.Number{}
	s.bump = Bump{}
	s.dir = nil
}

// Bump is a change to the market that a Scope applies as it reads, for
// bump-and-revalue without a copy of the market: quote Quote reads as its
// value plus By (no quote moves when By is 0), and so does every quote in
// Also (a parallel shift of a curve or a surface: give Quote −1 and the
// quotes in Also), and the valuation time moves forward by Time years, so
// every remaining time made by Time is shorter by Time. A Scope reads Also
// without copying it: it must not change while the bump is in use.
type Bump struct {
	Quote int
	By    float64
	Time  float64
	Also  []int
}

// ResetBumped is Reset with bump b applied until the next Reset.
func (s *Scope) ResetBumped(t *aad.Tape, b Bump) {
	s.Reset(t)
	s.bump = b
}

// ResetDirected is Reset for a recording on a second-order tape t (see
// aad.Tape.SetSecondOrder) in the direction dir: each quote i the pricing
// reads becomes an input with tangent dir[i], so that one second-order
// sweep gives the gradient and the Hessian times dir. dir is indexed like
// Market.Quotes (a shorter one leaves the quotes past its end with tangent
// 0); the scope reads it without copying until the next Reset. The
// valuation-time shift of Time has tangent 0.
func (s *Scope) ResetDirected(t *aad.Tape, dir []float64) {
	s.Reset(t)
	s.dir = dir
}

// Scratch returns n Numbers of working space owned by the scope, for a
// pricer that needs a slice of them (fixing times, say) without allocating
// per trade. The slice is valid until the next Scratch or Reset.
func (s *Scope) Scratch(n int) []aad.Number {
	if cap(s.scratch) < n {
		s.scratch = make([]aad.Number, n)
	}
	s.scratch = s.scratch[:n]
	clear(s.scratch)
	return s.scratch
}

// value returns quote i's value with the scope's bump applied.
func (s *Scope) value(i int32) float64 {
	v := s.m.values[i]
	if s.bump.By != 0 && (int(i) == s.bump.Quote || slices.Contains(s.bump.Also, int(i))) {
		v += s.bump.By
	}
	return v
}

// Tape returns the tape of the current pricing (nil when passive).
func (s *Scope) Tape() *aad.Tape { return s.tp }

// x returns the variable of quote i, recording it on first use.
func (s *Scope) x(i int32) aad.Number {
	if s.stamp[i] == s.gen {
		return s.vars[i]
	}
	v := s.tp.Var(s.value(i))
	if int(i) < len(s.dir) {
		s.tp.SetTangent(v, s.dir[i])
	}
	s.vars[i], s.stamp[i] = v, s.gen
	s.used = append(s.used, i)
	return v
}

// Time returns the remaining time T − h for a time T in years, where h
// (value 0) is the valuation-time shift: one AAD input per Reset, made on
// first use. The adjoint of h (see Shift) is theta, ∂pv/∂t per year as the
// valuation date moves forward with every quote held (SPEC.md §6): every
// remaining time built with Time shortens together, and curves and
// surfaces read at such times move with h. Its value is T exactly (T minus
// the time of a bump given to ResetBumped).
func (s *Scope) Time(years float64) aad.Number {
	if !s.hSet {
		s.h = s.tp.Var(s.bump.Time)
		s.hSet = true
	}
	return s.tp.ConstSub(years, s.h)
}

// Shift returns h, the valuation-time shift of Time; ok is false if Time
// was not called since Reset (the pricing does not depend on time).
func (s *Scope) Shift() (h aad.Number, ok bool) { return s.h, s.hSet }

// Inputs returns the quotes recorded since Reset, each once, in increasing
// quote index. The slice is reused by the next call and by Reset.
func (s *Scope) Inputs() []Input {
	slices.Sort(s.used)
	s.inputs = s.inputs[:0]
	for _, i := range s.used {
		s.inputs = append(s.inputs, Input{Quote: int(i), X: s.vars[i]})
	}
	return s.inputs
}

// Spot returns the spot of the underlying name.
func (s *Scope) Spot(name string) (aad.Number, error) {
	i, ok := s.m.s.spot[name]
	if !ok {
		return aad.Number{}, &notFound{fmt.Sprintf("no SPOT quote for %q", name)}
	}
	return s.x(i), nil
}

// ZeroRate returns z(τ), the continuously compounded zero rate of the
// currency's RATE curve at time τ (SPEC.md §3): z·t linear in t between
// pillars, flat before the first and after the last. τ may be active (from
// Time): the result then carries its derivative in τ. Only the pillars
// the value depends on become inputs: the two around τ, or the end one.
// On a second-order tape (aad.Tape.SetSecondOrder) the result carries its
// second derivatives in the pillars and τ too. It returns an error
// wrapping ErrNotFound if the currency has no RATE quotes.
func (s *Scope) ZeroRate(ccy string, tau aad.Number) (aad.Number, error) {
	c, ok := s.m.s.rate[ccy]
	if !ok {
		return aad.Number{}, &notFound{fmt.Sprintf("no RATE curve for %q", ccy)}
	}
	return s.curve(c, tau), nil
}

// DivYield returns the dividend yield of the underlying at time τ,
// interpolated as ZeroRate; the passive 0 if it has no DIVYIELD quotes.
func (s *Scope) DivYield(name string, tau aad.Number) (aad.Number, error) {
	c, ok := s.m.s.div[name]
	if !ok {
		return aad.Const(0), nil
	}
	return s.curve(c, tau), nil
}

// curve reads c at time τ: the end pillar's variable where the curve is
// flat, else one statement over the two pillars around τ and τ. On a
// second-order tape it carries its Hessian (see zeroRateHessian).
func (s *Scope) curve(c *curve, tau aad.Number) aad.Number {
	t := tau.Value()
	lo, hi := bracket(c.t, t)
	if lo == hi {
		return s.x(c.q[lo])
	}
	x1, x2 := s.x(c.q[lo]), s.x(c.q[hi])
	z, d1, d2, dt := zeroRate(c.t[lo], x1.Value(), c.t[hi], x2.Value(), t)
	args, parts := s.args[:3], s.parts[:3]
	args[0], args[1], args[2] = x1, x2, tau
	parts[0], parts[1], parts[2] = d1, d2, dt
	if s.tp.SecondOrder() {
		h := s.hessian(3)
		zeroRateHessian(c.t[lo], x1.Value(), c.t[hi], x2.Value(), t, h)
		return s.tp.Custom2(z, args, parts, h)
	}
	return s.tp.Custom(z, args, parts)
}

// zeroRateHessian writes into h (3×3, row by row) the Hessian of zeroRate's
// z over (z1, z2, t). z·t is linear in t, so z = C/t + D with
// C = t1·t2·(z1 − z2)/(t2 − t1) and D the slope (z2·t2 − z1·t1)/(t2 − t1),
// both linear in z1 and z2: the only second derivatives are
// ∂²z/∂t² = 2C/t³ and ∂²z/∂z1∂t = −∂²z/∂z2∂t = −t1·t2/((t2 − t1)·t²).
func zeroRateHessian(t1, z1, t2, z2, t float64, h []float64) {
	c := t1 * t2 / (t2 - t1)
	x := c / (t * t)
	h[0], h[1], h[3], h[4] = 0, 0, 0, 0
	h[2], h[6] = -x, -x
	h[5], h[7] = x, x
	h[8] = 2 * c * (z1 - z2) / (t * t * t)
}

// hessian returns n·n floats of scratch for the Hessian of one statement,
// for the caller to fill, and makes sure hw has three weights for each of
// its n operands. The first call on a scope makes room for the largest
// statement its market can need, two expiries' nodes and τ, so that
// second-order recordings allocate nothing once warm; first-order ones
// never call it.
func (s *Scope) hessian(n int) []float64 {
	if len(s.hess) < n*n {
		k := max(len(s.args), n)
		s.hess = make([]float64, k*k)
		s.hw = make([]float64, 3*k)
	}
	return s.hess[:n*n]
}

// Vol returns the implied volatility of the underlying at time τ and
// strike K (SPEC.md §3): at each expiry pillar a natural cubic spline in
// strike through the strikes quoted there (linear for two, constant for
// one or for a blank strike), with the wings of lowerWing outside them
// (continuing the end slope and flattening); between expiry pillars
// total variance σ²t linear in t at strike K; flat before the first and
// after the last expiry. The node vols the value depends on become inputs
// (those with a non-zero spline weight at K, at the one or two expiries
// used), and τ if it is active. Where the interpolated total variance is
// zero (every vol involved is 0) the partials are taken as 0. On a
// second-order tape (aad.Tape.SetSecondOrder) the result carries its
// second derivatives in those inputs and τ too (0 where the partials are),
// so that a second-order sweep gives the vol's Hessian terms: in the node
// vols, in τ and across. It returns an error wrapping ErrNotFound if the
// underlying has no VOL quotes, and an error for a strike that is not
// finite.
func (s *Scope) Vol(name string, tau aad.Number, strike float64) (aad.Number, error) {
	sf, ok := s.m.s.vol[name]
	if !ok {
		return aad.Number{}, &notFound{fmt.Sprintf("no VOL quotes for %q", name)}
	}
	if math.IsNaN(strike) || math.IsInf(strike, 0) {
		return aad.Number{}, fmt.Errorf("marketdata: vol of %q at strike %v", name, strike)
	}
	t := tau.Value()
	lo, hi := bracket(sf.t, t)
	if lo == hi {
		e := &sf.exp[lo]
		w := e.weights(strike, s.wa, s.u)
		n := 0
		for i, wi := range w {
			if wi != 0 {
				s.args[n], s.parts[n] = s.x(e.q[i]), wi
				n++
			}
		}
		if n == 1 && s.parts[0] == 1 {
			return s.args[0], nil
		}
		return s.tp.DotConst(s.args[:n], s.parts[:n]), nil
	}
	ea, eb := &sf.exp[lo], &sf.exp[hi]
	wa := ea.weights(strike, s.wa, s.u)
	wb := eb.weights(strike, s.wb, s.u)
	sa, sb := 0.0, 0.0
	for i, w := range wa {
		if w != 0 {
			sa += w * s.value(ea.q[i])
		}
	}
	for i, w := range wb {
		if w != 0 {
			sb += w * s.value(eb.q[i])
		}
	}
	// v(t) = (va·(Tb−t) + vb·(t−Ta))/Δ with v = s²T, σ = √(v/t).
	ta, tb := ea.t, eb.t
	d := tb - ta
	va, vb := sa*sa*ta, sb*sb*tb
	v := (va*(tb-t) + vb*(t-ta)) / d
	vol := math.Sqrt(v / t)
	if t == tb {
		vol = sb
	}
	var dsa, dsb, dt float64
	if vol > 0 {
		// ∂σ/∂v = 1/(2σt).
		g := 1 / (2 * vol * t)
		dsa = g * 2 * sa * ta * (tb - t) / d
		dsb = g * 2 * sb * tb * (t - ta) / d
		dt = ((vb-va)/d*t - v) / (2 * vol * t * t)
	}
	n := 0
	for i, w := range wa {
		if w != 0 {
			s.args[n], s.parts[n] = s.x(ea.q[i]), dsa*w
			n++
		}
	}
	for i, w := range wb {
		if w != 0 {
			s.args[n], s.parts[n] = s.x(eb.q[i]), dsb*w
			n++
		}
	}
	s.args[n], s.parts[n] = tau, dt
	n++
	if s.tp.SecondOrder() {
		h := s.hessian(n)
		if vol > 0 {
			s.volHessian(h, wa, wb, sa, sb, ta, tb, t, v, vol, dsa, dsb, dt)
		} else {
			clear(h)
		}
		return s.tp.Custom2(vol, s.args[:n], s.parts[:n], h), nil
	}
	return s.tp.Custom(vol, s.args[:n], s.parts[:n]), nil
}

// volHessian writes into h (row by row) the Hessian of Vol's
// σ = √(v/t) between expiries a and b over its operands: the node vols of
// a with a non-zero weight in wa, those of b likewise, then τ. With
// u = v/t = σ², each second derivative of σ over the variables y, z among
// sa, sb and t is σ_yz = (u_yz/2 − σ_y·σ_z)/σ, from the first derivatives
// Vol computed (dsa, dsb, dt) and
//
//	u_sa,sa = 2·ta·(tb−t)/(Δ·t)   u_sb,sb = 2·tb·(t−ta)/(Δ·t)   u_sa,sb = 0
//	u_sa,t = −2·sa·ta·tb/(Δ·t²)   u_sb,t = 2·sb·ta·tb/(Δ·t²)
//	u_t,t = 2·(v/t − (vb−va)/Δ)/t²
//
// since v is quadratic in sa and sb and linear in t. sa and sb are linear
// in the node vols, so a node of weight w in sa contributes w times sa's
// row. On expiry b itself (t = tb) σ is sb, the same function's value
// there, so the same formulas hold with σ = sb. It is called for σ > 0
// only: Vol takes the partials of a zero σ, and so its Hessian, as 0.
func (s *Scope) volHessian(h, wa, wb []float64, sa, sb, ta, tb, t, v, vol, dsa, dsb, dt float64) {
	d := tb - ta
	va, vb := sa*sa*ta, sb*sb*tb
	dt2 := d * t * t
	// H over (sa, sb, t), then spread over the operands by group.
	var g [3][3]float64
	g[0][0] = (ta*(tb-t)/(d*t) - dsa*dsa) / vol
	g[1][1] = (tb*(t-ta)/(d*t) - dsb*dsb) / vol
	g[0][1] = -dsa * dsb / vol
	g[0][2] = (-sa*ta*tb/dt2 - dsa*dt) / vol
	g[1][2] = (sb*ta*tb/dt2 - dsb*dt) / vol
	g[2][2] = ((v/t-(vb-va)/d)/(t*t) - dt*dt) / vol
	g[1][0], g[2][0], g[2][1] = g[0][1], g[0][2], g[1][2]
	// The weight of each operand in its group's variable, in Vol's order:
	// na nodes of a (group sa), then b's (group sb), then τ (group t).
	n := 0
	for _, w := range wa {
		if w != 0 {
			s.hw[n] = w
			n++
		}
	}
	na := n
	for _, w := range wb {
		if w != 0 {
			s.hw[n] = w
			n++
		}
	}
	nab := n
	s.hw[n] = 1
	n++
	// Block by block, each entry wi·wj·g in the same order of operations
	// as its transpose, so that h is exactly symmetric.
	hw := s.hw[:n]
	for i, wi := range hw {
		gi := &g[2]
		switch {
		case i < na:
			gi = &g[0]
		case i < nab:
			gi = &g[1]
		}
		row := h[i*n : (i+1)*n]
		for j := range na {
			row[j] = wi * hw[j] * gi[0]
		}
		for j := na; j < nab; j++ {
			row[j] = wi * hw[j] * gi[1]
		}
		row[nab] = wi * hw[nab] * gi[2]
	}
}

// Corr returns the correlation of underlyings a and b: 1 if a == b, the
// CORR quote of the pair (in either order), the passive 0 if there is none.
func (s *Scope) Corr(a, b string) (aad.Number, error) {
	if a == b {
		return aad.Const(1), nil
	}
	i, ok := s.m.s.corr[pair(a, b)]
	if !ok {
		return aad.Const(0), nil
	}
	return s.x(i), nil
}

// Heston returns the Heston parameters of the underlying. It returns an
// error wrapping ErrNotFound if the underlying has none or not all five,
// and an error if a bump has taken one outside its domain (rho in [−1, 1],
// the others ≥ 0, as Load requires of the quotes).
func (s *Scope) Heston(name string) (HestonParams, error) {
	h, ok := s.m.s.heston[name]
	if !ok {
		return HestonParams{}, &notFound{fmt.Sprintf("no HESTON parameters for %q", name)}
	}
	var missing []string
	for p, i := range h {
		if i < 0 {
			missing = append(missing, hestonNames[p])
		}
	}
	if len(missing) > 0 {
		return HestonParams{}, &notFound{fmt.Sprintf("HESTON parameters for %q are incomplete: no %s", name, strings.Join(missing, ", "))}
	}
	for p, i := range h {
		if v := s.value(i); hestonDomain(p, v) != "" {
			return HestonParams{}, fmt.Errorf("marketdata: HESTON/%s/%s is %v: want %s", name, hestonNames[p], v, hestonDomain(p, v))
		}
	}
	return HestonParams{V0: s.x(h[0]), Kappa: s.x(h[1]), Theta: s.x(h[2]), Sigma: s.x(h[3]), Rho: s.x(h[4])}, nil
}
