package montecarlo

import (
	"errors"
	"fmt"
	"math"
)

// Bridge maps standard normals, the most important first, to the standard
// normal increments of a Brownian path on a time grid, by the
// Brownian-bridge construction: the first normal gives the end point
// W(t_n), the second the point in the middle of the grid given the ends,
// then the middles of the two halves, and so on, each point drawn from its
// conditional distribution given its two neighbours already built. The
// map is linear and orthogonal, so for i.i.d. standard normal inputs the
// outputs are i.i.d. standard normals too, and a model consumes them as
// its ordinary per-step normals; what changes is that the first inputs
// carry most of the path's variance. Fed with quasi-random points, whose
// first coordinates are the most uniform, that is what makes quasi-Monte
// Carlo effective for path-dependent problems.
//
// A Bridge is immutable and safe for concurrent use.
type Bridge struct {
	n     int
	steps []bridgeStep // in construction order; steps[0] builds W(t_n)
	isd   []float64    // 1/√(t_i − t_(i−1)), i = 1 … n
}

// bridgeStep builds W(t_i) = wl·W(t_l) + wr·W(t_r) + sd·u from its two
// neighbours, W(t_l) (0 if l < 0, t_0 = 0) and W(t_r), already built.
type bridgeStep struct {
	i, l, r    int32 // 0-based grid indices: point i is t_(i+1)
	wl, wr, sd float64
}

// NewBridge returns the bridge for step end times t_1 < … < t_n (t_0 = 0
// implied). The points are filled in bisection order by index, level by
// level: t_n, then t_⌊n/2⌋, then the middles of the two halves, and so on,
// which puts the coarse shape of the path in the first inputs even on an
// uneven grid. It returns an error for an empty, non-increasing or
// non-positive grid, or one with a NaN or infinite time.
func NewBridge(times []float64) (*Bridge, error) {
	n := len(times)
	if n == 0 {
		return nil, errors.New("montecarlo: Brownian bridge on an empty time grid")
	}
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("montecarlo: Brownian bridge on %d steps: too many", n)
	}
	prev := 0.0
	for i, t := range times {
		// !(t > prev) also catches NaN.
		if !(t > prev) || math.IsInf(t, 0) {
			return nil, fmt.Errorf("montecarlo: Brownian bridge time grid not positive, finite and increasing: t_%d = %v after %v", i+1, t, prev)
		}
		prev = t
	}
	b := &Bridge{n: n, steps: make([]bridgeStep, 0, n), isd: make([]float64, n)}
	for i, t := range times {
		t0 := 0.0
		if i > 0 {
			t0 = times[i-1]
		}
		b.isd[i] = 1 / math.Sqrt(t-t0)
	}
	at := func(i int) float64 {
		if i < 0 {
			return 0
		}
		return times[i]
	}
	b.steps = append(b.steps, bridgeStep{i: int32(n - 1), l: -1, r: -1, sd: math.Sqrt(times[n-1])})
	// Breadth-first over the intervals (l, r) between built points, so
	// that each level of the bisection comes before the next.
	type span struct{ l, r int }
	queue := make([]span, 0, n)
	queue = append(queue, span{-1, n - 1})
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if s.r-s.l < 2 {
			continue // no point between
		}
		i := s.l + (s.r-s.l)/2
		tl, ti, tr := at(s.l), times[i], times[s.r]
		b.steps = append(b.steps, bridgeStep{
			i: int32(i), l: int32(s.l), r: int32(s.r),
			wl: (tr - ti) / (tr - tl),
			wr: (ti - tl) / (tr - tl),
			sd: math.Sqrt((ti - tl) * (tr - ti) / (tr - tl)),
		})
		queue = append(queue, span{s.l, i}, span{i, s.r})
	}
	return b, nil
}

// Len returns the number of steps n of the grid: the number of normals
// Normals takes and gives.
func (b *Bridge) Len() int { return b.n }

// Normals writes into dst[:n] the normals z_i = (W(t_i) − W(t_(i−1)))/√(t_i −
// t_(i−1)) of the path built from u[:n]: u[0] gives W(t_n) = √t_n·u[0],
// then the bridge fills midpoints in bisection order, u[k] drawing the k-th
// point. It does not allocate. dst and u must not overlap (dst holds the
// path while u is still being read); it panics if they start at the same
// element, or if either is shorter than n.
func (b *Bridge) Normals(dst, u []float64) {
	n := b.n
	if len(dst) < n || len(u) < n {
		panic(fmt.Sprintf("montecarlo: Bridge.Normals: dst has length %d and u %d, want at least %d", len(dst), len(u), n))
	}
	if &dst[0] == &u[0] {
		panic("montecarlo: Bridge.Normals: dst and u must not overlap")
	}
	w := dst[:n]
	u = u[:n]
	steps := b.steps[:n]
	// The path W(t_i), built in w.
	w[n-1] = steps[0].sd * u[0]
	for k := 1; k < n; k++ {
		s := &steps[k]
		x := s.wr*w[s.r] + s.sd*u[k]
		if s.l >= 0 {
			x += s.wl * w[s.l]
		}
		w[s.i] = x
	}
	// Its scaled increments, from the end so that W(t_(i−1)) is still
	// there when step i needs it.
	isd := b.isd[:n]
	for i := n - 1; i > 0; i-- {
		w[i] = (w[i] - w[i-1]) * isd[i]
	}
	w[0] *= isd[0]
}
