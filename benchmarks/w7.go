package benchmarks

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// Workload W7: second order. One Hessian-vector product (the gradient and a
// row of the Hessian, from one recording in second-order mode and one
// sweep) against one gradient (the same recording on a first-order tape and
// one sweep), for W1's options and W2's Asian.
//
// closedform.European records one statement with hand-derived first-order
// partials (Custom), which cannot be recorded in second order; W7 prices
// W1's options with elementary operations instead (BSCallOps), on both
// sides of the ratio. W2's engine writes the lognormal step's adjoint by
// hand (montecarlo's bsModel); W7 records W2's Asian path on the tape
// (W7Asian): a MulAdd and a MulExp per step, the Sum of the fixings and
// the payoff, in the Monte Carlo mark pattern, with the same market,
// grid and payoff as W2.

// BSCallOps is the Black–Scholes–Merton call with dividend yield q, in
// elementary operations (fused ones where they apply): W7's W1 pricer.
func BSCallOps(tp *aad.Tape, s aad.Number, k float64, vol, r, q, t aad.Number) aad.Number {
	sqT := tp.Sqrt(t)
	sd := tp.Mul(vol, sqT)
	carry := tp.Sub(r, q)
	d1 := tp.Add(tp.Div(tp.MulAdd(carry, t, tp.Log(tp.DivConst(s, k))), sd), tp.MulConst(sd, 0.5))
	d2 := tp.Sub(d1, sd)
	fwd := tp.MulExp(s, tp.Neg(tp.Mul(q, t)))
	dfK := tp.MulExp(aad.Const(k), tp.Neg(tp.Mul(r, t)))
	return tp.Sub(tp.Mul(fwd, tp.NormCDF(d1)), tp.Mul(dfK, tp.NormCDF(d2)))
}

// W7Option prices o on tp, which is reset: with hv nil, on a first-order
// tape, it writes the gradient with respect to (spot, vol, rate, div,
// expiry) into g; with hv, on a second-order tape, the gradient into g and
// the product of the Hessian with e_spot (gamma, vanna, and the other
// cross derivatives of delta) into hv. It returns the price.
func W7Option(tp *aad.Tape, o Option, in []aad.Number, g, hv []float64) float64 {
	tp.Reset()
	tp.Vars(in, o.Spot, o.Vol, o.Rate, o.Div, o.Expiry)
	if hv != nil {
		tp.SetTangent(in[0], 1)
	}
	pv := BSCallOps(tp, in[0], o.Strike, in[1], in[2], in[3], in[4])
	if hv != nil {
		tp.HessianVector(g, hv, pv, in)
	} else {
		tp.Gradient(g, pv, in)
	}
	return pv.Value()
}

// W7Options runs W7Option over opts, first order (grad) or second order,
// writing the last option's results into g and hv.
func W7Options(tp *aad.Tape, opts []Option, second bool, g, hv []float64) {
	var in [5]aad.Number
	if !second {
		hv = nil
	}
	for _, o := range opts {
		W7Option(tp, o, in[:], g, hv)
	}
}

// W7OptionsInterleaved runs the gradient and the Hessian-vector product of
// every option chunk by chunk, alternating which goes first, as
// W1Interleaved does, and returns the total time of each. grad is a
// first-order tape, hvp a second-order one.
func W7OptionsInterleaved(grad, hvp *aad.Tape, opts []Option) (tGrad, tHVP time.Duration) {
	var g, h [5]float64
	for lo, k := 0, 0; lo < len(opts); lo, k = lo+W1Chunk, k+1 {
		hi := min(lo+W1Chunk, len(opts))
		alternate(k, &tGrad, func() { W7Options(grad, opts[lo:hi], false, g[:], nil) },
			&tHVP, func() { W7Options(hvp, opts[lo:hi], true, g[:], h[:]) })
	}
	return tGrad, tHVP
}

// W7Asian is W2's arithmetic Asian call recorded on the tape path by path
// in the mark pattern: S0=100, K=100, r=0.05, q=0.02, σ=0.2, T=1, 252
// fixings and steps. Its inputs are S0, σ, r and q; the second-order run
// seeds the direction e_S0 (gamma and the cross derivatives of delta).
type W7Asian struct {
	tp       *aad.Tape
	in       [4]aad.Number
	drift    aad.Number // (r − q − σ²/2)·dt
	volDt    aad.Number // σ·√dt
	df       aad.Number // e^{−rT}
	mark     aad.Mark
	fix      []aad.Number
	pcg      rand.PCG
	pv       float64
	paths    int
	bytes    int // tape bytes used at the end of the last path
	stmts    int // statements at the end of the last path
	strike   float64
	nFixings int

	// Grad and HV are the results, set by Finish: the gradient and, on a
	// second-order tape, H·e_S0 (zero on a first-order one).
	Grad, HV [4]float64
}

