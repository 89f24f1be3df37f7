package benchmarks

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/internal/testutil"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// mcPlain is a plain float64 twin of a Monte Carlo workload.
type mcPlain interface{ Price() (float64, error) }

// mcBench holds what the sub-benchmarks of one Monte Carlo workload share:
// the workload, and the quotes its price depends on, from the first aad
// run.
type mcBench struct {
	w      *MCWorkload
	r      ratios
	inputs []int
}

func newMCBench(b *testing.B, w *MCWorkload, err error) *mcBench {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	return &mcBench{w: w, r: ratios{}}
}

// plain runs the plain twin.
func (m *mcBench) plain(b *testing.B, p mcPlain, err error) {
	b.ReportAllocs()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := p.Price(); err != nil {
			b.Fatal(err)
		}
	}
	m.r.record(b, "plain")
}

// aad runs the workload with every sensitivity on one worker and returns
// the last result and the heap allocations per run.
func (m *mcBench) aad(b *testing.B) (*montecarlo.Result, float64) {
	b.ReportAllocs()
	ctx := context.Background()
	e := montecarlo.NewEngine(m.w.Market, 1)
	res, err := m.w.AAD(ctx, e) // warm up: the tape reaches its working size
	if err != nil {
		b.Fatal(err)
	}
	m.inputs = quotes(res)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		if res, err = m.w.AAD(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	m.r.record(b, "aad")
	m.r.report(b, "aad", "plain")
	b.ReportMetric(float64(len(res.Sens)+1), "inputs")
	return res, float64(after.Mallocs-before.Mallocs) / float64(b.N)
}

// quotes returns the quotes the workload's price depends on.
func (m *mcBench) quotes(b *testing.B) []int {
	if m.inputs == nil {
		res, err := m.w.AAD(context.Background(), montecarlo.NewEngine(m.w.Market, 1))
		if err != nil {
			b.Fatal(err)
		}
		m.inputs = quotes(res)
	}
	return m.inputs
}

// bump runs bump-and-revalue of every input and theta.
func (m *mcBench) bump(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	qs := m.quotes(b)
	e := montecarlo.NewEngine(m.w.Market, 1)
	for b.Loop() {
		if _, err := m.w.Bump(ctx, e, qs, true); err != nil {
			b.Fatal(err)
		}
	}
	m.r.record(b, "bump")
	m.r.report(b, "bump", "aad")
}

// BenchmarkW2 is workload W2: a Monte Carlo arithmetic Asian call, 252
// fixings, 100,000 paths, one worker, price and five sensitivities.
func BenchmarkW2(b *testing.B) {
	w, err := W2(W2Paths)
	m := newMCBench(b, w, err)
	b.Run("plain", func(b *testing.B) { p, err := NewAsianPlain(m.w); m.plain(b, p, err) })
	b.Run("aad", func(b *testing.B) {
		res, allocs := m.aad(b)
		b.ReportMetric(allocs/float64(res.Paths), "allocs/path")
		b.ReportMetric(float64(res.PathBytes), "tape-bytes/path")
	})
	b.Run("bump", m.bump)
}

// BenchmarkW3 is workload W3: a call on a basket of 20 correlated assets,
// 52 steps, 20,000 paths, one worker, price and 251 sensitivities and
// theta; bump revalues every one of them.
func BenchmarkW3(b *testing.B) {
	w, err := W3(W3Paths)
	m := newMCBench(b, w, err)
	b.Run("plain", func(b *testing.B) { p, err := NewBasketPlain(m.w); m.plain(b, p, err) })
	b.Run("aad", func(b *testing.B) { m.aad(b) })
	b.Run("bump", m.bump)
	// The 20×20 cross-gamma block against 40 bumped AAD gradients (two
	// per spot), at W3CrossGammaPaths paths for both, timed in one run.
	b.Run("cross-gamma", func(b *testing.B) {
		ctx := context.Background()
		w, err := W3(W3CrossGammaPaths)
		if err != nil {
			b.Fatal(err)
		}
		e := montecarlo.NewEngine(w.Market, 1)
		var tAAD, tCross time.Duration
		for b.Loop() {
			t0 := time.Now()
			if _, err := w.AAD(ctx, e); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if _, _, err := W3CrossGamma(ctx, w, W3CrossGammaPaths); err != nil {
				b.Fatal(err)
			}
			tAAD, tCross = tAAD+t1.Sub(t0), tCross+time.Since(t1)
		}
		b.ReportMetric(float64(tCross)/float64(40*tAAD), "cross/40grad")
		b.ReportMetric(float64(tCross)/float64(tAAD), "cross/grad")
	})
}

// w4BumpSample is the number of quotes W4's bump sub-benchmark revalues.
const w4BumpSample = 16

// BenchmarkW4 is workload W4: an up-and-out call under Dupire local vol
// from a 30×40 implied-vol surface, 156 steps, 100,000 paths, one worker,
// price and 1,203 sensitivities and theta.
//
// Its bump sub-benchmark is an estimate: it revalues the price, 16 quotes
// evenly spread over the inputs and theta (18 passive runs), and scales
// the time to the 1,205 runs of a full bump-and-revalue (the passive runs
// do the same work whatever the bumped quote); est-ns/op is that estimate,
// the ns/op of bump/aad, and bumped-inputs the inputs it did revalue.
func BenchmarkW4(b *testing.B) {
	w, err := W4(W4Paths)
	m := newMCBench(b, w, err)
	b.Run("plain", func(b *testing.B) { p, err := NewLocalVolBarrierPlain(m.w); m.plain(b, p, err) })
	b.Run("aad", func(b *testing.B) {
		res, _ := m.aad(b)
		b.ReportMetric(float64(len(res.Floored)), "floored-nodes")
	})
	b.Run("bump", func(b *testing.B) {
		b.ReportAllocs()
		ctx := context.Background()
		all := m.quotes(b)
		sample := spread(all, w4BumpSample)
		e := montecarlo.NewEngine(m.w.Market, 1)
		for b.Loop() {
			if _, err := m.w.Bump(ctx, e, sample, true); err != nil {
				b.Fatal(err)
			}
		}
		runs, full := float64(len(sample)+2), float64(len(all)+2)
		m.r["bump"] = float64(b.Elapsed().Nanoseconds()) / float64(b.N) * full / runs
		b.ReportMetric(m.r["bump"], "est-ns/op")
		b.ReportMetric(float64(len(sample)+1), "bumped-inputs")
		m.r.report(b, "bump", "aad")
	})
}

// BenchmarkW6 is workload W6: W2 with price and sensitivities on one
// worker against two, which must give the same results bit for bit; the
// second reports the speed-up.
func BenchmarkW6(b *testing.B) {
	w, err := W2(W2Paths)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var ref *montecarlo.Result
	nsop := map[int]float64{}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			if ref == nil && workers != 1 {
				var err error
				if ref, err = w.AAD(ctx, montecarlo.NewEngine(w.Market, 1)); err != nil {
					b.Fatal(err)
				}
			}
			e := montecarlo.NewEngine(w.Market, workers)
			res, err := w.AAD(ctx, e) // warm up
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if res, err = w.AAD(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
			nsop[workers] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if ref == nil {
				ref = res
			} else if err := sameResult(ref, res); err != nil {
				b.Fatalf("%d workers: %v", workers, err)
			}
			if nsop[1] > 0 && nsop[2] > 0 {
				b.ReportMetric(nsop[1]/nsop[2], "speedup")
			}
		})
	}
}

