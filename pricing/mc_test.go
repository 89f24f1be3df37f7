package pricing

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/montecarlo"
)

// mcMarket adds a second asset, a correlation and Heston parameters to a
// flat market.
const mcMarket = flatMarket + `SPOT,BETA,,,60
DIVYIELD,BETA,1Y,,0.01
VOL,BETA,1Y,,0.35
CORR,ACME|BETA,,,0.4
HESTON,ACME,v0,,0.0625
HESTON,ACME,kappa,,2
HESTON,ACME,theta,,0.0625
HESTON,ACME,sigma,,0.3
HESTON,ACME,rho,,-0.6
`

// mcCase is an instrument with the Monte Carlo settings that price it.
type mcCase struct {
	inst Instrument
	set  MCSettings
}

func mcTrade(t testing.TB, id string, qty float64, c mcCase) *Trade {
	t.Helper()
	eng, err := NewMCEngine(c.set)
	require.NoError(t, err)
	require.NoError(t, eng.Check(c.inst))
	tr := trade(id, qty, c.inst)
	tr.Engine = eng
	return tr
}

func priced(t testing.TB, p *Pricer, tr *Trade) *Result {
	t.Helper()
	res := p.Price(t.Context(), tr)
	require.NoError(t, res.Err, tr.ID)
	return res
}

// TestMCAgainstClosedForms prices each payoff under bs by simulation and
// checks it within 3 standard errors of the closed form of the same trade.
func TestMCAgainstClosedForms(t *testing.T) {
	if testing.Short() {
		t.Skip("tens of thousands of paths: not in -short")
	}
	m := loadMarket(t, mcMarket)
	p := NewPricer(m)
	p.MC = MCDefaults{Paths: 40_000, Seed: 3}
	p.MCWorkers = 2
	o := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 1}
	put := o
	put.Type = Put
	cases := []struct {
		name   string
		mc     mcCase
		kind   string
		closed Instrument
		bias   float64
	}{
		{"european call", mcCase{must(NewEuropean(o)), MCSettings{}}, "european", must(NewEuropean(o)), 0},
		{"european put", mcCase{must(NewEuropean(put)), MCSettings{}}, "european", must(NewEuropean(put)), 0},
		// The smoothing's bias is of second order in its width.
		{"digital cash", mcCase{must(NewDigital(o, true, 10)), MCSettings{}}, "digital", must(NewDigital(o, true, 10)), 1e-3},
		{"digital asset", mcCase{must(NewDigital(put, false, 0)), MCSettings{}}, "digital", must(NewDigital(put, false, 0)), 1e-2},
		{"geometric asian", mcCase{must(NewAsian(o, Geometric, 12)), MCSettings{}}, "asian", must(NewAsian(o, Geometric, 12)), 0},
		{"down-out call", mcCase{must(NewBarrier(o, DownOut, 90, 0)), MCSettings{Steps: 12}}, "barrier", must(NewBarrier(o, DownOut, 90, 0)), 0},
		{"up-out put with rebate", mcCase{must(NewBarrier(put, UpOut, 120, 3)), MCSettings{Steps: 50}}, "barrier", must(NewBarrier(put, UpOut, 120, 3)), 0.01},
		{"up-in call with rebate", mcCase{must(NewBarrier(o, UpIn, 125, 2)), MCSettings{Steps: 12}}, "barrier", must(NewBarrier(o, UpIn, 125, 2)), 0},
		{"down-in put", mcCase{must(NewBarrier(put, DownIn, 95, 0)), MCSettings{Steps: 12}}, "barrier", must(NewBarrier(put, DownIn, 95, 0)), 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := priced(t, p, mcTrade(t, c.name, 2, c.mc))
			want := priced(t, p, trade("closed", 2, c.closed))
			assert.True(t, res.HasStdError)
			assert.LessOrEqualf(t, math.Abs(res.PV-want.PV), 3*res.StdError+c.bias, "pv: got %.6g ± %.2g, want %.6g", res.PV, res.StdError, want.PV)
			// Delta within 3 of its own standard errors too.
			var se float64
			for _, s := range res.Sens {
				if s.RiskFactor.String() == "SPOT/ACME" {
					se = s.StdError
				}
			}
			assert.LessOrEqualf(t, math.Abs(res.Delta-want.Delta), 3*se+c.bias, "delta: got %.6g ± %.2g, want %.6g", res.Delta, se, want.Delta)
		})
	}
}

