package pricing

import (
	"context"
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/marketdata"
)

// Bump-and-revalue does not use one fixed bump per quote: the step that
// gives an accurate difference depends on the scale on which the value
// changes, which for a spot is S·σ√T (0.05% of S for a one-day option at a
// vol of 0.01, several times S for a long-dated one at a high vol) and for
// theta the shortest remaining time (a fixing seconds away), while a step
// far below that scale drowns the difference in rounding (a knock-out worth
// little is the difference of terms worth about the spot). So every
// derivative is found by Ridders' method: difference quotients at steps h,
// h/2, h/4, … are extrapolated to a zero step (Richardson extrapolation),
// until the estimate's error (its change from one step or one order to the
// next) is far below the tolerance of Validate, or grows again as rounding
// takes over. A step at which the trade cannot be priced (the spot moved
// across a barrier, a fixing moved before the valuation date, a vol below
// zero) starts the extrapolation again below it.
//
// It starts from the steps below, small enough for the scales of the
// closed-form trades (a step far above the scale can look converged: the
// value of a one-day American call a little out of the money is, a few
// scales away, 0 on one side and S − K on the other, and every quotient
// across them is 1/2). Where the estimate from there is not accurate (the
// steps are too small for the rounding of the value), it starts again from
// 100 times larger and keeps the estimate with the smaller error.
const (
	// SpotBump is the first step of a spot, relative to it.
	SpotBump = 1e-4
	// QuoteBump is the first step of rates, dividend yields, vols,
	// correlations and model parameters (absolute).
	QuoteBump = 1e-5
	// TimeBump is the first move of the valuation time, in years, for theta.
	TimeBump = 1e-5
)

// Ridders' method: the number of steps tried (each half the one before),
// the extrapolation columns kept, the factor of the larger first step, and
// the growth of the error that ends the search.
const (
	bumpSteps   = 20
	bumpColumns = 4
	bumpRetry   = 100
	bumpGrowth  = 4
)

// noiseSpacing is the spacing of the points that noiseOf differences,
// relative to the first step: far below any scale on which a value changes.
const noiseSpacing = 1e-6

// noiseOf bounds the rounding error of difference quotients of f at 0,
// where f0 = f(0): a quotient at step h, extrapolated, errs by about
// noiseOf/h. At a spacing delta far below any scale on which f changes, the
// fourth difference f(−2δ) − 4f(−δ) + 6f(0) − 4f(δ) + f(2δ) (or one on a
// side of 0, where f cannot be evaluated on the other) is all rounding, of
// about √70 ≈ 8 times the error e of one value, taken at least as the
// rounding of f0 itself; a quotient divides a few such errors by h, and
// extrapolation adds a few more: 8e/h.
func noiseOf(f func(x float64) (float64, error), f0, delta float64) float64 {
	ulp := 0x1p-52 * math.Abs(f0)
points:
	for _, ks := range [...][4]float64{{-2, -1, 1, 2}, {1, 2, 3, 4}, {-1, -2, -3, -4}} {
		var v [4]float64
		for j, k := range ks {
			x, err := f(k * delta)
			if err != nil {
				continue points
			}
			v[j] = x
		}
		var d4 float64
		if ks[0] == -2 {
			d4 = v[0] - 4*v[1] + 6*f0 - 4*v[2] + v[3]
		} else {
			d4 = f0 - 4*v[0] + 6*v[1] - 4*v[2] + v[3]
		}
		return 8 * max(math.Abs(d4)/8, ulp)
	}
	return 8 * ulp
}

// bumpSize returns the first step of quote q.
func bumpSize(q *marketdata.Quote) float64 {
	if q.Kind == marketdata.Spot {
		return SpotBump * math.Abs(q.Value)
	}
	return QuoteBump
}

// valueAt returns the passive value of one unit of inst with bump b applied.
// A value that is not finite (a fixing time moved past the valuation date,
// say) is an error, like a value that cannot be computed: bump-and-revalue
// never differences a NaN.
func (p *Pricer) valueAt(inst analyticProduct, b marketdata.Bump) (float64, error) {
	p.sc.ResetBumped(nil, b)
	v, err := inst.value(p.sc)
	if err != nil {
		return 0, err
	}
	if x := v.Value(); math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("value is %v", x)
	}
	return v.Value(), nil
}

// A quotient is a difference quotient of f at step h: its error is a
// series in powers of h, which extrapolate removes.
type quotient struct {
	// at returns the quotient at step h.
	at func(h float64) (float64, error)
	// first and step are the powers of h in its error: first, first+step, …
	first, step int
}

// central is the difference quotient (f(h) − f(−h))/2h of the function f(x)
// at x = 0.
func central(f func(x float64) (float64, error)) quotient {
	return quotient{first: 2, step: 2, at: func(h float64) (float64, error) {
		up, err := f(h)
		if err != nil {
			return 0, err
		}
		dn, err := f(-h)
		if err != nil {
			return 0, err
		}
		return (up - dn) / (2 * h), nil
	}}
}

