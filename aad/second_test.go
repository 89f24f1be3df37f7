package aad_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/num/hyperdual"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// Second order: Hessian-vector products from one sweep of a tape in
// second-order mode, against hyperdual numbers (which carry f, two
// directional derivatives and the mixed second derivative) and analytic
// second derivatives.

// hchain applies f with f' = d and f” = d2 to x by the chain rule.
func hchain(x hyperdual.Number, v, d, d2 float64) hyperdual.Number {
	return hyperdual.Number{
		Real:    v,
		E1mag:   d * x.E1mag,
		E2mag:   d * x.E2mag,
		E1E2mag: d*x.E1E2mag + d2*x.E1mag*x.E2mag,
	}
}

// hyperHessian returns the value, gradient and Hessian of f at x by
// hyperdual numbers, one evaluation per pair i ≤ j.
func hyperHessian(f func([]hyperdual.Number) hyperdual.Number, x []float64) (float64, []float64, [][]float64) {
	n := len(x)
	xs := make([]hyperdual.Number, n)
	g := make([]float64, n)
	h := make([][]float64, n)
	for i := range h {
		h[i] = make([]float64, n)
	}
	var v float64
	for i := range n {
		for j := i; j < n; j++ {
			for k := range xs {
				xs[k] = hyperdual.Number{Real: x[k]}
			}
			xs[i].E1mag = 1
			xs[j].E2mag = 1
			r := f(xs)
			v, g[i] = r.Real, r.E1mag
			h[i][j], h[j][i] = r.E1E2mag, r.E1E2mag
		}
	}
	return v, g, h
}

// tapeHessian records f once per unit direction on a second-order tape and
// returns the value, the gradient (of the first sweep) and the Hessian, row
// j from the product with e_j; the gradients of every sweep must agree.
func tapeHessian(t testing.TB, tp *aad.Tape, f func(*aad.Tape, []aad.Number) aad.Number, x []float64) (float64, []float64, [][]float64) {
	t.Helper()
	n := len(x)
	h := make([][]float64, n)
	var g0 []float64
	var v float64
	in := make([]aad.Number, n)
	for j := range n {
		tp.Reset()
		in = tp.Vars(in, x...)
		tp.SetTangent(in[j], 1)
		y := f(tp, in)
		v = y.Value()
		g, hv := tp.HessianVector(nil, nil, y, in)
		assert.Equal(t, 1.0, tp.Tangent(in[j]), "the seed of x%d", j)
		if g0 == nil {
			g0 = g
		} else {
			for i := range g {
				assertSameBits(t, g[i], g0[i], "gradient of sweep %d, ∂/∂x%d", j, i)
			}
		}
		h[j] = hv
	}
	return v, g0, h
}

// assertHessianNear compares Hessians entry by entry, relative to the larger
// of the entry and the Hessian's largest entry, with an absolute floor of
// 1e-14 (for Hessians that cancel to zero: Log(Exp(x))).
func assertHessianNear(t testing.TB, got, want [][]float64, rel float64, what string, args ...any) bool {
	t.Helper()
	scale := 0.0
	for _, r := range want {
		scale = math.Max(scale, infNorm(r))
	}
	ok := true
	for i := range want {
		for j := range want[i] {
			ok = testutil.Near(t, got[i][j], want[i][j], rel, rel*scale+1e-14, "%s: H[%d][%d]", fmt.Sprintf(what, args...), i, j) && ok
		}
	}
	return ok
}

// assertSymmetric checks |H_ij − H_ji| ≤ 1e-12 relative to the Hessian's
// largest entry.
func assertSymmetric(t testing.TB, h [][]float64, what string, args ...any) bool {
	t.Helper()
	scale := 0.0
	for _, r := range h {
		scale = math.Max(scale, infNorm(r))
	}
	ok := true
	for i := range h {
		for j := range i {
			ok = testutil.Near(t, h[i][j], h[j][i], 1e-12, 1e-12*scale+1e-300, "%s: H[%d][%d] against H[%d][%d]", fmt.Sprintf(what, args...), i, j, j, i) && ok
		}
	}
	return ok
}

