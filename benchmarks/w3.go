package benchmarks

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/shopspring/decimal"

	"github.com/aadrisk/aadrisk/internal/fastmath"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing"
)

// W3Paths and W3Assets are the number of paths and of assets of W3.
const (
	W3Paths  = 20_000
	W3Assets = 20
)

// W3 returns workload W3 with the given number of paths (W3Paths in the
// benchmark): a call on an equally weighted basket of W3Assets correlated
// lognormal assets, struck at the basket's spot value, one year, 52 weekly
// steps. The spots (50 to 150), vols (15% to 40%) and dividend yields (0 to
// 4%) vary by asset; the correlations are those of one factor,
// ρ_ij = β_i·β_j with β_i in [0.3, 0.8], a positive definite matrix whose
// Cholesky factor the engine computes inside the recording. Its 251 inputs
// are 20 spots, 20 vols, 20 dividend yields, the rate and 190
// correlations; theta comes with them.
func W3(paths int) (*MCWorkload, error) {
	rng := rand.New(rand.NewPCG(3, 3))
	var qs []marketdata.Quote
	qs = append(qs, marketdata.Quote{Kind: marketdata.Rate, Name: "USD", Pillar: "1Y", Value: 0.03})
	names := make([]string, W3Assets)
	weights := make([]float64, W3Assets)
	beta := make([]float64, W3Assets)
	basket := 0.0
	for i := range names {
		names[i] = fmt.Sprintf("B%02d", i+1)
		weights[i] = 1.0 / W3Assets
		beta[i] = 0.3 + 0.5*rng.Float64()
		s := 50 + 100*rng.Float64()
		basket += weights[i] * s
		qs = append(qs,
			marketdata.Quote{Kind: marketdata.Spot, Name: names[i], Value: s},
			marketdata.Quote{Kind: marketdata.DivYield, Name: names[i], Pillar: "1Y", Value: 0.04 * rng.Float64()},
			marketdata.Quote{Kind: marketdata.Vol, Name: names[i], Pillar: "1Y", Value: 0.15 + 0.25*rng.Float64()},
		)
	}
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			qs = append(qs, marketdata.Quote{Kind: marketdata.Corr, Name: names[i] + "|" + names[j], Value: beta[i] * beta[j]})
		}
	}
	m, err := marketdata.New(MCAsOf, qs)
	if err != nil {
		return nil, err
	}
	b, err := pricing.NewBasket(pricing.Option{Ccy: "USD", Type: pricing.Call, Strike: basket, Expiry: 1}, names, weights)
	return newMCWorkload(m, b, err, pricing.MCSettings{Model: montecarlo.BlackScholes, Steps: 52}, paths, 11)
}

// BasketPlain is the plain float64 twin of W3 (any basket option under the
// lognormal model): the same grid, per-step coefficients, Cholesky factor,
// random numbers and payoff as the engine, price only, with no AAD type in
// its path loop.
type BasketPlain struct {
	w       *MCWorkload
	sc      *marketdata.Scope
	times   []float64
	na, n   int
	ak, bk  []float64 // per asset, per step (set-up order)
	a, b    []float64 // per step, per asset: a[i·na+k] (path order)
	s0      []float64
	corr, l []float64 // na×na, row-major
	x, z    []float64 // one path's assets and one step's normals
	weights []float64
	pcg     rand.PCG
	strike  float64
	sign    float64
}

// NewBasketPlain returns the plain twin of w, whose trade must be a basket
// option.
func NewBasketPlain(w *MCWorkload) (*BasketPlain, error) {
	tr, ok := w.Trade.(*pricing.Basket)
	pr := w.Problem
	if !ok || pr.Model != montecarlo.BlackScholes || len(pr.Dates) != 1 {
		return nil, fmt.Errorf("not a basket option under the lognormal model")
	}
	grid, _ := montecarlo.Grid(nil, nil, pr.Dates, pr.Steps)
	na, n := len(pr.Underlyings), len(grid)
	p := &BasketPlain{
		w: w, sc: w.Market.NewScope(), times: append([]float64{0}, grid...), na: na, n: n,
		ak: make([]float64, n), bk: make([]float64, n),
		a: make([]float64, n*na), b: make([]float64, n*na),
		s0: make([]float64, na), corr: make([]float64, na*na), l: make([]float64, na*na),
		x: make([]float64, na), z: make([]float64, na),
		weights: tr.Weights, strike: tr.Strike, sign: 1,
	}
	if tr.Type == pricing.Put {
		p.sign = -1
	}
	return p, nil
}

