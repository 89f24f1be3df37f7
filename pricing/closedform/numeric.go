package closedform

import (
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// lnSqrt2Pi is ln √(2π).
const lnSqrt2Pi = 0.91893853320467274178032973640561764

// logNormCDF returns ln Φ(y) without underflow: directly where Φ(y) is a
// normal float64, by the asymptotic (Mills ratio) series below y = −30,
// where it is exact to rounding.
func logNormCDF(y float64) float64 {
	switch {
	case y > 0:
		return math.Log1p(-aad.NormCDF(-y))
	case y > -30:
		return math.Log(aad.NormCDF(y))
	case math.IsInf(y, -1):
		return y
	}
	// Φ(y) = φ(y)/|y| · (1 − 1/y² + 3/y⁴ − 15/y⁶ + …); at |y| ≥ 30 eight
	// terms leave less than 1e-18.
	u := 1 / (y * y)
	s, t := 1.0, 1.0
	for k := 1; k <= 8; k++ {
		t *= -float64(2*k-1) * u
		s += t
	}
	return -0.5*y*y - math.Log(-y) - lnSqrt2Pi + math.Log(s)
}

// expCDF returns e^a·Φ(y) and e^a·φ(y) (the derivative with respect to y),
// in log space where e^a would overflow or Φ(y) underflow, so that a huge
// factor times a vanishing probability is their (finite) product, not NaN.
func expCDF(a, y float64) (v, dy float64) {
	if a > -300 && a < 300 && y > -30 {
		e := math.Exp(a)
		return e * aad.NormCDF(y), e * aad.NormPDF(y)
	}
	return math.Exp(a + logNormCDF(y)), math.Exp(a - 0.5*y*y - lnSqrt2Pi)
}

// recorder records Custom statements with small fixed argument lists and
// remembers whether any value or partial was not finite.
type recorder struct {
	tp  *aad.Tape
	bad bool
}

func (r *recorder) custom(v float64, args []aad.Number, parts []float64) aad.Number {
	if !allFinite(v, parts) {
		r.bad = true
	}
	return r.tp.Custom(v, args, parts)
}

// c2, c3 and c4 record v as a function of two, three or four arguments with
// the given partials.
func (r *recorder) c2(v float64, a aad.Number, da float64, b aad.Number, db float64) aad.Number {
	args := [2]aad.Number{a, b}
	parts := [2]float64{da, db}
	return r.custom(v, args[:], parts[:])
}

func (r *recorder) c3(v float64, a aad.Number, da float64, b aad.Number, db float64, c aad.Number, dc float64) aad.Number {
	args := [3]aad.Number{a, b, c}
	parts := [3]float64{da, db, dc}
	return r.custom(v, args[:], parts[:])
}

func (r *recorder) c4(v float64, a aad.Number, da float64, b aad.Number, db float64, c aad.Number, dc float64, d aad.Number, dd float64) aad.Number {
	args := [4]aad.Number{a, b, c, d}
	parts := [4]float64{da, db, dc, dd}
	return r.custom(v, args[:], parts[:])
}

// cdfTerm records c·e^a·Φ(s·(y − h)), s = ±1, as one statement over c, a,
// y and h: the building block of the barrier formulas, computed in log space
// where its factors would overflow or underflow.
func (r *recorder) cdfTerm(c, a, y, h aad.Number, s float64) aad.Number {
	e, de := expCDF(a.Value(), s*(y.Value()-h.Value()))
	cv := c.Value()
	v := cv * e
	dz := s * cv * de
	return r.c4(v, c, e, a, v, y, dz, h, -dz)
}

// newtonInBracket takes the Newton step x − step of a root solve whose root
// lies in (lo, hi), the bracket already updated with the sign at x. A step
// that leaves the bracket (or is NaN) becomes bisection. done reports
// convergence: the step is below rel·|x|, or the bracket is as narrow as
// float64 allows; next is then the answer.
func newtonInBracket(x, step, lo, hi, rel float64) (next float64, done bool) {
	if math.Abs(step) <= rel*math.Abs(x) {
		return x - step, true
	}
	next = x - step
	if !(next > lo && next < hi) {
		next = 0.5 * (lo + hi)
		return next, next == lo || next == hi
	}
	return next, false
}
