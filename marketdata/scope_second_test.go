package marketdata

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
)

// desk is a market of curves and vol surfaces as a desk would quote them:
// a curve of four pillars, a dividend curve of two; FEW has three strikes
// at two expiries and a single strike at the last, SKEW a steep skew with a
// different number of strikes at each expiry, WIDE wide wings over a
// factor of 16 in strike and a blank strike at the last expiry.
const desk = `type,name,pillar,strike,value
RATE,USD,3M,,0.041
RATE,USD,1Y,,0.039
RATE,USD,2027-01-01,,0.037
RATE,USD,5Y,,0.036
DIVYIELD,ACME,6M,,0.015
DIVYIELD,ACME,2Y,,0.018
VOL,FEW,3M,95,0.24
VOL,FEW,3M,100,0.22
VOL,FEW,3M,105,0.21
VOL,FEW,1Y,90,0.25
VOL,FEW,1Y,100,0.23
VOL,FEW,1Y,110,0.22
VOL,FEW,2Y,100,0.225
VOL,SKEW,6M,60,0.62
VOL,SKEW,6M,80,0.41
VOL,SKEW,6M,90,0.30
VOL,SKEW,6M,100,0.22
VOL,SKEW,6M,110,0.17
VOL,SKEW,6M,130,0.14
VOL,SKEW,1Y,50,0.55
VOL,SKEW,1Y,75,0.38
VOL,SKEW,1Y,100,0.24
VOL,SKEW,1Y,125,0.18
VOL,SKEW,18M,70,0.40
VOL,SKEW,18M,100,0.25
VOL,SKEW,18M,140,0.17
VOL,WIDE,1M,25,0.9
VOL,WIDE,1M,50,0.55
VOL,WIDE,1M,100,0.3
VOL,WIDE,1M,200,0.45
VOL,WIDE,1M,400,0.8
VOL,WIDE,6M,25,0.7
VOL,WIDE,6M,100,0.28
VOL,WIDE,6M,400,0.6
VOL,WIDE,3Y,,0.27
VOL,ZERO,6M,90,0
VOL,ZERO,6M,110,0
VOL,ZERO,1Y,100,0
`

// soRead is one read of the second-order tests: a curve or a vol at
// remaining time T and strike K. On a pillar (pillar true) the derivative
// in time jumps, so differences in time are taken from the left, the
// interval the read uses there.
type soRead struct {
	what, name string
	T, K       float64
	pillar     bool
}

// tauMode is how a test makes τ: passive, from Scope.Time (the variable is
// the shift h, τ = T − h) or as a variable of the test's own.
type tauMode int

const (
	tauPassive tauMode = iota
	tauTime
	tauVar
)

func (m tauMode) String() string {
	return [...]string{"passive τ", "τ from Time", "τ a variable"}[m]
}

// deskReads returns the reads of the tests on m: before the first pillar,
// between, on one and after the last; strikes inside, on a node and outside
// the quoted ones.
func deskReads(m *Market) []soRead {
	usd, acme := m.s.rate["USD"].t, m.s.div["ACME"].t
	few, skew, wide := m.s.vol["FEW"].t, m.s.vol["SKEW"].t, m.s.vol["WIDE"].t
	return []soRead{
		{"rate", "USD", 0.1, 0, false}, {"rate", "USD", 0.6, 0, false}, {"rate", "USD", 1.7, 0, false},
		{"rate", "USD", usd[1], 0, true}, {"rate", "USD", usd[2], 0, true}, {"rate", "USD", usd[0], 0, true},
		{"rate", "USD", 9, 0, false},
		{"div", "ACME", 0.3, 0, false}, {"div", "ACME", 1.1, 0, false}, {"div", "ACME", acme[1], 0, true},
		{"div", "ACME", 4, 0, false},
		{"vol", "FEW", 0.6, 100, false}, {"vol", "FEW", 0.6, 97, false}, {"vol", "FEW", 0.6, 80, false},
		{"vol", "FEW", 0.6, 130, false}, {"vol", "FEW", 1.5, 103, false}, {"vol", "FEW", few[1], 104, true},
		{"vol", "FEW", 0.1, 99, false}, {"vol", "FEW", 3, 99, false},
		{"vol", "SKEW", 0.7, 85, false}, {"vol", "SKEW", 0.7, 45, false}, {"vol", "SKEW", 1.2, 150, false},
		{"vol", "SKEW", 1.2, 100, false}, {"vol", "SKEW", skew[1], 95, true},
		{"vol", "WIDE", 0.3, 10, false}, {"vol", "WIDE", 0.3, 800, false}, {"vol", "WIDE", 0.3, 150, false},
		{"vol", "WIDE", 2, 60, false}, {"vol", "WIDE", wide[1], 300, true},
	}
}

