package pricing

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
)

// The edge-case tests below price every closed-form instrument through the
// portfolio reader and the engine (Run with validation), on a flat market
// and on a term-structure market with a smile, and check that every AAD
// figure agrees with bump-and-revalue, that gamma agrees with a second
// difference of passive values, and that nothing is ever NaN.

// edgeFlat returns a flat market: one spot, curves with equal zero rates at
// two pillars (1Y and 3Y) and one vol quote at 18M, so that an expiry of 1Y
// sits on a curve pillar and one of 18M on a vol pillar, as in edgeTerm.
func edgeFlat(r, q, vol float64) string {
	return fmt.Sprintf(`type,name,pillar,strike,value
SPOT,ACME,,,100
RATE,USD,1Y,,%[1]g
RATE,USD,3Y,,%[1]g
DIVYIELD,ACME,1Y,,%[2]g
VOL,ACME,18M,,%[3]g
`, r, q, vol)
}

// edgeTermRates are the zero rates of edgeTerm at 1M, 3M, 1Y, 2Y and 5Y.
var (
	edgeTermRates     = [5]float64{0.043, 0.041, 0.039, 0.037, 0.036}
	edgeNegativeRates = [5]float64{-0.006, -0.0055, -0.0045, -0.003, -0.002}
)

// edgeTerm returns a market with term structures and a smile whose vols are
// scaled by volScale (1 gives an at-the-money vol near 0.22). Its pillars are
// chosen so that the scenarios can sit on one kind of pillar and not on
// another: 1Y is a RATE pillar but no VOL or DIVYIELD pillar; 18M is a VOL
// pillar only; 6M is a VOL and DIVYIELD pillar but no RATE pillar; 1D and 2W
// are before every first pillar and 10Y after every last one. The smiles
// have 3, 5, 4 and 2 strikes (a linear one), from 80 to 120.
func edgeTerm(rates [5]float64, volScale float64) string {
	var b strings.Builder
	b.WriteString("type,name,pillar,strike,value\nSPOT,ACME,,,100\n")
	for i, p := range []string{"1M", "3M", "1Y", "2Y", "5Y"} {
		fmt.Fprintf(&b, "RATE,USD,%s,,%g\n", p, rates[i])
	}
	b.WriteString("DIVYIELD,ACME,6M,,0.015\nDIVYIELD,ACME,2Y,,0.018\n")
	for _, v := range []struct {
		pillar string
		strike float64
		vol    float64
	}{
		{"2M", 80, 0.31}, {"2M", 100, 0.23}, {"2M", 120, 0.21},
		{"6M", 80, 0.285}, {"6M", 90, 0.245}, {"6M", 100, 0.215}, {"6M", 110, 0.2}, {"6M", 120, 0.195},
		{"18M", 80, 0.265}, {"18M", 95, 0.232}, {"18M", 105, 0.218}, {"18M", 120, 0.203},
		{"3Y", 80, 0.25}, {"3Y", 120, 0.21},
	} {
		fmt.Fprintf(&b, "VOL,ACME,%s,%g,%g\n", v.pillar, v.strike, v.vol*volScale)
	}
	return b.String()
}

// edgeScenario is a set of trades (every instrument, call and put) with one
// strike, expiry and pair of barrier levels.
type edgeScenario struct {
	name   string
	strike float64
	expiry string
	// down and up are the levels of the down and up barriers.
	down, up float64
}

