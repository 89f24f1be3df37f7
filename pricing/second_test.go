package pricing

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// bsSecond returns the Black–Scholes–Merton gamma, vanna (∂²/∂S∂σ) and
// volga (∂²/∂σ²) of one option, the same for calls and puts.
func bsSecond(s, k, r, q, vol, T float64) (gamma, vanna, volga float64) {
	sd := vol * math.Sqrt(T)
	d1 := (math.Log(s/k)+(r-q)*T)/sd + sd/2
	d2 := d1 - sd
	dq := math.Exp(-q * T)
	gamma = dq * npdf(d1) / (s * sd)
	vanna = -dq * npdf(d1) * d2 / vol
	volga = s * dq * npdf(d1) * math.Sqrt(T) * d1 * d2 / vol
	return gamma, vanna, volga
}

// TestSecondOrderEuropeanMatchesAnalytic holds the closed-form European's
// gamma, vanna and volga, from tangent-over-adjoint sweeps, to the
// textbook formulas at 1e-12 relative, and its rows of second_order.csv to
// the same figures: gamma on the diagonal, the vol node's vanna.
func TestSecondOrderEuropeanMatchesAnalytic(t *testing.T) {
	m := loadMarket(t, flatMarket)
	p := NewPricer(m)
	p.SecondOrder = true
	const s, r, q, vol, qty = 105.0, 0.07, 0.03, 0.25, -3.0
	for _, k := range []float64{60, 100, 104, 180} {
		for _, T := range []float64{1.0 / 365, 0.75, 7} {
			for _, typ := range []OptionType{Call, Put} {
				res := p.Price(t.Context(), trade("E", qty, must(NewEuropean(Option{Asset: "ACME", Ccy: "USD", Type: typ, Strike: k, Expiry: T}))))
				require.NoError(t, res.Err)
				g, va, vo := bsSecond(s, k, r, q, vol, T)
				for _, c := range []struct {
					name      string
					got, want float64
				}{{"gamma", res.Gamma, qty * g}, {"vanna", res.Vanna, qty * va}, {"volga", res.Volga, qty * vo}} {
					assert.InDeltaf(t, c.want, c.got, 1e-12*math.Abs(c.want)+1e-300, "K %v T %v %v %s: got %v, want %v", k, T, typ, c.name, c.got, c.want)
				}
				got := map[string]float64{}
				for _, x := range res.Second {
					assert.Equal(t, "SPOT/ACME", x.Wrt.String())
					got[x.RiskFactor.String()] = x.Value
				}
				assert.Equal(t, res.Gamma, got["SPOT/ACME"], "gamma on the diagonal")
				assert.Equal(t, res.Vanna, got["VOL/ACME/1Y"], "the vol node's vanna")
				assert.Len(t, res.Second, len(res.Sens), "one row per input")
			}
		}
	}
}

// TestSecondOrderAgreesWithDifferences checks every second-order figure of
// every closed-form instrument, on a market with curves and a smile,
// against the differences of AAD first-order figures that Validate takes
// (Ridders' method), and that the rows add up to gamma and vanna.
func TestSecondOrderAgreesWithDifferences(t *testing.T) {
	m := loadMarket(t, termMarket)
	p := NewPricer(m)
	p.SecondOrder = true
	for _, tr := range instruments(t) {
		res := p.Price(t.Context(), tr)
		require.NoError(t, res.Err, tr.ID)
		rows, err := p.Validate(t.Context(), tr, res)
		require.NoError(t, err, tr.ID)
		assert.Len(t, rows, len(res.Sens)+1+secondRows(res)+len(res.Second), tr.ID)
		for _, v := range rows {
			assert.True(t, v.OK, "%s %s: aad %.12g, bump %.12g, diff %.3g > tolerance %.3g", tr.ID, v.RiskFactor, v.AAD, v.Bump, v.AbsDiff, v.Tolerance)
		}
		checkRowSums(t, tr.ID, res)
	}
}

// checkRowSums checks that res's rows of second_order.csv along its spot
// hold its gamma and add up to its vanna, in the same order as Price adds.
func checkRowSums(t *testing.T, id string, res *Result) {
	t.Helper()
	vanna, gamma, found := 0.0, 0.0, false
	for _, x := range res.Second {
		if x.Wrt.Kind() != marketdata.Spot || x.Wrt.Name() != res.Underlying {
			continue
		}
		switch x.RiskFactor.Kind() {
		case marketdata.Spot:
			if x.RiskFactor == x.Wrt {
				gamma, found = x.Value, true
			}
		case marketdata.Vol:
			if x.RiskFactor.Name() == res.Underlying {
				vanna += x.Value
			}
		}
	}
	if res.HasDelta {
		require.True(t, found, "%s: no gamma row", id)
		assert.Equal(t, res.Gamma, gamma, "%s: gamma", id)
		assert.Equal(t, res.Vanna, vanna, "%s: vanna", id)
	}
}

