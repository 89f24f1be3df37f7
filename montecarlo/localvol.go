package montecarlo

import (
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
)

// The local-vol grid: lvNodes spots, equally spaced in log-spot over
// ±lvWidth standard deviations (at the implied vol at the money and the
// horizon, at least ±lvMinWidth in log-spot) around the spot. Along a path
// the local vol is interpolated in log-spot between the nodes by
// Catmull–Rom cubics, whose slope is continuous (with linear interpolation
// a bump-and-revalue check meets the kinks at the nodes on a few path steps
// in a million, enough to spoil a 1e-5 agreement), and held flat beyond
// them. lvNodes is even, so that the spot, where every path starts, falls
// midway between two nodes. The grid is placed with the market as read, not
// as bumped, so that a bumped run (bump-and-revalue) interpolates between
// the same spots as the recorded one differentiates.
const (
	lvNodes    = 60
	lvWidth    = 5.0
	lvMinWidth = 0.25
)

// lvModel is Dupire's local-volatility model of one underlying, by
// log-Euler steps with the local vol of each step at the path's spot at its
// start.
type lvModel struct {
	n      int
	x0, dx float64 // log-spot of node 0, and the spacing
	ks     []float64
	carry  []aad.Number
	g      []aad.Number // local vol at step i's start and node m: g[(i−1)·lvNodes+m]
	dt, sq []float64    // step lengths and their square roots, by step (index 0 unused)
	dt1    aad.Number   // the first step's length, active under a time shift
	tv     []marketdata.TotalVariance

	// Per path, for stepVariance: the node below the path at each step's
	// start, the interpolation weight, the local vol and its derivative in
	// the spot.
	node   []int32
	w      [][4]float64
	sig    []float64
	dsigdS []float64
	s      []aad.Number // the path's spots

	args  [7]aad.Number
	parts [7]float64
}

func (m *lvModel) factors() int { return 1 }

func (m *lvModel) setup(c *setupContext) error {
	tp := c.sc.Tape()
	name := c.pr.Underlyings[0]
	s0, err := c.sc.Spot(name)
	if err != nil {
		return err
	}
	c.path.s[0][0] = s0
	m.n = len(c.times) - 1
	n := m.n
	if m.carry, err = c.carry(m.carry, name, true); err != nil {
		return err
	}
	ref, err := c.ref.Spot(name)
	if err != nil {
		return err
	}
	T := c.times[n]
	atm, err := c.ref.Vol(name, aad.Const(T), ref.Value())
	if err != nil {
		return err
	}
	half := max(lvWidth*atm.Value()*math.Sqrt(T), lvMinWidth)
	m.dx = 2 * half / (lvNodes - 1)
	m.x0 = math.Log(ref.Value()) - half
	m.ks = grow(m.ks, lvNodes)
	for k := range m.ks {
		m.ks[k] = math.Exp(m.x0 + float64(k)*m.dx)
	}
	m.dt, m.sq = grow(m.dt, n+1), grow(m.sq, n+1)
	for i := 1; i <= n; i++ {
		m.dt[i] = c.times[i] - c.times[i-1]
	}
	m.dt1 = c.stepTime(1)
	m.dt[1] = m.dt1.Value()
	for i := 1; i <= n; i++ {
		m.sq[i] = math.Sqrt(m.dt[i])
	}
	// The local vol of step i is Dupire's at the step's start t, with the
	// time slope of total variance taken over the step,
	// (w(t_i, K) − w(t_{i−1}, K))/Δt, rather than at t: that slope jumps at
	// an expiry pillar, and a step starting on one would see the jump as
	// the valuation date moves (theta) and the step with it, while the
	// increment over the step moves continuously.
	m.g = grow(m.g, n*lvNodes)
	m.tv = grow(m.tv, 2*lvNodes)
	prev, next := m.tv[:lvNodes], m.tv[lvNodes:]
	for k, K := range m.ks {
		if prev[k], err = c.sc.TotalVariance(name, aad.Const(dupireMinTime), K); err != nil {
			return err
		}
	}
	var cum aad.Number // ∫(r − q) to the step's start
	for i := 1; i <= n; i++ {
		fwd := tp.MulExp(s0, cum)
		dti := c.stepTime(i)
		mu := tp.Div(m.carry[i-1], dti) // the drift over the step
		g := m.g[(i-1)*lvNodes : i*lvNodes]
		for k, K := range m.ks {
			if next[k], err = c.sc.TotalVariance(name, c.tt[i], K); err != nil {
				return err
			}
			p, q := prev[k].W, next[k].W
			dw := (q.Value() - p.Value()) / dti.Value()
			wt := tp.Custom4(dw, q, 1/dti.Value(), p, -1/dti.Value(), dti, -dw/dti.Value(), aad.Number{}, 0)
			lv, raw, ok := dupireNode(tp, p, prev[k].DK, prev[k].DKK, wt, K, fwd, mu)
			if !ok {
				*c.floored = append(*c.floored, FlooredNode{T: c.times[i-1], K: K, LocalVar: raw})
			}
			g[k] = lv
		}
		prev, next = next, prev
		cum = tp.Add(cum, m.carry[i-1])
	}
	m.node = grow(m.node, n+1)
	m.w, m.sig, m.dsigdS = grow(m.w, n+1), grow(m.sig, n+1), grow(m.dsigdS, n+1)
	return nil
}

