package reports

import (
	"errors"
	"slices"

	"github.com/aadrisk/aadrisk/pricing"
)

// ReportSettings configure a Report. Zero values take the defaults.
type ReportSettings struct {
	// MaxFailures bounds the failed trades listed (default 10,000); the
	// count is always complete, and the report says how many were left out.
	MaxFailures int
	// Top is the number of largest positions listed by |PV| and by |vega|
	// (default 20).
	Top int
	// WorstValidations is the number of validation figures listed, worst
	// relative difference first (default 50).
	WorstValidations int
	// ValidationPoints bounds the points of the validation chart (default
	// 2,000): the worst figures, the failures and an even sample of the
	// others.
	ValidationPoints int
}

// Report gathers the results of a run for the HTML risk report
// (Report.Write): a self-contained page, with inline CSS and SVG charts, no
// script and no external resource, that a browser opens offline.
//
// It streams: Add and AddValidation keep only aggregates (counts, the
// failed trades, sums per underlying and currency, per currency and per
// risk factor and currency, the largest positions, the worst validation
// figures and a bounded sample of the others), so its memory does not grow
// with the number of trades but for the failed ones (at most MaxFailures)
// and the risk factors. The sums per risk factor and currency are exact,
// rounded once, like risk.csv's: the report's figures are risk.csv's; and
// so are the sums of the second-order figures (Result.Second) per risk
// factor, wrt and currency, risk_second_order.csv's. No
// figure of the report adds two currencies: every table has a currency
// column or is per currency, and every risk ladder, heat map and matrix is
// of one currency.
//
// A Report is not safe for concurrent use: one goroutine adds the results,
// in input order (the order only breaks ties in the rankings).
type Report struct {
	opts ReportSettings

	seq        int
	ok, failed int
	mc         int // ok trades with a standard error

	failures []failure

	byUnderlying map[groupKey]*group
	byCurrency   map[string]*group

	topPV, topVega topN[listed]

	// factors holds the sums per risk factor and currency, as risk.csv.
	factors map[riskID]*factorSum
	// second holds the sums of the second-order figures per risk factor,
	// wrt and currency, as risk_second_order.csv.
	second map[secondID]*secondTotal

	val reportValidation
}

type failure struct {
	Line                                           int
	TradeID, Instrument, Underlying, Currency, Err string
}

type groupKey struct{ underlying, currency string }

// group sums the figures of the ok trades of one underlying (and currency)
// or of one currency.
type group struct {
	trades, failed                             int
	mc                                         int
	hasDelta                                   bool
	pv, delta, gamma, vega, rho, divRho, theta exactSum
	// vanna is summed with delta and gamma (the trades with HasDelta),
	// volga with vega (every ok trade).
	vanna, volga exactSum
	// se2 is the sum of the squared standard errors of pv: the standard
	// error of the sum for independent Monte Carlo estimates.
	se2 float64
}

// reportValidation gathers the validation figures.
type reportValidation struct {
	added    bool
	ok, fail int
	worst    topN[valPoint] // at most WorstValidations
	// sample holds every k-th figure (by seq); when it outgrows its bound,
	// k doubles and the others are dropped, so it is an even, deterministic
	// sample of any number of figures.
	sample []valPoint
	k      int
	fails  []valPoint // the first failures, for the chart
}

// factorSum is the sum of the sensitivities to one risk factor in one
// currency, and of their squared standard errors.
type factorSum struct {
	key   riskKey
	sum   tradeSum
	se2   float64
	hasSE bool
}

// listed is a trade listed among the largest: topPosition with its
// vanna and volga (and their Monte Carlo standard errors, with
// HasStdError).
type listed struct {
	topPosition
	Vanna, Volga, VannaSE, VolgaSE float64
}

// largestPositions is largest for listed positions: the same order.
func largestPositions(n int, key func(*topPosition) float64) topN[listed] {
	h := largest(n, key)
	return topN[listed]{n: n, less: func(a, b *listed) bool { return h.less(&a.topPosition, &b.topPosition) }}
}

// NewReport returns an empty Report.
func NewReport(opts ReportSettings) *Report {
	if opts.MaxFailures <= 0 {
		opts.MaxFailures = 10000
	}
	if opts.Top <= 0 {
		opts.Top = 20
	}
	if opts.WorstValidations <= 0 {
		opts.WorstValidations = 50
	}
	if opts.ValidationPoints <= 0 {
		opts.ValidationPoints = 2000
	}
	r := &Report{
		opts:         opts,
		byUnderlying: make(map[groupKey]*group),
		byCurrency:   make(map[string]*group),
		factors:      make(map[riskID]*factorSum),
		second:       make(map[secondID]*secondTotal),
	}
	r.topPV = largestPositions(opts.Top, func(p *topPosition) float64 { return p.PV })
	r.topVega = largestPositions(opts.Top, func(p *topPosition) float64 { return p.Vega })
	r.val.worst = worst(opts.WorstValidations)
	r.val.k = 1
	return r
}

