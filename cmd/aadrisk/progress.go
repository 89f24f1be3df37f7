package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"
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

// progress reports how far a run is: on a terminal, a bar on standard error
// (the share of the portfolio file read, the trades priced and their rate)
// rewritten a few times a second; otherwise (a batch under a scheduler, whose
// standard error is a log) a structured log line every progressEvery. The
// portfolio streams, so the number of trades is not known ahead: the share
// of the file read stands for it.
type progress struct {
	w     io.Writer
	log   *slog.Logger
	tty   bool
	read  *countingReader
	size  int64
	start time.Time
	last  time.Time
}

// progressEvery is the interval of progress log lines when standard error is
// not a terminal.
const progressEvery = 10 * time.Second

func newProgress(w io.Writer, log *slog.Logger, read *countingReader, size int64) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	now := time.Now()
	return &progress{w: w, log: log, tty: tty, read: read, size: size, start: now, last: now}
}

// share is the part of the portfolio read so far, or -1 if unknown.
func (p *progress) share() float64 {
	if p.size <= 0 || p.read == nil {
		return -1
	}
	return min(1, float64(p.read.n.Load())/float64(p.size))
}

func (p *progress) update(n int) {
	if n%64 != 0 { // time.Now is not free; 64 trades take well under a second
		return
	}
	now := time.Now()
	rate := float64(n) / now.Sub(p.start).Seconds()
	switch {
	case p.tty && now.Sub(p.last) > 200*time.Millisecond:
		p.last = now
		fmt.Fprintf(p.w, "\r%s %d trades, %.0f/s ", bar(p.share()), n, rate)
	case !p.tty && now.Sub(p.last) >= progressEvery:
		p.last = now
		args := []any{"trades", n, "trades_per_second", rate}
		if s := p.share(); s >= 0 {
			args = append(args, "portfolio_read_percent", int(100*s))
		}
		p.log.Info("progress", args...)
	}
}

func (p *progress) finish(n int) {
	if p.tty {
		fmt.Fprintf(p.w, "\r%s %d trades in %.1fs\n", bar(1), n, time.Since(p.start).Seconds())
	}
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
