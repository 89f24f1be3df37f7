package marketdata_test

import (
	"fmt"
	"time"

	"github.com/aadrisk/aadrisk/marketdata"
)

// Sort risk-factor keys into ladder order: pillars by time, strikes by
// value, where byte order would put 10Y before 6M and 100 before 90.
func ExampleSortKeys() {
	var keys []marketdata.Key
	for _, s := range []string{
		"VOL/ACME/1Y/100", "RATE/USD/10Y", "VOL/ACME/1Y/90", "RATE/USD/6M",
		"SPOT/ACME", "RATE/USD/2026-12-31", "RATE/USD/1Y", "CORR/ACME|BETA",
	} {
		k, err := marketdata.ParseKey(s)
		if err != nil {
			fmt.Println(err)
			return
		}
		keys = append(keys, k)
	}
	asof := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	marketdata.SortKeys(keys, asof)
	for _, k := range keys {
		fmt.Println(k)
	}
	fmt.Println(marketdata.CompareKeys(keys[1], keys[4], asof))
	// Output:
	// SPOT/ACME
	// RATE/USD/6M
	// RATE/USD/2026-12-31
	// RATE/USD/1Y
	// RATE/USD/10Y
	// VOL/ACME/1Y/90
	// VOL/ACME/1Y/100
	// CORR/ACME|BETA
	// -1
}
