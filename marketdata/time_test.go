package marketdata

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"1D", 1.0 / 365},
		{"10d", 10.0 / 365},
		{"1W", 7.0 / 365},
		{"2w", 14.0 / 365},
		{"1M", 1.0 / 12},
		{"6M", 0.5},
		{"18M", 1.5},
		{"12M", 1},
		{"1Y", 1},
		{"10Y", 10},
		{"010Y", 10},
		{" 3M ", 0.25},
		{"2025-01-02", 1.0 / 365},
		{"2026-01-01", 1},
		{"2027-01-01", 2},
		{"2028-01-01", 3},            // 1095 days
		{"2029-01-01", 1461.0 / 365}, // a leap year on the way
		{"2025-03-01", 59.0 / 365},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, asof)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	// Only the calendar date of the as-of time counts.
	late := time.Date(2025, 1, 1, 23, 59, 0, 0, time.FixedZone("X", -5*3600))
	got, err := ParseTime("2026-01-01", late)
	require.NoError(t, err)
	assert.Equal(t, 1.0, got)
}

func TestParseTimeErrors(t *testing.T) {
	for _, in := range []string{
		"", " ", "Y", "1", "1.5Y", "-6M", "+6M", "6 M", "6MM", "M6", "6Q", "1e2Y", "0D", "0Y", "00M",
		"2025-01-01", "2024-12-31", "2025-02-30", "2025-13-01", "2025-1-01", "25-01-01", "2025/01/01",
		"1001Y", "12013M", "99999999999Y", "3100-01-01", "1Y6M", "１Y",
	} {
		_, err := ParseTime(in, asof)
		assert.Error(t, err, "%q", in)
	}
	_, err := ParseTime("2024-06-30", asof)
	assert.EqualError(t, err, "date 2024-06-30 is not after the as-of date 2025-01-01")
	_, err = ParseTime("1.5Y", asof)
	assert.EqualError(t, err, `want a date (YYYY-MM-DD) or a tenor (e.g. 6M, 10Y), got "1.5Y"`)
	_, err = ParseTime("0M", asof)
	assert.EqualError(t, err, `tenor "0M" is not after the as-of date`)
}
