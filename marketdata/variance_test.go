package marketdata

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/interp"

	"github.com/aadrisk/aadrisk/aad"
)

// tvSurface is a vol surface of the total-variance tests: its expiries (as
// tenors, with their times) and at each the strikes (none for a blank
// strike) and vols.
type tvSurface struct {
	name string
	exps []tvExp
}

type tvExp struct {
	pillar string
	t      float64
	ks, vs []float64
}

// smile returns n strikes from lo to hi, spaced unevenly, and a skewed
// smile on them whose level grows with lvl.
func smile(n int, lo, hi, lvl float64) (ks, vs []float64) {
	for i := range n {
		x := float64(i) / float64(n-1)
		k := lo + (hi-lo)*(x+0.15*x*(1-x)) // uneven spacing
		m := math.Log(k / 100)
		ks = append(ks, math.Round(k*100)/100)
		vs = append(vs, math.Round((lvl-0.12*m+0.25*m*m)*1e4)/1e4)
	}
	return ks, vs
}

func tvSurfaces() []tvSurface {
	k1, v1 := []float64{100}, []float64{0.2}
	k5a, v5a := smile(5, 70, 130, 0.22)
	k5b, v5b := smile(5, 60, 140, 0.23)
	k5c, v5c := smile(5, 50, 150, 0.235)
	k12a, v12a := smile(12, 55, 160, 0.21)
	k12b, v12b := smile(12, 40, 190, 0.22)
	return []tvSurface{
		{"ONE", []tvExp{{"1Y", 1, k1, v1}}},
		{"ONES", []tvExp{{"6M", 0.5, k1, v1}, {"2Y", 2, []float64{110}, []float64{0.25}}}},
		{"TWO", []tvExp{{"1Y", 1, []float64{90, 110}, []float64{0.25, 0.21}}, {"3Y", 3, []float64{80, 120}, []float64{0.27, 0.22}}}},
		{"THREE", []tvExp{{"6M", 0.5, []float64{90, 100, 110}, []float64{0.25, 0.22, 0.21}}, {"1Y", 1, []float64{85, 100, 125}, []float64{0.26, 0.225, 0.215}}}},
		{"FIVE", []tvExp{{"3M", 0.25, k5a, v5a}, {"1Y", 1, k5b, v5b}, {"2Y", 2, nil, []float64{0.24}}, {"5Y", 5, k5c, v5c}}},
		{"TWELVE", []tvExp{{"6M", 0.5, k12a, v12a}, {"18M", 1.5, k12b, v12b}}},
		{"BLANK", []tvExp{{"1Y", 1, nil, []float64{0.2}}, {"2Y", 2, nil, []float64{0.25}}, {"4Y", 4, nil, []float64{0.22}}}},
		{"MIXED", []tvExp{{"6M", 0.5, k5a, v5a}, {"1Y", 1, []float64{90, 110}, []float64{0.24, 0.21}}, {"2Y", 2, nil, []float64{0.222}}, {"3Y", 3, []float64{100}, []float64{0.23}}, {"4Y", 4, k12a, v12a}}},
	}
}

func tvMarket(t testing.TB) *Market {
	t.Helper()
	var b strings.Builder
	b.WriteString("type,name,pillar,strike,value\nSPOT,X,,,100\n")
	for _, sf := range tvSurfaces() {
		for _, e := range sf.exps {
			if len(e.ks) == 0 {
				fmt.Fprintf(&b, "VOL,%s,%s,,%v\n", sf.name, e.pillar, e.vs[0])
			}
			for i, k := range e.ks {
				fmt.Fprintf(&b, "VOL,%s,%s,%v,%v\n", sf.name, e.pillar, k, e.vs[i])
			}
		}
	}
	return mustLoad(t, b.String())
}

// tvTimes returns times before, on, between and after the pillars.
func (sf tvSurface) times() []float64 {
	ts := []float64{sf.exps[0].t * 0.3}
	for i, e := range sf.exps {
		ts = append(ts, e.t)
		if i+1 < len(sf.exps) {
			ts = append(ts, e.t+0.37*(sf.exps[i+1].t-e.t))
		}
	}
	return append(ts, sf.exps[len(sf.exps)-1].t+1.3)
}

