package reports

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/pricing"
)

func TestWriteSummary(t *testing.T) {
	var b strings.Builder
	require.NoError(t, WriteSummary(&b, fixture(), 0))
	assert.Equal(t, `trade_id   instrument  engine    status     pv  std_error  delta  gamma   vega      rho  div_rho   theta
T1         european    analytic  ok      10.45               0.5   0.02   37.5    53.25   -63.75    -6.5
T2         barrier     analytic  error   line 3, column 7: barrier "up-out" already breached
MC1        asian       mc        ok       5.25       0.01   0.25      0  1e-07  1234568        0  -0.125
B1         basket      mc        ok          3       0.05                    2      0.5       -1   -0.25
=1+1       european    analytic  ok       -2.5              -0.5   0.01      4     -1.5     0.75   0.125
-T6        digital     analytic  error   -1 is not a strike
total USD                                 16.2                            43.5  1234620      -64   -6.75
6 trades: 4 ok, 2 failed
`, b.String())
}

// A large portfolio lists its first rows and says how many were left out;
// the totals are over every trade.
func TestWriteSummaryMaxRows(t *testing.T) {
	var b strings.Builder
	require.NoError(t, WriteSummary(&b, fixture()[:1], 1))
	all := b.String()
	b.Reset()
	rs := append(fixture()[:1], fixture()[:1]...)
	require.NoError(t, WriteSummary(&b, rs, 1))
	assert.Equal(t, `trade_id   instrument  engine    status     pv  delta  gamma  vega    rho  div_rho  theta
T1         european    analytic  ok      10.45    0.5   0.02  37.5  53.25   -63.75   -6.5
... 1 more trade not shown (write every row with --out DIR)
total USD                                 20.9                  75  106.5   -127.5    -13
2 trades: 2 ok, 0 failed
`, b.String())
	assert.NotContains(t, all, "not shown")
}

func TestWriteSummaryEdges(t *testing.T) {
	var b strings.Builder
	require.NoError(t, WriteSummary(&b, nil, 10))
	assert.Equal(t, "0 trades\n", b.String())

	// Text cannot drive the terminal.
	b.Reset()
	rs := []*pricing.Result{{TradeID: "A\x1b[2J", Instrument: "european", Engine: "analytic",
		Err: errors.New("bad\nline\r\x07 \xff")}}
	require.NoError(t, WriteSummary(&b, rs, 0))
	assert.NotContains(t, b.String(), "\x1b")
	assert.NotContains(t, b.String(), "\x07")
	assert.Contains(t, b.String(), "bad line   \uFFFD\n")
	assert.Equal(t, 4, strings.Count(b.String(), "\n"), "header, one line for the trade, total, counts")

	// No NaN is printed, and nothing is printed when one is found.
	b.Reset()
	bad := fixture()
	bad[2].Theta = math.NaN()
	err := WriteSummary(&b, bad, 0)
	require.ErrorIs(t, err, errNonFinite)
	assert.Contains(t, err.Error(), "MC1")
	assert.Empty(t, b.String())

	assert.Error(t, WriteSummary(&b, []*pricing.Result{nil}, 0))
}

// A Summary fed one result at a time prints what WriteSummary prints, and
// keeps only the rows it lists.
func TestSummaryStreams(t *testing.T) {
	rs := append(fixture(), fixture()...)
	for _, maxRows := range []int{0, 1, 4, 12, 100} {
		var want, got strings.Builder
		require.NoError(t, WriteSummary(&want, rs, maxRows))
		s := NewSummary(maxRows)
		for _, r := range rs {
			require.NoError(t, s.Add(r))
		}
		require.NoError(t, s.Write(&got))
		assert.Equal(t, want.String(), got.String(), "maxRows %d", maxRows)
		if maxRows > 0 {
			assert.LessOrEqual(t, len(s.rows), maxRows)
		}
	}

	s := NewSummary(3)
	bad := *fixture()[0]
	bad.PV = math.Inf(-1)
	require.ErrorIs(t, s.Add(&bad), errNonFinite)
	require.Error(t, s.Add(nil))
	var b strings.Builder
	require.NoError(t, s.Write(&b))
	assert.Equal(t, "0 trades\n", b.String(), "refused results are not counted")
}

func TestSummaryTotalsPerCurrency(t *testing.T) {
	s := NewSummary(10)
	for _, r := range []*pricing.Result{
		{TradeID: "a", Instrument: "european", Engine: "analytic", Currency: "USD", PV: 1.5, Vega: 2},
		{TradeID: "b", Instrument: "european", Engine: "analytic", Currency: "EUR", PV: 10, Vega: 1},
		{TradeID: "c", Instrument: "european", Engine: "analytic", Currency: "USD", PV: 2.25, Vega: 3},
	} {
		require.NoError(t, s.Add(r))
	}
	var b strings.Builder
	require.NoError(t, s.Write(&b))
	out := b.String()
	assert.Regexp(t, `(?m)^total EUR +10 +1 `, out)
	assert.Regexp(t, `(?m)^total USD +3\.75 +5 `, out)
	assert.NotContains(t, out, "13.75", "currencies are never added together")
}
