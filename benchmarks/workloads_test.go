package benchmarks

import (
	"math"
	"testing"

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
