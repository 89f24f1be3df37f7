package aad_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// sample records a small computation over five inputs that uses elementary
// and fused operations, and returns its output.
func sample(tp *aad.Tape, x []aad.Number) aad.Number {
	a := tp.Mul(x[0], tp.Exp(x[1]))
	b := tp.Log(tp.AddConst(tp.Square(x[2]), 1))
	c := tp.MulAdd(a, b, x[3])
	d := tp.MulExp(x[0], tp.Add(x[1], tp.MulConst(x[4], 0.3)))
	e := tp.Dot([]aad.Number{a, b, c}, []aad.Number{d, x[4], aad.Const(2)})
	f := tp.NormCDF(tp.Div(e, tp.Sqrt(tp.AddConst(tp.Square(x[3]), 2))))
	return tp.Sum(f, tp.Max(a, b), tp.Sin(c), aad.Const(1))
}

var sampleX = []float64{1.1, -0.3, 0.7, 2.0, 0.4}

// sampleGradient records sample at sampleX on tp and returns its value and
// gradient.
func sampleGradient(tp *aad.Tape) (float64, []float64) {
	x := vars(tp, sampleX)
	y := sample(tp, x)
	return y.Value(), tp.Gradient(nil, y, x)
}

func TestResetReuse(t *testing.T) {
	tp := aad.NewTape(0)
	v0, g0 := sampleGradient(tp)
	n0 := tp.Stats()
	for i := range 5 {
		tp.Reset()
		assert.Equal(t, 0, tp.Len(), "Len after Reset: got %d, want 0", tp.Len())
		assert.Equal(t, 0, tp.Stats().Operands, "Operands after Reset: got %d, want 0", tp.Stats().Operands)
		v, g := sampleGradient(tp)
		assertSameBits(t, v, v0, "run %d: value", i)
		for j := range g {
			assertSameBits(t, g[j], g0[j], "run %d: ∂/∂x%d", i, j)
		}
		s := tp.Stats()
		assert.Equal(t, n0.Statements, s.Statements, "run %d: statements: got %d, want %d", i, s.Statements, n0.Statements)
		assert.Equal(t, n0.Operands, s.Operands, "run %d: operands: got %d, want %d", i, s.Operands, n0.Operands)
		assert.Equal(t, n0.BytesUsed, s.BytesUsed, "run %d: bytes used: got %d, want %d", i, s.BytesUsed, n0.BytesUsed)
	}
	// A fresh tape gives the same, too.
	v, g := sampleGradient(aad.NewTape(1000))
	assertSameBits(t, v, v0, "fresh tape: value")
	for j := range g {
		assertSameBits(t, g[j], g0[j], "fresh tape: ∂/∂x%d", j)
	}
}

// TestGrowth records far more than the initial capacity so that every
// growth path is taken, and checks a gradient known in closed form.
func TestGrowth(t *testing.T) {
	for _, n0 := range []int{0, 1, 3} {
		tp := aad.NewTape(n0)
		const n = 20000
		x := tp.Var(0.5)
		y := tp.Var(2)
		acc := x
		for i := range n {
			switch i % 4 {
			case 0:
				acc = tp.Add(acc, x)
			case 1:
				acc = tp.MulAdd(x, y, acc)
			case 2:
				acc = tp.Sum(acc, x, y, x)
			case 3:
				acc = tp.DotConst([]aad.Number{acc, x, y, x, y}, []float64{1, 1, 1, 1, 1})
			}
		}
		// Each group of four adds to acc: x; xy; 2x+y; 2x+2y.
		groups := float64(n / 4)
		wantV := 0.5 + groups*(0.5+1+(1+2)+(1+4))
		testutil.Near(t, acc.Value(), wantV, 1e-12, 0, "NewTape(%d): value", n0)
		g := tp.Gradient(nil, acc, []aad.Number{x, y})
		testutil.Near(t, g[0], 1+groups*(1+2+2+2), 1e-12, 0, "NewTape(%d): ∂/∂x", n0)
		testutil.Near(t, g[1], groups*(0.5+1+2), 1e-12, 0, "NewTape(%d): ∂/∂y", n0)
		assert.Equal(t, n+2, tp.Len(), "NewTape(%d): Len: got %d, want %d", n0, tp.Len(), n+2)
		assert.Equal(t, n/4*(2+3+4+5), tp.Stats().Operands, "NewTape(%d): Operands", n0)
	}
}

func TestMarkRewind(t *testing.T) {
	tp := aad.NewTape(0)
	x, y := tp.Var(2), tp.Var(3)
	s := tp.Mul(x, y) // set-up before the mark
	m := tp.Mark()
	require.Equal(t, 3, tp.Len(), "Len at mark")
	ops := tp.Stats().Operands

	for path := range 3 {
		tp.RewindToMark(m)
		assert.Equal(t, 3, tp.Len(), "path %d: Len after rewind: got %d, want 3", path, tp.Len())
		assert.Equal(t, ops, tp.Stats().Operands, "path %d: Operands after rewind: got %d, want %d", path, tp.Stats().Operands, ops)
		// The set-up is still valid after the rewind.
		p := tp.Mul(s, tp.Exp(x)) // s·eˣ
		for range path {
			p = tp.AddConst(p, 1)
		}
		assert.Equal(t, 5+path, tp.Len(), "path %d: Len: got %d, want %d", path, tp.Len(), 5+path)
		g := tp.Gradient(nil, p, []aad.Number{x, y})
		e := math.Exp(2)
		testutil.Near(t, g[0], 3*e+6*e, 1e-15, 0, "path %d: ∂/∂x", path)
		testutil.Near(t, g[1], 2*e, 1e-15, 0, "path %d: ∂/∂y", path)
	}

	// Rewinding to the current end changes nothing.
	n := tp.Len()
	tp.RewindToMark(tp.Mark())
	assert.Equal(t, n, tp.Len(), "rewind to the end: Len: got %d, want %d", tp.Len(), n)

	// Nested marks.
	tp.RewindToMark(m)
	a := tp.Exp(x)
	m2 := tp.Mark()
	_ = tp.Exp(a)
	tp.RewindToMark(m2)
	assert.Equal(t, 4, tp.Len(), "rewind to inner mark: got %d, want 4", tp.Len())
	tp.RewindToMark(m)
	assert.Equal(t, 3, tp.Len(), "rewind to outer mark: got %d, want 3", tp.Len())
}

