package closedform

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// vanillaGrid returns inputs S, K, T, R, Q, Vol over spots from out to in
// the money, short and long expiries, positive, negative and equal rates and
// yields, and low and high volatilities.
func vanillaGrid() [][]float64 {
	var grid [][]float64
	for _, s := range []float64{70, 100, 135} {
		for _, tt := range []float64{0.02, 1, 5} {
			for _, rq := range [][2]float64{{0.05, 0.02}, {-0.01, 0.03}, {0.1, 0.1}} {
				for _, vol := range []float64{0.1, 0.45} {
					grid = append(grid, []float64{s, 100, tt, rq[0], rq[1], vol})
				}
			}
		}
	}
	return grid
}

func european(call bool) pricer {
	return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
		return checked(European(tp, typeOf(call), params(in)))
	}
}

// The recorded partials of European are the textbook Greeks.
func TestEuropeanTextbookGreeks(t *testing.T) {
	for _, call := range []bool{true, false} {
		for _, x := range vanillaGrid() {
			want, wantG := bsTextbook(call, x[0], x[1], x[2], x[3], x[4], x[5])
			v, g := aadGradient(t, european(call), x)
			testutil.Near(t, v, want, 1e-12, 1e-13*x[0], "price call=%v %v", call, x)
			for i := range g {
				testutil.Near(t, g[i], wantG[i], 1e-12, 1e-12*x[0], "∂/∂%s call=%v at %v: got %v, want %v", inputNames[i], call, x, g[i], wantG[i])
			}
		}
	}
}

// The hand-derived partials of the one-statement pricers equal the AAD of
// the same formulas written with elementary operations.
func TestAgainstElementaryOperations(t *testing.T) {
	type oracle func(tp *aad.Tape, in []aad.Number) aad.Number
	cases := []struct {
		name string
		f    func(call bool) pricer
		o    func(call bool) oracle
		grid [][]float64
	}{
		{"European", european, func(call bool) oracle {
			return func(tp *aad.Tape, in []aad.Number) aad.Number { return europeanElementary(tp, call, params(in)) }
		}, vanillaGrid()},
		{"DigitalCash", func(call bool) pricer {
			return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(DigitalCash(tp, typeOf(call), params(in), 7))
			}
		}, func(call bool) oracle {
			return func(tp *aad.Tape, in []aad.Number) aad.Number { return digitalCashElementary(tp, call, params(in), 7) }
		}, vanillaGrid()},
		{"DigitalAsset", func(call bool) pricer {
			return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(DigitalAsset(tp, typeOf(call), params(in)))
			}
		}, func(call bool) oracle {
			return func(tp *aad.Tape, in []aad.Number) aad.Number { return digitalAssetElementary(tp, call, params(in)) }
		}, vanillaGrid()},
		{"GeometricAsianContinuous", func(call bool) pricer {
			return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(GeometricAsianContinuous(tp, typeOf(call), params(in)))
			}
		}, func(call bool) oracle {
			return func(tp *aad.Tape, in []aad.Number) aad.Number { return asianContinuousElementary(tp, call, params(in)) }
		}, vanillaGrid()},
		{"GeometricAsianDiscrete", func(call bool) pricer {
			return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(GeometricAsianDiscrete(tp, typeOf(call), params(in), in[6:]))
			}
		}, func(call bool) oracle {
			return func(tp *aad.Tape, in []aad.Number) aad.Number {
				return asianDiscreteElementary(tp, call, params(in), in[6:])
			}
		}, [][]float64{
			{100, 100, 1, 0.05, 0.02, 0.3, 1},
			{100, 95, 1, 0.05, 0.02, 0.3, 0.25, 0.5, 0.75, 1},
			{90, 100, 2, -0.01, 0.03, 0.15, 0.1, 0.4, 0.4, 1.2, 1.9},
		}},
		{"Black76", func(call bool) pricer {
			return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(Black76(tp, typeOf(call), in[0], in[1], in[2], in[3], in[4]))
			}
		}, func(call bool) oracle {
			return func(tp *aad.Tape, in []aad.Number) aad.Number {
				return black76Elementary(tp, call, in[0], in[1], in[2], in[3], in[4])
			}
		}, [][]float64{{100, 100, 1, 0.95, 0.2}, {80, 100, 0.1, 0.99, 0.5}, {130, 100, 3, 0.9, 0.1}}},
		{"Bachelier", func(call bool) pricer {
			return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(Bachelier(tp, typeOf(call), in[0], in[1], in[2], in[3], in[4]))
			}
		}, func(call bool) oracle {
			return func(tp *aad.Tape, in []aad.Number) aad.Number {
				return bachelierElementary(tp, call, in[0], in[1], in[2], in[3], in[4])
			}
		}, [][]float64{{0.02, 0.025, 1, 0.95, 0.008}, {-0.003, 0.001, 0.1, 1.01, 0.005}, {100, 90, 2, 0.9, 20}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, call := range []bool{true, false} {
				for _, x := range c.grid {
					v, g := aadGradient(t, c.f(call), x)
					tp := aad.NewTape(0)
					in := make([]aad.Number, len(x))
					for i, xi := range x {
						in[i] = tp.Var(xi)
					}
					y := c.o(call)(tp, in)
					want := tp.Gradient(nil, y, in)
					scale := max(math.Abs(x[0]), 1)
					testutil.Near(t, v, y.Value(), 1e-12, 1e-14*scale, "value call=%v %v", call, x)
					for i := range g {
						testutil.Near(t, g[i], want[i], 1e-11, 1e-12*scale, "∂/∂x%d call=%v at %v: got %v, want %v", i, call, x, g[i], want[i])
					}
				}
			}
		})
	}
}

