package pricing

import (
	"context"
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing/closedform"
	"github.com/aadrisk/aadrisk/pricing/pde"
)

// The grid of a pde trade that leaves its grid_spots or grid_steps cell
// blank, the bounds of those cells, and the memory of the states a solve
// keeps for its adjoint (aad.Tape.Checkpoint). At 800 × 800 Europeans and knock-outs are within
// 1e-4 relative of their closed forms, and 85 Americans within 7.5e-5 of
// QuantLib's converged finite differences (TestPDEAmericanAgainstQuantLib;
// at 400 × 400, tried once with the defaults lowered, 2.7e-4, the options
// far out of the money losing most).
const (
	DefaultGridSpots = 800
	DefaultGridSteps = 800
	MinGridSpots     = pde.MinNodes
	MaxGridSpots     = 20_000
	MaxGridSteps     = 100_000
	// PDEStateBytes bounds the states a solve stores for its sweep: as many
	// snapshots as fit, at least pdeMinSnapshots. A state is 8 bytes a
	// spot, against some 1,500 a spot and a step that the solve takes
	// taped whole (W8's memory/full), so the states are a small fraction
	// of that tape on any grid. Within the bound a solve of 800 × 800 keeps
	// 655 states and runs 1.18 steps a step in all (the forward pass and
	// the replays of the binomial schedule), one of 200 × 400 keeps every
	// state and replays none, and one of 20,000 spots and 1,000 steps keeps
	// 26 and runs 2.57 steps a step.
	PDEStateBytes   = 4 << 20
	pdeMinSnapshots = 20
	// pdeWidth is the grid's half-width beyond the spot and the strike, in
	// standard deviations of ln S at expiry: there the payoff held is as
	// good a boundary value as the forward's.
	pdeWidth = 5.0
)

// PDESettings are a pde trade's model and grid. A grid of 0 takes the
// run's default (PDEDefaults).
type PDESettings struct {
	// Model is montecarlo.BlackScholes (the term structures of the closed
	// forms) or montecarlo.LocalVol (the Monte Carlo engine's Dupire
	// surface).
	Model        montecarlo.Model
	Spots, Steps int
}

// PDEDefaults are the grid of pde trades that do not give their own: the
// command's --grid-spots and --grid-steps. 0 means DefaultGridSpots and
// DefaultGridSteps.
type PDEDefaults struct {
	Spots, Steps int
}

// grid returns the engine's grid with def for what it leaves out.
func (e *PDEEngine) grid(def PDEDefaults) (spots, steps int) {
	spots, steps = e.set.Spots, e.set.Steps
	if spots == 0 {
		spots = def.Spots
	}
	if spots == 0 {
		spots = DefaultGridSpots
	}
	if steps == 0 {
		steps = def.Steps
	}
	if steps == 0 {
		steps = DefaultGridSteps
	}
	return spots, steps
}

// PDEEngine prices by finite differences in log-spot (package pde):
// Crank–Nicolson with a Rannacher start on a grid concentrated at the
// strike, with every sensitivity from one checkpointed adjoint sweep. Its
// models are Black–Scholes with the term structures of the closed forms
// (rates, dividends and the vol at the strike read along time) and Dupire
// local volatility, the surface of the Monte Carlo engine's local-vol model
// at its default steps (montecarlo.LocalVolGrid), so that the two engines
// price one surface. It prices
// Europeans, Americans (exercise by Brennan–Schwartz) and continuously
// monitored barriers (knock-ins by in-out parity).
type PDEEngine struct {
	set PDESettings
}

// PDE is the engine's name in the portfolio's engine column.
const PDE = "pde"

// NewPDEEngine returns a PDE engine after checking its model (bs or
// localvol) and grid: spots 0 (the run's default) or pde.MinNodes to
// MaxGridSpots, steps 0 or 2 to MaxGridSteps. An error is a *TermError.
func NewPDEEngine(set PDESettings) (*PDEEngine, error) {
	switch {
	case set.Model != montecarlo.BlackScholes && set.Model != montecarlo.LocalVol:
		return nil, termErrorf("model", "model %s: engine pde solves bs or localvol", set.Model)
	case set.Spots != 0 && (set.Spots < pde.MinNodes || set.Spots > MaxGridSpots):
		return nil, termErrorf("grid_spots", "%d grid spots: want %d to %d", set.Spots, MinGridSpots, MaxGridSpots)
	case set.Steps != 0 && (set.Steps < 2 || set.Steps > MaxGridSteps):
		return nil, termErrorf("grid_steps", "%d grid steps: want 2 to %d", set.Steps, MaxGridSteps)
	}
	return &PDEEngine{set: set}, nil
}

