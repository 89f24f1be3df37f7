package montecarlo_test

import (
	"context"
	"math"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// TestBatchStdError checks the batch-means formula on hand-computed cases.
func TestBatchStdError(t *testing.T) {
	for _, c := range []struct {
		name  string
		paths []int
		sums  []float64
		want  float64
	}{
		// Means 1 and 3 over equal blocks: m = 2, SE² = 2·(¼+¼) = 1.
		{"two blocks", []int{10, 10}, []float64{10, 30}, 1},
		{"equal means", []int{5, 5, 5}, []float64{5, 5, 5}, 0},
		{"one block", []int{10}, []float64{3}, 0},
		{"an empty block is not counted", []int{10, 0, 10}, []float64{10, 0, 30}, 1},
		{"no paths", []int{0, 0}, []float64{0, 0}, 0},
	} {
		assert.InDelta(t, c.want, montecarlo.BatchStdError(c.paths, c.sums), 1e-15, c.name)
	}
	assert.Panics(t, func() { montecarlo.BatchStdError([]int{1}, nil) })
}

// TestResultBlocks checks that the per-block figures add up to the result,
// give back its standard errors, and that runs with common random numbers
// have the same blocks, so that the standard error of a difference is far
// below those of its terms.
func TestResultBlocks(t *testing.T) {
	m := load(t, flatMarket)
	pr := &montecarlo.Problem{Underlyings: []string{"ACME"}, Currency: "USD", Dates: []float64{1}, Steps: 4, Payoff: call(100, true)}
	for _, set := range []montecarlo.Settings{
		{Paths: 20_000, Seed: 3},
		{Paths: 20_000, Seed: 3, Sequence: montecarlo.SobolBridge, Antithetic: true},
	} {
		r := run(t, m, 2, pr, withGreeks(set))
		require.Len(t, r.BlockPaths, r.Blocks)
		require.Len(t, r.BlockGrad, r.Blocks)
		n, pv := 0, 0.0
		for b := range r.BlockPaths {
			n += r.BlockPaths[b]
			pv += r.BlockPV[b]
		}
		assert.Equal(t, r.Paths, n)
		assert.InDelta(t, r.PV, pv/float64(n), 1e-12*math.Abs(r.PV))
		for j, s := range r.Sens {
			sums := make([]float64, r.Blocks)
			for b := range sums {
				sums[b] = r.BlockGrad[b][j]
			}
			assert.Equal(t, s.StdError, montecarlo.BatchStdError(r.BlockPaths, sums))
		}
		// The spot bumped by 1%: the difference quotient of the two runs'
		// PVs, block by block, has a standard error far below the PV's.
		spot, _ := m.Index("SPOT/ACME")
		up, err := montecarlo.NewEngine(m, 1).Run(context.Background(), pr, set, marketdata.Bump{Quote: spot, By: 1})
		require.NoError(t, err)
		require.Equal(t, r.BlockPaths, up.BlockPaths)
		d := make([]float64, r.Blocks)
		for b := range d {
			d[b] = up.BlockPV[b] - r.BlockPV[b]
		}
		se := montecarlo.BatchStdError(r.BlockPaths, d)
		assert.Less(t, se, 0.2*r.StdError, "common random numbers")
		assert.Greater(t, se, 0.0)
	}
}

// TestProgressCountsEveryPath checks that Settings.Progress ends at the
// paths simulated, on one worker and on several, with and without
// antithetic pairs and Greeks, and that watching a run changes none of its
// figures.
func TestProgressCountsEveryPath(t *testing.T) {
	m := load(t, flatMarket)
	pr := &montecarlo.Problem{Underlyings: []string{"ACME"}, Currency: "USD", Dates: []float64{1}, Steps: 4, Payoff: call(100, true)}
	for _, set := range []montecarlo.Settings{
		{Paths: 10_001, Seed: 5},
		{Paths: 6_000, Seed: 5, Sequence: montecarlo.SobolBridge, Antithetic: true},
	} {
		for _, workers := range []int{1, 3} {
			for _, greeks := range []bool{false, true} {
				var done atomic.Int64
				set := set
				set.Greeks = greeks
				watched := set
				watched.Progress = &done
				a := run(t, m, workers, pr, watched)
				b := run(t, m, workers, pr, set)
				assert.Equal(t, int64(set.Paths), done.Load(), "%+v, %d workers, greeks %v", set, workers, greeks)
				assert.Equal(t, a.Paths, set.Paths)
				assert.Equal(t, b.PV, a.PV)
				assert.Equal(t, b.StdError, a.StdError)
				assert.Equal(t, b.Sens, a.Sens)
			}
		}
	}
}
