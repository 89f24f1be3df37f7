package reports

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing"
)

// benchResults makes n distinct results on nUnder underlyings with nSens
// sensitivities each (a spot, dividend and rate pillars, vol nodes), with
// figures carrying all 17 significant digits, as a pricer's do; mc adds
// standard errors.
func benchResults(n, nUnder, nSens int, mc bool) []*pricing.Result {
	rng := rand.New(rand.NewPCG(11, 12))
	tenors := []string{"1M", "3M", "6M", "1Y", "2Y", "3Y", "5Y", "10Y"}
	strikes := []string{"80", "90", "100", "110", "120"}
	factors := make([][]marketdata.Key, nUnder)
	for u := range factors {
		name := "U" + strconv.Itoa(u)
		fs := []string{"SPOT/" + name}
		for _, t := range tenors[:5] {
			fs = append(fs, "DIVYIELD/"+name+"/"+t)
		}
		for _, t := range tenors {
			fs = append(fs, "RATE/USD/"+t)
		}
		for _, t := range tenors {
			for _, k := range strikes {
				fs = append(fs, "VOL/"+name+"/"+t+"/"+k)
			}
		}
		for _, f := range fs[:nSens] {
			factors[u] = append(factors[u], key(f))
		}
	}
	engine := "analytic"
	if mc {
		engine = "mc"
	}
	kinds := []string{"european", "digital", "barrier", "american"}
	rs := make([]*pricing.Result, n)
	for i := range rs {
		r := &pricing.Result{
			TradeID: "TRADE-" + strconv.Itoa(i), Instrument: kinds[i%len(kinds)], Engine: engine,
			PV: rng.NormFloat64() * 1e4, Delta: rng.Float64(), Gamma: rng.Float64() * 1e-2, HasDelta: true,
			Vega: rng.NormFloat64() * 40, Rho: rng.NormFloat64() * 50, DivRho: -rng.Float64() * 60, Theta: -rng.Float64() * 7,
			StdError: rng.Float64() * 1e-2, HasStdError: mc,
		}
		for _, f := range factors[rng.IntN(nUnder)] {
			r.Sens = append(r.Sens, pricing.Sensitivity{RiskFactor: f, Value: rng.NormFloat64() * 10,
				StdError: rng.Float64() * 1e-3, HasStdError: mc})
		}
		rs[i] = r
	}
	return rs
}

// BenchmarkWriter writes the output of workload W5: 100,000 trades with 30
// sensitivities each on 50 underlyings (3,000,000 rows of
// sensitivities.csv), from NewWriter to Commit, fsyncs included. "mc" adds
// standard errors to every figure.
func BenchmarkWriter(b *testing.B) {
	const trades, sens = 100_000, 30
	for _, mc := range []bool{false, true} {
		name := "analytic"
		if mc {
			name = "mc"
		}
		b.Run(name, func(b *testing.B) {
			distinct := benchResults(1000, 50, sens, mc)
			rs := make([]pricing.Result, trades)
			for i := range rs {
				rs[i] = *distinct[i%len(distinct)]
				rs[i].TradeID = "TRADE-" + strconv.Itoa(i)
			}
			dir := b.TempDir()
			b.ReportAllocs()
			for b.Loop() {
				w, err := NewWriter(dir, WriterSettings{})
				if err != nil {
					b.Fatal(err)
				}
				for i := range rs {
					if err := w.Add(&rs[i]); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Commit(fixtureManifest()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*trades*sens), "ns/row")
		})
	}
}

// BenchmarkAdd is the cost of one trade of W5 in a warm writer; it allocates
// nothing.
func BenchmarkAdd(b *testing.B) {
	rs := benchResults(1000, 50, 30, false)
	w, err := NewWriter(b.TempDir(), WriterSettings{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Abort()
	for _, r := range rs { // every factor known, buffers grown
		if err := w.Add(r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := w.Add(rs[i%len(rs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAddRows is what remains of Add for the goroutine that writes
// when the rows were formatted elsewhere (Rows.Format in the pricing
// workers), and BenchmarkFormat is the part that moves there.
func BenchmarkAddRows(b *testing.B) {
	rs := benchResults(1000, 50, 30, false)
	rows := make([]Rows, len(rs))
	for i, r := range rs {
		r.Line = 0
		if err := rows[i].Format(r); err != nil {
			b.Fatal(err)
		}
	}
	w, err := NewWriter(b.TempDir(), WriterSettings{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Abort()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		rw := &rows[i%len(rows)]
		rw.set = true // the benchmark adds the same rows again
		if err := w.AddRows(rw); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkFormat(b *testing.B) {
	rs := benchResults(1000, 50, 30, false)
	var rw Rows
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := rw.Format(rs[i%len(rs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
