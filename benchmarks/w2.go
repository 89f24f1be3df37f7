package benchmarks

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/fastmath"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing"
)

// MCAsOf is the valuation date of the Monte Carlo workloads' markets.
var MCAsOf = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

// MCWorkload is one Monte Carlo workload (W2, W3, W4, W6): its market, its
// trade, and the simulation the pricer runs for the trade, as
// pricing.MCEngine.Problem gives it.
type MCWorkload struct {
	Market   *marketdata.Market
	Trade    pricing.Instrument
	Problem  *montecarlo.Problem
	Settings montecarlo.Settings
}

// newMCWorkload builds the workload of the trade inst (or its error err, from
// its New function) on market m, simulated with the settings set and the
// given paths and seed.
func newMCWorkload(m *marketdata.Market, inst pricing.Instrument, err error, set pricing.MCSettings, paths int, seed uint64) (*MCWorkload, error) {
	if err != nil {
		return nil, err
	}
	set.Paths, set.Seed, set.SeedSet = paths, seed, true
	e, err := pricing.NewMCEngine(set)
	if err != nil {
		return nil, err
	}
	pr, s, err := e.Problem(m, inst, pricing.MCDefaults{Paths: paths, Seed: seed})
	if err != nil {
		return nil, err
	}
	return &MCWorkload{Market: m, Trade: inst, Problem: pr, Settings: s}, nil
}

// noBump is the marketdata.Bump that moves nothing.
var noBump = marketdata.Bump{Quote: -1}

// AAD prices the workload on e with the sensitivity to every input: the
// aad sub-benchmark.
func (w *MCWorkload) AAD(ctx context.Context, e *montecarlo.Engine) (*montecarlo.Result, error) {
	set := w.Settings
	set.Greeks = true
	return e.Run(ctx, w.Problem, set, noBump)
}

// Passive prices the workload on e with bump b applied, price only.
func (w *MCWorkload) Passive(ctx context.Context, e *montecarlo.Engine, b marketdata.Bump) (float64, error) {
	r, err := e.Run(ctx, w.Problem, w.Settings, b)
	if err != nil {
		return 0, err
	}
	return r.PV, nil
}

// BumpSize is the one-sided bump of a quote of value v in bump-and-revalue:
// 1e-6, relative for values above 1 in size.
func BumpSize(v float64) float64 { return 1e-6 * max(1, math.Abs(v)) }

// ThetaBump is the valuation-time bump of bump-and-revalue, in years.
const ThetaBump = 1e-6

// BumpResult is a price with the sensitivities bump-and-revalue gave.
type BumpResult struct {
	PV float64
	// Sens are the sensitivities to the bumped quotes, in the order asked.
	Sens  []montecarlo.Sensitivity
	Theta float64
}

// Bump prices the workload and its sensitivity to each of quotes (indexes
// in Market.Quotes), and theta if theta, by one-sided bump-and-revalue
// with the same random numbers: one passive run as it is and one per
// bumped input.
func (w *MCWorkload) Bump(ctx context.Context, e *montecarlo.Engine, quotes []int, theta bool) (*BumpResult, error) {
	pv, err := w.Passive(ctx, e, noBump)
	if err != nil {
		return nil, err
	}
	res := &BumpResult{PV: pv, Sens: make([]montecarlo.Sensitivity, len(quotes))}
	for j, q := range quotes {
		h := BumpSize(w.Market.Value(q))
		up, err := w.Passive(ctx, e, marketdata.Bump{Quote: q, By: h})
		if err != nil {
			return nil, err
		}
		res.Sens[j] = montecarlo.Sensitivity{Quote: q, Value: (up - pv) / h}
	}
	if theta {
		up, err := w.Passive(ctx, e, marketdata.Bump{Quote: -1, Time: ThetaBump})
		if err != nil {
			return nil, err
		}
		res.Theta = (up - pv) / ThetaBump
	}
	return res, nil
}

// quotes returns the quote indexes of a result's sensitivities.
func quotes(r *montecarlo.Result) []int {
	q := make([]int, len(r.Sens))
	for i, s := range r.Sens {
		q[i] = s.Quote
	}
	return q
}

// The engine's blocks of paths, which the plain twins follow so that they
// draw the same random numbers: the paths are cut into
// min(max(paths/mcUnitsPerBlock, 2), mcMaxBlocks) blocks, block b holding
// the paths [paths·b/nb, paths·(b+1)/nb) and drawing its normals from
// rand.NewPCG(seed, mcBlockSeed(b)), path by path and step by step; the
// block sums are added in block order. The constants mirror those of
// package montecarlo (the tests check that the prices agree).
const (
	mcMaxBlocks     = 32
	mcUnitsPerBlock = 256
)

func mcBlocks(paths int) int { return min(max(paths/mcUnitsPerBlock, 2), mcMaxBlocks) }

// mcBlockSeed is the engine's second PCG seed of block b (splitmix64's
// finaliser).
func mcBlockSeed(b int) uint64 {
	x := uint64(b) + 0x9E3779B97F4A7C15
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	return x ^ x>>31
}

// mcPlainRun runs path over every block of set in the engine's order and
// returns the mean of its values: the plain twins' driver. path draws its
// normals from pcg (montecarlo.Normal), which each block reseeds.
func mcPlainRun(set montecarlo.Settings, pcg *rand.PCG, path func() float64) float64 {
	nb := mcBlocks(set.Paths)
	sum := 0.0
	for b := range nb {
		pcg.Seed(set.Seed, mcBlockSeed(b))
		bs := 0.0
		for range set.Paths*(b+1)/nb - set.Paths*b/nb {
			bs += path()
		}
		sum += bs
	}
	return sum / float64(set.Paths)
}

// W2Paths is the number of paths of W2.
const W2Paths = 100_000

