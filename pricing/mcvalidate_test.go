package pricing

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/aadrisk/aadrisk/montecarlo"
)

// TestTQuantiles checks the table of Student t quantiles of the
// revaluation check against gonum.
func TestTQuantiles(t *testing.T) {
	p := math.Erfc(RevaluationSigmas/math.Sqrt2) / 2
	for d := 1; d <= len(tQuantiles); d++ {
		want := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(d)}.Quantile(1 - p)
		assert.InDeltaf(t, want, tQuantiles[d-1], 1e-4*want, "%d degrees of freedom", d)
	}
	assert.Equal(t, tQuantiles[30], revaluationLimit(32))
	assert.Equal(t, tQuantiles[1], revaluationLimit(3))
}

// TestMCRevaluation checks Monte Carlo figures against full revaluation
// at steps out of the noise, within the stated standard errors of the
// difference, for each model and the payoffs with kinks and steps, with
// enough paths for 32 blocks.
func TestMCRevaluation(t *testing.T) {
	if testing.Short() {
		t.Skip("tens of thousands of paths: not in -short")
	}
	m := loadMarket(t, mcMarket+"VOL,ACME,6M,90,0.27\nVOL,ACME,6M,110,0.24\n")
	p := NewPricer(m)
	p.MC = MCDefaults{Paths: 8192, Seed: 11}
	p.MCWorkers = 2
	o := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 0.8}
	put := o
	put.Type = Put
	cases := []struct {
		id   string
		kind string
		mc   mcCase
	}{
		{"bs european", "european", mcCase{must(NewEuropean(put)), MCSettings{Steps: 10}}},
		{"heston digital", "digital", mcCase{must(NewDigital(o, true, 5)), MCSettings{Model: montecarlo.Heston, Steps: 10}}},
		{"localvol barrier", "barrier", mcCase{must(NewBarrier(o, UpOut, 130, 1)), MCSettings{Model: montecarlo.LocalVol, Steps: 10}}},
		{"bs asian sobol antithetic", "asian", mcCase{must(NewAsian(o, Arithmetic, 6)), MCSettings{Steps: 10, Sequence: montecarlo.SobolBridge, SequenceSet: true, Antithetic: true, AntitheticSet: true}}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			tr := mcTrade(t, c.id, -3, c.mc)
			res := priced(t, p, tr)
			v, err := p.Validate(t.Context(), tr, res)
			require.NoError(t, err)
			var reval int
			seen := map[string]bool{}
			for _, row := range v {
				if row.Check != CheckRevaluation {
					assert.Equal(t, CheckSameRN, row.Check)
					assert.False(t, row.HasStdError)
					assert.Truef(t, row.OK, "same-rn %s: aad %.10g, bump %.10g, diff %.2g > %.2g", row.RiskFactor, row.AAD, row.Bump, row.AbsDiff, row.Tolerance)
					continue
				}
				reval++
				seen[row.RiskFactor] = true
				require.True(t, row.HasStdError)
				assert.Greater(t, row.StdError, 0.0, row.RiskFactor)
				assert.Truef(t, row.OK, "revaluation %s: aad %.8g, bump %.8g, z %.2f", row.RiskFactor, row.AAD, row.Bump, row.Z)
				t.Logf("%-18s aad %-14.8g bump %-14.8g se %-10.3g z %6.2f", row.RiskFactor, row.AAD, row.Bump, row.StdError, row.Z)
			}
			want := []string{GammaFactor, RhoFactor, DivRhoFactor, ThetaFactor, "SPOT/ACME"}
			if c.mc.set.Model != montecarlo.Heston { // heston reads no vol
				want = append(want, VegaFactor, VolgaFactor)
			}
			assert.Equal(t, len(res.Sens)+len(want)-1, reval, "every bucket, gamma, vega, volga, rho, div_rho and theta")
			for _, f := range want {
				assert.True(t, seen[f], f)
			}
		})
	}
}

// TestMCStdErrors checks that every figure of a Monte Carlo trade has a
// standard error, consistent with the spread of the figure over seeds.
func TestMCStdErrors(t *testing.T) {
	m := loadMarket(t, mcMarket)
	p := NewPricer(m)
	p.MC = MCDefaults{Paths: 4096, Seed: 3}
	o := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: 1}
	tr := mcTrade(t, "eu", 2, mcCase{must(NewEuropean(o)), MCSettings{Steps: 4}})
	res := priced(t, p, tr)
	require.True(t, res.HasStdError)
	for name, se := range map[string]float64{"delta": res.DeltaStdError, "gamma": res.GammaStdError, "vega": res.VegaStdError,
		"rho": res.RhoStdError, "div_rho": res.DivRhoStdError, "theta": res.ThetaStdError} {
		assert.Greaterf(t, se, 0.0, "%s standard error", name)
	}
	// Delta has one bucket: its standard error is the bucket's.
	for _, s := range res.Sens {
		if s.RiskFactor.String() == "SPOT/ACME" {
			assert.Equal(t, s.StdError, res.DeltaStdError)
		}
	}
}

// TestMCSameRNRounding checks that the same-random-numbers tolerance
// bounds the rounding of the bumps: a digital of few paths expiring on a
// pillar reads the pillar before it with weight 0 (AAD exactly 0), and its
// bumped values differ only by rounding, ε·|pv|/h at h = 1e-7.
func TestMCSameRNRounding(t *testing.T) {
	m := loadMarket(t, "type,name,pillar,strike,value\nSPOT,ACME,,,100\nRATE,USD,6M,,0.03\nRATE,USD,1Y,,0.04\nVOL,ACME,1Y,,0.2\n")
	p := NewPricer(m)
	for _, c := range []struct {
		seed   uint64
		expiry float64
	}{{1, 1}, {2, 1}, {3, 1}, {1, 2}, {3, 2}} {
		seed := c.seed
		p.MC = MCDefaults{Paths: 200, Seed: seed}
		o := Option{Asset: "ACME", Ccy: "USD", Type: Call, Strike: 100, Expiry: c.expiry}
		tr := mcTrade(t, "dg", 1000, mcCase{must(NewDigital(o, true, 10)), MCSettings{}})
		res := priced(t, p, tr)
		v, err := p.Validate(t.Context(), tr, res)
		require.NoError(t, err)
		for _, row := range v {
			assert.Truef(t, row.OK, "seed %d %s %s: aad %.10g, bump %.10g, diff %.2g > %.2g", seed, row.Check, row.RiskFactor, row.AAD, row.Bump, row.AbsDiff, row.Tolerance)
		}
	}
}
