package aad_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/num/dual"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// Random expression trees, evaluated on a tape (backward and forward
// sweeps), on a nil tape, and by an independent oracle in dual numbers.

type opKind int

const (
	leafVar opKind = iota
	leafConst
	// unary
	opNeg
	opAddConst
	opSubConst
	opConstSub
	opMulConst
	opDivConst
	opConstDiv // of a positive argument
	opSquare
	opExp
	opLog  // of a positive argument
	opSqrt // of a positive argument
	opPowConst
	opAbs
	opSin
	opCos
	opErf
	opErfc
	opNormCDF
	opNormPDF
	opSmoothStep
	// binary
	opAdd
	opSub
	opMul
	opDiv // by a positive argument
	opPow // of a positive base
	opMin
	opMax
	opMulExp
	opSmoothMax
	// ternary
	opMulAdd
	// n-ary
	opSum
	opDot
	opDotConst
	opCustom
	numOps
)

var opNames = [...]string{
	"x", "c", "Neg", "AddConst", "SubConst", "ConstSub", "MulConst", "DivConst", "ConstDiv",
	"Square", "Exp", "Log", "Sqrt", "PowConst", "Abs", "Sin", "Cos", "Erf", "Erfc", "NormCDF",
	"NormPDF", "SmoothStep", "Add", "Sub", "Mul", "Div", "Pow", "Min", "Max", "MulExp",
	"SmoothMax", "MulAdd", "Sum", "Dot", "DotConst", "Custom",
}

type node struct {
	op   opKind
	v    int       // variable index of a leaf
	c    float64   // constant, exponent, width or draw
	w    []float64 // weights of DotConst and Custom
	kids []*node
}

func (n *node) String() string {
	switch n.op {
	case leafVar:
		return fmt.Sprintf("x%d", n.v)
	case leafConst:
		return fmt.Sprintf("%.3g", n.c)
	}
	parts := make([]string, len(n.kids))
	for i, k := range n.kids {
		parts[i] = k.String()
	}
	return fmt.Sprintf("%s[%.3g](%s)", opNames[n.op], n.c, strings.Join(parts, ", "))
}

// treeGen builds random trees over nVars variables.
type treeGen struct {
	r     *rand.Rand
	nVars int
}

func (g *treeGen) uniform(lo, hi float64) float64 { return lo + (hi-lo)*g.r.Float64() }

func (g *treeGen) leaf() *node {
	if g.r.IntN(4) == 0 {
		return &node{op: leafConst, c: g.uniform(-2, 2)}
	}
	return &node{op: leafVar, v: g.r.IntN(g.nVars)}
}

// positive wraps n so that its value is positive: Exp(n) or n²+c.
func (g *treeGen) positive(n *node) *node {
	if g.r.IntN(2) == 0 {
		return &node{op: opExp, kids: []*node{n}}
	}
	sq := &node{op: opSquare, kids: []*node{n}}
	return &node{op: opAddConst, c: g.uniform(0.25, 2), kids: []*node{sq}}
}

func (g *treeGen) gen(depth int) *node {
	if depth == 0 || g.r.IntN(6) == 0 {
		return g.leaf()
	}
	op := opKind(2 + g.r.IntN(int(numOps)-2))
	sub := func() *node { return g.gen(depth - 1) }
	n := &node{op: op}
	switch op {
	case opAddConst, opSubConst, opConstSub, opMulConst:
		n.c = g.uniform(-2, 2)
		n.kids = []*node{sub()}
	case opDivConst:
		n.c = g.uniform(0.5, 2) * float64(1-2*g.r.IntN(2))
		n.kids = []*node{sub()}
	case opConstDiv, opLog, opSqrt:
		n.c = g.uniform(-2, 2)
		n.kids = []*node{g.positive(sub())}
	case opPowConst:
		n.c = []float64{-1.5, -1, 0.5, 1.5, 2, 2.5, 3}[g.r.IntN(7)]
		n.kids = []*node{g.positive(sub())}
	case opSmoothStep:
		n.c = g.uniform(0.1, 2)
		n.kids = []*node{sub()}
	case opDiv:
		n.kids = []*node{sub(), g.positive(sub())}
	case opPow:
		n.kids = []*node{g.positive(sub()), sub()}
	case opSmoothMax:
		n.c = g.uniform(0.1, 2)
		n.kids = []*node{sub(), sub()}
	case opAdd, opSub, opMul, opMin, opMax, opMulExp:
		n.kids = []*node{sub(), sub()}
	case opMulAdd:
		n.kids = []*node{sub(), sub(), sub()}
	case opSum, opDotConst, opCustom:
		k := 1 + g.r.IntN(4)
		n.w = make([]float64, k)
		for i := range n.w {
			n.w[i] = g.uniform(-2, 2)
			n.kids = append(n.kids, sub())
		}
	case opDot:
		k := 1 + g.r.IntN(3)
		for range 2 * k {
			n.kids = append(n.kids, sub())
		}
	default: // the remaining unary operations
		n.kids = []*node{sub()}
	}
	return n
}

