package strictcsv

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type trade struct {
	ID       Text    `csv:"trade_id"`
	Strike   Float   `csv:"strike"`
	Quantity Decimal `csv:"quantity"`
	Paths    Int     `csv:"paths"`
	Option   Text    `csv:"option_type"`
	Line     int     `csv:"-"`
	note     string  // unexported, untagged: not a column, but zeroed by Next
}

func TestNextZeroesTheRow(t *testing.T) {
	d, err := NewDecoder[trade](strings.NewReader("trade_id,strike\nA,1\nB,x\n"), "p.csv")
	require.NoError(t, err)
	row := trade{ID: "old", Paths: Int{V: 9, Set: true}, Line: 3, note: "kept?"}
	_, err = d.Next(&row)
	require.NoError(t, err)
	assert.Equal(t, trade{ID: "A", Strike: Float{V: 1, Set: true}}, row, "fields without a column and unexported ones are zero")
	row.note = "kept?"
	_, err = d.Next(&row)
	require.Error(t, err)
	assert.Equal(t, trade{}, row, "a record that does not decode leaves the row zero")
}

// readAll decodes every record of in, returning the rows and the errors in
// file order (a nil error for a good row).
func readAll(t *testing.T, in string, required ...string) ([]trade, []int, []error) {
	t.Helper()
	d, err := NewDecoder[trade](strings.NewReader(in), "p.csv", required...)
	require.NoError(t, err)
	var rows []trade
	var lines []int
	var errs []error
	for range len(in) + 2 {
		var r trade
		line, err := d.Next(&r)
		if err == io.EOF {
			return rows, lines, errs
		}
		rows, lines, errs = append(rows, r), append(lines, line), append(errs, err)
		var e *Error
		if errors.As(err, &e) && e.Fatal {
			_, again := d.Next(&r)
			assert.Same(t, e, again, "a fatal error repeats")
			return rows, lines, errs
		}
	}
	t.Fatal("Next does not reach the end")
	return nil, nil, nil
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	require.ErrorAs(t, err, &e)
	return e
}

func TestDecodeBasic(t *testing.T) {
	in := "strike,trade_id,quantity,paths\n" +
		"100,T1,-2.5,010\n" +
		"  95.5 , T2 ,1e3,\n"
	rows, lines, errs := readAll(t, in, "trade_id", "strike")
	require.Len(t, rows, 2)
	assert.Equal(t, []error{nil, nil}, errs)
	assert.Equal(t, []int{2, 3}, lines)
	assert.Equal(t, Text("T1"), rows[0].ID)
	assert.Equal(t, Float{V: 100, Set: true}, rows[0].Strike)
	assert.Equal(t, "-2.5", rows[0].Quantity.V.String())
	assert.Equal(t, Int{V: 10, Set: true}, rows[0].Paths)
	assert.Equal(t, Text("T2"), rows[1].ID)
	assert.Equal(t, 95.5, rows[1].Strike.V)
	assert.Equal(t, "1000", rows[1].Quantity.V.String())
	assert.False(t, rows[1].Paths.Set, "blank cell")
	assert.Equal(t, Text(""), rows[1].Option, "absent column")
}

func TestBOMAndCRLF(t *testing.T) {
	for _, in := range []string{
		"\xEF\xBB\xBFtrade_id,strike\r\nT1,100\r\nT2,\"1\r\n\"\r\n",
		"\xEF\xBB\xBFtrade_id,strike\r\nT1,100\r\nT2,\"1\r\n\"", // no final line end
		"trade_id,strike\nT1,100\n\nT2,\"1\n\"\n",
	} {
		d, err := NewDecoder[trade](strings.NewReader(in), "p.csv", "trade_id")
		require.NoError(t, err, "%q", in)
		assert.Equal(t, []string{"trade_id", "strike"}, d.Header())
		var r trade
		line, err := d.Next(&r)
		require.NoError(t, err)
		assert.Equal(t, 2, line)
		assert.Equal(t, Text("T1"), r.ID)
		line, err = d.Next(&r)
		assert.ErrorIs(t, err, ErrSyntax, "a quoted cell with a line end is not a number: %q", in)
		want := 3
		if strings.Contains(in, "\n\nT2") {
			want = 4 // after a blank line
		}
		assert.Equal(t, want, line)
		_, err = d.Next(&r)
		assert.Equal(t, io.EOF, err)
	}
}

