package montecarlo_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

var asof = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)

// flatMarket has flat curves and a flat vol, where Black–Scholes is exact.
const flatMarket = `type,name,pillar,strike,value
SPOT,ACME,,,100
SPOT,BETA,,,50
SPOT,GAMMA,,,80
RATE,USD,1Y,,0.05
DIVYIELD,ACME,1Y,,0.02
DIVYIELD,BETA,1Y,,0.01
VOL,ACME,1Y,,0.2
VOL,BETA,1Y,,0.3
VOL,GAMMA,1Y,,0.25
CORR,ACME|BETA,,,0.5
CORR,ACME|GAMMA,,,0.3
CORR,BETA|GAMMA,,,0.2
HESTON,ACME,v0,,0.04
HESTON,ACME,kappa,,1.5
HESTON,ACME,theta,,0.04
HESTON,ACME,sigma,,0.3
HESTON,ACME,rho,,-0.7
`

// termMarket has rate, dividend and vol term structures and a smile.
const termMarket = `type,name,pillar,strike,value
SPOT,ACME,,,100
RATE,USD,3M,,0.03
RATE,USD,1Y,,0.04
RATE,USD,2Y,,0.045
DIVYIELD,ACME,6M,,0.01
DIVYIELD,ACME,2Y,,0.02
VOL,ACME,6M,80,0.30
VOL,ACME,6M,100,0.24
VOL,ACME,6M,120,0.21
VOL,ACME,1Y,80,0.28
VOL,ACME,1Y,100,0.23
VOL,ACME,1Y,120,0.205
VOL,ACME,2Y,80,0.26
VOL,ACME,2Y,100,0.225
VOL,ACME,2Y,120,0.21
`

func load(t testing.TB, csv string) *marketdata.Market {
	t.Helper()
	m, err := marketdata.Load(strings.NewReader(csv), "market.csv", asof)
	require.NoError(t, err)
	return m
}

// call is a discounted European call (or put) at expiry on asset 0.
func call(k float64, isCall bool) montecarlo.Payoff {
	sign := 1.0
	if !isCall {
		sign = -1
	}
	return montecarlo.PayoffFunc(func(tp *aad.Tape, p *montecarlo.Path) aad.Number {
		n := p.Steps()
		x := tp.MulConst(tp.SubConst(p.Asset(0)[n], k), sign)
		return tp.Mul(tp.Max(x, aad.Const(0)), p.Discount(n))
	})
}

func run(t testing.TB, m *marketdata.Market, workers int, pr *montecarlo.Problem, set montecarlo.Settings) *montecarlo.Result {
	t.Helper()
	r, err := montecarlo.NewEngine(m, workers).Run(context.Background(), pr, set, marketdata.Bump{Quote: -1})
	require.NoError(t, err)
	return r
}

// withGreeks returns set asking for the sensitivities.
func withGreeks(set montecarlo.Settings) montecarlo.Settings {
	set.Greeks = true
	return set
}

func sens(t testing.TB, m *marketdata.Market, r *montecarlo.Result, key string) montecarlo.Sensitivity {
	t.Helper()
	i, ok := m.Index(key)
	require.True(t, ok, key)
	for _, s := range r.Sens {
		if s.Quote == i {
			return s
		}
	}
	t.Fatalf("no sensitivity to %s", key)
	return montecarlo.Sensitivity{}
}

func bsEuropean(t *testing.T, tp *aad.Tape, isCall bool, s, k, T, r, q, v float64) (pv float64, delta, vega, rho, divRho float64) {
	tp.Reset()
	p := closedform.Params{S: tp.Var(s), K: aad.Const(k), T: aad.Const(T), R: tp.Var(r), Q: tp.Var(q), Vol: tp.Var(v)}
	typ := closedform.Put
	if isCall {
		typ = closedform.Call
	}
	y := closedform.European(tp, typ, p)
	g := tp.Gradient(nil, y, []aad.Number{p.S, p.Vol, p.R, p.Q})
	return y.Value(), g[0], g[1], g[2], g[3]
}

