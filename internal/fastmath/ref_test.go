package fastmath

import (
	"math"
	"math/big"
)

// The reference: exp, log and erfc in math/big at refPrec bits, with
// their own argument reductions and series, to measure the float64
// functions in ulps of the correctly rounded result.

const refPrec = 136

func bnew() *big.Float               { return new(big.Float).SetPrec(refPrec) }
func bf(x float64) *big.Float        { return bnew().SetFloat64(x) }
func bexpo(x *big.Float) int         { return x.MantExp(nil) }
func btiny(t *big.Float, n int) bool { return t.Sign() == 0 || bexpo(t) < n }

var bLn2, bPi, bSqrtPi, bSqrt2, bLnSqrt2Pi = refConstants()

// The constants carry constPrec bits, for the wider working precision
// of erfc's series.
const constPrec = 640

func refConstants() (ln2, pi, sqrtPi, sqrt2, lnSqrt2Pi *big.Float) {
	bnew := func() *big.Float { return new(big.Float).SetPrec(constPrec) }
	bf := func(x float64) *big.Float { return bnew().SetFloat64(x) }
	ln2 = bnew()
	for k := 1; k < constPrec+20; k++ {
		t := bnew().SetMantExp(bf(1), -k)
		ln2.Add(ln2, t.Quo(t, bf(float64(k))))
	}
	atanInv := func(n float64) *big.Float {
		x := bnew().Quo(bf(1), bf(n))
		x2 := bnew().Mul(x, x)
		s, p := bnew(), bnew().Set(x)
		for k := 0; !btiny(p, -constPrec-10); k++ {
			t := bnew().Quo(p, bf(float64(2*k+1)))
			if k%2 == 0 {
				s.Add(s, t)
			} else {
				s.Sub(s, t)
			}
			p.Mul(p, x2)
		}
		return s
	}
	pi = bnew().Sub(bnew().Mul(bf(16), atanInv(5)), bnew().Mul(bf(4), atanInv(239)))
	sqrtPi = bnew().Sqrt(pi)
	sqrt2 = bnew().Sqrt(bf(2))
	lnSqrt2Pi = refLogBig(new(big.Float).SetPrec(refPrec).Mul(bf(2), pi), ln2)
	lnSqrt2Pi.Quo(lnSqrt2Pi, bf(2))
	return
}

// refExpBig is e**x at the precision of x: x = k·ln2 + r, exp(r/256)
// by its Taylor series, squared eight times.
func refExpBig(x *big.Float) *big.Float {
	p := x.Prec() + 16
	nw := func() *big.Float { return new(big.Float).SetPrec(p) }
	q, _ := nw().Quo(x, bLn2).Float64()
	k := math.Round(q)
	r := nw().Sub(x, nw().Mul(nw().SetFloat64(k), bLn2))
	r.SetMantExp(r, -8)
	s, t := nw().SetInt64(1), nw().SetInt64(1)
	for n := 1; !btiny(t, -int(p)-8); n++ {
		t.Mul(t, r)
		t.Quo(t, nw().SetInt64(int64(n)))
		s.Add(s, t)
	}
	for i := 0; i < 8; i++ {
		s.Mul(s, s)
	}
	return s.SetMantExp(s, int(k))
}

// refLogBig is log x for x > 0: x = 2^e·m, m in [1/√2, √2), and
// log m = 2·atanh((m-1)/(m+1)).
func refLogBig(x *big.Float, ln2 *big.Float) *big.Float {
	m := bnew()
	e := x.MantExp(m)
	if m.Cmp(bf(0.70710678118654752)) < 0 {
		m.SetMantExp(m, 1)
		e--
	}
	u := bnew().Quo(bnew().Sub(m, bf(1)), bnew().Add(m, bf(1)))
	u2 := bnew().Mul(u, u)
	s, p := bnew(), bnew().Set(u)
	for k := 0; !btiny(p, bexpo(u)-refPrec-10); k++ {
		s.Add(s, bnew().Quo(p, bf(float64(2*k+1))))
		p.Mul(p, u2)
	}
	s.SetMantExp(s, 1)
	return s.Add(s, bnew().Mul(bf(float64(e)), ln2))
}

