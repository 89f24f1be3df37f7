package aad

import (
	"math"

	"github.com/aadrisk/aadrisk/internal/fastmath"
)

// The operations are methods of *Tape so that the tape is passed explicitly
// and a nil tape evaluates passively. Each records one statement with the
// exact partial derivatives of its result with respect to its active
// arguments; passive arguments are left out, and an operation whose
// arguments are all passive returns a passive result and records nothing.
//
// Domain errors follow package math: the value is what the math function
// returns (NaN, ±Inf) and so are the partials.

// Add returns a + b.
func (t *Tape) Add(a, b Number) Number { return t.rec2h(a.v+b.v, a, 1, b, 1, 0, 0, 0) }

// Sub returns a − b.
func (t *Tape) Sub(a, b Number) Number { return t.rec2h(a.v-b.v, a, 1, b, -1, 0, 0, 0) }

// Mul returns a · b.
func (t *Tape) Mul(a, b Number) Number { return t.rec2h(a.v*b.v, a, b.v, b, a.v, 0, 1, 0) }

// Div returns a / b.
func (t *Tape) Div(a, b Number) Number {
	v := a.v / b.v
	if t.so() {
		return t.s2(v, a, 1/b.v, b, -v/b.v, 0, -1/(b.v*b.v), 2*v/(b.v*b.v))
	}
	return t.rec2(v, a, 1/b.v, b, -v/b.v)
}

// Neg returns −a.
func (t *Tape) Neg(a Number) Number { return t.rec1h(-a.v, a, -1, 0) }

// AddConst returns a + c.
func (t *Tape) AddConst(a Number, c float64) Number { return t.rec1h(a.v+c, a, 1, 0) }

// SubConst returns a − c.
func (t *Tape) SubConst(a Number, c float64) Number { return t.rec1h(a.v-c, a, 1, 0) }

// ConstSub returns c − a.
func (t *Tape) ConstSub(c float64, a Number) Number { return t.rec1h(c-a.v, a, -1, 0) }

// MulConst returns c · a.
func (t *Tape) MulConst(a Number, c float64) Number { return t.rec1h(a.v*c, a, c, 0) }

// DivConst returns a / c.
func (t *Tape) DivConst(a Number, c float64) Number { return t.rec1h(a.v/c, a, 1/c, 0) }

// ConstDiv returns c / a.
func (t *Tape) ConstDiv(c float64, a Number) Number {
	v := c / a.v
	return t.rec1h(v, a, -v/a.v, 2*v/(a.v*a.v))
}

// Square returns a².
func (t *Tape) Square(a Number) Number { return t.rec1h(a.v*a.v, a, 2*a.v, 2) }

// Exp returns eᵃ.
func (t *Tape) Exp(a Number) Number {
	v := fastmath.Exp(a.v)
	if t.so() {
		return t.s1(v, a, v, v)
	}
	return t.rec1(v, a, v)
}

// Log returns the natural logarithm of a; its derivative is 1/a.
// Log of a negative number is NaN, and so is its derivative; Log(0) is −Inf,
// as in package math, with derivative +Inf.
func (t *Tape) Log(a Number) Number {
	d := 1 / a.v
	if a.v < 0 {
		d = math.NaN()
	}
	if t.so() {
		return t.s1(fastmath.Log(a.v), a, d, -d*d)
	}
	return t.rec1(fastmath.Log(a.v), a, d)
}

// Sqrt returns √a; its derivative is 1/(2√a), +Inf at 0. Sqrt of a negative
// number is NaN.
func (t *Tape) Sqrt(a Number) Number {
	v := math.Sqrt(a.v)
	d := 0.5 / v
	if v == 0 {
		d = math.Inf(1) // also at −0, whose square root is −0
	}
	if t.so() {
		return t.s1(v, a, d, -0.5*d/a.v) // −1/(4a√a)
	}
	return t.rec1(v, a, d)
}

// Pow returns aᵇ with both base and exponent active. Its partials are
// b·aᵇ⁻¹ and aᵇ·ln a; where aᵇ is 0 the second is taken as 0 (its limit for
// a → 0⁺), and for a < 0 it is NaN, as ln a is.
func (t *Tape) Pow(a, b Number) Number {
	v := math.Pow(a.v, b.v)
	db := 0.0
	if v != 0 {
		db = v * math.Log(a.v)
	}
	da := 0.0 // a⁰ is 1 for every a, so its derivative is 0 even at a = 0
	if b.v != 0 {
		da = b.v * math.Pow(a.v, b.v-1)
	}
	if t.so() {
		return t.pow2(v, a, da, b, db)
	}
	return t.rec2(v, a, da, b, db)
}

// PowConst returns aᶜ for a constant exponent c; its derivative is c·aᶜ⁻¹.
func (t *Tape) PowConst(a Number, c float64) Number {
	v := math.Pow(a.v, c)
	var d float64
	// c·v/a is exact to rounding and saves a Pow, unless v is subnormal or
	// infinite and has lost its relative precision.
	switch av := math.Abs(v); {
	case c == 0:
		d = 0 // a⁰ is 1 for every a
	case a.v != 0 && av >= 0x1p-1022 && av <= math.MaxFloat64:
		d = c * (v / a.v)
	default:
		d = c * math.Pow(a.v, c-1)
	}
	if t.so() {
		h := 0.0
		if c != 0 && c != 1 {
			h = c * (c - 1) * math.Pow(a.v, c-2)
		}
		return t.s1(v, a, d, h)
	}
	return t.rec1(v, a, d)
}

