package benchmarks

import (
	"math"
	"math/rand/v2"

	"github.com/aadrisk/aadrisk/aad"
)

// AsianParams are the inputs of workload W2: a Monte Carlo arithmetic-average
// Asian call under lognormal dynamics, with one fixing per time step.
type AsianParams struct {
	Spot, Strike, Vol, Rate, Div, Expiry float64
	Steps, Paths                         int
}

// W2Params returns the W2 workload of the standard benchmarks.
func W2Params() AsianParams {
	return AsianParams{Spot: 100, Strike: 100, Vol: 0.2, Rate: 0.05, Div: 0.02, Expiry: 1, Steps: 252, Paths: 100_000}
}

// Normals returns n standard normal draws from a PCG stream with the given
// seed, generated once and shared by the plain, aad and bump runs so that
// all three see the same random numbers.
func Normals(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 2))
	z := make([]float64, n)
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	return z
}

// AsianResult is the W2 price with its standard error and its
// sensitivities to the five inputs.
type AsianResult struct {
	PV, StdErr                          float64
	Delta, Vega, Rho, DivRho, DExpiry   float64
	StatementsPerPath, TapeBytesPerPath int
}

// W2Plain prices the Asian call with plain float64 code, price only: the
// baseline of the aad/plain ratio.
func W2Plain(p AsianParams, z []float64) float64 {
	dt := p.Expiry / float64(p.Steps)
	drift := (p.Rate - p.Div - 0.5*p.Vol*p.Vol) * dt
	vsdt := p.Vol * math.Sqrt(dt)
	inv := 1 / float64(p.Steps)
	total := 0.0
	for path := range p.Paths {
		zs := z[path*p.Steps : (path+1)*p.Steps]
		s, sum := p.Spot, 0.0
		for _, zi := range zs {
			s *= math.Exp(drift + vsdt*zi)
			sum += s
		}
		total += max(sum*inv-p.Strike, 0)
	}
	return math.Exp(-p.Rate*p.Expiry) * total / float64(p.Paths)
}

// AsianPricer prices the W2 Asian call over the AAD number type with the
// mark pattern. Its buffers are reused across calls, so a warm pricer
// records and sweeps every path without allocating.
type AsianPricer struct {
	fixings []aad.Number
}

// Price prices p with the normals z on tp, which it resets. With a nil tape
// it prices only (bump-and-revalue); on a tape it also returns the
// sensitivities, from one backward sweep per path to the mark and one from
// the mark to the inputs.
func (a *AsianPricer) Price(tp *aad.Tape, p AsianParams, z []float64) AsianResult {
	if cap(a.fixings) < p.Steps {
		a.fixings = make([]aad.Number, p.Steps)
	}
	fix := a.fixings[:p.Steps]
	tp.Reset()
	s0, vol, r, q, T := tp.Var(p.Spot), tp.Var(p.Vol), tp.Var(p.Rate), tp.Var(p.Div), tp.Var(p.Expiry)
	dt := tp.DivConst(T, float64(p.Steps))
	// drift = (r − q − σ²/2)·dt, vsdt = σ·√dt, df = e^{−rT}
	drift := tp.Mul(tp.Sub(tp.Sub(r, q), tp.MulConst(tp.Square(vol), 0.5)), dt)
	vsdt := tp.Mul(vol, tp.Sqrt(dt))
	df := tp.Exp(tp.Neg(tp.Mul(r, T)))
	coef := [2]aad.Number{drift, vsdt}
	mark := tp.Mark()
	m0 := tp.Stats()

	inv := 1 / float64(p.Steps)
	w := 1 / float64(p.Paths)
	zero := aad.Const(0)
	var sum, sumSq float64
	var res AsianResult
	for path := range p.Paths {
		zs := z[path*p.Steps : (path+1)*p.Steps]
		zs = zs[:len(fix)]
		tp.RewindToMark(mark)
		tp.ExpAffineScan(fix, s0, coef[0:1], coef[1:2], zs)
		payoff := tp.Mul(tp.Max(tp.SubConst(tp.MulConst(tp.Sum(fix...), inv), p.Strike), zero), df)
		v := payoff.Value()
		sum += v
		sumSq += v * v
		if payoff.Active() {
			if path == 0 {
				st := tp.Stats()
				res.StatementsPerPath = st.Statements - m0.Statements
				res.TapeBytesPerPath = st.BytesUsed - m0.BytesUsed
			}
			tp.SetAdjoint(payoff, w)
			tp.BackwardToMark(mark)
		}
	}
	n := float64(p.Paths)
	res.PV = sum / n
	res.StdErr = math.Sqrt(max(sumSq/n-res.PV*res.PV, 0) / (n - 1))
	if tp != nil {
		tp.BackwardFromMark(mark)
		res.Delta, res.Vega, res.Rho, res.DivRho, res.DExpiry = tp.Adjoint(s0), tp.Adjoint(vol), tp.Adjoint(r), tp.Adjoint(q), tp.Adjoint(T)
	}
	return res
}

// W2Bump prices p and its five sensitivities by one-sided bump-and-revalue
// with the same normals: the pricer run passively six times.
func W2Bump(a *AsianPricer, p AsianParams, z []float64) AsianResult {
	const h = 1e-6
	base := a.Price(nil, p, z)
	bumped := func(f func(*AsianParams)) float64 {
		q := p
		f(&q)
		return a.Price(nil, q, z).PV
	}
	hs := h * p.Spot
	base.Delta = (bumped(func(q *AsianParams) { q.Spot += hs }) - base.PV) / hs
	base.Vega = (bumped(func(q *AsianParams) { q.Vol += h }) - base.PV) / h
	base.Rho = (bumped(func(q *AsianParams) { q.Rate += h }) - base.PV) / h
	base.DivRho = (bumped(func(q *AsianParams) { q.Div += h }) - base.PV) / h
	base.DExpiry = (bumped(func(q *AsianParams) { q.Expiry += h }) - base.PV) / h
	return base
}
