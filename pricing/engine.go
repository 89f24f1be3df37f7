package pricing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/aadrisk/aadrisk/marketdata"
)

// Item is one trade as read, with the error that stopped it from becoming an
// instrument, if any.
type Item struct {
	Trade *Trade
	Err   error
	// Paths, when set, is added the paths of the trade's simulations as
	// they are done, a block at a time (Pricer.Progress), for a progress
	// report on trades in flight.
	Paths *atomic.Int64
}

// Priced is what the engine gives for one trade: its result and, when
// validating, its comparison with bump-and-revalue.
type Priced struct {
	Result     *Result
	Validation []Validation
}

// MaxWorkers bounds RunSettings.Workers: each worker keeps its own tapes
// and scratch, so beyond a few per core more only cost memory.
const MaxWorkers = 1024

// RunSettings configure a portfolio run.
type RunSettings struct {
	// Workers is the number of goroutines pricing trades, at most
	// MaxWorkers; 0 means one per CPU. Results never depend on it.
	Workers int
	// Validate adds the bump-and-revalue comparison of every trade.
	Validate bool
	// Window bounds the trades in flight (read but not yet emitted), and so
	// the memory of a run whatever its size; 0 means 64 per worker.
	Window int
	// MC are the Monte Carlo defaults of trades that set none.
	MC MCDefaults
	// PDE are the grid defaults of pde trades that set none.
	PDE PDEDefaults
	// SecondOrder gives every Result its rows of second_order.csv
	// (Pricer.SecondOrder).
	SecondOrder bool
}

// maxPathWorkers bounds the goroutines that simulate one Monte Carlo
// trade's paths: each trade worker runs its trade's paths on up to this
// many (at most Workers), each with its own tape, so that a portfolio of
// one large simulation still uses the machine while the tapes stay few.
const maxPathWorkers = 4

// Run prices a portfolio against market m. It reads items from next until
// next returns io.EOF, prices them on opts.Workers goroutines, each with its
// own Pricer (tape, scope), and calls emit with each trade's figures in input
// order, from the calling goroutine. A trade that fails is emitted with its
// error like any other: no trade is ever dropped.
//
// Run stops at the first error from next (other than io.EOF) or from emit,
// or when ctx is done, and returns it. A trade cut short by ctx is not
// emitted: it did not fail, it was stopped.
func Run(ctx context.Context, m *marketdata.Market, opts RunSettings, next func() (Item, error), emit func(Priced) error) error {
	return RunWith(ctx, m, opts, next, nil, func(p Priced, _ struct{}) error { return emit(p) })
}

// RunWith is Run with per-trade work done in parallel: finish, when not
// nil, is called by the worker that priced a trade, with its figures, and
// what it returns is handed to emit with them, in input order. Work that
// does not depend on the order (formatting a trade's output rows, say)
// goes there, so that emit, which runs on one goroutine, is left little.
func RunWith[T any](ctx context.Context, m *marketdata.Market, opts RunSettings, next func() (Item, error), finish func(Priced) T, emit func(Priced, T) error) error {
	workers := opts.Workers
	if workers <= 0 {
		workers = min(runtime.GOMAXPROCS(0), MaxWorkers)
	}
	if workers > MaxWorkers {
		return fmt.Errorf("pricing: %d workers: want at most %d", workers, MaxWorkers)
	}
	window := opts.Window
	if window <= 0 {
		window = 64 * workers
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct {
		seq  int
		item Item
	}
	type done struct {
		seq      int
		out      Priced
		finished T
	}
	jobs := make(chan job, window)
	results := make(chan done, window)
	slots := make(chan struct{}, window)
	var readErr error

	go func() {
		defer close(jobs)
		for seq := 0; ; seq++ {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			it, err := next()
			if err == io.EOF {
				return
			}
			if err != nil {
				readErr = err
				cancel()
				return
			}
			jobs <- job{seq, it}
		}
	}()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := NewPricer(m)
			p.MC, p.MCWorkers, p.SecondOrder, p.PDE = opts.MC, min(workers, maxPathWorkers), opts.SecondOrder, opts.PDE
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				p.Progress = j.item.Paths
				out := p.priceItem(ctx, j.item, opts.Validate)
				p.Progress = nil
				if ctx.Err() != nil {
					// Its simulation may have stopped with ctx's error:
					// not a failure of the trade, and the run is over.
					continue
				}
				d := done{seq: j.seq, out: out}
				if finish != nil {
					d.finished = finish(out)
				}
				results <- d
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	pending := make(map[int]done, window)
	nextSeq := 0
	var emitErr error
	for d := range results {
		if emitErr != nil {
			continue
		}
		pending[d.seq] = d
		for {
			d, ok := pending[nextSeq]
			if !ok {
				break
			}
			delete(pending, nextSeq)
			nextSeq++
			<-slots
			if err := emit(d.out, d.finished); err != nil {
				emitErr = err
				cancel()
				break
			}
		}
	}
	switch {
	case emitErr != nil:
		return emitErr
	case readErr != nil:
		return readErr
	case ctx.Err() != nil:
		return context.Cause(ctx)
	case len(pending) != 0:
		return fmt.Errorf("pricing: %d trades priced but not emitted", len(pending))
	}
	return nil
}

// priceItem prices one item, with its validation if asked; a panic in a
// pricer becomes that trade's error rather than the end of the run.
func (p *Pricer) priceItem(ctx context.Context, it Item, validate bool) (out Priced) {
	tr := it.Trade
	if it.Err != nil {
		return Priced{Result: failed(tr, it.Err)}
	}
	defer func() {
		if r := recover(); r != nil {
			out = Priced{Result: failed(tr, fmt.Errorf("internal error: %v", r))}
		}
	}()
	res := p.Price(ctx, tr)
	out.Result = res
	if validate && res.Err == nil {
		v, err := p.Validate(ctx, tr, res)
		if err != nil {
			return Priced{Result: failed(tr, fmt.Errorf("validation: %w", err))}
		}
		out.Validation = v
	}
	res.mc = nil // the simulations' blocks are for Validate only
	return out
}

// failed is the result of a trade that could not be priced.
func failed(tr *Trade, err error) *Result {
	if tr == nil {
		tr = &Trade{}
	}
	if err == nil {
		err = errors.New("unknown error")
	}
	return &Result{TradeID: tr.ID, Instrument: tr.Kind, Engine: tr.EngineName, Line: tr.Line, Err: err}
}
