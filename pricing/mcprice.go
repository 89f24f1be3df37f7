package pricing

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// mcEngine returns the pricer's Monte Carlo engine, made on first use.
func (p *Pricer) mcEngine() *montecarlo.Engine {
	if p.mc == nil {
		p.mc = montecarlo.NewEngine(p.m, max(p.MCWorkers, 1))
	}
	return p.mc
}

// run simulates one unit of inst with bump b applied, with the Greeks of
// every path if greeks: the one place a Pricer runs a simulation.
func (e *MCEngine) run(ctx context.Context, p *Pricer, inst Instrument, b marketdata.Bump, greeks bool) (*montecarlo.Result, error) {
	pr, set, err := e.Problem(p.m, inst, p.MC)
	if err != nil {
		return nil, err
	}
	set.Progress, set.Greeks = p.Progress, greeks
	r, err := p.mcEngine().Run(ctx, pr, set, b)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(r.PV) || math.IsInf(r.PV, 0) {
		return nil, fmt.Errorf("value is %v", r.PV)
	}
	return r, nil
}

// mcRuns are the simulations behind a Monte Carlo trade's figures, kept
// for Validate: the run with Greeks and, with a spot, the two runs at the
// spot bumped by ±h whose AAD sensitivities give gamma and vanna, and with
// vol inputs the two at every vol shifted by ±hv that give volga.
type mcRuns struct {
	base, up, dn *montecarlo.Result
	// spot is the spot's quote index (−1 for none), h its bump.
	spot int
	h    float64
	// volUp and volDn are the runs for volga (nil without vol inputs),
	// volQuotes the vol quotes moved by ±hv.
	volUp, volDn *montecarlo.Result
	volQuotes    []int
	hv           float64
}

// figureSets returns the positions in sens (quote(i) the quote index of
// sens[i]) of the buckets that make up delta (−1 for none), vega, rho and
// div_rho, as aggregate adds them.
func (p *Pricer) figureSets(inst Instrument, n int, quote func(i int) int) (spot int, vega, rho, div []int) {
	quotes := p.m.Quotes()
	spot = -1
	names := inst.Underlyings()
	for i := range n {
		switch figureOf(inst, names, &quotes[quote(i)]) {
		case figDelta:
			spot = i
		case figVega:
			vega = append(vega, i)
		case figRho:
			rho = append(rho, i)
		case figDivRho:
			div = append(div, i)
		}
	}
	return spot, vega, rho, div
}

// blockSums returns, for each block of r, the sum over positions js of its
// gradient sums.
func blockSums(r *montecarlo.Result, js []int) []float64 {
	out := make([]float64, len(r.BlockGrad))
	for b, g := range r.BlockGrad {
		for _, j := range js {
			out[b] += g[j]
		}
	}
	return out
}

// sensPos returns the position in r.Sens of quote i, −1 if absent.
func sensPos(r *montecarlo.Result, i int) int {
	for j, s := range r.Sens {
		if s.Quote == i {
			return j
		}
	}
	return -1
}

// price prices a Monte Carlo trade: price, standard error and every
// sensitivity with its standard error from one simulation; gamma and vanna
// from the central differences of the AAD sensitivities of two more, at
// spots bumped by ±mcGammaBump, and volga from two more at every vol of
// its underlyings shifted by ±mcVolgaBump, with the same random numbers
// (with Pricer.SecondOrder, two more per other spot for the rows of
// second_order.csv). Every figure has its standard error, by batch means
// over the blocks.
func (e *MCEngine) price(ctx context.Context, p *Pricer, m Instrument, qty float64, res *Result) error {
	r, err := e.run(ctx, p, m, marketdata.Bump{Quote: -1}, true)
	if err != nil {
		return err
	}
	aq := math.Abs(qty)
	res.PV, res.StdError, res.HasStdError = qty*r.PV, aq*r.StdError, true
	res.Floored = r.Floored
	res.Sens = make([]Sensitivity, len(r.Sens))
	ins := make([]int, len(r.Sens))
	for i, s := range r.Sens {
		ins[i] = s.Quote
		res.Sens[i] = Sensitivity{Quote: s.Quote, RiskFactor: p.m.RiskFactor(s.Quote), Value: qty * s.Value, StdError: aq * s.StdError, HasStdError: true}
	}
	quoteOf := func(i int) int { return ins[i] }
	p.aggregate(m, res, quoteOf)
	sj, vega, rho, div := p.figureSets(m, len(r.Sens), quoteOf)
	se := func(js []int) float64 { return aq * montecarlo.BatchStdError(r.BlockPaths, blockSums(r, js)) }
	res.VegaStdError, res.RhoStdError, res.DivRhoStdError = se(vega), se(rho), se(div)
	res.Theta, res.ThetaStdError = qty*r.Theta, aq*r.ThetaStdError
	res.HasDelta = m.Underlying() != ""
	runs := &mcRuns{base: r, spot: -1}
	if sj >= 0 {
		res.DeltaStdError = aq * r.Sens[sj].StdError
		runs.spot = ins[sj]
	}
	for _, d := range directions(ins, p.m.Quotes(), sj, vega, p.SecondOrder) {
		h := mcVolgaBump
		if d.wrt >= 0 {
			h = mcGammaBump * p.m.Value(d.wrt)
		}
		up, errUp := e.run(ctx, p, m, marketdata.Bump{Quote: -1, By: h, Also: d.quotes}, true)
		dn, errDn := e.run(ctx, p, m, marketdata.Bump{Quote: -1, By: -h, Also: d.quotes}, true)
		if errUp != nil || errDn != nil {
			return fmt.Errorf("second order: %w", errors.Join(errUp, errDn))
		}
		// fig returns the difference of the sums of the sensitivities at
		// positions js of the two runs over 2h, and its standard error.
		fig := func(js []int) (float64, float64) {
			var v float64
			d := make([]float64, len(up.BlockPaths))
			for _, j := range js {
				ju, jd := sensPos(up, ins[j]), sensPos(dn, ins[j])
				if ju >= 0 {
					v += up.Sens[ju].Value
				}
				if jd >= 0 {
					v -= dn.Sens[jd].Value
				}
				for b := range d {
					if ju >= 0 {
						d[b] += up.BlockGrad[b][ju]
					}
					if jd >= 0 {
						d[b] -= dn.BlockGrad[b][jd]
					}
				}
			}
			for b := range d {
				d[b] /= 2 * h
			}
			return qty * v / (2 * h), aq * montecarlo.BatchStdError(up.BlockPaths, d)
		}
		switch {
		case d.wrt < 0:
			res.Volga, res.VolgaStdError = fig(vega)
			runs.volUp, runs.volDn, runs.volQuotes, runs.hv = up, dn, d.quotes, h
		case d.wrt == runs.spot:
			res.Gamma, res.GammaStdError = fig([]int{sj})
			res.Vanna, res.VannaStdError = fig(vega)
			runs.up, runs.dn, runs.h = up, dn, h
		}
		if p.SecondOrder && d.wrt >= 0 {
			for j, i := range ins {
				v, s := fig([]int{j})
				res.Second = append(res.Second, SecondOrder{Quote: i, WrtQuote: d.wrt, RiskFactor: p.m.RiskFactor(i),
					Wrt: p.m.RiskFactor(d.wrt), Value: v, StdError: s, HasStdError: true})
			}
		}
	}
	if err := checkFinite(res); err != nil {
		return err
	}
	res.mc = runs
	return nil
}

