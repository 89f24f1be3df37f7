package pricing_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing"
)

// priceCall prices 1,000 one-year calls on ACME struck at 100 on the market
// file at path, prints their figures and checks every one against
// bump-and-revalue; ctx would stop a simulation in progress. It is the README's "Library use" block, which
// TestReadme keeps identical to it.
func priceCall(ctx context.Context, path string, asof time.Time) error {
	m, err := marketdata.LoadFile(path, asof) // an error names the file, line and column
	if err != nil {
		return err
	}
	call, err := pricing.NewEuropean(pricing.Option{
		Asset: "ACME", Ccy: "USD", Type: pricing.Call, Strike: 100, Expiry: 1})
	if err != nil {
		return err
	}
	tr := &pricing.Trade{ID: "T1", Quantity: decimal.NewFromInt(1000), Instrument: call}

	p := pricing.NewPricer(m) // one per goroutine: its own tape and scope
	res := p.Price(ctx, tr)
	if res.Err != nil {
		return res.Err // missing market data, a breached barrier, ...
	}
	fmt.Printf("pv %.2f delta %.2f gamma %.2f vega %.2f rho %.2f div_rho %.2f theta %.2f vanna %.2f volga %.2f\n",
		res.PV, res.Delta, res.Gamma, res.Vega, res.Rho, res.DivRho, res.Theta, res.Vanna, res.Volga)
	for _, s := range res.Sens { // SPOT/ACME, RATE/USD/1Y, VOL/ACME/1Y/100, ...
		fmt.Printf("  %-16s %10.2f\n", s.RiskFactor, s.Value)
	}
	rows, err := p.Validate(ctx, tr, res) // against bump-and-revalue
	if err != nil {
		return err
	}
	for _, v := range rows {
		if !v.OK {
			return fmt.Errorf("%s: aad %g, bump %g", v.RiskFactor, v.AAD, v.Bump)
		}
	}
	fmt.Println(len(rows), "figures agree with bump-and-revalue")
	return nil
}

// Load a market file, price a trade with all its sensitivities and check
// them against bump-and-revalue: the README's "Library use" block.
func Example_libraryUse() {
	dir, err := os.MkdirTemp("", "aadrisk-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "market.csv")
	if err := os.WriteFile(path, []byte(exampleMarket), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	if err := priceCall(context.Background(), path, exampleAsOf); err != nil {
		fmt.Println(err)
	}
	// Output:
	// pv 9744.89 delta 577.98 gamma 17.44 vega 38368.29 rho 48052.66 div_rho -57797.54 theta -5345.18 vanna 1.59 volga -34.74
	//   SPOT/ACME            577.98
	//   RATE/USD/6M            0.00
	//   RATE/USD/1Y        48052.66
	//   DIVYIELD/ACME/1Y  -57797.54
	//   VOL/ACME/6M/100        0.00
	//   VOL/ACME/1Y/100    38368.29
	// 10 figures agree with bump-and-revalue
}
