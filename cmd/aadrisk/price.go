package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/batch"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
	"github.com/aadrisk/aadrisk/pricing"
	"github.com/aadrisk/aadrisk/reports"
)

//go:embed sample/portfolio.csv sample/market.csv
var sample embed.FS

// sampleAsOf is the valuation date of the embedded sample market.
const sampleAsOf = "2026-01-02"

// summaryRows bounds the trades listed in the summary on standard output.
const summaryRows = 50

// priceFlags are the flags of price and validate, as parsed.
type priceFlags struct {
	portfolio, market, asof, out, shard string
	report                              string
	workers, paths                      int
	// gridSpots and gridSteps are the pde defaults --grid-spots and
	// --grid-steps.
	gridSpots, gridSteps int
	seed                 uint64
	strict               bool
	// secondOrder is --second-order: second_order.csv and
	// risk_second_order.csv.
	secondOrder bool
	// rng and antithetic are the Monte Carlo defaults --rng and
	// --antithetic; sequence is rng parsed.
	rng        string
	antithetic bool
	sequence   montecarlo.Sequence

	// shards is --shards: the number of shards of a run whose index comes
	// from the environment; part is the shard resolved and partFrom where
	// it came from (batch.ResolveShard).
	shards   int
	part     batch.Shard
	partFrom string
}

// strictListed bounds the failed trades that --strict lists.
const strictListed = 20

// newPriceFlagSet returns the flags of price and validate, into f.
func newPriceFlagSet(name string, f *priceFlags) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&f.portfolio, "portfolio", "", "portfolio CSV `file` (default: the built-in sample)")
	fs.StringVar(&f.market, "market", "", "market-data CSV `file` (default: the built-in sample)")
	fs.StringVar(&f.asof, "asof", "", "valuation `date` YYYY-MM-DD (required with input files)")
	fs.StringVar(&f.out, "out", "", "write the result files to `dir`, creating it if needed (default: a summary on standard output)")
	fs.StringVar(&f.report, "report", "", "also write a self-contained HTML risk report to `file`, creating its directory if needed")
	fs.IntVar(&f.workers, "workers", min(runtime.NumCPU(), pricing.MaxWorkers), "`N` pricing goroutines, 1 to 1024; results do not depend on it")
	fs.IntVar(&f.paths, "paths", pricing.DefaultPaths, "the default number `N` of Monte Carlo paths per trade")
	fs.Uint64Var(&f.seed, "seed", pricing.DefaultSeed, "the default Monte Carlo `seed`")
	fs.StringVar(&f.rng, "rng", "pseudo", "the default Monte Carlo random numbers, `pseudo|sobol`: PCG streams, or Sobol' points with a Brownian bridge")
	fs.BoolVar(&f.antithetic, "antithetic", false, "the default Monte Carlo trades to antithetic paths")
	fs.IntVar(&f.gridSpots, "grid-spots", pricing.DefaultGridSpots, "the default number `N` of spots of a pde trade's grid")
	fs.IntVar(&f.gridSteps, "grid-steps", pricing.DefaultGridSteps, "the default number `N` of time steps of a pde trade's grid")
	fs.StringVar(&f.shard, "shard", "", "price only shard `K/N` of the portfolio (default: from "+batch.EnvJobIndex+" or "+batch.EnvSlurmID+", else all of it)")
	fs.IntVar(&f.shards, "shards", 0, "the number of shards `N` when the shard index comes from "+batch.EnvJobIndex+" (default: $"+batch.EnvShards+")")
	fs.BoolVar(&f.secondOrder, "second-order", false, "also write second_order.csv and risk_second_order.csv: every sensitivity's derivative along each spot a trade depends on (cross-gammas, vannas per vol node, spot-rate and spot-dividend terms)")
	fs.BoolVar(&f.strict, "strict", false, fmt.Sprintf("treat a market quote that looks like a percentage, or any failed trade, as an invalid input: exit 2, write nothing; list every such quote (before pricing) or the first %d failed trades (after pricing to the end)", strictListed))
	return fs
}

