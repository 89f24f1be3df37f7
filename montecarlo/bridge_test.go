package montecarlo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bridgeGrids returns named time grids: even and uneven, of 1, 2, 3, 7 and
// 252 steps, and one with steps from 1e-6 to 10.
func bridgeGrids() map[string][]float64 {
	rng := rand.New(rand.NewPCG(21, 22))
	grids := make(map[string][]float64)
	for _, n := range []int{1, 2, 3, 7, 252} {
		even := make([]float64, n)
		uneven := make([]float64, n)
		t, tu := 0.0, 0.0
		for i := range n {
			t += 1.0 / 252
			even[i] = t
			tu += 0.01 + rng.ExpFloat64()
			uneven[i] = tu
		}
		grids[fmt.Sprintf("even%d", n)] = even
		grids[fmt.Sprintf("uneven%d", n)] = uneven
	}
	grids["extreme"] = []float64{1e-6, 2e-6, 1, 1 + 1e-6, 11, 11.5, 30}
	return grids
}

// bridgeMatrix returns the matrix A of the linear map u ↦ z, column k the
// image of the unit vector e_k.
func bridgeMatrix(b *Bridge) [][]float64 {
	n := b.Len()
	a := make([][]float64, n)
	for i := range a {
		a[i] = make([]float64, n)
	}
	u, z := make([]float64, n), make([]float64, n)
	for k := range n {
		clear(u)
		u[k] = 1
		b.Normals(z, u)
		for i := range n {
			a[i][k] = z[i]
		}
	}
	return a
}

// TestBridgeOrthogonal checks the bridge is an orthogonal map, A·Aᵀ = I, so
// that i.i.d. standard normals go to i.i.d. standard normals.
func TestBridgeOrthogonal(t *testing.T) {
	for name, times := range bridgeGrids() {
		b, err := NewBridge(times)
		require.NoError(t, err)
		require.Equal(t, len(times), b.Len())
		a := bridgeMatrix(b)
		n := len(a)
		worst := 0.0
		for i := range n {
			for j := range n {
				s := 0.0
				for k := range n {
					s += a[i][k] * a[j][k]
				}
				if i == j {
					s--
				}
				worst = max(worst, math.Abs(s))
			}
		}
		assert.Less(t, worst, 1e-12, name)
	}
}

// TestBridgeTerminal checks that u[0] alone determines the end point,
// W(t_n) = √t_n·u[0], and that with the other inputs 0 the path is the
// straight line to it.
func TestBridgeTerminal(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for name, times := range bridgeGrids() {
		b, err := NewBridge(times)
		require.NoError(t, err)
		n := len(times)
		tn := times[n-1]
		u, z := make([]float64, n), make([]float64, n)
		path := func() []float64 {
			b.Normals(z, u)
			w := make([]float64, n)
			prev, t0 := 0.0, 0.0
			for i, ti := range times {
				prev += z[i] * math.Sqrt(ti-t0)
				w[i], t0 = prev, ti
			}
			return w
		}
		for range 20 {
			for i := range u {
				u[i] = rng.NormFloat64()
			}
			w := path()
			assert.InDelta(t, math.Sqrt(tn)*u[0], w[n-1], 1e-12*math.Sqrt(tn)*(1+math.Abs(u[0])), name)
		}
		clear(u)
		u[0] = 1.7
		w := path()
		for i, ti := range times {
			assert.InDelta(t, 1.7*ti/math.Sqrt(tn), w[i], 1e-12*math.Sqrt(tn), "%s, t_%d", name, i+1)
		}
	}
}

// TestBridgeOrder checks the bisection order on 8 steps: u[1] moves only
// the points strictly inside (t_0, t_8), peaking at t_4, and u[2] only
// those inside (t_0, t_4).
func TestBridgeOrder(t *testing.T) {
	times := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	b, err := NewBridge(times)
	require.NoError(t, err)
	path := func(k int) []float64 {
		u, z := make([]float64, 8), make([]float64, 8)
		u[k] = 1
		b.Normals(z, u)
		w, prev := make([]float64, 8), 0.0
		for i := range z {
			prev += z[i] // unit steps
			w[i] = prev
		}
		return w
	}
	// The bridge at t_4 between 0 at t_0 and t_8 has standard deviation
	// √(4·4/8) = √2, and the path is a tent.
	assert.InDeltaSlice(t, []float64{0.25, 0.5, 0.75, 1, 0.75, 0.5, 0.25, 0}, bridgeScale(path(1), 1/math.Sqrt2), 1e-12)
	// t_2 between t_0 and t_4: standard deviation 1.
	assert.InDeltaSlice(t, []float64{0.5, 1, 0.5, 0, 0, 0, 0, 0}, path(2), 1e-12)
	// t_6 between t_4 and t_8.
	assert.InDeltaSlice(t, []float64{0, 0, 0, 0, 0.5, 1, 0.5, 0}, path(3), 1e-12)
}

