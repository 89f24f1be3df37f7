package closedform

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// secondOrder records f on a second-order tape with every input active and
// the tangent seeds dir, and returns the value, the gradient and H·dir from
// one sweep.
func secondOrder(t *testing.T, tp *aad.Tape, f pricer, x, dir []float64) (float64, []float64, []float64) {
	t.Helper()
	tp.SetSecondOrder(true)
	in := make([]aad.Number, len(x))
	for i, v := range x {
		in[i] = tp.Var(v)
		tp.SetTangent(in[i], dir[i])
	}
	y, err := f(tp, in)
	require.NoError(t, err, "inputs %v", x)
	g, hv := tp.HessianVector(nil, nil, y, in)
	return y.Value(), g, hv
}

// hessian returns the Hessian of f at x from len(x) second-order sweeps, one
// per unit direction: column j is H·e_j.
func hessian(t *testing.T, f pricer, x []float64) [][]float64 {
	t.Helper()
	tp := aad.NewTape(0)
	n := len(x)
	cols := make([][]float64, n)
	for j := range n {
		e := make([]float64, n)
		e[j] = 1
		_, _, cols[j] = secondOrder(t, tp, f, x, e)
	}
	return cols
}

// checkHessian checks every entry of the second-order Hessian of f at x
// against central differences of first-order AAD gradients (steps
// bumpStep, or steps when given), to rtol relative with an absolute floor
// atol, and its symmetry to 1e-12.
func checkHessian(t *testing.T, f pricer, x []float64, names []string, rtol, atol float64, steps ...float64) {
	t.Helper()
	cols := hessian(t, f, x)
	xb := append([]float64(nil), x...)
	for j := range x {
		h := bumpStep(x[j])
		if steps != nil {
			h = steps[j]
		}
		xb[j] = x[j] + h
		_, up := aadGradient(t, f, xb)
		xb[j] = x[j] - h
		_, down := aadGradient(t, f, xb)
		xb[j] = x[j]
		for i := range x {
			fd := (up[i] - down[i]) / (2 * h)
			testutil.Near(t, cols[j][i], fd, rtol, atol, "∂²/∂%s∂%s at %v: got %v (second order), want %v (differences of gradients)", names[i], names[j], x, cols[j][i], fd)
			testutil.Near(t, cols[j][i], cols[i][j], 1e-12, 0, "symmetry of ∂²/∂%s∂%s at %v", names[i], names[j], x)
		}
	}
}

var bsmNames = []string{"S", "K", "T", "R", "Q", "Vol"}

func europeanPricer(typ OptionType) pricer {
	return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) { return checked(European(tp, typ, params(in))) }
}

// Gamma, vanna and volga from the second-order sweep are the textbook
// formulas, for calls and puts over a desk's grid.
func TestEuropeanSecondOrderGreeks(t *testing.T) {
	tp := aad.NewTape(0)
	e := []float64{1, 0, 0, 0, 0, 0}  // along S: row S is gamma, row Vol vanna
	ev := []float64{0, 0, 0, 0, 0, 1} // along Vol: row Vol is volga
	const k = 100.0
	for _, typ := range []OptionType{Call, Put} {
		for _, m := range []float64{0.5, 0.8, 0.95, 1, 1.05, 1.25, 2} {
			for _, tt := range []float64{1.0 / 365, 1.0 / 12, 0.5, 1, 3, 10} {
				for _, vol := range []float64{0.01, 0.05, 0.2, 0.5, 1, 1.5} {
					for _, r := range []float64{-0.02, 0, 0.03, 0.1} {
						for _, q := range []float64{-0.02, 0, 0.05, 0.1} {
							s := m * k
							x := []float64{s, k, tt, r, q, vol}
							f := europeanPricer(typ)
							_, _, hs := secondOrder(t, tp, f, x, e)
							_, _, hv := secondOrder(t, tp, f, x, ev)
							sqT := math.Sqrt(tt)
							d1 := (math.Log(s/k) + (r-q+vol*vol/2)*tt) / (vol * sqT)
							d2 := d1 - vol*sqT
							pdf := math.Exp(-d1*d1/2) / math.Sqrt(2*math.Pi)
							eq := math.Exp(-q * tt)
							gamma := eq * pdf / (s * vol * sqT)
							vanna := -eq * pdf * d2 / vol
							volga := s * eq * pdf * sqT * d1 * d2 / vol
							// d1 and d2 are sums of terms of size dScale, so
							// near d = 0 they are known only to about 1e-16·dScale
							// in absolute (here and in the pricer, rounded
							// differently): vanna and volga, which are
							// proportional to them, get that floor at the
							// same 1e-12. The floor tiny is far below any
							// price: it only admits densities that have
							// become subnormal.
							const tiny = 1e-290
							dScale := math.Abs(math.Log(s/k)+(r-q)*tt)/(vol*sqT) + vol*sqT
							vannaFloor := 1e-12*eq*pdf*dScale/vol + tiny
							volgaFloor := 1e-12*s*eq*pdf*sqT*dScale*(math.Abs(d1)+math.Abs(d2))/vol + tiny
							testutil.Near(t, hs[iS], gamma, 1e-12, tiny, "%v gamma at %v", typ, x)
							testutil.Near(t, hs[iVol], vanna, 1e-12, vannaFloor, "%v vanna at %v", typ, x)
							testutil.Near(t, hv[iS], vanna, 1e-12, vannaFloor, "%v vanna (∂/∂Vol of delta) at %v", typ, x)
							testutil.Near(t, hv[iVol], volga, 1e-12, volgaFloor, "%v volga at %v", typ, x)
						}
					}
				}
			}
		}
	}
}

