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

func (p *Pricer) context() context.Context {
	if p.Context != nil {
		return p.Context
	}
	return context.Background()
}

// runMC simulates one unit of m with bump b applied.
func (p *Pricer) runMC(m *MonteCarlo, b marketdata.Bump, greeks bool) (*montecarlo.Result, error) {
	pr, set, err := m.Problem(p.m, p.MC)
	if err != nil {
		return nil, err
	}
	r, err := p.mcEngine().Run(p.context(), pr, set, b, greeks)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(r.PV) || math.IsInf(r.PV, 0) {
		return nil, fmt.Errorf("value is %v", r.PV)
	}
	return r, nil
}

// priceMC prices a Monte Carlo trade: price, standard error and every
// sensitivity with its standard error from one simulation, and gamma as
// the central difference of the AAD deltas of two more, at spots bumped by
// ±mcGammaBump, with the same random numbers.
func (p *Pricer) priceMC(m *MonteCarlo, qty float64, res *Result) error {
	r, err := p.runMC(m, marketdata.Bump{Quote: -1}, true)
	if err != nil {
		return err
	}
	aq := math.Abs(qty)
	res.PV, res.StdError, res.HasStdError = qty*r.PV, aq*r.StdError, true
	res.Sens = make([]Sensitivity, len(r.Sens))
	quotes := p.m.Quotes()
	for i, s := range r.Sens {
		res.Sens[i] = Sensitivity{RiskFactor: quotes[s.Quote].Key, Value: qty * s.Value, StdError: aq * s.StdError, HasStdError: true}
	}
	spot := p.aggregate(m, res, func(i int) int { return r.Sens[i].Quote })
	res.Theta = qty * r.Theta
	res.HasDelta = m.Spot() != ""
	if spot >= 0 {
		h := mcGammaBump * quotes[spot].Value
		up, errUp := p.mcDelta(m, spot, h)
		dn, errDn := p.mcDelta(m, spot, -h)
		if errUp != nil || errDn != nil {
			return fmt.Errorf("gamma: %w", errors.Join(errUp, errDn))
		}
		res.Gamma = qty * (up - dn) / (2 * h)
	}
	return checkFinite(res)
}

// mcDelta returns the AAD delta of one unit of m to spot quote i bumped by d.
func (p *Pricer) mcDelta(m *MonteCarlo, i int, d float64) (float64, error) {
	r, err := p.runMC(m, marketdata.Bump{Quote: i, By: d}, true)
	if err != nil {
		return 0, err
	}
	for _, s := range r.Sens {
		if s.Quote == i {
			return s.Value, nil
		}
	}
	return 0, nil
}

// Monte Carlo bump-and-revalue: every revaluation is a passive simulation
// with the same random numbers, so the difference quotients differentiate
// the same estimator the AAD sweep does. That estimator has kinks (a
// path's payoff at its strike), so the steps are small, for few paths to
// cross one, and not extrapolated: a central difference at a step of
// mcBump (times the spot for a spot) has a truncation error far below
// Validate's tolerance and a rounding error of about 1e-16·pv/mcBump.
const mcBump = 1e-7

// bumpMC is BumpAndRevalue for a Monte Carlo instrument.
func (p *Pricer) bumpMC(m *MonteCarlo, qty float64, quotes []int) (sens []float64, theta float64, err error) {
	value := func(b marketdata.Bump) (float64, error) {
		r, err := p.runMC(m, b, false)
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
				return nil, 0, fmt.Errorf("bumping %s: %w", all[i].Key, err)
			}
			sens[j] = dir * (-3*f0 + 4*f1 - f2) / (2 * h)
		}
	}
	// Theta moves the valuation time forward only (see BumpAndRevalue).
	f0, err0 := value(marketdata.Bump{Quote: -1})
	f1, err1 := value(marketdata.Bump{Quote: -1, Time: mcBump})
	f2, err2 := value(marketdata.Bump{Quote: -1, Time: 2 * mcBump})
	if err := errors.Join(err0, err1, err2); err != nil {
		return nil, 0, fmt.Errorf("moving the valuation time: %w", err)
	}
	return sens, (-3*f0 + 4*f1 - f2) / (2 * mcBump), nil
}