// evalTape evaluates n on tp (nil for passive evaluation) with leaves xs.
func evalTape(tp *aad.Tape, n *node, xs []aad.Number) aad.Number {
	if n.op == leafVar {
		return xs[n.v]
	}
	if n.op == leafConst {
		return aad.Const(n.c)
	}
	k := make([]aad.Number, len(n.kids))
	for i, kid := range n.kids {
		k[i] = evalTape(tp, kid, xs)
	}
	switch n.op {
	case opNeg:
		return tp.Neg(k[0])
	case opAddConst:
		return tp.AddConst(k[0], n.c)
	case opSubConst:
		return tp.SubConst(k[0], n.c)
	case opConstSub:
		return tp.ConstSub(n.c, k[0])
	case opMulConst:
		return tp.MulConst(k[0], n.c)
	case opDivConst:
		return tp.DivConst(k[0], n.c)
	case opConstDiv:
		return tp.ConstDiv(n.c, k[0])
	case opSquare:
		return tp.Square(k[0])
	case opExp:
		return tp.Exp(k[0])
	case opLog:
		return tp.Log(k[0])
	case opSqrt:
		return tp.Sqrt(k[0])
	case opPowConst:
		return tp.PowConst(k[0], n.c)
	case opAbs:
		return tp.Abs(k[0])
	case opSin:
		return tp.Sin(k[0])
	case opCos:
		return tp.Cos(k[0])
	case opErf:
		return tp.Erf(k[0])
	case opErfc:
		return tp.Erfc(k[0])
	case opNormCDF:
		return tp.NormCDF(k[0])
	case opNormPDF:
		return tp.NormPDF(k[0])
	case opSmoothStep:
		return tp.SmoothStep(k[0], n.c)
	case opAdd:
		return tp.Add(k[0], k[1])
	case opSub:
		return tp.Sub(k[0], k[1])
	case opMul:
		return tp.Mul(k[0], k[1])
	case opDiv:
		return tp.Div(k[0], k[1])
	case opPow:
		return tp.Pow(k[0], k[1])
	case opMin:
		return tp.Min(k[0], k[1])
	case opMax:
		return tp.Max(k[0], k[1])
	case opMulExp:
		return tp.MulExp(k[0], k[1])
	case opSmoothMax:
		return tp.SmoothMax(k[0], k[1], n.c)
	case opMulAdd:
		return tp.MulAdd(k[0], k[1], k[2])
	case opSum:
		return tp.Sum(k...)
	case opDot:
		h := len(k) / 2
		return tp.Dot(k[:h], k[h:])
	case opDotConst:
		return tp.DotConst(k, n.w)
	case opCustom:
		// v = Σ wᵢ·sin kᵢ, with its partials supplied by hand.
		v, p := 0.0, make([]float64, len(k))
		for i, x := range k {
			v += n.w[i] * math.Sin(x.Value())
			p[i] = n.w[i] * math.Cos(x.Value())
		}
		if tp.SecondOrder() {
			// Its Hessian is diagonal: −wᵢ·sin kᵢ.
			h := make([]float64, len(k)*len(k))
			for i, x := range k {
				h[i*len(k)+i] = -n.w[i] * math.Sin(x.Value())
			}
			return tp.Custom2(v, k, p, h)
		}
		return tp.Custom(v, k, p)
	}
	panic("unknown op " + opNames[n.op])
}

// Dual-number oracle. Package dual provides the arithmetic and most
// elementary functions; the others are written here by the chain rule.

func dchain(x dual.Number, v, d float64) dual.Number {
	return dual.Number{Real: v, Emag: d * x.Emag}
}

func dsmoothStep(x dual.Number, w float64) dual.Number {
	v, d := smoothStepRef(x.Real, w)
	if math.IsNaN(x.Real) {
		v = math.NaN()
	}
	return dchain(x, v, d)
}

