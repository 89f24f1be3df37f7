package aad

// Adjoints and tangents are kept lazily: vals[:valid] holds them and every
// statement past valid has an implicit zero. Rewinding lowers valid, so a
// path's statements start from zero without a pass over the tape, and the
// statements before the mark keep the adjoints they accumulate path after
// path.
type lazySlice struct {
	vals  []float64
	valid int
}

// upTo makes vals[:n] hold real values, zeroing those past valid; room is a
// capacity hint.
func (l *lazySlice) upTo(n, room int) []float64 {
	if len(l.vals) < n {
		a := make([]float64, max(n, room))
		copy(a, l.vals[:l.valid])
		l.vals = a
	}
	if l.valid < n {
		clear(l.vals[l.valid:n])
		l.valid = n
	}
	return l.vals[:n]
}

// truncate forgets the values from n on.
func (l *lazySlice) truncate(n int) {
	if l.valid > n {
		l.valid = n
	}
}

// at returns value i, or 0 past valid.
func (l *lazySlice) at(i int) float64 {
	if i >= l.valid {
		return 0
	}
	return l.vals[i]
}

// Adjoint returns the adjoint of x: after a backward sweep seeded with
// SetAdjoint(y, 1), the derivative ∂y/∂x. It is 0 for a passive x.
func (t *Tape) Adjoint(x Number) float64 {
	if x.idx == 0 {
		return 0
	}
	t.check(x)
	return t.adj.at(int(x.idx))
}

// SetAdjoint sets the adjoint of x, an active Number, to a: the seed of a
// backward sweep (1 for the derivatives of x itself; a weight for a linear
// combination of several outputs). It panics if x is passive.
func (t *Tape) SetAdjoint(x Number, a float64) {
	if x.idx == 0 {
		panic("aad: SetAdjoint of a passive Number")
	}
	t.check(x)
	t.validateAdjoints()[x.idx] = a
}

// ClearAdjoints sets every adjoint to zero, for a sweep from another output.
func (t *Tape) ClearAdjoints() {
	if t != nil {
		t.adj.truncate(0)
	}
}

// validateAdjoints returns the adjoints of every statement recorded so far.
func (t *Tape) validateAdjoints() []float64 {
	if t.nStmt == 0 {
		t.init()
	}
	return t.adj.upTo(t.nStmt, len(t.ends))
}

// Backward propagates the adjoints from the last statement to the first:
// every adjoint becomes its own seed plus the derivative of the seeded
// combination of outputs with respect to it.
// On a nil tape, as on an empty one, it does nothing.
func (t *Tape) Backward() { t.backward(1) }

// BackwardToMark propagates the adjoints of the statements recorded after m
// into those recorded before it, where they accumulate across calls (the
// per-path sweep of the Monte Carlo pattern). On a nil tape it does nothing.
func (t *Tape) BackwardToMark(m Mark) {
	if t == nil {
		return
	}
	t.checkMark(m)
	t.backward(m.stmt)
}

// BackwardFromMark propagates the adjoints of the statements recorded before
// m down to the variables, leaving the statements after m aside (the final
// sweep of the Monte Carlo pattern, once per batch of paths). On a nil tape
// it does nothing.
func (t *Tape) BackwardFromMark(m Mark) {
	if t == nil {
		return
	}
	t.checkMark(m)
	t.sweep(t.validateAdjoints(), 1, m.stmt, m.ops)
}

// Gradient clears the adjoints, seeds y with 1, sweeps backward and writes
// ∂y/∂xs[i] into dst[i], which it returns (allocated if dst is too short).
func (t *Tape) Gradient(dst []float64, y Number, xs []Number) []float64 {
	if len(dst) < len(xs) {
		dst = make([]float64, len(xs))
	}
	dst = dst[:len(xs)]
	t.ClearAdjoints()
	if y.idx != 0 {
		t.SetAdjoint(y, 1)
		t.Backward()
	}
	for i, x := range xs {
		dst[i] = t.Adjoint(x)
	}
	return dst
}

func (t *Tape) backward(lo int) {
	if t == nil {
		return
	}
	t.sweep(t.validateAdjoints(), max(lo, 1), t.nStmt, t.nOps)
}

// sweep runs the adjoint loop over statements [lo, hi) whose operands end at
// op: for each statement from the last, add its adjoint times each stored
// partial into its operands' adjoints. Statements with a zero adjoint are
// skipped.
func (t *Tape) sweep(adj []float64, lo, hi, op int) {
	adj = adj[:hi]
	ends := t.ends[:hi]
	args := t.args[:op]
	parts := t.partials[:op]
	k := op
	// carry holds the contribution of statement i+1 to the adjoint of its
	// predecessor i when that was its first operand: chains of statements
	// each consuming the one before are the commonest shape of a tape, and
	// keeping that term in a register spares a store and a reload on the
	// critical path of the sweep.
	carry := 0.0
	for i := hi - 1; i >= lo; i-- {
		start := int(ends[i-1])
		a := adj[i] + carry
		adj[i] = a // the adjoint stays readable; the store is off the critical path
		carry = 0
		if a != 0 {
			as := args[start:k]
			ps := parts[start:k]
			ps = ps[:len(as)]
			if len(as) > 0 && int(as[0]) == i-1 && i-1 >= lo {
				carry = a * ps[0]
				as, ps = as[1:], ps[1:]
			}
			switch len(as) {
			// Statements of one to three operands are most of a tape;
			// unrolled, they skip the loop's set-up.
			case 0:
			case 1:
				adj[as[0]] += a * ps[0]
			case 2:
				adj[as[0]] += a * ps[0]
				adj[as[1]] += a * ps[1]
			default:
				for j, arg := range as {
					adj[arg] += a * ps[j]
				}
			}
		}
		k = start
	}
}

// SetTangent sets the tangent (directional derivative seed) of the variable
// x for the next Forward sweep. It panics if x is passive.
func (t *Tape) SetTangent(x Number, d float64) {
	if x.idx == 0 {
		panic("aad: SetTangent of a passive Number")
	}
	t.check(x)
	t.tan.upTo(t.nStmt, len(t.ends))[x.idx] = d
}

// ClearTangents sets every tangent seed to zero.
func (t *Tape) ClearTangents() {
	if t != nil {
		t.tan.truncate(0)
	}
}

// Forward runs a tangent (forward-mode) sweep over the recorded tape: every
// statement's tangent becomes Σ ∂stmt/∂operand · tangent(operand), starting
// from the seeds of the variables set with SetTangent. One forward sweep
// gives the derivative of every output along one direction of the inputs: a
// Jacobian-vector product.
func (t *Tape) Forward() {
	if t.nStmt == 0 {
		return
	}
	tan := t.tan.upTo(t.nStmt, len(t.ends))
	ends := t.ends[:t.nStmt]
	args := t.args[:t.nOps]
	parts := t.partials[:t.nOps]
	for i := 1; i < len(ends); i++ {
		start, end := int(ends[i-1]), int(ends[i])
		if start == end {
			continue // a variable: its tangent is its seed
		}
		as := args[start:end]
		ps := parts[start:end]
		ps = ps[:len(as)]
		d := 0.0
		for j, arg := range as {
			d += ps[j] * tan[arg]
		}
		tan[i] = d
	}
}

// Tangent returns the tangent of x computed by the last Forward sweep; 0 for
// a passive x.
func (t *Tape) Tangent(x Number) float64 {
	if x.idx == 0 {
		return 0
	}
	t.check(x)
	return t.tan.at(int(x.idx))
}
