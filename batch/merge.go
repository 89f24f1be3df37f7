package batch

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aadrisk/aadrisk/pricing"
	"github.com/aadrisk/aadrisk/reports"
)

// A merge combines the output directories of the N shards of one batch into
// the files one unsharded run would have written, byte for byte:
//
//  1. Open reads every shard's manifest.json and refuses, before reading
//     anything else, a directory without one (a shard that did not
//     complete), an unsharded run, shards of different batches, a shard
//     given twice and a missing shard.
//  2. results.csv has no line numbers, so a merge reads the portfolio again
//     and checks its SHA-256 against the manifests. For each of its rows,
//     in order, it takes the next row of results.csv of the shard of that
//     trade_id (ShardOf), which must be that trade, and for an ok trade
//     its rows of sensitivities.csv and validation.csv; it hands them to a
//     reports.Sink, whose Writer writes them exactly as the unsharded run
//     did and sums risk.csv exactly, per risk factor and currency (the
//     trade's, from the portfolio), so that the totals do not depend on
//     the sharding.
//  3. Every row of every shard must be used, once: a shard with a row too
//     many or too few, or out of place, is refused, as is one whose counts
//     differ from its manifest's or one of whose files has another length
//     or CRC-32C than its manifest records. A damaged shard never loses a
//     trade, or a sensitivity, silently.
//
// It streams, in a pipeline: one goroutine reads the portfolio, one per
// shard reads its files and formats each trade's rows (the costly part, so
// it runs in parallel), and the calling goroutine takes the trades in
// portfolio order and hands them to the Sink. Memory holds a bounded
// number of trades in flight, the readers' buffers, and the set of trade
// IDs that the portfolio reader keeps to detect duplicates.

// logEvery is the interval of a merge's progress log lines.
const logEvery = 10 * time.Second

// The sizes of the pipeline: the portfolio goes in batches of
// portfolioBatch trades; each shard sends batches of trades, at most
// shardBatchTrades/N (within [4, 256]) so that the trades in flight stay
// bounded whatever N, two batches ahead at most.
const (
	portfolioBatch   = 1024
	shardBatchTrades = 4096
	batchesAhead     = 2
)

// Merge is the merge of a Batch, with the portfolio's header read and the
// shards' files open; Run does the rest. Close it.
type Merge struct {
	b    *Batch
	pf   *reports.HashReader
	name string // the portfolio's, for messages
	want string // its SHA-256 in the manifests
	pr   *pricing.PortfolioReader

	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	sink      *reports.Sink
	portfolio chan *portfolioRows
	streams   []shardStream
}

// tradeRef is a row of the portfolio: its trade ID as read and its line,
// and the underlying and currency of its instrument for risk.csv and the
// report (results.csv does not have them; "" for a row that is not an
// instrument).
type tradeRef struct {
	id                   string
	line                 int
	underlying, currency string
}

// portfolioRows is a batch of portfolio rows; err, in the last batch, is
// io.EOF or the error that ended the file.
type portfolioRows struct {
	trades []tradeRef
	err    error
}

// shardTrade is one trade of a shard, as read, with its rows formatted.
type shardTrade struct {
	line  int // in results.csv
	res   pricing.Result
	rows  reports.Formatted
	valid []pricing.Validation
}

// shardTrades is a batch of a shard's trades; err, in the last batch, is
// io.EOF or the error that ended the shard.
type shardTrades struct {
	trades []shardTrade
	err    error
}

// shardStream is the calling goroutine's end of a shard's batches.
type shardStream struct {
	s   *shardDir
	ch  chan *shardTrades
	cur *shardTrades
	pos int
}

// NewMerge starts the merge of b: the portfolio the shards priced
// (Batch.Portfolio says which) is read from r, named name in messages,
// and must have the manifests' SHA-256; the shards' files are opened and
// their headers read. An error is an *Error, or the portfolio's own
// (file, line and column) when it is the file the shards priced.
func (b *Batch) NewMerge(r io.Reader, name string) (*Merge, error) {
	in, err := b.Portfolio()
	if err != nil {
		return nil, err
	}
	m := &Merge{b: b, pf: reports.NewHashReader(r), name: name, want: in.SHA256}
	if m.pr, err = pricing.NewPortfolioReader(m.pf, name, b.asof); err != nil {
		if herr := m.checkHash(); herr != nil {
			return nil, herr
		}
		return nil, readErr(ErrPortfolio, "", err)
	}
	for _, s := range b.shards {
		if err := s.open(b.validate); err != nil {
			m.Close()
			return nil, err
		}
	}
	return m, nil
}