// priceSynopsis and validateSynopsis are the first lines of the commands'
// usage.
const (
	priceSynopsis = "aadrisk price [--portfolio FILE --market FILE --asof DATE] [--out DIR] [--report FILE.html] [flags]"
	priceAbout    = `Prices every trade of the portfolio and computes every first-order
sensitivity by AAD. With no --portfolio and --market it runs on a sample
built into the binary (cmd/aadrisk/sample/). With --out DIR it writes
results.csv, sensitivities.csv, risk.csv and manifest.json there; without
it a summary goes to standard output.`
	validateSynopsis = "aadrisk validate [--portfolio FILE --market FILE --asof DATE] [--out DIR] [--report FILE.html] [flags]"
	validateAbout    = `Prices like price, and checks every AAD sensitivity against
bump-and-revalue; with --out DIR it also writes validation.csv.`
)

// priceUsage writes the usage of price (or validate) to w.
func priceUsage(w io.Writer, validate bool) {
	name, syn, about := "price", priceSynopsis, priceAbout
	if validate {
		name, syn, about = "validate", validateSynopsis, validateAbout
	}
	commandUsage(w, newPriceFlagSet(name, &priceFlags{}), syn, about)
}

func parsePriceFlags(args []string, name string, stdout io.Writer) (*priceFlags, error) {
	f := &priceFlags{}
	fs := newPriceFlagSet(name, f)
	var err error
	if err = parseFlags(fs, args, stdout, func(w io.Writer) { priceUsage(w, name == "validate") }); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usagef("%s: unexpected argument %q", name, fs.Arg(0))
	}
	if (f.portfolio == "") != (f.market == "") {
		return nil, usagef("%s: give both --portfolio and --market, or neither for the built-in sample", name)
	}
	if f.portfolio != "" && f.asof == "" {
		return nil, usagef("%s: --asof is required with input files", name)
	}
	if f.workers < 1 || f.workers > pricing.MaxWorkers {
		return nil, usagef("%s: --workers %d: want 1 to %d", name, f.workers, pricing.MaxWorkers)
	}
	if f.paths < 2 || f.paths > montecarlo.MaxPaths {
		return nil, usagef("%s: --paths %d: want 2 to %d", name, f.paths, montecarlo.MaxPaths)
	}
	if f.sequence, err = pricing.ParseSequence(f.rng); err != nil {
		return nil, usagef("%s: --%v", name, err)
	}
	if f.antithetic && f.paths < 4 {
		return nil, usagef("%s: --paths %d: antithetic paths want at least 4", name, f.paths)
	}
	if _, err := pricing.NewPDEEngine(pricing.PDESettings{Spots: f.gridSpots, Steps: f.gridSteps}); err != nil || f.gridSpots == 0 || f.gridSteps == 0 {
		return nil, usagef("%s: --grid-spots %d, --grid-steps %d: want %d to %d spots and 2 to %d steps", name, f.gridSpots, f.gridSteps, pricing.MinGridSpots, pricing.MaxGridSpots, pricing.MaxGridSteps)
	}
	shardGiven := false
	fs.Visit(func(fl *flag.Flag) { shardGiven = shardGiven || fl.Name == "shard" })
	if f.part, f.partFrom, err = batch.ResolveShard(f.shard, shardGiven, f.shards, os.Getenv); err != nil {
		return nil, usagef("%s: %v", name, err)
	}
	return f, nil
}

// input is one input file, hashed as it is read for the manifest.
type input struct {
	name string
	rc   io.ReadCloser
	hash *reports.HashReader
	// read counts the bytes read so far, for progress; size is the file's
	// size, -1 when it is not known (a pipe).
	read *countingReader
	size int64
	// path and mod are the file's path and modification time at the
	// start, to tell a file that changed while it was read ("" and zero for
	// the sample and a pipe).
	path string
	mod  time.Time
}

