package aad

import "math"

// Second order: tangent over adjoint.
//
// On a tape in second-order mode every statement is recorded, besides its
// partials p_i = ∂y/∂x_i, with its tangent ẏ = Σ p_i·ẋ_i (the forward mode,
// run while recording from the seeds set with SetTangent) and the tangents
// of its partials ṗ_i = Σ_j ∂²y/∂x_i∂x_j·ẋ_j, one per operand in dpart. The
// second-order sweep (sweep2) propagates the adjoints and their tangents
// together: x̄_i += p_i·ȳ and ẋ̄_i += ṗ_i·ȳ + p_i·ẏ̄. Seeded with ȳ = 1 and
// ẏ̄ = 0, the adjoints of the inputs are the gradient and their tangents
// the Hessian-vector product H·ẋ.
//
// None of this touches the first-order path: the value tangents live in
// tan (the slice Forward fills), the tangents of the partials in dpart and
// the adjoint tangents in adt, which first-order recording and the
// first-order sweep never read or write. Each recording operation tests the
// mode once, with one predictable branch, and the sweeps once per sweep.
// The cheap operations (Add, Sub, Mul, Neg, the constant forms, Square,
// MulAdd), whose second derivatives are constants, test it inside rec1h,
// rec2h and rec3, so that they stay small enough to inline; the others
// test it before computing their second derivatives, which first order
// never pays for.

// SetSecondOrder switches t to second-order mode (on) or back to first
// order, and Resets it: the mode is chosen for a whole recording. The mode
// stays across Reset. On a nil tape it does nothing.
//
// In second-order mode, seed the direction v with SetTangent on each input
// right after recording it (Var, Vars) and before recording any operation
// that uses it: the tangents are propagated as the statements are recorded.
// HessianVector (or Backward and its mark forms, then Adjoint and
// AdjointTangent) then gives the gradient and H·v from one sweep. Custom and
// Custom4, whose callers supply no second derivatives, panic on such a
// tape; Custom2 takes them.
func (t *Tape) SetSecondOrder(on bool) {
	if t == nil {
		return
	}
	t.second = on
	t.init()
}

// SecondOrder reports whether t is in second-order mode.
func (t *Tape) SecondOrder() bool { return t != nil && t.second }

// so reports whether t records second order: the one branch each recording
// operation pays for the mode.
func (t *Tape) so() bool { return t != nil && t.second }

// tg returns the recorded tangent of x (0 for a passive x).
func (t *Tape) tg(x Number) float64 { return t.tan.at(int(x.idx())) }

// setTan stores ẏ for statement i, the last recorded.
func (t *Tape) setTan(i int, d float64) {
	t.tan.upTo(i+1, 2*(i+1))[i] = d
}

// dparts returns the tangents of the partials, with room for every operand
// recorded so far.
func (t *Tape) dparts() []float64 {
	if len(t.dpart) < t.nOps {
		a := make([]float64, max(len(t.ops), t.nOps))
		copy(a, t.dpart)
		t.dpart = a
	}
	return t.dpart
}

// nz returns h·d, or 0 when d is 0 (so that an infinite h with no tangent
// gives 0, as the sweeps skip zero adjoints).
func nz(h, d float64) float64 {
	if d == 0 {
		return 0
	}
	return h * d
}

// s1 records v = f(a) with ∂f/∂a = da and ∂²f/∂a² = h, in second-order mode,
// on a non-nil t.
func (t *Tape) s1(v float64, a Number, da, h float64) Number {
	if a.ref == 0 {
		return Number{v: v}
	}
	i, k := t.nStmt, t.nOps
	if a.ref^t.hi >= uint64(i) {
		t.misuse(a)
	}
	if k+1 > len(t.ops) || k+1 > len(t.dpart) || i+1 > len(t.tan.vals) || i+1 >= math.MaxUint32 {
		return t.s1Grow(v, a, da, h)
	}
	// The common case written out, as rec1 does: the operand, its partial
	// and the partial's tangent, then the result's tangent.
	ta := t.tan.at(int(a.idx()))
	t.ops[k] = uint64(a.idx()) | uint64(i)<<32
	t.partials[k] = da
	t.dpart[k] = nz(h, ta)
	t.putTan(i, nz(da, ta))
	t.nOps, t.nStmt = k+1, i+1
	return Number{v: v, ref: t.hi | uint64(i)}
}

// putTan stores ẏ for statement i, with room for it in tan, zeroing the
// tangents of the variables recorded since the last one stored.
func (t *Tape) putTan(i int, d float64) {
	tv := t.tan.vals[:i+1]
	if t.tan.valid < i {
		clear(tv[t.tan.valid:i])
	}
	tv[i] = d
	t.tan.valid = i + 1
}

