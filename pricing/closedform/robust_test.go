package closedform

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
	"github.com/aadrisk/aadrisk/marketdata"
)

// Over random inputs spanning many orders of magnitude, every pricer either
// returns a finite value with finite sensitivities (the same value on a
// nil tape) or one of the package's errors; it never panics, hangs or
// returns NaN. Valid inputs of the analytic formulas never fail.
func TestRobustness(t *testing.T) {
	n := 4000
	if testing.Short() {
		n = 500
	}
	rng := rand.New(rand.NewPCG(7, 11))
	logU := func(lo, hi float64) float64 { return math.Pow(10, lo+(hi-lo)*rng.Float64()) }
	fails := map[string]int{}
	for i := range n {
		s := logU(-2, 4)
		x := []float64{s, s * logU(-1.5, 1.5), logU(-6, 1.7), -0.1 + 0.4*rng.Float64(), -0.1 + 0.4*rng.Float64(), logU(-4, 0.7), 0, 10 * rng.Float64()}
		if i%50 == 0 {
			x[5] = 0
		}
		call := rng.IntN(2) == 0
		kind := BarrierKind(1 + rng.IntN(4))
		if kind.Down() {
			x[6] = s * (0.01 + 0.98*rng.Float64())
		} else {
			x[6] = s * logU(0.001, 2)
		}
		fns := map[string]pricer{
			"European": european(call),
			"DigitalCash": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(DigitalCash(tp, typeOf(call), params(in), 5))
			},
			"DigitalAsset": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(DigitalAsset(tp, typeOf(call), params(in)))
			},
			"Barrier": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return Barrier(tp, typeOf(call), kind, params(in), in[6], in[7])
			},
			"GeometricAsianContinuous": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(GeometricAsianContinuous(tp, typeOf(call), params(in)))
			},
			"GeometricAsianDiscrete": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				fix := [4]aad.Number{tp.MulConst(in[2], 0.25), tp.MulConst(in[2], 0.5), tp.MulConst(in[2], 0.75), in[2]}
				return checked(GeometricAsianDiscrete(tp, typeOf(call), params(in), fix[:]))
			},
			"American": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) { return American(tp, typeOf(call), params(in)) },
		}
		for name, f := range fns {
			tp := aad.NewTape(0)
			in := make([]aad.Number, len(x))
			for j, v := range x {
				in[j] = tp.Var(v)
			}
			var y aad.Number
			var err error
			require.NotPanics(t, func() { y, err = f(tp, in) }, "%s %v", name, x)
			if err != nil {
				fails[name]++
				assert.True(t, errors.Is(err, ErrNotFinite) || errors.Is(err, ErrInvalidInput) || errors.Is(err, ErrNoConvergence),
					"%s %v: unexpected error %v", name, x, err)
				switch name {
				case "American", "Barrier":
					// Only the documented domain: Vol > 0, and a real term F.
					assert.ErrorIs(t, err, ErrInvalidInput, "%s %v", name, x)
				case "European", "GeometricAsianContinuous", "DigitalAsset", "GeometricAsianDiscrete":
					// Only overflow of e^{−QT}, e^{−RT}: impossible in these ranges.
					t.Errorf("%s %v: %v", name, x, err)
				}
				continue
			}
			g := tp.Gradient(nil, y, in)
			requireFinite(t, append(g, y.Value()), name, x)
			yp, err := f(nil, consts(x))
			if name == "GeometricAsianDiscrete" { // its fixings are made on the tape above
				continue
			}
			require.NoError(t, err, "%s on a nil tape %v", name, x)
			assert.Equal(t, y.Value(), yp.Value(), "%s on a nil tape %v", name, x)
		}
		// The implied volatility of the price of the out-of-the-money
		// option, which keeps its precision: a round trip unless the price
		// underflows to 0.
		p := params(consts(x))
		otm := x[0]*math.Exp((x[3]-x[4])*x[2]) < x[1]
		e, err := checked(European(nil, typeOf(otm), p))
		require.NoError(t, err)
		iv, err := ImpliedVol(nil, typeOf(otm), e, p)
		upper := x[1] * math.Exp(-x[3]*x[2])
		if otm {
			upper = x[0] * math.Exp(-x[4]*x[2])
		}
		if err != nil {
			// Only a price that underflowed to 0, or one that reached its
			// upper bound (a huge total variance) in double precision.
			require.ErrorIs(t, err, ErrPriceOutOfBounds, "%v", x)
			if e.Value() != 0 && e.Value() < upper*(1-1e-14) {
				t.Errorf("implied vol of %v at %v: %v", e.Value(), x, err)
			}
			fails["ImpliedVol"]++
			continue
		}
		if e.Value() < 1e-300 {
			continue // a subnormal price has lost its digits
		}
		// The volatility to the rounding of the price: relative error
		// 1e-12 in the price moves it by 1e-12·price/(vega·vol) relatively.
		var o bsm
		o.vanilla(otm, x[0], x[1], x[2], x[3], x[4], x[5], true)
		cond := e.Value() / (o.d[iVol] * x[5])
		testutil.Near(t, iv.Value(), x[5], 1e-10+1e-12*cond, 0, "implied vol of %v at %v", e.Value(), x)
	}
	t.Logf("errors out of %d: %v", n, fails)
}

// An OptionType that is neither Call nor Put (the zero value: a type never
// set) prices nothing: NaN from the formulas without an error result, an
// *InputError from the others.
func TestInvalidOptionType(t *testing.T) {
	c := aad.Const
	p := Params{S: c(100), K: c(100), T: c(1), R: c(0.03), Q: c(0.01), Vol: c(0.2)}
	for _, typ := range []OptionType{0, Put + 1} {
		for name, v := range map[string]aad.Number{
			"European":                 European(nil, typ, p),
			"DigitalCash":              DigitalCash(nil, typ, p, 1),
			"DigitalAsset":             DigitalAsset(nil, typ, p),
			"GeometricAsianContinuous": GeometricAsianContinuous(nil, typ, p),
			"GeometricAsianDiscrete":   GeometricAsianDiscrete(nil, typ, p, []aad.Number{c(0.5), c(1)}),
			"Black76":                  Black76(nil, typ, c(100), c(100), c(1), c(0.97), c(0.2)),
			"Bachelier":                Bachelier(nil, typ, c(100), c(100), c(1), c(0.97), c(20)),
		} {
			assert.True(t, math.IsNaN(v.Value()), "%s(%v): got %v, want NaN", name, typ, v.Value())
		}
		_, errB := Barrier(nil, typ, DownOut, p, c(90), c(0))
		_, errA := American(nil, typ, p)
		_, errI := ImpliedVol(nil, typ, c(10), p)
		_, errH := HestonEuropean(nil, typ, p, marketdata.HestonParams{V0: c(0.04), Kappa: c(1), Theta: c(0.04), Sigma: c(0.3), Rho: c(-0.5)})
		for name, err := range map[string]error{"Barrier": errB, "American": errA, "ImpliedVol": errI, "HestonEuropean": errH} {
			var ie *InputError
			require.ErrorAs(t, err, &ie, "%s(%v)", name, typ)
			assert.Equal(t, "option type", ie.Name, "%s(%v)", name, typ)
		}
	}
	assert.Equal(t, "call", Call.String())
	assert.Equal(t, "put", Put.String())
	assert.Equal(t, "OptionType(0)", OptionType(0).String())
}
