package pricing

import (
	"context"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/marketdata"
)

var asof = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)

func loadMarket(t testing.TB, csv string) *marketdata.Market {
	t.Helper()
	m, err := marketdata.Load(strings.NewReader(csv), "market.csv", asof)
	require.NoError(t, err)
	return m
}

// flatMarket has one pillar per curve and one vol: every figure has a
// textbook formula.
const flatMarket = `type,name,pillar,strike,value
SPOT,ACME,,,105
RATE,USD,1Y,,0.07
DIVYIELD,ACME,1Y,,0.03
VOL,ACME,1Y,,0.25
`

// termMarket has curves, dividends and a smile, for bump-and-revalue.
const termMarket = `type,name,pillar,strike,value
SPOT,ACME,,,100
RATE,USD,3M,,0.041
RATE,USD,6M,,0.0405
RATE,USD,1Y,,0.039
RATE,USD,2Y,,0.037
DIVYIELD,ACME,6M,,0.015
DIVYIELD,ACME,2Y,,0.018
VOL,ACME,6M,80,0.285
VOL,ACME,6M,90,0.245
VOL,ACME,6M,100,0.215
VOL,ACME,6M,120,0.195
VOL,ACME,1Y,80,0.27
VOL,ACME,1Y,90,0.24
VOL,ACME,1Y,100,0.22
VOL,ACME,1Y,120,0.201
VOL,ACME,2Y,80,0.255
VOL,ACME,2Y,100,0.222
VOL,ACME,2Y,120,0.206
`

