package pricing

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
)

// SecondOrder is one second-order sensitivity of a trade (or a
// portfolio): ∂²pv/∂RiskFactor∂Wrt, for Wrt a SPOT quote the trade depends
// on and RiskFactor any quote it depends on (another spot: a cross-gamma;
// the spot itself: gamma; a VOL node: a vanna; a RATE or DIVYIELD pillar).
type SecondOrder struct {
	// Quote and WrtQuote are the quote indices of RiskFactor and Wrt in the
	// market the trade was priced on; −1 for a figure read back from a
	// file.
	Quote, WrtQuote int
	RiskFactor, Wrt marketdata.Key
	Value           float64
	// StdError is the Monte Carlo standard error of Value; HasStdError is
	// false for analytic engines.
	StdError    float64
	HasStdError bool
}

// secondOrderer is an analyticProduct whose closed form may be recorded on
// a second-order tape (every statement it records has its second
// derivatives): its second-order figures come from tangent-over-adjoint
// sweeps. The others' come from differences of AAD first-order figures.
type secondOrderer interface {
	// secondOrder reports whether the closed form records its second
	// derivatives (ok), and whether such a recording has the value and
	// adjoints of a first-order one bit for bit (same), so that the
	// first-order figures can be read from it.
	secondOrder() (ok, same bool)
}

// A direction is a move of the market along which a second-order figure is
// taken: every quote in quotes up by the same amount (a spot, or every
// node of the vol surfaces of a trade's underlyings in parallel).
type direction struct {
	// wrt is the spot's quote index, −1 for a parallel vol shift.
	wrt    int
	quotes []int
}

// directions returns the directions of a trade's second-order figures,
// given the quote indices of its inputs (ins) and the positions among them
// of its spot (spotPos, −1 for none) and of its vega buckets: its spot's
// (gamma, vanna), every SPOT input's when all is set (the rows of
// second_order.csv), and the parallel vol shift (volga), last.
func directions(ins []int, quotes []marketdata.Quote, spotPos int, vega []int, all bool) []direction {
	var ds []direction
	for j, i := range ins {
		if j == spotPos || (all && quotes[i].Kind == marketdata.Spot) {
			ds = append(ds, direction{wrt: i, quotes: []int{i}})
		}
	}
	if len(vega) > 0 {
		vq := make([]int, len(vega))
		for k, j := range vega {
			vq[k] = ins[j]
		}
		ds = append(ds, direction{wrt: -1, quotes: vq})
	}
	return ds
}

// secondFromDirections fills res's gamma, vanna, volga and (when all) its
// rows of second_order.csv from hv[d][j], the derivative along direction
// ds[d] of the sensitivity to input ins[j], scaled by qty.
func (p *Pricer) secondFromDirections(res *Result, ins []int, spotPos int, vega []int, ds []direction, hv [][]float64, qty float64, all bool) {
	for d, dir := range ds {
		row := hv[d]
		switch {
		case dir.wrt < 0:
			for _, j := range vega {
				res.Volga += qty * row[j]
			}
		case spotPos >= 0 && dir.wrt == ins[spotPos]:
			res.Gamma = qty * row[spotPos]
			for _, j := range vega {
				res.Vanna += qty * row[j]
			}
		}
		if all && dir.wrt >= 0 {
			for j, i := range ins {
				res.Second = append(res.Second, SecondOrder{Quote: i, WrtQuote: dir.wrt,
					RiskFactor: p.m.RiskFactor(i), Wrt: p.m.RiskFactor(dir.wrt), Value: qty * row[j]})
			}
		}
	}
}

// secondTape returns the pricer's second-order tape, made on first use.
func (p *Pricer) secondTape() *aad.Tape {
	if p.tape2 == nil {
		p.tape2 = aad.NewTape(256)
		p.tape2.SetSecondOrder(true)
	}
	return p.tape2
}

// hessianRow writes into hv, for each input ins[j], the derivative of the
// sensitivity of one unit of inst to ins[j] along direction d, from one
// tangent-over-adjoint recording and sweep.
func (p *Pricer) hessianRow(inst analyticProduct, d direction, ins []int, hv []float64) error {
	v, err := p.recordDirected(inst, d)
	if err != nil {
		return err
	}
	p.readRow(v, ins, hv)
	return nil
}

