package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aadrisk/aadrisk/batch"
	"github.com/aadrisk/aadrisk/pricing"
	"github.com/aadrisk/aadrisk/reports"
)

// aadrisk merge --out DIR SHARD_DIR...
//
// merge combines the output directories of the N shards of one batch into
// the files one unsharded run would have written, byte for byte:
//
//  1. It reads every shard's manifest.json and refuses, before writing
//     anything, a directory without one (a shard that did not complete), an
//     unsharded run, shards of different batches (a different version,
//     command, as-of date, input file SHA-256, seed, paths or N), a shard
//     given twice and a missing shard.
//  2. results.csv has no line numbers, so merge reads the portfolio again
//     (the file the manifests name, or --portfolio) and checks its SHA-256
//     against the manifests. For each of its rows, in order, it takes the
//     next row of results.csv of the shard of that trade_id
//     (batch.ShardOf), which must be that trade, and for an ok trade its
//     rows of sensitivities.csv and validation.csv; it hands them to a
//     reports.Writer, which writes them exactly as the unsharded run would
//     and sums risk.csv exactly, per risk factor and currency (the trade's,
//     from the portfolio), so that the totals do not depend on the
//     sharding.
//  3. Every row of every shard must be used, once: a shard with a row too
//     many or too few, or out of place, is refused, as is one whose counts
//     differ from its manifest's or one of whose files has another length
//     or CRC-32C than its manifest records. A damaged shard never loses a
//     trade, or a sensitivity, silently.
//
// It streams, in a pipeline: one goroutine reads the portfolio, one per
// shard reads its files and formats each trade's rows (the costly part, so
// it runs in parallel), and the calling goroutine takes the trades in
// portfolio order and hands them to the Writer. Memory holds a bounded
// number of trades in flight, the readers' buffers, and the set of trade
// IDs that the portfolio reader keeps to detect duplicates.

// mergeLogEvery is the interval of merge's progress log lines.
const mergeLogEvery = 10 * time.Second

// mergeSynopsis and mergeAbout are the first lines of merge's usage.
const (
	mergeSynopsis = "aadrisk merge [--portfolio FILE] [--report FILE.html] --out DIR SHARD_DIR..."
	mergeAbout    = `Combines the output directories of the shards of one batch (price or
validate with --shard K/N) into the files of the unsharded run.`
)

// mergeFlags are merge's flags.
type mergeFlags struct {
	out, portfolio, report string
}

// newMergeFlagSet returns merge's flags, into f.
func newMergeFlagSet(f *mergeFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.StringVar(&f.out, "out", "", "write the merged files to `dir` (required)")
	fs.StringVar(&f.portfolio, "portfolio", "", "the portfolio `file` the shards priced, if it is no longer where their manifests say")
	fs.StringVar(&f.report, "report", "", "also write a self-contained HTML risk report of the merged batch to `file`, creating its directory if needed")
	return fs
}

// mergeUsage writes merge's usage to w.
func mergeUsage(w io.Writer) {
	commandUsage(w, newMergeFlagSet(&mergeFlags{}), mergeSynopsis, mergeAbout)
}

