package aad_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
)

const (
	heatWidth = 20
	heatSteps = 200
	heatDt    = 0.2
)

var heatParams = []float64{0.3, 0.1, 0.5}

// heatStep is a nonlinear explicit diffusion step on a ring: a diffusivity
// that depends on the state through exp and a division, a source that
// depends on k, and a floor (Max) at half the old value.
func heatStep(tp *aad.Tape, k int, p, in, out []aad.Number) {
	w := len(in)
	for i := range w {
		l, r := in[(i+w-1)%w], in[(i+1)%w]
		lap := tp.Sub(tp.Add(l, r), tp.MulConst(in[i], 2))
		d := tp.Div(tp.Mul(p[0], tp.Exp(tp.Mul(p[1], in[i]))), tp.AddConst(tp.Mul(p[2], tp.Square(in[i])), 1))
		src := tp.MulConst(p[1], 0.01*math.Sin(float64(k+i)))
		next := tp.Add(tp.Add(in[i], tp.MulConst(tp.Mul(d, lap), heatDt)), src)
		out[i] = tp.Max(next, tp.MulConst(in[i], 0.5))
	}
}

func heatInit() []float64 {
	x := make([]float64, heatWidth)
	for i := range x {
		x[i] = 1 + 0.5*math.Sin(float64(i)) + 0.1*float64(i%3)
	}
	return x
}

// heatPost is the post-processing after the segment: Σ final·w + p0².
func heatPost(tp *aad.Tape, final []aad.Number, p0 aad.Number) aad.Number {
	pv := tp.Square(p0)
	for i, x := range final {
		pv = tp.Add(pv, tp.MulConst(x, 1+0.1*float64(i)))
	}
	return pv
}

// heatWhole records the computation on one long tape.
func heatWhole(tp *aad.Tape, params, init []aad.Number) aad.Number {
	cur := append([]aad.Number(nil), init...)
	for k := range heatSteps {
		next := make([]aad.Number, heatWidth)
		heatStep(tp, k, params, cur, next)
		cur = next
	}
	return heatPost(tp, cur, params[0])
}

// counting counts the Step calls of the Steps it wraps.
type counting struct {
	aad.Steps
	steps, adjoints int
}

func (c *counting) Step(k int, in, out []float64) {
	c.steps++
	c.Steps.Step(k, in, out)
}

func (c *counting) AdjointStep(k int, in, outBar, inBar, paramBar []float64) {
	c.adjoints++
	c.Steps.AdjointStep(k, in, outBar, inBar, paramBar)
}

func TestCheckpointBitForBit(t *testing.T) {
	whole := aad.NewTape(0)
	params := whole.Vars(nil, heatParams...)
	init := whole.Vars(nil, heatInit()...)
	y := heatWhole(whole, params, init)
	xs := append(append([]aad.Number(nil), params...), init...)
	want := whole.Gradient(nil, y, xs)
	wholeStats := whole.Stats()

	for _, budget := range []int{0, 1, 3, 10, 200} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) {
			tp := aad.NewTape(0)
			params := tp.Vars(nil, heatParams...)
			init := tp.Vars(nil, heatInit()...)
			rs := aad.NewRecordedSteps(heatSteps, heatWidth, heatParams, heatStep)
			c := &counting{Steps: rs}
			final := tp.Checkpoint(nil, init, params, heatSteps, c, budget)
			got := heatPost(tp, final, params[0])
			assert.Equal(t, heatSteps, c.steps, "the forward pass")
			require.Equal(t, y.Value(), got.Value())
			xs := append(append([]aad.Number(nil), params...), init...)
			g := tp.Gradient(nil, got, xs)
			for i := range g {
				require.Equalf(t, want[i], g[i], "derivative %d", i)
			}
			assert.Equal(t, aad.CheckpointForwardSteps(heatSteps, budget), c.steps)
			assert.Equal(t, heatSteps, c.adjoints)
			// A second sweep replays the same schedule.
			c.steps = 0
			tp.ClearAdjoints()
			tp.SetAdjoint(got, 1)
			tp.Backward()
			assert.LessOrEqual(t, aad.CheckpointForwardSteps(heatSteps, budget)-heatSteps, c.steps)
			assert.LessOrEqual(t, c.steps, revolveFormula(heatSteps, budget+1))
			for i, x := range xs {
				require.Equal(t, want[i], tp.Adjoint(x))
			}
			if budget == 10 {
				s := tp.Stats()
				// The main tape: the inputs, the segment's outputs, the
				// post-processing, (11 stored states), scratch.
				bound := 8*(budget+1)*heatWidth + 8*(4*heatWidth+3) + 32*(3*heatWidth+10) + 40*heatWidth
				assert.Equal(t, 8*(budget+1)*heatWidth, s.CheckpointBytes)
				assert.LessOrEqual(t, s.BytesUsed, bound)
				// The private tape holds one step: 1/200 of the whole.
				one := rs.Stats()
				assert.LessOrEqual(t, one.BytesUsed, wholeStats.BytesUsed/heatSteps+8*(heatWidth+3)*2)
				total := s.BytesUsed + one.BytesUsed
				assert.Less(t, 40*total, wholeStats.BytesUsed)
				t.Logf("whole tape %d bytes; checkpointed: main tape %d bytes (%d of them stored states), private tape %d bytes; %.0f× less",
					wholeStats.BytesUsed, s.BytesUsed, s.CheckpointBytes, one.BytesUsed, float64(wholeStats.BytesUsed)/float64(total))
			}
		})
	}
}

