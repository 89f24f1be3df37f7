package marketdata

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// VarianceGrid reads the total variance of one vol surface at a fixed set
// of strikes, time after time: what a local-vol set-up reads, the same
// strikes at every step of a time grid. It gives W, DK and DKK, not DT (a
// caller stepping through time takes the slope of W over each step, as the
// local-vol set-up does). Its values are TotalVariance's, bit for bit, and
// so are its derivatives up to the order of their sums; what differs is
// the recording. TotalVariance records each output over the
// node vols of the (up to two) expiries it interpolates, tens of operands;
// a VarianceGrid records each expiry's spline s, s′ and s″ at each strike
// once, over its node vols, the first time an output needs it, and each
// output over those, at most seven operands. Over many times that is a
// fraction of the tape and of the spline evaluations.
//
// A VarianceGrid records on its scope's tape and is valid until the scope's
// next Reset. On a second-order tape it reads through TotalVariance.
type VarianceGrid struct {
	s       *Scope
	name    string
	sf      *surface
	strikes []float64
	// cells[p·len(strikes)+k] is expiry p's spline at strike k.
	cells []tvCell
}

// tvCell is one expiry's spline at one strike: its values, and once an
// output has used them, their statements.
type tvCell struct {
	done      bool // values computed
	rec       bool // statements recorded
	s, s1, s2 float64
	n         [3]aad.Number // s, s′ and s″ as statements over the node vols
}

// NewVarianceGrid returns the reader of the total variance of the
// underlying's VOL surface at strikes, which it keeps (the caller must not
// change them). The errors are those of TotalVariance.
func (s *Scope) NewVarianceGrid(name string, strikes []float64) (*VarianceGrid, error) {
	sf, ok := s.m.s.vol[name]
	if !ok {
		return nil, &notFound{fmt.Sprintf("no VOL quotes for %q", name)}
	}
	for _, k := range strikes {
		if math.IsNaN(k) || math.IsInf(k, 0) {
			return nil, fmt.Errorf("marketdata: total variance of %q at strike %v", name, k)
		}
	}
	return &VarianceGrid{s: s, name: name, sf: sf, strikes: strikes, cells: make([]tvCell, len(sf.exp)*len(strikes))}, nil
}

// At writes into dst[k] the total variance at time tau and strike k of the
// grid, as TotalVariance(name, tau, strikes[k]) would but with DT left
// zero, and returns dst, which must have room for every strike.
func (g *VarianceGrid) At(dst []TotalVariance, tau aad.Number) ([]TotalVariance, error) {
	dst = dst[:len(g.strikes)]
	s := g.s
	if s.tp.SecondOrder() {
		for k, K := range g.strikes {
			var err error
			if dst[k], err = s.TotalVariance(g.name, tau, K); err != nil {
				return nil, err
			}
			dst[k].DT = aad.Number{}
		}
		return dst, nil
	}
	t := tau.Value()
	lo, hi := bracket(g.sf.t, t)
	// Whether expiry lo is an operand: not on pillar hi (see below).
	useLo := lo == hi || t != g.sf.exp[hi].t
	for k := range g.strikes {
		a, b := g.cell(lo, k, useLo), g.cell(hi, k, true)
		out := &dst[k]
		out.DT = aad.Number{}
		if lo == hi {
			// Flat vol: w = s²τ, as TotalVariance.
			v0, v1, v2 := a.s*a.s, 2*a.s*a.s1, 2*(a.s1*a.s1+a.s*a.s2)
			out.W = g.record(v0*t, lo, k, -1, 0, [3]float64{2 * t * a.s}, [3]float64{}, tau, v0)
			out.DK = g.record(v1*t, lo, k, -1, 0, [3]float64{2 * t * a.s1, 2 * t * a.s}, [3]float64{}, tau, v1)
			out.DKK = g.record(v2*t, lo, k, -1, 0, [3]float64{2 * t * a.s2, 4 * t * a.s1, 2 * t * a.s}, [3]float64{}, tau, v2)
		} else {
			ta, tb := g.sf.exp[lo].t, g.sf.exp[hi].t
			d := tb - ta
			la, lb := (tb-t)/d, (t-ta)/d
			l := tvBetween(a.s, a.s1, a.s2, b.s, b.s1, b.s2, ta, tb, t)
			w, w1, w2 := l.w, l.w1, l.w2
			wa, wb, w1a, w1b, w2a, w2b := l.wa, l.wb, l.w1a, l.w1b, l.w2a, l.w2b
			ca, cb := 2*la*ta, 2*lb*tb
			pa := lo
			if !useLo { // on pillar b (la = 0), a has no effect (first order)
				pa = -1
			}
			out.W = g.record(w, pa, k, hi, k, [3]float64{ca * a.s}, [3]float64{cb * b.s}, tau, (wb-wa)/d)
			out.DK = g.record(w1, pa, k, hi, k, [3]float64{ca * a.s1, ca * a.s}, [3]float64{cb * b.s1, cb * b.s}, tau, (w1b-w1a)/d)
			out.DKK = g.record(w2, pa, k, hi, k, [3]float64{ca * a.s2, 2 * ca * a.s1, ca * a.s}, [3]float64{cb * b.s2, 2 * cb * b.s1, cb * b.s}, tau, (w2b-w2a)/d)
		}
	}
	return dst, nil
}

