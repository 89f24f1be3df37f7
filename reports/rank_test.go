package reports

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// topN keeps the n greatest items of any stream, whatever their order,
// and sorted gives them greatest first: the same as sorting them all.
func TestTopNKeepsGreatest(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 7, 50} {
		for range 20 {
			all := make([]topPosition, rng.IntN(120))
			for i := range all {
				// Few distinct values, so that the ties are broken by seq.
				all[i] = topPosition{seq: i, PV: float64(rng.IntN(21) - 10)}
			}
			h := largest(n, func(p *topPosition) float64 { return p.PV })
			for _, p := range all {
				h.add(p)
			}
			want := slices.Clone(all)
			slices.SortStableFunc(want, func(a, b topPosition) int {
				if h.less(&a, &b) {
					return 1
				}
				if h.less(&b, &a) {
					return -1
				}
				return 0
			})
			want = want[:min(n, len(want))]
			got := h.sorted()
			assert.True(t, slices.Equal(want, got), "n %d of %d: %v, want %v", n, len(all), got, want)
		}
	}
}
