package marketdata

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
)

// A read is one function of the market: a zero rate, a dividend yield or a
// vol at a remaining time T − h and maybe a strike.
type read struct {
	what string // "rate", "div", "vol"
	name string
	T, K float64
}

func (r read) String() string { return fmt.Sprintf("%s %s T=%v K=%v", r.what, r.name, r.T, r.K) }

// eval reads r through sc at the remaining time T − h.
func (r read) eval(t *testing.T, sc *Scope) aad.Number {
	t.Helper()
	tau := sc.Time(r.T)
	var x aad.Number
	var err error
	switch r.what {
	case "rate":
		x, err = sc.ZeroRate(r.name, tau)
	case "div":
		x, err = sc.DivYield(r.name, tau)
	case "vol":
		x, err = sc.Vol(r.name, tau, r.K)
	}
	require.NoError(t, err)
	return x
}

// passive evaluates r on m with no tape and bump b, at remaining time T.
func (r read) passive(t *testing.T, m *Market, b Bump, T float64) float64 {
	t.Helper()
	sc := m.NewScope()
	sc.ResetBumped(nil, b)
	rr := r
	rr.T = T
	return rr.eval(t, sc).Value()
}

// reads avoid pillars and expiries (where the derivative in time jumps).
var reads = []read{
	{"rate", "USD", 0.1, 0}, {"rate", "USD", 0.6, 0}, {"rate", "USD", 1.7, 0}, {"rate", "USD", 3.3, 0}, {"rate", "USD", 9, 0},
	{"rate", "EUR", 0.4, 0}, {"rate", "EUR", 3, 0},
	{"div", "ACME", 0.3, 0}, {"div", "ACME", 1.1, 0}, {"div", "ACME", 4, 0},
	{"vol", "ACME", 0.3, 97}, {"vol", "ACME", 0.3, 100}, {"vol", "ACME", 0.3, 70}, {"vol", "ACME", 0.3, 121},
	{"vol", "ACME", 0.7, 85}, {"vol", "ACME", 0.7, 101.5}, {"vol", "ACME", 0.7, 125}, {"vol", "ACME", 0.7, 60},
	{"vol", "ACME", 1.4, 95}, {"vol", "ACME", 1.4, 140}, {"vol", "ACME", 2.6, 104}, {"vol", "ACME", 5, 80},
	{"vol", "BETA", 1.5, 40}, {"vol", "BETA", 0.2, 40}, {"vol", "BETA", 3, 40},
}

func TestSensitivitiesAgainstBumps(t *testing.T) {
	m := loadSample(t)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	for _, r := range reads {
		tp.Reset()
		sc.Reset(tp)
		y := r.eval(t, sc)
		h, ok := sc.Shift()
		require.True(t, ok)
		ins := sc.Inputs()
		xs := []aad.Number{h}
		for _, in := range ins {
			xs = append(xs, in.X)
		}
		g := tp.Gradient(nil, y, xs)

		// Theta-style derivative: ∂y/∂h = −∂y/∂T.
		const dT = 1e-6
		none := Bump{Quote: -1}
		want := -(r.passive(t, m, none, r.T+dT) - r.passive(t, m, none, r.T-dT)) / (2 * dT)
		assert.InDelta(t, want, g[0], 1e-7*math.Abs(want)+1e-8, "%v: ∂/∂h", r)

		// Each input quote: a central difference of the bumped market.
		for j, in := range ins {
			q := m.Quotes()[in.Quote]
			d := 1e-6
			up := r.passive(t, m, Bump{Quote: in.Quote, By: d}, r.T)
			dn := r.passive(t, m, Bump{Quote: in.Quote, By: -d}, r.T)
			want := (up - dn) / (2 * d)
			assert.InDelta(t, want, g[j+1], 1e-7*math.Abs(want)+1e-8, "%v: ∂/∂%s", r, q.Key)
		}
		// Every other quote has no effect.
		for i := range m.Len() {
			if slices.ContainsFunc(ins, func(in Input) bool { return in.Quote == i }) {
				continue
			}
			assert.Equal(t, r.passive(t, m, none, r.T), r.passive(t, m, Bump{Quote: i, By: 0.01}, r.T), "%v moves with %s, not an input", r, m.Quotes()[i].Key)
		}
	}
}