// TestSecondOrderRowsOnlyWhenAsked checks that without Pricer.SecondOrder a
// Result has no rows, and that asking for them changes no other figure.
func TestSecondOrderRowsOnlyWhenAsked(t *testing.T) {
	m := loadMarket(t, termMarket)
	for _, tr := range instruments(t) {
		p := NewPricer(m)
		plain := p.Price(t.Context(), tr)
		require.NoError(t, plain.Err, tr.ID)
		assert.Empty(t, plain.Second, tr.ID)
		p.SecondOrder = true
		with := p.Price(t.Context(), tr)
		require.NoError(t, with.Err, tr.ID)
		assert.NotEmpty(t, with.Second, tr.ID)
		with.Second = nil
		assert.Equal(t, plain, with, tr.ID)
	}
}

// TestMCSecondOrderAgainstClosedForms holds the Monte Carlo gamma, vanna
// and volga of Europeans (differences of AAD sensitivities with common
// random numbers) to the closed form's within four of their standard
// errors: against the truth, not against the same estimator.
func TestMCSecondOrderAgainstClosedForms(t *testing.T) {
	if testing.Short() {
		t.Skip("tens of thousands of paths: not in -short")
	}
	m := loadMarket(t, mcMarket)
	p := NewPricer(m)
	p.MC = MCDefaults{Paths: 40_000, Seed: 5}
	p.MCWorkers = 2
	for _, k := range []float64{85, 100, 120} {
		for _, typ := range []OptionType{Call, Put} {
			o := Option{Asset: "ACME", Ccy: "USD", Type: typ, Strike: k, Expiry: 1}
			res := priced(t, p, mcTrade(t, "mc", 2, mcCase{must(NewEuropean(o)), MCSettings{}}))
			want := priced(t, p, trade("closed", 2, must(NewEuropean(o))))
			for _, c := range []struct {
				name          string
				got, se, want float64
			}{
				{"gamma", res.Gamma, res.GammaStdError, want.Gamma},
				{"vanna", res.Vanna, res.VannaStdError, want.Vanna},
				{"volga", res.Volga, res.VolgaStdError, want.Volga},
			} {
				assert.Positive(t, c.se, c.name)
				assert.LessOrEqualf(t, math.Abs(c.got-c.want), 4*c.se, "K %v %v %s: got %.6g ± %.2g, want %.6g", k, typ, c.name, c.got, c.se, c.want)
			}
		}
	}
}

// TestMCBasketCrossGammas checks a basket's rows of second_order.csv: the
// cross-gammas are symmetric within their standard errors, and agree with
// second differences of full revaluations with common random numbers,
// block by block, within four standard errors of the difference.
func TestMCBasketCrossGammas(t *testing.T) {
	if testing.Short() {
		t.Skip("tens of thousands of paths: not in -short")
	}
	m := loadMarket(t, mcMarket)
	p := NewPricer(m)
	p.MC = MCDefaults{Paths: 40_000, Seed: 9}
	p.MCWorkers = 2
	p.SecondOrder = true
	o := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 130, Expiry: 1}
	inst := must(NewBasket(o, []string{"ACME", "BETA"}, []float64{1, 0.5}))
	tr := mcTrade(t, "bk", 1, mcCase{inst, MCSettings{}})
	res := priced(t, p, tr)
	a, _ := m.SpotIndex("ACME")
	b, _ := m.SpotIndex("BETA")
	cell := func(rf, wrt int) SecondOrder {
		i := slices.IndexFunc(res.Second, func(x SecondOrder) bool { return x.Quote == rf && x.WrtQuote == wrt })
		require.GreaterOrEqual(t, i, 0)
		return res.Second[i]
	}
	ab, ba := cell(a, b), cell(b, a)
	assert.LessOrEqualf(t, math.Abs(ab.Value-ba.Value), 4*math.Hypot(ab.StdError, ba.StdError), "symmetry: %v ± %v against %v ± %v", ab.Value, ab.StdError, ba.Value, ba.StdError)

	// The cross second difference with one step h on both spots:
	// [V(++) + V(−−) − V(+0) − V(−0) − V(0+) − V(0−) + 2V(00)]/(2h²).
	eng := tr.Engine.(*MCEngine)
	run := func(bp marketdata.Bump) *montecarlo.Result {
		r, err := eng.run(t.Context(), p, inst, bp, false)
		require.NoError(t, err)
		return r
	}
	h := 0.01 * m.Value(b) // the smaller spot's step, for both
	both := []int{a, b}
	terms := []struct {
		c float64
		r *montecarlo.Result
	}{
		{1, run(marketdata.Bump{Quote: -1, By: h, Also: both})},
		{1, run(marketdata.Bump{Quote: -1, By: -h, Also: both})},
		{-1, run(marketdata.Bump{Quote: a, By: h})},
		{-1, run(marketdata.Bump{Quote: a, By: -h})},
		{-1, run(marketdata.Bump{Quote: b, By: h})},
		{-1, run(marketdata.Bump{Quote: b, By: -h})},
		{2, run(marketdata.Bump{Quote: -1})},
	}
	base := terms[6].r
	var rv, n float64
	d := make([]float64, len(base.BlockPaths))
	for blk := range d {
		x := 0.0
		for _, tm := range terms {
			x += tm.c * tm.r.BlockPV[blk]
		}
		rv += x / (2 * h * h)
		n += float64(base.BlockPaths[blk])
		d[blk] = x / (2 * h * h)
	}
	rv /= n
	se := montecarlo.BatchStdError(base.BlockPaths, d)
	assert.LessOrEqualf(t, math.Abs(ab.Value-rv), 4*math.Hypot(ab.StdError, se), "against revaluation: %v ± %v, %v ± %v", ab.Value, ab.StdError, rv, se)
}

