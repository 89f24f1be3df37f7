package montecarlo_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

// smile is a generated equity vol surface of the kind desks quote: implied
// total variance from Gatheral and Jacquier's SSVI with a power-law φ,
//
//	w(k, θ) = θ/2·(1 + ρφk + √((φk + ρ)² + 1 − ρ²)),  φ = η/√θ,  θ = atm²·T,
//
// in log-moneyness k = ln(K/F), which is free of static arbitrage for
// η²(1+|ρ|) ≤ 4 and η√θ(1+|ρ|) ≤ 4 (its calendar condition holds for any
// power φ = η·θ^−γ with γ ≤ ½). It is quoted only at a few strikes per
// expiry, between lo and hi times the spot, so that the engine's own
// interpolation (the strike spline and its wings, total variance linear in
// time) makes the rest of the surface.
type smile struct {
	rho, eta, atm float64
	strikes       int
	lo, hi        float64
	expiries      []float64
	r, q          float64
}

// csv is the surface as a market file, with every vol quote shifted by dv
// and the rate by dr.
func (s smile) csv(dv, dr float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "type,name,pillar,strike,value\nSPOT,ACME,,,100\nRATE,USD,1Y,,%.10g\nDIVYIELD,ACME,1Y,,%.10g\n", s.r+dr, s.q)
	for _, T := range s.expiries {
		for i := range s.strikes {
			K := 100 * s.lo * math.Pow(s.hi/s.lo, float64(i)/float64(s.strikes-1))
			K = math.Round(K*100) / 100
			fmt.Fprintf(&b, "VOL,ACME,%s,%g,%.10g\n", tenor(T), K, s.vol(T, K)+dv)
		}
	}
	return b.String()
}

// vol is the SSVI implied vol at expiry T and strike K.
func (s smile) vol(T, K float64) float64 {
	k := math.Log(K / (100 * math.Exp((s.r-s.q)*T)))
	th := s.atm * s.atm * T
	phi := s.eta / math.Sqrt(th)
	w := th / 2 * (1 + s.rho*phi*k + math.Sqrt((phi*k+s.rho)*(phi*k+s.rho)+1-s.rho*s.rho))
	return math.Sqrt(w / T)
}

// skew returns the implied vol's slope and curvature in log-moneyness at
// the money at expiry T, by differences.
func (s smile) skew(T float64) (slope, curv float64) {
	F := 100 * math.Exp((s.r-s.q)*T)
	const h = 1e-3
	up, mid, dn := s.vol(T, F*math.Exp(h)), s.vol(T, F), s.vol(T, F*math.Exp(-h))
	return (up - dn) / (2 * h), (up - 2*mid + dn) / (h * h)
}

func tenor(T float64) string {
	if m := T * 12; m == math.Round(m) {
		return fmt.Sprintf("%dM", int(m))
	}
	panic("tenor")
}

// smiles draws n surfaces with fixed seeds, of the family desks quote:
// at 1Y an ATM skew ∂σ/∂k from −0.3 to 0 and a curvature ∂²σ/∂k² from 0 to
// 0.5 (ρ from −0.9 to 0, η up to its no-arbitrage bound, drawn until both
// are in range), ATM vols 15% to 35%, 3 to 9 strikes, wings from 0.4 to
// 0.8 and 1.25 to 2.0 of spot, 2 to 6 expiries out of 3M to 5Y. The first
// has the steepest skew, −0.3, the second 3 strikes and 2 expiries.
func smiles(n int) []smile {
	rng := rand.New(rand.NewPCG(11, 12))
	all := []float64{0.25, 0.5, 1, 2, 3, 5}
	out := make([]smile, n)
	for i := range out {
		s := smile{r: 0.03, q: 0.01}
		for {
			s.rho = -0.9 * rng.Float64()
			s.eta = (0.3 + 0.7*rng.Float64()) * 2 / math.Sqrt(1+math.Abs(s.rho))
			s.atm = 0.15 + 0.2*rng.Float64()
			if i == 0 {
				// The steepest skew: −0.3, with the ρ that gives it at
				// the least curvature.
				s.rho, s.eta = -0.5-0.4*rng.Float64(), 1
				sk, _ := s.skew(1)
				s.eta *= -0.3 / sk
			}
			if sk, cv := s.skew(1); sk >= -0.3-1e-9 && sk <= 0 && cv >= 0 && cv <= 0.5 && s.eta*s.eta*(1+math.Abs(s.rho)) <= 4 {
				break
			}
		}
		s.strikes = 3 + rng.IntN(7)
		s.lo, s.hi = 0.4+0.4*rng.Float64(), 1.25+0.75*rng.Float64()
		ne := 2 + rng.IntN(5)
		switch i {
		case 0:
			s.strikes, ne = 5, 4
		case 1:
			s.strikes, ne = 3, 2
		}
		for j := range ne {
			s.expiries = append(s.expiries, all[j*(len(all)-1)/max(ne-1, 1)])
		}
		out[i] = s
	}
	return out
}

