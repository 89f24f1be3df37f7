package closedform

import (
	"testing"

	"github.com/aadrisk/aadrisk/aad"
)

// BenchmarkEuropeanSecondOrder: price, gradient and one Hessian-vector
// product of a European call (record on a second-order tape with one
// tangent seed + HessianVector), against the price and gradient on a
// first-order tape (record + backward, as BenchmarkEuropean/aad), over the
// same inputs.
func BenchmarkEuropeanSecondOrder(b *testing.B) {
	xs := benchInputs(1024)
	run := func(b *testing.B, second bool) {
		tp := aad.NewTape(64)
		tp.SetSecondOrder(second)
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
			if second {
				tp.SetTangent(in[iS], 1) // H·e_S: gamma, vanna and the other cross terms with S
			}
			y := European(tp, Call, params(in[:]))
			if second {
				tp.HessianVector(g[:], hv[:], y, in[:])
				sink += hv[0]
			} else {
				tp.Gradient(g[:], y, in[:])
			}
			sink += g[0]
		}
	}
	b.Run("first-order", func(b *testing.B) { run(b, false) })
	b.Run("second-order", func(b *testing.B) { run(b, true) })
}