// oneSided is the second-order one-sided difference quotient
// (−3f(0) + 4f(±h) − f(±2h))/(±2h) of f(x) at x = 0, with f0 = f(0) and ±
// the sign of dir: every point lies on one side.
func oneSided(f func(x float64) (float64, error), f0, dir float64) quotient {
	return quotient{first: 2, step: 1, at: func(h float64) (float64, error) {
		f1, err := f(dir * h)
		if err != nil {
			return 0, err
		}
		f2, err := f(dir * 2 * h)
		if err != nil {
			return 0, err
		}
		return (-3*f0 + 4*f1 - f2) / (dir * 2 * h), nil
	}}
}

// derivative returns the derivative that q approximates, from the first
// step h (see SpotBump), with ok false if q could not be evaluated at any
// step (err says why). noise/h bounds the rounding error of the quotient at
// step h; tol(d) is the tolerance the estimate d will be held to.
func derivative(q quotient, h, noise float64, tol func(d float64) float64) (d float64, ok bool, err error) {
	d, e, ok, err := extrapolate(q, h, noise, tol)
	if ok && e <= 0.1*tol(d) {
		return d, true, nil
	}
	d2, e2, ok2, err2 := extrapolate(q, bumpRetry*h, noise, tol)
	switch {
	case ok2 && (!ok || e2 < e):
		return d2, true, nil
	case ok:
		return d, true, nil
	}
	if err == nil {
		err = err2
	}
	return 0, false, err
}

// extrapolate returns the derivative that q approximates, by Ridders'
// method from the step h0 down, with an estimate of its error (the larger
// of the change between steps and orders and the rounding error noise/h),
// and ok false if q could not be evaluated at any step (err says why). It
// stops once the error estimate is a thousandth of tol(estimate), or once
// it is within tol(estimate) and the error grows again (rounding taking
// over from truncation, as the steps get smaller).
func extrapolate(q quotient, h0, noise float64, tol func(d float64) float64) (d, e float64, ok bool, err error) {
	var prev, cur [bumpColumns]float64
	n := 0 // the steps in a row that q was evaluated at
	e = math.Inf(1)
	h := h0
	for range bumpSteps {
		v, qerr := q.at(h)
		round := noise / h
		h /= 2
		if qerr != nil {
			if !ok {
				err = qerr
			}
			n = 0
			continue
		}
		cur[0] = v
		if !ok { // the first value is the estimate until there are better ones
			d, ok = v, true
		}
		pow := q.first
		levelErr := math.Inf(1)
		for j := 1; j <= min(n, bumpColumns-1); j++ {
			fac := math.Ldexp(1, pow)
			cur[j] = (fac*cur[j-1] - prev[j-1]) / (fac - 1)
			pow += q.step
			ej := max(math.Abs(cur[j]-cur[j-1]), math.Abs(cur[j]-prev[j-1]), round)
			levelErr = math.Min(levelErr, ej)
			if ej <= e {
				d, e = cur[j], ej
			}
		}
		switch {
		case n == 0:
		case e <= 1e-3*tol(d):
			return d, e, true, nil
		case n >= 2 && levelErr > bumpGrowth*e && e <= tol(d):
			return d, e, true, nil
		}
		prev = cur
		n++
	}
	return d, e, ok, err
}

// BumpAndRevalue returns, for each quote index in quotes, the
// bump-and-revalue sensitivity of tr's value (scaled by its quantity) to
// that quote, and theta, by moving the valuation time forward, from the
// trade's engine: every revaluation is the same pricer code run passively
// (no tape). ctx, when done, stops a simulation in progress.
//
// The analytic engine takes central differences extrapolated by Ridders'
// method (see SpotBump); the Monte Carlo engine differences simulations
// with the same random numbers at a tiny step (see mcBump). A quote that cannot be moved
// both ways (a vol at 0, a spot next to a barrier) gets a one-sided
// second-order difference, on the side where the trade can be priced.
// Theta is always the one-sided difference (−3f(0) + 4f(h) − f(2h))/2h,
// extrapolated, so every revaluation lies on the side the valuation date
// moves to: where the expiry sits exactly on a curve pillar, the derivative
// is one-sided and this is the side theta means.
func (p *Pricer) BumpAndRevalue(ctx context.Context, tr *Trade, quotes []int) (sens []float64, theta float64, err error) {
	if tr.Instrument == nil {
		return nil, 0, fmt.Errorf("trade %q has no instrument", tr.ID)
	}
	return tr.engine().bump(ctx, p, tr.Instrument, tr.Quantity.InexactFloat64(), quotes)
}

