package montecarlo

import (
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/fastmath"
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
//
// As in bsModel, a path records each spot S_i as a statement without
// operands and the model propagates its adjoint by hand: a step is
// S_i = S_{i−1}·exp(carry_i − σ_i²Δt/2 + σ_i·√Δt·z_i) with σ_i interpolated
// from four nodes at ln S_{i−1}, so S̄_{i−1} += S̄_i·∂S_i/∂S_{i−1} runs as a
// float64 recursion backward along the path, and each step adds S̄_i times
// its partials to float64 accumulators of the carry, the four nodes and the
// first step's length, which flush adds to the tape once per block. That
// keeps seven operands per step off the tape and out of the sweep.
type lvModel struct {
	n      int
	x0, dx float64 // log-spot of node 0, and the spacing
	grid   LocalVolGrid
	carry  []aad.Number
	carryV []float64    // the values of carry, read per step
	g      []aad.Number // local vol at step i's start and node m: g[(i−1)·lvNodes+m]
	gv     []float64    // the values of g, read per step
	dt, sq []float64    // step lengths and their square roots, by step (index 0 unused)
	dts    []aad.Number // the recorded step lengths (index 0 unused)
	dt1    aad.Number   // the first step's length, active under a time shift
	spot   aad.Number   // the path's start

	st  []lvStep     // the current path's steps (index 0 unused)
	s   []aad.Number // the path's spots
	dT1 float64      // ∂S_1/∂Δt_1 on the current path

	adj            []float64 // scratch: the payoff's adjoints of the spots
	accCarry, accG []float64 // hand-propagated adjoints of carry and g
	acc0, accDt1   float64   // … of the spot and the first step's length
	args           [6]aad.Number
	parts          [6]float64
}

// lvStep is what the adjoint of a step and its recorded variance need:
// ∂S_i/∂S_{i−1}, S_i and ∂S_i/∂σ_i; σ_i and its derivative in ln S_{i−1};
// and where ln S_{i−1} fell on the grid (lvCell).
type lvStep struct {
	d, xn, c  float64
	sig, dsig float64
	f         float64
	k         int
}

// quad is four Catmull–Rom weights, of the nodes j … j+3 (a struct, not
// an array, so that the compiler keeps it in registers).
type quad struct{ w0, w1, w2, w3 float64 }

// lvCell returns the cell of the local-vol grid at log-spot lx: the node k
// below it and the fraction f of the spacing beyond it, with k = −1 below
// the grid and k = lvNodes−1 at or above its top, where the vol is held
// flat.
func (m *lvModel) lvCell(lx float64) (k int, f float64) {
	return lvCellAt(m.x0, m.dx, lx)
}

// lvCellAt is lvCell on the grid whose node 0 is at log-spot x0, with
// spacing dx.
func lvCellAt(x0, dx, lx float64) (k int, f float64) {
	u := (lx - x0) / dx
	switch {
	case !(u > 0): // also NaN
		return -1, 0
	case u >= lvNodes-1:
		return lvNodes - 1, 0
	}
	k = int(u)
	return k, u - float64(k)
}

// lvWeights returns the first node j and the weights of the Catmull–Rom
// interpolation in cell (k, f) of lvCell, and the weights of its slope (per
// spacing). At the ends the missing outer node is the end node again;
// beyond them one node has weight 1.
func lvWeights(k int, f float64) (j int, w, d quad) {
	switch {
	case k < 0:
		return 0, quad{1, 0, 0, 0}, quad{}
	case k >= lvNodes-1:
		return lvNodes - 4, quad{0, 0, 0, 1}, quad{}
	}
	f2, f3 := f*f, f*f*f
	w = quad{0.5 * (-f3 + 2*f2 - f), 0.5 * (3*f3 - 5*f2 + 2), 0.5 * (-3*f3 + 4*f2 + f), 0.5 * (f3 - f2)}
	d = quad{0.5 * (-3*f2 + 4*f - 1), 0.5 * (9*f2 - 10*f), 0.5 * (-9*f2 + 8*f + 1), 0.5 * (3*f2 - 2*f)}
	switch k {
	case 0:
		return 0, quad{w.w0 + w.w1, w.w2, w.w3, 0}, quad{d.w0 + d.w1, d.w2, d.w3, 0}
	case lvNodes - 2:
		return k - 2, quad{0, w.w0, w.w1, w.w2 + w.w3}, quad{0, d.w0, d.w1, d.w2 + d.w3}
	}
	return k - 1, w, d
}

func (m *lvModel) factors() int { return 1 }

func (m *lvModel) setup(c *setupContext) error {
	name := c.pr.Underlyings[0]
	s0, err := c.sc.Spot(name)
	if err != nil {
		return err
	}
	c.path.s[0][0], m.spot = s0, s0
	m.n = len(c.times) - 1
	n := m.n
	if m.carry, err = c.carry(m.carry, name, true); err != nil {
		return err
	}
	m.dt, m.sq = grow(m.dt, n+1), grow(m.sq, n+1)
	m.dts = grow(m.dts, n+1)
	for i := 1; i <= n; i++ {
		m.dts[i] = c.stepTime(i)
		m.dt[i] = m.dts[i].Value()
		m.sq[i] = math.Sqrt(m.dt[i])
	}
	m.dt1 = m.dts[1]
	if err := m.grid.build(c, name, s0, m.carry, m.dts); err != nil {
		return err
	}
	m.x0, m.dx, m.g = m.grid.X0, m.grid.DX, m.grid.Vol
	m.carryV, m.gv = grow(m.carryV, n), grow(m.gv, n*lvNodes)
	for i, x := range m.carry {
		m.carryV[i] = x.Value()
	}
	for i, x := range m.g {
		m.gv[i] = x.Value()
	}
	m.st, m.adj = grow(m.st, n+1), grow(m.adj, n)
	m.accCarry, m.accG = grow(m.accCarry, n), grow(m.accG, n*lvNodes)
	clear(m.accCarry)
	clear(m.accG)
	m.acc0, m.accDt1 = 0, 0
	return nil
}

func (m *lvModel) simulate(tp *aad.Tape, z []float64, p *Path) {
	s, ls := p.s[0], p.ls[0]
	m.s = s
	x := s[0].Value()
	lx := fastmath.Log(x)
	ls[0] = lx
	for i := 1; i <= m.n; i++ {
		// The local vol at the step's start, by Catmull–Rom cubics (C¹:
		// their slope has no kink at the nodes, which paths would meet).
		k, f := m.lvCell(lx)
		j, w, dw := lvWeights(k, f)
		g := m.gv[(i-1)*lvNodes+j : (i-1)*lvNodes+j+4]
		sig := w.w0*g[0] + w.w1*g[1] + w.w2*g[2] + w.w3*g[3]
		dsig := (dw.w0*g[0] + dw.w1*g[1] + dw.w2*g[2] + dw.w3*g[3]) / m.dx
		dt, sq, zi := m.dt[i], m.sq[i], z[i-1]
		inc := m.carryV[i-1] - 0.5*sig*sig*dt + sig*sq*zi
		e := fastmath.Exp(inc)
		xn := x * e
		dinc := sq*zi - sig*dt // ∂inc/∂σ
		st := &m.st[i]
		st.d, st.xn, st.c = e*(1+dinc*dsig), xn, xn*dinc
		st.sig, st.dsig, st.f, st.k = sig, dsig, f, k
		x = xn
		lx += inc
		ls[i] = lx
		s[i] = tp.Var(xn) // a statement without operands: see lvModel
	}
	p.logged[0] = true
	if m.dt1.Active() {
		// ∂inc/∂Δt = −σ²/2 + σz/(2√Δt).
		st := &m.st[1]
		m.dT1 = st.xn * (-0.5*st.sig*st.sig + 0.5*st.sig*z[0]/m.sq[1])
	}
}

// adjoint propagates the payoff's adjoints of the path's spots back through
// the steps (see lvModel).
func (m *lvModel) adjoint(tp *aad.Tape, _ []float64, p *Path) {
	n := m.n
	adj := tp.AdjointsTo(m.adj[:n], p.s[0][1:n+1])
	u, d := 0.0, 0.0 // S̄_i, and ∂S_{i+1}/∂S_i
	for i := n; i >= 1; i-- {
		u = adj[i-1] + u*d
		st := &m.st[i]
		d = st.d
		if u == 0 {
			continue
		}
		m.accCarry[i-1] += u * st.xn
		uc := u * st.c
		j, w, _ := lvWeights(st.k, st.f)
		g := m.accG[(i-1)*lvNodes+j : (i-1)*lvNodes+j+4]
		g[0] += uc * w.w0
		g[1] += uc * w.w1
		g[2] += uc * w.w2
		g[3] += uc * w.w3
	}
	m.acc0 += u * d
	m.accDt1 += u * m.dT1
}

func (m *lvModel) flush(tp *aad.Tape) {
	add := func(x aad.Number, a *float64) {
		if x.Active() && *a != 0 {
			tp.SetAdjoint(x, tp.Adjoint(x)+*a)
		}
		*a = 0
	}
	for i := range m.carry {
		add(m.carry[i], &m.accCarry[i])
	}
	for i := range m.g {
		add(m.g[i], &m.accG[i])
	}
	add(m.spot, &m.acc0)
	add(m.dt1, &m.accDt1)
}

func (m *lvModel) stepVarianceValue(_, i int) float64 {
	sig := m.st[i].sig
	return sig * sig * m.dt[i]
}

// stepVariance records σ²Δt of step i, with σ the local vol of the step,
// interpolated at the path's spot at its start.
func (m *lvModel) stepVariance(tp *aad.Tape, _, i int) aad.Number {
	st := &m.st[i]
	j, w, _ := lvWeights(st.k, st.f)
	g := m.g[(i-1)*lvNodes+j : (i-1)*lvNodes+j+4]
	dt := m.dt[i]
	d := 2 * st.sig * dt
	args, parts := m.args[:], m.parts[:]
	args[0], parts[0] = m.s[i-1], d*st.dsig/m.s[i-1].Value()
	args[1], parts[1] = g[0], d*w.w0
	args[2], parts[2] = g[1], d*w.w1
	args[3], parts[3] = g[2], d*w.w2
	args[4], parts[4] = g[3], d*w.w3
	n := 5
	if i == 1 {
		args[5], parts[5] = m.dt1, st.sig*st.sig
		n = 6
	}
	return tp.Custom(st.sig*st.sig*dt, args[:n], parts[:n])
}