// extent records the smallest nonzero and the largest magnitude of the
// values of a tree's nodes, and of the exponentials inside fused nodes
// (partials, which when huge overflow the adjoints of a backward sweep even
// where the derivative is finite).
type extent struct{ lo, hi float64 }

func (e *extent) add(v float64) {
	if a := math.Abs(v); a != 0 {
		e.lo, e.hi = math.Min(e.lo, a), math.Max(e.hi, a)
	}
	if math.IsNaN(v) {
		e.hi = math.NaN()
	}
}

func evalDual(n *node, xs []dual.Number, ext *extent) dual.Number {
	r := evalDual1(n, xs, ext)
	ext.add(r.Real)
	return r
}

func evalDual1(n *node, xs []dual.Number, ext *extent) dual.Number {
	if n.op == leafVar {
		return xs[n.v]
	}
	if n.op == leafConst {
		return dual.Number{Real: n.c}
	}
	k := make([]dual.Number, len(n.kids))
	for i, kid := range n.kids {
		k[i] = evalDual(kid, xs, ext)
	}
	c := dual.Number{Real: n.c}
	switch n.op {
	case opNeg:
		return dual.Scale(-1, k[0])
	case opAddConst:
		return dual.Add(k[0], c)
	case opSubConst:
		return dual.Sub(k[0], c)
	case opConstSub:
		return dual.Sub(c, k[0])
	case opMulConst:
		return dual.Scale(n.c, k[0])
	case opDivConst:
		return dual.Number{Real: k[0].Real / n.c, Emag: k[0].Emag / n.c}
	case opConstDiv:
		v := n.c / k[0].Real
		return dchain(k[0], v, -v/k[0].Real)
	case opSquare:
		return dual.Mul(k[0], k[0])
	case opExp:
		return dual.Exp(k[0])
	case opLog:
		return dual.Log(k[0])
	case opSqrt:
		// dual.Sqrt and dual.PowReal evaluate the derivative at 1e-15 for
		// smaller arguments; the trees reach far smaller ones.
		x := k[0].Real
		return dchain(k[0], math.Sqrt(x), 0.5/math.Sqrt(x))
	case opPowConst:
		x := k[0].Real
		return dchain(k[0], math.Pow(x, n.c), n.c*math.Pow(x, n.c-1))
	case opAbs:
		if k[0].Real == 0 {
			return dual.Number{}
		}
		return dual.Abs(k[0])
	case opSin:
		return dual.Sin(k[0])
	case opCos:
		return dual.Cos(k[0])
	case opErf:
		x := k[0].Real
		return dchain(k[0], math.Erf(x), 2/math.SqrtPi*math.Exp(-x*x))
	case opErfc:
		x := k[0].Real
		return dchain(k[0], math.Erfc(x), -2/math.SqrtPi*math.Exp(-x*x))
	case opNormCDF:
		x := k[0].Real
		return dchain(k[0], 0.5*math.Erfc(-x/math.Sqrt2), phi(x))
	case opNormPDF:
		x := k[0].Real
		return dchain(k[0], phi(x), -x*phi(x))
	case opSmoothStep:
		return dsmoothStep(k[0], n.c)
	case opAdd:
		return dual.Add(k[0], k[1])
	case opSub:
		return dual.Sub(k[0], k[1])
	case opMul:
		return dual.Mul(k[0], k[1])
	case opDiv:
		a, b := k[0], k[1]
		v := a.Real / b.Real
		return dual.Number{Real: v, Emag: (a.Emag - v*b.Emag) / b.Real}
	case opPow:
		r := dual.Pow(k[0], k[1])
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
		e := dual.Exp(k[1])
		ext.add(e.Real) // a partial: huge ones overflow adjoints
		return dual.Mul(k[0], e)
	case opSmoothMax:
		v, da, db := smoothMaxRef(k[0].Real, k[1].Real, n.c)
		return dual.Number{Real: v, Emag: da*k[0].Emag + db*k[1].Emag}
	case opMulAdd:
		return dual.Add(dual.Mul(k[0], k[1]), k[2])
	case opSum:
		s := dual.Number{}
		for _, x := range k {
			s = dual.Add(s, x)
		}
		return s
	case opDot:
		h := len(k) / 2
		s := dual.Number{}
		for i := range h {
			s = dual.Add(s, dual.Mul(k[i], k[h+i]))
		}
		return s
	case opDotConst:
		s := dual.Number{}
		for i, x := range k {
			s = dual.Add(s, dual.Scale(n.w[i], x))
		}
		return s
	case opCustom:
		s := dual.Number{}
		for i, x := range k {
			s = dual.Add(s, dual.Scale(n.w[i], dual.Sin(x)))
		}
		return s
	}
	panic("unknown op " + opNames[n.op])
}

