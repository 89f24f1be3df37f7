package marketdata

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/interp"

	"github.com/aadrisk/aadrisk/aad"
)

// passive reads through a scope with a nil tape.
func passiveRate(t *testing.T, m *Market, ccy string, tau float64) float64 {
	t.Helper()
	sc := m.NewScope()
	sc.Reset(nil)
	z, err := sc.ZeroRate(ccy, aad.Const(tau))
	require.NoError(t, err)
	return z.Value()
}

func passiveVol(t *testing.T, m *Market, name string, tau, k float64) float64 {
	t.Helper()
	sc := m.NewScope()
	sc.Reset(nil)
	v, err := sc.Vol(name, aad.Const(tau), k)
	require.NoError(t, err)
	return v.Value()
}

func TestZeroCurveInterpolation(t *testing.T) {
	// Pillars 1Y at 3% and 2Y at 4%, written as tenors and as dates: z·t
	// is linear in t between them, z flat outside.
	for _, pillars := range [][2]string{{"1Y", "2Y"}, {"2026-01-01", "2027-01-01"}, {"12M", "2027-01-01"}} {
		m := mustLoad(t, fmt.Sprintf("type,name,pillar,strike,value\nRATE,USD,%s,,0.03\nRATE,USD,%s,,0.04\nDIVYIELD,ACME,%[2]s,,0.04\nDIVYIELD,ACME,%[1]s,,0.03\n", pillars[0], pillars[1]))
		tests := []struct{ tau, want float64 }{
			{0.001, 0.03},
			{0.5, 0.03},
			{1, 0.03},
			{1.5, (0.03 + 0.5*(0.08-0.03)) / 1.5}, // 0.0366…
			{1.25, (0.03 + 0.25*(0.08-0.03)) / 1.25},
			{2, 0.04},
			{3, 0.04},
			{50, 0.04},
			{0, 0.03},  // expired: flat
			{-1, 0.03}, // as flat
		}
		for _, tt := range tests {
			assert.InDelta(t, tt.want, passiveRate(t, m, "USD", tt.tau), 1e-15, "%v τ=%v", pillars, tt.tau)
			sc := m.NewScope()
			sc.Reset(nil)
			q, err := sc.DivYield("ACME", aad.Const(tt.tau))
			require.NoError(t, err)
			assert.InDelta(t, tt.want, q.Value(), 1e-15, "div %v τ=%v", pillars, tt.tau)
		}
		// On a pillar the value is the quote exactly.
		assert.Equal(t, 0.04, passiveRate(t, m, "USD", 2))
		// Discount factors are log-linear: −log DF(t) = z·t is linear.
		zt := func(tau float64) float64 { return passiveRate(t, m, "USD", tau) * tau }
		assert.InDelta(t, (zt(1.2)+zt(1.8))/2, zt(1.5), 1e-15)
	}
}

func TestZeroCurveSinglePillar(t *testing.T) {
	m := loadSample(t)
	for _, tau := range []float64{0.1, 1, 7} {
		assert.Equal(t, 0.025, passiveRate(t, m, "EUR", tau))
	}
}

func TestDivYieldMissingIsZero(t *testing.T) {
	m := loadSample(t)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	sc.Reset(tp)
	q, err := sc.DivYield("BETA", sc.Time(1))
	require.NoError(t, err)
	assert.Equal(t, 0.0, q.Value())
	assert.False(t, q.Active())
	assert.Empty(t, sc.Inputs())
}

func TestVolTimeInterpolation(t *testing.T) {
	// Blank strikes: 20% at 1Y, 30% at 2Y. Total variance is linear in t
	// between them, vol flat outside.
	m := mustLoad(t, "type,name,pillar,strike,value\nVOL,X,2027-01-01,,0.3\nVOL,X,1Y,,0.2\n")
	tests := []struct{ tau, want float64 }{
		{0.25, 0.2},
		{1, 0.2},
		{1.5, math.Sqrt((0.04*1*0.5 + 0.09*2*0.5) / 1.5)}, // 0.2708…
		{1.2, math.Sqrt((0.04*1*0.8 + 0.09*2*0.2) / 1.2)},
		{2, 0.3},
		{10, 0.3},
		{0, 0.2},
	}
	for _, tt := range tests {
		for _, k := range []float64{50, 100, 1e6} { // a blank strike is any strike
			assert.InDelta(t, tt.want, passiveVol(t, m, "X", tt.tau, k), 1e-15, "τ=%v K=%v", tt.tau, k)
		}
	}
	assert.Equal(t, 0.3, passiveVol(t, m, "X", 2, 100), "exact on a pillar")
}

