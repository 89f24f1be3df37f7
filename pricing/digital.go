package pricing

import (
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

// Digital pays, at expiry, a fixed cash amount (cash-or-nothing) or one unit
// of the underlying (asset-or-nothing) if it expires in the money.
type Digital struct {
	Option
	// Payout is the cash paid; Cash is false for asset-or-nothing.
	Payout float64
	Cash   bool
}

// NewDigital returns a digital option after checking its terms; payout is
// ignored unless cash is true.
func NewDigital(o Option, cash bool, payout float64) (*Digital, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if cash && (math.IsNaN(payout) || math.IsInf(payout, 0)) {
		return nil, termErrorf("payout", "payout %v: want a finite number", payout)
	}
	if !cash {
		payout = 0
	}
	return &Digital{Option: o, Payout: payout, Cash: cash}, nil
}

// Kind returns "digital".
func (*Digital) Kind() string { return "digital" }

// value records the Black–Scholes–Merton value of one digital.
func (d *Digital) value(sc *marketdata.Scope) (aad.Number, error) {
	p, err := d.params(sc)
	if err != nil {
		return aad.Number{}, err
	}
	if d.Cash {
		return closedform.DigitalCash(sc.Tape(), d.Type, p, d.Payout), nil
	}
	return closedform.DigitalAsset(sc.Tape(), d.Type, p), nil
}

// simulation pays the smoothed step of DigitalSmoothing at expiry.
func (d *Digital) simulation(pr *montecarlo.Problem, _ []float64) error {
	pr.Dates, pr.Strikes = []float64{d.Expiry}, []float64{d.Strike}
	sign := d.sign()
	pr.Payoff = montecarlo.PayoffFunc(func(tp *aad.Tape, path *montecarlo.Path) aad.Number {
		n := path.Steps()
		df := path.Discount(n)
		s := path.Asset(0)[n]
		h := tp.SmoothStep(tp.MulConst(tp.SubConst(s, d.Strike), sign), DigitalSmoothing*d.Strike)
		if d.Cash {
			return tp.Mul(tp.MulConst(h, d.Payout), df)
		}
		return tp.Mul(tp.Mul(h, s), df)
	})
	return nil
}

// secondOrder: the digitals record their exact Hessians, bit for bit the
// first-order figures besides.
func (*Digital) secondOrder() (ok, same bool) { return true, true }
