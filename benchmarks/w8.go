package benchmarks

import (
	"errors"
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing"
	"github.com/aadrisk/aadrisk/pricing/pde"
)

// W8Spots and W8Steps are the grid of W8.
const (
	W8Spots = 200
	W8Steps = 400
)

// The pde engine's constants that W8's plain twin mirrors: the grid's
// half-width in standard deviations beyond the spot and the strike, and
// its least width (pricing's pdeWidth).
const (
	pdeWidth    = 5.0
	pdeMinWidth = 1e-3
)

// W8Workload is workload W8: an American put, spot 100, strike 100, three
// years, under Dupire local volatility from W4's 30 × 40 surface (the Monte
// Carlo engine's local-vol grid at its default 52 steps a year), solved by
// the pde engine on W8Spots × W8Steps with early exercise at every step;
// its inputs are the 1,200 vol nodes, the spot, the rate and the dividend
// yield, with theta.
type W8Workload struct {
	Market *marketdata.Market
	Trade  *pricing.American
	Engine *pricing.PDEEngine
	sc     *marketdata.Scope
}

// W8 returns workload W8.
func W8() (*W8Workload, error) {
	m, err := w4Market()
	if err != nil {
		return nil, err
	}
	tr, err := pricing.NewAmerican(pricing.Option{Asset: "A", Ccy: "USD", Type: pricing.Put, Strike: 100, Expiry: 3})
	if err != nil {
		return nil, err
	}
	e, err := pricing.NewPDEEngine(pricing.PDESettings{Model: montecarlo.LocalVol, Spots: W8Spots, Steps: W8Steps})
	if err != nil {
		return nil, err
	}
	return &W8Workload{Market: m, Trade: tr, Engine: e, sc: m.NewScope()}, nil
}

// AAD records the engine's solve on tp (reset first), with every quote it
// reads an input and the valuation time shifted, and sweeps once. It
// returns the price, the inputs (valid until the next run) with their
// adjoints in grad (reused if it has room), and theta.
func (w *W8Workload) AAD(tp *aad.Tape, grad []float64) (pv float64, inputs []marketdata.Input, g []float64, theta float64, err error) {
	tp.Reset()
	w.sc.Reset(tp)
	v, err := w.Engine.Value(w.sc, w.Market, pricing.PDEDefaults{}, w.Trade)
	if err != nil {
		return 0, nil, nil, 0, err
	}
	tp.SetAdjoint(v, 1)
	tp.Backward()
	inputs = w.sc.Inputs()
	g = growF(grad, len(inputs))
	for i, in := range inputs {
		g[i] = tp.Adjoint(in.X)
	}
	if h, ok := w.sc.Shift(); ok {
		theta = tp.Adjoint(h)
	}
	return v.Value(), inputs, g, theta, nil
}

// Passive returns the engine's price with bump b, recording nothing.
func (w *W8Workload) Passive(b marketdata.Bump) (float64, error) {
	w.sc.ResetBumped(nil, b)
	v, err := w.Engine.Value(w.sc, w.Market, pricing.PDEDefaults{}, w.Trade)
	return v.Value(), err
}

// Bump returns the price and the one-sided bump-and-revalue sensitivities
// to quotes (BumpSize each), and theta (ThetaBump) if theta: a passive
// solve per figure.
func (w *W8Workload) Bump(quotes []int, theta bool) (pv float64, sens []float64, th float64, err error) {
	if pv, err = w.Passive(noBump); err != nil {
		return 0, nil, 0, err
	}
	sens = make([]float64, len(quotes))
	for j, q := range quotes {
		h := BumpSize(w.Market.Value(q))
		up, err := w.Passive(marketdata.Bump{Quote: q, By: h})
		if err != nil {
			return 0, nil, 0, err
		}
		sens[j] = (up - pv) / h
	}
	if theta {
		up, err := w.Passive(marketdata.Bump{Quote: -1, Time: ThetaBump})
		if err != nil {
			return 0, nil, 0, err
		}
		th = (up - pv) / ThetaBump
	}
	return pv, sens, th, nil
}