// s1Grow is s1 when the tape needs room first.
func (t *Tape) s1Grow(v float64, a Number, da, h float64) Number {
	y := t.rec1(v, a, da)
	ta := t.tg(a)
	t.dparts()[t.nOps-1] = nz(h, ta)
	t.setTan(int(y.idx()), nz(da, ta))
	return y
}

// s2 records v = f(a, b) with partials da, db and second derivatives haa,
// hab, hbb, in second-order mode, on a non-nil t.
func (t *Tape) s2(v float64, a Number, da float64, b Number, db, haa, hab, hbb float64) Number {
	if a.ref == 0 {
		return t.s1(v, b, db, hbb)
	}
	if b.ref == 0 {
		return t.s1(v, a, da, haa)
	}
	i, k := t.nStmt, t.nOps
	if a.ref^t.hi >= uint64(i) {
		t.misuse(a)
	}
	if b.ref^t.hi >= uint64(i) {
		t.misuse(b)
	}
	if k+2 > len(t.ops) || k+2 > len(t.dpart) || i+1 > len(t.tan.vals) || i+1 >= math.MaxUint32 {
		return t.s2Grow(v, a, da, b, db, haa, hab, hbb)
	}
	ta, tb := t.tan.at(int(a.idx())), t.tan.at(int(b.idx()))
	own := uint64(i) << 32
	t.ops[k], t.ops[k+1] = uint64(a.idx())|own, uint64(b.idx())|own
	t.partials[k], t.partials[k+1] = da, db
	t.dpart[k], t.dpart[k+1] = nz(haa, ta)+nz(hab, tb), nz(hab, ta)+nz(hbb, tb)
	t.putTan(i, nz(da, ta)+nz(db, tb))
	t.nOps, t.nStmt = k+2, i+1
	return Number{v: v, ref: t.hi | uint64(i)}
}

// s2Grow is s2, with both operands active, when the tape needs room first.
func (t *Tape) s2Grow(v float64, a Number, da float64, b Number, db, haa, hab, hbb float64) Number {
	k0 := t.nOps
	y := t.rec2(v, a, da, b, db)
	ta, tb := t.tg(a), t.tg(b)
	dp := t.dparts()
	dp[k0], dp[k0+1] = nz(haa, ta)+nz(hab, tb), nz(hab, ta)+nz(hbb, tb)
	t.setTan(int(y.idx()), nz(da, ta)+nz(db, tb))
	return y
}

// linear2 records, in second-order mode, the linear statement of value v
// with constant partials w_i (w nil: all ones) on xs: the tangents of its
// partials are 0.
func (t *Tape) linear2(v float64, xs []Number, w []float64) Number {
	_, p, dp := t.scratch(len(xs))
	for i := range xs {
		p[i], dp[i] = 1, 0
		if w != nil {
			p[i] = w[i]
		}
	}
	return t.recN2(v, xs, p, dp)
}

// recN2 records, in second-order mode, v over the active ones among args
// with partials p and tangents of the partials dp (computed by the caller
// for every arg, passive ones included, which are left out).
func (t *Tape) recN2(v float64, args []Number, p, dp []float64) Number {
	n := len(args)
	p, dp = p[:n], dp[:n]
	if t.nOps+n > len(t.ops) || t.nStmt+1 >= math.MaxUint32 {
		t.grow(n)
	}
	i, k := t.nStmt, t.nOps
	own := uint64(i) << 32
	ops, parts := t.ops[k:k+n], t.partials[k:k+n]
	t.nOps += n // room in dpart for all of them
	dps := t.dparts()[k : k+n]
	t.nOps = k
	j, d := 0, 0.0
	for m, x := range args {
		if x.ref != 0 {
			t.check(x)
			ops[j], parts[j], dps[j] = uint64(x.idx())|own, p[m], dp[m]
			d += nz(p[m], t.tg(x))
			j++
		}
	}
	if j == 0 {
		return Number{v: v}
	}
	t.nOps, t.nStmt = k+j, i+1
	t.setTan(i, d)
	return Number{v: v, ref: t.hi | uint64(i)}
}

// scratch returns t's scratch slices of at least n entries each.
func (t *Tape) scratch(n int) ([]Number, []float64, []float64) {
	if len(t.sArgs) < n {
		t.sArgs = make([]Number, 2*n)
		t.sP = make([]float64, 2*n)
		t.sDP = make([]float64, 2*n)
	}
	return t.sArgs[:n], t.sP[:n], t.sDP[:n]
}

// dot2 is Dot in second-order mode: ∂/∂x_i = y_i, ∂/∂y_i = x_i, and the
// only second derivatives are ∂²/∂x_i∂y_i = 1, so ṗ(x_i) = ẏ_i, ṗ(y_i) = ẋ_i.
func (t *Tape) dot2(v float64, xs, ys []Number) Number {
	args, p, dp := t.scratch(2 * len(xs))
	for i, x := range xs {
		y := ys[i]
		args[2*i], p[2*i], dp[2*i] = x, y.v, t.tg(y)
		args[2*i+1], p[2*i+1], dp[2*i+1] = y, x.v, t.tg(x)
	}
	return t.recN2(v, args, p, dp)
}

