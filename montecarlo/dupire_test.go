package montecarlo

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
)

var dupireAsOf = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func dupireMarket(t testing.TB, csv string) *marketdata.Market {
	t.Helper()
	m, err := marketdata.Load(strings.NewReader("type,name,pillar,strike,value\n"+csv), "market.csv", dupireAsOf)
	require.NoError(t, err)
	return m
}

// skewCSV is a skewed smile at four expiries, five or six strikes each,
// free of arbitrage, with flat rates.
const skewCSV = `SPOT,ACME,,,100
RATE,USD,1Y,,0.03
DIVYIELD,ACME,1Y,,0.01
VOL,ACME,6M,70,0.330
VOL,ACME,6M,85,0.275
VOL,ACME,6M,100,0.235
VOL,ACME,6M,115,0.212
VOL,ACME,6M,130,0.205
VOL,ACME,1Y,60,0.340
VOL,ACME,1Y,80,0.283
VOL,ACME,1Y,95,0.249
VOL,ACME,1Y,105,0.232
VOL,ACME,1Y,120,0.216
VOL,ACME,1Y,145,0.210
VOL,ACME,2Y,60,0.305
VOL,ACME,2Y,80,0.268
VOL,ACME,2Y,100,0.240
VOL,ACME,2Y,120,0.224
VOL,ACME,2Y,150,0.216
VOL,ACME,3Y,55,0.300
VOL,ACME,3Y,75,0.268
VOL,ACME,3Y,100,0.242
VOL,ACME,3Y,125,0.228
VOL,ACME,3Y,160,0.220
`

// lvRun records the local vols of name at time tval (read as sc.Time, so
// active through the time shift) and strikes ks on sc, already reset,
// with the forward S·e^((r−q)t) and the drift r − q of flat curves.
func lvRun(t testing.TB, sc *marketdata.Scope, name, ccy string, tval float64, ks []float64) ([]aad.Number, []FlooredNode) {
	t.Helper()
	tp := sc.Tape()
	tt := sc.Time(tval)
	s, err := sc.Spot(name)
	require.NoError(t, err)
	r, err := sc.ZeroRate(ccy, tt)
	require.NoError(t, err)
	q, err := sc.DivYield(name, tt)
	require.NoError(t, err)
	mu := tp.Sub(r, q)
	fwd := tp.MulExp(s, tp.Mul(mu, tt))
	dst := make([]aad.Number, len(ks))
	fl, err := dupireLocalVol(sc, name, tt, fwd, mu, ks, dst, nil)
	require.NoError(t, err)
	return dst, fl
}

// lvPassive is lvRun on a passive scope of m with bump b.
func lvPassive(t testing.TB, m *marketdata.Market, b marketdata.Bump, name, ccy string, tval float64, ks []float64) []float64 {
	t.Helper()
	sc := m.NewScope()
	sc.ResetBumped(nil, b)
	g, _ := lvRun(t, sc, name, ccy, tval, ks)
	out := make([]float64, len(g))
	for i, x := range g {
		out[i] = x.Value()
	}
	return out
}

func TestDupireFlatVolIsTheImpliedVol(t *testing.T) {
	// A flat surface (one strike at each of two expiries, the same vol)
	// with term structures of rates and dividends: no skew, no term
	// structure of vol, so the local vol is the implied vol.
	m := dupireMarket(t, `SPOT,ACME,,,100
RATE,USD,3M,,0.01
RATE,USD,1Y,,0.03
RATE,USD,5Y,,0.045
DIVYIELD,ACME,6M,,0.02
DIVYIELD,ACME,3Y,,0.005
VOL,ACME,1Y,100,0.23
VOL,ACME,2Y,100,0.23
`)
	ks := []float64{20, 60, 99, 100, 101, 150, 400}
	for _, tv := range []float64{0, 0.1, 1, 1.5, 2, 7} {
		sc := m.NewScope()
		sc.Reset(aad.NewTape(0))
		g, fl := lvRun(t, sc, "ACME", "USD", tv, ks)
		assert.Empty(t, fl)
		for i, x := range g {
			assert.InDelta(t, 0.23, x.Value(), 1e-10, "t=%v K=%v", tv, ks[i])
		}
	}
}