// TestSecondOrderRecordingGivesTheFirstOrderFigures checks that the
// figures Price reads from the second-order recording along the spot are,
// bit for bit, those of a first-order recording, for every closed-form
// instrument on every edge-case market and scenario.
func TestSecondOrderRecordingGivesTheFirstOrderFigures(t *testing.T) {
	for _, mk := range edgeMarkets() {
		m := loadMarket(t, mk.csv)
		p := NewPricer(m)
		for _, sc := range edgeScenarios {
			trades, errs, err := ReadPortfolio(strings.NewReader(edgePortfolio(sc)), "portfolio.csv", asof)
			require.NoError(t, err)
			for i, tr := range trades {
				if errs[i] != nil {
					continue
				}
				res := p.Price(t.Context(), tr)
				if res.Err != nil {
					continue
				}
				inst := tr.Instrument.(analyticProduct)
				v, err := p.record(inst, marketdata.Bump{Quote: -1})
				require.NoError(t, err)
				qty := tr.Quantity.InexactFloat64()
				where := mk.name + "/" + sc.name + "/" + tr.ID
				assert.Equal(t, qty*v.Value(), res.PV, where)
				inputs := p.sc.Inputs()
				require.Len(t, res.Sens, len(inputs), where)
				for j, in := range inputs {
					assert.Equal(t, in.Quote, res.Sens[j].Quote, where)
					assert.Equal(t, qty*p.tape.Adjoint(in.X), res.Sens[j].Value, "%s %s", where, res.Sens[j].RiskFactor)
				}
				if h, ok := p.sc.Shift(); ok {
					assert.Equal(t, qty*p.tape.Adjoint(h), res.Theta, where)
				}
			}
		}
	}
}

// differenced is a European priced as a closed form without second
// derivatives: its second-order figures come from differences of AAD
// sensitivities, the path of a future product whose statements have no
// Hessians.
type differenced struct{ *European }

func (differenced) secondOrder() (ok, same bool) { return false, false }

// TestSecondOrderByDifferences holds the differences of AAD sensitivities
// that a closed form without second derivatives gets to the exact sweep of
// the same European, on a market with curves and a smile, and to Validate.
func TestSecondOrderByDifferences(t *testing.T) {
	m := loadMarket(t, termMarket)
	p := NewPricer(m)
	p.SecondOrder = true
	for _, k := range []float64{80, 97, 125} {
		for _, T := range []float64{0.05, 0.8, 3} {
			eu := must(NewEuropean(Option{Asset: "ACME", Ccy: "USD", Type: Put, Strike: k, Expiry: T}))
			exact := p.Price(t.Context(), trade("exact", 2, eu))
			tr := trade("diff", 2, differenced{eu})
			diff := p.Price(t.Context(), tr)
			require.NoError(t, exact.Err)
			require.NoError(t, diff.Err)
			assert.Equal(t, exact.PV, diff.PV)
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"gamma", diff.Gamma, exact.Gamma}, {"vanna", diff.Vanna, exact.Vanna}, {"volga", diff.Volga, exact.Volga}} {
				assert.InDeltaf(t, c.want, c.got, 1e-6*math.Abs(c.want)+1e-9, "K %v T %v %s: %v against %v", k, T, c.name, c.got, c.want)
			}
			require.Len(t, diff.Second, len(exact.Second))
			for j := range diff.Second {
				assert.InDelta(t, exact.Second[j].Value, diff.Second[j].Value, 1e-6*math.Abs(exact.Second[j].Value)+1e-7, exact.Second[j].RiskFactor.String())
			}
			rows, err := p.Validate(t.Context(), tr, diff)
			require.NoError(t, err)
			for _, v := range rows {
				assert.True(t, v.OK, "%s: aad %.12g, bump %.12g", v.RiskFactor, v.AAD, v.Bump)
			}
		}
	}
}
