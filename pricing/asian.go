package pricing

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

// Averaging is how an Asian option averages its fixings.
type Averaging uint8

// The averagings. The zero Averaging is neither, and no Asian is built
// with it.
const (
	Geometric  Averaging = iota + 1 // with a closed form
	Arithmetic                      // Monte Carlo only
)

// String returns "geometric" or "arithmetic", the names of the portfolio
// file's averaging column.
func (a Averaging) String() string {
	switch a {
	case Geometric:
		return "geometric"
	case Arithmetic:
		return "arithmetic"
	}
	return fmt.Sprintf("Averaging(%d)", uint8(a))
}

// ParseAveraging reads an averaging as written in the portfolio file:
// arithmetic or geometric.
func ParseAveraging(s string) (Averaging, error) {
	for _, a := range [...]Averaging{Arithmetic, Geometric} {
		if s == a.String() {
			return a, nil
		}
	}
	return 0, fmt.Errorf("want arithmetic or geometric, got %q", s)
}

// Asian is a fixed-strike average-price option: continuously averaged over
// [0, expiry] when Fixings is 0 (geometric only: Kemna–Vorst), else
// averaged over Fixings equally spaced fixings at expiry·i/Fixings,
// i = 1..Fixings. The analytic engine prices the geometric average; Monte
// Carlo prices both averages, over discrete fixings.
type Asian struct {
	Option
	Averaging Averaging
	Fixings   int
}

// MaxFixings bounds the number of fixings of an Asian option.
const MaxFixings = 100_000

// NewAsian returns an Asian option after checking its terms.
func NewAsian(o Option, avg Averaging, fixings int) (*Asian, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if avg != Geometric && avg != Arithmetic {
		return nil, termErrorf("averaging", "averaging %v: want arithmetic or geometric", avg)
	}
	if fixings < 0 || fixings > MaxFixings {
		return nil, termErrorf("fixings", "%d fixings: want 0 (continuous) to %d", fixings, MaxFixings)
	}
	return &Asian{Option: o, Averaging: avg, Fixings: fixings}, nil
}

// Kind returns "asian".
func (*Asian) Kind() string { return "asian" }

// closedForm refuses the arithmetic average, which has none.
func (a *Asian) closedForm() error {
	if a.Averaging == Arithmetic {
		return termErrorf("engine", "engine analytic: a arithmetic asian has no analytic engine")
	}
	return nil
}

// value records the closed-form value of one geometric Asian option (the
// analytic engine's Check refuses an arithmetic one). The fixing times move
// with the valuation time, like the expiry.
func (a *Asian) value(sc *marketdata.Scope) (aad.Number, error) {
	p, err := a.params(sc)
	if err != nil {
		return aad.Number{}, err
	}
	if a.Fixings == 0 {
		return closedform.GeometricAsianContinuous(sc.Tape(), a.Type, p), nil
	}
	fix := sc.Scratch(a.Fixings)
	n := float64(a.Fixings)
	for i := range fix {
		fix[i] = sc.Time(a.Expiry * float64(i+1) / n)
	}
	return closedform.GeometricAsianDiscrete(sc.Tape(), a.Type, p, fix), nil
}

// simulable refuses the continuous average, which paths cannot sample.
func (a *Asian) simulable(montecarlo.Model) error {
	if a.Fixings < 1 {
		return termErrorf("fixings", "%d fixings: a Monte Carlo asian needs 1 to %d", a.Fixings, MaxFixings)
	}
	return nil
}

// simulation observes the fixings (at least one: see simulable).
func (a *Asian) simulation(pr *montecarlo.Problem, _ []float64) error {
	pr.Dates = make([]float64, a.Fixings)
	for i := range pr.Dates {
		pr.Dates[i] = a.Expiry * float64(i+1) / float64(a.Fixings)
	}
	pr.Strikes = []float64{a.Strike}
	sign := a.sign()
	pr.Payoff = montecarlo.PayoffFunc(func(tp *aad.Tape, path *montecarlo.Path) aad.Number {
		fix := path.Scratch(a.Fixings)
		s := path.Asset(0)
		for j := range fix {
			fix[j] = s[path.Date(j)]
		}
		var avg aad.Number
		if a.Averaging == Arithmetic {
			avg = tp.MulConst(tp.Sum(fix...), 1/float64(len(fix)))
		} else {
			avg = geometricMean(tp, fix, path.ScratchFloats(len(fix)))
		}
		return tp.Mul(vanilla(tp, avg, a.Strike, sign), path.Discount(path.Steps()))
	})
	return nil
}

// geometricMean records (Π x_j)^{1/n} as one statement, with partials
// G/(n·x_j); parts is scratch of len(xs).
func geometricMean(tp *aad.Tape, xs []aad.Number, parts []float64) aad.Number {
	s := 0.0
	for _, x := range xs {
		s += math.Log(x.Value())
	}
	n := float64(len(xs))
	g := math.Exp(s / n)
	for j, x := range xs {
		parts[j] = g / (n * x.Value())
	}
	return tp.Custom(g, xs, parts)
}

// secondOrder: the geometric Asians' closed forms record their exact
// Hessians, bit for bit the first-order figures besides.
func (*Asian) secondOrder() (ok, same bool) { return true, true }