// tvReads returns reads of each output of TotalVariance on m: between
// expiries, on one, before the first and after the last, inside and
// outside the quoted strikes and on a node.
func tvReads(m *Market) []soRead {
	few, skew := m.s.vol["FEW"].t, m.s.vol["SKEW"].t
	var rs []soRead
	for _, what := range []string{"W", "DK", "DKK", "DT"} {
		rs = append(rs,
			soRead{what, "SKEW", 0.7, 85, false}, soRead{what, "SKEW", 1.2, 150, false},
			soRead{what, "SKEW", skew[1], 95, true}, soRead{what, "SKEW", 0.2, 100, false},
			soRead{what, "WIDE", 0.3, 10, false}, soRead{what, "WIDE", 2, 60, false},
			soRead{what, "FEW", few[1], 100, true}, soRead{what, "FEW", 3, 97, false},
		)
	}
	return rs
}

// tau makes τ = T for mode on sc's tape tp, with tangent dt when it is the
// test's variable, and returns it with the variable the gradient is taken
// in (h for Time, τ itself for a variable, none when passive).
func tauFor(sc *Scope, tp *aad.Tape, mode tauMode, T, dt float64) (tau, x aad.Number) {
	switch mode {
	case tauTime:
		tau = sc.Time(T)
		x, _ = sc.Shift()
	case tauVar:
		tau = tp.Var(T)
		tp.SetTangent(tau, dt)
		x = tau
	default:
		tau = aad.Const(T)
	}
	return tau, x
}

// at reads r through sc at τ.
func (r soRead) at(t testing.TB, sc *Scope, tau aad.Number) aad.Number {
	t.Helper()
	var y aad.Number
	var err error
	switch r.what {
	case "rate":
		y, err = sc.ZeroRate(r.name, tau)
	case "div":
		y, err = sc.DivYield(r.name, tau)
	case "vol":
		y, err = sc.Vol(r.name, tau, r.K)
	default:
		var v TotalVariance
		v, err = sc.TotalVariance(r.name, tau, r.K)
		y = map[string]aad.Number{"W": v.W, "DK": v.DK, "DKK": v.DKK, "DT": v.DT}[r.what]
	}
	require.NoError(t, err)
	return y
}

// operands returns the inputs of sc and the τ variable x (if active), and
// where each goes in a row of m.Len()+1 entries (the last for x).
func operands(m *Market, sc *Scope, x aad.Number) ([]aad.Number, []int) {
	var xs []aad.Number
	var at []int
	for _, in := range sc.Inputs() {
		xs = append(xs, in.X)
		at = append(at, in.Quote)
	}
	if x.Active() {
		xs = append(xs, x)
		at = append(at, m.Len())
	}
	return xs, at
}

// firstOrder reads r on the first-order tape tp with bump b at time T and
// returns the value, the gradient as a row (quotes, then τ's variable) and
// the quotes that became inputs.
func firstOrder(t testing.TB, m *Market, sc *Scope, tp *aad.Tape, r soRead, mode tauMode, b Bump, T float64) (float64, []float64, []int) {
	t.Helper()
	tp.Reset()
	sc.ResetBumped(tp, b)
	tau, x := tauFor(sc, tp, mode, T, 0)
	y := r.at(t, sc, tau)
	xs, at := operands(m, sc, x)
	row := make([]float64, m.Len()+1)
	for i, g := range tp.Gradient(nil, y, xs) {
		row[at[i]] = g
	}
	var quotes []int
	for _, in := range sc.Inputs() {
		quotes = append(quotes, in.Quote)
	}
	return y.Value(), row, quotes
}

// secondOrder reads r on the second-order tape tp in the direction of
// quote q (or of τ's variable, for q = m.Len(); −1 for none) and returns
// the value, the gradient and the Hessian times the direction, as rows.
func secondOrder(t testing.TB, m *Market, sc *Scope, tp *aad.Tape, r soRead, mode tauMode, q int) (float64, []float64, []float64) {
	t.Helper()
	var dir []float64
	dt := 0.0
	switch {
	case q == m.Len():
		dt = 1
	case q >= 0:
		dir = make([]float64, q+1) // shorter than the quotes: the rest get 0
		dir[q] = 1
	}
	tp.Reset()
	sc.ResetDirected(tp, dir)
	tau, x := tauFor(sc, tp, mode, r.T, dt)
	y := r.at(t, sc, tau)
	xs, at := operands(m, sc, x)
	g, hv := tp.HessianVector(nil, nil, y, xs)
	grow, hrow := make([]float64, m.Len()+1), make([]float64, m.Len()+1)
	for i := range xs {
		grow[at[i]], hrow[at[i]] = g[i], hv[i]
	}
	return y.Value(), grow, hrow
}

