package benchmarks

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/pricing"
)

// TestW8PlainAgreesWithEngine: the plain twin prices W8 as the engine
// does, and its solve taped whole (TapedSteps) has the gradient of the
// engine's checkpointed segment, so that W8's memory/full compares two
// recordings of one computation; the segment measured apart is the
// engine's, and its snapshots are what the budget allows.
func TestW8PlainAgreesWithEngine(t *testing.T) {
	w, err := W8()
	require.NoError(t, err)
	tp := aad.NewTape(0)
	pv, inputs, _, theta, err := w.AAD(tp, nil)
	require.NoError(t, err)
	ck := tp.Stats()
	p := NewW8Plain(w)
	plain, err := p.Price()
	require.NoError(t, err)
	assert.InDelta(t, pv, plain, 1e-13*pv)
	assert.Len(t, inputs, W4Expiries*W4Strikes+3)
	assert.Less(t, theta, 0.0)
	t.Logf("W8: pv %.10g, %d inputs, theta %.6g", pv, len(inputs), theta)

	// The solve's gradient in its parameters, checkpointed and taped whole.
	grad := func(record func(tp *aad.Tape, params []aad.Number) []aad.Number) []float64 {
		tp := aad.NewTape(0)
		params := tp.Vars(nil, p.Params...)
		final := record(tp, params)
		j := p.J0
		v := tp.Custom(p.W[0]*final[j].Value()+p.W[1]*final[j+1].Value()+p.W[2]*final[j+2].Value()+p.W[3]*final[j+3].Value(), final[j:j+4], p.W[:])
		return tp.Gradient(nil, v, params)
	}
	init := make([]aad.Number, len(p.Payoff))
	for j := range init {
		init[j] = aad.Const(p.Payoff[j])
	}
	ckg := grad(func(tp *aad.Tape, params []aad.Number) []aad.Number {
		return tp.Checkpoint(nil, init, params, p.Solve.Len(), p.Solve, pricing.PDESnapshots(W8Spots, p.Solve.Len()))
	})
	wg := grad(func(tp *aad.Tape, params []aad.Number) []aad.Number {
		final, err := p.TapedSteps(tp, params)
		require.NoError(t, err)
		return final
	})
	scale := 0.0
	for _, g := range ckg {
		scale = max(scale, math.Abs(g))
	}
	nonzero := 0
	for i := range ckg {
		require.InDelta(t, wg[i], ckg[i], 1e-10*scale, "parameter %d", i)
		if ckg[i] != 0 {
			nonzero++
		}
	}
	assert.Greater(t, nonzero, len(ckg)/2)

	checkpointed, whole, seg, err := W8Memory(ck, p)
	require.NoError(t, err)
	assert.Equal(t, ck.CheckpointBytes, seg.CheckpointBytes)
	// the initial state and one per snapshot, never more than one a step
	assert.Equal(t, 8*(min(pricing.PDESnapshots(W8Spots, p.Solve.Len()), p.Solve.Len()-1)+1)*W8Spots, seg.CheckpointBytes)
	t.Logf("W8 tape: %d bytes checkpointed, %d taped whole: memory/full %.3f", checkpointed, whole, float64(checkpointed)/float64(whole))
}

// w8BumpSample is the number of quotes W8's bump sub-benchmark revalues.
const w8BumpSample = 16

// BenchmarkW8 is workload W8: an American put under Dupire local vol from
// W4's surface, solved by the pde engine on 200 spots × 400 steps, price,
// 1,203 sensitivities and theta from one checkpointed sweep.
//
// plain is the float64 twin (W8Plain). aad reports memory/full: the tape
// bytes of the engine's checkpointed recording over those of the same
// recording with its solve taped whole (W8Memory), and solve-memory/full,
// the same for the solve's segment alone. bump is an estimate, as W4's:
// it revalues the price, 16 quotes evenly spread and theta, and scales the
// time to the 1,205 passive solves of a full bump-and-revalue.
// interleaved measures aad/plain with the two passes alternating.
func BenchmarkW8(b *testing.B) {
	w, err := W8()
	if err != nil {
		b.Fatal(err)
	}
	r := ratios{}
	var inputs []int
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		p := NewW8Plain(w)
		for b.Loop() {
			if _, err := p.Price(); err != nil {
				b.Fatal(err)
			}
		}
		r.record(b, "plain")
	})
	b.Run("aad", func(b *testing.B) {
		b.ReportAllocs()
		tp := aad.NewTape(0)
		_, in, g, _, err := w.AAD(tp, nil) // warm up: the tape reaches its working size
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, in, g, _, err = w.AAD(tp, g); err != nil {
				b.Fatal(err)
			}
		}
		r.record(b, "aad")
		r.report(b, "aad", "plain")
		inputs = inputs[:0]
		for _, x := range in {
			inputs = append(inputs, x.Quote)
		}
		b.ReportMetric(float64(len(in)+1), "inputs")
		ck := tp.Stats()
		p := NewW8Plain(w)
		if _, err := p.Price(); err != nil {
			b.Fatal(err)
		}
		checkpointed, whole, seg, err := W8Memory(ck, p)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(checkpointed)/float64(whole), "memory/full")
		b.ReportMetric(float64(whole)/1e6, "full-MB")
		_, wholeSeg, _, _ := W8Memory(aad.Stats{}, p)
		b.ReportMetric(float64(seg.BytesUsed)/float64(wholeSeg), "solve-memory/full")
	})
	// aad/plain again with the two alternating run by run: steadier on a
	// shared machine than the ratio of the two sub-benchmarks.
	b.Run("interleaved", func(b *testing.B) {
		b.ReportAllocs()
		p, tp := NewW8Plain(w), aad.NewTape(0)
		var g []float64
		var tPlain, tAAD time.Duration
		for b.Loop() {
			t0 := time.Now()
			if _, err := p.Price(); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			var err error
			if _, _, g, _, err = w.AAD(tp, g); err != nil {
				b.Fatal(err)
			}
			tPlain, tAAD = tPlain+t1.Sub(t0), tAAD+time.Since(t1)
		}
		b.ReportMetric(float64(tAAD)/float64(tPlain), "aad/plain")
	})
	b.Run("bump", func(b *testing.B) {
		b.ReportAllocs()
		if inputs == nil {
			b.Skip("needs the aad sub-benchmark's inputs")
		}
		sample := spread(inputs, w8BumpSample)
		for b.Loop() {
			if _, _, _, err := w.Bump(sample, true); err != nil {
				b.Fatal(err)
			}
		}
		runs, full := float64(len(sample)+2), float64(len(inputs)+2)
		r["bump"] = float64(b.Elapsed().Nanoseconds()) / float64(b.N) * full / runs
		b.ReportMetric(r["bump"], "est-ns/op")
		b.ReportMetric(float64(len(sample)+1), "bumped-inputs")
		r.report(b, "bump", "aad")
	})
}
