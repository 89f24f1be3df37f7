package montecarlo

import (
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// normalCDF is Φ.
func normalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// normalQuantile is Φ⁻¹(p) by bisection on Φ, to the last bit.
func normalQuantile(p float64) float64 {
	lo, hi := -40.0, 40.0
	for range 200 {
		mid := 0.5 * (lo + hi)
		if mid == lo || mid == hi {
			break
		}
		if normalCDF(mid) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return 0.5 * (lo + hi)
}

// TestNormalMoments checks the mean, variance, skewness and excess kurtosis
// of 10 million draws against 0, 1, 0, 0 within 5 standard errors (√(1/n),
// √(2/n), √(6/n), √(24/n) for normal samples).
func TestNormalMoments(t *testing.T) {
	const n = 10_000_000
	pcg := rand.NewPCG(11, 12)
	var s1, s2, s3, s4 float64
	for range n {
		z := Normal(pcg)
		z2 := z * z
		s1 += z
		s2 += z2
		s3 += z2 * z
		s4 += z2 * z2
	}
	m := s1 / n
	m2 := s2/n - m*m
	m3 := s3/n - 3*m*s2/n + 2*m*m*m
	m4 := s4/n - 4*m*s3/n + 6*m*m*s2/n - 3*m*m*m*m
	skew := m3 / math.Pow(m2, 1.5)
	kurt := m4/(m2*m2) - 3
	for _, c := range []struct {
		name      string
		got, want float64
		se        float64
	}{
		{"mean", m, 0, math.Sqrt(1.0 / n)},
		{"variance", m2, 1, math.Sqrt(2.0 / n)},
		{"skewness", skew, 0, math.Sqrt(6.0 / n)},
		{"excess kurtosis", kurt, 0, math.Sqrt(24.0 / n)},
	} {
		z := (c.got - c.want) / c.se
		t.Logf("%-15s %+.6f (%+.2f standard errors)", c.name, c.got, z)
		assert.Less(t, math.Abs(z), 5.0, c.name)
	}
}

// kolmogorovQ is the Kolmogorov distribution's survival function
// Q(λ) = 2 Σ (−1)^(k−1) exp(−2k²λ²).
func kolmogorovQ(lambda float64) float64 {
	if lambda < 0.2 {
		return 1
	}
	var q float64
	for k := 1; k <= 100; k++ {
		term := math.Exp(-2 * float64(k*k) * lambda * lambda)
		if k%2 == 1 {
			q += term
		} else {
			q -= term
		}
		if term < 1e-18 {
			break
		}
	}
	return math.Min(1, math.Max(0, 2*q))
}

// TestNormalKolmogorovSmirnov runs a Kolmogorov–Smirnov test of 1 million
// draws against Φ at a fixed seed.
func TestNormalKolmogorovSmirnov(t *testing.T) {
	const n = 1_000_000
	pcg := rand.NewPCG(13, 14)
	zs := make([]float64, n)
	for i := range zs {
		zs[i] = Normal(pcg)
	}
	slices.Sort(zs)
	var d float64
	for i, z := range zs {
		f := normalCDF(z)
		d = max(d, float64(i+1)/n-f, f-float64(i)/n)
	}
	sn := math.Sqrt(n)
	p := kolmogorovQ((sn + 0.12 + 0.11/sn) * d)
	t.Logf("KS: D = %.3g, √n·D = %.4f, p = %.4f", d, sn*d, p)
	assert.Greater(t, p, 1e-4)
}

// TestNormalTails checks the frequencies beyond ±3, ±4 and ±5 of 20
// million draws against the exact probabilities within 5 binomial standard
// errors, the largest |z| seen, and the balance of signs.
func TestNormalTails(t *testing.T) {
	const n = 20_000_000
	pcg := rand.NewPCG(15, 16)
	ks := []float64{3, 4, 5}
	above := make([]int, len(ks))
	below := make([]int, len(ks))
	var pos, neg int
	var maxAbs float64
	for range n {
		z := Normal(pcg)
		if z > 0 {
			pos++
		} else if z < 0 {
			neg++
		}
		a := math.Abs(z)
		maxAbs = max(maxAbs, a)
		for i, k := range ks {
			if a > k {
				if z > 0 {
					above[i]++
				} else {
					below[i]++
				}
			}
		}
	}
	for i, k := range ks {
		p := 0.5 * math.Erfc(k/math.Sqrt2)
		mean := n * p
		se := math.Sqrt(n * p * (1 - p))
		t.Logf("beyond +%g: %d, beyond −%g: %d, expected %.1f ± %.1f", k, above[i], k, below[i], mean, se)
		assert.Less(t, math.Abs(float64(above[i])-mean), 5*se, "beyond +%g", k)
		assert.Less(t, math.Abs(float64(below[i])-mean), 5*se, "beyond −%g", k)
		// Both sides together, a binomial with 2p.
		se2 := math.Sqrt(n * 2 * p * (1 - 2*p))
		assert.Less(t, math.Abs(float64(above[i]+below[i])-2*mean), 5*se2, "beyond ±%g", k)
	}
	// The largest of 2e7 |z|: P(max < 4.5) = (1 − 6.8e-6)^2e7 ≈ e^−136,
	// P(max > 7) ≈ 2e7 · 2.6e-12 = 5e-5.
	t.Logf("max |z| = %.4f; %d positive, %d negative", maxAbs, pos, neg)
	assert.Greater(t, maxAbs, 4.5)
	assert.Less(t, maxAbs, 7.0)
	assert.Less(t, math.Abs(float64(pos-neg)), 5*math.Sqrt(n), "signs")
}

// TestNormalChiSquare bins 10 million draws into 1,000 equiprobable bins
// cut at Φ⁻¹(k/1000) and checks the chi-square statistic (999 degrees of
// freedom, mean 999, standard deviation √1998 ≈ 44.7) within 5 standard
// deviations; the p-value is by the Wilson–Hilferty approximation.
func TestNormalChiSquare(t *testing.T) {
	const n, bins = 10_000_000, 1000
	edges := make([]float64, bins-1)
	for k := range edges {
		edges[k] = normalQuantile(float64(k+1) / bins)
	}
	counts := make([]int, bins)
	pcg := rand.NewPCG(17, 18)
	for range n {
		counts[sort.SearchFloat64s(edges, Normal(pcg))]++
	}
	const e = float64(n) / bins
	var chi2 float64
	for _, c := range counts {
		d := float64(c) - e
		chi2 += d * d / e
	}
	const df = bins - 1
	wh := (math.Cbrt(chi2/df) - (1 - 2.0/(9*df))) / math.Sqrt(2.0/(9*df))
	p := 0.5 * math.Erfc(wh/math.Sqrt2)
	t.Logf("chi-square %.1f on %d degrees of freedom, p = %.4f", chi2, df, p)
	assert.Less(t, math.Abs(chi2-df), 5*math.Sqrt(2*df))
}

// normalGolden holds the first draws of Normal from rand.NewPCG(1, 2), as
// float64 bit patterns.
var normalGolden = []uint64{
	0xc000a7ad0b399ad3, // -2.081873023696383
	0x3ff08293dff44ea8, // 1.0318793056693867
	0x3ff297be8f4235f9, // 1.1620469661751243
	0xbff158962c069366, // -1.0841275901559242
	0xbfdc488055e26e50, // -0.4419251288142947
	0x3fa7bf503ad183c0, // 0.04638148038862466
	0x3fe9533d8009d763, // 0.7914111614943348
	0xbfe4b990fe1f0fa0, // -0.6476521457011479
}

// normalGoldenHash is the FNV-1a hash of the bits of the first million
// draws from rand.NewPCG(3, 4), which take every path (tail and wedges).
const normalGoldenHash = 0x3496a63f097996a3

func normalHash(pcg *rand.PCG, n int) uint64 {
	h := uint64(14695981039346656037)
	for range n {
		b := math.Float64bits(Normal(pcg))
		for range 8 {
			h ^= b & 0xff
			h *= 1099511628211
			b >>= 8
		}
	}
	return h
}

// TestNormalDeterminism checks that the same seed gives the same draws and
// the same state after them, and that the draws are those of the goldens,
// bit for bit.
func TestNormalDeterminism(t *testing.T) {
	a, b := rand.NewPCG(5, 6), rand.NewPCG(5, 6)
	for i := range 100_000 {
		x, y := Normal(a), Normal(b)
		if math.Float64bits(x) != math.Float64bits(y) {
			t.Fatalf("draw %d: %v and %v", i, x, y)
		}
	}
	require.Equal(t, a.Uint64(), b.Uint64(), "the states after")

	pcg := rand.NewPCG(1, 2)
	got := make([]uint64, len(normalGolden))
	for i := range got {
		got[i] = math.Float64bits(Normal(pcg))
	}
	for i, g := range got {
		t.Logf("draw %d: %#016x (%v)", i, g, math.Float64frombits(g))
	}
	assert.Equal(t, normalGolden, got)
	// Normals draws the same numbers and leaves the same state.
	a, b = rand.NewPCG(3, 4), rand.NewPCG(3, 4)
	z := make([]float64, 100_000)
	Normals(a, z)
	for i, zi := range z {
		if x := Normal(b); math.Float64bits(x) != math.Float64bits(zi) {
			t.Fatalf("Normals, draw %d: %v, Normal %v", i, zi, x)
		}
	}
	require.Equal(t, b.Uint64(), a.Uint64(), "the states after Normals and Normal")

	h := normalHash(rand.NewPCG(3, 4), 1_000_000)
	t.Logf("hash of a million draws: %#016x", h)
	assert.Equal(t, uint64(normalGoldenHash), h)
}

// TestNormalSlowPaths checks the slow paths' exp and log against package
// math (within 4 ulps) and that the tail begins at r.
func TestNormalSlowPaths(t *testing.T) {
	var worstExp, worstLog float64
	for i := 0; i <= 700_000; i++ {
		x := -float64(i) / 1000
		want := math.Exp(x)
		worstExp = max(worstExp, math.Abs(expNeg(x)-want)/want)
	}
	for i := range 7 {
		x := -float64(i) * 0.5 / 7 // and a dense grid near 0
		worstExp = max(worstExp, math.Abs(expNeg(x)-math.Exp(x))/math.Exp(x))
	}
	pcg := rand.NewPCG(7, 8)
	words := []uint64{0, 1, 1<<11 - 1, 1 << 11, math.MaxUint64, math.MaxUint64 - 1<<11}
	for range 1_000_000 {
		words = append(words, pcg.Uint64(), pcg.Uint64()>>uint(pcg.Uint64()%64))
	}
	for _, v := range words {
		u := float64(v>>11+1) * 0x1p-53
		want := math.Log(u)
		got := logUnit(v)
		if want == 0 {
			require.Zero(t, got)
			continue
		}
		worstLog = max(worstLog, math.Abs(got-want)/math.Abs(want))
	}
	t.Logf("worst relative errors: exp %.3g, log %.3g", worstExp, worstLog)
	assert.Less(t, worstExp, 4e-16)
	assert.Less(t, worstLog, 5e-16)

	// The tail: a Kolmogorov–Smirnov test of 200,000 draws beyond r
	// against P(Z ≤ x | Z > r) = 1 − erfc(x/√2)/erfc(r/√2).
	const n = 200_000
	src := rand.NewPCG(9, 10)
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = normalTail(src)
		require.GreaterOrEqual(t, xs[i], zigR)
	}
	slices.Sort(xs)
	er := math.Erfc(zigR / math.Sqrt2)
	var d float64
	for i, x := range xs {
		f := 1 - math.Erfc(x/math.Sqrt2)/er
		d = max(d, float64(i+1)/n-f, f-float64(i)/n)
	}
	sn := math.Sqrt(n)
	p := kolmogorovQ((sn + 0.12 + 0.11/sn) * d)
	t.Logf("tail beyond r: KS D = %.3g, p = %.4f, largest %.4f", d, p, xs[n-1])
	assert.Greater(t, p, 1e-4)
}

// TestNormalTables checks the generated tables in float64: the layers'
// areas equal v = x₀·f(r), f(xᵢ) is exp(−xᵢ²/2), the bounds k and the
// widths w match the edges, and the edges fall from x₀ to x₂₅₆ = 0.
func TestNormalTables(t *testing.T) {
	v := zigX[0] * zigF[1]
	require.Equal(t, zigR, zigX[1])
	require.Zero(t, zigX[256])
	require.Equal(t, 1.0, zigF[256])
	require.Zero(t, zigFast[255].k, "the top layer is all wedge")
	var fast float64
	for i := range 256 {
		require.Less(t, zigX[i+1], zigX[i], "layer %d", i)
		assert.Equal(t, zigX[i]*0x1p-53, zigFast[i].w, "layer %d", i)
		ratio := zigX[i+1] / zigX[i]
		if i == 0 {
			ratio = zigR / zigX[0]
		}
		assert.InDelta(t, ratio, float64(zigFast[i].k)*0x1p-53, 1e-15, "layer %d", i)
		fast += float64(zigFast[i].k) * 0x1p-53 / 256
		if i > 0 {
			assert.InEpsilon(t, math.Exp(-zigX[i]*zigX[i]/2), zigF[i], 1e-15, "layer %d", i)
			assert.InEpsilon(t, v, zigX[i]*(zigF[i+1]-zigF[i]), 1e-13, "layer %d", i)
		}
	}
	// v is r·f(r) plus the tail beyond r, √(π/2)·erfc(r/√2).
	assert.InEpsilon(t, zigR*zigF[1]+math.Sqrt(math.Pi/2)*math.Erfc(zigR/math.Sqrt2), v, 1e-14)
	t.Logf("r = %v, v = %v, fast path %.5f", zigR, v, fast)
}

// TestNormalWedges checks each layer's wedge test: over 4,000 points of the
// wedge of layer i, the number accepted against the sum of the exact
// probabilities (f(x) − f(xᵢ))/(f(xᵢ₊₁) − f(xᵢ)), within 5 standard
// deviations.
func TestNormalWedges(t *testing.T) {
	pcg := rand.NewPCG(19, 20)
	rng := rand.New(rand.NewPCG(21, 22))
	var worst float64
	for i := 1; i < 256; i++ {
		var acc int
		var mean, variance float64
		k := zigFast[i].k
		for range 4000 {
			j := k + rng.Uint64N(1<<53-k)
			x := float64(j) * zigFast[i].w
			p := (math.Exp(-x*x/2) - zigF[i]) / (zigF[i+1] - zigF[i])
			mean += p
			variance += p * (1 - p)
			if zigWedge(i, x, pcg.Uint64()) {
				acc++
			}
		}
		d := (float64(acc) - mean) / math.Sqrt(variance)
		worst = max(worst, math.Abs(d))
		assert.Less(t, math.Abs(d), 5.0, "layer %d: %d accepted, %.1f expected", i, acc, mean)
	}
	t.Logf("worst layer %.2f standard deviations", worst)
}

// TestNormalAllocs checks that a draw does not allocate.
func TestNormalAllocs(t *testing.T) {
	pcg := rand.NewPCG(1, 2)
	var sink float64
	allocs := testing.AllocsPerRun(10_000, func() { sink += Normal(pcg) })
	assert.Zero(t, allocs)
	z := make([]float64, 1000)
	allocs = testing.AllocsPerRun(100, func() { Normals(pcg, z) })
	assert.Zero(t, allocs, "Normals")
	_ = sink
}

var normalSink float64

// BenchmarkNormal times a draw: Normal, and Normals filling a slice,
// against math/rand/v2's NormFloat64 on the same PCG.
func BenchmarkNormal(b *testing.B) {
	b.Run("ziggurat", func(b *testing.B) {
		pcg := rand.NewPCG(1, 2)
		var s float64
		for b.Loop() {
			s += Normal(pcg)
		}
		normalSink = s
	})
	b.Run("ziggurat-fill", func(b *testing.B) {
		// Normals into a slice of 1,024: ns/op is for 1,024 draws.
		pcg := rand.NewPCG(1, 2)
		z := make([]float64, 1024)
		for b.Loop() {
			Normals(pcg, z)
		}
		normalSink = z[0]
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1024, "ns/draw")
	})
	b.Run("math-rand", func(b *testing.B) {
		pcg := rand.NewPCG(1, 2)
		rng := rand.New(pcg)
		var s float64
		for b.Loop() {
			s += rng.NormFloat64()
		}
		normalSink = s
	})
}