// TestMarkAdjointsAccumulate checks that the statements before the mark keep
// the adjoints the paths add into them, and that the paths' own start from
// zero after every rewind.
func TestMarkAdjointsAccumulate(t *testing.T) {
	tp := aad.NewTape(0)
	x := tp.Var(3)
	s := tp.Square(x) // 9, ∂s/∂x = 6
	m := tp.Mark()
	for k := 1; k <= 4; k++ {
		tp.RewindToMark(m)
		p := tp.MulConst(s, float64(k)) // ∂p/∂s = k
		assert.Equal(t, 0.0, tp.Adjoint(p), "path %d: adjoint of a new statement: got %v, want 0", k, tp.Adjoint(p))
		tp.SetAdjoint(p, 1)
		tp.BackwardToMark(m)
		testutil.Near(t, tp.Adjoint(s), float64(k*(k+1)/2), 0, 0, "after path %d: adjoint of the set-up", k)
		assert.Equal(t, 0.0, tp.Adjoint(x), "after path %d: variable adjoint before BackwardFromMark: got %v, want 0", k, tp.Adjoint(x))
	}
	tp.BackwardFromMark(m)
	testutil.Near(t, tp.Adjoint(x), 10*6, 0, 0, "∂Σpaths/∂x")
}

func TestStats(t *testing.T) {
	tp := aad.NewTape(0)
	assert.Equal(t, 0, tp.Stats().Statements, "empty tape statements: got %d, want 0", tp.Stats().Statements)
	assert.Equal(t, 0, tp.Stats().Operands, "empty tape operands: got %d, want 0", tp.Stats().Operands)
	type step struct {
		name       string
		rec        func()
		stmts, ops int // added by the step
	}
	var x, y, z, w aad.Number
	steps := []step{
		{"Var", func() { x = tp.Var(1.5) }, 1, 0},
		{"Var", func() { y = tp.Var(-2) }, 1, 0},
		{"Mul", func() { z = tp.Mul(x, y) }, 1, 2},
		{"Exp", func() { w = tp.Exp(z) }, 1, 1},
		{"Sum with a passive", func() { _ = tp.Sum(x, y, z, w, aad.Const(1)) }, 1, 4},
		{"all passive", func() { _ = tp.AddConst(aad.Const(1), 2) }, 0, 0},
		{"MulAdd", func() { _ = tp.MulAdd(x, y, w) }, 1, 3},
		{"Mul with a passive", func() { _ = tp.Mul(aad.Const(2), y) }, 1, 1},
		{"Dot", func() { _ = tp.Dot([]aad.Number{x, aad.Const(1)}, []aad.Number{y, z}) }, 1, 3},
		{"DotConst", func() { _ = tp.DotConst([]aad.Number{x, aad.Const(1), w}, []float64{1, 2, 3}) }, 1, 2},
		{"Custom", func() { _ = tp.Custom(1, []aad.Number{x, y, aad.Const(0)}, []float64{1, 2, 3}) }, 1, 2},
		{"Max", func() { _ = tp.Max(x, y) }, 0, 0},
		{"Sum of a repeated number", func() { _ = tp.Sum(x, x) }, 1, 2},
	}
	wantStmts, wantOps := 0, 0
	prev := tp.Stats()
	for _, s := range steps {
		s.rec()
		wantStmts += s.stmts
		wantOps += s.ops
		st := tp.Stats()
		assert.Equal(t, wantStmts, st.Statements, "after %s: statements: got %d, want %d", s.name, st.Statements, wantStmts)
		assert.Equal(t, wantOps, st.Operands, "after %s: operands: got %d, want %d", s.name, st.Operands, wantOps)
		assert.Equal(t, st.Statements, tp.Len(), "after %s: Len: got %d, want Statements %d", s.name, tp.Len(), st.Statements)
		if s.stmts > 0 {
			assert.Greater(t, st.BytesUsed, prev.BytesUsed, "after %s: bytes used: got %d, want more than %d", s.name, st.BytesUsed, prev.BytesUsed)
		} else {
			assert.Equal(t, prev.BytesUsed, st.BytesUsed, "after %s: bytes used: got %d, want %d", s.name, st.BytesUsed, prev.BytesUsed)
		}
		prev = st
	}
	// Once swept, the tape holds at least what its statements use (the
	// adjoints are allocated by the first sweep).
	tp.Backward()
	st := tp.Stats()
	assert.GreaterOrEqual(t, st.BytesReserved, st.BytesUsed, "after a sweep: bytes reserved: got %d, want at least the %d used", st.BytesReserved, st.BytesUsed)

	// BytesReserved is stable once the tape is warm: same computation,
	// sweeps included, after Reset.
	run := func() {
		tp.Reset()
		x := vars(tp, sampleX)
		for range 200 {
			y := sample(tp, x)
			x[0] = y
		}
		tp.Gradient(nil, x[0], x[1:])
		tp.SetTangent(x[1], 1)
		tp.Forward()
	}
	run()
	warm := tp.Stats()
	for i := range 3 {
		run()
		s := tp.Stats()
		assert.Equal(t, warm.BytesReserved, s.BytesReserved, "run %d: bytes reserved: got %d, want %d", i, s.BytesReserved, warm.BytesReserved)
		assert.Equal(t, warm.BytesUsed, s.BytesUsed, "run %d: bytes used: got %d, want %d", i, s.BytesUsed, warm.BytesUsed)
	}
	tp.Reset()
	assert.Equal(t, warm.BytesReserved, tp.Stats().BytesReserved, "bytes reserved after Reset: got %d, want %d", tp.Stats().BytesReserved, warm.BytesReserved)
	assert.Less(t, tp.Stats().BytesUsed, warm.BytesUsed, "bytes used after Reset: got %d, want less than %d", tp.Stats().BytesUsed, warm.BytesUsed)

	var nilTape *aad.Tape
	assert.Equal(t, aad.Stats{}, nilTape.Stats(), "nil tape Stats")
}