// diffRow returns the central difference (f(+d) − f(−d))/(2d) of the row f,
// or on a pillar the one-sided one of second order from the side of
// negative d, (3f(0) − 4f(−d) + f(−2d))/(2d).
func diffRow(f func(d float64) []float64, d float64, left bool) []float64 {
	if left {
		a, b, c := f(0), f(-d), f(-2*d)
		for i := range a {
			a[i] = (3*a[i] - 4*b[i] + c[i]) / (2 * d)
		}
		return a
	}
	a, b := f(d), f(-d)
	for i := range a {
		a[i] = (a[i] - b[i]) / (2 * d)
	}
	return a
}

// closeTo reports an entry of a Hessian against its difference of
// gradients: 1e-6 relative with a floor of 1e-8.
func closeTo(t *testing.T, want, got float64, msg string, args ...any) {
	t.Helper()
	assert.InDelta(t, want, got, 1e-6*math.Abs(want)+1e-8, append([]any{msg}, args...)...)
}

// hessians returns, for r in mode, the Hessian rows of the second-order
// sweeps seeded on each input quote (and on τ when it is the test's
// variable), checking each row against differences of first-order
// gradients, and the bumped gradient's difference in time for τ from Time.
func hessians(t *testing.T, m *Market, r soRead, mode tauMode) map[int][]float64 {
	tp1, tp2 := aad.NewTape(0), aad.NewTape(0)
	tp2.SetSecondOrder(true)
	sc1, sc2 := m.NewScope(), m.NewScope()
	none := Bump{Quote: -1}
	_, _, quotes := firstOrder(t, m, sc1, tp1, r, mode, none, r.T)
	rows := map[int][]float64{}
	const d = 1e-5
	for _, q := range quotes {
		_, _, h := secondOrder(t, m, sc2, tp2, r, mode, q)
		want := diffRow(func(by float64) []float64 {
			_, g, _ := firstOrder(t, m, sc1, tp1, r, mode, Bump{Quote: q, By: by}, r.T)
			return g
		}, d, false)
		for j := range h {
			closeTo(t, want[j], h[j], "%v, %v: ∂²/∂%s∂[%d]", r, mode, m.Quotes()[q].Key, j)
		}
		rows[q] = h
	}
	switch {
	case r.what == "DT" && mode != tauPassive:
		// DT carries no derivative in τ: nor does its gradient.
		if mode == tauVar {
			_, _, h := secondOrder(t, m, sc2, tp2, r, mode, m.Len())
			for j := range h {
				assert.Zero(t, h[j], "%v, %v: ∂²/∂τ∂[%d]", r, mode, j)
			}
		}
		for _, q := range quotes {
			assert.Zero(t, rows[q][m.Len()], "%v, %v: ∂²/∂τ∂%s", r, mode, m.Quotes()[q].Key)
		}
	case mode == tauVar:
		_, _, h := secondOrder(t, m, sc2, tp2, r, mode, m.Len())
		want := diffRow(func(by float64) []float64 {
			_, g, _ := firstOrder(t, m, sc1, tp1, r, mode, none, r.T+by)
			return g
		}, d, r.pillar)
		for j := range h {
			closeTo(t, want[j], h[j], "%v, %v: ∂²/∂τ∂[%d]", r, mode, j)
		}
		rows[m.Len()] = h
	case mode == tauTime:
		// h has no tangent of its own: check the derivative of the gradient
		// in h against the h column of the quote rows. The difference is
		// in τ = T − h (h = −by), so that a pillar's is from the left, at
		// h > 0, and its sign is the opposite.
		want := diffRow(func(by float64) []float64 {
			_, g, _ := firstOrder(t, m, sc1, tp1, r, mode, Bump{Quote: -1, Time: -by}, r.T)
			return g
		}, d, r.pillar)
		for _, q := range quotes {
			closeTo(t, -want[q], rows[q][m.Len()], "%v, %v: ∂²/∂h∂%s", r, mode, m.Quotes()[q].Key)
		}
	default:
		for _, q := range quotes {
			assert.Zero(t, rows[q][m.Len()], "%v: passive τ in the Hessian", r)
		}
	}
	return rows
}

