package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestManifestRoundTrip(t *testing.T) {
	m := fixtureManifest()
	m.Seed = math.MaxUint64 // beyond float64's exact integers: still exact
	m.TradesOK, m.TradesFailed = 7, 1
	m.Files = []string{ResultsFile}
	m.Inputs[0].Path = `C:\books\<eod> & "main".csv`
	data, err := m.marshal()
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(string(data), "}\n"))
	assert.Contains(t, string(data), `"seed": 18446744073709551615,`)
	assert.Contains(t, string(data), `<eod> & \"main\"`, "HTML characters are not escaped")

	var got Manifest
	require.NoError(t, json.Unmarshal(data, &got))
	assert.Equal(t, *m, got)

	again, err := got.marshal()
	require.NoError(t, err)
	assert.Equal(t, string(data), string(again), "stable encoding")

	// An embedded input has no path, and an unsharded run an empty shard.
	m.Inputs[0].Path, m.Shard = "", ""
	data, err = m.marshal()
	require.NoError(t, err)
	assert.NotContains(t, string(data), `"path": ""`)
	assert.Contains(t, string(data), `"shard": "",`)
	require.NoError(t, m.check())
}

func TestHashReader(t *testing.T) {
	data := []byte(strings.Repeat("trade_id,instrument\nT1,european\n", 10_000))
	path := filepath.Join(t.TempDir(), "portfolio.csv")
	require.NoError(t, os.WriteFile(path, data, 0o666))
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])

	got, err := HashFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	h := NewHashReader(iotest.HalfReader(f)) // many short reads
	read, err := io.ReadAll(h)
	require.NoError(t, err)
	assert.Equal(t, data, read, "the reader passes the bytes through")
	assert.Equal(t, want, h.Sum())
	assert.Equal(t, int64(len(data)), h.N())
	assert.Equal(t, want, h.Sum(), "Sum does not change the hash")

	empty := sha256.Sum256(nil)
	assert.Equal(t, hex.EncodeToString(empty[:]), NewHashReader(strings.NewReader("")).Sum())

	_, err = HashFile(filepath.Join(t.TempDir(), "missing.csv"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// HashReader hashes what it reads, also when the reader returns data and an
// error together.
func TestHashReaderDataWithError(t *testing.T) {
	data := "a,b\n1,2\n"
	h := NewHashReader(iotest.DataErrReader(strings.NewReader(data)))
	_, err := io.ReadAll(h)
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(data))
	assert.Equal(t, hex.EncodeToString(sum[:]), h.Sum())
}