func TestZeroTape(t *testing.T) {
	var tp aad.Tape
	assert.Equal(t, 0, tp.Len(), "zero tape Len: got %d, want 0", tp.Len())
	x := tp.Var(1)
	require.True(t, x.Active(), "Var on a zero tape: got passive, want active")
	y := tp.Mul(x, tp.AddConst(x, 2)) // x² + 2x
	g := tp.Gradient(nil, y, []aad.Number{x})
	testutil.Near(t, y.Value(), 3, 0, 0, "value")
	testutil.Near(t, g[0], 4, 0, 0, "∂/∂x")
	assert.Equal(t, 3, tp.Len(), "Len: got %d, want 3", tp.Len())

	// Every entry point works on a zero tape as its first call.
	first := map[string]func(tp *aad.Tape){
		"Mark":           func(tp *aad.Tape) { tp.RewindToMark(tp.Mark()) },
		"Reset":          func(tp *aad.Tape) { tp.Reset() },
		"Backward":       func(tp *aad.Tape) { tp.Backward() },
		"Forward":        func(tp *aad.Tape) { tp.Forward() },
		"ClearAdjoints":  func(tp *aad.Tape) { tp.ClearAdjoints() },
		"ClearTangents":  func(tp *aad.Tape) { tp.ClearTangents() },
		"Stats":          func(tp *aad.Tape) { _ = tp.Stats() },
		"passive op":     func(tp *aad.Tape) { _ = tp.Exp(aad.Const(1)) },
		"Sum of nothing": func(tp *aad.Tape) { _ = tp.Sum() },
		"Gradient":       func(tp *aad.Tape) { _ = tp.Gradient(nil, aad.Const(1), nil) },
	}
	for name, f := range first {
		t.Run(name, func(t *testing.T) {
			var tp aad.Tape
			require.NotPanics(t, func() { f(&tp) }, "%s on a zero tape", name)
			x := tp.Var(2)
			y := tp.Exp(x)
			g := tp.Gradient(nil, y, []aad.Number{x})
			testutil.Near(t, g[0], math.Exp(2), 0, 0, "after %s: ∂eˣ/∂x", name)
		})
	}
}

func TestNilTape(t *testing.T) {
	var tp *aad.Tape
	x := tp.Var(2)
	assert.False(t, x.Active(), "Var on nil tape: got active, want passive")
	assert.Equal(t, 2.0, x.Value(), "Var on nil tape: value")
	y := sample(tp, consts(sampleX))
	assert.False(t, y.Active(), "sample on nil tape: got active, want passive")
	v, _ := sampleGradient(aad.NewTape(0))
	assertSameBits(t, y.Value(), v, "sample on nil tape")

	// Every method is valid on a nil tape with passive Numbers.
	methods := map[string]func(){
		"Reset":            tp.Reset,
		"Mark":             func() { assert.Equal(t, aad.Mark{}, tp.Mark(), "Mark: got %v, want the zero Mark", tp.Mark()) },
		"RewindToMark":     func() { tp.RewindToMark(tp.Mark()) },
		"Len":              func() { assert.Equal(t, 0, tp.Len(), "Len: got %d, want 0", tp.Len()) },
		"Stats":            func() { assert.Equal(t, aad.Stats{}, tp.Stats(), "Stats: got %+v, want zero", tp.Stats()) },
		"Backward":         tp.Backward,
		"BackwardToMark":   func() { tp.BackwardToMark(aad.Mark{}) },
		"BackwardFromMark": func() { tp.BackwardFromMark(aad.Mark{}) },
		"ClearAdjoints":    tp.ClearAdjoints,
		"ClearTangents":    tp.ClearTangents,
		"Forward":          tp.Forward,
		"Adjoint":          func() { assert.Zero(t, tp.Adjoint(aad.Const(1)), "Adjoint: got %v, want 0", tp.Adjoint(aad.Const(1))) },
		"Tangent":          func() { assert.Zero(t, tp.Tangent(aad.Const(1)), "Tangent: got %v, want 0", tp.Tangent(aad.Const(1))) },
		"SetAdjoint":       func() { tp.SetAdjoint(aad.Const(1), 1) },
		"SetTangent":       func() { tp.SetTangent(aad.Const(1), 1) },
		"Gradient": func() {
			g := tp.Gradient(nil, y, []aad.Number{x, aad.Const(1)})
			assert.Equal(t, []float64{0, 0}, g, "Gradient: got %v, want [0 0]", g)
		},
		"Vars": func() {
			v := tp.Vars(nil, 1, 2)
			assert.Equal(t, []aad.Number{aad.Const(1), aad.Const(2)}, v, "Vars: got %v, want passive 1 and 2", v)
		},
	}
	for name, f := range methods {
		assert.NotPanics(t, f, "nil tape %s: got a panic, want none", name)
	}
}

