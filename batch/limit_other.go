//go:build !unix

package batch

// openFileLimit returns false: the limit is not known here.
func openFileLimit() (uint64, bool) { return 0, false }