func TestVolStrikeInterpolation(t *testing.T) {
	m := mustLoad(t, `type,name,pillar,strike,value
VOL,ONE,1Y,100,0.2
VOL,TWO,1Y,90,0.25
VOL,TWO,1Y,110,0.21
VOL,THREE,1Y,90,0.25
VOL,THREE,1Y,100,0.22
VOL,THREE,1Y,110,0.21
VOL,SYM,1Y,110,0.25
VOL,SYM,1Y,100,0.20
VOL,SYM,1Y,90,0.25
VOL,SYM,1Y,80,0.32
VOL,SYM,1Y,120,0.32
`)
	tests := []struct {
		name string
		k    float64
		want float64
	}{
		{"ONE", 50, 0.2}, {"ONE", 100, 0.2}, {"ONE", 150, 0.2},
		// Two strikes: linear inside; outside, the wings keep the slope
		// s′ = −0.002 at the end strike and flatten over a width L in
		// log-strike: s = s_e + s′·k_e·L·tanh(ln(K/k_e)/L), L = 1 below
		// and ½ above.
		{"TWO", 80, 0.25 - 0.002*90*math.Tanh(math.Log(80.0/90))}, {"TWO", 90, 0.25}, {"TWO", 95, 0.24}, {"TWO", 100, 0.23}, {"TWO", 110, 0.21},
		{"TWO", 130, 0.21 - 0.002*110*0.5*math.Tanh(2*math.Log(130.0/110))},
		{"TWO", 1e-300, 0.25 + 0.002*90}, {"TWO", 1e300, 0.21 - 0.002*110*0.5},
		// Three strikes, h = 10: the natural spline's interior second
		// derivative solves 40·M₁ = 6·((0.21−0.22) − (0.22−0.25))/10, so
		// M₁ = 0.0003, and at K = 95 (a = b = 1/2)
		// s = 0.235 + (1/8 − 1/2)·M₁·100/6 = 0.233125. Its end slopes are
		// s′(90) = −0.003 − M₁·10/6 = −0.0035 and s′(110) = −0.001 + M₁·10/6
		// = −0.0005.
		{"THREE", 95, 0.233125},
		{"THREE", 105, 0.215 + (0.125-0.5)*0.0003*100/6},
		{"THREE", 90, 0.25}, {"THREE", 100, 0.22}, {"THREE", 110, 0.21},
		{"THREE", 70, 0.25 - 0.0035*90*math.Tanh(math.Log(70.0/90))},
		{"THREE", 150, 0.21 - 0.0005*110*0.5*math.Tanh(2*math.Log(150.0/110))},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.want, passiveVol(t, m, tt.name, 1, tt.k), 1e-14, "%s K=%v", tt.name, tt.k)
	}
	// The spline goes through the nodes exactly.
	for k, want := range map[float64]float64{80: 0.32, 90: 0.25, 100: 0.2, 110: 0.25, 120: 0.32} {
		assert.Equal(t, want, passiveVol(t, m, "SYM", 1, k), "node %v", k)
	}
	// A symmetric smile gives a symmetric spline.
	for _, d := range []float64{0.5, 3, 7.7, 10, 14, 19.9} {
		assert.InDelta(t, passiveVol(t, m, "SYM", 1, 100-d), passiveVol(t, m, "SYM", 1, 100+d), 1e-15, "d=%v", d)
	}
	// Natural end conditions: no curvature at the end strikes.
	const e = 1e-3
	for _, x := range []float64{80 + e, 120 - e} {
		s0, sm, sp := passiveVol(t, m, "SYM", 1, x), passiveVol(t, m, "SYM", 1, x-e/2), passiveVol(t, m, "SYM", 1, x+e/2)
		assert.InDelta(t, 0, (sp-2*s0+sm)/(e*e/4), 2e-5, "s'' at %v", x)
	}
}

func TestVolSplineAgainstGonum(t *testing.T) {
	// Irregular strikes: the spline agrees with gonum's natural cubic
	// spline inside the strikes.
	ks := []float64{60, 75, 80, 92.5, 100, 101, 115, 140, 200}
	vs := []float64{0.41, 0.33, 0.31, 0.26, 0.24, 0.238, 0.22, 0.23, 0.29}
	csv := "type,name,pillar,strike,value\n"
	for i := len(ks) - 1; i >= 0; i-- { // any row order
		csv += fmt.Sprintf("VOL,X,6M,%v,%v\n", ks[i], vs[i])
	}
	m := mustLoad(t, csv)
	var nc interp.NaturalCubic
	require.NoError(t, nc.Fit(ks, vs))
	for k := 60.0; k <= 200; k += 0.37 {
		assert.InDelta(t, nc.Predict(k), passiveVol(t, m, "X", 0.5, k), 1e-14, "K=%v", k)
	}
}

func TestVolSurface(t *testing.T) {
	// The sample's ACME surface: between 6M (spline) and 1Y (linear in
	// strike), total variance is linear in t at the strike.
	m := loadSample(t)
	s6m := passiveVol(t, m, "ACME", 0.5, 97)
	s1y := passiveVol(t, m, "ACME", 1, 97)
	assert.InDelta(t, 0.24-(97-90)*0.03/20, s1y, 1e-15)
	want := math.Sqrt((s6m*s6m*0.5*(1-0.8) + s1y*s1y*1*(0.8-0.5)) / 0.5 / 0.8)
	assert.InDelta(t, want, passiveVol(t, m, "ACME", 0.8, 97), 1e-15)
	// Flat before 6M and after 3Y (a single strike: any strike).
	assert.Equal(t, s6m, passiveVol(t, m, "ACME", 0.1, 97))
	assert.Equal(t, 0.23, passiveVol(t, m, "ACME", 30, 97))
	// Between 2Y (blank strike) and 3Y (one strike).
	want = math.Sqrt((0.222*0.222*2*0.5 + 0.23*0.23*3*0.5) / 2.5)
	assert.InDelta(t, want, passiveVol(t, m, "ACME", 2.5, 55), 1e-15)
}

func TestSplineWeightsSumToOne(t *testing.T) {
	// A constant smile interpolates to the constant: the weights sum to 1.
	e := expiry{k: []float64{1, 2, 4, 8, 9, 30}}
	e.factor()
	w, u := make([]float64, 6), make([]float64, 6)
	for k := 0.0; k < 35; k += 0.25 {
		sum := 0.0
		for _, x := range e.weights(k, w, u) {
			sum += x
		}
		assert.InDelta(t, 1, sum, 1e-14, "K=%v", k)
	}
}