func merge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var mf mergeFlags
	fs := newMergeFlagSet(&mf)
	if err := parseFlags(fs, args, stdout, mergeUsage); err != nil {
		return err
	}
	out, portfolio, reportPath := mf.out, mf.portfolio, mf.report
	if out == "" {
		return usagef("merge: --out DIR is required (usage: %s)", mergeSynopsis)
	}
	dirs := fs.Args()
	if len(dirs) == 0 {
		return usagef("merge: no shard directories (usage: %s)", mergeSynopsis)
	}
	for _, d := range dirs {
		if strings.HasPrefix(d, "-") {
			return usagef("merge: %q: flags go before the shard directories (usage: %s)", d, mergeSynopsis)
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	shards, err := readShards(dirs)
	if err != nil {
		return err
	}
	if err := checkOut(out, shards); err != nil {
		return err
	}
	ref := shards[0].man
	n := shards[0].part.N
	validate := ref.Command == "validate"
	if ref.Version != versionString() {
		log.Warn("the shards were priced by another version of aadrisk", "shards", ref.Version, "merge", versionString())
	}

	// The portfolio, to recover the input order.
	var want reports.InputFile
	for _, in := range ref.Inputs {
		if in.Name == "portfolio" {
			want = in
		}
	}
	if want.SHA256 == "" {
		return usagef("merge: %s: the manifest names no portfolio", shards[0].manifestPath())
	}
	path := want.Path
	if portfolio != "" {
		path = portfolio
	}
	asof, err := time.Parse(time.DateOnly, ref.AsOf)
	if err != nil {
		return usagef("merge: %s: as-of date %q", shards[0].manifestPath(), ref.AsOf)
	}
	if portfolio == "" && path != "" {
		if _, err := os.Stat(path); err != nil {
			return usagef("merge: the portfolio the shards priced, %s: %v (give --portfolio FILE if it moved)", path, pathErr(err))
		}
	}
	pf, err := openInput("portfolio", path, "portfolio.csv")
	if err != nil {
		return usagef("merge: %v", err)
	}
	defer pf.rc.Close()
	// checkHash reads the portfolio to its end and checks its SHA-256; on
	// an error the mismatch, if any, is the better explanation.
	checkHash := func() error {
		if _, err := io.Copy(io.Discard, pf.rc); err != nil {
			return usageError{err}
		}
		if got := pf.hash.Sum(); got != want.SHA256 {
			return usagef("merge: portfolio %s has SHA-256 %s, but the shards priced a file with SHA-256 %s: not the same file (give --portfolio with the file the shards read)", pf.name, got, want.SHA256)
		}
		return nil
	}
	pr, err := pricing.NewPortfolioReader(pf.rc, pf.name, asof)
	if err != nil {
		if herr := checkHash(); herr != nil {
			return herr
		}
		return usageError{err}
	}

	for _, s := range shards {
		if err := s.open(validate); err != nil {
			return err
		}
		defer s.close()
	}

	var report *reports.Report
	var reportFile *reports.AtomicFile
	if reportPath != "" {
		if err := prepareReport(reportPath); err != nil {
			return usagef("merge: %v", err)
		}
		if reportFile, err = reports.CreateAtomic(reportPath); err != nil {
			return usagef("merge: --report %s: %v", reportPath, pathErr(err))
		}
		defer reportFile.Abort()
		report = reports.NewReport(reports.ReportOptions{})
	}
	w, err := reports.NewWriter(out, reports.Options{Validation: validate})
	if err != nil {
		return usagef("merge: --out %s: %v", out, pathErr(err))
	}
	defer w.Abort()

	log.Info("merging", "shards", n, "command", ref.Command, "as_of", ref.AsOf, "portfolio", pf.name, "out", out)
	start := time.Now()
	m := newMerger(ctx, w, report, pr, shards, validate)
	err = m.run(log)
	m.stop() // every goroutine is done with the files from here on
	if err == nil {
		err = checkHash()
	} else if herr := checkHash(); herr != nil {
		return herr // a different portfolio explains any other error
	}
	if err == nil {
		err = m.finish()
	}
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return m.explain(err)
	}

	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	man := mergedManifest(shards)
	if err := w.Commit(man); err != nil {
		return err
	}
	if report != nil {
		if err := report.Write(reportFile, man); err != nil {
			return err
		}
		if err := reportFile.Commit(); err != nil {
			return err
		}
	}
	log.Info("merged", "shards", n, "trades_ok", m.ok, "trades_failed", m.failed, "out", out, "seconds", time.Since(start).Seconds())
	log.Info(wroteLine(append(slices.Clip(man.Files), reports.ManifestFile), out, reportPath, false))
	switch {
	case m.failed > 0:
		return failedError{fmt.Sprintf("%d of %d trades failed", m.failed, m.ok+m.failed)}
	case m.valFailed > 0:
		return failedError{fmt.Sprintf("%d of %d figures disagree with bump-and-revalue", m.valFailed, m.valRows)}
	}
	return nil
}