func trade(id string, qty float64, inst Instrument) *Trade {
	return &Trade{ID: id, Quantity: decimal.NewFromFloat(qty), Instrument: inst, Kind: inst.Kind(), EngineName: Analytic}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func ncdf(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
func npdf(x float64) float64 { return math.Exp(-0.5*x*x) / math.Sqrt(2*math.Pi) }

func TestEuropeanGreeksMatchAnalytic(t *testing.T) {
	m := loadMarket(t, flatMarket)
	p := NewPricer(m)
	const s, k, r, q, vol, T, qty = 105.0, 100.0, 0.07, 0.03, 0.25, 0.75, -3.0
	for _, call := range []OptionType{Call, Put} {
		res := p.Price(t.Context(), trade("E", qty, must(NewEuropean(Option{Asset: "ACME", Ccy: "USD", Type: call, Strike: k, Expiry: T}))))
		require.NoError(t, res.Err)
		sd := vol * math.Sqrt(T)
		d1 := (math.Log(s/k)+(r-q)*T)/sd + sd/2
		d2 := d1 - sd
		dq, dr := math.Exp(-q*T), math.Exp(-r*T)
		sign := 1.0
		if call == Put {
			sign = -1
		}
		pv := sign * (s*dq*ncdf(sign*d1) - k*dr*ncdf(sign*d2))
		delta := sign * dq * ncdf(sign*d1)
		gamma := dq * npdf(d1) / (s * sd)
		vega := s * dq * npdf(d1) * math.Sqrt(T)
		rho := sign * k * T * dr * ncdf(sign*d2)
		divRho := -sign * s * T * dq * ncdf(sign*d1)
		theta := -s*dq*npdf(d1)*vol/(2*math.Sqrt(T)) + sign*(q*s*dq*ncdf(sign*d1)-r*k*dr*ncdf(sign*d2))
		for _, c := range []struct {
			name      string
			got, want float64
			rel       float64
		}{
			{"pv", res.PV, qty * pv, 1e-13},
			{"delta", res.Delta, qty * delta, 1e-12},
			{"gamma", res.Gamma, qty * gamma, 1e-6},
			{"vega", res.Vega, qty * vega, 1e-12},
			{"rho", res.Rho, qty * rho, 1e-12},
			{"div_rho", res.DivRho, qty * divRho, 1e-12},
			{"theta", res.Theta, qty * theta, 1e-12},
		} {
			assert.InDelta(t, c.want, c.got, c.rel*math.Abs(c.want)+1e-12, "call=%v %s: got %v, want %v", call, c.name, c.got, c.want)
		}
		assert.True(t, res.HasDelta)
		assert.False(t, res.HasStdError)
	}
}

// instruments returns one of each closed-form instrument with both option
// types, on the term-structure market.
func instruments(t testing.TB) []*Trade {
	t.Helper()
	var out []*Trade
	for _, call := range []OptionType{Call, Put} {
		sfx := "-put"
		if call == Call {
			sfx = "-call"
		}
		trade := func(id string, qty float64, inst Instrument) *Trade { return trade(id+sfx, qty, inst) }
		o := Option{Asset: "ACME", Ccy: "USD", Type: call, Strike: 97, Expiry: 0.8}
		out = append(out,
			trade("eu", 2, must(NewEuropean(o))),
			trade("dc", -1, must(NewDigital(o, true, 10))),
			trade("da", 1, must(NewDigital(o, false, 0))),
			trade("bdo", 1, must(NewBarrier(o, DownOut, 85, 2))),
			trade("bdi", 1, must(NewBarrier(o, DownIn, 85, 1))),
			trade("buo", 1, must(NewBarrier(o, UpOut, 125, 3))),
			trade("bui", -2, must(NewBarrier(o, UpIn, 125, 0))),
			trade("ac", 1, must(NewAsian(o, Geometric, 0))),
			trade("ad", 1, must(NewAsian(o, Geometric, 12))),
			trade("am", 1, must(NewAmerican(o))),
			trade("am-long", 1, must(NewAmerican(Option{Asset: "ACME", Ccy: "USD", Type: call, Strike: 110, Expiry: 1.7}))),
		)
	}
	return out
}

func TestEveryInstrumentAgreesWithBumpAndRevalue(t *testing.T) {
	m := loadMarket(t, termMarket)
	p := NewPricer(m)
	for _, tr := range instruments(t) {
		assertValidates(t, p, tr)
	}
}

// assertValidates prices tr and checks that every row of its validation
// (one per sensitivity, theta, and the second-order rows) agrees with
// bump-and-revalue.
func assertValidates(t *testing.T, p *Pricer, tr *Trade) {
	t.Helper()
	res := p.Price(t.Context(), tr)
	require.NoError(t, res.Err, tr.String())
	require.NotEmpty(t, res.Sens)
	rows, err := p.Validate(t.Context(), tr, res)
	require.NoError(t, err)
	require.Len(t, rows, len(res.Sens)+1+secondRows(res))
	for _, v := range rows {
		assert.True(t, v.OK, "%s %s: aad %v, bump %v (tolerance %v)", tr.ID, v.RiskFactor, v.AAD, v.Bump, v.Tolerance)
	}
}

func TestGammaMatchesSecondDifferenceOfPV(t *testing.T) {
	m := loadMarket(t, termMarket)
	p := NewPricer(m)
	spot, ok := m.Index("SPOT/ACME")
	require.True(t, ok)
	for _, tr := range instruments(t) {
		res := p.Price(t.Context(), tr)
		require.NoError(t, res.Err)
		h := 1e-3 * 100
		up := must(p.valueAt(tr.Instrument.(analyticProduct), marketdata.Bump{Quote: spot, By: h}))
		mid := must(p.valueAt(tr.Instrument.(analyticProduct), marketdata.Bump{}))
		dn := must(p.valueAt(tr.Instrument.(analyticProduct), marketdata.Bump{Quote: spot, By: -h}))
		qty := tr.Quantity.InexactFloat64()
		want := qty * (up - 2*mid + dn) / (h * h)
		assert.InDelta(t, want, res.Gamma, 1e-4*math.Abs(want)+1e-8, "%s: gamma %v, second difference %v", tr.ID, res.Gamma, want)
	}
}

// Validate bumps the quotes the sensitivities name, and refuses one that
// is not the market's.
func TestValidateRefusesForeignQuote(t *testing.T) {
	m := loadMarket(t, termMarket)
	p := NewPricer(m)
	tr := instruments(t)[0]
	res := p.Price(context.Background(), tr)
	require.NoError(t, res.Err)
	res.Sens[0].Quote = (res.Sens[0].Quote + 1) % m.Len()
	_, err := p.Validate(context.Background(), tr, res)
	assert.ErrorContains(t, err, res.Sens[0].RiskFactor.String()+" is not in the market")
	res.Sens[0].Quote = -1
	_, err = p.Validate(context.Background(), tr, res)
	assert.ErrorContains(t, err, "is not in the market")
}

func TestSensitivitiesSumToParallelGreeks(t *testing.T) {
	m := loadMarket(t, termMarket)
	p := NewPricer(m)
	for _, tr := range instruments(t) {
		res := p.Price(t.Context(), tr)
		require.NoError(t, res.Err)
		var vega, rho, div float64
		for _, s := range res.Sens {
			assert.Equal(t, m.Quotes()[s.Quote].RiskFactor(), s.RiskFactor, "the quote of %s", s.RiskFactor)
			switch {
			case strings.HasPrefix(s.RiskFactor.String(), "VOL/ACME/"):
				vega += s.Value
			case strings.HasPrefix(s.RiskFactor.String(), "RATE/USD/"):
				rho += s.Value
			case strings.HasPrefix(s.RiskFactor.String(), "DIVYIELD/ACME/"):
				div += s.Value
			case s.RiskFactor.String() == "SPOT/ACME":
				assert.Equal(t, res.Delta, s.Value)
			}
		}
		assert.Equal(t, vega, res.Vega)
		assert.Equal(t, rho, res.Rho)
		assert.Equal(t, div, res.DivRho)
	}
}

func TestMissingMarketDataFailsTheTradeAlone(t *testing.T) {
	m := loadMarket(t, termMarket)
	p := NewPricer(m)
	for _, o := range []Option{
		{Asset: "NOPE", Ccy: "USD", Type: Call, Strike: 100, Expiry: 1},
		{Asset: "ACME", Ccy: "JPY", Type: Call, Strike: 100, Expiry: 1},
	} {
		res := p.Price(t.Context(), trade("x", 1, must(NewEuropean(o))))
		require.Error(t, res.Err)
		assert.Zero(t, res.PV)
		assert.Nil(t, res.Sens)
	}
	res := p.Price(t.Context(), trade("b", 1, must(NewBarrier(Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 1}, DownOut, 101, 0))))
	require.Error(t, res.Err, "a barrier already breached is an error")
}

func TestNewInstrumentsRejectBadTerms(t *testing.T) {
	good := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 1}
	bad := []Option{
		{Ccy: "USD", Type: Call, Strike: 100, Expiry: 1},
		{Asset: "ACME", Type: Call, Strike: 100, Expiry: 1},
		{Asset: "ACME", Ccy: "USD", Strike: 100, Expiry: 1}, // no call or put
		{Asset: "ACME", Ccy: "USD", Type: Put + 1, Strike: 100, Expiry: 1},
		{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 0, Expiry: 1},
		{Asset: "ACME", Ccy: "USD", Type: Call, Strike: math.NaN(), Expiry: 1},
		{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 0},
		{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: math.Inf(1)},
	}
	_, err := NewEuropean(good)
	require.NoError(t, err)
	for _, o := range bad {
		_, err := NewEuropean(o)
		assert.Error(t, err, "%+v", o)
	}
	_, err = NewBarrier(good, DownOut, -1, 0)
	assert.Error(t, err)
	_, err = NewBarrier(good, DownOut, 90, -1)
	assert.Error(t, err)
	_, err = NewAsian(good, Geometric, -1)
	assert.Error(t, err)
	_, err = NewAsian(good, 0, 12)
	assert.Error(t, err, "no averaging")
	_, err = NewBarrier(good, 0, 90, 0)
	assert.Error(t, err, "no barrier type")
	_, err = NewBasket(good, []string{"ACME", "ACME"}, []float64{1, 1})
	assert.Error(t, err, "an asset twice")
	_, err = NewBasket(good, []string{"ACME", "BETA"}, []float64{1})
	assert.Error(t, err, "a weight missing")
	_, err = NewMCEngine(MCSettings{Paths: 1})
	assert.Error(t, err)
	_, err = NewMCEngine(MCSettings{Paths: 3, Antithetic: true})
	assert.Error(t, err)
	_, err = NewDigital(good, true, math.Inf(1))
	assert.Error(t, err)
}

