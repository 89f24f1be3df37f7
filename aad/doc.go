// Package aad is an adjoint algorithmic differentiation (AAD) engine: it
// records a computation over Numbers on a Tape and gets the derivatives of
// an output with respect to every input from one backward sweep, at a small
// constant multiple of the cost of the computation itself.
//
// # Numbers and tapes
//
// A Number is a value type: a float64 and the index of the statement that
// produced it. Inputs are recorded with Tape.Var (or Tape.Vars, several at
// once); constants made with Const are passive and cost nothing.
// Operations are methods of *Tape, so the tape is always passed explicitly
// and one goroutine owns it:
//
//	t := aad.NewTape(0)
//	s, k := t.Var(100), aad.Const(95)
//	payoff := t.Max(t.Sub(s, k), aad.Const(0))
//	t.SetAdjoint(payoff, 1)
//	t.Backward()
//	delta := t.Adjoint(s) // ∂payoff/∂s
//
// Every operation stores the exact partial derivatives of its result with
// respect to its active arguments when it is recorded, so that the backward
// sweep is a single loop of multiply-adds over a flat tape, with no
// per-operation dispatch. Fused statements (MulAdd, MulExp, Sum, Dot,
// DotConst, Custom and Custom2) record one statement with several operands
// where the elementary operations would record several.
//
// # Passive evaluation
//
// A nil *Tape is valid for every operation and records nothing: the same
// pricer code, handed a nil tape, computes the same values as a plain
// float64 version. That is what bump-and-revalue uses. An active Number
// handed to a nil tape is a programmer error and panics, because its
// derivative would be silently lost.
//
// # Reuse and the Monte Carlo pattern
//
// Reset and RewindToMark keep the tape's memory, so a warm tape records and
// sweeps with no heap allocation. For Monte Carlo, record the inputs and the
// model set-up once, take a Mark, and for every path: RewindToMark, record
// the path, SetAdjoint of its payoff, BackwardToMark. The statements before
// the mark accumulate their adjoints over the paths; one BackwardFromMark at
// the end carries them down to the inputs.
//
// A payoff can be passive: a call's Max(S−K, Const(0)) returns the constant
// on a path that ends out of the money. Seeding a passive Number (SetAdjoint,
// SetTangent) does nothing, since it has no statement and its derivative is
// 0, so the per-path loop needs no Active check; such a path adds nothing to
// the adjoints, exactly its contribution to the gradient of the mean.
//
// # Forward mode
//
// Forward sweeps the same tape in tangent mode from seeds set with
// SetTangent: a Jacobian-vector product, for few-inputs-many-outputs work,
// and an independent check of the backward sweep.
//
// # Second order
//
// SetSecondOrder(true) puts a tape in second-order mode, tangent over
// adjoint (XAD's fwd_adj, JAX's jvp of grad, Stan's fvar<var>): seed a
// direction v with SetTangent on the inputs right after recording them,
// record, and one backward sweep gives the gradient and the
// Hessian-vector product H·v:
//
//	t.SetSecondOrder(true)
//	s, vol := t.Var(100), t.Var(0.2)
//	t.SetTangent(s, 1) // v = e_s
//	price := pricer(t, s, vol)
//	grad, hv := t.HessianVector(nil, nil, price, []aad.Number{s, vol}) // hv: gamma, vanna
//
// While recording, every value carries its tangent ẋ (forward mode), and
// every statement stores, besides its partials p_i = ∂y/∂x_i, their
// tangents ṗ_i = Σ_j ∂²y/∂x_i∂x_j·ẋ_j, which each operation and fused
// statement computes from its own second derivatives. The sweep then
// propagates the adjoints and their tangents together, x̄_i += p_i·ȳ and
// ẋ̄_i += ṗ_i·ȳ + p_i·ẏ̄: at the inputs x̄ is the gradient and ẋ̄ is H·ẋ
// (AdjointTangent). A whole Hessian of n inputs is n such products. The
// cost is a small multiple of the gradient's (W7 in benchmarks/ measures
// it), and the tape holds 24 bytes per operand and per statement instead
// of 16 and 8. Backward, BackwardToMark and BackwardFromMark sweep in
// second order on such a tape, so the Monte Carlo mark pattern works
// unchanged: the statements before the mark accumulate their adjoint
// tangents too.
//
// Why a mode of the same Tape, and why it costs first-order users nothing
// measurable: pricers are written once over *Tape, so a distinct type would
// need a second copy of every pricer. The second-order storage (the
// tangents of the partials, the adjoint tangents) lives in slices of its
// own that first-order recording and the first-order sweep never touch;
// the first-order sweep loop is unchanged; each recording operation tests
// the mode once, a branch that is always predicted, and each sweep once.
// W1 and W2 measure the same before and after (the README's section
// Benchmarks). The mode is chosen for a whole recording: SetSecondOrder
// resets the tape, and the mode stays across Reset.
//
// Custom and Custom4 take first-order partials only, so on a second-order
// tape they panic (a programmer error); Custom2 takes the statement's
// Hessian as well. Forward and ClearTangents are first-order tools: on a
// second-order tape the tangents are recorded with the statements, so a
// seed set after an operation used its input does not reach that
// operation.
//
// # Checkpointing
//
// A long computation of many steps over a state of fixed width (a PDE's
// time steps, a long Monte Carlo path) taped whole takes memory in
// proportion to its length. Tape.Checkpoint records it as one stretch
// instead: it runs the steps forward once, keeping a few states, and the
// backward sweep, when it reaches the stretch, replays the steps from the
// stored states by Griewank and Walther's binomial schedule (revolve) and
// calls each step's adjoint from the last to the first. Steps is the
// interface of such a computation: a passive Step and its AdjointStep;
// NewRecordedSteps makes one from a step written over Numbers, which
// records each step on a private tape as it is reversed:
//
//	steps := aad.NewRecordedSteps(n, width, paramValues, step)
//	final := t.Checkpoint(nil, init, params, n, steps, 10) // 10 stored states
//	pv := post(t, final)                                   // taped as usual
//	grad := t.Gradient(nil, pv, xs)
//
// The caller guarantees that the steps are deterministic (the same input
// state gives the same output, bit for bit: random numbers must be replayed,
// not drawn again), that the Numbers of params are recorded before the
// stretch, and that those of init and params are distinct (passive ones
// aside), and, with RecordedSteps, that the values it is given are those of
// params. The adjoint of the stretch is AdjointStep's: with RecordedSteps
// it is the tape's own, and the gradient equals that of the whole
// computation taped at once bit for bit, since the adjoints of the params
// and of the state are carried through the steps as running sums in the
// same order; a hand-written AdjointStep is exact only if it is.
//
// Cost: CheckpointForwardSteps(n, snapshots) Step calls, the forward pass
// included (for 1,000 steps and 20 snapshots, 2,728: 2.73 per step; with
// enough snapshots, n), and one AdjointStep per step; memory (snapshots+1)
// × width × 8 bytes on the tape (Stats.CheckpointBytes) plus whatever the
// Steps keep (a RecordedSteps' private tape holds one step), instead of the
// whole stretch's statements. Reset and RewindToMark drop the stretches
// recorded after the mark and keep their storage for the next ones, so a
// warm tape checkpoints and sweeps with no heap allocation, and the Monte
// Carlo mark pattern works with a checkpointed path. Checkpointing is first
// order only: Checkpoint panics on a second-order tape, and Forward on a
// tape that holds a checkpointed stretch.
//
// # Destination slices
//
// A function that fills a slice (Vars, Gradient, AdjointsTo) takes it as
// its first argument, dst (HessianVector two of them, the gradient's and
// H·v's), and follows one rule, gonum's: it writes the
// len(xs) results into dst and returns dst[:len(xs)], allocating a new
// slice if dst is nil or shorter than that. Pass a slice kept from call to
// call to allocate nothing; pass nil to have one made.
//
// # Errors
//
// Domain errors follow package math: Log of a negative number is NaN, and
// so is its partial. Misuse is a programmer error and panics with a message
// that says what happened: a Number from another tape or from before a
// Reset, an active Number on a nil tape, a stale Mark, slices of different
// lengths, Custom on a second-order tape, HessianVector on a first-order
// one, Checkpoint on a second-order tape, Forward over a checkpointed
// stretch. A seed on a passive Number is not misuse: it does nothing. A
// Number recorded after the mark a tape was rewound to is caught while its
// index lies past the end of the tape; once the next path has recorded as
// many statements, its index names a live statement and it is not (catching
// it would cost a check against per-statement state in every operation).
//
// # Concurrency
//
// A Tape belongs to one goroutine at a time. Give each worker its own tape;
// Numbers are values and can be read from anywhere, but they must only be
// used in operations of the tape that recorded them.
package aad
