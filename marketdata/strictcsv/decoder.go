package strictcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gocarina/gocsv"

	"github.com/aadrisk/aadrisk/internal/editdist"
)

// Limits that bound the memory and time a file can take.
const (
	// MaxRecordBytes is the longest record (with the blank lines before
	// it) a Decoder reads; a longer one is a fatal ErrTooLong.
	MaxRecordBytes = 1 << 20
	// MaxColumns is the most columns a header may have.
	MaxColumns = 1024
)

// Decoder reads the records of a CSV file with a header into values of
// type T, a struct whose fields carry `csv:"name"` tags.
//
// Every exported field of T must have a csv tag: a column name, or "-" for
// a field the decoder leaves alone; tag options (",omitempty" and the like)
// are not supported. A tagged field's pointer type must implement
// Unmarshaler, as Float, Decimal, Int and Text do: plain int, float and
// string fields, whose parsing would be the decoder's guess, are refused.
// Embedded fields must be tagged "-". A struct that breaks these rules is a
// programmer error, reported by NewDecoder as a plain (non-*Error) error.
//
// A Decoder streams: it holds one record at a time. It is not safe for
// concurrent use.
type Decoder[T any] struct {
	file string
	lim  *limitReader
	cr   *csv.Reader // the file

	fields    []field // T's tagged fields
	header    []string
	headerPos []position // per column, of the header cells
	colField  []int      // per column of the file: index in fields, or -1
	ignored   []string

	line  int        // of the record last returned
	pos   []position // per column, of the record last returned
	fatal *Error
	rec   []string // the record last read, even if it did not decode
}

type field struct {
	name  string // the csv tag
	index int    // in T; a pointer to the field is an Unmarshaler
	col   int    // column in the file, -1 if absent
}

type position struct{ line, col int }

// Unmarshaler is the interface of the cell types: UnmarshalCSV reads the
// cell's text into the value, or says what was expected and what was
// found. It is gocsv's TypeUnmarshaller, so that a row struct of these cell
// types reads the same with gocsv as with a Decoder: the Decoder adds the
// file's physical positions, the header checks and decoding each record
// once.
type Unmarshaler = gocsv.TypeUnmarshaller

var unmarshalerType = reflect.TypeFor[Unmarshaler]()

// NewDecoder reads the header of r; file names r in errors. required lists
// the columns that must be present; each must be a csv tag of T. The
// struct's csv tags give the known columns; unknown columns are ignored,
// except for likely misspellings of known ones (see the package
// documentation).
//
// Errors in the file are *Error values, all Fatal: ErrNoHeader (Line 0: the
// whole file), ErrMissingColumn (line 1, Column 0), ErrDuplicateColumn,
// ErrUnknownColumn and ErrInvalidUTF8 (line 1 and the column of the header
// cell), ErrTooLong, malformed CSV and I/O errors. A T that breaks the rules
// of Decoder, or a required name that is not one of its tags, gives a
// plain error.
func NewDecoder[T any](r io.Reader, file string, required ...string) (*Decoder[T], error) {
	fields, err := structFields(reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	for _, name := range required {
		if findField(fields, name) < 0 {
			return nil, fmt.Errorf("strictcsv: required column %q is not a csv tag of %v", name, reflect.TypeFor[T]())
		}
	}

	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
	}
	d := &Decoder[T]{file: file, fields: fields}
	d.lim = &limitReader{r: br, stop: MaxRecordBytes + readAhead, lines: 1}
	d.cr = csv.NewReader(d.lim)
	d.cr.ReuseRecord = true

	header, err := d.cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, &Error{File: file, Msg: "no header: the file is empty", Fatal: true, Err: ErrNoHeader}
		}
		e := d.readError(err, nil)
		e.Fatal = true
		return nil, e
	}
	if len(header) > MaxColumns {
		return nil, &Error{File: file, Line: 1, Msg: fmt.Sprintf("header has %d columns, more than %d", len(header), MaxColumns), Fatal: true, Err: ErrTooLong}
	}
	d.lim.recordDone(d.cr.InputOffset())
	d.header = make([]string, len(header))
	d.colField = make([]int, len(header))
	d.pos = make([]position, len(header))
	d.headerPos = make([]position, len(header))
	for j, h := range header {
		if !utf8.ValidString(h) {
			return nil, d.headerError(j, "header is not valid UTF-8", ErrInvalidUTF8)
		}
		d.header[j] = trim(h)
		d.headerPos[j].line, d.headerPos[j].col = d.cr.FieldPos(j)
	}
	if err := d.matchHeader(); err != nil {
		return nil, err
	}
	var missing []string
	for _, name := range required {
		if f := fields[findField(fields, name)]; f.col < 0 {
			missing = append(missing, fmt.Sprintf("%q", f.name))
		}
	}
	if len(missing) > 0 {
		msg := "missing column " + missing[0]
		if len(missing) > 1 {
			msg = "missing columns " + strings.Join(missing, ", ")
		}
		return nil, &Error{File: file, Line: 1, Msg: msg, Fatal: true, Err: ErrMissingColumn}
	}
	return d, nil
}

