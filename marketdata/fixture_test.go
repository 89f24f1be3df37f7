package marketdata

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var asof = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// sample is a market with every kind of quote and every shape of curve and
// surface: several pillars given as tenors and dates, a single-pillar curve,
// an expiry with five strikes (a spline), one with two (linear), one with a
// blank strike and one with a single strike.
const sample = `type,name,pillar,strike,value
SPOT,ACME,,,100
SPOT,BETA,,,50
RATE,USD,3M,,0.041
RATE,USD,1Y,,0.039
RATE,USD,2027-01-01,,0.037
RATE,USD,5Y,,0.036
RATE,EUR,1Y,,0.025
DIVYIELD,ACME,6M,,0.015
DIVYIELD,ACME,2Y,,0.018
VOL,ACME,6M,80,0.285
VOL,ACME,6M,90,0.245
VOL,ACME,6M,100,0.215
VOL,ACME,6M,110,0.200
VOL,ACME,6M,120,0.195
VOL,ACME,1Y,110,0.21
VOL,ACME,1Y,90,0.24
VOL,ACME,2Y,,0.222
VOL,ACME,3Y,100,0.23
VOL,BETA,1Y,,0.31
VOL,BETA,2Y,,0.29
CORR,ACME|BETA,,,0.45
HESTON,ACME,v0,,0.04
HESTON,ACME,kappa,,1.5
HESTON,ACME,theta,,0.05
HESTON,ACME,sigma,,0.6
HESTON,ACME,rho,,-0.7
`

func loadSample(t testing.TB) *Market {
	t.Helper()
	m, err := Load(strings.NewReader(sample), "market.csv", asof)
	require.NoError(t, err)
	return m
}

func mustLoad(t testing.TB, csv string) *Market {
	t.Helper()
	m, err := Load(strings.NewReader(csv), "market.csv", asof)
	require.NoError(t, err)
	return m
}

// key returns the index of the quote with key k.
func key(t testing.TB, m *Market, k string) int {
	t.Helper()
	i, ok := m.Index(k)
	require.True(t, ok, "no quote %s", k)
	return i
}
