package montecarlo

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dirNumbers returns the 32 direction numbers of dimension j (0-based).
func dirNumbers(tab *sobolTable, j int) []uint32 {
	v := make([]uint32, sobolBits)
	for k := range v {
		v[k] = tab.dir[k*MaxSobolDims+j]
	}
	return v
}

// polyOrder returns the multiplicative order of x modulo p (degree d), by
// stepping through the powers, or 0 if x^k never returns to 1 within 2^d
// steps (p(0) = 0).
func polyOrder(p uint32, d int) int {
	x := uint32(1)
	for k := 1; k <= 1<<d; k++ {
		x <<= 1
		if x>>d&1 != 0 {
			x ^= p
		}
		if x == 1 {
			return k
		}
	}
	return 0
}

func eulerPhi(n uint64) uint64 {
	r := n
	for _, f := range primeFactors(n) {
		r = r / f * (f - 1)
	}
	return r
}

func TestPrimitivePolys(t *testing.T) {
	const maxDeg = 16
	all := primitivePolys(1 << 13) // beyond degree 16
	count := make(map[int]int)
	prev := uint32(0)
	for _, p := range all {
		require.Greater(t, p, prev, "increasing order")
		prev = p
		count[bits.Len32(p)-1]++
	}
	// There are φ(2^d − 1)/d primitive polynomials of degree d.
	for d := 1; d <= maxDeg; d++ {
		assert.Equal(t, int(eulerPhi(1<<d-1))/d, count[d], "degree %d", d)
	}
	// The start of the usual list (Joe and Kuo's order).
	assert.Equal(t, []uint32{
		0b11, 0b111, 0b1011, 0b1101, 0b10011, 0b11001,
		0b100101, 0b101001, 0b101111, 0b110111, 0b111011, 0b111101,
	}, all[:12])
	// Brute force for the low degrees: primitive if and only if x has
	// order 2^d − 1.
	k := 0
	for d := 1; d <= 10; d++ {
		for p := uint32(1)<<d | 1; p < 1<<(d+1); p += 2 {
			if polyOrder(p, d) == 1<<d-1 {
				require.Equal(t, p, all[k])
				k++
			}
		}
	}
	assert.Equal(t, 1+1+2+2+6+6+18+16+48+60, k)
	// MaxSobolDims − 1 polynomials reach degree 16.
	assert.Equal(t, 16, bits.Len32(sobolDirections().poly[MaxSobolDims-1])-1)
}

// TestSobolDirectionNumbers checks every dimension's direction numbers: m_k
// odd and below 2^k, and the recurrence of its polynomial, here in its form
// on v_k = m_k/2^k,
//
//	v_k = a_1 v_(k−1) ⊕ … ⊕ a_(s−1) v_(k−s+1) ⊕ v_(k−s) ⊕ v_(k−s)/2^s.
func TestSobolDirectionNumbers(t *testing.T) {
	tab := sobolDirections()
	for j := range MaxSobolDims {
		v := dirNumbers(tab, j)
		for k, vk := range v {
			// m_(k+1) odd and below 2^(k+1): the lowest set bit of v_(k+1)
			// is bit 31−k.
			require.Equal(t, sobolBits-1-k, bits.TrailingZeros32(vk), "dim %d, v_%d", j+1, k+1)
		}
		if j == 0 {
			for k, vk := range v {
				require.Equal(t, uint32(1)<<(31-k), vk, "van der Corput")
			}
			continue
		}
		p := tab.poly[j]
		s := bits.Len32(p) - 1
		for k := s; k < sobolBits; k++ {
			x := v[k-s] ^ v[k-s]>>s
			for i := 1; i < s; i++ {
				if p>>(s-i)&1 != 0 {
					x ^= v[k-i]
				}
			}
			require.Equal(t, x, v[k], "dim %d, v_%d", j+1, k+1)
		}
	}
	// Dimension 2, x + 1, is determined: m_k is (x+1)^(k−1) read in
	// binary, 1, 3, 5, 15, 17, 51, …
	m := uint64(1)
	for k, vk := range dirNumbers(tab, 1) {
		require.Equal(t, uint32(m<<(31-k)), vk)
		m ^= m << 1
	}
	// Dimension 3, x² + x + 1: the search picks m = (1, 3), as in Joe and
	// Kuo's table; m = (1, 1) would repeat dimension 1 for 4 points.
	assert.Equal(t, uint32(3)<<30, dirNumbers(tab, 2)[1])
}