// oracle returns the value and gradient of n at x by dual numbers, one
// evaluation per variable.
func oracle(n *node, x []float64) (float64, []float64) {
	v, g, _ := oracleExt(n, x)
	return v, g
}

func oracleExt(n *node, x []float64) (float64, []float64, extent) {
	xs := make([]dual.Number, len(x))
	g := make([]float64, len(x))
	var v float64
	ext := extent{lo: math.Inf(1)}
	for i := range x {
		for j := range x {
			xs[j] = dual.Number{Real: x[j]}
		}
		xs[i].Emag = 1
		d := evalDual(n, xs, &ext)
		v, g[i] = d.Real, d.Emag
	}
	return v, g, ext
}

// tame reports whether the tree n is numerically tame at x: every node's
// value (and fused exponential) is 0 or of magnitude within [1e-30, 1e30]
// (no overflow, no underflow), the gradient g is finite and moderate, and it is not
// ill-conditioned: a relative perturbation of the inputs by 1e-10 moves
// neither the value nor the gradient by more than 1e-7 of its size. Rounding
// in different but equally valid orders of evaluation then stays well under
// the comparison tolerance.
func tame(n *node, x []float64) bool {
	v, g, ext := oracleExt(n, x)
	if math.IsNaN(ext.hi) || ext.hi > 1e30 || ext.lo < 1e-30 {
		return false
	}
	if math.IsNaN(v) || math.Abs(v) > 1e8 {
		return false
	}
	for _, d := range g {
		if math.IsNaN(d) || math.Abs(d) > 1e8 {
			return false
		}
	}
	xp := make([]float64, len(x))
	for i := range x {
		xp[i] = x[i] * (1 + 1e-10*float64(2*(i%2)-1))
	}
	vp, gp := oracle(n, xp)
	scale := infNorm(g)
	if math.Abs(vp-v) > 1e-7*math.Max(math.Abs(v), 1e-3) {
		return false
	}
	for i := range g {
		if math.Abs(gp[i]-g[i]) > 1e-7*math.Max(scale, 1e-3) {
			return false
		}
	}
	return true
}

func infNorm(g []float64) float64 {
	m := 0.0
	for _, d := range g {
		m = math.Max(m, math.Abs(d))
	}
	return m
}

// assertGradNear compares gradients relative to the larger of each
// component and the gradient's norm, with an absolute floor of 1e-14 of the
// output's magnitude for gradients that cancel to zero (MulExp(c/eˣ, x)).
func assertGradNear(t testing.TB, got, want []float64, value, rel float64, what string, args ...any) bool {
	t.Helper()
	ok := true
	floor := rel*infNorm(want) + 1e-14*math.Max(1, math.Abs(value))
	for i := range want {
		ok = testutil.Near(t, got[i], want[i], rel, floor+1e-300, "%s: ∂/∂x%d", fmt.Sprintf(what, args...), i) && ok
	}
	return ok
}

// tameTrees draws n trees over nVars variables with their points.
func tameTrees(seed uint64, n, nVars, depth int) ([]*node, [][]float64) {
	g := &treeGen{r: rand.New(rand.NewPCG(seed, 0x5eed)), nVars: nVars}
	trees := make([]*node, 0, n)
	points := make([][]float64, 0, n)
	for len(trees) < n {
		tree := g.gen(depth)
		x := make([]float64, nVars)
		for i := range x {
			x[i] = g.uniform(-2, 2)
		}
		if !tame(tree, x) {
			continue
		}
		trees = append(trees, tree)
		points = append(points, x)
	}
	return trees, points
}

const treeRel = 1e-10

