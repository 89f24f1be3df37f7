package benchmarks

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// buildCommand builds the aadrisk command into a temporary directory, so
// that W5 measures the real binary, its peak RSS included.
func buildCommand(tb testing.TB) string {
	tb.Helper()
	// go test puts its own go command first on PATH.
	goBin, err := exec.LookPath("go")
	if err != nil {
		tb.Fatalf("building aadrisk: %v", err)
	}
	bin := filepath.Join(tb.TempDir(), "aadrisk")
	cmd := exec.Command(goBin, "build", "-o", bin, "github.com/aadrisk/aadrisk/cmd/aadrisk")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("building aadrisk: %v\n%s", err, out)
	}
	return bin
}

// runW5 runs `aadrisk price` on the workload's files with 2 workers and
// returns its wall time and peak RSS in bytes.
func runW5(tb testing.TB, bin, market, portfolio, out string) (time.Duration, int64) {
	tb.Helper()
	os.RemoveAll(out)
	cmd := exec.Command(bin, "price", "--portfolio", portfolio, "--market", market,
		"--asof", W5AsOf, "--out", out, "--workers", "2")
	start := time.Now()
	msg, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		tb.Fatalf("aadrisk price: %v\n%s", err, tail(msg))
	}
	return wall, peakRSS(cmd.ProcessState)
}

func tail(b []byte) []byte {
	if len(b) > 4000 {
		return b[len(b)-4000:]
	}
	return b
}

// BenchmarkW5 is workload W5: `aadrisk price` end to end on 100,000
// closed-form trades, 2 workers, from CSV to all output files. It reports
// trades per second and the command's peak RSS.
func BenchmarkW5(b *testing.B) { benchPortfolio(b, W5Standard) }

// BenchmarkBatchMillion is the nightly-batch scale check: W5's portfolio
// grown to 1,000,000 trades, priced end to end on 2 workers.
func BenchmarkBatchMillion(b *testing.B) {
	w := W5Standard
	w.Trades = 1_000_000
	benchPortfolio(b, w)
}

// benchPortfolio runs the command on w's files once per iteration and
// reports trades per second and the largest peak RSS of the runs.
func benchPortfolio(b *testing.B, w W5) {
	dir := b.TempDir()
	market, portfolio, err := w.Write(dir)
	if err != nil {
		b.Fatal(err)
	}
	bin := buildCommand(b)
	var total time.Duration
	var rss int64
	n := 0
	for b.Loop() {
		wall, r := runW5(b, bin, market, portfolio, filepath.Join(dir, "out"))
		total += wall
		rss = max(rss, r)
		n++
	}
	b.ReportMetric(float64(w.Trades)*float64(n)/total.Seconds(), "trades/s")
	b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
}

// TestW5Small runs the W5 pipeline on a small portfolio: every trade must
// price, so the benchmark measures real work.
func TestW5Small(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	dir := t.TempDir()
	w := W5Standard
	w.Trades = 2000
	market, portfolio, err := w.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	bin := buildCommand(t)
	out := filepath.Join(dir, "out")
	runW5(t, bin, market, portfolio, out)
	b, err := os.ReadFile(filepath.Join(out, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, c := range b {
		if c == '\n' {
			lines++
		}
	}
	if want := w.Trades + 1; lines != want {
		t.Fatalf("results.csv has %d lines, want %d", lines, want)
	}
}