// strikes returns strikes outside, on and between the surface's strikes.
func (sf tvSurface) strikes() []float64 {
	ks := []float64{1, 30, 97.3, 100, 250}
	for _, e := range sf.exps {
		for i, k := range e.ks {
			ks = append(ks, k)
			if i+1 < len(e.ks) {
				ks = append(ks, k+0.41*(e.ks[i+1]-k))
			}
		}
	}
	slices.Sort(ks)
	return slices.Compact(ks)
}

// knots returns the surface's strikes at every expiry.
func (sf tvSurface) knots() []float64 {
	var ks []float64
	for _, e := range sf.exps {
		ks = append(ks, e.ks...)
	}
	return ks
}

// nearKnot reports whether K is within d of a strike of the surface.
func (sf tvSurface) nearKnot(K, d float64) bool {
	return slices.ContainsFunc(sf.knots(), func(k float64) bool { return math.Abs(k-K) < d })
}

// onPillar reports whether τ is within d of an expiry of the surface.
func (sf tvSurface) onPillar(tau, d float64) bool {
	return slices.ContainsFunc(sf.exps, func(e tvExp) bool { return math.Abs(e.t-tau) < d })
}

// tvOut returns the four values of a TotalVariance.
func tvOut(v TotalVariance) [4]float64 {
	return [4]float64{v.W.Value(), v.DK.Value(), v.DKK.Value(), v.DT.Value()}
}

var tvNames = [4]string{"W", "DK", "DKK", "DT"}

// passiveTV reads the total variance through sc, passive with bump b.
func passiveTV(t testing.TB, sc *Scope, b Bump, name string, tau, K float64) [4]float64 {
	t.Helper()
	sc.ResetBumped(nil, b)
	v, err := sc.TotalVariance(name, aad.Const(tau), K)
	require.NoError(t, err)
	return tvOut(v)
}

// varianceOf is Vol²·τ, read passively through sc.
func varianceOf(t testing.TB, sc *Scope, name string, tau, K float64) float64 {
	t.Helper()
	sc.Reset(nil)
	v, err := sc.Vol(name, aad.Const(tau), K)
	require.NoError(t, err)
	return v.Value() * v.Value() * tau
}

func TestTotalVarianceMatchesVol(t *testing.T) {
	m := tvMarket(t)
	tp := aad.NewTape(0)
	rec, pas := m.NewScope(), m.NewScope()
	n := 0
	for _, sf := range tvSurfaces() {
		for _, tau := range sf.times() {
			for _, K := range sf.strikes() {
				want := varianceOf(t, pas, sf.name, tau, K)
				tp.Reset()
				rec.Reset(tp)
				got, err := rec.TotalVariance(sf.name, rec.Time(tau), K)
				require.NoError(t, err)
				assert.InDelta(t, want, got.W.Value(), 1e-14*want, "%s τ=%v K=%v", sf.name, tau, K)
				// Passive: the same values bit for bit, nothing active.
				p := passiveTV(t, pas, Bump{Quote: -1}, sf.name, tau, K)
				for i, g := range tvOut(got) {
					assert.Equal(t, math.Float64bits(g), math.Float64bits(p[i]), "%s τ=%v K=%v %s: %v recorded, %v passive", sf.name, tau, K, tvNames[i], g, p[i])
				}
				pv, _ := pas.TotalVariance(sf.name, aad.Const(tau), K)
				for _, x := range []aad.Number{pv.W, pv.DK, pv.DKK, pv.DT} {
					assert.False(t, x.Active())
				}
				n++
			}
		}
	}
	t.Logf("%d points", n)
}

