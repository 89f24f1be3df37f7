package pde

import (
	"errors"
	"fmt"
	"math"
)

// Grid is a grid of log-spot nodes with the finite-difference weights of the
// first and second derivatives at its interior nodes.
type Grid struct {
	// X are the nodes, increasing.
	X []float64
	// d1 and d2 hold, per node, the weights of the node below, the node and
	// the node above: three-point differences on a non-uniform grid, exact
	// for quadratics.
	d1, d2 [][3]float64
}

// NewGrid returns the grid of nodes x, which must be at least 3, finite and
// strictly increasing.
func NewGrid(x []float64) (*Grid, error) {
	if len(x) < 3 {
		return nil, fmt.Errorf("pde: %d grid nodes: want at least 3", len(x))
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) || (i > 0 && !(v > x[i-1])) {
			return nil, errors.New("pde: grid nodes must be finite and strictly increasing")
		}
	}
	g := &Grid{X: x, d1: make([][3]float64, len(x)), d2: make([][3]float64, len(x))}
	for j := 1; j < len(x)-1; j++ {
		hm, hp := x[j]-x[j-1], x[j+1]-x[j]
		g.d1[j] = [3]float64{-hp / (hm * (hm + hp)), (hp - hm) / (hm * hp), hm / (hp * (hm + hp))}
		g.d2[j] = [3]float64{2 / (hm * (hm + hp)), -2 / (hm * hp), 2 / (hp * (hm + hp))}
	}
	return g, nil
}

// Len returns the number of nodes.
func (g *Grid) Len() int { return len(g.X) }

// Coeffs are the coefficients of one time step.
type Coeffs struct {
	// Theta is the scheme's implicitness: ½ for Crank–Nicolson, 1 for a
	// fully implicit step.
	Theta float64
	// R and Q are the rate and the dividend yield integrated over the step;
	// V[j] is the variance at node j integrated over it (σ²·Δt).
	R, Q float64
	V    []float64
	// Lower and Upper are the values at the first and the last node after
	// the step (Dirichlet conditions).
	Lower, Upper float64
	// Exercise, when not nil, is the value of exercising at each node: the
	// step's result is at least that (an American option).
	Exercise []float64
	// High says that the exercise region is the top of the grid (a call);
	// otherwise it is the bottom (a put).
	High bool
}

// Bar holds the adjoints of a step's coefficients, added to by AdjointStep.
type Bar struct {
	R, Q float64
	V    []float64
}

// Work is a step's scratch: room for the tridiagonal system and what the
// adjoint needs of the forward solve. The zero Work is ready to use; it
// grows once to the grid's size.
type Work struct {
	a, b, c, r, m, cp, dp, x []float64
	proj                     []bool
	// the adjoint's: of x and dp, cp, m, and of the system's a, b, c, r
	xb, cpb, ab, bb, cb, rb []float64
}

func (w *Work) grow(n int) {
	if len(w.a) == n {
		return
	}
	f := func() []float64 { return make([]float64, n) }
	w.a, w.b, w.c, w.r, w.m, w.cp, w.dp, w.x = f(), f(), f(), f(), f(), f(), f(), f()
	w.xb, w.cpb, w.ab, w.bb, w.cb, w.rb = f(), f(), f(), f(), f(), f()
	w.proj = make([]bool, n)
}

// row returns the integrated operator's weights (below, at, above) at
// interior node j: ½v·D2 + (R − Q − ½v)·D1 − R.
func (g *Grid) row(j int, c *Coeffs) (l, d, u float64) {
	hv, mu := 0.5*c.V[j], c.R-c.Q-0.5*c.V[j]
	d1, d2 := &g.d1[j], &g.d2[j]
	return hv*d2[0] + mu*d1[0], hv*d2[1] + mu*d1[1] - c.R, hv*d2[2] + mu*d1[2]
}

// Step advances old, the values after the step in calendar time, to dst,
// the values before it: (I − θL)·dst = (I + (1−θ)L)·old, with the boundary
// values and the exercise projection of c. dst and old may not overlap.
func (g *Grid) Step(dst, old []float64, c *Coeffs, w *Work) {
	n := len(g.X)
	w.grow(n)
	g.system(old, c, w)
	g.solve(c, w)
	copy(dst, w.x)
}

// system fills the tridiagonal system of the step in solving order: the
// natural order for a call (exercise at the top, where the back substitution
// starts), reversed for a put, so that the substitution always starts on the
// exercise side (Brennan–Schwartz).
func (g *Grid) system(old []float64, c *Coeffs, w *Work) {
	n := len(g.X)
	th := c.Theta
	for i := range n {
		j := g.node(i, c)
		var a, b, cc, r float64
		switch j {
		case 0:
			a, b, cc, r = 0, 1, 0, c.Lower
		case n - 1:
			a, b, cc, r = 0, 1, 0, c.Upper
		default:
			l, d, u := g.row(j, c)
			r = old[j] + (1-th)*(l*old[j-1]+d*old[j]+u*old[j+1])
			a, b, cc = -th*l, 1-th*d, -th*u
			if !c.High {
				a, cc = cc, a // reversed order: the node above comes first
			}
		}
		w.a[i], w.b[i], w.c[i], w.r[i] = a, b, cc, r
	}
}

