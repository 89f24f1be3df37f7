package montecarlo

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/aadrisk/aadrisk/aad"
)

// Model names the dynamics of a simulation.
type Model uint8

// The models. The zero Model is BlackScholes.
const (
	BlackScholes Model = iota // lognormal with term structures: "bs"
	LocalVol                  // Dupire local volatility: "localvol"
	Heston                    // Heston stochastic variance: "heston"
)

var modelNames = [...]string{BlackScholes: "bs", LocalVol: "localvol", Heston: "heston"}

// String returns the model's name in the portfolio file.
func (m Model) String() string {
	if int(m) < len(modelNames) {
		return modelNames[m]
	}
	return fmt.Sprintf("Model(%d)", m)
}

// ParseModel returns the model of a portfolio's model column: bs (or
// blank), localvol or heston.
func ParseModel(s string) (Model, error) {
	switch s {
	case "", "bs":
		return BlackScholes, nil
	case "localvol":
		return LocalVol, nil
	case "heston":
		return Heston, nil
	}
	return 0, fmt.Errorf("model %q: want bs, localvol or heston", s)
}

// Sequence chooses the random numbers of a simulation.
type Sequence uint8

// The sequences. The zero Sequence is PseudoRandom.
const (
	// PseudoRandom draws normals from a PCG stream per block.
	PseudoRandom Sequence = iota
	// SobolBridge takes a Sobol' point per path, with a random digital
	// shift per block, through the inverse normal and a Brownian bridge.
	SobolBridge
)

// Settings are the simulation settings of a pricing.
type Settings struct {
	// Paths is the number of paths, at least 2 (4 with Antithetic).
	Paths int
	// Seed selects the random numbers: the same seed gives the same numbers.
	Seed uint64
	// Sequence chooses pseudo-random or Sobol' numbers.
	Sequence Sequence
	// Antithetic adds, for each path, the path of the negated normals.
	Antithetic bool
	// Greeks asks for the sensitivity of the price to every quote it
	// depends on, and theta. Without it a run is passive: the price alone,
	// from the same random numbers, as bump-and-revalue needs.
	Greeks bool
	// Progress, when set, is added the paths of each block as the block
	// finishes (from the worker that simulated it: once per block, never
	// per path), so that another goroutine can watch a long simulation
	// advance. It changes no figure.
	Progress *atomic.Int64
}

// MaxPaths bounds Settings.Paths, so that a typo in a portfolio cannot
// start a simulation that never ends.
const MaxPaths = 100_000_000

// MaxSteps bounds Problem.Steps.
const MaxSteps = 100_000

// Problem is one Monte Carlo pricing: the model, the underlyings, the time
// grid and the payoff.
type Problem struct {
	Model Model
	// Underlyings are the simulated assets (one for LocalVol and Heston).
	Underlyings []string
	// Currency names the discount curve; it also gives the drift.
	Currency string
	// Strikes are, for BlackScholes, the strike at which each underlying's
	// implied vol is read (the trade's strike; pricing reads a basket's
	// assets at the strike's moneyness of the basket). Nil reads each at
	// its spot.
	Strikes []float64
	// Dates are the payoff's dates in years from the valuation date
	// (fixings, expiry), increasing; the last is the horizon.
	Dates []float64
	// Steps is the number of equal steps to the horizon; the payoff's dates
	// are added to them. At least 1.
	Steps int
	// Payoff values one path.
	Payoff Payoff
}

// Payoff values one simulated path: Value returns the payoff discounted to
// the valuation date, recorded on tp (nil: passive). It is called once per
// path and must not keep p or its slices.
type Payoff interface {
	Value(tp *aad.Tape, p *Path) aad.Number
}

// PayoffFunc adapts a function to a Payoff.
type PayoffFunc func(tp *aad.Tape, p *Path) aad.Number

// Value calls f.
func (f PayoffFunc) Value(tp *aad.Tape, p *Path) aad.Number { return f(tp, p) }

// Path is one simulated path on the time grid, as a payoff sees it. Grid
// index 0 is the valuation date; index i ≥ 1 ends step i.
type Path struct {
	times  []float64      // calendar times of the grid, times[0] = 0
	dates  []int          // grid index of each of the problem's dates
	s      [][]aad.Number // s[a][i]: asset a at grid time i
	ls     [][]float64    // ls[a][i]: its log, where logged[a]
	logged []bool
	df     []aad.Number // discount factors to the grid times
	m      model

	scratch  []aad.Number
	scratchF []float64
}

// Scratch returns n Numbers of working space owned by the path's worker,
// valid until the next call.
func (p *Path) Scratch(n int) []aad.Number {
	p.scratch = grow(p.scratch, n)
	return p.scratch
}

