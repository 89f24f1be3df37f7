package aad_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// ---------------------------------------------------------------------------
// Helpers shared by the test files of this package.

// sameBits reports whether a and b are the same float64 bit for bit, any
// NaN matching any NaN.
func sameBits(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// assertSameBits checks sameBits(got, want) and reports "got X, want Y".
func assertSameBits(t testing.TB, got, want float64, what string, args ...any) bool {
	t.Helper()
	if sameBits(got, want) {
		return true
	}
	return assert.Failf(t, fmt.Sprintf(what, args...), "got %.17g, want %.17g bit for bit", got, want)
}

// vars records xs as variables on tp.
func vars(tp *aad.Tape, xs []float64) []aad.Number {
	out := make([]aad.Number, len(xs))
	for i, x := range xs {
		out[i] = tp.Var(x)
	}
	return out
}

// consts returns xs as passive constants.
func consts(xs []float64) []aad.Number {
	out := make([]aad.Number, len(xs))
	for i, x := range xs {
		out[i] = aad.Const(x)
	}
	return out
}

// assertPanicsContaining checks that f panics with a string (or error)
// containing want.
func assertPanicsContaining(t testing.TB, want string, f func(), what string, args ...any) bool {
	t.Helper()
	msg := fmt.Sprintf(what, args...)
	var (
		got      any
		panicked bool
	)
	func() {
		defer func() {
			if r := recover(); r != nil {
				got, panicked = r, true
			}
		}()
		f()
	}()
	if !panicked {
		return assert.Failf(t, msg, "got no panic, want a panic containing %q", want)
	}
	var s string
	switch v := got.(type) {
	case string:
		s = v
	case error:
		s = v.Error()
	default:
		s = fmt.Sprint(v)
	}
	if !strings.Contains(s, want) {
		return assert.Failf(t, msg, "got panic %q, want a panic containing %q", s, want)
	}
	return true
}

// ---------------------------------------------------------------------------
// The table of operations.

// point is an argument vector of an operation. noFD skips the finite
// difference check where it cannot work (kinks within a step, infinities,
// subnormal values).
type point struct {
	x    []float64
	noFD bool
}

func pt(x ...float64) point     { return point{x: x} }
func ptNoFD(x ...float64) point { return point{x: x, noFD: true} }

// opCase is one operation under test: how to record it on a tape, its value
// by package math and its analytic gradient.
type opCase struct {
	name string
	rec  func(tp *aad.Tape, x []aad.Number) aad.Number
	f    func(x []float64) float64
	df   func(x []float64) []float64
	// records reports whether the operation records a statement at x when
	// an argument is active; nil means it always does. Operations that
	// return one of their arguments, or a constant, record nothing.
	records func(x []float64) bool
	pts     []point
	// valAbs is an absolute floor for the value check where the formula
	// cancels (the smoothed step near its ends).
	valAbs float64
}

const (
	cAdd  = 2.5
	cMul  = -3.5
	cDiv  = 0.25
	width = 0.5
)

var dotW = []float64{0.5, -2, 3}

func sign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func phi(x float64) float64 { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }

// smoothStepRef and smoothMaxRef are the documented formulas, with their
// derivatives.
func smoothStepRef(a, w float64) (v, d float64) {
	if w <= 0 || a <= -w || a >= w {
		if a > 0 {
			return 1, 0
		}
		return 0, 0
	}
	u := a / w
	return 0.5 + 0.75*u - 0.25*u*u*u, (0.75 - 0.75*u*u) / w
}

func smoothMaxRef(a, b, w float64) (v, da, db float64) {
	d := a - b
	if w <= 0 || d <= -w || d >= w {
		if a >= b {
			return a, 1, 0
		}
		return b, 0, 1
	}
	u := d / w
	g := 3.0/16 + u/2 + 3*u*u/8 - u*u*u*u/16
	h := 0.5 + 0.75*u - 0.25*u*u*u
	return b + w*g, h, 1 - h
}

func powConstCase(c float64, pts ...point) opCase {
	return opCase{
		name: fmt.Sprintf("PowConst(c=%g)", c),
		rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.PowConst(x[0], c) },
		f:    func(x []float64) float64 { return math.Pow(x[0], c) },
		df:   func(x []float64) []float64 { return []float64{c * math.Pow(x[0], c-1)} },
		pts:  pts,
	}
}