func TestTotalVarianceAgainstFiniteDifferences(t *testing.T) {
	// DK and DKK against central differences of Vol²τ in K, DT against the
	// forward difference in τ (exact but for rounding: total variance is
	// linear in τ on the interval to the right, pillars included).
	m := tvMarket(t)
	sc := m.NewScope()
	f := func(name string, tau, K float64) float64 { return varianceOf(t, sc, name, tau, K) }
	const hK, hKK, dT = 1e-3, 2e-2, 1e-6
	var worst [4]float64
	for _, sf := range tvSurfaces() {
		for _, tau := range sf.times() {
			for _, K := range sf.strikes() {
				got := passiveTV(t, sc, Bump{Quote: -1}, sf.name, tau, K)
				var want float64
				if !sf.nearKnot(K, 2*hKK) {
					// Central differences, on one piece of the spline.
					want = (f(sf.name, tau, K+hK) - f(sf.name, tau, K-hK)) / (2 * hK)
					assert.InDelta(t, want, got[1], 1e-7*math.Abs(want)+1e-11, "%s τ=%v K=%v DK", sf.name, tau, K)
					worst[1] = max(worst[1], math.Abs(got[1]-want)/(math.Abs(want)+1e-6))
					want = (f(sf.name, tau, K+hKK) - 2*f(sf.name, tau, K) + f(sf.name, tau, K-hKK)) / (hKK * hKK)
					assert.InDelta(t, want, got[2], 1e-6*math.Abs(want)+1e-10, "%s τ=%v K=%v DKK", sf.name, tau, K)
					worst[2] = max(worst[2], math.Abs(got[2]-want)/(math.Abs(want)+1e-6))
				}
				want = (f(sf.name, tau+dT, K) - f(sf.name, tau, K)) / dT
				assert.InDelta(t, want, got[3], 1e-8*math.Abs(want)+1e-10, "%s τ=%v K=%v DT", sf.name, tau, K)
				worst[3] = max(worst[3], math.Abs(got[3]-want)/(math.Abs(want)+1e-6))
			}
		}
	}
	t.Logf("worst relative differences: DK %.1e, DKK %.1e, DT %.1e", worst[1], worst[2], worst[3])
}

func TestTotalVarianceAtTheEndStrikes(t *testing.T) {
	// Outside the strikes the wings continue the end slope and flatten:
	// w, ∂w/∂K are continuous at an end strike (no kink, which would put
	// a point mass in the implied density that no diffusion can
	// reproduce), and DK and DKK outside are the wing's derivatives.
	m := tvMarket(t)
	sc := m.NewScope()
	f := func(name string, tau, K float64) float64 { return varianceOf(t, sc, name, tau, K) }
	for _, sf := range tvSurfaces() {
		for _, e := range sf.exps {
			if len(e.ks) < 2 {
				continue
			}
			tau := e.t // on the pillar: this expiry's spline alone
			lo, hi := e.ks[0], e.ks[len(e.ks)-1]
			const h = 1e-4
			for _, K := range []float64{lo, hi} {
				in, out := 1.0, -1.0 // the side of the quoted strikes
				if K == hi {
					in, out = -1, 1
				}
				left := (-3*f(sf.name, tau, K) + 4*f(sf.name, tau, K+in*h) - f(sf.name, tau, K+2*in*h)) / (2 * h * in)
				right := (-3*f(sf.name, tau, K) + 4*f(sf.name, tau, K+out*h) - f(sf.name, tau, K+2*out*h)) / (2 * h * out)
				got := passiveTV(t, sc, Bump{Quote: -1}, sf.name, tau, K)
				assert.InDelta(t, left, got[1], 1e-6*math.Abs(left)+1e-10, "%s τ=%v K=%v: slope from inside", sf.name, tau, K)
				assert.InDelta(t, right, got[1], 1e-6*math.Abs(right)+1e-10, "%s τ=%v K=%v: slope from outside", sf.name, tau, K)
			}
			for _, K := range []float64{lo / 3, lo - 5, hi + 5, 3 * hi} {
				got := passiveTV(t, sc, Bump{Quote: -1}, sf.name, tau, K)
				hK := 1e-4 * K
				d1 := (f(sf.name, tau, K+hK) - f(sf.name, tau, K-hK)) / (2 * hK)
				d2 := (f(sf.name, tau, K+10*hK) - 2*f(sf.name, tau, K) + f(sf.name, tau, K-10*hK)) / (100 * hK * hK)
				assert.InDelta(t, d1, got[1], 1e-6*math.Abs(d1)+1e-10, "%s τ=%v K=%v DK", sf.name, tau, K)
				assert.InDelta(t, d2, got[2], 1e-4*math.Abs(d2)+1e-9, "%s τ=%v K=%v DKK", sf.name, tau, K)
			}
		}
	}
}

