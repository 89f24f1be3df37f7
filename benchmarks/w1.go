package benchmarks

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/fastmath"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

// Option is one European option of workload W1.
type Option struct {
	Spot, Strike, Vol, Rate, Div, Expiry float64
}

// W1Options returns n European calls with spot, strike, vol, rate, dividend
// yield and expiry spread over realistic ranges, the same for a given seed.
func W1Options(n int, seed uint64) []Option {
	rng := rand.New(rand.NewPCG(seed, 1))
	opts := make([]Option, n)
	for i := range opts {
		s := 50 + 100*rng.Float64()
		opts[i] = Option{
			Spot:   s,
			Strike: s * (0.7 + 0.6*rng.Float64()),
			Vol:    0.05 + 0.55*rng.Float64(),
			Rate:   -0.01 + 0.08*rng.Float64(),
			Div:    0.05 * rng.Float64(),
			Expiry: 0.02 + 4.98*rng.Float64(),
		}
	}
	return opts
}

// BSCallPlain is the plain float64 Black–Scholes–Merton call price: the
// fastest plain code for W1, the baseline of its aad/plain ratio.
func BSCallPlain(s, k, vol, r, q, t float64) float64 {
	sd := vol * math.Sqrt(t)
	d1 := (fastmath.Log(s/k)+(r-q)*t)/sd + 0.5*sd
	d2 := d1 - sd
	return s*fastmath.Exp(-q*t)*fastmath.NormCDF(d1) - k*fastmath.Exp(-r*t)*fastmath.NormCDF(d2)
}

// BSCall is the Black–Scholes–Merton call price of the pricing package,
// over the AAD number type: on a tape it records the price for the
// sensitivities to all of s, vol, r, q and t; on a nil tape it only prices
// (bump-and-revalue).
func BSCall(tp *aad.Tape, s aad.Number, k float64, vol, r, q, t aad.Number) aad.Number {
	return closedform.European(tp, closedform.Call, closedform.Params{S: s, K: aad.Const(k), T: t, R: r, Q: q, Vol: vol})
}

// Greeks of one W1 option: the price and its first-order sensitivities.
type Greeks struct {
	PV, Delta, Vega, Rho, DivRho, Theta float64
}

// W1AAD prices every option on tp (reset per option) and writes its price
// and sensitivities from one backward sweep into dst.
func W1AAD(tp *aad.Tape, opts []Option, dst []Greeks) {
	var in [5]aad.Number
	var g [5]float64
	for i, o := range opts {
		tp.Reset()
		tp.Vars(in[:], o.Spot, o.Vol, o.Rate, o.Div, o.Expiry)
		pv := BSCall(tp, in[0], o.Strike, in[1], in[2], in[3], in[4])
		tp.Gradient(g[:], pv, in[:])
		// Field by field: a Greeks literal would be built in a temporary
		// and copied with 16-byte loads that stall on its 8-byte stores.
		d := &dst[i]
		d.PV, d.Delta, d.Vega, d.Rho, d.DivRho, d.Theta = pv.Value(), g[0], g[1], g[2], g[3], -g[4]
	}
}

// W1Direct prices every option and writes its price and sensitivities
// from closedform.EuropeanGradient: the statement European records, with no
// tape (the inputs are plain numbers, so nothing needs the recording).
func W1Direct(opts []Option, dst []Greeks) {
	for i, o := range opts {
		v, g := closedform.EuropeanGradient(closedform.Call, o.Spot, o.Strike, o.Expiry, o.Rate, o.Div, o.Vol)
		d := &dst[i]
		d.PV, d.Delta, d.Vega, d.Rho, d.DivRho, d.Theta = v, g.S, g.Vol, g.R, g.Q, -g.T
	}
}