// bump is BumpAndRevalue by Ridders' method.
func (AnalyticEngine) bump(_ context.Context, p *Pricer, in Instrument, qty float64, quotes []int) (sens []float64, theta float64, err error) {
	inst, err := closedFormOf(in)
	if err != nil {
		return nil, 0, err
	}
	f0, err := p.valueAt(inst, marketdata.Bump{})
	if err != nil {
		return nil, 0, err
	}
	floor := AbsTolerance * math.Max(1, math.Abs(qty*f0))
	tol := func(d float64) float64 { return RelTolerance*math.Abs(d) + floor } // Validate's
	all := p.m.Quotes()
	sens = make([]float64, len(quotes))
	for j, i := range quotes {
		f := func(x float64) (float64, error) {
			v, err := p.valueAt(inst, marketdata.Bump{Quote: i, By: x})
			return qty * v, err
		}
		h := bumpSize(&all[i])
		noise := noiseOf(f, qty*f0, h*noiseSpacing)
		d, ok, err := derivative(central(f), h, noise, tol)
		for _, dir := range [...]float64{1, -1} {
			if !ok {
				d, ok, _ = derivative(oneSided(f, qty*f0, dir), h, noise, tol)
			}
		}
		if !ok {
			return nil, 0, fmt.Errorf("bumping %s: %w", all[i].Key, err)
		}
		sens[j] = d
	}
	ft := func(x float64) (float64, error) {
		v, err := p.valueAt(inst, marketdata.Bump{Time: x})
		return qty * v, err
	}
	theta, ok, err := derivative(oneSided(ft, qty*f0, 1), TimeBump, noiseOf(ft, qty*f0, TimeBump*noiseSpacing), tol)
	if !ok {
		return nil, 0, fmt.Errorf("moving the valuation time: %w", err)
	}
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

// ThetaFactor is the risk_factor name of theta in validation rows;
// GammaFactor, VegaFactor, RhoFactor and DivRhoFactor name the other
// figures of results.csv that a Monte Carlo trade's revaluation rows check
// (delta is its spot's bucket).
const (
	ThetaFactor  = "THETA"
	GammaFactor  = "GAMMA"
	VegaFactor   = "VEGA"
	RhoFactor    = "RHO"
	DivRhoFactor = "DIV_RHO"
)

// Validate checks the AAD figures of res, which Price gave for tr, against
// bump-and-revalue with the trade's engine: one row per bucketed
// sensitivity, in the order of res.Sens, then one for theta (CheckBump;
// CheckSameRN for a Monte Carlo trade). A Monte Carlo trade then has
// CheckRevaluation rows: one per bucketed sensitivity, then gamma, vega,
// rho and div_rho (those it has) and theta (see RevaluationSigmas). A trade that failed gives no rows; if
// bump-and-revalue itself cannot be done the error says why.
func (p *Pricer) Validate(ctx context.Context, tr *Trade, res *Result) ([]Validation, error) {
	if res.Err != nil {
		return nil, nil
	}
	idx := make([]int, len(res.Sens))
	quotes := p.m.Quotes()
	for j, s := range res.Sens {
		// A Result priced on another market (or read back from a file)
		// has quotes that are not this market's.
		if s.Quote < 0 || s.Quote >= len(quotes) || quotes[s.Quote].Key != s.RiskFactor.String() {
			return nil, fmt.Errorf("risk factor %s is not in the market", s.RiskFactor)
		}
		idx[j] = s.Quote
	}
	return tr.engine().validate(ctx, p, tr, res, idx)
}

// validate holds every figure to the bump-and-revalue one.
func (e AnalyticEngine) validate(ctx context.Context, p *Pricer, tr *Trade, res *Result, idx []int) ([]Validation, error) {
	bumped, theta, err := e.bump(ctx, p, tr.Instrument, tr.Quantity.InexactFloat64(), idx)
	if err != nil {
		return nil, err
	}
	out := make([]Validation, 0, len(idx)+1)
	floor := AbsTolerance * math.Max(1, math.Abs(res.PV))
	for j, s := range res.Sens {
		out = append(out, compare(tr.ID, s.RiskFactor.String(), CheckBump, s.Value, bumped[j], floor))
	}
	out = append(out, compare(tr.ID, ThetaFactor, CheckBump, res.Theta, theta, floor))
	inst, err := closedFormOf(tr.Instrument)
	if err != nil {
		return nil, err
	}
	second, err := p.validateSecond(tr.ID, inst, tr.Quantity.InexactFloat64(), res, floor)
	if err != nil {
		return nil, fmt.Errorf("second order: %w", err)
	}
	return append(out, second...), nil
}

// compare holds |aad − bump| to RelTolerance·max(|aad|, |bump|) + floor.
func compare(id, factor, check string, aad, bump, floor float64) Validation {
	diff := math.Abs(aad - bump)
	scale := math.Max(math.Abs(aad), math.Abs(bump))
	rel := 0.0
	if scale > 0 {
		rel = diff / scale
	}
	tol := RelTolerance*scale + floor
	return Validation{TradeID: id, RiskFactor: factor, Check: check, AAD: aad, Bump: bump,
		AbsDiff: diff, RelDiff: rel, Tolerance: tol, OK: diff <= tol}
}
