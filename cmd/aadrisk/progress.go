package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aadrisk/aadrisk/pricing"
)

// countingReader counts the bytes read through it; the count may be read
// from another goroutine.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// progress reports how far a run is, from a goroutine of its own that
// reads what the run counts, so that a report comes on time however long
// a trade takes: on a terminal, a bar on standard error redrawn every
// barEvery; otherwise (a batch under a scheduler, whose standard error is
// a log) a structured log line every progressEvery.
//
// The work of a run is counted in paths: a Monte Carlo trade weighs the
// paths its pricing simulates (pricing.SimulatedPaths), a closed-form
// trade one. Work done is the weight of the trades emitted plus the paths
// done so far of the trades in flight (read, not yet emitted); a trade
// read ahead but not started is work to do. The portfolio streams, so
// until it has been read to its end the work still unread is estimated
// from the share of the file read, at the weight per byte of the trades
// read so far. The fraction shown never reaches 100% before the run ends.
type progress struct {
	log   *slog.Logger
	tty   bool
	file  *countingReader
	size  int64
	start time.Time
	def   pricing.MCDefaults
	// second is --second-order, which simulates more paths.
	second bool

	// mu guards what the run's reader and emitter count, for the
	// reporter: the trades read, done and failed, their work, and flight,
	// the trades read and not yet emitted, in input order (Run emits in
	// the order it reads).
	mu                 sync.Mutex
	read, done, failed int64
	readWork, doneWork int64
	eof                bool
	flight             []flying

	stop chan struct{}
	wg   sync.WaitGroup
	// line is the terminal's bar, shared with the log so that a log line
	// first clears the bar (nil without a terminal).
	line *barWriter
}

// flying is a trade in flight: its weight and, for a Monte Carlo trade,
// the paths it has simulated so far.
type flying struct {
	work  int64
	paths *atomic.Int64
}

// progressEvery is the interval of progress log lines when standard error is
// not a terminal; barEvery that of the bar on a terminal.
const (
	progressEvery = 10 * time.Second
	barEvery      = 200 * time.Millisecond
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// newRunLog returns the logger of a run, on stderr, and, when stderr is a
// terminal, the writer that the logger shares with the progress bar (nil
// otherwise), so that a log line does not run into the bar.
func newRunLog(stderr io.Writer) (*slog.Logger, *barWriter) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if !isTerminal(stderr) {
		return slog.New(slog.NewTextHandler(stderr, opts)), nil
	}
	line := &barWriter{w: stderr}
	return slog.New(slog.NewTextHandler(line, opts)), line
}

// newProgress returns a reporter for a run whose portfolio is read through
// file, of size bytes (-1 if not known), with the Monte Carlo defaults
// def: a bar on line when it is not nil (a terminal), else log lines.
// Start starts it.
func newProgress(log *slog.Logger, line *barWriter, file *countingReader, size int64, def pricing.MCDefaults) *progress {
	return &progress{log: log, line: line, tty: line != nil, file: file, size: size, def: def, stop: make(chan struct{})}
}

// Start starts the reporter's clock and goroutine.
func (p *progress) Start() {
	p.start = time.Now()
	every := progressEvery
	if p.tty {
		every = barEvery
	}
	p.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case now := <-t.C:
				p.report(now)
			}
		}
	})
}

// Read counts a trade read to be priced and returns the counter of its
// simulated paths for pricing.Item.Paths (nil for a closed-form trade).
// It is called in input order.
func (p *progress) Read(tr *pricing.Trade) *atomic.Int64 {
	f := flying{work: 1}
	if n := pricing.SimulatedPaths(tr, p.def, p.second); n > 0 {
		f = flying{work: n, paths: new(atomic.Int64)}
	}
	p.mu.Lock()
	p.flight = append(p.flight, f)
	p.read++
	p.readWork += f.work
	p.mu.Unlock()
	return f.paths
}

// EOF notes that the portfolio has been read to its end.
func (p *progress) EOF() {
	p.mu.Lock()
	p.eof = true
	p.mu.Unlock()
}

// Emitted counts the next trade in input order as done.
func (p *progress) Emitted(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.flight) > 0 {
		p.doneWork += p.flight[0].work
		p.flight = p.flight[1:]
	}
	p.done++
	if failed {
		p.failed++
	}
}

// progressState is the state of a run at one moment.
type progressState struct {
	done, read, failed int64
	// work and total are the work done and the whole run's work, in paths
	// (see progress); total is 0 when it cannot be estimated.
	work, total float64
	// flightPaths and flightDone are the paths of the Monte Carlo trades
	// in flight and those of them simulated so far.
	flightPaths, flightDone int64
	elapsed                 time.Duration
	// eof is whether the portfolio has been read to its end.
	eof bool
}

// fraction is the share of the work done, below 1 until the run ends; -1
// when the total is not known.
func (s progressState) fraction() float64 {
	if s.total <= 0 {
		return -1
	}
	return min(s.work/s.total, maxShare)
}