func TestPassiveEqualsRecorded(t *testing.T) {
	m := loadSample(t)
	tp := aad.NewTape(0)
	rec, pas := m.NewScope(), m.NewScope()
	for _, r := range append(reads, read{"rate", "USD", 1, 0}, read{"vol", "ACME", 1, 100}, read{"vol", "ACME", 0.5, 90}, read{"vol", "ACME", 2, 90}) {
		tp.Reset()
		rec.Reset(tp)
		pas.Reset(nil)
		a, b := r.eval(t, rec), r.eval(t, pas)
		assert.Equal(t, math.Float64bits(a.Value()), math.Float64bits(b.Value()), "%v: %v recorded, %v passive", r, a.Value(), b.Value())
		assert.False(t, b.Active())
	}
}

// inputKeys returns the keys of the scope's inputs.
func inputKeys(sc *Scope) []string {
	var keys []string
	for _, in := range sc.Inputs() {
		keys = append(keys, sc.m.Quotes()[in.Quote].Key)
	}
	return keys
}

func TestInputs(t *testing.T) {
	m := loadSample(t)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	tests := []struct {
		r    read
		keys []string
	}{
		{read{"rate", "USD", 0.1, 0}, []string{"RATE/USD/3M"}},
		{read{"rate", "USD", 0.6, 0}, []string{"RATE/USD/3M", "RATE/USD/1Y"}},
		{read{"rate", "USD", 1, 0}, []string{"RATE/USD/3M", "RATE/USD/1Y"}}, // on a pillar: the interval to its left
		{read{"rate", "USD", 2, 0}, []string{"RATE/USD/1Y", "RATE/USD/2027-01-01"}},
		{read{"rate", "USD", 7, 0}, []string{"RATE/USD/5Y"}},
		{read{"vol", "ACME", 0.2, 95}, []string{"VOL/ACME/6M/80", "VOL/ACME/6M/90", "VOL/ACME/6M/100", "VOL/ACME/6M/110", "VOL/ACME/6M/120"}},
		{read{"vol", "ACME", 0.2, 100}, []string{"VOL/ACME/6M/100"}},                                                                          // on a node: only it
		{read{"vol", "ACME", 0.2, 50}, []string{"VOL/ACME/6M/80", "VOL/ACME/6M/90", "VOL/ACME/6M/100", "VOL/ACME/6M/110", "VOL/ACME/6M/120"}}, // the wing: the end slope
		{read{"vol", "ACME", 0.7, 130}, []string{"VOL/ACME/6M/80", "VOL/ACME/6M/90", "VOL/ACME/6M/100", "VOL/ACME/6M/110", "VOL/ACME/6M/120", "VOL/ACME/1Y/110", "VOL/ACME/1Y/90"}},
		{read{"vol", "ACME", 1.5, 100}, []string{"VOL/ACME/1Y/110", "VOL/ACME/1Y/90", "VOL/ACME/2Y"}},
		{read{"vol", "ACME", 9, 100}, []string{"VOL/ACME/3Y/100"}},
	}
	for _, tt := range tests {
		tp.Reset()
		sc.Reset(tp)
		tt.r.eval(t, sc)
		assert.Equal(t, tt.keys, inputKeys(sc), "%v", tt.r)
	}
	// Several reads: each quote once, by quote index, whatever the order
	// of use.
	tp.Reset()
	sc.Reset(tp)
	_, _ = sc.Corr("BETA", "ACME")
	read{"rate", "USD", 0.1, 0}.eval(t, sc)
	_, _ = sc.Spot("ACME")
	read{"rate", "USD", 0.2, 0}.eval(t, sc)
	s1, _ := sc.Spot("ACME")
	s2, _ := sc.Spot("ACME")
	assert.Equal(t, s1, s2, "one variable per quote")
	assert.Equal(t, []string{"SPOT/ACME", "RATE/USD/3M", "CORR/ACME|BETA"}, inputKeys(sc))
	ins := sc.Inputs()
	assert.True(t, slices.IsSortedFunc(ins, func(a, b Input) int { return a.Quote - b.Quote }))

	// Reset forgets them.
	tp.Reset()
	sc.Reset(tp)
	assert.Empty(t, sc.Inputs())
	_, ok := sc.Shift()
	assert.False(t, ok)
}

