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
