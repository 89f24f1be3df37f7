package benchmarks

import (
	"time"

	"github.com/aadrisk/aadrisk/aad"
)

// SecondGreeks of one W1 option: its Greeks and gamma, vanna (∂²/∂S∂σ) and
// volga (∂²/∂σ²).
type SecondGreeks struct {
	Greeks
	Gamma, Vanna, Volga float64
}

// W1Second prices every option of W1 with gamma, vanna and volga on tp, a
// second-order tape: one tangent-over-adjoint recording and sweep along
// the spot gives the price, the first-order sensitivities, gamma and vanna,
// and one along the vol gives volga. It is the cost of W1 with the three
// second-order Greeks added.
func W1Second(tp *aad.Tape, opts []Option, dst []SecondGreeks) {
	var in [5]aad.Number
	var g, hv [5]float64
	for i, o := range opts {
		d := &dst[i]
		for dir := range 2 { // 0: the spot, 1: the vol
			tp.Reset()
			tp.Vars(in[:], o.Spot, o.Vol, o.Rate, o.Div, o.Expiry)
			tp.SetTangent(in[dir], 1)
			pv := BSCall(tp, in[0], o.Strike, in[1], in[2], in[3], in[4])
			tp.HessianVector(g[:], hv[:], pv, in[:])
			if dir == 0 {
				d.PV, d.Delta, d.Vega, d.Rho, d.DivRho, d.Theta = pv.Value(), g[0], g[1], g[2], g[3], -g[4]
				d.Gamma, d.Vanna = hv[0], hv[1]
			} else {
				d.Volga = hv[1]
			}
		}
	}
}

// W1SecondInterleaved runs W1AAD on grad (a first-order tape) and W1Second
// on second (a second-order one) chunk by chunk, alternating which goes
// first, and returns the total time of each: the cost of the second-order
// Greeks over W1 today, measured in one run.
func W1SecondInterleaved(grad, second *aad.Tape, opts []Option, greeks []Greeks, dst []SecondGreeks) (tAAD, tSecond time.Duration) {
	for lo, k := 0, 0; lo < len(opts); lo, k = lo+W1Chunk, k+1 {
		hi := min(lo+W1Chunk, len(opts))
		alternate(k, &tAAD, func() { W1AAD(grad, opts[lo:hi], greeks[lo:hi]) },
			&tSecond, func() { W1Second(second, opts[lo:hi], dst[lo:hi]) })
	}
	return tAAD, tSecond
}
