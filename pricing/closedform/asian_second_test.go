package closedform

import (
	"math/rand/v2"
	"testing"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

func asianContinuousPricer(typ OptionType) pricer {
	return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
		return checked(GeometricAsianContinuous(tp, typ, params(in)))
	}
}

// Every entry of the continuous geometric Asian's Hessian matches
// differences of first-order gradients at random inputs; its value and
// partials are the same on both tapes.
func TestGeometricAsianContinuousHessian(t *testing.T) {
	for _, x := range randomBSM(40) {
		for _, typ := range []OptionType{Call, Put} {
			checkHessian(t, asianContinuousPricer(typ), x, bsmNames, 1e-6, 1e-7*x[0])
			checkSameFirstOrder(t, asianContinuousPricer(typ), x)
		}
	}
}

// At the European's edges the continuous geometric Asian's value, partials
// and Hessian are finite.
func TestGeometricAsianContinuousSecondOrderEdges(t *testing.T) {
	for _, x := range bsmEdges {
		for _, typ := range []OptionType{Call, Put} {
			checkFinite(t, asianContinuousPricer(typ), x, false)
			checkSameFirstOrder(t, asianContinuousPricer(typ), x)
		}
	}
}

// asianDiscretePricer prices on in[:6] as S, K, T, R, Q, Vol and in[6:] as
// the fixing times, or on the fixed fixing times fix when in has only six.
func asianDiscretePricer(typ OptionType, fix []float64) pricer {
	return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
		fixings := in[6:]
		if len(fixings) == 0 {
			fixings = consts(fix)
		}
		return checked(GeometricAsianDiscrete(tp, typ, params(in[:6]), fixings))
	}
}

// randomFixings returns n increasing fixing times up to t, at least a
// hundredth of t apart, so that the bumps keep them in order.
func randomFixings(rng *rand.Rand, n int, t float64) []float64 {
	fix := make([]float64, n)
	for i := range fix {
		fix[i] = t * (float64(i) + 0.5 + 0.49*rng.Float64()) / float64(n)
	}
	fix[n-1] = t
	return fix
}

// Every entry of the discrete geometric Asian's Hessian, over the six
// inputs and the fixing times, matches differences of first-order
// gradients at random inputs; its value and partials are the same on both
// tapes. With the fixing times passive, the Hessian over the six inputs.
func TestGeometricAsianDiscreteHessian(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	names := append(append([]string(nil), bsmNames...), "t1", "t2", "t3", "t4", "t5")
	for _, x := range randomBSM(30) {
		fix := randomFixings(rng, 5, x[2])
		all := append(append([]float64(nil), x...), fix...)
		for _, typ := range []OptionType{Call, Put} {
			f := asianDiscretePricer(typ, fix)
			checkHessian(t, f, all, names, 1e-6, 1e-7*x[0])
			checkSameFirstOrder(t, f, all)
			checkHessian(t, f, x, bsmNames, 1e-6, 1e-7*x[0])
			checkSameFirstOrder(t, f, x)
		}
	}
}

// One fixing at T is the European option, to second order too: with the
// fixing time the input T itself, through the sums over the fixing times.
func TestGeometricAsianDiscreteOneFixingSecondOrder(t *testing.T) {
	tp := aad.NewTape(0)
	oneFixing := func(typ OptionType) pricer {
		return func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(GeometricAsianDiscrete(tp, typ, params(in), in[iT:iT+1]))
		}
	}
	for _, x := range randomBSM(20) {
		for j := range 6 {
			e := make([]float64, 6)
			e[j] = 1
			for _, typ := range []OptionType{Call, Put} {
				_, _, want := secondOrder(t, tp, europeanPricer(typ), x, e)
				_, _, got := secondOrder(t, tp, oneFixing(typ), x, e)
				for i := range 6 {
					testutil.Near(t, got[i], want[i], 1e-11, 1e-14*x[0], "%v ∂²/∂%s∂%s at %v", typ, bsmNames[i], bsmNames[j], x)
				}
			}
		}
	}
}

// At the European's edges, with the fixing times active, the discrete
// geometric Asian's value, partials and Hessian are finite; with more than
// 64 fixings too (the weighted sum in several statements).
func TestGeometricAsianDiscreteSecondOrderEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 23))
	for _, n := range []int{3, 100} {
		for _, x := range bsmEdges {
			fix := randomFixings(rng, n, x[2])
			all := append(append([]float64(nil), x...), fix...)
			for _, typ := range []OptionType{Call, Put} {
				checkFinite(t, asianDiscretePricer(typ, fix), all, false)
				checkSameFirstOrder(t, asianDiscretePricer(typ, fix), all)
			}
		}
	}
}