// W1DirectInterleaved is W1Interleaved with W1Direct for W1AAD.
func W1DirectInterleaved(opts []Option, plain []float64, greeks []Greeks) (tPlain, tDirect time.Duration) {
	for lo, k := 0, 0; lo < len(opts); lo, k = lo+W1Chunk, k+1 {
		hi := min(lo+W1Chunk, len(opts))
		alternate(k, &tPlain, func() { W1Plain(opts[lo:hi], plain[lo:hi]) },
			&tDirect, func() { W1Direct(opts[lo:hi], greeks[lo:hi]) })
	}
	return tPlain, tDirect
}

// W1Bump prices every option and its sensitivities by one-sided
// bump-and-revalue: the same pricer run passively, once as it is and once per
// input with that input bumped.
func W1Bump(opts []Option, dst []Greeks) {
	const h = 1e-6
	c := aad.Const
	for i, o := range opts {
		pv := BSCall(nil, c(o.Spot), o.Strike, c(o.Vol), c(o.Rate), c(o.Div), c(o.Expiry)).Value()
		hs := h * o.Spot
		ds := BSCall(nil, c(o.Spot+hs), o.Strike, c(o.Vol), c(o.Rate), c(o.Div), c(o.Expiry)).Value()
		dv := BSCall(nil, c(o.Spot), o.Strike, c(o.Vol+h), c(o.Rate), c(o.Div), c(o.Expiry)).Value()
		dr := BSCall(nil, c(o.Spot), o.Strike, c(o.Vol), c(o.Rate+h), c(o.Div), c(o.Expiry)).Value()
		dq := BSCall(nil, c(o.Spot), o.Strike, c(o.Vol), c(o.Rate), c(o.Div+h), c(o.Expiry)).Value()
		dt := BSCall(nil, c(o.Spot), o.Strike, c(o.Vol), c(o.Rate), c(o.Div), c(o.Expiry+h)).Value()
		dst[i] = Greeks{PV: pv, Delta: (ds - pv) / hs, Vega: (dv - pv) / h, Rho: (dr - pv) / h, DivRho: (dq - pv) / h, Theta: -(dt - pv) / h}
	}
}

// W1Plain prices every option with the plain float64 twin, price only.
func W1Plain(opts []Option, dst []float64) {
	for i, o := range opts {
		dst[i] = BSCallPlain(o.Spot, o.Strike, o.Vol, o.Rate, o.Div, o.Expiry)
	}
}

// W1Chunk is the number of options per chunk of W1Interleaved: enough for a
// chunk to take about a millisecond, few enough that the machine's speed
// hardly changes between the two passes over it.
const W1Chunk = 10_000

// W1Interleaved runs W1Plain and W1AAD over opts chunk by chunk, alternating
// which goes first, and returns the total time of each. On a shared machine
// whose speed drifts from one second to the next, the ratio of these totals
// is much steadier than that of two separate runs, because both see the
// same drift.
func W1Interleaved(tp *aad.Tape, opts []Option, plain []float64, greeks []Greeks) (tPlain, tAAD time.Duration) {
	for lo, k := 0, 0; lo < len(opts); lo, k = lo+W1Chunk, k+1 {
		hi := min(lo+W1Chunk, len(opts))
		alternate(k, &tPlain, func() { W1Plain(opts[lo:hi], plain[lo:hi]) },
			&tAAD, func() { W1AAD(tp, opts[lo:hi], greeks[lo:hi]) })
	}
	return tPlain, tAAD
}

// alternate runs a and b, adding their times to ta and tb, a first in
// even rounds k and b first in odd ones, so that two passes measured
// chunk by chunk see the same drift of the machine's speed.
func alternate(k int, ta *time.Duration, a func(), tb *time.Duration, b func()) {
	timed := func(t *time.Duration, f func()) {
		t0 := time.Now()
		f()
		*t += time.Since(t0)
	}
	if k%2 == 0 {
		timed(ta, a)
		timed(tb, b)
	} else {
		timed(tb, b)
		timed(ta, a)
	}
}
