package fastmath

import (
	"math"
	"math/rand/v2"
	"testing"
)

var sink float64

// benchInputs is 1024 independent inputs uniform on [lo, hi).
func benchInputs(lo, hi float64) []float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = lo + (hi-lo)*rng.Float64()
	}
	return xs
}

func bench(b *testing.B, xs []float64, fast, ref func(float64) float64) {
	run := func(f func(float64) float64) func(*testing.B) {
		return func(b *testing.B) {
			s := 0.0
			for i := 0; i < b.N; i++ {
				s += f(xs[i&1023])
			}
			sink = s
		}
	}
	b.Run("fastmath", run(fast))
	b.Run("math", run(ref))
}

func BenchmarkExp(b *testing.B) {
	bench(b, benchInputs(-50, 50), Exp, math.Exp)
}

func BenchmarkLog(b *testing.B) {
	xs := benchInputs(-3, 3)
	for i := range xs {
		xs[i] = math.Pow(10, xs[i]) // log-uniform on [1e-3, 1e3]
	}
	bench(b, xs, Log, math.Log)
}

func BenchmarkErfc(b *testing.B) {
	bench(b, benchInputs(-6, 6), Erfc, math.Erfc)
}

func BenchmarkNormCDF(b *testing.B) {
	bench(b, benchInputs(-8, 8), NormCDF, func(x float64) float64 {
		return 0.5 * math.Erfc(-x/math.Sqrt2)
	})
}

func BenchmarkNormPDF(b *testing.B) {
	bench(b, benchInputs(-8, 8), NormPDF, func(x float64) float64 {
		return math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi)
	})
}