func TestTotalVarianceSensitivitiesAgainstBumps(t *testing.T) {
	m := tvMarket(t)
	tp := aad.NewTape(0)
	sc, ref := m.NewScope(), m.NewScope()
	var worst float64
	for _, sf := range tvSurfaces() {
		for _, tau := range sf.times() {
			for _, K := range sf.strikes() {
				tp.Reset()
				sc.Reset(tp)
				v, err := sc.TotalVariance(sf.name, sc.Time(tau), K)
				require.NoError(t, err)
				h, _ := sc.Shift()
				ins := slices.Clone(sc.Inputs())
				xs := []aad.Number{h}
				for _, in := range ins {
					xs = append(xs, in.X)
				}
				base := passiveTV(t, ref, Bump{Quote: -1}, sf.name, tau, K)
				// The time shift: ∂/∂h = −∂/∂τ, from the left on a pillar.
				const d = 1e-6
				up, dn := passiveTV(t, ref, Bump{Quote: -1}, sf.name, tau+d, K), passiveTV(t, ref, Bump{Quote: -1}, sf.name, tau-d, K)
				for i, y := range []aad.Number{v.W, v.DK, v.DKK, v.DT} {
					g := tp.Gradient(nil, y, xs)
					if i == 3 {
						assert.Equal(t, 0.0, g[0], "%s τ=%v K=%v: DT has no derivative in τ", sf.name, tau, K)
					} else {
						want := -(up[i] - dn[i]) / (2 * d)
						if sf.onPillar(tau, 2*d) {
							want = -(base[i] - dn[i]) / d
						}
						assert.InDelta(t, want, g[0], 1e-6*math.Abs(want)+1e-9, "%s τ=%v K=%v: ∂%s/∂h", sf.name, tau, K, tvNames[i])
					}
					// Each node vol: central differences of the bumped
					// market (exact but for rounding: the outputs are
					// quadratic in the vols).
					for j, in := range ins {
						const dv = 1e-5
						up := passiveTV(t, ref, Bump{Quote: in.Quote, By: dv}, sf.name, tau, K)
						dn := passiveTV(t, ref, Bump{Quote: in.Quote, By: -dv}, sf.name, tau, K)
						want := (up[i] - dn[i]) / (2 * dv)
						assert.InDelta(t, want, g[j+1], 1e-7*math.Abs(want)+1e-10, "%s τ=%v K=%v: ∂%s/∂%s", sf.name, tau, K, tvNames[i], m.Quotes()[in.Quote].Key)
						worst = max(worst, math.Abs(g[j+1]-want)/(math.Abs(want)+1e-3))
					}
				}
				// A quote that is not an input moves nothing.
				for q := range m.Len() {
					if slices.ContainsFunc(ins, func(in Input) bool { return in.Quote == q }) {
						continue
					}
					assert.Equal(t, base, passiveTV(t, ref, Bump{Quote: q, By: 0.01}, sf.name, tau, K), "%s τ=%v K=%v moves with %s, not an input", sf.name, tau, K, m.Quotes()[q].Key)
				}
			}
		}
	}
	t.Logf("worst relative difference of node partials: %.1e", worst)
}

func TestTotalVarianceOnPillarUsesTheIntervalToTheRight(t *testing.T) {
	// Blank strikes: 20% at 1Y, 25% at 2Y, 22% at 4Y.
	m := tvMarket(t)
	sc := m.NewScope()
	w1, w2, w4 := 0.04, 0.0625*2, 0.0484*4
	tests := []struct{ tau, w, dt float64 }{
		{0.5, 0.02, 0.04},                 // flat vol before the first expiry
		{1, w1, w2 - w1},                  // on 1Y: the slope to 2Y
		{1.5, (w1 + w2) / 2, w2 - w1},     // between
		{2, w2, (w4 - w2) / 2},            // on 2Y: the slope to 4Y
		{4, w4, 0.0484},                   // on the last: flat vol after it
		{6, 0.0484 * 6, 0.0484},           // after
		{3, (w2 + w4) / 2, (w4 - w2) / 2}, // between
	}
	for _, tt := range tests {
		got := passiveTV(t, sc, Bump{Quote: -1}, "BLANK", tt.tau, 123)
		assert.InDelta(t, tt.w, got[0], 1e-15, "τ=%v", tt.tau)
		assert.Equal(t, 0.0, got[1])
		assert.Equal(t, 0.0, got[2])
		assert.InDelta(t, tt.dt, got[3], 1e-15, "τ=%v", tt.tau)
	}
}