// W2 returns workload W2 with the given number of paths (W2Paths in the
// benchmark): an arithmetic-average Asian call, S0=100, K=100, r=0.05,
// q=0.02, σ=0.2, T=1, 252 fixings and as many steps, under lognormal
// dynamics. Its five inputs are the four quotes and the valuation time.
func W2(paths int) (*MCWorkload, error) {
	m, err := marketdata.New(MCAsOf, []marketdata.Quote{
		{Kind: marketdata.Spot, Name: "A", Value: 100},
		{Kind: marketdata.Rate, Name: "USD", Pillar: "1Y", Value: 0.05},
		{Kind: marketdata.DivYield, Name: "A", Pillar: "1Y", Value: 0.02},
		{Kind: marketdata.Vol, Name: "A", Pillar: "1Y", Value: 0.2},
	})
	if err != nil {
		return nil, err
	}
	a, err := pricing.NewAsian(pricing.Option{Asset: "A", Ccy: "USD", Type: pricing.Call, Strike: 100, Expiry: 1}, pricing.Arithmetic, 252)
	return newMCWorkload(m, a, err, pricing.MCSettings{Model: montecarlo.BlackScholes, Steps: 252}, paths, 7)
}

// bsCoefficients computes in float64, from a passive scope, the per-step
// coefficients of the lognormal model of one underlying exactly as the
// engine's set-up records them: the log drift a[i−1] and the deviation
// b[i−1] of step i (S_i = S_{i−1}·exp(a + b·z)) for the grid times (times[0]
// = 0), and the discount factor to the last grid time. It returns the spot.
func bsCoefficients(sc *marketdata.Scope, ccy, name string, strike float64, times, a, b []float64) (s0, df float64, err error) {
	sp, err := sc.Spot(name)
	if err != nil {
		return 0, 0, err
	}
	s0 = sp.Value()
	prev, wPrev := 0.0, 0.0
	for i := 1; i < len(times); i++ {
		t := times[i]
		at := aad.Const(t)
		zr, err := sc.ZeroRate(ccy, at)
		if err != nil {
			return 0, 0, err
		}
		zq, err := sc.DivYield(name, at)
		if err != nil {
			return 0, 0, err
		}
		vol, err := sc.Vol(name, at, strike)
		if err != nil {
			return 0, 0, err
		}
		lr := zr.Value() * t
		cur := lr - zq.Value()*t
		carry := cur - prev
		prev = cur
		df = fastmath.Exp(-lr)
		v := vol.Value()
		w := v * v * t
		dw := w - wPrev
		if dw < 0 {
			return 0, 0, fmt.Errorf("negative variance of %s over step %d", name, i)
		}
		b[i-1] = math.Sqrt(dw)
		a[i-1] = carry - dw*0.5
		wPrev = w
	}
	return s0, df, nil
}

// AsianPlain is the plain float64 twin of W2 (any arithmetic Asian option
// of one underlying under the lognormal model): the same grid, per-step
// coefficients, random numbers and payoff as the engine, price only, with
// no AAD type in its path loop.
type AsianPlain struct {
	w        *MCWorkload
	sc       *marketdata.Scope
	times    []float64
	fixing   []bool // fixing[i]: grid time i+1 is a fixing
	allFix   bool
	a, b     []float64
	pcg      rand.PCG
	strike   float64
	sign     float64
	inv      float64
	nFixings int
}

// NewAsianPlain returns the plain twin of w, whose trade must be an
// arithmetic Asian option.
func NewAsianPlain(w *MCWorkload) (*AsianPlain, error) {
	tr, ok := w.Trade.(*pricing.Asian)
	pr := w.Problem
	if !ok || tr.Averaging != pricing.Arithmetic || pr.Model != montecarlo.BlackScholes {
		return nil, fmt.Errorf("not an arithmetic Asian option under the lognormal model")
	}
	p := &AsianPlain{w: w, sc: w.Market.NewScope(), strike: tr.Strike, sign: 1}
	if tr.Type == pricing.Put {
		p.sign = -1
	}
	grid, dates := montecarlo.Grid(nil, nil, pr.Dates, pr.Steps)
	p.times = append([]float64{0}, grid...)
	n := len(grid)
	p.fixing = make([]bool, n)
	for _, d := range dates {
		p.fixing[d-1] = true
	}
	p.nFixings = len(dates)
	p.allFix = len(dates) == n
	p.inv = 1 / float64(len(dates))
	p.a, p.b = make([]float64, n), make([]float64, n)
	return p, nil
}

// Price returns the price: the set-up of the coefficients from the market,
// then every path.
func (p *AsianPlain) Price() (float64, error) {
	p.sc.Reset(nil)
	pr := p.w.Problem
	s0, df, err := bsCoefficients(p.sc, pr.Currency, pr.Underlyings[0], pr.Strikes[0], p.times, p.a, p.b)
	if err != nil {
		return 0, err
	}
	a, b := p.a, p.b[:len(p.a)]
	pcg, K, sign, inv := &p.pcg, p.strike, p.sign, p.inv
	var path func() float64
	if p.allFix {
		path = func() float64 {
			x, sum := s0, 0.0
			for i, ai := range a {
				x *= fastmath.Exp(ai + b[i]*montecarlo.Normal(pcg))
				sum += x
			}
			return max((sum*inv-K)*sign, 0) * df
		}
	} else {
		fix := p.fixing[:len(a)]
		path = func() float64 {
			x, sum := s0, 0.0
			for i, ai := range a {
				x *= fastmath.Exp(ai + b[i]*montecarlo.Normal(pcg))
				if fix[i] {
					sum += x
				}
			}
			return max((sum*inv-K)*sign, 0) * df
		}
	}
	return mcPlainRun(p.w.Settings, pcg, path), nil
}