// optimum is the least number of Step calls that reverse l steps from a
// stored state with free more snapshots, by brute force over every split:
// cost[l][s], and pre[l][s] when the forward pass places the snapshots of
// the rightmost path.
func optimum(n, s int) (cost, pre [][]int) {
	cost, pre = make([][]int, n+1), make([][]int, n+1)
	for l := range cost {
		cost[l], pre[l] = make([]int, s+1), make([]int, s+1)
		for f := 0; f <= s; f++ {
			if l <= 1 {
				continue
			}
			if f == 0 {
				cost[l][f] = l * (l - 1) / 2
				pre[l][f] = cost[l][f]
				continue
			}
			cost[l][f], pre[l][f] = math.MaxInt, math.MaxInt
			for m := 1; m < l; m++ {
				cost[l][f] = min(cost[l][f], m+cost[l-m][f-1]+cost[m][f])
				pre[l][f] = min(pre[l][f], pre[l-m][f-1]+cost[m][f])
			}
		}
	}
	return cost, pre
}

// revolveFormula is Griewank and Walther's r·l − β(s+1, r−1) for s stored
// states, r the least with β(s, r) ≥ l.
func revolveFormula(l, s int) int {
	b := func(s, r int) int {
		if r < 0 {
			return 0
		}
		c := 1
		for i := 1; i <= s; i++ {
			c = c * (r + i) / i
		}
		return c
	}
	r := 0
	for b(s, r) < l {
		r++
	}
	return r*l - b(s+1, r-1)
}

