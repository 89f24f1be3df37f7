package reports

import (
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/pricing"
)

// Rows formatted by several goroutines and added in input order give the
// same files as Add, byte for byte.
func TestAddRowsMatchesAdd(t *testing.T) {
	rs := append(fixture(), benchResults(500, 7, 12, true)...)
	for i, r := range rs {
		r.Line = i + 2
	}

	viaAdd := t.TempDir()
	writeRun(t, viaAdd, WriterSettings{}, rs, nil)

	viaRows := t.TempDir()
	rows := make([]Rows, len(rs))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < len(rs); i += 4 {
				assert.NoError(t, rows[i].Format(rs[i]))
			}
		})
	}
	wg.Wait()
	w, err := NewWriter(viaRows, WriterSettings{})
	require.NoError(t, err)
	defer w.Abort()
	for i := range rows {
		require.NoError(t, w.AddRows(&rows[i]))
	}
	require.NoError(t, w.Commit(fixtureManifest()))

	for _, name := range []string{ResultsFile, SensitivitiesFile, RiskFile, ManifestFile} {
		assert.Equal(t, readOut(t, viaAdd, name), readOut(t, viaRows, name), name)
	}
}

func TestRowsMisuse(t *testing.T) {
	w, err := NewWriter(t.TempDir(), WriterSettings{})
	require.NoError(t, err)
	defer w.Abort()

	var rw Rows
	assert.Error(t, w.AddRows(&rw), "empty Rows")
	require.NoError(t, rw.Format(fixture()[0]))
	require.NoError(t, w.AddRows(&rw))
	assert.Error(t, w.AddRows(&rw), "the same Rows twice")

	bad := *fixture()[0]
	bad.Line = 0
	bad.Vega = bad.Vega / 0
	assert.ErrorIs(t, rw.Format(&bad), errNonFinite)
	assert.Error(t, w.AddRows(&rw), "Rows whose Format failed")
	assert.Error(t, rw.Format(nil))

	// Formatting reuses the memory of the previous trade.
	require.NoError(t, rw.Format(&pricing.Result{TradeID: "E", Err: os.ErrNotExist}))
	assert.Equal(t, "E,,,error,,,,,,,,,,,,,,,,,,,file does not exist\n", string(rw.results))
	assert.Empty(t, rw.sens)
	assert.Empty(t, rw.factors)
	require.NoError(t, w.AddRows(&rw))
	ok, failed := w.Counts()
	assert.Equal(t, 1, ok)
	assert.Equal(t, 1, failed)
}
