package benchmarks

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// analyticGreeks are the textbook Black–Scholes–Merton call Greeks.
func analyticGreeks(o Option) Greeks {
	sq := math.Sqrt(o.Expiry)
	sd := o.Vol * sq
	d1 := (math.Log(o.Spot/o.Strike)+(o.Rate-o.Div)*o.Expiry)/sd + 0.5*sd
	d2 := d1 - sd
	eq, er := math.Exp(-o.Div*o.Expiry), math.Exp(-o.Rate*o.Expiry)
	n1, n2 := aad.NormCDF(d1), aad.NormCDF(d2)
	dT := o.Spot*eq*aad.NormPDF(d1)*o.Vol/(2*sq) - o.Div*o.Spot*eq*n1 + o.Rate*o.Strike*er*n2
	return Greeks{
		PV:     o.Spot*eq*n1 - o.Strike*er*n2,
		Delta:  eq * n1,
		Vega:   o.Spot * eq * aad.NormPDF(d1) * sq,
		Rho:    o.Strike * o.Expiry * er * n2,
		DivRho: -o.Spot * o.Expiry * eq * n1,
		Theta:  -dT,
	}
}

func TestW1AgreesWithAnalyticAndBump(t *testing.T) {
	opts := W1Options(2000, 3)
	got := make([]Greeks, len(opts))
	bump := make([]Greeks, len(opts))
	plain := make([]float64, len(opts))
	W1AAD(aad.NewTape(0), opts, got)
	W1Bump(opts, bump)
	W1Plain(opts, plain)
	// W1Direct gives the tape's Greeks, with no tape.
	direct := make([]Greeks, len(opts))
	W1Direct(opts, direct)
	for i := range opts {
		require.Equal(t, got[i], direct[i], "option %d", i)
	}
	for i, o := range opts {
		want := analyticGreeks(o)
		g := got[i]
		testutil.Near(t, g.PV, plain[i], 1e-13, 1e-13, "pv")
		testutil.Near(t, g.PV, want.PV, 1e-12, 1e-12, "pv")
		for _, c := range []struct {
			name            string
			aad, ana, bumpd float64
		}{
			{"delta", g.Delta, want.Delta, bump[i].Delta},
			{"vega", g.Vega, want.Vega, bump[i].Vega},
			{"rho", g.Rho, want.Rho, bump[i].Rho},
			{"div_rho", g.DivRho, want.DivRho, bump[i].DivRho},
			{"theta", g.Theta, want.Theta, bump[i].Theta},
		} {
			testutil.Near(t, c.aad, c.ana, 1e-11, 1e-11, c.name+" vs analytic")
			// One-sided bumps of 1e-6 carry an O(h) error.
			testutil.Near(t, c.bumpd, c.aad, 1e-4, 1e-5, c.name+" vs bump")
		}
	}
}

// TestW1SecondAgreesWithAnalytic holds W1Second's first-order figures to
// W1AAD's bit for bit and its gamma, vanna and volga to the textbook
// formulas.
func TestW1SecondAgreesWithAnalytic(t *testing.T) {
	opts := W1Options(2000, 4)
	first := make([]Greeks, len(opts))
	got := make([]SecondGreeks, len(opts))
	W1AAD(aad.NewTape(0), opts, first)
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	W1Second(tp, opts, got)
	for i, o := range opts {
		if got[i].Greeks != first[i] {
			t.Fatalf("option %d: first-order figures %+v, W1AAD's %+v", i, got[i].Greeks, first[i])
		}
		sd := o.Vol * math.Sqrt(o.Expiry)
		d1 := (math.Log(o.Spot/o.Strike)+(o.Rate-o.Div)*o.Expiry)/sd + 0.5*sd
		d2 := d1 - sd
		ep := math.Exp(-o.Div*o.Expiry) * aad.NormPDF(d1)
		// The absolute floors: a few ulps of the terms of d1 and d2.
		testutil.Near(t, got[i].Gamma, ep/(o.Spot*sd), 1e-12, 1e-300, "gamma")
		testutil.Near(t, got[i].Vanna, -ep*d2/o.Vol, 1e-12, 1e-12*ep*(math.Abs(d1)+sd)/o.Vol, "vanna")
		testutil.Near(t, got[i].Volga, o.Spot*ep*math.Sqrt(o.Expiry)*d1*d2/o.Vol, 1e-12, 1e-12*o.Spot*ep*math.Sqrt(o.Expiry)*(d1*d1+sd*sd)/o.Vol, "volga")
	}
}