// unchanged returns an error if a regular input file is not, now that it
// has been read to its end, what it was at the start: fewer or more bytes
// read than its size then, or a size or modification time that moved (a
// file truncated, appended to or rewritten during the run). Its figures
// would then be of a file that never existed whole.
func (in *input) unchanged(flagName string) error {
	if in.size < 0 || in.path == "" {
		return nil
	}
	st, err := os.Stat(in.path)
	switch {
	case err != nil:
		return usagef("--%s %s: %v after it was read: nothing written", flagName, in.path, pathErr(err))
	case in.read.n.Load() != in.size || st.Size() != in.size || !st.ModTime().Equal(in.mod):
		return usagef("--%s %s: the file changed while it was read (%d bytes at the start, %d read, %d now): nothing written; run again on a file that stays put",
			flagName, in.path, in.size, in.read.n.Load(), st.Size())
	}
	return nil
}

// openInput opens the input file that flag --flagName gave (path), or the
// built-in sample sampleName when path is "", to be hashed and counted as
// it is read, and to stop being read once ctx is done (a signal: a large
// file then stops loading at its next read, not at its end). An error
// names the flag.
func openInput(ctx context.Context, flagName, path, sampleName string) (*input, error) {
	f, err := openFile(flagName, path, sampleName)
	if err != nil {
		return nil, err
	}
	h := reports.NewHashReader(ctxReader{ctx, f.rc})
	c := &countingReader{r: h}
	return &input{name: f.name, rc: struct {
		io.Reader
		io.Closer
	}{c, f.rc}, hash: h, read: c, size: f.size, path: f.path, mod: f.mod}, nil
}

// openedFile is an input file as opened: its name in messages, its
// contents and its size, -1 when it is not known (a pipe).
type openedFile struct {
	name string
	rc   io.ReadCloser
	size int64
	// path and mod are a regular file's path and modification time.
	path string
	mod  time.Time
}

// openFile opens the input file that flag --flagName gave (path), or the
// built-in sample sampleName when path is "". An error names the flag.
func openFile(flagName, path, sampleName string) (*openedFile, error) {
	if path == "" {
		b, err := sample.ReadFile("sample/" + sampleName)
		if err != nil {
			return nil, err
		}
		return &openedFile{name: "(built-in sample) " + sampleName, rc: io.NopCloser(bytes.NewReader(b)), size: int64(len(b))}, nil
	}
	if err := checkInputPath(flagName, path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("--%s %s: %v", flagName, path, pathErr(err))
	}
	o := &openedFile{name: path, rc: f, size: -1}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		o.size, o.path, o.mod = st.Size(), path, st.ModTime()
	}
	return o, nil
}

// inputFile describes an input for the manifest; the built-in sample has no
// path.
func inputFile(role, path string, in *input) reports.InputFile {
	return reports.InputFile{Name: role, Path: path, SHA256: in.hash.Sum()}
}