type op2 struct {
	name  string
	x     []float64
	tape  func(tp *aad.Tape, x []aad.Number) aad.Number
	hyper func(x []hyperdual.Number) hyperdual.Number
	// d2 is the analytic second derivative of a unary operation.
	d2 func(x float64) float64
}

func secondOrderOps() []op2 {
	hc := func(v float64) hyperdual.Number { return hyperdual.Number{Real: v} }
	un := func(name string, x float64, tape func(*aad.Tape, aad.Number) aad.Number, f, d1, d2 func(float64) float64) op2 {
		return op2{
			name: name, x: []float64{x},
			tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tape(tp, x[0]) },
			hyper: func(x []hyperdual.Number) hyperdual.Number {
				return hchain(x[0], f(x[0].Real), d1(x[0].Real), d2(x[0].Real))
			},
			d2: d2,
		}
	}
	const c, w = 1.7, 0.8
	return []op2{
		{name: "Add", x: []float64{0.3, -1.2}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Add(x[0], x[1]) }, hyper: func(x []hyperdual.Number) hyperdual.Number { return hyperdual.Add(x[0], x[1]) }},
		{name: "Sub", x: []float64{0.3, -1.2}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Sub(x[0], x[1]) }, hyper: func(x []hyperdual.Number) hyperdual.Number { return hyperdual.Sub(x[0], x[1]) }},
		{name: "Mul", x: []float64{0.3, -1.2}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Mul(x[0], x[1]) }, hyper: func(x []hyperdual.Number) hyperdual.Number { return hyperdual.Mul(x[0], x[1]) }},
		{name: "Mul(a,a)", x: []float64{-1.3}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Mul(x[0], x[0]) }, hyper: func(x []hyperdual.Number) hyperdual.Number { return hyperdual.Mul(x[0], x[0]) }},
		{name: "Div", x: []float64{0.7, -1.9}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Div(x[0], x[1]) }, hyper: func(x []hyperdual.Number) hyperdual.Number { return hyperdual.Mul(x[0], hyperdual.Inv(x[1])) }},
		{name: "Pow", x: []float64{1.6, 2.3}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Pow(x[0], x[1]) }, hyper: func(x []hyperdual.Number) hyperdual.Number { return hyperdual.Pow(x[0], x[1]) }},
		{name: "MulExp", x: []float64{0.7, -0.4}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.MulExp(x[0], x[1]) }, hyper: func(x []hyperdual.Number) hyperdual.Number { return hyperdual.Mul(x[0], hyperdual.Exp(x[1])) }},
		{name: "MulAdd", x: []float64{0.7, -0.4, 2.1}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.MulAdd(x[0], x[1], x[2]) }, hyper: func(x []hyperdual.Number) hyperdual.Number { return hyperdual.Add(hyperdual.Mul(x[0], x[1]), x[2]) }},
		{name: "MulAdd(a, c, b)", x: []float64{0.7, -0.4}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.MulAdd(x[0], aad.Const(1.5), x[1]) }, hyper: func(x []hyperdual.Number) hyperdual.Number { return hyperdual.Add(hyperdual.Scale(1.5, x[0]), x[1]) }},
		{name: "MulAdd(c, a, b)", x: []float64{0.7, -0.4}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number {
			return tp.MulAdd(aad.Const(1.5), x[0], tp.Mul(x[1], x[0]))
		}, hyper: func(x []hyperdual.Number) hyperdual.Number {
			return hyperdual.Add(hyperdual.Scale(1.5, x[0]), hyperdual.Mul(x[1], x[0]))
		}},
		{name: "MulExp(c, a)", x: []float64{0.7}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.MulExp(aad.Const(2), tp.Square(x[0])) }, hyper: func(x []hyperdual.Number) hyperdual.Number {
			return hyperdual.Scale(2, hyperdual.Exp(hyperdual.Mul(x[0], x[0])))
		}},
		{name: "SmoothMax", x: []float64{0.7, 0.4}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.SmoothMax(x[0], x[1], w) }, hyper: func(x []hyperdual.Number) hyperdual.Number {
			// b + w·g(u), u = (a−b)/w
			u := hyperdual.Scale(1/w, hyperdual.Sub(x[0], x[1]))
			u2 := hyperdual.Mul(u, u)
			g := hyperdual.Add(hc(3.0/16), hyperdual.Add(hyperdual.Scale(0.5, u), hyperdual.Sub(hyperdual.Scale(3.0/8, u2), hyperdual.Scale(1.0/16, hyperdual.Mul(u2, u2)))))
			return hyperdual.Add(x[1], hyperdual.Scale(w, g))
		}},
		{name: "Sum", x: []float64{0.7, -0.4, 2.1}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Sum(x[0], aad.Const(3), x[1], x[2]) }, hyper: func(x []hyperdual.Number) hyperdual.Number {
			return hyperdual.Add(hyperdual.Add(x[0], hc(3)), hyperdual.Add(x[1], x[2]))
		}},
		{name: "DotConst", x: []float64{0.7, -0.4}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number {
			return tp.DotConst([]aad.Number{x[0], aad.Const(2), x[1]}, []float64{1.5, -2, 0.25})
		}, hyper: func(x []hyperdual.Number) hyperdual.Number {
			return hyperdual.Add(hyperdual.Scale(1.5, x[0]), hyperdual.Add(hc(-4), hyperdual.Scale(0.25, x[1])))
		}},
		{name: "Dot", x: []float64{0.7, -0.4, 2.1}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number {
			return tp.Dot([]aad.Number{x[0], x[1], aad.Const(0.5), x[2]}, []aad.Number{x[1], x[1], x[2], aad.Const(3)})
		}, hyper: func(x []hyperdual.Number) hyperdual.Number {
			s := hyperdual.Add(hyperdual.Mul(x[0], x[1]), hyperdual.Mul(x[1], x[1]))
			return hyperdual.Add(s, hyperdual.Add(hyperdual.Scale(0.5, x[2]), hyperdual.Scale(3, x[2])))
		}},
		{name: "Custom2", x: []float64{0.7, -0.4}, tape: func(tp *aad.Tape, x []aad.Number) aad.Number {
			// a²·b, with the constant in the middle left out.
			a, b := x[0].Value(), x[1].Value()
			return tp.Custom2(a*a*b, []aad.Number{x[0], aad.Const(9), x[1]}, []float64{2 * a * b, 5, a * a},
				[]float64{2 * b, 7, 2 * a, 7, 7, 7, 2 * a, 7, 0})
		}, hyper: func(x []hyperdual.Number) hyperdual.Number { return hyperdual.Mul(hyperdual.Mul(x[0], x[0]), x[1]) }},
		un("Neg", 0.4, (*aad.Tape).Neg, func(x float64) float64 { return -x }, func(float64) float64 { return -1 }, func(float64) float64 { return 0 }),
		un("AddConst", 0.4, func(tp *aad.Tape, a aad.Number) aad.Number { return tp.AddConst(a, c) }, func(x float64) float64 { return x + c }, func(float64) float64 { return 1 }, func(float64) float64 { return 0 }),
		un("SubConst", 0.4, func(tp *aad.Tape, a aad.Number) aad.Number { return tp.SubConst(a, c) }, func(x float64) float64 { return x - c }, func(float64) float64 { return 1 }, func(float64) float64 { return 0 }),
		un("ConstSub", 0.4, func(tp *aad.Tape, a aad.Number) aad.Number { return tp.ConstSub(c, a) }, func(x float64) float64 { return c - x }, func(float64) float64 { return -1 }, func(float64) float64 { return 0 }),
		un("MulConst", 0.4, func(tp *aad.Tape, a aad.Number) aad.Number { return tp.MulConst(a, c) }, func(x float64) float64 { return c * x }, func(float64) float64 { return c }, func(float64) float64 { return 0 }),
		un("DivConst", 0.4, func(tp *aad.Tape, a aad.Number) aad.Number { return tp.DivConst(a, c) }, func(x float64) float64 { return x / c }, func(float64) float64 { return 1 / c }, func(float64) float64 { return 0 }),
		un("ConstDiv", 0.4, func(tp *aad.Tape, a aad.Number) aad.Number { return tp.ConstDiv(c, a) }, func(x float64) float64 { return c / x }, func(x float64) float64 { return -c / (x * x) }, func(x float64) float64 { return 2 * c / (x * x * x) }),
		un("Square", -0.4, (*aad.Tape).Square, func(x float64) float64 { return x * x }, func(x float64) float64 { return 2 * x }, func(float64) float64 { return 2 }),
		un("Exp", 0.4, (*aad.Tape).Exp, math.Exp, math.Exp, math.Exp),
		un("Log", 0.4, (*aad.Tape).Log, math.Log, func(x float64) float64 { return 1 / x }, func(x float64) float64 { return -1 / (x * x) }),
		un("Sqrt", 0.4, (*aad.Tape).Sqrt, math.Sqrt, func(x float64) float64 { return 0.5 / math.Sqrt(x) }, func(x float64) float64 { return -0.25 / (x * math.Sqrt(x)) }),
		un("PowConst", 0.4, func(tp *aad.Tape, a aad.Number) aad.Number { return tp.PowConst(a, 2.5) }, func(x float64) float64 { return math.Pow(x, 2.5) }, func(x float64) float64 { return 2.5 * math.Pow(x, 1.5) }, func(x float64) float64 { return 3.75 * math.Sqrt(x) }),
		un("PowConst(-1)", -0.4, func(tp *aad.Tape, a aad.Number) aad.Number { return tp.PowConst(a, -1) }, func(x float64) float64 { return 1 / x }, func(x float64) float64 { return -1 / (x * x) }, func(x float64) float64 { return 2 / (x * x * x) }),
		un("Abs", -0.4, (*aad.Tape).Abs, math.Abs, func(x float64) float64 { return math.Copysign(1, x) }, func(float64) float64 { return 0 }),
		un("Sin", 0.4, (*aad.Tape).Sin, math.Sin, math.Cos, func(x float64) float64 { return -math.Sin(x) }),
		un("Cos", 0.4, (*aad.Tape).Cos, math.Cos, func(x float64) float64 { return -math.Sin(x) }, func(x float64) float64 { return -math.Cos(x) }),
		un("Erf", 0.4, (*aad.Tape).Erf, math.Erf, func(x float64) float64 { return 2 / math.SqrtPi * math.Exp(-x*x) }, func(x float64) float64 { return -4 * x / math.SqrtPi * math.Exp(-x*x) }),
		un("Erfc", 0.4, (*aad.Tape).Erfc, math.Erfc, func(x float64) float64 { return -2 / math.SqrtPi * math.Exp(-x*x) }, func(x float64) float64 { return 4 * x / math.SqrtPi * math.Exp(-x*x) }),
		un("NormCDF", 0.4, (*aad.Tape).NormCDF, aad.NormCDF, phi, func(x float64) float64 { return -x * phi(x) }),
		un("NormPDF", 0.4, (*aad.Tape).NormPDF, phi, func(x float64) float64 { return -x * phi(x) }, func(x float64) float64 { return (x*x - 1) * phi(x) }),
		un("SmoothStep", 0.3, func(tp *aad.Tape, a aad.Number) aad.Number { return tp.SmoothStep(a, w) },
			func(x float64) float64 { v, _ := smoothStepRef(x, w); return v },
			func(x float64) float64 { _, d := smoothStepRef(x, w); return d },
			func(x float64) float64 { return -1.5 * x / (w * w * w) }),
	}
}

