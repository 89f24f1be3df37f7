package reports

import (
	"container/heap"
	"math"
	"slices"

	"github.com/aadrisk/aadrisk/pricing"
)

// The report ranks two streams and keeps the top of each in bounded
// memory: the largest positions (by |PV| and by |vega|) and the worst
// validation figures.

// topN keeps the n greatest items of a stream, under a strict order:
// a min-heap (container/heap) whose root, the least item kept, gives way
// to a greater one.
type topN[T any] struct {
	n int
	// less reports whether a ranks below b; no two items may tie.
	less  func(a, b *T) bool
	items []T
}

func (h *topN[T]) Len() int           { return len(h.items) }
func (h *topN[T]) Less(i, j int) bool { return h.less(&h.items[i], &h.items[j]) }
func (h *topN[T]) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *topN[T]) Push(x any)         { h.items = append(h.items, x.(T)) }
func (h *topN[T]) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// add keeps p if it is among the n greatest so far.
func (h *topN[T]) add(p T) {
	if len(h.items) < h.n {
		heap.Push(h, p)
		return
	}
	if h.n == 0 || !h.less(&h.items[0], &p) {
		return
	}
	h.items[0] = p
	heap.Fix(h, 0)
}

// sorted returns the items kept, greatest first.
func (h *topN[T]) sorted() []T {
	s := slices.Clone(h.items)
	slices.SortFunc(s, func(a, b T) int {
		if h.less(&a, &b) {
			return 1
		}
		if h.less(&b, &a) {
			return -1
		}
		return 0
	})
	return s
}

// topPosition is one ok trade, as listed among the largest.
type topPosition struct {
	seq                                               int
	TradeID, Instrument, Engine, Underlying, Currency string
	PV, StdError                                      float64
	HasStdError, HasDelta                             bool
	Delta, Gamma, Vega, Rho, DivRho, Theta            float64
	// The Monte Carlo standard errors of the Greeks, with HasStdError.
	DeltaSE, GammaSE, VegaSE, RhoSE, ThetaSE float64
}

// largest keeps the n positions of largest |key(p)|, ties broken for the
// earlier trade.
func largest(n int, key func(*topPosition) float64) topN[topPosition] {
	return topN[topPosition]{n: n, less: func(a, b *topPosition) bool {
		ka, kb := math.Abs(key(a)), math.Abs(key(b))
		if ka != kb {
			return ka < kb
		}
		return a.seq > b.seq
	}}
}

// valPoint is one validation figure kept for the chart or the table.
type valPoint struct {
	seq int
	pricing.Validation
}

// worst keeps the n worst validation figures (see worse).
func worst(n int) topN[valPoint] {
	return topN[valPoint]{n: n, less: func(a, b *valPoint) bool { return worse(b, a) }}
}

// worse reports whether a is a worse agreement than b: a larger relative
// difference, then a larger absolute one, then the earlier figure.
func worse(a, b *valPoint) bool {
	if a.RelDiff != b.RelDiff {
		return a.RelDiff > b.RelDiff
	}
	if a.AbsDiff != b.AbsDiff {
		return a.AbsDiff > b.AbsDiff
	}
	return a.seq < b.seq
}