// price runs the price and validate commands.
func price(ctx context.Context, args []string, validate bool, stdout, stderr io.Writer) error {
	name := "price"
	if validate {
		name = "validate"
	}
	f, err := parsePriceFlags(args, name, stdout)
	if err != nil {
		return err
	}
	log, line := newRunLog(stderr)
	start := time.Now()

	asofText := f.asof
	if asofText == "" {
		asofText = sampleAsOf
	}
	asof, err := time.Parse(time.DateOnly, asofText)
	if err != nil {
		return usagef("%s: --asof %q: want a date YYYY-MM-DD", name, asofText)
	}

	// Both input files are checked before either is read: a wrong path
	// fails at once.
	for _, in := range []struct{ flag, path string }{{"portfolio", f.portfolio}, {"market", f.market}} {
		if in.path != "" {
			if err := checkInputPath(in.flag, in.path); err != nil {
				return usagef("%s: %v", name, err)
			}
		}
	}
	mkt, err := openInput(ctx, "market", f.market, "market.csv")
	if err != nil {
		return usagef("%s: %v", name, err)
	}
	defer mkt.rc.Close()
	m, err := marketdata.Load(mkt.rc, mkt.name, asof)
	if err != nil {
		return usageError{err}
	}
	if err := marketWarnings(log, m.Warnings(), f.strict); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, mkt.rc); err != nil {
		return usageError{err}
	}
	log.Info("market loaded", "file", mkt.name, "quotes", len(m.Quotes()))

	pf, err := openInput(ctx, "portfolio", f.portfolio, "portfolio.csv")
	if err != nil {
		return usagef("%s: %v", name, err)
	}
	defer pf.rc.Close()
	pr, err := pricing.NewPortfolioReader(pf.rc, pf.name, asof)
	if err != nil {
		return usageError{err}
	}

	var w *reports.Writer
	if f.out != "" {
		w, err = reports.NewWriter(f.out, reports.WriterSettings{Validation: validate, SecondOrder: f.secondOrder})
		if err != nil {
			return usagef("%s: --out %s: %v", name, f.out, pathErr(err))
		}
		defer w.Abort()
	}
	// The report: its temporary file is created now, so that a path that
	// cannot be written fails the run before any pricing.
	var report *reports.Report
	var reportFile *reports.AtomicFile
	if f.report != "" {
		if err := reportClash(f.report, map[string]string{"portfolio": f.portfolio, "market": f.market}, f.out); err != nil {
			return usagef("%s: %v", name, err)
		}
		if err := prepareReport(f.report); err != nil {
			return usagef("%s: %v", name, err)
		}
		if reportFile, err = reports.CreateAtomic(f.report); err != nil {
			return usagef("%s: --report %s: %v", name, f.report, pathErr(err))
		}
		defer reportFile.Abort()
		report = reports.NewReport(reports.ReportSettings{})
	}

	mcDefaults := pricing.MCDefaults{Paths: f.paths, Seed: f.seed, Sequence: f.sequence, Antithetic: f.antithetic}
	prog := newProgress(log, line, pf.read, pf.size, mcDefaults)
	prog.second = f.secondOrder
	// strictFailed lists the first failed trades of a --strict run.
	var strictFailed []string
	// The summary is for a run without --out only: it keeps the first
	// trades listed, which a batch of millions writing files has no use for.
	var summary *reports.Summary
	if w == nil {
		summary = reports.NewSummary(summaryRows)
	}
	sink := reports.NewSink(w, report, summary)
	if f.part.Sharded() {
		log.Info("sharded run", "shard", f.part.String(), "from", f.partFrom)
	}
	next := func() (pricing.Item, error) {
		for {
			tr, err := pr.Next()
			if err != nil && tr == nil {
				if err == io.EOF {
					prog.EOF()
				}
				return pricing.Item{}, err
			}
			// Every row is read (and so checked for a duplicate trade_id),
			// but only the shard's are priced.
			if f.part.Has(tr.ID) {
				return pricing.Item{Trade: tr, Err: err, Paths: prog.Read(tr)}, nil
			}
		}
	}
	// Formatting the rows is most of the writing: the workers do it in
	// parallel (sink.Format), and emit, which runs in input order, only
	// copies bytes.
	finish := func(p pricing.Priced) reports.Formatted { return sink.Format(p.Result) }
	emit := func(p pricing.Priced, rows reports.Formatted) error {
		if ctx.Err() != nil {
			// Interrupted: what is still coming in is not the run's.
			return context.Cause(ctx)
		}
		r := p.Result
		prog.Emitted(r.Err != nil)
		if pe := (*montecarlo.PanicError)(nil); errors.As(r.Err, &pe) {
			// results.csv has the short message; the stack is for the log.
			log.Error("internal error", "trade_id", r.TradeID, "line", r.Line, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
		}
		if f.strict && (r.Err != nil || sink.Counts().Failed > 0) {
			// Nothing will be written: the rest is counting.
			if r.Err != nil && len(strictFailed) < strictListed {
				strictFailed = append(strictFailed, failedTrade(pf.name, r))
			}
			sink.Skip(p, rows)
			return nil
		}
		if r.Err != nil {
			log.Warn("trade failed", "trade_id", r.TradeID, "line", r.Line, "error", r.Err)
		}
		if len(r.Floored) > 0 {
			logFloored(log, r)
		}
		return sink.Add(p, rows)
	}
	opts := pricing.RunSettings{Workers: f.workers, Validate: validate, MC: mcDefaults, SecondOrder: f.secondOrder,
		PDE: pricing.PDEDefaults{Spots: f.gridSpots, Steps: f.gridSteps}}
	prog.Start()
	err = pricing.RunWith(ctx, m, opts, next, finish, emit)
	prog.Finish(err == nil)
	if err != nil {
		return usageError{err}
	}
	for _, in := range []struct {
		flag string
		in   *input
	}{{"portfolio", pf}, {"market", mkt}} {
		if err := in.in.unchanged(in.flag); err != nil {
			return err
		}
	}
	n := sink.Counts()
	ok, failed := n.OK, n.Failed
	if f.strict && failed > 0 {
		list := strings.Join(strictFailed, "\n  ")
		if more := failed - len(strictFailed); more > 0 {
			list += fmt.Sprintf("\n  and %d more", more)
		}
		return usagef("%s: --strict: %d of %d trades failed, nothing written:\n  %s", name, failed, ok+failed, list)
	}
	if _, err := io.Copy(io.Discard, pf.rc); err != nil {
		return usageError{err}
	}
	end := time.Now()

	man := &reports.Manifest{
		Version:      versionString(),
		Command:      name,
		Paths:        f.paths,
		GridSpots:    f.gridSpots,
		GridSteps:    f.gridSteps,
		Workers:      f.workers,
		AsOf:         asof.Format(time.DateOnly),
		Inputs:       []reports.InputFile{inputFile("portfolio", f.portfolio, pf), inputFile("market", f.market, mkt)},
		Seed:         f.seed,
		RNG:          f.rng,
		Antithetic:   f.antithetic,
		SecondOrder:  f.secondOrder,
		Shard:        f.part.String(),
		TradesOK:     ok,
		TradesFailed: failed,
		Start:        start.UTC(),
		End:          end.UTC(),
	}
	// The summary is formatted before anything is committed (a total can
	// fail it); the report is committed first and taken back if the files
	// fail, so that exit 2 still means nothing written (commitWithReport).
	var sum bytes.Buffer
	if w == nil {
		if err := summary.Write(&sum); err != nil {
			return err
		}
		if validate {
			fmt.Fprintf(&sum, "validation: %d figures checked against bump-and-revalue, %d outside tolerance\n", n.Figures, n.FiguresFailed)
		}
	}
	if err := commitWithReport(report, reportFile, man, f.report, w); err != nil {
		return err
	}
	if _, err := sum.WriteTo(stdout); err != nil {
		return err
	}
	secs := end.Sub(start).Seconds()
	log.Info("done", "trades_ok", ok, "trades_failed", failed, "seconds", secs, "trades_per_second", float64(ok+failed)/secs)
	var files []string
	if w != nil {
		files = append(slices.Clip(man.Files), reports.ManifestFile)
	}
	log.Info(wroteLine(files, f.out, f.report, w == nil))
	switch {
	case failed > 0:
		return failedError{fmt.Sprintf("%d of %d trades failed", failed, ok+failed)}
	case n.FiguresFailed > 0:
		return failedError{fmt.Sprintf("%d of %d figures disagree with bump-and-revalue", n.FiguresFailed, n.Figures)}
	}
	return nil
}

// failedTrade describes a failed trade for --strict's list: where it is,
// its trade_id and why it failed. An error that names its file already
// (a cell that could not be read) keeps its own line and column.
func failedTrade(file string, r *pricing.Result) string {
	msg := r.Err.Error()
	if strings.HasPrefix(msg, file+":") {
		return fmt.Sprintf("trade_id %q: %s", r.TradeID, msg)
	}
	return fmt.Sprintf("%s:%d: trade_id %q: %s", file, r.Line, r.TradeID, msg)
}

// ctxReader reads from r until ctx is done, then returns ctx's cause.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, context.Cause(c.ctx)
	}
	return c.r.Read(p)
}
