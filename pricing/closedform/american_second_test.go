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

// americanCases returns calls with a dividend yield and puts with a positive
// rate (early exercise has a value), at spots from deep out of the money to
// close to the critical price, expiries from a week to five years and
// volatilities from 5% to 100%, with R·T on both sides of the series of
// xOverOneMinusExp; and the cases where American is European.
func americanCases() []struct {
	name string
	f    pricer
	x    []float64
} {
	var cs []struct {
		name string
		f    pricer
		x    []float64
	}
	add := func(typ OptionType, x []float64) {
		f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) { return American(tp, typ, params(in)) }
		cs = append(cs, struct {
			name string
			f    pricer
			x    []float64
		}{fmt.Sprintf("%s %v", typ, x), f, x})
	}
	for _, tv := range []struct{ t, vol float64 }{{1.0 / 52, 0.3}, {0.5, 0.05}, {1, 0.25}, {5, 0.6}, {5, 1}} {
		for _, s := range []float64{80, 95, 100, 110, 125} {
			add(Put, []float64{s, 100, tv.t, 0.05, 0.01, tv.vol})
			add(Call, []float64{s, 100, tv.t, 0.02, 0.06, tv.vol})
		}
	}
	add(Put, []float64{100, 100, 1, -0.01, 0.02, 0.3}) // R ≤ 0: the European put
	add(Call, []float64{100, 100, 1, 0.03, 0, 0.3})    // Q ≤ 0: the European call
	return cs
}

// The Hessian of American on a second-order tape matches the central
// differences of its first-order gradient, entry by entry (tolerances as
// for Barrier), and is symmetric to rounding; the value and the gradient
// are those of a first-order tape (the critical price recorded by Newton
// steps from the solved root, so to rounding, not bit for bit).
func TestAmericanSecondOrder(t *testing.T) {
	tp := aad.NewTape(0)
	for _, c := range americanCases() {
		v, g := aadGradient(t, c.f, c.x)
		h, fd := hessian(t, c.f, c.x), fdHessian(t, c.f, c.x)
		for j := range c.x {
			v2, g2, _ := secondOrder(t, tp, c.f, c.x, unitDir(len(c.x), j))
			testutil.Near(t, v2, v, 1e-13, 1e-13*c.x[0], "value, %s", c.name)
			for i := range c.x {
				u := unit(c.x[i]) * unit(c.x[j])
				testutil.Near(t, g2[i], g[i], 1e-11, 1e-13*c.x[0]/unit(c.x[i]), "∂/∂%s, %s", inputNames[i], c.name)
				testutil.Near(t, h[j][i], fd[j][i], 1e-6, 1e-8*c.x[0]/u, "∂²/∂%s∂%s, %s", inputNames[i], inputNames[j], c.name)
				if i < j {
					testutil.Near(t, h[j][i], h[i][j], 1e-12, 1e-14*c.x[0]/u, "symmetry ∂²/∂%s∂%s, %s", inputNames[i], inputNames[j], c.name)
				}
			}
		}
	}
}

// Where early exercise has no value, American's Hessian is the European's,
// recorded independently with elementary operations, and beyond the
// critical price it is that of the intrinsic value, 0.
func TestAmericanSecondOrderLimits(t *testing.T) {
	for _, c := range []struct {
		typ OptionType
		x   []float64
	}{{Put, []float64{100, 100, 1, -0.01, 0.02, 0.3}}, {Call, []float64{100, 100, 1, 0.03, 0, 0.3}}} {
		f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) { return American(tp, c.typ, params(in)) }
		e := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return europeanElementary(tp, c.typ == Call, params(in)), nil
		}
		h, he := hessian(t, f, c.x), hessian(t, e, c.x)
		for j := range c.x {
			for i := range c.x {
				testutil.Near(t, h[j][i], he[j][i], 1e-12, 1e-14*c.x[0]/(unit(c.x[i])*unit(c.x[j])), "∂²/∂%s∂%s, %s %v", inputNames[i], inputNames[j], c.typ, c.x)
			}
		}
	}
	f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) { return American(tp, Put, params(in)) }
	for _, col := range hessian(t, f, []float64{40, 100, 1, 0.08, 0, 0.2}) {
		for i, x := range col {
			assert.Zero(t, x, "∂²/∂%s of an exercised put", inputNames[i])
		}
	}
}

// A warm second-order tape records and sweeps American with no heap
// allocation.
func TestAmericanSecondOrderZeroAllocations(t *testing.T) {
	x := []float64{100, 100, 1, 0.05, 0.01, 0.25}
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	in := make([]aad.Number, len(x))
	grad, hv := make([]float64, len(x)), make([]float64, len(x))
	run := func() {
		tp.Reset()
		for i, v := range x {
			in[i] = tp.Var(v)
			tp.SetTangent(in[i], float64(i+1))
		}
		y, err := American(tp, Put, params(in))
		if err != nil {
			panic(err)
		}
		tp.HessianVector(grad, hv, y, in)
	}
	require.NotPanics(t, run)
	assert.Zero(t, testing.AllocsPerRun(100, run), "allocations per second-order record and sweep")
}

// xOverOneMinusExpD2 is the derivative of the h′ of xOverOneMinusExp, by
// its series and by its direct formula on either side of |x| = 0.1: against
// central differences of h′, extrapolated from the steps 1e-3 and 5e-4.
func TestXOverOneMinusExpD2(t *testing.T) {
	d := func(x, step float64) float64 {
		_, up := xOverOneMinusExp(x + step)
		_, down := xOverOneMinusExp(x - step)
		return (up - down) / (2 * step)
	}
	for _, x := range []float64{-3, -0.5, -0.1, -0.0999, -0.05, 0, 0.01, 0.05, 0.0999, 0.1, 0.25, 1, 3} {
		want := (4*d(x, 5e-4) - d(x, 1e-3)) / 3
		testutil.Near(t, xOverOneMinusExpD2(x), want, 1e-10, 0, "h″(%g)", x)
	}
	testutil.Near(t, xOverOneMinusExpD2(math.Nextafter(0.1, 0)), xOverOneMinusExpD2(0.1), 1e-12, 0, "h″ continuous at 0.1")
}

// BenchmarkAmericanSecondOrder: BenchmarkAmerican's put recorded and swept
// in first order (aad) and in second order (record + HessianVector, seed
// e_S), whose ratio is the cost of the Hessian-vector product.
func BenchmarkAmericanSecondOrder(b *testing.B) {
	put := func(tp *aad.Tape, p Params) (aad.Number, error) { return American(tp, Put, p) }
	b.Run("aad", func(b *testing.B) { benchRecord(b, put) })
	b.Run("aad-second-order", func(b *testing.B) { benchRecord2(b, put) })
}
