package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/reports"
)

func readManifest(t *testing.T, dir string) *reports.Manifest {
	t.Helper()
	m, err := reports.ReadManifestFile(filepath.Join(dir, reports.ManifestFile))
	require.NoError(t, err)
	return m
}

// dataFiles are the files of a run of cmd that a merge must reproduce.
func dataFiles(cmd string) []string {
	files := []string{reports.ResultsFile, reports.SensitivitiesFile, reports.RiskFile}
	if cmd == "validate" {
		files = append(files, reports.ValidationFile)
	}
	return files
}

// sameFiles checks that the files of dirs a and b are equal, byte for byte.
func sameFiles(t *testing.T, a, b string, names []string) {
	t.Helper()
	for _, name := range names {
		x, err := os.ReadFile(filepath.Join(a, name))
		require.NoError(t, err)
		y, err := os.ReadFile(filepath.Join(b, name))
		require.NoError(t, err)
		assert.Equal(t, string(x), string(y), name)
	}
}

// runShards runs args (a price or validate command line without --out) as
// shards 1/n to n/n into subdirectories of a new directory, and returns
// them in shard order.
func runShards(t *testing.T, n int, args ...string) []string {
	t.Helper()
	base := t.TempDir()
	dirs := make([]string, n)
	for k := 1; k <= n; k++ {
		dirs[k-1] = filepath.Join(base, fmt.Sprintf("shard-%d", k))
		full := append(append([]string{}, args...), "--shard", fmt.Sprintf("%d/%d", k, n), "--out", dirs[k-1])
		code, _, errOut := runCmd(t, full...)
		require.Contains(t, []int{exitOK, exitFailed}, code, errOut)
		require.Equal(t, fmt.Sprintf("%d/%d", k, n), readManifest(t, dirs[k-1]).Shard)
	}
	return dirs
}

func e2eInputs(cmd string, extra ...string) []string {
	args := []string{cmd, "--portfolio", filepath.Join(e2e, "portfolio.csv"), "--market", filepath.Join(e2e, "market.csv"), "--asof", "2026-01-02", "--workers", "2"}
	return append(args, extra...)
}

// TestMergeReproducesUnshardedRun runs testdata/e2e (good trades, failing
// rows, an ID that begins with '=') unsharded and in N shards, merges the
// shards (given in any order) and compares the files byte for byte, for
// price and validate, with N = 1, 3 and more shards than trades.
func TestMergeReproducesUnshardedRun(t *testing.T) {
	for _, c := range []struct {
		cmd string
		n   int
	}{
		{"price", 1}, {"price", 3}, {"price", 25}, {"validate", 1}, {"validate", 3}, {"validate", 7},
	} {
		t.Run(fmt.Sprintf("%s/%d", c.cmd, c.n), func(t *testing.T) {
			one := t.TempDir()
			code, _, errOut := runCmd(t, append(e2eInputs(c.cmd), "--out", one)...)
			require.Equal(t, exitFailed, code, errOut)

			dirs := runShards(t, c.n, e2eInputs(c.cmd)...)
			rand.Shuffle(len(dirs), func(i, j int) { dirs[i], dirs[j] = dirs[j], dirs[i] })
			merged := filepath.Join(t.TempDir(), "merged")
			code, _, errOut = runCmd(t, append([]string{"merge", "--out", merged}, dirs...)...)
			require.Equal(t, exitFailed, code, "some e2e trades fail, as in the unsharded run: %s", errOut)
			assert.Contains(t, errOut, "6 of 22 trades failed")
			sameFiles(t, one, merged, dataFiles(c.cmd))

			want, got := readManifest(t, one), readManifest(t, merged)
			assert.Equal(t, "", got.Shard)
			assert.Equal(t, want.Command, got.Command)
			assert.Equal(t, want.AsOf, got.AsOf)
			assert.Equal(t, want.Inputs, got.Inputs)
			assert.Equal(t, want.Seed, got.Seed)
			assert.Equal(t, want.Paths, got.Paths)
			assert.Equal(t, want.Files, got.Files)
			assert.Equal(t, [2]int{want.TradesOK, want.TradesFailed}, [2]int{got.TradesOK, got.TradesFailed})
			assert.Equal(t, 2*c.n, got.Workers, "the shards' workers added up")
			for _, d := range dirs {
				m := readManifest(t, d)
				assert.False(t, m.Start.Before(got.Start), "start is the earliest")
				assert.False(t, m.End.After(got.End), "end is the latest")
			}

			// Merging again gives the same files, manifest included.
			again := filepath.Join(t.TempDir(), "again")
			code, _, errOut = runCmd(t, append([]string{"merge", "--out", again}, dirs...)...)
			require.Equal(t, exitFailed, code, errOut)
			sameFiles(t, merged, again, append(dataFiles(c.cmd), reports.ManifestFile))
		})
	}
}