const portfolioHeader = "trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,payout,barrier_type,barrier,rebate,averaging,fixings,engine\n"

func TestPortfolioRowsFailAloneWithPosition(t *testing.T) {
	rows := []struct {
		row, wantErr string
	}{
		{"ok1,european,ACME,USD,call,100,1Y,10,,,,,,,", ""},
		{"bad-num,european,ACME,USD,call,1O0,1Y,10,,,,,,,", "portfolio.csv:3:32: strike"},
		{"bad-date,european,ACME,USD,call,100,2026-13-01,10,,,,,,,", "portfolio.csv:4:37: expiry"},
		{"bad-inst,swaption,ACME,USD,call,100,1Y,10,,,,,,,", "portfolio.csv:5:10: instrument"},
		{"ok1,european,ACME,USD,call,100,1Y,10,,,,,,,", "portfolio.csv:6:1: trade_id: duplicate"},
		{"expired,european,ACME,USD,call,100,2025-12-01,10,,,,,,,", "portfolio.csv:7:36: expiry"},
		{"bad-type,european,ACME,USD,straddle,100,1Y,10,,,,,,,", "portfolio.csv:8:28: option_type"},
		{"bad-barrier,barrier,ACME,USD,call,100,1Y,10,,sideways-in,90,,,,", "portfolio.csv:9:46: barrier_type"},
		{"no-qty,european,ACME,USD,call,100,1Y,,,,,,,,", "portfolio.csv:10:38: quantity"},
		{"basket,basket,ACME|BETA,USD,call,100,1Y,1,,,,,,,", "portfolio.csv:11: weights: the file has no weights column, which a basket needs"},
		{"ok2,barrier,ACME,USD,put,100,6M,-5,,up-out,120,1.5,,,", ""},
		{"ok3,European,ACME,USD,Call,100,1Y,1,,,,,,,", ""},
		{"ok4,BARRIER,ACME,USD,PUT,100,6M,1,,Down-In,80,,,,Analytic", ""},
	}
	var b strings.Builder
	b.WriteString(portfolioHeader)
	for _, r := range rows {
		b.WriteString(r.row + "\n")
	}
	trades, errs, err := ReadPortfolio(strings.NewReader(b.String()), "portfolio.csv", asof)
	require.NoError(t, err)
	require.Len(t, trades, len(rows))
	for i, r := range rows {
		if r.wantErr == "" {
			assert.NoError(t, errs[i], r.row)
			continue
		}
		require.Error(t, errs[i], r.row)
		assert.Contains(t, errs[i].Error(), r.wantErr)
		assert.Equal(t, i+2, trades[i].Line)
	}
	assert.Equal(t, "bad-num", trades[1].ID)
}

