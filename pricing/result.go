package pricing

import (
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// Result is what pricing one trade gives: its present value, its Greeks and
// its bucketed sensitivities, all scaled by the trade's quantity, or the
// reason it could not be priced.
//
// A Result with a non-nil Err carries no figures: a failed trade is reported,
// never dropped and never given numbers.
type Result struct {
	// TradeID, Instrument and Engine are as in the portfolio (Engine after
	// defaulting: "analytic" or "mc").
	TradeID    string
	Instrument string
	Engine     string
	// Underlying and Currency are the instrument's spot name ("" for a
	// basket) and currency, for reports that group by them; "" for a row
	// that did not become an instrument.
	Underlying, Currency string
	// Line is the physical line of the trade in the portfolio file (0 for a
	// trade built in code).
	Line int

	// Err is why the trade failed; nil when it priced.
	Err error

	PV float64
	// StdError is the Monte Carlo standard error of PV; HasStdError is false
	// for analytic engines.
	StdError    float64
	HasStdError bool

	// Delta and Gamma are ∂pv/∂S and ∂²pv/∂S² for the spot of the underlying;
	// HasDelta is false where they are not defined (baskets).
	Delta, Gamma float64
	HasDelta     bool
	// Vega, Rho and DivRho are the sums of the bucketed sensitivities to the
	// underlying's VOL nodes, the currency's RATE pillars and the underlying's
	// DIVYIELD pillars: parallel-shift sensitivities per 1.00.
	Vega, Rho, DivRho float64
	// Theta is ∂pv/∂t per year as the valuation date moves forward with every
	// quote held.
	Theta float64
	// Vanna is ∂²pv/∂S∂σ and Volga ∂²pv/∂σ², for S the spot of delta (vanna
	// only with HasDelta) and σ the parallel shift of the vol surfaces of
	// vega: per unit of spot per 1.00 of vol, and per 1.00 of vol squared.
	Vanna, Volga float64

	// DeltaStdError, GammaStdError, VegaStdError, RhoStdError,
	// DivRhoStdError and ThetaStdError are the Monte Carlo standard errors
	// of the figures above (when HasStdError; those of delta and gamma also
	// only with HasDelta). Those of the sums vega, rho and div_rho are the
	// batch-means standard errors of the sums block by block (the buckets
	// are correlated); gamma's is that of the difference of the two bumped
	// runs' deltas, block by block.
	DeltaStdError, GammaStdError, VegaStdError, RhoStdError, DivRhoStdError, ThetaStdError float64
	// VannaStdError and VolgaStdError are those of vanna and volga, the
	// batch-means standard errors of the differences of the bumped runs'
	// vegas, block by block.
	VannaStdError, VolgaStdError float64

	// Floored lists where the trade's local-vol surface had Dupire's formula
	// regularised (an arbitrage in the implied vols): montecarlo.FlooredNode
	// for each node, in the order met; nil for other models.
	Floored []montecarlo.FlooredNode

	// mc keeps a Monte Carlo trade's runs for Validate.
	mc *mcRuns

	// Sens are ∂pv/∂q for every market quote q the trade depends on, in the
	// order of the quotes in the market file.
	Sens []Sensitivity
	// Second, when the Pricer's SecondOrder is set, are ∂²pv/∂q∂w for each
	// SPOT quote w the trade depends on (in the order of the quotes in the
	// market file) and, for each, every quote q of Sens, in Sens' order.
	Second []SecondOrder
}

// Sensitivity is the derivative of a trade's (or a portfolio's) value with
// respect to one market-data input: one risk factor.
type Sensitivity struct {
	// Quote is the index of the risk factor's quote in the market the
	// trade was priced on (Market.Quotes); −1 for a sensitivity read back
	// from a file, which has no market.
	Quote int
	// RiskFactor is the quote's Key, which the output files write as text.
	RiskFactor marketdata.Key
	Value      float64
	// StdError is the Monte Carlo standard error of Value; HasStdError is
	// false for analytic engines.
	StdError    float64
	HasStdError bool
}

// Validation compares one AAD figure of a trade with bump-and-revalue of
// the same figure.
type Validation struct {
	TradeID string
	// RiskFactor is the quote's key for a bucketed sensitivity, or the
	// name of a figure of results.csv (GammaFactor, VegaFactor, RhoFactor,
	// DivRhoFactor, ThetaFactor).
	RiskFactor string
	// Check is how Bump was computed: CheckBump, CheckSameRN or
	// CheckRevaluation.
	Check     string
	AAD, Bump float64
	// AbsDiff is |AAD − Bump|; RelDiff is AbsDiff / max(|AAD|, |Bump|), 0 when
	// both are 0.
	AbsDiff, RelDiff float64
	// Tolerance is the bound AbsDiff was held to.
	Tolerance float64
	// StdError is the Monte Carlo standard error of AAD − Bump and Z is
	// (AAD − Bump)/StdError (0 when StdError is 0), for a CheckRevaluation
	// row (HasStdError).
	StdError, Z float64
	HasStdError bool
	// OK reports AbsDiff <= Tolerance.
	OK bool
}

// The checks of a Validation row.
const (
	// CheckBump is bump-and-revalue of a closed form, extrapolated to a
	// zero step (see SpotBump).
	CheckBump = "bump"
	// CheckSameRN is a Monte Carlo trade revalued with the same random
	// numbers at a tiny step: it proves the adjoint code, as both
	// differentiate the same estimator.
	CheckSameRN = "same-rn"
	// CheckRevaluation is a Monte Carlo trade revalued with common random
	// numbers at a step far out of the noise of the estimator's kinks,
	// held to RevaluationSigmas standard errors of the difference: it
	// checks the figure against the derivative of the true price.
	CheckRevaluation = "revaluation"
)
