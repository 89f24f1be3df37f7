package batch_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/batch"
	"github.com/aadrisk/aadrisk/reports"
)

var (
	e2ePortfolio = filepath.Join("..", "testdata", "e2e", "portfolio.csv")
	e2eMarket    = filepath.Join("..", "testdata", "e2e", "market.csv")
	e2eAsOf      = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
)

// runBatch prices the e2e portfolio unsharded and in n shards, and returns
// the unsharded run's directory and the shards' in shard order.
func runBatch(t *testing.T, n int, validate bool) (string, []string) {
	t.Helper()
	base := t.TempDir()
	one := filepath.Join(base, "one")
	require.NoError(t, priceShard(e2ePortfolio, e2eMarket, e2eAsOf, batch.Shard{}, validate, one))
	dirs := make([]string, n)
	for k := 1; k <= n; k++ {
		dirs[k-1] = filepath.Join(base, fmt.Sprintf("shard-%d", k))
		require.NoError(t, priceShard(e2ePortfolio, e2eMarket, e2eAsOf, batch.Shard{K: k, N: n}, validate, dirs[k-1]))
	}
	return one, dirs
}

// merge merges dirs into out with portfolio; on an error nothing is
// committed, and out is left without a result file.
func merge(t *testing.T, dirs []string, portfolio, out string, validate bool) (reports.Counts, error) {
	t.Helper()
	b, err := batch.Open(dirs)
	if err != nil {
		return reports.Counts{}, err
	}
	if err := b.CheckOut(out); err != nil {
		return reports.Counts{}, err
	}
	pf, err := os.Open(portfolio)
	require.NoError(t, err)
	defer pf.Close()
	mg, err := b.NewMerge(pf, portfolio)
	if err != nil {
		return reports.Counts{}, err
	}
	defer mg.Close()
	w, err := reports.NewWriter(out, reports.WriterSettings{Validation: validate})
	require.NoError(t, err)
	defer w.Abort()
	sink := reports.NewSink(w, nil, nil)
	man, err := mg.Run(context.Background(), sink, nil)
	if err != nil {
		return sink.Counts(), err
	}
	return sink.Counts(), w.Commit(man)
}

func dataFiles(validate bool) []string {
	files := []string{reports.ResultsFile, reports.SensitivitiesFile, reports.RiskFile}
	if validate {
		files = append(files, reports.ValidationFile)
	}
	return files
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return string(b)
}

// The shards of a batch, given in any order, merge into the files of the
// unsharded run, byte for byte, with the batch's manifest.
func TestMergeEqualsUnshardedRun(t *testing.T) {
	for _, validate := range []bool{false, true} {
		one, dirs := runBatch(t, 3, validate)
		out := filepath.Join(t.TempDir(), "merged")
		n, err := merge(t, []string{dirs[2], dirs[0], dirs[1]}, e2ePortfolio, out, validate)
		require.NoError(t, err)
		for _, f := range dataFiles(validate) {
			assert.Equal(t, readFile(t, one, f), readFile(t, out, f), "validate=%v: %s", validate, f)
		}
		want, err := reports.ReadManifestFile(filepath.Join(one, reports.ManifestFile))
		require.NoError(t, err)
		got, err := reports.ReadManifestFile(filepath.Join(out, reports.ManifestFile))
		require.NoError(t, err)
		assert.Equal(t, "", got.Shard)
		assert.Equal(t, want.Inputs, got.Inputs)
		assert.Equal(t, want.Files, got.Files)
		assert.Equal(t, [2]int{want.TradesOK, want.TradesFailed}, [2]int{n.OK, n.Failed})
		assert.Equal(t, [2]int{want.TradesOK, want.TradesFailed}, [2]int{got.TradesOK, got.TradesFailed})
		assert.Equal(t, 3*want.Workers, got.Workers, "the shards' workers added up")
		assert.NotZero(t, n.Failed, "the e2e portfolio has failing rows")
		if validate {
			assert.NotZero(t, n.Figures)
		}
	}
}

// errorOf checks that err is an *batch.Error of kind about dir ("" for
// any), with want in its message.
func errorOf(t *testing.T, err error, kind error, dir, want string) {
	t.Helper()
	var be *batch.Error
	require.ErrorAs(t, err, &be)
	assert.ErrorIs(t, err, kind)
	assert.Equal(t, kind, be.Kind)
	if dir != "" {
		assert.Equal(t, dir, be.Dir)
	}
	assert.Contains(t, err.Error(), want)
	assert.True(t, strings.HasPrefix(err.Error(), "merge: "), err.Error())
}

