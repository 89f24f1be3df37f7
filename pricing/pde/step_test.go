package pde

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/pricing/closedform"
	"github.com/stretchr/testify/require"
)

// testGrid returns n nodes in log-spot around ln 100, denser near it.
func testGrid(t *testing.T, n int, half float64) *Grid {
	x := make([]float64, n)
	for i := range x {
		u := -1 + 2*float64(i)/float64(n-1)
		x[i] = math.Log(100) + half*math.Sinh(2*u)/math.Sinh(2)
	}
	g, err := NewGrid(x)
	require.NoError(t, err)
	return g
}

func testCoeffs(g *Grid, rng *rand.Rand, american, high bool) *Coeffs {
	n := g.Len()
	c := &Coeffs{Theta: 0.5, R: 0.004 + 0.002*rng.Float64(), Q: 0.001 * rng.Float64(), V: make([]float64, n)}
	for j := range c.V {
		c.V[j] = 0.0004 * (1 + 0.5*math.Sin(float64(j)))
	}
	if american {
		c.Exercise = make([]float64, n)
		for j, x := range g.X {
			if high {
				c.Exercise[j] = max(math.Exp(x)-100, 0)
			} else {
				c.Exercise[j] = max(100-math.Exp(x), 0)
			}
		}
		c.High = high
	}
	c.Lower, c.Upper = 1.5, 0.25
	return c
}

// TestAdjointStepMatchesDifferences checks the hand-written adjoint of a
// step, projection included, against central differences of Step: the
// derivatives of w·Step(old) in each old value, R, Q and each V.
func TestAdjointStepMatchesDifferences(t *testing.T) {
	for _, tc := range []struct {
		name           string
		american, high bool
	}{{"european", false, false}, {"american put", true, false}, {"american call", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			g := testGrid(t, 41, 1)
			n := g.Len()
			c := testCoeffs(g, rng, tc.american, tc.high)
			old, wts := make([]float64, n), make([]float64, n)
			for j, x := range g.X {
				s := math.Exp(x)
				old[j] = max(100-s, 0) + 3*math.Exp(-0.001*(s-100)*(s-100)) // smooth at the kink's scale
				if tc.high {
					old[j] = max(s-100, 0) + 3*math.Exp(-0.001*(s-100)*(s-100))
				}
				wts[j] = rng.NormFloat64()
			}
			var w Work
			out := make([]float64, n)
			f := func() float64 {
				g.Step(out, old, c, &w)
				var s float64
				for j := range out {
					s += wts[j] * out[j]
				}
				return s
			}
			oldBar := make([]float64, n)
			bar := &Bar{V: make([]float64, n)}
			g.AdjointStep(old, c, wts, oldBar, bar, &w)
			diff := func(p *float64) float64 {
				h := 1e-6 * max(1, math.Abs(*p))
				v := *p
				*p = v + h
				up := f()
				*p = v - h
				dn := f()
				*p = v
				return (up - dn) / (2 * h)
			}
			for j := range old {
				require.InDelta(t, diff(&old[j]), oldBar[j], 1e-6, "old[%d]", j)
			}
			require.InDelta(t, diff(&c.R), bar.R, 1e-5*max(1, math.Abs(bar.R)), "R")
			require.InDelta(t, diff(&c.Q), bar.Q, 1e-5*max(1, math.Abs(bar.Q)), "Q")
			for j := range c.V {
				require.InDelta(t, diff(&c.V[j]), bar.V[j], 1e-5*max(1, math.Abs(bar.V[j])), "V[%d]", j)
			}
		})
	}
}

// TestEuropeanConvergesToBlackScholes solves a European put by
// Crank–Nicolson with a Rannacher start on refined grids and checks the
// error against the closed form falls at second order, to a limit that is the
// closed form's.
func TestEuropeanConvergesToBlackScholes(t *testing.T) {
	const S, K, T, r, q, vol = 100.0, 100.0, 1.0, 0.05, 0.02, 0.25
	want := closedform.European(nil, closedform.Put, closedform.Params{S: aad.Const(S), K: aad.Const(K), T: aad.Const(T), R: aad.Const(r), Q: aad.Const(q), Vol: aad.Const(vol)})
	var errs, got []float64
	for _, m := range []int{1, 2, 4} {
		nx, nt := 100*m+1, 50*m
		x := make([]float64, nx)
		half := 8 * vol * math.Sqrt(T)
		for i := range x {
			x[i] = math.Log(K) - half + 2*half*float64(i)/float64(nx-1)
		}
		g, err := NewGrid(x)
		require.NoError(t, err)
		v, nv := make([]float64, nx), make([]float64, nx)
		for j, xj := range x {
			v[j] = max(K-math.Exp(xj), 0)
		}
		var w Work
		steps := nt + 2 // the first two steps as four fully implicit half steps (Rannacher)
		for k := range steps {
			dt := T / float64(nt)
			th := 0.5
			if k < 4 {
				dt, th = dt/2, 1
			}
			c := &Coeffs{Theta: th, R: r * dt, Q: q * dt, V: make([]float64, nx)}
			for j := range c.V {
				c.V[j] = vol * vol * dt
			}
			c.Lower, c.Upper = v[0]*math.Exp(-r*dt), 0
			g.Step(nv, v, c, &w)
			v, nv = nv, v
		}
		got = append(got, v[(nx-1)/2])
		errs = append(errs, math.Abs(v[(nx-1)/2]-want.Value()))
	}
	rich := (4*got[2] - got[1]) / 3
	t.Logf("errors %v, Richardson's %g (value %g)", errs, rich-want.Value(), want.Value())
	require.InDelta(t, want.Value(), rich, 1e-5*want.Value(), "the Richardson extrapolation of the two finest grids")
	require.Greater(t, errs[0]/errs[1], 3.0, "refining by 2 should cut the error by about 4")
	require.Greater(t, errs[1]/errs[2], 3.0, "refining by 2 should cut the error by about 4")
}