func TestSobolFirstPoints(t *testing.T) {
	// The Sobol' points 0–7 in Gray-code order in dimensions 1–3.
	want := [][3]float64{
		{0, 0, 0},
		{0.5, 0.5, 0.5},
		{0.75, 0.25, 0.25},
		{0.25, 0.75, 0.75},
		{0.375, 0.375, 0.625},
		{0.875, 0.875, 0.125},
		{0.625, 0.125, 0.875},
		{0.125, 0.625, 0.375},
	}
	s, err := NewSobol(3)
	require.NoError(t, err)
	x := make([]float64, 3)
	for i, w := range want {
		s.Next(x)
		for j := range w {
			// Each coordinate is the midpoint of its 2^-32 cell.
			assert.InDelta(t, w[j]+0x1p-33, x[j], 1e-15, "point %d, dim %d", i, j+1)
		}
	}
	// Dimension 1 is the van der Corput sequence in Gray-code order,
	// further on too.
	s1, err := NewSobol(1)
	require.NoError(t, err)
	for i := range uint32(1 << 12) {
		s1.Next(x)
		g := i ^ i>>1
		assert.InDelta(t, float64(bits.Reverse32(g))/(1<<32), x[0], 1e-9)
	}
}

// TestSobolStratification checks the defining property of a Sobol'
// sequence, (0,m,1)-nets in one dimension: in every dimension up to
// MaxSobolDims, the first 2^k points put exactly one point in each of the
// intervals [i/2^k, (i+1)/2^k), for k up to 10. A random digital shift
// keeps the property.
func TestSobolStratification(t *testing.T) {
	const K = 10
	check := func(t *testing.T, rng *rand.Rand) {
		s, err := NewSobol(MaxSobolDims)
		require.NoError(t, err)
		s.Reset(rng)
		cells := make([][]uint16, 1<<K) // cells[n][j] = ⌊2^K·x_j⌋ of point n
		x := make([]float64, MaxSobolDims)
		for n := range cells {
			s.Next(x)
			cells[n] = make([]uint16, MaxSobolDims)
			for j, u := range x {
				if !(u > 0 && u < 1) {
					t.Fatalf("point %d, dim %d: %v", n, j+1, u)
				}
				cells[n][j] = uint16(u * (1 << K))
			}
		}
		var seen [1 << K]bool
		for j := range MaxSobolDims {
			for k := range K + 1 {
				clear(seen[:1<<k])
				for n := range 1 << k {
					c := cells[n][j] >> (K - k)
					if seen[c] {
						t.Fatalf("dim %d: the first 2^%d points put two in interval %d", j+1, k, c)
					}
					seen[c] = true
				}
			}
		}
	}
	t.Run("unshifted", func(t *testing.T) { check(t, nil) })
	t.Run("shifted", func(t *testing.T) { check(t, rand.New(rand.NewPCG(1, 2))) })
}

// netTValue returns, by brute force, the t-value of the first 2^m points
// of dimensions a and b (0-based): the smallest t such that every
// elementary interval of area 2^(t−m) holds 2^t points.
func netTValue(tab *sobolTable, a, b, m int) int {
	va, vb := dirNumbers(tab, a), dirNumbers(tab, b)
	xa, xb := make([]uint32, 1<<m), make([]uint32, 1<<m)
	for i := range 1 << m {
		for k := range m {
			if i>>k&1 != 0 {
				xa[i] ^= va[k]
				xb[i] ^= vb[k]
			}
		}
	}
	counts := make([]int, 1<<m)
	for q := m; q > 0; q-- {
		ok := true
		for d1 := 0; d1 <= q && ok; d1++ {
			d2 := q - d1
			clear(counts[:1<<q])
			for i := range xa {
				c := uint64(xa[i])>>(32-d1)<<d2 | uint64(xb[i])>>(32-d2)
				counts[c]++
			}
			for _, c := range counts[:1<<q] {
				if c != 1<<(m-q) {
					ok = false
					break
				}
			}
		}
		if ok {
			return m - q
		}
	}
	return m
}

