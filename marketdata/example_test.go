package marketdata_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
)

// Load a market, read a vol between two expiries on a tape, and get its
// sensitivity to every vol node and to the valuation time from one sweep.
func Example() {
	const file = `type,name,pillar,strike,value
SPOT,ACME,,,100
RATE,USD,1Y,,0.03
VOL,ACME,6M,90,0.25
VOL,ACME,6M,100,0.22
VOL,ACME,6M,110,0.21
VOL,ACME,1Y,,0.2
`
	asof := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	m, err := marketdata.Load(strings.NewReader(file), "market.csv", asof)
	if err != nil {
		fmt.Println(err)
		return
	}

	tp := aad.NewTape(0)
	sc := m.NewScope() // one per worker
	sc.Reset(tp)       // per trade
	T := sc.Time(0.75)
	vol, err := sc.Vol("ACME", T, 95)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("vol(0.75, 95) = %.6f\n", vol.Value())

	// One sweep gives ∂vol/∂input for every input the read used.

	tp.SetAdjoint(vol, 1)
	tp.Backward()
	for _, in := range sc.Inputs() {
		fmt.Printf("%-16s %9.6f\n", m.Quotes()[in.Quote].Key, tp.Adjoint(in.X))
	}
	h, _ := sc.Shift() // the valuation-time shift
	fmt.Printf("%-16s %9.6f\n", "h", tp.Adjoint(h))

	// A bad file: all or nothing, with the line and the column.
	_, err = marketdata.Load(strings.NewReader("type,name,pillar,strike,value\nVOL,ACME,6M,100,-0.2\n"), "market.csv", asof)
	fmt.Println(err)
	// Output:
	// vol(0.75, 95) = 0.211619
	// VOL/ACME/6M/90    0.149179
	// VOL/ACME/6M/100   0.252456
	// VOL/ACME/6M/110  -0.034426
	// VOL/ACME/1Y       0.630064
	// h                 0.060265
	// market.csv:2:17: value: want a volatility >= 0, got -0.2
}

// A market file with a rate and a vol written as percentages loads, and its
// warnings say where they are and what was probably meant.
func ExampleMarket_Warnings() {
	const file = `type,name,pillar,strike,value
SPOT,ACME,,,100
RATE,USD,6M,,0.041
RATE,USD,1Y,,4.10
VOL,ACME,1Y,100,25.5
VOL,ACME,1Y,110,0.24
`
	asof := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	m, err := marketdata.Load(strings.NewReader(file), "market.csv", asof)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range m.Warnings() {
		fmt.Println(w)
	}
	// Output:
	// market.csv:4:14: value: RATE/USD/1Y = 4.1 looks like a percentage (a rate is a decimal: 4.1% is 0.041)
	// market.csv:5:17: value: VOL/ACME/1Y/100 = 25.5 looks like a percentage (a vol is a decimal: 25.5% is 0.255)
}
