package montecarlo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBridgeIsOrthogonal checks that the bridge is a linear map A with
// A·Aᵀ = I: its increments are i.i.d. standard normal for i.i.d. inputs.
func TestBridgeIsOrthogonal(t *testing.T) {
	grids := [][]float64{{1}, {0.5, 1}, {0.1, 0.2, 1.5}, {0.01, 0.5, 0.51, 0.9, 2, 3, 3.5}}
	var even []float64
	for i := 1; i <= 252; i++ {
		even = append(even, float64(i)/252)
	}
	grids = append(grids, even)
	for _, g := range grids {
		b, err := NewBridge(g)
		require.NoError(t, err)
		n := b.Len()
		a := make([][]float64, n) // a[j] = A·e_j
		for j := range n {
			u := make([]float64, n)
			u[j] = 1
			a[j] = make([]float64, n)
			b.Normals(a[j], u)
		}
		for r := range n {
			for c := range n {
				s := 0.0
				for j := range n {
					s += a[j][r] * a[j][c]
				}
				want := 0.0
				if r == c {
					want = 1
				}
				require.InDeltaf(t, want, s, 1e-12, "grid of %d: (A·Aᵀ)[%d][%d]", n, r, c)
			}
		}
		// The first input alone sets the end: W(t_n) = √t_n·u[0].
		u := make([]float64, n)
		u[0] = 1.3
		z := make([]float64, n)
		b.Normals(z, u)
		w := 0.0
		for i, zi := range z {
			dt := g[i]
			if i > 0 {
				dt -= g[i-1]
			}
			w += math.Sqrt(dt) * zi
		}
		assert.InDelta(t, math.Sqrt(g[n-1])*1.3, w, 1e-12)
	}
}

func TestBridgeSampleCovariance(t *testing.T) {
	b, err := NewBridge([]float64{0.1, 0.3, 0.35, 0.8, 1})
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	const N = 200_000
	n := b.Len()
	var cov [5][5]float64
	u, z := make([]float64, n), make([]float64, n)
	for range N {
		for i := range u {
			u[i] = rng.NormFloat64()
		}
		b.Normals(z, u)
		for r := range n {
			for c := range n {
				cov[r][c] += z[r] * z[c] / N
			}
		}
	}
	for r := range n {
		for c := range n {
			want := 0.0
			if r == c {
				want = 1
			}
			assert.InDeltaf(t, want, cov[r][c], 4*math.Sqrt(2)/math.Sqrt(N), "cov[%d][%d]", r, c)
		}
	}
}

func TestBridgeErrorsAndAllocations(t *testing.T) {
	for _, g := range [][]float64{nil, {0}, {1, 1}, {2, 1}, {-1, 1}, {math.NaN()}, {math.Inf(1)}} {
		_, err := NewBridge(g)
		assert.Error(t, err, "%v", g)
	}
	b, err := NewBridge([]float64{0.25, 0.5, 0.75, 1})
	require.NoError(t, err)
	u, z := []float64{1, 2, 3, 4}, make([]float64, 4)
	assert.Zero(t, testing.AllocsPerRun(10, func() { b.Normals(z, u) }))
	assert.Panics(t, func() { b.Normals(z[:2], u) })
}

func BenchmarkBridge252(b *testing.B) {
	g := make([]float64, 252)
	for i := range g {
		g[i] = float64(i+1) / 252
	}
	br, err := NewBridge(g)
	require.NoError(b, err)
	u, z := make([]float64, 252), make([]float64, 252)
	for i := range u {
		u[i] = float64(i%7) - 3
	}
	b.ReportAllocs()
	for b.Loop() {
		br.Normals(z, u)
	}
}