// editManifest rewrites the manifest of dir with edit.
func editManifest(t *testing.T, dir string, edit func(*reports.Manifest)) {
	t.Helper()
	p := filepath.Join(dir, reports.ManifestFile)
	m, err := reports.ReadManifestFile(p)
	require.NoError(t, err)
	edit(m)
	data, err := json.MarshalIndent(m, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(p, data, 0o644))
}

// copyDir copies the files of dir into a new directory.
func copyDir(t *testing.T, dir string) string {
	t.Helper()
	to := filepath.Join(t.TempDir(), filepath.Base(dir))
	require.NoError(t, os.MkdirAll(to, 0o755))
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range es {
		require.NoError(t, os.WriteFile(filepath.Join(to, e.Name()), []byte(readFile(t, dir, e.Name())), 0o644))
	}
	return to
}

// Open refuses directories that are not the shards of one batch, once each.
func TestOpenRefuses(t *testing.T) {
	one, dirs := runBatch(t, 3, false)
	empty := t.TempDir()
	seed := copyDir(t, dirs[2])
	editManifest(t, seed, func(m *reports.Manifest) { m.Seed = 2 })
	command := filepath.Join(t.TempDir(), "validate-3")
	require.NoError(t, priceShard(e2ePortfolio, e2eMarket, e2eAsOf, batch.Shard{K: 3, N: 3}, true, command))
	market := copyDir(t, dirs[2])
	editManifest(t, market, func(m *reports.Manifest) { m.Inputs[1].SHA256 = strings.Repeat("0", 64) })
	four := copyDir(t, dirs[2])
	editManifest(t, four, func(m *reports.Manifest) { m.Shard = "3/4" })

	for _, c := range []struct {
		name string
		dirs []string
		kind error
		dir  string
		want string
	}{
		{"missing shard", []string{dirs[0], dirs[2]}, batch.ErrMissing, "", "the batch has 3 shards but 2/3 is missing"},
		{"duplicate shard", []string{dirs[0], dirs[1], dirs[2], dirs[1]}, batch.ErrDuplicate, dirs[1], "shard 2/3 is given twice"},
		{"other seed", []string{dirs[0], dirs[1], seed}, batch.ErrIncompatible, seed, "seed 2, not 1"},
		{"other command", []string{dirs[0], dirs[1], command}, batch.ErrIncompatible, command, "command validate, not price"},
		{"other market", []string{dirs[0], dirs[1], market}, batch.ErrIncompatible, market, "market SHA-256 " + strings.Repeat("0", 64)},
		{"other N", []string{dirs[0], dirs[1], four}, batch.ErrIncompatible, four, "number of shards 4, not 3"},
		{"unsharded run", []string{dirs[0], one}, batch.ErrNotShard, one, "unsharded run"},
		{"no manifest", []string{dirs[0], empty}, batch.ErrNotShard, empty, "has no manifest.json"},
		{"no directory", []string{dirs[0], filepath.Join(empty, "nope")}, batch.ErrNotShard, filepath.Join(empty, "nope"), "no such file or directory"},
		{"no directories", nil, batch.ErrMissing, "", "no shard directories"},
	} {
		_, err := batch.Open(c.dirs)
		errorOf(t, err, c.kind, c.dir, c.want)
	}
	_, err := batch.Open([]string{dirs[0], filepath.Join(empty, "nope")})
	assert.ErrorIs(t, err, os.ErrNotExist, "the cause is kept")

	b, err := batch.Open(dirs)
	require.NoError(t, err)
	errorOf(t, b.CheckOut(dirs[1]), batch.ErrOutIsShard, dirs[1], "write the merged files elsewhere")
	assert.NoError(t, b.CheckOut(filepath.Join(empty, "new")))
}