// Close closes the shards' files.
func (m *Merge) Close() {
	for _, s := range m.b.shards {
		s.close()
	}
}

// checkHash reads the portfolio to its end and checks its SHA-256; on an
// error the mismatch, if any, is the better explanation.
func (m *Merge) checkHash() error {
	if _, err := io.Copy(io.Discard, m.pf); err != nil {
		return readErr(ErrPortfolio, "", err)
	}
	if got := m.pf.Sum(); got != m.want {
		return refuse(ErrPortfolio, "", "portfolio %s has SHA-256 %s, but the shards priced a file with SHA-256 %s: not the same file (give --portfolio with the file the shards read)", m.name, got, m.want)
	}
	return nil
}

// Run hands every trade of the batch, in portfolio order, to sink, whose
// Writer (the sink must have one to write validation.csv when the shards
// are of validate) then holds the files of the unsharded run, and checks
// that every row of every shard was used and every file is the one its
// manifest describes. It returns the manifest of the merged files for the
// Writer's Commit: the shards' version, command, as-of date, inputs (as
// shard 1's manifest names them), seed, paths, rng and antithetic; no
// shard; Workers the total of the shards'; Start the earliest start of a
// shard and End the latest end, so that it times the batch's pricing (not
// the merge) and merging the same shards again gives the same manifest.
// Commit sets the counts and files.
//
// log, when not nil, gets a progress line every 10 s. When ctx is done,
// Run stops and returns its cause. A refusal is an *Error; an error of
// the sink is returned as it is.
func (m *Merge) Run(ctx context.Context, sink *reports.Sink, log *slog.Logger) (*reports.Manifest, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m.start(ctx, sink)
	err := m.run(log)
	m.stop() // every goroutine is done with the files from here on
	if err == nil {
		err = m.checkHash()
	} else if herr := m.checkHash(); herr != nil {
		return nil, herr // a different portfolio explains any other error
	}
	if err == nil {
		err = m.finish()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, m.explain(err)
	}
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	return m.b.mergedManifest(), nil
}

// mergedManifest is the manifest of the merged files (Run).
func (b *Batch) mergedManifest() *reports.Manifest {
	ref := b.Manifest()
	man := &reports.Manifest{
		Version:     ref.Version,
		Command:     ref.Command,
		AsOf:        ref.AsOf,
		Inputs:      slices.Clone(ref.Inputs),
		Seed:        ref.Seed,
		Paths:       ref.Paths,
		GridSpots:   ref.GridSpots,
		GridSteps:   ref.GridSteps,
		RNG:         ref.RNG,
		Antithetic:  ref.Antithetic,
		SecondOrder: ref.SecondOrder,
		Start:       ref.Start,
		End:         ref.End,
	}
	for _, s := range b.shards {
		man.Workers += s.man.Workers
		if s.man.Start.Before(man.Start) {
			man.Start = s.man.Start
		}
		if s.man.End.After(man.End) {
			man.End = s.man.End
		}
	}
	return man
}

// start starts the goroutines that read the portfolio and the shards.
func (m *Merge) start(ctx context.Context, sink *reports.Sink) {
	m.sink = sink
	m.portfolio = make(chan *portfolioRows, batchesAhead)
	m.ctx, m.cancel = context.WithCancel(ctx)
	m.wg.Go(m.readPortfolio)
	shards := m.b.shards
	batch := min(max(shardBatchTrades/len(shards), 4), 256)
	m.streams = make([]shardStream, len(shards))
	for i, s := range shards {
		st := &m.streams[i]
		st.s, st.ch = s, make(chan *shardTrades, batchesAhead)
		m.wg.Go(func() { m.readShard(s, st.ch, batch) })
	}
}

// stop stops the goroutines and waits for them.
func (m *Merge) stop() {
	m.cancel()
	m.wg.Wait()
}

