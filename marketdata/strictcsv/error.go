package strictcsv

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Error is a reading error at a position of a file.
type Error struct {
	File string // the file's name, as given to NewDecoder
	// Line and Column are 1-based physical positions; Column counts bytes.
	// Column 0 means the whole line (a record), Line 0 the whole file.
	Line, Column int
	Field        string // the column's name, "" when the error is not about one column
	Msg          string // what was expected and what was found

	// Fatal reports that the decoder cannot go on: every later call of
	// Next returns this error again. The file cannot be read as a whole.
	Fatal bool
	// Err is the underlying error, if any: ErrSyntax or ErrRange from a
	// cell type, ErrInvalidUTF8, ErrTooLong, ErrNoHeader, ErrMissingColumn,
	// ErrDuplicateColumn, ErrUnknownColumn, csv.ErrFieldCount,
	// csv.ErrBareQuote, csv.ErrQuote, or an I/O error.
	Err error
}

// Error formats e as "file:line:column: field: msg", leaving out the parts
// that are zero or empty, for example
//
//	portfolio.csv:12:5: strike: want a number, got "abc"
//	portfolio.csv:7: want 14 fields as in the header, got 13
//	portfolio.csv: no header: the file is empty
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		if e.File != "" {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }

// Errors that Error.Err may hold (tested with errors.Is).
var (
	// ErrSyntax: a cell is not what its type reads (a number, an integer).
	ErrSyntax = errors.New("invalid syntax")
	// ErrRange: a number is too large (or too precise) for its type.
	ErrRange = errors.New("value out of range")
	// ErrInvalidUTF8: a cell is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrTooLong: a record is longer than MaxRecordBytes, or a header has
	// more than MaxColumns columns.
	ErrTooLong = errors.New("record too long")
	// ErrNoHeader: the file is empty.
	ErrNoHeader = errors.New("no header")
	// ErrMissingColumn: a required column is not in the header.
	ErrMissingColumn = errors.New("missing column")
	// ErrDuplicateColumn: a column appears twice in the header.
	ErrDuplicateColumn = errors.New("duplicate column")
	// ErrUnknownColumn: a header name looks like a misspelt known column.
	ErrUnknownColumn = errors.New("unknown column")
)

// valueError is the error of a cell type: a message that says what was
// expected and what was found, and ErrSyntax or ErrRange.
type valueError struct {
	msg string
	err error
}

func (e *valueError) Error() string { return e.msg }
func (e *valueError) Unwrap() error { return e.err }

// maxQuoted is how many bytes of a cell an error message quotes.
const maxQuoted = 40

// quote returns s quoted for a message, cut to maxQuoted bytes (at a rune
// boundary) with "..." after the quote when it is longer.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "..."
}