func TestSecondOrderOps(t *testing.T) {
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	for _, op := range secondOrderOps() {
		wantV, wantG, wantH := hyperHessian(op.hyper, op.x)
		v, g, h := tapeHessian(t, tp, op.tape, op.x)
		testutil.Near(t, v, wantV, 1e-15, 1e-15, "%s value", op.name)
		assertGradNear(t, g, wantG, wantV, 1e-14, "%s gradient", op.name)
		assertHessianNear(t, h, wantH, 1e-13, "%s Hessian against hyperdual", op.name)
		assertSymmetric(t, h, "%s", op.name)
		if op.d2 != nil {
			testutil.Near(t, h[0][0], op.d2(op.x[0]), 1e-14, 1e-15, "%s: f'' against the analytic one", op.name)
		}
	}
}

// TestSecondOrderChain checks an op on an intermediate (not a variable), so
// that the tangents recorded on the way are used: f(g(x, y)).
func TestSecondOrderChain(t *testing.T) {
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	inner := func(tp *aad.Tape, x []aad.Number) aad.Number { return tp.Add(tp.Mul(x[0], x[1]), tp.Sin(x[0])) }
	innerH := func(x []hyperdual.Number) hyperdual.Number {
		return hyperdual.Add(hyperdual.Mul(x[0], x[1]), hyperdual.Sin(x[0]))
	}
	for _, op := range secondOrderOps() {
		if len(op.x) != 1 {
			continue
		}
		x := []float64{0.35, 0.2 + op.x[0]}
		f := func(tp *aad.Tape, x []aad.Number) aad.Number { return op.tape(tp, []aad.Number{inner(tp, x)}) }
		fh := func(x []hyperdual.Number) hyperdual.Number { return op.hyper([]hyperdual.Number{innerH(x)}) }
		_, _, wantH := hyperHessian(fh, x)
		_, _, h := tapeHessian(t, tp, f, x)
		assertHessianNear(t, h, wantH, 1e-12, "%s∘inner Hessian", op.name)
		assertSymmetric(t, h, "%s∘inner", op.name)
	}
}

