package closedform_test

import (
	"fmt"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

// Price a European call on a tape and read all its first-order Greeks from
// one backward sweep.
func Example() {
	tp := aad.NewTape(0)
	p := closedform.Params{
		S: tp.Var(100), K: tp.Var(95), T: tp.Var(0.5),
		R: tp.Var(0.05), Q: tp.Var(0.02), Vol: tp.Var(0.25),
	}
	price := closedform.European(tp, closedform.Call, p)
	g := tp.Gradient(nil, price, []aad.Number{p.S, p.K, p.T, p.R, p.Q, p.Vol})
	fmt.Printf("price %.4f\n", price.Value())
	fmt.Printf("delta %.4f  dual delta %.4f\n", g[0], g[1])
	fmt.Printf("theta %.4f  rho %.4f  dividend rho %.4f  vega %.4f\n", -g[2], g[3], g[4], g[5])

	// The same function on a nil tape only prices: bump-and-revalue.
	bumped := p
	bumped.S = aad.Const(100.01)
	for _, x := range []*aad.Number{&bumped.K, &bumped.T, &bumped.R, &bumped.Q, &bumped.Vol} {
		*x = aad.Const(x.Value())
	}
	up := closedform.European(nil, closedform.Call, bumped)
	fmt.Printf("bumped delta %.4f\n", (up.Value()-price.Value())/0.01)
	// Output:
	// price 10.3924
	// delta 0.6717  dual delta -0.5977
	// theta -7.7669  rho 28.3893  dividend rho -33.5855  vega 25.0855
	// bumped delta 0.6718
}

// Invert a market price into a Black–Scholes–Merton volatility; its
// sensitivities to the price and the market inputs come from the implicit
// function theorem.
func ExampleImpliedVol() {
	tp := aad.NewTape(0)
	c := aad.Const
	p := closedform.Params{S: c(100), K: c(110), T: c(1), R: c(0.03), Q: c(0.01)}
	price := tp.Var(5.2)
	vol, err := closedform.ImpliedVol(tp, closedform.Call, price, p)
	if err != nil {
		panic(err)
	}
	g := tp.Gradient(nil, vol, []aad.Number{price})
	fmt.Printf("implied vol %.6f, ∂vol/∂price %.6f (1/vega)\n", vol.Value(), g[0])

	// A price below the intrinsic value has no implied volatility.
	_, err = closedform.ImpliedVol(nil, closedform.Put, c(1), closedform.Params{S: c(100), K: c(120), T: c(1), R: c(0.03), Q: c(0.01)})
	fmt.Println(err)
	// Output:
	// implied vol 0.208011, ∂vol/∂price 0.026175 (1/vega)
	// closedform: price outside the no-arbitrage bounds: ImpliedVol: price 1, bounds (17.4485, 116.453)
}

// A down-and-out call with a rebate paid at the hit: the sweep gives the
// sensitivity to the barrier level and to the rebate as well.
func ExampleBarrier() {
	tp := aad.NewTape(0)
	c := aad.Const
	p := closedform.Params{S: tp.Var(100), K: c(100), T: c(0.5), R: c(0.08), Q: c(0.04), Vol: c(0.25)}
	h, rebate := tp.Var(95), tp.Var(3)
	v, err := closedform.Barrier(tp, closedform.Call, closedform.DownOut, p, h, rebate)
	if err != nil {
		panic(err)
	}
	g := tp.Gradient(nil, v, []aad.Number{p.S, h, rebate})
	fmt.Printf("value %.4f delta %.4f ∂/∂barrier %.4f ∂/∂rebate %.4f\n", v.Value(), g[0], g[1], g[2])

	_, err = closedform.Barrier(nil, closedform.Call, closedform.DownOut, closedform.Params{S: c(94), K: c(100), T: c(0.5), R: c(0.08), Q: c(0.04), Vol: c(0.25)}, c(95), c(3))
	fmt.Println(err)
	// Output:
	// value 6.7924 delta 0.7508 ∂/∂barrier -0.5155 ∂/∂rebate 0.7599
	// closedform: barrier already breached: Barrier down-out: spot 94, barrier 95
}
