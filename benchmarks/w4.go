package benchmarks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/fastmath"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing"
)

// W4Paths is the number of paths of W4, and W4Expiries × W4Strikes the
// nodes of its implied-vol surface.
const (
	W4Paths    = 100_000
	W4Expiries = 30
	W4Strikes  = 40
)

// W4Vol is the implied vol of W4's surface at expiry t (years) and strike
// k, for a spot s: a skew that flattens with time and a smile,
// σ = 0.2 − 0.1·ln(K/S)/√(T+0.25) + 0.05·ln(K/S)².
func W4Vol(t, k, s float64) float64 {
	y := math.Log(k / s)
	return 0.2 - 0.1*y/math.Sqrt(t+0.25) + 0.05*y*y
}

// w4Market returns W4's market: spot 100, flat rate and dividend yield, and
// the W4Expiries × W4Strikes surface of W4Vol.
func w4Market() (*marketdata.Market, error) {
	const spot = 100
	qs := []marketdata.Quote{
		{Kind: marketdata.Spot, Name: "A", Value: spot},
		{Kind: marketdata.Rate, Name: "USD", Pillar: "1Y", Value: 0.03},
		{Kind: marketdata.DivYield, Name: "A", Pillar: "1Y", Value: 0.01},
	}
	for e := range W4Expiries {
		days := math.Round(365 * (1.0/12 + (3-1.0/12)*float64(e)/(W4Expiries-1)))
		t := days / 365
		for k := range W4Strikes {
			K := spot * (0.5 + 1.1*float64(k)/(W4Strikes-1))
			ks := strconv.FormatFloat(K, 'f', 4, 64)
			K, _ = strconv.ParseFloat(ks, 64)
			qs = append(qs, marketdata.Quote{Kind: marketdata.Vol, Name: "A", Pillar: fmt.Sprintf("%dD", int(days)), Strike: ks, Value: W4Vol(t, K, spot)})
		}
	}
	return marketdata.New(MCAsOf, qs)
}

// W4 returns workload W4 with the given number of paths (W4Paths in the
// benchmark): an up-and-out call, spot 100, strike 100, barrier 160,
// three years, under Dupire local volatility, 156 weekly steps. The
// barrier is monitored continuously by the Brownian-bridge survival
// probability of each step (pricing's barrier payoff). The vol surface has
// W4Expiries expiries from 1M to 3Y by W4Strikes strikes from 50% to 160%
// of the spot (W4Vol); its 1,200 nodes, the spot, the rate and the
// dividend yield are the inputs, with theta.
func W4(paths int) (*MCWorkload, error) {
	m, err := w4Market()
	if err != nil {
		return nil, err
	}
	b, err := pricing.NewBarrier(pricing.Option{Asset: "A", Ccy: "USD", Type: pricing.Call, Strike: 100, Expiry: 3}, pricing.UpOut, 160, 0)
	return newMCWorkload(m, b, err, pricing.MCSettings{Model: montecarlo.LocalVol, Steps: 156}, paths, 13)
}

// The local-vol grid and the Dupire evaluation of package montecarlo
// (localvol.go, dupire.go), which the plain twin of W4 mirrors: lvNodes
// spots equally spaced in log-spot over ±lvWidth standard deviations (at
// least ±lvMinWidth), and no evaluation before dupireMinTime. The tests
// check that the twin's price is the engine's.
const (
	lvNodes       = 60
	lvWidth       = 5.0
	lvMinWidth    = 0.25
	dupireMinTime = 1e-6
	bridgeCutoff  = 40 // pricing's: a hit probability e^{−x} with x beyond it is 0
)

// LocalVolBarrierPlain is the plain float64 twin of W4 (a single-barrier
// knock-out call or put without rebate under the local-vol model): the
// engine's local-vol grid and Dupire local vols computed in float64 from
// passive reads of the total variance, then the same log-Euler steps,
// random numbers and Brownian-bridge survival weights as the engine and
// pricing's barrier payoff, price only, with no AAD type in its path loop.
type LocalVolBarrierPlain struct {
	w        *MCWorkload
	sc, ref  *marketdata.Scope
	times    []float64
	n        int
	lv       plainLocalVol
	carry    []float64
	g        []float64 // local vol at step i's start and node m: g[(i−1)·lvNodes+m]
	dt, sq   []float64
	x0, dx   float64
	s0, df   float64
	pcg      rand.PCG
	strike   float64
	sign     float64
	lnB, dir float64
}