func TestTime(t *testing.T) {
	m := loadSample(t)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	sc.Reset(tp)
	T1, T2 := sc.Time(1.25), sc.Time(0.5)
	assert.Equal(t, 1.25, T1.Value())
	h, ok := sc.Shift()
	require.True(t, ok)
	assert.Equal(t, 0.0, h.Value())
	y := tp.Add(T1, tp.MulConst(T2, 3))
	assert.Equal(t, []float64{-4}, tp.Gradient(nil, y, []aad.Number{h}), "one h for every time")
	assert.Empty(t, sc.Inputs(), "h is not a quote")

	sc.Reset(nil)
	assert.Equal(t, 1.25, sc.Time(1.25).Value())
	h, ok = sc.Shift()
	assert.True(t, ok)
	assert.False(t, h.Active())
}

func TestThetaOnAPillar(t *testing.T) {
	// On a pillar, the derivative in h is the one-sided one as the
	// valuation date moves forward (remaining time shrinks into the
	// interval to the pillar's left).
	m := loadSample(t)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	for _, r := range []read{{"rate", "USD", 1, 0}, {"vol", "ACME", 1, 97}, {"vol", "BETA", 2, 10}} {
		tp.Reset()
		sc.Reset(tp)
		y := r.eval(t, sc)
		h, _ := sc.Shift()
		g := tp.Gradient(nil, y, []aad.Number{h})
		const d = 1e-7
		want := -(r.passive(t, m, Bump{Quote: -1}, r.T) - r.passive(t, m, Bump{Quote: -1}, r.T-d)) / d
		assert.InDelta(t, want, g[0], 1e-6*math.Abs(want)+1e-7, "%v", r)
	}
}

func TestSpotCorrHeston(t *testing.T) {
	m := loadSample(t)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	sc.Reset(tp)
	s, err := sc.Spot("ACME")
	require.NoError(t, err)
	assert.Equal(t, 100.0, s.Value())
	assert.True(t, s.Active())

	c, err := sc.Corr("BETA", "ACME")
	require.NoError(t, err)
	assert.Equal(t, 0.45, c.Value())
	c, _ = sc.Corr("ACME", "ACME")
	assert.Equal(t, 1.0, c.Value())
	assert.False(t, c.Active())
	c, _ = sc.Corr("ACME", "GAMMA")
	assert.Equal(t, 0.0, c.Value())
	assert.False(t, c.Active())

	hp, err := sc.Heston("ACME")
	require.NoError(t, err)
	assert.Equal(t, []float64{0.04, 1.5, 0.05, 0.6, -0.7}, []float64{hp.V0.Value(), hp.Kappa.Value(), hp.Theta.Value(), hp.Sigma.Value(), hp.Rho.Value()})
	assert.Contains(t, inputKeys(sc), "HESTON/ACME/rho")

	// A bump that takes a parameter outside its domain, as Load would
	// refuse the quote, is an error of the read.
	for _, tc := range []struct {
		key  string
		by   float64
		want string
	}{
		{"HESTON/ACME/v0", -0.05, "marketdata: HESTON/ACME/v0 is -0.010000000000000002: want v0 >= 0"},
		{"HESTON/ACME/rho", -0.4, "marketdata: HESTON/ACME/rho is -1.1: want rho in [-1, 1]"},
	} {
		sc.ResetBumped(nil, Bump{Quote: key(t, m, tc.key), By: tc.by})
		_, err = sc.Heston("ACME")
		assert.EqualError(t, err, tc.want)
	}
	sc.ResetBumped(nil, Bump{Quote: key(t, m, "HESTON/ACME/rho"), By: 1.7})
	_, err = sc.Heston("ACME")
	assert.NoError(t, err, "rho = 1 is in the domain")
}

