package benchmarks

import (
	"math"
	"testing"
	"time"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// BenchmarkW7 is workload W7: one Hessian-vector product (gradient and a
// row of the Hessian from one second-order recording and sweep) against
// one gradient, measured in the same run with the two passes interleaved,
// for W1's 1,000,000 options (priced by BSCallOps) and W2's Asian (100,000
// paths of 252 steps, recorded on the tape by W7Asian). It reports
// hvp/grad and the tape bytes per statement of each mode.
func BenchmarkW7(b *testing.B) {
	b.Run("options", func(b *testing.B) {
		b.ReportAllocs()
		const n = 1_000_000
		opts := W1Options(n, 1)
		grad, hvp := aad.NewTape(64), aad.NewTape(64)
		hvp.SetSecondOrder(true)
		var tGrad, tHVP time.Duration
		for b.Loop() {
			g, h := W7OptionsInterleaved(grad, hvp, opts)
			tGrad += g
			tHVP += h
		}
		b.ReportMetric(float64(tHVP)/float64(tGrad), "hvp/grad")
		b.ReportMetric(float64(tGrad)/float64(b.N*n), "grad-ns/option")
		b.ReportMetric(float64(tHVP)/float64(b.N*n), "hvp-ns/option")
		// The tapes hold the last option.
		for _, c := range []struct {
			name string
			tp   *aad.Tape
		}{{"grad", grad}, {"hvp", hvp}} {
			s := c.tp.Stats()
			b.ReportMetric(float64(s.BytesUsed)/float64(s.Statements), c.name+"-B/stmt")
		}
	})
	b.Run("asian", func(b *testing.B) {
		b.ReportAllocs()
		grad, hvp := aad.NewTape(1024), aad.NewTape(1024)
		var tGrad, tHVP time.Duration
		var g, h *W7Asian
		for b.Loop() {
			var dg, dh time.Duration
			dg, dh, g, h = W7AsianInterleaved(grad, hvp, W2Paths)
			tGrad += dg
			tHVP += dh
		}
		b.ReportMetric(float64(tHVP)/float64(tGrad), "hvp/grad")
		b.ReportMetric(g.BytesPerStatement(), "grad-B/stmt")
		b.ReportMetric(h.BytesPerStatement(), "hvp-B/stmt")
	})
}

// bsmSpotRow is the analytic row of the Black–Scholes–Merton call's Hessian
// for the spot: ∂²/∂S∂(S, σ, r, q, T).
func bsmSpotRow(o Option) [5]float64 {
	sq := math.Sqrt(o.Expiry)
	sd := o.Vol * sq
	d1 := (math.Log(o.Spot/o.Strike)+(o.Rate-o.Div)*o.Expiry)/sd + 0.5*sd
	d2 := d1 - sd
	eq := math.Exp(-o.Div * o.Expiry)
	p := aad.NormPDF(d1)
	// delta = e^{−qT}Φ(d1); ∂d1/∂x for each input.
	dd1 := [5]float64{
		1 / (o.Spot * sd),
		-d2 / o.Vol,
		sq / o.Vol,
		-sq / o.Vol,
		(o.Rate-o.Div)/sd + o.Vol/(4*sq) - (math.Log(o.Spot/o.Strike)+(o.Rate-o.Div)*o.Expiry)/(2*o.Vol*o.Expiry*sq),
	}
	var row [5]float64
	for i, d := range dd1 {
		row[i] = eq * p * d
	}
	row[3] -= o.Expiry * eq * aad.NormCDF(d1)
	row[4] -= o.Div * eq * aad.NormCDF(d1)
	return row
}

func TestW7OptionsAgainstAnalytic(t *testing.T) {
	opts := W1Options(2000, 5)
	grad, hvp := aad.NewTape(0), aad.NewTape(0)
	hvp.SetSecondOrder(true)
	var in [5]aad.Number
	var g1, g2, h [5]float64
	for i, o := range opts {
		pv1 := W7Option(grad, o, in[:], g1[:], nil)
		pv2 := W7Option(hvp, o, in[:], g2[:], h[:])
		want := analyticGreeks(o)
		testutil.Near(t, pv1, want.PV, 1e-12, 1e-12, "option %d pv", i)
		testutil.Near(t, pv2, pv1, 0, 0, "option %d pv in second order", i)
		for j, w := range []float64{want.Delta, want.Vega, want.Rho, want.DivRho, -want.Theta} {
			testutil.Near(t, g1[j], w, 1e-10, 1e-10, "option %d gradient %d", i, j)
			testutil.Near(t, g2[j], g1[j], 1e-14, 1e-14, "option %d second-order gradient %d", i, j)
		}
		row := bsmSpotRow(o)
		for j := range row {
			testutil.Near(t, h[j], row[j], 1e-9, 1e-11, "option %d ∂²/∂S∂x%d", i, j)
		}
	}
}

// TestW7AsianAgainstGradientDifferences checks W7's Asian H·e_S0 against
// the central difference of its first-order gradients in S0 with the same
// random numbers, and its gradient against the first-order run's.
func TestW7AsianAgainstGradientDifferences(t *testing.T) {
	const paths = 2000
	run := func(second bool, s0 float64) *W7Asian {
		a := NewW7Asian(aad.NewTape(0), second, paths)
		if s0 != 100 {
			// Re-record the set-up with a moved spot.
			a.tp.Reset()
			a.tp.Vars(a.in[:], s0, 0.2, 0.05, 0.02)
			dt := 1.0 / 252
			a.drift = a.tp.MulConst(a.tp.Sub(a.tp.Sub(a.in[2], a.in[3]), a.tp.MulConst(a.tp.Square(a.in[1]), 0.5)), dt)
			a.volDt = a.tp.MulConst(a.in[1], math.Sqrt(dt))
			a.df = a.tp.Exp(a.tp.MulConst(a.in[2], -1))
			a.mark = a.tp.Mark()
		}
		for b := 0; b < paths; b += 500 {
			a.Run(uint64(b), 500)
		}
		a.Finish()
		return a
	}
	g, h := run(false, 100), run(true, 100)
	testutil.Near(t, h.pv, g.pv, 0, 0, "pv")
	for i := range g.Grad {
		testutil.Near(t, h.Grad[i], g.Grad[i], 1e-12, 1e-12, "gradient %d", i)
	}
	// A step small enough that no path's average crosses the strike
	// between S0 − d and S0 + d: a crossing puts the kink's jump of the
	// delta, 1/(2d·paths), into the difference (at d = 1e-3 one path of
	// 2,000 did). The gradients' rounding, ε·|grad|/d, stays far below
	// the tolerance.
	const d = 1e-5
	up, dn := run(false, 100+d), run(false, 100-d)
	for i := range g.Grad {
		fd := (up.Grad[i] - dn.Grad[i]) / (2 * d)
		testutil.Near(t, h.HV[i], fd, 1e-4, 1e-6, "∂²/∂S0∂x%d against differences of gradients", i)
	}
	// The payoff is piecewise linear in S0 (each fixing is S0 times a
	// factor), so the pathwise gamma is 0, but the cross derivatives are
	// not: ∂²/∂S0∂σ moves delta with the vol.
	if h.HV[1] == 0 {
		t.Errorf("∂²/∂S0∂σ: got 0, want it nonzero")
	}
}
