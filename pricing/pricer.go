package pricing

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// Pricer prices trades one at a time against one market: it records each
// trade on its own tape, reset and reused from trade to trade, and reads
// every Greek and bucketed sensitivity from one backward sweep. A Pricer is
// owned by one goroutine; give each worker its own.
type Pricer struct {
	m    *marketdata.Market
	tape *aad.Tape
	sc   *marketdata.Scope

	// MC are the defaults of Monte Carlo trades; MCWorkers is the number of
	// goroutines that simulate the paths of one trade (1 if 0). Results do
	// not depend on MCWorkers.
	MC        MCDefaults
	MCWorkers int
	// Context, when set, cancels a Monte Carlo simulation in progress.
	Context context.Context
	// Progress, when set, is added the paths of each block of each
	// simulation the Pricer runs, as the block finishes
	// (montecarlo.Settings.Progress): how far a long Monte Carlo trade is.
	Progress *atomic.Int64

	mc *montecarlo.Engine
}

// MCDefaults are the Monte Carlo settings of trades that do not give their
// own: the command's --paths, --seed, --rng and --antithetic. A zero Paths
// means DefaultPaths; the zero Sequence is pseudo-random.
type MCDefaults struct {
	Paths      int
	Seed       uint64
	Sequence   montecarlo.Sequence
	Antithetic bool
}

// NewPricer returns a pricer for trades on market m.
func NewPricer(m *marketdata.Market) *Pricer {
	return &Pricer{m: m, tape: aad.NewTape(256), sc: m.NewScope(), MC: MCDefaults{Seed: DefaultSeed}}
}

// Market returns the market the pricer prices against.
func (p *Pricer) Market() *marketdata.Market { return p.m }

// gammaBump is the relative spot bump of the central difference of AAD
// deltas that gives gamma. Delta changes on the scale of the spot's
// one-standard-deviation move S·σ√T, not of S: at one day and a vol of 0.25
// that is 1.3% of S, at a vol of 0.01 over two weeks 0.2%. The truncation
// error is about (h/(S·σ√T))²/6 relative, times a factor that grows with
// moneyness (a bump of 1e-4·S errs by 5e-4 relative on a one-day digital);
// the rounding error, the AAD deltas' own (about 1e-16 relative) times
// S·σ√T/h, stays below 1e-9 for σ√T up to several units. At 1e-6 both are
// below 1e-6 relative from σ√T = 1e-3 up.
const gammaBump = 1e-6

// Price values tr and computes its Greeks and bucketed sensitivities, all
// scaled by its quantity. Delta, vega, rho, div_rho, theta and every bucketed
// sensitivity come from one recording and one backward sweep; gamma is the
// central difference of AAD deltas at spots bumped by ±1e-6 relative (two
// more recordings). A trade that cannot be priced gives a Result with Err
// set and no figures; so does a non-finite figure.
func (p *Pricer) Price(tr *Trade) *Result {
	res := &Result{TradeID: tr.ID, Instrument: tr.Kind, Engine: tr.Engine, Line: tr.Line}
	if tr.Instrument == nil {
		res.Err = errors.New("trade has no instrument")
		return res
	}
	if res.Instrument == "" {
		res.Instrument = tr.Instrument.Kind()
	}
	res.Underlying, res.Currency = tr.Instrument.Spot(), tr.Instrument.Currency()
	if res.Engine == "" {
		res.Engine = Analytic
	}
	if err := p.price(tr, res); err != nil {
		*res = Result{TradeID: res.TradeID, Instrument: res.Instrument, Engine: res.Engine,
			Underlying: res.Underlying, Currency: res.Currency, Line: res.Line, Err: err}
	}
	return res
}

func (p *Pricer) price(tr *Trade, res *Result) error {
	inst := tr.Instrument
	qty := tr.Quantity.InexactFloat64()
	if mc, ok := inst.(*MonteCarlo); ok {
		return p.priceMC(mc, qty, res)
	}
	v, err := p.record(inst, marketdata.Bump{Quote: -1})
	if err != nil {
		return err
	}
	res.PV = qty * v.Value()

	inputs := p.sc.Inputs()
	res.Sens = make([]Sensitivity, len(inputs))
	for i, in := range inputs {
		res.Sens[i] = Sensitivity{Quote: in.Quote, RiskFactor: p.m.Quotes()[in.Quote].RiskFactor(), Value: qty * p.tape.Adjoint(in.X)}
	}
	spot := p.aggregate(inst, res, func(i int) int { return inputs[i].Quote })
	if h, ok := p.sc.Shift(); ok {
		res.Theta = qty * p.tape.Adjoint(h)
	}
	res.HasDelta = inst.Spot() != ""
	if spot >= 0 {
		g, err := p.gamma(inst, spot, res.Delta/qty)
		if err != nil {
			return fmt.Errorf("gamma: %w", err)
		}
		res.Gamma = qty * g
	}
	return checkFinite(res)
}