func TestNotFound(t *testing.T) {
	m := mustLoad(t, "type,name,pillar,strike,value\nHESTON,X,kappa,,1\nHESTON,X,RHO,,0\n")
	sc := m.NewScope()
	sc.Reset(nil)
	_, err := sc.Spot("ACME")
	assert.EqualError(t, err, `marketdata: no SPOT quote for "ACME"`)
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = sc.ZeroRate("USD", aad.Const(1))
	assert.EqualError(t, err, `marketdata: no RATE curve for "USD"`)
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = sc.Vol("ACME", aad.Const(1), 100)
	assert.EqualError(t, err, `marketdata: no VOL quotes for "ACME"`)
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = sc.Heston("ACME")
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = sc.Heston("X")
	assert.EqualError(t, err, `marketdata: HESTON parameters for "X" are incomplete: no v0, theta, sigma`)
	assert.ErrorIs(t, err, ErrNotFound)

	m = loadSample(t)
	sc = m.NewScope()
	sc.Reset(nil)
	_, err = sc.Vol("ACME", aad.Const(1), math.NaN())
	assert.Error(t, err)
	assert.False(t, errors.Is(err, ErrNotFound))
}

func TestConcurrentScopes(t *testing.T) {
	m := loadSample(t)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			tp := aad.NewTape(0)
			sc := m.NewScope()
			for i := range 200 {
				tp.Reset()
				sc.Reset(tp)
				T := sc.Time(0.3 + float64(i%50)/10)
				v, err := sc.Vol("ACME", T, 80+float64(w*5))
				if err != nil || !(v.Value() > 0) {
					t.Errorf("vol %v %v", v, err)
				}
				z, _ := sc.ZeroRate("USD", T)
				tp.SetAdjoint(tp.Add(v, z), 1)
				tp.Backward()
				_ = sc.Inputs()
				_ = m.Quotes()
			}
		})
	}
	wg.Wait()
}

func TestZeroAllocations(t *testing.T) {
	m := loadSample(t)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	trade := func() {
		tp.Reset()
		sc.Reset(tp)
		T := sc.Time(1.3)
		s, _ := sc.Spot("ACME")
		r, _ := sc.ZeroRate("USD", T)
		q, _ := sc.DivYield("ACME", T)
		v, _ := sc.Vol("ACME", T, 97)
		v2, _ := sc.Vol("ACME", sc.Time(0.3), 101)
		c, _ := sc.Corr("ACME", "BETA")
		hp, _ := sc.Heston("ACME")
		y := tp.Sum(s, r, q, v, v2, c, hp.Kappa)
		tp.SetAdjoint(y, 1)
		tp.Backward()
		for _, in := range sc.Inputs() {
			_ = tp.Adjoint(in.X)
		}
	}
	trade()
	assert.Equal(t, 0.0, testing.AllocsPerRun(100, trade))
	passive := func() {
		sc.Reset(nil)
		T := sc.Time(2.2)
		_, _ = sc.Vol("ACME", T, 97)
		_, _ = sc.ZeroRate("USD", T)
		_ = sc.Inputs()
	}
	passive()
	assert.Equal(t, 0.0, testing.AllocsPerRun(100, passive))
}

func BenchmarkScopeTrade(b *testing.B) {
	m := loadSample(b)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	b.ReportAllocs()
	for b.Loop() {
		tp.Reset()
		sc.Reset(tp)
		T := sc.Time(1.3)
		s, _ := sc.Spot("ACME")
		r, _ := sc.ZeroRate("USD", T)
		q, _ := sc.DivYield("ACME", T)
		v, _ := sc.Vol("ACME", T, 97)
		tp.SetAdjoint(tp.Sum(s, r, q, v), 1)
		tp.Backward()
		_ = sc.Inputs()
	}
}
