package reports

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refSum is the exact sum rounded to nearest even, by math/big with enough
// precision to hold any sum of float64s exactly.
func refSum(xs []float64) float64 {
	acc := new(big.Float).SetPrec(4096)
	for _, x := range xs {
		acc.Add(acc, big.NewFloat(x))
	}
	v, _ := acc.Float64()
	if v == 0 {
		return 0
	}
	return v
}

func sumOf(xs []float64) float64 {
	var s exactSum
	for _, x := range xs {
		s.add(x)
	}
	return s.value()
}

func TestExactSumCases(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		want float64
	}{
		{"empty", nil, 0},
		{"one", []float64{0.1}, 0.1},
		{"negative one", []float64{-12.5}, -12.5},
		{"zeros", []float64{0, math.Copysign(0, -1)}, 0},
		{"negative zero alone", []float64{math.Copysign(0, -1)}, 0},
		{"cancellation", []float64{1e16, 1, -1e16}, 1},
		{"exact cancellation", []float64{0.1, 0.2, -0.1, -0.2}, 0},
		{"tiny survives", []float64{1e300, 1e-300, -1e300}, 1e-300},
		{"subnormals", []float64{5e-324, 5e-324, 5e-324}, 1.5e-323},
		{"tie to even", []float64{1, math.Ldexp(1, -53)}, 1},
		{"tie to even up", []float64{math.Nextafter(1, 2), math.Ldexp(1, -53)}, math.Nextafter(math.Nextafter(1, 2), 2)},
		{"max", []float64{math.MaxFloat64, -math.MaxFloat64, math.MaxFloat64}, math.MaxFloat64},
		{"overflow", []float64{math.MaxFloat64, math.MaxFloat64}, math.Inf(1)},
		{"negative overflow", []float64{-math.MaxFloat64, -math.MaxFloat64}, math.Inf(-1)},
		{"ten tenths", []float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sumOf(tt.xs)
			assert.Equal(t, math.Float64bits(tt.want), math.Float64bits(got), "got %v, want %v", got, tt.want)
		})
	}
}

// randomFloat draws finite float64s over the whole range, both signs,
// including subnormals, and sometimes values of one magnitude.
func randomFloat(rng *rand.Rand) float64 {
	switch rng.IntN(3) {
	case 0:
		for {
			if v := math.Float64frombits(rng.Uint64()); finite(v) {
				return v
			}
		}
	case 1:
		return rng.NormFloat64() * 100
	default:
		return math.Ldexp(rng.Float64()-0.5, rng.IntN(200)-100)
	}
}

func TestExactSumRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		xs := make([]float64, rng.IntN(40))
		for i := range xs {
			xs[i] = randomFloat(rng)
		}
		want := refSum(xs)
		got := sumOf(xs)
		require.Equal(t, math.Float64bits(want), math.Float64bits(got), "sum of %v: got %v, want %v", xs, got, want)

		// The order of the additions does not matter.
		rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
		require.Equal(t, math.Float64bits(want), math.Float64bits(sumOf(xs)), "shuffled sum of %v", xs)
	}
}

// The lazily propagated carries give the same sum as carries propagated
// after every addition, on sums that carry across many limbs.
func TestExactSumNormalize(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	xs := make([]float64, 5000)
	for i := range xs {
		xs[i] = math.Ldexp(1-2*rng.Float64()*0.1, rng.IntN(60)) // mostly positive: long carries
	}
	var eager exactSum
	for _, x := range xs {
		eager.add(x)
		eager.normalize()
	}
	assert.Equal(t, refSum(xs), eager.value())
	assert.Equal(t, refSum(xs), sumOf(xs))
}

func TestExactSumNonFinitePanics(t *testing.T) {
	var s exactSum
	assert.Panics(t, func() { s.add(math.NaN()) })
	assert.Panics(t, func() { s.add(math.Inf(-1)) })
}

func BenchmarkExactSum(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = rng.NormFloat64()
	}
	var s exactSum
	b.ReportAllocs()
	for b.Loop() {
		for _, x := range xs {
			s.add(x)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/add")
}

// TestTradeSumLargest keeps the three largest terms in magnitude, in
// order, with their trades, leaving out zeros.
func TestTradeSumLargest(t *testing.T) {
	var s tradeSum
	for i, x := range []float64{1, -7, 0, 3, 5, -2, 7.5, 0} {
		s.addFrom(string(rune('A'+i)), x)
	}
	assert.Equal(t, `largest terms: trade "G" 7.5, trade "B" -7, trade "E" 5`, s.largest())
	assert.Equal(t, 7.5, s.value())
	var z tradeSum
	z.addFrom("Z", 0)
	assert.Equal(t, "largest terms:", z.largest())
}
