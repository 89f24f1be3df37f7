package montecarlo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
)

// Engine prices Monte Carlo problems on one market with a fixed number of
// worker goroutines. It keeps each worker's tape, scope, model copy and
// buffers from run to run, so that once warm a path records and sweeps with
// no heap allocation. An Engine runs one problem at a time: give each
// goroutine that prices its own Engine.
type Engine struct {
	workers []*worker
}

// NewEngine returns an engine on market m with the given number of workers
// (at least 1).
func NewEngine(m *marketdata.Market, workers int) *Engine {
	e := &Engine{workers: make([]*worker, max(workers, 1))}
	for i := range e.workers {
		e.workers[i] = &worker{tape: aad.NewTape(1 << 12), sc: m.NewScope(), ref: m.NewScope()}
	}
	return e
}

// Result is the outcome of a Monte Carlo pricing: the price with its
// standard error and, for a run with Greeks, the sensitivity of the price
// to every market quote it depends on, with theirs.
type Result struct {
	PV, StdError float64
	// Sens are ∂PV/∂q for every quote q the pricing read, by increasing
	// quote index (the order of Market.Quotes).
	Sens []Sensitivity
	// Theta is ∂PV/∂t as the valuation time moves forward (Scope.Time);
	// HasTheta is false when the pricing read no time.
	Theta, ThetaStdError float64
	HasTheta             bool
	// Floored lists where a local-vol model floored the local variance.
	Floored []FlooredNode
	// Paths, Steps and Blocks are those simulated.
	Paths, Steps, Blocks int
	// PathStatements and PathBytes are the tape statements and bytes one
	// path recorded (in the first block), 0 for a passive run.
	PathStatements, PathBytes int
	// BlockPaths, BlockPV and BlockGrad are the figures of each block, in
	// block order: its number of paths, the sum of its path values and,
	// for a run with Greeks, the sums of its paths' derivatives, with
	// BlockGrad[b][j] for the quote of Sens[j] and, when HasTheta, theta's
	// at index len(Sens). Two runs of one problem with the same settings
	// (a bumped market, common random numbers) have the same blocks, so
	// the standard error of any linear combination of their figures
	// (a difference of an AAD figure and a finite difference, say) is the
	// batch-means one of its per-block sums: see BatchStdError.
	BlockPaths []int
	BlockPV    []float64
	BlockGrad  [][]float64
}

// Sensitivity is the derivative of a price with respect to one quote, with
// its Monte Carlo standard error.
type Sensitivity struct {
	Quote           int
	Value, StdError float64
}

// maxBlocks and unitsPerBlock cut the paths into blocks: about 256 paths
// (or antithetic pairs) each, at least 2 and at most 32. The bound keeps
// the sweeps from the mark, one per block, few; 2 is the least that gives
// the sensitivities a standard error.
const (
	maxBlocks     = 32
	unitsPerBlock = 256
)

// block is what one block of paths gives: the sum of its path values and
// the Welford mean and squared deviations of its units (paths, or pairs
// with antithetic paths), and the sum of its paths' sensitivities (with
// theta last).
type block struct {
	sum        float64
	n          int // paths
	units      int
	mean, m2   float64
	grad       []float64
	statements int
	bytes      int
}