// Settings returns the engine's grid, 0 where the trade takes the run's
// default.
func (e *PDEEngine) Settings() PDESettings { return e.set }

// Name returns "pde".
func (*PDEEngine) Name() string { return PDE }

// Check refuses an instrument the engine does not solve.
func (e *PDEEngine) Check(inst Instrument) error {
	switch inst.(type) {
	case *European, *American, *Barrier:
		return nil
	}
	return termErrorf("engine", "engine pde: %s %s has no pde engine", article(inst.Kind()), inst.Kind())
}

// product returns inst as what the analytic engine's machinery prices: its
// value is the solve's, recorded on the scope's tape, on a grid placed with
// m, the market as read, and def for the grid the engine leaves to the run.
func (e *PDEEngine) product(m *marketdata.Market, def PDEDefaults, inst Instrument) (*pdeProduct, error) {
	if err := e.Check(inst); err != nil {
		return nil, err
	}
	spots, steps := e.grid(def)
	return &pdeProduct{Instrument: inst, m: m, local: e.set.Model == montecarlo.LocalVol, spots: spots, steps: steps}, nil
}

// Value records on sc's tape the value of one unit of inst by the engine's
// solve: what Pricer.Price differentiates (and differences for gamma,
// vanna and volga), for a caller that records it inside a computation of
// its own or wants first-order figures alone. m is the market as read,
// which places the grid (a bumped revaluation passes the unbumped market,
// so that it solves on the same grid), and def the grid for what the
// engine leaves to the run. A scope without a tape gives the value only.
func (e *PDEEngine) Value(sc *marketdata.Scope, m *marketdata.Market, def PDEDefaults, inst Instrument) (aad.Number, error) {
	prod, err := e.product(m, def, inst)
	if err != nil {
		return aad.Number{}, err
	}
	return prod.value(sc)
}

func (e *PDEEngine) price(ctx context.Context, p *Pricer, inst Instrument, qty float64, res *Result) error {
	prod, err := e.product(p.m, p.PDE, inst)
	if err != nil {
		return err
	}
	if err := (AnalyticEngine{}).price(ctx, p, prod, qty, res); err != nil {
		return err
	}
	res.Floored = prod.floored
	return nil
}

func (e *PDEEngine) bump(ctx context.Context, p *Pricer, inst Instrument, qty float64, quotes []int) ([]float64, float64, error) {
	prod, err := e.product(p.m, p.PDE, inst)
	if err != nil {
		return nil, 0, err
	}
	return AnalyticEngine{}.bump(ctx, p, prod, qty, quotes)
}

func (e *PDEEngine) validate(ctx context.Context, p *Pricer, tr *Trade, res *Result, idx []int) ([]Validation, error) {
	prod, err := e.product(p.m, p.PDE, tr.Instrument)
	if err != nil {
		return nil, err
	}
	t := *tr
	t.Instrument = prod
	return AnalyticEngine{}.validate(ctx, p, &t, res, idx)
}

func (*PDEEngine) paths(Instrument, MCDefaults, bool) int64 { return 0 }

// pdeProduct is an instrument valued by the engine's solve.
type pdeProduct struct {
	Instrument
	m            *marketdata.Market // the market as read, which places the grid
	local        bool               // under local vol
	spots, steps int
	// floored is where the first local-vol surface recorded (the market as
	// read) had Dupire's formula regularised; flooredSet says it is set.
	floored    []montecarlo.FlooredNode
	flooredSet bool
}

