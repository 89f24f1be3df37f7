package montecarlo

import (
	"fmt"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/fastmath"
	"github.com/aadrisk/aadrisk/marketdata"
)

// model is one worker's copy of a model's dynamics. setup records the
// model's set-up on the scope's tape, before the mark; simulate records one
// path from the normals z (step-major: z[(i−1)·factors()+f] drives factor f
// over step i); adjoint runs after the path's sweep to the mark, for the
// parts of the path whose adjoints the model propagates by hand; flush adds
// those to the tape before the sweep from the mark.
type model interface {
	setup(c *setupContext) error
	factors() int
	simulate(tp *aad.Tape, z []float64, p *Path)
	adjoint(tp *aad.Tape, z []float64, p *Path)
	flush(tp *aad.Tape)
	stepVariance(tp *aad.Tape, a, i int) aad.Number
	stepVarianceValue(a, i int) float64
}

// setupContext is what every model's set-up reads: the problem, the scope,
// the grid as calendar times and as the recorded times to the grid dates
// (active under a valuation-time shift), and the path whose spots and
// discount factors it fills.
type setupContext struct {
	pr    *Problem
	sc    *marketdata.Scope
	ref   *marketdata.Scope // a passive scope on the unbumped market
	times []float64         // grid, times[0] = 0
	tt    []aad.Number      // recorded times, tt[0] = 0
	path  *Path
	// floored collects where a local-vol set-up floored the local variance.
	floored *[]FlooredNode
}

// carry records, for underlying name, the log-forward increment of every
// step, ∫(r − q)dt = ln(DF_q(t_{i−1})/DF_q(t_i)) − ln(DF_r(t_{i−1})/DF_r(t_i)),
// into dst[i−1], and the discount factors into the path if df. It returns
// dst.
func (c *setupContext) carry(dst []aad.Number, name string, df bool) ([]aad.Number, error) {
	tp := c.sc.Tape()
	n := len(c.times) - 1
	dst = grow(dst, n)
	var prev aad.Number // z(t)·t of the rate minus that of the dividend yield, at t_{i−1}
	for i := 1; i <= n; i++ {
		t := c.tt[i]
		zr, err := c.sc.ZeroRate(c.pr.Currency, t)
		if err != nil {
			return nil, err
		}
		zq, err := c.sc.DivYield(name, t)
		if err != nil {
			return nil, err
		}
		lr := tp.Mul(zr, t)
		cur := tp.Sub(lr, tp.Mul(zq, t))
		dst[i-1] = tp.Sub(cur, prev)
		prev = cur
		if df {
			c.path.df[i] = tp.Exp(tp.Neg(lr))
		}
	}
	return dst, nil
}

// stepTime returns the recorded length of step i: active for the first
// step under a valuation-time shift, passive after it (every later step
// keeps its length when the valuation date moves).
func (c *setupContext) stepTime(i int) aad.Number {
	if i == 1 {
		return c.tt[1]
	}
	return aad.Const(c.times[i] - c.times[i-1])
}

// grow returns s resized to n, reusing its memory when it is large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// bsModel is the lognormal model with term structures, for one or several
// correlated underlyings.
//
// Its path is not recorded statement by statement: every step
// S_i = S_{i−1}·exp(a_i + b_i·w_i) is linear in log space, so its adjoint is
// written by hand. A path records each S_i as a statement without operands;
// after the sweep to the mark (which leaves in each S_i the adjoint the
// payoff gives it), adjoint runs the steps backward in float64: with
// v_i = S̄_i·S_i and U_i = Σ_{j≥i} v_j, the step's coefficients get
// ā_i += U_i and b̄_i += U_i·w_i, the spot S̄_0 += U_1/S_0, and the
// correlations L̄_kj += U_i·b_i·z_ij. flush adds these sums to the tape
// before the sweep from the mark. That keeps three operands per step, and
// their latency-bound sweep, off the tape: the hand loop is a suffix sum.
type bsModel struct {
	n, na int
	a, b  [][]aad.Number // per asset, per step: log drift and √(variance) of the step
	l     []aad.Number   // Cholesky factor of the correlations, na×na
	corr  []aad.Number
	lAct  bool      // some entry of l is active
	w     []float64 // the normals of each asset, asset-major
	e     []float64 // scratch: a step's exponentials
	accA  [][]float64
	accB  [][]float64
	acc0  []float64
	accL  []float64    // hand-propagated adjoints of l
	spot  []aad.Number // each path's start
}

func (m *bsModel) factors() int { return m.na }

