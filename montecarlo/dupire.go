package montecarlo

import (
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// LocalVarFloor is the minimum local variance of the local-vol model:
// where the surface implies a local variance below it, in particular one
// that is not positive (a calendar or butterfly arbitrage), or where the
// Dupire denominator is not positive, the local variance is floored at
// LocalVarFloor, a local vol of 1%, and the node is reported (FlooredNode).
const LocalVarFloor = 1e-4

// dupireMinTime is the earliest time at which the local vol is evaluated:
// at t = 0 the total variance is 0 and Dupire's formula in it is 0/0, so the
// local vol at t < dupireMinTime is the one at dupireMinTime, with no
// derivative in t: its right-limit at 0 to within O(dupireMinTime). (Before
// the first expiry, where w = s(K)²·t, the limit is s²/|s − y·K·s′| with
// y = ln(K/F); it does not depend on t.)
const dupireMinTime = 1e-6

// FlooredNode says where a surface's implied local variance was floored:
// the time and strike of the node and the raw local variance the surface
// implied there (negative, below LocalVarFloor, or not a number where the
// Dupire denominator is not positive or the total variance is 0).
type FlooredNode struct{ T, K, LocalVar float64 }

// dupireNode records the Dupire local vol of one node from the implied
// total variance w at strike K with its strike derivatives wk, wkk and its
// time derivative wt (any of them may be active), the forward fwd and the
// drift mu = r − q, as one statement. It works in log-moneyness
// y = ln(K/F) (Gatheral):
//
//	σ_loc² = w_T|y / (1 − (y/w)·w_y + ¼(−¼ − 1/w + y²/w²)·w_y² + ½·w_yy)
//
// with w_y = K·w_K, w_yy = K²·w_KK + K·w_K and, since K = F·eʸ with
// dF/dt = mu·F, w_T|y = w_T|K + mu·K·w_K. If the local variance is below
// LocalVarFloor, or the denominator is not positive, it returns the passive
// √LocalVarFloor, the raw local variance, and ok false.
func dupireNode(tp *aad.Tape, W, DK, DKK, DT aad.Number, K float64, fwd, mu aad.Number) (lv aad.Number, raw float64, ok bool) {
	F, m := fwd.Value(), mu.Value()
	w, wk, wkk, wt := W.Value(), DK.Value(), DKK.Value(), DT.Value()
	y := math.Log(K / F)
	x := K * wk      // w_y
	z := K*K*wkk + x // w_yy
	iw := 1 / w      // 1/w
	yw := y * iw     // y/w
	c := -0.25 - iw + yw*yw
	den := 1 - yw*x + 0.25*c*x*x + 0.5*z
	num := wt + m*x
	v := num / den
	if !(den > 0) || !(v >= LocalVarFloor) {
		return aad.Const(math.Sqrt(LocalVarFloor)), v, false
	}
	sig := math.Sqrt(v)
	// σ = √(num/den): ∂σ/∂num = 1/(2σ·den), ∂σ/∂den = −v/(2σ·den).
	gn := 1 / (2 * sig * den)
	gd := -v * gn
	dDdw := yw*x*iw + 0.25*(iw*iw-2*yw*yw*iw)*x*x // y·x/w² + ¼(1/w² − 2y²/w³)·x²
	dDdx := -yw + 0.5*c*x
	dDdy := -x*iw + 0.5*yw*iw*x*x // −x/w + ½·y·x²/w²
	args := [6]aad.Number{W, DK, DKK, DT, fwd, mu}
	parts := [6]float64{
		gd * dDdw,
		gn*m*K + gd*(K*dDdx+0.5*K), // x = K·w_K, and z has K·w_K too
		gd * 0.5 * K * K,
		gn,
		gd * dDdy * (-1 / F), // ∂y/∂F = −1/F
		gn * x,
	}
	return tp.Custom(sig, args[:], parts[:]), v, true
}
