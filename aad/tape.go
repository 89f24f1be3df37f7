package aad

import (
	"fmt"
	"math"
	"unsafe"
)

// Number is a real number that may be recorded on a Tape.
//
// A Number is a small value: its float64 value, the index of the statement
// that produced it on a tape, and a tag that identifies the tape and the
// generation of that tape (it changes on every Reset). A Number with no
// statement is passive: a constant that carries no derivative. The zero
// Number is the passive constant 0.
type Number struct {
	v   float64
	idx uint32 // statement index on the tape; 0 means passive
	tag uint32 // tape identity and generation; meaningful only when idx != 0
}

// Const returns the passive constant v. Operations treat it as a constant:
// nothing is recorded for it and it has no adjoint.
func Const(v float64) Number { return Number{v: v} }

// Value returns the value of x.
func (x Number) Value() float64 { return x.v }

// Active reports whether x was recorded on a tape, that is, whether it has a
// derivative with respect to the tape's variables.
func (x Number) Active() bool { return x.idx != 0 }

// String formats x's value with %g, marking active numbers with a trailing '*'.
func (x Number) String() string {
	if x.idx != 0 {
		return fmt.Sprintf("%g*", x.v)
	}
	return fmt.Sprintf("%g", x.v)
}

// Tape records the statements of a computation over Numbers so that their
// derivatives can be propagated by a backward (adjoint) or forward (tangent)
// sweep.
//
// A Tape is owned by one goroutine at a time and is meant to be reused: Reset
// and RewindToMark keep the memory, so that after a warm-up a computation
// records and sweeps with no heap allocation. Its storage is flat: for every
// statement the end of its operand list, and for every operand the index of
// the statement it refers to and the partial derivative computed when the
// statement was recorded.
//
// The zero Tape is ready to use. A nil *Tape is also valid for every
// operation and means passive evaluation: the operations compute values
// only and record nothing, so that one pricer serves both recording and
// bump-and-revalue runs. A Tape must not be copied after first use.
type Tape struct {
	_ noCopy

	// Statement i (i >= 1) has operands [ends[i-1], ends[i]) in args and
	// partials. Statement 0 is a sentinel with no operands, so that index 0
	// can mean "passive" in a Number.
	ends     []uint32
	args     []uint32
	partials []float64
	nStmt    int // statements recorded, including the sentinel
	nOps     int // operands recorded

	adj lazySlice // adjoints, per statement
	tan lazySlice // tangents, per statement

	scratch []float64 // per-call working space of batched operations

	tag uint32
	gen uint32
}

// noCopy lets go vet's copylocks check flag copies of a Tape.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// NewTape returns an empty tape with room for about n statements of two
// operands each before it first grows. A zero Tape works as well; NewTape
// only saves the first growth steps.
func NewTape(n int) *Tape {
	t := &Tape{}
	if n < 1 {
		n = 1
	}
	t.ends = make([]uint32, n+1)
	t.args = make([]uint32, 2*n)
	t.partials = make([]float64, 2*n)
	t.init()
	return t
}

// init gives t its sentinel statement and a tag derived from its address and
// generation, so that Numbers from other tapes or from before a Reset are
// (almost always) recognised without any shared state between tapes.
func (t *Tape) init() {
	if len(t.ends) == 0 {
		t.ends = make([]uint32, 64)
		t.args = make([]uint32, 128)
		t.partials = make([]float64, 128)
	}
	t.ends[0] = 0
	t.nStmt = 1
	t.nOps = 0
	t.adj.truncate(0)
	t.tan.truncate(0)
	t.gen++
	addr := uint32(uintptr(unsafe.Pointer(t)) >> 4)
	t.tag = (addr*0x9E3779B1 ^ t.gen*0x85EBCA77) | 1
}

// Var records an independent variable (an input of the computation) with
// value v and returns it. On a nil tape it returns the passive constant v.
func (t *Tape) Var(v float64) Number {
	if t == nil {
		return Number{v: v}
	}
	if t.nStmt == 0 {
		t.init()
	}
	return t.push0(v)
}