func TestSlopeWeightsAgainstGonum(t *testing.T) {
	ks := []float64{60, 75, 80, 92.5, 100, 101, 115, 140, 200}
	vs := []float64{0.41, 0.33, 0.31, 0.26, 0.24, 0.238, 0.22, 0.23, 0.29}
	e := expiry{k: ks}
	e.factor()
	var nc interp.NaturalCubic
	require.NoError(t, nc.Fit(ks, vs))
	d1, d2, u := make([]float64, len(ks)), make([]float64, len(ks)), make([]float64, len(ks))
	dot := func(w []float64) float64 {
		s := 0.0
		for i, x := range w {
			s += x * vs[i]
		}
		return s
	}
	for k := 60.0; k <= 200; k += 0.37 {
		w1, w2 := e.slopeWeights(k, d1, d2, u)
		assert.InDelta(t, nc.PredictDerivative(k), dot(w1), 1e-14, "s′(%v)", k)
		const h = 1e-5
		if k > 60+h && k < 200-h {
			want := (nc.PredictDerivative(k+h) - nc.PredictDerivative(k-h)) / (2 * h)
			assert.InDelta(t, want, dot(w2), 1e-8, "s″(%v)", k)
		}
	}
	// A linear smile has a constant slope and no curvature.
	lin := make([]float64, len(ks))
	for i, k := range ks {
		lin[i] = 0.5 - 0.002*k
	}
	for _, k := range []float64{60, 61, 99, 100, 100.5, 170, 200} {
		w1, w2 := e.slopeWeights(k, d1, d2, u)
		s1, s2 := 0.0, 0.0
		for i := range ks {
			s1 += w1[i] * lin[i]
			s2 += w2[i] * lin[i]
		}
		assert.InDelta(t, -0.002, s1, 1e-15, "K=%v", k)
		assert.InDelta(t, 0, s2, 1e-15, "K=%v", k)
	}
	// Outside, the wings' slope and curvature are the derivatives of their
	// value, and both vanish far out (and at a strike of 0).
	w := make([]float64, len(ks))
	val := func(k float64) float64 { return dot(e.weights(k, w, u)) }
	for _, k := range []float64{30, 59, 201, 260, 1e4} {
		w1, w2 := e.slopeWeights(k, d1, d2, u)
		h := 1e-5 * k
		want1 := (val(k+h) - val(k-h)) / (2 * h)
		want2 := (val(k+10*h) - 2*val(k) + val(k-10*h)) / (100 * h * h)
		assert.InDelta(t, want1, dot(w1), 1e-8, "s′(%v)", k)
		assert.InDelta(t, want2, dot(w2), 1e-6*math.Abs(want2)+1e-9, "s″(%v)", k)
	}
	for _, k := range []float64{0, -1, 1e300} {
		w1, w2 := e.slopeWeights(k, d1, d2, u)
		assert.InDelta(t, 0, dot(w1), 1e-12, "s′(%v)", k)
		assert.InDelta(t, 0, dot(w2), 1e-12, "s″(%v)", k)
		assert.False(t, math.IsNaN(val(k)), "s(%v)", k)
	}
}

func TestTotalVarianceErrors(t *testing.T) {
	m := tvMarket(t)
	sc := m.NewScope()
	sc.Reset(nil)
	_, err := sc.TotalVariance("NONE", aad.Const(1), 100)
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = sc.TotalVariance("FIVE", aad.Const(1), math.NaN())
	assert.Error(t, err)
	_, err = sc.TotalVariance("FIVE", aad.Const(1), math.Inf(1))
	assert.Error(t, err)
}

func TestTotalVarianceZeroAllocations(t *testing.T) {
	m := tvMarket(t)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	trade := func() {
		tp.Reset()
		sc.Reset(tp)
		sum := aad.Const(0)
		for _, tau := range []float64{0.3, 1, 1.1, 7} {
			T := sc.Time(tau)
			for _, name := range []string{"TWELVE", "MIXED", "BLANK"} {
				v, _ := sc.TotalVariance(name, T, 97)
				sum = tp.Sum(sum, v.W, v.DK, v.DKK, v.DT)
			}
		}
		tp.SetAdjoint(sum, 1)
		tp.Backward()
		for _, in := range sc.Inputs() {
			_ = tp.Adjoint(in.X)
		}
	}
	trade()
	assert.Equal(t, 0.0, testing.AllocsPerRun(100, trade))
	passive := func() {
		sc.Reset(nil)
		_, _ = sc.TotalVariance("TWELVE", sc.Time(1.1), 97)
	}
	passive()
	assert.Equal(t, 0.0, testing.AllocsPerRun(100, passive))
}

func BenchmarkTotalVariance(b *testing.B) {
	m := tvMarket(b)
	tp := aad.NewTape(0)
	sc := m.NewScope()
	b.ReportAllocs()
	for b.Loop() {
		tp.Reset()
		sc.Reset(tp)
		_, _ = sc.TotalVariance("TWELVE", sc.Time(1.1), 97)
	}
}