// node returns the grid node of position i in solving order.
func (g *Grid) node(i int, c *Coeffs) int {
	if c.High {
		return i
	}
	return len(g.X) - 1 - i
}

// solve runs the Thomas algorithm on w's system in solving order, projecting
// onto the exercise values during the back substitution, and leaves the
// solution in w.x in node order.
func (g *Grid) solve(c *Coeffs, w *Work) {
	n := len(g.X)
	w.m[0] = w.b[0]
	w.cp[0], w.dp[0] = w.c[0]/w.m[0], w.r[0]/w.m[0]
	for i := 1; i < n; i++ {
		w.m[i] = w.b[i] - w.a[i]*w.cp[i-1]
		w.cp[i] = w.c[i] / w.m[i]
		w.dp[i] = (w.r[i] - w.a[i]*w.dp[i-1]) / w.m[i]
	}
	var next float64
	for i := n - 1; i >= 0; i-- {
		v := w.dp[i]
		if i < n-1 {
			v -= w.cp[i] * next
		}
		j := g.node(i, c)
		w.proj[i] = false
		if c.Exercise != nil && v < c.Exercise[j] {
			v, w.proj[i] = c.Exercise[j], true
		}
		w.x[j], next = v, v
	}
}

// AdjointStep adds to oldBar and to bar the adjoints of a Step from old with
// coefficients c, given the adjoint newBar of its result. It recomputes the
// step; the boundary and exercise values are constants. A node the
// projection set to its exercise value passes no adjoint back: there the
// result does not depend on the step's inputs.
func (g *Grid) AdjointStep(old []float64, c *Coeffs, newBar, oldBar []float64, bar *Bar, w *Work) {
	n := len(g.X)
	w.grow(n)
	g.system(old, c, w)
	g.solve(c, w)
	// x̄ in solving order, then the back substitution reversed: it leaves
	// dp̄ in xb and cp̄ in cpb.
	xb, cpb := w.xb, w.cpb
	for i := range n {
		xb[i], cpb[i] = newBar[g.node(i, c)], 0
	}
	for i := range n {
		t := xb[i]
		if w.proj[i] {
			t = 0
		}
		xb[i] = t
		if i < n-1 && t != 0 {
			cpb[i] = -t * w.x[g.node(i+1, c)]
			xb[i+1] -= t * w.cp[i]
		}
	}
	// The elimination reversed, from the last position: it gives the
	// adjoints ā, b̄, c̄ and r̄ of the system, position by position.
	ab, bb, cb, rb := w.ab, w.bb, w.cb, w.rb
	for i := n - 1; i >= 1; i-- {
		m := w.m[i]
		dpb := xb[i]
		rb[i] = dpb / m
		ab[i] = -dpb * w.dp[i-1] / m
		xb[i-1] -= dpb * w.a[i] / m
		mbi := -(dpb*w.dp[i] + cpb[i]*w.cp[i]) / m
		cb[i] = cpb[i] / m
		bb[i] = mbi
		ab[i] -= mbi * w.cp[i-1]
		cpb[i-1] -= mbi * w.a[i]
	}
	m := w.m[0]
	rb[0], cb[0], ab[0] = xb[0]/m, cpb[0]/m, 0
	bb[0] = -(xb[0]*w.dp[0] + cpb[0]*w.cp[0]) / m
	// Back to the rows of the operator, node by node.
	th := c.Theta
	for i := range n {
		j := g.node(i, c)
		if j == 0 || j == n-1 {
			continue // a boundary row: constants only
		}
		l, d, u := g.row(j, c)
		aSlot, cSlot := ab[i], cb[i]
		if !c.High {
			aSlot, cSlot = cSlot, aSlot
		}
		r := rb[i]
		e := (1 - th) * r
		lb := -th*aSlot + e*old[j-1]
		db := -th*bb[i] + e*old[j]
		ub := -th*cSlot + e*old[j+1]
		oldBar[j-1] += e * l
		oldBar[j] += r + e*d
		oldBar[j+1] += e * u
		d1, d2 := &g.d1[j], &g.d2[j]
		hvb := lb*d2[0] + db*d2[1] + ub*d2[2]
		mub := lb*d1[0] + db*d1[1] + ub*d1[2]
		bar.R += mub - db
		bar.Q -= mub
		bar.V[j] += 0.5*hvb - 0.5*mub
	}
}