// Counts returns the numbers of ok and failed trades added so far.
func (r *Report) Counts() (ok, failed int) { return r.ok, r.failed }

// Add adds the result of one trade; it keeps no reference to res. Like
// Writer.Add, it refuses an ok result with a NaN or an infinity, and then
// adds nothing.
func (r *Report) Add(res *pricing.Result) error {
	if res == nil {
		return errors.New("reports: nil result")
	}
	if res.Err == nil {
		if err := checkResult(res); err != nil {
			return err
		}
	}
	r.seq++
	gk := groupKey{res.Underlying, res.Currency}
	g := r.byUnderlying[gk]
	if g == nil {
		g = new(group)
		r.byUnderlying[gk] = g
	}
	c := r.byCurrency[res.Currency]
	if c == nil {
		c = new(group)
		r.byCurrency[res.Currency] = c
	}
	if res.Err != nil {
		r.failed++
		g.failed++
		c.failed++
		if len(r.failures) < r.opts.MaxFailures {
			r.failures = append(r.failures, failure{Line: res.Line, TradeID: res.TradeID, Instrument: res.Instrument,
				Underlying: res.Underlying, Currency: res.Currency, Err: res.Err.Error()})
		}
		return nil
	}
	r.ok++
	for _, x := range [...]*group{g, c} {
		x.trades++
		x.pv.add(res.PV)
		x.vega.add(res.Vega)
		x.rho.add(res.Rho)
		x.divRho.add(res.DivRho)
		x.theta.add(res.Theta)
		x.volga.add(res.Volga)
		if res.HasStdError {
			x.mc++
			x.se2 += res.StdError * res.StdError
		}
	}
	if res.HasDelta {
		g.hasDelta = true
		g.delta.add(res.Delta)
		g.gamma.add(res.Gamma)
		g.vanna.add(res.Vanna)
	}
	if res.HasStdError {
		r.mc++
	}
	p := listed{topPosition: topPosition{seq: r.seq, TradeID: res.TradeID, Instrument: res.Instrument, Engine: res.Engine,
		Underlying: res.Underlying, Currency: res.Currency, PV: res.PV, StdError: res.StdError,
		HasStdError: res.HasStdError, HasDelta: res.HasDelta, Delta: res.Delta, Gamma: res.Gamma,
		Vega: res.Vega, Rho: res.Rho, DivRho: res.DivRho, Theta: res.Theta,
		DeltaSE: res.DeltaStdError, GammaSE: res.GammaStdError, VegaSE: res.VegaStdError, RhoSE: res.RhoStdError, ThetaSE: res.ThetaStdError},
		Vanna: res.Vanna, Volga: res.Volga, VannaSE: res.VannaStdError, VolgaSE: res.VolgaStdError}
	r.topPV.add(p)
	r.topVega.add(p)
	for i := range res.Sens {
		s := &res.Sens[i]
		id := riskID{s.RiskFactor.String(), res.Currency}
		f := r.factors[id]
		if f == nil {
			f = &factorSum{key: riskKey{s.RiskFactor, res.Currency}}
			r.factors[id] = f
		}
		f.sum.addFrom(res.TradeID, s.Value)
		if s.HasStdError {
			f.hasSE = true
			f.se2 += s.StdError * s.StdError
		}
	}
	// The second-order figures, summed as Writer.addSecond sums them.
	for i := range res.Second {
		s := &res.Second[i]
		id := secondID{s.RiskFactor.String(), s.Wrt.String(), res.Currency}
		f := r.second[id]
		if f == nil {
			f = &secondTotal{key: secondKey{s.RiskFactor, s.Wrt, res.Currency}}
			r.second[id] = f
		}
		f.sum.addFrom(res.TradeID, s.Value)
	}
	return nil
}

// AddValidation adds validation figures (aadrisk validate). Like
// Writer.AddValidation, it refuses a NaN or an infinity, adding none.
func (r *Report) AddValidation(vs []pricing.Validation) error {
	for i := range vs {
		if err := checkValidation(&vs[i]); err != nil {
			return err
		}
	}
	v := &r.val
	v.added = true
	for i := range vs {
		p := valPoint{seq: v.ok + v.fail, Validation: vs[i]}
		if p.OK {
			v.ok++
		} else {
			v.fail++
			if len(v.fails) < r.opts.ValidationPoints/4 {
				v.fails = append(v.fails, p)
			}
		}
		v.worst.add(p)
		if p.seq%v.k == 0 {
			v.sample = append(v.sample, p)
			if len(v.sample) > r.opts.ValidationPoints/2 {
				v.k *= 2
				v.sample = slices.DeleteFunc(v.sample, func(q valPoint) bool { return q.seq%v.k != 0 })
			}
		}
	}
	return nil
}