func opCases() []opCase {
	// A point where one argument is absorbed by another in rounding gets
	// no finite difference check: the difference would be 0.
	binPts := []point{pt(1.5, -2.25), pt(0, 0), pt(-3e200, 1e200), ptNoFD(1e-300, 2), pt(-0.75, 4)}
	unPts := []point{pt(1.5), pt(0), pt(-2.25), pt(-1e300), ptNoFD(7e-300)}
	scalePts := []point{pt(1.5), pt(0), pt(-2.25), pt(-1e300), pt(7e-300)}
	return []opCase{
		{
			name: "Add",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Add(x[0], x[1]) },
			f:    func(x []float64) float64 { return x[0] + x[1] },
			df:   func(x []float64) []float64 { return []float64{1, 1} },
			pts:  binPts,
		},
		{
			name: "Sub",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Sub(x[0], x[1]) },
			f:    func(x []float64) float64 { return x[0] - x[1] },
			df:   func(x []float64) []float64 { return []float64{1, -1} },
			pts:  binPts,
		},
		{
			name: "Mul",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Mul(x[0], x[1]) },
			f:    func(x []float64) float64 { return x[0] * x[1] },
			df:   func(x []float64) []float64 { return []float64{x[1], x[0]} },
			pts:  []point{pt(1.5, -2.25), pt(0, 3), pt(-1e150, 1e100), pt(1e-200, 1e-100), pt(-0.5, -0.25)},
		},
		{
			name: "Div",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Div(x[0], x[1]) },
			f:    func(x []float64) float64 { return x[0] / x[1] },
			df:   func(x []float64) []float64 { return []float64{1 / x[1], -x[0] / (x[1] * x[1])} },
			pts:  []point{pt(1.5, -2.25), pt(0, 3), pt(-7, 1e-3), pt(1e200, -1e100), pt(3e-200, 2e100)},
		},
		{
			name: "Neg",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Neg(x[0]) },
			f:    func(x []float64) float64 { return -x[0] },
			df:   func(x []float64) []float64 { return []float64{-1} },
			pts:  scalePts,
		},
		{
			name: "AddConst",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.AddConst(x[0], cAdd) },
			f:    func(x []float64) float64 { return x[0] + cAdd },
			df:   func(x []float64) []float64 { return []float64{1} },
			pts:  unPts,
		},
		{
			name: "SubConst",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.SubConst(x[0], cAdd) },
			f:    func(x []float64) float64 { return x[0] - cAdd },
			df:   func(x []float64) []float64 { return []float64{1} },
			pts:  unPts,
		},
		{
			name: "ConstSub",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.ConstSub(cAdd, x[0]) },
			f:    func(x []float64) float64 { return cAdd - x[0] },
			df:   func(x []float64) []float64 { return []float64{-1} },
			pts:  unPts,
		},
		{
			name: "MulConst",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.MulConst(x[0], cMul) },
			f:    func(x []float64) float64 { return x[0] * cMul },
			df:   func(x []float64) []float64 { return []float64{cMul} },
			pts:  scalePts,
		},
		{
			name: "DivConst",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.DivConst(x[0], cDiv) },
			f:    func(x []float64) float64 { return x[0] / cDiv },
			df:   func(x []float64) []float64 { return []float64{1 / cDiv} },
			pts:  scalePts,
		},
		{
			name: "ConstDiv",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.ConstDiv(cAdd, x[0]) },
			f:    func(x []float64) float64 { return cAdd / x[0] },
			df:   func(x []float64) []float64 { return []float64{-cAdd / (x[0] * x[0])} },
			pts:  []point{pt(1.5), pt(-2.25), pt(1e-3), pt(-1e150), pt(1e-150)},
		},
		{
			name: "Square",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Square(x[0]) },
			f:    func(x []float64) float64 { return x[0] * x[0] },
			df:   func(x []float64) []float64 { return []float64{2 * x[0]} },
			pts:  []point{pt(1.5), pt(0), pt(-2.25), pt(-1e150), pt(3e-150)},
		},
		{
			name: "Exp",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Exp(x[0]) },
			f:    func(x []float64) float64 { return math.Exp(x[0]) },
			df:   func(x []float64) []float64 { return []float64{math.Exp(x[0])} },
			pts:  []point{pt(0), pt(1.5), pt(-30), pt(200), pt(-200), ptNoFD(709), ptNoFD(-700)},
		},
		{
			name: "Log",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Log(x[0]) },
			f:    func(x []float64) float64 { return math.Log(x[0]) },
			df:   func(x []float64) []float64 { return []float64{1 / x[0]} },
			pts:  []point{pt(1), pt(0.5), pt(1e-300), pt(1e300), pt(math.E)},
		},
		{
			name: "Sqrt",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Sqrt(x[0]) },
			f:    func(x []float64) float64 { return math.Sqrt(x[0]) },
			df:   func(x []float64) []float64 { return []float64{0.5 / math.Sqrt(x[0])} },
			pts:  []point{pt(4), pt(0.01), pt(1e-300), pt(1e300), pt(2)},
		},
		{
			name: "Pow",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Pow(x[0], x[1]) },
			f:    func(x []float64) float64 { return math.Pow(x[0], x[1]) },
			df: func(x []float64) []float64 {
				a, b := x[0], x[1]
				return []float64{b * math.Pow(a, b-1), math.Pow(a, b) * math.Log(a)}
			},
			pts: []point{pt(2, 3), pt(1.5, -0.7), pt(0.3, 2.5), pt(100, 0.5), pt(1e100, 2.5), pt(1e-100, -1.5)},
		},
		powConstCase(2.5, pt(0.3), pt(2), pt(1e100), pt(1e-100)),
		powConstCase(-1.5, pt(0.5), pt(3), pt(1e-100)),
		// At 0 the truncation error h² of x³'s difference swamps its zero slope.
		powConstCase(3, pt(-2), ptNoFD(0), pt(1.5), pt(-1e100)),
		powConstCase(0.5, pt(4), pt(1e-300)),
		powConstCase(0, pt(2), pt(-3)),
		powConstCase(1, pt(2), pt(-3), pt(0)),
		{
			name:    "Abs",
			rec:     func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Abs(x[0]) },
			f:       func(x []float64) float64 { return math.Abs(x[0]) },
			df:      func(x []float64) []float64 { return []float64{sign(x[0])} },
			records: func(x []float64) bool { return x[0] < 0 },
			pts:     []point{pt(1.5), pt(-2.5), pt(-1e300), pt(1e300), ptNoFD(-1e-300), ptNoFD(1e-300)},
		},
		{
			name: "Min",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Min(x[0], x[1]) },
			f:    func(x []float64) float64 { return math.Min(x[0], x[1]) },
			df: func(x []float64) []float64 {
				if x[0] <= x[1] {
					return []float64{1, 0}
				}
				return []float64{0, 1}
			},
			records: func([]float64) bool { return false },
			pts:     []point{pt(1, 2), pt(2, 1), pt(-3, -1e300), pt(1e300, -1e300), pt(-0.5, 0.25)},
		},
		{
			name: "Max",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Max(x[0], x[1]) },
			f:    func(x []float64) float64 { return math.Max(x[0], x[1]) },
			df: func(x []float64) []float64 {
				if x[0] >= x[1] {
					return []float64{1, 0}
				}
				return []float64{0, 1}
			},
			records: func([]float64) bool { return false },
			pts:     []point{pt(1, 2), pt(2, 1), pt(-3, -1e300), pt(1e300, -1e300), pt(-0.5, 0.25)},
		},
		{
			name: "Sin",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Sin(x[0]) },
			f:    func(x []float64) float64 { return math.Sin(x[0]) },
			df:   func(x []float64) []float64 { return []float64{math.Cos(x[0])} },
			pts:  []point{pt(0), pt(1), pt(-2.5), pt(math.Pi / 2), pt(100), ptNoFD(1e300)},
		},
		{
			name: "Cos",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Cos(x[0]) },
			f:    func(x []float64) float64 { return math.Cos(x[0]) },
			df:   func(x []float64) []float64 { return []float64{-math.Sin(x[0])} },
			pts:  []point{pt(0), pt(1), pt(-2.5), pt(math.Pi), pt(100), ptNoFD(1e300)},
		},
		{
			name: "Erf",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Erf(x[0]) },
			f:    func(x []float64) float64 { return math.Erf(x[0]) },
			df:   func(x []float64) []float64 { return []float64{2 / math.SqrtPi * math.Exp(-x[0]*x[0])} },
			pts:  []point{pt(0), pt(0.5), pt(-1.3), pt(3), pt(30), pt(-1e300)},
		},
		{
			name: "Erfc",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Erfc(x[0]) },
			f:    func(x []float64) float64 { return math.Erfc(x[0]) },
			df:   func(x []float64) []float64 { return []float64{-2 / math.SqrtPi * math.Exp(-x[0]*x[0])} },
			pts:  []point{pt(0), pt(0.5), pt(-1.3), pt(3), pt(10), ptNoFD(20), pt(1e300)},
		},
		{
			name: "NormCDF",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.NormCDF(x[0]) },
			// Φ correctly rounded (40-digit values): 0.5·erfc(−x/√2) in
			// package math loses x²·ε of relative accuracy in the tail to the
			// rounding of x/√2 (1e-13 at −30).
			f: func(x []float64) float64 {
				return map[float64]float64{0: 0.5, 1.2: 0.8849303297782917, -3: 0.0013498980316300946, -20: 2.7536241186062337e-89,
					-30: 4.906713927148187e-198, -38: 2.88542835e-316, 40: 1}[x[0]]
			},
			df:  func(x []float64) []float64 { return []float64{phi(x[0])} },
			pts: []point{pt(0), pt(1.2), pt(-3), pt(-20), ptNoFD(-30), ptNoFD(-38), pt(40)},
		},
		{
			name: "NormPDF",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.NormPDF(x[0]) },
			f:    func(x []float64) float64 { return phi(x[0]) },
			df:   func(x []float64) []float64 { return []float64{-x[0] * phi(x[0])} },
			pts:  []point{pt(0), pt(1.2), pt(-3), pt(20), ptNoFD(30), pt(1e300)},
		},
		{
			name: "MulAdd",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.MulAdd(x[0], x[1], x[2]) },
			f:    func(x []float64) float64 { return float64(x[0]*x[1]) + x[2] },
			df:   func(x []float64) []float64 { return []float64{x[1], x[0], 1} },
			pts:  []point{pt(1.5, -2, 0.25), pt(0, 0, 0), pt(1e100, 1e100, -1e199), pt(-3, 0.5, 7)},
		},
		{
			name: "MulExp",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.MulExp(x[0], x[1]) },
			f:    func(x []float64) float64 { return x[0] * math.Exp(x[1]) },
			df: func(x []float64) []float64 {
				e := math.Exp(x[1])
				return []float64{e, x[0] * e}
			},
			pts: []point{pt(1.5, 0.3), pt(-2, -1), pt(0, 5), pt(1e100, 100), pt(3, -200), ptNoFD(3, -700)},
		},
		{
			name: "Sum",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Sum(x...) },
			f: func(x []float64) float64 {
				s := 0.0
				for _, v := range x {
					s += v
				}
				return s
			},
			df:  func(x []float64) []float64 { return []float64{1, 1, 1, 1} },
			pts: []point{pt(1, 2, 3, 4), ptNoFD(-1.5, 0, 2.25, 1e-300), pt(1e300, -1e300, 1, 0.5)},
		},
		{
			name: "Dot",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Dot(x[:3], x[3:]) },
			f: func(x []float64) float64 {
				s := 0.0
				for i := range 3 {
					s += x[i] * x[3+i]
				}
				return s
			},
			df: func(x []float64) []float64 {
				return []float64{x[3], x[4], x[5], x[0], x[1], x[2]}
			},
			pts: []point{pt(1, 2, 3, 4, 5, 6), pt(-1.5, 0, 2.25, 0.5, -3, 1e-3), ptNoFD(1e100, -1e100, 1, 1e50, 2e50, 3)},
		},
		{
			name: "DotConst",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.DotConst(x, dotW) },
			f: func(x []float64) float64 {
				s := 0.0
				for i, v := range x {
					s += v * dotW[i]
				}
				return s
			},
			df:  func(x []float64) []float64 { return append([]float64(nil), dotW...) },
			pts: []point{pt(1, 2, 3), pt(-1.5, 0, 2.25), ptNoFD(1e300, 1, -1e-300)},
		},
		{
			// v = x0·sin x1 + x2², partials supplied by hand.
			name: "Custom",
			rec: func(tp *aad.Tape, x []aad.Number) aad.Number {
				a, b, c := x[0].Value(), x[1].Value(), x[2].Value()
				return tp.Custom(a*math.Sin(b)+c*c, x, []float64{math.Sin(b), a * math.Cos(b), 2 * c})
			},
			f: func(x []float64) float64 { return x[0]*math.Sin(x[1]) + x[2]*x[2] },
			df: func(x []float64) []float64 {
				return []float64{math.Sin(x[1]), x[0] * math.Cos(x[1]), 2 * x[2]}
			},
			pts: []point{pt(1, 2, 3), pt(-1.5, 0, 2.25), pt(2, -0.5, 0)},
		},
		{
			name: "SmoothStep",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.SmoothStep(x[0], width) },
			f: func(x []float64) float64 {
				v, _ := smoothStepRef(x[0], width)
				return v
			},
			df: func(x []float64) []float64 {
				_, d := smoothStepRef(x[0], width)
				return []float64{d}
			},
			records: func(x []float64) bool { return math.Abs(x[0]) < width },
			valAbs:  1e-15,
			pts:     []point{pt(-1), pt(-0.3), pt(0), pt(0.2), pt(0.49), pt(-0.49), pt(1), pt(1e300)},
		},
		{
			name: "SmoothMax",
			rec:  func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.SmoothMax(x[0], x[1], width) },
			f: func(x []float64) float64 {
				v, _, _ := smoothMaxRef(x[0], x[1], width)
				return v
			},
			df: func(x []float64) []float64 {
				_, da, db := smoothMaxRef(x[0], x[1], width)
				return []float64{da, db}
			},
			records: func(x []float64) bool { return math.Abs(x[0]-x[1]) < width },
			valAbs:  1e-15,
			pts:     []point{pt(1, 0.8), pt(0.8, 1), pt(1, 1), pt(2, 0), pt(0, 2), pt(-0.1, 0.3), pt(-1e300, 1e300)},
		},
	}
}

