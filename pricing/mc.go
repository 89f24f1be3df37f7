package pricing

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/aadrisk/aadrisk/aad"
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

// MCSettings are a trade's Monte Carlo settings, as given in its row; a zero
// field takes the run's default.
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

// MCPayoff is what a Monte Carlo instrument pays, as a function of its
// simulated path.
type MCPayoff uint8

// The Monte Carlo payoffs.
const (
	PayEuropean MCPayoff = iota
	PayDigital
	PayAsianArithmetic
	PayAsianGeometric
	PayBarrier
	PayBasket
)

// MonteCarlo is an instrument priced by simulation (engine=mc): a
// European, digital, Asian (arithmetic or geometric), barrier or basket
// option under the bs, localvol or heston model.
//
// A barrier is monitored continuously: each step is weighted by the
// Brownian-bridge probability that the log-spot, pinned at the step's two
// ends, does not touch the barrier in between (with the step's variance),
// which also keeps the pathwise derivatives right. A knock-out's rebate is
// paid at the end of the step in which the path is likely to hit.
type MonteCarlo struct {
	Option
	Payoff MCPayoff
	// Underlyings and Weights are a basket's assets and weights.
	Underlyings []string
	Weights     []float64
	// Cash and Payout: a digital pays Payout in cash if Cash, else the asset.
	Cash   bool
	Payout float64
	// Barrier terms.
	BarrierKind   BarrierKind
	Level, Rebate float64
	Fixings       int
	Settings      MCSettings
	kind          string
}

// NewMonteCarlo returns a Monte Carlo instrument after checking its terms;
// kind is its name in the portfolio ("european", "basket", ...).
func NewMonteCarlo(kind string, m MonteCarlo) (*MonteCarlo, error) {
	m.kind = kind
	if m.Payoff == PayBasket {
		if len(m.Underlyings) < 1 || len(m.Weights) != len(m.Underlyings) {
			return nil, fmt.Errorf("a basket needs as many weights as underlyings, got %d and %d", len(m.Weights), len(m.Underlyings))
		}
		seen := map[string]bool{}
		for i, u := range m.Underlyings {
			if u == "" || seen[u] {
				return nil, fmt.Errorf("basket underlying %q: want distinct names", u)
			}
			seen[u] = true
			if w := m.Weights[i]; math.IsNaN(w) || math.IsInf(w, 0) {
				return nil, fmt.Errorf("basket weight %v: want a number", w)
			}
		}
		m.Underlying = strings.Join(m.Underlyings, "|")
		if m.Settings.Model != montecarlo.BlackScholes {
			return nil, fmt.Errorf("model %v: a basket is simulated under bs only", m.Settings.Model)
		}
	} else {
		m.Underlyings = []string{m.Underlying}
	}
	if err := m.Option.validate(); err != nil {
		return nil, err
	}
	switch m.Payoff {
	case PayAsianArithmetic, PayAsianGeometric:
		if m.Fixings < 1 || m.Fixings > MaxFixings {
			return nil, fmt.Errorf("%d fixings: a Monte Carlo asian needs 1 to %d", m.Fixings, MaxFixings)
		}
	case PayBarrier:
		if !(m.Level > 0) || math.IsInf(m.Level, 0) {
			return nil, fmt.Errorf("barrier %v: want a positive number", m.Level)
		}
		if !(m.Rebate >= 0) || math.IsInf(m.Rebate, 0) {
			return nil, fmt.Errorf("rebate %v: want a number ≥ 0", m.Rebate)
		}
	case PayDigital:
		if m.Cash && (math.IsNaN(m.Payout) || math.IsInf(m.Payout, 0)) {
			return nil, fmt.Errorf("payout %v: want a number", m.Payout)
		}
	}
	s := m.Settings
	if s.Paths < 0 || s.Paths > montecarlo.MaxPaths {
		return nil, fmt.Errorf("%d paths: want 2 to %d", s.Paths, montecarlo.MaxPaths)
	}
	if s.Steps < 0 || s.Steps > montecarlo.MaxSteps {
		return nil, fmt.Errorf("%d steps: want 1 to %d", s.Steps, montecarlo.MaxSteps)
	}
	return &m, nil
}

// Kind returns the instrument's name in the portfolio.
func (m *MonteCarlo) Kind() string { return m.kind }

// Spot returns the underlying whose delta is reported; "" for a basket.
func (m *MonteCarlo) Spot() string {
	if m.Payoff == PayBasket {
		return ""
	}
	return m.Underlying
}