// W8Plain is the plain float64 twin of W8: the engine's grid, intervals,
// rates, dividends and local vols computed in float64 from passive reads
// of the market, then the same time steps (package pde's, which are
// float64), price only.
type W8Plain struct {
	w       *W8Workload
	sc, ref *marketdata.Scope
	lv      plainLocalVol
	// The solve of the last Price, and its parameters' values in the
	// engine's order: rates, dividend yields, local vols, the remaining
	// time (pde.Solve).
	Solve  *pde.Solve
	Params []float64
	// Payoff is the solve's initial state, and J0 and W the stencil of the
	// value at the spot.
	Payoff []float64
	J0     int
	W      [4]float64
	a, b   []float64
}

// NewW8Plain returns the plain twin of w.
func NewW8Plain(w *W8Workload) *W8Plain {
	return &W8Plain{w: w, sc: w.Market.NewScope(), ref: w.Market.NewScope()}
}

// setup builds the solve as the engine does (pricing's pdeProduct.solve
// and localVol), in the engine's arithmetic.
func (p *W8Plain) setup() error {
	p.sc.Reset(nil)
	p.ref.Reset(nil)
	o := p.w.Trade.Option
	T := o.Expiry
	s0, err := p.sc.Spot(o.Asset)
	if err != nil {
		return err
	}
	read := func(sc *marketdata.Scope, t float64) (r, q float64, err error) {
		zr, err := sc.ZeroRate(o.Ccy, aad.Const(t))
		if err != nil {
			return 0, 0, err
		}
		dy, err := sc.DivYield(o.Asset, aad.Const(t))
		return zr.Value(), dy.Value(), err
	}
	r0, q0, err := read(p.ref, T)
	if err != nil {
		return err
	}
	vol, err := p.ref.Vol(o.Asset, aad.Const(T), o.Strike)
	if err != nil {
		return err
	}
	width := max(pdeWidth*vol.Value()*math.Sqrt(T)+math.Abs(r0-q0)*T, pdeMinWidth)
	x, err := pde.Layout{Spot: s0.Value(), Strike: o.Strike, Width: width, Nodes: W8Spots}.Place()
	if err != nil {
		return err
	}
	g, err := pde.NewGrid(x)
	if err != nil {
		return err
	}
	iv := pde.TimeSteps(nil, T, W8Steps)
	m, n := len(iv), len(x)
	sol := &pde.Solve{Grid: g, Intervals: iv, R: make([]float64, m), Q: make([]float64, m)}
	var prevR, prevQ float64
	for i, in := range iv {
		tau := T * (in.To / T)
		zr, dy, err := read(p.sc, tau)
		if err != nil {
			return err
		}
		cr, cq := zr*tau, dy*tau
		sol.R[i], sol.Q[i] = cr-prevR, cq-prevQ
		prevR, prevQ = cr, cq
	}
	times, _ := montecarlo.Grid(nil, nil, []float64{T}, int(math.Ceil(pricing.DefaultStepsPerYear*T-1e-9)))
	times = append([]float64{0}, times...)
	tt, dt := make([]float64, len(times)), make([]float64, len(times))
	for i := 1; i < len(times); i++ {
		tt[i] = T * (times[i] / T)
		dt[i] = tt[i] - tt[i-1]
	}
	if err := p.lv.setup(p.sc, p.ref, o.Asset, o.Ccy, times, tt, dt); err != nil {
		return err
	}
	grid := montecarlo.LocalVolGrid{X0: p.lv.x0, DX: p.lv.dx}
	loc := &pde.Local{Vol: p.lv.g, Nodes: lvNodes, J: make([]int, n), W: make([][4]float64, n),
		Pieces: pde.SlicePieces(nil, iv, times), Tau: T}
	for j, xj := range x {
		loc.J[j], loc.W[j] = grid.Weights(xj)
	}
	sol.Local = loc
	p.Payoff = growF(p.Payoff, n)
	for j, xj := range x {
		p.Payoff[j] = max(o.Strike-math.Exp(xj), 0)
	}
	sol.Lower, sol.Upper, sol.Exercise = p.Payoff[0], p.Payoff[n-1], p.Payoff
	p.J0, p.W, _, _ = g.Stencil(math.Log(s0.Value()))
	p.Solve = sol
	p.Params = append(append(append(append(p.Params[:0], sol.R...), sol.Q...), loc.Vol...), loc.Tau)
	return nil
}