// Tolerances of the operation table.
const (
	gradRel = 1e-13  // AAD partials against the analytic derivative
	gradAbs = 1e-300 // absolute floor for derivatives that are (near) zero
	fdRel   = 1e-7   // finite differences against the AAD partials
)

// fdStep is the central-difference step for an argument x: relative to x,
// absolute at 0.
func fdStep(x float64) float64 {
	if x == 0 {
		return 1e-6
	}
	return 1e-6 * math.Abs(x)
}

// passiveValue evaluates c at x on a nil tape.
func passiveValue(c opCase, x []float64) float64 {
	var tp *aad.Tape
	return c.rec(tp, consts(x)).Value()
}

func TestOps(t *testing.T) {
	for _, c := range opCases() {
		for _, p := range c.pts {
			t.Run(fmt.Sprintf("%s%v", c.name, p.x), func(t *testing.T) {
				testOpAt(t, c, p)
			})
		}
	}
}

func testOpAt(t *testing.T, c opCase, p point) {
	n := len(p.x)
	records := c.records == nil || c.records(p.x)
	tp := aad.NewTape(0)
	xs := vars(tp, p.x)
	y := c.rec(tp, xs)
	wantGrad := c.df(p.x)
	require.Len(t, wantGrad, n, "analytic gradient of %s", c.name)

	// (a) the value is the package math formula.
	testutil.Near(t, y.Value(), c.f(p.x), 1e-15, c.valAbs, "value")

	// The statement recorded: one, with an operand per active argument.
	if records {
		assert.Equal(t, n+1, tp.Len(), "statements recorded: got %d, want %d", tp.Len(), n+1)
		assert.Equal(t, n, tp.Stats().Operands, "operands recorded: got %d, want %d", tp.Stats().Operands, n)
		assert.True(t, y.Active(), "result active: got false, want true")
	} else {
		assert.Equal(t, n, tp.Len(), "statements recorded: got %d, want %d (nothing for the op)", tp.Len(), n)
	}

	// (b) backward partials against the analytic derivative.
	g := tp.Gradient(nil, y, xs)
	for i := range n {
		testutil.Near(t, g[i], wantGrad[i], gradRel, gradAbs, "backward ∂/∂x%d", i)
	}

	// (c) central finite differences.
	if !p.noFD {
		for i := range n {
			h := fdStep(p.x[i])
			up := append([]float64(nil), p.x...)
			dn := append([]float64(nil), p.x...)
			up[i] += h
			dn[i] -= h
			fu, fd := passiveValue(c, up), passiveValue(c, dn)
			step := up[i] - dn[i]
			fdiff := (fu - fd) / step
			// relative tolerance, plus the rounding error of the difference
			rounding := 8 * 0x1p-52 * math.Max(math.Abs(fu), math.Abs(fd)) / step
			testutil.Near(t, g[i], fdiff, 0, fdRel*math.Abs(g[i])+rounding, "backward ∂/∂x%d against finite difference", i)
		}
	}

	// (d) the forward sweep with each unit seed.
	for i := range n {
		tp.ClearTangents()
		tp.SetTangent(xs[i], 1)
		tp.Forward()
		testutil.Near(t, tp.Tangent(y), wantGrad[i], gradRel, gradAbs, "forward ∂/∂x%d", i)
	}

	// (e) a nil tape: same value bit for bit, passive.
	var nilTape *aad.Tape
	yn := c.rec(nilTape, consts(p.x))
	assertSameBits(t, yn.Value(), y.Value(), "nil-tape value")
	assert.False(t, yn.Active(), "nil-tape result active: got true, want false")
	assert.Equal(t, 0, nilTape.Len(), "nil tape Len: got %d, want 0", nilTape.Len())

	// All passive on a real tape: same value, passive, nothing recorded.
	tp2 := aad.NewTape(0)
	yp := c.rec(tp2, consts(p.x))
	assertSameBits(t, yp.Value(), y.Value(), "all-passive value")
	assert.False(t, yp.Active(), "all-passive result active: got true, want false")
	assert.Equal(t, 0, tp2.Len(), "all-passive statements recorded: got %d, want 0", tp2.Len())

	// Every proper mix of active and passive arguments: the passive ones are
	// left out, the partials of the active ones are unchanged.
	for mask := 1; mask < 1<<n-1; mask++ {
		tp3 := aad.NewTape(0)
		in := make([]aad.Number, n)
		nActive := 0
		for i := range n {
			if mask&(1<<i) != 0 {
				in[i] = tp3.Var(p.x[i])
				nActive++
			} else {
				in[i] = aad.Const(p.x[i])
			}
		}
		ym := c.rec(tp3, in)
		assertSameBits(t, ym.Value(), y.Value(), "mask %b: value", mask)
		if records {
			assert.Equal(t, nActive+1, tp3.Len(), "mask %b: statements: got %d, want %d", mask, tp3.Len(), nActive+1)
			assert.Equal(t, nActive, tp3.Stats().Operands, "mask %b: operands: got %d, want %d", mask, tp3.Stats().Operands, nActive)
			assert.True(t, ym.Active(), "mask %b: result active: got false, want true", mask)
		} else {
			assert.Equal(t, nActive, tp3.Len(), "mask %b: statements: got %d, want %d", mask, tp3.Len(), nActive)
		}
		gm := tp3.Gradient(nil, ym, in)
		for i := range n {
			want := 0.0
			if mask&(1<<i) != 0 {
				want = wantGrad[i]
			}
			testutil.Near(t, gm[i], want, gradRel, gradAbs, "mask %b: ∂/∂x%d", mask, i)
		}
	}
}