func TestBlackScholesEuropeanAgainstClosedForm(t *testing.T) {
	if testing.Short() {
		t.Skip("tens of thousands of paths: not in -short")
	}
	m := load(t, flatMarket)
	tp := aad.NewTape(64)
	for _, seq := range []montecarlo.Sequence{montecarlo.PseudoRandom, montecarlo.SobolBridge} {
		for _, isCall := range []bool{true, false} {
			pr := &montecarlo.Problem{Underlyings: []string{"ACME"}, Currency: "USD", Strikes: []float64{105}, Dates: []float64{1}, Steps: 12, Payoff: call(105, isCall)}
			r := run(t, m, 2, pr, montecarlo.Settings{Paths: 40_000, Seed: 7, Sequence: seq, Greeks: true})
			pv, delta, vega, rho, divRho := bsEuropean(t, tp, isCall, 100, 105, 1, 0.05, 0.02, 0.2)
			testutil.Near(t, r.PV, pv, 0, 3*r.StdError, "pv (± %.2g)", r.StdError)
			for _, c := range []struct {
				key  string
				want float64
			}{{"SPOT/ACME", delta}, {"VOL/ACME/1Y", vega}, {"RATE/USD/1Y", rho}, {"DIVYIELD/ACME/1Y", divRho}} {
				s := sens(t, m, r, c.key)
				testutil.Near(t, s.Value, c.want, 0, 3*s.StdError, "%s (± %.2g)", c.key, s.StdError)
				assert.Greater(t, s.StdError, 0.0, c.key)
			}
			assert.True(t, r.HasTheta)
		}
	}
}

// TestAADAgainstBump checks every sensitivity against central
// bump-and-revalue of passive runs with the same random numbers.
func TestAADAgainstBump(t *testing.T) {
	cases := []struct {
		name   string
		market string
		pr     montecarlo.Problem
		set    montecarlo.Settings
	}{
		{"bs term", termMarket, montecarlo.Problem{Underlyings: []string{"ACME"}, Currency: "USD", Strikes: []float64{95}, Dates: []float64{1.5}, Steps: 20, Payoff: call(95, true)}, montecarlo.Settings{Paths: 2000, Seed: 3}},
		{"bs sobol antithetic", termMarket, montecarlo.Problem{Underlyings: []string{"ACME"}, Currency: "USD", Strikes: []float64{105}, Dates: []float64{0.7}, Steps: 9, Payoff: call(105, false)}, montecarlo.Settings{Paths: 2000, Seed: 3, Sequence: montecarlo.SobolBridge, Antithetic: true}},
		{"basket", flatMarket, montecarlo.Problem{Underlyings: []string{"ACME", "BETA", "GAMMA"}, Currency: "USD", Dates: []float64{1}, Steps: 6, Payoff: basket([]float64{0.5, 1, 0.3}, 100)}, montecarlo.Settings{Paths: 2000, Seed: 5}},
		{"heston", flatMarket, montecarlo.Problem{Model: montecarlo.Heston, Underlyings: []string{"ACME"}, Currency: "USD", Dates: []float64{1}, Steps: 24, Payoff: call(100, true)}, montecarlo.Settings{Paths: 2000, Seed: 9}},
		{"localvol", termMarket, montecarlo.Problem{Model: montecarlo.LocalVol, Underlyings: []string{"ACME"}, Currency: "USD", Dates: []float64{1.2}, Steps: 15, Payoff: call(100, true)}, montecarlo.Settings{Paths: 2000, Seed: 11}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := load(t, c.market)
			e := montecarlo.NewEngine(m, 1)
			ctx := context.Background()
			r, err := e.Run(ctx, &c.pr, withGreeks(c.set), marketdata.Bump{Quote: -1})
			require.NoError(t, err)
			value := func(b marketdata.Bump) float64 {
				r, err := e.Run(ctx, &c.pr, c.set, b)
				require.NoError(t, err)
				return r.PV
			}
			base := value(marketdata.Bump{Quote: -1})
			assert.Equal(t, r.PV, base, "passive and recorded prices differ")
			for _, s := range r.Sens {
				q := m.Quotes()[s.Quote]
				h := 1e-7
				if q.Kind == marketdata.Spot {
					h *= q.Value
				}
				bump := (value(marketdata.Bump{Quote: s.Quote, By: h}) - value(marketdata.Bump{Quote: s.Quote, By: -h})) / (2 * h)
				assert.InDeltaf(t, bump, s.Value, 1e-6*math.Abs(bump)+1e-9*math.Max(1, math.Abs(r.PV)), "%s: aad %.10g, bump %.10g", q.Key, s.Value, bump)
			}
			h := 1e-7
			theta := (-3*base + 4*value(marketdata.Bump{Quote: -1, Time: h}) - value(marketdata.Bump{Quote: -1, Time: 2 * h})) / (2 * h)
			assert.InDeltaf(t, theta, r.Theta, 1e-6*math.Abs(theta)+1e-7*math.Max(1, math.Abs(r.PV)), "theta: aad %.10g, bump %.10g", r.Theta, theta)
		})
	}
}