// setup reads the market into the coefficients and the Cholesky factor,
// computed as the engine's set-up computes them. It returns the discount
// factor to expiry.
func (p *BasketPlain) setup() (float64, error) {
	p.sc.Reset(nil)
	pr := p.w.Problem
	na := p.na
	var df float64
	for k, name := range pr.Underlyings {
		s0, dfk, err := bsCoefficients(p.sc, pr.Currency, name, pr.Strikes[k], p.times, p.ak, p.bk)
		if err != nil {
			return 0, err
		}
		if k == 0 {
			df = dfk
		}
		p.s0[k] = s0
		for i := range p.n {
			p.a[i*na+k], p.b[i*na+k] = p.ak[i], p.bk[i]
		}
	}
	for i, x := range pr.Underlyings {
		for j, y := range pr.Underlyings {
			r, err := p.sc.Corr(x, y)
			if err != nil {
				return 0, err
			}
			p.corr[i*na+j] = r.Value()
		}
	}
	return df, choleskyPlain(p.corr, na, p.l)
}

// dot is Σ x[i]·y[i] in order, as aad.Tape.Dot adds it.
func dot(x, y []float64) float64 {
	y = y[:len(x)]
	s := 0.0
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// choleskyPlain is the engine's Cholesky factorisation in float64 for a
// positive definite c: l (row-major, zero above the diagonal) with
// l·lᵀ = c, with the same operations in the same order.
func choleskyPlain(c []float64, n int, l []float64) error {
	clear(l[:n*n])
	for j := range n {
		row := l[j*n : j*n+j]
		d := c[j*n+j] - dot(row, row)
		if !(d > 1e-12) {
			return fmt.Errorf("correlation matrix is not positive definite")
		}
		ljj := math.Sqrt(d)
		l[j*n+j] = ljj
		for i := j + 1; i < n; i++ {
			l[i*n+j] = (c[i*n+j] - dot(l[i*n:i*n+j], row)) / ljj
		}
	}
	return nil
}

// Price returns the price: the set-up from the market, then every path.
func (p *BasketPlain) Price() (float64, error) {
	df, err := p.setup()
	if err != nil {
		return 0, err
	}
	na, n := p.na, p.n
	a, b, l, s0 := p.a[:n*na], p.b[:n*na], p.l[:na*na], p.s0[:na]
	x, z, wts := p.x[:na], p.z[:na], p.weights[:na]
	pcg, K, sign := &p.pcg, p.strike, p.sign
	path := func() float64 {
		copy(x, s0)
		for i := range n {
			for j := range z {
				z[j] = montecarlo.Normal(pcg)
			}
			ai, bi := a[i*na:i*na+na], b[i*na:i*na+na]
			for k := range x {
				lk := l[k*na : k*na+k+1]
				s := 0.0
				for j, v := range lk {
					s += v * z[j]
				}
				x[k] *= fastmath.Exp(ai[k] + bi[k]*s)
			}
		}
		return max((dot(x, wts)-K)*sign, 0) * df
	}
	return mcPlainRun(p.w.Settings, pcg, path), nil
}

// W3CrossGammaPaths is the number of paths of W3's cross-gamma measure: a
// tenth of W3's, as it simulates 43 runs (the ratio it reports does not
// depend on the paths).
const W3CrossGammaPaths = W3Paths / 10

// W3CrossGamma prices w's basket with Pricer.SecondOrder on one worker and
// returns its 20×20 cross-gamma block, ∂²pv/∂S_i∂S_j (row i the risk
// factor, column j the wrt, in the basket's order), with their standard
// errors: the differences of the AAD sensitivities of two more simulations
// per spot, with the same random numbers.
func W3CrossGamma(ctx context.Context, w *MCWorkload, paths int) (gamma, se [][]float64, err error) {
	e, err := pricing.NewMCEngine(pricing.MCSettings{Model: montecarlo.BlackScholes, Steps: 52, Paths: paths, Seed: 11, SeedSet: true})
	if err != nil {
		return nil, nil, err
	}
	p := pricing.NewPricer(w.Market)
	p.MCWorkers, p.SecondOrder = 1, true
	res := p.Price(ctx, &pricing.Trade{ID: "W3", Quantity: decimal.NewFromInt(1), Instrument: w.Trade, Engine: e})
	if res.Err != nil {
		return nil, nil, res.Err
	}
	names := w.Trade.Underlyings()
	pos := make(map[string]int, len(names))
	for i, n := range names {
		pos[n] = i
	}
	gamma, se = make([][]float64, len(names)), make([][]float64, len(names))
	for i := range gamma {
		gamma[i], se[i] = make([]float64, len(names)), make([]float64, len(names))
	}
	for _, s := range res.Second {
		if s.RiskFactor.Kind() != marketdata.Spot {
			continue
		}
		i, j := pos[s.RiskFactor.Name()], pos[s.Wrt.Name()]
		gamma[i][j], se[i][j] = s.Value, s.StdError
	}
	return gamma, se, nil
}
