package pricing

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// RevaluationSigmas states the level of the revaluation check of a Monte
// Carlo figure (CheckRevaluation): a correct figure fails it as often as a
// normal variable lies beyond 4 standard deviations (6.3e-5 of the checks,
// once in 16,000). The standard error of the difference comes from B
// blocks (batch means), itself uncertain, so the bound is the Student t
// quantile with B − 1 degrees of freedom at that level, times the
// standard error (revaluationLimit): 4.62 standard errors with the
// engine's 32 blocks (8,192 paths or more), 125.6 with 3 (1,000 paths).
const RevaluationSigmas = 4

// RevaluationBias allows, in the revaluation check, for the finite
// difference's own O(h²) bias at the steps below, relative to the figure:
// the tolerance is k·SE + RevaluationBias·max(|aad|, |bump|) +
// AbsTolerance·max(1, |pv|) + the rounding of the difference. Where the
// per-path difference is nearly deterministic (a lognormal trade's rho:
// the rate moves every path by the same factor) its standard error is far
// below that bias, which this term then bounds.
const RevaluationBias = 1e-3

// tQuantiles[d−1] is the quantile of Student's t with d degrees of freedom
// at 1 − Φ(−4) (one-sided 3.167e-5): the two-sided 4σ level. A test
// checks it against gonum's distuv.StudentsT.
var tQuantiles = [...]float64{
	10050.4390, 125.6411, 32.6164, 17.4482, 12.2814, 9.8442, 8.4669, 7.5951,
	6.9986, 6.5672, 6.2416, 5.9878, 5.7847, 5.6186, 5.4804, 5.3636,
	5.2638, 5.1774, 5.1020, 5.0355, 4.9766, 4.9240, 4.8767, 4.8340,
	4.7952, 4.7599, 4.7276, 4.6978, 4.6705, 4.6451, 4.6216,
}

// revaluationLimit returns the number of standard errors a revaluation row
// is held to when its standard error comes from nb blocks.
func revaluationLimit(nb int) float64 {
	if nb < 2 {
		return tQuantiles[0]
	}
	return tQuantiles[min(nb-1, len(tQuantiles))-1]
}

// The steps of the revaluation check of a Monte Carlo figure, far out of
// the noise of the estimator's kinks (a path crossing a strike) and small
// enough for the finite difference's own bias, O(h²), to stay well below
// the standard error: a central difference (f(x+h) − f(x−h))/2h errs by
// h²·f”'/6, which for a European at the money with σ√T = 0.2 is about
// 1e-5 of delta at 1% of the spot, 1e-4 of vega at 0.5 vol points and
// 1e-8 of rho at 1bp.
const (
	// RevalSpotBump is the spot's step, relative to it; it is also the
	// gamma bump, so that the spot's revaluations serve gamma's check.
	RevalSpotBump = mcGammaBump
	// RevalVolBump is a vol's step: 0.5 vol points.
	RevalVolBump = 0.005
	// RevalRateBump is a rate's or a dividend yield's step: 1bp.
	RevalRateBump = 1e-4
	// RevalCorrBump is a correlation's step.
	RevalCorrBump = 0.01
	// RevalHestonBump is a Heston parameter's step, relative to it (at
	// least RevalRateBump).
	RevalHestonBump = 0.01
	// RevalTimeBump is the forward move of the valuation time for theta,
	// in years (one day), at most a quarter of the time to the first
	// payoff date (an Asian's first fixing), so that both revaluations
	// (at dt and 2dt) are before it.
	RevalTimeBump = 1.0 / 365
)

// revalStep returns the revaluation step of quote q.
func revalStep(q *marketdata.Quote) float64 {
	switch q.Kind {
	case marketdata.Spot:
		return RevalSpotBump * math.Abs(q.Value)
	case marketdata.Vol:
		return RevalVolBump
	case marketdata.Corr:
		return RevalCorrBump
	case marketdata.Heston:
		return max(RevalHestonBump*math.Abs(q.Value), RevalRateBump)
	}
	return RevalRateBump
}