// TestMCLocalVolReproducesTheSmile prices Europeans under Dupire local vol
// on a skewed surface: each must match Black–Scholes at the surface's
// implied vol for its strike.
func TestMCLocalVolReproducesTheSmile(t *testing.T) {
	if testing.Short() {
		t.Skip("tens of thousands of paths: not in -short")
	}
	// A skew quoted well beyond the strikes priced (skewMarket): beyond its
	// last strikes the surface is flat, a kink in strike that no local vol
	// reproduces.
	m := loadMarket(t, skewMarket(0.08))
	p := NewPricer(m)
	p.MC = MCDefaults{Paths: 40_000, Seed: 5}
	p.MCWorkers = 2
	for _, k := range []float64{85, 100, 115} {
		o := Option{Asset: "ACME", Ccy: "USD", Type: Put, Strike: k, Expiry: 1}
		if k >= 100 {
			o.Type = Call
		}
		res := priced(t, p, mcTrade(t, "lv", 1, mcCase{must(NewEuropean(o)), MCSettings{Model: montecarlo.LocalVol, Steps: 100}}))
		want := priced(t, p, trade("bs", 1, must(NewEuropean(o))))
		assert.LessOrEqualf(t, math.Abs(res.PV-want.PV), 3*res.StdError, "K=%v: got %.6g ± %.2g, want %.6g", k, res.PV, res.StdError, want.PV)
	}
}

// TestMCValidate checks AAD against bump-and-revalue with the same random
// numbers for every payoff and model.
func TestMCValidate(t *testing.T) {
	m := loadMarket(t, mcMarket+"VOL,ACME,6M,90,0.27\nVOL,ACME,6M,110,0.24\n")
	p := NewPricer(m)
	p.MC = MCDefaults{Paths: 1000, Seed: 9}
	o := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 0.8}
	put := o
	put.Type = Put
	basketOpt := Option{Ccy: "USD", Type: Call, Strike: 130, Expiry: 1}
	var trades []*Trade
	for _, model := range []montecarlo.Model{montecarlo.BlackScholes, montecarlo.LocalVol, montecarlo.Heston} {
		s := MCSettings{Model: model, Steps: 10}
		for _, c := range []struct {
			kind string
			mc   mcCase
		}{
			{"european", mcCase{must(NewEuropean(put)), MCSettings{}}},
			{"digital", mcCase{must(NewDigital(o, true, 5)), MCSettings{}}},
			{"asian", mcCase{must(NewAsian(o, Arithmetic, 6)), MCSettings{}}},
			{"asian", mcCase{must(NewAsian(put, Geometric, 4)), MCSettings{}}},
			{"barrier", mcCase{must(NewBarrier(o, UpOut, 130, 1)), MCSettings{}}},
			{"barrier", mcCase{must(NewBarrier(put, DownIn, 90, 1)), MCSettings{}}},
		} {
			c.mc.set = s
			trades = append(trades, mcTrade(t, model.String()+" "+c.kind, -3, c.mc))
		}
	}
	trades = append(trades, mcTrade(t, "basket", 1.5, mcCase{must(NewBasket(basketOpt, []string{"ACME", "BETA"}, []float64{1, 0.5})), MCSettings{}}))
	for _, tr := range trades {
		t.Run(tr.ID, func(t *testing.T) {
			res := priced(t, p, tr)
			v, err := p.Validate(t.Context(), tr, res)
			require.NoError(t, err)
			require.NotEmpty(t, v)
			for _, row := range v {
				assert.Truef(t, row.OK, "%s: aad %.10g, bump %.10g, diff %.2g > %.2g", row.RiskFactor, row.AAD, row.Bump, row.AbsDiff, row.Tolerance)
			}
		})
	}
}

func TestMCGammaAndWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("tens of thousands of paths: not in -short")
	}
	m := loadMarket(t, flatMarket)
	o := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 1}
	tr := mcTrade(t, "e", 1, mcCase{must(NewEuropean(o)), MCSettings{}})
	var first *Result
	for _, w := range []int{1, 2, 3} {
		p := NewPricer(m)
		p.MC = MCDefaults{Paths: 50_000, Seed: 1}
		p.MCWorkers = w
		res := priced(t, p, tr)
		if first == nil {
			first = res
			want := priced(t, p, trade("closed", 1, must(NewEuropean(o))))
			assert.InDeltaf(t, want.Gamma, res.Gamma, 0.05*want.Gamma, "gamma: got %v, want %v", res.Gamma, want.Gamma)
			continue
		}
		assert.Equal(t, first, res, "%d workers", w)
	}
}

