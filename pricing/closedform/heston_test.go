package closedform

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
	"github.com/aadrisk/aadrisk/marketdata"
)

// hestonNames are the inputs of hestonPricer, in order.
var hestonNames = []string{"S", "K", "T", "R", "Q", "V0", "Kappa", "Theta", "Sigma", "Rho"}

// hestonPricer prices with in = S, K, T, R, Q, V0, Kappa, Theta, Sigma, Rho.
func hestonPricer(call bool) pricer {
	return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
		p := Params{S: in[0], K: in[1], T: in[2], R: in[3], Q: in[4]}
		h := marketdata.HestonParams{V0: in[5], Kappa: in[6], Theta: in[7], Sigma: in[8], Rho: in[9]}
		return HestonEuropean(tp, typeOf(call), p, h)
	}
}

// hestonInputs returns S, K, T, R, Q, V0, Kappa, Theta, Sigma, Rho.
func hestonInputs(s, k, t, r, q, v0, kappa, theta, sigma, rho float64) []float64 {
	return []float64{s, k, t, r, q, v0, kappa, theta, sigma, rho}
}

// lewis are the Heston parameters of Lewis's reference values: S = 100,
// T = 1, R = 1%, Q = 2%, V0 = 0.04, Kappa = 4, Theta = 0.25, Sigma = 1,
// Rho = −0.5, with strike k.
func lewis(k float64) []float64 { return hestonInputs(100, k, 1, 0.01, 0.02, 0.04, 4, 0.25, 1, -0.5) }

// rowTol reads a reference row's tolerance: its first number, relative to
// the expected value if the column says "relative", else absolute.
func rowTol(t *testing.T, row map[string]string) (rel, abs float64) {
	t.Helper()
	f := strings.Fields(row["tol"])
	require.NotEmpty(t, f)
	v, err := strconv.ParseFloat(f[0], 64)
	require.NoError(t, err, "tol %q", row["tol"])
	if len(f) > 1 && f[1] == "relative" {
		return v, 0
	}
	return 0, v
}

// Every row of testdata/reference/heston_reference_prices.csv, to the row's
// tolerance: Lewis's 50-digit values to 1e-12 relative (the quadrature is
// exact to about 1e-15 there), the Kahl–Jäckel value to its 2e-5 (it is
// published to 5 digits; the formula gives 4.9521147208798), and the
// QuantLib regression values to their absolute tolerances. The extreme rows
// (Sigma = 2 against V0 + Kappa·Theta·T = 0.0245, Rho = 0.5) need the most
// nodes: the characteristic function decays only as e^{−0.0106·v}.
func TestHestonReference(t *testing.T) {
	rows := table(t, "heston_reference_prices.csv")
	require.Len(t, rows, 24)
	for i, row := range rows {
		x := hestonInputs(num(t, row, "spot"), num(t, row, "strike"), num(t, row, "t"), num(t, row, "r"), num(t, row, "q"),
			num(t, row, "v0"), num(t, row, "kappa"), num(t, row, "theta"), num(t, row, "sigma"), num(t, row, "rho"))
		call := isCall(t, row)
		want := num(t, row, "expected")
		rel, abs := rowTol(t, row)
		got := value(t, hestonPricer(call), x)
		testutil.Near(t, got, want, rel, abs, "row %d %s %s K=%v: got %.17g, want %s (tol %s)", i+2, row["case"], row["option_type"], x[1], got, row["expected"], row["tol"])
	}
}