func TestRandomTrees(t *testing.T) {
	const nVars = 5
	trees, points := tameTrees(1, 600, nVars, 6)
	tp := aad.NewTape(0)
	var nilTape *aad.Tape
	opsSeen := make([]int, numOps)
	for it, tree := range trees {
		countOps(tree, opsSeen)
		x := points[it]
		wantV, wantG := oracle(tree, x)

		tp.Reset()
		xs := vars(tp, x)
		y := evalTape(tp, tree, xs)
		ok := testutil.Near(t, y.Value(), wantV, treeRel, 1e-300, "tree %d value", it)

		// (i) the backward sweep
		g := tp.Gradient(nil, y, xs)
		ok = assertGradNear(t, g, wantG, wantV, treeRel, "tree %d backward", it) && ok

		// (ii) the forward sweep, one unit seed per variable
		fg := make([]float64, nVars)
		for i := range xs {
			tp.ClearTangents()
			tp.SetTangent(xs[i], 1)
			tp.Forward()
			fg[i] = tp.Tangent(y)
		}
		ok = assertGradNear(t, fg, wantG, wantV, treeRel, "tree %d forward", it) && ok

		// (iv) the nil tape computes the same value bit for bit
		yn := evalTape(nilTape, tree, consts(x))
		ok = assertSameBits(t, yn.Value(), y.Value(), "tree %d nil-tape value", it) && ok
		ok = assert.False(t, yn.Active(), "tree %d nil-tape result active", it) && ok

		if !ok {
			t.Logf("tree %d at x=%v: %v", it, x, tree)
		}
	}
	for op := opNeg; op < numOps; op++ {
		assert.Positive(t, opsSeen[op], "operation %s never drawn", opNames[op])
	}
}

func countOps(n *node, seen []int) {
	seen[n.op]++
	for _, k := range n.kids {
		countOps(k, seen)
	}
}

// TestTreeSweepsRepeatable checks that sweeping a recorded tree a second
// time gives the same gradient bit for bit.
func TestTreeSweepsRepeatable(t *testing.T) {
	trees, points := tameTrees(2, 100, 5, 5)
	tp := aad.NewTape(0)
	for it, tree := range trees {
		tp.Reset()
		xs := vars(tp, points[it])
		y := evalTape(tp, tree, xs)
		g1 := tp.Gradient(nil, y, xs)
		g2 := tp.Gradient(nil, y, xs)
		for i := range g1 {
			assertSameBits(t, g2[i], g1[i], "tree %d: second Gradient ∂/∂x%d", it, i)
		}
	}
}

// ---------------------------------------------------------------------------
// The Monte Carlo mark pattern against one recording of the whole sum.

// mcProblem is a set-up (trees over the variables) and per-path payoffs
// (trees over the variables and the set-up outputs) with their weights.
type mcProblem struct {
	x       []float64
	setup   []*node
	paths   []*node
	weights []float64
}

func newMCProblem(seed uint64, nPaths int) mcProblem {
	const nVars, nSetup = 5, 3
	g := &treeGen{r: rand.New(rand.NewPCG(seed, 0x3c)), nVars: nVars}
	var p mcProblem
	for {
		p.x = make([]float64, nVars)
		for i := range p.x {
			p.x[i] = g.uniform(-2, 2)
		}
		p.setup = p.setup[:0]
		okAll := true
		for range nSetup {
			s := g.gen(3)
			if !tame(s, p.x) {
				okAll = false
				break
			}
			p.setup = append(p.setup, s)
		}
		if okAll {
			break
		}
	}
	// Path trees see the variables and the set-up outputs as leaves.
	leaves := make([]float64, 0, nVars+nSetup)
	leaves = append(leaves, p.x...)
	for _, s := range p.setup {
		v, _ := oracle(s, p.x)
		leaves = append(leaves, v)
	}
	pg := &treeGen{r: g.r, nVars: nVars + nSetup}
	for len(p.paths) < nPaths {
		tree := pg.gen(4)
		if !tame(tree, leaves) {
			continue
		}
		p.paths = append(p.paths, tree)
		p.weights = append(p.weights, pg.uniform(-1, 1))
	}
	return p
}

// gradByMarks records the set-up, takes a mark, and runs every path as
// RewindToMark, record, SetAdjoint(payoff, w), BackwardToMark, then one
// BackwardFromMark.
func gradByMarks(t testing.TB, tp *aad.Tape, p mcProblem) (sum float64, grad []float64) {
	tp.Reset()
	xs := vars(tp, p.x)
	leaves := append([]aad.Number(nil), xs...)
	for _, s := range p.setup {
		leaves = append(leaves, evalTape(tp, s, xs))
	}
	m := tp.Mark()
	atMark := tp.Len()
	for i, path := range p.paths {
		tp.RewindToMark(m)
		assert.Equal(t, atMark, tp.Len(), "Len after RewindToMark: got %d, want %d", tp.Len(), atMark)
		y := evalTape(tp, path, leaves)
		sum += p.weights[i] * y.Value()
		if y.Active() {
			// A payoff can be a Number from before the mark (a path that
			// returns a leaf, or Max choosing one): SetAdjoint sets, so add
			// to what the earlier paths accumulated there. A statement
			// recorded after the mark starts from zero.
			tp.SetAdjoint(y, tp.Adjoint(y)+p.weights[i])
			tp.BackwardToMark(m)
		}
	}
	tp.BackwardFromMark(m)
	grad = make([]float64, len(xs))
	for i, x := range xs {
		grad[i] = tp.Adjoint(x)
	}
	return sum, grad
}

