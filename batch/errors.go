package batch

import (
	"errors"
	"fmt"
)

// The kinds of Error: why a merge refused its shards. errors.Is(err,
// ErrDamaged) and the like tell them apart.
var (
	// ErrNotShard: a directory is not the output of a completed shard (it
	// does not exist, has no manifest.json or an unreadable one, or is the
	// output of an unsharded run).
	ErrNotShard = errors.New("not the output of a completed shard")
	// ErrIncompatible: the shards are not of the same batch (version,
	// command, as-of date, inputs, seed, paths, rng, antithetic or N).
	ErrIncompatible = errors.New("shards of different batches")
	// ErrDuplicate: a shard is given twice.
	ErrDuplicate = errors.New("a shard given twice")
	// ErrMissing: some shards of the batch are not given.
	ErrMissing = errors.New("shards missing")
	// ErrOutIsShard: the output directory is one of the shards'.
	ErrOutIsShard = errors.New("the output is a shard directory")
	// ErrPortfolio: the portfolio is not the file the shards priced (its
	// SHA-256 differs) or cannot be read.
	ErrPortfolio = errors.New("not the portfolio the shards priced")
	// ErrDamaged: a shard's files are not those its run wrote: a length or
	// CRC-32C other than its manifest's, rows too many, too few or out of
	// place, a trade in the wrong shard, a file that does not read back.
	ErrDamaged = errors.New("a damaged shard")
	// ErrTooMany: the batch has more shards than merge can hold open
	// within the process's limit of open files.
	ErrTooMany = errors.New("more shards than open files allow")
)

// Error is a refusal of a merge, before anything is written. Its message
// is the whole explanation, naming the shard directory or file concerned:
// it begins with "merge: ", or, for a file that does not read back, with
// the file, line and column of the error, as the readers of the
// project's files (reports.NewResultsReader and the like) report them.
type Error struct {
	// Kind is one of the Err values above.
	Kind error
	// Dir is the shard directory concerned, "" when it is none in
	// particular.
	Dir string
	// Err is the error that caused the refusal, if any (an *os.PathError,
	// a reader's error naming its file...).
	Err error
	msg string
}

func (e *Error) Error() string { return e.msg }

// Unwrap gives Kind and Err, for errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// refuse returns an *Error of kind about dir, whose message is "merge: "
// and format; a %w in format gives Err.
func refuse(kind error, dir, format string, args ...any) *Error {
	err := fmt.Errorf("merge: "+format, args...)
	return &Error{Kind: kind, Dir: dir, Err: errors.Unwrap(err), msg: err.Error()}
}

// readErr returns an *Error of kind about dir for err, an error that names
// its file itself (a reader's), with err's message.
func readErr(kind error, dir string, err error) *Error {
	return &Error{Kind: kind, Dir: dir, Err: err, msg: err.Error()}
}
