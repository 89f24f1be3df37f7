package fastmath

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
)

// defaultSamples is the number of random points per function; set
// AADRISK_KERNEL_SAMPLES=N for N instead.
const defaultSamples = 30000

func samples(t *testing.T) int {
	s := os.Getenv("AADRISK_KERNEL_SAMPLES")
	if s == "" {
		return defaultSamples
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		t.Fatalf("AADRISK_KERNEL_SAMPLES=%q: want a count", s)
	}
	return n
}

// ulpError is |got - ref| in ulps of the correctly rounded result: the
// ulp is that of the binade of ref, 2^-1074 in the subnormals. An
// infinity is exact when ref rounds to it.
func ulpError(got float64, ref *big.Float) float64 {
	want, _ := ref.Float64()
	if math.IsNaN(got) {
		return math.Inf(1)
	}
	if math.IsInf(got, 0) || math.IsInf(want, 0) {
		if got == want {
			return 0
		}
		return math.Inf(1)
	}
	e := -1074
	if ref.Sign() != 0 {
		e = max(ref.MantExp(nil)-53, -1074)
	}
	d := new(big.Float).SetPrec(refPrec).Sub(bf(got), ref)
	d.Abs(d)
	d.SetMantExp(d, -e)
	v, _ := d.Float64()
	return v
}

type histogram struct {
	n                            int
	exact, half, one, two, above int
	worst                        float64
	worstX, worstGot             float64
}

func (h *histogram) add(x, got float64, ref *big.Float) {
	err := ulpError(got, ref)
	want, _ := ref.Float64()
	h.n++
	switch {
	case got == want:
		h.exact++
	case err <= 0.5:
		h.half++
	case err <= 1:
		h.one++
	case err <= 2:
		h.two++
	default:
		h.above++
	}
	if err > h.worst || h.n == 1 {
		h.worst, h.worstX, h.worstGot = err, x, got
	}
}

func (h *histogram) merge(o *histogram) {
	if o.worst > h.worst || h.n == 0 {
		h.worst, h.worstX, h.worstGot = o.worst, o.worstX, o.worstGot
	}
	h.n += o.n
	h.exact += o.exact
	h.half += o.half
	h.one += o.one
	h.two += o.two
	h.above += o.above
}

func (h *histogram) String() string {
	pc := func(k int) string { return fmt.Sprintf("%d (%.4f%%)", k, 100*float64(k)/float64(h.n)) }
	return fmt.Sprintf("%d points: correctly rounded %s, <=0.5 ulp %s, <=1 %s, <=2 %s, >2 %s; max %.4f ulp at x=%v (%x), got %v",
		h.n, pc(h.exact), pc(h.half), pc(h.one), pc(h.two), pc(h.above), h.worst, h.worstX, math.Float64bits(h.worstX), h.worstGot)
}

// kernel is one function under test with its reference, its bound in
// ulps and how to draw its inputs.
type kernel struct {
	name  string
	f     func(float64) float64
	ref   func(float64) *big.Float
	bound float64
	// ranges: half the points uniform in the bit patterns of
	// [bitsLo, bitsHi] (either sign when signed), half uniform in value
	// over hot, one per point.
	bitsLo, bitsHi float64
	signed         bool
	hot            [][2]float64
	edges          []float64
}

func (k *kernel) draw(rng *rand.Rand) float64 {
	if rng.IntN(2) == 0 {
		lo, hi := math.Float64bits(k.bitsLo), math.Float64bits(k.bitsHi)
		x := math.Float64frombits(lo + rng.Uint64N(hi-lo+1))
		if k.signed && rng.IntN(2) == 0 {
			x = -x
		}
		return x
	}
	r := k.hot[rng.IntN(len(k.hot))]
	return r[0] + (r[1]-r[0])*rng.Float64()
}

