package closedform

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// allFiniteSlice requires every element of g to be finite.
func requireFinite(t *testing.T, g []float64, msgAndArgs ...any) {
	t.Helper()
	for i, x := range g {
		require.False(t, math.IsNaN(x) || math.IsInf(x, 0), "element %d is %v: %v", i, x, msgAndArgs)
	}
}

// As σ√T → 0 European tends to the discounted intrinsic value of the forward
// with finite sensitivities; at σ = 0 it is that value.
func TestEuropeanVanishingVariance(t *testing.T) {
	const s, r, q = 100.0, 0.05, 0.02
	for _, call := range []bool{true, false} {
		for _, k := range []float64{80, 120} {
			for _, tv := range [][2]float64{{1e-14, 0.2}, {1e-10, 0.2}, {1, 1e-12}, {1, 0}, {2, 1e-9}} {
				x := []float64{s, k, tv[0], r, q, tv[1]}
				v, g := aadGradient(t, european(call), x)
				requireFinite(t, g, x)
				sq, kd := s*math.Exp(-q*tv[0]), k*math.Exp(-r*tv[0])
				want := max(sign(call)*(sq-kd), 0)
				testutil.Near(t, v, want, 1e-14, 1e-12, "call=%v %v", call, x)
				itm := sign(call)*(sq-kd) > 0
				wantDelta := 0.0
				if itm {
					wantDelta = sign(call) * math.Exp(-q*tv[0])
				}
				testutil.Near(t, g[0], wantDelta, 1e-12, 1e-12, "delta call=%v %v", call, x)
			}
		}
	}
	// At the forward (R = Q, K = S) with σ = 0: value 0 and the vega of the
	// σ → 0 limit.
	x := []float64{100, 100, 1, 0.03, 0.03, 0}
	v, g := aadGradient(t, european(true), x)
	requireFinite(t, g)
	testutil.Near(t, v, 0, 0, 1e-12)
	testutil.Near(t, g[5], 100*math.Exp(-0.03)/math.Sqrt(2*math.Pi), 1e-12, 0, "vega at σ = 0 at the forward")
	testutil.Near(t, g[0], 0.5*math.Exp(-0.03), 1e-12, 0, "delta at σ = 0 at the forward")
	// Tiny σ√T at the forward: the ATM approximation S·e^{−QT}·σ√T/√(2π).
	x[5] = 1e-9
	v, g = aadGradient(t, european(false), x)
	requireFinite(t, g)
	testutil.Near(t, v, 100*math.Exp(-0.03)*1e-9/math.Sqrt(2*math.Pi), 1e-6, 0)
}

func TestDigitalVanishingVariance(t *testing.T) {
	for _, call := range []bool{true, false} {
		for _, x := range [][]float64{{100, 90, 1, 0.05, 0.01, 0}, {100, 110, 1, 0.05, 0.01, 1e-12}, {100, 101, 1e-12, 0.05, 0.01, 0.3}} {
			f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(DigitalCash(tp, typeOf(call), params(in), 10))
			}
			v, g := aadGradient(t, f, x)
			requireFinite(t, g, x)
			fwd := x[0] * math.Exp((x[3]-x[4])*x[2])
			want := 0.0
			if (fwd > x[1]) == call {
				want = 10 * math.Exp(-x[3]*x[2])
			}
			testutil.Near(t, v, want, 1e-12, 1e-12, "call=%v %v", call, x)
			fa := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(DigitalAsset(tp, typeOf(call), params(in)))
			}
			v, g = aadGradient(t, fa, x)
			requireFinite(t, g, x)
			if want != 0 {
				want = x[0] * math.Exp(-x[4]*x[2])
			}
			testutil.Near(t, v, want, 1e-12, 1e-12, "asset call=%v %v", call, x)
		}
	}
	// σ = 0 with the forward on the strike: half the cash; the delta is
	// infinite (the payoff's jump sits on the forward).
	tp := aad.NewTape(0)
	p := Params{S: tp.Var(100), K: aad.Const(100), T: aad.Const(1), R: aad.Const(0.03), Q: aad.Const(0.03), Vol: aad.Const(0)}
	v := DigitalCash(tp, Call, p, 10)
	testutil.Near(t, v.Value(), 5*math.Exp(-0.03), 1e-15, 0)
	assert.True(t, math.IsInf(tp.Gradient(nil, v, []aad.Number{p.S})[0], 1))
}