// Every pricer's AAD sensitivities equal central bump-and-revalue of the
// same code on a nil tape.
func TestAgainstBump(t *testing.T) {
	grid := vanillaGrid()
	for _, call := range []bool{true, false} {
		name := map[bool]string{true: "call", false: "put"}[call]
		t.Run("European/"+name, func(t *testing.T) {
			for _, x := range grid {
				checkAgainstBump(t, european(call), x, inputNames, x[0])
			}
		})
		t.Run("DigitalCash/"+name, func(t *testing.T) {
			f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(DigitalCash(tp, typeOf(call), params(in), 10))
			}
			for _, x := range grid {
				checkAgainstBump(t, f, x, inputNames, 10)
			}
		})
		t.Run("DigitalAsset/"+name, func(t *testing.T) {
			f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(DigitalAsset(tp, typeOf(call), params(in)))
			}
			for _, x := range grid {
				checkAgainstBump(t, f, x, inputNames, x[0])
			}
		})
		t.Run("GeometricAsianContinuous/"+name, func(t *testing.T) {
			f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(GeometricAsianContinuous(tp, typeOf(call), params(in)))
			}
			for _, x := range grid {
				checkAgainstBump(t, f, x, inputNames, x[0])
			}
		})
		t.Run("GeometricAsianDiscrete/"+name, func(t *testing.T) {
			f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(GeometricAsianDiscrete(tp, typeOf(call), params(in), in[6:]))
			}
			for _, n := range []int{1, 4, 12, 150} {
				x := []float64{100, 105, 1.5, 0.04, 0.01, 0.3}
				for i := 1; i <= n; i++ {
					x = append(x, 1.5*float64(i)/float64(n))
				}
				names := append(append([]string(nil), inputNames[:6]...), make([]string, n)...)
				for i := range n {
					names[6+i] = fmt.Sprintf("t%d", i+1)
				}
				checkAgainstBump(t, f, x, names, x[0])
			}
		})
		t.Run("Black76/"+name, func(t *testing.T) {
			f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(Black76(tp, typeOf(call), in[0], in[1], in[2], in[3], in[4]))
			}
			for _, x := range [][]float64{{100, 100, 1, 0.95, 0.2}, {80, 100, 0.1, 0.99, 0.5}, {130, 100, 3, 0.9, 0.1}} {
				checkAgainstBump(t, f, x, []string{"f", "k", "t", "df", "vol"}, x[0])
			}
		})
		t.Run("Bachelier/"+name, func(t *testing.T) {
			f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return checked(Bachelier(tp, typeOf(call), in[0], in[1], in[2], in[3], in[4]))
			}
			for _, x := range [][]float64{{100, 100, 1, 0.95, 20}, {80, 100, 0.1, 0.99, 15}, {130, 100, 3, 0.9, 10}} {
				checkAgainstBump(t, f, x, []string{"f", "k", "t", "df", "vol"}, x[0])
			}
		})
	}
}