// structFields returns the tagged fields of t, checking the rules of
// Decoder.
func structFields(t reflect.Type) ([]field, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("strictcsv: %v is not a struct", t)
	}
	var fields []field
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("csv")
		if !sf.IsExported() && !sf.Anonymous {
			if ok {
				return nil, fmt.Errorf("strictcsv: field %s of %v has a csv tag but is not exported", sf.Name, t)
			}
			continue
		}
		if tag == "-" {
			continue
		}
		if sf.Anonymous {
			return nil, fmt.Errorf("strictcsv: embedded field %s of %v must be tagged csv:\"-\"", sf.Name, t)
		}
		if !ok || tag == "" {
			return nil, fmt.Errorf("strictcsv: field %s of %v has no csv tag (use csv:\"-\" to leave it alone)", sf.Name, t)
		}
		if strings.ContainsAny(tag, ",\x00") || trim(tag) != tag {
			return nil, fmt.Errorf("strictcsv: field %s of %v: csv tag %q: options and surrounding spaces are not supported", sf.Name, t, tag)
		}
		if !reflect.PointerTo(sf.Type).Implements(unmarshalerType) {
			return nil, fmt.Errorf("strictcsv: field %s of %v: type %v has no UnmarshalCSV method (use strictcsv.Float, Decimal, Int or Text)", sf.Name, t, sf.Type)
		}
		if findField(fields, tag) >= 0 {
			return nil, fmt.Errorf("strictcsv: two fields of %v have the csv tag %q", t, tag)
		}
		fields = append(fields, field{name: tag, index: i, col: -1})
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("strictcsv: %v has no csv-tagged fields", t)
	}
	return fields, nil
}

// findField returns the index of the field named name (case-insensitive),
// or -1.
func findField(fields []field, name string) int {
	name = trim(name)
	for i, f := range fields {
		if strings.EqualFold(f.name, name) {
			return i
		}
	}
	return -1
}

// matchHeader maps the columns of the header to the fields.
func (d *Decoder[T]) matchHeader() error {
	for j, h := range d.header {
		d.colField[j] = -1
		if h == "" {
			continue
		}
		for k := range j {
			if strings.EqualFold(d.header[k], h) {
				line, col := d.cr.FieldPos(k)
				return d.headerError(j, fmt.Sprintf("duplicate column %q (first at %d:%d)", h, line, col), ErrDuplicateColumn)
			}
		}
		if fi := findField(d.fields, h); fi >= 0 {
			d.colField[j] = fi
			d.fields[fi].col = j
		}
	}
	for j, h := range d.header {
		if h == "" || d.colField[j] >= 0 {
			continue
		}
		if fi := nearMiss(d.fields, h); fi >= 0 {
			if c := d.fields[fi].col; c >= 0 {
				// Beside the real column, a misspelt copy: which one holds
				// the figures the file means is anyone's guess.
				line, col := d.cr.FieldPos(c)
				return d.headerError(j, fmt.Sprintf("unknown column %q beside %q (at %d:%d): a misspelt duplicate? remove or rename one", h, d.header[c], line, col), ErrUnknownColumn)
			}
			return d.headerError(j, fmt.Sprintf("unknown column %q: did you mean %q?", h, d.fields[fi].name), ErrUnknownColumn)
		}
		d.ignored = append(d.ignored, h)
	}
	return nil
}

