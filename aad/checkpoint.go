package aad

import (
	"fmt"
	"math"
)

// Steps is a computation of a fixed number of steps over a state of fixed
// width, for Tape.Checkpoint.
type Steps interface {
	// Step computes step k (0 ≤ k < n) passively: out (the state after
	// step k) from in (the state before it). It must be deterministic:
	// the same in gives the same out, bit for bit (randomness must be
	// replayed, not redrawn).
	Step(k int, in, out []float64)
	// AdjointStep adds to inBar and to paramBar the adjoints of step k's
	// inputs (its state in, and the parameters the caller passed to
	// Checkpoint), given in and the adjoint outBar of its output. It may
	// recompute the step internally.
	AdjointStep(k int, in, outBar, inBar, paramBar []float64)
}

// segment is a checkpointed stretch of a tape: width operand-less output
// statements from out0 on, recorded when the tape had pos operands. Its
// slices are kept across Reset and reused by the next segment in its place.
type segment struct {
	pos, out0, width int
	n, snaps         int
	fresh            bool // the rightmost path's snapshots are in place (no sweep yet)
	steps            Steps
	init, params     []uint32  // statement indices, 0 for a passive Number
	slots            []float64 // (snaps+1)·width: slot 0 is the initial state
}

// ckScratch is the tape's scratch for replaying segments, shared by all.
type ckScratch struct {
	a, b, bar, bar2, pbar []float64
}