// aggregate adds res.Sens into delta, vega, rho and div_rho; quote(i) is
// the quote index of res.Sens[i]. It returns the quote index of the spot
// whose delta it reports, or −1.
//
// A basket's vega and div_rho add those of all its underlyings (parallel
// shifts of every vol surface and every dividend curve together); it has
// no delta.
func (p *Pricer) aggregate(inst Instrument, res *Result, quote func(i int) int) int {
	quotes := p.m.Quotes()
	spot := -1
	names := underlyingsOf(inst)
	for i := range res.Sens {
		a := res.Sens[i].Value
		switch figureOf(inst, names, &quotes[quote(i)]) {
		case figDelta:
			res.Delta, spot = a, quote(i)
		case figVega:
			res.Vega += a
		case figRho:
			res.Rho += a
		case figDivRho:
			res.DivRho += a
		}
	}
	return spot
}

// figure names the Greek of results.csv that a bucketed sensitivity adds
// to, if any.
type figure uint8

const (
	figNone figure = iota
	figDelta
	figVega
	figRho
	figDivRho
)

// underlyingsOf returns the names whose VOL and DIVYIELD quotes make up
// inst's vega and div_rho: its underlying, or a basket's assets.
func underlyingsOf(inst Instrument) []string {
	if mc, ok := inst.(*MonteCarlo); ok {
		return mc.Underlyings
	}
	return []string{inst.Spot()}
}

// figureOf returns the Greek that a sensitivity of inst to quote q adds
// to, with names = underlyingsOf(inst): delta for its spot, vega and
// div_rho for the VOL and DIVYIELD quotes of its underlyings, rho for its
// currency's RATE pillars.
func figureOf(inst Instrument, names []string, q *marketdata.Quote) figure {
	switch q.Kind {
	case marketdata.Spot:
		if q.Name == inst.Spot() {
			return figDelta
		}
	case marketdata.Vol:
		if slices.Contains(names, q.Name) {
			return figVega
		}
	case marketdata.Rate:
		if q.Name == inst.Currency() {
			return figRho
		}
	case marketdata.DivYield:
		if slices.Contains(names, q.Name) {
			return figDivRho
		}
	}
	return figNone
}

// record resets the tape, records inst's value against the market with the
// bump b applied, and sweeps back from it.
func (p *Pricer) record(inst Instrument, b marketdata.Bump) (aad.Number, error) {
	p.tape.Reset()
	p.sc.ResetBumped(p.tape, b)
	v, err := inst.Value(p.sc)
	if err != nil {
		return aad.Number{}, err
	}
	if math.IsNaN(v.Value()) || math.IsInf(v.Value(), 0) {
		return aad.Number{}, fmt.Errorf("value is %v", v.Value())
	}
	if v.Active() { // a value that depends on no input (a knocked-out payoff) has no sweep
		p.tape.SetAdjoint(v, 1)
		p.tape.Backward()
	}
	return v, nil
}

// deltaAt returns the AAD delta of one unit of inst with spot quote i bumped
// by d.
func (p *Pricer) deltaAt(inst Instrument, i int, d float64) (float64, error) {
	if _, err := p.record(inst, marketdata.Bump{Quote: i, By: d}); err != nil {
		return 0, err
	}
	for _, in := range p.sc.Inputs() {
		if in.Quote == i {
			return p.tape.Adjoint(in.X), nil
		}
	}
	return 0, nil
}

// gamma differentiates AAD deltas of one unit in spot quote i: centrally,
// or one-sidedly where one side of the bump cannot be priced (a spot within
// the bump of a barrier).
func (p *Pricer) gamma(inst Instrument, i int, delta float64) (float64, error) {
	h := gammaBump * p.m.Quotes()[i].Value
	up, errUp := p.deltaAt(inst, i, h)
	dn, errDn := p.deltaAt(inst, i, -h)
	switch {
	case errUp == nil && errDn == nil:
		return (up - dn) / (2 * h), nil
	case errUp == nil:
		return (up - delta) / h, nil
	case errDn == nil:
		return (delta - dn) / h, nil
	}
	return 0, errUp
}

// checkFinite turns a non-finite figure into an error: no output file ever
// holds NaN or ±Inf.
func checkFinite(r *Result) error {
	figs := [...]struct {
		name string
		v    float64
	}{{"pv", r.PV}, {"delta", r.Delta}, {"gamma", r.Gamma}, {"vega", r.Vega}, {"rho", r.Rho}, {"div_rho", r.DivRho}, {"theta", r.Theta}}
	for _, f := range figs {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%s is %v", f.name, f.v)
		}
	}
	for _, s := range r.Sens {
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			return fmt.Errorf("sensitivity to %s is %v", s.RiskFactor, s.Value)
		}
	}
	return nil
}
