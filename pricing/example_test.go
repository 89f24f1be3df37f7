package pricing_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing"
)

// exampleMarket is a small market: a spot, a zero curve, a dividend curve
// and a vol surface with a smile at two expiries.
const exampleMarket = `type,name,pillar,strike,value
SPOT,ACME,,,100
RATE,USD,6M,,0.0405
RATE,USD,1Y,,0.039
RATE,USD,2Y,,0.037
DIVYIELD,ACME,1Y,,0.015
VOL,ACME,6M,90,0.245
VOL,ACME,6M,100,0.215
VOL,ACME,6M,110,0.2
VOL,ACME,1Y,90,0.24
VOL,ACME,1Y,100,0.22
VOL,ACME,1Y,110,0.207
`

var exampleAsOf = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)

// Price a European call and a down-and-out barrier put, and read their
// Greeks and bucketed sensitivities.
func Example() {
	m, err := marketdata.Load(strings.NewReader(exampleMarket), "market.csv", exampleAsOf)
	if err != nil {
		fmt.Println(err)
		return
	}
	nineMonths, _ := marketdata.ParseTime("9M", exampleAsOf) // 0.75 years

	call, err := pricing.NewEuropean(pricing.Option{
		Asset: "ACME", Ccy: "USD", Type: pricing.Call, Strike: 103, Expiry: nineMonths})
	if err != nil {
		fmt.Println(err)
		return
	}
	// A put that dies if ACME trades at 85 or below, paying a rebate of 2
	// when it does.
	barrier, err := pricing.NewBarrier(pricing.Option{
		Asset: "ACME", Ccy: "USD", Type: pricing.Put, Strike: 95, Expiry: nineMonths},
		pricing.DownOut, 85, 2)
	if err != nil {
		fmt.Println(err)
		return
	}

	p := pricing.NewPricer(m) // one per goroutine
	for _, tr := range []*pricing.Trade{
		{ID: "CALL", Quantity: decimal.NewFromInt(1000), Instrument: call},
		{ID: "DOP", Quantity: decimal.NewFromInt(-500), Instrument: barrier},
	} {
		res := p.Price(context.Background(), tr)
		if res.Err != nil {
			fmt.Println(tr.ID, res.Err)
			continue
		}
		fmt.Printf("%s: pv %.4f delta %.4f gamma %.4f vega %.4f rho %.4f theta %.4f\n",
			res.TradeID, res.PV, res.Delta, res.Gamma, res.Vega, res.Rho, res.Theta)
		// The bucketed sensitivities to rates and vols. The expiry, 9M,
		// lies between the 6M and 1Y pillars, so both count; the call's
		// strike, 103, lies between the 100 and 110 vol nodes, and the
		// smile's spline gives the 90 nodes a small negative weight.
		for _, s := range res.Sens {
			if k := s.RiskFactor.Kind(); k == marketdata.Vol || k == marketdata.Rate {
				fmt.Printf("  %-16s %12.4f\n", s.RiskFactor, s.Value)
			}
		}
	}
	// Output:
	// CALL: pv 6777.9703 delta 506.9818 gamma 21.3352 vega 34142.2305 rho 32940.1557 theta -6125.4646
	//   RATE/USD/6M        10980.0519
	//   RATE/USD/1Y        21960.1038
	//   VOL/ACME/6M/90      -995.6932
	//   VOL/ACME/6M/100     9800.7449
	//   VOL/ACME/6M/110     2351.1747
	//   VOL/ACME/1Y/90     -2051.5009
	//   VOL/ACME/1Y/100    20193.2046
	//   VOL/ACME/1Y/110     4844.3004
	// DOP: pv -527.4732 delta 26.0332 gamma -0.7798 vega -1186.0690 rho 1731.0632 theta 126.2030
	//   RATE/USD/6M          577.0211
	//   RATE/USD/1Y         1154.0422
	//   VOL/ACME/6M/90      -160.2630
	//   VOL/ACME/6M/100     -271.2143
	//   VOL/ACME/6M/110       36.9838
	//   VOL/ACME/1Y/90      -321.5776
	//   VOL/ACME/1Y/100     -544.2082
	//   VOL/ACME/1Y/110       74.2102
}

