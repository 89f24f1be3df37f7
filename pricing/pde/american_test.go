package pde

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestAmericanConvergenceOrder refines the grid of three American options
// (Geske and Johnson's put; a long call that a dividend yield above the
// rate makes worth exercising; a put at a high rate) and checks that the
// changes from one refinement to the next shrink by a factor above 2.5 (an
// order above 1.3: the free boundary costs Crank–Nicolson some of its
// second order) and that the value at 400 × 400 is within 1e-4 relative of
// the limit the refinements extrapolate to.
func TestAmericanConvergenceOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("solves on grids up to 1600 × 1600")
	}
	for _, f := range []flat{
		{american: true, S: 40, K: 40, T: 7.0 / 12, r: 0.0488, vol: 0.2},
		{american: true, call: true, S: 100, K: 100, T: 3, r: 0.03, q: 0.07, vol: 0.3},
		{american: true, S: 90, K: 100, T: 1, r: 0.1, q: 0, vol: 0.4},
	} {
		var v []float64
		for _, n := range []int{200, 400, 800, 1600} {
			f.nodes, f.steps = n, n
			v = append(v, f.solve(t))
		}
		d1, d2, d3 := v[1]-v[0], v[2]-v[1], v[3]-v[2]
		r := d2 / d3
		require.Greater(t, d1/d2, 2.5, "%+v: values %v", f, v)
		require.Greater(t, r, 2.5, "%+v: values %v", f, v)
		limit := v[3] + d3/(r-1)
		t.Logf("%+v: 400×400 %.6f, limit %.6f, relative error %.2g, ratios %.3g %.3g", f, v[1], limit, (v[1]-limit)/limit, d1/d2, r)
		require.InDelta(t, limit, v[1], 1e-4*limit)
		if f.S == 40 {
			require.InDelta(t, 1.9905, limit, 1e-4, "Geske and Johnson's finite-difference value, to its four decimals")
		}
		eu := f
		eu.american = false
		require.Greater(t, v[1], eu.solve(t), "an American option is worth more than its European")
	}
}