func (d *Decoder[T]) headerError(j int, msg string, err error) *Error {
	line, col := d.cr.FieldPos(j)
	return &Error{File: d.file, Line: line, Column: col, Msg: msg, Fatal: true, Err: err}
}

// nearMiss returns the field whose name h is likely a misspelling of, or -1:
// one edit away (insertion, deletion, substitution or transposition of
// adjacent letters, case aside) for names of four or more letters, or equal
// once spaces, '-' and '_' are dropped.
func nearMiss(fields []field, h string) int {
	lh := strings.ToLower(h)
	for i, f := range fields {
		lf := strings.ToLower(f.name)
		if squash(lh) == squash(lf) {
			return i
		}
		if len(lf) >= 4 && oneEdit(lh, lf) {
			return i
		}
	}
	return -1
}

func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' {
			return -1
		}
		return r
	}, s)
}

// oneEdit reports whether a and b differ by exactly one edit.
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	switch len(b) - len(a) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // transposition
	case 1:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}

// Next decodes the next record into *row, which it zeroes first, and
// returns the physical line where the record starts. Fields whose column
// is not in the header stay zero. At the end of the file it returns io.EOF.
//
// A bad record or cell gives an *Error: a cell that its field's type
// rejects (with that column, its name and the cell type's message), a cell
// that is not valid UTF-8, a record with another number of fields than the
// header (csv.ErrFieldCount, Column 0), a bare quote in an unquoted cell
// (csv.ErrBareQuote). *row is then zero, and the next call reads the next
// record. Errors after which the position in the file is lost are Fatal,
// and Next returns them again on every later call: a quote that does not
// close where a quoted cell should end (csv.ErrQuote, which may have
// swallowed the following lines into one cell), a record longer than
// MaxRecordBytes (ErrTooLong), an I/O error.
func (d *Decoder[T]) Next(row *T) (line int, err error) {
	var zero T
	*row = zero
	if d.fatal != nil {
		return d.fatal.Line, d.fatal
	}
	d.line = 0
	rec, err := d.cr.Read()
	d.rec = rec // with csv.ErrFieldCount the record comes with the error
	if d.lim.err == nil {
		d.lim.recordDone(d.cr.InputOffset())
	}
	if err != nil {
		if err == io.EOF && d.lim.err == nil {
			return 0, io.EOF
		}
		e := d.readError(err, rec)
		return e.Line, e
	}
	line, _ = d.cr.FieldPos(0)
	for j, cell := range rec {
		if !utf8.ValidString(cell) {
			return line, d.cellError(j, "cell is not valid UTF-8", ErrInvalidUTF8)
		}
	}

	// Each known cell straight into its field, in the order of the
	// columns: the first cell its type rejects is the record's error.
	v := reflect.ValueOf(row).Elem()
	for j, fi := range d.colField {
		if fi < 0 {
			continue
		}
		u := v.Field(d.fields[fi].index).Addr().Interface().(Unmarshaler)
		if err := u.UnmarshalCSV(rec[j]); err != nil {
			*row = zero
			return line, d.cellError(j, err.Error(), err)
		}
	}
	d.line = line
	for j := range d.pos {
		d.pos[j].line, d.pos[j].col = d.cr.FieldPos(j)
	}
	return line, nil
}