// hestonCases are parameter sets for the sensitivity and property tests:
// Lewis's, a short expiry, a long one with a strong skew, a small vol of
// variance, V0 = 0, deep out-of-the-money strikes on both sides, and a
// slowly decaying characteristic function.
var hestonCases = []struct {
	name string
	x    []float64
}{
	{"lewis ATM", lewis(100)},
	{"lewis K=80", lewis(80)},
	{"lewis K=120", lewis(120)},
	{"short expiry", hestonInputs(100, 103, 0.05, 0.03, 0.01, 0.05, 2, 0.04, 0.6, -0.7)},
	{"long expiry skew", hestonInputs(50, 60, 8, 0.02, 0.0, 0.02, 0.8, 0.06, 0.9, -0.9)},
	{"small vol of variance", hestonInputs(100, 95, 1.5, 0.04, 0.015, 0.0625, 1.5, 0.05, 0.02, 0.3)},
	{"V0 zero", hestonInputs(100, 100, 1, 0.02, 0.01, 0, 3, 0.04, 0.5, -0.6)},
	{"deep OTM call", hestonInputs(100, 200, 0.5, 0.02, 0.0, 0.04, 2, 0.04, 0.5, -0.7)},
	{"deep OTM put", hestonInputs(100, 55, 0.5, 0.02, 0.0, 0.04, 2, 0.04, 0.5, -0.7)},
	{"negative rate, positive rho", hestonInputs(80, 85, 2, -0.005, 0.03, 0.09, 0.5, 0.1, 0.8, 0.4)},
	{"slow decay", hestonInputs(1, 1.3, 2, 0, 0, 0.0225, 0.1, 0.01, 2, 0.5)},
}

// The AAD sensitivities to all ten inputs against central bump-and-revalue
// on a nil tape: relative 1e-6, with an absolute floor of 1e-7 times the
// spot.
func TestHestonGreeksVsBump(t *testing.T) {
	for _, c := range hestonCases {
		for _, call := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/call=%v", c.name, call), func(t *testing.T) {
				x := c.x
				steps := make([]float64, len(x))
				for i, v := range x {
					steps[i] = bumpStep(v)
				}
				f := hestonPricer(call)
				if x[5] == 0 {
					// V0 = 0 is the edge of the domain: ∂/∂V0 one-sidedly.
					checkHestonOneSided(t, f, x)
					steps[5] = 0
				}
				checkHestonBump(t, f, x, steps)
			})
		}
	}
}

// checkHestonBump is checkAgainstBump over the ten Heston inputs, skipping
// those with a zero step.
func checkHestonBump(t *testing.T, f pricer, x, steps []float64) {
	t.Helper()
	v, g := aadGradient(t, f, x)
	require.Equal(t, value(t, f, x), v, "value on a tape and on a nil tape")
	xb := append([]float64(nil), x...)
	for i := range x {
		h := steps[i]
		if h == 0 {
			continue
		}
		xb[i] = x[i] + h
		up := value(t, f, xb)
		xb[i] = x[i] - h
		down := value(t, f, xb)
		xb[i] = x[i]
		bump := (up - down) / (2 * h)
		testutil.Near(t, g[i], bump, 1e-6, 1e-7*x[0], "∂/∂%s at %v: got %v (AAD), want %v (bump)", hestonNames[i], x, g[i], bump)
	}
}

// checkHestonOneSided checks ∂/∂V0 at V0 = 0 against a second-order
// one-sided difference.
func checkHestonOneSided(t *testing.T, f pricer, x []float64) {
	t.Helper()
	_, g := aadGradient(t, f, x)
	const h = 1e-6
	xb := append([]float64(nil), x...)
	v0 := value(t, f, x)
	xb[5] = h
	v1 := value(t, f, xb)
	xb[5] = 2 * h
	v2 := value(t, f, xb)
	want := (-3*v0 + 4*v1 - v2) / (2 * h)
	testutil.Near(t, g[5], want, 1e-5, 1e-7*x[0], "∂/∂V0 at V0 = 0: got %v (AAD), want %v (one-sided)", g[5], want)
}

