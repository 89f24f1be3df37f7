package reports

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/pricing"
)

// secondResult is an ok trade with second-order rows along spot A.
func secondResult(id, ccy string, gamma, vanna float64) *pricing.Result {
	return &pricing.Result{TradeID: id, Instrument: "european", Engine: "analytic", Currency: ccy, PV: 1, HasDelta: true, Gamma: gamma, Vanna: vanna,
		Sens: []pricing.Sensitivity{{RiskFactor: key("SPOT/A"), Value: 1}, {RiskFactor: key("VOL/A/1Y/100"), Value: 2}},
		Second: []pricing.SecondOrder{
			{RiskFactor: key("SPOT/A"), Wrt: key("SPOT/A"), Value: gamma},
			{RiskFactor: key("VOL/A/1Y/100"), Wrt: key("SPOT/A"), Value: vanna},
		}}
}

// TestWriterSecondOrder writes second_order.csv and risk_second_order.csv:
// each trade's rows in its currency, the exact sums per currency in
// ladder order, read back by their readers; a writer without
// WriterSettings.SecondOrder refuses second-order rows, and a non-finite
// one is refused like any figure.
func TestWriterSecondOrder(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir, WriterSettings{SecondOrder: true})
	require.NoError(t, err)
	// 1e16 + 1 − 1e16 is 1 exactly, 0 in float64 order.
	for _, r := range []*pricing.Result{secondResult("T1", "USD", 1e16, 0.5), secondResult("T2", "EUR", 3, -1), secondResult("T3", "USD", 1, 0.25), secondResult("T4", "USD", -1e16, 0)} {
		require.NoError(t, w.Add(r))
	}
	require.NoError(t, w.Commit(fixtureManifest()))
	b, err := os.ReadFile(filepath.Join(dir, SecondOrderFile))
	require.NoError(t, err)
	assert.Equal(t, `trade_id,currency,risk_factor,wrt,value,std_error
T1,USD,SPOT/A,SPOT/A,1e+16,
T1,USD,VOL/A/1Y/100,SPOT/A,0.5,
T2,EUR,SPOT/A,SPOT/A,3,
T2,EUR,VOL/A/1Y/100,SPOT/A,-1,
T3,USD,SPOT/A,SPOT/A,1,
T3,USD,VOL/A/1Y/100,SPOT/A,0.25,
T4,USD,SPOT/A,SPOT/A,-1e+16,
T4,USD,VOL/A/1Y/100,SPOT/A,0,
`, string(b))
	b, err = os.ReadFile(filepath.Join(dir, RiskSecondOrderFile))
	require.NoError(t, err)
	assert.Equal(t, `risk_factor,wrt,currency,value
SPOT/A,SPOT/A,EUR,3
SPOT/A,SPOT/A,USD,1
VOL/A/1Y/100,SPOT/A,EUR,-1
VOL/A/1Y/100,SPOT/A,USD,0.75
`, string(b))

	sr, err := NewSecondOrderReader(strings.NewReader(mustRead(t, filepath.Join(dir, SecondOrderFile))), SecondOrderFile)
	require.NoError(t, err)
	n := 0
	for {
		var row SecondOrderRow
		if err := sr.Next(&row); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		assert.Equal(t, -1, row.Quote)
		n++
	}
	assert.Equal(t, 8, n)
	asof := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct{ name, file, want string }{
		{"out of order", "risk_factor,wrt,currency,value\nVOL/A/1Y/100,SPOT/A,USD,1\nSPOT/A,SPOT/A,USD,1\n", "out of order"},
		{"repeated", "risk_factor,wrt,currency,value\nSPOT/A,SPOT/A,USD,1\nSPOT/A,SPOT/A,USD,1\n", "repeated"},
		{"not a key", "risk_factor,wrt,currency,value\nSPOT/A,NOPE,USD,1\n", "risk_second_order.csv:2:"},
	} {
		rr, err := NewRiskSecondOrderReader(strings.NewReader(c.file), RiskSecondOrderFile, asof)
		require.NoError(t, err)
		var row RiskSecondOrderRow
		for err == nil {
			err = rr.Next(&row)
		}
		assert.ErrorContains(t, err, c.want, c.name)
	}

	plain, err := NewWriter(t.TempDir(), WriterSettings{})
	require.NoError(t, err)
	defer plain.Abort()
	assert.ErrorContains(t, plain.Add(secondResult("T1", "USD", 1, 1)), "no WriterSettings.SecondOrder")
	bad := secondResult("T1", "USD", 1, math.NaN())
	bad.Vanna = 0
	assert.ErrorIs(t, plain.Add(bad), errNonFinite)
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