// edgePortfolio writes the portfolio of a scenario: for each option type a
// European, a cash and an asset digital, the four barrier types without and
// with a rebate, a continuous and a 12-fixing geometric Asian and an
// American, with quantities of both signs.
func edgePortfolio(sc edgeScenario) string {
	var b strings.Builder
	b.WriteString(portfolioHeader)
	row := func(id, inst, typ string, qty float64, payout, barrierType string, barrier float64, rebate, fixings string) {
		bar := ""
		if barrier > 0 {
			bar = fmt.Sprintf("%g", barrier)
		}
		averaging := ""
		if inst == "asian" {
			averaging = "geometric"
		}
		fmt.Fprintf(&b, "%s-%s,%s,ACME,USD,%s,%g,%s,%g,%s,%s,%s,%s,%s,%s,\n",
			id, typ, inst, typ, sc.strike, sc.expiry, qty, payout, barrierType, bar, rebate, averaging, fixings)
	}
	for _, typ := range []string{"call", "put"} {
		row("eu", "european", typ, 2, "", "", 0, "", "")
		row("dc", "digital", typ, -1, "10", "", 0, "", "")
		row("da", "digital", typ, 1, "", "", 0, "", "")
		for _, kind := range []string{"down-in", "down-out", "up-in", "up-out"} {
			level := sc.up
			if strings.HasPrefix(kind, "down") {
				level = sc.down
			}
			row("b-"+kind, "barrier", typ, 1, "", kind, level, "", "")
			row("b-"+kind+"-rebate", "barrier", typ, -3, "", kind, level, "2", "")
		}
		row("ac", "asian", typ, 1, "", "", 0, "", "")
		row("ad", "asian", typ, -1, "", "", 0, "", "12")
		row("am", "american", typ, 1.5, "", "", 0, "", "")
	}
	return b.String()
}

// edgeScenarios are the cases every instrument is priced in, on every
// market: each moves one thing away from the base case.
var edgeScenarios = []edgeScenario{
	{name: "base", strike: 97, expiry: "10M", down: 85, up: 125},
	{name: "expiry 1D", strike: 100, expiry: "1D", down: 97, up: 103},
	{name: "expiry 1D off the money", strike: 101.5, expiry: "1D", down: 98, up: 102},
	{name: "expiry 2W", strike: 99, expiry: "2W", down: 94, up: 106},
	{name: "deep ITM call, OTM put (0.3 spot)", strike: 30, expiry: "10M", down: 85, up: 125},
	{name: "deep OTM call, ITM put (3 spot)", strike: 300, expiry: "10M", down: 85, up: 125},
	{name: "spot 0.4% from the barriers", strike: 100, expiry: "10M", down: 99.6, up: 100.4},
	{name: "spot 0.4% from the barriers, strike beyond", strike: 95, expiry: "3M", down: 99.6, up: 100.4},
	{name: "expiry on a curve pillar", strike: 103, expiry: "1Y", down: 85, up: 125},
	{name: "expiry on a vol pillar", strike: 96, expiry: "18M", down: 85, up: 125},
	{name: "expiry on a vol and dividend pillar", strike: 102, expiry: "6M", down: 85, up: 125},
	{name: "expiry beyond the last pillars", strike: 100, expiry: "10Y", down: 70, up: 140},
	{name: "expiry before the first pillars", strike: 98, expiry: "2W", down: 95, up: 105},
	{name: "strike between smile nodes", strike: 104.3, expiry: "9M", down: 88, up: 118},
	{name: "strike below the smile", strike: 65, expiry: "9M", down: 60, up: 130},
	{name: "strike above the smile", strike: 140, expiry: "9M", down: 80, up: 150},
}

// edgeMarket is a market the scenarios run on.
type edgeMarket struct {
	name string
	csv  string
	// scenarios restricts the scenarios (all when nil).
	scenarios []string
}

func edgeMarkets() []edgeMarket {
	// The vol-level markets run the scenarios where the vol matters most.
	volScenarios := []string{"base", "expiry 2W", "deep ITM call, OTM put (0.3 spot)", "deep OTM call, ITM put (3 spot)",
		"spot 0.4% from the barriers", "expiry on a vol pillar", "strike between smile nodes", "strike above the smile", "expiry beyond the last pillars"}
	return []edgeMarket{
		{name: "flat", csv: edgeFlat(0.04, 0.015, 0.25)},
		{name: "term", csv: edgeTerm(edgeTermRates, 1)},
		{name: "flat vol 0.01", csv: edgeFlat(0.04, 0.015, 0.01), scenarios: volScenarios},
		{name: "term vol near 0.01", csv: edgeTerm(edgeTermRates, 0.01/0.22), scenarios: volScenarios},
		{name: "flat vol 1.5", csv: edgeFlat(0.04, 0.015, 1.5), scenarios: volScenarios},
		{name: "term vol near 1.5", csv: edgeTerm(edgeTermRates, 1.5/0.22), scenarios: volScenarios},
		{name: "flat negative rate", csv: edgeFlat(-0.01, 0.005, 0.25)},
		{name: "term negative rates", csv: edgeTerm(edgeNegativeRates, 1)},
	}
}