func TestMCPortfolioRows(t *testing.T) {
	const portfolio = `trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,barrier_type,barrier,averaging,fixings,weights,engine,model,paths,steps,seed
b1,basket,ACME|BETA,USD,call,130,1Y,1,,,,,1|0.5,,,500,,
a1,asian,ACME,USD,put,100,1Y,1,,,arithmetic,12,,,heston,500,24,7
e1,european,ACME,USD,call,100,6M,1,,,,,,mc,localvol,500,,
x1,american,ACME,USD,call,100,1Y,1,,,,,,mc,,,,
x2,european,ACME,USD,call,100,1Y,1,,,,,,,heston,,,
x3,basket,ACME|BETA,USD,call,100,1Y,1,,,,,1,,,,,
x4,european,ACME,USD,call,100,1Y,1,,,,,,mc,sabr,,,
x5,basket,ACME|BETA,USD,call,100,1Y,1,,,,,1|1,analytic,,,,
x6,european,ACME,USD,call,100,1Y,1,,,,,,mc,,1,,
x7,asian,ACME,USD,call,100,1Y,1,,,arithmetic,0,,,,,,
`
	trades, errs, err := ReadPortfolio(strings.NewReader(portfolio), "portfolio.csv", asof)
	require.NoError(t, err)
	require.Len(t, trades, 10)
	for i := range 3 {
		require.NoError(t, errs[i], trades[i].ID)
		assert.Equal(t, MC, trades[i].EngineName)
		assert.Equal(t, MC, trades[i].Engine.Name())
	}
	a1 := trades[1].Engine.(*MCEngine)
	assert.Equal(t, MCSettings{Model: montecarlo.Heston, Paths: 500, Steps: 24, Seed: 7, SeedSet: true}, a1.Settings())
	assert.Equal(t, Arithmetic, trades[1].Instrument.(*Asian).Averaging)
	assert.Equal(t, []float64{1, 0.5}, trades[0].Instrument.(*Basket).Weights)
	for i, want := range []string{"american has no Monte Carlo", "only engine=mc and engine=pde trades have a model", "want 2 weights", `model "sabr"`, "basket has no analytic engine", "1 paths", "1 to"} {
		require.Error(t, errs[3+i], trades[3+i].ID)
		assert.Contains(t, errs[3+i].Error(), want, trades[3+i].ID)
	}
	m := loadMarket(t, mcMarket)
	p := NewPricer(m)
	for _, tr := range trades[:3] {
		res := p.Price(t.Context(), tr)
		require.NoError(t, res.Err, tr.ID)
		assert.True(t, res.HasStdError)
		assert.Equal(t, tr.ID != "b1", res.HasDelta)
	}
}

// TestEnginesRefuseWhatTheyCannotPrice prices trades built in code with an
// engine that has no way to price their product: each fails with the
// engine's Check error, through Price and BumpAndRevalue alike.
func TestEnginesRefuseWhatTheyCannotPrice(t *testing.T) {
	p := NewPricer(loadMarket(t, mcMarket))
	o := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 1}
	mc := must(NewMCEngine(MCSettings{Model: montecarlo.LocalVol}))
	am := trade("am", 1, must(NewAmerican(o)))
	am.Engine = mc
	bk := trade("bk", 1, must(NewBasket(o, []string{"ACME", "BETA"}, []float64{1, 1})))
	bkLV := trade("bk-lv", 1, bk.Instrument)
	bkLV.Engine = mc
	as := trade("as", 1, must(NewAsian(o, Arithmetic, 12)))
	for _, c := range []struct {
		tr   *Trade
		want string
	}{
		{am, "engine mc: an american has no Monte Carlo engine (use analytic)"},
		{bk, "engine analytic: a basket has no analytic engine"},
		{bkLV, "model localvol: a basket is simulated under bs only"},
		{as, "engine analytic: a arithmetic asian has no analytic engine"},
	} {
		res := p.Price(t.Context(), c.tr)
		assert.EqualError(t, res.Err, c.want, c.tr.ID)
		assert.Equal(t, c.tr.engine().Name(), res.Engine, c.tr.ID)
		_, _, err := p.BumpAndRevalue(t.Context(), c.tr, nil)
		assert.EqualError(t, err, c.want, c.tr.ID)
	}
	eu := trade("eu", 1, must(NewEuropean(o)))
	assert.Zero(t, SimulatedPaths(eu, MCDefaults{Paths: 1000}, false), "closed form")
	eu.Engine = mc
	assert.Equal(t, int64(5000), SimulatedPaths(eu, MCDefaults{Paths: 1000}, false), "the run, two for gamma and two for volga")
	bk.Engine = must(NewMCEngine(MCSettings{Paths: 500}))
	assert.Equal(t, int64(1500), SimulatedPaths(bk, MCDefaults{Paths: 1000}, false), "no gamma, the trade's paths for the run and two for volga")
	assert.Equal(t, int64(7*500), SimulatedPaths(bk, MCDefaults{Paths: 1000}, true), "second order: two runs for each of its two spots instead")
}