// cell returns expiry p's spline at strike k, computing its values (as
// tvPillar does, bit for bit) the first time, and recording its statements
// then too if it is an operand (use) and the scope has a tape: recorded
// later, it would take a second evaluation of the spline's weights.
func (g *VarianceGrid) cell(p, k int, use bool) *tvCell {
	c := &g.cells[p*len(g.strikes)+k]
	if c.done && (c.rec || !use || g.s.tp == nil) {
		return c
	}
	var ps tvPillars
	x := g.s.tvPillar(&ps, g.sf, p, g.strikes[k])
	c.s, c.s1, c.s2, c.done = x.s, x.s1, x.s2, true
	if use && g.s.tp != nil {
		g.statements(c, x)
	}
	return c
}

// statements records c's statements over the node vols from its expiry's
// weights x.
func (g *VarianceGrid) statements(c *tvCell, x *tvExpiry) {
	s := g.s
	for j, w := range [3][]float64{x.w0, x.w1, x.w2} {
		n := 0
		for i, wi := range w[:len(x.w0)] {
			if wi != 0 {
				s.args[n], s.parts[n] = s.x(x.e.q[i]), wi
				n++
			}
		}
		c.n[j] = s.tp.Custom([3]float64{c.s, c.s1, c.s2}[j], s.args[:n], s.parts[:n])
	}
	c.rec = true
}

// record records v as one statement over the spline values (s, s′, s″) of
// expiry pa at strike ka with partials ca and of expiry pb at kb with
// partials cb (an expiry of −1 has no term; a partial of 0 no operand),
// and tau with partial dt if it is active.
func (g *VarianceGrid) record(v float64, pa, ka, pb, kb int, ca, cb [3]float64, tau aad.Number, dt float64) aad.Number {
	if g.s.tp == nil {
		return aad.Const(v)
	}
	var args [7]aad.Number
	var parts [7]float64
	n := 0
	for _, side := range [2]struct {
		p, k int
		c    [3]float64
	}{{pa, ka, ca}, {pb, kb, cb}} {
		if side.p < 0 {
			continue
		}
		st := &g.cells[side.p*len(g.strikes)+side.k].n
		for j, c := range side.c {
			if c != 0 {
				args[n], parts[n] = st[j], c
				n++
			}
		}
	}
	if tau.Active() {
		args[n], parts[n] = tau, dt
		n++
	}
	return g.s.tp.Custom(v, args[:n], parts[:n])
}
