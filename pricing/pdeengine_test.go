package pricing

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/montecarlo"
)

func pdeTrade(t *testing.T, id string, inst Instrument, spots, steps int) *Trade {
	return pdeModelTrade(t, id, inst, montecarlo.BlackScholes, spots, steps)
}

func pdeModelTrade(t *testing.T, id string, inst Instrument, model montecarlo.Model, spots, steps int) *Trade {
	e, err := NewPDEEngine(PDESettings{Model: model, Spots: spots, Steps: steps})
	require.NoError(t, err)
	require.NoError(t, e.Check(inst))
	tr := trade(id, 1, inst)
	tr.Engine, tr.EngineName = e, PDE
	return tr
}

// TestPDEAgainstClosedForms prices by the pde engine Europeans on the term
// market (curves, dividends, a smile read at the strike along time, which
// a European's value sees only through what it accumulates to expiry) and
// barriers (knock-outs with and without rebates, knock-ins by parity) on
// the flat market (a barrier's value depends on the path of the term
// structures, which the closed form takes as flat), against the closed
// forms: to 1e-4 relative in value and 1e-3 in delta, gamma, vega, rho,
// div_rho and theta.
func TestPDEAgainstClosedForms(t *testing.T) {
	term, flat := NewPricer(loadMarket(t, termMarket)), NewPricer(loadMarket(t, flatMarket))
	o := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 1}
	put := Option{Asset: "ACME", Ccy: "USD", Type: Put, Strike: 95, Expiry: 1.5}
	for _, c := range []struct {
		p    *Pricer
		inst Instrument
	}{
		{term, must(NewEuropean(o))},
		{term, must(NewEuropean(put))},
		{flat, must(NewEuropean(put))},
		{flat, must(NewBarrier(o, DownOut, 85, 0))},
		{flat, must(NewBarrier(o, DownOut, 85, 2))},
		{flat, must(NewBarrier(o, UpOut, 125, 3))},
		{flat, must(NewBarrier(o, DownIn, 85, 1))},
		{flat, must(NewBarrier(put, UpIn, 115, 0))},
	} {
		p, inst := c.p, c.inst
		want := p.Price(t.Context(), trade("cf", 1, inst))
		require.NoError(t, want.Err)
		got := p.Price(t.Context(), pdeTrade(t, "pde", inst, 0, 0))
		require.NoError(t, got.Err)
		name := inst.Kind() + " " + inst.(interface{ Underlying() string }).Underlying()
		if b, ok := inst.(*Barrier); ok {
			name = b.BarrierKind.String()
		}
		assert.InDelta(t, want.PV, got.PV, 1e-4*math.Abs(want.PV), "%s pv", name)
		for _, f := range []struct {
			what      string
			got, want float64
		}{{"delta", got.Delta, want.Delta}, {"vega", got.Vega, want.Vega}, {"rho", got.Rho, want.Rho}, {"div_rho", got.DivRho, want.DivRho}, {"theta", got.Theta, want.Theta}, {"gamma", got.Gamma, want.Gamma}} {
			assert.InDelta(t, f.want, f.got, 1e-3*math.Abs(f.want)+1e-4*math.Abs(want.PV), "%s %s", name, f.what)
		}
	}
}

// TestPDEAgreesWithBumpAndRevalue validates every figure of pde trades,
// Americans included, at a small grid.
func TestPDEAgreesWithBumpAndRevalue(t *testing.T) {
	m := loadMarket(t, termMarket)
	p := NewPricer(m)
	o := Option{Asset: "ACME", Ccy: "USD", Type: Put, Strike: 100, Expiry: 1}
	for _, inst := range []Instrument{
		must(NewEuropean(o)),
		must(NewAmerican(o)),
		must(NewAmerican(Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 110, Expiry: 1.7})),
		must(NewBarrier(Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 1}, UpOut, 125, 3)),
		must(NewBarrier(o, DownIn, 85, 1)),
	} {
		assertValidates(t, p, pdeTrade(t, inst.Kind(), inst, 60, 40))
	}
}

