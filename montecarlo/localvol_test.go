package montecarlo

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// lvInterp evaluates the local-vol interpolation of node values g at
// log-spot lx the way simulate does, and returns the vol, its slope in
// log-spot and the weight of every node.
func lvInterp(m *lvModel, g []float64, lx float64) (sig, dsig float64, weights []float64) {
	k, f := m.lvCell(lx)
	j, w, d := lvWeights(k, f)
	q := g[j : j+4]
	sig = w.w0*q[0] + w.w1*q[1] + w.w2*q[2] + w.w3*q[3]
	dsig = (d.w0*q[0] + d.w1*q[1] + d.w2*q[2] + d.w3*q[3]) / m.dx
	weights = make([]float64, len(g))
	for i, x := range []float64{w.w0, w.w1, w.w2, w.w3} {
		weights[j+i] = x
	}
	return sig, dsig, weights
}

func TestLocalVolInterpolation(t *testing.T) {
	m := &lvModel{x0: math.Log(50), dx: 0.02}
	g := make([]float64, lvNodes)
	for i := range g {
		x := float64(i) / lvNodes
		g[i] = 0.3 - 0.2*x + 0.15*x*x*x
	}
	lx := func(u float64) float64 { return m.x0 + u*m.dx }
	t.Run("nodes", func(t *testing.T) {
		for i := range lvNodes {
			sig, _, _ := lvInterp(m, g, lx(float64(i)))
			assert.InDelta(t, g[i], sig, 1e-15, "node %d", i)
		}
	})
	t.Run("flat beyond the grid", func(t *testing.T) {
		for _, c := range []struct {
			u    float64
			node int
		}{{-3, 0}, {0, 0}, {math.NaN(), 0}, {lvNodes - 1, lvNodes - 1}, {lvNodes + 5, lvNodes - 1}} {
			sig, dsig, w := lvInterp(m, g, lx(c.u))
			assert.Equal(t, g[c.node], sig, "u = %v", c.u)
			assert.Zero(t, dsig, "u = %v", c.u)
			// The derivative reaches the node whose value is used.
			assert.Equal(t, 1.0, w[c.node], "u = %v", c.u)
		}
	})
	t.Run("weights and slope", func(t *testing.T) {
		// In every cell, including the two at each end where the outer
		// node is repeated: the weights sum to one, the vol is their
		// combination (what the adjoint differentiates), and the slope is
		// the vol's derivative in log-spot.
		const h = 1e-6
		for u := 0.013; u < lvNodes-1; u += 0.25 {
			sig, dsig, w := lvInterp(m, g, lx(u))
			sum, comb := 0.0, 0.0
			for i, x := range w {
				sum += x
				comb += x * g[i]
			}
			assert.InDelta(t, 1, sum, 1e-14, "u = %v", u)
			assert.InDelta(t, sig, comb, 1e-15, "u = %v", u)
			up, _, _ := lvInterp(m, g, lx(u)+h)
			dn, _, _ := lvInterp(m, g, lx(u)-h)
			assert.InDelta(t, (up-dn)/(2*h), dsig, 1e-7, "u = %v", u)
		}
	})
	t.Run("C1 at the nodes", func(t *testing.T) {
		for i := 1; i < lvNodes-1; i++ {
			_, below, _ := lvInterp(m, g, lx(float64(i)-1e-12))
			_, above, _ := lvInterp(m, g, lx(float64(i)))
			assert.InDelta(t, below, above, 1e-9, "node %d", i)
		}
	})
}
