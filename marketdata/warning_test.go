package marketdata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnitWarnings(t *testing.T) {
	tests := []struct {
		name, row string
		want      string // the warning, "" for none
	}{
		{"rate in percent", "RATE,USD,1Y,,4.10", "market.csv:2:14: value: RATE/USD/1Y = 4.1 looks like a percentage (a rate is a decimal: 4.1% is 0.041)"},
		{"negative rate in percent", "RATE,CHF,1Y,,-1.25", "market.csv:2:14: value: RATE/CHF/1Y = -1.25 looks like a percentage (a rate is a decimal: -1.25% is -0.0125)"},
		{"dividend yield in percent", "DIVYIELD,ACME,6M,,1.5", "market.csv:2:19: value: DIVYIELD/ACME/6M = 1.5 looks like a percentage (a dividend yield is a decimal: 1.5% is 0.015)"},
		{"vol in percent", "VOL,ACME,1Y,100,25.5", "market.csv:2:17: value: VOL/ACME/1Y/100 = 25.5 looks like a percentage (a vol is a decimal: 25.5% is 0.255)"},
		{"vol in percent, blank strike", "VOL,ACME,2Y,,18", "market.csv:2:14: value: VOL/ACME/2Y = 18 looks like a percentage (a vol is a decimal: 18% is 0.18)"},
		{"vol just above the bound", "VOL,ACME,1Y,,5.01", "market.csv:2:14: value: VOL/ACME/1Y = 5.01 looks like a percentage (a vol is a decimal: 5.01% is 0.0501)"},
		{"rate just above the bound", "RATE,USD,1Y,,1.001", "market.csv:2:14: value: RATE/USD/1Y = 1.001 looks like a percentage (a rate is a decimal: 1.001% is 0.01001)"},
		// At the bounds and below: what a desk quotes as decimals.
		{"rate of 100%", "RATE,ARS,1Y,,1", ""},
		{"rate of -100%", "RATE,XXX,1Y,,-1", ""},
		{"a high rate", "RATE,TRY,1Y,,0.45", ""},
		{"a negative yield", "DIVYIELD,ACME,1Y,,-0.02", ""},
		{"vol of 500%", "VOL,MEME,1W,,5", ""},
		{"vol of 250%", "VOL,MEME,1M,,2.5", ""},
		{"zero vol", "VOL,ACME,1Y,,0", ""},
		// Kinds whose values have no unit to get wrong, or are bounded.
		{"a spot", "SPOT,ACME,,,4500", ""},
		{"a correlation", "CORR,A|B,,,0.99", ""},
		{"heston kappa", "HESTON,ACME,kappa,,12", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Load(strings.NewReader(header+tt.row+"\n"), "market.csv", asof)
			require.NoError(t, err, "a warning never stops the load")
			if tt.want == "" {
				assert.Empty(t, m.Warnings())
				return
			}
			require.Len(t, m.Warnings(), 1)
			w := m.Warnings()[0]
			assert.Equal(t, tt.want, w.Error())
			assert.Equal(t, tt.want, w.String())
			assert.Equal(t, "value", w.Field)
			assert.Equal(t, m.Quotes()[0].Key, w.Key)
			assert.Equal(t, m.Quotes()[0].Value, m.Value(0), "the market keeps the value as written")
		})
	}
}

func TestUnitWarningsPositionsAndOrder(t *testing.T) {
	// Columns in another order, a quoted comment over two lines before
	// the bad rows: the positions are those of the value cells.
	in := "name,value,type,pillar,strike,comment\n" +
		"ACME,100,SPOT,,,\"two\nlines\"\n" +
		"USD,3.9,RATE,1Y,,\n" +
		"ACME,0.2,VOL,6M,,\n" +
		"ACME,22,VOL,1Y,,\n"
	m, err := Load(strings.NewReader(in), "m.csv", asof)
	require.NoError(t, err)
	var got []string
	for _, w := range m.Warnings() {
		got = append(got, w.Error())
		assert.Equal(t, "m.csv", w.File)
	}
	assert.Equal(t, []string{
		"m.csv:4:5: value: RATE/USD/1Y = 3.9 looks like a percentage (a rate is a decimal: 3.9% is 0.039)",
		"m.csv:6:6: value: VOL/ACME/1Y = 22 looks like a percentage (a vol is a decimal: 22% is 0.22)",
	}, got)
}

func TestUnitWarningsNew(t *testing.T) {
	m, err := New(asof, []Quote{
		{Kind: Rate, Name: "USD", Pillar: "1Y", Value: 0.04},
		{Kind: Vol, Name: "ACME", Pillar: "1Y", Strike: "100", Value: 20, Line: 7},
	})
	require.NoError(t, err)
	require.Len(t, m.Warnings(), 1)
	w := m.Warnings()[0]
	assert.Equal(t, Warning{Line: 7, Field: "value", Key: "VOL/ACME/1Y/100", Msg: "VOL/ACME/1Y/100 = 20 looks like a percentage (a vol is a decimal: 20% is 0.2)"}, w)
	assert.Equal(t, "7: value: VOL/ACME/1Y/100 = 20 looks like a percentage (a vol is a decimal: 20% is 0.2)", w.Error())
}

// TestNoWarningsOnTheProjectsMarkets checks that the markets the project
// ships and tests with, all in decimals, give no warning.
func TestNoWarningsOnTheProjectsMarkets(t *testing.T) {
	assert.Empty(t, loadSample(t).Warnings())
	for _, path := range []string{"../cmd/aadrisk/sample/market.csv", "../testdata/e2e/market.csv"} {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		m, err := Load(strings.NewReader(string(b)), filepath.Base(path), asof)
		require.NoError(t, err, path)
		require.NotZero(t, m.Len(), path)
		assert.Empty(t, m.Warnings(), path)
	}
}