// TestPDEAmericanAgainstQuantLib values the American options of
// testdata/reference/pde/american_quantlib.csv (QuantLib's Crank–Nicolson
// solver at 4,000 spots, extrapolated in its time steps) by the pde engine
// at its default grid, on flat markets: each within 1e-4 relative of the
// reference (plus its error estimate), and no European worth more.
func TestPDEAmericanAgainstQuantLib(t *testing.T) {
	f, err := os.Open("../testdata/reference/pde/american_quantlib.csv")
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	num := func(r []string, c string) float64 {
		v, err := strconv.ParseFloat(r[col[c]], 64)
		require.NoError(t, err, c)
		return v
	}
	rows := recs[1:]
	if testing.Short() {
		rows = rows[:20]
	}
	e, err := NewPDEEngine(PDESettings{})
	require.NoError(t, err)
	var worst float64
	for _, r := range rows {
		S, K, T := num(r, "spot"), num(r, "strike"), num(r, "t")
		mk := loadMarket(t, fmt.Sprintf("type,name,pillar,strike,value\nSPOT,A,,,%v\nRATE,USD,1Y,,%v\nDIVYIELD,A,1Y,,%v\nVOL,A,1Y,,%v\n", S, num(r, "r"), num(r, "q"), num(r, "vol")))
		typ := Put
		if r[col["option_type"]] == "call" {
			typ = Call
		}
		o := Option{Asset: "A", Ccy: "USD", Type: typ, Strike: K, Expiry: T}
		value := func(inst Instrument) float64 {
			sc := mk.NewScope()
			sc.Reset(nil)
			v, err := e.Value(sc, mk, PDEDefaults{}, inst)
			require.NoError(t, err)
			return v.Value()
		}
		got, want := value(must(NewAmerican(o))), num(r, "american")
		worst = max(worst, math.Abs(got-want)/want)
		assert.InDelta(t, want, got, 1e-4*want+3*num(r, "american_err"), "%v", r[:col["days"]])
		assert.GreaterOrEqual(t, got, value(must(NewEuropean(o)))-1e-9*want, "%v", r[:col["days"]])
	}
	t.Logf("%d American options, worst relative difference %.2g", len(rows), worst)
}

// skewMarket is a market with a skew of slope skew (in vol per unit of
// log-moneyness at one year) and a smile, quoted at three expiries well
// beyond the strikes priced: the local-vol tests' surface, Monte Carlo's
// and pde's.
func skewMarket(skew float64) string {
	var b strings.Builder
	b.WriteString("type,name,pillar,strike,value\nSPOT,ACME,,,100\nRATE,USD,6M,,0.03\nRATE,USD,2Y,,0.04\nDIVYIELD,ACME,1Y,,0.01\n")
	for _, e := range []struct {
		pillar string
		t      float64
	}{{"6M", 0.5}, {"1Y", 1}, {"2Y", 2}} {
		for _, k := range []float64{40, 55, 70, 85, 100, 115, 130, 160, 200, 250} {
			x := math.Log(k / 100)
			fmt.Fprintf(&b, "VOL,ACME,%s,%v,%.6f\n", e.pillar, k, 0.22-skew*x/math.Sqrt(e.t+0.25)+0.04*x*x)
		}
	}
	return b.String()
}

// TestPDELocalVolReproducesTheSmile prices Europeans by the pde engine
// under local vol on a skewed surface, which must give back the surface's
// implied vol at each strike: the Black–Scholes price at it, to within the
// discretisation of the local-vol surface (60 spots, 52 slices a year),
// measured at 4.8e-4 relative at 85 and at most 6e-5 at 100 and 115.
func TestPDELocalVolReproducesTheSmile(t *testing.T) {
	p := NewPricer(loadMarket(t, skewMarket(0.08)))
	for _, k := range []float64{85, 100, 115} {
		o := Option{Asset: "ACME", Ccy: "USD", Type: Put, Strike: k, Expiry: 1}
		if k >= 100 {
			o.Type = Call
		}
		got := priced(t, p, pdeModelTrade(t, "lv", must(NewEuropean(o)), montecarlo.LocalVol, 0, 0))
		want := priced(t, p, trade("bs", 1, must(NewEuropean(o))))
		assert.InDelta(t, want.PV, got.PV, 1e-3*want.PV, "K=%v", k)
	}
}