// TestSobolPairTValues checks the t-values the search computes from the
// generator matrices against counting points in elementary intervals.
func TestSobolPairTValues(t *testing.T) {
	tab := sobolDirections()
	pairs := [][2]int{{0, 1}, {0, 2}, {1, 2}, {2, 3}, {3, 4}, {5, 9}, {30, 31}, {100, 101}, {1000, 1001}, {4000, 4095}}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 10 {
		a := rng.IntN(MaxSobolDims)
		pairs = append(pairs, [2]int{a, rng.IntN(MaxSobolDims)})
	}
	for _, pr := range pairs {
		var ga, gb sobolGen
		ga.init(dirNumbers(tab, pr[0])[:sobolMaxQualBits])
		gb.init(dirNumbers(tab, pr[1])[:sobolMaxQualBits])
		const n = 11
		var tv [n]int8
		pairTValues(&ga, &gb, n, tv[:])
		for m := 1; m <= n; m++ {
			require.Equal(t, netTValue(tab, pr[0], pr[1], m), int(tv[m-1]), "dims %d, %d, m = %d", pr[0]+1, pr[1]+1, m)
		}
	}
	// Dimensions 1 and 2 form a (0,2)-sequence: every net is perfect.
	for m := 1; m <= 14; m++ {
		assert.Zero(t, netTValue(tab, 0, 1, m), "m = %d", m)
	}
}

// TestSobolSearch checks that choosing among candidates pays: the
// two-dimensional projections of neighbouring dimensions have smaller
// t-values than with the first candidate alone.
func TestSobolSearch(t *testing.T) {
	plain := buildSobolTable(func(int) (int, int, int) { return 1, 0, 0 })
	tab := sobolDirections()
	meanT := func(tab *sobolTable, lo, hi, w, m int) float64 {
		sum, n := 0, 0
		var ga, gb sobolGen
		tv := make([]int8, m)
		for b := lo; b < hi; b++ {
			gb.init(dirNumbers(tab, b)[:sobolMaxQualBits])
			for a := max(0, b-w); a < b; a++ {
				ga.init(dirNumbers(tab, a)[:sobolMaxQualBits])
				pairTValues(&ga, &gb, m, tv)
				sum += int(tv[m-1])
				n++
			}
		}
		return float64(sum) / float64(n)
	}
	for _, c := range []struct{ lo, hi, w, m int }{{3, 32, 8, 12}, {32, 256, 4, 12}, {256, 1024, 2, 10}} {
		got, base := meanT(tab, c.lo, c.hi, c.w, c.m), meanT(plain, c.lo, c.hi, c.w, c.m)
		t.Logf("dims %d–%d, %d preceding: mean t of 2^%d points %.2f (first candidate only: %.2f)", c.lo+1, c.hi, c.w, c.m, got, base)
		assert.Less(t, got, base)
	}
}

