package closedform

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// barrierPricer returns Barrier of the given type and kind over in = (S, K,
// T, R, Q, Vol, barrier, rebate); without in[7] (len(in) == 7) the rebate is
// a passive 0, so terms E and F are not recorded.
func barrierPricer(typ OptionType, kind BarrierKind) pricer {
	return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
		rebate := aad.Const(0)
		if len(in) > 7 {
			rebate = in[7]
		}
		return Barrier(tp, typ, kind, params(in), in[6], rebate)
	}
}

// unitDir returns e_j in n dimensions (no direction for j < 0).
func unitDir(n, j int) []float64 {
	e := make([]float64, n)
	if j >= 0 {
		e[j] = 1
	}
	return e
}

// fdHessian returns the central differences of the first-order AAD
// gradient, column j from the gradients at x ± h·e_j, extrapolated
// (Richardson) from the steps h = bumpStep(x_j) and h/2: (4·D(h/2) − D(h))/3
// cancels the h² term of the error, which at a 5% volatility is larger
// than the tolerance for the spot and the barrier.
func fdHessian(t *testing.T, f pricer, x []float64) [][]float64 {
	t.Helper()
	h := make([][]float64, len(x))
	xb := append([]float64(nil), x...)
	diff := func(j int, step float64) []float64 {
		xb[j] = x[j] + step
		_, up := aadGradient(t, f, xb)
		xb[j] = x[j] - step
		_, down := aadGradient(t, f, xb)
		xb[j] = x[j]
		for i := range up {
			up[i] = (up[i] - down[i]) / (2 * step)
		}
		return up
	}
	for j := range x {
		step := bumpStep(x[j])
		coarse, fine := diff(j, step), diff(j, step/2)
		h[j] = make([]float64, len(x))
		for i := range x {
			h[j][i] = (4*fine[i] - coarse[i]) / 3
		}
	}
	return h
}

// barrierCases returns every barrier kind and type, with and without an
// active rebate, at spots near and far from the barrier, strikes on both
// sides of it, expiries from a week to five years and volatilities from 5%
// to 100%.
func barrierCases() []struct {
	name string
	f    pricer
	x    []float64
} {
	var cs []struct {
		name string
		f    pricer
		x    []float64
	}
	const h = 100.0
	for _, kind := range []BarrierKind{DownIn, DownOut, UpIn, UpOut} {
		for _, typ := range []OptionType{Call, Put} {
			for _, rebate := range []bool{false, true} {
				for _, tv := range []struct{ t, vol float64 }{{1.0 / 52, 0.3}, {1.0 / 52, 1}, {1, 0.05}, {1, 0.25}, {5, 0.05}, {5, 0.6}, {5, 1}} {
					for _, dist := range []float64{0.03, 0.3} {
						for _, k := range []float64{90, 110} {
							s := h * (1 + dist)
							if !kind.Down() {
								s = h * (1 - dist)
							}
							x := []float64{s, k, tv.t, 0.03, 0.01, tv.vol, h}
							if rebate {
								x = append(x, 2)
							}
							cs = append(cs, struct {
								name string
								f    pricer
								x    []float64
							}{fmt.Sprintf("%s %s rebate=%v %v", kind, typ, rebate, x), barrierPricer(typ, kind), x})
						}
					}
				}
			}
		}
	}
	return cs
}

// unit is the scale of an input of value x, as bumpStep takes it.
func unit(x float64) float64 { return max(math.Abs(x), 0.1) }

// Every entry of the Hessian over S, K, T, R, Q, Vol, the barrier and the
// rebate (when active), from second-order sweeps seeded with one direction
// at a time, matches the central differences of the first-order gradient:
// relative 1e-6, with an absolute floor of 1e-8 times the spot (the price
// scale, as in checkAgainstBump) over the two inputs' scales.
func TestBarrierHessianAgainstBump(t *testing.T) {
	for _, c := range barrierCases() {
		h, fd := hessian(t, c.f, c.x), fdHessian(t, c.f, c.x)
		for j := range c.x {
			for i := range c.x {
				floor := 1e-8 * c.x[0] / (unit(c.x[i]) * unit(c.x[j]))
				testutil.Near(t, h[j][i], fd[j][i], 1e-6, floor, "∂²/∂%s∂%s, %s", barrierNames[i], barrierNames[j], c.name)
			}
		}
	}
}

var barrierNames = []string{"S", "K", "T", "R", "Q", "Vol", "barrier", "rebate"}

// The Hessian from the sweeps is symmetric: (H·e_i)_j and (H·e_j)_i, two
// different sweeps, agree to rounding.
func TestBarrierHessianSymmetric(t *testing.T) {
	for _, c := range barrierCases() {
		h := hessian(t, c.f, c.x)
		for j := range c.x {
			for i := range j {
				floor := 1e-14 * c.x[0] / (unit(c.x[i]) * unit(c.x[j]))
				testutil.Near(t, h[j][i], h[i][j], 1e-12, floor, "∂²/∂%s∂%s, %s", barrierNames[i], barrierNames[j], c.name)
			}
		}
	}
}