// TestMergeSample merges shards of the built-in sample, whose manifests
// name no portfolio path: merge reads the sample built into the binary.
func TestMergeSample(t *testing.T) {
	one := t.TempDir()
	code, _, errOut := runCmd(t, "price", "--out", one)
	require.Equal(t, exitOK, code, errOut)
	dirs := runShards(t, 2, "price")
	merged := t.TempDir()
	code, _, errOut = runCmd(t, append([]string{"merge", "--out", merged}, dirs...)...)
	require.Equal(t, exitOK, code, errOut)
	sameFiles(t, one, merged, dataFiles("price"))
}

// TestMergePortfolioMoved merges shards whose portfolio is no longer where
// their manifests say, with --portfolio; a different file is refused by its
// SHA-256.
func TestMergePortfolioMoved(t *testing.T) {
	tmp := t.TempDir()
	pf := filepath.Join(tmp, "portfolio.csv")
	data, err := os.ReadFile(filepath.Join(e2e, "portfolio.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(pf, data, 0o644))
	args := []string{"price", "--portfolio", pf, "--market", filepath.Join(e2e, "market.csv"), "--asof", "2026-01-02"}
	one := t.TempDir()
	code, _, _ := runCmd(t, append(args, "--out", one)...)
	require.Equal(t, exitFailed, code)
	dirs := runShards(t, 3, args...)
	require.NoError(t, os.Rename(pf, pf+".moved"))

	out := filepath.Join(tmp, "merged")
	code, _, errOut := runCmd(t, append([]string{"merge", "--out", out}, dirs...)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--portfolio")
	assertNothingWritten(t, out)

	code, _, errOut = runCmd(t, append([]string{"merge", "--portfolio", pf + ".moved", "--out", out}, dirs...)...)
	require.Equal(t, exitFailed, code, errOut)
	sameFiles(t, one, out, dataFiles("price"))
	assert.Equal(t, pf, readManifest(t, out).Inputs[0].Path, "the manifest names the file the shards read")

	// A portfolio that changed since: refused, whatever the first
	// difference it meets.
	for name, edit := range map[string]func(string) string{
		"a trade more":   func(s string) string { return s + "NEW-1,european,ACME,USD,call,100,1Y,1,,,,,,,\n" },
		"a trade less":   func(s string) string { return strings.Replace(s, "EU-2,", "XX-2,", 1) },
		"a figure":       func(s string) string { return strings.Replace(s, "1000", "1001", 1) },
		"not a CSV file": func(string) string { return "\"" },
	} {
		changed := filepath.Join(tmp, "changed.csv")
		require.NoError(t, os.WriteFile(changed, []byte(edit(string(data))), 0o644))
		code, _, errOut = runCmd(t, append([]string{"merge", "--portfolio", changed, "--out", filepath.Join(tmp, "bad")}, dirs...)...)
		assert.Equal(t, exitUsage, code, name)
		assert.Contains(t, errOut, "SHA-256", name)
		assertNothingWritten(t, filepath.Join(tmp, "bad"))
	}
}

// TestMergeRefuses checks every refusal of the shard directories: each is a
// usage error with a clear message, and nothing is written.
func TestMergeRefuses(t *testing.T) {
	dirs := runShards(t, 3, e2eInputs("price")...)
	tmp := t.TempDir()

	// Foreign shards: another seed, rng, antithetic, paths, as-of date,
	// market file, command or N.
	other := func(k, n int, args ...string) string {
		dir := filepath.Join(t.TempDir(), "shard")
		code, _, errOut := runCmd(t, append(args, "--shard", fmt.Sprintf("%d/%d", k, n), "--out", dir)...)
		require.Contains(t, []int{exitOK, exitFailed}, code, errOut)
		return dir
	}
	market := filepath.Join(tmp, "market.csv")
	mdata, err := os.ReadFile(filepath.Join(e2e, "market.csv"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(market, append(mdata, "SPOT,GAMMA,,,10\n"...), 0o644))
	otherMarket := []string{"price", "--portfolio", filepath.Join(e2e, "portfolio.csv"), "--market", market, "--asof", "2026-01-02"}

	unsharded := t.TempDir()
	code, _, _ := runCmd(t, append(e2eInputs("price"), "--out", unsharded)...)
	require.Equal(t, exitFailed, code)
	empty := t.TempDir()
	notDir := filepath.Join(tmp, "file")
	require.NoError(t, os.WriteFile(notDir, nil, 0o644))
	badManifest := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(badManifest, reports.ManifestFile), []byte("{"), 0o644))

	out := filepath.Join(tmp, "out")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no --out", []string{dirs[0], dirs[1], dirs[2]}, "--out DIR is required"},
		{"no shards", []string{"--out", out}, "no shard directories"},
		{"flag after the shards", []string{"--out", out, dirs[0], dirs[1], "--portfolio", "x"}, "flags go before"},
		{"missing shard", []string{"--out", out, dirs[0], dirs[2]}, "the batch has 3 shards but 2/3 is missing"},
		{"missing shards", []string{"--out", out, dirs[1]}, "1/3, 3/3 are missing"},
		{"repeated shard", []string{"--out", out, dirs[0], dirs[1], dirs[2], dirs[1]}, "shard 2/3 is given twice"},
		{"repeated shard instead of another", []string{"--out", out, dirs[0], dirs[1], dirs[1]}, "given twice"},
		{"other seed", []string{"--out", out, dirs[0], dirs[1], other(3, 3, e2eInputs("price", "--seed", "2")...)}, "seed 2, not 1"},
		{"other rng", []string{"--out", out, dirs[0], dirs[1], other(3, 3, e2eInputs("price", "--rng", "sobol")...)}, "rng sobol, not pseudo"},
		{"other antithetic", []string{"--out", out, dirs[0], dirs[1], other(3, 3, e2eInputs("price", "--antithetic")...)}, "antithetic true, not false"},
		{"other paths", []string{"--out", out, dirs[0], dirs[1], other(3, 3, e2eInputs("price", "--paths", "1000")...)}, "paths 1000, not 100000"},
		{"other as-of", []string{"--out", out, dirs[0], other(2, 3, "price", "--portfolio", filepath.Join(e2e, "portfolio.csv"), "--market", filepath.Join(e2e, "market.csv"), "--asof", "2026-01-05"), dirs[2]}, "as-of 2026-01-05, not 2026-01-02"},
		{"other market", []string{"--out", out, dirs[0], dirs[1], other(3, 3, otherMarket...)}, "market SHA-256"},
		{"other command", []string{"--out", out, dirs[0], dirs[1], other(3, 3, e2eInputs("validate")...)}, "command validate, not price"},
		{"other N", []string{"--out", out, dirs[0], dirs[1], other(3, 4, e2eInputs("price")...)}, "number of shards 4, not 3"},
		{"unsharded run", []string{"--out", out, dirs[0], dirs[1], dirs[2], unsharded}, "unsharded run"},
		{"no manifest", []string{"--out", out, dirs[0], dirs[1], dirs[2], empty}, "has no manifest.json"},
		{"no directory", []string{"--out", out, dirs[0], dirs[1], filepath.Join(tmp, "nope")}, "nope"},
		{"not a directory", []string{"--out", out, dirs[0], dirs[1], notDir}, "is not a directory"},
		{"bad manifest", []string{"--out", out, dirs[0], dirs[1], badManifest}, "manifest.json"},
		{"out is a shard", []string{"--out", dirs[1], dirs[0], dirs[1], dirs[2]}, "write the merged files elsewhere"},
	} {
		before := snapshot(t, dirs)
		code, _, errOut := runCmd(t, append([]string{"merge"}, c.args...)...)
		assert.Equal(t, exitUsage, code, c.name)
		assert.Contains(t, errOut, c.want, c.name)
		assertNothingWritten(t, out)
		assert.Equal(t, before, snapshot(t, dirs), "%s: the shards are left as they were", c.name)
	}
}

// snapshot reads every file of dirs.
func snapshot(t *testing.T, dirs []string) map[string]string {
	t.Helper()
	m := make(map[string]string)
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		require.NoError(t, err)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(d, e.Name()))
			require.NoError(t, err)
			m[filepath.Join(d, e.Name())] = string(b)
		}
	}
	return m
}

