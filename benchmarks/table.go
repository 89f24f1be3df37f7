package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"reflect"
	"text/tabwriter"
	"time"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// Row is one line of the table of the standard workloads: the time of each
// sub-benchmark, measured once in the same run, and their ratios.
type Row struct {
	ID, Workload     string
	Plain, AAD, Bump time.Duration
	Note             string
}

// TableSettings configure Table.
type TableSettings struct {
	// Scale divides the size of every workload (paths, options, trades):
	// 1 is the standard size, 10 a quick look.
	Scale int
	// Exe is the aadrisk executable that W5 runs; "" leaves W5 out.
	Exe string
	// Progress, when set, is told which workload starts.
	Progress func(id string)
}

// bumpSample is how many inputs of W3 and W4 the table bumps, evenly spread:
// their full bump-and-revalue takes minutes, and its time is proportional
// to the number of inputs.
const bumpSample = 16

// Table runs workloads W1 to W6 (divided by opt.Scale) and W8 (at its one
// size) once each, as benchmarks/README.md defines them, and returns their
// figures: what `aadrisk bench`
// prints. For the timings that `go test -bench` reports, with several runs,
// use the benchmarks of this package.
func Table(ctx context.Context, opt TableSettings) ([]Row, error) {
	scale := max(opt.Scale, 1)
	step := func(id string) {
		if opt.Progress != nil {
			opt.Progress(id)
		}
	}
	var rows []Row
	timed := func(f func() error) (time.Duration, error) {
		t0 := time.Now()
		err := f()
		return time.Since(t0), err
	}

	step("W1")
	n := 1_000_000 / scale
	opts := W1Options(n, 1)
	r := Row{ID: "W1", Workload: fmt.Sprintf("%d closed-form BSM calls, 5 sensitivities", n)}
	dst, greeks, tp := make([]float64, n), make([]Greeks, n), aad.NewTape(64)
	W1AAD(tp, opts[:1000], greeks) // warm the tape
	// Write every page of the outputs before timing: the first write to a
	// fresh page faults, tens of milliseconds for the aad pass's 48 MB in
	// this single timed pass, and a sixth of that for the plain pass's 8 MB.
	clear(dst)
	clear(greeks)
	r.Plain, r.AAD = W1Interleaved(tp, opts, dst, greeks)
	r.Bump, _ = timed(func() error { W1Bump(opts, greeks); return nil })
	rows = append(rows, r)

	mc := []struct {
		id, what string
		make     func(int) (*MCWorkload, error)
		plain    func(*MCWorkload) (interface{ Price() (float64, error) }, error)
		paths    int
		sample   bool
	}{
		{"W2", "arithmetic Asian, 252 steps, 5 inputs", W2, func(w *MCWorkload) (interface{ Price() (float64, error) }, error) { return NewAsianPlain(w) }, W2Paths, false},
		{"W3", "basket of 20, 52 steps, 251 inputs", W3, func(w *MCWorkload) (interface{ Price() (float64, error) }, error) { return NewBasketPlain(w) }, W3Paths, true},
		{"W4", "local-vol up-and-out, 156 steps, 1,203 inputs", W4, func(w *MCWorkload) (interface{ Price() (float64, error) }, error) {
			return NewLocalVolBarrierPlain(w)
		}, W4Paths, true},
	}
	for _, c := range mc {
		step(c.id)
		paths := max(c.paths/scale, 100)
		w, err := c.make(paths)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.id, err)
		}
		p, err := c.plain(w)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.id, err)
		}
		e := montecarlo.NewEngine(w.Market, 1)
		r := Row{ID: c.id, Workload: fmt.Sprintf("%s, %d paths, 1 worker", c.what, paths)}
		if r.Plain, err = timed(func() error { _, err := p.Price(); return err }); err != nil {
			return nil, fmt.Errorf("%s plain: %w", c.id, err)
		}
		var res *montecarlo.Result
		if r.AAD, err = timed(func() error { res, err = w.AAD(ctx, e); return err }); err != nil {
			return nil, fmt.Errorf("%s aad: %w", c.id, err)
		}
		all := quotes(res)
		bumped := all
		if c.sample {
			bumped = spread(all, bumpSample)
		}
		if r.Bump, err = timed(func() error { _, err := w.Bump(ctx, e, bumped, true); return err }); err != nil {
			return nil, fmt.Errorf("%s bump: %w", c.id, err)
		}
		if len(bumped) < len(all) {
			// One revaluation per input plus the base and theta.
			r.Bump = time.Duration(float64(r.Bump) * float64(len(all)+2) / float64(len(bumped)+2))
			r.Note = fmt.Sprintf("bump estimated from %d of %d revaluations", len(bumped)+2, len(all)+2)
		}
		r.Note = join(r.Note, fmt.Sprintf("%d tape bytes/path", res.PathBytes))
		rows = append(rows, r)
	}

	if opt.Exe != "" {
		step("W5")
		r, err := w5Row(ctx, opt.Exe, scale)
		if err != nil {
			return nil, fmt.Errorf("W5: %w", err)
		}
		rows = append(rows, r)
	}

	step("W6")
	w, err := W2(max(W2Paths/scale, 100))
	if err != nil {
		return nil, fmt.Errorf("W6: %w", err)
	}
	var one, two *montecarlo.Result
	t1, err1 := timed(func() (err error) { one, err = w.AAD(ctx, montecarlo.NewEngine(w.Market, 1)); return })
	t2, err2 := timed(func() (err error) { two, err = w.AAD(ctx, montecarlo.NewEngine(w.Market, 2)); return })
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("W6: %w", err)
	}
	same := "identical results"
	if !reflect.DeepEqual(one, two) {
		same = "RESULTS DIFFER"
	}
	rows = append(rows, Row{ID: "W6", Workload: "W2 on 1 worker against 2", Note: fmt.Sprintf("speed-up %.2f, %s", float64(t1)/float64(t2), same)})

	step("W8")
	r8, err := w8Row()
	if err != nil {
		return nil, fmt.Errorf("W8: %w", err)
	}
	return append(rows, r8), nil
}

