// Package montecarlo prices by Monte Carlo simulation over the AAD number
// type: one recording of the model set-up per worker, then per path a
// rewind, a simulation with passive random numbers and a backward sweep to
// the mark, so that the price and its sensitivity to every market input come
// from one run.
//
// # Models
//
// BlackScholes is lognormal with the term structures of the market: the
// zero and dividend curves give each step's drift, and the implied vol at
// the trade's strike gives each step's variance as the increment of total
// variance σ(t,K)²·t. Its log-Euler steps are exact for any step size.
// Several underlyings are correlated by the Cholesky factor of their
// correlation matrix, computed inside the recording so that sensitivities
// reach every CORR quote.
//
// LocalVol is Dupire's local volatility, derived inside the recording from
// the implied total variance of the VOL surface (in log-moneyness, with the
// time slope taken over each step) on a grid of spots at each step's start,
// and interpolated along the paths by Catmull–Rom cubics in log-spot;
// sensitivities reach every VOL node. Where the surface has an arbitrage,
// Dupire's formula is regularised so that the local vol stays a
// continuous, bounded function of spot and quotes: its denominator (the
// implied density's factor) is taken as at least DupireMinDenominator and
// the local variance as at least LocalVarFloor, and Result.Floored says
// where. A jump there (to a 1% vol beside nodes of 50%) would make the
// pathwise derivative grow by a factor of several on each step that
// crosses it, and the AAD deltas and vegas lose their finite variance.
//
// Heston is simulated by a scheme whose pathwise derivatives exist for
// any parameters, Feller's condition 2κθ ≥ σ² met or not. The variance
// takes moment-matched lognormal steps (Andersen and Brotherton-Ratcliffe):
// v_i = m·exp(Γz − Γ²/2), with m and Γ² = ln(1 + s²/m²) from the exact
// conditional mean m and variance s² of the square-root process, so v
// stays positive, its first two moments are exact at every grid time, and
// it is a smooth function of the previous variance, of κ, θ, σ and of the
// step's length. The log-spot is stepped with the trapezoidal integrated
// variance v̄Δ and with ∫√v dW taken from the variance's own increment,
// (1 + κΔ/2)(v_i − m)/σ, as in Andersen's QE scheme; so the spot–variance
// covariance is exact and nothing is truncated. Full-truncation Euler,
// which this replaces, has a kink at v = 0 and an unbounded derivative of
// √(v⁺Δ) beside it, and Andersen's QE switches distributions at ψc, which
// makes the variance jump with the parameters: under Feller violation
// both give pathwise Greeks that disagree with bumps (see hestonModel for
// the full argument). At 100 steps a year the price bias of calls against
// the closed form, on the tests' sets (TestHestonSchemeBias measures it),
// is at most 0.4% for strikes from 80% to 120% of the spot where 2κθ/σ² is
// 0.16 (1 year), 0.55% where it is 0.04 (5 years) and 0.1% where Feller
// holds; where it is 0.03 (2 years, κ = 0.3, σ = 0.9) it reaches 1.4% at
// 110%, near the mode of the spot's density (0.3% ± 0.3% at 400 steps a
// year: the bias is first order in the step); calls at 140%, worth 0.03%
// to 0.2% of the spot, are off by up to 1.7%. Full truncation, on the
// same sets, is off by 0.2% to 4% (2.8% at 120% in the 1-year set). The
// spot and variance of each step are recorded as statements without
// operands, and the steps' adjoints run by hand after the sweep to the
// mark, as for BlackScholes.
//
// # Random numbers and reproducibility
//
// Paths are cut into blocks (at most 32, at least 2). The random numbers of
// a block depend only on the seed and the block's index: PCG streams of
// math/rand/v2 turned into normals by Normal's ziggurat, or, with
// SobolBridge, a Sobol' sequence with a random
// digital shift per block (each block is then an independent replicate of
// randomised quasi-Monte Carlo) whose points are mapped to paths by a
// Brownian bridge. Blocks are priced by any worker and added in block
// order, so results are identical bit for bit for any number of workers.
// Antithetic paths come in pairs within a block.
//
// # Standard errors
//
// The standard error of the price comes from the spread of path values
// (of pair means with antithetic paths, of block means with SobolBridge).
// The standard error of each sensitivity comes from the spread of its block
// estimates (batch means), one sweep from the mark per block: with 32
// blocks it is itself known to about 13%.
package montecarlo
