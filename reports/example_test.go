package reports_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing"
	"github.com/aadrisk/aadrisk/reports"
)

func Example() {
	dir, err := os.MkdirTemp("", "aadrisk-out")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	w, err := reports.NewWriter(dir, reports.WriterSettings{})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort() // removes the temporary files unless committed

	// A Pricer's results carry the keys of their quotes; here they are
	// read from their text.
	var keys []marketdata.Key
	for _, s := range []string{"SPOT/ACME", "RATE/USD/1Y", "VOL/ACME/1Y/100"} {
		k, err := marketdata.ParseKey(s)
		if err != nil {
			log.Fatal(err)
		}
		keys = append(keys, k)
	}
	results := []*pricing.Result{
		{
			TradeID: "EU-1", Instrument: "european", Engine: "analytic", Underlying: "ACME", Currency: "USD", Line: 2,
			PV: 10.450583572185565, Delta: 0.6368306511756191, Gamma: 0.018762017345846895, HasDelta: true,
			Vega: 37.52403469169379, Rho: 53.232481545376345, DivRho: -63.68306511756191, Theta: -6.414027546438197,
			Vanna: -0.2814302601877034, Volga: 9.850059106569619,
			Sens: []pricing.Sensitivity{
				{RiskFactor: keys[0], Value: 0.6368306511756191},
				{RiskFactor: keys[1], Value: 53.232481545376345},
				{RiskFactor: keys[2], Value: 37.52403469169379},
			},
		},
		{
			TradeID: "-DIG-2", Instrument: "digital", Engine: "analytic", Line: 3,
			Err: errors.New(`line 3, column 6: expiry "2024-12-31" is not after the as-of date`),
		},
	}
	for _, r := range results {
		if err := w.Add(r); err != nil {
			log.Fatal(err)
		}
	}
	m := &reports.Manifest{
		Version: "dev", Command: "price", AsOf: "2025-01-02",
		Start: time.Now().UTC(), End: time.Now().UTC(),
	}
	if err := w.Commit(m); err != nil {
		log.Fatal(err)
	}

	for _, name := range []string{reports.ResultsFile, reports.RiskFile} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s:\n%s", name, data)
	}
	fmt.Println("ok:", m.TradesOK, "failed:", m.TradesFailed)
	// Output:
	// results.csv:
	// trade_id,instrument,engine,status,pv,std_error,delta,gamma,vega,rho,div_rho,theta,vanna,volga,delta_std_error,gamma_std_error,vega_std_error,rho_std_error,div_rho_std_error,theta_std_error,vanna_std_error,volga_std_error,error
	// EU-1,european,analytic,ok,10.450583572185565,,0.6368306511756191,0.018762017345846895,37.52403469169379,53.232481545376345,-63.68306511756191,-6.414027546438197,-0.2814302601877034,9.850059106569619,,,,,,,,,
	// '-DIG-2,digital,analytic,error,,,,,,,,,,,,,,,,,,,"line 3, column 6: expiry ""2024-12-31"" is not after the as-of date"
	// risk.csv:
	// risk_factor,currency,sensitivity
	// SPOT/ACME,USD,0.6368306511756191
	// RATE/USD/1Y,USD,53.232481545376345
	// VOL/ACME/1Y/100,USD,37.52403469169379
	// ok: 1 failed: 1
}

func ExampleWriteSummary() {
	results := []*pricing.Result{
		{TradeID: "EU-1", Instrument: "european", Engine: "analytic",
			PV: 10.450583572185565, Delta: 0.6368306511756191, Gamma: 0.018762017345846895, HasDelta: true,
			Vega: 37.52403469169379, Rho: 53.232481545376345, DivRho: -63.68306511756191, Theta: -6.414027546438197},
		{TradeID: "BSK-2", Instrument: "basket", Engine: "mc",
			PV: 4.2, StdError: 0.0123, HasStdError: true, Vega: 21.5, Rho: 30.25, DivRho: -41, Theta: -3.5},
		{TradeID: "DIG-3", Instrument: "digital", Engine: "analytic",
			Err: errors.New("line 4, column 3: no VOL quotes for BETA")},
	}
	if err := reports.WriteSummary(os.Stdout, results, 0); err != nil {
		log.Fatal(err)
	}
	// Output:
	// trade_id  instrument  engine    status       pv  std_error     delta     gamma    vega      rho   div_rho     theta
	// EU-1      european    analytic  ok      10.4506             0.636831  0.018762  37.524  53.2325  -63.6831  -6.41403
	// BSK-2     basket      mc        ok          4.2     0.0123                        21.5    30.25       -41      -3.5
	// DIG-3     digital     analytic  error   line 4, column 3: no VOL quotes for BETA
	// total                                   14.6506                                 59.024  83.4825  -104.683  -9.91403
	// 3 trades: 2 ok, 1 failed
}
