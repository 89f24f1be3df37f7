package aad

import (
	"math"
	"testing"
)

// The reversal schedule, without the forward pass's placement, makes
// exactly the brute-force optimum of Step calls.
func TestRevolveOptimal(t *testing.T) {
	const N, S = 40, 5
	cost := make([][]int, N+1)
	for l := range cost {
		cost[l] = make([]int, S+1)
		for f := 0; f <= S; f++ {
			switch {
			case l <= 1:
			case f == 0:
				cost[l][f] = l * (l - 1) / 2
			default:
				cost[l][f] = math.MaxInt
				for m := 1; m < l; m++ {
					cost[l][f] = min(cost[l][f], m+cost[l-m][f-1]+cost[m][f])
				}
			}
		}
	}
	for l := 1; l <= N; l++ {
		for f := 0; f <= S; f++ {
			if got := revCost(l, f, false); got != cost[l][f] {
				t.Fatalf("l=%d free=%d: %d Step calls, optimum %d", l, f, got, cost[l][f])
			}
		}
	}
}
