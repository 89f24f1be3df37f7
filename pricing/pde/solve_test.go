package pde

import (
	"math"
	"testing"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/stretchr/testify/require"
)

// termPut returns the solve of an American put (spot and strike 100, one
// year) on nodes nodes by steps steps under rising rates and variance, its
// payoff, and the stencil at the spot.
func termPut(t testing.TB, nodes, steps int) (s *Solve, payoff []float64, j0 int, w [4]float64) {
	const S, K, T = 100.0, 100.0, 1.0
	x, err := Layout{Spot: S, Strike: K, Width: 5 * 0.25, Nodes: nodes}.Place()
	require.NoError(t, err)
	g, err := NewGrid(x)
	require.NoError(t, err)
	iv := TimeSteps(nil, T, steps)
	m, n := len(iv), g.Len()
	s = &Solve{Grid: g, Intervals: iv, R: make([]float64, m), Q: make([]float64, m), V: make([]float64, m)}
	for i, in := range iv {
		dt := in.To - in.From
		s.R[i], s.Q[i], s.V[i] = (0.03+0.01*in.From)*dt, 0.01*dt, (0.04+0.02*in.From)*dt
	}
	payoff = make([]float64, n)
	for j, xj := range x {
		payoff[j] = max(K-math.Exp(xj), 0)
	}
	s.Exercise, s.Lower, s.Upper = payoff, payoff[0], payoff[n-1]
	j0, w, _, _ = g.Stencil(math.Log(S))
	return s, payoff, j0, w
}

// solveKept runs s from payoff keeping every state in states (m+1 of
// them) and returns the value at the stencil (j0, w).
func solveKept(s *Solve, payoff []float64, states [][]float64, j0 int, w [4]float64) float64 {
	n := s.Grid.Len()
	states[0] = append(states[0][:0], payoff...)
	for k := range s.Len() {
		states[k+1] = make([]float64, n)
		s.Step(k, states[k], states[k+1])
	}
	v := states[s.Len()]
	return w[0]*v[j0] + w[1]*v[j0+1] + w[2]*v[j0+2] + w[3]*v[j0+3]
}

// TestSolveAdjointMatchesDifferences runs an American put's solve with a
// term structure forward, then its steps' adjoints back from the last
// (every state kept), and checks the adjoints of each interval's rate,
// dividend yield and variance against central differences of the whole
// solve.
func TestSolveAdjointMatchesDifferences(t *testing.T) {
	s, payoff, j0, w := termPut(t, 60, 12)
	m, n := s.Len(), s.Grid.Len()
	states := make([][]float64, m+1)
	value := func() float64 { return solveKept(s, payoff, states, j0, w) }
	value()
	bar := make([]float64, n)
	for i := range 4 {
		bar[j0+i] = w[i]
	}
	pbar := make([]float64, 3*m)
	for k := m - 1; k >= 0; k-- {
		in := make([]float64, n)
		s.AdjointStep(k, states[k], bar, in, pbar)
		bar = in
	}
	params := [][]float64{s.R, s.Q, s.V}
	for p, xs := range params {
		for i := range xs {
			h := 1e-7
			v := xs[i]
			xs[i] = v + h
			up := value()
			xs[i] = v - h
			dn := value()
			xs[i] = v
			d := (up - dn) / (2 * h)
			require.InDelta(t, d, pbar[p*m+i], 1e-5*max(1, math.Abs(d)), "parameter %d of kind %d", i, p)
		}
	}
}