func TestBOMOnly(t *testing.T) {
	for _, in := range []string{"", "\xEF\xBB\xBF", "\n\n", "\r\n"} {
		_, err := NewDecoder[trade](strings.NewReader(in), "p.csv")
		e := asError(t, err)
		assert.ErrorIs(t, err, ErrNoHeader)
		assert.Equal(t, "p.csv: no header: the file is empty", e.Error())
	}
}

func TestHeaderOnly(t *testing.T) {
	d, err := NewDecoder[trade](strings.NewReader("trade_id,strike\n"), "p.csv")
	require.NoError(t, err)
	var r trade
	_, err = d.Next(&r)
	assert.Equal(t, io.EOF, err)
}

func TestHeader(t *testing.T) {
	tests := []struct {
		name     string
		header   string
		required []string
		err      error // nil: accepted
		col      int
		msg      string
	}{
		{"any order", "paths,strike,trade_id", []string{"trade_id"}, nil, 0, ""},
		{"case and spaces", " Trade_ID ,STRIKE", []string{"trade_id", "strike"}, nil, 0, ""},
		{"unknown ignored", "trade_id,notes,desk", nil, nil, 0, ""},
		{"blank names ignored", "trade_id,,,strike,", nil, nil, 0, ""},
		{"missing", "trade_id,paths", []string{"trade_id", "strike"}, ErrMissingColumn, 0, `p.csv:1: missing column "strike"`},
		{"missing two", "paths", []string{"trade_id", "strike"}, ErrMissingColumn, 0, `p.csv:1: missing columns "trade_id", "strike"`},
		{"duplicate", "trade_id,strike,Strike", nil, ErrDuplicateColumn, 17, `p.csv:1:17: duplicate column "Strike" (first at 1:10)`},
		{"duplicate unknown", "trade_id,x,x", nil, ErrDuplicateColumn, 12, ""},
		{"typo", "trade_id,strik", nil, ErrUnknownColumn, 10, `p.csv:1:10: unknown column "strik": did you mean "strike"?`},
		{"transposition", "trade_id,stirke", nil, ErrUnknownColumn, 10, ""},
		{"separator", "trade_id,option type", nil, ErrUnknownColumn, 10, `p.csv:1:10: unknown column "option type": did you mean "option_type"?`},
		{"near miss of a present column", "trade_id,strike,strikes", nil, ErrUnknownColumn, 17, `p.csv:1:17: unknown column "strikes" beside "strike" (at 1:10): a misspelt duplicate? remove or rename one`},
		{"a column of its own", "trade_id,strike,desk", nil, nil, 0, ""},
		{"bad utf8", "trade_id,\xff", nil, ErrInvalidUTF8, 10, ""},
		{"bare quote", "trade_id,st\"rike", nil, csv.ErrBareQuote, 12, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDecoder[trade](strings.NewReader(tt.header+"\n"), "p.csv", tt.required...)
			if tt.err == nil {
				require.NoError(t, err)
				return
			}
			e := asError(t, err)
			assert.ErrorIs(t, err, tt.err)
			assert.Equal(t, 1, e.Line)
			assert.Equal(t, tt.col, e.Column)
			assert.True(t, e.Fatal)
			if tt.msg != "" {
				assert.Equal(t, tt.msg, e.Error())
			}
		})
	}
}

func TestHasAndIgnored(t *testing.T) {
	d, err := NewDecoder[trade](strings.NewReader("trade_id,Notes,strike\n"), "p.csv")
	require.NoError(t, err)
	assert.True(t, d.Has("trade_id"))
	assert.True(t, d.Has("STRIKE"))
	assert.True(t, d.Has("notes"), "unknown columns are in the header")
	assert.False(t, d.Has("paths"))
	assert.False(t, d.Has(""))
	assert.Equal(t, []string{"Notes"}, d.Ignored())
}

func TestTooManyColumns(t *testing.T) {
	header := "trade_id" + strings.Repeat(",", MaxColumns)
	_, err := NewDecoder[trade](strings.NewReader(header+"\n"), "p.csv")
	assert.ErrorIs(t, err, ErrTooLong)
}