// maxShare is the most the fraction shows before the end: a run that has
// done all the work it knows of is still writing its files.
const maxShare = 0.99

// eta is the time left at the rate of work done so far; false when there
// is no estimate yet.
func (s progressState) eta() (time.Duration, bool) {
	if s.total <= 0 || s.work <= 0 || s.elapsed <= 0 {
		return 0, false
	}
	left := max(s.total-s.work, 0)
	return time.Duration(float64(s.elapsed) * left / s.work), true
}

func (p *progress) state(now time.Time) progressState {
	s := progressState{elapsed: now.Sub(p.start)}
	p.mu.Lock()
	s.done, s.read, s.failed = p.done, p.read, p.failed
	s.total = float64(p.readWork)
	eof := p.eof
	for _, f := range p.flight {
		if f.paths != nil {
			s.flightPaths += f.work
			// A validated trade simulates more than its weight: its
			// revaluations are not known ahead.
			s.flightDone += min(f.paths.Load(), f.work)
		}
	}
	s.work = float64(p.doneWork + s.flightDone)
	p.mu.Unlock()
	s.eof = eof
	if !eof {
		// The rest of the file at the weight per byte read so far.
		switch got := p.file.n.Load(); {
		case p.size > 0 && got > 0:
			s.total *= max(float64(p.size)/float64(got), 1)
		default:
			s.total = 0
		}
	}
	return s
}

// report writes one report: a log line or the bar.
func (p *progress) report(now time.Time) {
	s := p.state(now)
	if p.tty {
		p.line.draw(p.barLine(s))
		return
	}
	rate := float64(s.done) / s.elapsed.Seconds()
	args := []any{"trades_done", s.done, "trades_read", s.read, "trades_failed", s.failed, "trades_per_second", round3(rate)}
	if s.flightPaths > 0 {
		args = append(args, "inflight_paths_done", s.flightDone, "inflight_paths", s.flightPaths)
	}
	if f := s.fraction(); f >= 0 {
		args = append(args, "percent", int(100*f))
	}
	if eta, ok := s.eta(); ok {
		args = append(args, "eta", eta.Round(time.Second).String())
	}
	p.log.Info("progress", args...)
}

// round3 rounds x to three significant figures, for a rate that reads well
// in a log.
func round3(x float64) float64 {
	if x == 0 {
		return 0
	}
	f, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 3, 64), 64)
	if err != nil {
		return x
	}
	return f
}

// barLine is the bar's text for s.
func (p *progress) barLine(s progressState) string {
	var b strings.Builder
	b.WriteString(bar(s.fraction()))
	// "+": more trades to read.
	more := ""
	if !s.eof {
		more = "+"
	}
	fmt.Fprintf(&b, " %d/%d%s trades", s.done, s.read, more)
	if s.failed > 0 {
		fmt.Fprintf(&b, ", %d failed", s.failed)
	}
	if s.flightPaths > 0 {
		fmt.Fprintf(&b, ", paths %s/%s in flight", count(s.flightDone), count(s.flightPaths))
	}
	if eta, ok := s.eta(); ok {
		fmt.Fprintf(&b, ", ETA %s", eta.Round(time.Second))
	}
	return b.String()
}

// count writes n briefly: 950, 12.5k, 3.2M.
func count(n int64) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1e4:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

// Finish stops the reporter; on a terminal it draws the last bar, full
// only if the run completed.
func (p *progress) Finish(completed bool) {
	close(p.stop)
	p.wg.Wait()
	if !p.tty {
		return
	}
	s := p.state(time.Now())
	if completed {
		p.line.draw(fmt.Sprintf("%s %d trades in %.1fs", bar(1), s.done, s.elapsed.Seconds()))
	} else {
		p.line.draw(p.barLine(s))
	}
	p.line.end()
}

// bar draws share (0 to 1) as a 30-character bar with a percentage; an
// unknown share (-1) gives an empty bar.
func bar(share float64) string {
	const width = 30
	if share < 0 {
		return "[" + strings.Repeat(" ", width) + "]     "
	}
	full := int(share * width)
	return fmt.Sprintf("[%s%s] %3d%%", strings.Repeat("=", full), strings.Repeat(" ", width-full), int(100*share))
}

// barWriter is a terminal's standard error shared by the bar and the log:
// a log line first clears the bar's line, and the next draw puts the bar
// back below it.
type barWriter struct {
	mu    sync.Mutex
	w     io.Writer
	shown bool
}

// clearLine returns the cursor to the start of the line and erases it.
const clearLine = "\r\x1b[K"

func (b *barWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.shown {
		io.WriteString(b.w, clearLine)
		b.shown = false
	}
	return b.w.Write(p)
}

func (b *barWriter) draw(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	io.WriteString(b.w, clearLine+line)
	b.shown = true
}

// end ends the bar's line, so that what follows starts on a line of its
// own.
func (b *barWriter) end() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.shown {
		io.WriteString(b.w, "\n")
		b.shown = false
	}
}