func TestCheckpointForwardSteps(t *testing.T) {
	cost, pre := optimum(40, 5)
	for n := 1; n <= 40; n++ {
		for s := 0; s <= 5; s++ {
			got := aad.CheckpointForwardSteps(n, s)
			require.Equalf(t, cost[n][s], revolveFormula(n, s+1), "n=%d s=%d: the formula is the optimum", n, s)
			require.LessOrEqualf(t, got, n+cost[n][s], "n=%d s=%d", n, s)
			// The forward pass stores the snapshots of revolve's
			// rightmost path; a split chosen for that placement would
			// save at most one step more.
			require.GreaterOrEqualf(t, got, n+pre[n][s], "n=%d s=%d", n, s)
			require.LessOrEqualf(t, got, n+pre[n][s]+1, "n=%d s=%d", n, s)
		}
	}
	for _, c := range []struct{ n, s int }{{1000, 20}, {400, 0}, {400, 1}, {400, 3}, {400, 10}, {400, 30}, {400, 399}} {
		f := aad.CheckpointForwardSteps(c.n, c.s)
		t.Logf("l=%d s=%d: %d Step calls, %.3f per step (formula %d + %d)", c.n, c.s, f, float64(f)/float64(c.n),
			revolveFormula(c.n, c.s+1), c.n)
		require.LessOrEqual(t, f, c.n+revolveFormula(c.n, c.s+1))
	}
	assert.Equal(t, 2728, aad.CheckpointForwardSteps(1000, 20), "the figure in the package doc")
	assert.Equal(t, 0, aad.CheckpointForwardSteps(0, 3))
	assert.Equal(t, 400, aad.CheckpointForwardSteps(400, 1000), "enough snapshots: no replay")
	// Counted against a real schedule at a few sizes besides the heat test's.
	for _, c := range []struct{ n, s int }{{1, 0}, {2, 0}, {37, 2}, {1000, 20}, {64, 5}} {
		tp := aad.NewTape(0)
		p := tp.Vars(nil, 0.99)
		x := tp.Vars(nil, 1)
		cs := &counting{Steps: aad.NewRecordedSteps(c.n, 1, []float64{0.99}, func(tp *aad.Tape, k int, p, in, out []aad.Number) {
			out[0] = tp.Add(tp.Mul(in[0], p[0]), aad.Const(0.001))
		})}
		y := tp.Checkpoint(nil, x, p, c.n, cs, c.s)
		tp.Gradient(nil, y[0], p)
		assert.Equal(t, aad.CheckpointForwardSteps(c.n, c.s), cs.steps, "n=%d s=%d", c.n, c.s)
	}
}

func TestCheckpointPassive(t *testing.T) {
	// A passive parameter and a passive entry of the state.
	whole := aad.NewTape(0)
	p := []aad.Number{whole.Var(heatParams[0]), aad.Const(heatParams[1]), whole.Var(heatParams[2])}
	init := whole.Vars(nil, heatInit()...)
	init[3] = aad.Const(init[3].Value())
	y := heatWhole(whole, p, init)
	want := whole.Gradient(nil, y, append(append([]aad.Number(nil), p...), init...))

	tp := aad.NewTape(0)
	q := []aad.Number{tp.Var(heatParams[0]), aad.Const(heatParams[1]), tp.Var(heatParams[2])}
	in := tp.Vars(nil, heatInit()...)
	in[3] = aad.Const(in[3].Value())
	final := tp.Checkpoint(nil, in, q, heatSteps, aad.NewRecordedSteps(heatSteps, heatWidth, heatParams, heatStep), 4)
	got := heatPost(tp, final, q[0])
	g := tp.Gradient(nil, got, append(append([]aad.Number(nil), q...), in...))
	assert.Equal(t, y.Value(), got.Value())
	assert.Equal(t, want, g)
	assert.Equal(t, 0.0, g[1])
	assert.Equal(t, 0.0, g[3+3])

	// All passive: the outputs are still recorded, the sweep gives zero.
	tp.Reset()
	c := make([]aad.Number, heatWidth)
	for i, v := range heatInit() {
		c[i] = aad.Const(v)
	}
	pc := []aad.Number{aad.Const(0.3), aad.Const(0.1), aad.Const(0.5)}
	final = tp.Checkpoint(final, c, pc, 10, aad.NewRecordedSteps(10, heatWidth, heatParams, heatStep), 2)
	tp.SetAdjoint(final[0], 1)
	tp.Backward()
	assert.True(t, final[0].Active())

	// On a nil tape Checkpoint only computes.
	v := (*aad.Tape)(nil).Checkpoint(nil, c, pc, heatSteps, aad.NewRecordedSteps(heatSteps, heatWidth, heatParams, heatStep), 3)
	assert.False(t, v[0].Active())
	assert.Equal(t, y.Value(), heatPost(nil, v, pc[0]).Value())
}

