//go:build unix

package batch

import "syscall"

// openFileLimit returns the number of files the process may hold open,
// and false if it cannot tell.
func openFileLimit() (uint64, bool) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, false
	}
	return l.Cur, true
}