// send sends b on ch unless the merge is stopped.
func send[T any](ctx context.Context, ch chan<- T, b T) bool {
	select {
	case ch <- b:
		return true
	case <-ctx.Done():
		return false
	}
}

// readPortfolio sends the portfolio's trade IDs, in batches.
func (m *Merge) readPortfolio() {
	b := &portfolioRows{}
	for {
		tr, err := m.pr.Next()
		if err == io.EOF || tr == nil {
			if err != io.EOF {
				err = readErr(ErrPortfolio, "", err)
			}
			b.err = err
			send(m.ctx, m.portfolio, b)
			return
		}
		ref := tradeRef{id: tr.ID, line: tr.Line}
		if tr.Instrument != nil {
			ref.underlying, ref.currency = tr.Instrument.Underlying(), tr.Instrument.Currency()
		}
		b.trades = append(b.trades, ref)
		if len(b.trades) == portfolioBatch {
			if !send(m.ctx, m.portfolio, b) {
				return
			}
			b = &portfolioRows{trades: make([]tradeRef, 0, portfolioBatch)}
		}
	}
}

// readShard reads the trades of shard s, each with its rows of
// sensitivities.csv and validation.csv, formats them, and sends them in
// batches of size trades. At the end of results.csv it checks that no row
// of the other files is left.
func (m *Merge) readShard(s *shardDir, ch chan<- *shardTrades, size int) {
	var r pricing.Result
	b := &shardTrades{trades: make([]shardTrade, 0, size)}
	for {
		err := m.readTrade(s, &r, b)
		if err == io.EOF {
			err = s.leftovers(m.b.validate)
			if err == nil {
				err = io.EOF
			}
		}
		if err != nil {
			b.err = err
			send(m.ctx, ch, b)
			return
		}
		if len(b.trades) == size {
			if !send(m.ctx, ch, b) {
				return
			}
			b = &shardTrades{trades: make([]shardTrade, 0, size)}
		}
	}
}

// readTrade reads the next trade of shard s into b, r being the Result
// read into (its Sens reused); io.EOF at the end.
func (m *Merge) readTrade(s *shardDir, r *pricing.Result, b *shardTrades) error {
	err := s.results.Next(r)
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return refuse(ErrDamaged, s.dir, "%s: %w", s.name(), err)
	}
	t := shardTrade{line: s.results.Line()}
	if r.Err == nil {
		s.ok++
		if err := takeRows(&s.sens, r.TradeID, s, sensID, func(x *reports.SensitivityRow) { r.Sens = append(r.Sens, x.Sensitivity) }); err != nil {
			return err
		}
		s.sensRows += len(r.Sens)
		if m.b.validate {
			if err := takeRows(&s.valid, r.TradeID, s, validID, func(v *pricing.Validation) { t.valid = append(t.valid, *v) }); err != nil {
				return err
			}
			s.validRows += len(t.valid)
		}
		if s.man.SecondOrder {
			if err := takeRows(&s.second, r.TradeID, s, secondID, func(x *reports.SecondOrderRow) { r.Second = append(r.Second, x.SecondOrder) }); err != nil {
				return err
			}
			s.secondRows += len(r.Second)
		}
	} else {
		s.failed++
		r.Err = renamePortfolio(r.Err, portfolioPath(s.man), portfolioPath(m.b.Manifest()))
	}
	t.rows = m.sink.Format(r)
	if err := t.rows.Err(); err != nil {
		return refuse(ErrDamaged, s.dir, "%s: %w", s.name(), err)
	}
	t.res = *r
	t.res.Sens, t.res.Second = nil, nil // r's, which the next trade reuses
	if m.sink.NeedsResults() {
		t.res.Sens, t.res.Second = slices.Clone(r.Sens), slices.Clone(r.Second)
	}
	b.trades = append(b.trades, t)
	return nil
}