// cellError returns an *Error at cell j of the record just read: at the
// line where the cell starts, which for a cell after a quoted one that
// spans lines is not the record's first line.
func (d *Decoder[T]) cellError(j int, msg string, err error) *Error {
	line, col := d.cr.FieldPos(j)
	return &Error{File: d.file, Line: line, Column: col, Field: d.columnName(j), Msg: msg, Err: err}
}

// columnName returns the canonical name of column j: the field's tag for a
// known column, the header as written otherwise.
func (d *Decoder[T]) columnName(j int) string {
	if j < 0 || j >= len(d.header) {
		return ""
	}
	if fi := d.colField[j]; fi >= 0 {
		return d.fields[fi].name
	}
	return d.header[j]
}

// readError turns an error of the csv.Reader into an *Error, recording it
// as the decoder's fatal error when reading cannot go on.
func (d *Decoder[T]) readError(err error, rec []string) *Error {
	e := &Error{File: d.file, Err: err}
	var pe *csv.ParseError
	switch {
	case d.lim.err != nil:
		// The limit (or an I/O error) takes precedence over whatever the
		// csv.Reader made of the cut record.
		e.Err, e.Line, e.Fatal = d.lim.err, d.lim.errLine, true
		if d.lim.err == ErrTooLong {
			e.Msg = fmt.Sprintf("record too long: more than %d bytes", MaxRecordBytes)
		} else {
			e.Msg = "reading: " + d.lim.err.Error()
		}
	case errors.As(err, &pe):
		e.Err = pe.Err
		switch pe.Err {
		case csv.ErrFieldCount:
			e.Line = pe.StartLine
			e.Msg = fmt.Sprintf("want %d fields as in the header, got %d", len(d.header), len(rec))
		case csv.ErrBareQuote:
			e.Line, e.Column, e.Field = pe.Line, pe.Column, d.columnName(len(rec))
			e.Msg = `bare " in an unquoted cell (quote the cell and double the quote: "")`
		case csv.ErrQuote:
			e.Line, e.Column, e.Field = pe.Line, pe.Column, d.columnName(len(rec))
			e.Msg = "quoted cell not closed properly"
			if pe.StartLine != pe.Line {
				e.Msg += fmt.Sprintf(" (record from line %d)", pe.StartLine)
			}
			e.Fatal = true
		default:
			e.Line, e.Column = pe.Line, pe.Column
			e.Msg = pe.Err.Error()
			e.Fatal = true
		}
	default:
		e.Msg = "reading: " + err.Error()
		e.Fatal = true
	}
	if e.Fatal {
		d.fatal = e
	}
	return e
}

// Errorf returns an *Error at the named column of the record last
// returned by Next, with the message fmt.Sprintf(format, args...): for the
// checks a caller makes after decoding (a required cell that is blank, an
// unknown enumeration value). field is a column name (case-insensitive); if
// the header has no such column, Column is 0. If the last Next returned an
// error, Line is 0.
func (d *Decoder[T]) Errorf(field string, format string, args ...any) *Error {
	e := &Error{File: d.file, Line: d.line, Field: field, Msg: fmt.Sprintf(format, args...)}
	for j, h := range d.header {
		if h != "" && strings.EqualFold(h, trim(field)) {
			e.Field = d.columnName(j)
			if d.line > 0 {
				e.Line, e.Column = d.pos[j].line, d.pos[j].col
			}
			break
		}
	}
	return e
}

// Raw returns the text of the named column in the record last read by
// Next, trimmed, with invalid UTF-8 replaced, whether or not the record
// decoded: to say which row an error belongs to (its ID, say) when the
// record did not decode. It is "" if there is no such column or record.
func (d *Decoder[T]) Raw(field string) string {
	for j, h := range d.header {
		if h != "" && strings.EqualFold(h, trim(field)) && j < len(d.rec) {
			return strings.ToValidUTF8(trim(d.rec[j]), "\uFFFD")
		}
	}
	return ""
}

// Has reports whether the header has the column (case-insensitive).
func (d *Decoder[T]) Has(field string) bool {
	field = trim(field)
	for _, h := range d.header {
		if h != "" && strings.EqualFold(h, field) {
			return true
		}
	}
	return false
}

