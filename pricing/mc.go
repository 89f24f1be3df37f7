package pricing

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// Monte Carlo defaults: DefaultPaths and DefaultSeed are those of the
// command's --paths and --seed; a trade's own paths and seed cells win.
// Without a steps cell a trade is simulated with DefaultStepsPerYear steps
// a year (at least one), to which its fixings are added.
const (
	DefaultPaths        = 100_000
	DefaultSeed         = 1
	DefaultStepsPerYear = 52
)

// DigitalSmoothing is the half-width of the smoothed step of a Monte Carlo
// digital, relative to its strike: the payoff H(φ(S−K)) is replaced by
// SmoothStep(φ(S−K), DigitalSmoothing·K) (aad.Tape.SmoothStep), a cubic
// that joins 0 and 1 over S within 0.5% of K. The pathwise derivative of
// the exact step is zero almost everywhere; the smoothed one carries the
// delta and vega of the digital. Its bias is of second order in the width:
// it is far below the standard error of 100,000 paths (see the tests).
const DigitalSmoothing = 0.005

// mcGammaBump is the relative spot bump of the central difference of Monte
// Carlo AAD deltas that gives a Monte Carlo gamma, with the same random
// numbers. A pathwise delta jumps where a path crosses a kink of the payoff
// (a strike), so the difference of deltas needs a bump that many paths
// cross, not a tiny one: at 1% its bias for a vanilla is about 1e-4
// relative and its noise a few standard errors of the delta over the bump.
const mcGammaBump = 0.01

// mcVolgaBump is the parallel vol shift (absolute, one vol point) of the
// central difference of Monte Carlo AAD vegas that gives a Monte Carlo
// volga, with the same random numbers: like a delta, a pathwise vega jumps
// where a path crosses a kink, so the shift is one that many paths feel.
const mcVolgaBump = 0.01

// MCSettings are a trade's Monte Carlo settings, as given in its row: what
// an MCEngine carries. A zero field takes the run's default (MCDefaults).
type MCSettings struct {
	Model montecarlo.Model
	Paths int
	Steps int
	// Seed is the trade's seed when SeedSet.
	Seed    uint64
	SeedSet bool
	// Sequence is the trade's random numbers (rng column) when SequenceSet.
	Sequence    montecarlo.Sequence
	SequenceSet bool
	// Antithetic is the trade's antithetic column when AntitheticSet.
	Antithetic    bool
	AntitheticSet bool
}

// ParseSequence returns the random numbers of a portfolio's rng column or
// of the --rng flag: pseudo (PCG streams per block) or sobol (Sobol' points
// with a random digital shift per block and a Brownian bridge). Blank is
// an error: the caller decides what a blank cell means.
func ParseSequence(s string) (montecarlo.Sequence, error) {
	switch s {
	case "pseudo":
		return montecarlo.PseudoRandom, nil
	case "sobol":
		return montecarlo.SobolBridge, nil
	}
	return 0, fmt.Errorf("rng %q: want pseudo or sobol", s)
}

// SequenceName returns the name of seq in the rng column: pseudo or sobol.
func SequenceName(seq montecarlo.Sequence) string {
	if seq == montecarlo.SobolBridge {
		return "sobol"
	}
	return "pseudo"
}

// MCEngine prices instruments by Monte Carlo simulation (package
// montecarlo), with adjoint Greeks per path: under the bs, localvol or
// heston model, with the trade's settings and the run's defaults for what
// they leave out. It prices the instruments that implement mcProduct.
type MCEngine struct {
	set MCSettings
}

// NewMCEngine returns a Monte Carlo engine with settings set after checking
// them: paths 0 (the run's default) or 2 to montecarlo.MaxPaths, at least 4
// with antithetic paths; steps 0 (DefaultStepsPerYear) or 1 to
// montecarlo.MaxSteps. An error is a *TermError.
func NewMCEngine(set MCSettings) (*MCEngine, error) {
	switch {
	case set.Paths < 0 || set.Paths == 1 || set.Paths > montecarlo.MaxPaths:
		return nil, termErrorf("paths", "%d paths: want 2 to %d", set.Paths, montecarlo.MaxPaths)
	case set.Antithetic && set.Paths > 0 && set.Paths < 4:
		return nil, termErrorf("paths", "%d paths: antithetic paths want at least 4", set.Paths)
	case set.Steps < 0 || set.Steps > montecarlo.MaxSteps:
		return nil, termErrorf("steps", "%d steps: want 1 to %d", set.Steps, montecarlo.MaxSteps)
	}
	return &MCEngine{set: set}, nil
}

// Settings returns the engine's settings.
func (e *MCEngine) Settings() MCSettings { return e.set }