// Abs returns |a|. Its derivative is the sign of a, and 0 at a = 0 (the
// result is then the passive 0).
func (t *Tape) Abs(a Number) Number {
	if t == nil && a.ref != 0 {
		activeOnNil()
	}
	switch {
	case a.v > 0:
		return a
	case a.v < 0:
		return t.Neg(a)
	case a.v == 0:
		return Number{}
	}
	return a // NaN
}

// Min returns the smaller of a and b, which is a or b itself, so its
// derivative is that argument's. At a tie it returns a. If either is NaN it
// returns that one, as math.Min returns NaN.
func (t *Tape) Min(a, b Number) Number {
	if t == nil && a.ref|b.ref != 0 {
		activeOnNil()
	}
	if a.v <= b.v || a.v != a.v {
		return a
	}
	return b
}

// Max returns the larger of a and b, which is a or b itself, so its
// derivative is that argument's. At a tie it returns a. If either is NaN it
// returns that one, as math.Max returns NaN.
func (t *Tape) Max(a, b Number) Number {
	if t == nil && a.ref|b.ref != 0 {
		activeOnNil()
	}
	if a.v >= b.v || a.v != a.v {
		return a
	}
	return b
}

// Sin returns sin a.
func (t *Tape) Sin(a Number) Number {
	s, c := math.Sincos(a.v)
	if t.so() {
		return t.s1(s, a, c, -s)
	}
	return t.rec1(s, a, c)
}

// Cos returns cos a.
func (t *Tape) Cos(a Number) Number {
	s, c := math.Sincos(a.v)
	if t.so() {
		return t.s1(c, a, -s, -c)
	}
	return t.rec1(c, a, -s)
}

const (
	twoOverSqrtPi = 2 / math.SqrtPi
	invSqrt2Pi    = 1 / (math.Sqrt2 * math.SqrtPi)
)

// Erf returns the error function of a; its derivative is 2/√π·exp(−a²).
func (t *Tape) Erf(a Number) Number {
	d := twoOverSqrtPi * math.Exp(-a.v*a.v)
	if t.so() {
		return t.s1(math.Erf(a.v), a, d, -2*a.v*d)
	}
	return t.rec1(math.Erf(a.v), a, d)
}

// Erfc returns the complementary error function of a, 1 − erf a, computed
// without cancellation for large a; its derivative is −2/√π·exp(−a²).
func (t *Tape) Erfc(a Number) Number {
	d := -twoOverSqrtPi * fastmath.Exp(-a.v*a.v)
	if t.so() {
		return t.s1(fastmath.Erfc(a.v), a, d, -2*a.v*d)
	}
	return t.rec1(fastmath.Erfc(a.v), a, d)
}

// NormCDF returns Φ(a), the standard normal cumulative distribution
// function, with the lower tail at its relative accuracy; its derivative is
// φ(a).
func (t *Tape) NormCDF(a Number) Number {
	p := NormPDF(a.v)
	if t.so() {
		return t.s1(NormCDF(a.v), a, p, -a.v*p)
	}
	return t.rec1(NormCDF(a.v), a, p)
}

// NormPDF returns φ(a), the standard normal density; its derivative is
// −a·φ(a).
func (t *Tape) NormPDF(a Number) Number {
	p := NormPDF(a.v)
	if t.so() {
		return t.s1(p, a, -a.v*p, (a.v*a.v-1)*p)
	}
	return t.rec1(p, a, -a.v*p)
}

// NormPDF returns the standard normal density exp(−x²/2)/√(2π), within
// 2 ulp (the kernels of internal/fastmath: the same bits on every machine).
func NormPDF(x float64) float64 { return fastmath.NormPDF(x) }

// NormCDF returns the standard normal cumulative distribution function Φ(x),
// within 2 ulp relative in both tails.
func NormCDF(x float64) float64 { return fastmath.NormCDF(x) }

// pow2 records aᵇ in second-order mode: ∂²/∂a² = b(b−1)aᵇ⁻², ∂²/∂a∂b =
// aᵇ⁻¹(1 + b·ln a), ∂²/∂b² = aᵇ(ln a)², each 0 where its factor of aᵇ is.
func (t *Tape) pow2(v float64, a Number, da float64, b Number, db float64) Number {
	var haa, hab, hbb float64
	if b.v != 0 && b.v != 1 {
		haa = b.v * (b.v - 1) * math.Pow(a.v, b.v-2)
	}
	if v != 0 {
		l := math.Log(a.v)
		hab = math.Pow(a.v, b.v-1) * (1 + b.v*l)
		hbb = v * l * l
	}
	return t.s2(v, a, da, b, db, haa, hab, hbb)
}
