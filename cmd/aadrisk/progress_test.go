package main

import (
	"bytes"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/pricing"
)

func TestProgressBar(t *testing.T) {
	assert.Equal(t, "["+strings.Repeat(" ", 30)+"]   0%", bar(0))
	assert.Equal(t, "["+strings.Repeat("=", 15)+strings.Repeat(" ", 15)+"]  50%", bar(0.5))
	assert.Equal(t, "["+strings.Repeat("=", 30)+"] 100%", bar(1))
	assert.Equal(t, "["+strings.Repeat(" ", 30)+"]     ", bar(-1))
}

// progressTrades reads a closed-form trade and two Monte Carlo trades, of
// 1,000 paths with a spot (five simulations, the run, two at bumped spots
// for gamma and vanna and two at shifted vols for volga: 5,000 paths) and
// of 500 paths on a basket (three, the run and two for volga: 1,500).
func progressTrades(t *testing.T) []*pricing.Trade {
	const portfolio = `trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,weights,engine,paths
c1,european,ACME,USD,call,100,1Y,1,,,
m1,european,ACME,USD,call,100,1Y,1,,mc,1000
m2,basket,ACME|BETA,USD,call,100,1Y,1,1|1,,500
`
	trades, errs, err := pricing.ReadPortfolio(strings.NewReader(portfolio), "portfolio.csv", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	for i, e := range errs {
		require.NoError(t, e, trades[i].ID)
	}
	return trades
}

// TestProgressWeighsPathsAndNeverShowsTheEnd checks the fraction of work
// done: a Monte Carlo trade weighs its paths, a trade in flight counts the
// paths it has done, trades read but not started count as work to do, and
// the fraction stays below 1 until the run ends, even with every trade
// emitted.
func TestProgressWeighsPathsAndNeverShowsTheEnd(t *testing.T) {
	trades := progressTrades(t)
	file := &countingReader{r: strings.NewReader("")}
	file.n.Store(100)
	p := newProgress(slog.New(slog.DiscardHandler), nil, file, 100, pricing.MCDefaults{})
	p.start = time.Now()
	counters := make([]*atomic.Int64, len(trades))
	for i, tr := range trades {
		counters[i] = p.Read(tr)
	}
	assert.Nil(t, counters[0], "a closed-form trade has no paths")
	p.EOF()
	const total = 1 + 5000 + 1500
	at := p.start.Add(10 * time.Second)
	s := p.state(at)
	assert.Equal(t, 0.0, s.fraction(), "nothing done, everything read")
	_, ok := s.eta()
	assert.False(t, ok, "no rate yet, no estimate")

	p.Emitted(false)
	c1 := counters[1]
	c1.Add(1500)
	s = p.state(at)
	assert.Equal(t, int64(1), s.done)
	assert.Equal(t, int64(3), s.read)
	assert.Equal(t, int64(6500), s.flightPaths)
	assert.Equal(t, int64(1500), s.flightDone)
	assert.InDelta(t, (1.0+1500)/total, s.fraction(), 1e-12)
	eta, ok := s.eta()
	require.True(t, ok)
	assert.InDelta(t, 10*(total-1501.0)/1501, eta.Seconds(), 1e-6, "the time left at the rate so far")

	// A trade's paths beyond its weight (a validation's revaluations)
	// count no further than its weight.
	c1.Add(10_000)
	assert.InDelta(t, (1.0+5000)/total, p.state(at).fraction(), 1e-12)

	p.Emitted(true)
	p.Emitted(false)
	s = p.state(at)
	assert.Equal(t, int64(3), s.done)
	assert.Equal(t, int64(1), s.failed)
	assert.Equal(t, int64(0), s.flightPaths)
	assert.Equal(t, maxShare, s.fraction(), "all the work done, but the run has not ended")
}

// TestProgressEstimatesTheUnreadRest checks the total of a portfolio read
// in part: the work read so far, scaled by the share of the file read; and
// no fraction at all when the file's size is not known (a pipe).
func TestProgressEstimatesTheUnreadRest(t *testing.T) {
	trades := progressTrades(t)
	file := &countingReader{r: strings.NewReader("")}
	file.n.Store(250)
	p := newProgress(slog.New(slog.DiscardHandler), nil, file, 1000, pricing.MCDefaults{})
	p.start = time.Now()
	p.Read(trades[0])
	p.Read(trades[1])
	p.Emitted(false)
	s := p.state(p.start.Add(time.Second))
	assert.InDelta(t, 4*5001.0, s.total, 1e-9)
	assert.InDelta(t, 1/(4*5001.0), s.fraction(), 1e-12)

	pipe := newProgress(slog.New(slog.DiscardHandler), nil, file, -1, pricing.MCDefaults{})
	pipe.Read(trades[0])
	pipe.Emitted(false)
	assert.Equal(t, -1.0, pipe.state(time.Now()).fraction())
	assert.Contains(t, pipe.barLine(pipe.state(time.Now())), "1/1+ trades")
}

// TestProgressLogLine checks the fields of the log line written without a
// terminal, with a Monte Carlo trade in flight.
func TestProgressLogLine(t *testing.T) {
	trades := progressTrades(t)
	var out bytes.Buffer
	file := &countingReader{r: strings.NewReader("")}
	p := newProgress(slog.New(slog.NewTextHandler(&out, nil)), nil, file, -1, pricing.MCDefaults{})
	p.start = time.Now()
	p.Read(trades[0])
	p.Read(trades[1]).Add(700)
	p.EOF()
	p.Emitted(true)
	p.report(p.start.Add(4 * time.Second))
	line := out.String()
	for _, want := range []string{"msg=progress", "trades_done=1 ", "trades_read=2 ", "trades_failed=1 ", "trades_per_second=0.25 ",
		"inflight_paths_done=700 ", "inflight_paths=5000 ", "percent=14 ", "eta="} {
		assert.Contains(t, line, want)
	}
}

// TestBarWriterClearsTheBar checks that a log line on a terminal first
// erases the bar, and that the bar's last line is ended.
func TestBarWriterClearsTheBar(t *testing.T) {
	var out bytes.Buffer
	b := &barWriter{w: &out}
	b.draw("[==] 1/2")
	b.Write([]byte("level=WARN msg=x\n"))
	b.draw("[===] 2/2")
	b.end()
	assert.Equal(t, clearLine+"[==] 1/2"+clearLine+"level=WARN msg=x\n"+clearLine+"[===] 2/2\n", out.String())
}
