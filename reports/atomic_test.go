package reports

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAtomicFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.html")
	f, err := CreateAtomic(p)
	require.NoError(t, err)
	_, err = f.Write([]byte("hello"))
	require.NoError(t, err)
	_, err = os.Stat(p)
	assert.True(t, os.IsNotExist(err), "visible before Commit")
	require.NoError(t, f.Commit())
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(b))

	f, err = CreateAtomic(filepath.Join(dir, "gone.html"))
	require.NoError(t, err)
	require.NoError(t, f.Abort())
	ents, _ := os.ReadDir(dir)
	assert.Len(t, ents, 1)

	_, err = CreateAtomic(filepath.Join(dir, "no", "such", "dir.html"))
	assert.Error(t, err)
	_, err = CreateAtomic(dir + string(filepath.Separator))
	assert.ErrorContains(t, err, "is a directory")
}

// After Commit or Abort, the file takes no more bytes and commits nothing;
// Abort after Commit leaves the committed file.
func TestAtomicFileClosed(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.html")
	f, err := CreateAtomic(p)
	require.NoError(t, err)
	require.NoError(t, f.Commit())
	_, err = f.Write([]byte("late"))
	assert.ErrorIs(t, err, errClosed)
	assert.ErrorIs(t, f.Commit(), errClosed)
	require.NoError(t, f.Abort())
	_, err = os.Stat(p)
	assert.NoError(t, err, "Abort after Commit removes nothing")

	f, err = CreateAtomic(filepath.Join(dir, "gone.html"))
	require.NoError(t, err)
	require.NoError(t, f.Abort())
	assert.ErrorIs(t, f.Commit(), errClosed)
	require.NoError(t, f.Abort())
	_, err = os.Stat(filepath.Join(dir, "gone.html"))
	assert.True(t, os.IsNotExist(err))
}