// validate is Validate for a Monte Carlo trade: the same-random-numbers
// rows, then the revaluation rows.
func (e *MCEngine) validate(ctx context.Context, p *Pricer, tr *Trade, res *Result, idx []int) ([]Validation, error) {
	m := tr.Instrument
	qty := tr.Quantity.InexactFloat64()
	runs := res.mc
	if runs == nil || len(runs.base.Sens) != len(res.Sens) {
		tmp := &Result{}
		if err := e.price(ctx, p, m, qty, tmp); err != nil {
			return nil, err
		}
		runs = tmp.mc
	}
	bumped, theta, noise, err := e.bumpNoise(ctx, p, m, qty, idx)
	if err != nil {
		return nil, err
	}
	all := p.m.Quotes()
	out := make([]Validation, 0, 2*len(idx)+6)
	// The same-RN tolerance adds the rounding error of the quotients at
	// mcBump: noise/h, with h the step of the quote.
	floor := AbsTolerance * math.Max(1, math.Abs(res.PV))
	for j, s := range res.Sens {
		h := mcBump
		if all[idx[j]].Kind == marketdata.Spot {
			h *= math.Abs(all[idx[j]].Value)
		}
		out = append(out, compare(tr.ID, s.RiskFactor.String(), CheckSameRN, s.Value, bumped[j], floor+noise/h))
	}
	out = append(out, compare(tr.ID, ThetaFactor, CheckSameRN, res.Theta, theta, floor+noise/mcBump))
	rv, err := e.revalue(ctx, p, tr.ID, m, qty, res, runs, idx)
	if err != nil {
		return nil, err
	}
	return append(out, rv...), nil
}

// A revaluation is a finite difference of passive runs: coefficient c[k]
// of the run at bump b[k]; a nil run is the base run's values.
type revaluation struct {
	c    []float64
	runs []*montecarlo.Result
}

