package montecarlo

import (
	"math"
	"math/rand/v2"
)

//go:generate go run ./internal/gennormal -o normal_tables.go

// Normal returns a standard normal draw from src, a pure function of the
// stream: the same PCG state gives the same draw and the same next state on
// every platform, for any number of workers or schedule of blocks.
//
// It is a ziggurat after Marsaglia and Tsang ("The Ziggurat Method for
// Generating Random Variables", J. Stat. Softw. 5(8), 2000) with 256 layers
// of equal area under exp(−x²/2). A draw reads one src.Uint64 and splits
// it: the low 8 bits pick the layer, bit 8 is the sign, bits 9 and 10 are
// unused and the top 53 bits are the uniform j; the point is j·xᵢ/2^53. With probability 0.98508 the
// point lies inside the layer's box (an integer comparison of j with a
// table) and is the draw. Otherwise, and with fresh 64-bit words, the base
// layer samples the tail beyond r ≈ 3.654 by Marsaglia's method and the
// other layers test the wedge under the curve exactly, a rejection
// starting the draw again, so that the distribution is exact up to the
// granularity of float64 (the table values, rounded once from 320-bit
// ones, and the 53-bit uniforms).
//
// The fast path is one multiplication (exact IEEE rounding). The slow paths
// use expNeg and logUnit below, written with +, −, × and ÷ alone and
// guarded against fused multiply-adds, not package math, whose Exp and Log
// are assembly on some platforms: all paths give the same bits everywhere.
func Normal(src *rand.PCG) float64 {
	u := src.Uint64()
	z := &zigFast[uint8(u)]
	if j := u >> 11; j < z.k {
		return math.Float64frombits(math.Float64bits(float64(j)*z.w) | (u&0x100)<<55)
	}
	return normalSlow(src, u)
}

// normalSlow finishes a draw whose first word u fell outside its layer's
// box (1.5% of draws).
func normalSlow(src *rand.PCG, u uint64) float64 {
	for {
		i := int(uint8(u)) // an int: i+1 must not wrap
		j := u >> 11
		sign := (u & 0x100) << 55
		z := &zigFast[i]
		var x float64
		switch {
		case j < z.k:
			x = float64(j) * z.w
		case i == 0:
			x = normalTail(src)
		default:
			x = float64(j) * z.w
			if !zigWedge(i, x, src.Uint64()) {
				u = src.Uint64()
				continue
			}
		}
		return math.Float64frombits(math.Float64bits(x) | sign)
	}
}

// zigWedge reports whether the point at x in [xᵢ₊₁, xᵢ) of the box of layer
// i (1…255), at the height y = f(xᵢ) + U·(f(xᵢ₊₁) − f(xᵢ)) with U the top
// 53 bits of v, lies under the curve, y < f(x): the wedge between the curve
// and the box, accepted with probability (f(x) − f(xᵢ))/(f(xᵢ₊₁) − f(xᵢ)).
func zigWedge(i int, x float64, v uint64) bool {
	y := zigF[i] + float64(unit53(v)*(zigF[i+1]-zigF[i]))
	return y < expNeg(-0.5*float64(x*x))
}

// normalTail returns r + x with x drawn from the normal's tail beyond r
// (shifted by r), by Marsaglia's method: x = −ln(U₁)/r and y = −ln(U₂),
// accepted when 2y > x².
func normalTail(src *rand.PCG) float64 {
	for {
		x := -logUnit(src.Uint64()) / zigR
		y := -logUnit(src.Uint64())
		if y+y > float64(x*x) {
			return zigR + x
		}
	}
}

// unit53 returns the top 53 bits of v as a uniform in [0, 1).
func unit53(v uint64) float64 {
	return float64(v>>11) * 0x1p-53
}

// logUnit returns ln U for the uniform U = (⌊v/2^11⌋ + 1)/2^53 in (0, 1].
//
// U = 2^e·m with m in [√2/2, √2), s = (m − 1)/(m + 1) (m − 1 exact), and
// ln m = 2·atanh s = s·Σ 2s^(2n)/(2n+1), the series of logCoef, good to
// well below an ulp for |s| ≤ 0.1716. The result is e·ln2Hi (exact) +
// (s·P(s²) + e·ln2Lo), within 5e-16 relative of ln U (about 4 ulps at
// worst, for U near 1). Every product is
// converted to float64 before it is added, so no platform fuses it into a
// multiply-add: the result is the same bits everywhere.
func logUnit(v uint64) float64 {
	x := float64(v>>11+1) * 0x1p-53
	b := math.Float64bits(x)
	e := int(b>>52) - 1023
	m := math.Float64frombits(b&(1<<52-1) | 1023<<52) // [1, 2)
	if m > sqrt2 {
		m *= 0.5
		e++
	}
	s := (m - 1) / (m + 1)
	s2 := float64(s * s)
	p := logCoef[logDegree]
	for n := logDegree - 1; n >= 0; n-- {
		p = float64(p*s2) + logCoef[n]
	}
	k := float64(e)
	return float64(k*ln2Hi) + (float64(s*p) + float64(k*ln2Lo))
}

// logDegree and expDegree are the degrees of the series in logCoef and
// expCoef.
const (
	logDegree = len(logCoef) - 1
	expDegree = len(expCoef) - 1
)

// expNeg returns e^t for t in [−700, 0] (the wedges need t ≥ −r²/2 ≈
// −6.68).
//
// t = k·ln 2 + q with k = ⌊t/ln 2 + 1/2⌋ and |q| ≤ ln2/2 (the reduction
// exact, by Sterbenz's lemma and the 32-bit ln2Hi), e^q by its Taylor
// polynomial of degree 15 (expCoef) in Horner's form, and the result scaled
// by 2^k exactly: within 4e-16 relative of e^t. As in logUnit every product
// is converted before it is added, and math.Floor is exact, so the result
// is the same bits everywhere.
func expNeg(t float64) float64 {
	k := math.Floor(float64(t*log2E) + 0.5)
	q := float64(t-float64(k*ln2Hi)) - float64(k*ln2Lo)
	p := expCoef[expDegree]
	for n := expDegree - 1; n >= 0; n-- {
		p = float64(p*q) + expCoef[n]
	}
	return p * math.Float64frombits(uint64(int64(k)+1023)<<52)
}

// Normals fills z with standard normal draws from src: the same draws, and
// the same state of src after them, as len(z) calls of Normal.
func Normals(src *rand.PCG, z []float64) {
	for i := range z {
		u := src.Uint64()
		f := &zigFast[uint8(u)]
		if j := u >> 11; j < f.k {
			z[i] = math.Float64frombits(math.Float64bits(float64(j)*f.w) | (u&0x100)<<55)
			continue
		}
		z[i] = normalSlow(src, u)
	}
}