// Monte Carlo bump-and-revalue: every revaluation is a passive simulation
// with the same random numbers, so the difference quotients differentiate
// the same estimator the AAD sweep does. That estimator has kinks (a
// path's payoff at its strike), so the steps are small, for few paths to
// cross one, and not extrapolated: a central difference at a step of
// mcBump (times the spot for a spot) has a truncation error far below
// Validate's tolerance and a rounding error of about 1e-16·pv/mcBump.
const mcBump = 1e-7

// bump is BumpAndRevalue for a Monte Carlo instrument.
func (e *MCEngine) bump(ctx context.Context, p *Pricer, m Instrument, qty float64, quotes []int) (sens []float64, theta float64, err error) {
	sens, theta, _, err = e.bumpNoise(ctx, p, m, qty, quotes)
	return sens, theta, err
}

// bumpNoise is bump that also returns noise, a bound on the rounding error
// of the quotients at a step h of about noise/h (see noiseOf), from the
// fourth difference of the value in the first quote (its spot, if it has
// one) at a spacing far below mcBump.
func (e *MCEngine) bumpNoise(ctx context.Context, p *Pricer, m Instrument, qty float64, quotes []int) (sens []float64, theta, noise float64, err error) {
	if err := e.Check(m); err != nil {
		return nil, 0, 0, err
	}
	value := func(b marketdata.Bump) (float64, error) {
		r, err := e.run(ctx, p, m, b, false)
		if err != nil {
			return 0, err
		}
		return qty * r.PV, nil
	}
	all := p.m.Quotes()
	sens = make([]float64, len(quotes))
	for j, i := range quotes {
		h := mcBump
		if all[i].Kind == marketdata.Spot {
			h *= math.Abs(all[i].Value)
		}
		up, errUp := value(marketdata.Bump{Quote: i, By: h})
		dn, errDn := value(marketdata.Bump{Quote: i, By: -h})
		switch {
		case errUp == nil && errDn == nil:
			sens[j] = (up - dn) / (2 * h)
		default:
			// One side cannot be priced (a vol at 0): one-sided, second order.
			dir := 1.0
			if errUp != nil {
				dir = -1
			}
			f0, err0 := value(marketdata.Bump{Quote: -1})
			f1, err1 := value(marketdata.Bump{Quote: i, By: dir * h})
			f2, err2 := value(marketdata.Bump{Quote: i, By: 2 * dir * h})
			if err := errors.Join(err0, err1, err2); err != nil {
				return nil, 0, 0, fmt.Errorf("bumping %s: %w", all[i].Key, err)
			}
			sens[j] = dir * (-3*f0 + 4*f1 - f2) / (2 * h)
		}
	}
	// Theta moves the valuation time forward only (see BumpAndRevalue).
	f0, err0 := value(marketdata.Bump{Quote: -1})
	f1, err1 := value(marketdata.Bump{Quote: -1, Time: mcBump})
	f2, err2 := value(marketdata.Bump{Quote: -1, Time: 2 * mcBump})
	if err := errors.Join(err0, err1, err2); err != nil {
		return nil, 0, 0, fmt.Errorf("moving the valuation time: %w", err)
	}
	theta = (-3*f0 + 4*f1 - f2) / (2 * mcBump)
	noise = 8 * 0x1p-52 * math.Abs(f0)
	if len(quotes) > 0 {
		q := quotes[0]
		for _, i := range quotes {
			if all[i].Kind == marketdata.Spot {
				q = i
				break
			}
		}
		h := mcBump
		if all[q].Kind == marketdata.Spot {
			h *= math.Abs(all[q].Value)
		}
		e := noiseOf(func(x float64) (float64, error) { return value(marketdata.Bump{Quote: q, By: x}) }, f0, h*noiseSpacing)
		noise = max(noise, e)
	}
	return sens, theta, noise, nil
}
