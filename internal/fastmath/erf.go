package fastmath

import "math"

const (
	// Φ(x) rounds to 1 above phiOne; Φ(-u) rounds to 0 beyond phiZero,
	// and so does the density.
	phiOne  = 8.3
	phiZero = 38.6
	// erfc(x) rounds to 0 beyond erfcZero.
	erfcZero = 27.3
	// |x| < smallMax takes the series near zero.
	smallMax = 0.5
	// tailIndex(0.5) is 0: the exponent and top four mantissa bits of 0.5.
	tailBase = 0x3fe0
)

// Erfc returns the complementary error function of x, within 2 ulp.
//
// Special cases are:
//
//	Erfc(+Inf) = 0
//	Erfc(-Inf) = 2
//	Erfc(NaN) = NaN
func Erfc(x float64) float64 {
	u := math.Abs(x)
	if u < smallMax {
		// erfc(x) = 1 - x - x·F(x²), with the 1 - x done exactly where
		// it matters.
		w := float64(x * x)
		xf := float64(x * small(erfcSmall[:], w))
		switch {
		case u < 0.25:
			return 1 - (x + xf)
		case x > 0:
			return 0.5 - ((x - 0.5) + xf)
		default:
			return 1.5 - ((x + 0.5) + xf)
		}
	}
	if !(u < erfcZero) {
		switch {
		case x != x:
			return x
		case x > 0:
			return 0
		default:
			return 2
		}
	}
	// erfc(u) = exp(-u²)·H(u), u² = uh² + (u-uh)(u+uh) with uh² exact.
	b := math.Float64bits(u)
	uh := math.Float64frombits(b & 0xffffffff00000000)
	h := -float64(uh * uh)
	l := -float64((u - uh) * (u + uh))
	t := expTimesTail(h, l, erfcTail[:], b, u)
	if x > 0 {
		return t
	}
	return 2 - t
}

// NormCDF returns Φ(x), the standard normal distribution function,
// within 2 ulp, also in the far left tail where it is as small as the
// subnormals.
//
// Special cases are:
//
//	NormCDF(+Inf) = 1
//	NormCDF(-Inf) = 0
//	NormCDF(NaN) = NaN
func NormCDF(x float64) float64 {
	u := math.Abs(x)
	if u < smallMax {
		// Φ(x) = 1/2 + x·s0 + x·(S(x²) - s0), with x·s0 = ph + pl exact
		// (Dekker's product, x and s0 cut into 26 and 27 bits) and
		// 1/2 + ph summed exactly.
		w := float64(x * x)
		f := math.Float64frombits
		s0 := f(phiSmall[0])
		s0a := f(phiSmall[0] &^ (1<<27 - 1))
		s0b := s0 - s0a
		xa := f(math.Float64bits(x) &^ (1<<27 - 1))
		xb := x - xa
		ph := float64(x * s0)
		pl := float64(float64(float64(float64(xa*s0a)-ph)+float64(xa*s0b))+float64(xb*s0a)) + float64(xb*s0b)
		hi := 0.5 + ph
		lo := (0.5 - hi) + ph
		rest := float64(x * (f(phiSmall[1]) + float64(w*poly(phiSmall[2:], w))))
		return hi + (lo + pl + rest)
	}
	if !(u < phiZero) || x > phiOne {
		switch {
		case x != x:
			return x
		case x > 0:
			return 1
		default:
			return 0
		}
	}
	// Φ(-u) = exp(-u²/2)·G(u), u² split as in Erfc and halved exactly.
	b := math.Float64bits(u)
	uh := math.Float64frombits(b & 0xffffffff00000000)
	h := -0.5 * float64(uh*uh)
	l := -0.5 * float64((u-uh)*(u+uh))
	q := expTimesTail(h, l, phiTail[:], b, u)
	if x < 0 {
		return q
	}
	return 1 - q
}

