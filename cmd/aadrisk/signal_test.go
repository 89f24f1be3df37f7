//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// binary builds the command once per test into a temporary directory.
func binary(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "aadrisk")
	out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// bigPortfolio writes a portfolio of n trades that takes a few seconds to
// price and validate, so that a run can be stopped in the middle.
func bigPortfolio(t *testing.T, dir string, n int) string {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,barrier_type,barrier,rebate\n")
	for i := range n {
		fmt.Fprintf(&b, "T%07d,barrier,ACME,USD,put,%d,1Y,10,up-out,130,1\n", i, 80+i%40)
	}
	path := filepath.Join(dir, "portfolio.csv")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	return path
}

// finalFiles lists the result files (not temporaries) in dir.
func finalFiles(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestSignalsStopCleanlyAndKillLeavesNoResult(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := binary(t)
	dir := t.TempDir()
	portfolio := bigPortfolio(t, dir, 200_000)
	args := func(out string) []string {
		return []string{"validate", "--portfolio", portfolio, "--market", filepath.Join(e2e, "market.csv"),
			"--asof", "2026-01-02", "--out", out, "--workers", "2"}
	}
	for _, c := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}, {syscall.SIGKILL, -1}} {
		out := filepath.Join(dir, "out-"+c.sig.String())
		cmd := exec.Command(bin, args(out)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		time.Sleep(500 * time.Millisecond)
		require.NoError(t, cmd.Process.Signal(c.sig))
		err := cmd.Wait()
		require.Error(t, err, "the run must not have finished in 0.5 s")
		assert.Equal(t, c.want, cmd.ProcessState.ExitCode(), "%v: %s", c.sig, stderr.String())
		assert.Empty(t, finalFiles(out), "%v: no result file may be written", c.sig)
		if c.sig != syscall.SIGKILL {
			assert.Contains(t, stderr.String(), "interrupted by")
			entries, _ := os.ReadDir(out)
			assert.Empty(t, entries, "%v: the temporaries are removed too", c.sig)
		}
	}

	// A rerun into the directory of the killed run gives the files of an
	// uninterrupted run, with no temporaries left behind.
	small := bigPortfolio(t, t.TempDir(), 300)
	for _, out := range []string{filepath.Join(dir, "out-killed"), filepath.Join(dir, "out-clean")} {
		a := []string{"price", "--portfolio", small, "--market", filepath.Join(e2e, "market.csv"), "--asof", "2026-01-02", "--out", out}
		require.NoError(t, os.MkdirAll(out, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(out, ".results.csv.tmp-stale"), []byte("half"), 0o644))
		msg, err := exec.Command(bin, a...).CombinedOutput()
		require.NoError(t, err, "%s", msg)
	}
	for _, name := range []string{"results.csv", "sensitivities.csv", "risk.csv"} {
		x, err := os.ReadFile(filepath.Join(dir, "out-killed", name))
		require.NoError(t, err)
		y, err := os.ReadFile(filepath.Join(dir, "out-clean", name))
		require.NoError(t, err)
		assert.Equal(t, x, y, name)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "out-killed"))
	for _, e := range entries {
		assert.False(t, strings.HasPrefix(e.Name(), "."), "stale temporary %s left", e.Name())
	}
}