// hyperOracle evaluates a random tree in hyperdual numbers.
func evalHyper(n *node, xs []hyperdual.Number) hyperdual.Number {
	if n.op == leafVar {
		return xs[n.v]
	}
	if n.op == leafConst {
		return hyperdual.Number{Real: n.c}
	}
	k := make([]hyperdual.Number, len(n.kids))
	for i, kid := range n.kids {
		k[i] = evalHyper(kid, xs)
	}
	c := hyperdual.Number{Real: n.c}
	x := k[0].Real
	switch n.op {
	case opNeg:
		return hyperdual.Scale(-1, k[0])
	case opAddConst:
		return hyperdual.Add(k[0], c)
	case opSubConst:
		return hyperdual.Sub(k[0], c)
	case opConstSub:
		return hyperdual.Sub(c, k[0])
	case opMulConst:
		return hyperdual.Scale(n.c, k[0])
	case opDivConst:
		return hyperdual.Scale(1/n.c, k[0])
	case opConstDiv:
		v := n.c / x
		return hchain(k[0], v, -v/x, 2*v/(x*x))
	case opSquare:
		return hyperdual.Mul(k[0], k[0])
	case opExp:
		return hyperdual.Exp(k[0])
	case opLog:
		return hchain(k[0], math.Log(x), 1/x, -1/(x*x))
	case opSqrt:
		s := math.Sqrt(x)
		return hchain(k[0], s, 0.5/s, -0.25/(x*s))
	case opPowConst:
		return hchain(k[0], math.Pow(x, n.c), n.c*math.Pow(x, n.c-1), n.c*(n.c-1)*math.Pow(x, n.c-2))
	case opAbs:
		if x == 0 {
			return hyperdual.Number{}
		}
		return hyperdual.Abs(k[0])
	case opSin:
		return hyperdual.Sin(k[0])
	case opCos:
		return hyperdual.Cos(k[0])
	case opErf:
		d := 2 / math.SqrtPi * math.Exp(-x*x)
		return hchain(k[0], math.Erf(x), d, -2*x*d)
	case opErfc:
		d := -2 / math.SqrtPi * math.Exp(-x*x)
		return hchain(k[0], math.Erfc(x), d, -2*x*d)
	case opNormCDF:
		return hchain(k[0], aad.NormCDF(x), phi(x), -x*phi(x))
	case opNormPDF:
		return hchain(k[0], phi(x), -x*phi(x), (x*x-1)*phi(x))
	case opSmoothStep:
		v, d := smoothStepRef(x, n.c)
		d2 := 0.0
		if d != 0 {
			d2 = -1.5 * x / (n.c * n.c * n.c)
		}
		return hchain(k[0], v, d, d2)
	case opAdd:
		return hyperdual.Add(k[0], k[1])
	case opSub:
		return hyperdual.Sub(k[0], k[1])
	case opMul:
		return hyperdual.Mul(k[0], k[1])
	case opDiv:
		return hyperdual.Mul(k[0], hyperdual.Inv(k[1]))
	case opPow:
		r := hyperdual.Pow(k[0], k[1])
		r.Real = math.Pow(k[0].Real, k[1].Real)
		return r
	case opMin:
		if k[0].Real <= k[1].Real {
			return k[0]
		}
		return k[1]
	case opMax:
		if k[0].Real >= k[1].Real {
			return k[0]
		}
		return k[1]
	case opMulExp:
		return hyperdual.Mul(k[0], hyperdual.Exp(k[1]))
	case opSmoothMax:
		d := k[0].Real - k[1].Real
		if !(d > -n.c && d < n.c) {
			if k[0].Real >= k[1].Real {
				return k[0]
			}
			return k[1]
		}
		u := hyperdual.Scale(1/n.c, hyperdual.Sub(k[0], k[1]))
		u2 := hyperdual.Mul(u, u)
		g := hyperdual.Add(hyperdual.Number{Real: 3.0 / 16}, hyperdual.Add(hyperdual.Scale(0.5, u), hyperdual.Sub(hyperdual.Scale(3.0/8, u2), hyperdual.Scale(1.0/16, hyperdual.Mul(u2, u2)))))
		return hyperdual.Add(k[1], hyperdual.Scale(n.c, g))
	case opMulAdd:
		return hyperdual.Add(hyperdual.Mul(k[0], k[1]), k[2])
	case opSum:
		s := hyperdual.Number{}
		for _, x := range k {
			s = hyperdual.Add(s, x)
		}
		return s
	case opDot:
		h := len(k) / 2
		s := hyperdual.Number{}
		for i := range h {
			s = hyperdual.Add(s, hyperdual.Mul(k[i], k[h+i]))
		}
		return s
	case opDotConst:
		s := hyperdual.Number{}
		for i, x := range k {
			s = hyperdual.Add(s, hyperdual.Scale(n.w[i], x))
		}
		return s
	case opCustom:
		s := hyperdual.Number{}
		for i, x := range k {
			s = hyperdual.Add(s, hyperdual.Scale(n.w[i], hyperdual.Sin(x)))
		}
		return s
	}
	panic("unknown op " + opNames[n.op])
}

