package pde

// Solve is a solve backward from expiry under coefficients that vary by
// time step only (Black–Scholes with term structures), as a sequence of
// steps for aad.Tape.Checkpoint: the state is the values on the grid, and
// step k runs interval len(Intervals)−1−k, from its To back to its From.
// The parameters of the steps are the rate, the dividend yield and the
// variance integrated over each interval, in that order: R[0], …, R[m−1],
// Q[0], …, V[m−1].
type Solve struct {
	Grid      *Grid
	Intervals []Interval
	// R, Q and V are, per interval, the rate, the dividend yield and the
	// variance integrated over it.
	R, Q, V []float64
	// Lower and Upper are the values held at the grid's ends.
	Lower, Upper float64
	// Exercise and High are as in Coeffs.
	Exercise []float64
	High     bool

	w   Work
	c   Coeffs
	bar Bar
	vs  []float64
}

// Len returns the number of steps.
func (s *Solve) Len() int { return len(s.Intervals) }

// coeffs sets s.c to the coefficients of step k and returns its interval.
func (s *Solve) coeffs(k int) int {
	i := len(s.Intervals) - 1 - k
	n := s.Grid.Len()
	if len(s.vs) != n {
		s.vs = make([]float64, n)
		s.bar.V = make([]float64, n)
	}
	for j := range s.vs {
		s.vs[j] = s.V[i]
	}
	s.c = Coeffs{Theta: s.Intervals[i].Theta, R: s.R[i], Q: s.Q[i], V: s.vs,
		Lower: s.Lower, Upper: s.Upper, Exercise: s.Exercise, High: s.High}
	return i
}

// Step runs step k from in to out.
func (s *Solve) Step(k int, in, out []float64) {
	s.coeffs(k)
	s.Grid.Step(out, in, &s.c, &s.w)
}

// AdjointStep adds the adjoints of step k's state and parameters to inBar
// and paramBar, given the adjoint outBar of its result.
func (s *Solve) AdjointStep(k int, in, outBar, inBar, paramBar []float64) {
	i := s.coeffs(k)
	s.bar.R, s.bar.Q = 0, 0
	clear(s.bar.V)
	s.Grid.AdjointStep(in, &s.c, outBar, inBar, &s.bar, &s.w)
	m := len(s.Intervals)
	var v float64
	for _, x := range s.bar.V {
		v += x
	}
	paramBar[i] += s.bar.R
	paramBar[m+i] += s.bar.Q
	paramBar[2*m+i] += v
}
