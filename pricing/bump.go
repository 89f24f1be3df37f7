package pricing

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/marketdata"
)

// Bump sizes of bump-and-revalue. Central differences err by about h²·f”'/6,
// and by rounding about ε·|pv|/h; these sizes keep both near 1e-10 relative
// for the closed-form pricers.
const (
	// SpotBump is the relative bump of a spot (and of any quote whose
	// sensitivity scales with its level).
	SpotBump = 1e-4
	// QuoteBump is the absolute bump of rates, dividend yields, vols,
	// correlations and model parameters.
	QuoteBump = 1e-5
	// TimeBump is the move of the valuation time, in years, for theta.
	TimeBump = 1e-5
)

// bumpSize returns the bump of quote q.
func bumpSize(q *marketdata.Quote) float64 {
	if q.Kind == marketdata.Spot {
		return SpotBump * math.Abs(q.Value)
	}
	return QuoteBump
}

// valueAt returns the passive value of one unit of inst with bump b applied.
func (p *Pricer) valueAt(inst Instrument, b marketdata.Bump) (float64, error) {
	p.sc.ResetBumped(nil, b)
	v, err := inst.Value(p.sc)
	if err != nil {
		return 0, err
	}
	return v.Value(), nil
}

// BumpAndRevalue returns, for each quote index in quotes, the central
// bump-and-revalue sensitivity of tr's value (scaled by its quantity) to that
// quote, and theta by moving the valuation time forward. Every revaluation is
// the same pricer code run passively (no tape). Theta uses the second-order
// one-sided difference (−3f(0) + 4f(h) − f(2h))/2h in the valuation time, so
// both revaluations lie on the side the valuation date moves to: where the
// expiry sits exactly on a curve pillar, the derivative is one-sided and this
// is the side theta means.
func (p *Pricer) BumpAndRevalue(tr *Trade, quotes []int) (sens []float64, theta float64, err error) {
	if tr.Instrument == nil {
		return nil, 0, fmt.Errorf("trade %q has no instrument", tr.ID)
	}
	inst := tr.Instrument
	qty := tr.Quantity.InexactFloat64()
	all := p.m.Quotes()
	sens = make([]float64, len(quotes))
	for j, i := range quotes {
		h := bumpSize(&all[i])
		up, err := p.valueAt(inst, marketdata.Bump{Quote: i, By: h})
		if err != nil {
			return nil, 0, fmt.Errorf("bumping %s up: %w", all[i].Key, err)
		}
		dn, err := p.valueAt(inst, marketdata.Bump{Quote: i, By: -h})
		if err != nil {
			return nil, 0, fmt.Errorf("bumping %s down: %w", all[i].Key, err)
		}
		sens[j] = qty * (up - dn) / (2 * h)
	}
	f0, err := p.valueAt(inst, marketdata.Bump{})
	if err != nil {
		return nil, 0, err
	}
	f1, err := p.valueAt(inst, marketdata.Bump{Time: TimeBump})
	if err != nil {
		return nil, 0, fmt.Errorf("moving the valuation time: %w", err)
	}
	f2, err := p.valueAt(inst, marketdata.Bump{Time: 2 * TimeBump})
	if err != nil {
		return nil, 0, fmt.Errorf("moving the valuation time: %w", err)
	}
	theta = qty * (-3*f0 + 4*f1 - f2) / (2 * TimeBump)
	return sens, theta, nil
}

// Validation tolerances: a figure passes when |aad − bump| ≤
// RelTolerance·max(|aad|, |bump|) + AbsTolerance·max(1, |pv|). The absolute
// part, relative to the trade's value, keeps figures that are zero up to
// rounding from failing on noise.
const (
	RelTolerance = 1e-5
	AbsTolerance = 1e-8
)

// ThetaFactor is the risk_factor name of theta in validation rows.
const ThetaFactor = "THETA"

// Validate checks the AAD figures of res, which Price gave for tr, against
// bump-and-revalue: one row per bucketed sensitivity, in the order of
// res.Sens, then one for theta. A trade that failed gives no rows; if
// bump-and-revalue itself cannot be done the error says why.
func (p *Pricer) Validate(tr *Trade, res *Result) ([]Validation, error) {
	if res.Err != nil {
		return nil, nil
	}
	idx := make([]int, len(res.Sens))
	for j, s := range res.Sens {
		i, ok := p.m.Index(s.RiskFactor)
		if !ok {
			return nil, fmt.Errorf("risk factor %s is not in the market", s.RiskFactor)
		}
		idx[j] = i
	}
	bumped, theta, err := p.BumpAndRevalue(tr, idx)
	if err != nil {
		return nil, err
	}
	out := make([]Validation, 0, len(idx)+1)
	floor := AbsTolerance * math.Max(1, math.Abs(res.PV))
	for j, s := range res.Sens {
		out = append(out, compare(tr.ID, s.RiskFactor, s.Value, bumped[j], floor))
	}
	out = append(out, compare(tr.ID, ThetaFactor, res.Theta, theta, floor))
	return out, nil
}

func compare(id, factor string, aad, bump, floor float64) Validation {
	diff := math.Abs(aad - bump)
	scale := math.Max(math.Abs(aad), math.Abs(bump))
	rel := 0.0
	if scale > 0 {
		rel = diff / scale
	}
	tol := RelTolerance*scale + floor
	return Validation{TradeID: id, RiskFactor: factor, AAD: aad, Bump: bump,
		AbsDiff: diff, RelDiff: rel, Tolerance: tol, OK: diff <= tol}
}