func basket(w []float64, k float64) montecarlo.Payoff {
	w = w[:len(w):len(w)]
	return montecarlo.PayoffFunc(func(tp *aad.Tape, p *montecarlo.Path) aad.Number {
		n := p.Steps()
		b := p.Scratch(len(w))
		for a := range b {
			b[a] = p.Asset(a)[n]
		}
		return tp.Mul(tp.Max(tp.SubConst(tp.DotConst(b, w), k), aad.Const(0)), p.Discount(n))
	})
}

// TestWorkersIdentical checks that results do not depend on the number of
// workers, bit for bit.
func TestWorkersIdentical(t *testing.T) {
	m := load(t, flatMarket)
	for _, seq := range []montecarlo.Sequence{montecarlo.PseudoRandom, montecarlo.SobolBridge} {
		pr := &montecarlo.Problem{Underlyings: []string{"ACME", "BETA"}, Currency: "USD", Dates: []float64{1}, Steps: 10, Payoff: basket([]float64{1, 2}, 200)}
		set := montecarlo.Settings{Paths: 9000, Seed: 42, Sequence: seq}
		r1 := run(t, m, 1, pr, withGreeks(set))
		for _, w := range []int{2, 3, 8} {
			rw := run(t, m, w, pr, withGreeks(set))
			require.Equal(t, r1, rw, "%d workers", w)
		}
	}
}

func TestCancel(t *testing.T) {
	m := load(t, flatMarket)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pr := &montecarlo.Problem{Underlyings: []string{"ACME"}, Currency: "USD", Dates: []float64{1}, Steps: 10, Payoff: call(100, true)}
	_, err := montecarlo.NewEngine(m, 2).Run(ctx, pr, montecarlo.Settings{Paths: 100_000, Greeks: true}, marketdata.Bump{Quote: -1})
	require.ErrorIs(t, err, context.Canceled)
}

