package benchmarks

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// vrSettings are the variance-reduction choices measured: the rng and
// antithetic columns (and --rng, --antithetic).
var vrSettings = []struct {
	name       string
	seq        montecarlo.Sequence
	antithetic bool
}{
	{"pseudo", montecarlo.PseudoRandom, false},
	{"pseudo+antithetic", montecarlo.PseudoRandom, true},
	{"sobol", montecarlo.SobolBridge, false},
	{"sobol+antithetic", montecarlo.SobolBridge, true},
}

// BenchmarkVarianceReduction measures what each choice of random numbers
// buys on W2 (arithmetic Asian, 252 fixings, 100,000 paths) and W4's
// up-and-out call under local vol (at 20,000 paths, to keep it short): the
// standard errors of the PV and of delta, and each times the square root
// of the time of the run with every sensitivity on 2 workers, the figure
// to compare at equal time (lower is better). Run it with
//
//	go test ./benchmarks -run '^$' -bench VarianceReduction -benchtime 1x
func BenchmarkVarianceReduction(b *testing.B) {
	for _, wl := range []struct {
		name  string
		build func(int) (*MCWorkload, error)
		paths int
	}{{"W2", W2, 100_000}, {"W4-20k", W4, 20_000}} {
		w, err := wl.build(wl.paths)
		if err != nil {
			b.Fatal(err)
		}
		spot, _ := w.Market.Index("SPOT/A")
		for _, s := range vrSettings {
			b.Run(wl.name+"/"+s.name, func(b *testing.B) {
				set := w.Settings
				set.Sequence, set.Antithetic, set.Greeks = s.seq, s.antithetic, true
				e := montecarlo.NewEngine(w.Market, 2)
				if _, err := e.Run(context.Background(), w.Problem, set, marketdata.Bump{Quote: -1}); err != nil {
					b.Fatal(err) // warm-up
				}
				var r *montecarlo.Result
				var secs float64
				for b.Loop() {
					t0 := time.Now()
					r, err = e.Run(context.Background(), w.Problem, set, marketdata.Bump{Quote: -1})
					secs = time.Since(t0).Seconds()
					if err != nil {
						b.Fatal(err)
					}
				}
				var dse float64
				for _, x := range r.Sens {
					if x.Quote == spot {
						dse = x.StdError
					}
				}
				b.ReportMetric(r.PV, "pv")
				b.ReportMetric(r.StdError, "pv_se")
				b.ReportMetric(r.StdError*math.Sqrt(secs), "pv_se·√s")
				b.ReportMetric(dse*math.Sqrt(secs), "delta_se·√s")
				b.Logf("%s %-18s pv %.6f ± %.2e  delta se %.2e  %.2fs  pv se·√s %.2e  delta se·√s %.2e",
					wl.name, s.name, r.PV, r.StdError, dse, secs, r.StdError*math.Sqrt(secs), dse*math.Sqrt(secs))
			})
		}
	}
}