// bsPrice is Black–Scholes at the surface's own implied vol for K and T.
func bsPrice(t testing.TB, m *marketdata.Market, K, T float64, isCall bool) float64 {
	t.Helper()
	sc := m.NewScope()
	sc.Reset(nil)
	s, err := sc.Spot("ACME")
	require.NoError(t, err)
	r, err := sc.ZeroRate("USD", aad.Const(T))
	require.NoError(t, err)
	q, err := sc.DivYield("ACME", aad.Const(T))
	require.NoError(t, err)
	v, err := sc.Vol("ACME", aad.Const(T), K)
	require.NoError(t, err)
	typ := closedform.Put
	if isCall {
		typ = closedform.Call
	}
	return closedform.European(nil, typ, closedform.Params{S: s, K: aad.Const(K), T: aad.Const(T), R: r, Q: q, Vol: v}).Value()
}

// TestLocalVolRepricesItsSurface prices Europeans under local vol against
// Black–Scholes at the surface's implied vol for the same strike and
// expiry, within max(3 SE, 0.1%): on the sample market at 1,000,000 paths
// and 104 steps a year, and on generated surfaces at 400,000 paths and 400
// steps a year (their short-dated smiles are steep, and the log-Euler
// step's weak error, first order in the step, is 0.7% at 50 steps a year on
// the steepest: see TestLocalVolConvergesInSteps). Strikes are out of the
// money: a put below the spot, a call above.
func TestLocalVolRepricesItsSurface(t *testing.T) {
	if testing.Short() {
		t.Skip("400,000 to 1,000,000 paths a case: not in -short")
	}
	sample, err := os.ReadFile("../testdata/e2e/market.csv")
	require.NoError(t, err)
	type tc struct {
		name, csv    string
		K, T         float64
		steps, paths int
	}
	cases := []tc{
		{"sample", string(sample), 100, 1, 104, 1_000_000},
		{"sample", string(sample), 80, 1, 104, 1_000_000},
		{"sample", string(sample), 120, 1, 104, 1_000_000},
		{"sample", string(sample), 90, 2, 208, 1_000_000},
	}
	for i, s := range smiles(6) {
		// One wing each, alternately, at 0.8 standard deviations (inside
		// the quoted strikes); the money is the sample's and the
		// convergence test's.
		sd := 0.8 * s.atm
		K := math.Max(100*s.lo, 100*math.Exp(-sd))
		if i%2 == 1 {
			K = math.Min(100*s.hi, 100*math.Exp(sd))
		}
		name := fmt.Sprintf("smile %d (ρ=%.2f η=%.2f, %d strikes, %d expiries)", i, s.rho, s.eta, s.strikes, len(s.expiries))
		cases = append(cases, tc{name, s.csv(0, 0), math.Round(K), 1, 400, 400_000})
	}
	for _, c := range cases {
		m := load(t, c.csv)
		isCall := c.K >= 100
		pr := &montecarlo.Problem{Model: montecarlo.LocalVol, Underlyings: []string{"ACME"}, Currency: "USD", Dates: []float64{c.T}, Steps: c.steps, Payoff: call(c.K, isCall)}
		r := run(t, m, 2, pr, montecarlo.Settings{Paths: c.paths, Seed: 5})
		want := bsPrice(t, m, c.K, c.T, isCall)
		tol := math.Max(3*r.StdError, 1e-3*want)
		t.Logf("%s K=%v T=%v: local vol %.5f ± %.5f, Black–Scholes %.5f (%+.3f%%, %+.2f SE)", c.name, c.K, c.T, r.PV, r.StdError, want, 100*(r.PV/want-1), (r.PV-want)/r.StdError)
		assert.LessOrEqualf(t, math.Abs(r.PV-want), tol, "%s K=%v T=%v: local vol %.5f ± %.5f, Black–Scholes %.5f (%.3f%%)", c.name, c.K, c.T, r.PV, r.StdError, want, 100*(r.PV/want-1))
	}
}