func TestDupireTermStructureIsForwardVariance(t *testing.T) {
	// Blank strikes: w depends on time only, and the local variance is the
	// forward variance (w_b − w_a)/(τ_b − τ_a) on the interval to the right.
	m := dupireMarket(t, `SPOT,ACME,,,100
RATE,USD,1Y,,0.04
DIVYIELD,ACME,1Y,,0.01
VOL,ACME,6M,,0.30
VOL,ACME,1Y,,0.25
VOL,ACME,2Y,,0.24
VOL,ACME,5Y,,0.26
`)
	w := func(tau float64) float64 {
		switch tau {
		case 0.5:
			return 0.09 * 0.5
		case 1:
			return 0.0625
		case 2:
			return 0.0576 * 2
		}
		return 0.0676 * 5
	}
	fwdVar := func(a, b float64) float64 { return (w(b) - w(a)) / (b - a) }
	tests := []struct{ t, want float64 }{
		{0, 0.09}, {0.2, 0.09}, // flat vol before the first expiry
		{0.5, fwdVar(0.5, 1)}, {0.7, fwdVar(0.5, 1)},
		{1, fwdVar(1, 2)}, {1.99, fwdVar(1, 2)},
		{2, fwdVar(2, 5)}, {3.3, fwdVar(2, 5)},
		{5, 0.0676}, {8, 0.0676}, // flat after the last
	}
	ks := []float64{50, 90, 100, 130, 200}
	for _, tt := range tests {
		sc := m.NewScope()
		sc.Reset(aad.NewTape(0))
		g, fl := lvRun(t, sc, "ACME", "USD", tt.t, ks)
		assert.Empty(t, fl)
		for i, x := range g {
			assert.InDelta(t, math.Sqrt(tt.want), x.Value(), 1e-12, "t=%v K=%v", tt.t, ks[i])
		}
	}
}

// bsCall is the Black–Scholes price of a call.
func bsCall(S, K, T, r, q, vol float64) float64 {
	sd := vol * math.Sqrt(T)
	d1 := (math.Log(S/K)+(r-q)*T)/sd + sd/2
	return S*math.Exp(-q*T)*aad.NormCDF(d1) - K*math.Exp(-r*T)*aad.NormCDF(d1-sd)
}

func TestDupireAgainstCallPrices(t *testing.T) {
	// Dupire's formula in call prices, by finite differences of
	// Black–Scholes prices at the surface's implied vols:
	// σ² = (∂C/∂T + (r−q)K·∂C/∂K + q·C) / (½K²·∂²C/∂K²).
	m := dupireMarket(t, skewCSV)
	const S, r, q = 100.0, 0.03, 0.01
	ref := m.NewScope()
	ref.Reset(nil)
	call := func(T, K float64) float64 {
		v, err := ref.Vol("ACME", aad.Const(T), K)
		require.NoError(t, err)
		return bsCall(S, K, T, r, q, v.Value())
	}
	knots := []float64{55, 60, 70, 75, 80, 85, 95, 100, 105, 115, 120, 125, 130, 145, 150, 160}
	var worst float64
	for _, T := range []float64{0.3, 0.75, 1.4, 2.6, 4} {
		var ks []float64
		for K := 62.5; K <= 150; K += 3.7 {
			if !slices.ContainsFunc(knots, func(k float64) bool { return math.Abs(k-K) < 0.5 }) {
				ks = append(ks, K)
			}
		}
		got := lvPassive(t, m, marketdata.Bump{Quote: -1}, "ACME", "USD", T, ks)
		for i, K := range ks {
			const dT, dK, dKK = 1e-5, 1e-2, 5e-2
			cT := (call(T+dT, K) - call(T-dT, K)) / (2 * dT)
			cK := (call(T, K+dK) - call(T, K-dK)) / (2 * dK)
			cKK := (call(T, K+dKK) - 2*call(T, K) + call(T, K-dKK)) / (dKK * dKK)
			want := math.Sqrt((cT + (r-q)*K*cK + q*call(T, K)) / (0.5 * K * K * cKK))
			assert.InDelta(t, want, got[i], 1e-4*want, "T=%v K=%v", T, K)
			worst = max(worst, math.Abs(got[i]-want)/want)
		}
	}
	t.Logf("worst relative difference from the call-price Dupire: %.1e", worst)
}

func TestDupireAtTimeZero(t *testing.T) {
	// Before the first expiry w = s(K)²·t, and as t → 0 the local vol
	// tends to s²/(s − y·K·s′) with y = ln(K/F).
	m := dupireMarket(t, skewCSV)
	ref := m.NewScope()
	ref.Reset(nil)
	ks := []float64{72.5, 90, 100, 108, 125}
	got := lvPassive(t, m, marketdata.Bump{Quote: -1}, "ACME", "USD", 0, ks)
	for i, K := range ks {
		tv, err := ref.TotalVariance("ACME", aad.Const(0.25), K) // the 6M smile, flat vol before
		require.NoError(t, err)
		s := math.Sqrt(tv.DT.Value())
		s1 := tv.DK.Value() / (2 * s * 0.25) // w_K = 2·s·s′·t
		y := math.Log(K / 100)
		assert.InDelta(t, s*s/(s-y*K*s1), got[i], 1e-5, "K=%v", K)
	}
}

