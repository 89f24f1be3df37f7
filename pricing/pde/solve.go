package pde

// Solve is a solve backward from expiry, as a sequence of steps for
// aad.Tape.Checkpoint: the state is the values on the grid, and step k runs
// interval len(Intervals)−1−k, from its To back to its From. Its variance
// is V's, the same at every node (Black–Scholes with term structures), or
// Local's, by node. The parameters of the steps are, in order, the rate and
// the dividend yield integrated over each interval, R[0], …, R[m−1], Q[0],
// …, Q[m−1], then either V[0], …, V[m−1] or Local's Vol and Tau.
type Solve struct {
	Grid      *Grid
	Intervals []Interval
	// R, Q and V are, per interval, the rate, the dividend yield and the
	// variance integrated over it. V is not read under Local.
	R, Q, V []float64
	// Local, when not nil, is a local vol that gives each node its own
	// variance.
	Local *Local
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
	if s.Local != nil {
		if k == 0 {
			s.Local.slice = 0 // a solve starts: Vol may have changed since the last
		}
		s.Local.variance(s.vs, i)
	} else {
		for j := range s.vs {
			s.vs[j] = s.V[i]
		}
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
	paramBar[i] += s.bar.R
	paramBar[m+i] += s.bar.Q
	if s.Local != nil {
		s.Local.adjoint(s.bar.V, i, paramBar[2*m:])
		return
	}
	var v float64
	for _, x := range s.bar.V {
		v += x
	}
	paramBar[2*m+i] += v
}

// Local is a local volatility on the nodes of a Solve's grid: piecewise
// constant in time over slices, and interpolated in log-spot from the nodes
// of its own grid of spots. Over interval i the variance at node j is
// Σ_p σ_{S_p}(x_j)²·Tau·Frac_p, summed over the pieces p of the slices S_p
// the interval overlaps, Tau·Frac_p years each; Tau is a time scale (the
// remaining time, which a valuation-time shift shortens) and a parameter of
// the steps like the vols.
type Local struct {
	// Vol[s·Nodes+k] is the local vol over slice s at node k of the local
	// vol's own grid. The steps keep one slice's vols at the solve's nodes
	// from one step to the next, forgotten at step 0: change Vol between
	// solves, not during one.
	Vol   []float64
	Nodes int
	// J and W interpolate it at the solve's nodes: the vol of slice s at
	// node j is Σ_m W[j][m]·Vol[s·Nodes+J[j]+m].
	J []int
	W [][4]float64
	// Pieces lists, per interval, the slices it overlaps.
	Pieces [][]Piece
	Tau    float64

	sig   []float64
	slice int // the slice whose vols sig holds, plus 1 (0: none)
}

// Piece is the part of an interval within one slice of a Local: Frac·Tau
// years of it.
type Piece struct {
	Slice int
	Frac  float64
}

// vol returns the vols of slice s at the solve's nodes, in l.sig: the
// steps run through one slice after another, so most calls find them
// there already.
func (l *Local) vol(s int) []float64 {
	if len(l.sig) != len(l.J) {
		l.sig, l.slice = make([]float64, len(l.J)), 0
	}
	if l.slice == s+1 {
		return l.sig
	}
	l.slice = s + 1
	g := l.Vol[s*l.Nodes : (s+1)*l.Nodes]
	for j, k := range l.J {
		w := &l.W[j]
		l.sig[j] = w[0]*g[k] + w[1]*g[k+1] + w[2]*g[k+2] + w[3]*g[k+3]
	}
	return l.sig
}

// variance writes the variance of interval i at each node into v.
func (l *Local) variance(v []float64, i int) {
	clear(v)
	for _, p := range l.Pieces[i] {
		dt := l.Tau * p.Frac
		for j, sg := range l.vol(p.Slice) {
			v[j] += sg * sg * dt
		}
	}
}

// adjoint adds to bar, laid out as Vol then Tau, the adjoints of interval
// i's vols and of Tau, given the adjoints vb of its variance at each node.
func (l *Local) adjoint(vb []float64, i int, bar []float64) {
	nv := len(l.Vol)
	for _, p := range l.Pieces[i] {
		dt := l.Tau * p.Frac
		g := bar[p.Slice*l.Nodes : (p.Slice+1)*l.Nodes]
		var tb float64
		for j, sg := range l.vol(p.Slice) {
			if vb[j] == 0 {
				continue
			}
			tb += vb[j] * sg * sg * p.Frac
			sb := 2 * vb[j] * sg * dt
			k, w := l.J[j], &l.W[j]
			g[k] += sb * w[0]
			g[k+1] += sb * w[1]
			g[k+2] += sb * w[2]
			g[k+3] += sb * w[3]
		}
		bar[nv] += tb
	}
}

// SlicePieces returns, per interval of iv, the pieces of the slices it
// overlaps, the slices running between consecutive times of bounds
// (increasing, from the first interval's From to the last's To). A piece's
// Frac is its length over the last bound, so that a Local whose Tau is
// that horizon gives each piece its length. dst is reused if it has room.
func SlicePieces(dst [][]Piece, iv []Interval, bounds []float64) [][]Piece {
	dst = dst[:0]
	T := bounds[len(bounds)-1]
	s := 0
	for _, in := range iv {
		var ps []Piece
		if len(dst) < cap(dst) {
			ps = dst[:len(dst)+1][len(dst)][:0]
		}
		for s > 0 && bounds[s] > in.From {
			s--
		}
		for ; s < len(bounds)-1 && bounds[s] < in.To; s++ {
			lo, hi := max(in.From, bounds[s]), min(in.To, bounds[s+1])
			if hi > lo {
				ps = append(ps, Piece{Slice: s, Frac: (hi - lo) / T})
			}
		}
		s = max(s-1, 0)
		dst = append(dst, ps)
	}
	return dst
}