// TestLocalVolConvergesInSteps shows the local-vol price's bias falling
// with the step on the steepest short-dated smile of the family (common
// random numbers keep the comparison sharp): the log-Euler step takes the
// local vol at its start, a weak error of first order.
func TestLocalVolConvergesInSteps(t *testing.T) {
	if testing.Short() {
		t.Skip("400,000 paths at up to 400 steps: not in -short")
	}
	s := smiles(6)[0]
	m := load(t, s.csv(0, 0))
	want := bsPrice(t, m, 100, 1, true)
	var errs []float64
	for _, steps := range []int{25, 100, 400} {
		pr := &montecarlo.Problem{Model: montecarlo.LocalVol, Underlyings: []string{"ACME"}, Currency: "USD", Dates: []float64{1}, Steps: steps, Payoff: call(100, true)}
		r := run(t, m, 2, pr, montecarlo.Settings{Paths: 400_000, Seed: 5})
		errs = append(errs, r.PV-want)
		t.Logf("%d steps: %.5f ± %.5f, Black–Scholes %.5f (%.3f%%)", steps, r.PV, r.StdError, want, 100*(r.PV/want-1))
	}
	assert.Greater(t, math.Abs(errs[0]), 2*math.Abs(errs[1]), "the bias at 25 steps is not twice that at 100")
	assert.Greater(t, math.Abs(errs[0]), 4*math.Abs(errs[2]), "the bias at 25 steps is not four times that at 400")
}

