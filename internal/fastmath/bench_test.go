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

// Each sub-benchmark calls its function directly, as a pricer would,
// on 1024 independent inputs, summing into a sink.

func BenchmarkExp(b *testing.B) {
	xs := benchInputs(-50, 50)
	b.Run("fastmath", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += Exp(xs[i&1023])
		}
		sink = s
	})
	b.Run("math", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += math.Exp(xs[i&1023])
		}
		sink = s
	})
}

func BenchmarkLog(b *testing.B) {
	xs := benchInputs(-3, 3)
	for i := range xs {
		xs[i] = math.Pow(10, xs[i]) // log-uniform on [1e-3, 1e3]
	}
	b.Run("fastmath", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += Log(xs[i&1023])
		}
		sink = s
	})
	b.Run("math", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += math.Log(xs[i&1023])
		}
		sink = s
	})
}

func BenchmarkErfc(b *testing.B) {
	xs := benchInputs(-6, 6)
	b.Run("fastmath", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += Erfc(xs[i&1023])
		}
		sink = s
	})
	b.Run("math", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += math.Erfc(xs[i&1023])
		}
		sink = s
	})
}

func BenchmarkNormCDF(b *testing.B) {
	xs := benchInputs(-8, 8)
	b.Run("fastmath", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += NormCDF(xs[i&1023])
		}
		sink = s
	})
	b.Run("math", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += 0.5 * math.Erfc(-xs[i&1023]/math.Sqrt2)
		}
		sink = s
	})
}

func BenchmarkNormPDF(b *testing.B) {
	xs := benchInputs(-8, 8)
	b.Run("fastmath", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			s += NormPDF(xs[i&1023])
		}
		sink = s
	})
	b.Run("math", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			x := xs[i&1023]
			s += math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi)
		}
		sink = s
	})
}