// Check every AAD figure of a trade against bump-and-revalue.
func ExamplePricer_Validate() {
	m, err := marketdata.Load(strings.NewReader(exampleMarket), "market.csv", exampleAsOf)
	if err != nil {
		fmt.Println(err)
		return
	}
	digital, _ := pricing.NewDigital(pricing.Option{
		Asset: "ACME", Ccy: "USD", Type: pricing.Call, Strike: 105, Expiry: 0.5}, true, 10)
	tr := &pricing.Trade{ID: "DIG", Quantity: decimal.NewFromInt(100), Instrument: digital}

	// The expiry, 6M, is on the 6M pillars: the rate and the vols there are
	// all it reads, with the dividend yield (flat before its 1Y pillar).
	p := pricing.NewPricer(m)
	res := p.Price(context.Background(), tr)
	if res.Err != nil {
		fmt.Println(res.Err)
		return
	}
	rows, err := p.Validate(context.Background(), tr, res) // one row per sensitivity, then theta, gamma, vanna and volga
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range rows {
		status := "ok"
		if !v.OK {
			status = "FAIL"
		}
		fmt.Printf("%-16s aad %11.4f  bump %11.4f  %s\n", v.RiskFactor, v.AAD, v.Bump, status)
	}
	// Output:
	// SPOT/ACME        aad     25.4862  bump     25.4862  ok
	// RATE/USD/6M      aad   1090.8559  bump   1090.8559  ok
	// DIVYIELD/ACME/1Y aad  -1274.3125  bump  -1274.3125  ok
	// VOL/ACME/6M/90   aad    -29.4723  bump    -29.4723  ok
	// VOL/ACME/6M/100  aad    216.1300  bump    216.1300  ok
	// VOL/ACME/6M/110  aad    127.7132  bump    127.7132  ok
	// THETA            aad   -114.9198  bump   -114.9198  ok
	// GAMMA            aad      0.3051  bump      0.3051  ok
	// VANNA            aad   -116.7566  bump   -116.7566  ok
	// VOLGA            aad  -4239.8742  bump  -4239.8742  ok
}

// Read a portfolio file and price it on several goroutines; the results
// come back in input order, failed rows included.
func ExampleRun() {
	m, err := marketdata.Load(strings.NewReader(exampleMarket), "market.csv", exampleAsOf)
	if err != nil {
		fmt.Println(err)
		return
	}
	const portfolio = `trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,barrier_type,barrier,rebate
EU-1,european,ACME,USD,call,100,1Y,1000,,,
BA-1,barrier,ACME,USD,put,95,9M,-500,down-out,85,2
BA-2,barrier,ACME,USD,put,95,9M,-500,down-out,101,2
EU-2,european,ACME,USD,call,1O0,1Y,10,,,
`
	pr, err := pricing.NewPortfolioReader(strings.NewReader(portfolio), "portfolio.csv", exampleAsOf)
	if err != nil {
		fmt.Println(err)
		return
	}
	next := func() (pricing.Item, error) {
		tr, err := pr.Next()
		if tr == nil { // io.EOF, or a file that became unreadable
			return pricing.Item{}, err
		}
		return pricing.Item{Trade: tr, Err: err}, nil
	}
	err = pricing.Run(context.Background(), m, pricing.RunSettings{Workers: 4}, next, func(out pricing.Priced) error {
		r := out.Result
		if r.Err != nil {
			fmt.Printf("%s: error: %v\n", r.TradeID, r.Err)
			return nil
		}
		fmt.Printf("%s: pv %.4f delta %.4f\n", r.TradeID, r.PV, r.Delta)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// EU-1: pv 9744.8852 delta 577.9754
	// BA-1: pv -527.4732 delta 26.0332
	// BA-2: error: closedform: barrier already breached: Barrier down-out: spot 100, barrier 101
	// EU-2: error: portfolio.csv:5:29: strike: want a number, got "1O0"
}

// Record an American put under local vol by the pde engine on a tape of
// one's own and sweep it once: its value and every first-order
// sensitivity, with none of the second-order runs of Pricer.Price.
func ExamplePDEEngine_Value() {
	m, err := marketdata.Load(strings.NewReader(exampleMarket), "market.csv", exampleAsOf)
	if err != nil {
		fmt.Println(err)
		return
	}
	put, err := pricing.NewAmerican(pricing.Option{Asset: "ACME", Ccy: "USD", Type: pricing.Put, Strike: 100, Expiry: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	e, err := pricing.NewPDEEngine(pricing.PDESettings{Model: montecarlo.LocalVol, Spots: 200, Steps: 200})
	if err != nil {
		fmt.Println(err)
		return
	}
	tp := aad.NewTape(0)
	sc := m.NewScope()
	sc.Reset(tp)
	v, err := e.Value(sc, m, pricing.PDEDefaults{}, put)
	if err != nil {
		fmt.Println(err)
		return
	}
	tp.SetAdjoint(v, 1)
	tp.Backward()
	fmt.Printf("value %.4f\n", v.Value())
	for _, in := range sc.Inputs() {
		if k := m.Quotes()[in.Quote].Kind; k == marketdata.Spot || k == marketdata.Rate {
			fmt.Printf("%s %.4f\n", m.RiskFactor(in.Quote), tp.Adjoint(in.X))
		}
	}
	h, _ := sc.Shift()
	fmt.Printf("theta %.4f\n", tp.Adjoint(h))
	// Output:
	// value 7.6191
	// SPOT/ACME -0.4237
	// RATE/USD/6M -8.6988
	// RATE/USD/1Y -30.9776
	// theta -3.4861
}
