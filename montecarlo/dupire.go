package montecarlo

import (
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// LocalVarFloor and DupireMinDenominator regularise Dupire's formula
// σ_loc² = num/den (see dupireNode) where the surface has an arbitrage, so
// that the local vol stays a continuous, bounded function of spot and of
// the quotes. The denominator is Gatheral's density factor: it is about 1
// at the money and falls to 0 where the implied density would turn
// negative (a butterfly arbitrage, or a wing steeper than Lee's bound); as
// it falls the local variance grows without bound, and beyond it the
// formula has no meaning. Taking it as at least DupireMinDenominator caps
// the local variance at 1/DupireMinDenominator times the forward implied
// variance num, with no jump where den crosses the bound or 0. A numerator
// below LocalVarFloor times that (a calendar arbitrage: total variance
// falling in time) gives the local variance LocalVarFloor, a local vol of
// 1%, which is also the least local variance anywhere. Each node where
// either applies is reported (FlooredNode).
//
// A floor that jumped instead (a passive 1% wherever the formula failed,
// next to nodes of 50%) made the slope of the interpolated local vol in
// spot so steep that the pathwise derivative of a path crossing it grew
// by a factor of several per step: the tangent process, and with it the
// pathwise delta and vegas, had (near-)infinite variance.
const (
	LocalVarFloor        = 1e-4
	DupireMinDenominator = 0.1
)

// dupireMinTime is the earliest time at which the local vol is evaluated:
// at t = 0 the total variance is 0 and Dupire's formula in it is 0/0, so the
// local vol at t < dupireMinTime is the one at dupireMinTime, with no
// derivative in t: its right-limit at 0 to within O(dupireMinTime). (Before
// the first expiry, where w = s(K)²·t, the limit is s²/|s − y·K·s′| with
// y = ln(K/F); it does not depend on t.)
const dupireMinTime = 1e-6

// FlooredNode says where a surface's Dupire formula was regularised: the
// time and strike of the node, the local variance the formula gave
// unregularised (negative, below LocalVarFloor, above the cap, or not a
// number where the denominator is not positive or the total variance is
// 0), and the local variance used.
type FlooredNode struct{ T, K, LocalVar, Used float64 }

// dupireNode records the Dupire local vol of one node from the implied
// total variance w at strike K with its strike derivatives wk, wkk and its
// time derivative wt (any of them may be active), the forward fwd and the
// drift mu = r − q, as one statement. It works in log-moneyness
// y = ln(K/F) (Gatheral):
//
//	σ_loc² = w_T|y / (1 − (y/w)·w_y + ¼(−¼ − 1/w + y²/w²)·w_y² + ½·w_yy)
//
// with w_y = K·w_K, w_yy = K²·w_KK + K·w_K and, since K = F·eʸ with
// dF/dt = mu·F, w_T|y = w_T|K + mu·K·w_K. The denominator is taken as at
// least DupireMinDenominator and the local variance as at least
// LocalVarFloor (see there); it returns the raw local variance num/den and
// ok false where either applies. The result is continuous in every input,
// with a derivative of 0 in what a bound replaced.
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
	raw = num / den
	denOK := den >= DupireMinDenominator
	d := max(den, DupireMinDenominator)
	v := num / d
	if !(v >= LocalVarFloor) || math.IsInf(v, 0) { // also NaN (w = 0)
		return aad.Const(math.Sqrt(LocalVarFloor)), raw, false
	}
	sig := math.Sqrt(v)
	// σ = √(num/d): ∂σ/∂num = 1/(2σ·d), ∂σ/∂d = −v/(2σ·d), and d = den
	// where den is above the bound, else constant.
	gn := 1 / (2 * sig * d)
	gd := 0.0
	if denOK {
		gd = -v * gn
	}
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
	return tp.Custom(sig, args[:], parts[:]), raw, denOK
}