func TestCheckpointReuseAndRewind(t *testing.T) {
	tp := aad.NewTape(0)
	steps := aad.NewRecordedSteps(heatSteps, heatWidth, heatParams, heatStep)
	var final []aad.Number
	var g []float64
	var first []float64
	for range 3 {
		tp.Reset()
		p := tp.Vars(nil, heatParams...)
		in := tp.Vars(nil, heatInit()...)
		final = tp.Checkpoint(final, in, p, heatSteps, steps, 5)
		y := heatPost(tp, final, p[0])
		g = tp.Gradient(g, y, p)
		if first == nil {
			first = append([]float64(nil), g...)
		}
		assert.Equal(t, first, g)
		assert.Equal(t, 1, tp.Stats().Checkpoints)
	}

	// A mark before a segment: rewinding drops it.
	tp.Reset()
	p := tp.Vars(nil, heatParams...)
	in := tp.Vars(nil, heatInit()...)
	m := tp.Mark()
	tp.Checkpoint(nil, in, p, 20, steps, 2)
	assert.Equal(t, 1, tp.Stats().Checkpoints)
	tp.RewindToMark(m)
	assert.Equal(t, 0, tp.Stats().Checkpoints)
	assert.Equal(t, 0, tp.Stats().CheckpointBytes)
	y := tp.Add(p[0], in[0])
	tp.SetAdjoint(y, 1)
	tp.Backward()
	assert.Equal(t, 1.0, tp.Adjoint(p[0]))
	assert.Equal(t, 0.0, tp.Adjoint(p[1]))
}

// The Monte Carlo pattern: per path, rewind, a checkpointed segment and
// BackwardToMark; BackwardFromMark at the end. The same on one long tape
// gives the same adjoints, bit for bit.
func TestCheckpointMonteCarlo(t *testing.T) {
	const paths, n, w = 4, 50, heatWidth
	run := func(checkpoint bool) []float64 {
		tp := aad.NewTape(0)
		raw := tp.Vars(nil, heatParams...)
		p := []aad.Number{tp.MulConst(raw[0], 1), raw[1], tp.Sqrt(tp.Square(raw[2]))} // set-up before the mark
		init := tp.Vars(nil, heatInit()...)
		m := tp.Mark()
		for path := range paths {
			tp.RewindToMark(m)
			start := make([]aad.Number, w)
			for i := range start {
				start[i] = tp.AddConst(init[i], 0.01*float64(path))
			}
			var final []aad.Number
			if checkpoint {
				vals := []float64{p[0].Value(), p[1].Value(), p[2].Value()}
				final = tp.Checkpoint(nil, start, p, n, aad.NewRecordedSteps(n, w, vals, heatStep), 3)
			} else {
				cur := start
				for k := range n {
					next := make([]aad.Number, w)
					heatStep(tp, k, p, cur, next)
					cur = next
				}
				final = cur
			}
			y := heatPost(tp, final, p[0])
			tp.SetAdjoint(y, 1.0/paths)
			tp.BackwardToMark(m)
		}
		tp.BackwardFromMark(m)
		return tp.AdjointsTo(nil, append(append([]aad.Number(nil), raw...), init...))
	}
	want := run(false)
	got := run(true)
	assert.Equal(t, want, got)
	assert.NotZero(t, got[1])
}

func TestCheckpointAllocs(t *testing.T) {
	tp := aad.NewTape(0)
	steps := aad.NewRecordedSteps(heatSteps, heatWidth, heatParams, heatStep)
	p := make([]aad.Number, 3)
	in := make([]aad.Number, heatWidth)
	final := make([]aad.Number, heatWidth)
	g := make([]float64, 3)
	init := heatInit()
	run := func() {
		tp.Reset()
		tp.Vars(p, heatParams...)
		tp.Vars(in, init...)
		tp.Checkpoint(final, in, p, heatSteps, steps, 10)
		tp.Gradient(g, heatPost(tp, final, p[0]), p)
	}
	run()
	run()
	assert.Zero(t, testing.AllocsPerRun(5, run))
}