// sameResult returns an error unless a and b have the same price,
// sensitivities and standard errors bit for bit.
func sameResult(a, b *montecarlo.Result) error {
	same := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }
	switch {
	case !same(a.PV, b.PV) || !same(a.StdError, b.StdError):
		return fmt.Errorf("price %v ± %v against %v ± %v", b.PV, b.StdError, a.PV, a.StdError)
	case !same(a.Theta, b.Theta) || !same(a.ThetaStdError, b.ThetaStdError) || a.HasTheta != b.HasTheta:
		return fmt.Errorf("theta %v ± %v against %v ± %v", b.Theta, b.ThetaStdError, a.Theta, a.ThetaStdError)
	case len(a.Sens) != len(b.Sens):
		return fmt.Errorf("%d sensitivities against %d", len(b.Sens), len(a.Sens))
	}
	for i, s := range a.Sens {
		t := b.Sens[i]
		if s.Quote != t.Quote || !same(s.Value, t.Value) || !same(s.StdError, t.StdError) {
			return fmt.Errorf("sensitivity %d: quote %d %v ± %v against quote %d %v ± %v", i, t.Quote, t.Value, t.StdError, s.Quote, s.Value, s.StdError)
		}
	}
	return nil
}

// checkPlain checks that the plain twin p prices w as the engine does:
// with the same random numbers, to 1e-9 relative.
func checkPlain(t *testing.T, w *MCWorkload, p mcPlain, err error) *montecarlo.Result {
	t.Helper()
	require.NoError(t, err)
	ctx := context.Background()
	e := montecarlo.NewEngine(w.Market, 1)
	res, err := w.AAD(ctx, e)
	require.NoError(t, err)
	passive, err := w.Passive(ctx, e, noBump)
	require.NoError(t, err)
	plain, err := p.Price()
	require.NoError(t, err)
	testutil.Near(t, passive, res.PV, 1e-15, 0, "passive pv")
	testutil.Near(t, plain, res.PV, 1e-9, 0, "plain pv")
	t.Logf("pv %.17g, plain %.17g, relative difference %.3g", res.PV, plain, (plain-res.PV)/res.PV)
	again, err := p.Price()
	require.NoError(t, err)
	assert.Equal(t, plain, again, "a second plain run")
	require.Greater(t, res.StdError, 0.0)
	assert.Less(t, res.StdError, 0.1*res.PV)
	assert.True(t, res.HasTheta)
	return res
}