// Price returns the price: the set-up from the market, then every step.
func (p *W8Plain) Price() (float64, error) {
	if err := p.setup(); err != nil {
		return 0, err
	}
	n := len(p.Payoff)
	p.a, p.b = growF(p.a, n), growF(p.b, n)
	cur, next := p.a, p.b
	copy(cur, p.Payoff)
	for k := range p.Solve.Len() {
		p.Solve.Step(k, cur, next)
		cur, next = next, cur
	}
	v := 0.0
	for i, w := range p.W {
		v += w * cur[p.J0+i]
	}
	return v, nil
}

// TapedSteps records the solve of the last Price step by step on tp, every
// arithmetic operation a statement, from its parameters params (as
// Params), and returns the final state: the sweep of W8 taped whole, with
// no checkpointing, which W8's memory/full compares against.
func (p *W8Plain) TapedSteps(tp *aad.Tape, params []aad.Number) ([]aad.Number, error) {
	s := p.Solve
	if s == nil || len(params) != len(p.Params) {
		return nil, errors.New("benchmarks: TapedSteps needs the parameters of a priced W8Plain")
	}
	x, l := s.Grid.X, s.Local
	n, m := len(x), s.Len()
	// three-point differences on the non-uniform grid, as pde.NewGrid's
	d1, d2 := make([][3]float64, n), make([][3]float64, n)
	for j := 1; j < n-1; j++ {
		hm, hp := x[j]-x[j-1], x[j+1]-x[j]
		d1[j] = [3]float64{-hp / (hm * (hm + hp)), (hp - hm) / (hm * hp), hm / (hp * (hm + hp))}
		d2[j] = [3]float64{2 / (hm * (hm + hp)), -2 / (hm * hp), 2 / (hp * (hm + hp))}
	}
	vol, tau := params[2*m:2*m+len(l.Vol)], params[len(params)-1]
	old := make([]aad.Number, n)
	for j := range old {
		old[j] = aad.Const(p.Payoff[j])
	}
	v := make([]aad.Number, n)
	a, b, c, r := make([]aad.Number, n), make([]aad.Number, n), make([]aad.Number, n), make([]aad.Number, n)
	cp, dp := make([]aad.Number, n), make([]aad.Number, n)
	for k := range m {
		i := m - 1 - k
		th := s.Intervals[i].Theta
		R, Q := params[i], params[m+i]
		for j := range v {
			v[j] = aad.Number{}
		}
		for _, pc := range l.Pieces[i] {
			dt := tp.MulConst(tau, pc.Frac)
			g := vol[pc.Slice*l.Nodes:]
			for j := range n {
				w, k0 := &l.W[j], l.J[j]
				sig := tp.Add(tp.Add(tp.MulConst(g[k0], w[0]), tp.MulConst(g[k0+1], w[1])), tp.Add(tp.MulConst(g[k0+2], w[2]), tp.MulConst(g[k0+3], w[3])))
				v[j] = tp.Add(v[j], tp.Mul(tp.Square(sig), dt))
			}
		}
		// The system in solving order: reversed for a put (exercise at the
		// bottom, where the back substitution ends up starting).
		for pos := range n {
			j := n - 1 - pos
			switch j {
			case 0:
				a[pos], b[pos], c[pos], r[pos] = aad.Const(0), aad.Const(1), aad.Const(0), aad.Const(s.Lower)
			case n - 1:
				a[pos], b[pos], c[pos], r[pos] = aad.Const(0), aad.Const(1), aad.Const(0), aad.Const(s.Upper)
			default:
				hv := tp.MulConst(v[j], 0.5)
				mu := tp.Sub(tp.Sub(R, Q), hv)
				lo := tp.Add(tp.MulConst(hv, d2[j][0]), tp.MulConst(mu, d1[j][0]))
				di := tp.Sub(tp.Add(tp.MulConst(hv, d2[j][1]), tp.MulConst(mu, d1[j][1])), R)
				up := tp.Add(tp.MulConst(hv, d2[j][2]), tp.MulConst(mu, d1[j][2]))
				op := tp.Add(tp.Add(tp.Mul(lo, old[j-1]), tp.Mul(di, old[j])), tp.Mul(up, old[j+1]))
				r[pos] = tp.Add(old[j], tp.MulConst(op, 1-th))
				a[pos], b[pos], c[pos] = tp.MulConst(up, -th), tp.ConstSub(1, tp.MulConst(di, th)), tp.MulConst(lo, -th)
			}
		}
		cp[0], dp[0] = tp.Div(c[0], b[0]), tp.Div(r[0], b[0])
		for pos := 1; pos < n; pos++ {
			mi := tp.Sub(b[pos], tp.Mul(a[pos], cp[pos-1]))
			cp[pos] = tp.Div(c[pos], mi)
			dp[pos] = tp.Div(tp.Sub(r[pos], tp.Mul(a[pos], dp[pos-1])), mi)
		}
		out := make([]aad.Number, n)
		var nxt aad.Number
		for pos := n - 1; pos >= 0; pos-- {
			val := dp[pos]
			if pos < n-1 {
				val = tp.Sub(val, tp.Mul(cp[pos], nxt))
			}
			j := n - 1 - pos
			if ex := s.Exercise[j]; val.Value() < ex {
				val = aad.Const(ex)
			}
			out[j], nxt = val, val
		}
		old = out
	}
	return old, nil
}