func TestCellErrors(t *testing.T) {
	in := "trade_id,strike,quantity,paths\n" + // line 1
		"T1,abc,1,1\n" + // 2: strike
		"T2,100,0,25,1\n" + // 3: field count (a decimal comma)
		"T3,100,1,1.9\n" + // 4: paths
		"\"T\n4\",100,x,1\n" + // 5-6: quantity on line 6
		"T5,100,1,1\n" + // 7: fine
		"T6,\xff,1,1\n" + // 8: invalid UTF-8
		"T7,1\"00,1,1\n" + // 9: bare quote
		"T8,1,1,0x10\n" + // 10: paths
		"T9,1e999,1,1\n" + // 11: range
		"T10,1,1,1\n" // 12: fine
	rows, lines, errs := readAll(t, in)
	type want struct {
		line, col int
		field     string
		err       error
		msg       string
	}
	wants := []want{
		{2, 4, "strike", ErrSyntax, `p.csv:2:4: strike: want a number, got "abc"`},
		{3, 0, "", csv.ErrFieldCount, "p.csv:3: want 4 fields as in the header, got 5"},
		{4, 10, "paths", ErrSyntax, `p.csv:4:10: paths: want an integer, got "1.9"`},
		{6, 8, "quantity", ErrSyntax, `p.csv:6:8: quantity: want a number, got "x"`},
		{},
		{8, 4, "strike", ErrInvalidUTF8, "p.csv:8:4: strike: cell is not valid UTF-8"},
		{9, 5, "strike", csv.ErrBareQuote, ""},
		{10, 8, "paths", ErrSyntax, ""},
		{11, 4, "strike", ErrRange, ""},
		{},
	}
	require.Len(t, errs, len(wants))
	assert.Equal(t, []int{2, 3, 4, 5, 7, 8, 9, 10, 11, 12}, lines)
	for i, w := range wants {
		if w.line == 0 {
			assert.NoError(t, errs[i], "row %d", i)
			continue
		}
		e := asError(t, errs[i])
		assert.Equal(t, w.line, e.Line, "row %d: %v", i, e)
		assert.Equal(t, w.col, e.Column, "row %d: %v", i, e)
		assert.Equal(t, w.field, e.Field, "row %d: %v", i, e)
		assert.ErrorIs(t, e, w.err, "row %d", i)
		assert.False(t, e.Fatal, "row %d", i)
		if w.msg != "" {
			assert.Equal(t, w.msg, e.Error())
		}
		assert.Equal(t, trade{}, rows[i], "a failed row is zero")
	}
	assert.Equal(t, Text("T5"), rows[4].ID)
	assert.Equal(t, Text("T10"), rows[9].ID)
}

func TestQuotedMultilinePositions(t *testing.T) {
	in := "trade_id,option_type,strike\n" +
		"\"T\n1\",call,1\n" + // 2-3
		"T2,\"c\r\nall\",\"2\"\n" + // 4-5: strike at 5:6
		"\n" +
		"T3,put,3\n" // 7
	d, err := NewDecoder[trade](strings.NewReader(in), "p.csv")
	require.NoError(t, err)
	var r trade
	line, err := d.Next(&r)
	require.NoError(t, err)
	assert.Equal(t, 2, line)
	assert.Equal(t, Text("T\n1"), r.ID)
	e := d.Errorf("strike", "want > %d", 5)
	assert.Equal(t, "p.csv:3:9: strike: want > 5", e.Error())

	line, err = d.Next(&r)
	require.NoError(t, err)
	assert.Equal(t, 4, line)
	assert.Equal(t, Text("c\nall"), r.Option, "CRLF inside a quoted cell reads as LF")
	e = d.Errorf("Strike", "bad")
	assert.Equal(t, 5, e.Line)
	assert.Equal(t, 6, e.Column, "the column of the opening quote")
	assert.Equal(t, "strike", e.Field)
	e = d.Errorf("trade_id", "bad")
	assert.Equal(t, [2]int{4, 1}, [2]int{e.Line, e.Column})

	line, err = d.Next(&r)
	require.NoError(t, err)
	assert.Equal(t, 7, line)
	e = d.Errorf("paths", "required")
	assert.Equal(t, "p.csv:7: paths: required", e.Error(), "a column not in the header")
}

func TestErrorfAfterError(t *testing.T) {
	d, err := NewDecoder[trade](strings.NewReader("trade_id,strike\nT1,x\n"), "p.csv")
	require.NoError(t, err)
	var r trade
	_, err = d.Next(&r)
	require.Error(t, err)
	e := d.Errorf("strike", "bad")
	assert.Equal(t, 0, e.Line)
}

func TestUnclosedQuoteIsFatal(t *testing.T) {
	in := "trade_id,strike\nT1,1\nT2,\"1\nT3,3\nT4,4\n"
	rows, _, errs := readAll(t, in)
	require.Len(t, errs, 2)
	assert.NoError(t, errs[0])
	e := asError(t, errs[1])
	assert.True(t, e.Fatal)
	assert.ErrorIs(t, e, csv.ErrQuote)
	assert.Equal(t, Text("T1"), rows[0].ID)

	// A quote that closes and is followed by more text.
	_, _, errs = readAll(t, "trade_id,strike\nT1,\"1\"x\nT2,2\n")
	e = asError(t, errs[0])
	assert.True(t, e.Fatal)
	assert.Equal(t, 2, e.Line)
	assert.Equal(t, "strike", e.Field)
}