func TestDeepInAndOutOfTheMoney(t *testing.T) {
	for _, k := range []float64{1e-4, 1e-2, 1e2, 1e4} {
		x := []float64{1, k, 2, 0.04, 0.01, 0.3}
		vc, gc := aadGradient(t, european(true), x)
		vp, gp := aadGradient(t, european(false), x)
		requireFinite(t, gc[:])
		requireFinite(t, gp[:])
		assert.GreaterOrEqual(t, vc, 0.0)
		assert.GreaterOrEqual(t, vp, 0.0)
		fwd := math.Exp(-0.01*2) - k*math.Exp(-0.04*2)
		testutil.Near(t, vc-vp, fwd, 1e-14, 1e-15*max(1, k), "parity at K=%v", k)
	}
}

// Put–call parity of European, in value and every sensitivity: C − P =
// S·e^{−QT} − K·e^{−RT}. Also the digital and Black76 identities.
func TestParities(t *testing.T) {
	for _, x := range vanillaGrid() {
		s, k, tt, r, q := x[0], x[1], x[2], x[3], x[4]
		eq, er := math.Exp(-q*tt), math.Exp(-r*tt)
		vc, gc := aadGradient(t, european(true), x)
		vp, gp := aadGradient(t, european(false), x)
		want := [6]float64{eq, -er, -q*s*eq + r*k*er, tt * k * er, -tt * s * eq, 0}
		testutil.Near(t, vc-vp, s*eq-k*er, 1e-12, 1e-12*s, "parity %v", x)
		for i := range want {
			testutil.Near(t, gc[i]-gp[i], want[i], 1e-11, 1e-11*s, "parity of ∂/∂%s at %v", inputNames[i], x)
		}

		p := params(consts(x))
		cc, _ := checked(DigitalCash(nil, Call, p, 3))
		cp, _ := checked(DigitalCash(nil, Put, p, 3))
		testutil.Near(t, cc.Value()+cp.Value(), 3*er, 1e-14, 0, "cash call + put %v", x)
		ac, _ := checked(DigitalAsset(nil, Call, p))
		ap, _ := checked(DigitalAsset(nil, Put, p))
		testutil.Near(t, ac.Value()+ap.Value(), s*eq, 1e-14, 0, "asset call + put %v", x)
		c1, _ := checked(DigitalCash(nil, Call, p, k))
		testutil.Near(t, ac.Value()-c1.Value(), vc, 1e-12, 1e-12*s, "asset − K·cash = call %v", x)

		for _, call := range []bool{true, false} {
			b, err := checked(Black76(nil, typeOf(call), aad.Const(s*eq/er), aad.Const(k), aad.Const(tt), aad.Const(er), aad.Const(x[5])))
			require.NoError(t, err)
			e, _ := checked(European(nil, typeOf(call), p))
			testutil.Near(t, b.Value(), e.Value(), 1e-12, 1e-12*s, "Black76 = European %v", x)
		}
	}
}

func TestBachelierLimits(t *testing.T) {
	c := aad.Const
	for _, x := range [][]float64{{0.02, 0.02, 2, 0.9, 0.01}, {-0.01, 0.005, 0.5, 1.02, 0.007}, {5, 5, 1, 1, 0}} {
		call, err := checked(Bachelier(nil, Call, c(x[0]), c(x[1]), c(x[2]), c(x[3]), c(x[4])))
		require.NoError(t, err)
		put, err := checked(Bachelier(nil, Put, c(x[0]), c(x[1]), c(x[2]), c(x[3]), c(x[4])))
		require.NoError(t, err)
		testutil.Near(t, call.Value()-put.Value(), x[3]*(x[0]-x[1]), 1e-12, 1e-16, "parity %v", x)
		if x[0] == x[1] {
			testutil.Near(t, call.Value(), x[3]*x[4]*math.Sqrt(x[2]/(2*math.Pi)), 1e-14, 0, "at the money %v", x)
		}
	}
	// Zero normal vol at the money: value 0 and the limiting vega df·√t·φ(0).
	f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
		return checked(Bachelier(tp, Call, in[0], in[1], in[2], in[3], in[4]))
	}
	v, g := aadGradient(t, f, []float64{0.01, 0.01, 4, 0.9, 0})
	requireFinite(t, g)
	testutil.Near(t, v, 0, 0, 0)
	testutil.Near(t, g[4], 0.9*2/math.Sqrt(2*math.Pi), 1e-14, 0)
}