func TestGradientDst(t *testing.T) {
	tp := aad.NewTape(0)
	x := vars(tp, sampleX)
	y := sample(tp, x)
	want := tp.Gradient(nil, y, x)
	require.Len(t, want, len(x))

	dst := make([]float64, 10)
	for i := range dst {
		dst[i] = -99
	}
	got := tp.Gradient(dst, y, x)
	assert.Len(t, got, len(x), "Gradient length: got %d, want %d", len(got), len(x))
	assert.Same(t, &dst[0], &got[0], "Gradient with a long enough dst: got a new slice, want dst")
	assert.Equal(t, want, got, "Gradient into dst: got %v, want %v", got, want)
	assert.Equal(t, -99.0, dst[len(x)], "Gradient wrote past len(xs): got %v, want -99", dst[len(x)])

	short := make([]float64, 2)
	got = tp.Gradient(short, y, x)
	assert.Equal(t, want, got, "Gradient into a short dst: got %v, want %v", got, want)

	// The gradient of a passive output is zero, that of a variable a unit
	// vector, and passive inputs have zero adjoints.
	g := tp.Gradient(nil, aad.Const(3), x)
	assert.Equal(t, make([]float64, len(x)), g, "Gradient of a passive output: got %v, want zeros", g)
	g = tp.Gradient(nil, x[2], x)
	assert.Equal(t, []float64{0, 0, 1, 0, 0}, g, "Gradient of x2: got %v, want e2", g)
	g = tp.Gradient(nil, y, []aad.Number{aad.Const(1), x[0]})
	assert.Equal(t, []float64{0, want[0]}, g, "Gradient wrt a passive input: got %v, want [0 %v]", g, want[0])
}

// TestVars checks that Vars records the same variables as Var, in order,
// into dst or a new slice, on a zero tape as on a used one.
func TestVars(t *testing.T) {
	vals := []float64{1.5, -2, 3}
	for name, tp := range map[string]*aad.Tape{"zero": new(aad.Tape), "used": aad.NewTape(0)} {
		if name == "used" {
			tp.Var(9)
		}
		before := tp.Len()
		dst := make([]aad.Number, 4)
		in := tp.Vars(dst, vals...)
		require.Len(t, in, len(vals), "%s tape: Vars length", name)
		assert.Same(t, &dst[0], &in[0], "%s tape: Vars with a long enough dst: got a new slice, want dst", name)
		assert.Equal(t, before+len(vals), tp.Len(), "%s tape: Len after Vars", name)
		for i, x := range in {
			assert.True(t, x.Active(), "%s tape: Vars[%d] is passive, want active", name, i)
			assert.Equal(t, vals[i], x.Value(), "%s tape: Vars[%d] value", name, i)
		}
		// y = x0·x1 + x2 has gradient (x1, x0, 1), as with Var.
		y := tp.Add(tp.Mul(in[0], in[1]), in[2])
		g := tp.Gradient(nil, y, in)
		assert.Equal(t, []float64{vals[1], vals[0], 1}, g, "%s tape: gradient over Vars", name)
		more := tp.Vars(nil, 4)
		assert.Equal(t, before+len(vals)+3, tp.Len(), "%s tape: Len after two statements and one more variable", name)
		assert.Equal(t, 4.0, more[0].Value(), "%s tape: Vars into a nil dst", name)
	}
}

// TestSeveralOutputs sweeps several outputs in turn with ClearAdjoints and
// compares with the gradient of each recorded alone, and checks a weighted
// seed of several outputs.
func TestSeveralOutputs(t *testing.T) {
	outputs := []func(tp *aad.Tape, x []aad.Number) aad.Number{
		sample,
		func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Mul(x[0], tp.Sin(x[3])) },
		func(tp *aad.Tape, x []aad.Number) aad.Number {
			return tp.Div(tp.Sum(x...), tp.AddConst(tp.Square(x[4]), 1))
		},
	}
	alone := make([][]float64, len(outputs))
	for k, f := range outputs {
		tp := aad.NewTape(0)
		x := vars(tp, sampleX)
		alone[k] = tp.Gradient(nil, f(tp, x), x)
	}

	tp := aad.NewTape(0)
	x := vars(tp, sampleX)
	ys := make([]aad.Number, len(outputs))
	for k, f := range outputs {
		ys[k] = f(tp, x)
	}
	for round := range 2 {
		for k := range outputs {
			tp.ClearAdjoints()
			tp.SetAdjoint(ys[k], 1)
			tp.Backward()
			for i := range x {
				testutil.Near(t, tp.Adjoint(x[i]), alone[k][i], 1e-15, 1e-300, "round %d, output %d: ∂/∂x%d", round, k, i)
			}
		}
	}
	// Gradient does the same.
	for k := range outputs {
		g := tp.Gradient(nil, ys[k], x)
		for i := range x {
			testutil.Near(t, g[i], alone[k][i], 1e-15, 1e-300, "Gradient of output %d: ∂/∂x%d", k, i)
		}
	}
	// A weighted seed gives the gradient of the linear combination.
	w := []float64{0.5, -2, 3}
	tp.ClearAdjoints()
	for k := range outputs {
		tp.SetAdjoint(ys[k], w[k])
	}
	tp.Backward()
	for i := range x {
		want := 0.0
		for k := range outputs {
			want += w[k] * alone[k][i]
		}
		testutil.Near(t, tp.Adjoint(x[i]), want, 1e-13, 1e-15, "weighted outputs: ∂/∂x%d", i)
	}
	// An output that is an intermediate of another: seeds add up through it.
	tp2 := aad.NewTape(0)
	a := tp2.Var(2)
	b := tp2.Square(a)      // 4
	c := tp2.MulConst(b, 3) // 12
	tp2.SetAdjoint(b, 1)
	tp2.SetAdjoint(c, 1)
	tp2.Backward()
	testutil.Near(t, tp2.Adjoint(a), 4*4, 0, 0, "∂(b + c)/∂a with c = 3b, b = a²")
	testutil.Near(t, tp2.Adjoint(b), 4, 0, 0, "adjoint of the intermediate output b")
}

