package aad

import (
	"math"

	"github.com/aadrisk/aadrisk/internal/fastmath"
)

// Fused statements record one statement with several operands where the
// elementary operations would record several statements. Go has no operator
// overloading or expression templates; fusing the patterns pricers use most
// is how a tape stays short and its sweep fast.

// MulAdd returns a·b + c as one statement.
func (t *Tape) MulAdd(a, b, c Number) Number {
	return t.rec3(a.v*b.v+c.v, a, b.v, b, a.v, c, 1)
}

// mulAdd2 is MulAdd in second-order mode: ∂²/∂a∂b = 1 is its only second
// derivative.
func (t *Tape) mulAdd2(a, b, c Number) Number {
	// With a or b passive (a step's deviation times a passive draw) it is
	// linear in the other two.
	if b.ref == 0 {
		return t.s2(a.v*b.v+c.v, a, b.v, c, 1, 0, 0, 0)
	}
	if a.ref == 0 {
		return t.s2(a.v*b.v+c.v, b, a.v, c, 1, 0, 0, 0)
	}
	args, p, dp := t.scratch(3)
	args[0], args[1], args[2] = a, b, c
	p[0], p[1], p[2] = b.v, a.v, 1
	dp[0], dp[1], dp[2] = t.tg(b), t.tg(a), 0
	return t.recN2(a.v*b.v+c.v, args, p, dp)
}

// MulExp returns a·eᵇ as one statement: the log-Euler step of a lognormal
// path, and a discounted amount.
func (t *Tape) MulExp(a, b Number) Number {
	e := fastmath.Exp(b.v)
	v := a.v * e
	if t.so() {
		return t.s2(v, a, e, b, v, 0, e, v)
	}
	return t.rec2(v, a, e, b, v)
}

// Sum returns the sum of xs, in order, as one statement. Sum of nothing is
// the passive 0.
func (t *Tape) Sum(xs ...Number) Number {
	if t == nil {
		v := 0.0
		for _, x := range xs {
			if x.ref != 0 {
				activeOnNil()
			}
			v += x.v
		}
		return Number{v: v}
	}
	if t.second {
		v := 0.0
		for _, x := range xs {
			v += x.v
		}
		return t.linear2(v, xs, nil)
	}
	n := len(xs)
	if t.nOps+n > len(t.ops) || t.nStmt+1 >= math.MaxUint32 {
		t.grow(n)
	}
	k0, hi, lim := t.nOps, t.hi, uint64(t.nStmt)
	own := lim << 32
	ops, parts := t.ops[k0:k0+n:k0+n], t.partials[k0:k0+n:k0+n]
	v, j := 0.0, 0
	for _, x := range xs {
		v += x.v
		if x.ref != 0 && j < len(ops) {
			if x.ref^hi >= lim {
				t.misuse(x)
			}
			ops[j], parts[j] = uint64(x.idx())|own, 1
			j++
		}
	}
	if j == 0 {
		return Number{v: v}
	}
	return t.close(v, k0+j)
}

// Dot returns Σ xs[i]·ys[i] as one statement. Either side may hold active or
// passive numbers. It panics if the lengths differ.
func (t *Tape) Dot(xs, ys []Number) Number {
	if len(xs) != len(ys) {
		panic("aad: Dot of slices of different lengths")
	}
	ys = ys[:len(xs)]
	v, n := 0.0, 0
	for i, x := range xs {
		v += x.v * ys[i].v
		if x.ref != 0 {
			n++
		}
		if ys[i].ref != 0 {
			n++
		}
	}
	if t.so() {
		return t.dot2(v, xs, ys)
	}
	k0, ok := t.open(n)
	if !ok {
		return Number{v: v}
	}
	ops, parts := t.ops[k0:k0+n:k0+n], t.partials[k0:k0+n:k0+n]
	own := uint64(t.nStmt) << 32
	j := 0
	for i, x := range xs {
		y := ys[i]
		if x.ref != 0 {
			t.check(x)
			ops[j], parts[j] = uint64(x.idx())|own, y.v
			j++
		}
		if y.ref != 0 {
			t.check(y)
			ops[j], parts[j] = uint64(y.idx())|own, x.v
			j++
		}
	}
	return t.close(v, k0+n)
}

// DotConst returns Σ w[i]·xs[i] for constant weights w as one statement: a
// basket, a row of a Cholesky factor times the draws. It panics if the
// lengths differ.
func (t *Tape) DotConst(xs []Number, w []float64) Number {
	if len(xs) != len(w) {
		panic("aad: DotConst of slices of different lengths")
	}
	w = w[:len(xs)]
	v, n := 0.0, 0
	for i, x := range xs {
		v += x.v * w[i]
		if x.ref != 0 {
			n++
		}
	}
	if t.so() {
		return t.linear2(v, xs, w)
	}
	k0, ok := t.open(n)
	if !ok {
		return Number{v: v}
	}
	ops, parts := t.ops[k0:k0+n:k0+n], t.partials[k0:k0+n:k0+n]
	own := uint64(t.nStmt) << 32
	j := 0
	for i, x := range xs {
		if x.ref != 0 {
			t.check(x)
			ops[j], parts[j] = uint64(x.idx())|own, w[i]
			j++
		}
	}
	return t.close(v, k0+n)
}

