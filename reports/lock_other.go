//go:build !unix

package reports

import "os"

// lockDir does not lock on this system: two runs into one directory at
// once are the caller's to avoid here.
func lockDir(string) (*os.File, error) { return nil, nil }

// hold does not lock on this system.
func hold(string) *os.File { return nil }

// unheld reports false: without locks a live temporary file cannot be told
// from a stale one, so none is removed.
func unheld(string) bool { return false }
