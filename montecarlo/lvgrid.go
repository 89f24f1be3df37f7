package montecarlo

import (
	"errors"
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
)

// LocalVolNodes is the number of spots of a LocalVolGrid.
const LocalVolNodes = lvNodes

// LocalVolGrid is Dupire's local volatility of one underlying as the
// local-vol model reads it: at LocalVolNodes spots equally spaced in
// log-spot around the spot, placed with the market as read (see lvNodes),
// over each step of a time grid, at the step's start with the time slope of
// total variance taken over the step. Between the nodes it is interpolated
// by Catmull–Rom cubics in log-spot (Weights) and held flat beyond them.
// The pde engine solves on the same grid, so that the two engines price
// one surface.
type LocalVolGrid struct {
	// X0 is the log-spot of node 0, and DX the spacing of the nodes.
	X0, DX float64
	// Vol[(i−1)·LocalVolNodes+k] is the local vol over step i at node k,
	// recorded on the scope's tape.
	Vol []aad.Number
	// Floored lists the nodes where Dupire's formula was regularised.
	Floored []FlooredNode

	ks []float64
	tv []marketdata.TotalVariance
}

// NewLocalVolGrid records the local-vol grid of asset, whose drift is the
// rate of currency ccy less the asset's dividend yield, over the steps of
// times: times[0] = 0, then increasing to the horizon (years). tt[i] is
// time i as recorded (a valuation-time shift moves it) and dt[i] the
// length of step i as recorded; tt[0] and dt[0] are not read. The market
// is read through sc, whose tape records the grid, and the nodes are
// placed with ref, a scope on the market as read, so that a bumped
// revaluation reads the same spots.
func NewLocalVolGrid(sc, ref *marketdata.Scope, asset, ccy string, times []float64, tt, dt []aad.Number) (*LocalVolGrid, error) {
	n := len(times) - 1
	if n < 1 || len(tt) != n+1 || len(dt) != n+1 || times[0] != 0 {
		return nil, errors.New("montecarlo: a local-vol grid needs times from 0, with a recorded time and length per step")
	}
	for i := 1; i <= n; i++ {
		if !(times[i] > times[i-1]) || math.IsInf(times[i], 0) || !(dt[i].Value() > 0) {
			return nil, fmt.Errorf("montecarlo: local-vol grid times %v: want increasing, finite times and positive steps", times)
		}
	}
	c := &setupContext{pr: &Problem{Currency: ccy}, sc: sc, ref: ref, times: times, tt: tt}
	carry, err := c.carry(nil, asset, false)
	if err != nil {
		return nil, err
	}
	s0, err := sc.Spot(asset)
	if err != nil {
		return nil, err
	}
	g := new(LocalVolGrid)
	c.floored = &g.Floored
	if err := g.build(c, asset, s0, carry, dt); err != nil {
		return nil, err
	}
	return g, nil
}

// Weights returns the first node j of the four that interpolate the local
// vol at log-spot lx, and their weights: the local vol of step i there is
// Σ w[m]·Vol[(i−1)·LocalVolNodes+j+m].
func (g *LocalVolGrid) Weights(lx float64) (j int, w [4]float64) {
	j, q, _ := lvWeights(lvCellAt(g.X0, g.DX, lx))
	return j, [4]float64{q.w0, q.w1, q.w2, q.w3}
}

// build records the grid of asset name over c's steps, from the spot s0,
// the log-forward increment carry[i−1] of step i and its length dts[i],
// into g's slices (reused), and appends floored nodes to c.floored.
func (g *LocalVolGrid) build(c *setupContext, name string, s0 aad.Number, carry, dts []aad.Number) error {
	tp := c.sc.Tape()
	n := len(c.times) - 1
	ref, err := c.ref.Spot(name)
	if err != nil {
		return err
	}
	T := c.times[n]
	atm, err := c.ref.Vol(name, aad.Const(T), ref.Value())
	if err != nil {
		return err
	}
	half := max(lvWidth*atm.Value()*math.Sqrt(T), lvMinWidth)
	g.DX = 2 * half / (lvNodes - 1)
	g.X0 = math.Log(ref.Value()) - half
	g.ks = grow(g.ks, lvNodes)
	for k := range g.ks {
		g.ks[k] = math.Exp(g.X0 + float64(k)*g.DX)
	}
	// The local vol of step i is Dupire's at the step's start t, with the
	// time slope of total variance taken over the step,
	// (w(t_i, K) − w(t_{i−1}, K))/Δt, rather than at t: that slope jumps at
	// an expiry pillar, and a step starting on one would see the jump as
	// the valuation date moves (theta) and the step with it, while the
	// increment over the step moves continuously.
	g.Vol = grow(g.Vol, n*lvNodes)
	g.tv = grow(g.tv, 2*lvNodes)
	prev, next := g.tv[:lvNodes], g.tv[lvNodes:]
	// Every step reads the same strikes: a VarianceGrid records each
	// expiry's smile at each of them once, not at every step.
	vg, err := c.sc.NewVarianceGrid(name, g.ks)
	if err != nil {
		return err
	}
	if _, err := vg.At(prev, aad.Const(dupireMinTime)); err != nil {
		return err
	}
	var cum aad.Number // ∫(r − q) to the step's start
	for i := 1; i <= n; i++ {
		fwd := tp.MulExp(s0, cum)
		dti := dts[i]
		mu := tp.Div(carry[i-1], dti) // the drift over the step
		vol := g.Vol[(i-1)*lvNodes : i*lvNodes]
		if _, err := vg.At(next, c.tt[i]); err != nil {
			return err
		}
		for k, K := range g.ks {
			p, q := prev[k].W, next[k].W
			dw := (q.Value() - p.Value()) / dti.Value()
			wt := tp.Custom4(dw, q, 1/dti.Value(), p, -1/dti.Value(), dti, -dw/dti.Value(), aad.Number{}, 0)
			lv, raw, ok := dupireNode(tp, p, prev[k].DK, prev[k].DKK, wt, K, fwd, mu)
			if !ok {
				*c.floored = append(*c.floored, FlooredNode{T: c.times[i-1], K: K, LocalVar: raw, Used: lv.Value() * lv.Value()})
			}
			vol[k] = lv
		}
		prev, next = next, prev
		cum = tp.Add(cum, carry[i-1])
	}
	return nil
}