// Run prices pr with the settings set on the engine's market with bump
// applied (marketdata.Bump{Quote: -1} for none), with sensitivities if
// set.Greeks. It returns an error if pr or set is invalid, if the market
// lacks data pr needs, or if ctx is done first; a *PanicError if a worker
// panicked.
func (e *Engine) Run(ctx context.Context, pr *Problem, set Settings, bump marketdata.Bump) (*Result, error) {
	if err := pr.check(set); err != nil {
		return nil, err
	}
	units := set.Paths
	if set.Antithetic {
		units = set.Paths / 2
	}
	nb := min(max(units/unitsPerBlock, 2), maxBlocks)
	blocks := make([]block, nb)
	nw := min(len(e.workers), nb)
	var next atomic.Int64
	errs := make([]error, nw)
	run := func(k int) {
		defer func() {
			if r := recover(); r != nil {
				errs[k] = &PanicError{Value: r, Stack: debug.Stack()}
			}
		}()
		errs[k] = e.workers[k].run(ctx, pr, set, bump, blocks, units, &next)
	}
	if nw == 1 {
		run(0)
	} else {
		var wg sync.WaitGroup
		for k := range nw {
			wg.Go(func() { run(k) })
		}
		wg.Wait()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return e.combine(set, blocks), nil
}

// PanicError is the error of a run in which a worker panicked: a bug, not
// bad data. Its message is one short line, fit for a trade's error cell;
// the stack, for a log, is in Stack.
type PanicError struct {
	Value any    // what the worker panicked with
	Stack []byte // the worker's stack where it recovered (debug.Stack)
}

// Error returns "montecarlo: internal error: " and the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("montecarlo: internal error: %v", e.Value) }

// combine adds the blocks in block order.
func (e *Engine) combine(set Settings, blocks []block) *Result {
	w := e.workers[0]
	res := &Result{Steps: len(w.times) - 1, Blocks: len(blocks)}
	n, sum := 0, 0.0
	for i := range blocks {
		n += blocks[i].n
		sum += blocks[i].sum
	}
	res.Paths = n
	res.PV = sum / float64(n)
	if set.Sequence == SobolBridge {
		res.StdError = batchStdError(blocks, func(b *block) float64 { return b.sum }, n)
	} else {
		// Chan et al.'s pairwise combination of the blocks' Welford sums.
		var cnt int
		var mean, m2 float64
		for i := range blocks {
			b := &blocks[i]
			if b.units == 0 {
				continue
			}
			tot := cnt + b.units
			d := b.mean - mean
			mean += d * float64(b.units) / float64(tot)
			m2 += b.m2 + d*d*float64(cnt)*float64(b.units)/float64(tot)
			cnt = tot
		}
		res.StdError = math.Sqrt(m2 / float64(cnt-1) / float64(cnt))
	}
	res.PathStatements, res.PathBytes = blocks[0].statements, blocks[0].bytes
	res.BlockPaths = make([]int, len(blocks))
	res.BlockPV = make([]float64, len(blocks))
	for i := range blocks {
		res.BlockPaths[i], res.BlockPV[i] = blocks[i].n, blocks[i].sum
	}
	if !set.Greeks {
		return res
	}
	res.BlockGrad = make([][]float64, len(blocks))
	for i := range blocks {
		res.BlockGrad[i] = blocks[i].grad
	}
	ins := w.sc.Inputs()
	res.Sens = make([]Sensitivity, len(ins))
	for j, in := range ins {
		g := 0.0
		for i := range blocks {
			g += blocks[i].grad[j]
		}
		res.Sens[j] = Sensitivity{Quote: in.Quote, Value: g / float64(n),
			StdError: batchStdError(blocks, func(b *block) float64 { return b.grad[j] }, n)}
	}
	if _, ok := w.sc.Shift(); ok {
		j := len(ins)
		g := 0.0
		for i := range blocks {
			g += blocks[i].grad[j]
		}
		res.Theta, res.HasTheta = g/float64(n), true
		res.ThetaStdError = batchStdError(blocks, func(b *block) float64 { return b.grad[j] }, n)
	}
	res.Floored = slices.Clone(w.floored)
	return res
}

// batchStdError is the standard error of the mean of the per-path figure
// whose block sums sum gives, from the spread of the block means (batch
// means): with block b of n_b paths and mean m_b, overall mean m,
// SE² = B/(B−1)·Σ_b (n_b/N)²·(m_b − m)².
func batchStdError(blocks []block, sum func(*block) float64, n int) float64 {
	total := 0.0
	for i := range blocks {
		total += sum(&blocks[i])
	}
	m := total / float64(n)
	var s float64
	nb := 0
	for i := range blocks {
		b := &blocks[i]
		if b.n == 0 {
			continue
		}
		nb++
		f := float64(b.n) / float64(n)
		d := sum(b)/float64(b.n) - m
		s += f * f * d * d
	}
	if nb < 2 {
		return 0
	}
	return math.Sqrt(s * float64(nb) / float64(nb-1))
}

// BatchStdError returns the batch-means standard error of the mean
// Σ sums / Σ paths of a per-path figure, from its per-block sums (sums[b]
// over the paths[b] paths of block b, as Result.BlockPaths gives them): with
// B non-empty blocks, N paths, block means m_b and overall mean m,
// SE² = B/(B−1)·Σ_b (n_b/N)²·(m_b − m)². It is 0 with fewer than two
// non-empty blocks. The figure may be any linear combination of the
// figures of runs with common random numbers (the same blocks): an AAD
// derivative minus a difference quotient of bumped values, block by block,
// gives the standard error of their difference. It panics if the slices'
// lengths differ.
func BatchStdError(paths []int, sums []float64) float64 {
	if len(paths) != len(sums) {
		panic("montecarlo: BatchStdError of slices of different lengths")
	}
	blocks := make([]block, len(paths))
	n := 0
	for i := range blocks {
		blocks[i].n, blocks[i].sum = paths[i], sums[i]
		n += paths[i]
	}
	if n == 0 {
		return 0
	}
	return batchStdError(blocks, func(b *block) float64 { return b.sum }, n)
}

// worker is one goroutine's state: its tape, scopes, model copies and
// buffers, reused from run to run.
type worker struct {
	tape    *aad.Tape
	sc, ref *marketdata.Scope

	bs     bsModel
	heston hestonModel
	lv     lvModel
	m      model

	path    Path
	times   []float64
	tt      []aad.Number
	z, u    []float64
	v, bv   []float64
	pcg     rand.PCG
	rng     *rand.Rand
	sobol   *Sobol
	bridge  *Bridge
	floored []FlooredNode
}

// setup records pr's set-up on the worker's tape (nil when passive) and
// returns the mark the paths rewind to.
func (w *worker) setup(pr *Problem, bump marketdata.Bump, tp *aad.Tape) (aad.Mark, error) {
	tp.Reset()
	w.sc.ResetBumped(tp, bump)
	w.ref.Reset(nil)
	grid, dates := Grid(w.times[min(1, len(w.times)):], w.path.dates, pr.Dates, pr.Steps)
	w.times = append(w.times[:0], 0)
	w.times = append(w.times, grid...)
	w.path.dates = dates
	n := len(w.times) - 1
	w.tt = grow(w.tt, n+1)
	w.tt[0] = aad.Const(0)
	for i := 1; i <= n; i++ {
		w.tt[i] = w.sc.Time(w.times[i])
	}
	p := &w.path
	p.times = w.times
	p.s = grow(p.s, len(pr.Underlyings))
	p.ls, p.logged = grow(p.ls, len(pr.Underlyings)), grow(p.logged, len(pr.Underlyings))
	for a := range p.s {
		p.s[a], p.ls[a] = grow(p.s[a], n+1), grow(p.ls[a], n+1)
	}
	p.df = grow(p.df, n+1)
	p.df[0] = aad.Const(1)
	switch pr.Model {
	case BlackScholes:
		w.m = &w.bs
	case Heston:
		w.m = &w.heston
	case LocalVol:
		w.m = &w.lv
	}
	p.m = w.m
	w.floored = w.floored[:0]
	c := setupContext{pr: pr, sc: w.sc, ref: w.ref, times: w.times, tt: w.tt, path: p, floored: &w.floored}
	if err := w.m.setup(&c); err != nil {
		return aad.Mark{}, err
	}
	return tp.Mark(), nil
}

// run sets up pr and prices the blocks it claims until none is left.
func (w *worker) run(ctx context.Context, pr *Problem, set Settings, bump marketdata.Bump, blocks []block, units int, next *atomic.Int64) error {
	var tp *aad.Tape
	if set.Greeks {
		tp = w.tape
	}
	mark, err := w.setup(pr, bump, tp)
	if err != nil {
		return err
	}
	n, f := len(w.times)-1, w.m.factors()
	dims := n * f
	w.z, w.u, w.v, w.bv = grow(w.z, dims), grow(w.u, dims), grow(w.v, n), grow(w.bv, n)
	if w.rng == nil {
		w.rng = rand.New(&w.pcg)
	}
	if set.Sequence == SobolBridge {
		if w.sobol == nil || w.sobol.Dims() != dims {
			if w.sobol, err = NewSobol(dims); err != nil {
				return fmt.Errorf("montecarlo: %d steps × %d factors: %w", n, f, err)
			}
		}
		if w.bridge, err = NewBridge(w.times[1:]); err != nil {
			return err
		}
	}
	ninputs := len(w.sc.Inputs()) + 1
	nb := len(blocks)
	for {
		b := int(next.Add(1)) - 1
		if b >= nb {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		blk := &blocks[b]
		if set.Greeks {
			blk.grad = make([]float64, ninputs)
		}
		if err := w.block(ctx, pr, set, tp, mark, b, units*b/nb, units*(b+1)/nb, blk); err != nil {
			return err
		}
		if set.Progress != nil {
			set.Progress.Add(int64(blk.n))
		}
	}
}

// blockSeed derives the second PCG seed of block b, so that blocks draw
// from unrelated streams of one seed (splitmix64's finaliser).
func blockSeed(b int) uint64 {
	x := uint64(b) + 0x9E3779B97F4A7C15
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	return x ^ x>>31
}

// block prices the units [lo, hi) of block b into blk.
func (w *worker) block(ctx context.Context, pr *Problem, set Settings, tp *aad.Tape, mark aad.Mark, b, lo, hi int, blk *block) error {
	w.pcg.Seed(set.Seed, blockSeed(b))
	if set.Sequence == SobolBridge {
		w.sobol.Reset(w.rng)
	}
	z := w.z
	for u := lo; u < hi; u++ {
		if (u-lo)&255 == 255 && ctx.Err() != nil {
			return ctx.Err()
		}
		w.normals(set.Sequence)
		y := w.path1(pr, tp, mark, z, blk)
		if set.Antithetic {
			for i := range z {
				z[i] = -z[i]
			}
			y = 0.5 * (y + w.path1(pr, tp, mark, z, blk))
		}
		// Welford's update of the block's units.
		blk.units++
		d := y - blk.mean
		blk.mean += d / float64(blk.units)
		blk.m2 += d * (y - blk.mean)
	}
	if tp == nil {
		return nil
	}
	w.m.flush(tp)
	tp.BackwardFromMark(mark)
	for j, in := range w.sc.Inputs() {
		blk.grad[j] = tp.Adjoint(in.X)
	}
	if h, ok := w.sc.Shift(); ok {
		blk.grad[len(blk.grad)-1] = tp.Adjoint(h)
	}
	tp.ClearAdjoints()
	return nil
}

// normals fills w.z with one path's normals.
func (w *worker) normals(seq Sequence) {
	z := w.z
	if seq == PseudoRandom {
		Normals(&w.pcg, z)
		return
	}
	// Sobol' coordinates by importance: coordinate j·F + f is the j-th
	// bridge point of factor f, so the first coordinates, the most uniform,
	// draw every factor's terminal value.
	w.sobol.NextNormals(w.u)
	n := len(w.times) - 1
	f := len(z) / n
	for k := range f {
		for j := range n {
			w.v[j] = w.u[j*f+k]
		}
		w.bridge.Normals(w.bv, w.v)
		for i := range n {
			z[i*f+k] = w.bv[i]
		}
	}
}

// path1 records one path, sweeps it back to the mark and returns its
// value.
func (w *worker) path1(pr *Problem, tp *aad.Tape, mark aad.Mark, z []float64, blk *block) float64 {
	tp.RewindToMark(mark)
	var s0 aad.Stats
	first := tp != nil && blk.n == 0
	if first {
		s0 = tp.Stats()
	}
	clear(w.path.logged)
	w.m.simulate(tp, z, &w.path)
	y := pr.Payoff.Value(tp, &w.path)
	if first {
		s := tp.Stats()
		blk.statements, blk.bytes = s.Statements-s0.Statements, s.BytesUsed-s0.BytesUsed
	}
	blk.n++
	blk.sum += y.Value()
	if tp != nil && y.Active() {
		tp.SetAdjoint(y, tp.Adjoint(y)+1)
		tp.BackwardToMark(mark)
		w.m.adjoint(tp, z, &w.path)
	}
	return y.Value()
}