// A knock-in plus the knock-out of the same kind is the European option when
// the rebate is 0, in value and every sensitivity.
func TestBarrierInOutParity(t *testing.T) {
	for _, call := range []bool{true, false} {
		for _, down := range []bool{true, false} {
			in, out, h := UpIn, UpOut, 120.0
			if down {
				in, out, h = DownIn, DownOut, 85
			}
			for _, k := range []float64{70, 100, 130} {
				close := h * 1.0000001
				if !down {
					close = h * 0.9999999
				}
				for _, s := range []float64{close, 100} {
					x := []float64{s, k, 1.5, 0.04, 0.015, 0.3, h}
					fi := func(tp *aad.Tape, v []aad.Number) (aad.Number, error) {
						return Barrier(tp, typeOf(call), in, params(v), v[6], aad.Const(0))
					}
					fo := func(tp *aad.Tape, v []aad.Number) (aad.Number, error) {
						return Barrier(tp, typeOf(call), out, params(v), v[6], aad.Const(0))
					}
					vi, gi := aadGradient(t, fi, x)
					vo, goo := aadGradient(t, fo, x)
					ve, ge := aadGradient(t, european(call), x[:6])
					testutil.Near(t, vi+vo, ve, 1e-12, 1e-12*s, "%s + %s call=%v %v", in, out, call, x)
					for i := range ge {
						testutil.Near(t, gi[i]+goo[i], ge[i], 1e-9, 1e-9*s, "∂/∂%s of %s + %s call=%v %v", inputNames[i], in, out, call, x)
					}
					testutil.Near(t, gi[6]+goo[6], 0, 0, 1e-9*s, "∂/∂barrier of in + out")
				}
			}
		}
	}
}

func TestBarrierNearAndAtTheBarrier(t *testing.T) {
	c := aad.Const
	p := Params{S: c(100), K: c(100), T: c(1), R: c(0.05), Q: c(0.02), Vol: c(0.25)}
	for _, kind := range []BarrierKind{DownIn, DownOut, UpIn, UpOut} {
		h := 100.0
		_, err := Barrier(nil, Call, kind, p, c(h), c(1))
		require.ErrorIs(t, err, ErrBarrierBreached, "%s at the barrier", kind)
		if kind.Down() {
			h = 101
		} else {
			h = 99
		}
		_, err = Barrier(nil, Put, kind, p, c(h), c(1))
		require.ErrorIs(t, err, ErrBarrierBreached, "%s beyond the barrier", kind)
		// Next to the barrier: a knock-out is worth its rebate, a knock-in
		// the vanilla.
		h = 100 * (1 - 1e-9)
		if !kind.Down() {
			h = 100 * (1 + 1e-9)
		}
		for _, call := range []bool{true, false} {
			v, err := Barrier(nil, typeOf(call), kind, p, c(h), c(2))
			require.NoError(t, err)
			want := 2.0
			if kind.In() {
				e, _ := checked(European(nil, typeOf(call), p))
				want = e.Value()
			}
			testutil.Near(t, v.Value(), want, 0, 1e-6, "%s call=%v next to the barrier", kind, call)
		}
	}
}