// randomBSM returns n random S, K, T, R, Q, Vol over a desk's ranges.
func randomBSM(n int) [][]float64 {
	rng := rand.New(rand.NewPCG(7, 11))
	xs := make([][]float64, n)
	for i := range xs {
		s := 20 + 180*rng.Float64()
		xs[i] = []float64{s, s * (0.5 + 1.5*rng.Float64()), 0.05 + 5*rng.Float64(), -0.02 + 0.12*rng.Float64(), -0.02 + 0.12*rng.Float64(), 0.05 + 0.8*rng.Float64()}
	}
	return xs
}

// Every entry of the European Hessian matches differences of first-order
// gradients, for calls and puts at random inputs.
func TestEuropeanHessian(t *testing.T) {
	for _, x := range randomBSM(40) {
		for _, typ := range []OptionType{Call, Put} {
			checkHessian(t, europeanPricer(typ), x, bsmNames, 1e-6, 1e-7*x[0])
		}
	}
}

// checkSameFirstOrder checks that f gives bit for bit the same value and
// gradient on a second-order tape as on a first-order one.
func checkSameFirstOrder(t *testing.T, f pricer, x []float64) {
	t.Helper()
	v1, g1 := aadGradient(t, f, x)
	v2, g2, _ := secondOrder(t, aad.NewTape(0), f, x, make([]float64, len(x)))
	require.Equal(t, math.Float64bits(v1), math.Float64bits(v2), "value at %v: %v first order, %v second", x, v1, v2)
	for i := range x {
		require.Equal(t, math.Float64bits(g1[i]), math.Float64bits(g2[i]), "partial %d at %v: %v first order, %v second", i, x, g1[i], g2[i])
	}
}

// checkFinite checks that the value, the gradient and every entry of the
// Hessian of f at x are finite numbers; with mayOverflow, Hessian entries
// may be ±Inf (a true value beyond float64) but never NaN.
func checkFinite(t *testing.T, f pricer, x []float64, mayOverflow bool) {
	t.Helper()
	tp := aad.NewTape(0)
	for j := range x {
		e := make([]float64, len(x))
		e[j] = 1
		v, g, hv := secondOrder(t, tp, f, x, e)
		require.True(t, finite(v), "value %v at %v", v, x)
		for i := range x {
			require.True(t, finite(g[i]), "∂/∂x%d = %v at %v", i, g[i], x)
			if mayOverflow {
				require.False(t, math.IsNaN(hv[i]), "∂²/∂x%d∂x%d = %v at %v", i, j, hv[i], x)
			} else {
				require.True(t, finite(hv[i]), "∂²/∂x%d∂x%d = %v at %v", i, j, hv[i], x)
			}
		}
	}
}

// bsmEdges are inputs at the edges of the Black–Scholes–Merton formulas:
// no volatility, tiny Vol·√T, the forward exactly at the strike, deep in
// and out of the money.
var bsmEdges = [][]float64{
	{100, 90, 1, 0.03, 0.01, 0},        // Vol = 0, forward in the money
	{100, 110, 1, 0.03, 0.01, 0},       // Vol = 0, forward out of the money
	{100, 100, 1, 0.02, 0.02, 0},       // Vol = 0, forward at the strike
	{100, 100, 1, 0.02, 0.02, 1e-12},   // tiny Vol·√T at the forward
	{100, 100, 1e-12, 0.02, 0.02, 0.2}, // tiny Vol·√T (tiny T)
	{100, 99, 1, 0.02, 0.02, 1e-12},    // tiny Vol·√T near the forward
	{100, 100, 1, 0.02, 0.02, 1e-200},  // Vol·√T near the bottom of float64
	{100, 100, 2, 0.05, 0.05, 0.3},     // forward exactly at the strike
	{100, 1, 1, 0.03, 0.01, 0.2},       // deep in (call) or out (put)
	{1, 100, 1, 0.03, 0.01, 0.2},       // deep out (call) or in (put)
	{100, 100, 30, 0.1, -0.02, 1.5},    // long-dated, high volatility
}