func TestLongLine(t *testing.T) {
	// A 10 MB line is refused after MaxRecordBytes, quickly and with
	// bounded memory; the error names its line.
	long := strings.Repeat("9", 10<<20)
	for _, in := range []string{
		"trade_id,strike\nT1,1\nT2," + long + "\nT3,3\n",
		"trade_id,strike\nT1,1\nT2,\"" + strings.Repeat("9\n", 5<<20) + "\"\n",
	} {
		start := time.Now()
		rows, _, errs := readAll(t, in)
		assert.Less(t, time.Since(start), 5*time.Second)
		require.Len(t, errs, 2)
		assert.NoError(t, errs[0])
		assert.Equal(t, Text("T1"), rows[0].ID)
		e := asError(t, errs[1])
		assert.ErrorIs(t, e, ErrTooLong)
		assert.True(t, e.Fatal)
		assert.GreaterOrEqual(t, e.Line, 3)
	}
	// A long header line too.
	_, err := NewDecoder[trade](strings.NewReader("trade_id,"+long), "p.csv")
	assert.ErrorIs(t, err, ErrTooLong)
	// A record just under the limit is fine.
	ok := strings.Repeat(" ", MaxRecordBytes-100)
	rows, _, errs := readAll(t, "trade_id,strike\nT1,"+ok+"1\nT2,2\n")
	assert.Equal(t, []error{nil, nil}, errs)
	assert.Equal(t, 1.0, rows[0].Strike.V)
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		f.n++
		return copy(p, "trade_id,strike\nT1,1\nT2,"), nil
	}
	return 0, errors.New("disk on fire")
}

func TestReadErrorIsFatal(t *testing.T) {
	d, err := NewDecoder[trade](&failingReader{}, "p.csv")
	require.NoError(t, err)
	var r trade
	_, err = d.Next(&r)
	require.NoError(t, err)
	_, err = d.Next(&r)
	e := asError(t, err)
	assert.True(t, e.Fatal)
	assert.Contains(t, e.Error(), "disk on fire")
}

func TestBadStructs(t *testing.T) {
	type plainInt struct {
		N int `csv:"n"`
	}
	type plainString struct {
		S string `csv:"s"`
	}
	type untagged struct {
		A Text `csv:"a"`
		B Text
	}
	type options struct {
		A Text `csv:"a,omitempty"`
	}
	type twice struct {
		A Text `csv:"a"`
		B Text `csv:"A"`
	}
	type embedded struct {
		trade
	}
	type none struct {
		A Text `csv:"-"`
	}
	check := func(err error) {
		t.Helper()
		require.Error(t, err)
		var e *Error
		assert.False(t, errors.As(err, &e), "a programmer error is not an *Error: %v", err)
	}
	r := func() io.Reader { return strings.NewReader("a,n,s\n") }
	_, err := NewDecoder[plainInt](r(), "f")
	check(err)
	_, err = NewDecoder[plainString](r(), "f")
	check(err)
	_, err = NewDecoder[untagged](r(), "f")
	check(err)
	_, err = NewDecoder[options](r(), "f")
	check(err)
	_, err = NewDecoder[twice](r(), "f")
	check(err)
	_, err = NewDecoder[embedded](r(), "f")
	check(err)
	_, err = NewDecoder[none](r(), "f")
	check(err)
	_, err = NewDecoder[int](r(), "f")
	check(err)
	_, err = NewDecoder[trade](r(), "f", "nope")
	check(err)
}

// enum is a caller's own cell type.
type enum string

func (e *enum) UnmarshalCSV(s string) error {
	switch s = strings.TrimSpace(s); s {
	case "", "call", "put":
		*e = enum(s)
		return nil
	}
	return errors.New("want call or put, got " + quote(s))
}

func TestCustomCellType(t *testing.T) {
	type row struct {
		ID   Text `csv:"id"`
		Kind enum `csv:"kind"`
	}
	d, err := NewDecoder[row](strings.NewReader("kind,id\ncall,a\nfoo,b\nput,c\n"), "f.csv")
	require.NoError(t, err)
	var r row
	_, err = d.Next(&r)
	require.NoError(t, err)
	assert.Equal(t, row{"a", "call"}, r)
	_, err = d.Next(&r)
	assert.EqualError(t, err, `f.csv:3:1: kind: want call or put, got "foo"`)
	_, err = d.Next(&r)
	require.NoError(t, err)
	assert.Equal(t, row{"c", "put"}, r)
}

