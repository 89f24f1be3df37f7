package montecarlo

import (
	"errors"
	"fmt"
	"math"
)

// Bridge maps standard normals, the most important first, to the standard
// normal increments of a Brownian path on a time grid, by the Brownian-
// bridge construction: the first normal gives the path's end, the next its
// middle given both ends, and so on by bisection. With Sobol' points, whose
// first coordinates are the most uniform, this puts them on the moves that
// matter most to a payoff. The increments it returns are i.i.d. standard
// normal in distribution, so a model consumes them as ordinary per-step
// normals. A Bridge is immutable once built and may be shared.
type Bridge struct {
	times []float64
	// Point k of the construction (k ≥ 1) sets W at index at[k], from the
	// known values at left[k] (−1: W(0) = 0) and right[k] as
	// W = wl[k]·W(left) + wr[k]·W(right) + sd[k]·u[k]; point 0 sets the end.
	at, left, right []int
	wl, wr, sd      []float64
	sdev            []float64 // √(t_i − t_{i−1})
}

// NewBridge returns the bridge for step end times t_1 < … < t_n (t_0 = 0
// implied). It returns an error for an empty, non-increasing or
// non-positive grid.
func NewBridge(times []float64) (*Bridge, error) {
	n := len(times)
	if n == 0 {
		return nil, errors.New("montecarlo: Brownian bridge on an empty grid")
	}
	prev := 0.0
	for _, t := range times {
		if !(t > prev) || math.IsInf(t, 0) {
			return nil, fmt.Errorf("montecarlo: Brownian bridge on times %v: want positive, finite and increasing", times)
		}
		prev = t
	}
	b := &Bridge{times: append([]float64(nil), times...),
		at: make([]int, n), left: make([]int, n), right: make([]int, n),
		wl: make([]float64, n), wr: make([]float64, n), sd: make([]float64, n), sdev: make([]float64, n)}
	b.at[0], b.sd[0] = n-1, math.Sqrt(times[n-1])
	// Bisect breadth first: intervals (l, r) of indexes whose ends are
	// known (l = −1 for time 0), each split at its middle index.
	type span struct{ l, r int }
	queue := []span{{-1, n - 1}}
	k := 1
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s.r-s.l < 2 {
			continue
		}
		mid := (s.l + s.r + 1) / 2
		tl := 0.0
		if s.l >= 0 {
			tl = times[s.l]
		}
		tm, tr := times[mid], times[s.r]
		b.at[k], b.left[k], b.right[k] = mid, s.l, s.r
		b.wl[k], b.wr[k] = (tr-tm)/(tr-tl), (tm-tl)/(tr-tl)
		b.sd[k] = math.Sqrt((tm - tl) * (tr - tm) / (tr - tl))
		k++
		queue = append(queue, span{s.l, mid}, span{mid, s.r})
	}
	for i, t := range times {
		if i == 0 {
			b.sdev[i] = math.Sqrt(t)
		} else {
			b.sdev[i] = math.Sqrt(t - times[i-1])
		}
	}
	return b, nil
}

// Len returns the number of steps.
func (b *Bridge) Len() int { return len(b.times) }

// Normals writes into dst[:n] the normals z_i = (W(t_i) − W(t_{i−1}))/√(t_i − t_{i−1})
// of the path built from u[:n]: u[0] gives W(t_n) = √t_n·u[0], the others
// the midpoints in bisection order. dst and u must not overlap. It
// allocates nothing, and panics if either is shorter than Len.
func (b *Bridge) Normals(dst, u []float64) {
	n := len(b.times)
	if len(dst) < n || len(u) < n {
		panic("montecarlo: Bridge.Normals with fewer than Len values")
	}
	w := dst[:n] // W at the grid times, then turned into increments in place
	w[n-1] = b.sd[0] * u[0]
	for k := 1; k < n; k++ {
		l := 0.0
		if b.left[k] >= 0 {
			l = w[b.left[k]]
		}
		w[b.at[k]] = b.wl[k]*l + b.wr[k]*w[b.right[k]] + b.sd[k]*u[k]
	}
	for i := n - 1; i > 0; i-- {
		w[i] = (w[i] - w[i-1]) / b.sdev[i]
	}
	w[0] /= b.sdev[0]
}
