package montecarlo_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

// exampleMarket has flat curves and a flat vol, where the lognormal model
// is Black–Scholes–Merton and the closed form is the reference.
const exampleMarket = `type,name,pillar,strike,value
SPOT,ACME,,,100
RATE,USD,1Y,,0.04
DIVYIELD,ACME,1Y,,0.01
VOL,ACME,1Y,,0.2
`

// simulateCall prices a one-year call on ACME struck at 100 by simulation on m,
// with its sensitivity to every quote it reads. It is the README's Monte
// Carlo block, which TestReadme keeps identical to it.
func simulateCall(m *marketdata.Market) error {
	// The payoff of one path: the discounted max(S(T) − K, 0).
	call := montecarlo.PayoffFunc(func(tp *aad.Tape, p *montecarlo.Path) aad.Number {
		n := p.Steps()
		return tp.Mul(p.Discount(n), tp.Max(tp.SubConst(p.Asset(0)[n], 100), aad.Const(0)))
	})
	eng := montecarlo.NewEngine(m, 4) // 4 goroutines, each with its tape and model copy
	r, err := eng.Run(context.Background(), &montecarlo.Problem{Model: montecarlo.BlackScholes,
		Underlyings: []string{"ACME"}, Currency: "USD", Strikes: []float64{100},
		Dates: []float64{1}, Steps: 1, Payoff: call},
		montecarlo.Settings{Paths: 8192, Seed: 1, Antithetic: true, Greeks: true},
		marketdata.Bump{Quote: -1}) // no bump
	if err != nil {
		return err
	}
	fmt.Printf("pv %.4f ± %.4f\n", r.PV, r.StdError)
	for _, s := range r.Sens { // by quote, in the order of the market file
		fmt.Printf("%-16s %9.4f ± %.4f\n", m.Quotes()[s.Quote].Key, s.Value, s.StdError)
	}
	fmt.Printf("theta %.4f ± %.4f\n", r.Theta, r.ThetaStdError)
	return nil
}

// Price a European call by Monte Carlo with its pathwise AAD Greeks, and
// compare with the closed form. The figures are the same bit for bit for
// any number of workers.
func Example() {
	asof := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	m, err := marketdata.Load(strings.NewReader(exampleMarket), "market.csv", asof)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := simulateCall(m); err != nil {
		fmt.Println(err)
		return
	}

	// The closed form on the same inputs, on a tape for its delta.
	tp := aad.NewTape(0)
	s := tp.Var(100)
	c := aad.Const
	pv := closedform.European(tp, closedform.Call, closedform.Params{S: s, K: c(100), T: c(1), R: c(0.04), Q: c(0.01), Vol: c(0.2)})
	g := tp.Gradient(nil, pv, []aad.Number{s})
	fmt.Printf("closed form: pv %.4f delta %.4f\n", pv.Value(), g[0])
	// Output:
	// pv 9.2006 ± 0.1140
	// SPOT/ACME           0.5952 ± 0.0016
	// RATE/USD/1Y        50.3148 ± 0.1390
	// DIVYIELD/ACME/1Y  -59.5154 ± 0.1597
	// VOL/ACME/1Y        37.4921 ± 0.5614
	// theta -5.1666 ± 0.0548
	// closed form: pv 9.3197 delta 0.5927
}