// interp returns the local vol at log-spot lx from the nodes g of one
// step, by Catmull–Rom cubic interpolation (C¹: its slope has no kink at
// the nodes, which paths would meet), held flat beyond the grid: the index
// of the first of the four nodes used, their weights, and the derivative of
// the vol in log-spot.
func (m *lvModel) interp(g []aad.Number, lx float64) (j int, w [4]float64, sig, dsig float64) {
	u := (lx - m.x0) / m.dx
	if !(u > 0) { // also NaN
		return 0, [4]float64{0, 1}, g[0].Value(), 0
	}
	if u >= lvNodes-1 {
		return lvNodes - 4, [4]float64{0, 0, 0, 1}, g[lvNodes-1].Value(), 0
	}
	k := int(u)
	f := u - float64(k)
	f2, f3 := f*f, f*f*f
	w = [4]float64{0.5 * (-f3 + 2*f2 - f), 0.5 * (3*f3 - 5*f2 + 2), 0.5 * (-3*f3 + 4*f2 + f), 0.5 * (f3 - f2)}
	d := [4]float64{0.5 * (-3*f2 + 4*f - 1), 0.5 * (9*f2 - 10*f), 0.5 * (-9*f2 + 8*f + 1), 0.5 * (3*f2 - 2*f)}
	// At the ends the missing outer node is the end node again.
	j = k - 1
	switch {
	case j < 0:
		w = [4]float64{w[0] + w[1], w[2], w[3], 0}
		d = [4]float64{d[0] + d[1], d[2], d[3], 0}
		j = 0
	case j+3 > lvNodes-1:
		w = [4]float64{0, w[0], w[1], w[2] + w[3]}
		d = [4]float64{0, d[0], d[1], d[2] + d[3]}
		j--
	}
	for q := range 4 {
		sig += w[q] * g[j+q].Value()
		dsig += d[q] * g[j+q].Value()
	}
	return j, w, sig, dsig / m.dx
}

func (m *lvModel) simulate(tp *aad.Tape, z []float64, p *Path) {
	s := p.s[0]
	m.s = s
	x := s[0]
	lx := math.Log(x.Value())
	args, parts := m.args[:], m.parts[:]
	for i := 1; i <= m.n; i++ {
		g := m.g[(i-1)*lvNodes : i*lvNodes]
		j, w, sig, dsig := m.interp(g, lx)
		dt, sq, zi := m.dt[i], m.sq[i], z[i-1]
		inc := m.carry[i-1].Value() - 0.5*sig*sig*dt + sig*sq*zi
		e := math.Exp(inc)
		xn := x.Value() * e
		dIncdSig := -sig*dt + sq*zi
		dsigdS := dsig / x.Value()
		c := xn * dIncdSig
		args[0], parts[0] = x, e+c*dsigdS
		args[1], parts[1] = m.carry[i-1], xn
		for q := range 4 {
			args[2+q], parts[2+q] = g[j+q], c*w[q]
		}
		n := 6
		if i == 1 && m.dt1.Active() {
			// ∂inc/∂Δt = −σ²/2 + σz/(2√Δt).
			args[6], parts[6] = m.dt1, xn*(-0.5*sig*sig+0.5*sig*zi/sq)
			n = 7
		}
		x = tp.Custom(xn, args[:n], parts[:n])
		s[i] = x
		lx += inc
		m.node[i], m.w[i], m.sig[i], m.dsigdS[i] = int32(j), w, sig, dsigdS
	}
}

func (m *lvModel) stepVarianceValue(_, i int) float64 { return m.sig[i] * m.sig[i] * m.dt[i] }

func (m *lvModel) adjoint(*aad.Tape, []float64, *Path) {}
func (m *lvModel) flush(*aad.Tape)                     {}

// stepVariance records σ²Δt of step i, with σ the local vol of the step,
// interpolated at the path's spot at its start.
func (m *lvModel) stepVariance(tp *aad.Tape, _, i int) aad.Number {
	j, w, sig, dt := int(m.node[i]), &m.w[i], m.sig[i], m.dt[i]
	g := m.g[(i-1)*lvNodes+j : (i-1)*lvNodes+j+4]
	d := 2 * sig * dt
	args, parts := m.args[:], m.parts[:]
	args[0], parts[0] = m.s[i-1], d*m.dsigdS[i]
	for q := range 4 {
		args[1+q], parts[1+q] = g[q], d*w[q]
	}
	n := 5
	if i == 1 {
		args[5], parts[5] = m.dt1, sig*sig
		n = 6
	}
	return tp.Custom(sig*sig*dt, args[:n], parts[:n])
}