func TestW2PlainAndBumpAgreeWithEngine(t *testing.T) {
	w, err := W2(2000)
	require.NoError(t, err)
	p, err := NewAsianPlain(w)
	res := checkPlain(t, w, p, err)
	assert.Len(t, res.Sens, 4, "spot, rate, dividend yield and vol")

	// One-sided bumps with the same random numbers: the pathwise
	// derivatives to O(h).
	e := montecarlo.NewEngine(w.Market, 1)
	bump, err := w.Bump(context.Background(), e, quotes(res), true)
	require.NoError(t, err)
	testutil.Near(t, bump.PV, res.PV, 1e-15, 0, "bump pv")
	for i, s := range res.Sens {
		testutil.Near(t, bump.Sens[i].Value, s.Value, 1e-4, 1e-6, w.Market.Quotes()[s.Quote].Key)
	}
	testutil.Near(t, bump.Theta, res.Theta, 1e-4, 1e-6, "theta")
}

func TestW3PlainAgreesWithEngine(t *testing.T) {
	w, err := W3(600)
	require.NoError(t, err)
	p, err := NewBasketPlain(w)
	res := checkPlain(t, w, p, err)
	assert.Len(t, res.Sens, 251, "20 spots, vols and dividend yields, the rate and 190 correlations")
}

func TestW4PlainAgreesWithEngine(t *testing.T) {
	w, err := W4(1000)
	require.NoError(t, err)
	p, err := NewLocalVolBarrierPlain(w)
	res := checkPlain(t, w, p, err)
	assert.Len(t, res.Sens, W4Expiries*W4Strikes+3, "the vol nodes, the spot, the rate and the dividend yield")
	assert.Empty(t, res.Floored, "the surface is free of arbitrage")
}

func TestW6SameResultsForAnyWorkers(t *testing.T) {
	w, err := W2(4096)
	require.NoError(t, err)
	ctx := context.Background()
	ref, err := w.AAD(ctx, montecarlo.NewEngine(w.Market, 1))
	require.NoError(t, err)
	for _, workers := range []int{2, 3} {
		res, err := w.AAD(ctx, montecarlo.NewEngine(w.Market, workers))
		require.NoError(t, err)
		assert.NoError(t, sameResult(ref, res), "%d workers", workers)
	}
}

func TestW2AllocationsDoNotGrowWithPaths(t *testing.T) {
	w, err := W2(4096)
	require.NoError(t, err)
	ctx := context.Background()
	e := montecarlo.NewEngine(w.Market, 1)
	_, err = w.AAD(ctx, e)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(3, func() {
		if _, err := w.AAD(ctx, e); err != nil {
			t.Fatal(err)
		}
	})
	assert.Less(t, allocs/float64(w.Settings.Paths), 0.05, "%v allocations per run of %d paths", allocs, w.Settings.Paths)
}

func TestSpread(t *testing.T) {
	xs := []int{10, 11, 12, 13, 14, 15, 16, 17, 18, 19}
	assert.Equal(t, []int{10, 13, 16, 19}, spread(xs, 4))
	assert.Equal(t, xs[:3], spread(xs[:3], 4))
}