// At the edges the European's value, partials and Hessian are finite.
func TestEuropeanSecondOrderEdges(t *testing.T) {
	for _, x := range bsmEdges {
		for _, typ := range []OptionType{Call, Put} {
			checkFinite(t, europeanPricer(typ), x, false)
			checkSameFirstOrder(t, europeanPricer(typ), x)
		}
	}
	// At Vol = 0 only the discount and dividend terms remain: no gamma.
	tp := aad.NewTape(0)
	_, _, hv := secondOrder(t, tp, europeanPricer(Call), bsmEdges[2], []float64{1, 0, 0, 0, 0, 0})
	require.Zero(t, hv[iS], "gamma at Vol = 0")
}

// The value and the partials on a second-order tape are those of a
// first-order tape, bit for bit.
func TestEuropeanSecondOrderSameFirstOrder(t *testing.T) {
	for _, x := range randomBSM(50) {
		checkSameFirstOrder(t, europeanPricer(Call), x)
		checkSameFirstOrder(t, europeanPricer(Put), x)
	}
}

// A warm second-order tape records and sweeps each second-order pricer with
// no heap allocation.
func TestSecondOrderZeroAllocations(t *testing.T) {
	x := []float64{100, 95, 1.5, 0.04, 0.015, 0.25}
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	// The discrete Asian takes in[6:] as its fixing times: 100 of them, so
	// that the weighted sum takes two statements.
	in := make([]aad.Number, 106)
	for i := 6; i < len(in); i++ {
		x = append(x, x[iT]*float64(i-5)/float64(len(in)-6))
	}
	grad, hv := make([]float64, len(in)), make([]float64, len(in))
	pricers := secondOrderPricers()
	pricers["GeometricAsianDiscrete"] = asianDiscretePricer(Call, nil)
	for name, f := range pricers {
		args := in[:6]
		if name == "GeometricAsianDiscrete" {
			args = in
		}
		run := func() {
			tp.Reset()
			for i, v := range x {
				in[i] = tp.Var(v)
				tp.SetTangent(in[i], float64(i+1))
			}
			y, err := f(tp, args)
			if err != nil {
				t.Fatal(err)
			}
			tp.HessianVector(grad, hv, y, in)
		}
		run()
		require.Zero(t, testing.AllocsPerRun(100, run), name)
	}
}

// secondOrderPricers are the pricers that may be recorded on a
// second-order tape, over S, K, T, R, Q, Vol (Black76 and Bachelier take
// R as the discount factor's input).
func secondOrderPricers() map[string]pricer {
	return map[string]pricer{
		"European/call":                 europeanPricer(Call),
		"European/put":                  europeanPricer(Put),
		"DigitalCash/call":              digitalCashPricer(Call),
		"DigitalCash/put":               digitalCashPricer(Put),
		"DigitalAsset/call":             digitalAssetPricer(Call),
		"DigitalAsset/put":              digitalAssetPricer(Put),
		"Black76/call":                  black76Pricer(Call),
		"Black76/put":                   black76Pricer(Put),
		"Bachelier/call":                bachelierPricer(Call),
		"Bachelier/put":                 bachelierPricer(Put),
		"GeometricAsianContinuous/call": asianContinuousPricer(Call),
		"GeometricAsianContinuous/put":  asianContinuousPricer(Put),
	}
}

// black76Pricer and bachelierPricer take their five inputs in[0:5] as f, k,
// t, df, vol, or in[:6] as S, K, T, R, Q, Vol with f = S, k = K, df = R
// and vol = Vol (Q unused), so that they run on the inputs of the others.
func black76Pricer(typ OptionType) pricer {
	return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
		return checked(Black76(tp, typ, in[0], in[1], in[2], in[3], in[len(in)-1]))
	}
}

func bachelierPricer(typ OptionType) pricer {
	return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
		return checked(Bachelier(tp, typ, in[0], in[1], in[2], in[3], in[len(in)-1]))
	}
}

var fiveNames = []string{"f", "k", "t", "df", "vol"}

