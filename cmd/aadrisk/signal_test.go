//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	bin := buildAadrisk(t)
	dir := t.TempDir()
	portfolio := batchPortfolio(t, dir, 200_000)
	args := func(out string) []string {
		return []string{"validate", "--portfolio", portfolio, "--market", filepath.Join(e2e, "market.csv"),
			"--asof", "2026-01-02", "--out", out, "--workers", "2"}
	}
	for _, c := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}, {syscall.SIGHUP, 129}, {syscall.SIGQUIT, 131}, {syscall.SIGKILL, -1}} {
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
	small := batchPortfolio(t, t.TempDir(), 300)
	for _, out := range []string{filepath.Join(dir, "out-killed"), filepath.Join(dir, "out-clean")} {
		a := []string{"price", "--portfolio", small, "--market", filepath.Join(e2e, "market.csv"), "--asof", "2026-01-02", "--out", out}
		require.NoError(t, os.MkdirAll(out, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(out, ".results.csv.tmp-stale"), []byte("half"), 0o644))
		runProcess(t, bin, os.Environ(), a...) // exit 1: the portfolio has failing rows
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

// TestSignalWhileOpeningAFIFO (issue 20, case 11): a run blocked opening a
// FIFO that has no writer (a pipe whose producer never started) is still
// stopped by its first SIGTERM, within the grace period, with exit 143 and
// nothing written.
func TestSignalWhileOpeningAFIFO(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := buildAadrisk(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "market.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "price", "--portfolio", filepath.Join(e2e, "portfolio.csv"), "--market", fifo, "--asof", "2026-01-02", "--out", out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	time.Sleep(300 * time.Millisecond)
	t0 := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err := cmd.Wait()
	require.Error(t, err)
	assert.Equal(t, 143, cmd.ProcessState.ExitCode(), stderr.String())
	assert.Less(t, time.Since(t0), stuckGrace+2*time.Second)
	assert.Contains(t, stderr.String(), "interrupted by terminated; nothing written")
	_, err = os.Stat(out)
	assert.True(t, os.IsNotExist(err))
}