// TestOpsNaNInputs checks that a NaN argument gives a NaN value, as package
// math does, whichever argument it is.
func TestOpsNaNInputs(t *testing.T) {
	for _, c := range opCases() {
		if c.name == "PowConst(c=0)" {
			continue // math.Pow(NaN, 0) is 1
		}
		p := c.pts[0]
		for i := range p.x {
			x := append([]float64(nil), p.x...)
			x[i] = math.NaN()
			tp := aad.NewTape(0)
			y := c.rec(tp, vars(tp, x))
			assert.True(t, math.IsNaN(y.Value()), "%s with argument %d NaN: got %v, want NaN", c.name, i, y.Value())
			var nilTape *aad.Tape
			yn := c.rec(nilTape, consts(x))
			assert.True(t, math.IsNaN(yn.Value()), "%s on nil tape with argument %d NaN: got %v, want NaN", c.name, i, yn.Value())
		}
	}
}

// special is a case with an exact expected value and gradient, NaNs and
// infinities included.
type special struct {
	name    string
	x       []float64
	rec     func(tp *aad.Tape, x []aad.Number) aad.Number
	val     float64
	grad    []float64
	skip    []bool // gradient components not checked
	passive bool   // the result is passive and nothing is recorded for it
}

func un(f func(tp *aad.Tape, a aad.Number) aad.Number) func(*aad.Tape, []aad.Number) aad.Number {
	return func(tp *aad.Tape, x []aad.Number) aad.Number { return f(tp, x[0]) }
}

