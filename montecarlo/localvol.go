package montecarlo

import (
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// The local-vol grid: lvNodes spots, equally spaced in log-spot over
// ±lvWidth standard deviations (at the implied vol at the money and the
// horizon, at least ±lvMinWidth in log-spot) around the spot. lvNodes is
// even, so that the spot falls midway between two nodes: every path starts
// there, and at a node its pathwise derivative would meet the kink of the
// interpolation (one-sided in AAD, averaged by a central bump). Along a path
// the local vol is interpolated linearly in log-spot between the nodes and
// held flat beyond them. The grid is placed with the market as read, not
// as bumped, so that a bumped run (bump-and-revalue) interpolates between
// the same spots as the recorded one differentiates.
const (
	lvNodes    = 60
	lvWidth    = 5.0
	lvMinWidth = 0.25
)

// lvModel is Dupire's local-volatility model of one underlying, by
// log-Euler steps with the local vol at each step's start.
type lvModel struct {
	n      int
	x0, dx float64 // log-spot of node 0, and the spacing
	ks     []float64
	carry  []aad.Number
	g      []aad.Number // local vol at step i's start and node m: g[(i−1)·lvNodes+m]
	dt, sq []float64    // step lengths and their square roots, by step (index 0 unused)
	dt1    aad.Number   // the first step's length, active under a time shift

	// Per path, for stepVariance: the node below the path at each step's
	// start, the interpolation weight, the local vol and its derivative in
	// the spot.
	node   []int32
	frac   []float64
	sig    []float64
	dsigdS []float64
	s      []aad.Number // the path's spots
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
	m.g = grow(m.g, n*lvNodes)
	var cum aad.Number // ∫(r − q) to the step's start
	for i := 1; i <= n; i++ {
		fwd := tp.MulExp(s0, cum)
		// The drift over the step, as the rate difference at its start.
		mu := tp.Div(m.carry[i-1], c.stepTime(i))
		*c.floored, err = dupireLocalVol(c.sc, name, c.tt[i-1], fwd, mu, m.ks, m.g[(i-1)*lvNodes:i*lvNodes], *c.floored)
		if err != nil {
			return err
		}
		cum = tp.Add(cum, m.carry[i-1])
	}
	m.node = grow(m.node, n+1)
	m.frac, m.sig, m.dsigdS = grow(m.frac, n+1), grow(m.sig, n+1), grow(m.dsigdS, n+1)
	return nil
}

func (m *lvModel) simulate(tp *aad.Tape, z []float64, p *Path) {
	s := p.s[0]
	m.s = s
	x := s[0]
	lx := math.Log(x.Value())
	for i := 1; i <= m.n; i++ {
		u := (lx - m.x0) / m.dx
		k := int(math.Floor(u))
		slope := 1.0
		switch {
		case k < 0 || u != u:
			k, slope = 0, 0
		case k > lvNodes-2:
			k, slope = lvNodes-2, 0
		}
		f := u - float64(k)
		if slope == 0 {
			f = math.Min(math.Max(f, 0), 1)
		}
		g := m.g[(i-1)*lvNodes+k : (i-1)*lvNodes+k+2]
		ga, gb := g[0], g[1]
		sig := ga.Value() + f*(gb.Value()-ga.Value())
		dt, sq, zi := m.dt[i], m.sq[i], z[i-1]
		inc := m.carry[i-1].Value() - 0.5*sig*sig*dt + sig*sq*zi
		e := math.Exp(inc)
		xn := x.Value() * e
		dIncdSig := -sig*dt + sq*zi
		dsig := slope * (gb.Value() - ga.Value()) / (m.dx * x.Value())
		dx := e + xn*dIncdSig*dsig
		dga, dgb := xn*dIncdSig*(1-f), xn*dIncdSig*f
		if i == 1 && m.dt1.Active() {
			// ∂inc/∂Δt = −σ²/2 + σz/(2√Δt).
			ddt := xn * (-0.5*sig*sig + 0.5*sig*zi/sq)
			var args = [5]aad.Number{x, m.carry[0], ga, gb, m.dt1}
			var parts = [5]float64{dx, xn, dga, dgb, ddt}
			x = tp.Custom(xn, args[:], parts[:])
		} else {
			x = tp.Custom4(xn, x, dx, m.carry[i-1], xn, ga, dga, gb, dgb)
		}
		s[i] = x
		lx += inc
		m.node[i], m.frac[i], m.sig[i], m.dsigdS[i] = int32(k), f, sig, dsig
	}
}

func (m *lvModel) adjoint(*aad.Tape, []float64, *Path) {}
func (m *lvModel) flush(*aad.Tape)                     {}

// stepVariance records σ²Δt of step i, with σ the local vol at the step's
// start, interpolated at the path's spot there.
func (m *lvModel) stepVariance(tp *aad.Tape, _, i int) aad.Number {
	k, f, sig, dt := int(m.node[i]), m.frac[i], m.sig[i], m.dt[i]
	g := m.g[(i-1)*lvNodes+k : (i-1)*lvNodes+k+2]
	d := 2 * sig * dt
	dtN := aad.Const(dt)
	if i == 1 {
		dtN = m.dt1
	}
	return tp.Custom4(sig*sig*dt, m.s[i-1], d*m.dsigdS[i], g[0], d*(1-f), g[1], d*f, dtN, sig*sig)
}
