package montecarlo

import "github.com/aadrisk/aadrisk/marketdata"

// NewEngineAnchored is NewEngine on market m with the model grids (the
// local-vol spots) placed as on market ref, for tests that revalue on a
// whole shifted market, as a bump of every quote would, without moving the
// grid: what marketdata.Bump does for one quote.
func NewEngineAnchored(m, ref *marketdata.Market, workers int) *Engine {
	e := NewEngine(m, workers)
	for _, w := range e.workers {
		w.ref = ref.NewScope()
	}
	return e
}
