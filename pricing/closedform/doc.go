// Package closedform holds the closed-form option formulas of aadrisk,
// written once over aad.Number: on a tape a pricer records its value so
// that one backward sweep gives its sensitivities to every input; on a nil
// tape the same code only prices, which is what bump-and-revalue uses.
//
//   - European, DigitalCash, DigitalAsset: Black–Scholes–Merton with a
//     continuous dividend yield;
//   - Black76 and Bachelier: on a forward, with a lognormal or normal
//     volatility;
//   - Barrier: continuously monitored single barriers with a cash rebate
//     (Reiner–Rubinstein);
//   - GeometricAsianContinuous (Kemna–Vorst) and GeometricAsianDiscrete:
//     fixed-strike geometric-average Asians;
//   - American: Barone-Adesi–Whaley, with the sensitivities of its critical
//     price from the implicit function theorem;
//   - ImpliedVol: the inverse of European in the volatility, with its
//     sensitivities from the implicit function theorem.
//
// # Inputs and conventions
//
// Params holds the market-side inputs of a single-asset pricing: spot S,
// strike K, time to expiry T in years, the continuously compounded zero rate
// R and dividend yield Q to T (cost of carry R − Q), and the Black
// volatility Vol at (T, K). Any of them may be active (recorded with
// Tape.Var or computed on the tape from market data) or passive (aad.Const);
// passive inputs cost nothing and get no sensitivity. Sensitivities are per
// unit of each input: vega per 1.00 of volatility, rho per 1.00 of rate, and
// ∂/∂T per year of time to expiry (theta is its negative when only T moves).
//
// # Recording
//
// Where the partial derivatives of a formula are simple, it is computed in
// float64 with its analytic partials and recorded as one Custom statement:
// European and the digitals record one statement over (S, K, T, R, Q, Vol),
// so that recording and sweeping costs little more than pricing. Barrier is
// recorded as 13 to 28 statements, each a small block with analytic
// partials; on a second-order tape (aad.Tape.SetSecondOrder) each block
// also carries its exact Hessian. American and ImpliedVol solve for a root
// passively and record its sensitivities by the implicit function theorem.
// After a warm-up, no pricer allocates.
//
// # Errors
//
// Barrier, American and ImpliedVol validate their inputs and return an
// error, never NaN: an *InputError (wrapping ErrInvalidInput) for an input
// outside the formula's domain, ErrBarrierBreached, ErrNoConvergence,
// ErrPriceOutOfBounds, or ErrNotFinite for a result or sensitivity that
// overflows. The formulas without an error result (European, the digitals,
// the Asians, Black76, Bachelier) return NaN, as a passive constant, for
// inputs outside their domain, as package math does; Params.Validate and
// ValidateFixings give the reason as an *InputError.
//
// Limits that are mathematically defined are returned as such: a zero or
// tiny volatility or a tiny time to expiry gives the (discounted) intrinsic
// value of the forward, with finite sensitivities. Each function's
// documentation lists its special cases.
//
// An active Number with a nil tape is a programmer error and panics, as it
// does in package aad.
package closedform
