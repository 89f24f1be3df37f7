package aad

import (
	"fmt"
	"math"
	"sort"
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
	v float64
	// ref is 0 for a passive Number. For an active one, its low 32 bits
	// are the statement's index on the tape and its high 32 bits the tag
	// of the tape's identity and generation, which is never 0. One word
	// rather than two keeps a Number in two registers, so that a struct
	// of six (the inputs of a closed-form pricer) still goes to a function
	// in registers, and a Number's check against its tape is one
	// comparison: ref^hi < statements.
	ref uint64
}

// idx returns the index of x's statement; 0 for a passive x.
func (x Number) idx() uint32 { return uint32(x.ref) }

// Const returns the passive constant v. Operations treat it as a constant:
// nothing is recorded for it and it has no adjoint.
func Const(v float64) Number { return Number{v: v} }

// Value returns the value of x.
func (x Number) Value() float64 { return x.v }

// Active reports whether x was recorded on a tape, that is, whether it has a
// derivative with respect to the tape's variables.
func (x Number) Active() bool { return x.ref != 0 }

// String formats x's value with %g, marking active numbers with a trailing '*'.
func (x Number) String() string {
	if x.ref != 0 {
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
// operand of every statement, the index of the statement it refers to, the
// index of the statement it belongs to, and the partial derivative computed
// when the statement was recorded. Statements are numbered in the order they
// are recorded and own consecutive operands, so the backward sweep is one
// loop over the operands from the last, with no per-statement inner loop
// whose length the processor would have to predict.
//
// The zero Tape is ready to use. A nil *Tape is also valid for every
// operation and means passive evaluation: the operations compute values
// only and record nothing, so that one pricer serves both recording and
// bump-and-revalue runs. A Tape must not be copied after first use.
type Tape struct {
	_ noCopy

	// Operand k refers to statement uint32(ops[k]) and belongs to statement
	// ops[k]>>32, with partial derivative partials[k]. Statement 0 is a
	// sentinel, so that index 0 can mean "passive" in a Number.
	ops      []uint64
	partials []float64
	nStmt    int // statements recorded, including the sentinel
	nOps     int // operands recorded

	adj lazySlice // adjoints, per statement
	tan lazySlice // tangents, per statement

	// Second-order mode (second.go): the tangents of the partials, per
	// operand, and the tangents of the adjoints, per statement, with
	// scratch for the n-ary statements. First order never touches them.
	second  bool
	dpart   []float64
	adt     lazySlice
	sArgs   []Number
	sP, sDP []float64
	sIdx    []int // Custom2: the operands with a tangent

	// epoch counts rewinds; rewinds keeps the targets a stale mark is
	// checked against (a few entries: one per level of nested marks).
	epoch   uint64
	rewinds []rewind

	// hi is the tag of the tape's identity and generation, shifted to the
	// high half of a word: the high half of the ref of every Number
	// recorded since the last Reset.
	hi  uint64
	gen uint32

	// Checkpointed segments (checkpoint.go), in recording order, with
	// their storage kept across Reset, and the scratch of their replays.
	segs []segment
	ck   ckScratch
}

type rewind struct {
	epoch uint64
	stmt  int
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
	t.ops = make([]uint64, 2*n)
	t.partials = make([]float64, 2*n)
	t.init()
	return t
}

// init gives t its sentinel statement and a tag derived from its address and
// generation, so that Numbers from other tapes or from before a Reset are
// (almost always) recognised without any shared state between tapes.
func (t *Tape) init() {
	if len(t.ops) == 0 {
		t.ops = make([]uint64, 128)
		t.partials = make([]float64, 128)
	}
	t.nStmt = 1
	t.nOps = 0
	t.rewinds = t.rewinds[:0]
	t.adj.truncate(0)
	t.tan.truncate(0)
	t.adt.truncate(0)
	t.segs = t.segs[:0]
	t.gen++
	addr := uint32(uintptr(unsafe.Pointer(t)) >> 4)
	t.hi = uint64((addr*0x9E3779B1^t.gen*0x85EBCA77)|1) << 32
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

// Vars records an independent variable for each of vals, in order, writes
// them into dst and returns dst[:len(vals)], allocated if dst is nil or too
// short: Var for several inputs at once, with the tape's length updated
// once instead of per input. On a nil tape they are passive constants.
func (t *Tape) Vars(dst []Number, vals ...float64) []Number {
	if len(dst) < len(vals) {
		dst = make([]Number, len(vals))
	}
	dst = dst[:len(vals)]
	if t == nil {
		for i, v := range vals {
			dst[i] = Number{v: v}
		}
		return dst
	}
	if t.nStmt == 0 {
		t.init()
	}
	i := t.nStmt
	if i+len(vals) >= math.MaxUint32 {
		t.growBy(len(vals), 0) // panics: the tape is full
	}
	hi := t.hi
	for k, v := range vals {
		dst[k] = Number{v: v, ref: hi | uint64(i+k)}
	}
	t.nStmt = i + len(vals)
	return dst
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
	hi        uint64 // the tape's hi when the mark was taken
	epoch     uint64 // rewinds of the tape before the mark was taken
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
	return Mark{stmt: t.nStmt, ops: t.nOps, hi: t.hi, epoch: t.epoch}
}

// RewindToMark forgets every statement recorded after m, keeping the memory
// and the statements before m with their adjoints. It panics if m is from
// another tape, from before a Reset, or stale (the tape was rewound to an
// earlier mark after m was taken). This is the Monte Carlo
// pattern: record the set-up once, Mark, then per path rewind, record the
// path, and BackwardToMark. On a nil tape it does nothing.
func (t *Tape) RewindToMark(m Mark) {
	if t == nil {
		return
	}
	t.checkMark(m)
	// Record the rewind: every mark taken past m.stmt before now is stale.
	t.epoch++
	r := t.rewinds
	for len(r) > 0 && r[len(r)-1].stmt >= m.stmt {
		r = r[:len(r)-1]
	}
	t.rewinds = append(r, rewind{epoch: t.epoch, stmt: m.stmt})
	t.nStmt = m.stmt
	t.nOps = m.ops
	t.adj.truncate(m.stmt)
	t.tan.truncate(m.stmt)
	t.adt.truncate(m.stmt)
	g := t.segs
	for len(g) > 0 && g[len(g)-1].out0 >= m.stmt {
		g = g[:len(g)-1]
	}
	t.segs = g
}

func (t *Tape) checkMark(m Mark) {
	if m.hi != t.hi || m.stmt > t.nStmt {
		panic("aad: mark from another tape, from before a Reset, or after a rewind past it")
	}
	// rewinds holds, by increasing epoch, targets that increase too: the
	// first one after the mark was taken is the lowest the tape has been
	// rewound to since.
	r := t.rewinds
	i := sort.Search(len(r), func(i int) bool { return r[i].epoch > m.epoch })
	if i < len(r) && r[i].stmt < m.stmt {
		panic("aad: stale mark: the tape was rewound past it after it was taken")
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
	BytesUsed     int // bytes the recorded statements take to store and sweep: operands and partials, and an adjoint each; in second-order mode also a tangent and an adjoint tangent per statement and a partial's tangent per operand
	BytesReserved int // bytes the tape holds now; adjoints are allocated at the first sweep, so before it this can be less than BytesUsed
	// Checkpointed segments (Checkpoint) and the bytes of their stored
	// states, the initial one included: 8 per number, (s+1)·width per
	// segment of n steps, s the snapshots or n−1 if fewer. BytesUsed and BytesReserved include them, and the
	// replay scratch (four states and the parameters' adjoints); they do
	// not include what the Steps keep (a RecordedSteps' private tape).
	Checkpoints     int
	CheckpointBytes int
}

// Stats returns the tape's current size.
func (t *Tape) Stats() Stats {
	if t == nil {
		return Stats{}
	}
	perStmt := 8   // adjoint
	perOp := 8 + 8 // indices + partial
	if t.second {
		perStmt += 8 + 8 // tangent, adjoint tangent
		perOp += 8       // tangent of the partial
	}
	ckUsed, ckRes := 0, 0
	for _, g := range t.segs {
		ckUsed += 8 * len(g.slots)
	}
	for _, g := range t.segs[:cap(t.segs)] {
		ckRes += 8*cap(g.slots) + 4*cap(g.init) + 4*cap(g.params)
	}
	sc := &t.ck
	scratch := 8 * (len(sc.a) + len(sc.b) + len(sc.bar) + len(sc.bar2) + len(sc.pbar))
	if len(t.segs) == 0 {
		scratch = 0
	}
	return Stats{
		Statements: t.Len(),
		Operands:   t.nOps,
		BytesUsed:  t.nStmt*perStmt + t.nOps*perOp + ckUsed + scratch,
		BytesReserved: 8*cap(t.adj.vals) + 8*cap(t.tan.vals) + 8*cap(t.ops) + 8*cap(t.partials) +
			8*cap(t.dpart) + 8*cap(t.adt.vals) + 24*cap(t.sArgs) + ckRes +
			8*(cap(sc.a)+cap(sc.b)+cap(sc.bar)+cap(sc.bar2)+cap(sc.pbar)),
		Checkpoints:     len(t.segs),
		CheckpointBytes: ckUsed,
	}
}

// check panics if x, an active Number, does not belong to t as it is now.
func (t *Tape) check(x Number) {
	// One branch on the hot path, small enough to inline; the panics are
	// worked out in misuse.
	if t == nil || x.ref^t.hi >= uint64(t.nStmt) {
		t.misuse(x)
	}
}

// misuse panics for an active Number x that t cannot use: t is nil, or x
// was recorded on another tape, before a Reset or after the mark t was
// rewound to.
func (t *Tape) misuse(x Number) {
	if t == nil {
		activeOnNil()
	}
	if x.ref^t.hi > math.MaxUint32 {
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
	if t.nStmt+n >= math.MaxUint32 {
		panic("aad: tape exceeds 2^32 statements")
	}
	if t.nOps+k > len(t.ops) {
		need := max(t.nOps+k, 2*len(t.ops))
		ops := make([]uint64, need)
		copy(ops, t.ops[:t.nOps])
		t.ops = ops
		parts := make([]float64, need)
		copy(parts, t.partials[:t.nOps])
		t.partials = parts
	}
}

// push0 records a statement with no operands: a variable.
func (t *Tape) push0(v float64) Number {
	i := t.nStmt
	if i+1 >= math.MaxUint32 {
		t.growBy(1, 0)
	}
	t.nStmt = i + 1
	return Number{v: v, ref: t.hi | uint64(i)}
}

// push1 records a statement with one operand a (active, already checked).
func (t *Tape) push1(v float64, a uint32, da float64) Number {
	i, k := t.nStmt, t.nOps
	if k+1 > len(t.ops) || i+1 >= math.MaxUint32 {
		t.grow(1)
	}
	t.ops[k] = uint64(a) | uint64(i)<<32
	t.partials[k] = da
	t.nOps = k + 1
	t.nStmt = i + 1
	return Number{v: v, ref: t.hi | uint64(i)}
}

// push2 records a statement with two active operands.
func (t *Tape) push2(v float64, a uint32, da float64, b uint32, db float64) Number {
	i, k := t.nStmt, t.nOps
	if k+2 > len(t.ops) || i+1 >= math.MaxUint32 {
		t.grow(2)
	}
	ops := t.ops[k : k+2 : k+2]
	parts := t.partials[k : k+2 : k+2]
	own := uint64(i) << 32
	ops[0], ops[1] = uint64(a)|own, uint64(b)|own
	parts[0], parts[1] = da, db
	t.nOps = k + 2
	t.nStmt = i + 1
	return Number{v: v, ref: t.hi | uint64(i)}
}

// rec1 records v = f(a) with ∂f/∂a = da; a passive a gives a passive result.
// On a nil tape it only returns the value.
func (t *Tape) rec1(v float64, a Number, da float64) Number {
	if t == nil || a.ref == 0 {
		if a.ref != 0 {
			activeOnNil()
		}
		return Number{v: v}
	}
	i, k := t.nStmt, t.nOps
	if a.ref^t.hi >= uint64(i) {
		t.misuse(a)
	}
	if k+1 > len(t.ops) || i+1 >= math.MaxUint32 {
		return t.push1(v, a.idx(), da)
	}
	// The common case, written out here to save a call per operation.
	t.ops[k] = uint64(a.idx()) | uint64(i)<<32
	t.partials[k] = da
	t.nOps, t.nStmt = k+1, i+1
	return Number{v: v, ref: t.hi | uint64(i)}
}

// rec2 records v = f(a, b) with partials da and db, leaving out passive
// operands.
func (t *Tape) rec2(v float64, a Number, da float64, b Number, db float64) Number {
	if t == nil {
		if a.ref|b.ref != 0 {
			activeOnNil()
		}
		return Number{v: v}
	}
	if a.ref == 0 {
		return t.rec1(v, b, db)
	}
	if b.ref == 0 {
		return t.rec1(v, a, da)
	}
	i, k := t.nStmt, t.nOps
	if a.ref^t.hi >= uint64(i) {
		t.misuse(a)
	}
	if b.ref^t.hi >= uint64(i) {
		t.misuse(b)
	}
	if k+2 > len(t.ops) || k+2 > len(t.partials) || i+1 >= math.MaxUint32 {
		return t.push2(v, a.idx(), da, b.idx(), db)
	}
	own := uint64(i) << 32
	t.ops[k], t.ops[k+1] = uint64(a.idx())|own, uint64(b.idx())|own
	t.partials[k], t.partials[k+1] = da, db
	t.nOps, t.nStmt = k+2, i+1
	return Number{v: v, ref: t.hi | uint64(i)}
}

// rec1h is rec1 for an operation whose second derivative h = ∂²f/∂a² is
// known for free (a constant): it records in second order on a
// second-order tape. It is rec1 written out again with the mode's branch,
// rather than a wrapper around it, so that the operations calling it stay
// small enough to inline, as they are with rec1.
func (t *Tape) rec1h(v float64, a Number, da, h float64) Number {
	if t == nil || a.ref == 0 {
		if a.ref != 0 {
			activeOnNil()
		}
		return Number{v: v}
	}
	if t.second {
		return t.s1(v, a, da, h)
	}
	i, k := t.nStmt, t.nOps
	if a.ref^t.hi >= uint64(i) {
		t.misuse(a)
	}
	if k+1 > len(t.ops) || i+1 >= math.MaxUint32 {
		return t.push1(v, a.idx(), da)
	}
	// The common case, written out here to save a call per operation.
	t.ops[k] = uint64(a.idx()) | uint64(i)<<32
	t.partials[k] = da
	t.nOps, t.nStmt = k+1, i+1
	return Number{v: v, ref: t.hi | uint64(i)}
}

// rec2h is rec2 for an operation whose second derivatives haa, hab and hbb
// are constants, written out again with the mode's branch as rec1h is.
func (t *Tape) rec2h(v float64, a Number, da float64, b Number, db, haa, hab, hbb float64) Number {
	if t == nil {
		if a.ref|b.ref != 0 {
			activeOnNil()
		}
		return Number{v: v}
	}
	if t.second {
		return t.s2(v, a, da, b, db, haa, hab, hbb)
	}
	if a.ref == 0 {
		return t.rec1(v, b, db)
	}
	if b.ref == 0 {
		return t.rec1(v, a, da)
	}
	i, k := t.nStmt, t.nOps
	if a.ref^t.hi >= uint64(i) {
		t.misuse(a)
	}
	if b.ref^t.hi >= uint64(i) {
		t.misuse(b)
	}
	if k+2 > len(t.ops) || k+2 > len(t.partials) || i+1 >= math.MaxUint32 {
		return t.push2(v, a.idx(), da, b.idx(), db)
	}
	own := uint64(i) << 32
	t.ops[k], t.ops[k+1] = uint64(a.idx())|own, uint64(b.idx())|own
	t.partials[k], t.partials[k+1] = da, db
	t.nOps, t.nStmt = k+2, i+1
	return Number{v: v, ref: t.hi | uint64(i)}
}

// rec3 records v = f(a, b, c) with partials da, db and dc, leaving out
// passive operands.
func (t *Tape) rec3(v float64, a Number, da float64, b Number, db float64, c Number, dc float64) Number {
	if t == nil {
		if a.ref|b.ref|c.ref != 0 {
			activeOnNil()
		}
		return Number{v: v}
	}
	if t.second {
		return t.mulAdd2(a, b, c) // MulAdd is rec3's only caller
	}
	if a.ref == 0 {
		return t.rec2(v, b, db, c, dc)
	}
	if b.ref == 0 {
		return t.rec2(v, a, da, c, dc)
	}
	if c.ref == 0 {
		return t.rec2(v, a, da, b, db)
	}
	t.check(a)
	t.check(b)
	t.check(c)
	i, k := t.nStmt, t.nOps
	if k+3 > len(t.ops) || i+1 >= math.MaxUint32 {
		t.grow(3)
	}
	ops := t.ops[k : k+3 : k+3]
	parts := t.partials[k : k+3 : k+3]
	own := uint64(i) << 32
	ops[0], ops[1], ops[2] = uint64(a.idx())|own, uint64(b.idx())|own, uint64(c.idx())|own
	parts[0], parts[1], parts[2] = da, db, dc
	t.nOps = k + 3
	t.nStmt = i + 1
	return Number{v: v, ref: t.hi | uint64(i)}
}