// TestMergeRefusesDamagedShards damages one file of a shard whose manifest
// is intact: a missing row, a row too many, a row out of place, rows of
// another shard. merge must refuse, never lose or invent a trade.
func TestMergeRefusesDamagedShards(t *testing.T) {
	for _, cmd := range []string{"price", "validate"} {
		dirs := runShards(t, 3, e2eInputs(cmd)...)
		lines := func(k int, name string) []string {
			b, err := os.ReadFile(filepath.Join(dirs[k-1], name))
			require.NoError(t, err)
			return strings.SplitAfter(string(b), "\n")
		}
		join := func(ls ...[]string) string {
			var b strings.Builder
			for _, l := range ls {
				for _, s := range l {
					b.WriteString(s)
				}
			}
			return b.String()
		}
		type damage struct {
			name  string
			shard int
			file  string
			data  string
			want  string
		}
		res := lines(1, reports.ResultsFile) // header, rows, ""
		sens := lines(1, reports.SensitivitiesFile)
		require.Greater(t, len(res), 4)
		cases := []damage{
			{name: "results row missing", shard: 1, file: reports.ResultsFile, data: join(res[:2], res[3:]), want: "where trade"},
			{name: "last results row missing", shard: 1, file: reports.ResultsFile, data: join(res[:len(res)-2]), want: "ends before trade"},
			{name: "results row twice", shard: 1, file: reports.ResultsFile, data: join(res[:3], res[2:]), want: "where trade"},
			{name: "results row at the end", shard: 1, file: reports.ResultsFile, data: join(res, res[len(res)-2:len(res)-1]), want: "is not in the portfolio at its place"},
			{name: "rows swapped", shard: 1, file: reports.ResultsFile, data: join(res[:1], res[2:3], res[1:2], res[3:]), want: "where trade"},
			{name: "another shard's results", shard: 1, file: reports.ResultsFile, data: join(lines(2, reports.ResultsFile)), want: "where trade"},
			{name: "results cut short", shard: 1, file: reports.ResultsFile, data: strings.TrimSuffix(join(res), "\n"), want: "cut short"},
			{name: "sensitivity row missing", shard: 1, file: reports.SensitivitiesFile, data: join(sens[:1], sens[2:]), want: "rows of " + filepath.Join(dirs[0], reports.SensitivitiesFile) + " belong to its trades, but its manifest says it has"},
			{name: "sensitivity row too many", shard: 1, file: reports.SensitivitiesFile, data: join(sens, sens[1:2]), want: "is not with that trade's row"},
			{name: "sensitivities of another shard", shard: 1, file: reports.SensitivitiesFile, data: join(lines(2, reports.SensitivitiesFile)), want: "is not with that trade's row"},
			{name: "a figure changed", shard: 2, file: reports.SensitivitiesFile, data: strings.Replace(join(lines(2, reports.SensitivitiesFile)), ",0,", ",0.0,", 1), want: "sensitivity: want a finite number"},
			{name: "results missing", shard: 3, file: reports.ResultsFile, data: "", want: "empty file"},
		}
		if cmd == "validate" {
			val := lines(1, reports.ValidationFile)
			cases = append(cases,
				damage{name: "validation row missing", shard: 1, file: reports.ValidationFile, data: join(val[:1], val[2:]), want: "belong to its trades, but its manifest says"},
				damage{name: "validation row twice", shard: 1, file: reports.ValidationFile, data: join(val, val[len(val)-2:len(val)-1]), want: "belong to its trades, but its manifest says"},
				damage{name: "validation row out of place", shard: 1, file: reports.ValidationFile, data: join(val, val[1:2]), want: "is not with that trade's row"},
			)
		}
		for _, c := range cases {
			p := filepath.Join(dirs[c.shard-1], c.file)
			orig, err := os.ReadFile(p)
			require.NoError(t, err)
			if c.data == string(orig) {
				t.Fatalf("%s %s: no damage", cmd, c.name)
			}
			require.NoError(t, os.WriteFile(p, []byte(c.data), 0o644))
			// The file's length and CRC-32C differ from the manifest's.
			want := "is not the file the run wrote"
			if c.data == "" {
				want = c.want
			}
			out := filepath.Join(t.TempDir(), "out")
			code, _, errOut := runCmd(t, append([]string{"merge", "--out", out}, dirs...)...)
			assert.Equal(t, exitUsage, code, "%s %s", cmd, c.name)
			assert.Contains(t, errOut, want, "%s %s", cmd, c.name)
			assertNothingWritten(t, out)

			// With a manifest that agrees with the damaged file's length
			// and checksum, the rows themselves are refused.
			mp := filepath.Join(dirs[c.shard-1], reports.ManifestFile)
			morig, err := os.ReadFile(mp)
			require.NoError(t, err)
			m := readManifest(t, dirs[c.shard-1])
			for i := range m.Outputs {
				if m.Outputs[i].Name == c.file {
					m.Outputs[i].Bytes = int64(len(c.data))
					m.Outputs[i].CRC32C = fmt.Sprintf("%08x", crc32.Checksum([]byte(c.data), crc32.MakeTable(crc32.Castagnoli)))
				}
			}
			mdata, err := json.MarshalIndent(m, "", "  ")
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(mp, mdata, 0o644))
			code, _, errOut = runCmd(t, append([]string{"merge", "--out", out}, dirs...)...)
			assert.Equal(t, exitUsage, code, "%s %s", cmd, c.name)
			assert.Contains(t, errOut, c.want, "%s %s", cmd, c.name)
			assertNothingWritten(t, out)

			require.NoError(t, os.WriteFile(p, orig, 0o644))
			require.NoError(t, os.WriteFile(mp, morig, 0o644))
		}
		// Undamaged again: the merge goes through.
		out := filepath.Join(t.TempDir(), "out")
		code, _, errOut := runCmd(t, append([]string{"merge", "--out", out}, dirs...)...)
		assert.Equal(t, exitFailed, code, errOut)

		// A manifest whose counts disagree with its results.
		mp := filepath.Join(dirs[0], reports.ManifestFile)
		orig, err := os.ReadFile(mp)
		require.NoError(t, err)
		m := readManifest(t, dirs[0])
		require.NoError(t, os.WriteFile(mp, []byte(strings.Replace(string(orig), fmt.Sprintf(`"trades_ok": %d`, m.TradesOK), fmt.Sprintf(`"trades_ok": %d`, m.TradesOK+1), 1)), 0o644))
		code, _, errOut = runCmd(t, append([]string{"merge", "--out", filepath.Join(t.TempDir(), "out")}, dirs...)...)
		assert.Equal(t, exitUsage, code)
		assert.Contains(t, errOut, "but its manifest says")
		require.NoError(t, os.WriteFile(mp, orig, 0o644))
	}
}

// TestMergeInterrupted merges with the run's context stopped by a signal:
// the exit status is the signal's and nothing is written.
func TestMergeInterrupted(t *testing.T) {
	dirs := runShards(t, 3, e2eInputs("price")...)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(interrupted{os.Interrupt})
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	code := run(ctx, append([]string{"merge", "--out", out}, dirs...), &stdout, &stderr)
	assert.Equal(t, interrupted{os.Interrupt}.status(), code, stderr.String())
	assert.Contains(t, stderr.String(), "nothing written")
	assertNothingWritten(t, out)
}