// revalue returns the CheckRevaluation rows of a Monte Carlo trade.
//
// Each figure F (an AAD derivative, or a difference of AAD deltas for
// gamma) is compared with a finite difference D of passive revaluations
// with common random numbers, at the steps above. Both are means over the
// same paths, cut into the same blocks, so AAD − D is the mean of a
// per-path figure whose block sums are those of F minus those of D, and
// its standard error is the batch-means one of these block sums
// (montecarlo.BatchStdError): far smaller than the two errors added, as
// both move together. The row passes when |F − D| ≤ k·SE (k from
// RevaluationSigmas and the number of blocks) + RevaluationBias·max(|F|,
// |D|) + AbsTolerance·max(1, |pv|) + the rounding of D.
func (e *MCEngine) revalue(ctx context.Context, p *Pricer, id string, m Instrument, qty float64, res *Result, runs *mcRuns, idx []int) ([]Validation, error) {
	base := runs.base
	all := p.m.Quotes()
	value := func(b marketdata.Bump) (*montecarlo.Result, error) { return e.run(ctx, p, m, b, false) }
	floor := AbsTolerance * math.Max(1, math.Abs(res.PV))
	nb := len(base.BlockPaths)
	nonEmpty := 0
	for _, n := range base.BlockPaths {
		if n > 0 {
			nonEmpty++
		}
	}
	// diff returns the row of a figure whose block sums (per unit) are
	// aadSums and whose finite difference is rv.
	row := func(factor string, aadSums []float64, rv revaluation, h float64) Validation {
		d := make([]float64, nb)
		var aad, fd, n float64
		for b := range nb {
			n += float64(base.BlockPaths[b])
			aad += aadSums[b]
			fdb := 0.0
			for k, r := range rv.runs {
				if r == nil {
					r = base
				}
				fdb += rv.c[k] * r.BlockPV[b]
			}
			fd += fdb
			d[b] = aadSums[b] - fdb
		}
		aq := math.Abs(qty)
		se := aq * montecarlo.BatchStdError(base.BlockPaths, d)
		a, f := qty*aad/n, qty*fd/n
		// The rounding of the difference: a few ulps of the values over h.
		round := 8 * 0x1p-52 * aq * math.Abs(base.PV) / h
		v := compare(id, factor, CheckRevaluation, a, f, 0)
		v.Tolerance = revaluationLimit(nonEmpty)*se + RevaluationBias*max(math.Abs(a), math.Abs(f)) + floor + round
		v.OK = v.AbsDiff <= v.Tolerance
		v.StdError, v.HasStdError = se, true
		if se > 0 {
			v.Z = (a - f) / se
		}
		return v
	}
	// fdOf returns the central difference in the quotes qs (one-sided where
	// a side cannot be priced) of step h.
	fdOf := func(qs []int, h float64) (revaluation, error) {
		b := func(by float64) marketdata.Bump {
			if len(qs) == 1 {
				return marketdata.Bump{Quote: qs[0], By: by}
			}
			return marketdata.Bump{Quote: -1, By: by, Also: qs}
		}
		up, errUp := value(b(h))
		dn, errDn := value(b(-h))
		if errUp == nil && errDn == nil {
			return revaluation{c: []float64{1 / (2 * h), -1 / (2 * h)}, runs: []*montecarlo.Result{up, dn}}, nil
		}
		dir := 1.0
		if errUp != nil {
			dir = -1
		}
		f1, err1 := value(b(dir * h))
		f2, err2 := value(b(2 * dir * h))
		if err := errors.Join(err1, err2); err != nil {
			return revaluation{}, err
		}
		c := dir / (2 * h)
		return revaluation{c: []float64{-3 * c, 4 * c, -c}, runs: []*montecarlo.Result{nil, f1, f2}}, nil
	}
	var out []Validation
	spotFD := revaluation{}
	for j, i := range idx {
		h := revalStep(&all[i])
		rv, err := fdOf([]int{i}, h)
		if err != nil {
			return nil, fmt.Errorf("revaluing %s: %w", all[i].Key, err)
		}
		if i == runs.spot {
			spotFD = rv
		}
		out = append(out, row(all[i].Key, blockSums(base, []int{j}), rv, h))
	}
	// Gamma: the second difference of values at ±h against the AAD deltas'
	// difference at ±h (the same step), both with common random numbers;
	// their O(h²) biases differ by h²·f''''/12.
	if runs.spot >= 0 && runs.up != nil && len(spotFD.runs) == 2 {
		h := runs.h
		ju, jd := sensPos(runs.up, runs.spot), sensPos(runs.dn, runs.spot)
		aad := make([]float64, nb)
		for b := range nb {
			if ju >= 0 {
				aad[b] += runs.up.BlockGrad[b][ju]
			}
			if jd >= 0 {
				aad[b] -= runs.dn.BlockGrad[b][jd]
			}
			aad[b] /= 2 * h
		}
		rv := revaluation{c: []float64{1 / (h * h), -2 / (h * h), 1 / (h * h)}, runs: []*montecarlo.Result{spotFD.runs[0], nil, spotFD.runs[1]}}
		out = append(out, row(GammaFactor, aad, rv, h*h))
	}
	// Volga likewise: the second difference of the values of the two runs
	// at vols shifted by ±hv against the difference of their AAD vegas.
	if runs.volUp != nil {
		h := runs.hv
		aad := make([]float64, nb)
		for _, q := range runs.volQuotes {
			ju, jd := sensPos(runs.volUp, q), sensPos(runs.volDn, q)
			for b := range nb {
				if ju >= 0 {
					aad[b] += runs.volUp.BlockGrad[b][ju]
				}
				if jd >= 0 {
					aad[b] -= runs.volDn.BlockGrad[b][jd]
				}
			}
		}
		for b := range nb {
			aad[b] /= 2 * h
		}
		rv := revaluation{c: []float64{1 / (h * h), -2 / (h * h), 1 / (h * h)}, runs: []*montecarlo.Result{runs.volUp, nil, runs.volDn}}
		out = append(out, row(VolgaFactor, aad, rv, h*h))
	}
	// The parallel figures: the whole surface, curve or curves shifted.
	_, vega, rho, div := p.figureSets(m, len(base.Sens), func(i int) int { return base.Sens[i].Quote })
	for _, f := range [...]struct {
		name string
		js   []int
		h    float64
	}{{VegaFactor, vega, RevalVolBump}, {RhoFactor, rho, RevalRateBump}, {DivRhoFactor, div, RevalRateBump}} {
		if len(f.js) == 0 {
			continue
		}
		qs := make([]int, len(f.js))
		for k, j := range f.js {
			qs[k] = base.Sens[j].Quote
		}
		rv, err := fdOf(qs, f.h)
		if err != nil {
			return nil, fmt.Errorf("revaluing %s: %w", f.name, err)
		}
		out = append(out, row(f.name, blockSums(base, f.js), rv, f.h))
	}
	// Theta: the valuation time moves forward only, second-order one-sided.
	if base.HasTheta {
		pr, _, err := e.Problem(p.m, m, p.MC)
		if err != nil {
			return nil, err
		}
		dt := min(RevalTimeBump, pr.Dates[0]/4)
		f1, err1 := value(marketdata.Bump{Quote: -1, Time: dt})
		f2, err2 := value(marketdata.Bump{Quote: -1, Time: 2 * dt})
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("moving the valuation time: %w", err)
		}
		c := 1 / (2 * dt)
		rv := revaluation{c: []float64{-3 * c, 4 * c, -c}, runs: []*montecarlo.Result{nil, f1, f2}}
		out = append(out, row(ThetaFactor, blockSums(base, []int{len(base.Sens)}), rv, dt))
	}
	return out, nil
}