// TestLocalVolGreeksAgainstRevaluation checks the local-vol AAD delta,
// parallel vega and rho of the two trades (a 1Y call at 85% and a
// 2Y put at 115%, 52 steps a year) on the sample market and the generated
// surfaces against full revaluation with common random numbers (spot ±1%,
// every vol quote ±0.005, the rate ±1bp): within 4 standard errors of
// their difference, from 24 independent replications of 4,000 paths each
// (different seeds), the revaluations extrapolated in the step (Richardson)
// so that their own O(h²) error does not count. And at 100,000 paths (one run, batch means over its
// blocks) delta's standard error is at most 10% of |delta| and at most 3
// times that of the same trade under bs at its implied vol.
func TestLocalVolGreeksAgainstRevaluation(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of thousands of paths a case: not in -short")
	}
	sample, err := os.ReadFile("../testdata/e2e/market.csv")
	require.NoError(t, err)
	type surf struct {
		name string
		csv  func(dv, dr float64) string
	}
	surfs := []surf{{"sample", func(dv, dr float64) string { return shiftCSV(t, string(sample), dv, dr) }}}
	for i, s := range smiles(6) {
		surfs = append(surfs, surf{fmt.Sprintf("smile %d", i), s.csv})
	}
	trades := []struct {
		K, T   float64
		isCall bool
	}{{85, 1, true}, {115, 2, false}}
	for _, sf := range surfs {
		m := load(t, sf.csv(0, 0))
		markets := map[[2]float64]*marketdata.Market{}
		shifted := func(dv, dr float64) *marketdata.Market {
			k := [2]float64{dv, dr}
			if markets[k] == nil {
				markets[k] = load(t, sf.csv(dv, dr))
			}
			return markets[k]
		}
		spot, _ := m.Index("SPOT/ACME")
		for _, tr := range trades {
			name := fmt.Sprintf("%s K=%v T=%v", sf.name, tr.K, tr.T)
			pr := func(model montecarlo.Model) *montecarlo.Problem {
				return &montecarlo.Problem{Model: model, Underlyings: []string{"ACME"}, Currency: "USD", Strikes: []float64{tr.K}, Dates: []float64{tr.T}, Steps: int(52 * tr.T), Payoff: call(tr.K, tr.isCall)}
			}
			lv := pr(montecarlo.LocalVol)
			// Replications: AAD minus revaluation, per figure.
			// 24 replications of 4,000 paths rather than 8 of 12,500
			// (about the same paths): with 8, the ratio of the mean to its
			// estimated standard error has Student's t with 7 degrees of
			// freedom, beyond 4 with probability 0.005 for each of the 42
			// figures (a false alarm in one run of five); with 23, 0.0006.
			const reps = 24
			var diff [3][reps]float64
			var aadMean [3]float64
			for k := range reps {
				set := montecarlo.Settings{Paths: 4000, Seed: uint64(100 + k)}
				r := run(t, m, 2, lv, withGreeks(set))
				var g [3]float64 // delta, vega, rho
				for _, s := range r.Sens {
					switch q := m.Quotes()[s.Quote]; q.Kind {
					case marketdata.Spot:
						g[0] += s.Value
					case marketdata.Vol:
						g[1] += s.Value
					case marketdata.Rate:
						g[2] += s.Value
					}
				}
				// Revaluations on the market with every vol or rate quote
				// shifted, the grid placed as on m (as a bump would), at
				// steps h and 2h, extrapolated to remove the O(h²) error
				// of the central difference.
				pv := func(mk *marketdata.Market, b marketdata.Bump) float64 {
					r, err := montecarlo.NewEngineAnchored(mk, m, 2).Run(context.Background(), lv, set, b)
					require.NoError(t, err)
					return r.PV
				}
				none := marketdata.Bump{Quote: -1}
				rich := func(f func(h float64) float64, h float64) float64 {
					d1 := (f(h) - f(-h)) / (2 * h)
					d2 := (f(2*h) - f(-2*h)) / (4 * h)
					return (4*d1 - d2) / 3
				}
				fd := [3]float64{
					rich(func(h float64) float64 { return pv(m, marketdata.Bump{Quote: spot, By: h}) }, 1),
					rich(func(h float64) float64 { return pv(shifted(h, 0), none) }, 0.005),
					rich(func(h float64) float64 { return pv(shifted(0, h), none) }, 1e-4),
				}
				for j := range 3 {
					diff[j][k] = g[j] - fd[j]
					aadMean[j] += g[j] / reps
				}
			}
			for j, fig := range []string{"delta", "vega", "rho"} {
				mean, se := meanSE(diff[j][:])
				assert.LessOrEqualf(t, math.Abs(mean), 4*se+1e-9*math.Abs(aadMean[j]), "%s %s: AAD %.5g, AAD − revaluation %.3g ± %.2g", name, fig, aadMean[j], mean, se)
			}
			// The standard error of delta at 100,000 paths.
			set := montecarlo.Settings{Paths: 100_000, Seed: 1}
			d := sens(t, m, run(t, m, 2, lv, withGreeks(set)), "SPOT/ACME")
			bs := sens(t, m, run(t, m, 2, pr(montecarlo.BlackScholes), withGreeks(set)), "SPOT/ACME")
			assert.LessOrEqualf(t, d.StdError, 0.1*math.Abs(d.Value), "%s: delta %.5g ± %.2g", name, d.Value, d.StdError)
			assert.LessOrEqualf(t, d.StdError, 3*bs.StdError, "%s: delta's standard error %.2g under localvol, %.2g under bs", name, d.StdError, bs.StdError)
			t.Logf("%s: delta %.5f ± %.5f (bs %.5f ± %.5f)", name, d.Value, d.StdError, bs.Value, bs.StdError)
		}
	}
}

// meanSE is the mean of xs and its standard error.
func meanSE(xs []float64) (mean, se float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-1) / float64(len(xs)))
}

// shiftCSV shifts every VOL quote of a market file by dv and every RATE
// quote by dr.
func shiftCSV(t testing.TB, csv string, dv, dr float64) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	for i, l := range lines[1:] {
		f := strings.Split(l, ",")
		d := map[string]float64{"VOL": dv, "RATE": dr}[f[0]]
		if d == 0 {
			continue
		}
		var v float64
		_, err := fmt.Sscan(f[4], &v)
		require.NoError(t, err)
		f[4] = fmt.Sprintf("%.10g", v+d)
		lines[i+1] = strings.Join(f, ",")
	}
	return strings.Join(lines, "\n") + "\n"
}

