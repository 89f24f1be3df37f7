package testutil

import "fmt"

// HestonSet is a Heston parameter set with an expiry T in years, for tests
// on the flat market of HestonMarket.
type HestonSet struct {
	Name                            string
	V0, Kappa, Theta, Sigma, Rho, T float64
}

// HestonSets are the parameter sets of montecarlo's Heston tests, internal
// and external: three violate Feller's condition 2κθ ≥ σ² (2κθ/σ² = 0.16,
// 0.04 and 0.03), the last satisfies it.
var HestonSets = []HestonSet{
	{"feller violated 1Y", 0.05, 1, 0.04, 0.7, -0.8, 1},
	{"feller violated 5Y", 0.04, 0.5, 0.04, 1.0, -0.9, 5},
	{"feller violated 2Y", 0.04, 0.3, 0.04, 0.9, -0.5, 2},
	{"feller satisfied 1Y", 0.04, 1.5, 0.04, 0.3, -0.7, 1},
}

// The flat market of HestonMarket: the spot of ACME, the USD zero rate and
// ACME's dividend yield.
const (
	HestonSpot = 100.0
	HestonRate = 0.03
	HestonDiv  = 0.01
)

// HestonMarket returns a market file with ACME at HestonSpot, flat USD rate
// and dividend curves (HestonRate, HestonDiv) and h's Heston parameters.
func HestonMarket(h HestonSet) string {
	return fmt.Sprintf(`type,name,pillar,strike,value
SPOT,ACME,,,%v
RATE,USD,1Y,,%v
DIVYIELD,ACME,1Y,,%v
HESTON,ACME,v0,,%v
HESTON,ACME,kappa,,%v
HESTON,ACME,theta,,%v
HESTON,ACME,sigma,,%v
HESTON,ACME,rho,,%v
`, HestonSpot, HestonRate, HestonDiv, h.V0, h.Kappa, h.Theta, h.Sigma, h.Rho)
}