// recordDirected records one unit of inst on the second-order tape with
// tangent 1 on every quote of d, and sweeps back from it in second order.
func (p *Pricer) recordDirected(inst analyticProduct, d direction) (aad.Number, error) {
	if p.dir == nil {
		p.dir = make([]float64, len(p.m.Quotes()))
	}
	for _, i := range d.quotes {
		p.dir[i] = 1
	}
	tp := p.secondTape()
	tp.Reset()
	p.sc.ResetDirected(tp, p.dir)
	v, err := inst.value(p.sc)
	for _, i := range d.quotes {
		p.dir[i] = 0
	}
	if err != nil {
		return aad.Number{}, err
	}
	if math.IsNaN(v.Value()) || math.IsInf(v.Value(), 0) {
		return aad.Number{}, fmt.Errorf("value is %v", v.Value())
	}
	if v.Active() {
		tp.SetAdjoint(v, 1)
		tp.Backward()
	}
	return v, nil
}

// readRow writes into hv, for each input ins[j], the adjoint tangent of
// its variable after recordDirected gave v (0 if v is passive).
func (p *Pricer) readRow(v aad.Number, ins []int, hv []float64) {
	clear(hv)
	if !v.Active() {
		return
	}
	for _, in := range p.sc.Inputs() {
		if j := indexOf(ins, in.Quote); j >= 0 {
			hv[j] = p.tape2.AdjointTangent(in.X)
		}
	}
}

// indexOf returns the position of x in xs, −1 if absent.
func indexOf(xs []int, x int) int {
	for j, y := range xs {
		if y == x {
			return j
		}
	}
	return -1
}

// secondBump is the step of the central difference of AAD sensitivities
// that gives the second-order figures of a closed form without second
// derivatives: relative to the spot for a spot (see gammaBump for why
// 1e-6), absolute for a vol, whose sensitivities change on the scale of
// the vol itself.
const secondBump = gammaBump

// gradientAt writes into g, for each input ins[j], the AAD sensitivity of
// one unit of inst with every quote of d moved by x.
func (p *Pricer) gradientAt(inst analyticProduct, d direction, x float64, ins []int, g []float64) error {
	b := marketdata.Bump{Quote: -1, By: x, Also: d.quotes}
	if _, err := p.record(inst, b); err != nil {
		return err
	}
	clear(g)
	for _, in := range p.sc.Inputs() {
		if j := indexOf(ins, in.Quote); j >= 0 {
			g[j] = p.tape.Adjoint(in.X)
		}
	}
	return nil
}

// differenceRow is hessianRow by the central difference of AAD
// sensitivities at ±secondBump along d, or the second-order one-sided one
// (−3g(0) + 4g(±h) − g(±2h))/±2h where one side cannot be priced (a spot
// within the step of a barrier, a vol at 0); grad are the sensitivities at
// the market itself.
func (p *Pricer) differenceRow(inst analyticProduct, d direction, ins []int, grad, hv []float64) error {
	h := secondBump
	if d.wrt >= 0 {
		h *= math.Abs(p.m.Value(d.wrt))
	}
	up, dn := make([]float64, len(ins)), make([]float64, len(ins))
	errUp := p.gradientAt(inst, d, h, ins, up)
	errDn := p.gradientAt(inst, d, -h, ins, dn)
	if errUp == nil && errDn == nil {
		for j := range hv {
			hv[j] = (up[j] - dn[j]) / (2 * h)
		}
		return nil
	}
	dir, g1 := 1.0, up
	if errUp != nil {
		dir, g1 = -1, dn
	}
	if errUp != nil && errDn != nil {
		return errUp
	}
	g2 := make([]float64, len(ins))
	if err := p.gradientAt(inst, d, 2*dir*h, ins, g2); err != nil {
		return err
	}
	for j := range hv {
		hv[j] = (-3*grad[j] + 4*g1[j] - g2[j]) / (dir * 2 * h)
	}
	return nil
}

