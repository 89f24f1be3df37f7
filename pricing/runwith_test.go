package pricing

import (
	"context"
	"io"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RunWith hands emit, with each trade, what finish made of that trade,
// in input order, and calls finish on the workers, before emit.
func TestRunWithHandsFinishedToEmit(t *testing.T) {
	m := loadMarket(t, termMarket)
	base := instruments(t)
	var trades []*Trade
	for i := range 30 {
		tr := *base[i%len(base)]
		tr.ID = tr.ID + "-" + string(rune('a'+i))
		trades = append(trades, &tr)
	}
	i := 0
	next := func() (Item, error) {
		if i == len(trades) {
			return Item{}, io.EOF
		}
		i++
		return Item{Trade: trades[i-1]}, nil
	}
	var mu sync.Mutex
	finished := map[string]bool{}
	finish := func(p Priced) string {
		mu.Lock()
		defer mu.Unlock()
		finished[p.Result.TradeID] = true
		return "done:" + p.Result.TradeID
	}
	var got []string
	err := RunWith(context.Background(), m, RunSettings{Workers: 3, Window: 4}, next, finish, func(p Priced, f string) error {
		mu.Lock()
		assert.True(t, finished[p.Result.TradeID], "finish ran before emit")
		mu.Unlock()
		assert.Equal(t, "done:"+p.Result.TradeID, f)
		got = append(got, p.Result.TradeID)
		return nil
	})
	require.NoError(t, err)
	require.Len(t, got, len(trades))
	for i, tr := range trades {
		assert.Equal(t, tr.ID, got[i])
	}
}
