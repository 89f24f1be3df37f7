package benchmarks

import (
	"testing"
	"time"

	"github.com/aadrisk/aadrisk/aad"
)

// ratios carries the ns/op of the sub-benchmarks of one workload within one
// run, so that each can report its ratio to the one before it. A ratio is
// reported only when both sides ran in this run.
type ratios map[string]float64

func (r ratios) record(b *testing.B, name string) {
	r[name] = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
}

func (r ratios) report(b *testing.B, num, den string) {
	if r[num] > 0 && r[den] > 0 {
		b.ReportMetric(r[num]/r[den], num+"/"+den)
	}
}

// BenchmarkW1 is workload W1: closed-form Black–Scholes–Merton calls, price
// and five sensitivities, for 1,000,000 options with varied inputs.
//
// Each sub-benchmark writes every page of its output before timing (clear):
// the first write to a fresh page faults, tens of milliseconds for the aad
// pass's 48 MB, which would land in the first timed iteration and weigh on
// the aad pass six times as much as on the plain one.
func BenchmarkW1(b *testing.B) {
	const n = 1_000_000
	opts := W1Options(n, 1)
	r := ratios{}
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		dst := make([]float64, n)
		clear(dst)
		for b.Loop() {
			W1Plain(opts, dst)
		}
		r.record(b, "plain")
		b.ReportMetric(r["plain"]/n, "ns/option")
	})
	b.Run("aad", func(b *testing.B) {
		b.ReportAllocs()
		dst := make([]Greeks, n)
		clear(dst)
		tp := aad.NewTape(64)
		for b.Loop() {
			W1AAD(tp, opts, dst)
		}
		r.record(b, "aad")
		b.ReportMetric(r["aad"]/n, "ns/option")
		r.report(b, "aad", "plain")
	})
	// The same ratio with plain and aad interleaved chunk by chunk: steadier
	// than the ratio of the two runs above on a machine whose speed drifts.
	b.Run("interleaved", func(b *testing.B) {
		plain, greeks := make([]float64, n), make([]Greeks, n)
		clear(plain)
		clear(greeks)
		tp := aad.NewTape(64)
		var tPlain, tAAD time.Duration
		for b.Loop() {
			p, a := W1Interleaved(tp, opts, plain, greeks)
			tPlain += p
			tAAD += a
		}
		b.ReportMetric(float64(tAAD)/float64(tPlain), "aad/plain")
		b.ReportMetric(float64(tPlain)/float64(b.N*n), "plain-ns/option")
		b.ReportMetric(float64(tAAD)/float64(b.N*n), "aad-ns/option")
	})
	// The same Greeks with no tape: closedform.EuropeanGradient, the
	// statement European records, for inputs that are plain numbers;
	// direct/plain against the plain pass interleaved chunk by chunk.
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		plain, greeks := make([]float64, n), make([]Greeks, n)
		clear(plain)
		clear(greeks)
		var tPlain, tDirect time.Duration
		for b.Loop() {
			p, d := W1DirectInterleaved(opts, plain, greeks)
			tPlain += p
			tDirect += d
		}
		b.ReportMetric(float64(tDirect)/float64(tPlain), "direct/plain")
		b.ReportMetric(float64(tDirect)/float64(b.N*n), "direct-ns/option")
	})
	// Gamma, vanna and volga added: two tangent-over-adjoint sweeps per
	// option (along the spot and the vol) against W1's one gradient,
	// interleaved chunk by chunk in one run.
	b.Run("second", func(b *testing.B) {
		b.ReportAllocs()
		greeks, second := make([]Greeks, n), make([]SecondGreeks, n)
		clear(greeks)
		clear(second)
		grad, tp2 := aad.NewTape(64), aad.NewTape(64)
		tp2.SetSecondOrder(true)
		var tAAD, tSecond time.Duration
		for b.Loop() {
			a, s := W1SecondInterleaved(grad, tp2, opts, greeks, second)
			tAAD += a
			tSecond += s
		}
		b.ReportMetric(float64(tSecond)/float64(tAAD), "second/aad")
		b.ReportMetric(float64(tSecond)/float64(b.N*n), "second-ns/option")
	})
	b.Run("bump", func(b *testing.B) {
		b.ReportAllocs()
		dst := make([]Greeks, n)
		clear(dst)
		for b.Loop() {
			W1Bump(opts, dst)
		}
		r.record(b, "bump")
		b.ReportMetric(r["bump"]/n, "ns/option")
		r.report(b, "bump", "aad")
	})
}