// value records the solve of one unit. A knock-in is the European less the
// knock-out without rebate, plus the rebate times the value of 1 paid at
// expiry if the barrier is never touched.
func (d *pdeProduct) value(sc *marketdata.Scope) (aad.Number, error) {
	switch in := d.Instrument.(type) {
	case *European:
		return d.solve(sc, in.Option, false, 0, 0, 0, false)
	case *American:
		return d.solve(sc, in.Option, true, 0, 0, 0, false)
	case *Barrier:
		lo, hi := 0.0, 0.0
		if in.BarrierKind.Down() {
			lo = in.Level
		} else {
			hi = in.Level
		}
		s, err := sc.Spot(in.Asset)
		if err != nil {
			return aad.Number{}, err
		}
		if (lo > 0 && s.Value() <= lo) || (hi > 0 && s.Value() >= hi) {
			return aad.Number{}, closedform.ErrBarrierBreached
		}
		if !in.BarrierKind.In() {
			return d.solve(sc, in.Option, false, lo, hi, in.Rebate, false)
		}
		tp := sc.Tape()
		eu, err := d.solve(sc, in.Option, false, 0, 0, 0, false)
		if err != nil {
			return aad.Number{}, err
		}
		ko, err := d.solve(sc, in.Option, false, lo, hi, 0, false)
		if err != nil {
			return aad.Number{}, err
		}
		v := tp.Sub(eu, ko)
		if in.Rebate != 0 {
			nt, err := d.solve(sc, in.Option, false, lo, hi, 0, true)
			if err != nil {
				return aad.Number{}, err
			}
			v = tp.Add(v, tp.MulConst(nt, in.Rebate))
		}
		return v, nil
	}
	return aad.Number{}, fmt.Errorf("engine pde: %s has no pde engine", d.Kind())
}

// solve records one solve of o: American if american, a knock-out at the
// barrier lo or hi (> 0) paying rebate when touched, and with the payoff 1
// instead of o's if one (the no-touch of a knock-in's rebate).
func (d *pdeProduct) solve(sc *marketdata.Scope, o Option, american bool, lo, hi, rebate float64, one bool) (aad.Number, error) {
	tp := sc.Tape()
	s, err := sc.Spot(o.Asset)
	if err != nil {
		return aad.Number{}, err
	}
	// The grid is placed with the market as read, so that a bumped
	// revaluation solves on the same grid.
	ref := d.m.NewScope()
	ref.Reset(nil)
	at, err := o.params(ref)
	if err != nil {
		return aad.Number{}, err
	}
	T := o.Expiry
	s0, vol, r0, q0 := at.S, at.Vol, at.R, at.Q
	width := pdeWidth*vol.Value()*math.Sqrt(T) + math.Abs(r0.Value()-q0.Value())*T
	width = max(width, 1e-3)
	x, err := pde.Layout{Spot: s0.Value(), Strike: o.Strike, Width: width, Lower: lo, Upper: hi, Nodes: d.spots}.Place()
	if err != nil {
		return aad.Number{}, err
	}
	g, err := pde.NewGrid(x)
	if err != nil {
		return aad.Number{}, err
	}
	iv := pde.TimeSteps(nil, T, d.steps)
	m := len(iv)

	// Each interval's integrated rate, dividend yield and variance at the
	// strike (or the local vol), read at the remaining times, which a
	// valuation-time shift shortens together (theta).
	rem := sc.Time(T)
	params := make([]aad.Number, 3*m)
	var prevR, prevQ, prevW aad.Number
	for i, in := range iv {
		tau := tp.MulConst(rem, in.To/T)
		zr, err := sc.ZeroRate(o.Ccy, tau)
		if err != nil {
			return aad.Number{}, err
		}
		dy, err := sc.DivYield(o.Asset, tau)
		if err != nil {
			return aad.Number{}, err
		}
		cr, cq := tp.Mul(zr, tau), tp.Mul(dy, tau)
		params[i], params[m+i] = tp.Sub(cr, prevR), tp.Sub(cq, prevQ)
		prevR, prevQ = cr, cq
		if d.local {
			continue
		}
		v, err := sc.Vol(o.Asset, tau, o.Strike)
		if err != nil {
			return aad.Number{}, err
		}
		cw := tp.Mul(tp.Square(v), tau)
		params[2*m+i] = tp.Sub(cw, prevW)
		prevW = cw
	}
	sol := &pde.Solve{Grid: g, Intervals: iv, R: make([]float64, m), Q: make([]float64, m), V: make([]float64, m)}
	for i := range m {
		sol.R[i], sol.Q[i] = params[i].Value(), params[m+i].Value()
	}
	if d.local {
		if params, err = d.localVol(sc, ref, o, rem, sol, params[:2*m]); err != nil {
			return aad.Number{}, err
		}
	} else {
		for i := range m {
			sol.V[i] = params[2*m+i].Value()
			if sol.V[i] < 0 {
				return aad.Number{}, fmt.Errorf("total variance at strike %v falls between %v and %v years: a calendar arbitrage", o.Strike, iv[i].From, iv[i].To)
			}
		}
	}
	n := len(x)
	payoff := make([]float64, n)
	init := make([]aad.Number, n)
	for j, xj := range x {
		switch {
		case one:
			payoff[j] = 1
		case o.Type == Call:
			payoff[j] = max(math.Exp(xj)-o.Strike, 0)
		default:
			payoff[j] = max(o.Strike-math.Exp(xj), 0)
		}
	}
	sol.Lower, sol.Upper = payoff[0], payoff[n-1]
	if lo > 0 {
		sol.Lower, payoff[0] = rebate, rebate
	}
	if hi > 0 {
		sol.Upper, payoff[n-1] = rebate, rebate
	}
	for j := range init {
		init[j] = aad.Const(payoff[j])
	}
	if american {
		sol.Exercise, sol.High = payoff, o.Type == Call
	}
	final := tp.Checkpoint(nil, init, params, m, sol, PDESnapshots(n, m))

	// The value at the spot: the cubic through the four nodes around it.
	lx := math.Log(s.Value())
	j0, w, d1, _ := g.Stencil(lx)
	var v, dv float64
	for i := range 4 {
		v += w[i] * final[j0+i].Value()
		dv += d1[i] * final[j0+i].Value()
	}
	args := []aad.Number{final[j0], final[j0+1], final[j0+2], final[j0+3], s}
	parts := []float64{w[0], w[1], w[2], w[3], dv / s.Value()}
	return tp.Custom(v, args, parts), nil
}