// exactSecond reports whether inst's closed form is recorded with its
// second derivatives (ok), and whether that recording gives its first-order
// figures too (same).
func exactSecond(inst analyticProduct) (ok, same bool) {
	if s, is := inst.(secondOrderer); is {
		return s.secondOrder()
	}
	return false, false
}

// VannaFactor and VolgaFactor name vanna and volga in validation rows, as
// GammaFactor names gamma.
const (
	VannaFactor = "VANNA"
	VolgaFactor = "VOLGA"
)

// SecondFactor is the risk_factor of the validation row of a second-order
// figure of second_order.csv: its risk factor and wrt joined by "|".
func SecondFactor(riskFactor, wrt marketdata.Key) string {
	return riskFactor.String() + "|" + wrt.String()
}

// validateSecond holds gamma, vanna, volga and (with Pricer.SecondOrder)
// every row of res.Second to the derivative, along the same direction, of
// the AAD first-order figure, by Ridders' method on first-order recordings
// at the market moved along the direction: differences of AAD
// sensitivities extrapolated to a zero step, independent of the
// second-order sweep.
func (p *Pricer) validateSecond(id string, inst analyticProduct, qty float64, res *Result, floor float64) ([]Validation, error) {
	ins := make([]int, len(res.Sens))
	for j, s := range res.Sens {
		ins[j] = s.Quote
	}
	quote := func(i int) int { return ins[i] }
	spotPos, vega, _, _ := p.figureSets(inst, len(ins), quote)
	tol := func(d float64) float64 { return RelTolerance*math.Abs(d) + floor }
	var out []Validation
	k := 0 // the next row of res.Second
	for _, d := range directions(ins, p.m.Quotes(), spotPos, vega, p.SecondOrder) {
		h := QuoteBump
		if d.wrt >= 0 {
			h = SpotBump * math.Abs(p.m.Value(d.wrt))
		}
		cache := make(map[float64][]float64)
		grad := func(x float64) ([]float64, error) {
			if g, ok := cache[x]; ok {
				return g, nil
			}
			g := make([]float64, len(ins))
			if err := p.gradientAt(inst, d, x, ins, g); err != nil {
				return nil, err
			}
			for j := range g {
				g[j] *= qty
			}
			cache[x] = g
			return g, nil
		}
		// The market itself must price: the differences start from it.
		if _, err := grad(0); err != nil {
			return nil, err
		}
		// check compares aad with the derivative along d of Σ_{j∈js} g_j.
		check := func(factor string, js []int, aad float64) error {
			f := func(x float64) (float64, error) {
				g, err := grad(x)
				if err != nil {
					return 0, err
				}
				s := 0.0
				for _, j := range js {
					s += g[j]
				}
				return s, nil
			}
			f0, _ := f(0)
			noise := noiseOf(f, f0, h*noiseSpacing)
			v, ok, err := derivative(central(f), h, noise, tol)
			for _, dir := range [...]float64{1, -1} {
				if !ok {
					v, ok, _ = derivative(oneSided(f, f0, dir), h, noise, tol)
				}
			}
			if !ok {
				return fmt.Errorf("differencing %s: %w", factor, err)
			}
			out = append(out, compare(id, factor, CheckBump, aad, v, floor))
			return nil
		}
		var err error
		switch {
		case d.wrt < 0:
			err = check(VolgaFactor, vega, res.Volga)
		case spotPos >= 0 && d.wrt == ins[spotPos]:
			err = check(GammaFactor, []int{spotPos}, res.Gamma)
			if err == nil && len(vega) > 0 {
				err = check(VannaFactor, vega, res.Vanna)
			}
		}
		if err != nil {
			return nil, err
		}
		if !p.SecondOrder || d.wrt < 0 {
			continue
		}
		for j := range ins {
			if k >= len(res.Second) || res.Second[k].WrtQuote != d.wrt || res.Second[k].Quote != ins[j] {
				return nil, fmt.Errorf("second-order figures not of this pricing")
			}
			s := &res.Second[k]
			k++
			if err := check(SecondFactor(s.RiskFactor, s.Wrt), []int{j}, s.Value); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
