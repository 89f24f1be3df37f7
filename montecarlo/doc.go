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
// Heston is simulated with the full-truncation Euler scheme of Lord,
// Koekkoek and van Dijk: the variance v is stepped with its negative part
// cut from the drift and the diffusion, and the log-spot with the truncated
// variance. Its bias is first order in the step size; with the default steps
// (52 a year) and parameters that keep the variance away from zero it is far
// below the standard error of 100,000 paths (see the tests against the
// closed form).
//
// # Random numbers and reproducibility
//
// Paths are cut into blocks (at most 32, at least 2). The random numbers of
// a block depend only on the seed and the block's index: PCG streams of
// math/rand/v2, or, with SobolBridge, a Sobol' sequence with a random
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
