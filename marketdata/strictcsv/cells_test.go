package strictcsv

import (
	"errors"
	"math"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFloat(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		set  bool
		err  error // ErrSyntax or ErrRange, nil for a valid cell
	}{
		{"", 0, false, nil},
		{"   ", 0, false, nil},
		{"\t", 0, false, nil},
		{"-12.5", -12.5, true, nil},
		{"+3", 3, true, nil},
		{" 12.5 ", 12.5, true, nil},
		{"\t7\t", 7, true, nil},
		{".5", 0.5, true, nil},
		{"5.", 5, true, nil},
		{"-.5", -0.5, true, nil},
		{"1e-3", 1e-3, true, nil},
		{"2E+10", 2e10, true, nil},
		{"010", 10, true, nil},
		{"0", 0, true, nil},
		{"-0", math.Copysign(0, -1), true, nil},
		{"1e-400", 0, true, nil}, // underflow reads as 0
		{"1.7976931348623157e308", math.MaxFloat64, true, nil},
		{"1e400", 0, false, ErrRange},
		{"-1e400", 0, false, ErrRange},
		{"1e99999999999999999999", 0, false, ErrRange},
		{"0,25", 0, false, ErrSyntax},
		{"1,000", 0, false, ErrSyntax},
		{"1_000", 0, false, ErrSyntax},
		{"0x10", 0, false, ErrSyntax},
		{"0x1p3", 0, false, ErrSyntax},
		{"0x", 0, false, ErrSyntax},
		{"inf", 0, false, ErrSyntax},
		{"+Inf", 0, false, ErrSyntax},
		{"Infinity", 0, false, ErrSyntax},
		{"nan", 0, false, ErrSyntax},
		{"NaN", 0, false, ErrSyntax},
		{"abc", 0, false, ErrSyntax},
		{".", 0, false, ErrSyntax},
		{"+", 0, false, ErrSyntax},
		{"-", 0, false, ErrSyntax},
		{"e5", 0, false, ErrSyntax},
		{"1e", 0, false, ErrSyntax},
		{"1e+", 0, false, ErrSyntax},
		{"1.2.3", 0, false, ErrSyntax},
		{"--1", 0, false, ErrSyntax},
		{"1 000", 0, false, ErrSyntax},
		{"\u00a012", 0, false, ErrSyntax}, // a no-break space is not trimmed
		{"１２", 0, false, ErrSyntax},       // full-width digits
		{"12%", 0, false, ErrSyntax},
		{"$12", 0, false, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			f := Float{V: 99, Set: true}
			err := f.UnmarshalCSV(tt.in)
			if tt.err != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.err)
				assert.Equal(t, Float{}, f, "a failed cell is zero")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.set, f.Set)
			assert.Equal(t, math.Float64bits(tt.want), math.Float64bits(f.V), "got %v, want %v", f.V, tt.want)
		})
	}
}

func TestFloatMessages(t *testing.T) {
	var f Float
	assert.EqualError(t, f.UnmarshalCSV("abc"), `want a number, got "abc"`)
	assert.EqualError(t, f.UnmarshalCSV(" 0,25 "), `want a number, got "0,25"`)
	assert.EqualError(t, f.UnmarshalCSV("1e999"), `number out of range, got "1e999"`)
	long := "x" + string(make([]byte, 100))
	err := f.UnmarshalCSV(long)
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 200, "a long cell is cut in the message")
	assert.Equal(t, 7.0, Float{V: 7, Set: true}.Or(1))
	assert.Equal(t, 1.0, Float{}.Or(1))
}

func TestDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want string // decimal.String of the value; "" for blank
		err  error
	}{
		{"", "", nil},
		{"  ", "", nil},
		{"-12.5", "-12.5", nil},
		{"+3", "3", nil},
		{" 0.1 ", "0.1", nil},
		{".5", "0.5", nil},
		{"-.5", "-0.5", nil},
		{"5.", "5", nil},
		{"1e-3", "0.001", nil},
		{"1.5E2", "150", nil},
		{"010", "10", nil},
		{"123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789", nil},
		{"1e100", "1e100", nil},
		{"1e101", "", ErrRange},
		{"1e-101", "", ErrRange},
		{"1e999999999999", "", ErrRange},
		{"1e-2147483649", "", ErrRange},
		{"12345678901234567890123456789012345678901", "", ErrRange}, // 41 digits
		{"0,25", "", ErrSyntax},
		{"1_000", "", ErrSyntax},
		{"0x10", "", ErrSyntax},
		{"inf", "", ErrSyntax},
		{"nan", "", ErrSyntax},
		{"−1", "", ErrSyntax}, // U+2212, which shopspring alone would accept
		{"1.2.3", "", ErrSyntax},
		{"abc", "", ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d Decimal
			err := d.UnmarshalCSV(tt.in)
			if tt.err != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.err)
				assert.False(t, d.Set)
				return
			}
			require.NoError(t, err)
			if tt.want == "" {
				assert.False(t, d.Set)
				return
			}
			assert.True(t, d.Set)
			want, err := decimal.NewFromString(tt.want)
			require.NoError(t, err)
			assert.True(t, want.Equal(d.V), "got %v, want %v", d.V, want)
		})
	}
}

func TestDecimalIsExact(t *testing.T) {
	var a, b Decimal
	require.NoError(t, a.UnmarshalCSV("0.1"))
	require.NoError(t, b.UnmarshalCSV("0.2"))
	assert.Equal(t, "0.3", a.V.Add(b.V).String())
}

func TestInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		set  bool
		err  error
	}{
		{"", 0, false, nil},
		{" ", 0, false, nil},
		{"0", 0, true, nil},
		{"010", 10, true, nil}, // decimal, not octal
		{"0010", 10, true, nil},
		{"+7", 7, true, nil},
		{"-7", -7, true, nil},
		{" 42 ", 42, true, nil},
		{"9223372036854775807", math.MaxInt64, true, nil},
		{"-9223372036854775808", math.MinInt64, true, nil},
		{"9223372036854775808", 0, false, ErrRange},
		{"1.9", 0, false, ErrSyntax},
		{"1.0", 0, false, ErrSyntax},
		{"1e3", 0, false, ErrSyntax},
		{"0x10", 0, false, ErrSyntax},
		{"0b1", 0, false, ErrSyntax},
		{"0o7", 0, false, ErrSyntax},
		{"1_000", 0, false, ErrSyntax},
		{"1,000", 0, false, ErrSyntax},
		{"+", 0, false, ErrSyntax},
		{"-", 0, false, ErrSyntax},
		{"abc", 0, false, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var i Int
			err := i.UnmarshalCSV(tt.in)
			if tt.err != nil {
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, Int{V: tt.want, Set: tt.set}, i)
		})
	}
	var i Int
	assert.EqualError(t, i.UnmarshalCSV("1.9"), `want an integer, got "1.9"`)
	assert.Equal(t, int64(5), Int{}.Or(5))
}

func TestText(t *testing.T) {
	for in, want := range map[string]Text{"": "", "  ": "", " a b ": "a b", "\tx\t": "x", "=1+2": "=1+2", "é": "é"} {
		var x Text
		require.NoError(t, x.UnmarshalCSV(in))
		assert.Equal(t, want, x, "in %q", in)
		assert.Equal(t, string(want), x.String())
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "portfolio.csv", Line: 12, Column: 5, Field: "strike", Msg: `want a number, got "abc"`}, `portfolio.csv:12:5: strike: want a number, got "abc"`},
		{Error{File: "portfolio.csv", Line: 7, Msg: "want 14 fields"}, "portfolio.csv:7: want 14 fields"},
		{Error{File: "p.csv", Msg: "no header"}, "p.csv: no header"},
		{Error{Line: 3, Column: 2, Field: "x", Msg: "bad"}, "3:2: x: bad"},
		{Error{Msg: "bad"}, "bad"},
		{Error{File: "f", Column: 4, Msg: "bad"}, "f: bad"}, // a column without a line means nothing
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.e.Error())
	}
	e := &Error{Err: ErrSyntax}
	assert.True(t, errors.Is(e, ErrSyntax))
}