// localVol records the local-vol grid of o over the Monte Carlo engine's
// default steps to its expiry, its times the remaining time rem in
// proportion (as the solve's intervals), sets sol's Local from it, and
// returns params with the grid's vols and rem appended: the parameters of
// a local-vol solve (pde.Solve).
func (d *pdeProduct) localVol(sc, ref *marketdata.Scope, o Option, rem aad.Number, sol *pde.Solve, params []aad.Number) ([]aad.Number, error) {
	tp := sc.Tape()
	T := o.Expiry
	times, _ := montecarlo.Grid(nil, nil, []float64{T}, defaultSteps(T))
	times = append([]float64{0}, times...)
	tt, dt := make([]aad.Number, len(times)), make([]aad.Number, len(times))
	for i := 1; i < len(times); i++ {
		tt[i] = tp.MulConst(rem, times[i]/T)
		dt[i] = tp.Sub(tt[i], tt[i-1])
	}
	lv, err := montecarlo.NewLocalVolGrid(sc, ref, o.Asset, o.Ccy, times, tt, dt)
	if err != nil {
		return nil, err
	}
	if !d.flooredSet {
		d.floored, d.flooredSet = lv.Floored, true
	}
	g := sol.Grid
	loc := &pde.Local{Vol: make([]float64, len(lv.Vol)), Nodes: montecarlo.LocalVolNodes,
		J: make([]int, g.Len()), W: make([][4]float64, g.Len()),
		Pieces: pde.SlicePieces(nil, sol.Intervals, times), Tau: rem.Value()}
	for i, v := range lv.Vol {
		loc.Vol[i] = v.Value()
	}
	for j, x := range g.X {
		loc.J[j], loc.W[j] = lv.Weights(x)
	}
	sol.Local = loc
	return append(append(params, lv.Vol...), rem), nil
}

// PDESnapshots returns the snapshots a solve of steps time steps on a grid
// of spots keeps: as many states as PDEStateBytes holds, at least
// pdeMinSnapshots, and no more than the steps.
func PDESnapshots(spots, steps int) int {
	return min(max(PDEStateBytes/(8*spots), pdeMinSnapshots), steps)
}