// On a second-order tape the value and the gradient are bit for bit those
// of a first-order tape: the statements and their partials are the same.
func TestBarrierSecondOrderFirstOrderIdentical(t *testing.T) {
	tp := aad.NewTape(0)
	for _, c := range barrierCases() {
		v, g := aadGradient(t, c.f, c.x)
		for j := -1; j < len(c.x); j++ {
			v2, g2, _ := secondOrder(t, tp, c.f, c.x, unitDir(len(c.x), j))
			require.Equal(t, math.Float64bits(v), math.Float64bits(v2), "value, seed %d, %s", j, c.name)
			for i := range g {
				require.Equal(t, math.Float64bits(g[i]), math.Float64bits(g2[i]), "∂/∂%s, seed %d, %s", barrierNames[i], j, c.name)
			}
		}
	}
}

// With no rebate, the Hessian of a knock-in plus that of the knock-out of
// the same kind is the European's, which the elementary operations of
// package aad record independently of the barrier's hand derivatives, and
// their second derivatives in the barrier level cancel.
func TestBarrierInOutParitySecondOrder(t *testing.T) {
	for _, typ := range []OptionType{Call, Put} {
		for _, down := range []bool{true, false} {
			in, out, h := UpIn, UpOut, 120.0
			if down {
				in, out, h = DownIn, DownOut, 85
			}
			euro := func(tp *aad.Tape, v []aad.Number) (aad.Number, error) {
				return europeanElementary(tp, typ == Call, params(v)), nil
			}
			for _, k := range []float64{70, 100, 130} {
				for _, s := range []float64{h * (1 + 0.01*sign(down)), 100} {
					for _, tv := range []struct{ t, vol float64 }{{1.0 / 52, 0.3}, {1.5, 0.05}, {1.5, 0.3}, {5, 1}} {
						x := []float64{s, k, tv.t, 0.04, 0.015, tv.vol, h}
						hi, ho := hessian(t, barrierPricer(typ, in), x), hessian(t, barrierPricer(typ, out), x)
						he := hessian(t, euro, x[:6])
						for j := range x {
							for i := range x {
								want := 0.0
								if i < 6 && j < 6 {
									want = he[j][i]
								}
								floor := 1e-10 * s / (unit(x[i]) * unit(x[j]))
								testutil.Near(t, hi[j][i]+ho[j][i], want, 1e-10, floor, "∂²/∂%s∂%s of %s + %s %s %v", barrierNames[i], barrierNames[j], in, out, typ, x)
							}
						}
					}
				}
			}
		}
	}
}

// A warm second-order tape records Barrier, with terms A to D and with
// each rebate term, and sweeps it for the gradient and H·v with no heap
// allocation.
func TestBarrierSecondOrderZeroAllocations(t *testing.T) {
	x := []float64{100, 95, 1.5, 0.04, 0.015, 0.25, 80, 2}
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	in := make([]aad.Number, len(x))
	grad, hv := make([]float64, len(x)), make([]float64, len(x))
	for _, c := range []struct {
		typ  OptionType
		kind BarrierKind
		h    float64
	}{{Call, DownOut, 80}, {Call, DownIn, 80}, {Put, UpIn, 130}, {Put, UpOut, 130}} {
		x[6] = c.h
		run := func() {
			tp.Reset()
			for i, v := range x {
				in[i] = tp.Var(v)
				tp.SetTangent(in[i], float64(i+1))
			}
			y, err := Barrier(tp, c.typ, c.kind, params(in), in[6], in[7])
			if err != nil {
				panic(err)
			}
			tp.HessianVector(grad, hv, y, in)
		}
		require.NotPanics(t, run, "%s %s", c.kind, c.typ)
		assert.Zero(t, testing.AllocsPerRun(100, run), "%s %s: allocations per second-order record and sweep", c.kind, c.typ)
	}
}

// benchRecord2 is benchRecord on a second-order tape: f recorded with the
// tangent seed e_S and swept once for the gradient and H·e_S (gamma, vanna
// and the other cross terms with the spot).
func benchRecord2(b *testing.B, f func(tp *aad.Tape, p Params) (aad.Number, error)) {
	xs := benchInputs(1024)
	tp := aad.NewTape(64)
	tp.SetSecondOrder(true)
	var in [6]aad.Number
	var g, hv [6]float64
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		x := &xs[i&1023]
		i++
		tp.Reset()
		for j, v := range x {
			in[j] = tp.Var(v)
		}
		tp.SetTangent(in[0], 1)
		y, err := f(tp, params(in[:]))
		if err != nil {
			b.Fatal(err)
		}
		tp.HessianVector(g[:], hv[:], y, in[:])
		sink += g[0] + hv[0]
	}
}

// BenchmarkBarrierSecondOrder: BenchmarkBarrier's down-and-out call with a
// rebate at the hit, recorded and swept in first order (aad, as in
// BenchmarkBarrier) and in second order (record + HessianVector); their
// ratio is the cost of the Hessian-vector product over the gradient.
func BenchmarkBarrierSecondOrder(b *testing.B) {
	do := func(tp *aad.Tape, p Params) (aad.Number, error) {
		return Barrier(tp, Call, DownOut, p, aad.Const(0.8*p.S.Value()), aad.Const(1))
	}
	b.Run("aad", func(b *testing.B) { benchRecord(b, do) })
	b.Run("aad-second-order", func(b *testing.B) { benchRecord2(b, do) })
}