func TestScopeHessianAgainstDifferences(t *testing.T) {
	m := mustLoad(t, desk)
	for _, mode := range []tauMode{tauPassive, tauTime, tauVar} {
		for _, r := range append(deskReads(m), tvReads(m)...) {
			rows := hessians(t, m, r, mode)
			for i, ri := range rows {
				for j, rj := range rows {
					assert.InDelta(t, ri[j], rj[i], 1e-12*math.Max(1, math.Abs(ri[j])), "%v, %v: H[%d][%d] ≠ H[%d][%d]", r, mode, i, j, j, i)
				}
			}
		}
	}
}

// The comparison with differences would pass a Hessian of zeros wherever
// the gradient does not move; these reads make sure it does, so that it
// says something: between expiries a vol is not linear in its nodes, nor a
// zero rate in τ.
func TestScopeHessianIsNotZero(t *testing.T) {
	m := mustLoad(t, desk)
	for _, r := range []soRead{{"vol", "SKEW", 0.7, 85, false}, {"rate", "USD", 1.7, 0, false}} {
		rows := hessians(t, m, r, tauVar)
		assert.NotZero(t, rows[m.Len()][m.Len()], "%v: ∂²/∂τ²", r)
		if r.what == "vol" {
			q := key(t, m, "VOL/SKEW/6M/80")
			assert.NotZero(t, rows[q][q], "%v: ∂²/∂σ²", r)
		}
	}
}

func TestScopeSecondOrderBitIdentical(t *testing.T) {
	m := mustLoad(t, desk)
	tp1, tp2 := aad.NewTape(0), aad.NewTape(0)
	tp2.SetSecondOrder(true)
	sc1, sc2 := m.NewScope(), m.NewScope()
	for _, mode := range []tauMode{tauPassive, tauTime, tauVar} {
		for _, r := range append(deskReads(m), tvReads(m)...) {
			v1, g1, _ := firstOrder(t, m, sc1, tp1, r, mode, Bump{Quote: -1}, r.T)
			for _, q := range []int{-1, key(t, m, "RATE/USD/1Y"), key(t, m, "VOL/SKEW/1Y/75"), key(t, m, "VOL/FEW/1Y/100")} {
				v2, g2, _ := secondOrder(t, m, sc2, tp2, r, mode, q)
				require.Equal(t, math.Float64bits(v1), math.Float64bits(v2), "%v, %v: value", r, mode)
				for j := range g1 {
					require.Equal(t, math.Float64bits(g1[j]), math.Float64bits(g2[j]), "%v, %v: ∂/∂[%d] %v first order, %v second", r, mode, j, g1[j], g2[j])
				}
			}
		}
	}
}

// Where every vol a read depends on is 0, Vol takes its partials as 0, and
// so its Hessian.
func TestScopeHessianZeroVol(t *testing.T) {
	m := mustLoad(t, desk)
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	sc := m.NewScope()
	q := key(t, m, "VOL/ZERO/6M/90")
	for _, mode := range []tauMode{tauTime, tauVar} {
		v, g, h := secondOrder(t, m, sc, tp, soRead{"vol", "ZERO", 0.8, 95, false}, mode, q)
		assert.Zero(t, v)
		for j := range g {
			assert.Zero(t, g[j], "%v: ∂/∂[%d]", mode, j)
			assert.Zero(t, h[j], "%v: ∂²/∂[%d]∂σ", mode, j)
		}
	}
}