// TestSolveCheckpointed records a solve's parameters on a tape, runs it as
// a checkpointed stretch at a few snapshot budgets and checks that the
// gradient is the hand chain's of every state kept, bit for bit, with the
// tape holding a few states rather than hundreds.
func TestSolveCheckpointed(t *testing.T) {
	s, payoff, j0, w := termPut(t, 80, 200)
	m, n := s.Len(), s.Grid.Len()

	// The hand chain, every state kept.
	states := make([][]float64, m+1)
	states[0] = payoff
	for k := range m {
		states[k+1] = make([]float64, n)
		s.Step(k, states[k], states[k+1])
	}
	bar := make([]float64, n)
	copy(bar[j0:j0+4], w[:])
	want := make([]float64, 3*m)
	for k := m - 1; k >= 0; k-- {
		in := make([]float64, n)
		s.AdjointStep(k, states[k], bar, in, want)
		bar = in
	}

	tp := aad.NewTape(0)
	vals := append(append(append([]float64(nil), s.R...), s.Q...), s.V...)
	init := make([]aad.Number, n)
	for j := range init {
		init[j] = aad.Const(payoff[j])
	}
	for _, budget := range []int{0, 3, 20, m} {
		tp.Reset()
		params := tp.Vars(nil, vals...)
		final := tp.Checkpoint(nil, init, params, m, s, budget)
		pv := tp.Custom(w[0]*final[j0].Value()+w[1]*final[j0+1].Value()+w[2]*final[j0+2].Value()+w[3]*final[j0+3].Value(),
			final[j0:j0+4], w[:])
		st := tp.Stats()
		got := tp.Gradient(nil, pv, params)
		require.Equal(t, want, got, "budget %d", budget)
		require.Equal(t, states[m][j0], final[j0].Value())
		t.Logf("budget %d: %d Step calls for %d steps, tape %d bytes (states %d)", budget, aad.CheckpointForwardSteps(m, budget), m, st.BytesUsed, st.CheckpointBytes)
		if budget == 20 {
			require.Less(t, st.CheckpointBytes, 25*n*8)
		}
	}
}

// TestLocalAdjointMatchesDifferences runs an American put's solve under a
// local vol with a skew, on slices that do not line up with the intervals,
// and checks the adjoints of every slice's vol nodes and of the time scale
// against central differences of the whole solve.
func TestLocalAdjointMatchesDifferences(t *testing.T) {
	s, payoff, j0, w := termPut(t, 50, 12)
	m, n := s.Len(), s.Grid.Len()
	const nodes = 8
	bounds := []float64{0, 0.15, 0.4, 0.55, 1}
	l := &Local{Nodes: nodes, Tau: 1, Pieces: SlicePieces(nil, s.Intervals, bounds)}
	for i, ps := range l.Pieces {
		var f float64
		for _, p := range ps {
			f += p.Frac
		}
		in := s.Intervals[i]
		require.InDelta(t, in.To-in.From, f, 1e-15, "interval %d", i)
	}
	x0, dx := math.Log(100)-1.5, 3.0/(nodes-1)
	for sl := range len(bounds) - 1 {
		for k := range nodes {
			l.Vol = append(l.Vol, 0.2+0.03*float64(sl)-0.02*float64(k-nodes/2))
		}
	}
	l.J, l.W = make([]int, n), make([][4]float64, n)
	for j, xj := range s.Grid.X {
		// linear interpolation, held flat beyond the nodes
		u := min(max((xj-x0)/dx, 0), nodes-1)
		k := min(int(u), nodes-2)
		f := u - float64(k)
		l.J[j] = min(k, nodes-4)
		l.W[j][k-l.J[j]], l.W[j][k-l.J[j]+1] = 1-f, f
	}
	s.Local = l
	states := make([][]float64, m+1)
	value := func() float64 { return solveKept(s, payoff, states, j0, w) }
	value()
	bar := make([]float64, n)
	copy(bar[j0:j0+4], w[:])
	pbar := make([]float64, 2*m+len(l.Vol)+1)
	for k := m - 1; k >= 0; k-- {
		in := make([]float64, n)
		s.AdjointStep(k, states[k], bar, in, pbar)
		bar = in
	}
	check := func(x *float64, got float64, what string) {
		h := 1e-6
		v := *x
		*x = v + h
		up := value()
		*x = v - h
		dn := value()
		*x = v
		d := (up - dn) / (2 * h)
		require.InDelta(t, d, got, 1e-5*max(1, math.Abs(d)), what)
	}
	nonzero := 0
	for i := range l.Vol {
		check(&l.Vol[i], pbar[2*m+i], "vol node")
		if pbar[2*m+i] != 0 {
			nonzero++
		}
	}
	require.Greater(t, nonzero, len(l.Vol)/2)
	check(&l.Tau, pbar[2*m+len(l.Vol)], "tau")
	for i := range m {
		check(&s.R[i], pbar[i], "rate")
	}
}
