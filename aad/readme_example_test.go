package aad_test

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// The README's Monte Carlo pattern, on a European call: the payoff is the
// passive Const(0) on every path that ends out of the money, and seeding it
// does nothing. Its body but the Output comment is the README's block, which
// TestReadme keeps in step with it.
func Example_monteCarloCall() {
	tp := aad.NewTape(0)
	s0, vol, r := tp.Var(100), tp.Var(0.2), tp.Var(0.05)
	const k, t, paths = 100.0, 1.0, 10_000
	// The model set-up, recorded once: one exact lognormal step to t.
	drift := tp.MulConst(tp.Sub(r, tp.MulConst(tp.Square(vol), 0.5)), t)
	volT := tp.MulConst(vol, math.Sqrt(t))
	df := tp.Exp(tp.MulConst(r, -t))
	dfK := tp.MulConst(df, k)
	mark := tp.Mark()
	pv := 0.0
	for i := range paths {
		tp.RewindToMark(mark)
		z := math.Sqrt2 * math.Erfinv(2*(float64(i)+0.5)/paths-1)   // passive normals (here: even quantiles)
		st := tp.MulExp(s0, tp.Add(drift, tp.MulConst(volT, z)))    // S(t) = s0·exp(drift + vol·√t·z)
		payoff := tp.Max(tp.Sub(tp.Mul(df, st), dfK), aad.Const(0)) // a passive 0 out of the money
		tp.SetAdjoint(payoff, 1.0/paths)                            // a no-op for a passive payoff
		tp.BackwardToMark(mark)                                     // adjoints accumulate before the mark
		pv += payoff.Value() / paths
	}
	tp.BackwardFromMark(mark) // once: down to the inputs
	delta, vega, rho := tp.Adjoint(s0), tp.Adjoint(vol), tp.Adjoint(r)
	fmt.Printf("pv %.2f delta %.3f vega %.2f rho %.2f\n", pv, delta, vega, rho)
	// Output:
	// pv 10.45 delta 0.637 vega 37.52 rho 53.23
}