// Custom2 is Custom with second-order partials: it records v as a function
// of args with partials ∂v/∂args[i] = partials[i] and second derivatives
// ∂²v/∂args[i]∂args[j] = hess[i·n+j] (n = len(args); a symmetric n×n matrix,
// row by row), which the second-order mode needs. On a first-order tape it
// is Custom and hess is not read. It panics if the lengths do not match.
func (t *Tape) Custom2(v float64, args []Number, partials, hess []float64) Number {
	n := len(args)
	if len(partials) != n || len(hess) != n*n {
		panic("aad: Custom2 with len(partials) ≠ len(args) or len(hess) ≠ len(args)²")
	}
	if !t.so() {
		return t.Custom(v, args, partials)
	}
	_, tan, dp := t.scratch(n)
	// A direction seeds few inputs (one spot, the vols): the columns of
	// the operands without a tangent are skipped once, not n times.
	if cap(t.sIdx) < n {
		t.sIdx = make([]int, 2*n)
	}
	cols := t.sIdx[:0]
	for j, x := range args {
		if x.ref != 0 {
			if d := t.tg(x); d != 0 {
				tan[len(cols)] = d
				cols = append(cols, j)
			}
		}
	}
	for i := range args {
		row, d := hess[i*n:(i+1)*n], 0.0
		for k, j := range cols {
			d += row[j] * tan[k]
		}
		dp[i] = d
	}
	return t.recN2(v, args, partials, dp)
}

func noSecond(what string) {
	panic("aad: " + what + " on a second-order tape: its caller gives no second derivatives (use Custom2)")
}

// AdjointTangent returns the tangent of the adjoint of x after a
// second-order sweep: seeded with SetAdjoint(y, 1), the x-row of the
// Hessian of y times the tangent seeds, (H·v)_x. It is 0 for a passive x.
func (t *Tape) AdjointTangent(x Number) float64 {
	if x.ref == 0 {
		return 0
	}
	t.check(x)
	return t.adt.at(int(x.idx()))
}

// HessianVector clears the adjoints and their tangents, seeds y with 1 and
// sweeps backward in second order: it writes ∂y/∂xs[i] into grad[i] and
// (H·v)_i into hv[i], for H the Hessian of y with respect to xs and v the
// tangents set with SetTangent, and returns grad[:len(xs)] and
// hv[:len(xs)], each allocated if nil or too short. It panics if t is not
// in second-order mode.
func (t *Tape) HessianVector(grad, hv []float64, y Number, xs []Number) ([]float64, []float64) {
	if !t.so() {
		panic("aad: HessianVector on a tape not in second-order mode (SetSecondOrder)")
	}
	if len(grad) < len(xs) {
		grad = make([]float64, len(xs))
	}
	if len(hv) < len(xs) {
		hv = make([]float64, len(xs))
	}
	grad, hv = grad[:len(xs)], hv[:len(xs)]
	t.ClearAdjoints()
	if y.ref != 0 {
		t.check(y)
		adj, adt := t.validateAdjoints(), t.validateAdjointTangents()
		adj[y.idx()] = 1
		t.sweep2(adj, adt, 0, t.nOps)
	}
	for i, x := range xs {
		grad[i], hv[i] = t.Adjoint(x), t.AdjointTangent(x)
	}
	return grad, hv
}

// validateAdjointTangents returns the adjoint tangents of every statement.
func (t *Tape) validateAdjointTangents() []float64 {
	return t.adt.upTo(t.nStmt, 2*t.nStmt)
}

// sweep2 is the second-order sweep over operands [lo, hi), from the last:
// x̄ += p·ȳ and ẋ̄ += ṗ·ȳ + p·ẏ̄, skipping statements whose adjoint and
// adjoint tangent are both 0 (and the ṗ·ȳ term where ȳ is 0).
func (t *Tape) sweep2(adj, adt []float64, lo, hi int) {
	ops := t.ops[lo:hi]
	parts := t.partials[lo:hi]
	parts = parts[:len(ops)]
	dps := t.dparts()[lo:hi]
	dps = dps[:len(ops)]
	adt = adt[:len(adj)]
	for k := len(ops) - 1; k >= 0; k-- {
		o := ops[k]
		own, j := o>>32, uint32(o)
		a, d := adj[own], adt[own]
		if a != 0 {
			p := parts[k]
			adj[j] += a * p
			adt[j] += a*dps[k] + d*p
		} else if d != 0 {
			adt[j] += d * parts[k]
		}
	}
}