// A small volatility gives the finite deterministic limit: the forward path
// S·e^{(R−Q)t} either never touches the barrier or does.
func TestBarrierSmallVolatility(t *testing.T) {
	c := aad.Const
	for _, vol := range []float64{1e-2, 1e-3, 1e-5} {
		// Drift up, away from a down barrier: the vanilla; with the spot
		// drifting through it: knocked out, the rebate at the hit.
		p := Params{S: c(100), K: c(100), T: c(1), R: c(0.05), Q: c(0.01), Vol: c(vol)}
		v, err := Barrier(nil, Call, DownOut, p, c(90), c(0))
		require.NoError(t, err)
		e, _ := checked(European(nil, Call, p))
		testutil.Near(t, v.Value(), e.Value(), 1e-12, 1e-12, "vol %v", vol)
		testutil.Near(t, v.Value(), 100*math.Exp(-0.01)-100*math.Exp(-0.05), 1e-4, 0, "vol %v", vol)
		p.R, p.Q = c(0.01), c(0.21) // the forward falls below 90 at t = ln(100/90)/0.2
		tp := aad.NewTape(0)
		p.S = tp.Var(100)
		v, err = Barrier(tp, Call, DownOut, p, c(90), c(3))
		require.NoError(t, err, "vol %v", vol)
		hit := math.Log(100.0/90) / 0.2
		testutil.Near(t, v.Value(), 3*math.Exp(-0.01*hit), 1e-3, 0, "vol %v", vol)
		requireFinite(t, tp.Gradient(nil, v, []aad.Number{p.S}))
	}
}

func TestBarrierRebateNotReal(t *testing.T) {
	c := aad.Const
	p := Params{S: c(100), K: c(100), T: c(1), R: c(-0.05), Q: c(-0.05), Vol: c(0.3)}
	_, err := Barrier(nil, Call, DownOut, p, c(90), c(1))
	require.ErrorIs(t, err, ErrInvalidInput)
	_, err = Barrier(nil, Call, DownOut, p, c(90), c(0)) // no rebate, no term F
	require.NoError(t, err)
	_, err = Barrier(nil, Call, DownIn, p, c(90), c(1)) // the knock-in rebate is at expiry
	require.NoError(t, err)
}

func TestGeometricAsianLimits(t *testing.T) {
	for _, call := range []bool{true, false} {
		for _, x := range vanillaGrid() {
			p := params(consts(x))
			// One fixing at expiry: the European option.
			v, err := checked(GeometricAsianDiscrete(nil, typeOf(call), p, []aad.Number{p.T}))
			require.NoError(t, err)
			e, _ := checked(European(nil, typeOf(call), p))
			testutil.Near(t, v.Value(), e.Value(), 1e-12, 1e-12*x[0], "one fixing call=%v %v", call, x)
		}
		// Many fixings: the continuous average, with an error of order 1/n.
		x := []float64{100, 100, 1, 0.05, 0.02, 0.3}
		p := params(consts(x))
		cont, err := checked(GeometricAsianContinuous(nil, typeOf(call), p))
		require.NoError(t, err)
		prevErr := math.Inf(1)
		for _, n := range []int{100, 1000, 10000} {
			fix := make([]aad.Number, n)
			for i := range fix {
				fix[i] = aad.Const(float64(i+1) / float64(n))
			}
			v, err := checked(GeometricAsianDiscrete(nil, typeOf(call), p, fix))
			require.NoError(t, err)
			e := math.Abs(v.Value() - cont.Value())
			assert.Less(t, e, 10/float64(n), "n = %d", n)
			assert.Less(t, e, prevErr/5, "n = %d: no convergence", n)
			prevErr = e
		}
	}
}

