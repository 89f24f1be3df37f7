package fastmath

import "math"

const (
	expN     = 128
	expShift = 0x1.8p52 // adding it rounds to an integer, kept in the low bits
	// Bounds of the fast path: exp(x) is normal and finite inside.
	expLo = -708.3
	expHi = 709.0
	// Beyond these exp(x) is certainly +Inf or 0; between them and the
	// fast path the scaling is done with care.
	expOver  = 709.79
	expUnder = -746.0
	// Coefficients of exp(r) - 1 - r - r²/2 beyond: 1/6, 1/24, 1/120.
	expC3 = 1.0 / 6
	expC4 = 1.0 / 24
	expC5 = 1.0 / 120
)

// Exp returns e**x, within 0.52 ulp.
//
// Special cases are:
//
//	Exp(+Inf) = +Inf
//	Exp(-Inf) = 0
//	Exp(NaN) = NaN
//
// Very large values overflow to +Inf, very small ones go through the
// subnormals to 0.
func Exp(x float64) float64 {
	if !(x > expLo && x < expHi) {
		return expSlow(x, 0, &expTab)
	}
	// x = k·ln2/128 + r, |r| <= ln2/256; k = 128·e + j.
	kd := float64(x*invLn2N) + expShift
	k := int64(math.Float64bits(kd)) - int64(math.Float64bits(expShift))
	kd -= expShift
	r := float64(x-float64(kd*ln2hiN)) - float64(kd*ln2loN)
	j := uint64(k) & (expN - 1)
	hi := math.Float64frombits(expTab[2*j])
	lo := math.Float64frombits(expTab[2*j+1])
	r2 := float64(r * r)
	// p = exp(r) - 1
	p := r + float64(r2*(0.5+float64(r*expC3)+float64(r2*(expC4+float64(r*expC5)))))
	y := hi + (lo + float64(hi*p))
	return float64(y * math.Float64frombits(uint64(k>>7+1023)<<52))
}

// expHL returns exp(h + l)·(the factor of tab: 1 for expTab) for h <= 0
// and |l| < 2^-9, the pair being a head and a tail.
func expHL(h, l float64, tab *[2 * expN]uint64) float64 {
	if !(h > expLo) {
		return expSlow(h, l, tab)
	}
	kd := float64(h*invLn2N) + expShift
	k := int64(math.Float64bits(kd)) - int64(math.Float64bits(expShift))
	kd -= expShift
	r := float64(float64(h-float64(kd*ln2hiN))+l) - float64(kd*ln2loN)
	j := uint64(k) & (expN - 1)
	hi := math.Float64frombits(tab[2*j])
	lo := math.Float64frombits(tab[2*j+1])
	r2 := float64(r * r)
	p := r + float64(r2*(0.5+float64(r*expC3)+float64(r2*(expC4+float64(r*expC5)))))
	y := hi + (lo + float64(hi*p))
	return float64(y * math.Float64frombits(uint64(k>>7+1023)<<52))
}

// expSlow is exp(x + l) (times the factor of tab) outside the fast path:
// NaN, the infinities, and results near overflow or in the subnormals.
func expSlow(x, l float64, tab *[2 * expN]uint64) float64 {
	switch {
	case x != x:
		return x
	case x > expOver:
		return math.Inf(1)
	case x < expUnder:
		return 0
	}
	kd := float64(x*invLn2N) + expShift
	k := int64(math.Float64bits(kd)) - int64(math.Float64bits(expShift))
	kd -= expShift
	r := float64(float64(x-float64(kd*ln2hiN))+l) - float64(kd*ln2loN)
	j := uint64(k) & (expN - 1)
	hi := math.Float64frombits(tab[2*j])
	lo := math.Float64frombits(tab[2*j+1])
	r2 := float64(r * r)
	p := r + float64(r2*(0.5+float64(r*expC3)+float64(r2*(expC4+float64(r*expC5)))))
	t := lo + float64(hi*p) // exp(x) = 2^e·(hi + t)
	e := k >> 7
	if e > 0 {
		// 2^e·(hi + t) with 2^e itself possibly infinite: scale in two.
		y := hi + t
		return float64(float64(y*math.Float64frombits(uint64(e-1+1023)<<52)) * 2)
	}
	// The result is 2^-1022·(a + b) with a + b < 2 and possibly below 1,
	// where the subnormal spacing 2^-1074 is 2^-52 of a + b: round
	// 1 + a + b once to that spacing, then take the 1 away.
	s := math.Float64frombits(uint64(e+1022+1023) << 52)
	a := float64(hi * s)
	b := float64(t * s)
	y := a + b
	if y >= 1 {
		return float64(y * 0x1p-1022)
	}
	rest := (a - y) + b // what the rounding of y lost
	one := 1 + y
	rest += (1 - one) + y
	y = (one + rest) - 1
	return float64(y * 0x1p-1022)
}