func TestResetDirected(t *testing.T) {
	m := mustLoad(t, desk)
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	sc := m.NewScope()
	a, b := key(t, m, "VOL/SKEW/6M/80"), key(t, m, "VOL/SKEW/1Y/75")
	read := func(dir []float64) (aad.Number, []Input) {
		tp.Reset()
		sc.ResetDirected(tp, dir)
		y, err := sc.Vol("SKEW", sc.Time(0.7), 85)
		require.NoError(t, err)
		tp.SetAdjoint(y, 1)
		tp.Backward()
		return y, sc.Inputs()
	}
	// One node: the tangents of the adjoints are the Hessian's row of a,
	// the differences of the gradient as a moves.
	tp1, sc1 := aad.NewTape(0), m.NewScope()
	grad := func(by float64) map[int]float64 {
		tp1.Reset()
		sc1.ResetBumped(tp1, Bump{Quote: a, By: by})
		z, err := sc1.Vol("SKEW", sc1.Time(0.7), 85)
		require.NoError(t, err)
		tp1.SetAdjoint(z, 1)
		tp1.Backward()
		g := map[int]float64{}
		for _, in := range sc1.Inputs() {
			g[in.Quote] = tp1.Adjoint(in.X)
		}
		return g
	}
	dir := make([]float64, m.Len())
	dir[a] = 1
	y, ins := read(dir)
	require.True(t, y.Active())
	require.Len(t, ins, 10) // every node of 6M and of 1Y: a spline's weights reach them all
	up, dn := grad(1e-5), grad(-1e-5)
	rowA := map[int]float64{}
	for _, in := range ins {
		rowA[in.Quote] = tp.AdjointTangent(in.X)
		closeTo(t, (up[in.Quote]-dn[in.Quote])/2e-5, rowA[in.Quote], "∂²σ/∂%s∂%s", m.Quotes()[a].Key, m.Quotes()[in.Quote].Key)
	}
	assert.NotZero(t, rowA[b], "6M and 1Y nodes interact through √")
	// Two nodes: H·(2e_a − 3e_b), the same combination of the two rows.
	dir[b] = 1
	dir[a] = 0
	_, ins = read(dir)
	rowB := map[int]float64{}
	for _, in := range ins {
		rowB[in.Quote] = tp.AdjointTangent(in.X)
	}
	dir[a], dir[b] = 2, -3
	_, ins = read(dir)
	for _, in := range ins {
		assert.InDelta(t, 2*rowA[in.Quote]-3*rowB[in.Quote], tp.AdjointTangent(in.X), 1e-12)
	}
	// Reset forgets the direction: no tangents, no Hessian.
	tp.Reset()
	sc.Reset(tp)
	y, err := sc.Vol("SKEW", sc.Time(0.7), 85)
	require.NoError(t, err)
	tp.SetAdjoint(y, 1)
	tp.Backward()
	for _, in := range sc.Inputs() {
		assert.Zero(t, tp.AdjointTangent(in.X))
		assert.NotZero(t, tp.Adjoint(in.X))
	}
}

func TestScopeSecondOrderZeroAllocations(t *testing.T) {
	m := mustLoad(t, desk)
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	sc := m.NewScope()
	dir := make([]float64, m.Len())
	dir[key(t, m, "VOL/SKEW/6M/80")] = 1
	dir[key(t, m, "RATE/USD/1Y")] = 1
	xs := make([]aad.Number, 0, m.Len()+1)
	g, hv := make([]float64, m.Len()+1), make([]float64, m.Len()+1)
	trade := func() {
		tp.Reset()
		sc.ResetDirected(tp, dir)
		T := sc.Time(0.7)
		r, _ := sc.ZeroRate("USD", T)
		q, _ := sc.DivYield("ACME", T)
		v, _ := sc.Vol("SKEW", T, 85)
		w, _ := sc.Vol("WIDE", T, 800)
		tv, _ := sc.TotalVariance("SKEW", T, 85)
		y := tp.Sum(r, q, v, w, tv.W, tv.DK, tv.DKK, tv.DT)
		xs = xs[:0]
		for _, in := range sc.Inputs() {
			xs = append(xs, in.X)
		}
		g, hv = tp.HessianVector(g, hv, y, xs)
	}
	trade()
	assert.Equal(t, 0.0, testing.AllocsPerRun(100, trade))
}

// BenchmarkVolSecondOrder is one Vol between expiries, with its Hessian,
// on a second-order tape, and its second-order sweep.
func BenchmarkVolSecondOrder(b *testing.B) {
	m := mustLoad(b, desk)
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	sc := m.NewScope()
	dir := make([]float64, m.Len())
	dir[key(b, m, "VOL/SKEW/6M/80")] = 1
	b.ReportAllocs()
	for b.Loop() {
		tp.Reset()
		sc.ResetDirected(tp, dir)
		v, _ := sc.Vol("SKEW", sc.Time(0.7), 85)
		tp.SetAdjoint(v, 1)
		tp.Backward()
	}
}

// BenchmarkVolFirstOrder is BenchmarkVolSecondOrder on a first-order tape,
// for their ratio.
func BenchmarkVolFirstOrder(b *testing.B) {
	m := mustLoad(b, desk)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	b.ReportAllocs()
	for b.Loop() {
		tp.Reset()
		sc.Reset(tp)
		v, _ := sc.Vol("SKEW", sc.Time(0.7), 85)
		tp.SetAdjoint(v, 1)
		tp.Backward()
	}
}

// BenchmarkTotalVarianceSecondOrder is BenchmarkTotalVariance on a
// second-order tape, for their ratio.
func BenchmarkTotalVarianceSecondOrder(b *testing.B) {
	m := tvMarket(b)
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	sc := m.NewScope()
	dir := make([]float64, m.Len())
	b.ReportAllocs()
	for b.Loop() {
		tp.Reset()
		sc.ResetDirected(tp, dir)
		_, _ = sc.TotalVariance("TWELVE", sc.Time(1.1), 97)
	}
}