func TestAmericanLimits(t *testing.T) {
	for _, call := range []bool{true, false} {
		for _, x := range vanillaGrid() {
			p := params(consts(x))
			a, err := American(nil, typeOf(call), p)
			require.NoError(t, err, "%v", x)
			e, _ := checked(European(nil, typeOf(call), p))
			assert.GreaterOrEqual(t, a.Value(), e.Value()-1e-12, "American >= European call=%v %v", call, x)
			assert.GreaterOrEqual(t, a.Value(), max(sign(call)*(x[0]-x[1]), 0)-1e-12, "American >= intrinsic call=%v %v", call, x)
			if (call && x[4] <= 0) || (!call && x[3] <= 0) {
				assert.Equal(t, e.Value(), a.Value(), "no early exercise call=%v %v", call, x)
			}
		}
	}
	// A call on an asset without dividends is the European option, sensitivities included.
	x := []float64{100, 95, 1, 0.05, 0, 0.3}
	_, ga := aadGradient(t, func(tp *aad.Tape, in []aad.Number) (aad.Number, error) { return American(tp, Call, params(in)) }, x)
	_, ge := aadGradient(t, european(true), x)
	assert.Equal(t, ge, ga)
	// Deep in the money, beyond the critical price: exercise now.
	for _, call := range []bool{true, false} {
		x := []float64{40, 100, 1, 0.08, 0.02, 0.2}
		if call {
			x = []float64{250, 100, 1, 0.02, 0.08, 0.2}
		}
		v, g := aadGradient(t, func(tp *aad.Tape, in []aad.Number) (aad.Number, error) { return American(tp, typeOf(call), params(in)) }, x)
		testutil.Near(t, v, sign(call)*(x[0]-x[1]), 0, 0, "intrinsic")
		assert.Equal(t, []float64{sign(call), -sign(call), 0, 0, 0, 0}, g)
	}
}

// ImpliedVol inverts European over a grid from deep in to deep out of the
// money, tiny to long expiries and tiny to huge volatilities.
func TestImpliedVolRoundTrip(t *testing.T) {
	solved := 0
	for _, call := range []bool{true, false} {
		for _, k := range []float64{20, 50, 80, 100, 125, 200, 500} {
			for _, tt := range []float64{1e-4, 0.01, 0.25, 1, 10} {
				for _, vol := range []float64{0.005, 0.05, 0.3, 1, 3} {
					p := Params{S: aad.Const(100), K: aad.Const(k), T: aad.Const(tt), R: aad.Const(0.03), Q: aad.Const(0.01), Vol: aad.Const(vol)}
					price, err := checked(European(nil, typeOf(call), p))
					require.NoError(t, err)
					iv, err := ImpliedVol(nil, typeOf(call), price, p)
					if err != nil {
						// Only where the time value is lost in the price's rounding.
						require.ErrorIs(t, err, ErrPriceOutOfBounds, "call=%v K=%v T=%v vol=%v", call, k, tt, vol)
						other, _ := checked(European(nil, typeOf(!call), p))
						tv, iv := min(price.Value(), other.Value()), max(price.Value(), other.Value())
						assert.True(t, tv == 0 || tv < 1e-13*iv, "time value %v lost? call=%v K=%v T=%v vol=%v", tv, call, k, tt, vol)
						continue
					}
					solved++
					p.Vol = iv
					back, err := checked(European(nil, typeOf(call), p))
					require.NoError(t, err)
					testutil.Near(t, back.Value(), price.Value(), 1e-14, 1e-14*100, "repriced call=%v K=%v T=%v vol=%v", call, k, tt, vol)
					// The volatility itself, where vega makes it well determined.
					var o bsm
					o.vanilla(call, 100, k, tt, 0.03, 0.01, vol, true)
					if o.d[iVol]*vol > 1e-6*price.Value() {
						testutil.Near(t, iv.Value(), vol, 1e-9, 0, "vol call=%v K=%v T=%v", call, k, tt)
					}
				}
			}
		}
	}
	assert.Greater(t, solved, 200)
}

// The recorded partials of ImpliedVol are those of the implicit function
// theorem at the solved vol, also deep in the money where bumps fail.
func TestImpliedVolIFT(t *testing.T) {
	for _, call := range []bool{true, false} {
		for _, x := range [][]float64{{100, 60, 0.5, 0.03, 0.01, 0.2}, {100, 100, 0.01, 0.03, 0.01, 0.5}, {100, 150, 3, -0.01, 0.02, 0.35}} {
			price, _ := checked(European(nil, typeOf(call), params(consts(x))))
			f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return ImpliedVol(tp, typeOf(call), in[0], Params{S: in[1], K: in[2], T: in[3], R: in[4], Q: in[5]})
			}
			iv, g := aadGradient(t, f, append([]float64{price.Value()}, x[:5]...))
			_, tg := bsTextbook(call, x[0], x[1], x[2], x[3], x[4], iv)
			vega := tg[5]
			testutil.Near(t, g[0], 1/vega, 1e-10, 0, "∂σ/∂price")
			for i := range 5 {
				testutil.Near(t, g[i+1], -tg[i]/vega, 1e-9, 1e-12, "∂σ/∂%s", inputNames[i])
			}
		}
	}
}

