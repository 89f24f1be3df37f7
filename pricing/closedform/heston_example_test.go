package closedform_test

import (
	"fmt"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

// Price a European call under Heston on a tape and read its sensitivities
// to the five market inputs and the five model parameters from one backward
// sweep. The parameters are those of Lewis's reference values.
func ExampleHestonEuropean() {
	tp := aad.NewTape(0)
	p := closedform.Params{S: tp.Var(100), K: tp.Var(110), T: tp.Var(1), R: tp.Var(0.01), Q: tp.Var(0.02)}
	h := marketdata.HestonParams{V0: tp.Var(0.04), Kappa: tp.Var(4), Theta: tp.Var(0.25), Sigma: tp.Var(1), Rho: tp.Var(-0.5)}
	call, err := closedform.HestonEuropean(tp, closedform.Call, p, h)
	if err != nil {
		panic(err)
	}
	g := tp.Gradient(nil, call, []aad.Number{p.S, p.K, p.T, p.R, p.Q, h.V0, h.Kappa, h.Theta, h.Sigma, h.Rho})
	fmt.Printf("call %.12f (Lewis: 12.132211516710)\n", call.Value())
	fmt.Printf("delta %.4f  dual delta %.4f  ∂/∂T %.4f  rho %.4f  dividend rho %.4f\n", g[0], g[1], g[2], g[3], g[4])
	fmt.Printf("∂/∂V0 %.4f  ∂/∂Kappa %.4f  ∂/∂Theta %.4f  ∂/∂Sigma %.4f  ∂/∂Rho %.4f\n", g[5], g[6], g[7], g[8], g[9])

	// Inputs outside the model's domain are errors; a nil tape only prices.
	c := aad.Const
	bad := marketdata.HestonParams{V0: c(0.04), Kappa: c(4), Theta: c(0.25), Sigma: c(1), Rho: c(-1.2)}
	_, err = closedform.HestonEuropean(nil, closedform.Call, closedform.Params{S: c(100), K: c(110), T: c(1)}, bad)
	fmt.Println(err)
	// Output:
	// call 12.132211516710 (Lewis: 12.132211516710)
	// delta 0.5068  dual delta -0.3504  ∂/∂T 9.8084  rho 38.5469  dividend rho -50.6791
	// ∂/∂V0 10.4238  ∂/∂Kappa 0.7567  ∂/∂Theta 33.6682  ∂/∂Sigma -1.4241  ∂/∂Rho 1.7065
	// closedform: HestonEuropean: correlation Rho = -1.2, want in (−1, 1)
}