// NewLocalVolBarrierPlain returns the plain twin of w, whose trade must be
// a knock-out barrier option without rebate under the local-vol model.
func NewLocalVolBarrierPlain(w *MCWorkload) (*LocalVolBarrierPlain, error) {
	tr, ok := w.Trade.(*pricing.Barrier)
	pr := w.Problem
	if !ok || tr.BarrierKind.In() || tr.Rebate != 0 || pr.Model != montecarlo.LocalVol {
		return nil, fmt.Errorf("not a knock-out barrier option without rebate under the local-vol model")
	}
	grid, _ := montecarlo.Grid(nil, nil, pr.Dates, pr.Steps)
	n := len(grid)
	p := &LocalVolBarrierPlain{
		w: w, sc: w.Market.NewScope(), ref: w.Market.NewScope(), times: append([]float64{0}, grid...), n: n,
		dt: make([]float64, n+1), sq: make([]float64, n+1),
		strike: tr.Strike, sign: 1, lnB: math.Log(tr.Level), dir: 1,
	}
	if tr.Type == pricing.Put {
		p.sign = -1
	}
	if tr.BarrierKind.Down() {
		p.dir = -1
	}
	return p, nil
}

// setup computes the carry of every step, the grid and the local vols, as
// the engine's set-up does.
func (p *LocalVolBarrierPlain) setup() error {
	p.sc.Reset(nil)
	p.ref.Reset(nil)
	pr := p.w.Problem
	n, times := p.n, p.times
	for i := 1; i <= n; i++ {
		p.dt[i] = times[i] - times[i-1]
		p.sq[i] = math.Sqrt(p.dt[i])
	}
	if err := p.lv.setup(p.sc, p.ref, pr.Underlyings[0], pr.Currency, times, times, p.dt); err != nil {
		return err
	}
	p.s0, p.df, p.carry, p.g, p.x0, p.dx = p.lv.s0, p.lv.df, p.lv.carry, p.lv.g, p.lv.x0, p.lv.dx
	return nil
}

// plainLocalVol is montecarlo.LocalVolGrid in float64, from passive reads
// of the market: what the plain twins of W4 and W8 read the local vol
// from. It keeps its slices from one set-up to the next.
type plainLocalVol struct {
	carry []float64 // the log-forward increment of step i: carry[i−1]
	g     []float64 // the local vol of step i at node k: g[(i−1)·lvNodes+k]
	ks    []float64
	tv    []marketdata.TotalVariance // the total variance at two times and every node
	x0    float64                    // log-spot of node 0
	dx    float64                    // the nodes' spacing
	s0    float64                    // the spot
	df    float64                    // the discount factor to the horizon
}

// setup computes the carry of every step of times (from 0 to the
// horizon), the grid and the local vols of underlying name, whose drift is
// the rate of ccy less its dividend yield, as the engine's set-up does:
// the market read at the times tt, each step dt[i] long (tt[0] and dt[0]
// not read), and the grid placed by ref.
func (p *plainLocalVol) setup(sc, ref *marketdata.Scope, name, ccy string, times, tt, dt []float64) error {
	n := len(times) - 1
	p.carry, p.g = growF(p.carry, n), growF(p.g, n*lvNodes)
	p.ks = growF(p.ks, lvNodes)
	if len(p.tv) != 2*lvNodes {
		p.tv = make([]marketdata.TotalVariance, 2*lvNodes)
	}
	sp, err := sc.Spot(name)
	if err != nil {
		return err
	}
	p.s0 = sp.Value()
	prev := 0.0
	for i := 1; i <= n; i++ {
		t := tt[i]
		zr, err := sc.ZeroRate(ccy, aad.Const(t))
		if err != nil {
			return err
		}
		zq, err := sc.DivYield(name, aad.Const(t))
		if err != nil {
			return err
		}
		lr := zr.Value() * t
		cur := lr - zq.Value()*t
		p.carry[i-1] = cur - prev
		prev = cur
		p.df = fastmath.Exp(-lr)
	}
	rs, err := ref.Spot(name)
	if err != nil {
		return err
	}
	T := times[n]
	atm, err := ref.Vol(name, aad.Const(T), rs.Value())
	if err != nil {
		return err
	}
	half := max(lvWidth*atm.Value()*math.Sqrt(T), lvMinWidth)
	p.dx = 2 * half / (lvNodes - 1)
	p.x0 = math.Log(rs.Value()) - half
	for k := range p.ks {
		p.ks[k] = math.Exp(p.x0 + float64(k)*p.dx)
	}
	// Dupire's local vol at each step's start, with the time slope of the
	// total variance taken over the step, as the engine reads it (through
	// a VarianceGrid, whose values are TotalVariance's).
	tv0, tv1 := p.tv[:lvNodes], p.tv[lvNodes:]
	vg, err := sc.NewVarianceGrid(name, p.ks)
	if err != nil {
		return err
	}
	if _, err := vg.At(tv0, aad.Const(dupireMinTime)); err != nil {
		return err
	}
	cum := 0.0 // ∫(r − q) to the step's start
	for i := 1; i <= n; i++ {
		fwd := p.s0 * fastmath.Exp(cum)
		dti := dt[i]
		mu := p.carry[i-1] / dti
		g := p.g[(i-1)*lvNodes : i*lvNodes]
		if _, err := vg.At(tv1, aad.Const(tt[i])); err != nil {
			return err
		}
		for k, K := range p.ks {
			wt := (tv1[k].W.Value() - tv0[k].W.Value()) / dti
			g[k] = dupireNode(tv0[k].W.Value(), tv0[k].DK.Value(), tv0[k].DKK.Value(), wt, K, fwd, mu)
		}
		tv0, tv1 = tv1, tv0
		cum += p.carry[i-1]
	}
	return nil
}