// The AAD sensitivities are exact, not approximations: against a
// fourth-order central difference with Richardson extrapolation (error
// O(h⁶)), they agree to 1e-9 relative.
func TestHestonGreeksExact(t *testing.T) {
	for _, c := range hestonCases[:4] {
		for _, call := range []bool{true, false} {
			f := hestonPricer(call)
			_, g := aadGradient(t, f, c.x)
			for i, xi := range c.x {
				h := 2e-3 * max(math.Abs(xi), 0.1)
				d := func(h float64) float64 {
					xb := append([]float64(nil), c.x...)
					at := func(dx float64) float64 { xb[i] = xi + dx; return value(t, f, xb) }
					return (8*(at(h)-at(-h)) - (at(2*h) - at(-2*h))) / (12 * h)
				}
				want := (16*d(h/2) - d(h)) / 15
				testutil.Near(t, g[i], want, 1e-9, 1e-11*c.x[0], "%s call=%v ∂/∂%s: got %.15g (AAD), want %.15g (extrapolated difference)", c.name, call, hestonNames[i], g[i], want)
			}
		}
	}
}

// One statement with ten operands: the tape does not grow with the number of
// quadrature nodes.
func TestHestonOneStatement(t *testing.T) {
	tp := aad.NewTape(0)
	in := make([]aad.Number, 10)
	for i, v := range lewis(110) {
		in[i] = tp.Var(v)
	}
	before := tp.Stats()
	_, err := hestonPricer(true)(tp, in)
	require.NoError(t, err)
	after := tp.Stats()
	assert.Equal(t, 1, after.Statements-before.Statements, "statements recorded")
	assert.Equal(t, 10, after.Operands-before.Operands, "operands recorded")
}

// A nil tape prices with the same code and gives the same value, bit for
// bit, as a recording, for calls and puts on either side of the forward.
func TestHestonPassiveEqualsRecorded(t *testing.T) {
	for _, c := range hestonCases {
		for _, call := range []bool{true, false} {
			f := hestonPricer(call)
			got := value(t, f, c.x)
			want, _ := aadGradient(t, f, c.x)
			assert.Equal(t, want, got, "%s call=%v: got %v on a nil tape, want %v as recorded", c.name, call, got, want)
			// Only some inputs active: still the same value.
			tp := aad.NewTape(0)
			in := consts(c.x)
			in[0], in[8] = tp.Var(c.x[0]), tp.Var(c.x[8])
			v, err := f(tp, in)
			require.NoError(t, err)
			assert.Equal(t, want, v.Value(), "%s call=%v with S and Sigma active", c.name, call)
		}
	}
}

// Put–call parity, C − P = S·e^{−QT} − K·e^{−RT}, to 1e-14 of the spot, from
// deep in to deep out of the money, across the forward where the contour
// changes side.
func TestHestonPutCallParity(t *testing.T) {
	for _, c := range hestonCases {
		s, tt, r, q := c.x[0], c.x[2], c.x[3], c.x[4]
		fwd := s * math.Exp((r-q)*tt)
		for _, m := range []float64{0.5, 0.8, 0.95, 1 - 1e-9, 1, 1 + 1e-9, 1.05, 1.25, 2} {
			x := append([]float64(nil), c.x...)
			x[1] = fwd * m
			call := value(t, hestonPricer(true), x)
			put := value(t, hestonPricer(false), x)
			want := s*math.Exp(-q*tt) - x[1]*math.Exp(-r*tt)
			testutil.Near(t, call-put, want, 0, 1e-14*s, "%s K=%v: got C − P = %v, want %v", c.name, x[1], call-put, want)
			assert.Positive(t, call, "%s K=%v call", c.name, x[1])
			assert.Positive(t, put, "%s K=%v put", c.name, x[1])
		}
	}
}

// Across the forward the contour moves from the put side to the call side;
// the price is continuous there to the quadrature's accuracy.
func TestHestonAtTheForward(t *testing.T) {
	for _, c := range hestonCases {
		s, tt, r, q := c.x[0], c.x[2], c.x[3], c.x[4]
		fwd := s * math.Exp((r-q)*tt)
		below, above := append([]float64(nil), c.x...), append([]float64(nil), c.x...)
		below[1], above[1] = math.Nextafter(fwd, 0), fwd
		for _, call := range []bool{true, false} {
			lo, hi := value(t, hestonPricer(call), below), value(t, hestonPricer(call), above)
			testutil.Near(t, lo, hi, 1e-13, 0, "%s call=%v: got %v just below the forward, want %v at it", c.name, call, lo, hi)
		}
	}
}