// Value is not defined for a Monte Carlo instrument, which a Pricer prices
// through its Monte Carlo engine: it returns an error.
func (m *MonteCarlo) Value(*marketdata.Scope) (aad.Number, error) {
	return aad.Number{}, errors.New("a Monte Carlo instrument is priced by Pricer, not by Value")
}

// settings are m's simulation settings with the run's defaults def for
// what m does not set.
func (m *MonteCarlo) settings(def MCDefaults) montecarlo.Settings {
	set := montecarlo.Settings{Paths: def.Paths, Seed: def.Seed, Sequence: def.Sequence, Antithetic: def.Antithetic}
	if set.Paths == 0 {
		set.Paths = DefaultPaths
	}
	if m.Settings.Paths > 0 {
		set.Paths = m.Settings.Paths
	}
	if m.Settings.SeedSet {
		set.Seed = m.Settings.Seed
	}
	if m.Settings.SequenceSet {
		set.Sequence = m.Settings.Sequence
	}
	if m.Settings.AntitheticSet {
		set.Antithetic = m.Settings.Antithetic
	}
	return set
}

// SimulatedPaths returns the paths that pricing tr simulates with the
// run's defaults def, for a progress report to weigh the trade by: for a
// Monte Carlo trade its paths for the run with Greeks and, when it has a
// spot, twice as many again for the two runs at bumped spots that give
// gamma (see Pricer.Price); 0 for a closed-form trade or a trade without
// an instrument. Validate's revaluations are not counted: how many there
// are depends on the quotes the trade reads, known only once simulated.
func SimulatedPaths(tr *Trade, def MCDefaults) int64 {
	m, ok := tr.Instrument.(*MonteCarlo)
	if !ok {
		return 0
	}
	n := int64(m.settings(def).Paths)
	if m.Spot() != "" {
		return 3 * n
	}
	return n
}

// Problem returns the simulation of one unit of m on market mk, with the
// run's defaults def for what m does not set: what Pricer runs, for library
// users who drive a montecarlo.Engine themselves.
func (m *MonteCarlo) Problem(mk *marketdata.Market, def MCDefaults) (*montecarlo.Problem, montecarlo.Settings, error) {
	set := m.settings(def)
	T := m.Expiry
	steps := m.Settings.Steps
	if steps == 0 {
		steps = max(1, int(math.Ceil(DefaultStepsPerYear*T-1e-9)))
	}
	pr := &montecarlo.Problem{Model: m.Settings.Model, Underlyings: m.Underlyings, Currency: m.Ccy, Steps: steps}
	spots := make([]float64, len(m.Underlyings))
	for i, u := range m.Underlyings {
		j, ok := mk.SpotIndex(u)
		if !ok {
			return nil, set, fmt.Errorf("no SPOT quote for %q", u)
		}
		spots[i] = mk.Quotes()[j].Value
	}
	switch m.Payoff {
	case PayAsianArithmetic, PayAsianGeometric:
		pr.Dates = make([]float64, m.Fixings)
		for i := range pr.Dates {
			pr.Dates[i] = T * float64(i+1) / float64(m.Fixings)
		}
	default:
		pr.Dates = []float64{T}
	}
	if m.Payoff == PayBasket {
		// Each asset's vol is read at the strike's moneyness of the basket.
		b0 := 0.0
		for i, s := range spots {
			b0 += m.Weights[i] * s
		}
		if !(b0 > 0) {
			return nil, set, fmt.Errorf("basket spot value %v: want a positive value", b0)
		}
		pr.Strikes = make([]float64, len(spots))
		for i, s := range spots {
			pr.Strikes[i] = s * m.Strike / b0
		}
	} else {
		pr.Strikes = []float64{m.Strike}
	}
	if m.Payoff == PayBarrier {
		s := spots[0]
		if (m.BarrierKind.Down() && s <= m.Level) || (!m.BarrierKind.Down() && s >= m.Level) {
			return nil, set, fmt.Errorf("spot %v is already beyond the %s barrier %v", s, barrierKindName(m.BarrierKind), m.Level)
		}
	}
	pr.Payoff = &mcPayoff{m: m}
	return pr, set, nil
}

// mcPayoff values the paths of a MonteCarlo instrument.
type mcPayoff struct{ m *MonteCarlo }