// runEdge prices a portfolio through the reader and the engine with
// validation, on two workers, and returns the trades and what the engine
// gave for each.
func runEdge(t *testing.T, m *marketdata.Market, portfolio string) ([]*Trade, []Priced) {
	t.Helper()
	trades, errs, err := ReadPortfolio(strings.NewReader(portfolio), "portfolio.csv", asof)
	require.NoError(t, err)
	for i, e := range errs {
		require.NoError(t, e, "row of %s", trades[i].ID)
	}
	i := 0
	next := func() (Item, error) {
		if i == len(trades) {
			return Item{}, io.EOF
		}
		i++
		return Item{Trade: trades[i-1]}, nil
	}
	var out []Priced
	err = Run(context.Background(), m, RunSettings{Workers: 2, Validate: true}, next, func(p Priced) error {
		out = append(out, p)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, out, len(trades))
	return trades, out
}

func TestEdgeCasesAgreeWithBumpAndRevalue(t *testing.T) {
	for _, mk := range edgeMarkets() {
		m := loadMarket(t, mk.csv)
		p := NewPricer(m)
		for _, sc := range edgeScenarios {
			if mk.scenarios != nil && !slices.Contains(mk.scenarios, sc.name) {
				continue
			}
			t.Run(mk.name+"/"+sc.name, func(t *testing.T) {
				trades, out := runEdge(t, m, edgePortfolio(sc))
				for j, pr := range out {
					tr, res := trades[j], pr.Result
					require.Equal(t, tr.ID, res.TradeID)
					if !assert.NoError(t, res.Err, tr.ID) {
						continue
					}
					assertFinite(t, res)
					require.Len(t, pr.Validation, len(res.Sens)+1+secondRows(res), tr.ID)
					for _, v := range pr.Validation {
						assert.True(t, v.OK, "%s %s: aad %.12g, bump %.12g, diff %.3g > tolerance %.3g", tr.ID, v.RiskFactor, v.AAD, v.Bump, v.AbsDiff, v.Tolerance)
					}
					checkGamma(t, p, tr, res)
				}
			})
		}
	}
}

// secondRows is the number of second-order rows that Validate gives for an
// analytic res without Pricer.SecondOrder: gamma and vanna with a delta
// (vanna with vol inputs), volga with vol inputs.
func secondRows(res *Result) int {
	vol := slices.ContainsFunc(res.Sens, func(s Sensitivity) bool { return s.RiskFactor.Kind() == marketdata.Vol })
	n := 0
	if res.HasDelta {
		n++
		if vol {
			n++
		}
	}
	if vol {
		n++
	}
	return n
}

// assertFinite checks that no figure of res is NaN or infinite.
func assertFinite(t *testing.T, res *Result) {
	t.Helper()
	for name, v := range map[string]float64{"pv": res.PV, "delta": res.Delta, "gamma": res.Gamma, "vega": res.Vega, "rho": res.Rho, "div_rho": res.DivRho, "theta": res.Theta} {
		assert.False(t, math.IsNaN(v) || math.IsInf(v, 0), "%s: %s is %v", res.TradeID, name, v)
	}
	for _, s := range res.Sens {
		assert.False(t, math.IsNaN(s.Value) || math.IsInf(s.Value, 0), "%s: %s is %v", res.TradeID, s.RiskFactor, s.Value)
	}
}

// checkGamma compares the gamma of res with second differences of passive
// values, S(h) = (v(S+h) − 2v(S) + v(S−h))/h², extrapolated to h → 0 from
// h, h/2 and h/4 (Richardson: the error of S(h) is a series in h², h⁴, …).
// The step is 5% of the scale on which the value curves: the spot's
// one-standard-deviation move S·σ√T, or the distance to a barrier if that is
// shorter. A fixed relative step does not work here: at one day the scale
// is 1.3% of the spot, at a vol of 0.01 it is 0.2%, and a second
// difference at 0.1% of the spot errs by 1e-3 relative there.
func checkGamma(t *testing.T, p *Pricer, tr *Trade, res *Result) {
	t.Helper()
	m := p.Market()
	spot, ok := m.Index("SPOT/ACME")
	require.True(t, ok)
	s := m.Quotes()[spot].Value
	scale := s * gammaScale(t, p, tr)
	require.Greater(t, scale, 0.0, tr.ID)
	if b, ok := tr.Instrument.(*Barrier); ok {
		scale = math.Min(scale, math.Abs(s-b.Level))
	}
	qty := tr.Quantity.InexactFloat64()
	v := func(x float64) float64 {
		y, err := p.valueAt(tr.Instrument.(analyticProduct), marketdata.Bump{Quote: spot, By: x})
		require.NoError(t, err)
		return qty * y
	}
	v0 := v(0)
	h := 0.05 * scale
	if _, ok := tr.Instrument.(*American); ok && res.Gamma == 0 {
		// At or beyond the critical price the value is intrinsic, linear
		// in the spot: keep the differences on that side of it, where the
		// gamma they estimate is the one reported (it jumps at the
		// critical price, where the value is only once differentiable).
		slope := (v(h/1e6) - v0) / (h / 1e6)
		for range 40 {
			if math.Abs(v(-h)-(v0-slope*h)) <= 1e-12*math.Abs(v0)+1e-15 {
				break
			}
			h /= 2
		}
	}
	var sd [3]float64
	for i := range sd {
		hi := h / float64(int(1)<<i)
		sd[i] = (v(hi) - 2*v0 + v(-hi)) / (hi * hi)
	}
	r1a, r1b := (4*sd[1]-sd[0])/3, (4*sd[2]-sd[1])/3
	want := (16*r1b - r1a) / 15
	// The reference errs by its truncation (estimated by the last
	// extrapolation step) and by rounding: a value is the sum of terms up
	// to about quantity·(S + K) (a knock-out is a vanilla less a knock-in),
	// each rounded to ε relative, and the second difference at h/4 divides
	// four such errors by (h/4)².
	terms := math.Abs(v0) + math.Abs(qty)*(s+option(t, tr).Strike)
	refErr := math.Abs(want-r1b) + 4*2.2e-16*terms/(h*h/16)
	tol := 1e-6*math.Max(math.Abs(want), math.Abs(res.Gamma)) + refErr + 1e-12*math.Max(1, math.Abs(res.PV))
	assert.InDelta(t, want, res.Gamma, tol, "%s: gamma %.12g, second difference %.12g (h %g, reference error %.2g)", tr.ID, res.Gamma, want, h, refErr)
}

// option returns the terms of a trade's instrument.
func option(t *testing.T, tr *Trade) Option {
	t.Helper()
	switch inst := tr.Instrument.(type) {
	case *European:
		return inst.Option
	case *Digital:
		return inst.Option
	case *Barrier:
		return inst.Option
	case *Asian:
		return inst.Option
	case *American:
		return inst.Option
	}
	t.Fatalf("%s: unknown instrument %T", tr.ID, tr.Instrument)
	return Option{}
}

// gammaScale returns σ√T of the trade, the relative spot move on which its
// value changes shape.
func gammaScale(t *testing.T, p *Pricer, tr *Trade) float64 {
	t.Helper()
	o := option(t, tr)
	sc := p.Market().NewScope()
	sc.Reset(nil)
	vol, err := sc.Vol(o.Asset, aad.Const(o.Expiry), o.Strike)
	require.NoError(t, err)
	return vol.Value() * math.Sqrt(o.Expiry)
}

// failingInstrument is a product whose pricing goes wrong: a NaN value, or a
// finite value with a NaN sensitivity.
type failingInstrument struct{ nanSens bool }

func (failingInstrument) Kind() string          { return "failing" }
func (failingInstrument) Underlying() string    { return "ACME" }
func (failingInstrument) Underlyings() []string { return []string{"ACME"} }
func (failingInstrument) Currency() string      { return "USD" }
func (f failingInstrument) value(sc *marketdata.Scope) (aad.Number, error) {
	s, err := sc.Spot("ACME")
	if err != nil {
		return aad.Number{}, err
	}
	if f.nanSens {
		return sc.Tape().Custom(1, []aad.Number{s}, []float64{math.NaN()}), nil
	}
	return sc.Tape().Custom(math.NaN(), []aad.Number{s}, []float64{1}), nil
}

// TestEdgeTradesThatMustFail checks that a trade that cannot be priced gets
// an error and no figures, never NaN, through Pricer.Price and through the
// engine with validation.
func TestEdgeTradesThatMustFail(t *testing.T) {
	o := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 0.5}
	cases := []struct {
		name   string
		market string
		inst   Instrument
	}{
		{"down barrier at the spot", edgeFlat(0.04, 0.015, 0.25), must(NewBarrier(o, DownOut, 100, 0))},
		{"down barrier above the spot", edgeFlat(0.04, 0.015, 0.25), must(NewBarrier(o, DownIn, 100.5, 1))},
		{"up barrier at the spot", edgeFlat(0.04, 0.015, 0.25), must(NewBarrier(o, UpOut, 100, 2))},
		{"up barrier below the spot", edgeFlat(0.04, 0.015, 0.25), must(NewBarrier(o, UpIn, 99.5, 0))},
		// A strike that New would refuse, set directly.
		{"NaN strike", edgeFlat(0.04, 0.015, 0.25), &European{Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: math.NaN(), Expiry: 1}}},
		{"infinite expiry", edgeFlat(0.04, 0.015, 0.25), &Digital{Option: Option{Asset: "ACME", Ccy: "USD", Type: Put, Strike: 100, Expiry: math.Inf(1)}, Cash: true, Payout: 1}},
		// A rate of −100% over 1000 years: a discount factor of e^1000.
		{"overflowing discount factor", edgeFlat(-1, 0, 0.25), must(NewEuropean(Option{Asset: "ACME", Ccy: "USD", Type: Put, Strike: 100, Expiry: 1000}))},
		{"overflowing asian", edgeFlat(-1, 0, 0.25), must(NewAsian(Option{Asset: "ACME", Ccy: "USD", Type: Put, Strike: 100, Expiry: 1000}, Geometric, 4))},
		{"overflowing barrier", edgeFlat(-1, 0, 0.25), must(NewBarrier(Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 1000}, UpOut, 150, 1))},
		// With a negative rate and a low vol, μ² + 2R/σ² < 0 and the
		// Reiner–Rubinstein knock-out rebate term is not real (a
		// EUR/CHF-like market): the formula refuses it.
		{"knock-out rebate with μ² + 2R/σ² < 0", edgeFlat(-0.0075, -0.003, 0.06), must(NewBarrier(o, DownOut, 95, 1))},
		{"NaN value", edgeFlat(0.04, 0.015, 0.25), failingInstrument{}},
		{"NaN sensitivity", edgeFlat(0.04, 0.015, 0.25), failingInstrument{nanSens: true}},
		{"missing underlying", edgeFlat(0.04, 0.015, 0.25), must(NewAmerican(Option{Asset: "NOPE", Ccy: "USD", Type: Put, Strike: 100, Expiry: 1}))},
	}
	for _, c := range cases {
		m := loadMarket(t, c.market)
		p := NewPricer(m)
		tr := trade(c.name, 3, c.inst)
		res := p.Price(t.Context(), tr)
		require.Error(t, res.Err, c.name)
		assert.Equal(t, Result{TradeID: tr.ID, Instrument: c.inst.Kind(), Engine: Analytic, Underlying: c.inst.Underlying(), Currency: c.inst.Currency(), Err: res.Err}, *res, "%s: a failed trade has no figures", c.name)
		rows, err := p.Validate(t.Context(), tr, res)
		assert.NoError(t, err, c.name)
		assert.Empty(t, rows, c.name)

		done := false
		err = Run(context.Background(), m, RunSettings{Workers: 1, Validate: true}, func() (Item, error) {
			if done {
				return Item{}, io.EOF
			}
			done = true
			return Item{Trade: tr}, nil
		}, func(pr Priced) error {
			assert.Error(t, pr.Result.Err, c.name)
			assert.Empty(t, pr.Validation, c.name)
			assertFinite(t, pr.Result)
			return nil
		})
		require.NoError(t, err, c.name)
	}
}