// TestPDELocalVolAgreesWithMC prices a European, knock-outs and a knock-in
// under local vol on a steep skew by both engines, which read one surface
// (montecarlo.LocalVolGrid at the Monte Carlo engine's default steps), and
// checks value, delta and vega within 4 Monte Carlo standard errors (the
// simulation's own bias, of log-Euler steps and the Brownian-bridge
// barrier, is below them here). -short runs 5,000 paths and a 300 × 300
// grid.
func TestPDELocalVolAgreesWithMC(t *testing.T) {
	p := NewPricer(loadMarket(t, skewMarket(0.15)))
	p.MC = MCDefaults{Paths: 20_000, Seed: 11}
	if testing.Short() {
		p.MC.Paths = 5000
		p.PDE = PDEDefaults{Spots: 300, Steps: 300}
	}
	p.MCWorkers = 2
	call := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 1}
	put := Option{Asset: "ACME", Ccy: "USD", Type: Put, Strike: 95, Expiry: 1}
	for _, inst := range []Instrument{
		must(NewEuropean(put)),
		must(NewBarrier(call, UpOut, 140, 0)),
		must(NewBarrier(put, DownOut, 75, 1)),
		must(NewBarrier(call, DownIn, 85, 0)),
	} {
		name := inst.Kind()
		if b, ok := inst.(*Barrier); ok {
			name = b.BarrierKind.String()
		}
		got := priced(t, p, pdeModelTrade(t, "pde", inst, montecarlo.LocalVol, 0, 0))
		mc := priced(t, p, mcTrade(t, "mc", 1, mcCase{inst, MCSettings{Model: montecarlo.LocalVol}}))
		for _, f := range []struct {
			what          string
			pde, mc, serr float64
		}{
			{"pv", got.PV, mc.PV, mc.StdError},
			{"delta", got.Delta, mc.Delta, mc.DeltaStdError},
			{"vega", got.Vega, mc.Vega, mc.VegaStdError},
		} {
			assert.LessOrEqualf(t, math.Abs(f.pde-f.mc), 4*f.serr, "%s %s: pde %.6g, mc %.6g ± %.2g", name, f.what, f.pde, f.mc, f.serr)
			t.Logf("%s %s: pde %.6g, mc %.6g ± %.2g (%+.1f se)", name, f.what, f.pde, f.mc, f.serr, (f.mc-f.pde)/f.serr)
		}
	}
}

// TestPDELocalVolAgreesWithBumpAndRevalue validates a European, an
// American and barriers under local vol, on a coarse grid: every vol node,
// pillar, the spot and theta against bump-and-revalue (in -short the
// American and the knock-in only).
func TestPDELocalVolAgreesWithBumpAndRevalue(t *testing.T) {
	p := NewPricer(loadMarket(t, skewMarket(0.15)))
	call := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 1.5}
	put := Option{Asset: "ACME", Ccy: "USD", Type: Put, Strike: 95, Expiry: 0.75}
	insts := []Instrument{
		must(NewAmerican(put)),
		must(NewBarrier(put, DownIn, 80, 1)),
		must(NewEuropean(call)),
		must(NewBarrier(call, UpOut, 150, 2)),
	}
	if testing.Short() {
		insts = insts[:2]
	}
	for _, inst := range insts {
		assertValidates(t, p, pdeModelTrade(t, "lv", inst, montecarlo.LocalVol, 60, 40))
	}
}
