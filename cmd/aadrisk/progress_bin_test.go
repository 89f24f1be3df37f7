//go:build unix

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProgressLineOnLongMonteCarloTrades runs price and validate on Monte
// Carlo trades that each take seconds, without a terminal: a progress line
// must come within 15 s (it is due at 10 s, whether or not a trade has
// finished), with the paths done of the trades in flight. Then SIGINT
// stops the run: exit 130, nothing written, and the trades in flight are
// not logged as failed.
func TestProgressLineOnLongMonteCarloTrades(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command for over 10 s")
	}
	bin := buildAadrisk(t)
	dir := t.TempDir()
	// 8 trades of 20,000,000 paths, each simulated five times (two for
	// gamma and vanna, two for volga): minutes of work on one worker, in
	// blocks of 625,000 paths.
	const trades, paths = 8, 20_000_000
	var b strings.Builder
	b.WriteString("trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,engine,paths\n")
	for i := range trades {
		fmt.Fprintf(&b, "MC-%d,european,ACME,USD,call,%d,1M,1,mc,%d\n", i, 95+i, paths)
	}
	portfolio := filepath.Join(dir, "portfolio.csv")
	require.NoError(t, os.WriteFile(portfolio, []byte(b.String()), 0o644))

	for _, cmdName := range []string{"price", "validate"} {
		t.Run(cmdName, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(dir, "out-"+cmdName)
			cmd := exec.Command(bin, cmdName, "--portfolio", portfolio, "--market", filepath.Join(e2e, "market.csv"),
				"--asof", "2026-01-02", "--out", out, "--workers", "1")
			cmd.Env = cleanEnv()
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			start := time.Now()
			require.NoError(t, cmd.Start())
			lines := make(chan string)
			var all strings.Builder
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					lines <- sc.Text()
				}
				io.Copy(io.Discard, stderr)
			}()
			deadline := time.After(15*time.Second - time.Since(start))
			var progress string
		wait:
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						break wait
					}
					all.WriteString(l + "\n")
					if strings.Contains(l, "msg=progress") {
						progress = l
						break wait
					}
				case <-deadline:
					break wait
				}
			}
			require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
			for l := range lines {
				all.WriteString(l + "\n")
			}
			err = cmd.Wait()
			require.NotEmpty(t, progress, "no progress line within 15 s:\n%s", all.String())
			field := func(name string) int {
				m := regexp.MustCompile(` ` + name + `=([0-9]+)`).FindStringSubmatch(progress)
				require.NotNil(t, m, "%s in %s", name, progress)
				n, err := strconv.Atoi(m[1])
				require.NoError(t, err)
				return n
			}
			done := field("trades_done")
			assert.Less(t, done, trades, "the run is not over: %s", progress)
			assert.Equal(t, trades, field("trades_read"), "a small file is read ahead at once")
			assert.Equal(t, 0, field("trades_failed"))
			assert.Contains(t, progress, " trades_per_second=")
			assert.Equal(t, (trades-done)*5*paths, field("inflight_paths"), "the paths of the trades not yet done")
			assert.Positive(t, field("inflight_paths_done"), "paths of the trade in flight are counted as its blocks finish")
			assert.Less(t, field("percent"), 100)
			assert.Contains(t, progress, " eta=")

			require.Error(t, err, "the run must not have finished")
			assert.Equal(t, 130, cmd.ProcessState.ExitCode(), all.String())
			assert.Contains(t, all.String(), "aadrisk: interrupted by interrupt; nothing written")
			assert.NotContains(t, all.String(), "trade failed", "an interrupted trade is not a failed trade")
			assert.Empty(t, finalFiles(out))
		})
	}
}
