package pde

import (
	"math"
	"testing"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/pricing/closedform"
	"github.com/stretchr/testify/require"
)

// flat is an option under flat Black–Scholes coefficients, solved here
// with the package's grid, time steps and step: the float64 solve the
// engine records.
type flat struct {
	call, american bool
	S, K, T        float64
	r, q, vol      float64
	lower, upper   float64 // a knock-out barrier, rebate 0
	nodes, steps   int
}

func (f flat) payoff(s float64) float64 {
	if f.call {
		return max(s-f.K, 0)
	}
	return max(f.K-s, 0)
}

func (f flat) solve(t *testing.T) float64 {
	width := 5 * f.vol * math.Sqrt(f.T)
	x, err := Layout{Spot: f.S, Strike: f.K, Width: width, Lower: f.lower, Upper: f.upper, Nodes: f.nodes}.Place()
	require.NoError(t, err)
	g, err := NewGrid(x)
	require.NoError(t, err)
	n := len(x)
	v, nv := make([]float64, n), make([]float64, n)
	ex := make([]float64, n)
	for j, xj := range x {
		v[j] = f.payoff(math.Exp(xj))
		ex[j] = v[j]
	}
	if f.lower > 0 {
		v[0] = 0
	}
	if f.upper > 0 {
		v[n-1] = 0
	}
	var w Work
	iv := TimeSteps(nil, f.T, f.steps)
	vs := make([]float64, n)
	for k := len(iv) - 1; k >= 0; k-- {
		dt := iv[k].To - iv[k].From
		for j := range vs {
			vs[j] = f.vol * f.vol * dt
		}
		c := &Coeffs{Theta: iv[k].Theta, R: f.r * dt, Q: f.q * dt, V: vs, High: f.call}
		// Five standard deviations from the spot and the strike, the
		// payoff held is as good a boundary value as the forward's.
		c.Lower, c.Upper = ex[0], ex[n-1]
		if f.american {
			c.Exercise = ex
		}
		if f.lower > 0 {
			c.Lower = 0
		}
		if f.upper > 0 {
			c.Upper = 0
		}
		g.Step(nv, v, c, &w)
		v, nv = nv, v
	}
	j, wt, _, _ := g.Stencil(math.Log(f.S))
	return wt[0]*v[j] + wt[1]*v[j+1] + wt[2]*v[j+2] + wt[3]*v[j+3]
}

func TestPlaceKeepsTheSpotMidwayAndTheBarrierOnANode(t *testing.T) {
	for _, l := range []Layout{
		{Spot: 100, Strike: 100, Width: 1, Nodes: 200},
		{Spot: 90, Strike: 120, Width: 0.5, Nodes: 101},
		{Spot: 100, Strike: 100, Width: 1, Lower: 80, Nodes: 150},
		{Spot: 100, Strike: 110, Width: 1, Upper: 130, Nodes: 150},
		{Spot: 100, Strike: 100, Width: 1, Lower: 99.9, Nodes: 50},
	} {
		x, err := l.Place()
		require.NoError(t, err)
		require.Len(t, x, l.Nodes)
		if l.Lower > 0 {
			require.Equal(t, math.Log(l.Lower), x[0])
		}
		if l.Upper > 0 {
			require.Equal(t, math.Log(l.Upper), x[len(x)-1])
		}
		xs := math.Log(l.Spot)
		k := 0
		for x[k+1] <= xs {
			k++
		}
		// midway in the sinh map's variable, so close to midway in x
		f := (xs - x[k]) / (x[k+1] - x[k])
		require.InDelta(t, 0.5, f, 0.05, "the spot's place in its cell, %+v", l)
	}
	_, err := Layout{Spot: 100, Strike: 100, Width: 1, Lower: 100, Nodes: 50}.Place()
	require.Error(t, err)
}

// TestStencilIsExactForCubics checks the interpolation weights and their
// derivatives on a cubic.
func TestStencilIsExactForCubics(t *testing.T) {
	x, err := Layout{Spot: 100, Strike: 95, Width: 1, Nodes: 30}.Place()
	require.NoError(t, err)
	g, err := NewGrid(x)
	require.NoError(t, err)
	p := func(x float64) float64 { return 1 + 2*x - 3*x*x + 0.5*x*x*x }
	at := math.Log(100)
	j, w, d1, d2 := g.Stencil(at)
	var v, s, c float64
	for i := range 4 {
		v += w[i] * p(x[j+i])
		s += d1[i] * p(x[j+i])
		c += d2[i] * p(x[j+i])
	}
	require.InDelta(t, p(at), v, 1e-12)
	require.InDelta(t, 2-6*at+1.5*at*at, s, 1e-10)
	require.InDelta(t, -6+3*at, c, 1e-9)
}

// TestDefaultGridAgainstClosedForms prices Europeans and knock-outs at 400
// spots by 400 steps against their closed forms, to 1e-4 relative.
func TestDefaultGridAgainstClosedForms(t *testing.T) {
	for _, f := range []flat{
		{S: 100, K: 100, T: 1, r: 0.05, q: 0.02, vol: 0.25},
		{call: true, S: 100, K: 110, T: 0.5, r: 0.03, q: 0.01, vol: 0.2},
		{S: 90, K: 100, T: 2, r: 0.02, q: 0.04, vol: 0.4},
		{call: true, S: 100, K: 100, T: 1, r: 0.05, q: 0, vol: 0.2, lower: 85},
		{call: true, S: 100, K: 100, T: 1, r: 0.05, q: 0, vol: 0.2, upper: 130},
		{S: 100, K: 105, T: 0.75, r: 0.04, q: 0.01, vol: 0.3, upper: 120},
	} {
		f.nodes, f.steps = 400, 400
		typ := closedform.Put
		if f.call {
			typ = closedform.Call
		}
		p := closedform.Params{S: aad.Const(f.S), K: aad.Const(f.K), T: aad.Const(f.T), R: aad.Const(f.r), Q: aad.Const(f.q), Vol: aad.Const(f.vol)}
		var want float64
		switch {
		case f.lower > 0:
			v, err := closedform.Barrier(nil, typ, closedform.DownOut, p, aad.Const(f.lower), aad.Const(0))
			require.NoError(t, err)
			want = v.Value()
		case f.upper > 0:
			v, err := closedform.Barrier(nil, typ, closedform.UpOut, p, aad.Const(f.upper), aad.Const(0))
			require.NoError(t, err)
			want = v.Value()
		default:
			want = closedform.European(nil, typ, p).Value()
		}
		got := f.solve(t)
		t.Logf("%+v: got %.8g want %.8g rel %.2g", f, got, want, (got-want)/want)
		require.InDelta(t, want, got, 1e-4*want, "%+v", f)
	}
}