// ScratchFloats returns n float64s of working space owned by the path's
// worker, valid until the next call.
func (p *Path) ScratchFloats(n int) []float64 {
	p.scratchF = grow(p.scratchF, n)
	return p.scratchF
}

// Steps returns the number of time steps n; grid indexes run 0 … n.
func (p *Path) Steps() int { return len(p.times) - 1 }

// Date returns the grid index of the problem's j-th date.
func (p *Path) Date(j int) int { return p.dates[j] }

// Asset returns the values of asset a at the grid times 0 … n.
func (p *Path) Asset(a int) []aad.Number { return p.s[a] }

// LogAsset returns the natural logs of the values of asset a at the grid
// times 0 … n, as the model tracks them (equal to the logs of Asset's
// values to rounding): for payoffs that work in log-spot, such as a
// barrier's distance, without a logarithm per step where the model
// already has them.
func (p *Path) LogAsset(a int) []float64 {
	if !p.logged[a] {
		for i, x := range p.s[a] {
			p.ls[a][i] = math.Log(x.Value())
		}
		p.logged[a] = true
	}
	return p.ls[a]
}

// Discount returns the discount factor from grid index i to the valuation
// date.
func (p *Path) Discount(i int) aad.Number { return p.df[i] }

// StepVariance returns the variance of the log of asset a over step i
// (from grid index i−1 to i) given the state at its start: σ²Δt, which a
// Brownian-bridge barrier weight needs; for Heston, the integrated
// variance the scheme gives the step, (v_{i−1} + v_i)/2·Δt. It records a
// statement for the local-vol and Heston models, whose σ depends on the
// path; call it only for the steps that need it.
func (p *Path) StepVariance(tp *aad.Tape, a, i int) aad.Number {
	return p.m.stepVariance(tp, a, i)
}

// StepVarianceValue is the value of StepVariance, read without recording
// anything: a payoff tests with it whether it needs the recorded one.
func (p *Path) StepVarianceValue(a, i int) float64 {
	return p.m.stepVarianceValue(a, i)
}

// check validates pr and set, returning the grid.
func (pr *Problem) check(set Settings) error {
	switch {
	case len(pr.Underlyings) == 0:
		return errors.New("montecarlo: no underlying")
	case pr.Model != BlackScholes && len(pr.Underlyings) != 1:
		return fmt.Errorf("montecarlo: the %v model simulates one underlying, got %d", pr.Model, len(pr.Underlyings))
	case pr.Model > Heston:
		return fmt.Errorf("montecarlo: unknown model %v", pr.Model)
	case pr.Strikes != nil && len(pr.Strikes) != len(pr.Underlyings):
		return fmt.Errorf("montecarlo: %d strikes for %d underlyings", len(pr.Strikes), len(pr.Underlyings))
	case pr.Payoff == nil:
		return errors.New("montecarlo: no payoff")
	case pr.Steps < 1 || pr.Steps > MaxSteps:
		return fmt.Errorf("montecarlo: %d steps: want 1 to %d", pr.Steps, MaxSteps)
	case len(pr.Dates) == 0:
		return errors.New("montecarlo: no payoff date")
	}
	minPaths := 2
	if set.Antithetic {
		minPaths = 4
	}
	if set.Paths < minPaths || set.Paths > MaxPaths {
		return fmt.Errorf("montecarlo: %d paths: want %d to %d", set.Paths, minPaths, MaxPaths)
	}
	prev := 0.0
	for _, t := range pr.Dates {
		if !(t > prev) || math.IsInf(t, 0) {
			return fmt.Errorf("montecarlo: payoff dates %v: want positive, finite and increasing", pr.Dates)
		}
		prev = t
	}
	for _, k := range pr.Strikes {
		if !(k > 0) || math.IsInf(k, 0) {
			return fmt.Errorf("montecarlo: strike %v: want a positive number", k)
		}
	}
	return nil
}

// Grid returns the simulation times of a problem: steps equal steps to the
// last of dates, with each date added where it is not already a grid time
// (within 1e-10 years), without 0. It writes into dst and the date indexes
// into idx, both reused when large enough.
func Grid(dst []float64, idx []int, dates []float64, steps int) ([]float64, []int) {
	T := dates[len(dates)-1]
	dst = dst[:0]
	idx = idx[:0]
	const eps = 1e-10
	j := 0
	for k := 1; k <= steps; k++ {
		u := T * float64(k) / float64(steps)
		if k == steps {
			u = T
		}
		for j < len(dates) && dates[j] < u-eps {
			dst = append(dst, dates[j])
			idx = append(idx, len(dst))
			j++
		}
		dst = append(dst, u)
		for j < len(dates) && dates[j] <= u+eps {
			dst[len(dst)-1] = dates[j] // the date itself, exactly
			idx = append(idx, len(dst))
			j++
		}
	}
	return dst, idx
}
