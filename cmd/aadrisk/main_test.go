package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const e2e = "../../testdata/e2e"

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func e2eArgs(cmd, out string, extra ...string) []string {
	args := []string{cmd, "--portfolio", filepath.Join(e2e, "portfolio.csv"), "--market", filepath.Join(e2e, "market.csv"), "--asof", "2026-01-02", "--out", out}
	return append(args, extra...)
}

func TestPriceSampleOnStdout(t *testing.T) {
	code, out, errOut := runCmd(t, "price")
	require.Equal(t, exitOK, code, errOut)
	for _, id := range []string{"EU-1", "DG-2", "BA-4", "AS-1", "AM-2"} {
		assert.Contains(t, out, id)
	}
}

func TestValidateSample(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCmd(t, "validate", "--out", dir)
	require.Equal(t, exitOK, code, errOut)
	b, err := os.ReadFile(filepath.Join(dir, "validation.csv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Greater(t, len(lines), 100)
	for _, l := range lines[1:] {
		assert.True(t, strings.HasSuffix(l, ",ok"), l)
	}
}

// TestPriceGolden runs the command on testdata/e2e, which mixes good trades
// with every kind of bad row, and compares the result files with the golden
// ones byte for byte.
func TestPriceGolden(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCmd(t, e2eArgs("price", dir, "--workers", "3")...)
	require.Equal(t, exitFailed, code, errOut)
	for _, name := range []string{"results.csv", "sensitivities.csv", "risk.csv"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		golden := filepath.Join("../../testdata/golden", name)
		if *update {
			require.NoError(t, os.WriteFile(golden, got, 0o644))
		}
		want, err := os.ReadFile(golden)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), name)
	}
	var man map[string]any
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &man))
	assert.Equal(t, "2026-01-02", man["as_of"])
}

func TestResultsDoNotDependOnWorkers(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	code, _, _ := runCmd(t, e2eArgs("price", a, "--workers", "1")...)
	require.Equal(t, exitFailed, code)
	code, _, _ = runCmd(t, e2eArgs("price", b, "--workers", "4")...)
	require.Equal(t, exitFailed, code)
	for _, name := range []string{"results.csv", "sensitivities.csv", "risk.csv"} {
		x, err := os.ReadFile(filepath.Join(a, name))
		require.NoError(t, err)
		y, err := os.ReadFile(filepath.Join(b, name))
		require.NoError(t, err)
		assert.Equal(t, x, y, name)
	}
}

func TestStrictWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, _, errOut := runCmd(t, e2eArgs("price", dir, "--strict")...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "portfolio.csv")
	entries, _ := os.ReadDir(dir)
	assert.Empty(t, entries)
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	badMarket := filepath.Join(dir, "market.csv")
	require.NoError(t, os.WriteFile(badMarket, []byte("type,name,pillar,strike,value\nSPOT,ACME,,,100\nVOL,ACME,1Y,,-0.2\n"), 0o644))
	noCol := filepath.Join(dir, "portfolio.csv")
	require.NoError(t, os.WriteFile(noCol, []byte("trade_id,instrument\nX,european\n"), 0o644))
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "usage"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"no asof", []string{"price", "--portfolio", filepath.Join(e2e, "portfolio.csv"), "--market", filepath.Join(e2e, "market.csv")}, "--asof"},
		{"only portfolio", []string{"price", "--portfolio", filepath.Join(e2e, "portfolio.csv"), "--asof", "2026-01-02"}, "both"},
		{"bad asof", []string{"price", "--portfolio", filepath.Join(e2e, "portfolio.csv"), "--market", filepath.Join(e2e, "market.csv"), "--asof", "02/01/2026"}, "asof"},
		{"missing file", []string{"price", "--portfolio", filepath.Join(dir, "nope.csv"), "--market", filepath.Join(e2e, "market.csv"), "--asof", "2026-01-02", "--out", out}, "nope.csv"},
		{"bad market", []string{"price", "--portfolio", filepath.Join(e2e, "portfolio.csv"), "--market", badMarket, "--asof", "2026-01-02", "--out", out}, "market.csv:3:14: value"},
		{"portfolio missing column", []string{"price", "--portfolio", noCol, "--market", filepath.Join(e2e, "market.csv"), "--asof", "2026-01-02", "--out", out}, "portfolio.csv:1"},
		{"bad workers", []string{"price", "--workers", "0"}, "workers"},
	} {
		code, _, errOut := runCmd(t, c.args...)
		assert.Equal(t, exitUsage, code, c.name)
		assert.Contains(t, errOut, c.want, c.name)
		_, err := os.Stat(out)
		assert.True(t, os.IsNotExist(err), "%s: nothing may be written", c.name)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, "version")
	assert.Equal(t, exitOK, code)
	assert.True(t, strings.HasPrefix(out, "aadrisk "), out)
}