// gradInOneGo records the set-up and every path on one tape and takes the
// gradient of their weighted sum.
func gradInOneGo(tp *aad.Tape, p mcProblem) (sum float64, grad []float64) {
	tp.Reset()
	xs := vars(tp, p.x)
	leaves := append([]aad.Number(nil), xs...)
	for _, s := range p.setup {
		leaves = append(leaves, evalTape(tp, s, xs))
	}
	ys := make([]aad.Number, len(p.paths))
	for i, path := range p.paths {
		ys[i] = evalTape(tp, path, leaves)
	}
	total := tp.DotConst(ys, p.weights)
	return total.Value(), tp.Gradient(nil, total, xs)
}

func TestMarkPatternRandom(t *testing.T) {
	tp := aad.NewTape(0)
	for trial := range 25 {
		p := newMCProblem(uint64(100+trial), 40)
		s1, g1 := gradByMarks(t, tp, p)
		s2, g2 := gradInOneGo(tp, p)
		require.False(t, math.IsNaN(s2), "trial %d: NaN sum", trial)
		testutil.Near(t, s1, s2, treeRel, 1e-12, "trial %d: weighted sum of payoffs", trial)
		assertGradNear(t, g1, g2, s2, treeRel, "trial %d: mark pattern against one recording", trial)
	}
}

// TestMarkPatternGBM is the pattern of a lognormal Monte Carlo: set-up of
// drift and volatility, 64 log-Euler steps per path, a call payoff.
func TestMarkPatternGBM(t *testing.T) {
	const (
		nPaths = 200
		nSteps = 64
		dt     = 1.0 / nSteps
		strike = 100.0
	)
	z := normalPaths(7, 7, nPaths, nSteps)
	x := []float64{100, 0.03, 0.25} // spot, rate, vol
	setup := func(tp *aad.Tape, xs []aad.Number) (drift, vol, df aad.Number) {
		drift = tp.MulConst(tp.Sub(xs[1], tp.MulConst(tp.Square(xs[2]), 0.5)), dt)
		vol = tp.MulConst(xs[2], math.Sqrt(dt))
		df = tp.Exp(tp.Neg(xs[1]))
		return
	}
	path := func(tp *aad.Tape, s0, drift, vol, df aad.Number, z []float64) aad.Number {
		s := s0
		for _, zi := range z {
			s = tp.MulExp(s, tp.Add(drift, tp.MulConst(vol, zi)))
		}
		return tp.Mul(df, tp.Max(tp.SubConst(s, strike), aad.Const(0)))
	}

	tp := aad.NewTape(0)
	xs := vars(tp, x)
	drift, vol, df := setup(tp, xs)
	m := tp.Mark()
	sum := 0.0
	for i := range nPaths {
		tp.RewindToMark(m)
		y := path(tp, xs[0], drift, vol, df, z[i])
		sum += y.Value() / nPaths
		if y.Active() {
			tp.SetAdjoint(y, 1.0/nPaths)
			tp.BackwardToMark(m)
		}
	}
	tp.BackwardFromMark(m)
	g1 := make([]float64, len(xs))
	for i := range xs {
		g1[i] = tp.Adjoint(xs[i])
	}

	tp2 := aad.NewTape(0)
	xs2 := vars(tp2, x)
	drift2, vol2, df2 := setup(tp2, xs2)
	ys := make([]aad.Number, nPaths)
	for i := range nPaths {
		ys[i] = path(tp2, xs2[0], drift2, vol2, df2, z[i])
	}
	total := tp2.MulConst(tp2.Sum(ys...), 1.0/nPaths)
	g2 := tp2.Gradient(nil, total, xs2)

	testutil.Near(t, sum, total.Value(), 1e-12, 0, "price")
	assertGradNear(t, g1, g2, total.Value(), 1e-12, "mark pattern against one recording")
	require.Positive(t, g1[0], "delta: got %v, want > 0", g1[0])
	require.Positive(t, g1[2], "vega: got %v, want > 0", g1[2])
}