func bridgeScale(x []float64, c float64) []float64 {
	for i := range x {
		x[i] *= c
	}
	return x
}

// TestBridgeCovariance checks the outputs of i.i.d. normal inputs are
// uncorrelated standard normals: sample means within 4 standard errors of
// 0, and the sample covariance within 4 standard errors of the identity
// (1/√N off the diagonal, √2/√N on it).
func TestBridgeCovariance(t *testing.T) {
	const N = 200000
	for _, times := range [][]float64{
		{0.3, 0.5, 1.2, 1.25, 2, 3.5, 3.6, 5},
		{0.1, 0.2, 0.3},
	} {
		b, err := NewBridge(times)
		require.NoError(t, err)
		n := len(times)
		rng := rand.New(rand.NewPCG(25, 26))
		u, z := make([]float64, n), make([]float64, n)
		mean := make([]float64, n)
		cov := make([]float64, n*n)
		for range N {
			for i := range u {
				u[i] = rng.NormFloat64()
			}
			b.Normals(z, u)
			for i, zi := range z {
				mean[i] += zi
				for j, zj := range z {
					cov[i*n+j] += zi * zj
				}
			}
		}
		se := 1 / math.Sqrt(N)
		for i := range n {
			assert.InDelta(t, 0, mean[i]/N, 4*se, "mean %d", i)
			for j := range n {
				c := cov[i*n+j]/N - mean[i]/N*mean[j]/N
				if i == j {
					assert.InDelta(t, 1, c, 4*math.Sqrt2*se, "var %d", i)
				} else {
					assert.InDelta(t, 0, c, 4*se, "cov %d %d", i, j)
				}
			}
		}
	}
}

func TestNewBridgeErrors(t *testing.T) {
	for _, times := range [][]float64{
		nil,
		{},
		{0},
		{-1, 1},
		{1, 1},
		{1, 2, 1.5},
		{math.NaN()},
		{1, math.NaN()},
		{1, math.Inf(1)},
	} {
		b, err := NewBridge(times)
		assert.Error(t, err, "%v", times)
		assert.Nil(t, b)
	}
}

func TestBridgePanics(t *testing.T) {
	b, err := NewBridge([]float64{1, 2, 3})
	require.NoError(t, err)
	x := make([]float64, 3)
	assert.PanicsWithValue(t, "montecarlo: Bridge.Normals: dst has length 2 and u 3, want at least 3", func() { b.Normals(x[:2], make([]float64, 3)) })
	assert.Panics(t, func() { b.Normals(x, nil) })
	assert.PanicsWithValue(t, "montecarlo: Bridge.Normals: dst and u must not overlap", func() { b.Normals(x, x) })
	// Longer slices are fine: only the first n are read and written.
	u := []float64{1, 2, 3, 4}
	z := []float64{0, 0, 0, 99}
	b.Normals(z, u)
	assert.Equal(t, 99.0, z[3])
}

func TestBridgeAllocs(t *testing.T) {
	times := make([]float64, 252)
	for i := range times {
		times[i] = float64(i+1) / 252
	}
	b, err := NewBridge(times)
	require.NoError(t, err)
	u, z := make([]float64, 252), make([]float64, 252)
	assert.Zero(t, testing.AllocsPerRun(100, func() { b.Normals(z, u) }))
}

func BenchmarkBridge(b *testing.B) {
	times := make([]float64, 252)
	for i := range times {
		times[i] = float64(i+1) / 252
	}
	br, err := NewBridge(times)
	require.NoError(b, err)
	rng := rand.New(rand.NewPCG(1, 2))
	u, z := make([]float64, 252), make([]float64, 252)
	for i := range u {
		u[i] = rng.NormFloat64()
	}
	for b.Loop() {
		br.Normals(z, u)
	}
}