// NewW7Asian records the set-up of W7's Asian on tp (reset; second order if
// second) for paths paths in all.
func NewW7Asian(tp *aad.Tape, second bool, paths int) *W7Asian {
	const (
		s0, k, r, q, vol, T = 100.0, 100.0, 0.05, 0.02, 0.2, 1.0
		n                   = 252
	)
	a := &W7Asian{tp: tp, fix: make([]aad.Number, n), paths: paths, strike: k, nFixings: n}
	tp.SetSecondOrder(second)
	tp.Vars(a.in[:], s0, vol, r, q)
	if second {
		tp.SetTangent(a.in[0], 1)
	}
	v, rr, qq := a.in[1], a.in[2], a.in[3]
	dt := T / n
	a.drift = tp.MulConst(tp.Sub(tp.Sub(rr, qq), tp.MulConst(tp.Square(v), 0.5)), dt)
	a.volDt = tp.MulConst(v, math.Sqrt(dt))
	a.df = tp.Exp(tp.MulConst(rr, -T))
	a.mark = tp.Mark()
	return a
}

// Run simulates count paths whose normals are drawn in turn from
// rand.NewPCG(7, seed), adding their weighted adjoints (and, in second
// order, adjoint tangents) into the statements before the mark.
func (a *W7Asian) Run(seed uint64, count int) {
	tp, fix := a.tp, a.fix
	a.pcg.Seed(7, seed)
	w := 1 / float64(a.paths)
	inv := 1 / float64(a.nFixings)
	for range count {
		tp.RewindToMark(a.mark)
		s := a.in[0]
		for i := range fix {
			s = tp.MulExp(s, tp.MulAdd(a.volDt, aad.Const(montecarlo.Normal(&a.pcg)), a.drift))
			fix[i] = s
		}
		avg := tp.MulConst(tp.Sum(fix...), inv)
		pv := tp.Mul(a.df, tp.Max(tp.SubConst(avg, a.strike), aad.Const(0)))
		tp.SetAdjoint(pv, tp.Adjoint(pv)+w)
		tp.BackwardToMark(a.mark)
		a.pv += pv.Value() * w
	}
	st := tp.Stats()
	a.bytes, a.stmts = st.BytesUsed, st.Statements
}

// Finish sweeps the set-up and sets Grad, the gradient with respect to
// (S0, σ, r, q), and on a second-order tape HV, H·e_S0. It returns the
// price.
func (a *W7Asian) Finish() float64 {
	a.tp.BackwardFromMark(a.mark)
	for i, x := range a.in {
		a.Grad[i] = a.tp.Adjoint(x)
		a.HV[i] = a.tp.AdjointTangent(x)
	}
	return a.pv
}

// W7AsianBlock is the number of paths per block of W7AsianInterleaved.
const W7AsianBlock = 5_000

// W7AsianInterleaved runs W7's Asian for paths paths on a first-order tape
// (grad) and on a second-order one (hvp), block by block with the same
// random numbers, alternating which goes first, and returns the total time
// of each and the two runs (finished).
func W7AsianInterleaved(grad, hvp *aad.Tape, paths int) (tGrad, tHVP time.Duration, g, h *W7Asian) {
	t0 := time.Now()
	g = NewW7Asian(grad, false, paths)
	tGrad += time.Since(t0)
	t0 = time.Now()
	h = NewW7Asian(hvp, true, paths)
	tHVP += time.Since(t0)
	for lo, k := 0, 0; lo < paths; lo, k = lo+W7AsianBlock, k+1 {
		n := min(W7AsianBlock, paths-lo)
		alternate(k, &tGrad, func() { g.Run(uint64(k), n) }, &tHVP, func() { h.Run(uint64(k), n) })
	}
	t0 = time.Now()
	g.Finish()
	tGrad += time.Since(t0)
	t0 = time.Now()
	h.Finish()
	tHVP += time.Since(t0)
	return tGrad, tHVP, g, h
}

// BytesPerStatement is the tape bytes per statement at the end of the last
// path (set-up included).
func (a *W7Asian) BytesPerStatement() float64 { return float64(a.bytes) / float64(a.stmts) }