func TestDupireSensitivitiesAgainstBumps(t *testing.T) {
	m := dupireMarket(t, skewCSV)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	ks := []float64{66, 93.3, 101.7, 138}
	for _, tv := range []float64{0, 0.3, 1.4, 2.6, 4} {
		tp.Reset()
		sc.Reset(tp)
		g, fl := lvRun(t, sc, "ACME", "USD", tv, ks)
		require.Empty(t, fl)
		h, _ := sc.Shift()
		ins := slices.Clone(sc.Inputs())
		xs := []aad.Number{h}
		keys := []string{"h"}
		for _, in := range ins {
			xs = append(xs, in.X)
			keys = append(keys, m.Quotes()[in.Quote].Key)
		}
		assert.Contains(t, keys, "SPOT/ACME")
		assert.Contains(t, keys, "RATE/USD/1Y")
		for j, K := range ks {
			grad := tp.Gradient(nil, g[j], xs)
			for i, key := range keys {
				d := 1e-6
				var up, dn float64
				if i == 0 {
					// The valuation time moves forward: t − h.
					up = lvPassive(t, m, marketdata.Bump{Quote: -1, Time: d}, "ACME", "USD", tv, ks)[j]
					dn = lvPassive(t, m, marketdata.Bump{Quote: -1, Time: -d}, "ACME", "USD", tv, ks)[j]
				} else {
					if key == "SPOT/ACME" {
						d = 1e-4
					}
					up = lvPassive(t, m, marketdata.Bump{Quote: ins[i-1].Quote, By: d}, "ACME", "USD", tv, ks)[j]
					dn = lvPassive(t, m, marketdata.Bump{Quote: ins[i-1].Quote, By: -d}, "ACME", "USD", tv, ks)[j]
				}
				want := (up - dn) / (2 * d)
				assert.InDelta(t, want, grad[i], 1e-6*math.Abs(want)+1e-8, "t=%v K=%v ∂/∂%s", tv, K, key)
			}
		}
	}
}

func TestDupireFloorsNegativeLocalVariance(t *testing.T) {
	// At the money the 2Y total variance (0.17²·2 = 0.0578) is below the
	// 1Y one (0.25² = 0.0625): between them the local variance is
	// negative around 100 and floored there, and only there.
	m := dupireMarket(t, `SPOT,ACME,,,100
RATE,USD,1Y,,0.02
VOL,ACME,1Y,50,0.25
VOL,ACME,1Y,75,0.25
VOL,ACME,1Y,100,0.25
VOL,ACME,1Y,125,0.25
VOL,ACME,1Y,150,0.25
VOL,ACME,2Y,50,0.25
VOL,ACME,2Y,75,0.21
VOL,ACME,2Y,100,0.17
VOL,ACME,2Y,125,0.21
VOL,ACME,2Y,150,0.25
`)
	var ks []float64
	for K := 70.0; K <= 130; K += 2.5 {
		ks = append(ks, K)
	}
	tp := aad.NewTape(0)
	sc := m.NewScope()
	for _, tv := range []float64{0.5, 1.5, 2.5} {
		tp.Reset()
		sc.Reset(tp)
		g, fl := lvRun(t, sc, "ACME", "USD", tv, ks)
		if tv != 1.5 {
			assert.Empty(t, fl, "t=%v", tv)
			continue
		}
		require.NotEmpty(t, fl)
		var at []float64
		for _, f := range fl {
			assert.Equal(t, 1.5, f.T)
			assert.Less(t, f.LocalVar, LocalVarFloor, "K=%v", f.K)
			assert.Greater(t, f.K, 90.0)
			assert.Less(t, f.K, 110.0)
			at = append(at, f.K)
		}
		assert.Contains(t, at, 100.0)
		for i, K := range ks {
			if slices.Contains(at, K) {
				assert.Equal(t, math.Sqrt(LocalVarFloor), g[i].Value(), "K=%v", K)
				assert.False(t, g[i].Active())
			} else {
				assert.True(t, g[i].Value() > 0.01 && g[i].Active(), "K=%v: %v", K, g[i])
			}
		}
		// The raw value at the money: w_T = 0.0392 − 0.0484 < 0.
		i := slices.Index(at, 100.0)
		assert.Less(t, fl[i].LocalVar, 0.0)
		t.Logf("floored at t=1.5: K=%v", at)
	}
}