// As Sigma → 0 the variance follows its expected path and the price tends to
// Black–Scholes with the average variance
// w̄/T = Theta + (V0 − Theta)·(1 − e^{−Kappa·T})/(Kappa·T): to O(Sigma²)
// with Rho = 0, to O(Sigma) with Rho ≠ 0.
func TestHestonSmallSigmaIsBlackScholes(t *testing.T) {
	for _, tc := range []struct {
		rho, sigma, tol float64
	}{
		{0, 1e-4, 1e-9},
		{0, 1e-6, 1e-12},
		{-0.7, 1e-4, 1e-5},
		{-0.7, 1e-6, 1e-7},
	} {
		for _, k := range []float64{70, 90, 100, 110, 140} {
			for _, call := range []bool{true, false} {
				s, tt, r, q, v0, kappa, theta := 100.0, 1.5, 0.03, 0.01, 0.09, 2.0, 0.04
				x := hestonInputs(s, k, tt, r, q, v0, kappa, theta, tc.sigma, tc.rho)
				got := value(t, hestonPricer(call), x)
				avg := theta + (v0-theta)*(-math.Expm1(-kappa*tt))/(kappa*tt)
				bs := European(nil, typeOf(call), Params{S: aad.Const(s), K: aad.Const(k), T: aad.Const(tt), R: aad.Const(r), Q: aad.Const(q), Vol: aad.Const(math.Sqrt(avg))}).Value()
				testutil.Near(t, got, bs, 0, tc.tol*s, "Rho=%v Sigma=%v K=%v call=%v: got %v, want %v (Black–Scholes)", tc.rho, tc.sigma, k, call, got, bs)
			}
		}
	}
}

// The default quadrature has converged: four times finer panels and a
// smaller tail change the integral by less than 1e-12 of the
// out-of-the-money option (the rounding of the sum of the integrand is of
// that order where the contour is in Lewis's strip), over random parameters
// across wide ranges, and its partials by less than 1e-9 of their size.
func TestHestonQuadratureConverged(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	logU := func(a, b float64) float64 { return a * math.Exp(rng.Float64()*math.Log(b/a)) }
	fine := hestonResolution{step: 3, curve: 0.375, dist: 0.25, tail: 1e-20}
	for i := range 300 {
		m := hestonModel{t: logU(0.01, 10), v0: logU(0.001, 0.5), kappa: logU(0.05, 10), theta: logU(0.005, 0.5), sigma: logU(0.01, 2), rho: -0.95 + 1.85*rng.Float64()}
		avg := m.theta*m.t + (m.v0-m.theta)*(-math.Expm1(-m.kappa*m.t))/m.kappa
		k := 4 * math.Sqrt(avg) * (2*rng.Float64() - 1)
		alpha, delta := m.contour(k)
		var got, want hestonSum
		require.True(t, m.integrate(hestonDefault(), alpha, delta, k, true, &got), "case %d %+v k=%v", i, m, k)
		require.True(t, m.integrate(fine, alpha, delta, k, true, &want), "case %d %+v k=%v", i, m, k)
		// The out-of-the-money option, normalised by the forward.
		otm := want.i
		if alpha > -1 && alpha < 0 {
			otm += 1
			if k < 0 {
				otm += math.Expm1(k)
			}
		}
		testutil.Near(t, got.i, want.i, 0, 1e-12*otm, "case %d %+v k=%v α=%v: got I=%v, want %v", i, m, k, alpha, got.i, want.i)
		testutil.Near(t, got.ik, want.ik, 1e-9, 1e-13, "case %d ∂I/∂k", i)
		for j, name := range [cfN]string{"T", "V0", "Kappa", "Theta", "Sigma", "Rho"} {
			testutil.Near(t, got.d[j], want.d[j], 1e-9, 1e-13, "case %d ∂I/∂%s", i, name)
		}
	}
}