func TestQuotesInCellsSurviveTheFeed(t *testing.T) {
	in := "trade_id,option_type\n\"a\"\"b\",\"\"\"\"\n\"x,y\",\" , \"\n"
	rows, _, errs := readAll(t, in)
	assert.Equal(t, []error{nil, nil}, errs)
	assert.Equal(t, Text(`a"b`), rows[0].ID)
	assert.Equal(t, Text(`"`), rows[0].Option)
	assert.Equal(t, Text("x,y"), rows[1].ID)
	assert.Equal(t, Text(","), rows[1].Option)
}

func TestOnlyUnknownColumns(t *testing.T) {
	rows, _, errs := readAll(t, "notes\nhello\n\n\"\"\n")
	assert.Equal(t, []error{nil, nil}, errs)
	assert.Equal(t, []trade{{}, {}}, rows)
}

func TestManyRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("trade_id,strike,quantity,paths\n")
	for range 5000 {
		b.WriteString("T,100.5,3,1000\n")
	}
	rows, _, errs := readAll(t, b.String())
	require.Len(t, rows, 5000)
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 100.5, rows[4999].Strike.V)
}

func TestLookAlike(t *testing.T) {
	tests := []struct {
		header, field, want string
	}{
		// Another second word: the first word is the column's.
		{"trade_id,option_kind", "option_type", "option_kind"},
		{"trade_id,Option-Kind", "option_type", "Option-Kind"},
		{"trade_id,kind_of_option", "option_type", "kind_of_option"},
		{"trade_id,quantity_lots", "quantity", "quantity_lots"},
		// Two edits, case and word breaks aside.
		{"trade_id,optn_type", "option_type", "optn_type"},
		{"trade_id,Quantiy,x", "quantity", ""}, // one edit: the decoder's own error, tested below
		{"trade_id,qauntiyt", "quantity", "qauntiyt"},
		// The nearest of several, then the first.
		{"trade_id,option_flavour,option_typology,optio_typ", "option_type", "optio_typ"},
		{"trade_id,option_a,option_b", "option_type", "option_a"},
		// Nothing like it: the user's own columns.
		{"trade_id,desk,book,trade_type,opt", "option_type", ""},
		{"trade_id,pathway", "paths", ""},
		{"trade_id,strike_note", "paths", ""},
		// Short names need the word: three edits of nothing.
		{"trade_id,path", "paths", ""}, // one edit: the decoder's own error
		// The column is there, or is not a column of T.
		{"trade_id,option_type,option_kind", "option_type", ""},
		{"trade_id,barrier_kind", "barrier_type", ""},
	}
	for _, tt := range tests {
		d, err := NewDecoder[trade](strings.NewReader(tt.header+"\n"), "p.csv")
		if err != nil {
			// The decoder rejects a one-edit miss itself; LookAlike is for
			// the looser ones.
			assert.Empty(t, tt.want, tt.header)
			assert.ErrorIs(t, err, ErrUnknownColumn, tt.header)
			continue
		}
		assert.Equal(t, tt.want, d.LookAlike(tt.field), "%s: %s", tt.header, tt.field)
	}
}

func TestHeaderErrorf(t *testing.T) {
	in := "\xEF\xBB\xBFtrade_id,\"option\nkind\",strike\nT1,x,1\nT2,y,2\n"
	d, err := NewDecoder[trade](strings.NewReader(in), "p.csv")
	require.NoError(t, err)
	var r trade
	_, err = d.Next(&r)
	require.NoError(t, err)
	e := d.HeaderErrorf("OPTION\nKIND", ErrUnknownColumn, "column %q: did you mean %q?", "option\nkind", "option_type")
	assert.Equal(t, `p.csv:1:10: column "option\nkind": did you mean "option_type"?`, e.Error())
	assert.True(t, e.Fatal)
	assert.ErrorIs(t, e, ErrUnknownColumn)
	line, again := d.Next(&r)
	assert.Same(t, e, again, "every later Next returns it")
	assert.Equal(t, 1, line)
	assert.Equal(t, trade{}, r)

	d, err = NewDecoder[trade](strings.NewReader("trade_id\n"), "p.csv")
	require.NoError(t, err)
	assert.Equal(t, "p.csv:1: no such column", d.HeaderErrorf("nope", nil, "no such column").Error())
}