func TestDupireGridTapeSize(t *testing.T) {
	// The set-up of a local-vol model: 156 steps of 61 nodes.
	for _, n := range []int{5, 12} {
		var b strings.Builder
		b.WriteString("SPOT,ACME,,,100\nRATE,USD,1Y,,0.03\n")
		for _, e := range []string{"3M", "6M", "1Y", "2Y", "3Y", "5Y"} {
			for i := range n {
				k := 50 + 100*float64(i)/float64(n-1)
				x := math.Log(k / 100)
				fmt.Fprintf(&b, "VOL,ACME,%s,%.2f,%.4f\n", e, k, 0.22-0.06*x+0.05*x*x)
			}
		}
		m := dupireMarket(t, b.String())
		tp := aad.NewTape(0)
		sc := m.NewScope()
		sc.Reset(tp)
		ks := make([]float64, 61)
		for i := range ks {
			ks[i] = 100 * math.Exp(-1+2*float64(i)/60)
		}
		dst := make([]aad.Number, len(ks))
		s, _ := sc.Spot("ACME")
		r, _ := sc.ZeroRate("USD", aad.Const(1))
		var fl []FlooredNode
		before := tp.Stats().Operands
		for i := range 156 {
			tt := sc.Time(3 * float64(i) / 156)
			fwd := tp.MulExp(s, tp.Mul(r, tt))
			var err error
			fl, err = dupireLocalVol(sc, "ACME", tt, fwd, r, ks, dst, fl)
			require.NoError(t, err)
		}
		ops := tp.Stats().Operands - before
		t.Logf("%d strikes an expiry: %d operands for 156×61 nodes (%.1f a node), %d floored", n, ops, float64(ops)/(156*61), len(fl))
		assert.Less(t, ops, 1_000_000)
		assert.Empty(t, fl)
	}
}

func TestDupireZeroAllocations(t *testing.T) {
	m := dupireMarket(t, skewCSV)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	ks := []float64{70, 85, 97, 100, 112, 140}
	dst := make([]aad.Number, len(ks))
	fl := make([]FlooredNode, 0, 8)
	run := func() {
		tp.Reset()
		sc.Reset(tp)
		s, _ := sc.Spot("ACME")
		r, _ := sc.ZeroRate("USD", aad.Const(1))
		for _, tv := range []float64{0, 0.7, 2} {
			tt := sc.Time(tv)
			fwd := tp.MulExp(s, tp.Mul(r, tt))
			fl, _ = dupireLocalVol(sc, "ACME", tt, fwd, r, ks, dst, fl[:0])
		}
	}
	run()
	assert.Equal(t, 0.0, testing.AllocsPerRun(100, run))
}

func TestDupireErrors(t *testing.T) {
	m := dupireMarket(t, skewCSV)
	sc := m.NewScope()
	sc.Reset(nil)
	dst := make([]aad.Number, 1)
	_, err := dupireLocalVol(sc, "NONE", aad.Const(1), aad.Const(100), aad.Const(0), []float64{100}, dst, nil)
	assert.ErrorIs(t, err, marketdata.ErrNotFound)
}

// dupireLocalVol is dupireNode on a row of strikes at one time, with the
// time slope of Scope.TotalVariance (from the right): the local vol as the
// surface defines it at a point, which these tests check. It records on
// sc's tape the Dupire local volatility
// σ_loc(t, K) of underlying name at one time t (it may be active, under a
// valuation-time shift) and each strike ks[m], given the forward F(t) and
// the drift mu = r − q at t (both may be active), into dst[m].
//
// It works in the implied total variance w of the VOL surface in
// log-moneyness y = ln(K/F) (Gatheral):
//
//	σ_loc² = w_T|y / (1 − (y/w)·w_y + ¼(−¼ − 1/w + y²/w²)·w_y² + ½·w_yy)
//
// with w_y = K·w_K, w_yy = K²·w_KK + K·w_K and, since K = F·eʸ with
// dF/dt = mu·F, w_T|y = w_T|K + mu·K·w_K, from Scope.TotalVariance (whose
// w_T is the derivative from the right, what a step starting at t sees).
// At t < dupireMinTime it is evaluated at dupireMinTime (see there).
//
// Each node is four statements of TotalVariance and one more with the
// partials of σ_loc in w, w_K, w_KK, w_T, F and mu. A node whose local
// variance is below LocalVarFloor (or whose denominator is not positive)
// is the passive √LocalVarFloor and is appended to floored, which is
// returned.
func dupireLocalVol(sc *marketdata.Scope, name string, t, fwd, mu aad.Number, ks []float64, dst []aad.Number, floored []FlooredNode) ([]FlooredNode, error) {
	tp := sc.Tape()
	dst = dst[:len(ks)]
	tau := t
	if !(t.Value() >= dupireMinTime) {
		tau = aad.Const(dupireMinTime)
	}
	for j, K := range ks {
		v, err := sc.TotalVariance(name, tau, K)
		if err != nil {
			return floored, err
		}
		lv, raw, ok := dupireNode(tp, v.W, v.DK, v.DKK, v.DT, K, fwd, mu)
		if !ok {
			floored = append(floored, FlooredNode{T: t.Value(), K: K, LocalVar: raw, Used: lv.Value() * lv.Value()})
		}
		dst[j] = lv
	}
	return floored, nil
}