// LookAlike returns the ignored column of the header that most resembles
// field, a known column that the header lacks, or "" if none does (or the
// header has field): for a caller that finds field missing when a record
// needs it, and can then say which column was probably meant. Names are
// compared case aside, with spaces, '-' and '_' as word breaks; a column
// resembles field if, those breaks dropped, the two are at most two edits
// apart (insertions, deletions, substitutions, transpositions of adjacent
// letters) and field has five letters or more, or if it has field's first
// word, of four letters or more, as one of its words (barrier_kind and
// type_of_barrier for barrier_type, basket_weights for weights). Of
// several, the one fewest edits away wins, then the first in the header.
//
// The decoder itself rejects only closer misses (see the package
// documentation): a column of the user's own (barrier_note, say) is no
// mistake until a record needs the column it resembles.
func (d *Decoder[T]) LookAlike(field string) string {
	if findField(d.fields, field) < 0 || d.Has(field) {
		return ""
	}
	f := strings.ToLower(trim(field))
	sf, first := squash(f), firstWord(f)
	best, bestDist := "", 0
	for _, h := range d.ignored {
		lh := strings.ToLower(h)
		dist := editdist.Distance(squash(lh), sf)
		if !(len(sf) >= 5 && dist <= 2) && !(len(first) >= 4 && slices.Contains(words(lh), first)) {
			continue
		}
		if best == "" || dist < bestDist {
			best, bestDist = h, dist
		}
	}
	return best
}

// words splits a lower-case column name at spaces, '-' and '_'.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' })
}

func firstWord(s string) string {
	if w := words(s); len(w) > 0 {
		return w[0]
	}
	return ""
}

// HeaderErrorf makes the header itself the error, for a caller that finds
// while reading the records that the header cannot be right (a column
// that a record needs is missing, and LookAlike found the column probably
// meant): it returns a Fatal *Error at the header cell of column (its line
// and column; Line 1 and Column 0 if the header has no such column), with
// err as Err and the message fmt.Sprintf(format, args...), and every later
// call of Next returns that error.
func (d *Decoder[T]) HeaderErrorf(column string, err error, format string, args ...any) *Error {
	e := &Error{File: d.file, Line: 1, Msg: fmt.Sprintf(format, args...), Fatal: true, Err: err}
	for j, h := range d.header {
		if h != "" && strings.EqualFold(h, trim(column)) {
			e.Line, e.Column = d.headerPos[j].line, d.headerPos[j].col
			break
		}
	}
	d.fatal = e
	return e
}

// Header returns the column names of the header, trimmed, in file order.
// The caller must not modify it.
func (d *Decoder[T]) Header() []string { return d.header }

// Ignored returns the header's columns that T does not know and the
// decoder ignores, for the caller to log.
func (d *Decoder[T]) Ignored() []string { return d.ignored }

// readAhead bounds how far the csv.Reader's buffer reads past the record
// it parses.
const readAhead = 64 << 10

// limitReader stops the csv.Reader from reading more than MaxRecordBytes
// (plus its read-ahead) past the end of the last record, and counts lines
// so that the error says where.
type limitReader struct {
	r       io.Reader
	n       int64 // bytes delivered
	stop    int64 // n may not pass stop
	lines   int   // 1 + newlines delivered
	err     error // sticky: ErrTooLong or an I/O error
	errLine int
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	room := l.stop - l.n
	if room <= 0 {
		l.err, l.errLine = ErrTooLong, l.lines
		return 0, l.err
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	k, err := l.r.Read(p)
	l.n += int64(k)
	l.lines += bytes.Count(p[:k], []byte{'\n'})
	if err != nil && err != io.EOF {
		l.err, l.errLine = err, l.lines
	}
	return k, err
}

// recordDone moves the limit past a record that ended at offset off.
func (l *limitReader) recordDone(off int64) { l.stop = off + MaxRecordBytes + readAhead }