func kernels() []*kernel {
	var edges []float64
	neigh := func(xs ...float64) []float64 {
		var out []float64
		for _, x := range xs {
			out = append(out, x, math.Nextafter(x, math.Inf(1)), math.Nextafter(x, math.Inf(-1)))
			for i, y := 0, x; i < 3; i++ {
				y = math.Nextafter(y, math.Inf(1))
				out = append(out, y)
			}
		}
		return out
	}
	common := []float64{0, math.Copysign(0, -1), 5e-324, -5e-324, 0x1p-1022, -0x1p-1022, 1, -1, 0.5, -0.5, 2, -2, math.MaxFloat64, -math.MaxFloat64}
	edges = append(edges, common...)
	return []*kernel{
		{
			name: "Exp", f: Exp, ref: refExp, bound: 0.52,
			bitsLo: 0x1p-60, bitsHi: 746, signed: true,
			hot:   [][2]float64{{-50, 50}, {-1, 1}, {-746, 710}},
			edges: append(neigh(709.782712893384, -745.1332191019411, -745.1332191019412, -708.3, 709, -708.39641853226408, -744.44007192138122, 1e-300), edges...),
		},
		{
			name: "Log", f: Log, ref: refLog, bound: 0.52,
			bitsLo: 5e-324, bitsHi: math.MaxFloat64,
			hot:   [][2]float64{{1e-3, 1e3}, {0.9, 1.1}, {0.999, 1.001}, {1 - 1e-8, 1 + 1e-8}},
			edges: neigh(1, 2, 0.5, math.E, 0.997396, 1.002604, 0x1p-1022, 5e-324, math.MaxFloat64, 1e-300, 1e300),
		},
		{
			name: "Erfc", f: Erfc, ref: refErfc, bound: 2,
			bitsLo: 5e-324, bitsHi: 28, signed: true,
			hot:   [][2]float64{{-6, 27.3}, {-0.5, 0.5}, {20, 27.3}},
			edges: append(neigh(0.25, 0.5, 27.2, 27.3, 26.55, 1, 2, 4, 8, 16), edges...),
		},
		{
			name: "NormCDF", f: NormCDF, ref: refNormCDF, bound: 2,
			bitsLo: 5e-324, bitsHi: 40, signed: true,
			hot:   [][2]float64{{-40, 10}, {-10, 10}, {-39, -35}},
			edges: append(neigh(-38.6, -38.5, -38.47, -37, 8.3, 0.5, -0.5, -1, -2, -4, -8, -16, -32), edges...),
		},
		{
			name: "NormPDF", f: NormPDF, ref: refNormPDF, bound: 2,
			bitsLo: 5e-324, bitsHi: 40, signed: true,
			hot:   [][2]float64{{-40, 40}, {-10, 10}},
			edges: append(neigh(38.6, 38.58, -38.6, 1, 8, 37), edges...),
		},
	}
}

// TestAccuracy measures each function against the reference at its edge
// points and at samples(t) random points, logs the histogram of the
// errors and fails above the bound.
func TestAccuracy(t *testing.T) {
	n := samples(t)
	for i, k := range kernels() {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			var h histogram
			for _, x := range k.edges {
				if math.IsInf(x, 0) || k.name == "Log" && x <= 0 {
					continue // special values, checked apart
				}
				h.add(x, k.f(x), k.ref(x))
			}
			workers := 2
			var mu sync.Mutex
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(i), uint64(w)))
					var hw histogram
					for j := w; j < n; j += workers {
						x := k.draw(rng)
						hw.add(x, k.f(x), k.ref(x))
					}
					mu.Lock()
					h.merge(&hw)
					mu.Unlock()
				}(w)
			}
			wg.Wait()
			t.Logf("%s: %s", k.name, &h)
			if h.worst > k.bound {
				t.Errorf("%s: error %.4f ulp at x=%v (got %v, want %s) above the bound %.2f",
					k.name, h.worst, h.worstX, h.worstGot, k.ref(h.worstX).Text('g', 20), k.bound)
			}
		})
	}
}