// TestSobolIntegration checks that randomised QMC converges much faster than
// Monte Carlo on smooth integrands with decaying weights: the product
// f(x) = Π (1 + c_i (x_i − 1/2)), whose integral is 1 and variance
// Π (1 + c_i²/12) − 1. The error is the root mean square over 16 random
// shifts; Monte Carlo's is the exact σ/√N.
func TestSobolIntegration(t *testing.T) {
	for _, c := range []struct {
		dims int
		c    func(i int) float64
		gain float64 // the QMC error at 2^14 points must be below MC's / gain
	}{
		{100, func(i int) float64 { return 1 / float64(i*i) }, 30},
		{100, func(i int) float64 { return 1 / float64(i) }, 15},
		{20, func(i int) float64 { return 1 / float64(i) }, 15},
	} {
		coef := make([]float64, c.dims)
		variance := 1.0
		for i := range coef {
			coef[i] = c.c(i + 1)
			variance *= 1 + coef[i]*coef[i]/12
		}
		variance--
		f := func(x []float64) float64 {
			y := 1.0
			for i, xi := range x {
				y *= 1 + coef[i]*(xi-0.5)
			}
			return y
		}
		s, err := NewSobol(c.dims)
		require.NoError(t, err)
		x := make([]float64, c.dims)
		rng := rand.New(rand.NewPCG(5, 6))
		const reps = 16
		var rmse [2]float64
		for l, logN := range []int{10, 14} {
			n := 1 << logN
			mse := 0.0
			for range reps {
				s.Reset(rng)
				sum := 0.0
				for range n {
					s.Next(x)
					sum += f(x)
				}
				mse += (sum/float64(n) - 1) * (sum/float64(n) - 1)
			}
			rmse[l] = math.Sqrt(mse / reps)
			mc := math.Sqrt(variance / float64(n))
			t.Logf("%d dims, c_%d = %.3g, 2^%d points: RQMC error %.2e, MC error %.2e (%.0f×)",
				c.dims, c.dims, coef[c.dims-1], logN, rmse[l], mc, mc/rmse[l])
			if logN == 14 {
				assert.Less(t, rmse[l]*c.gain, mc)
			}
		}
		// 16 times the points: Monte Carlo's error falls 4 times, QMC's
		// nearly 16 times, at the rate 1/N.
		assert.Greater(t, rmse[0]/rmse[1], 8.0)
	}
}

func TestSobolUnitInterval(t *testing.T) {
	const dims = 64
	s, err := NewSobol(dims)
	require.NoError(t, err)
	x := make([]float64, dims)
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20 {
		s.Reset(rng)
		for range 1000 {
			s.Next(x)
			for _, u := range x {
				require.True(t, u > 0 && u < 1, "%v", u)
			}
		}
	}
	// The extremes: shifts of all zeros and all ones at point 0.
	s.Reset(nil)
	s.Next(x)
	assert.Equal(t, 0x1p-33, x[0])
	s.Reset(nil)
	for j := range s.shift {
		s.shift[j] = math.MaxUint32
	}
	s.Next(x)
	assert.Equal(t, 1-0x1p-33, x[0])
	assert.Less(t, x[0], 1.0)
}

// TestSobolShift checks that a shifted point is the unshifted point XOR the
// shift.
func TestSobolShift(t *testing.T) {
	const dims = 300
	a, err := NewSobol(dims)
	require.NoError(t, err)
	b, err := NewSobol(dims)
	require.NoError(t, err)
	b.Reset(rand.New(rand.NewPCG(9, 10)))
	xa, xb := make([]float64, dims), make([]float64, dims)
	for range 100 {
		a.Next(xa)
		b.Next(xb)
		for j := range xa {
			ya, yb := uint32(xa[j]*(1<<32)), uint32(xb[j]*(1<<32))
			require.Equal(t, ya^b.shift[j], yb)
		}
	}
}

func TestSobolReset(t *testing.T) {
	const dims = 200
	s, err := NewSobol(dims)
	require.NoError(t, err)
	stream := func(rng *rand.Rand) []float64 {
		s.Reset(rng)
		out := make([]float64, 0, 50*dims)
		x := make([]float64, dims)
		for range 50 {
			s.Next(x)
			out = append(out, x...)
		}
		return out
	}
	fresh, err := NewSobol(dims)
	require.NoError(t, err)
	x := make([]float64, dims)
	fresh.Next(x)

	plain := stream(nil)
	assert.Equal(t, x, plain[:dims], "a new Sobol is at point 0, unshifted")
	assert.Equal(t, plain, stream(nil))
	a := stream(rand.New(rand.NewPCG(11, 12)))
	assert.Equal(t, a, stream(rand.New(rand.NewPCG(11, 12))))
	assert.NotEqual(t, a, stream(rand.New(rand.NewPCG(11, 13))))
	assert.NotEqual(t, a, plain)
}