// Reset forgets everything recorded and keeps the memory for reuse. Numbers
// recorded before the Reset must not be used afterwards: an operation that
// meets one panics. On a nil tape it does nothing.
func (t *Tape) Reset() {
	if t != nil {
		t.init()
	}
}

// Mark is a position on a tape, taken with Tape.Mark.
type Mark struct {
	stmt, ops int
	tag       uint32
}

// Mark returns the current end of the tape. Everything recorded so far stays
// valid across RewindToMark(m). On a nil tape it returns the zero Mark.
func (t *Tape) Mark() Mark {
	if t == nil {
		return Mark{}
	}
	if t.nStmt == 0 {
		t.init()
	}
	return Mark{stmt: t.nStmt, ops: t.nOps, tag: t.tag}
}

// RewindToMark forgets every statement recorded after m, keeping the memory
// and the statements before m with their adjoints. This is the Monte Carlo
// pattern: record the set-up once, Mark, then per path rewind, record the
// path, and BackwardToMark. On a nil tape it does nothing.
func (t *Tape) RewindToMark(m Mark) {
	if t == nil {
		return
	}
	t.checkMark(m)
	t.nStmt = m.stmt
	t.nOps = m.ops
	t.adj.truncate(m.stmt)
	t.tan.truncate(m.stmt)
}

func (t *Tape) checkMark(m Mark) {
	if m.tag != t.tag || m.stmt > t.nStmt {
		panic("aad: mark from another tape, from before a Reset, or after a rewind past it")
	}
}

// Len returns the number of statements recorded (variables included).
func (t *Tape) Len() int {
	if t == nil || t.nStmt == 0 {
		return 0
	}
	return t.nStmt - 1
}

// Stats describes a tape's size, for tests, benchmarks and capacity planning.
type Stats struct {
	Statements    int // statements recorded, variables included
	Operands      int // operands of those statements (active arguments)
	BytesUsed     int // bytes of tape storage the recorded statements occupy, adjoints included
	BytesReserved int // bytes the tape holds for reuse
}

// Stats returns the tape's current size.
func (t *Tape) Stats() Stats {
	if t == nil {
		return Stats{}
	}
	const perStmt = 4 + 8 // end index + adjoint
	const perOp = 4 + 8   // argument index + partial
	return Stats{
		Statements:    t.Len(),
		Operands:      t.nOps,
		BytesUsed:     t.nStmt*perStmt + t.nOps*perOp,
		BytesReserved: 4*cap(t.ends) + 8*cap(t.adj.vals) + 8*cap(t.tan.vals) + 4*cap(t.args) + 8*cap(t.partials),
	}
}

// check panics if x, an active Number, does not belong to t as it is now.
func (t *Tape) check(x Number) {
	if x.tag != t.tag || int(x.idx) >= t.nStmt {
		t.misuse(x)
	}
}

func (t *Tape) misuse(x Number) {
	if x.tag != t.tag {
		panic(fmt.Sprintf("aad: Number %v was recorded on another tape or before a Reset of this one", x))
	}
	panic(fmt.Sprintf("aad: Number %v was recorded after the mark this tape was rewound to", x))
}

// activeOnNil panics: an active Number reached a nil tape, where its
// derivative would be silently lost.
func activeOnNil() {
	panic("aad: active Number used with a nil tape; pass the tape it was recorded on")
}

// grow makes room for one more statement with k more operands.
func (t *Tape) grow(k int) { t.growBy(1, k) }

// growBy makes room for n more statements with k more operands in all.
func (t *Tape) growBy(n, k int) {
	if t.nStmt == 0 {
		t.init()
	}
	if t.nStmt+n > len(t.ends) {
		if t.nStmt+n >= math.MaxUint32 {
			panic("aad: tape exceeds 2^32 statements")
		}
		t.ends = growU32(t.ends, t.nStmt+n)
	}
	if t.nOps+k > len(t.args) {
		if t.nOps+k > math.MaxUint32 {
			panic("aad: tape exceeds 2^32 operands")
		}
		t.args = growU32(t.args, t.nOps+k)
		t.partials = growF64(t.partials, t.nOps+k)
	}
}

func growU32(s []uint32, need int) []uint32 {
	n := make([]uint32, max(need, 2*len(s)))
	copy(n, s)
	return n
}