// mcProduct is an instrument with a Monte Carlo payoff.
type mcProduct interface {
	Instrument
	// simulation sets pr's payoff dates, strikes (where each asset's vol is
	// read) and payoff for one unit, with spots the spots of Underlyings;
	// it fails if the payoff cannot be simulated from there (a spot
	// already beyond a barrier).
	simulation(pr *montecarlo.Problem, spots []float64) error
}

// simulable is an mcProduct that some models or terms cannot simulate
// (a basket under localvol, an Asian without fixings).
type simulable interface {
	simulable(montecarlo.Model) error
}

// Name returns "mc".
func (*MCEngine) Name() string { return MC }

// Check refuses an instrument without a Monte Carlo payoff, or one that
// the engine's model cannot simulate.
func (e *MCEngine) Check(inst Instrument) error {
	if _, ok := inst.(mcProduct); !ok {
		return termErrorf("engine", "engine mc: %s %s has no Monte Carlo engine (use analytic)", article(inst.Kind()), inst.Kind())
	}
	if s, ok := inst.(simulable); ok {
		return s.simulable(e.set.Model)
	}
	return nil
}

// settings are the engine's simulation settings with the run's defaults
// def for what it does not set.
func (e *MCEngine) settings(def MCDefaults) montecarlo.Settings {
	set := montecarlo.Settings{Paths: def.Paths, Seed: def.Seed, Sequence: def.Sequence, Antithetic: def.Antithetic}
	if set.Paths == 0 {
		set.Paths = DefaultPaths
	}
	if e.set.Paths > 0 {
		set.Paths = e.set.Paths
	}
	if e.set.SeedSet {
		set.Seed = e.set.Seed
	}
	if e.set.SequenceSet {
		set.Sequence = e.set.Sequence
	}
	if e.set.AntitheticSet {
		set.Antithetic = e.set.Antithetic
	}
	return set
}

// paths counts the run with Greeks, with a spot the two runs at bumped
// spots that give gamma and vanna (with second, two for each spot), and
// the two at shifted vols that give volga (under a model with a vol
// surface).
func (e *MCEngine) paths(inst Instrument, def MCDefaults, second bool) int64 {
	n := int64(e.settings(def).Paths)
	runs := int64(1)
	switch {
	case second:
		runs += 2 * int64(len(inst.Underlyings()))
	case inst.Underlying() != "":
		runs += 2
	}
	if e.set.Model != montecarlo.Heston {
		runs += 2
	}
	return runs * n
}

// SimulatedPaths returns the paths that pricing tr simulates with the
// run's defaults def, for a progress report to weigh the trade by: for a
// Monte Carlo trade its paths for the run with Greeks, twice as many again
// for the two runs at bumped spots that give gamma and vanna when it has a
// spot (for each of its spots with secondOrder, Pricer.SecondOrder), and
// twice again for the two at shifted vols that give volga under a model
// with a vol surface (see Pricer.Price); 0 for a closed-form trade or a
// trade without an instrument. Validate's revaluations are not counted:
// how many there are depends on the quotes the trade reads, known only
// once simulated.
func SimulatedPaths(tr *Trade, def MCDefaults, secondOrder bool) int64 {
	if tr.Instrument == nil {
		return 0
	}
	return tr.engine().paths(tr.Instrument, def, secondOrder)
}

// Problem returns the simulation of one unit of inst on market mk, with
// the run's defaults def for what the engine does not set: what Pricer
// runs, for library users who drive a montecarlo.Engine themselves.
func (e *MCEngine) Problem(mk *marketdata.Market, inst Instrument, def MCDefaults) (*montecarlo.Problem, montecarlo.Settings, error) {
	set := e.settings(def)
	if err := e.Check(inst); err != nil {
		return nil, set, err
	}
	names := inst.Underlyings()
	pr := &montecarlo.Problem{Model: e.set.Model, Underlyings: names, Currency: inst.Currency()}
	spots := make([]float64, len(names))
	for i, u := range names {
		j, ok := mk.SpotIndex(u)
		if !ok {
			return nil, set, fmt.Errorf("no SPOT quote for %q", u)
		}
		spots[i] = mk.Quotes()[j].Value
	}
	if err := inst.(mcProduct).simulation(pr, spots); err != nil {
		return nil, set, err
	}
	pr.Steps = e.set.Steps
	if pr.Steps == 0 {
		pr.Steps = defaultSteps(pr.Dates[len(pr.Dates)-1])
	}
	return pr, set, nil
}

// defaultSteps returns the steps of a simulation to T years that sets
// none: DefaultStepsPerYear a year, at least one.
func defaultSteps(T float64) int {
	return max(1, int(math.Ceil(DefaultStepsPerYear*T-1e-9)))
}
