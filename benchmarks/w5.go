package benchmarks

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// W5 describes the inputs of workload W5: a closed-form portfolio on many
// underlyings with full term structures.
type W5 struct {
	Trades      int
	Underlyings int
	// RatePillars, DivPillars are the pillars of the discount curve and of
	// each dividend curve; VolExpiries × VolStrikes the nodes of each vol
	// surface.
	RatePillars, DivPillars, VolExpiries, VolStrikes int
	Seed                                             uint64
}

// W5Standard is the workload of benchmarks/README.md: 100,000 european, digital,
// barrier and american trades on 50 underlyings, each trade depending on
// about 30 market inputs.
var W5Standard = W5{Trades: 100_000, Underlyings: 50, RatePillars: 10, DivPillars: 8, VolExpiries: 8, VolStrikes: 11, Seed: 5}

// W5AsOf is the valuation date of the generated files.
const W5AsOf = "2026-06-30"

var w5Tenors = []string{"1M", "2M", "3M", "6M", "9M", "1Y", "18M", "2Y", "3Y", "4Y", "5Y", "7Y", "10Y"}

// Write writes market.csv and portfolio.csv of the workload into dir and
// returns their paths. The files are the same for the same W5.
func (w W5) Write(dir string) (market, portfolio string, err error) {
	rng := rand.New(rand.NewPCG(w.Seed, 5))
	market = filepath.Join(dir, "market.csv")
	portfolio = filepath.Join(dir, "portfolio.csv")
	spots := make([]float64, w.Underlyings)
	err = writeFile(market, func(b *bufio.Writer) {
		b.WriteString("type,name,pillar,strike,value\n")
		for i := range w.RatePillars {
			fmt.Fprintf(b, "RATE,USD,%s,,%.5f\n", w5Tenors[i%len(w5Tenors)], 0.03+0.002*float64(i)+0.001*rng.Float64())
		}
		for u := range w.Underlyings {
			name := fmt.Sprintf("U%02d", u)
			spots[u] = 20 + 180*rng.Float64()
			fmt.Fprintf(b, "SPOT,%s,,,%.4f\n", name, spots[u])
			for i := range w.DivPillars {
				fmt.Fprintf(b, "DIVYIELD,%s,%s,,%.5f\n", name, w5Tenors[(i+2)%len(w5Tenors)], 0.01+0.02*rng.Float64())
			}
			atm := 0.15 + 0.25*rng.Float64()
			for e := range w.VolExpiries {
				for k := range w.VolStrikes {
					m := 0.6 + 0.8*float64(k)/float64(w.VolStrikes-1)
					vol := atm*(1+0.3*(m-1)*(m-1)-0.15*(m-1)) + 0.01*float64(e)/float64(w.VolExpiries) + 0.005*rng.Float64()
					fmt.Fprintf(b, "VOL,%s,%s,%s,%.5f\n", name, w5Tenors[(e+1)%len(w5Tenors)], strconv.FormatFloat(float64(int(m*spots[u]*100))/100, 'f', -1, 64), vol)
				}
			}
		}
	})
	if err != nil {
		return "", "", err
	}
	err = writeFile(portfolio, func(b *bufio.Writer) {
		b.WriteString("trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,payout,barrier_type,barrier,rebate\n")
		for i := range w.Trades {
			u := rng.IntN(w.Underlyings)
			s := spots[u]
			typ := "call"
			if rng.IntN(2) == 0 {
				typ = "put"
			}
			k := s * (0.7 + 0.6*rng.Float64())
			exp := w5Tenors[rng.IntN(len(w5Tenors)-2)]
			qty := (rng.IntN(2000) - 1000) * 10
			if qty == 0 {
				qty = 10
			}
			fmt.Fprintf(b, "T%06d,", i)
			switch r := rng.IntN(20); {
			case r < 8:
				fmt.Fprintf(b, "european,U%02d,USD,%s,%.2f,%s,%d,,,,\n", u, typ, k, exp, qty)
			case r < 12:
				pay := ""
				if r < 10 {
					pay = "10"
				}
				fmt.Fprintf(b, "digital,U%02d,USD,%s,%.2f,%s,%d,%s,,,\n", u, typ, k, exp, qty, pay)
			case r < 17:
				kinds := []string{"down-in", "down-out", "up-in", "up-out"}
				kind := kinds[rng.IntN(4)]
				h := s * (0.6 + 0.35*rng.Float64())
				if kind[0] == 'u' {
					h = s * (1.05 + 0.4*rng.Float64())
				}
				fmt.Fprintf(b, "barrier,U%02d,USD,%s,%.2f,%s,%d,,%s,%.2f,%d\n", u, typ, k, exp, qty, kind, h, rng.IntN(3))
			default:
				fmt.Fprintf(b, "american,U%02d,USD,%s,%.2f,%s,%d,,,,\n", u, typ, k, exp, qty)
			}
		}
	})
	return market, portfolio, err
}

func writeFile(path string, fill func(*bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	b := bufio.NewWriterSize(f, 1<<20)
	fill(b)
	if err := b.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