// tameHessian reports whether a tree's Hessian at x is finite, moderate and
// not ill-conditioned (a relative move of the inputs by 1e-10 moves it by
// less than 1e-7 of its size), as tame does for the gradient.
func tameHessian(tree *node, x []float64) bool {
	f := func(xs []hyperdual.Number) hyperdual.Number { return evalHyper(tree, xs) }
	_, _, h := hyperHessian(f, x)
	xp := make([]float64, len(x))
	for i := range x {
		xp[i] = x[i] * (1 + 1e-10*float64(2*(i%2)-1))
	}
	_, _, hp := hyperHessian(f, xp)
	scale := 0.0
	for _, r := range h {
		for _, v := range r {
			if math.IsNaN(v) || math.Abs(v) > 1e8 {
				return false
			}
		}
		scale = math.Max(scale, infNorm(r))
	}
	for i := range h {
		for j := range h[i] {
			if math.Abs(hp[i][j]-h[i][j]) > 1e-7*math.Max(scale, 1e-3) {
				return false
			}
		}
	}
	return true
}

func TestRandomTreesSecondOrder(t *testing.T) {
	const nVars = 4
	trees, points := tameTrees(11, 400, nVars, 6)
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	first := aad.NewTape(0)
	opsSeen := make([]int, numOps)
	tested := 0
	for it, tree := range trees {
		x := points[it]
		if !tameHessian(tree, x) {
			continue
		}
		tested++
		countOps(tree, opsSeen)
		wantV, wantG, wantH := hyperHessian(func(xs []hyperdual.Number) hyperdual.Number { return evalHyper(tree, xs) }, x)
		f := func(tp *aad.Tape, xs []aad.Number) aad.Number { return evalTape(tp, tree, xs) }
		v, g, h := tapeHessian(t, tp, f, x)
		ok := testutil.Near(t, v, wantV, treeRel, 1e-300, "tree %d value", it)
		ok = assertGradNear(t, g, wantG, wantV, treeRel, "tree %d gradient", it) && ok
		ok = assertHessianNear(t, h, wantH, 1e-9, "tree %d Hessian", it) && ok
		ok = assertSymmetric(t, h, "tree %d", it) && ok

		// The first-order tape gives the same value and gradient bit for bit.
		first.Reset()
		xs := vars(first, x)
		y1 := evalTape(first, tree, xs)
		g1 := first.Gradient(nil, y1, xs)
		ok = assertSameBits(t, y1.Value(), v, "tree %d first-order value", it) && ok
		for i := range g1 {
			ok = testutil.Near(t, g[i], g1[i], 1e-14, 1e-14*infNorm(g1)+1e-300, "tree %d first-order ∂/∂x%d", it, i) && ok
		}
		if !ok {
			t.Logf("tree %d at x=%v: %v", it, x, tree)
		}
	}
	assert.Greater(t, tested, 300, "trees with a tame Hessian")
	for op := opNeg; op < numOps; op++ {
		assert.Positive(t, opsSeen[op], "operation %s never drawn", opNames[op])
	}
}

