package closedform

import (
	"testing"

	"github.com/aadrisk/aadrisk/aad"
)

// hestonBenchInputs returns n sets of S, K, T, R, Q over the ranges of
// workload W1, with Heston parameters around them: V0 and Theta the squared
// volatility of the set, Kappa 2, Sigma 0.6, Rho −0.7.
func hestonBenchInputs(n int) [][10]float64 {
	xs := make([][10]float64, n)
	for i, b := range benchInputs(n) {
		v := b[5] * b[5]
		xs[i] = [10]float64{b[0], b[1], b[2], b[3], b[4], v, 2, v, 0.6, -0.7}
	}
	return xs
}

// BenchmarkHestonEuropean: a European call under Heston with all ten
// sensitivities (record one statement and sweep) against the price alone
// on a nil tape.
func BenchmarkHestonEuropean(b *testing.B) {
	xs := hestonBenchInputs(1024)
	f := hestonPricer(true)
	b.Run("aad", func(b *testing.B) {
		tp := aad.NewTape(64)
		var in [10]aad.Number
		var g [10]float64
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			x := &xs[i&1023]
			i++
			tp.Reset()
			for j, v := range x {
				in[j] = tp.Var(v)
			}
			y, err := f(tp, in[:])
			if err != nil {
				b.Fatal(err)
			}
			tp.Gradient(g[:], y, in[:])
			sink += g[0]
		}
	})
	b.Run("nil-tape", func(b *testing.B) {
		var in [10]aad.Number
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			x := &xs[i&1023]
			i++
			for j, v := range x {
				in[j] = aad.Const(v)
			}
			y, err := f(nil, in[:])
			if err != nil {
				b.Fatal(err)
			}
			sink += y.Value()
		}
	})
}
