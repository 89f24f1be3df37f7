package closedform

import (
	"math"
	"math/cmplx"
)

// The Heston characteristic function of X = ln(S_T/F), F the forward,
//
//	φ(z) = E[e^{izX}] = exp(A(z) + V0·B(z)),
//	A = κθ/σ²·(r·T − 2·ln(1 − r·y)),  B = z(z+i)·y/(1 − r·y),
//	β = κ − iρσz,  D = √(β² + σ²·z(z+i)),  r = β − D = −σ²·z(z+i)/(β + D),
//	y = (e^{−DT} − 1)/(2D),
//
// is the "little Heston trap" form of Albrecher, Mayer, Schoutens and Tistaert
// (2007) (1 − r·y = (1 − g·e^{−DT})/(1 − g) with g = (β − D)/(β + D)),
// written as in Andersen and Lake with r taken from whichever expression does
// not cancel. With the principal square root (Re D ≥ 0) and the principal
// logarithm it is continuous along contours inside the strip where φ is
// finite (Lord and Kahl 2010), which the contours here are, so no rotation
// count is kept.

// hestonModel holds the Heston parameters and the expiry as float64.
type hestonModel struct {
	t, v0, kappa, theta, sigma, rho float64
}

// cfT … cfRho index the partials of ln φ: by T and the five Heston
// parameters.
const (
	cfT = iota
	cfV0
	cfKappa
	cfTheta
	cfSigma
	cfRho
	cfN
)

// cfPoint is ln φ(z) with the intermediate values its reverse sweep needs.
type cfPoint struct {
	z, zz, beta, d, r, x, e, de, y, q, l, a, b complex128
	s2, k1                                     float64
	small                                      bool // r = −σ²z(z+i)/(β + D)
	lnPhi                                      complex128
}

// eval computes ln φ(z) into c.
func (m *hestonModel) eval(c *cfPoint, z complex128) {
	c.z = z
	c.s2 = m.sigma * m.sigma
	c.k1 = m.kappa * m.theta / c.s2
	c.zz = z * (z + 1i)
	c.beta = complex(m.kappa, 0) - complex(0, m.rho*m.sigma)*z
	c.d = csqrt(c.beta*c.beta + complex(c.s2, 0)*c.zz)
	// β − D cancels where D is close to β; then r = −σ²z(z+i)/(β + D).
	c.small = real(c.beta)*real(c.d)+imag(c.beta)*imag(c.d) > 0
	if c.small {
		c.r = -complex(c.s2, 0) * c.zz * cinv(c.beta+c.d)
	} else {
		c.r = c.beta - c.d
	}
	c.x = c.d * complex(m.t, 0)
	c.e, c.de, _ = expm1Ratio(c.x, 1)
	c.y = complex(0.5*m.t, 0) * c.e
	ry := c.r * c.y
	c.q = 1 - ry
	c.l = log1pC(-ry)
	c.a = complex(c.k1, 0) * (c.r*complex(m.t, 0) - 2*c.l)
	c.b = c.zz * c.y * cinv(c.q)
	c.lnPhi = c.a + complex(m.v0, 0)*c.b
}

// grad adds Re(w·∂ln φ/∂p) to acc[p] for p = T, V0, κ, θ, σ, ρ: the reverse
// sweep of eval with the complex adjoint w.
func (m *hestonModel) grad(c *cfPoint, w complex128, acc *[cfN]float64) {
	tt := complex(m.t, 0)
	acc[cfV0] += real(w * c.b)
	aBar := w
	bBar := w * complex(m.v0, 0)
	k1Bar := real(aBar * (c.r*tt - 2*c.l))
	rBar := aBar * complex(c.k1*m.t, 0)
	tBar := real(aBar * complex(c.k1, 0) * c.r)
	lBar := -2 * complex(c.k1, 0) * aBar
	// B = z(z+i)·y/q
	yBar := bBar * c.zz / c.q
	qBar := -bBar * c.b / c.q
	// L = ln q
	qBar += lBar / c.q
	// q = 1 − r·y
	rBar -= qBar * c.y
	yBar -= qBar * c.r
	// y = T/2·E(x), x = D·T
	tBar += real(yBar * 0.5 * c.e)
	xBar := yBar * complex(0.5*m.t, 0) * c.de
	dBar := xBar * tt
	tBar += real(xBar * c.d)
	var betaBar complex128
	s2Bar := 0.0
	if c.small {
		f := -rBar * c.r / (c.beta + c.d)
		betaBar += f
		dBar += f
		s2Bar += real(rBar * c.r / complex(c.s2, 0))
	} else {
		betaBar += rBar
		dBar -= rBar
	}
	// D = √(β² + σ²z(z+i))
	gBar := dBar / (2 * c.d)
	betaBar += 2 * c.beta * gBar
	s2Bar += real(gBar * c.zz)
	// β = κ − iρσz
	kappaBar := real(betaBar)
	psBar := real(betaBar * complex(imag(c.z), -real(c.z))) // ∂β/∂(ρσ) = −iz
	// k1 = κθ/σ²
	kappaBar += k1Bar * m.theta / c.s2
	acc[cfTheta] += k1Bar * m.kappa / c.s2
	s2Bar -= k1Bar * c.k1 / c.s2
	acc[cfKappa] += kappaBar
	acc[cfSigma] += 2*m.sigma*s2Bar + m.rho*psBar
	acc[cfRho] += m.sigma * psBar
	acc[cfT] += tBar
}