// w8Row times W8 (at its one size) once, after a run of each pass: the
// plain twin, one aad run and a bump-and-revalue estimated from bumpSample
// inputs, with memory/full.
func w8Row() (Row, error) {
	w, err := W8()
	if err != nil {
		return Row{}, err
	}
	r := Row{ID: "W8", Workload: fmt.Sprintf("pde American under local vol, %d × %d, 1,203 inputs", W8Spots, W8Steps)}
	p, tp := NewW8Plain(w), aad.NewTape(0)
	// Warm both passes: the tape grows to its working size on its first
	// run, and a single timed run would count that.
	if _, err := p.Price(); err != nil {
		return Row{}, err
	}
	if _, _, _, _, err := w.AAD(tp, nil); err != nil {
		return Row{}, err
	}
	timed := func(f func() error) (time.Duration, error) {
		t0 := time.Now()
		err := f()
		return time.Since(t0), err
	}
	if r.Plain, err = timed(func() error { _, err := p.Price(); return err }); err != nil {
		return Row{}, err
	}
	var inputs []marketdata.Input
	if r.AAD, err = timed(func() (err error) { _, inputs, _, _, err = w.AAD(tp, nil); return err }); err != nil {
		return Row{}, err
	}
	all := make([]int, len(inputs))
	for i, in := range inputs {
		all[i] = in.Quote
	}
	bumped := spread(all, bumpSample)
	if r.Bump, err = timed(func() error { _, _, _, err := w.Bump(bumped, true); return err }); err != nil {
		return Row{}, err
	}
	r.Bump = time.Duration(float64(r.Bump) * float64(len(all)+2) / float64(len(bumped)+2))
	checkpointed, whole, _, err := W8Memory(tp.Stats(), p)
	if err != nil {
		return Row{}, err
	}
	r.Note = fmt.Sprintf("bump estimated from %d of %d revaluations; memory/full %.3f (%.1f of %.1f MB)",
		len(bumped)+2, len(all)+2, float64(checkpointed)/float64(whole), float64(checkpointed)/1e6, float64(whole)/1e6)
	return r, nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// w5Row runs `exe price` on W5's generated book.
func w5Row(ctx context.Context, exe string, scale int) (Row, error) {
	dir, err := os.MkdirTemp("", "aadrisk-w5-")
	if err != nil {
		return Row{}, err
	}
	defer os.RemoveAll(dir)
	w := W5Standard
	w.Trades /= scale
	market, portfolio, err := w.Write(dir)
	if err != nil {
		return Row{}, err
	}
	cmd := exec.CommandContext(ctx, exe, "price", "--portfolio", portfolio, "--market", market, "--asof", W5AsOf, "--out", dir+"/out", "--workers", "2")
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	d := time.Since(t0)
	if err != nil {
		return Row{}, fmt.Errorf("%v: %s", err, out)
	}
	rss := peakRSS(cmd.ProcessState)
	return Row{ID: "W5", Workload: fmt.Sprintf("aadrisk price, %d closed-form trades, 2 workers", w.Trades),
		Note: fmt.Sprintf("%.2f s, %.0f trades/s, peak RSS %d MiB", d.Seconds(), float64(w.Trades)/d.Seconds(), rss>>20)}, nil
}

// WriteTable prints rows as an aligned table.
func WriteTable(out io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tworkload\tplain\taad\tbump\taad/plain\tbump/aad\tnotes")
	ms := func(d time.Duration) string {
		if d == 0 {
			return ""
		}
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	ratio := func(a, b time.Duration) string {
		if a == 0 || b == 0 {
			return ""
		}
		return fmt.Sprintf("%.2f", float64(a)/float64(b))
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Workload, ms(r.Plain), ms(r.AAD), ms(r.Bump), ratio(r.AAD, r.Plain), ratio(r.Bump, r.AAD), r.Note)
	}
	return tw.Flush()
}

// spread returns k elements of xs evenly spread over it, the first and the
// last among them (all of xs if it has no more than k).
func spread(xs []int, k int) []int {
	if len(xs) <= k {
		return xs
	}
	out := make([]int, k)
	for i := range out {
		out[i] = xs[i*(len(xs)-1)/(k-1)]
	}
	return out
}