func TestForwardDirections(t *testing.T) {
	tp := aad.NewTape(0)
	x := vars(tp, sampleX)
	y := sample(tp, x)
	g := tp.Gradient(nil, y, x)
	for i := range x {
		tp.ClearTangents()
		tp.SetTangent(x[i], 1)
		tp.Forward()
		testutil.Near(t, tp.Tangent(y), g[i], 1e-14, 1e-300, "forward with unit seed %d", i)
		assert.Equal(t, 1.0, tp.Tangent(x[i]), "tangent of the seeded variable")
	}
	// A direction: the tangent is g·d.
	d := []float64{0.3, -1, 2, 0.5, -0.25}
	tp.ClearTangents()
	want := 0.0
	for i := range x {
		tp.SetTangent(x[i], d[i])
		want += g[i] * d[i]
	}
	tp.Forward()
	testutil.Near(t, tp.Tangent(y), want, 1e-13, 1e-15, "forward along d")
	assert.Equal(t, 0.0, tp.Tangent(aad.Const(1)), "tangent of a passive number")

	// ClearTangents forgets the seeds.
	tp.ClearTangents()
	tp.Forward()
	assert.Equal(t, 0.0, tp.Tangent(y), "forward after ClearTangents: got %v, want 0", tp.Tangent(y))
}

// TestForwardUnseededInfinitePartial: an input whose tangent is zero
// contributes nothing to a forward sweep, even where its partial is
// infinite, as in the backward sweep. y = x + √z at z = 0: ∂y/∂x = 1.
func TestForwardUnseededInfinitePartial(t *testing.T) {
	tp := aad.NewTape(0)
	x, z := tp.Var(1), tp.Var(0)
	y := tp.Add(x, tp.Sqrt(z))
	g := tp.Gradient(nil, y, []aad.Number{x, z})
	assert.Equal(t, 1.0, g[0], "backward ∂y/∂x: got %v, want 1", g[0])
	tp.SetTangent(x, 1)
	tp.Forward()
	testutil.Near(t, tp.Tangent(y), 1, 0, 0, "forward ∂y/∂x with the seed on x only")
}

// TestBackwardUnusedInfinitePartial: a statement the output does not
// depend on has a zero adjoint and contributes nothing to the backward
// sweep, even where its partial is infinite (√ at 0) or NaN (log of a
// negative number).
func TestBackwardUnusedInfinitePartial(t *testing.T) {
	tp := aad.NewTape(0)
	x, z, n := tp.Var(3), tp.Var(0), tp.Var(-1)
	_ = tp.Sqrt(z) // recorded, unused
	_ = tp.Log(n)  // recorded, unused
	y := tp.MulConst(x, 2)
	_ = tp.Mul(tp.Sqrt(z), y) // recorded after y, unused
	g := tp.Gradient(nil, y, []aad.Number{x, z, n})
	assert.Equal(t, []float64{2, 0, 0}, g, "gradient: got %v, want [2 0 0]", g)
	for i, v := range []aad.Number{x, z, n} {
		tp.ClearTangents()
		tp.SetTangent(v, 1)
		tp.Forward()
		testutil.Near(t, tp.Tangent(y), g[i], 0, 0, "forward ∂y/∂input %d", i)
	}
}

func TestNumber(t *testing.T) {
	assert.Equal(t, aad.Number{}, aad.Const(0), "zero Number: got %v, want Const(0)", aad.Number{})
	c := aad.Const(1.5)
	assert.Equal(t, 1.5, c.Value(), "Const value")
	assert.False(t, c.Active(), "Const active: got true, want false")
	assert.Equal(t, "1.5", c.String(), "Const String")
	assert.Equal(t, "1e+21", aad.Const(1e21).String(), "Const String")
	assert.Equal(t, "NaN", aad.Const(math.NaN()).String(), "Const String")
	assert.Equal(t, "-Inf", aad.Const(math.Inf(-1)).String(), "Const String")

	tp := aad.NewTape(0)
	x := tp.Var(2.5)
	assert.True(t, x.Active(), "Var active: got false, want true")
	assert.Equal(t, 2.5, x.Value(), "Var value")
	assert.Equal(t, "2.5*", x.String(), "active String")
	assert.Equal(t, "2.5*", fmt.Sprint(x), "fmt of an active Number")
	assert.Equal(t, "-0.125*", tp.MulConst(x, -0.05).String(), "active String")
	assert.Equal(t, 0.0, tp.Adjoint(c), "adjoint of a passive number")
}

// ---------------------------------------------------------------------------
// Misuse.