// A damaged shard, or a portfolio other than the shards', is refused with
// its typed error, and nothing is committed.
func TestMergeRefuses(t *testing.T) {
	_, dirs := runBatch(t, 3, false)
	lines := func(dir, name string) []string { return strings.SplitAfter(readFile(t, dir, name), "\n") }
	// damage replaces a file of a copy of shard k and, when fix, makes its
	// manifest agree with the damaged file's length and CRC-32C, so that
	// the rows themselves are refused.
	damage := func(k int, name, data string, fix bool) []string {
		d := copyDir(t, dirs[k-1])
		require.NoError(t, os.WriteFile(filepath.Join(d, name), []byte(data), 0o644))
		if fix {
			editManifest(t, d, func(m *reports.Manifest) {
				for i := range m.Outputs {
					if m.Outputs[i].Name == name {
						m.Outputs[i].Bytes = int64(len(data))
						m.Outputs[i].CRC32C = fmt.Sprintf("%08x", crc32.Checksum([]byte(data), crc32.MakeTable(crc32.Castagnoli)))
					}
				}
			})
		}
		out := append([]string{}, dirs...)
		out[k-1] = d
		return out
	}
	res := lines(dirs[0], reports.ResultsFile)
	sens := lines(dirs[0], reports.SensitivitiesFile)
	require.Greater(t, len(res), 3)
	other := strings.Join(lines(dirs[1], reports.ResultsFile), "")
	changed := filepath.Join(t.TempDir(), "portfolio.csv")
	require.NoError(t, os.WriteFile(changed, []byte(readFile(t, filepath.Dir(e2ePortfolio), "portfolio.csv")+"NEW-1,european,ACME,USD,call,100,1Y,1,,,,,,,\n"), 0o644))

	for _, c := range []struct {
		name      string
		dirs      []string
		portfolio string
		kind      error
		want      string
	}{
		{"a figure changed (CRC-32C)", damage(2, reports.SensitivitiesFile, strings.Replace(readFile(t, dirs[1], reports.SensitivitiesFile), ",0,", ",1,", 1), false),
			e2ePortfolio, batch.ErrDamaged, "is not the file the run wrote"},
		{"a results row missing", damage(1, reports.ResultsFile, strings.Join(append(res[:1:1], res[2:]...), ""), true),
			e2ePortfolio, batch.ErrDamaged, "where trade"},
		{"another shard's trades", damage(1, reports.ResultsFile, other, true),
			e2ePortfolio, batch.ErrDamaged, "where trade"},
		{"a trade too many", damage(1, reports.ResultsFile, strings.Join(res, "")+res[len(res)-2], true),
			e2ePortfolio, batch.ErrDamaged, "is not in the portfolio at its place"},
		{"a sensitivity row too many", damage(1, reports.SensitivitiesFile, strings.Join(sens, "")+sens[1], true),
			e2ePortfolio, batch.ErrDamaged, "is not with that trade's row"},
		{"a sensitivity row missing", damage(1, reports.SensitivitiesFile, strings.Join(append(sens[:1:1], sens[2:]...), ""), true),
			e2ePortfolio, batch.ErrDamaged, "belong to its trades, but its manifest says"},
		{"another portfolio", dirs, changed, batch.ErrPortfolio, "SHA-256"},
	} {
		out := filepath.Join(t.TempDir(), "out")
		_, err := merge(t, c.dirs, c.portfolio, out, false)
		errorOf(t, err, c.kind, "", c.want)
		_, serr := os.Stat(filepath.Join(out, reports.ManifestFile))
		assert.ErrorIs(t, serr, os.ErrNotExist, "%s: nothing committed", c.name)
	}

	// A results.csv that does not read back: the reader's error, which
	// names the file, line and column, as a damaged shard.
	d := damage(3, reports.ResultsFile, "", true)
	_, err := merge(t, d, e2ePortfolio, filepath.Join(t.TempDir(), "out"), false)
	assert.ErrorIs(t, err, batch.ErrDamaged)
	var be *batch.Error
	require.ErrorAs(t, err, &be)
	assert.Equal(t, d[2], be.Dir)
	assert.NotNil(t, be.Err, "the reader's error is kept")
	assert.True(t, strings.HasPrefix(err.Error(), filepath.Join(d[2], reports.ResultsFile)+":"), err.Error())
}

// A merge stopped by its context returns the cause and commits nothing.
func TestMergeCancelled(t *testing.T) {
	_, dirs := runBatch(t, 2, false)
	b, err := batch.Open(dirs)
	require.NoError(t, err)
	pf, err := os.Open(e2ePortfolio)
	require.NoError(t, err)
	defer pf.Close()
	mg, err := b.NewMerge(pf, e2ePortfolio)
	require.NoError(t, err)
	defer mg.Close()
	w, err := reports.NewWriter(t.TempDir(), reports.WriterSettings{})
	require.NoError(t, err)
	defer w.Abort()
	stop := errors.New("stopped")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(stop)
	_, err = mg.Run(ctx, reports.NewSink(w, nil, nil), nil)
	assert.ErrorIs(t, err, stop)
}
