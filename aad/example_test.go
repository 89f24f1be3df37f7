package aad_test

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/aad"
)

// blackScholesCall is written once over the AAD number type: on a tape it
// records, on a nil tape it only computes.
func blackScholesCall(tp *aad.Tape, s, k, vol, r, t aad.Number) aad.Number {
	sd := tp.Mul(vol, tp.Sqrt(t))
	d1 := tp.Add(tp.Div(tp.MulAdd(r, t, tp.Log(tp.Div(s, k))), sd), tp.MulConst(sd, 0.5))
	d2 := tp.Sub(d1, sd)
	df := tp.Exp(tp.Neg(tp.Mul(r, t)))
	return tp.Sub(tp.Mul(s, tp.NormCDF(d1)), tp.Mul(tp.Mul(k, df), tp.NormCDF(d2)))
}

// Record a function, then read its whole gradient from one backward sweep.
func Example_gradient() {
	tp := aad.NewTape(0)
	s, vol, r, t := tp.Var(100), tp.Var(0.2), tp.Var(0.05), tp.Var(1)
	price := blackScholesCall(tp, s, aad.Const(100), vol, r, t)

	g := tp.Gradient(nil, price, []aad.Number{s, vol, r, t})
	fmt.Printf("price %.4f\n", price.Value())
	fmt.Printf("delta %.4f vega %.4f rho %.4f theta %.4f\n", g[0], g[1], g[2], -g[3])

	// The same code on a nil tape only prices: bump-and-revalue.
	c := aad.Const
	up := blackScholesCall(nil, c(100.01), c(100), c(0.2), c(0.05), c(1)).Value()
	fmt.Printf("bumped delta %.4f\n", (up-price.Value())/0.01)
	// Output:
	// price 10.4506
	// delta 0.6368 vega 37.5240 rho 53.2325 theta -6.4140
	// bumped delta 0.6369
}

// The Monte Carlo pattern: record the inputs and the model set-up once, put
// a mark, then for each path rewind to the mark, record the path and sweep
// back to the mark. One sweep from the mark to the start at the end turns
// the accumulated adjoints into sensitivities to the inputs.
func Example_mark() {
	tp := aad.NewTape(0)
	s0, vol := tp.Var(100), tp.Var(0.2)
	const T, steps, paths = 1.0, 4, 3
	dt := T / steps
	drift := tp.MulConst(tp.Square(vol), -0.5*dt) // −σ²Δt/2: a martingale
	volDt := tp.MulConst(vol, math.Sqrt(dt))
	mark := tp.Mark()

	draws := [paths][steps]float64{{0.1, -0.3, 0.5, 0.2}, {-1, 0.4, 0.3, -0.2}, {0.7, 0.1, -0.6, 0.9}}
	mean := 0.0
	for _, z := range draws {
		tp.RewindToMark(mark)
		s := s0
		for _, zi := range z {
			s = tp.MulExp(s, tp.Add(drift, tp.MulConst(volDt, zi)))
		}
		tp.SetAdjoint(s, 1.0/paths)
		tp.BackwardToMark(mark)
		mean += s.Value() / paths
	}
	tp.BackwardFromMark(mark)
	fmt.Printf("mean %.4f dmean/ds0 %.4f dmean/dvol %.4f\n", mean, tp.Adjoint(s0), tp.Adjoint(vol))
	fmt.Printf("statements on the tape: %d\n", tp.Len())
	// Output:
	// mean 101.9008 dmean/ds0 1.0190 dmean/dvol 0.4969
	// statements on the tape: 17
}

// A forward (tangent) sweep over the same tape gives a directional
// derivative of every recorded value.
func ExampleTape_Forward() {
	tp := aad.NewTape(0)
	x, y := tp.Var(1), tp.Var(2)
	f := tp.Mul(tp.Exp(x), y) // f = eˣ·y

	tp.SetTangent(x, 1) // direction (1, 0)
	tp.Forward()
	fmt.Printf("df/dx %.6f\n", tp.Tangent(f))
	// Output:
	// df/dx 5.436564
}

func ExampleTape_SmoothStep() {
	tp := aad.NewTape(0)
	x := tp.Var(0.25)
	h := tp.SmoothStep(x, 1) // smoothed over [−1, 1]
	g := tp.Gradient(nil, h, []aad.Number{x})
	fmt.Printf("H(0.25) %.6f, dH/dx %.6f\n", h.Value(), g[0])
	// Output:
	// H(0.25) 0.683594, dH/dx 0.703125
}

// Vars records several inputs at once into a reused slice: the pattern of a
// loop over trades with one tape, reset per trade.
func ExampleTape_Vars() {
	tp := aad.NewTape(0)
	in := make([]aad.Number, 3)
	g := make([]float64, 3)
	for _, x := range [][3]float64{{1, 2, 3}, {4, 5, 6}} {
		tp.Reset()
		tp.Vars(in, x[:]...)
		y := tp.Mul(tp.Mul(in[0], in[1]), in[2]) // y = a·b·c
		tp.Gradient(g, y, in)
		fmt.Println(y.Value(), g)
	}
	// Output:
	// 6 [6 3 2]
	// 120 [30 24 20]
}

// Second order: seed a direction, record, and one sweep gives the gradient
// and the Hessian-vector product, here the spot's row of the Hessian.
func Example_hessianVector() {
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	s, vol, r, t := tp.Var(100), tp.Var(0.2), tp.Var(0.05), tp.Var(1)
	tp.SetTangent(s, 1) // the direction: e_s
	price := blackScholesCall(tp, s, aad.Const(100), vol, r, t)

	g, hv := tp.HessianVector(nil, nil, price, []aad.Number{s, vol, r, t})
	fmt.Printf("delta %.4f vega %.4f\n", g[0], g[1])
	fmt.Printf("gamma %.6f vanna %.4f ∂delta/∂r %.4f ∂delta/∂t %.4f\n", hv[0], hv[1], hv[2], hv[3])
	// Output:
	// delta 0.6368 vega 37.5240
	// gamma 0.018762 vanna -0.2814 ∂delta/∂r 1.8762 ∂delta/∂t 0.0657
}