// next returns the shard's next trade; io.EOF after the last.
func (st *shardStream) next(ctx context.Context) (*shardTrade, error) {
	for st.cur == nil || st.pos == len(st.cur.trades) {
		if st.cur != nil && st.cur.err != nil {
			return nil, st.cur.err
		}
		select {
		case st.cur = <-st.ch:
			st.pos = 0
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
	st.pos++
	return &st.cur.trades[st.pos-1], nil
}

// run takes the portfolio's trades in order, each from its shard, and
// hands them to the sink.
func (m *Merge) run(log *slog.Logger) error {
	n := len(m.streams)
	start, lastLog := time.Now(), time.Now()
	done := 0
	for {
		var b *portfolioRows
		select {
		case b = <-m.portfolio:
		case <-m.ctx.Done():
			return context.Cause(m.ctx)
		}
		for _, tr := range b.trades {
			if err := m.add(tr, &m.streams[ShardOf(tr.id, n)-1]); err != nil {
				return err
			}
		}
		done += len(b.trades)
		if b.err == io.EOF {
			break
		}
		if b.err != nil {
			return b.err
		}
		if now := time.Now(); now.Sub(lastLog) >= logEvery {
			lastLog = now
			log.Info("progress", "trades", done, "trades_per_second", float64(done)/now.Sub(start).Seconds())
		}
	}
	// Every shard must be at its end.
	for i := range m.streams {
		st := &m.streams[i]
		t, err := st.next(m.ctx)
		switch {
		case err == nil:
			return refuse(ErrDamaged, st.s.dir, "%s: %s:%d: trade %q is not in the portfolio at its place: the shard is not of this portfolio, or is damaged", st.s.name(), filepath.Join(st.s.dir, reports.ResultsFile), t.line, t.res.TradeID)
		case err != io.EOF:
			return err
		}
	}
	return nil
}

// add hands the portfolio's trade tr, taken from its shard's stream, to
// the sink.
func (m *Merge) add(tr tradeRef, st *shardStream) error {
	t, err := st.next(m.ctx)
	if err == io.EOF {
		return refuse(ErrDamaged, st.s.dir, "%s: %s ends before trade %q (portfolio line %d): the shard is incomplete or is not of this portfolio", st.s.name(), reports.ResultsFile, tr.id, tr.line)
	}
	if err != nil {
		return err
	}
	if t.res.TradeID != tr.id {
		return refuse(ErrDamaged, st.s.dir, "%s: %s:%d has trade %q where trade %q (portfolio line %d) was expected: the shard is not of this portfolio, or is damaged", st.s.name(), filepath.Join(st.s.dir, reports.ResultsFile), t.line, t.res.TradeID, tr.id, tr.line)
	}
	// results.csv has no currency, underlying or line: the portfolio gives
	// them, the currency being the one the trade's sensitivities are
	// summed in for risk.csv, as in the unsharded run.
	t.res.Underlying, t.res.Currency, t.res.Line = tr.underlying, tr.currency, tr.line
	err = m.sink.Add(pricing.Priced{Result: &t.res, Validation: t.valid}, t.rows)
	t.rows, t.res.Sens, t.valid = reports.Formatted{}, nil, nil
	return err
}

// finish checks, once the goroutines are done, that the shards' counts,
// lengths and checksums are their manifests'.
func (m *Merge) finish() error {
	for _, s := range m.b.shards {
		if err := s.rowCounts(); err != nil {
			return err
		}
		if err := s.verify(); err != nil {
			return err
		}
	}
	return nil
}

// explain returns the damage of a shard (a file changed since its run
// wrote it), if any, which explains a merge error better than the error
// itself. The goroutines must be stopped.
func (m *Merge) explain(err error) error {
	for _, s := range m.b.shards {
		if verr := s.verify(); verr != nil {
			return verr
		}
	}
	return err
}

// portfolioPath is the portfolio's path in manifest m ("" if none).
func portfolioPath(m *reports.Manifest) string {
	for _, in := range m.Inputs {
		if in.Name == "portfolio" {
			return in.Path
		}
	}
	return ""
}

// renamePortfolio returns a failed trade's error with the portfolio named
// as to names it where the shard's run named it from: shards of one batch
// may read the same file (the same SHA-256) from different paths, and a
// merged run names it as shard 1/N's run did, as one run would.
func renamePortfolio(err error, from, to string) error {
	if err == nil || from == to || from == "" {
		return err
	}
	msg, ok := strings.CutPrefix(err.Error(), from+":")
	if !ok {
		return err
	}
	return errors.New(to + ":" + msg)
}
