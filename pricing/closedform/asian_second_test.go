package closedform

import (
	"testing"

	"github.com/aadrisk/aadrisk/aad"
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
