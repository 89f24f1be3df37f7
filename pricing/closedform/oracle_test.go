package closedform

import (
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// Independent oracles: the textbook analytic Greeks of Black–Scholes–Merton,
// and the formulas written with the elementary operations of package aad,
// whose recorded derivatives do not share any code with the hand-derived
// partials of the pricers.

// bsTextbook returns the textbook Black–Scholes–Merton price and its
// partials with respect to S, K, T, R, Q and Vol (Hull; Haug §1.1).
func bsTextbook(call bool, s, k, t, r, q, vol float64) (float64, [6]float64) {
	sqT := math.Sqrt(t)
	d1 := (math.Log(s/k) + (r-q+vol*vol/2)*t) / (vol * sqT)
	d2 := d1 - vol*sqT
	eq, er := math.Exp(-q*t), math.Exp(-r*t)
	pdf := math.Exp(-d1*d1/2) / math.Sqrt(2*math.Pi)
	N := aad.NormCDF
	vega := s * eq * pdf * sqT
	if call {
		price := s*eq*N(d1) - k*er*N(d2)
		theta := -s*eq*pdf*vol/(2*sqT) - r*k*er*N(d2) + q*s*eq*N(d1) // −∂/∂T
		return price, [6]float64{eq * N(d1), -er * N(d2), -theta, k * t * er * N(d2), -s * t * eq * N(d1), vega}
	}
	price := k*er*N(-d2) - s*eq*N(-d1)
	theta := -s*eq*pdf*vol/(2*sqT) + r*k*er*N(-d2) - q*s*eq*N(-d1)
	return price, [6]float64{-eq * N(-d1), er * N(-d2), -theta, -k * t * er * N(-d2), s * t * eq * N(-d1), vega}
}

// elementaryD returns d1, d2 of Black–Scholes–Merton and the discounted
// spot and strike, with elementary operations.
func elementaryD(tp *aad.Tape, p Params) (d1, d2, fwdS, fwdK aad.Number) {
	sd := tp.Mul(p.Vol, tp.Sqrt(p.T))
	fwdS = tp.Mul(p.S, tp.Exp(tp.Neg(tp.Mul(p.Q, p.T))))
	fwdK = tp.Mul(p.K, tp.Exp(tp.Neg(tp.Mul(p.R, p.T))))
	d1 = tp.Add(tp.Div(tp.Log(tp.Div(fwdS, fwdK)), sd), tp.MulConst(sd, 0.5))
	return d1, tp.Sub(d1, sd), fwdS, fwdK
}

// signed returns x for a call and −x for a put.
func signed(tp *aad.Tape, call bool, x aad.Number) aad.Number {
	if call {
		return x
	}
	return tp.Neg(x)
}

func europeanElementary(tp *aad.Tape, call bool, p Params) aad.Number {
	d1, d2, fwdS, fwdK := elementaryD(tp, p)
	v := tp.Sub(tp.Mul(fwdS, tp.NormCDF(signed(tp, call, d1))), tp.Mul(fwdK, tp.NormCDF(signed(tp, call, d2))))
	return signed(tp, call, v)
}

func digitalCashElementary(tp *aad.Tape, call bool, p Params, payout float64) aad.Number {
	_, d2, _, _ := elementaryD(tp, p)
	df := tp.Exp(tp.Neg(tp.Mul(p.R, p.T)))
	return tp.MulConst(tp.Mul(df, tp.NormCDF(signed(tp, call, d2))), payout)
}

func digitalAssetElementary(tp *aad.Tape, call bool, p Params) aad.Number {
	d1, _, fwdS, _ := elementaryD(tp, p)
	return tp.Mul(fwdS, tp.NormCDF(signed(tp, call, d1)))
}

func black76Elementary(tp *aad.Tape, call bool, f, k, t, df, vol aad.Number) aad.Number {
	sd := tp.Mul(vol, tp.Sqrt(t))
	d1 := tp.Add(tp.Div(tp.Log(tp.Div(f, k)), sd), tp.MulConst(sd, 0.5))
	d2 := tp.Sub(d1, sd)
	u := tp.Sub(tp.Mul(f, tp.NormCDF(signed(tp, call, d1))), tp.Mul(k, tp.NormCDF(signed(tp, call, d2))))
	return tp.Mul(df, signed(tp, call, u))
}

func bachelierElementary(tp *aad.Tape, call bool, f, k, t, df, vol aad.Number) aad.Number {
	sd := tp.Mul(vol, tp.Sqrt(t))
	m := signed(tp, call, tp.Sub(f, k))
	d := tp.Div(m, sd)
	return tp.Mul(df, tp.Add(tp.Mul(m, tp.NormCDF(d)), tp.Mul(sd, tp.NormPDF(d))))
}

func asianContinuousElementary(tp *aad.Tape, call bool, p Params) aad.Number {
	// Kemna–Vorst: vol/√3 and dividend yield (R + Q + vol²/6)/2.
	pa := p
	pa.Vol = tp.MulConst(p.Vol, 1/math.Sqrt(3))
	pa.Q = tp.MulConst(tp.Add(tp.Add(p.R, p.Q), tp.MulConst(tp.Square(p.Vol), 1.0/6)), 0.5)
	return europeanElementary(tp, call, pa)
}

func asianDiscreteElementary(tp *aad.Tape, call bool, p Params, fix []aad.Number) aad.Number {
	n := float64(len(fix))
	m1 := aad.Const(0)
	w := aad.Const(0)
	for i, t := range fix {
		m1 = tp.Add(m1, t)
		// w = Σ_{i,j} min(t_i, t_j) = Σt_i + 2·Σ_{i<j} t_i.
		for j := range fix {
			if j >= i {
				w = tp.Add(w, t)
				if j > i {
					w = tp.Add(w, t)
				}
			}
		}
	}
	variance := tp.DivConst(tp.Mul(tp.Square(p.Vol), w), n*n)
	nu := tp.Sub(tp.Sub(p.R, p.Q), tp.MulConst(tp.Square(p.Vol), 0.5))
	lnF := tp.Add(tp.Add(tp.Log(p.S), tp.DivConst(tp.Mul(nu, m1), n)), tp.MulConst(variance, 0.5))
	df := tp.Exp(tp.Neg(tp.Mul(p.R, p.T)))
	return black76Elementary(tp, call, tp.Exp(lnF), p.K, aad.Const(1), df, tp.Sqrt(variance))
}