func TestMisuseAnotherTape(t *testing.T) {
	t1, t2 := aad.NewTape(0), aad.NewTape(0)
	a := t1.Var(1)
	b := t2.Var(2)
	_ = t2.Var(3)
	_ = t2.Var(4) // t2 is longer than a's index, so only the tag can tell
	c := aad.Const(1)
	const want = "another tape"
	uses := map[string]func(){
		"Add first":                    func() { t2.Add(a, b) },
		"Add second":                   func() { t2.Add(b, a) },
		"Add passive":                  func() { t2.Add(c, a) },
		"Exp":                          func() { t2.Exp(a) },
		"MulAdd first":                 func() { t2.MulAdd(a, b, b) },
		"MulAdd last":                  func() { t2.MulAdd(b, b, a) },
		"Sum":                          func() { t2.Sum(b, a) },
		"Dot":                          func() { t2.Dot([]aad.Number{b}, []aad.Number{a}) },
		"DotConst":                     func() { t2.DotConst([]aad.Number{b, a}, []float64{1, 2}) },
		"Custom":                       func() { t2.Custom(1, []aad.Number{b, a}, []float64{1, 2}) },
		"SmoothStep":                   func() { t2.SmoothStep(a, 10) },
		"SmoothMax":                    func() { t2.SmoothMax(a, b, 10) },
		"Adjoint":                      func() { t2.Adjoint(a) },
		"SetAdjoint":                   func() { t2.SetAdjoint(a, 1) },
		"Tangent":                      func() { t2.Tangent(a) },
		"SetTangent":                   func() { t2.SetTangent(a, 1) },
		"Gradient y":                   func() { t2.Gradient(nil, a, []aad.Number{b}) },
		"Gradient xs":                  func() { t2.Gradient(nil, b, []aad.Number{a}) },
		"Gradient xs after valid ones": func() { t2.Gradient(nil, b, []aad.Number{c, b, a}) },
		"Gradient xs with passive y":   func() { t2.Gradient(nil, c, []aad.Number{b, a}) },
	}
	for name, f := range uses {
		n := t2.Len()
		assertPanicsContaining(t, want, f, "%s with a Number of another tape", name)
		assert.Equal(t, n, t2.Len(), "%s with a Number of another tape: statements recorded: got %d, want %d", name, t2.Len(), n)
	}
}

func TestMisuseBeforeReset(t *testing.T) {
	tp := aad.NewTape(0)
	x := tp.Var(1)
	y := tp.Exp(x)
	tp.Reset()
	for range 5 {
		tp.Var(0) // the tape grows past the old indices
	}
	const want = "before a Reset"
	assertPanicsContaining(t, want, func() { tp.Exp(y) }, "Exp of a Number from before Reset")
	assertPanicsContaining(t, want, func() { tp.Add(tp.Var(1), x) }, "Add of a Number from before Reset")
	assertPanicsContaining(t, want, func() { tp.Sum(x) }, "Sum of a Number from before Reset")
	assertPanicsContaining(t, want, func() { tp.Adjoint(y) }, "Adjoint of a Number from before Reset")
	assertPanicsContaining(t, want, func() { tp.SetAdjoint(y, 1) }, "SetAdjoint of a Number from before Reset")

	// A mark from before a Reset.
	m := tp.Mark()
	tp.Reset()
	tp.Var(1)
	assertPanicsContaining(t, "mark", func() { tp.RewindToMark(m) }, "RewindToMark to a mark from before Reset")
	assertPanicsContaining(t, "mark", func() { tp.BackwardToMark(m) }, "BackwardToMark to a mark from before Reset")
}

func TestMisuseAfterRewind(t *testing.T) {
	const want = "after the mark"
	t.Run("immediately", func(t *testing.T) {
		tp := aad.NewTape(0)
		x := tp.Var(1)
		m := tp.Mark()
		y := tp.Exp(x)
		z := tp.Exp(y)
		tp.RewindToMark(m)
		assertPanicsContaining(t, want, func() { tp.Exp(y) }, "Exp of a Number recorded after the mark")
		assertPanicsContaining(t, want, func() { tp.Add(x, z) }, "Add of a Number recorded after the mark")
		assertPanicsContaining(t, want, func() { tp.SetAdjoint(y, 1) }, "SetAdjoint of a Number recorded after the mark")
		assertPanicsContaining(t, want, func() { tp.Adjoint(z) }, "Adjoint of a Number recorded after the mark")
		assertPanicsContaining(t, want, func() { tp.Gradient(nil, x, []aad.Number{z}) }, "Gradient over a Number recorded after the mark")
		assert.NotPanics(t, func() { tp.Exp(x) }, "a Number from before the mark stays valid")
	})
	t.Run("after the next path has grown past it", func(t *testing.T) {
		// The Monte Carlo mistake: a Number of the previous path used in
		// the next one, which has recorded as many statements. Its index
		// names a live statement again, and the package documents that it
		// is not caught; this pins that documented limit, so that a change
		// that starts catching it updates the documentation too.
		tp := aad.NewTape(0)
		x := tp.Var(1)
		m := tp.Mark()
		prev := tp.Exp(x)
		tp.RewindToMark(m)
		cur := tp.Sin(x)
		require.Equal(t, prev.Value(), math.Exp(1))
		require.NotEqual(t, prev.Value(), cur.Value())
		assert.NotPanics(t, func() { tp.Add(cur, prev) },
			"Add of a Number of the previous path whose index the current path reuses: documented as not caught")
	})
	t.Run("stale mark after the tape has grown past it", func(t *testing.T) {
		tp := aad.NewTape(0)
		x := tp.Var(1)
		m1 := tp.Mark()
		tp.Exp(x)
		m2 := tp.Mark()
		tp.RewindToMark(m1)
		v := tp.Var(5)
		tp.Var(6) // the tape is as long as at m2 again, with other statements
		if !assertPanicsContaining(t, "mark", func() { tp.RewindToMark(m2) }, "rewind to a mark recorded after the one rewound to") {
			// Without the panic the tape must at least stay consistent: v
			// is still a variable, y = v·x.
			y := tp.Mul(v, x)
			g := tp.Gradient(nil, y, []aad.Number{x, v})
			testutil.Near(t, g[0], 5, 1e-15, 0, "∂(v·x)/∂x recorded after the stale rewind")
			testutil.Near(t, g[1], 1, 1e-15, 0, "∂(v·x)/∂v recorded after the stale rewind")
		}
	})
	t.Run("stale mark", func(t *testing.T) {
		tp := aad.NewTape(0)
		x := tp.Var(1)
		m1 := tp.Mark()
		tp.Exp(x)
		m2 := tp.Mark()
		tp.RewindToMark(m1)
		assertPanicsContaining(t, "mark", func() { tp.RewindToMark(m2) }, "rewind to a mark past the end")
		assertPanicsContaining(t, "mark", func() { tp.BackwardToMark(m2) }, "BackwardToMark to a mark past the end")
	})
}