func TestSobolNextNormals(t *testing.T) {
	const dims = 50
	a, err := NewSobol(dims)
	require.NoError(t, err)
	b, err := NewSobol(dims)
	require.NoError(t, err)
	a.Reset(rand.New(rand.NewPCG(13, 14)))
	b.Reset(rand.New(rand.NewPCG(13, 14)))
	u, z := make([]float64, dims), make([]float64, dims)
	for range 1000 {
		a.Next(u)
		b.NextNormals(z)
		for j := range u {
			require.Equal(t, InvNormCDF(u[j]), z[j])
			require.Less(t, math.Abs(z[j]), 6.4)
		}
	}
}

func TestNewSobolErrors(t *testing.T) {
	for _, d := range []int{0, -1, MaxSobolDims + 1} {
		_, err := NewSobol(d)
		assert.Error(t, err, "dims %d", d)
	}
	s, err := NewSobol(MaxSobolDims)
	require.NoError(t, err)
	assert.Equal(t, MaxSobolDims, s.Dims())
}

func TestSobolPanics(t *testing.T) {
	s, err := NewSobol(3)
	require.NoError(t, err)
	assert.PanicsWithValue(t, "montecarlo: Sobol.Next: dst has length 2, want at least 3", func() { s.Next(make([]float64, 2)) })
	assert.Panics(t, func() { s.NextNormals(nil) })
	// The last of the 2^32 points, then exhaustion. Point 2^32 − 1 has
	// Gray code 2^31: its coordinates are the last direction numbers.
	s.n = 1<<32 - 1
	tab := sobolDirections()
	for j := range s.x {
		s.x[j] = tab.dir[31*MaxSobolDims+j]
	}
	x := make([]float64, 3)
	s.Next(x)
	assert.Equal(t, 1.5*0x1p-32, x[0]) // v_32 of dimension 1 is 2^-32
	assert.PanicsWithValue(t, "montecarlo: Sobol.Next: all 2^32 points of the sequence used", func() { s.Next(x) })
}

func TestSobolAllocs(t *testing.T) {
	s, err := NewSobol(1500)
	require.NoError(t, err)
	x := make([]float64, 1500)
	rng := rand.New(rand.NewPCG(15, 16))
	assert.Zero(t, testing.AllocsPerRun(100, func() { s.Next(x) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { s.NextNormals(x) }))
	assert.Zero(t, testing.AllocsPerRun(100, func() { s.Reset(rng) }))
}

// TestSobolTable checks that the table is a fixed function of the code and
// logs how long it takes to build.
func TestSobolTable(t *testing.T) {
	t0 := time.Now()
	a := buildSobolTable(sobolEffort)
	t.Logf("table of %d dimensions built in %v", MaxSobolDims, time.Since(t0))
	b := sobolDirections()
	assert.Equal(t, a.dir, b.dir)
	assert.Equal(t, a.poly, b.poly)
}

func BenchmarkSobolNext(b *testing.B) {
	for _, dims := range []int{256, 1500} {
		b.Run(fmt.Sprint(dims), func(b *testing.B) {
			s, err := NewSobol(dims)
			require.NoError(b, err)
			s.Reset(rand.New(rand.NewPCG(1, 2)))
			x := make([]float64, dims)
			for b.Loop() {
				s.Next(x)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(dims), "ns/coord")
		})
	}
}

func BenchmarkSobolNextNormals(b *testing.B) {
	for _, dims := range []int{256, 1500} {
		b.Run(fmt.Sprint(dims), func(b *testing.B) {
			s, err := NewSobol(dims)
			require.NoError(b, err)
			s.Reset(rand.New(rand.NewPCG(1, 2)))
			x := make([]float64, dims)
			for b.Loop() {
				s.NextNormals(x)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(dims), "ns/coord")
		})
	}
}

func BenchmarkSobolTable(b *testing.B) {
	for b.Loop() {
		buildSobolTable(sobolEffort)
	}
}

func BenchmarkPrimitivePolys(b *testing.B) {
	for b.Loop() {
		primitivePolys(MaxSobolDims - 1)
	}
}