// refErfcBig is erfc y: 1 - erf y by the series of erf for y < 4,
// 2 - erfc(-y) for y < 0, and the continued fraction beyond.
func refErfcBig(y *big.Float) *big.Float {
	if y.Sign() < 0 {
		return bnew().Sub(bf(2), refErfcBig(bnew().Neg(y)))
	}
	if y.Cmp(bf(4)) < 0 {
		// erf y = 2/√π·exp(-y²)·sum 2^n y^(2n+1)/(2n+1)!!, all terms
		// positive; 1 - erf y loses up to 1.45·y² bits, so work wider.
		yf, _ := y.Float64()
		p := uint(refPrec + 24 + 1.45*yf*yf)
		nw := func() *big.Float { return new(big.Float).SetPrec(p) }
		y2 := nw().Mul(y, y)
		t := nw().Set(y)
		s := nw()
		for n := 0; !btiny(t, bexpo(s)-int(p)-8); n++ {
			s.Add(s, t)
			t.Mul(t, y2)
			t.Mul(t, nw().SetInt64(2))
			t.Quo(t, nw().SetInt64(int64(2*n+3)))
		}
		e := refExpBig(nw().Neg(y2))
		s.Mul(s, e)
		s.Mul(s, nw().SetInt64(2))
		s.Quo(s, nw().Sqrt(bPi))
		return bnew().Sub(nw().SetInt64(1), s)
	}
	// erfc y = exp(-y²)/√π / (y + (1/2)/(y + 1/(y + (3/2)/(y + ...)))),
	// evaluated backwards from cfTerms(y) terms.
	f := bnew().Set(y)
	for n := cfTerms(y); n >= 1; n-- {
		f.Quo(bf(float64(n)/2), f)
		f.Add(f, y)
	}
	e := refExpBig(bnew().Neg(bnew().Mul(y, y)))
	return e.Quo(e, f.Mul(f, bSqrtPi))
}

// cfTerms is enough terms of the continued fraction at y >= 4 for the
// reference precision (checked against twice as many in the tests).
func cfTerms(y *big.Float) int {
	yf, _ := y.Float64()
	n := int(2400 / (yf * yf))
	return max(n, 40)
}

// refTiny stands for a result below half the smallest subnormal, which
// rounds to 0.
func refTiny() *big.Float { return bnew().SetMantExp(bf(1), -1100) }

func refExp(x float64) *big.Float {
	switch {
	case x > 710:
		return bnew().SetInf(false)
	case x < -746:
		return refTiny()
	}
	return refExpBig(bf(x))
}

func refLog(x float64) *big.Float {
	if x == 0 {
		return bnew().SetInf(true)
	}
	return refLogBig(bf(x), bLn2)
}

func refErfc(x float64) *big.Float {
	switch {
	case x > 30:
		return refTiny()
	case x < -30:
		return bf(2)
	}
	return refErfcBig(bf(x))
}

// refNormCDF is Φ(x) = erfc(-x/√2)/2, the argument exact to the
// reference precision.
func refNormCDF(x float64) *big.Float {
	switch {
	case x < -40:
		return refTiny()
	case x > 40:
		return bf(1)
	}
	y := bnew().Quo(bf(-x), bSqrt2)
	r := refErfcBig(y)
	return r.Quo(r, bf(2))
}

// refNormPDF is exp(-x²/2 - log √(2π)).
func refNormPDF(x float64) *big.Float {
	if math.Abs(x) > 40 {
		return refTiny()
	}
	a := bnew().Mul(bf(x), bf(x))
	a.Quo(a, bf(-2))
	return refExpBig(a.Sub(a, bLnSqrt2Pi))
}