// TestSecondOrderMarkPattern runs the Monte Carlo mark pattern on a
// second-order tape and checks the gradient and H·v against one recording
// of the weighted sum of the payoffs.
func TestSecondOrderMarkPattern(t *testing.T) {
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	v := []float64{0.3, -1, 0.5, 2, -0.7}
	for trial := range 10 {
		p := newMCProblem(uint64(200+trial), 30)

		tp.Reset()
		xs := vars(tp, p.x)
		for i, x := range xs {
			tp.SetTangent(x, v[i])
		}
		leaves := append([]aad.Number(nil), xs...)
		for _, s := range p.setup {
			leaves = append(leaves, evalTape(tp, s, xs))
		}
		m := tp.Mark()
		for i, path := range p.paths {
			tp.RewindToMark(m)
			y := evalTape(tp, path, leaves)
			tp.SetAdjoint(y, tp.Adjoint(y)+p.weights[i])
			tp.BackwardToMark(m)
		}
		tp.BackwardFromMark(m)
		g1 := make([]float64, len(xs))
		hv1 := make([]float64, len(xs))
		for i, x := range xs {
			g1[i], hv1[i] = tp.Adjoint(x), tp.AdjointTangent(x)
		}

		tp.Reset()
		xs = vars(tp, p.x)
		for i, x := range xs {
			tp.SetTangent(x, v[i])
		}
		leaves = append(leaves[:0], xs...)
		for _, s := range p.setup {
			leaves = append(leaves, evalTape(tp, s, xs))
		}
		ys := make([]aad.Number, len(p.paths))
		for i, path := range p.paths {
			ys[i] = evalTape(tp, path, leaves)
		}
		total := tp.DotConst(ys, p.weights)
		g2, hv2 := tp.HessianVector(nil, nil, total, xs)
		assertGradNear(t, g1, g2, total.Value(), treeRel, "trial %d: gradient by marks", trial)
		assertGradNear(t, hv1, hv2, total.Value(), 1e-9, "trial %d: H·v by marks", trial)
	}
}