func bin(f func(tp *aad.Tape, a, b aad.Number) aad.Number) func(*aad.Tape, []aad.Number) aad.Number {
	return func(tp *aad.Tape, x []aad.Number) aad.Number { return f(tp, x[0], x[1]) }
}

func TestOpsSpecialCases(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	negZero := math.Copysign(0, -1)
	powC := func(c float64) func(*aad.Tape, []aad.Number) aad.Number {
		return un(func(tp *aad.Tape, a aad.Number) aad.Number { return tp.PowConst(a, c) })
	}
	cases := []special{
		{name: "Log(-1)", x: []float64{-1}, rec: un((*aad.Tape).Log), val: nan, grad: []float64{nan}},
		{name: "Log(0)", x: []float64{0}, rec: un((*aad.Tape).Log), val: -inf, grad: []float64{inf}},
		{name: "Log(+Inf)", x: []float64{inf}, rec: un((*aad.Tape).Log), val: inf, grad: []float64{0}},
		{name: "Log(NaN)", x: []float64{nan}, rec: un((*aad.Tape).Log), val: nan, grad: []float64{nan}},
		{name: "Sqrt(0)", x: []float64{0}, rec: un((*aad.Tape).Sqrt), val: 0, grad: []float64{inf}},
		{name: "Sqrt(-0)", x: []float64{negZero}, rec: un((*aad.Tape).Sqrt), val: negZero, grad: []float64{inf}},
		{name: "Sqrt(-1)", x: []float64{-1}, rec: un((*aad.Tape).Sqrt), val: nan, grad: []float64{nan}},
		{name: "Pow(0,2.5)", x: []float64{0, 2.5}, rec: bin((*aad.Tape).Pow), val: 0, grad: []float64{0, 0}},
		{name: "Pow(0,3)", x: []float64{0, 3}, rec: bin((*aad.Tape).Pow), val: 0, grad: []float64{0, 0}},
		{name: "Pow(0,1)", x: []float64{0, 1}, rec: bin((*aad.Tape).Pow), val: 0, grad: []float64{1, 0}},
		{name: "Pow(0,0.5)", x: []float64{0, 0.5}, rec: bin((*aad.Tape).Pow), val: 0, grad: []float64{inf, 0}},
		{name: "Pow(0,0)", x: []float64{0, 0}, rec: bin((*aad.Tape).Pow), val: 1, grad: []float64{0, 0}, skip: []bool{false, true}},
		{name: "Pow(-2,3)", x: []float64{-2, 3}, rec: bin((*aad.Tape).Pow), val: -8, grad: []float64{12, nan}},
		{name: "Pow(1e300,2)", x: []float64{1e300, 2}, rec: bin((*aad.Tape).Pow), val: inf, grad: []float64{2e300, inf}},
		{name: "PowConst(0,0)", x: []float64{0}, rec: powC(0), val: 1, grad: []float64{0}},
		{name: "PowConst(0,0.5)", x: []float64{0}, rec: powC(0.5), val: 0, grad: []float64{inf}},
		{name: "PowConst(0,2)", x: []float64{0}, rec: powC(2), val: 0, grad: []float64{0}},
		{name: "PowConst(0,-1)", x: []float64{0}, rec: powC(-1), val: inf, grad: []float64{-inf}},
		{name: "PowConst(-8,1/3)", x: []float64{-8}, rec: powC(1.0 / 3), val: nan, grad: []float64{nan}},
		{name: "PowConst(1e200,2)", x: []float64{1e200}, rec: powC(2), val: inf, grad: []float64{2e200}},
		// Huge and tiny values whose derivative is a normal number.
		{name: "PowConst(100,154)", x: []float64{100}, rec: powC(154), val: math.Pow(100, 154), grad: []float64{154 * math.Pow(100, 153)}},
		{name: "PowConst(1e-200,1.6)", x: []float64{1e-200}, rec: powC(1.6), val: math.Pow(1e-200, 1.6), grad: []float64{1.6 * math.Pow(1e-200, 0.6)}},
		{name: "Div(1,0)", x: []float64{1, 0}, rec: bin((*aad.Tape).Div), val: inf, grad: []float64{inf, -inf}},
		{name: "Div(0,0)", x: []float64{0, 0}, rec: bin((*aad.Tape).Div), val: nan, grad: []float64{inf, nan}},
		{name: "ConstDiv(1,0)", x: []float64{0}, rec: un(func(tp *aad.Tape, a aad.Number) aad.Number { return tp.ConstDiv(1, a) }), val: inf, grad: []float64{-inf}},
		{name: "Exp(1000)", x: []float64{1000}, rec: un((*aad.Tape).Exp), val: inf, grad: []float64{inf}},
		{name: "Exp(-1000)", x: []float64{-1000}, rec: un((*aad.Tape).Exp), val: 0, grad: []float64{0}},
		{name: "Exp(NaN)", x: []float64{nan}, rec: un((*aad.Tape).Exp), val: nan, grad: []float64{nan}},
		{name: "Sin(+Inf)", x: []float64{inf}, rec: un((*aad.Tape).Sin), val: nan, grad: []float64{nan}},
		{name: "Erf(+Inf)", x: []float64{inf}, rec: un((*aad.Tape).Erf), val: 1, grad: []float64{0}},
		{name: "NormCDF(-Inf)", x: []float64{-inf}, rec: un((*aad.Tape).NormCDF), val: 0, grad: []float64{0}},
		{name: "Abs(0)", x: []float64{0}, rec: un((*aad.Tape).Abs), val: 0, grad: []float64{0}, passive: true},
		{name: "Abs(-0)", x: []float64{negZero}, rec: un((*aad.Tape).Abs), val: 0, grad: []float64{0}, passive: true},
		{name: "Abs(NaN)", x: []float64{nan}, rec: un((*aad.Tape).Abs), val: nan, skip: []bool{true}},
		{name: "Max(2,2)", x: []float64{2, 2}, rec: bin((*aad.Tape).Max), val: 2, grad: []float64{1, 0}},
		{name: "Min(2,2)", x: []float64{2, 2}, rec: bin((*aad.Tape).Min), val: 2, grad: []float64{1, 0}},
		{name: "Max(NaN,1)", x: []float64{nan, 1}, rec: bin((*aad.Tape).Max), val: nan, grad: []float64{1, 0}},
		{name: "Max(1,NaN)", x: []float64{1, nan}, rec: bin((*aad.Tape).Max), val: nan, grad: []float64{0, 1}},
		{name: "Max(NaN,NaN)", x: []float64{nan, nan}, rec: bin((*aad.Tape).Max), val: nan, grad: []float64{1, 0}},
		{name: "Min(NaN,1)", x: []float64{nan, 1}, rec: bin((*aad.Tape).Min), val: nan, grad: []float64{1, 0}},
		{name: "Min(1,NaN)", x: []float64{1, nan}, rec: bin((*aad.Tape).Min), val: nan, grad: []float64{0, 1}},
		{name: "Max(-Inf,1)", x: []float64{-inf, 1}, rec: bin((*aad.Tape).Max), val: 1, grad: []float64{0, 1}},
		{name: "SmoothStep(NaN)", x: []float64{nan}, rec: un(func(tp *aad.Tape, a aad.Number) aad.Number { return tp.SmoothStep(a, 1) }), val: nan, grad: []float64{0}, passive: true},
		{name: "SmoothMax(NaN,1)", x: []float64{nan, 1}, rec: bin(func(tp *aad.Tape, a, b aad.Number) aad.Number { return tp.SmoothMax(a, b, 1) }), val: nan, grad: []float64{1, 0}},
		{name: "SmoothMax(1,NaN)", x: []float64{1, nan}, rec: bin(func(tp *aad.Tape, a, b aad.Number) aad.Number { return tp.SmoothMax(a, b, 1) }), val: nan, grad: []float64{0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tp := aad.NewTape(0)
			xs := vars(tp, c.x)
			y := c.rec(tp, xs)
			if c.val == 0 && !math.IsNaN(c.val) {
				assertSameBits(t, y.Value(), c.val, "value")
			} else {
				testutil.Near(t, y.Value(), c.val, 1e-15, 0, "value")
			}
			if c.passive {
				assert.False(t, y.Active(), "result active: got true, want false")
				assert.Equal(t, len(c.x), tp.Len(), "statements: got %d, want %d (nothing for the op)", tp.Len(), len(c.x))
			}
			g := tp.Gradient(nil, y, xs)
			for i := range c.grad {
				if c.skip != nil && c.skip[i] {
					continue
				}
				testutil.Near(t, g[i], c.grad[i], gradRel, gradAbs, "backward ∂/∂x%d", i)
			}
			for i := range c.grad {
				if c.skip != nil && c.skip[i] {
					continue
				}
				tp.ClearTangents()
				tp.SetTangent(xs[i], 1)
				tp.Forward()
				testutil.Near(t, tp.Tangent(y), c.grad[i], gradRel, gradAbs, "forward ∂/∂x%d (unit seed on x%d)", i, i)
			}
			var nilTape *aad.Tape
			assertSameBits(t, c.rec(nilTape, consts(c.x)).Value(), y.Value(), "nil-tape value")
		})
	}
}