// Inputs outside the model's domain are *InputErrors naming the input.
func TestHestonInvalidInputs(t *testing.T) {
	good := lewis(100)
	for _, tc := range []struct {
		i    int
		v    float64
		name string
	}{
		{0, 0, "spot S"},
		{0, -1, "spot S"},
		{1, 0, "strike K"},
		{1, math.Inf(1), "strike K"},
		{2, 0, "time to expiry T"},
		{2, math.NaN(), "time to expiry T"},
		{3, math.NaN(), "rate R"},
		{4, math.Inf(-1), "dividend yield Q"},
		{5, -0.01, "initial variance V0"},
		{5, math.Inf(1), "initial variance V0"},
		{6, -1, "mean reversion Kappa"},
		{7, -0.1, "long-run variance Theta"},
		{8, 0, "vol of variance Sigma"},
		{8, -0.3, "vol of variance Sigma"},
		{9, 1, "correlation Rho"},
		{9, -1.5, "correlation Rho"},
		{9, math.NaN(), "correlation Rho"},
	} {
		x := append([]float64(nil), good...)
		x[tc.i] = tc.v
		_, err := hestonPricer(true)(nil, consts(x))
		require.ErrorIs(t, err, ErrInvalidInput, "%s = %v", tc.name, tc.v)
		var ie *InputError
		require.True(t, errors.As(err, &ie))
		assert.Equal(t, tc.name, ie.Name, "got %q, want %q", ie.Name, tc.name)
		assert.Equal(t, "HestonEuropean", ie.Func)
	}
	// A variance that stays at zero.
	x := append([]float64(nil), good...)
	x[5], x[7] = 0, 0
	_, err := hestonPricer(false)(nil, consts(x))
	require.ErrorIs(t, err, ErrInvalidInput)
	// Kappa = 0 is a variance without drift: a price.
	x = append([]float64(nil), good...)
	x[6] = 0
	v, err := hestonPricer(true)(nil, consts(x))
	require.NoError(t, err)
	assert.Positive(t, v.Value())
}

// An active input with a nil tape is a programmer error and panics, as in
// package aad.
func TestHestonActiveOnNilTape(t *testing.T) {
	tp := aad.NewTape(0)
	in := consts(lewis(100))
	in[6] = tp.Var(4)
	assert.Panics(t, func() { _, _ = hestonPricer(true)(nil, in) })
}

// A warm tape records and sweeps HestonEuropean with no heap allocation,
// and a nil tape prices with none.
func TestHestonZeroAllocations(t *testing.T) {
	x := lewis(105)
	tp := aad.NewTape(0)
	in := make([]aad.Number, len(x))
	grad := make([]float64, len(x))
	f := hestonPricer(false)
	run := func() {
		tp.Reset()
		for i, v := range x {
			in[i] = tp.Var(v)
		}
		y, err := f(tp, in)
		if err != nil {
			t.Fatal(err)
		}
		tp.Gradient(grad, y, in)
	}
	run()
	assert.Zero(t, testing.AllocsPerRun(20, run), "allocations per recording")
	pass := consts(x)
	assert.Zero(t, testing.AllocsPerRun(20, func() {
		if _, err := f(nil, pass); err != nil {
			t.Fatal(err)
		}
	}), "allocations per passive price")
}

// The Gauss–Legendre table integrates every polynomial of degree below 32
// exactly on [0, 1].
func TestHestonGaussLegendre(t *testing.T) {
	g := gaussLegendre()
	for j := range 2 * glNodes {
		got := 0.0
		for i, x := range g.x {
			got += g.w[i] * math.Pow(x, float64(j))
		}
		want := 1 / float64(j+1)
		testutil.Near(t, got, want, 4e-16, 0, "∫_0^1 x^%d: got %v, want %v", j, got, want)
	}
}