func TestSecondOrderMisuse(t *testing.T) {
	tp := aad.NewTape(0)
	x := tp.Var(1)
	assertPanicsContaining(t, "not in second-order mode", func() { tp.HessianVector(nil, nil, x, []aad.Number{x}) }, "HessianVector on a first-order tape")
	// Custom2 on a first-order tape is Custom.
	y := tp.Custom2(2, []aad.Number{x}, []float64{3}, []float64{5})
	g := tp.Gradient(nil, y, []aad.Number{x})
	assert.Equal(t, []float64{3}, g, "Custom2 on a first-order tape")

	tp.SetSecondOrder(true)
	require.True(t, tp.SecondOrder())
	assert.Equal(t, 0, tp.Len(), "SetSecondOrder resets")
	x = tp.Var(1)
	assertPanicsContaining(t, "use Custom2", func() { tp.Custom(2, []aad.Number{x}, []float64{3}) }, "Custom on a second-order tape")
	assertPanicsContaining(t, "use Custom2", func() {
		tp.Custom4(2, x, 3, aad.Number{}, 0, aad.Number{}, 0, aad.Number{}, 0)
	}, "Custom4 on a second-order tape")
	assertPanicsContaining(t, "len(hess)", func() { tp.Custom2(2, []aad.Number{x}, []float64{3}, nil) }, "Custom2 without a Hessian")
	tp.Reset()
	assert.True(t, tp.SecondOrder(), "the mode stays across Reset")
	tp.SetSecondOrder(false)
	assert.False(t, tp.SecondOrder())
	var nilTape *aad.Tape
	nilTape.SetSecondOrder(true)
	assert.False(t, nilTape.SecondOrder())
	// A passive output: the gradient and H·v are 0; passive seeds do nothing.
	tp.SetSecondOrder(true)
	x = tp.Var(1)
	tp.SetTangent(aad.Const(1), 1)
	g, hv := tp.HessianVector(nil, nil, aad.Const(3), []aad.Number{x, aad.Const(2)})
	assert.Equal(t, []float64{0, 0}, g)
	assert.Equal(t, []float64{0, 0}, hv)
}

