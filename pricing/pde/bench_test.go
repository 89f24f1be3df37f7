package pde

import "testing"

// BenchmarkStep times one Crank–Nicolson step of an American put on 200
// nodes, and its adjoint (which recomputes the step), per call.
func BenchmarkStep(b *testing.B) {
	s, payoff, _, _ := termPut(b, 200, 400)
	n := s.Grid.Len()
	out, inBar, pbar := make([]float64, n), make([]float64, n), make([]float64, 3*s.Len())
	bar := make([]float64, n)
	for j := range bar {
		bar[j] = 1
	}
	b.Run("step", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.Step(10, payoff, out)
		}
	})
	b.Run("adjoint", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.AdjointStep(10, payoff, bar, inBar, pbar)
		}
	})
}