func growF64(s []float64, need int) []float64 {
	n := make([]float64, max(need, 2*len(s)))
	copy(n, s)
	return n
}

// push0 records a statement with no operands: a variable.
func (t *Tape) push0(v float64) Number {
	if t.nStmt+1 > len(t.ends) {
		t.grow(0)
	}
	i := t.nStmt
	t.ends[i] = uint32(t.nOps)
	t.nStmt = i + 1
	return Number{v: v, idx: uint32(i), tag: t.tag}
}

// push1 records a statement with one operand a (active, already checked).
func (t *Tape) push1(v float64, a uint32, da float64) Number {
	i, k := t.nStmt, t.nOps
	if i+1 > len(t.ends) || k+1 > len(t.args) {
		t.grow(1)
	}
	t.args[k] = a
	t.partials[k] = da
	t.nOps = k + 1
	t.ends[i] = uint32(k + 1)
	t.nStmt = i + 1
	return Number{v: v, idx: uint32(i), tag: t.tag}
}

// push2 records a statement with two active operands.
func (t *Tape) push2(v float64, a uint32, da float64, b uint32, db float64) Number {
	i, k := t.nStmt, t.nOps
	if i+1 > len(t.ends) || k+2 > len(t.args) {
		t.grow(2)
	}
	args := t.args[k : k+2 : k+2]
	parts := t.partials[k : k+2 : k+2]
	args[0], args[1] = a, b
	parts[0], parts[1] = da, db
	t.nOps = k + 2
	t.ends[i] = uint32(k + 2)
	t.nStmt = i + 1
	return Number{v: v, idx: uint32(i), tag: t.tag}
}

// rec1 records v = f(a) with ∂f/∂a = da; a passive a gives a passive result.
// On a nil tape it only returns the value.
func (t *Tape) rec1(v float64, a Number, da float64) Number {
	if t == nil || a.idx == 0 {
		if a.idx != 0 {
			activeOnNil()
		}
		return Number{v: v}
	}
	if a.tag != t.tag || int(a.idx) >= t.nStmt {
		t.misuse(a)
	}
	return t.push1(v, a.idx, da)
}

// rec2 records v = f(a, b) with partials da and db, leaving out passive
// operands.
func (t *Tape) rec2(v float64, a Number, da float64, b Number, db float64) Number {
	if t == nil {
		if a.idx|b.idx != 0 {
			activeOnNil()
		}
		return Number{v: v}
	}
	if a.idx == 0 {
		return t.rec1(v, b, db)
	}
	if b.idx == 0 {
		return t.rec1(v, a, da)
	}
	if a.tag != t.tag || int(a.idx) >= t.nStmt {
		t.misuse(a)
	}
	if b.tag != t.tag || int(b.idx) >= t.nStmt {
		t.misuse(b)
	}
	return t.push2(v, a.idx, da, b.idx, db)
}

// rec3 records v = f(a, b, c) with partials da, db and dc, leaving out
// passive operands.
func (t *Tape) rec3(v float64, a Number, da float64, b Number, db float64, c Number, dc float64) Number {
	if t == nil {
		if a.idx|b.idx|c.idx != 0 {
			activeOnNil()
		}
		return Number{v: v}
	}
	if a.idx == 0 {
		return t.rec2(v, b, db, c, dc)
	}
	if b.idx == 0 {
		return t.rec2(v, a, da, c, dc)
	}
	if c.idx == 0 {
		return t.rec2(v, a, da, b, db)
	}
	t.check(a)
	t.check(b)
	t.check(c)
	i, k := t.nStmt, t.nOps
	if i+1 > len(t.ends) || k+3 > len(t.args) {
		t.grow(3)
	}
	args := t.args[k : k+3 : k+3]
	parts := t.partials[k : k+3 : k+3]
	args[0], args[1], args[2] = a.idx, b.idx, c.idx
	parts[0], parts[1], parts[2] = da, db, dc
	t.nOps = k + 3
	t.ends[i] = uint32(k + 3)
	t.nStmt = i + 1
	return Number{v: v, idx: uint32(i), tag: t.tag}
}