// growF returns s resized to n, reusing its memory when it is large enough.
func growF(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// dupireNode is the engine's Dupire local vol of one node (montecarlo's
// dupireNode) in float64: from the total variance w at strike K, its
// strike derivatives wk and wkk and its time slope wt, the forward F and
// the drift m, with the denominator at least DupireMinDenominator and the
// local variance at least LocalVarFloor.
func dupireNode(w, wk, wkk, wt, K, F, m float64) float64 {
	y := math.Log(K / F)
	x := K * wk
	z := K*K*wkk + x
	iw := 1 / w
	yw := y * iw
	c := -0.25 - iw + yw*yw
	den := 1 - yw*x + 0.25*c*x*x + 0.5*z
	v := (wt + m*x) / max(den, montecarlo.DupireMinDenominator)
	if !(v >= montecarlo.LocalVarFloor) || math.IsInf(v, 0) {
		return math.Sqrt(montecarlo.LocalVarFloor)
	}
	return math.Sqrt(v)
}

// localVol is the engine's interpolation of the local vol at log-spot lx
// from the nodes g of one step (x0 the log-spot of node 0, dx the
// spacing): Catmull–Rom cubics, the missing outer node at either end taken
// as the end node again, flat beyond the grid.
func localVol(g []float64, lx, x0, dx float64) float64 {
	g = g[:lvNodes]
	u := (lx - x0) / dx
	if !(u > 0) {
		return g[0]
	}
	if u >= lvNodes-1 {
		return g[lvNodes-1]
	}
	k := int(u)
	f := u - float64(k)
	f2, f3 := f*f, f*f*f
	w0, w1 := 0.5*(-f3+2*f2-f), 0.5*(3*f3-5*f2+2)
	w2, w3 := 0.5*(-3*f3+4*f2+f), 0.5*(f3-f2)
	switch {
	case k == 0:
		return (w0+w1)*g[0] + w2*g[1] + w3*g[2]
	case k+2 > lvNodes-1:
		return w0*g[k-1] + w1*g[k] + (w2+w3)*g[k+1]
	}
	return w0*g[k-1] + w1*g[k] + w2*g[k+1] + w3*g[k+2]
}

// Price returns the price: the set-up from the market, then every path.
// It does the engine's arithmetic in the engine's order (the distance to
// the barrier from the log-spot the steps track, as pricing's payoff takes
// it from the path), so the prices agree bit for bit where the compiler
// fuses no multiply-adds; the test allows for rounding elsewhere.
func (p *LocalVolBarrierPlain) Price() (float64, error) {
	if err := p.setup(); err != nil {
		return 0, err
	}
	n := p.n
	carry, g, dt, sq := p.carry[:n], p.g[:n*lvNodes], p.dt[:n+1], p.sq[:n+1]
	pcg, x0, dx, s0 := &p.pcg, p.x0, p.dx, p.s0
	lnB, dir, K, sign, df := p.lnB, p.dir, p.strike, p.sign, p.df
	lx0 := fastmath.Log(s0)
	path := func() float64 {
		x, lx := s0, lx0
		surv := 1.0
		da := dir * (lnB - lx) // distance to the barrier in log at the step's start
		for i := 1; i <= n; i++ {
			sig := localVol(g[(i-1)*lvNodes:i*lvNodes], lx, x0, dx)
			inc := carry[i-1] - 0.5*sig*sig*dt[i] + sig*sq[i]*montecarlo.Normal(pcg)
			x *= fastmath.Exp(inc)
			lx += inc
			db := dir * (lnB - lx)
			if db <= 0 {
				// Knocked out: the rest of the path's normals are drawn
				// all the same, as the engine draws them.
				for range n - i {
					montecarlo.Normal(pcg)
				}
				return 0
			}
			if v := sig * sig * dt[i]; v != 0 {
				if e := 2 * da * db / v; e <= bridgeCutoff {
					surv *= 1 - math.Exp(-e)
				}
			}
			da = db
		}
		return max((x-K)*sign, 0) * df * surv
	}
	return mcPlainRun(p.w.Settings, pcg, path), nil
}
