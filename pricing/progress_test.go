package pricing

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// itemsOf returns a next function over trades for Run, each item with its
// own paths counter from counters.
func itemsOf(trades []*Trade, counters []*atomic.Int64) func() (Item, error) {
	i := 0
	return func() (Item, error) {
		if i == len(trades) {
			return Item{}, io.EOF
		}
		it := Item{Trade: trades[i], Paths: counters[i]}
		i++
		return it, nil
	}
}

// TestRunCountsPathsOfEachTrade checks that Item.Paths ends at what
// SimulatedPaths said the trade would simulate (with and without a spot,
// with a trade's own paths and the default), 0 for a closed-form trade, and
// that the counters change no figure.
func TestRunCountsPathsOfEachTrade(t *testing.T) {
	const portfolio = `trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,averaging,fixings,weights,engine,paths
e1,european,ACME,USD,call,100,1Y,1,,,,mc,700
b1,basket,ACME|BETA,USD,call,100,1Y,1,,,1|0.5,,300
a1,asian,ACME,USD,put,100,6M,1,arithmetic,6,,,
c1,european,ACME,USD,call,100,1Y,1,,,,,
`
	trades, errs, err := ReadPortfolio(strings.NewReader(portfolio), "portfolio.csv", asof)
	require.NoError(t, err)
	for i, e := range errs {
		require.NoError(t, e, trades[i].ID)
	}
	def := MCDefaults{Paths: 1000, Seed: 2}
	assert.Equal(t, []int64{5 * 700, 3 * 300, 5 * 1000, 0}, []int64{
		SimulatedPaths(trades[0], def, false), SimulatedPaths(trades[1], def, false), SimulatedPaths(trades[2], def, false), SimulatedPaths(trades[3], def, false)})

	m := loadMarket(t, mcMarket)
	run := func(counters []*atomic.Int64) []Priced {
		var out []Priced
		err := Run(context.Background(), m, RunSettings{Workers: 2, MC: def}, itemsOf(trades, counters), func(p Priced) error {
			out = append(out, p)
			return nil
		})
		require.NoError(t, err)
		return out
	}
	counters := make([]*atomic.Int64, len(trades))
	for i := range counters {
		counters[i] = new(atomic.Int64)
	}
	watched := run(counters)
	plain := run(make([]*atomic.Int64, len(trades)))
	for i, tr := range trades {
		require.NoError(t, watched[i].Result.Err, tr.ID)
		assert.Equal(t, SimulatedPaths(tr, def, false), counters[i].Load(), tr.ID)
		assert.Equal(t, plain[i].Result, watched[i].Result, tr.ID)
	}
}

// TestRunDoesNotEmitTradesCutShort cancels a run while long simulations
// are in flight: no trade may be emitted with the cancellation as its
// error, and Run returns the cancellation.
func TestRunDoesNotEmitTradesCutShort(t *testing.T) {
	var b strings.Builder
	b.WriteString("trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,engine,paths\n")
	b.WriteString("quick,european,ACME,USD,call,100,1Y,1,mc,500\n")
	for _, id := range []string{"long1", "long2", "long3", "long4"} {
		b.WriteString(id + ",european,ACME,USD,call,100,1Y,1,mc,2000000\n")
	}
	trades, errs, err := ReadPortfolio(strings.NewReader(b.String()), "portfolio.csv", asof)
	require.NoError(t, err)
	for i, e := range errs {
		require.NoError(t, e, trades[i].ID)
	}
	counters := make([]*atomic.Int64, len(trades))
	for i := range counters {
		counters[i] = new(atomic.Int64)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var emitted []string
	err = Run(ctx, loadMarket(t, flatMarket), RunSettings{Workers: 2}, itemsOf(trades, counters), func(p Priced) error {
		emitted = append(emitted, p.Result.TradeID)
		assert.NoError(t, p.Result.Err, p.Result.TradeID)
		// The quick trade is done: wait until a long one has simulated
		// some paths, so that it is cut short in flight, then stop.
		for counters[1].Load() == 0 && counters[2].Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
		return nil
	})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, []string{"quick"}, emitted)
}
