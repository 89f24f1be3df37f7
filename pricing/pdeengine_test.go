package pricing

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pdeTrade(t *testing.T, id string, inst Instrument, spots, steps int) *Trade {
	e, err := NewPDEEngine(PDESettings{Spots: spots, Steps: steps})
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
			prod, err := e.product(NewPricer(mk), inst)
			require.NoError(t, err)
			sc := mk.NewScope()
			sc.Reset(nil)
			v, err := prod.value(sc)
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
