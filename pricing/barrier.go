package pricing

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

// BarrierKind is the type of a single barrier; its String method gives
// its name in the portfolio file.
type BarrierKind = closedform.BarrierKind

// The four barrier types.
const (
	DownIn  = closedform.DownIn
	DownOut = closedform.DownOut
	UpIn    = closedform.UpIn
	UpOut   = closedform.UpOut
)

// ParseBarrierKind reads a barrier type as written in the portfolio file:
// down-in, down-out, up-in or up-out.
func ParseBarrierKind(s string) (BarrierKind, error) {
	for _, k := range [...]BarrierKind{DownIn, DownOut, UpIn, UpOut} {
		if s == k.String() {
			return k, nil
		}
	}
	return 0, fmt.Errorf("barrier type %q: want down-in, down-out, up-in or up-out", s)
}

// Barrier is a continuously monitored single-barrier option with a cash
// rebate: a knock-out pays the rebate when the barrier is hit, a knock-in
// pays it at expiry if it never knocked in. The analytic engine prices it
// by Reiner–Rubinstein. Under Monte Carlo each step is weighted by the
// Brownian-bridge probability that the log-spot, pinned at the step's two
// ends, does not touch the barrier in between (with the step's variance),
// which also keeps the pathwise derivatives right; a knock-out's rebate is
// paid at the end of the step in which the path is likely to hit.
type Barrier struct {
	Option
	BarrierKind   BarrierKind
	Level, Rebate float64
}

// NewBarrier returns a barrier option after checking its terms.
func NewBarrier(o Option, kind BarrierKind, level, rebate float64) (*Barrier, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if !(level > 0) || math.IsInf(level, 0) {
		return nil, termErrorf("barrier", "barrier %v: want a positive number", level)
	}
	if !(rebate >= 0) || math.IsInf(rebate, 0) {
		return nil, termErrorf("rebate", "rebate %v: want a number ≥ 0", rebate)
	}
	if kind < DownIn || kind > UpOut {
		return nil, termErrorf("barrier_type", "barrier type %v: unknown", kind)
	}
	return &Barrier{Option: o, BarrierKind: kind, Level: level, Rebate: rebate}, nil
}

// Kind returns "barrier".
func (*Barrier) Kind() string { return "barrier" }

// value records the Reiner–Rubinstein value of one barrier option. It fails
// if the spot is already at or beyond the barrier.
func (b *Barrier) value(sc *marketdata.Scope) (aad.Number, error) {
	p, err := b.params(sc)
	if err != nil {
		return aad.Number{}, err
	}
	return closedform.Barrier(sc.Tape(), b.Type, b.BarrierKind, p, aad.Const(b.Level), aad.Const(b.Rebate))
}

// simulation fails if the spot is already at or beyond the barrier.
func (b *Barrier) simulation(pr *montecarlo.Problem, spots []float64) error {
	if s := spots[0]; (b.BarrierKind.Down() && s <= b.Level) || (!b.BarrierKind.Down() && s >= b.Level) {
		return fmt.Errorf("spot %v is already beyond the %s barrier %v", s, b.BarrierKind, b.Level)
	}
	pr.Dates, pr.Strikes = []float64{b.Expiry}, []float64{b.Strike}
	pr.Payoff = montecarlo.PayoffFunc(b.pathValue)
	return nil
}

// bridgeCutoff is the exponent beyond which a step's Brownian-bridge hit
// probability e^{−x} (below 1e-17) is taken as 0: the step is then not
// recorded.
const bridgeCutoff = 40

// pathValue values the option on one path, with the survival probability
// P = Π(1 − p_i) of the Brownian-bridge hit probabilities
// p_i = exp(−2·ln(B/S_{i−1})·ln(B/S_i)/(σ²Δt)) of its steps.
func (b *Barrier) pathValue(tp *aad.Tape, path *montecarlo.Path) aad.Number {
	n := path.Steps()
	s, ls := path.Asset(0), path.LogAsset(0)
	dir := 1.0 // +1: up barrier
	if b.BarrierKind.Down() {
		dir = -1
	}
	lnB := math.Log(b.Level)
	surv := aad.Const(1)
	rebate := aad.Const(0) // Σ DF(t_i)·(P_{i−1} − P_i), for a knock-out's rebate
	var args [4]aad.Number
	var parts [4]float64
	d := dir * (lnB - ls[0]) // distance to the barrier in log, > 0 before a hit
	for i := 1; i <= n; i++ {
		a := d
		d = dir * (lnB - ls[i])
		prev := surv
		if d <= 0 {
			surv = aad.Const(0)
		} else {
			// Most steps are far from the barrier: test with the passive
			// variance before recording it.
			vv := path.StepVarianceValue(0, i)
			if vv == 0 || 2*a*d/vv > bridgeCutoff {
				continue
			}
			v := path.StepVariance(tp, 0, i)
			x := 2 * a * d / v.Value()
			e := math.Exp(-x)
			q := 1 - e
			P := surv.Value()
			// ∂q/∂S_{i−1} = −e·2d/v·(dir/S_{i−1}), ∂q/∂S_i likewise, ∂q/∂v = −e·x/v.
			args[0], parts[0] = surv, q
			args[1], parts[1] = s[i-1], -P*e*2*d/v.Value()*dir/s[i-1].Value()
			args[2], parts[2] = s[i], -P*e*2*a/v.Value()*dir/s[i].Value()
			args[3], parts[3] = v, -P*e*x/v.Value()
			surv = tp.Custom(P*q, args[:], parts[:])
		}
		if b.Rebate != 0 && !b.BarrierKind.In() {
			rebate = tp.Add(rebate, tp.Mul(path.Discount(i), tp.Sub(prev, surv)))
		}
		if surv.Value() == 0 {
			break
		}
	}
	df := path.Discount(n)
	pay := tp.Mul(vanilla(tp, s[n], b.Strike, b.sign()), df)
	if b.BarrierKind.In() {
		// Pays the vanilla if hit; the rebate at expiry if not.
		v := tp.Mul(pay, tp.ConstSub(1, surv))
		if b.Rebate != 0 {
			v = tp.Add(v, tp.MulConst(tp.Mul(df, surv), b.Rebate))
		}
		return v
	}
	v := tp.Mul(pay, surv)
	if b.Rebate != 0 {
		v = tp.Add(v, tp.MulConst(rebate, b.Rebate))
	}
	return v
}

// secondOrder: the barrier formulas record their exact Hessians, bit for
// bit the first-order figures besides.
func (*Barrier) secondOrder() (ok, same bool) { return true, true }