func TestBadProblems(t *testing.T) {
	m := load(t, flatMarket)
	e := montecarlo.NewEngine(m, 1)
	ok := montecarlo.Problem{Underlyings: []string{"ACME"}, Currency: "USD", Dates: []float64{1}, Steps: 10, Payoff: call(100, true)}
	for name, c := range map[string]struct {
		edit func(*montecarlo.Problem, *montecarlo.Settings)
		want string
	}{
		"no paths":    {func(p *montecarlo.Problem, s *montecarlo.Settings) { s.Paths = 1 }, "paths"},
		"no steps":    {func(p *montecarlo.Problem, s *montecarlo.Settings) { p.Steps = 0 }, "steps"},
		"bad dates":   {func(p *montecarlo.Problem, s *montecarlo.Settings) { p.Dates = []float64{1, 0.5} }, "dates"},
		"no currency": {func(p *montecarlo.Problem, s *montecarlo.Settings) { p.Currency = "JPY" }, "JPY"},
		"no heston": {func(p *montecarlo.Problem, s *montecarlo.Settings) {
			p.Model, p.Underlyings = montecarlo.Heston, []string{"BETA"}
		}, "HESTON"},
		"heston basket": {func(p *montecarlo.Problem, s *montecarlo.Settings) {
			p.Model, p.Underlyings = montecarlo.Heston, []string{"ACME", "BETA"}
		}, "one underlying"},
		"no spot": {func(p *montecarlo.Problem, s *montecarlo.Settings) { p.Underlyings = []string{"NOPE"} }, "NOPE"},
	} {
		t.Run(name, func(t *testing.T) {
			pr, set := ok, montecarlo.Settings{Paths: 100}
			c.edit(&pr, &set)
			_, err := e.Run(context.Background(), &pr, withGreeks(set), marketdata.Bump{Quote: -1})
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestWorkerPanic checks that a panic in a worker (here the payoff's)
// ends the run with a *PanicError whose message is one short line, with
// the stack kept apart for a log, on one worker and on several.
func TestWorkerPanic(t *testing.T) {
	m := load(t, flatMarket)
	boom := montecarlo.PayoffFunc(func(tp *aad.Tape, p *montecarlo.Path) aad.Number { panic("index out of range") })
	pr := &montecarlo.Problem{Underlyings: []string{"ACME"}, Currency: "USD", Dates: []float64{1}, Steps: 2, Payoff: boom}
	for _, workers := range []int{1, 2} {
		_, err := montecarlo.NewEngine(m, workers).Run(context.Background(), pr, montecarlo.Settings{Paths: 1000, Greeks: true}, marketdata.Bump{Quote: -1})
		var pe *montecarlo.PanicError
		require.True(t, errors.As(err, &pe), "%d workers: %v", workers, err)
		assert.Equal(t, "montecarlo: internal error: index out of range", err.Error())
		assert.Equal(t, "index out of range", pe.Value)
		assert.Contains(t, string(pe.Stack), "TestWorkerPanic", "the stack of the panic")
	}
}

func TestNonPSDCorrelation(t *testing.T) {
	m := load(t, strings.Replace(flatMarket, "CORR,BETA|GAMMA,,,0.2", "CORR,BETA|GAMMA,,,-0.99", 1))
	pr := &montecarlo.Problem{Underlyings: []string{"ACME", "BETA", "GAMMA"}, Currency: "USD", Dates: []float64{1}, Steps: 4, Payoff: basket([]float64{1, 1, 1}, 200)}
	_, err := montecarlo.NewEngine(m, 1).Run(context.Background(), pr, montecarlo.Settings{Paths: 100, Greeks: true}, marketdata.Bump{Quote: -1})
	require.ErrorContains(t, err, "ACME|BETA|GAMMA is not positive semi-definite")
	pr.Underlyings, pr.Payoff = []string{"ACME", "BETA"}, basket([]float64{1, 1}, 150) // a PSD part of it prices
	_, err = montecarlo.NewEngine(m, 1).Run(context.Background(), pr, montecarlo.Settings{Paths: 100, Greeks: true}, marketdata.Bump{Quote: -1})
	require.NoError(t, err)
}

func TestZeroAllocationsPerPath(t *testing.T) {
	m := load(t, termMarket)
	for _, model := range []montecarlo.Model{montecarlo.BlackScholes, montecarlo.LocalVol} {
		e := montecarlo.NewEngine(m, 1)
		pr := &montecarlo.Problem{Model: model, Underlyings: []string{"ACME"}, Currency: "USD", Strikes: []float64{100}, Dates: []float64{1}, Steps: 52, Payoff: call(100, true)}
		runN := func(paths int) float64 {
			return testing.AllocsPerRun(3, func() {
				_, err := e.Run(context.Background(), pr, montecarlo.Settings{Paths: paths, Seed: 1, Greeks: true}, marketdata.Bump{Quote: -1})
				require.NoError(t, err)
			})
		}
		// Both runs have 32 blocks: what a run allocates is per block, not
		// per path.
		small, large := runN(10_000), runN(40_000)
		assert.InDeltaf(t, small, large, 0.5, "%v: allocations grow with the paths: %v for 10,000, %v for 40,000", model, small, large)
	}
	// Heston, on the market that has its parameters.
	e := montecarlo.NewEngine(load(t, flatMarket), 1)
	pr := &montecarlo.Problem{Model: montecarlo.Heston, Underlyings: []string{"ACME"}, Currency: "USD", Dates: []float64{1}, Steps: 12, Payoff: call(100, true)}
	runN := func(paths int) float64 {
		return testing.AllocsPerRun(3, func() {
			_, err := e.Run(context.Background(), pr, montecarlo.Settings{Paths: paths, Seed: 1, Greeks: true}, marketdata.Bump{Quote: -1})
			require.NoError(t, err)
		})
	}
	small, large := runN(10_000), runN(40_000)
	assert.InDeltaf(t, small, large, 0.5, "heston: allocations grow with the paths: %v for 10,000, %v for 40,000", small, large)
}