func TestPortfolioFileErrors(t *testing.T) {
	for name, csv := range map[string]string{
		"empty":          "",
		"missing column": "trade_id,instrument\nx,european\n",
		"duplicate col":  strings.TrimSuffix(portfolioHeader, "\n") + ",strike\n",
		"open quote":     portfolioHeader + "ok,european,ACME,USD,call,100,1Y,10,,,,,,,\n\"x,european,ACME,USD,call,100,1Y,10,,,,,,,\n",
	} {
		_, _, err := ReadPortfolio(strings.NewReader(csv), "portfolio.csv", asof)
		assert.Error(t, err, name)
	}
}

func TestRunKeepsInputOrderAndIgnoresWorkers(t *testing.T) {
	m := loadMarket(t, termMarket)
	base := instruments(t)
	var trades []*Trade
	for i := range 40 {
		tr := *base[i%len(base)]
		tr.ID = tr.ID + "-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		trades = append(trades, &tr)
	}
	runWith := func(workers int) []Priced {
		i := 0
		var out []Priced
		next := func() (Item, error) {
			if i == len(trades) {
				return Item{}, io.EOF
			}
			i++
			return Item{Trade: trades[i-1]}, nil
		}
		err := Run(context.Background(), m, RunSettings{Workers: workers, Validate: true, Window: 3}, next, func(p Priced) error {
			out = append(out, p)
			return nil
		})
		require.NoError(t, err)
		return out
	}
	one := runWith(1)
	require.Len(t, one, len(trades))
	for i, p := range one {
		assert.Equal(t, trades[i].ID, p.Result.TradeID)
	}
	for _, w := range []int{2, 7} {
		assert.Equal(t, one, runWith(w), "workers=%d", w)
	}
}