func TestBarrierAgainstBump(t *testing.T) {
	names := append(append([]string(nil), inputNames[:6]...), "barrier", "rebate")
	for _, call := range []bool{true, false} {
		for _, kind := range []BarrierKind{DownIn, DownOut, UpIn, UpOut} {
			f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
				return Barrier(tp, typeOf(call), kind, params(in), in[6], in[7])
			}
			h := 88.0
			if !kind.Down() {
				h = 116
			}
			for _, k := range []float64{80, 100, 125} {
				for _, rebate := range []float64{0, 2.5} {
					for _, rq := range [][2]float64{{0.05, 0.02}, {0.01, 0.06}} {
						x := []float64{100, k, 0.75, rq[0], rq[1], 0.25, h, rebate}
						t.Run(fmt.Sprintf("%s/call=%v/K=%v/rebate=%v/r=%v", kind, call, k, rebate, rq[0]), func(t *testing.T) {
							checkAgainstBump(t, f, x, names, x[0])
						})
					}
				}
			}
		}
	}
}

func TestAmericanAgainstBump(t *testing.T) {
	for _, call := range []bool{true, false} {
		f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) { return American(tp, typeOf(call), params(in)) }
		for _, s := range []float64{75, 100, 120} {
			for _, tt := range []float64{0.1, 1, 3} {
				for _, rq := range [][2]float64{{0.1, 0.1}, {0.05, 0.02}, {0.02, 0.07}, {-0.01, 0.03}, {0.06, 0}} {
					for _, vol := range []float64{0.15, 0.4} {
						x := []float64{s, 100, tt, rq[0], rq[1], vol}
						var m baw
						if (call && x[4] > 0) || (!call && x[3] > 0) {
							require.NoError(t, m.init(call, x[1], x[2], x[3], x[4], x[5]))
							star, err := m.solve()
							require.NoError(t, err)
							if math.Abs(x[0]-star) < 1e-3*x[0] {
								continue // a bump would straddle the exercise boundary
							}
						}
						checkAgainstBump(t, f, x, inputNames, x[0])
					}
				}
			}
		}
	}
}

// The implicit-function-theorem derivative of the critical price equals a
// central difference of the solved root.
func TestAmericanCriticalPriceIFT(t *testing.T) {
	for _, call := range []bool{true, false} {
		for _, x := range [][]float64{{100, 0.5, 0.1, 0.1, 0.25}, {90, 2, 0.05, 0.03, 0.35}, {110, 0.05, 0.03, 0.08, 0.2}} {
			var m baw
			require.NoError(t, m.init(call, x[0], x[1], x[2], x[3], x[4]))
			star, err := m.solve()
			require.NoError(t, err)
			at := m.at(star, true)
			for i := iK; i <= iVol; i++ {
				h := bumpStep(x[i-1])
				xb := append([]float64(nil), x...)
				xb[i-1] += h
				require.NoError(t, m.init(call, xb[0], xb[1], xb[2], xb[3], xb[4]))
				up, err := m.solve()
				require.NoError(t, err)
				xb[i-1] = x[i-1] - h
				require.NoError(t, m.init(call, xb[0], xb[1], xb[2], xb[3], xb[4]))
				down, err := m.solve()
				require.NoError(t, err)
				want := (up - down) / (2 * h)
				testutil.Near(t, -at.dF[i]/at.fs, want, 1e-6, 1e-7*x[0], "∂S*/∂%s call=%v at %v", inputNames[i], call, x)
			}
		}
	}
}

func TestImpliedVolAgainstBump(t *testing.T) {
	names := []string{"price", "S", "K", "T", "R", "Q"}
	for _, call := range []bool{true, false} {
		f := func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return ImpliedVol(tp, typeOf(call), in[0], Params{S: in[1], K: in[2], T: in[3], R: in[4], Q: in[5]})
		}
		for _, k := range []float64{70, 100, 140} {
			for _, tt := range []float64{0.05, 1, 4} {
				for _, vol := range []float64{0.12, 0.5} {
					p := Params{S: aad.Const(100), K: aad.Const(k), T: aad.Const(tt), R: aad.Const(0.03), Q: aad.Const(0.01), Vol: aad.Const(vol)}
					price, err := checked(European(nil, typeOf(call), p))
					require.NoError(t, err)
					other, err := checked(European(nil, typeOf(!call), p))
					require.NoError(t, err)
					// The time value: bumps must be small against it.
					tv := min(price.Value(), other.Value())
					if tv < 1e-3 {
						continue // the price is at its bound to a few digits
					}
					x := []float64{price.Value(), 100, k, tt, 0.03, 0.01}
					steps := make([]float64, len(x))
					for i, xi := range x {
						steps[i] = 1e-5 * min(max(math.Abs(xi), 0.1), tv)
					}
					checkAgainstBump(t, f, x, names, 1, steps...)
				}
			}
		}
	}
}