// TestMaxMinReturnArgument checks that Max and Min return one of their
// arguments itself: its value, its activity and its derivative.
func TestMaxMinReturnArgument(t *testing.T) {
	tp := aad.NewTape(0)
	x, y := tp.Var(2), tp.Var(2)
	assert.Equal(t, x, tp.Max(x, y), "Max tie: got the second argument, want the first")
	assert.Equal(t, x, tp.Min(x, y), "Min tie: got the second argument, want the first")
	assert.Equal(t, y, tp.Max(tp.Var(1), y), "Max: got %v, want the larger argument", tp.Max(tp.Var(1), y))
	c := aad.Const(2)
	assert.False(t, tp.Max(c, x).Active(), "Max(passive 2, active 2): got active, want the passive first argument")
	assert.True(t, tp.Max(x, c).Active(), "Max(active 2, passive 2): got passive, want the active first argument")
	n := tp.Len()
	_ = tp.Max(x, y)
	_ = tp.Min(x, c)
	assert.Equal(t, n, tp.Len(), "Max/Min recorded statements: got %d, want %d", tp.Len(), n)
}

func TestSmoothStep(t *testing.T) {
	for _, w := range []float64{0.5, 2, 1e-3} {
		t.Run(fmt.Sprintf("width=%g", w), func(t *testing.T) {
			tp := aad.NewTape(0)
			// Exact step, passive, outside the open band (-w, w).
			for _, a := range []float64{-10 * w, -w, math.Nextafter(-w, math.Inf(-1)), w, math.Nextafter(w, math.Inf(1)), 10 * w, 1e300, -1e300} {
				assertExactStep(t, tp, a, w)
			}
			// Continuity of the value and of the first derivative at ±w.
			for _, edge := range []float64{-w, w} {
				inside := edge * (1 - 1e-9)
				x := tp.Var(inside)
				y := tp.SmoothStep(x, w)
				wantV := 0.0
				if edge > 0 {
					wantV = 1
				}
				testutil.Near(t, y.Value(), wantV, 0, 1e-8, "SmoothStep just inside %g", edge)
				d := tp.Gradient(nil, y, []aad.Number{x})[0]
				testutil.Near(t, d, 0, 0, 1e-8/w, "SmoothStep derivative just inside %g", edge)
				assert.GreaterOrEqual(t, d, 0.0, "SmoothStep derivative: got %v, want ≥ 0", d)
			}
			// Midpoint: value 1/2, slope 3/(4w).
			x := tp.Var(0)
			y := tp.SmoothStep(x, w)
			testutil.Near(t, y.Value(), 0.5, 1e-15, 0, "SmoothStep(0)")
			testutil.Near(t, tp.Gradient(nil, y, []aad.Number{x})[0], 0.75/w, 1e-15, 0, "SmoothStep'(0)")
			// Monotone and within [0, 1] across the band.
			prev := -1.0
			for i := -100; i <= 100; i++ {
				v := tp.SmoothStep(aad.Const(float64(i)*w/100), w).Value()
				assert.True(t, v >= prev && v >= 0 && v <= 1, "SmoothStep(%g): got %v after %v, want monotone in [0,1]", float64(i)*w/100, v, prev)
				prev = v
			}
		})
	}
	t.Run("width<=0 gives the exact step", func(t *testing.T) {
		for _, w := range []float64{0, -1, math.Inf(-1)} {
			tp := aad.NewTape(0)
			for _, a := range []float64{-1, -1e-300, 0, 1e-300, 1} {
				assertExactStep(t, tp, a, w)
			}
		}
	})
}

