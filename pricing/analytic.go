package pricing

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
)

// AnalyticEngine prices instruments by their closed forms (package
// closedform), written once over the AAD number type: recorded on the
// Pricer's tape for the figures, run passively for bump-and-revalue. It
// prices the instruments that implement analyticProduct. It is the engine
// of a trade without one.
type AnalyticEngine struct{}

// analyticProduct is an instrument with a closed form.
type analyticProduct interface {
	Instrument
	// value records the value of one unit on the scope's tape, reading
	// every market input through the scope, so that one backward sweep
	// gives its sensitivity to every quote it depends on. The same call on
	// a scope reset with a nil tape gives the same value passively.
	value(sc *marketdata.Scope) (aad.Number, error)
}

// closedFormer is an analyticProduct whose closed form depends on its
// terms (an Asian's averaging): closedForm says why there is none.
type closedFormer interface {
	closedForm() error
}

// Name returns "analytic".
func (AnalyticEngine) Name() string { return Analytic }

// Check refuses an instrument without a closed form.
func (AnalyticEngine) Check(inst Instrument) error {
	if _, ok := inst.(analyticProduct); !ok {
		return termErrorf("engine", "engine analytic: %s %s has no analytic engine", article(inst.Kind()), inst.Kind())
	}
	if c, ok := inst.(closedFormer); ok {
		return c.closedForm()
	}
	return nil
}

// closedFormOf returns inst as an analyticProduct, or Check's error.
func closedFormOf(inst Instrument) (analyticProduct, error) {
	if err := (AnalyticEngine{}).Check(inst); err != nil {
		return nil, err
	}
	return inst.(analyticProduct), nil
}

// article returns "an" before a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// paths is 0: nothing is simulated.
func (AnalyticEngine) paths(Instrument, MCDefaults, bool) int64 { return 0 }

// gammaBump is the relative spot bump of the central difference of AAD
// deltas that gives gamma for a closed form without second derivatives.
// Delta changes on the scale of the spot's
// one-standard-deviation move S·σ√T, not of S: at one day and a vol of 0.25
// that is 1.3% of S, at a vol of 0.01 over two weeks 0.2%. The truncation
// error is about (h/(S·σ√T))²/6 relative, times a factor that grows with
// moneyness (a bump of 1e-4·S errs by 5e-4 relative on a one-day digital);
// the rounding error, the AAD deltas' own (about 1e-16 relative) times
// S·σ√T/h, stays below 1e-9 for σ√T up to several units. At 1e-6 both are
// below 1e-6 relative from σ√T = 1e-3 up.
const gammaBump = 1e-6

// price records one unit of inst and reads every sensitivity from one
// backward sweep; gamma, vanna, volga (and with Pricer.SecondOrder the rows
// of second_order.csv) come from one tangent-over-adjoint recording and
// sweep per direction (the spot, the parallel vol shift, each other spot),
// or from differences of AAD sensitivities for a closed form without
// second derivatives. With second derivatives, the recording along the
// spot is also the one the first-order figures are read from: a
// second-order recording gives the same values and adjoints, bit for bit.
func (AnalyticEngine) price(_ context.Context, p *Pricer, in Instrument, qty float64, res *Result) error {
	inst, err := closedFormOf(in)
	if err != nil {
		return err
	}
	exact, same := exactSecond(inst)
	first := direction{wrt: -1}
	if i, ok := p.m.SpotIndex(inst.Underlying()); ok && same && inst.Underlying() != "" {
		first = direction{wrt: i, quotes: []int{i}}
	}
	tp := p.tape
	var v aad.Number
	if first.wrt >= 0 {
		v, err = p.recordDirected(inst, first)
		tp = p.tape2
	} else {
		v, err = p.record(inst, marketdata.Bump{Quote: -1})
	}
	if err != nil {
		return err
	}
	res.PV = qty * v.Value()

	inputs := p.sc.Inputs()
	res.Sens = make([]Sensitivity, len(inputs))
	ins := make([]int, len(inputs))
	grad := make([]float64, len(inputs))
	for i, in := range inputs {
		ins[i], grad[i] = in.Quote, tp.Adjoint(in.X)
		res.Sens[i] = Sensitivity{Quote: in.Quote, RiskFactor: p.m.RiskFactor(in.Quote), Value: qty * grad[i]}
	}
	quote := func(i int) int { return ins[i] }
	p.aggregate(inst, res, quote)
	if h, ok := p.sc.Shift(); ok {
		res.Theta = qty * tp.Adjoint(h)
	}
	res.HasDelta = inst.Underlying() != ""
	spotPos, vega, _, _ := p.figureSets(inst, len(ins), quote)
	ds := directions(ins, p.m.Quotes(), spotPos, vega, p.SecondOrder)
	hv := make([][]float64, len(ds))
	for d := range ds {
		hv[d] = make([]float64, len(ins))
		if ds[d].wrt == first.wrt && first.wrt >= 0 {
			p.readRow(v, ins, hv[d])
		}
	}
	for d := range ds {
		switch {
		case ds[d].wrt == first.wrt && first.wrt >= 0:
		case exact:
			err = p.hessianRow(inst, ds[d], ins, hv[d])
		default:
			err = p.differenceRow(inst, ds[d], ins, grad, hv[d])
		}
		if err != nil {
			return fmt.Errorf("second order: %w", err)
		}
	}
	p.secondFromDirections(res, ins, spotPos, vega, ds, hv, qty, p.SecondOrder)
	return checkFinite(res)
}

// record resets the tape, records inst's value against the market with the
// bump b applied, and sweeps back from it.
func (p *Pricer) record(inst analyticProduct, b marketdata.Bump) (aad.Number, error) {
	p.tape.Reset()
	p.sc.ResetBumped(p.tape, b)
	v, err := inst.value(p.sc)
	if err != nil {
		return aad.Number{}, err
	}
	if math.IsNaN(v.Value()) || math.IsInf(v.Value(), 0) {
		return aad.Number{}, fmt.Errorf("value is %v", v.Value())
	}
	if v.Active() { // a value that depends on no input (a knocked-out payoff) has no sweep
		p.tape.SetAdjoint(v, 1)
		p.tape.Backward()
	}
	return v, nil
}
