package fastmath

import "math"

const (
	logN = 128
	// x = 2^k·z with z in [logOff, 2·logOff), chosen so that 1 lies two
	// thirds of the way through the subinterval that holds it, whose c is 1.
	logOff = 0x3fe6000000000000 + 0xaaaaaaaaaaa
	// Coefficients of log(1+r) = r + r²·(-1/2 + r/3 - r²/4 + ...).
	logC3 = 1.0 / 3
	logC4 = -1.0 / 4
	logC5 = 1.0 / 5
	logC6 = -1.0 / 6
	logC7 = 1.0 / 7
)

// Log returns the natural logarithm of x, within 0.52 ulp.
//
// Special cases are:
//
//	Log(+Inf) = +Inf
//	Log(0) = -Inf
//	Log(x < 0) = NaN
//	Log(NaN) = NaN
func Log(x float64) float64 {
	ix := math.Float64bits(x)
	if ix-0x0010000000000000 >= 0x7ff0000000000000-0x0010000000000000 {
		switch {
		case x != x || x == math.Inf(1):
			return x
		case x == 0:
			return math.Inf(-1)
		case x < 0:
			return math.NaN()
		}
		// A subnormal: scale it into the normals and take 52 from the
		// exponent field, which may wrap below zero.
		ix = math.Float64bits(x*0x1p52) - 52<<52
	}
	tmp := ix - logOff
	i := (tmp >> (52 - 7)) & (logN - 1)
	k := float64(int64(tmp) >> 52)
	iz := ix - tmp&(0xfff<<52)
	z := math.Float64frombits(iz)
	invc := math.Float64frombits(logTab[3*i])
	logcHi := math.Float64frombits(logTab[3*i+1])
	logcLo := math.Float64frombits(logTab[3*i+2])

	// r = z·invc - 1 exactly as rhi + rlo: invc has 26 bits, z is cut
	// into 26 and 27 bits, both products are exact and so is p1.
	zh := math.Float64frombits(iz &^ (1<<27 - 1))
	zl := z - zh
	p1 := float64(zh*invc) - 1
	p2 := float64(zl * invc)
	r := p1 + p2
	bb := r - p1
	rlo := (p1 - (r - bb)) + (p2 - bb)

	// k·ln2 + log c + r, the heads summed without error.
	a := float64(k * ln2hi)
	w := a + logcHi
	werr := (a - w) + logcHi
	hi := w + r
	lo := (w - hi) + r

	r2 := float64(r * r)
	r4 := float64(r2 * r2)
	q := -0.5 + float64(r*logC3) + float64(r2*(logC4+float64(r*logC5))) + float64(r4*(logC6+float64(r*logC7)))
	// The small terms summed as a tree: the ones known early apart.
	early := (werr + logcLo) + float64(k*ln2lo)
	return hi + ((float64(r2*q) + (lo + rlo)) + early)
}
