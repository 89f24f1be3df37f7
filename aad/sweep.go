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
	if x.ref == 0 {
		return 0
	}
	t.check(x)
	return t.adj.at(int(x.idx()))
}

// SetAdjoint sets the adjoint of x to a: the seed of a backward sweep (1 for
// the derivatives of x itself; a weight for a linear combination of several
// outputs). It sets, it does not add: in the Monte Carlo pattern, a payoff
// that is itself a Number from before the mark (Max can return an input) has
// the adjoint of earlier paths, and SetAdjoint(y, Adjoint(y)+w) keeps it.
//
// For a passive x (a constant, or a result that depends on no input, such as
// the Const(0) that Max returns for a call out of the money) it does nothing,
// on any tape, nil included: x has no statement to seed, and its derivative
// with respect to every input is 0, which is what a sweep without the seed
// gives. So the Monte Carlo pattern seeds every path's payoff without
// checking Active. It panics, as every operation does, for an active x of
// another tape, from before a Reset or after a rewound mark, or on a nil tape.
func (t *Tape) SetAdjoint(x Number, a float64) {
	if x.ref == 0 {
		return
	}
	t.check(x)
	t.validateAdjoints()[x.idx()] = a
}

// ClearAdjoints sets every adjoint to zero, for a sweep from another output.
func (t *Tape) ClearAdjoints() {
	if t != nil {
		t.adj.truncate(0)
		t.adt.truncate(0)
	}
}

// validateAdjoints returns the adjoints of every statement recorded so far.
func (t *Tape) validateAdjoints() []float64 {
	if t.nStmt == 0 {
		t.init()
	}
	return t.adj.upTo(t.nStmt, 2*t.nStmt)
}

// Backward propagates the adjoints from the last statement to the first:
// every adjoint becomes its own seed plus the derivative of the seeded
// combination of outputs with respect to it.
// On a second-order tape it propagates the adjoint tangents with them
// (AdjointTangent). On a nil tape, as on an empty one, it does nothing.
func (t *Tape) Backward() { t.backward(0, 0) }

// BackwardToMark propagates the adjoints of the statements recorded after m
// into those recorded before it, where they accumulate across calls (the
// per-path sweep of the Monte Carlo pattern). On a nil tape it does nothing.
func (t *Tape) BackwardToMark(m Mark) {
	if t == nil {
		return
	}
	t.checkMark(m)
	t.backward(m.ops, m.stmt)
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
	if t.second {
		t.sweep2(t.validateAdjoints(), t.validateAdjointTangents(), 0, m.ops)
		return
	}
	t.sweepAll(t.validateAdjoints(), 0, m.ops, 0, m.stmt)
}

// Gradient clears the adjoints, seeds y with 1, sweeps backward and writes
// ∂y/∂xs[i] into dst[i]; it returns dst[:len(xs)], allocated if dst is nil
// or too short.
func (t *Tape) Gradient(dst []float64, y Number, xs []Number) []float64 {
	if len(dst) < len(xs) {
		dst = make([]float64, len(xs))
	}
	dst = dst[:len(xs)]
	if y.ref == 0 {
		// Nothing to sweep: every derivative is 0.
		t.ClearAdjoints()
		for i, x := range xs {
			if x.ref != 0 {
				t.check(x)
			}
			dst[i] = 0
		}
		return dst
	}
	t.check(y) // also panics for a nil tape
	adj := t.clearedAdjoints()
	adj[y.idx()] = 1
	if len(t.segs) == 0 {
		t.sweep(adj, 0, t.nOps)
	} else {
		t.sweepSegs(adj, 0, t.nOps, 0, t.nStmt)
	}
	hi := t.hi
	for i, x := range xs {
		// A passive x reads adj[0], the sentinel's adjoint, which is
		// always 0. An x the tape cannot use (from another tape, from
		// before a Reset, or past a rewind) gives an index past adj.
		j := x.ref ^ hi
		if x.ref == 0 {
			j = 0
		}
		if j >= uint64(len(adj)) {
			t.misuse(x)
		}
		dst[i] = adj[j]
	}
	return dst
}