func TestImpliedVolBounds(t *testing.T) {
	c := aad.Const
	p := Params{S: c(100), K: c(90), T: c(1), R: c(0.05), Q: c(0.02)}
	sq, kd := 100*math.Exp(-0.02), 90*math.Exp(-0.05)
	for _, tc := range []struct {
		call  bool
		price float64
	}{
		{true, sq - kd}, {true, sq - kd - 1}, {true, sq}, {true, sq + 1}, {true, 0}, {true, -1},
		{false, 0}, {false, -0.5}, {false, kd}, {false, kd + 1},
	} {
		_, err := ImpliedVol(nil, typeOf(tc.call), c(tc.price), p)
		require.ErrorIs(t, err, ErrPriceOutOfBounds, "call=%v price=%v", tc.call, tc.price)
	}
	_, err := ImpliedVol(nil, Call, c(math.NaN()), p)
	require.ErrorIs(t, err, ErrInvalidInput)
}

func TestInvalidInputs(t *testing.T) {
	c := aad.Const
	good := []float64{100, 100, 1, 0.05, 0.02, 0.2}
	bad := []struct {
		i int
		v float64
	}{
		{0, 0}, {0, -1}, {0, math.NaN()}, {0, math.Inf(1)},
		{1, 0}, {1, -5}, {1, math.Inf(1)},
		{2, 0}, {2, -0.1}, {2, math.NaN()},
		{3, math.NaN()}, {3, math.Inf(-1)},
		{4, math.Inf(1)},
		{5, -0.2}, {5, math.NaN()}, {5, math.Inf(1)},
	}
	fix := []aad.Number{c(0.5), c(1)}
	fns := map[string]pricer{
		"European": european(true),
		"DigitalCash": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(DigitalCash(tp, Call, params(in), 1))
		},
		"DigitalAsset": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(DigitalAsset(tp, Put, params(in)))
		},
		"Barrier": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return Barrier(tp, Call, DownOut, params(in), c(1e-9), c(0))
		},
		"GeometricAsianContinuous": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(GeometricAsianContinuous(tp, Call, params(in)))
		},
		"GeometricAsianDiscrete": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(GeometricAsianDiscrete(tp, Call, params(in), fix))
		},
		"American": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) { return American(tp, Put, params(in)) },
	}
	// Formulas with an error result return an *InputError; the others NaN,
	// whose reason Params.Validate gives.
	for name, f := range fns {
		_, err := f(nil, consts(good))
		require.NoError(t, err, name)
		tp := aad.NewTape(0)
		for _, b := range bad {
			x := append([]float64(nil), good...)
			x[b.i] = b.v
			in := make([]aad.Number, len(x))
			for i, xi := range x {
				in[i] = tp.Var(xi)
			}
			v, err := f(tp, in)
			if name == "Barrier" || name == "American" {
				require.ErrorIs(t, err, ErrInvalidInput, "%s with %s = %v", name, inputNames[b.i], b.v)
			} else {
				require.ErrorIs(t, err, ErrNotFinite, "%s with %s = %v", name, inputNames[b.i], b.v)
				assert.True(t, math.IsNaN(v.Value()) && !v.Active(), "%s with %s = %v: a passive NaN", name, inputNames[b.i], b.v)
				err = params(consts(x)).Validate()
				require.ErrorIs(t, err, ErrInvalidInput, "Validate with %s = %v", inputNames[b.i], b.v)
			}
			var ie *InputError
			require.True(t, errors.As(err, &ie))
			assert.Contains(t, err.Error(), inputNames[b.i], "the message names the input")
		}
	}
	require.NoError(t, params(consts(good)).Validate())
	// Vol = 0 is a limit for the Black–Scholes–Merton formulas, but not for
	// the barrier formula.
	_, err := Barrier(nil, Call, DownOut, Params{S: c(100), K: c(100), T: c(1), R: c(0.05), Q: c(0), Vol: c(0)}, c(90), c(0))
	require.ErrorIs(t, err, ErrInvalidInput)
	p := params(consts(good))
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"DigitalCash payout NaN", second(checked(DigitalCash(nil, Call, p, math.NaN())))},
		{"Asian no fixings", second(checked(GeometricAsianDiscrete(nil, Call, p, nil)))},
		{"Asian fixing 0", second(checked(GeometricAsianDiscrete(nil, Call, p, []aad.Number{c(0), c(1)})))},
		{"Asian decreasing", second(checked(GeometricAsianDiscrete(nil, Call, p, []aad.Number{c(0.6), c(0.5)})))},
		{"Black76 f 0", second(checked(Black76(nil, Call, c(0), c(1), c(1), c(1), c(0.2))))},
		{"Black76 df 0", second(checked(Black76(nil, Call, c(1), c(1), c(1), c(0), c(0.2))))},
		{"Black76 vol -1", second(checked(Black76(nil, Call, c(1), c(1), c(1), c(1), c(-1))))},
		{"Bachelier t 0", second(checked(Bachelier(nil, Call, c(1), c(1), c(0), c(1), c(0.2))))},
		{"Bachelier k NaN", second(checked(Bachelier(nil, Call, c(1), c(math.NaN()), c(1), c(1), c(0.2))))},
	} {
		require.ErrorIs(t, tc.err, ErrNotFinite, "%s: NaN", tc.name)
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"Barrier kind 0", second(Barrier(nil, Call, 0, p, c(90), c(0)))},
		{"Barrier kind 5", second(Barrier(nil, Call, 5, p, c(90), c(0)))},
		{"Barrier level 0", second(Barrier(nil, Call, UpOut, p, c(0), c(0)))},
		{"Barrier rebate Inf", second(Barrier(nil, Call, UpOut, p, c(120), c(math.Inf(1))))},
		{"American vol 0", second(American(nil, Put, Params{S: c(100), K: c(100), T: c(1), R: c(0.05), Vol: c(0)}))},
		{"Asian no fixings", ValidateFixings(nil)},
		{"Asian fixing 0", ValidateFixings([]aad.Number{c(0), c(1)})},
		{"Asian fixing NaN", ValidateFixings([]aad.Number{c(0.5), c(math.NaN())})},
		{"Asian decreasing", ValidateFixings([]aad.Number{c(0.6), c(0.5)})},
	} {
		require.ErrorIs(t, tc.err, ErrInvalidInput, tc.name)
	}
	require.NoError(t, ValidateFixings([]aad.Number{c(0.5), c(0.5), c(1)}))
	// An overflowing result is ±Inf or NaN, never recorded.
	tp := aad.NewTape(0)
	v := European(tp, Call, Params{S: tp.Var(1e300), K: c(1), T: c(1), R: c(-800), Q: c(0), Vol: c(0.2)})
	assert.False(t, finite(v.Value()) || v.Active())
}

