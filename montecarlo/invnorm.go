package montecarlo

import "math"

// Coefficients of Wichura's algorithm AS 241 (PPND16), "The Percentage
// Points of the Normal Distribution", Applied Statistics 37 (1988) 477–484:
// three rational approximations of degree 7/7, good to about 1e-16
// relative.
const (
	// Central region, |p − 0.5| ≤ 0.425, in r = 0.180625 − (p − 0.5)².
	ppndSplit1 = 0.425
	ppndConst1 = 0.180625

	ppndA0 = 3.3871328727963666080e0
	ppndA1 = 1.3314166789178437745e+2
	ppndA2 = 1.9715909503065514427e+3
	ppndA3 = 1.3731693765509461125e+4
	ppndA4 = 4.5921953931549871457e+4
	ppndA5 = 6.7265770927008700853e+4
	ppndA6 = 3.3430575583588128105e+4
	ppndA7 = 2.5090809287301226727e+3

	ppndB1 = 4.2313330701600911252e+1
	ppndB2 = 6.8718700749205790830e+2
	ppndB3 = 5.3941960214247511077e+3
	ppndB4 = 2.1213794301586595867e+4
	ppndB5 = 3.9307895800092710610e+4
	ppndB6 = 2.8729085735721942674e+4
	ppndB7 = 5.2264952788528545610e+3

	// Intermediate tail, r = √(−ln min(p, 1−p)) ≤ 5, in r − 1.6.
	ppndSplit2 = 5
	ppndConst2 = 1.6

	ppndC0 = 1.42343711074968357734e0
	ppndC1 = 4.63033784615654529590e0
	ppndC2 = 5.76949722146069140550e0
	ppndC3 = 3.64784832476320460504e0
	ppndC4 = 1.27045825245236838258e0
	ppndC5 = 2.41780725177450611770e-1
	ppndC6 = 2.27238449892691845833e-2
	ppndC7 = 7.74545014278341407640e-4

	ppndD1 = 2.05319162663775882187e0
	ppndD2 = 1.67638483018380384940e0
	ppndD3 = 6.89767334985100004550e-1
	ppndD4 = 1.48103976427480074590e-1
	ppndD5 = 1.51986665636164571966e-2
	ppndD6 = 5.47593808499534494600e-4
	ppndD7 = 1.05075007164441684324e-9

	// Far tail, r > 5 (min(p, 1−p) < e^−25 ≈ 1.4e-11), in r − 5.
	ppndE0 = 6.65790464350110377720e0
	ppndE1 = 5.46378491116411436990e0
	ppndE2 = 1.78482653991729133580e0
	ppndE3 = 2.96560571828504891230e-1
	ppndE4 = 2.65321895265761230930e-2
	ppndE5 = 1.24266094738807843860e-3
	ppndE6 = 2.71155556874348757815e-5
	ppndE7 = 2.01033439929228813265e-7

	ppndF1 = 5.99832206555887937690e-1
	ppndF2 = 1.36929880922735805310e-1
	ppndF3 = 1.48753612908506148525e-2
	ppndF4 = 7.86869131145613259100e-4
	ppndF5 = 1.84631831751005468180e-5
	ppndF6 = 1.42151175831644588870e-7
	ppndF7 = 2.04426310338993978564e-15
)

// InvNormCDF returns the inverse of the standard normal cumulative
// distribution function, the x with Φ(x) = p. It maps uniform variates to
// standard normal ones. It is Wichura's AS 241 (PPND16), whose rational
// approximations are good to about 1e-16 relative for p down to 1e-300;
// with the rounding of the evaluation the result is within a few ulps
// (relative error below 6e-16 in tests against a 60-digit reference).
//
// In the lower tail the result is as accurate as p itself; in the upper
// tail it can be no better than 1 − p, which for p near 1 is coarse in
// floating point (the largest p below 1 gives about 8.3), so a variate
// meant for the upper tail is better passed as the complement
// −InvNormCDF(1 − p) computed exactly.
//
// Special cases are:
//
//	InvNormCDF(0) = -Inf
//	InvNormCDF(1) = +Inf
//	InvNormCDF(p) = NaN if p < 0, p > 1 or p is NaN
func InvNormCDF(p float64) float64 {
	// q is exact for p ≥ 0.25 (Sterbenz), which makes the central branch
	// exactly antisymmetric about 0.5 wherever 1 − p is representable.
	q := p - 0.5
	if math.Abs(q) <= ppndSplit1 {
		r := ppndConst1 - q*q
		num := ((((((ppndA7*r+ppndA6)*r+ppndA5)*r+ppndA4)*r+ppndA3)*r+ppndA2)*r+ppndA1)*r + ppndA0
		den := ((((((ppndB7*r+ppndB6)*r+ppndB5)*r+ppndB4)*r+ppndB3)*r+ppndB2)*r+ppndB1)*r + 1
		return q * num / den
	}
	// The tails, and the special cases, which all fail the test above
	// (NaN compares false).
	if !(p > 0 && p < 1) {
		switch {
		case p == 0:
			return math.Inf(-1)
		case p == 1:
			return math.Inf(1)
		}
		return math.NaN()
	}
	// r = min(p, 1−p): for p > 0.5, 1 − p is exact, and for p < 0.5 the
	// tail probability p itself is used, never a rounded 1 − (1 − p).
	r := p
	if q > 0 {
		r = 1 - p
	}
	r = math.Sqrt(-math.Log(r))
	var x float64
	if r <= ppndSplit2 {
		r -= ppndConst2
		num := ((((((ppndC7*r+ppndC6)*r+ppndC5)*r+ppndC4)*r+ppndC3)*r+ppndC2)*r+ppndC1)*r + ppndC0
		den := ((((((ppndD7*r+ppndD6)*r+ppndD5)*r+ppndD4)*r+ppndD3)*r+ppndD2)*r+ppndD1)*r + 1
		x = num / den
	} else {
		r -= ppndSplit2
		num := ((((((ppndE7*r+ppndE6)*r+ppndE5)*r+ppndE4)*r+ppndE3)*r+ppndE2)*r+ppndE1)*r + ppndE0
		den := ((((((ppndF7*r+ppndF6)*r+ppndF5)*r+ppndF4)*r+ppndF3)*r+ppndF2)*r+ppndF1)*r + 1
		x = num / den
	}
	if q < 0 {
		return -x
	}
	return x
}
