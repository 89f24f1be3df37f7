package aad_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// A warm tape records and sweeps with no heap allocation.

// bsInputs are the inputs of bsCall, in order: spot, strike, rate,
// dividend yield, volatility, expiry.
var bsInputs = [6]float64{100, 95, 0.03, 0.01, 0.25, 1.5}

// bsCall records a Black–Scholes–Merton call price with buf as scratch (at
// least 4 Numbers).
func bsCall(tp *aad.Tape, s, k, r, q, vol, T aad.Number, buf []aad.Number) aad.Number {
	sqrtT := tp.Sqrt(T)
	sd := tp.Mul(vol, sqrtT)
	lnSK := tp.Log(tp.Div(s, k))
	drift := tp.Sum(r, tp.Neg(q), tp.MulConst(tp.Square(vol), 0.5))
	d1 := tp.Div(tp.MulAdd(drift, T, lnSK), sd)
	d2 := tp.Sub(d1, sd)
	buf[0] = tp.MulExp(s, tp.Neg(tp.Mul(q, T)))
	buf[1] = tp.Neg(tp.Mul(k, tp.Exp(tp.Neg(tp.Mul(r, T)))))
	buf[2] = tp.NormCDF(d1)
	buf[3] = tp.NormCDF(d2)
	return tp.Dot(buf[0:2], buf[2:4])
}

// bsClosedForm is the price and delta by the textbook formula.
func bsClosedForm(s, k, r, q, vol, T float64) (price, delta float64) {
	sd := vol * math.Sqrt(T)
	d1 := (math.Log(s/k) + (r-q+vol*vol/2)*T) / sd
	d2 := d1 - sd
	return s*math.Exp(-q*T)*aad.NormCDF(d1) - k*math.Exp(-r*T)*aad.NormCDF(d2), math.Exp(-q*T) * aad.NormCDF(d1)
}

func TestAllocsClosedForm(t *testing.T) {
	tp := aad.NewTape(0)
	in := make([]aad.Number, 6)
	buf := make([]aad.Number, 4)
	dst := make([]float64, 6)
	var price float64
	run := func() {
		tp.Reset()
		tp.Vars(in, bsInputs[:]...)
		y := bsCall(tp, in[0], in[1], in[2], in[3], in[4], in[5], buf)
		tp.Gradient(dst, y, in)
		price = y.Value() + tp.Adjoint(in[0]) + tp.Adjoint(in[4])
	}
	for range 3 {
		run() // warm up
	}
	// The computation is right.
	wantP, wantD := bsClosedForm(bsInputs[0], bsInputs[1], bsInputs[2], bsInputs[3], bsInputs[4], bsInputs[5])
	tp.Reset()
	for i, v := range bsInputs {
		in[i] = tp.Var(v)
	}
	y := bsCall(tp, in[0], in[1], in[2], in[3], in[4], in[5], buf)
	require.InDelta(t, wantP, y.Value(), 1e-12*wantP, "price: got %v, want %v", y.Value(), wantP)
	g := tp.Gradient(dst, y, in)
	require.InDelta(t, wantD, g[0], 1e-12, "delta: got %v, want %v", g[0], wantD)

	allocs := testing.AllocsPerRun(200, run)
	assert.Equal(t, 0.0, allocs, "allocations per Reset+record+Gradient: got %v, want 0", allocs)
	_ = price

	// Passive evaluation on a nil tape allocates nothing either.
	var nilTape *aad.Tape
	c := consts(bsInputs[:])
	allocs = testing.AllocsPerRun(200, func() {
		price = bsCall(nilTape, c[0], c[1], c[2], c[3], c[4], c[5], buf).Value()
	})
	assert.Equal(t, 0.0, allocs, "allocations per nil-tape evaluation: got %v, want 0", allocs)
}

func TestAllocsMonteCarloPath(t *testing.T) {
	const (
		nSteps = 252
		nPaths = 64
		dt     = 1.0 / nSteps
		strike = 100.0
	)
	z := normalPaths(3, 4, nPaths, nSteps)
	tp := aad.NewTape(0)
	s0, mu, sigma := tp.Var(100), tp.Var(0.02), tp.Var(0.3)
	drift := tp.MulConst(tp.Sub(mu, tp.MulConst(tp.Square(sigma), 0.5)), dt)
	volDt := tp.MulConst(sigma, math.Sqrt(dt))
	m := tp.Mark()
	buf := make([]aad.Number, nSteps)
	zero := aad.Const(0)
	payoffAndSweep := func() {
		avg := tp.MulConst(tp.Sum(buf...), 1.0/nSteps)
		pay := tp.Max(tp.SubConst(avg, strike), zero)
		tp.SetAdjoint(pay, 1.0/nPaths) // a no-op where the payoff is the passive 0
		tp.BackwardToMark(m)
	}
	p := 0
	path := func() {
		tp.RewindToMark(m)
		zp := z[p%nPaths]
		p++
		s := s0
		for j, zj := range zp {
			s = tp.MulExp(s, tp.Add(drift, tp.MulConst(volDt, zj)))
			buf[j] = s
		}
		payoffAndSweep()
	}
	for range 2 * nPaths {
		path() // warm up
	}
	allocs := testing.AllocsPerRun(nPaths, path)
	assert.Equal(t, 0.0, allocs, "allocations per path: got %v, want 0", allocs)

	allocs = testing.AllocsPerRun(10, func() { tp.BackwardFromMark(m) })
	assert.Equal(t, 0.0, allocs, "allocations per BackwardFromMark: got %v, want 0", allocs)
	assert.True(t, tp.Adjoint(s0) > 0, "delta of the Asian call: got %v, want > 0", tp.Adjoint(s0))
}

func TestAllocsForward(t *testing.T) {
	tp := aad.NewTape(0)
	in := vars(tp, bsInputs[:])
	buf := make([]aad.Number, 4)
	y := bsCall(tp, in[0], in[1], in[2], in[3], in[4], in[5], buf)
	g := tp.Gradient(nil, y, in)
	var tan float64
	i := 0
	run := func() {
		tp.ClearTangents()
		tp.SetTangent(in[i%len(in)], 1)
		tp.Forward()
		tan = tp.Tangent(y)
		i++
	}
	for range 3 {
		run()
	}
	allocs := testing.AllocsPerRun(60, run)
	assert.Equal(t, 0.0, allocs, "allocations per Forward: got %v, want 0", allocs)
	// And it agrees with the backward sweep.
	for k := range in {
		tp.ClearTangents()
		tp.SetTangent(in[k], 1)
		tp.Forward()
		testutil.Near(t, tp.Tangent(y), g[k], 1e-14, 1e-300, "forward ∂price/∂input %d", k)
	}
	_ = tan
}