func TestSmoothMax(t *testing.T) {
	// Widths and b0 are binary fractions, so that b0 ± w is exact.
	for _, w := range []float64{0.5, 2, 0x1p-10} {
		t.Run(fmt.Sprintf("width=%g", w), func(t *testing.T) {
			tp := aad.NewTape(0)
			b0 := 1.25
			// Exact max outside the band: the argument itself.
			for _, d := range []float64{-10 * w, -w, w, 10 * w} {
				a, b := tp.Var(b0+d), tp.Var(b0)
				y := tp.SmoothMax(a, b, w)
				want := tp.Max(a, b)
				assert.Equal(t, want, y, "SmoothMax at a−b=%g: got %v, want the argument %v", d, y, want)
			}
			// Excess over max: 0 ≤ SmoothMax − max ≤ 3w/16, the bound reached at a = b.
			for i := -200; i <= 200; i++ {
				d := float64(i) * w / 100
				a := b0 + d
				v := tp.SmoothMax(aad.Const(a), aad.Const(b0), w).Value()
				ex := v - math.Max(a, b0)
				assert.True(t, ex >= -1e-15 && ex <= 3*w/16*(1+1e-14)+1e-15,
					"SmoothMax − max at a−b=%g: got %v, want within [0, %v]", d, ex, 3*w/16)
			}
			v := tp.SmoothMax(aad.Const(b0), aad.Const(b0), w).Value()
			testutil.Near(t, v-b0, 3*w/16, 1e-12, 0, "SmoothMax(b, b) − b")
			// Continuity of the value and of the first and second
			// derivatives at a − b = ±w.
			for _, edge := range []float64{-w, w} {
				a, b := tp.Var(b0+edge*(1-1e-9)), tp.Var(b0)
				y := tp.SmoothMax(a, b, w)
				g := tp.Gradient(nil, y, []aad.Number{a, b})
				testutil.Near(t, y.Value(), math.Max(a.Value(), b0), 0, 1e-8*w+1e-14, "SmoothMax just inside a−b=%g", edge)
				wantDa := 0.0
				if edge > 0 {
					wantDa = 1
				}
				testutil.Near(t, g[0], wantDa, 0, 1e-8, "∂SmoothMax/∂a just inside a−b=%g", edge)
				testutil.Near(t, g[1], 1-wantDa, 0, 1e-8, "∂SmoothMax/∂b just inside a−b=%g", edge)
				// second derivative by a difference of first derivatives
				a2 := tp.Var(b0 + edge*(1-2e-9))
				g2 := tp.Gradient(nil, tp.SmoothMax(a2, b, w), []aad.Number{a2})
				d2 := (g2[0] - g[0]) / (a2.Value() - a.Value())
				testutil.Near(t, d2, 0, 0, 1e-6/w, "∂²SmoothMax/∂a² just inside a−b=%g", edge)
			}
			// ∂SmoothMax/∂a is SmoothStep(a − b).
			for i := -20; i <= 20; i++ {
				d := float64(i) * w / 10
				a, b := tp.Var(b0+d), tp.Var(b0)
				g := tp.Gradient(nil, tp.SmoothMax(a, b, w), []aad.Number{a, b})
				s := tp.SmoothStep(aad.Const(a.Value()-b0), w).Value()
				testutil.Near(t, g[0], s, 1e-12, 1e-15, "∂SmoothMax/∂a at a−b=%g against SmoothStep", d)
				testutil.Near(t, g[0]+g[1], 1, 1e-15, 0, "∂SmoothMax/∂a + ∂SmoothMax/∂b at a−b=%g", d)
			}
		})
	}
	t.Run("width<=0 gives the exact max", func(t *testing.T) {
		for _, w := range []float64{0, -1} {
			tp := aad.NewTape(0)
			for _, p := range [][2]float64{{1, 2}, {2, 1}, {1, 1}, {-1e-300, 1e-300}} {
				a, b := tp.Var(p[0]), tp.Var(p[1])
				n := tp.Len()
				y := tp.SmoothMax(a, b, w)
				assert.Equal(t, tp.Max(a, b), y, "SmoothMax(%v, %v, width %g): got %v, want Max", p[0], p[1], w, y)
				assert.Equal(t, n, tp.Len(), "statements: got %d, want %d", tp.Len(), n)
			}
		}
	})
}