// W8Memory returns the tape bytes of W8's recording as the engine makes it,
// checkpointed (ck, the Stats of the engine's tape after an AAD run), and of
// the same recording with its solve taped whole: the engine's bytes less
// those of its checkpointed segment, plus those of the solve's steps taped
// by TapedSteps. Both segments are measured on tapes of their own, from the
// parameters of p's last Price, each with the read of the value at the spot
// and a sweep.
func W8Memory(ck aad.Stats, p *W8Plain) (checkpointed, whole int, seg aad.Stats, err error) {
	if p.Solve == nil {
		return 0, 0, aad.Stats{}, errors.New("benchmarks: W8Memory needs a priced W8Plain")
	}
	measure := func(record func(tp *aad.Tape, params []aad.Number) ([]aad.Number, error)) (int, aad.Stats, error) {
		tp := aad.NewTape(0)
		params := tp.Vars(nil, p.Params...)
		before := tp.Stats().BytesUsed
		final, err := record(tp, params)
		if err != nil {
			return 0, aad.Stats{}, err
		}
		j := p.J0
		v := tp.Custom(p.W[0]*final[j].Value()+p.W[1]*final[j+1].Value()+p.W[2]*final[j+2].Value()+p.W[3]*final[j+3].Value(), final[j:j+4], p.W[:])
		tp.SetAdjoint(v, 1)
		tp.Backward()
		st := tp.Stats()
		return st.BytesUsed - before, st, nil
	}
	init := make([]aad.Number, len(p.Payoff))
	for j := range init {
		init[j] = aad.Const(p.Payoff[j])
	}
	ckBytes, seg, err := measure(func(tp *aad.Tape, params []aad.Number) ([]aad.Number, error) {
		return tp.Checkpoint(nil, init, params, p.Solve.Len(), p.Solve, pricing.PDESnapshots(W8Spots, p.Solve.Len())), nil
	})
	if err != nil {
		return 0, 0, seg, err
	}
	wholeBytes, _, err := measure(p.TapedSteps)
	if err != nil {
		return 0, 0, seg, err
	}
	return ck.BytesUsed, ck.BytesUsed - ckBytes + wholeBytes, seg, nil
}