// expm1Ratio returns E(x) = (e^{−x} − 1)/x and its first n ≤ 2
// derivatives (the others are 0), by their Taylor series near 0, where the
// quotients cancel.
func expm1Ratio(x complex128, n int) (e, de, dde complex128) {
	if cmplx.Abs(x) < 0.1 {
		// E = Σ_{n≥1} c_n x^{n−1}, c_n = (−1)^n/n!; fourteen terms leave
		// less than 0.1^14/15! below the first, far under rounding.
		var c [16]float64
		c[0] = 1
		for n := 1; n < len(c); n++ {
			c[n] = -c[n-1] / float64(n)
		}
		for n := len(c) - 1; n >= 1; n-- {
			e = e*x + complex(c[n], 0)
			if n >= 2 {
				de = de*x + complex(float64(n-1)*c[n], 0)
			}
			if n >= 3 {
				dde = dde*x + complex(float64((n-1)*(n-2))*c[n], 0)
			}
		}
		return e, de, dde
	}
	em := expm1C(-x)
	ex := em + 1
	ix := cinv(x)
	e = em * ix
	if n >= 1 {
		de = -(ex + e) * ix
	}
	if n >= 2 {
		dde = (ex + 2*(ex+e)*ix) * ix // (e^{−x}x² + 2e^{−x}x + 2(e^{−x} − 1))/x³
	}
	return e, de, dde
}

// expm1C returns e^z − 1 without cancellation for small |z|.
func expm1C(z complex128) complex128 {
	x, y := real(z), imag(z)
	if math.Abs(x) < 1 && math.Abs(y) < 1 {
		em := math.Expm1(x)
		s, c := math.Sincos(y)
		h := math.Sin(0.5 * y)
		return complex(em*c-2*h*h, (em+1)*s) // cos y − 1 = −2 sin²(y/2)
	}
	return cmplx.Exp(z) - 1
}

// log1pC returns ln(1 + z) without cancellation for small |z|.
func log1pC(z complex128) complex128 {
	x, y := real(z), imag(z)
	if math.Abs(x) < 0.5 && math.Abs(y) < 0.5 {
		return complex(0.5*math.Log1p(x*(2+x)+y*y), math.Atan2(y, 1+x))
	}
	return cmplx.Log(1 + z)
}

// cinv returns 1/z by the textbook formula, without the scaling of Go's
// complex division, which the moduli here (far from 1e±150) do not need.
func cinv(z complex128) complex128 {
	x, y := real(z), imag(z)
	d := 1 / (x*x + y*y)
	return complex(x*d, -y*d)
}

// csqrt returns the principal square root of z (Re ≥ 0, the sign of the
// imaginary part that of Im z), as cmplx.Sqrt, without its scaling.
func csqrt(z complex128) complex128 {
	x, y := real(z), imag(z)
	if y == 0 {
		if x >= 0 {
			return complex(math.Sqrt(x), y)
		}
		return complex(0, math.Copysign(math.Sqrt(-x), y))
	}
	t := math.Sqrt(0.5 * (math.Sqrt(x*x+y*y) + math.Abs(x)))
	if x >= 0 {
		return complex(t, 0.5*y/t)
	}
	return complex(0.5*math.Abs(y)/t, math.Copysign(t, y))
}