func grown(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func grownIdx(s []uint32, n int) []uint32 {
	if cap(s) < n {
		return make([]uint32, n)
	}
	return s[:n]
}

// Checkpoint records on t n steps of s from the state init, whose steps
// depend on the active Numbers params (recorded before, e.g. model
// coefficients), keeping at most snapshots stored states (≥ 0; the initial
// state is held besides). It runs the steps once forward now and returns the
// final state as Numbers recorded on t (written into dst, grown if short).
//
// The tape's backward sweeps (Backward, BackwardToMark, BackwardFromMark,
// Gradient) treat the whole stretch as one statement: when the sweep reaches
// it, it replays the steps from the stored states by the binomial schedule
// of Griewank and Walther (revolve), calls AdjointStep from the last step to
// the first, and adds the adjoints of init and params into theirs before
// carrying on down the tape. The adjoints of params and init are carried
// into AdjointStep as running sums (paramBar starts from params' adjoints
// on the tape, inBar of step 0 from init's) and written back, so that with
// RecordedSteps the sums are formed in the same order as on one long tape.
// That is why the Numbers of init and of params must be distinct from each
// other (passive ones aside).
//
// The Numbers returned are operand-less statements, like variables. The
// number of Step calls, this forward pass included, is
// CheckpointForwardSteps(n, snapshots); there is one AdjointStep per step.
//
// It is first order only: it panics on a second-order tape, and Forward
// panics on a tape holding a checkpointed segment. On a nil tape it runs
// the steps and returns the final state as passive constants (and panics
// for an active init or params). With n = 0 it returns init itself.
func (t *Tape) Checkpoint(dst []Number, init, params []Number, n int, s Steps, snapshots int) []Number {
	w := len(init)
	if len(dst) < w {
		dst = make([]Number, w)
	}
	dst = dst[:w]
	if n < 0 || snapshots < 0 {
		panic(fmt.Sprintf("aad: Checkpoint with %d steps and %d snapshots", n, snapshots))
	}
	if t == nil {
		for _, x := range init {
			if x.ref != 0 {
				activeOnNil()
			}
		}
		for _, x := range params {
			if x.ref != 0 {
				activeOnNil()
			}
		}
		a, b := make([]float64, w), make([]float64, w)
		for i, x := range init {
			a[i] = x.v
		}
		for k := range n {
			s.Step(k, a, b)
			a, b = b, a
		}
		for i := range dst {
			dst[i] = Number{v: a[i]}
		}
		return dst
	}
	if t.second {
		panic("aad: Checkpoint on a second-order tape: checkpointed segments are first order only")
	}
	if t.nStmt == 0 {
		t.init()
	}
	for _, x := range init {
		if x.ref != 0 {
			t.check(x)
		}
	}
	for _, x := range params {
		if x.ref != 0 {
			t.check(x)
		}
	}
	if n == 0 || w == 0 {
		if n > 0 { // no state: run the steps for their values' sake only
			var none [0]float64
			for k := range n {
				s.Step(k, none[:], none[:])
			}
		}
		copy(dst, init)
		return dst
	}
	if t.nStmt+w >= math.MaxUint32 {
		t.growBy(w, 0) // panics: the tape is full
	}
	snaps := min(snapshots, n-1)

	// The segment, reusing the storage of one dropped by Reset or a rewind.
	if len(t.segs) < cap(t.segs) {
		t.segs = t.segs[:len(t.segs)+1]
	} else {
		t.segs = append(t.segs, segment{})
	}
	g := &t.segs[len(t.segs)-1]
	g.pos, g.out0, g.width, g.n, g.snaps, g.steps, g.fresh = t.nOps, t.nStmt, w, n, snaps, s, true
	g.init = grownIdx(g.init, w)
	for i, x := range init {
		g.init[i] = x.idx()
	}
	g.params = grownIdx(g.params, len(params))
	for i, x := range params {
		g.params[i] = x.idx()
	}
	g.slots = grown(g.slots, (snaps+1)*w)
	for i, x := range init {
		g.slots[i] = x.v
	}
	sc := &t.ck
	sc.a, sc.b = grown(sc.a, w), grown(sc.b, w)
	sc.bar, sc.bar2 = grown(sc.bar, w), grown(sc.bar2, w)
	sc.pbar = grown(sc.pbar, len(params))

	// The forward pass, storing the snapshots of the schedule's rightmost
	// path, which the reversal then finds in place.
	cur, nxt := sc.a, sc.b
	copy(cur, g.slots[:w])
	lo, hi, free, slot := 0, n, snaps, 0
	next := -1
	if free > 0 && hi-lo > 1 {
		next = splitAt(lo, hi, free)
	}
	for k := range n {
		s.Step(k, cur, nxt)
		cur, nxt = nxt, cur
		if k+1 == next {
			slot++
			copy(g.slots[slot*w:(slot+1)*w], cur)
			lo, free = next, free-1
			next = -1
			if free > 0 && hi-lo > 1 {
				next = splitAt(lo, hi, free)
			}
		}
	}
	i := t.nStmt
	for j := range dst {
		dst[j] = Number{v: cur[j], ref: t.hi | uint64(i+j)}
	}
	t.nStmt = i + w
	return dst
}

// beta returns β(s, r) = C(s+r, s), the number of steps that s snapshots
// reverse with each step advanced at most r times, saturating at MaxInt32.
func beta(s, r int) int {
	if r < 0 {
		return 0
	}
	const limit = math.MaxInt32
	// C(s+r, k) for k the smaller of the two, whose partial products
	// C(m+i, i) grow with i: with many snapshots and few repetitions this
	// is a few steps, not s.
	k, m := min(s, r), max(s, r)
	c := 1
	for i := 1; i <= k; i++ {
		c = c * (m + i) / i // exact: c·(m+i) is divisible by i
		if c >= limit {
			return limit
		}
	}
	return c
}

// splitAt returns where revolve stores the next snapshot when reversing
// steps [lo, hi) (l = hi−lo ≥ 2) from the state at lo with free ≥ 1
// snapshots besides it. With r the least repetition count such that
// β(free+1, r) ≥ l, the right part (reversed with one snapshot fewer) gets
// r repetitions and the left part (whose steps are advanced once more
// already) r−1: the right part is as short as keeps it past β(free, r−1)
// steps and the left part within β(free+1, r−1), so that one step more on
// either side costs the same (1 + (r−1) on the left, r on the right).
func splitAt(lo, hi, free int) int {
	l := hi - lo
	r := 0
	for beta(free+1, r) < l {
		r++
	}
	right := max(beta(free, r-1)+1, l-beta(free+1, r-1))
	return hi - min(right, l-1)
}

// revCost is the number of Step calls the reversal of l steps with free
// snapshots makes; pre says the rightmost path's snapshots are in place.
func revCost(l, free int, pre bool) int {
	if l <= 1 {
		return 0
	}
	if free == 0 {
		return l * (l - 1) / 2
	}
	m := splitAt(0, l, free)
	c := revCost(l-m, free-1, pre) + revCost(m, free, false)
	if !pre {
		c += m
	}
	return c
}

// CheckpointForwardSteps returns the number of Step calls Tape.Checkpoint
// makes for n steps with the given snapshot budget, its forward pass and the
// replays of the first backward sweep together: n + R − P. R is the
// optimum of the binomial schedule, r·n − β(s+1, r−1) with s =
// snapshots+1 stored states (the initial one included), β(s, r) =
// C(s+r, s) and r the least with β(s, r) ≥ n: the count of revolve, which
// includes the schedule's first descent and leaves out the last step,
// which revolve tapes (here the forward pass runs all n steps, and
// AdjointStep does its own recording). P is the advances along the
// schedule's rightmost path, which the forward pass makes anyway while
// storing those snapshots, so the sweep does not repeat them. So the count
// is at most n + R.
//
// A later sweep of the same segment (a second Backward) replays R steps.
func CheckpointForwardSteps(n, snapshots int) int {
	if n <= 0 {
		return 0
	}
	return n + revCost(n, min(max(snapshots, 0), n-1), true)
}

// sweepSegs is sweep over operands [lo, hi) of a tape holding segments: it
// runs the segments whose statements lie within [loStmt, hiStmt) in their
// place.
func (t *Tape) sweepSegs(adj []float64, lo, hi, loStmt, hiStmt int) {
	for i := len(t.segs) - 1; i >= 0; i-- {
		g := &t.segs[i]
		if g.out0 < loStmt {
			break
		}
		if g.out0+g.width > hiStmt || g.pos > hi {
			continue
		}
		t.sweep(adj, g.pos, hi)
		hi = g.pos
		t.reverseSegment(adj, g)
	}
	t.sweep(adj, lo, hi)
}

// sweepAll sweeps operands [lo, hi) and the segments among statements
// [loStmt, hiStmt): one length check when there are none.
func (t *Tape) sweepAll(adj []float64, lo, hi, loStmt, hiStmt int) {
	if len(t.segs) == 0 {
		t.sweep(adj, lo, hi)
		return
	}
	t.sweepSegs(adj, lo, hi, loStmt, hiStmt)
}

// reverseSegment propagates the adjoints of g's outputs to its init and
// params.
func (t *Tape) reverseSegment(adj []float64, g *segment) {
	w := g.width
	out := adj[g.out0 : g.out0+w]
	zero := true
	for _, a := range out {
		if a != 0 {
			zero = false
			break
		}
	}
	if zero {
		return // nothing to propagate, as the sweep skips zero adjoints
	}
	sc := &t.ck
	sc.a, sc.b = grown(sc.a, w), grown(sc.b, w)
	sc.bar, sc.bar2 = grown(sc.bar, w), grown(sc.bar2, w)
	sc.pbar = grown(sc.pbar, len(g.params))
	copy(sc.bar, out)
	for j, p := range g.params {
		sc.pbar[j] = 0
		if p != 0 {
			sc.pbar[j] = adj[p]
		}
	}
	r := reverser{g: g, sc: sc, adj: adj}
	// The first sweep finds the rightmost path's snapshots where the
	// forward pass left them; it reuses their slots, so a later sweep of
	// the same segment replays that path too.
	r.reverse(0, g.n, g.snaps, 0, g.fresh)
	g.fresh = false
	for j, p := range g.params {
		if p != 0 {
			adj[p] = sc.pbar[j]
		}
	}
	for j, p := range g.init {
		if p != 0 {
			adj[p] = sc.bar[j]
		}
	}
}

// reverser runs the binomial schedule over a segment: sc.bar holds the
// adjoint of the state after the next step to reverse.
type reverser struct {
	g   *segment
	sc  *ckScratch
	adj []float64
}

func (r *reverser) slot(i int) []float64 {
	w := r.g.width
	return r.g.slots[i*w : (i+1)*w]
}

// advance runs steps [lo, to) from the state in slot from and leaves the
// state at to in dst (which may be a slot) or, if dst is nil, in scratch;
// it returns the state at to.
func (r *reverser) advance(from []float64, lo, to int, dst []float64) []float64 {
	if lo == to {
		if dst != nil {
			copy(dst, from)
			return dst
		}
		return from
	}
	cur, nxt := r.sc.a, r.sc.b
	copy(cur, from)
	for k := lo; k < to; k++ {
		r.g.steps.Step(k, cur, nxt)
		cur, nxt = nxt, cur
	}
	if dst != nil {
		copy(dst, cur)
		return dst
	}
	return cur
}

// adjointStep reverses step k from its input state in.
func (r *reverser) adjointStep(k int, in []float64) {
	sc := r.sc
	inBar := sc.bar2
	if k == 0 {
		for j, p := range r.g.init {
			inBar[j] = 0
			if p != 0 {
				inBar[j] = r.adj[p]
			}
		}
	} else {
		clear(inBar)
	}
	r.g.steps.AdjointStep(k, in, sc.bar, inBar, sc.pbar)
	sc.bar, sc.bar2 = inBar, sc.bar
}

// reverse reverses steps [lo, hi) from the state at lo, held in slot, with
// free snapshots besides; pre says the rightmost path's are in place.
func (r *reverser) reverse(lo, hi, free, slot int, pre bool) {
	switch {
	case hi-lo == 1:
		r.adjointStep(lo, r.slot(slot))
	case free == 0:
		for k := hi - 1; k >= lo; k-- {
			r.adjointStep(k, r.advance(r.slot(slot), lo, k, nil))
		}
	default:
		m := splitAt(lo, hi, free)
		if !pre {
			r.advance(r.slot(slot), lo, m, r.slot(slot+1))
		}
		r.reverse(m, hi, free-1, slot+1, pre)
		r.reverse(lo, m, free, slot, false)
	}
}

// RecordedSteps adapts a step recorded over Numbers to Steps, recording each
// step on a private tape: Step runs it on a nil tape (passively), and
// AdjointStep records it and sweeps it back.
type RecordedSteps struct {
	n, width int
	params   []float64
	step     func(tp *Tape, k int, params, in, out []Number)
	tp       *Tape
	pv, iv   []Number
	ov       []Number
}

// NewRecordedSteps returns the Steps of n steps over a state of width
// numbers, each computed by step from the parameters params (the values of
// the params Numbers passed to Checkpoint, in order) and the state in,
// writing the state after it into out. step must record over tp only (it
// is given a nil tape for the passive steps) and be deterministic.
//
// AdjointStep records the step on the private tape with params and in as
// variables, seeds the params' adjoints with the running paramBar and the
// state's with inBar, adds outBar to the outputs' adjoints, sweeps, and
// reads them back: the sums accumulate in the same order as on one long
// tape, so the gradient equals that of the whole computation taped at once,
// bit for bit.
func NewRecordedSteps(n, width int, params []float64, step func(tp *Tape, k int, params, in, out []Number)) *RecordedSteps {
	return &RecordedSteps{
		n: n, width: width, params: params, step: step,
		tp: NewTape(0),
		pv: make([]Number, len(params)), iv: make([]Number, width), ov: make([]Number, width),
	}
}

// Stats returns the size of the private tape, which holds one step.
func (r *RecordedSteps) Stats() Stats { return r.tp.Stats() }

// Step computes step k passively.
func (r *RecordedSteps) Step(k int, in, out []float64) {
	for j, p := range r.params {
		r.pv[j] = Number{v: p}
	}
	for j, x := range in {
		r.iv[j] = Number{v: x}
	}
	r.step(nil, k, r.pv, r.iv, r.ov)
	for j := range out {
		out[j] = r.ov[j].v
	}
}

// AdjointStep records step k on the private tape and sweeps it back from
// outBar, accumulating into inBar and paramBar.
func (r *RecordedSteps) AdjointStep(k int, in, outBar, inBar, paramBar []float64) {
	tp := r.tp
	tp.Reset()
	r.pv = tp.Vars(r.pv, r.params...)
	r.iv = tp.Vars(r.iv, in...)
	r.step(tp, k, r.pv, r.iv, r.ov)
	adj := tp.clearedAdjoints()
	for j, x := range r.pv {
		adj[x.idx()] = paramBar[j]
	}
	for j, x := range r.iv {
		adj[x.idx()] = inBar[j]
	}
	for j, y := range r.ov {
		if y.ref != 0 {
			tp.check(y)
			adj[y.idx()] += outBar[j]
		}
	}
	tp.sweepAll(adj, 0, tp.nOps, 0, tp.nStmt)
	for j, x := range r.pv {
		paramBar[j] = adj[x.idx()]
	}
	for j, x := range r.iv {
		inBar[j] = adj[x.idx()]
	}
}