func TestMisuseNilTape(t *testing.T) {
	src := aad.NewTape(0)
	pos, neg, zero := src.Var(2), src.Var(-2), src.Var(0)
	c := aad.Const(1)
	var tp *aad.Tape
	const want = "nil tape"
	uses := map[string]func(){
		"Add": func() { tp.Add(c, pos) }, "Sub": func() { tp.Sub(pos, c) }, "Mul": func() { tp.Mul(pos, pos) },
		"Div": func() { tp.Div(c, pos) }, "Neg": func() { tp.Neg(pos) },
		"AddConst": func() { tp.AddConst(pos, 1) }, "SubConst": func() { tp.SubConst(pos, 1) },
		"ConstSub": func() { tp.ConstSub(1, pos) }, "MulConst": func() { tp.MulConst(pos, 2) },
		"DivConst": func() { tp.DivConst(pos, 2) }, "ConstDiv": func() { tp.ConstDiv(1, pos) },
		"Square": func() { tp.Square(pos) }, "Exp": func() { tp.Exp(pos) }, "Log": func() { tp.Log(pos) },
		"Sqrt": func() { tp.Sqrt(pos) }, "Pow": func() { tp.Pow(c, pos) }, "PowConst": func() { tp.PowConst(pos, 2) },
		"Abs(positive)": func() { tp.Abs(pos) }, "Abs(negative)": func() { tp.Abs(neg) }, "Abs(zero)": func() { tp.Abs(zero) },
		"Min": func() { tp.Min(c, pos) }, "Max": func() { tp.Max(pos, c) },
		"Sin": func() { tp.Sin(pos) }, "Cos": func() { tp.Cos(pos) }, "Erf": func() { tp.Erf(pos) },
		"Erfc": func() { tp.Erfc(pos) }, "NormCDF": func() { tp.NormCDF(pos) }, "NormPDF": func() { tp.NormPDF(pos) },
		"MulAdd": func() { tp.MulAdd(c, c, pos) }, "MulExp": func() { tp.MulExp(c, pos) },
		"Sum": func() { tp.Sum(c, pos) }, "Dot": func() { tp.Dot([]aad.Number{c}, []aad.Number{pos}) },
		"DotConst":           func() { tp.DotConst([]aad.Number{c, pos}, []float64{1, 2}) },
		"Custom":             func() { tp.Custom(1, []aad.Number{pos}, []float64{1}) },
		"SmoothStep(inside)": func() { tp.SmoothStep(pos, 10) }, "SmoothStep(outside)": func() { tp.SmoothStep(pos, 1) },
		"SmoothMax(inside)": func() { tp.SmoothMax(pos, c, 10) }, "SmoothMax(outside)": func() { tp.SmoothMax(pos, c, 0.1) },
		"SetAdjoint": func() { tp.SetAdjoint(pos, 1) }, "Adjoint": func() { tp.Adjoint(pos) },
		"SetTangent": func() { tp.SetTangent(pos, 1) }, "Tangent": func() { tp.Tangent(pos) },
		"Gradient":                  func() { tp.Gradient(nil, pos, []aad.Number{pos}) },
		"Gradient of an active y":   func() { tp.Gradient(nil, pos, []aad.Number{c}) },
		"Gradient over an active x": func() { tp.Gradient(nil, c, []aad.Number{c, pos}) },
	}
	for name, f := range uses {
		assertPanicsContaining(t, want, f, "%s on a nil tape with an active Number", name)
	}
}

// A seed on a passive Number does nothing: it records nothing, and the
// sweeps give what they give without it.
func TestPassiveSeed(t *testing.T) {
	tp := aad.NewTape(0)
	x := tp.Var(2)
	y := tp.Mul(x, x)
	n := tp.Len()
	c := aad.Const(3)

	tp.SetAdjoint(y, 1)
	assert.NotPanics(t, func() { tp.SetAdjoint(c, 7) }, "SetAdjoint of a passive Number")
	assert.Equal(t, n, tp.Len(), "SetAdjoint of a passive Number: statements: got %d, want %d", tp.Len(), n)
	tp.Backward()
	testutil.Near(t, tp.Adjoint(x), 4, 0, 0, "∂(x²)/∂x with a passive seed beside the real one")
	assert.Zero(t, tp.Adjoint(c), "Adjoint of the seeded passive Number: got %v, want 0", tp.Adjoint(c))

	tp.SetTangent(x, 1)
	assert.NotPanics(t, func() { tp.SetTangent(c, 5) }, "SetTangent of a passive Number")
	tp.Forward()
	testutil.Near(t, tp.Tangent(y), 4, 0, 0, "tangent of x² with a passive seed beside the real one")
	assert.Zero(t, tp.Tangent(c), "Tangent of the seeded passive Number: got %v, want 0", tp.Tangent(c))

	// Only the passive case is lenient: an active Number the tape cannot
	// use still panics.
	other := aad.NewTape(0).Var(1)
	assertPanicsContaining(t, "another tape", func() { tp.SetAdjoint(other, 1) }, "SetAdjoint of a Number of another tape")
	assertPanicsContaining(t, "another tape", func() { tp.SetTangent(other, 1) }, "SetTangent of a Number of another tape")
}