// clearedAdjoints returns the adjoints of every statement recorded so far,
// all set to zero: ClearAdjoints then validateAdjoints, with the common case
// (room for them already) handled here rather than through two more calls.
func (t *Tape) clearedAdjoints() []float64 {
	n := t.nStmt
	if n > len(t.adj.vals) {
		t.adj.truncate(0)
		return t.validateAdjoints()
	}
	adj := t.adj.vals[:n]
	clear(adj)
	t.adj.valid = n
	return adj
}

// backward sweeps every operand recorded after the first lo, and the
// checkpointed segments among the statements from loStmt on.
func (t *Tape) backward(lo, loStmt int) {
	if t == nil {
		return
	}
	if t.second {
		t.sweep2(t.validateAdjoints(), t.validateAdjointTangents(), lo, t.nOps)
		return
	}
	t.sweepAll(t.validateAdjoints(), lo, t.nOps, loStmt, t.nStmt)
}

// sweep runs the adjoint loop over operands [lo, hi), from the last: each
// adds its statement's adjoint times its partial into the adjoint of the
// statement it refers to. Every operand of a statement comes after those of
// the statements it uses, so a statement's adjoint is complete when its
// operands are reached. Zero adjoints are skipped: besides saving work, that
// keeps an infinite partial (Sqrt at 0) from turning an unused branch into NaN.
func (t *Tape) sweep(adj []float64, lo, hi int) {
	ops := t.ops[lo:hi]
	parts := t.partials[lo:hi]
	parts = parts[:len(ops)]
	for k := len(ops) - 1; k >= 0; k-- {
		o := ops[k]
		if a := adj[o>>32]; a != 0 {
			adj[uint32(o)] += a * parts[k]
		}
	}
}

// SetTangent sets the tangent (directional derivative seed) of the variable
// x for the next Forward sweep; on a second-order tape, the direction v of
// the Hessian-vector product, propagated as the operations that use x are
// recorded (so seed x before recording them). Like SetAdjoint, it does nothing for a
// passive x, whose tangent is 0 in every direction, and panics for an active
// x the tape cannot use.
func (t *Tape) SetTangent(x Number, d float64) {
	if x.ref == 0 {
		return
	}
	t.check(x)
	t.tan.upTo(t.nStmt, 2*t.nStmt)[x.idx()] = d
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
// Jacobian-vector product. It panics on a tape holding a checkpointed
// segment (Checkpoint), which has no tangent sweep.
func (t *Tape) Forward() {
	if t == nil || t.nStmt == 0 {
		return
	}
	if len(t.segs) != 0 {
		panic("aad: Forward on a tape with a checkpointed segment: Checkpoint is for backward sweeps only")
	}
	tan := t.tan.upTo(t.nStmt, 2*t.nStmt)
	ops := t.ops[:t.nOps]
	parts := t.partials[:t.nOps]
	parts = parts[:len(ops)]
	// Operands come grouped by statement, in order: the first operand of
	// a statement starts its tangent afresh. Variables own no operand and
	// keep their seeds.
	owner := uint64(0)
	d := 0.0
	for k, o := range ops {
		if own := o >> 32; own != owner {
			tan[owner] = d
			owner, d = own, 0
		}
		if dt := tan[uint32(o)]; dt != 0 { // as the backward sweep skips zero adjoints
			d += parts[k] * dt
		}
	}
	if owner != 0 {
		tan[owner] = d
	}
}

// Tangent returns the tangent of x computed by the last Forward sweep; 0 for
// a passive x.
func (t *Tape) Tangent(x Number) float64 {
	if x.ref == 0 {
		return 0
	}
	t.check(x)
	return t.tan.at(int(x.idx()))
}

// AdjointsTo writes the adjoint of each xs[i] into dst[i] (0 for a passive
// one) and returns dst[:len(xs)], allocated if dst is nil or too short:
// Adjoint for many Numbers at once, as a hand-written adjoint of a Monte
// Carlo step reads its path's. It panics as Adjoint does for a Number of
// another tape.
func (t *Tape) AdjointsTo(dst []float64, xs []Number) []float64 {
	if len(dst) < len(xs) {
		dst = make([]float64, len(xs))
	}
	dst = dst[:len(xs)]
	for i, x := range xs {
		if x.ref == 0 {
			dst[i] = 0
			continue
		}
		t.check(x)
		dst[i] = t.adj.at(int(x.idx()))
	}
	return dst
}