func second(_ aad.Number, err error) error { return err }

func TestActiveOnNilTapePanics(t *testing.T) {
	tp := aad.NewTape(0)
	p := Params{S: tp.Var(100), K: aad.Const(100), T: aad.Const(1), R: aad.Const(0.05), Q: aad.Const(0), Vol: aad.Const(0.2)}
	assert.Panics(t, func() { _ = European(nil, Call, p) })
	assert.Panics(t, func() { _, _ = Barrier(nil, Call, DownOut, p, aad.Const(90), aad.Const(0)) })
	assert.Panics(t, func() { _, _ = American(nil, Put, p) })
	p.S = aad.Const(100)
	assert.Panics(t, func() { _ = GeometricAsianDiscrete(nil, Call, p, []aad.Number{tp.Var(1)}) })
	p.K = tp.Var(-1) // invalid too: still a misuse
	assert.Panics(t, func() { _ = European(nil, Call, p) })
}

func TestBarrierKindString(t *testing.T) {
	assert.Equal(t, "down-in", DownIn.String())
	assert.Equal(t, "down-out", DownOut.String())
	assert.Equal(t, "up-in", UpIn.String())
	assert.Equal(t, "up-out", UpOut.String())
	assert.Equal(t, "BarrierKind(9)", BarrierKind(9).String())
}
