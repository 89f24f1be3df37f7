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
//
// On a second-order tape (so) each statement also needs its Hessian: the
// caller sets it with h2, h3 or h4 just before recording the statement with
// c2, c3 or c4, under if r.so, so that a first-order recording computes no
// second derivative. custom then records the statement with Custom2 and
// that Hessian, and panics if none of the statement's size was set: a
// statement without its second derivatives would give a wrong H·v, not an
// error.
type recorder struct {
	tp  *aad.Tape
	bad bool
	so  bool // tp.SecondOrder(): record with Custom2 and the Hessian in h
	hn  int  // the size of the Hessian set for the next statement, 0 if none
	h   [16]float64
}

// newRecorder returns a recorder on tp, in tp's mode.
func newRecorder(tp *aad.Tape) recorder {
	return recorder{tp: tp, so: tp.SecondOrder()}
}

func (r *recorder) custom(v float64, args []aad.Number, parts []float64) aad.Number {
	if !allFinite(v, parts) {
		r.bad = true
	}
	if r.so {
		return r.custom2(v, args, parts)
	}
	return r.tp.Custom(v, args, parts)
}

// custom2 records the statement with the Hessian set by h2, h3 or h4.
func (r *recorder) custom2(v float64, args []aad.Number, parts []float64) aad.Number {
	n := len(args)
	if r.hn != n {
		panic("closedform: a statement recorded on a second-order tape without its Hessian")
	}
	r.hn = 0
	hess := r.h[:n*n]
	if !allFinite(0, hess) {
		r.bad = true
	}
	return r.tp.Custom2(v, args, parts, hess)
}

// h2, h3 and h4 set the symmetric Hessian of the next c2, c3 or c4
// statement from its upper triangle, row by row: h2(∂²/∂a², ∂²/∂a∂b,
// ∂²/∂b²) and so on.
func (r *recorder) h2(aa, ab, bb float64) {
	r.h[0], r.h[1] = aa, ab
	r.h[2], r.h[3] = ab, bb
	r.hn = 2
}

func (r *recorder) h3(aa, ab, ac, bb, bc, cc float64) {
	r.h[0], r.h[1], r.h[2] = aa, ab, ac
	r.h[3], r.h[4], r.h[5] = ab, bb, bc
	r.h[6], r.h[7], r.h[8] = ac, bc, cc
	r.hn = 3
}

func (r *recorder) h4(aa, ab, ac, ad, bb, bc, bd, cc, cd, dd float64) {
	r.h[0], r.h[1], r.h[2], r.h[3] = aa, ab, ac, ad
	r.h[4], r.h[5], r.h[6], r.h[7] = ab, bb, bc, bd
	r.h[8], r.h[9], r.h[10], r.h[11] = ac, bc, cc, cd
	r.h[12], r.h[13], r.h[14], r.h[15] = ad, bd, cd, dd
	r.hn = 4
}

// c2, c3 and c4 record v as a function of two, three or four arguments with
// the given partials (and, on a second-order tape, the Hessian set by h2,
// h3 or h4).
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
//
// With E = e^a·Φ(z) and D = e^a·φ(z), z = s·(y − h), the value is c·E and
// the partials are E, c·E, s·c·D and −s·c·D. Since ∂E/∂a = E, ∂E/∂z = D,
// ∂D/∂a = D and ∂D/∂z = −z·D (φ′(z) = −z·φ(z)), and s² = 1, the Hessian
// is, over (c, a, y, h),
//
//	0      E       s·D      −s·D
//	E      c·E     s·c·D    −s·c·D
//	s·D    s·c·D   −z·c·D   z·c·D
//	−s·D   −s·c·D  z·c·D    −z·c·D
//
// every entry a product of E or D (from expCDF, in log space) with finite
// factors, so it is finite wherever the partials are.
func (r *recorder) cdfTerm(c, a, y, h aad.Number, s float64) aad.Number {
	z := s * (y.Value() - h.Value())
	e, de := expCDF(a.Value(), z)
	cv := c.Value()
	v := cv * e
	dz := s * cv * de
	if r.so {
		sd, zz := s*de, z*cv*de
		r.h4(0, e, sd, -sd, v, dz, -dz, -zz, zz, -zz)
	}
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