// TestSecondOrderStats checks the bytes a second-order statement takes.
func TestSecondOrderStats(t *testing.T) {
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	a, b := tp.Var(1), tp.Var(2)
	tp.Mul(a, b)
	s := tp.Stats()
	// 4 statements with the sentinel, 2 operands: 24 bytes per statement, 24 per operand.
	assert.Equal(t, 4*24+2*24, s.BytesUsed)
}

func TestAllocsSecondOrder(t *testing.T) {
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	in := make([]aad.Number, 6)
	buf := make([]aad.Number, 4)
	grad, hv := make([]float64, 6), make([]float64, 6)
	run := func() {
		tp.Reset()
		tp.Vars(in, bsInputs[:]...)
		tp.SetTangent(in[0], 1)
		y := bsCall(tp, in[0], in[1], in[2], in[3], in[4], in[5], buf)
		tp.HessianVector(grad, hv, y, in)
	}
	for range 3 {
		run()
	}
	_, delta := bsClosedForm(bsInputs[0], bsInputs[1], bsInputs[2], bsInputs[3], bsInputs[4], bsInputs[5])
	testutil.Near(t, grad[0], delta, 1e-13, 1e-13, "delta")
	// Gamma by the textbook formula.
	s, k, r, q, vol, T := bsInputs[0], bsInputs[1], bsInputs[2], bsInputs[3], bsInputs[4], bsInputs[5]
	d1 := (math.Log(s/k) + (r-q+vol*vol/2)*T) / (vol * math.Sqrt(T))
	testutil.Near(t, hv[0], math.Exp(-q*T)*phi(d1)/(s*vol*math.Sqrt(T)), 1e-12, 1e-14, "gamma")
	assert.Zero(t, testing.AllocsPerRun(100, run), "allocations per warm second-order recording and sweep")
}