func TestCheckpointRefusals(t *testing.T) {
	steps := aad.NewRecordedSteps(5, 1, nil, func(tp *aad.Tape, k int, p, in, out []aad.Number) {
		out[0] = tp.MulConst(in[0], 2)
	})
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	x := tp.Var(1)
	assert.PanicsWithValue(t, "aad: Checkpoint on a second-order tape: checkpointed segments are first order only", func() {
		tp.Checkpoint(nil, []aad.Number{x}, nil, 5, steps, 1)
	})
	tp = aad.NewTape(0)
	x = tp.Var(1)
	y := tp.Checkpoint(nil, []aad.Number{x}, nil, 5, steps, 1)
	assert.Equal(t, 32.0, y[0].Value())
	assert.Panics(t, func() { tp.Forward() })
	assert.Equal(t, []float64{32}, tp.Gradient(nil, y[0], []aad.Number{x}))
	// n = 0 returns init itself.
	z := tp.Checkpoint(nil, []aad.Number{x}, nil, 0, steps, 1)
	assert.Equal(t, x, z[0])
	other := aad.NewTape(0)
	assert.Panics(t, func() { other.Checkpoint(nil, []aad.Number{x}, nil, 5, steps, 1) })
}

// Checkpoint a long recorded step sequence: the gradient of the whole
// computation, keeping three states instead of taping a thousand steps.
func ExampleTape_Checkpoint() {
	const n = 1000
	decay := func(tp *aad.Tape, k int, p, in, out []aad.Number) {
		// x ← x + dt·(a − b·x²), dt = 1/n
		out[0] = tp.Add(in[0], tp.MulConst(tp.Sub(p[0], tp.Mul(p[1], tp.Square(in[0]))), 1.0/n))
	}
	tp := aad.NewTape(0)
	p := tp.Vars(nil, 1, 2)
	x0 := tp.Var(0.5)
	steps := aad.NewRecordedSteps(n, 1, []float64{1, 2}, decay)
	x := tp.Checkpoint(nil, []aad.Number{x0}, p, n, steps, 3)
	g := tp.Gradient(nil, x[0], []aad.Number{p[0], p[1], x0})
	fmt.Printf("x(1) = %.6f\n", x[0].Value())
	fmt.Printf("∂/∂a %.6f ∂/∂b %.6f ∂/∂x0 %.6f\n", g[0], g[1], g[2])
	fmt.Printf("%d Step calls for %d steps\n", aad.CheckpointForwardSteps(n, 3), n)
	// Output:
	// x(1) = 0.692960
	// ∂/∂a 0.346525 ∂/∂b -0.153403 ∂/∂x0 0.079258
	// 8009 Step calls for 1000 steps
}

// A checkpointed set-up before the mark: the paths' BackwardToMark leave
// it aside and BackwardFromMark runs it, once.
func TestCheckpointBeforeMark(t *testing.T) {
	const n = 40
	run := func(checkpoint bool) ([]float64, int) {
		tp := aad.NewTape(0)
		p := tp.Vars(nil, heatParams...)
		init := tp.Vars(nil, heatInit()...)
		var final []aad.Number
		c := &counting{Steps: aad.NewRecordedSteps(n, heatWidth, heatParams, heatStep)}
		if checkpoint {
			final = tp.Checkpoint(nil, init, p, n, c, 2)
		} else {
			cur := init
			for k := range n {
				next := make([]aad.Number, heatWidth)
				heatStep(tp, k, p, cur, next)
				cur = next
			}
			final = cur
		}
		m := tp.Mark()
		for path := range 3 {
			tp.RewindToMark(m)
			y := tp.Mul(tp.MulConst(final[path], float64(path+1)), p[1])
			tp.SetAdjoint(y, 1)
			tp.BackwardToMark(m)
		}
		before := c.adjoints
		tp.BackwardFromMark(m)
		assert.Equal(t, 0, before)
		if checkpoint {
			assert.Equal(t, n, c.adjoints)
		}
		return tp.AdjointsTo(nil, append(append([]aad.Number(nil), p...), init...)), c.steps
	}
	want, _ := run(false)
	got, steps := run(true)
	assert.Equal(t, want, got)
	assert.Equal(t, aad.CheckpointForwardSteps(n, 2), steps)
}