// mergedManifest is the manifest of the merged files: the batch's version,
// command, as-of date, inputs (as the first shard's manifest names them),
// seed and paths; no shard; Workers is the total of the shards'; Start is
// the earliest start of a shard and End the latest end, so that the
// manifest times the batch's pricing (not the merge) and merging the same
// shards again gives the same manifest. Commit sets the counts and files.
func mergedManifest(shards []*shardDir) *reports.Manifest {
	ref := shards[0].man
	man := &reports.Manifest{
		Version:    ref.Version,
		Command:    ref.Command,
		AsOf:       ref.AsOf,
		Inputs:     slices.Clone(ref.Inputs),
		Seed:       ref.Seed,
		Paths:      ref.Paths,
		RNG:        ref.RNG,
		Antithetic: ref.Antithetic,
		Start:      ref.Start,
		End:        ref.End,
	}
	for _, s := range shards {
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

// shardDir is the output directory of one shard.
type shardDir struct {
	dir  string
	man  *reports.Manifest
	part batch.Shard

	files   []*os.File
	sums    []*checked // the files read, with their checksums
	results *reports.ResultsReader
	sens    peeker[reports.SensitivityRow]
	valid   peeker[pricing.Validation]
	// ok and failed count the rows of results.csv used, sens and valid
	// those of sensitivities.csv and validation.csv.
	ok, failed, sensRows, validRows int
}

// checked is a file of a shard read through a checksum, with what its
// manifest says of it.
type checked struct {
	path string
	sum  *reports.ChecksumReader
	want reports.OutputFile
}

func (s *shardDir) manifestPath() string { return filepath.Join(s.dir, reports.ManifestFile) }

// name describes the shard in messages.
func (s *shardDir) name() string { return fmt.Sprintf("shard %s (%s)", s.part, s.dir) }

// readShards reads the manifests of the shard directories and checks that
// they are the N shards of one batch, once each; it returns them in shard
// order.
func readShards(dirs []string) ([]*shardDir, error) {
	var shards []*shardDir
	for _, d := range dirs {
		s := &shardDir{dir: d}
		if st, err := os.Stat(d); err != nil {
			return nil, usagef("merge: shard directory %s: %v", d, pathErr(err))
		} else if !st.IsDir() {
			return nil, usagef("merge: shard directory %s: is not a directory", d)
		}
		m, err := reports.ReadManifestFile(s.manifestPath())
		if errors.Is(err, os.ErrNotExist) {
			return nil, usagef("merge: %s has no %s: not the output of a completed run (a shard that failed or is still running?)", d, reports.ManifestFile)
		}
		if err != nil {
			return nil, usagef("merge: %v", err)
		}
		if m.Shard == "" {
			return nil, usagef("merge: %s is the output of an unsharded run (its manifest has no shard): there is nothing to merge", d)
		}
		part, err := batch.ParseShard(m.Shard)
		if err != nil {
			return nil, usagef("merge: %s: shard %v", s.manifestPath(), err)
		}
		s.man, s.part = m, part
		if err := s.checkFiles(); err != nil {
			return nil, err
		}
		shards = append(shards, s)
	}

	ref := shards[0]
	for _, s := range shards[1:] {
		if diffs := batchDiffs(ref, s); len(diffs) > 0 {
			return nil, usagef("merge: %s and %s are not shards of the same batch: %s", s.dir, ref.dir, strings.Join(diffs, "; "))
		}
	}
	n := ref.part.N
	byK := make([]*shardDir, n+1)
	for _, s := range shards {
		if o := byK[s.part.K]; o != nil {
			return nil, usagef("merge: shard %s is given twice: %s and %s", s.part, o.dir, s.dir)
		}
		byK[s.part.K] = s
	}
	var missing []string
	for k := 1; k <= n; k++ {
		if byK[k] == nil {
			missing = append(missing, fmt.Sprintf("%d/%d", k, n))
		}
	}
	if len(missing) > 0 {
		if len(missing) > 10 {
			missing = append(missing[:10], fmt.Sprintf("and %d more", len(missing)-10))
		}
		return nil, usagef("merge: the batch has %d shards but %s %s missing: merge needs all of them", n, strings.Join(missing, ", "), plural(len(missing), "is", "are"))
	}
	return byK[1:], nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// batchDiffs lists what makes s and ref shards of different batches.
func batchDiffs(ref, s *shardDir) []string {
	a, b := ref.man, s.man
	var d []string
	diff := func(what string, x, y any) {
		d = append(d, fmt.Sprintf("%s %v, not %v", what, y, x))
	}
	if a.Version != b.Version {
		diff("version", a.Version, b.Version)
	}
	if a.Command != b.Command {
		diff("command", a.Command, b.Command)
	}
	if a.AsOf != b.AsOf {
		diff("as-of", a.AsOf, b.AsOf)
	}
	if a.Seed != b.Seed {
		diff("seed", a.Seed, b.Seed)
	}
	if a.Paths != b.Paths {
		diff("paths", a.Paths, b.Paths)
	}
	if a.RNG != b.RNG {
		diff("rng", a.RNG, b.RNG)
	}
	if a.Antithetic != b.Antithetic {
		diff("antithetic", a.Antithetic, b.Antithetic)
	}
	if ref.part.N != s.part.N {
		diff("number of shards", ref.part.N, s.part.N)
	}
	sums := func(m *reports.Manifest) map[string]string {
		x := make(map[string]string)
		for _, in := range m.Inputs {
			x[in.Name] = in.SHA256
		}
		return x
	}
	sa, sb := sums(a), sums(b)
	var names []string
	for k := range sa {
		names = append(names, k)
	}
	for k := range sb {
		if _, ok := sa[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		if sa[k] != sb[k] {
			diff(k+" SHA-256", orNone(sa[k]), orNone(sb[k]))
		}
	}
	return d
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// checkFiles checks that the manifest lists the files of its command.
func (s *shardDir) checkFiles() error {
	want := []string{reports.ResultsFile, reports.SensitivitiesFile, reports.RiskFile}
	if s.man.Command == "validate" {
		want = append(want, reports.ValidationFile)
	}
	for _, f := range want {
		if !slices.Contains(s.man.Files, f) {
			return usagef("merge: %s does not list %s among the files of the run", s.manifestPath(), f)
		}
		if _, ok := s.man.Output(f); !ok {
			return usagef("merge: %s does not describe %s (its rows, length and CRC-32C): not a manifest that merge can check", s.manifestPath(), f)
		}
	}
	return nil
}

// checkOut refuses an output directory that is one of the shards'.
func checkOut(out string, shards []*shardDir) error {
	ost, err := os.Stat(out)
	if err != nil {
		return nil // it does not exist yet
	}
	for _, s := range shards {
		if st, err := os.Stat(s.dir); err == nil && os.SameFile(ost, st) {
			return usagef("merge: --out %s is the directory of %s: write the merged files elsewhere", out, s.name())
		}
	}
	return nil
}

// open opens the shard's files.
func (s *shardDir) open(validate bool) error {
	openFile := func(name string) (io.Reader, string, error) {
		p := filepath.Join(s.dir, name)
		f, err := os.Open(p)
		if err != nil {
			return nil, p, usagef("merge: %s: %v", s.name(), err)
		}
		s.files = append(s.files, f)
		want, _ := s.man.Output(name) // checkFiles checked it is there
		c := &checked{path: p, sum: reports.NewChecksumReader(f), want: want}
		s.sums = append(s.sums, c)
		return c.sum, p, nil
	}
	f, p, err := openFile(reports.ResultsFile)
	if err != nil {
		return err
	}
	if s.results, err = reports.NewResultsReader(f, p); err != nil {
		return usageError{err}
	}
	f, p, err = openFile(reports.SensitivitiesFile)
	if err != nil {
		return err
	}
	sr, err := reports.NewSensitivitiesReader(f, p)
	if err != nil {
		return usageError{err}
	}
	s.sens = peeker[reports.SensitivityRow]{next: sr.Next, line: sr.Line, file: p}
	if validate {
		f, p, err = openFile(reports.ValidationFile)
		if err != nil {
			return err
		}
		vr, err := reports.NewValidationReader(f, p)
		if err != nil {
			return usageError{err}
		}
		s.valid = peeker[pricing.Validation]{next: vr.Next, line: vr.Line, file: p}
	}
	return nil
}

// verify reads the shard's files to their ends and checks their lengths
// and CRC-32Cs against the manifest: a file changed after the run wrote it
// is refused, whatever its rows. It can be called again.
func (s *shardDir) verify() error {
	for _, c := range s.sums {
		if _, err := io.Copy(io.Discard, c.sum); err != nil {
			return usagef("merge: %s: %s: %v", s.name(), c.path, err)
		}
		if c.sum.N() != c.want.Bytes || c.sum.CRC32C() != c.want.CRC32C {
			return usagef("merge: %s: %s is not the file the run wrote: %d bytes with CRC-32C %s, but its manifest says %d bytes with CRC-32C %s: the shard is damaged",
				s.name(), c.path, c.sum.N(), c.sum.CRC32C(), c.want.Bytes, c.want.CRC32C)
		}
	}
	return nil
}

// rowCounts checks the rows used against the manifest's counts.
func (s *shardDir) rowCounts() error {
	if s.ok != s.man.TradesOK || s.failed != s.man.TradesFailed {
		return usagef("merge: %s: %s has %d ok and %d failed trades, but its manifest says %d and %d: the shard is damaged", s.name(), reports.ResultsFile, s.ok, s.failed, s.man.TradesOK, s.man.TradesFailed)
	}
	for _, c := range s.sums {
		used := -1
		switch filepath.Base(c.path) {
		case reports.SensitivitiesFile:
			used = s.sensRows
		case reports.ValidationFile:
			used = s.validRows
		}
		if used >= 0 && used != c.want.Rows {
			return usagef("merge: %s: %d rows of %s belong to its trades, but its manifest says it has %d: the shard is damaged", s.name(), used, c.path, c.want.Rows)
		}
	}
	return nil
}

func (s *shardDir) close() {
	for _, f := range s.files {
		f.Close()
	}
	s.files = nil
}

// peeker reads rows ahead by one, so that a trade's rows can be taken while
// they are the trade's.
type peeker[T any] struct {
	next func(*T) error
	line func() int
	file string
	row  T
	have bool  // row is read and not yet taken
	err  error // io.EOF or the error that ended the file
}

// peek returns the next row without taking it; io.EOF at the end.
func (p *peeker[T]) peek() (*T, error) {
	if !p.have && p.err == nil {
		if err := p.next(&p.row); err != nil {
			p.err = err
		} else {
			p.have = true
		}
	}
	if p.have {
		return &p.row, nil
	}
	return nil, p.err
}

func (p *peeker[T]) take() { p.have = false }

// The sizes of the pipeline: the portfolio goes in batches of
// portfolioBatch trades; each shard sends batches of trades, at most
// shardBatchTrades/N (within [4, 256]) so that the trades in flight stay
// bounded whatever N, two batches ahead at most.
const (
	portfolioBatch   = 1024
	shardBatchTrades = 4096
	batchesAhead     = 2
)

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

// shardTrade is one trade of a shard: its ID and its rows, formatted.
type shardTrade struct {
	id    string
	line  int // in results.csv
	ok    bool
	rows  *reports.Rows
	valid []pricing.Validation
	// res is the trade's result, with its sensitivities, for the report
	// (nil without one).
	res *pricing.Result
}

// shardTrades is a batch of a shard's trades; err, in the last batch, is
// io.EOF or the error that ended the shard.
type shardTrades struct {
	trades []shardTrade
	err    error
}

// merger runs the pipeline and takes the trades in portfolio order.
type merger struct {
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	w        *reports.Writer
	report   *reports.Report // nil without --report
	validate bool
	shards   []*shardDir

	portfolio chan *portfolioRows
	streams   []shardStream
	rows      sync.Pool // of *reports.Rows

	ok, failed, valRows, valFailed int
}

// shardStream is the calling goroutine's end of a shard's batches.
type shardStream struct {
	s   *shardDir
	ch  chan *shardTrades
	cur *shardTrades
	pos int
}

// newMerger starts the goroutines that read the portfolio and the shards.
func newMerger(ctx context.Context, w *reports.Writer, report *reports.Report, pr *pricing.PortfolioReader, shards []*shardDir, validate bool) *merger {
	m := &merger{w: w, report: report, validate: validate, shards: shards, portfolio: make(chan *portfolioRows, batchesAhead)}
	m.ctx, m.cancel = context.WithCancel(ctx)
	m.rows.New = func() any { return new(reports.Rows) }
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.readPortfolio(pr)
	}()
	batch := min(max(shardBatchTrades/len(shards), 4), 256)
	m.streams = make([]shardStream, len(shards))
	for i, s := range shards {
		st := &m.streams[i]
		st.s, st.ch = s, make(chan *shardTrades, batchesAhead)
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.readShard(s, st.ch, batch)
		}()
	}
	return m
}

// stop stops the goroutines and waits for them.
func (m *merger) stop() {
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
func (m *merger) readPortfolio(pr *pricing.PortfolioReader) {
	b := &portfolioRows{}
	for {
		tr, err := pr.Next()
		if err == io.EOF || tr == nil {
			if err != io.EOF {
				err = usageError{err}
			}
			b.err = err
			send(m.ctx, m.portfolio, b)
			return
		}
		ref := tradeRef{id: tr.ID, line: tr.Line}
		if tr.Instrument != nil {
			ref.underlying, ref.currency = tr.Instrument.Spot(), tr.Instrument.Currency()
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
func (m *merger) readShard(s *shardDir, ch chan<- *shardTrades, size int) {
	var r pricing.Result
	b := &shardTrades{trades: make([]shardTrade, 0, size)}
	for {
		err := m.readTrade(s, &r, b)
		if err == io.EOF {
			err = s.leftovers(m.validate)
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

// readTrade reads the next trade of shard s into b; io.EOF at the end.
func (m *merger) readTrade(s *shardDir, r *pricing.Result, b *shardTrades) error {
	err := s.results.Next(r)
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return usagef("merge: %s: %v", s.name(), err)
	}
	t := shardTrade{id: r.TradeID, line: s.results.Line(), ok: r.Err == nil}
	if t.ok {
		s.ok++
		if err := takeRows(&s.sens, r.TradeID, s, sensID, func(x *reports.SensitivityRow) { r.Sens = append(r.Sens, x.Sensitivity) }); err != nil {
			return err
		}
		s.sensRows += len(r.Sens)
		if m.validate {
			if err := takeRows(&s.valid, r.TradeID, s, validID, func(v *pricing.Validation) { t.valid = append(t.valid, *v) }); err != nil {
				return err
			}
			s.validRows += len(t.valid)
		}
	} else {
		s.failed++
	}
	t.rows = m.rows.Get().(*reports.Rows)
	if err := t.rows.Format(r); err != nil {
		return usagef("merge: %s: %v", s.name(), err)
	}
	if m.report != nil {
		res := *r
		res.Sens = slices.Clone(r.Sens)
		t.res = &res
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
// writes them.
func (m *merger) run(log *slog.Logger) error {
	n := len(m.shards)
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
			if err := m.add(tr, &m.streams[batch.ShardOf(tr.id, n)-1]); err != nil {
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
		if now := time.Now(); now.Sub(lastLog) >= mergeLogEvery {
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
			return usagef("merge: %s: %s:%d: trade %q is not in the portfolio at its place: the shard is not of this portfolio, or is damaged", st.s.name(), filepath.Join(st.s.dir, reports.ResultsFile), t.line, t.id)
		case err != io.EOF:
			return err
		}
	}
	return nil
}

// add writes the portfolio's trade tr, taken from its shard's stream.
func (m *merger) add(tr tradeRef, st *shardStream) error {
	t, err := st.next(m.ctx)
	if err == io.EOF {
		return usagef("merge: %s: %s ends before trade %q (portfolio line %d): the shard is incomplete or is not of this portfolio", st.s.name(), reports.ResultsFile, tr.id, tr.line)
	}
	if err != nil {
		return err
	}
	if t.id != tr.id {
		return usagef("merge: %s: %s:%d has trade %q where trade %q (portfolio line %d) was expected: the shard is not of this portfolio, or is damaged", st.s.name(), filepath.Join(st.s.dir, reports.ResultsFile), t.line, t.id, tr.id, tr.line)
	}
	if t.ok {
		m.ok++
	} else {
		m.failed++
	}
	// results.csv has no currency: the portfolio gives the one the trade's
	// sensitivities are summed in for risk.csv, as in the unsharded run.
	t.rows.SetCurrency(tr.currency)
	err = m.w.AddRows(t.rows)
	m.rows.Put(t.rows)
	t.rows = nil
	if err != nil {
		return err
	}
	if m.report != nil {
		t.res.Underlying, t.res.Currency, t.res.Line = tr.underlying, tr.currency, tr.line
		err := m.report.Add(t.res)
		t.res = nil
		if err != nil {
			return err
		}
		if err := m.report.AddValidation(t.valid); err != nil {
			return err
		}
	}
	if m.validate {
		for _, v := range t.valid {
			m.valRows++
			if !v.OK {
				m.valFailed++
			}
		}
		return m.w.AddValidation(t.valid)
	}
	return nil
}

func sensID(x *reports.SensitivityRow) string { return x.TradeID }
func validID(v *pricing.Validation) string    { return v.TradeID }

// takeRows takes the rows at the head of p that belong to trade id (idOf
// gives a row's).
func takeRows[T any](p *peeker[T], id string, s *shardDir, idOf func(*T) string, use func(*T)) error {
	for {
		row, err := p.peek()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return usagef("merge: %s: %v", s.name(), err)
		}
		if idOf(row) != id {
			return nil
		}
		use(row)
		p.take()
	}
}

// leftovers refuses, at the end of results.csv, a row of sensitivities.csv
// or validation.csv that no trade took.
func (s *shardDir) leftovers(validate bool) error {
	if err := leftover(&s.sens, s, sensID); err != nil {
		return err
	}
	if validate {
		return leftover(&s.valid, s, validID)
	}
	return nil
}

// finish checks, once the goroutines are done, that the shards' counts,
// lengths and checksums are their manifests'.
func (m *merger) finish() error {
	for _, s := range m.shards {
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
func (m *merger) explain(err error) error {
	for _, s := range m.shards {
		if verr := s.verify(); verr != nil {
			return verr
		}
	}
	return err
}

// leftover refuses a row of p that was not taken.
func leftover[T any](p *peeker[T], s *shardDir, id func(*T) string) error {
	row, err := p.peek()
	switch {
	case err == io.EOF:
		return nil
	case err != nil:
		return usagef("merge: %s: %v", s.name(), err)
	}
	return usagef("merge: %s: %s:%d: a row of trade %q that is not with that trade's row of %s (not an ok trade of the shard, or out of order): the shard is damaged", s.name(), p.file, p.line(), id(row), reports.ResultsFile)
}
