package aad_test

import (
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// concurrentWork is the computation every goroutine runs on its own tape:
// the gradients of random trees, a Monte Carlo run by the mark pattern, and
// forward sweeps. The results are flattened into one slice.
func concurrentWork(t testing.TB, tp *aad.Tape, trees []*node, points [][]float64, mc mcProblem) []float64 {
	var out []float64
	for i, tree := range trees {
		tp.Reset()
		xs := vars(tp, points[i])
		y := evalTape(tp, tree, xs)
		out = append(out, y.Value())
		out = append(out, tp.Gradient(nil, y, xs)...)
		tp.ClearTangents()
		for j := range xs {
			tp.SetTangent(xs[j], float64(j+1))
		}
		tp.Forward()
		out = append(out, tp.Tangent(y))
	}
	s, g := gradByMarks(t, tp, mc)
	out = append(out, s)
	out = append(out, g...)
	return out
}

func TestConcurrentTapes(t *testing.T) {
	const goroutines = 8
	trees, points := tameTrees(42, 200, 5, 5)
	mc := newMCProblem(43, 30)

	want := concurrentWork(t, aad.NewTape(0), trees, points, mc)

	got := make([][]float64, goroutines)
	var wg sync.WaitGroup
	for w := range goroutines {
		wg.Go(func() {
			tp := aad.NewTape(0)
			// Every goroutine runs the work twice on its tape, to mix
			// reuse with the other goroutines' first runs.
			concurrentWork(t, tp, trees, points, mc)
			got[w] = concurrentWork(t, tp, trees, points, mc)
		})
	}
	wg.Wait()

	for w := range goroutines {
		if !assert.Len(t, got[w], len(want), "goroutine %d: results: got %d, want %d", w, len(got[w]), len(want)) {
			continue
		}
		bad := 0
		for i := range want {
			if math.Float64bits(got[w][i]) != math.Float64bits(want[i]) {
				bad++
				if bad <= 3 {
					assert.Failf(t, "results differ", "goroutine %d, result %d: got %.17g, want %.17g bit for bit", w, i, got[w][i], want[i])
				}
			}
		}
		assert.Zero(t, bad, "goroutine %d: results that differ from the single goroutine's: got %d, want 0", w, bad)
	}
}

// TestConcurrentNumbersReadable: Numbers are values, readable from any
// goroutine while their tape's owner keeps recording.
func TestConcurrentNumbersReadable(t *testing.T) {
	tp := aad.NewTape(0)
	x := tp.Var(2)
	ys := []aad.Number{tp.Exp(x), tp.Square(x), tp.Sqrt(x)}
	done := make(chan float64)
	go func() {
		s := 0.0
		for _, y := range ys {
			s += y.Value()
			_ = y.Active()
			_ = y.String()
		}
		done <- s
	}()
	for range 1000 {
		tp.Add(x, x)
	}
	s := <-done
	testutil.Near(t, s, math.Exp(2)+4+math.Sqrt2, 1e-15, 0, "sum of values read from another goroutine")
}