// TestMarkPassivePayoffs prices a European call by the mark pattern, where
// every path that ends out of the money has the passive payoff Const(0),
// seeded without a check of Active, and compares the price and its
// gradient with Black–Scholes. The normals are the quantiles of an even
// grid, so the estimate is a quadrature whose error is far below the
// tolerance; a passive seed that reached any statement would not be.
func TestMarkPassivePayoffs(t *testing.T) {
	const s, k, sigma, r, T, paths = 100.0, 100.0, 0.2, 0.05, 1.0, 10_000
	run := func(checkActive bool) (pv float64, g [3]float64, passive int) {
		tp := aad.NewTape(0)
		s0, vol, rate := tp.Var(s), tp.Var(sigma), tp.Var(r)
		drift := tp.MulConst(tp.Sub(rate, tp.MulConst(tp.Square(vol), 0.5)), T)
		volT := tp.MulConst(vol, math.Sqrt(T))
		df := tp.Exp(tp.MulConst(rate, -T))
		dfK := tp.MulConst(df, k)
		mark := tp.Mark()
		for i := range paths {
			tp.RewindToMark(mark)
			z := math.Sqrt2 * math.Erfinv(2*(float64(i)+0.5)/paths-1)
			st := tp.MulExp(s0, tp.Add(drift, tp.MulConst(volT, z)))
			payoff := tp.Max(tp.Sub(tp.Mul(df, st), dfK), aad.Const(0))
			if !payoff.Active() {
				passive++
			}
			if !checkActive || payoff.Active() {
				tp.SetAdjoint(payoff, 1.0/paths)
			}
			tp.BackwardToMark(mark)
			pv += payoff.Value() / paths
		}
		tp.BackwardFromMark(mark)
		return pv, [3]float64{tp.Adjoint(s0), tp.Adjoint(vol), tp.Adjoint(rate)}, passive
	}
	pv, g, passive := run(false)

	// Black–Scholes without dividends.
	ncdf := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	d1 := (math.Log(s/k) + (r+sigma*sigma/2)*T) / (sigma * math.Sqrt(T))
	d2 := d1 - sigma*math.Sqrt(T)
	disc := math.Exp(-r * T)
	wantPV := s*ncdf(d1) - k*disc*ncdf(d2)
	want := [3]float64{ncdf(d1), s * math.Exp(-d1*d1/2) / math.Sqrt(2*math.Pi) * math.Sqrt(T), k * T * disc * ncdf(d2)}

	// About N(−d2) of the paths end out of the money.
	testutil.Near(t, float64(passive)/paths, ncdf(-d2), 0, 1e-3, "share of passive payoffs")
	testutil.Near(t, pv, wantPV, 5e-4, 0, "pv")
	for i, name := range []string{"delta", "vega", "rho"} {
		testutil.Near(t, g[i], want[i], 5e-4, 0, "%s with passive payoffs seeded", name)
	}

	// Checking Active before seeding changes nothing, bit for bit.
	pv2, g2, _ := run(true)
	assertSameBits(t, pv, pv2, "pv with and without the Active check")
	for i := range g {
		assertSameBits(t, g[i], g2[i], "gradient %d with and without the Active check", i)
	}
}

func TestMisuseLengths(t *testing.T) {
	tp := aad.NewTape(0)
	x := tp.Var(1)
	for _, on := range []*aad.Tape{tp, nil} {
		assertPanicsContaining(t, "Dot of slices of different lengths", func() {
			on.Dot([]aad.Number{aad.Const(1), aad.Const(2)}, []aad.Number{aad.Const(1)})
		}, "Dot of lengths 2 and 1")
		assertPanicsContaining(t, "Dot of slices of different lengths", func() {
			on.Dot(nil, []aad.Number{aad.Const(1)})
		}, "Dot of lengths 0 and 1")
		assertPanicsContaining(t, "DotConst of slices of different lengths", func() {
			on.DotConst([]aad.Number{aad.Const(1)}, []float64{1, 2})
		}, "DotConst of lengths 1 and 2")
		assertPanicsContaining(t, "Custom with different numbers", func() {
			on.Custom(1, []aad.Number{aad.Const(1)}, nil)
		}, "Custom with 1 arg and 0 partials")
	}
	assertPanicsContaining(t, "Custom with different numbers", func() {
		tp.Custom(1, []aad.Number{x, x}, []float64{1})
	}, "Custom with 2 args and 1 partial")
	assert.Equal(t, 1, tp.Len(), "statements after the panics: got %d, want 1", tp.Len())
}

func TestMisuseMarkFromAnotherTape(t *testing.T) {
	t1, t2 := aad.NewTape(0), aad.NewTape(0)
	t1.Var(1)
	t2.Var(1)
	t2.Var(2)
	m := t1.Mark()
	const want = "mark from another tape"
	assertPanicsContaining(t, want, func() { t2.RewindToMark(m) }, "RewindToMark")
	assertPanicsContaining(t, want, func() { t2.BackwardToMark(m) }, "BackwardToMark")
	assertPanicsContaining(t, want, func() { t2.BackwardFromMark(m) }, "BackwardFromMark")
	var nilTape *aad.Tape
	assertPanicsContaining(t, want, func() { t2.RewindToMark(nilTape.Mark()) }, "RewindToMark to a nil tape's mark")
}