// TestEdgeOneSidedBumps covers the quotes that bump-and-revalue cannot move
// both ways: a spot a hair above a down barrier (closer than the smallest
// step of SpotBump tried, so every central difference crosses it) and vols
// of exactly 0. Price takes gamma one-sided there, and Validate the
// sensitivities.
func TestEdgeOneSidedBumps(t *testing.T) {
	t.Run("spot next to a barrier", func(t *testing.T) {
		m := loadMarket(t, edgeTerm(edgeTermRates, 1))
		p := NewPricer(m)
		o := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 0.5}
		for _, tr := range []*Trade{
			trade("do", 1, must(NewBarrier(o, DownOut, 100*(1-1e-9), 0))),
			trade("do-rebate", 1, must(NewBarrier(o, DownOut, 100*(1-1e-9), 2))),
			trade("di", 1, must(NewBarrier(o, DownIn, 100*(1-1e-9), 2))),
			trade("ui", -1, must(NewBarrier(o, UpIn, 100*(1+1e-9), 0))),
		} {
			res := p.Price(t.Context(), tr)
			require.NoError(t, res.Err, tr.ID)
			assertFinite(t, res)
			rows, err := p.Validate(t.Context(), tr, res)
			require.NoError(t, err, tr.ID)
			for _, v := range rows {
				assert.True(t, v.OK, "%s %s: aad %.12g, bump %.12g, diff %.3g > tolerance %.3g", tr.ID, v.RiskFactor, v.AAD, v.Bump, v.AbsDiff, v.Tolerance)
			}
		}
	})
	// Where the expiry reads one expiry's vols (before the first, on one,
	// after the last), a node bumped below 0 gives a negative vol, which no
	// formula takes. (Between expiries total variance is interpolated, and
	// a negative node vol gives a positive variance.)
	for _, expiry := range []string{"2W", "10M", "18M", "10Y"} {
		between := expiry == "10M" || expiry == "18M" // between vol expiries
		t.Run("vols of 0, expiry "+expiry, func(t *testing.T) {
			m := loadMarket(t, edgeTerm(edgeTermRates, 0))
			trades, out := runEdge(t, m, edgePortfolio(edgeScenario{strike: 97, expiry: expiry, down: 85, up: 125}))
			priced := 0
			for j, pr := range out {
				res := pr.Result
				assertFinite(t, res)
				if res.Err != nil {
					// Barrier and (where early exercise has value)
					// American need a positive vol.
					kind := trades[j].Instrument.Kind()
					assert.True(t, kind == "barrier" || kind == "american", "%s: %v", res.TradeID, res.Err)
					continue
				}
				priced++
				for _, v := range pr.Validation {
					if v.RiskFactor == VolgaFactor && between {
						// Between expiries σ = c·|x| along a parallel
						// shift x of vols of 0: not differentiable at 0,
						// where the scope takes ∂σ/∂x as 0, so the sweep's
						// volga lacks the c²·∂²pv/∂σ² that a value smooth
						// in σ² (an Asian's) has on both sides.
						continue
					}
					assert.True(t, v.OK, "%s %s: aad %.12g, bump %.12g, diff %.3g > tolerance %.3g", res.TradeID, v.RiskFactor, v.AAD, v.Bump, v.AbsDiff, v.Tolerance)
				}
			}
			assert.GreaterOrEqual(t, priced, 10)
		})
	}
}

