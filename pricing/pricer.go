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
	// PDE are the grid defaults of pde trades.
	PDE PDEDefaults
	// Progress, when set, is added the paths of each block of each
	// simulation the Pricer runs, as the block finishes
	// (montecarlo.Settings.Progress): how far a long Monte Carlo trade is.
	Progress *atomic.Int64
	// SecondOrder adds to each Result its rows of second_order.csv
	// (Result.Second): the derivatives of every sensitivity along each spot
	// the trade depends on.
	SecondOrder bool

	mc *montecarlo.Engine
	// tape2 is the second-order tape, made on first use; dir the direction
	// of its recordings, indexed like the market's quotes, zero between
	// them.
	tape2 *aad.Tape
	dir   []float64
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

// Engine prices the instruments it knows: AnalyticEngine (closed forms)
// and MCEngine (Monte Carlo simulation), with room for others (a PDE
// engine is a new file). An engine knows which instruments it can price by
// the small interfaces they implement (analyticProduct, mcProduct), not by
// their types, so the Pricer, bump-and-revalue and validation ask the
// trade's engine and never switch on the instrument. Its methods other than
// Name and Check run on a Pricer's tape and scope, so the engines are this
// package's.
type Engine interface {
	// Name is the engine's name in the portfolio's engine column.
	Name() string
	// Check returns nil if the engine can price inst, else a *TermError
	// saying why not.
	Check(inst Instrument) error

	// price computes res's figures for qty units of inst, or fails with
	// Check's error if the engine cannot price it.
	price(ctx context.Context, p *Pricer, inst Instrument, qty float64, res *Result) error
	// bump is BumpAndRevalue for qty units of inst.
	bump(ctx context.Context, p *Pricer, inst Instrument, qty float64, quotes []int) (sens []float64, theta float64, err error)
	// validate is Validate for tr, with idx the quote indices of res.Sens.
	validate(ctx context.Context, p *Pricer, tr *Trade, res *Result, idx []int) ([]Validation, error)
	// paths is SimulatedPaths for inst.
	paths(inst Instrument, def MCDefaults, second bool) int64
}

// Price values tr and computes its Greeks and bucketed sensitivities, all
// scaled by its quantity, with its engine. Delta, vega, rho, div_rho,
// theta and every bucketed sensitivity come from one recording and one
// backward sweep; gamma is the central difference of AAD deltas at spots
// bumped by ±1e-6 relative (two more recordings; ±1% with common random
// numbers for Monte Carlo). A trade that cannot be priced gives a Result
// with Err set and no figures; so does a non-finite figure. ctx, when
// done, stops a simulation in progress.
func (p *Pricer) Price(ctx context.Context, tr *Trade) *Result {
	res := &Result{TradeID: tr.ID, Instrument: tr.Kind, Engine: tr.EngineName, Line: tr.Line}
	if tr.Instrument == nil {
		res.Err = errors.New("trade has no instrument")
		return res
	}
	inst, eng := tr.Instrument, tr.engine()
	if res.Instrument == "" {
		res.Instrument = inst.Kind()
	}
	res.Engine = eng.Name()
	res.Underlying, res.Currency = inst.Underlying(), inst.Currency()
	if err := eng.price(ctx, p, inst, tr.Quantity.InexactFloat64(), res); err != nil {
		*res = Result{TradeID: res.TradeID, Instrument: res.Instrument, Engine: res.Engine,
			Underlying: res.Underlying, Currency: res.Currency, Line: res.Line, Err: err}
	}
	return res
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
	names := inst.Underlyings()
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

// figureOf returns the Greek that a sensitivity of inst to quote q adds
// to, with names = inst.Underlyings(): delta for its spot, vega and
// div_rho for the VOL and DIVYIELD quotes of its underlyings, rho for its
// currency's RATE pillars.
func figureOf(inst Instrument, names []string, q *marketdata.Quote) figure {
	switch q.Kind {
	case marketdata.Spot:
		if q.Name == inst.Underlying() {
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

// checkFinite turns a non-finite figure into an error: no output file ever
// holds NaN or ±Inf.
func checkFinite(r *Result) error {
	figs := [...]struct {
		name string
		v    float64
	}{{"pv", r.PV}, {"delta", r.Delta}, {"gamma", r.Gamma}, {"vega", r.Vega}, {"rho", r.Rho}, {"div_rho", r.DivRho}, {"theta", r.Theta}, {"vanna", r.Vanna}, {"volga", r.Volga},
		// A Monte Carlo figure's standard error is a figure of the trade
		// too: one that is not finite fails the trade, not the files.
		{"pv's standard error", r.StdError}, {"delta's standard error", r.DeltaStdError}, {"gamma's standard error", r.GammaStdError},
		{"vega's standard error", r.VegaStdError}, {"rho's standard error", r.RhoStdError}, {"div_rho's standard error", r.DivRhoStdError},
		{"theta's standard error", r.ThetaStdError}, {"vanna's standard error", r.VannaStdError}, {"volga's standard error", r.VolgaStdError}}
	for _, f := range figs {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%s is %v", f.name, f.v)
		}
	}
	for _, s := range r.Sens {
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			return fmt.Errorf("sensitivity to %s is %v", s.RiskFactor, s.Value)
		}
		if math.IsNaN(s.StdError) || math.IsInf(s.StdError, 0) {
			return fmt.Errorf("standard error of the sensitivity to %s is %v", s.RiskFactor, s.StdError)
		}
	}
	for _, s := range r.Second {
		if math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
			return fmt.Errorf("second-order sensitivity to %s and %s is %v", s.RiskFactor, s.Wrt, s.Value)
		}
		if math.IsNaN(s.StdError) || math.IsInf(s.StdError, 0) {
			return fmt.Errorf("standard error of the second-order sensitivity to %s and %s is %v", s.RiskFactor, s.Wrt, s.StdError)
		}
	}
	return nil
}
