package pricing

import (
	"fmt"
	"math"
	"strings"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// Basket is a European call or put on Σ w_i·S_i, the weighted sum of
// several assets' spots: Monte Carlo only, under the bs model. It has no
// delta (Underlying is ""); its vega and div_rho add those of all its
// assets.
type Basket struct {
	Option
	// Assets and Weights are the basket's assets, in the order of the
	// portfolio's underlying cell, and their weights.
	Assets  []string
	Weights []float64
}

// NewBasket returns a basket option after checking its terms; o.Asset is
// ignored, and set to the assets' names joined by "|".
func NewBasket(o Option, assets []string, weights []float64) (*Basket, error) {
	if len(assets) < 1 || len(weights) != len(assets) {
		return nil, termErrorf("weights", "want %d weights, got %d", len(assets), len(weights))
	}
	seen := map[string]bool{}
	for i, u := range assets {
		if u == "" || seen[u] {
			return nil, termErrorf("underlying", "basket underlying %q: want distinct names", u)
		}
		seen[u] = true
		if w := weights[i]; math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, termErrorf("weights", "basket weight %v: want a number", w)
		}
	}
	o.Asset = strings.Join(assets, "|")
	if err := o.validate(); err != nil {
		return nil, err
	}
	return &Basket{Option: o, Assets: assets, Weights: weights}, nil
}

// Kind returns "basket".
func (*Basket) Kind() string { return "basket" }

// Underlying returns "": a basket has no delta.
func (*Basket) Underlying() string { return "" }

// Underlyings returns the basket's assets.
func (b *Basket) Underlyings() []string { return b.Assets }

// simulable refuses models other than bs, the only one with correlated
// assets.
func (b *Basket) simulable(model montecarlo.Model) error {
	if model != montecarlo.BlackScholes {
		return termErrorf("model", "model %v: a basket is simulated under bs only", model)
	}
	return nil
}

// simulation reads each asset's vol at the strike's moneyness of the
// basket.
func (b *Basket) simulation(pr *montecarlo.Problem, spots []float64) error {
	b0 := 0.0
	for i, s := range spots {
		b0 += b.Weights[i] * s
	}
	if !(b0 > 0) {
		return fmt.Errorf("basket spot value %v: want a positive value", b0)
	}
	pr.Strikes = make([]float64, len(spots))
	for i, s := range spots {
		pr.Strikes[i] = s * b.Strike / b0
	}
	pr.Dates = []float64{b.Expiry}
	sign := b.sign()
	pr.Payoff = montecarlo.PayoffFunc(func(tp *aad.Tape, path *montecarlo.Path) aad.Number {
		n := path.Steps()
		x := path.Scratch(len(b.Assets))
		for a := range x {
			x[a] = path.Asset(a)[n]
		}
		return tp.Mul(vanilla(tp, tp.DotConst(x, b.Weights), b.Strike, sign), path.Discount(n))
	})
	return nil
}
