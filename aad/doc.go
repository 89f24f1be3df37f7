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
// DotConst and Custom) record one statement with several operands
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
// # Destination slices
//
// A function that fills a slice (Vars, Gradient, AdjointsTo) takes it as
// its first argument, dst, and follows one rule, gonum's: it writes the
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
// lengths. A seed on a passive Number is not misuse: it does nothing. A
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