// Value returns the discounted payoff of one path.
func (p *mcPayoff) Value(tp *aad.Tape, path *montecarlo.Path) aad.Number {
	m := p.m
	n := path.Steps()
	df := path.Discount(n)
	sign := 1.0
	if !m.Call {
		sign = -1
	}
	switch m.Payoff {
	case PayEuropean:
		return tp.Mul(vanilla(tp, path.Asset(0)[n], m.Strike, sign), df)
	case PayDigital:
		s := path.Asset(0)[n]
		h := tp.SmoothStep(tp.MulConst(tp.SubConst(s, m.Strike), sign), DigitalSmoothing*m.Strike)
		if m.Cash {
			return tp.Mul(tp.MulConst(h, m.Payout), df)
		}
		return tp.Mul(tp.Mul(h, s), df)
	case PayAsianArithmetic, PayAsianGeometric:
		fix := path.Scratch(m.Fixings)
		s := path.Asset(0)
		for j := range fix {
			fix[j] = s[path.Date(j)]
		}
		var avg aad.Number
		if m.Payoff == PayAsianArithmetic {
			avg = tp.MulConst(tp.Sum(fix...), 1/float64(len(fix)))
		} else {
			avg = geometricMean(tp, fix, path.ScratchFloats(len(fix)))
		}
		return tp.Mul(vanilla(tp, avg, m.Strike, sign), df)
	case PayBasket:
		b := path.Scratch(len(m.Underlyings))
		for a := range b {
			b[a] = path.Asset(a)[n]
		}
		return tp.Mul(vanilla(tp, tp.DotConst(b, m.Weights), m.Strike, sign), df)
	case PayBarrier:
		return barrierValue(tp, m, path, sign)
	}
	panic("pricing: unknown Monte Carlo payoff")
}

// vanilla returns max(φ·(x − K), 0).
func vanilla(tp *aad.Tape, x aad.Number, k, sign float64) aad.Number {
	return tp.Max(tp.MulConst(tp.SubConst(x, k), sign), aad.Const(0))
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

// bridgeCutoff is the exponent beyond which a step's Brownian-bridge hit
// probability e^{−x} (below 1e-17) is taken as 0: the step is then not
// recorded.
const bridgeCutoff = 40

// barrierValue values a barrier option on one path, with the survival
// probability P = Π(1 − p_i) of the Brownian-bridge hit probabilities
// p_i = exp(−2·ln(B/S_{i−1})·ln(B/S_i)/(σ²Δt)) of its steps.
func barrierValue(tp *aad.Tape, m *MonteCarlo, path *montecarlo.Path, sign float64) aad.Number {
	n := path.Steps()
	s, ls := path.Asset(0), path.LogAsset(0)
	dir := 1.0 // +1: up barrier
	if m.BarrierKind.Down() {
		dir = -1
	}
	lnB := math.Log(m.Level)
	surv := aad.Const(1)
	rebate := aad.Const(0) // Σ DF(t_i)·(P_{i−1} − P_i), for a knock-out's rebate
	var args [4]aad.Number
	var parts [4]float64
	b := dir * (lnB - ls[0]) // distance to the barrier in log, > 0 before a hit
	for i := 1; i <= n; i++ {
		a := b
		b = dir * (lnB - ls[i])
		prev := surv
		if b <= 0 {
			surv = aad.Const(0)
		} else {
			// Most steps are far from the barrier: test with the passive
			// variance before recording it.
			vv := path.StepVarianceValue(0, i)
			if vv == 0 || 2*a*b/vv > bridgeCutoff {
				continue
			}
			v := path.StepVariance(tp, 0, i)
			x := 2 * a * b / v.Value()
			e := math.Exp(-x)
			q := 1 - e
			P := surv.Value()
			// ∂q/∂S_{i−1} = −e·2b/v·(dir/S_{i−1}), ∂q/∂S_i likewise, ∂q/∂v = −e·x/v.
			args[0], parts[0] = surv, q
			args[1], parts[1] = s[i-1], -P*e*2*b/v.Value()*dir/s[i-1].Value()
			args[2], parts[2] = s[i], -P*e*2*a/v.Value()*dir/s[i].Value()
			args[3], parts[3] = v, -P*e*x/v.Value()
			surv = tp.Custom(P*q, args[:], parts[:])
		}
		if m.Rebate != 0 && !m.BarrierKind.In() {
			rebate = tp.Add(rebate, tp.Mul(path.Discount(i), tp.Sub(prev, surv)))
		}
		if surv.Value() == 0 {
			break
		}
	}
	df := path.Discount(n)
	pay := tp.Mul(vanilla(tp, s[n], m.Strike, sign), df)
	if m.BarrierKind.In() {
		// Pays the vanilla if hit; the rebate at expiry if not.
		v := tp.Mul(pay, tp.ConstSub(1, surv))
		if m.Rebate != 0 {
			v = tp.Add(v, tp.MulConst(tp.Mul(df, surv), m.Rebate))
		}
		return v
	}
	v := tp.Mul(pay, surv)
	if m.Rebate != 0 {
		v = tp.Add(v, tp.MulConst(rebate, m.Rebate))
	}
	return v
}
