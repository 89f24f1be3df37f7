//go:build unix

package reports

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockDir takes the lock of an output directory: an exclusive flock(2) on
// the directory itself (no lock file is left in it), which the system
// releases when the process ends however it ends (kill -9 too), so no
// lock outlives its run. A directory another run holds is ErrLocked.
func lockDir(dir string) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("reports: locking the output directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("reports: %s: %w", dir, ErrLocked)
		}
		return nil, fmt.Errorf("reports: locking the output directory: %w", err)
	}
	return f, nil
}

// hold opens path and takes a shared flock(2) on it, which lasts until the
// returned file is closed or the process ends; nil if it cannot.
func hold(path string) *os.File {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	if syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB) != nil {
		f.Close()
		return nil
	}
	return f
}

// unheld reports whether no process holds path (see hold): the temporary
// file of a run that ended without cleaning up.
func unheld(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