// NormPDF returns the standard normal density exp(-x²/2)/√(2π), within
// 2 ulp.
//
// Special cases are:
//
//	NormPDF(±Inf) = 0
//	NormPDF(NaN) = NaN
func NormPDF(x float64) float64 {
	u := math.Abs(x)
	if !(u < phiZero) {
		if x != x {
			return x
		}
		return 0
	}
	b := math.Float64bits(u)
	uh := math.Float64frombits(b & 0xffffffff00000000)
	h := -0.5 * float64(uh*uh)
	l := -0.5 * float64((u-uh)*(u+uh))
	if !(h > expLo) {
		return expSlow(h, l, &pdfTab)
	}
	// expHL(h, l, &pdfTab), written out here to save a call.
	kd := float64(h*invLn2N) + expShift
	k := int64(math.Float64bits(kd)) - int64(math.Float64bits(expShift))
	kd -= expShift
	r := float64(float64(h-float64(kd*ln2hiN))+l) - float64(kd*ln2loN)
	j := uint64(k) & (expN - 1)
	hi := math.Float64frombits(pdfTab[2*j])
	lo := math.Float64frombits(pdfTab[2*j+1])
	r2 := float64(r * r)
	p := r + float64(r2*(0.5+float64(r*expC3)+float64(r2*(expC4+float64(r*expC5)))))
	y := hi + (lo + float64(hi*p))
	return float64(y * math.Float64frombits(uint64(k>>7+1023)<<52))
}

// expTimesTail is exp(h + l)·P(u), P the polynomial of tab on u's
// subinterval, rounded once: with exp(h + l) = 2^e·(T + t) from the
// table and P = c0 + g, the product T·c0 is formed exactly (Dekker's,
// both cut into 26 and 27 bits) and the rest added to its tail.
//
// The subintervals are sixteen a binade of u (b is its bits), selected
// by the top four mantissa bits, and P is in powers of d = u - mid, mid
// the subinterval's midpoint: c[0] + c[1] is the constant term, c[2:]
// the coefficients of d, d², ...
func expTimesTail(h, l float64, tab [][11]uint64, b uint64, u float64) float64 {
	// The polynomial, by Estrin's scheme.
	c := &tab[int(b>>48)-tailBase]
	mid := math.Float64frombits(b&0xffff000000000000 | 0x0000800000000000)
	d := u - mid
	d2 := float64(d * d)
	d4 := float64(d2 * d2)
	f := math.Float64frombits
	p23 := f(c[3]) + float64(d*f(c[4]))
	p45 := f(c[5]) + float64(d*f(c[6]))
	p67 := f(c[7]) + float64(d*f(c[8]))
	p89 := f(c[9]) + float64(d*f(c[10]))
	hiPart := p67 + float64(d2*p89)
	loPart := float64(d*f(c[2])) + float64(d2*(p23+float64(d2*p45)))
	c0, g := f(c[0]), f(c[1])+(loPart+float64(d4*float64(d2*hiPart)))
	if !(h > expLo) {
		// Results near or in the subnormals.
		return float64(expHL(h, l, &expTab) * (c0 + g))
	}
	kd := float64(h*invLn2N) + expShift
	k := int64(math.Float64bits(kd)) - int64(math.Float64bits(expShift))
	kd -= expShift
	r := float64(float64(h-float64(kd*ln2hiN))+l) - float64(kd*ln2loN)
	j := uint64(k) & (expN - 1)
	hiBits := expTab[2*j]
	hi := math.Float64frombits(hiBits)
	lo := math.Float64frombits(expTab[2*j+1])
	r2 := float64(r * r)
	p := r + float64(r2*(0.5+float64(r*expC3)+float64(r2*(expC4+float64(r*expC5)))))
	t := lo + float64(hi*p)

	ha := math.Float64frombits(hiBits &^ (1<<27 - 1))
	hb := hi - ha
	ca := math.Float64frombits(math.Float64bits(c0) &^ (1<<27 - 1))
	cb := c0 - ca
	ph := float64(hi * c0)
	pl := float64(float64(float64(float64(ha*ca)-ph)+float64(ha*cb))+float64(hb*ca)) + float64(hb*cb)
	y := ph + (pl + float64(hi*g) + float64(t*(c0+g)))
	return float64(y * math.Float64frombits(uint64(k>>7+1023)<<52))
}

// small evaluates c[0] + c[1] + c[2]·w + c[3]·w² + ...
func small(c []uint64, w float64) float64 {
	return math.Float64frombits(c[0]) + (math.Float64frombits(c[1]) + float64(w*poly(c[2:], w)))
}

// poly evaluates c[0] + c[1]·w + c[2]·w² + ... by Horner's rule.
func poly(c []uint64, w float64) float64 {
	n := len(c) - 1
	p := math.Float64frombits(c[n])
	for k := n - 1; k >= 0; k-- {
		p = math.Float64frombits(c[k]) + float64(w*p)
	}
	return p
}