// polySmile is a smile quoted as a polynomial in log-moneyness,
// σ = 0.22 − 0.3·x + 0.25·x² with x = ln(K/S)/√max(T, 1), floored at 5%, at
// 5 strikes from 0.4 to 2.0 of spot and 4 expiries: steep enough that the
// engine's surface through its quotes has a butterfly arbitrage in the
// wings, where Dupire's formula is regularised. Before the wings were
// smooth and the regularisation continuous (a jump to a 1% vol), the
// pathwise deltas at 100,000 paths were 3.56 ± 1.87 for the 1Y call at 85
// and −25,423,130 ± 25,422,467 for the 2Y put at 115 (full revaluation:
// 0.78 and −0.59).
func polySmile() string {
	var b strings.Builder
	b.WriteString("type,name,pillar,strike,value\nSPOT,ACME,,,100\nRATE,USD,1Y,,0.03\nDIVYIELD,ACME,1Y,,0.01\n")
	for _, T := range []float64{0.25, 1, 2, 5} {
		for i := range 5 {
			K := math.Round(100*0.4*math.Pow(5, float64(i)/4)*100) / 100
			x := math.Log(K/100) / math.Sqrt(max(T, 1))
			fmt.Fprintf(&b, "VOL,ACME,%s,%g,%.6f\n", tenor(T), K, max(0.22-0.3*x+0.25*x*x, 0.05))
		}
	}
	return b.String()
}

// TestLocalVolGreeksWhereRegularised checks, on polySmile, that the
// regularised nodes leave the pathwise delta with a finite variance: at
// 100,000 paths its standard error is at most 10% of |delta| and it agrees
// with full revaluation (spot ±1%, common random numbers) within 4
// standard errors.
func TestLocalVolGreeksWhereRegularised(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 paths: not in -short")
	}
	m := load(t, polySmile())
	spot, _ := m.Index("SPOT/ACME")
	for _, tr := range []struct {
		K, T   float64
		isCall bool
	}{{85, 1, true}, {115, 2, false}} {
		pr := &montecarlo.Problem{Model: montecarlo.LocalVol, Underlyings: []string{"ACME"}, Currency: "USD", Dates: []float64{tr.T}, Steps: int(52 * tr.T), Payoff: call(tr.K, tr.isCall)}
		set := montecarlo.Settings{Paths: 100_000, Seed: 3}
		e := montecarlo.NewEngine(m, 2)
		r, err := e.Run(context.Background(), pr, withGreeks(set), marketdata.Bump{Quote: -1})
		require.NoError(t, err)
		require.NotEmpty(t, r.Floored, "the surface is meant to have regularised nodes")
		d := sens(t, m, r, "SPOT/ACME")
		pv := func(by float64) []float64 {
			r, err := e.Run(context.Background(), pr, set, marketdata.Bump{Quote: spot, By: by})
			require.NoError(t, err)
			return r.BlockPV
		}
		// The standard error of AAD − revaluation, by batch means.
		up, dn := pv(1), pv(-1)
		j := slices.IndexFunc(r.Sens, func(s montecarlo.Sensitivity) bool { return s.Quote == spot })
		diff := make([]float64, len(up))
		for b := range up {
			diff[b] = r.BlockGrad[b][j] - (up[b]-dn[b])/2
		}
		fd := 0.0
		for b := range up {
			fd += (up[b] - dn[b]) / 2
		}
		fd /= float64(r.Paths)
		se := montecarlo.BatchStdError(r.BlockPaths, diff)
		t.Logf("K=%v T=%v: delta %.5f ± %.5f, revaluation %.5f, %d regularised nodes", tr.K, tr.T, d.Value, d.StdError, fd, len(r.Floored))
		assert.LessOrEqualf(t, d.StdError, 0.1*math.Abs(d.Value), "K=%v T=%v: delta %.5g ± %.2g", tr.K, tr.T, d.Value, d.StdError)
		assert.LessOrEqualf(t, math.Abs(d.Value-fd), 4*se, "K=%v T=%v: delta %.5g, revaluation %.5g, SE of the difference %.2g", tr.K, tr.T, d.Value, fd, se)
	}
}