func (m *bsModel) setup(c *setupContext) error {
	tp := c.sc.Tape()
	pr := c.pr
	m.n, m.na = len(c.times)-1, len(pr.Underlyings)
	m.a, m.b = grow(m.a, m.na), grow(m.b, m.na)
	m.accA, m.accB, m.acc0 = grow(m.accA, m.na), grow(m.accB, m.na), grow(m.acc0, m.na)
	m.spot = grow(m.spot, m.na)
	clear(m.acc0)
	for k, name := range pr.Underlyings {
		s0, err := c.sc.Spot(name)
		if err != nil {
			return err
		}
		c.path.s[k][0], m.spot[k] = s0, s0
		K := s0.Value()
		if pr.Strikes != nil {
			K = pr.Strikes[k]
		}
		if m.a[k], err = c.carry(m.a[k], name, k == 0); err != nil {
			return err
		}
		m.b[k] = grow(m.b[k], m.n)
		m.accA[k], m.accB[k] = grow(m.accA[k], m.n), grow(m.accB[k], m.n)
		clear(m.accA[k])
		clear(m.accB[k])
		var wPrev aad.Number
		for i := 1; i <= m.n; i++ {
			vol, err := c.sc.Vol(name, c.tt[i], K)
			if err != nil {
				return err
			}
			w := tp.Mul(tp.Square(vol), c.tt[i])
			dw := tp.Sub(w, wPrev)
			if dw.Value() < 0 {
				return fmt.Errorf("the VOL surface of %s implies a negative variance between %.6g and %.6g years at strike %.6g", name, c.times[i-1], c.times[i], K)
			}
			if dw.Value() == 0 {
				m.b[k][i-1] = aad.Const(0) // no derivative through √ at 0
			} else {
				m.b[k][i-1] = tp.Sqrt(dw)
			}
			m.a[k][i-1] = tp.Sub(m.a[k][i-1], tp.MulConst(dw, 0.5))
			wPrev = w
		}
	}
	m.lAct = false
	m.w = grow(m.w, m.na*m.n)
	m.e = grow(m.e, m.n)
	if m.na > 1 {
		na := m.na
		m.corr, m.l = grow(m.corr, na*na), grow(m.l, na*na)
		for i, x := range pr.Underlyings {
			for j, y := range pr.Underlyings {
				r, err := c.sc.Corr(x, y)
				if err != nil {
					return err
				}
				m.corr[i*na+j] = r
			}
		}
		if err := cholesky(tp, m.corr, na, m.l, pr.Underlyings); err != nil {
			return err
		}
		for _, x := range m.l {
			m.lAct = m.lAct || x.Active()
		}
		m.accL = grow(m.accL, na*na)
		clear(m.accL)
	}
	return nil
}

func (m *bsModel) simulate(tp *aad.Tape, z []float64, p *Path) {
	na, n := m.na, m.n
	for k := range na {
		// The normals of asset k: z itself for one asset, else the
		// correlated w = L·z (passive: L's adjoints go by hand too).
		w := m.w[k*n : (k+1)*n]
		if na == 1 {
			w = z[:n]
		} else {
			lk := m.l[k*na : k*na+k+1]
			for i := range n {
				zi := z[i*na : i*na+k+1]
				s := 0.0
				for j, x := range lk {
					s += x.Value() * zi[j]
				}
				w[i] = s
			}
		}
		a, b, e := m.a[k][:n], m.b[k][:n], m.e[:n]
		// All exponentials first, in one pass the processor overlaps.
		for i, wi := range w {
			e[i] = fastmath.Exp(a[i].Value() + b[i].Value()*wi)
		}
		s := p.s[k][1 : n+1]
		x := p.s[k][0].Value()
		for i, ei := range e {
			x *= ei
			s[i] = tp.Var(x) // a statement without operands: see bsModel
		}
	}
}

// adjoint propagates the payoff's adjoints of the path's spots back through
// the steps (see bsModel).
func (m *bsModel) adjoint(tp *aad.Tape, z []float64, p *Path) {
	na, n := m.na, m.n
	for k := range na {
		w := m.w[k*n : (k+1)*n]
		if na == 1 {
			w = z[:n]
		}
		s := p.s[k][1 : n+1]
		adj := tp.AdjointsTo(m.e[:n], s)
		accA, accB := m.accA[k][:n], m.accB[k][:n]
		u := 0.0
		for i := n - 1; i >= 0; i-- {
			adj[i] *= s[i].Value() // v_i, kept for the correlations below
			u += adj[i]
			accA[i] += u
			accB[i] += u * w[i]
		}
		m.acc0[k] += u / p.s[k][0].Value()
		if !m.lAct {
			continue
		}
		// ∂S_i/∂L_kj = S_i·b_i·z_ij, summed with the suffix sums again.
		acc := m.accL[k*na : k*na+k+1]
		b := m.b[k][:n]
		u = 0
		for i := n - 1; i >= 0; i-- {
			u += adj[i]
			g := u * b[i].Value()
			if g == 0 {
				continue
			}
			zi := z[i*na : i*na+k+1]
			for j := range acc {
				acc[j] += g * zi[j]
			}
		}
	}
}

func (m *bsModel) flush(tp *aad.Tape) {
	add := func(x aad.Number, a *float64) {
		if x.Active() && *a != 0 {
			tp.SetAdjoint(x, tp.Adjoint(x)+*a)
		}
		*a = 0
	}
	for k := range m.na {
		for i := range m.n {
			add(m.a[k][i], &m.accA[k][i])
			add(m.b[k][i], &m.accB[k][i])
		}
	}
	// The path's start is the spot itself, a variable of the scope.
	for k := range m.na {
		add(m.spot[k], &m.acc0[k])
	}
	if m.lAct {
		for i := range m.l {
			add(m.l[i], &m.accL[i])
		}
	}
}

func (m *bsModel) stepVarianceValue(a, i int) float64 {
	b := m.b[a][i-1].Value()
	return b * b
}

func (m *bsModel) stepVariance(tp *aad.Tape, a, i int) aad.Number {
	b := m.b[a][i-1]
	return tp.Square(b)
}
