package reports

import (
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
)

// Every output file (the Writer's and the HTML report) is written
// atomically, by one mechanism, tempFile: its bytes go to a hidden
// temporary file in the file's directory, which is fsynced and renamed
// into place once complete, or removed. Until the rename nothing is visible
// under the final name, so an interrupted run never leaves a half-written
// file. A Writer commits its files together (manifest.json last); an
// AtomicFile is one tempFile on its own.

// AtomicFile is one file written atomically (see CreateAtomic): Commit
// flushes and fsyncs it and renames it into place; Abort removes it.
// Creating it first checks early that the file can be written.
type AtomicFile struct {
	t *tempFile
	// lock holds a lock on the temporary file while it lives, so that
	// another CreateAtomic of the same path tells it from the temporary
	// file of a run killed before it could clean up.
	lock *os.File
}

// CreateAtomic creates the temporary file for path, in path's directory,
// first removing the temporary files of path that runs killed before they
// could clean up (kill -9) left there: those no live AtomicFile holds (on
// Unix, by flock(2), which the system releases when a process ends).
func CreateAtomic(path string) (*AtomicFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return nil, fmt.Errorf("reports: %q is a directory, not a file name", path)
	}
	stale, err := filepath.Glob(filepath.Join(dir, "."+base+".tmp-*"))
	if err != nil {
		return nil, err
	}
	for _, s := range stale {
		if unheld(s) {
			os.Remove(s)
		}
	}
	t, err := createTemp(dir, base, 1<<16)
	if err != nil {
		return nil, err
	}
	return &AtomicFile{t: t, lock: hold(t.name)}, nil
}

// Write buffers p and writes the buffer out as it fills. After an error,
// every later Write and Commit returns it.
func (f *AtomicFile) Write(p []byte) (int, error) {
	if err := f.t.writable(); err != nil {
		return 0, err
	}
	f.t.buf = append(f.t.buf, p...)
	if len(f.t.buf) >= flushSize {
		if err := f.t.flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Commit flushes, fsyncs and closes the file and renames it into place;
// when it fails, the temporary file is removed.
func (f *AtomicFile) Commit() error {
	t := f.t
	if err := t.writable(); err != nil {
		return err
	}
	err := t.finish()
	if err == nil {
		err = t.rename()
	}
	if err != nil {
		t.remove()
		f.release()
		return err
	}
	f.release()
	return syncDir(filepath.Dir(t.final))
}

// Abort removes the temporary file; after Commit it does nothing.
func (f *AtomicFile) Abort() error {
	err := f.t.remove()
	f.release()
	return err
}

// release lets go of the temporary file's lock.
func (f *AtomicFile) release() {
	if f.lock != nil {
		f.lock.Close()
		f.lock = nil
	}
}

// tempFile is one output file while it is written. It is open until
// finish closes it or remove removes it; name is "" once it is renamed or
// removed, when nothing is left to clean up.
type tempFile struct {
	f     *os.File
	name  string // the temporary file
	final string
	buf   []byte
	err   error // the first write error; sticky
	// n and crc are the length and CRC-32C of the bytes written out (buf
	// aside), rows the number of data rows in the file and in buf.
	n    int64
	crc  uint32
	rows int
}

// castagnoli is the CRC-32C table (hardware-accelerated on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// summary describes the file as it will be once buf is written out.
func (t *tempFile) summary() OutputFile {
	return OutputFile{
		Name:   filepath.Base(t.final),
		Rows:   t.rows,
		Bytes:  t.n + int64(len(t.buf)),
		CRC32C: fmt.Sprintf("%08x", crc32.Update(t.crc, castagnoli, t.buf)),
	}
}

// removeStale removes the temporary files of earlier runs in dir.
func removeStale(dir string) error {
	for _, final := range []string{ResultsFile, SensitivitiesFile, RiskFile, ValidationFile, SecondOrderFile, RiskSecondOrderFile, ManifestFile} {
		stale, err := filepath.Glob(filepath.Join(dir, "."+final+".tmp-*"))
		if err != nil {
			return err
		}
		for _, f := range stale {
			if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("reports: removing a stale temporary file: %w", err)
			}
		}
	}
	return nil
}

// createTemp creates a new, empty temporary file in dir for the output file
// final: ".<final>.tmp-<random>", hidden on Unix, with the permissions an
// ordinary new file gets (0666 less the umask).
func createTemp(dir, final string, bufSize int) (*tempFile, error) {
	for range 100 {
		name := filepath.Join(dir, "."+final+".tmp-"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reports: creating a temporary file for %s: %w", final, err)
		}
		return &tempFile{f: f, name: name, final: filepath.Join(dir, final), buf: make([]byte, 0, bufSize)}, nil
	}
	return nil, fmt.Errorf("reports: creating a temporary file for %s: no free name", final)
}

// errClosed is the error of writing to a file after finish or remove.
var errClosed = errors.New("reports: file already committed or aborted")

// writable returns the sticky error, or errClosed once the file is closed.
func (t *tempFile) writable() error {
	if t.err != nil {
		return t.err
	}
	if t.f == nil {
		return errClosed
	}
	return nil
}

func (t *tempFile) flush() error {
	if len(t.buf) == 0 {
		return nil
	}
	if _, err := t.f.Write(t.buf); err != nil {
		t.err = fmt.Errorf("reports: writing %s: %w", filepath.Base(t.final), err)
		return t.err
	}
	t.crc = crc32.Update(t.crc, castagnoli, t.buf)
	t.n += int64(len(t.buf))
	t.buf = t.buf[:0]
	return nil
}

// finish flushes, fsyncs and closes the file.
func (t *tempFile) finish() error {
	if err := t.flush(); err != nil {
		return err
	}
	if err := t.f.Sync(); err != nil {
		return fmt.Errorf("reports: syncing %s: %w", filepath.Base(t.final), err)
	}
	err := t.f.Close()
	t.f = nil
	if err != nil {
		return fmt.Errorf("reports: closing %s: %w", filepath.Base(t.final), err)
	}
	return nil
}

func (t *tempFile) rename() error {
	if err := os.Rename(t.name, t.final); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	t.name = "" // nothing left to remove
	return nil
}

// remove closes and removes the temporary file, if it is still there.
func (t *tempFile) remove() error {
	if t.f != nil {
		t.f.Close() // its contents are being thrown away
		t.f = nil
	}
	if t.name == "" {
		return nil
	}
	err := os.Remove(t.name)
	t.name = ""
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

// syncDir makes the renames in dir durable. Windows cannot fsync a
// directory (and does not need to); a file system that does not support it
// (EINVAL) is let be.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("reports: syncing the output directory: %w", err)
	}
	return nil
}
