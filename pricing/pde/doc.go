// Package pde solves the one-factor pricing equation of an option by finite
// differences in log-spot, with each time step's adjoint written by hand, for
// an engine whose every sensitivity comes from one backward sweep.
//
// The equation, in x = ln S and backward in time, is
//
//	∂V/∂τ = ½v·∂²V/∂x² + (r − q − ½v)·∂V/∂x − r·V
//
// with v the (local) variance rate. A step integrates it over one interval of
// time with the coefficients integrated over that interval (R = ∫r, Q = ∫q,
// and v·Δt per node), so that term structures of rates, dividends and vol
// enter through what each interval accumulates and the step length never
// appears on its own. A step is the θ-scheme on a non-uniform grid: θ = ½ is
// Crank–Nicolson, θ = 1 fully implicit (the Rannacher start). Early exercise
// is the Brennan–Schwartz projection inside the tridiagonal solve, exact for
// the discrete linear complementarity problem of a put or call whose
// exercise region is one end of the grid; its adjoint is the derivative of
// what the solve computed, with the projected nodes passing none.
package pde
