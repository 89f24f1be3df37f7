package closedform

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aadrisk/aadrisk/aad"
)

// benchInputs returns n sets of S, K, T, R, Q, Vol over the ranges of
// workload W1.
func benchInputs(n int) [][6]float64 {
	rng := rand.New(rand.NewPCG(1, 2))
	xs := make([][6]float64, n)
	for i := range xs {
		s := 50 + 100*rng.Float64()
		xs[i] = [6]float64{s, s * (0.7 + 0.6*rng.Float64()), 0.02 + 4.98*rng.Float64(), -0.01 + 0.08*rng.Float64(), 0.05 * rng.Float64(), 0.05 + 0.55*rng.Float64()}
	}
	return xs
}

// plainCall is the plain float64 Black–Scholes–Merton call: the baseline.
func plainCall(s, k, t, r, q, vol float64) float64 {
	sd := vol * math.Sqrt(t)
	d1 := (math.Log(s/k)+(r-q)*t)/sd + 0.5*sd
	d2 := d1 - sd
	return s*math.Exp(-q*t)*0.5*math.Erfc(-d1/math.Sqrt2) - k*math.Exp(-r*t)*0.5*math.Erfc(-d2/math.Sqrt2)
}

var sink float64

// benchRecord runs f on a reset tape with all six inputs active and sweeps.
func benchRecord(b *testing.B, f func(tp *aad.Tape, p Params) (aad.Number, error)) {
	xs := benchInputs(1024)
	tp := aad.NewTape(64)
	var in [6]aad.Number
	var g [6]float64
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		x := &xs[i&1023]
		i++
		tp.Reset()
		for j, v := range x {
			in[j] = tp.Var(v)
		}
		y, err := f(tp, params(in[:]))
		if err != nil {
			b.Fatal(err)
		}
		tp.Gradient(g[:], y, in[:])
		sink += g[0]
	}
}

// benchPassive runs f on a nil tape.
func benchPassive(b *testing.B, f func(tp *aad.Tape, p Params) (aad.Number, error)) {
	xs := benchInputs(1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		x := &xs[i&1023]
		i++
		c := aad.Const
		y, err := f(nil, Params{S: c(x[0]), K: c(x[1]), T: c(x[2]), R: c(x[3]), Q: c(x[4]), Vol: c(x[5])})
		if err != nil {
			b.Fatal(err)
		}
		sink += y.Value()
	}
}

// BenchmarkEuropean: price and all six sensitivities (record + sweep)
// against a passive price on a nil tape and the plain float64 formula.
func BenchmarkEuropean(b *testing.B) {
	call := func(tp *aad.Tape, p Params) (aad.Number, error) { return checked(European(tp, Call, p)) }
	b.Run("aad", func(b *testing.B) { benchRecord(b, call) })
	b.Run("aad-elementary", func(b *testing.B) {
		benchRecord(b, func(tp *aad.Tape, p Params) (aad.Number, error) { return europeanElementary(tp, true, p), nil })
	})
	b.Run("nil-tape", func(b *testing.B) { benchPassive(b, call) })
	b.Run("plain", func(b *testing.B) {
		xs := benchInputs(1024)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			x := &xs[i&1023]
			i++
			sink += plainCall(x[0], x[1], x[2], x[3], x[4], x[5])
		}
	})
}

// BenchmarkAmerican: Barone-Adesi–Whaley put, the critical price solved and
// its sensitivities recorded by the implicit function theorem.
func BenchmarkAmerican(b *testing.B) {
	put := func(tp *aad.Tape, p Params) (aad.Number, error) { return American(tp, Put, p) }
	b.Run("aad", func(b *testing.B) { benchRecord(b, put) })
	b.Run("nil-tape", func(b *testing.B) { benchPassive(b, put) })
}

// BenchmarkBarrier: a down-and-out call with a rebate at the hit, barrier at
// 80% of the spot.
func BenchmarkBarrier(b *testing.B) {
	do := func(tp *aad.Tape, p Params) (aad.Number, error) {
		return Barrier(tp, Call, DownOut, p, aad.Const(0.8*p.S.Value()), aad.Const(1))
	}
	b.Run("aad", func(b *testing.B) { benchRecord(b, do) })
	b.Run("nil-tape", func(b *testing.B) { benchPassive(b, do) })
}

// BenchmarkImpliedVol: the volatility of a European call price, with its
// sensitivities to the price and the market inputs.
func BenchmarkImpliedVol(b *testing.B) {
	type input struct {
		p     [6]float64
		price float64
	}
	var xs []input
	for _, x := range benchInputs(4096) {
		c := aad.Const
		p := Params{S: c(x[0]), K: c(x[1]), T: c(x[2]), R: c(x[3]), Q: c(x[4]), Vol: c(x[5])}
		call, _ := checked(European(nil, Call, p))
		put, _ := checked(European(nil, Put, p))
		if min(call.Value(), put.Value()) > 1e-3*x[0] { // a time value to invert
			xs = append(xs, input{x, call.Value()})
		}
	}
	n := len(xs)
	b.Run("aad", func(b *testing.B) {
		tp := aad.NewTape(64)
		var in [6]aad.Number
		var g [6]float64
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			x := &xs[i%n]
			i++
			tp.Reset()
			in[0] = tp.Var(x.price)
			for j, v := range x.p[:5] {
				in[j+1] = tp.Var(v)
			}
			vol, err := ImpliedVol(tp, Call, in[0], Params{S: in[1], K: in[2], T: in[3], R: in[4], Q: in[5]})
			if err != nil {
				b.Fatal(err)
			}
			tp.Gradient(g[:], vol, in[:])
			sink += g[0]
		}
	})
	b.Run("nil-tape", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			x := &xs[i%n]
			i++
			c := aad.Const
			vol, err := ImpliedVol(nil, Call, c(x.price), Params{S: c(x.p[0]), K: c(x.p[1]), T: c(x.p[2]), R: c(x.p[3]), Q: c(x.p[4])})
			if err != nil {
				b.Fatal(err)
			}
			sink += vol.Value()
		}
	})
}