// Every entry of the Black76 and Bachelier Hessians matches differences of
// first-order gradients, at random inputs (for Bachelier, forwards and
// strikes of either sign and a normal volatility in units of the forward);
// values and partials are the same on both tapes.
func TestBlack76BachelierHessian(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for range 60 {
		f := 20 + 180*rng.Float64()
		x := []float64{f, f * (0.5 + 1.5*rng.Float64()), 0.05 + 5*rng.Float64(), 0.6 + 0.4*rng.Float64(), 0.05 + 0.8*rng.Float64()}
		fn := -0.02 + 0.08*rng.Float64()
		xn := []float64{fn, fn + 0.04*(rng.Float64()-0.5), x[2], x[3], 0.002 + 0.02*rng.Float64()}
		for _, typ := range []OptionType{Call, Put} {
			checkHessian(t, black76Pricer(typ), x, fiveNames, 1e-6, 1e-7*f)
			checkSameFirstOrder(t, black76Pricer(typ), x)
			// The Bachelier price of f and k of a few hundredths varies on
			// the scale of sd = normalVol·√t, a few thousandths or less:
			// bumpStep's floor of 1e-6 would be too coarse a step for f
			// and k; 1e-7 is about 1e-5 of sd.
			steps := []float64{1e-7, 1e-7, bumpStep(xn[2]), bumpStep(xn[3]), 1e-5 * xn[4]}
			checkHessian(t, bachelierPricer(typ), xn, fiveNames, 1e-6, 1e-9, steps...)
			checkSameFirstOrder(t, bachelierPricer(typ), xn)
		}
	}
}

// fiveEdges are inputs at the edges of Black76 and Bachelier: no volatility
// (off and at the forward), tiny vol·√t, deep in and out of the money.
var fiveEdges = [][]float64{
	{100, 90, 1, 0.97, 0},
	{100, 110, 1, 0.97, 0},
	{100, 100, 1, 0.97, 0},
	{100, 100, 1, 0.97, 1e-12},
	{100, 99.9, 1, 0.97, 1e-12},
	{100, 100, 1e-12, 0.97, 0.2},
	{100, 1, 1, 0.97, 0.2},
	{1, 100, 1, 0.97, 0.2},
	{100, 100, 30, 0.5, 1.5},
}

// At the edges Black76's and Bachelier's values, partials and Hessians are
// finite.
func TestBlack76BachelierSecondOrderEdges(t *testing.T) {
	for _, x := range fiveEdges {
		for _, typ := range []OptionType{Call, Put} {
			checkFinite(t, black76Pricer(typ), x, false)
			checkSameFirstOrder(t, black76Pricer(typ), x)
			checkFinite(t, bachelierPricer(typ), x, false)
			checkSameFirstOrder(t, bachelierPricer(typ), x)
		}
	}
}

func digitalCashPricer(typ OptionType) pricer {
	return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
		return checked(DigitalCash(tp, typ, params(in), 10))
	}
}

func digitalAssetPricer(typ OptionType) pricer {
	return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
		return checked(DigitalAsset(tp, typ, params(in)))
	}
}

// Every entry of the digitals' Hessians matches differences of first-order
// gradients, at random inputs; their values and partials are the same on
// both tapes.
func TestDigitalHessian(t *testing.T) {
	for _, x := range randomBSM(40) {
		for _, typ := range []OptionType{Call, Put} {
			checkHessian(t, digitalCashPricer(typ), x, bsmNames, 1e-6, 1e-7*10)
			checkHessian(t, digitalAssetPricer(typ), x, bsmNames, 1e-6, 1e-7*x[0])
			checkSameFirstOrder(t, digitalCashPricer(typ), x)
			checkSameFirstOrder(t, digitalAssetPricer(typ), x)
		}
	}
}

// At the edges the digitals' values, partials and Hessians are finite,
// except at Vol·√T = 0 with the forward exactly at the strike
// (bsmEdges[2]), where the partials are documented to be infinite: the
// sweep multiplies them by the adjoint tangent, so H·v is not finite there
// either, whatever the statement's Hessian. At Vol·√T = 1e-200 on the
// forward (bsmEdges[6]) the cross terms with Vol, of order
// 1/(S·Vol·Vol·√T), are beyond float64: ±Inf, but no NaN.
func TestDigitalSecondOrderEdges(t *testing.T) {
	for n, x := range bsmEdges {
		if n == 2 {
			continue
		}
		for _, typ := range []OptionType{Call, Put} {
			checkFinite(t, digitalCashPricer(typ), x, n == 6)
			checkFinite(t, digitalAssetPricer(typ), x, n == 6)
			checkSameFirstOrder(t, digitalCashPricer(typ), x)
			checkSameFirstOrder(t, digitalAssetPricer(typ), x)
		}
	}
}