// TestNormFunctions checks the float64 helpers against their formulas.
func TestNormFunctions(t *testing.T) {
	// Φ correctly rounded (40-digit values).
	for x, want := range map[float64]float64{-40: 0 /* 3.7e-350 underflows */, -20: 2.7536241186062337e-89, -5: 2.866515718791939e-07,
		-1: 0.15865525393145705, 0: 0.5, 0.3: 0.6179114221889527, 2: 0.9772498680518208, 8: 0.9999999999999993} {
		testutil.Near(t, aad.NormPDF(x), phi(x), 1e-15, 0, "NormPDF(%g)", x)
		testutil.Near(t, aad.NormCDF(x), want, 3e-16, 0, "NormCDF(%g)", x)
	}
	testutil.Near(t, aad.NormCDF(0), 0.5, 0, 0, "NormCDF(0)")
	testutil.Near(t, aad.NormCDF(-1.959963984540054), 0.025, 1e-14, 0, "NormCDF(-1.96)")
	// The lower tail keeps its relative accuracy (Φ(−30) ≈ 4.906713927148187e-198).
	testutil.Near(t, aad.NormCDF(-30), 4.906713927148187e-198, 1e-12, 0, "NormCDF(-30)")
}

// normalPaths returns nPaths rows of nSteps standard normal draws from a
// PCG stream seeded with (s1, s2).
func normalPaths(s1, s2 uint64, nPaths, nSteps int) [][]float64 {
	rng := rand.New(rand.NewPCG(s1, s2))
	z := make([][]float64, nPaths)
	for i := range z {
		z[i] = make([]float64, nSteps)
		for j := range z[i] {
			z[i][j] = rng.NormFloat64()
		}
	}
	return z
}

// assertExactStep checks that SmoothStep(a, w) is the exact step, passive,
// and records nothing.
func assertExactStep(t *testing.T, tp *aad.Tape, a, w float64) {
	t.Helper()
	x := tp.Var(a)
	n := tp.Len()
	y := tp.SmoothStep(x, w)
	want := 0.0
	if a > 0 {
		want = 1
	}
	assertSameBits(t, y.Value(), want, "SmoothStep(%g, width %g)", a, w)
	assert.False(t, y.Active(), "SmoothStep(%g, width %g) active: got true, want false", a, w)
	assert.Equal(t, n, tp.Len(), "SmoothStep(%g, width %g) statements: got %d, want %d", a, w, tp.Len(), n)
}

func TestCustom4(t *testing.T) {
	var tp aad.Tape
	a, b, d := tp.Var(2), tp.Var(3), tp.Var(5)
	// v = a·b + 7·d with a passive third operand, as one statement.
	v := tp.Custom4(2*3+7*5, a, 3, b, 2, aad.Const(11), 100, d, 7)
	require.Equal(t, 41.0, v.Value())
	require.Equal(t, 4, tp.Len(), "one statement for v")
	g := tp.Gradient(nil, v, []aad.Number{a, b, d})
	require.Equal(t, []float64{3, 2, 7}, g)
	// All passive: a passive result, nothing recorded.
	require.False(t, tp.Custom4(1, aad.Const(1), 1, aad.Const(2), 1, aad.Number{}, 0, aad.Number{}, 0).Active())
	var nilTape *aad.Tape
	require.Equal(t, 9.0, nilTape.Custom4(9, aad.Const(1), 1, aad.Number{}, 0, aad.Number{}, 0, aad.Number{}, 0).Value())
	require.Panics(t, func() { nilTape.Custom4(1, a, 1, aad.Number{}, 0, aad.Number{}, 0, aad.Number{}, 0) })
}

func TestAdjointsTo(t *testing.T) {
	var tp aad.Tape
	x, y := tp.Var(2), tp.Var(3)
	z := tp.Mul(x, y)
	tp.SetAdjoint(z, 1)
	tp.Backward()
	xs := []aad.Number{x, aad.Const(7), y, z}
	got := tp.AdjointsTo(make([]float64, 4), xs)
	require.Equal(t, []float64{3, 0, 2, 1}, got)
	// nil and short destinations are allocated, a long one is cut.
	require.Equal(t, []float64{3, 0, 2, 1}, tp.AdjointsTo(nil, xs))
	require.Equal(t, []float64{3, 0, 2, 1}, tp.AdjointsTo(make([]float64, 2), xs))
	long := make([]float64, 6)
	got = tp.AdjointsTo(long, xs)
	require.Equal(t, []float64{3, 0, 2, 1}, got)
	require.Same(t, &long[0], &got[0], "a long enough dst is used in place")
	var other aad.Tape
	w := other.Var(1)
	require.Panics(t, func() { tp.AdjointsTo(make([]float64, 1), []aad.Number{w}) })
}