// Custom records v as a function of args whose partial derivatives
// ∂v/∂args[i] = partials[i] the caller has computed. It is the escape hatch
// for code with a hand-derived local Jacobian (an interpolation, a root
// solve differentiated by the implicit function theorem): one statement
// instead of many. Passive args are left out. It panics if the lengths
// differ.
func (t *Tape) Custom(v float64, args []Number, partials []float64) Number {
	if len(args) != len(partials) {
		panic("aad: Custom with different numbers of args and partials")
	}
	partials = partials[:len(args)]
	if t == nil {
		for _, x := range args {
			if x.ref != 0 {
				activeOnNil()
			}
		}
		return Number{v: v}
	}
	if t.second {
		noSecond("Custom")
	}
	// One pass over args: make room for all of them, passive or not, and
	// keep the active ones.
	if t.nOps+len(args) > len(t.ops) || t.nStmt+1 >= math.MaxUint32 {
		t.grow(len(args))
	}
	i, k, hi := t.nStmt, t.nOps, t.hi
	as, ps := t.ops[k:k+len(args)], t.partials[k:k+len(args)]
	own := uint64(i) << 32
	j := 0
	for n, x := range args {
		if x.ref != 0 {
			// t.check(x), with the tape's fields read once, not after
			// every store into the tape's arrays.
			if x.ref^hi >= uint64(i) {
				t.misuse(x)
			}
			as[j], ps[j] = uint64(x.idx())|own, partials[n]
			j++
		}
	}
	if j == 0 {
		return Number{v: v}
	}
	t.nOps, t.nStmt = k+j, i+1
	return Number{v: v, ref: hi | uint64(i)}
}

// open prepares a statement with n active operands and returns the index of
// its first operand; ok is false when nothing is to be recorded (no active
// operand, or a nil tape).
func (t *Tape) open(n int) (k int, ok bool) {
	if t == nil {
		if n != 0 {
			activeOnNil()
		}
		return 0, false
	}
	if n == 0 {
		return 0, false
	}
	if t.nOps+n > len(t.ops) || t.nStmt+1 >= math.MaxUint32 {
		t.grow(n)
	}
	return t.nOps, true
}

// close ends the statement opened by open whose operands end at k.
func (t *Tape) close(v float64, k int) Number {
	i := t.nStmt
	t.nOps = k
	t.nStmt = i + 1
	return Number{v: v, ref: t.hi | uint64(i)}
}

// SmoothStep returns a smoothed Heaviside step H(a) (1 for a > 0, else 0)
// for payoffs such as digitals and barriers, whose exact pathwise derivative
// is zero almost everywhere. On |a| < width it is the cubic
// 1/2 + 3u/4 − u³/4 with u = a/width, which joins 0 and 1 with a continuous
// first derivative; outside that band it equals the step exactly and is
// passive. A width ≤ 0 gives the exact step.
func (t *Tape) SmoothStep(a Number, width float64) Number {
	if t == nil && a.ref != 0 {
		activeOnNil()
	}
	if !(a.v > -width && a.v < width) {
		if a.v > 0 {
			return Number{v: 1}
		}
		if a.v != a.v {
			return Number{v: a.v}
		}
		return Number{}
	}
	u := a.v / width
	if t.so() {
		return t.s1(0.5+0.25*u*(3-u*u), a, 0.75*(1-u*u)/width, -1.5*u/(width*width))
	}
	return t.rec1(0.5+0.25*u*(3-u*u), a, 0.75*(1-u*u)/width)
}

// SmoothMax returns a smoothed max(a, b) for payoffs: the integral of
// SmoothStep, so it equals max(a, b) exactly (and is a or b itself) where
// |a − b| ≥ width, and in between is the quartic b + width·g(u),
// u = (a−b)/width, g(u) = 3/16 + u/2 + 3u²/8 − u⁴/16, which has continuous
// first and second derivatives. It exceeds max(a, b) by at most 3·width/16,
// at a = b. A width ≤ 0 gives the exact Max.
func (t *Tape) SmoothMax(a, b Number, width float64) Number {
	d := a.v - b.v
	if !(d > -width && d < width) {
		return t.Max(a, b)
	}
	u := d / width
	u2 := u * u
	g := 0.1875 + u*(0.5+u*(0.375-0.0625*u2))
	h := 0.5 + 0.25*u*(3-u2)
	if t.so() {
		s := 0.75 * (1 - u2) / width // ∂²/∂a² = −∂²/∂a∂b = ∂²/∂b²
		return t.s2(b.v+width*g, a, h, b, 1-h, s, -s, s)
	}
	return t.rec2(b.v+width*g, a, h, b, 1-h)
}

// Custom4 is Custom for a statement of at most four operands, given without
// slices: the per-step statement of a Monte Carlo scheme whose local
// Jacobian is derived by hand (a local-vol node's time slope, a Heston
// step's variance). Passive operands are left out, as in Custom; pass the
// passive zero Number for an unused one.
func (t *Tape) Custom4(v float64, a Number, da float64, b Number, db float64, c Number, dc float64, d Number, dd float64) Number {
	if t == nil {
		if a.ref|b.ref|c.ref|d.ref != 0 {
			activeOnNil()
		}
		return Number{v: v}
	}
	if t.second {
		noSecond("Custom4")
	}
	n := 0
	for _, x := range [...]uint64{a.ref, b.ref, c.ref, d.ref} {
		if x != 0 {
			n++
		}
	}
	k, ok := t.open(n)
	if !ok {
		return Number{v: v}
	}
	own := uint64(t.nStmt) << 32
	put := func(x Number, dx float64) {
		if x.ref != 0 {
			t.check(x)
			t.ops[k], t.partials[k] = uint64(x.idx())|own, dx
			k++
		}
	}
	put(a, da)
	put(b, db)
	put(c, dc)
	put(d, dd)
	return t.close(v, k)
}
