package fastmath

import (
	"math/big"
	"testing"
)

// The continued fraction of the reference has converged: twice the
// terms change erfc by less than 2^-120.
func TestReferenceContinuedFraction(t *testing.T) {
	cf := func(y float64, n int) *big.Float {
		yy := bf(y)
		f := bnew().Set(yy)
		for k := n; k >= 1; k-- {
			f.Quo(bf(float64(k)/2), f)
			f.Add(f, yy)
		}
		return f
	}
	for _, y := range []float64{4, 4.5, 5, 6, 8, 12, 20, 27.3} {
		n := cfTerms(bf(y))
		a, b := cf(y, n), cf(y, 2*n)
		d := bnew().Sub(a, b)
		d.Quo(d, b)
		if d.Sign() != 0 && bexpo(d) > -120 {
			t.Errorf("erfc(%v): %d terms of the continued fraction differ from %d by %v", y, n, 2*n, d)
		}
	}
}

// The two branches of the reference erfc agree where they meet.
func TestReferenceErfcBranches(t *testing.T) {
	for _, y := range []float64{2.5, 3, 3.5, 3.9} {
		yy := bf(y)
		f := bnew().Set(yy)
		for k := 2000; k >= 1; k-- {
			f.Quo(bf(float64(k)/2), f)
			f.Add(f, yy)
		}
		e := refExpBig(bnew().Neg(bnew().Mul(yy, yy)))
		cf := e.Quo(e, f.Mul(f, bSqrtPi))
		// the series, forced
		s := refErfcBig(bnew().SetPrec(refPrec).SetFloat64(y))
		if y >= 4 {
			continue
		}
		d := bnew().Sub(cf, s)
		d.Quo(d, s)
		if d.Sign() != 0 && bexpo(d) > -120 {
			t.Errorf("erfc(%v): series and continued fraction differ by %v", y, d)
		}
	}
}