// TestEdgeAsianFixingsMinutesAway prices one-day geometric Asians with up
// to 1000 fixings, the first 26 seconds away: theta's revaluations must
// move the valuation time by less than that (a larger move puts a fixing
// before the valuation date, where the value is not defined).
func TestEdgeAsianFixingsMinutesAway(t *testing.T) {
	for _, mk := range []string{edgeFlat(0.04, 0.015, 0.25), edgeTerm(edgeTermRates, 1)} {
		m := loadMarket(t, mk)
		p := NewPricer(m)
		day, err := marketdata.ParseTime("1D", asof)
		require.NoError(t, err)
		for _, n := range []int{24, 1000} {
			for _, call := range []OptionType{Call, Put} {
				tr := trade(fmt.Sprintf("asian-%d-%v", n, call), 1, must(NewAsian(Option{Asset: "ACME", Ccy: "USD", Type: call, Strike: 100.2, Expiry: day}, Geometric, n)))
				res := p.Price(t.Context(), tr)
				require.NoError(t, res.Err, tr.ID)
				rows, err := p.Validate(t.Context(), tr, res)
				require.NoError(t, err, tr.ID)
				for _, v := range rows {
					assert.True(t, v.OK, "%s %s: aad %.12g, bump %.12g, diff %.3g > tolerance %.3g", tr.ID, v.RiskFactor, v.AAD, v.Bump, v.AbsDiff, v.Tolerance)
				}
				checkGamma(t, p, tr, res)
			}
		}
	}
}
