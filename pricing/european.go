package pricing

import (
	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

// European is a European call or put: Black–Scholes–Merton under the
// analytic engine, its payoff max(φ·(S_T − K), 0) under Monte Carlo.
type European struct{ Option }

// NewEuropean returns a European option after checking its terms.
func NewEuropean(o Option) (*European, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	return &European{o}, nil
}

// Kind returns "european".
func (*European) Kind() string { return "european" }

// value records the Black–Scholes–Merton value of one option.
func (e *European) value(sc *marketdata.Scope) (aad.Number, error) {
	p, err := e.params(sc)
	if err != nil {
		return aad.Number{}, err
	}
	return closedform.European(sc.Tape(), e.Type, p), nil
}

// simulation pays at expiry.
func (e *European) simulation(pr *montecarlo.Problem, _ []float64) error {
	pr.Dates, pr.Strikes = []float64{e.Expiry}, []float64{e.Strike}
	sign := e.sign()
	pr.Payoff = montecarlo.PayoffFunc(func(tp *aad.Tape, path *montecarlo.Path) aad.Number {
		n := path.Steps()
		return tp.Mul(vanilla(tp, path.Asset(0)[n], e.Strike, sign), path.Discount(n))
	})
	return nil
}

// secondOrder: Black–Scholes–Merton records its exact Hessian, bit for bit
// the first-order figures besides.
func (*European) secondOrder() (ok, same bool) { return true, true }
