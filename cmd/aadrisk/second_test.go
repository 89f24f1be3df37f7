package main

import (
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/pricing"
	"github.com/aadrisk/aadrisk/reports"
)

// secondKey names a row of risk_second_order.csv.
type secondKey struct{ factor, wrt, currency string }

// TestSecondOrderFiles prices the per-currency book with --second-order,
// unsharded and in three shards merged, and validates it:
// second_order.csv has each trade's rows in its currency, gamma on the
// diagonal equal to results.csv's; risk_second_order.csv is the exact sum
// of the rows per risk factor, wrt and currency, in its order; the merge
// gives the same files byte for byte; validate finds every second-order
// figure in agreement with differences of first-order ones; and a shard
// without --second-order does not merge with shards that have it.
func TestSecondOrderFiles(t *testing.T) {
	dir := t.TempDir()
	portfolio, market := filepath.Join(dir, "portfolio.csv"), filepath.Join(dir, "market.csv")
	require.NoError(t, os.WriteFile(portfolio, []byte(currencyPortfolio), 0o644))
	require.NoError(t, os.WriteFile(market, []byte(currencyMarket), 0o644))
	inputs := []string{"--portfolio", portfolio, "--market", market, "--asof", currencyAsOf, "--workers", "2", "--second-order"}
	asof, err := time.Parse(time.DateOnly, currencyAsOf)
	require.NoError(t, err)
	ccy := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(currencyPortfolio), "\n")[1:] {
		cells := strings.Split(line, ",")
		ccy[cells[0]] = cells[3]
	}

	one := filepath.Join(dir, "one")
	code, errOut := inProcess(t, append(append([]string{"price"}, inputs...), "--out", one)...)
	require.Equal(t, exitOK, code, errOut)
	files := append(dataFiles("price"), reports.SecondOrderFile, reports.RiskSecondOrderFile)
	noTemps(t, one, append(files, reports.ManifestFile)...)
	mf, err := os.Open(filepath.Join(one, reports.ManifestFile))
	require.NoError(t, err)
	defer mf.Close()
	man, err := reports.ReadManifest(mf, reports.ManifestFile)
	require.NoError(t, err)
	assert.True(t, man.SecondOrder)

	// second_order.csv: the trade's currency, and gamma on the diagonal.
	gamma := map[string]float64{}
	rf, err := os.Open(filepath.Join(one, reports.ResultsFile))
	require.NoError(t, err)
	defer rf.Close()
	rr, err := reports.NewResultsReader(rf, reports.ResultsFile)
	require.NoError(t, err)
	for {
		var res pricing.Result
		if err := rr.Next(&res); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		if res.HasDelta {
			gamma[res.TradeID] = res.Gamma
		}
	}
	sf, err := os.Open(filepath.Join(one, reports.SecondOrderFile))
	require.NoError(t, err)
	defer sf.Close()
	sr, err := reports.NewSecondOrderReader(sf, reports.SecondOrderFile)
	require.NoError(t, err)
	sums := map[secondKey]*big.Float{}
	diagonal := map[string]bool{}
	for {
		var row reports.SecondOrderRow
		if err := sr.Next(&row); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		assert.Equal(t, ccy[row.TradeID], row.Currency, row.TradeID)
		if g, ok := gamma[row.TradeID]; ok && row.RiskFactor == row.Wrt {
			assert.Equal(t, g, row.Value, "%s: gamma", row.TradeID)
			diagonal[row.TradeID] = true
		}
		k := secondKey{row.RiskFactor.String(), row.Wrt.String(), row.Currency}
		if sums[k] == nil {
			sums[k] = new(big.Float).SetPrec(4096)
		}
		sums[k].Add(sums[k], new(big.Float).SetFloat64(row.Value))
	}
	for id := range gamma {
		assert.True(t, diagonal[id], "%s: no gamma row", id)
	}
	// The basket's cross-gammas are there, in USD.
	assert.Contains(t, sums, secondKey{"SPOT/ACME", "SPOT/BETA", "USD"})
	assert.Contains(t, sums, secondKey{"SPOT/BETA", "SPOT/ACME", "USD"})

	// risk_second_order.csv: the exact sums, in order (the reader refuses
	// rows out of order).
	kf, err := os.Open(filepath.Join(one, reports.RiskSecondOrderFile))
	require.NoError(t, err)
	defer kf.Close()
	kr, err := reports.NewRiskSecondOrderReader(kf, reports.RiskSecondOrderFile, asof)
	require.NoError(t, err)
	got := map[secondKey]float64{}
	for {
		var row reports.RiskSecondOrderRow
		if err := kr.Next(&row); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		got[secondKey{row.RiskFactor.String(), row.Wrt.String(), row.Currency}] = row.Value
	}
	want := map[secondKey]float64{}
	for k, s := range sums {
		want[k], _ = s.Float64()
	}
	assert.Equal(t, want, got)

	// Three shards, merged: the same files byte for byte.
	var shards []string
	for k := 1; k <= 3; k++ {
		d := filepath.Join(dir, fmt.Sprintf("shard-%d", k))
		code, errOut := inProcess(t, append(append([]string{"price"}, inputs...), "--shard", fmt.Sprintf("%d/3", k), "--out", d)...)
		require.Equal(t, exitOK, code, errOut)
		shards = append(shards, d)
	}
	merged := filepath.Join(dir, "merged")
	code, errOut = inProcess(t, append([]string{"merge", "--out", merged}, shards...)...)
	require.Equal(t, exitOK, code, errOut)
	sameFiles(t, one, merged, files)

	// A shard priced without --second-order is of another batch.
	plain := filepath.Join(dir, "plain-3")
	code, errOut = inProcess(t, "price", "--portfolio", portfolio, "--market", market, "--asof", currencyAsOf, "--shard", "3/3", "--out", plain)
	require.Equal(t, exitOK, code, errOut)
	code, errOut = inProcess(t, "merge", "--out", filepath.Join(dir, "mixed"), shards[0], shards[1], plain)
	assert.NotEqual(t, exitOK, code)
	assert.Contains(t, errOut, "second_order")

	// validate: every figure, second order included, agrees.
	val := filepath.Join(dir, "validate")
	code, errOut = inProcess(t, append(append([]string{"validate"}, inputs...), "--out", val)...)
	require.Equal(t, exitOK, code, errOut)
	b, err := os.ReadFile(filepath.Join(val, reports.ValidationFile))
	require.NoError(t, err)
	assert.Contains(t, string(b), ",SPOT/BETA|SPOT/BETA,bump,")
	assert.Contains(t, string(b), ",VANNA,bump,")
	assert.Contains(t, string(b), ",VOLGA,revaluation,")
	assert.NotContains(t, string(b), ",fail\n")
}
