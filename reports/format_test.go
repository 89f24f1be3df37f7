package reports

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendNum(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{1, "1"},
		{-12.5, "-12.5"},
		{0.1, "0.1"},
		{1e-7, "1e-07"},
		{123456.75, "123456.75"},
		{1234567.5, "1.2345675e+06"},
		{1e21, "1e+21"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.SmallestNonzeroFloat64, "5e-324"},
		{-math.SmallestNonzeroFloat64, "-5e-324"},
		{math.Nextafter(0.3, 1), "0.30000000000000004"},
	}
	for _, tt := range tests {
		got, ok := appendNum([]byte("x,"), tt.v)
		require.True(t, ok, "appendNum(%v)", tt.v)
		assert.Equal(t, "x,"+tt.want, string(got), "appendNum(%v)", tt.v)
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		got, ok := appendNum([]byte("x,"), v)
		assert.False(t, ok, "appendNum(%v) accepted", v)
		assert.Equal(t, "x,", string(got), "appendNum(%v) wrote", v)
	}
}

// Every finite float64 is written in a form that reads back as exactly the
// same bits (but -0, which reads back as +0).
func TestAppendNumRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var b []byte
	for range 100_000 {
		v := math.Float64frombits(rng.Uint64())
		if !finite(v) {
			continue
		}
		var ok bool
		b, ok = appendNum(b[:0], v)
		require.True(t, ok)
		got, err := strconv.ParseFloat(string(b), 64)
		require.NoError(t, err)
		if v == 0 {
			v = 0
		}
		require.Equal(t, math.Float64bits(v), math.Float64bits(got), "%v written as %s", v, b)
	}
}

func TestAppendText(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"T1", "T1"},
		{"SPOT/ACME", "SPOT/ACME"},
		{"CORR/ACME|BETA", "CORR/ACME|BETA"},
		{"a,b", `"a,b"`},
		{`say "hi"`, `"say ""hi"""`},
		{"two\nlines", "\"two\nlines\""},
		{"cr\rlf", "\"cr\rlf\""},
		{" lead", `" lead"`},
		{"=SUM(A1:A2)", "'=SUM(A1:A2)"},
		{"+1", "'+1"},
		{"-T1", "'-T1"},
		{"-1.5", "'-1.5"},
		{"@cmd", "'@cmd"},
		{"\tx", "'\tx"},
		{"\rx", "\"'\rx\""},
		{"'quoted", "''quoted"},
		{`=HYPERLINK("http://x","y")`, `"'=HYPERLINK(""http://x"",""y"")"`},
		{"ünïcödé", "ünïcödé"},
		{"bad\xffutf8", "bad\xffutf8"},
		{"x=1", "x=1"},
	}
	for _, tt := range tests {
		got := string(appendText([]byte("a,"), tt.in))
		assert.Equal(t, "a,"+tt.want, got, "appendText(%q)", tt.in)

		// encoding/csv reads the cell back as the neutralised text, and
		// dropping a leading apostrophe gives the original.
		rec, err := csv.NewReader(strings.NewReader(got + "\n")).Read()
		require.NoError(t, err, "reading %q", got)
		require.Len(t, rec, 2)
		cell := strings.TrimPrefix(rec[1], "'")
		assert.Equal(t, strings.ReplaceAll(tt.in, "\r\n", "\n"), cell, "round trip of %q", tt.in)
	}
}

func TestNum(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 1: "1", -1234567.891: "−1,234,570", 1234.5678: "1,234.57", 0.000123456789: "0.000123457",
		999999.7: "1,000,000", 1e-9: "1×10⁻⁹", 2.5e20: "2.5×10²⁰", 100: "100", 0.1: "0.1", 123456: "123,456",
	} {
		assert.Equal(t, want, num(v), "%v", v)
	}
	assert.Equal(t, "12,345,678", count(12345678))
	assert.Equal(t, "−1,000", count(-1000))
	assert.Equal(t, "0", count(0))
}

// readable, the terminal's figures, has the report's six digits but every
// integer digit, no separators and Go's exponent form.
func TestReadable(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 1: "1", -12.5: "-12.5", 1234.5678: "1234.57", -1234567.891: "-1234568", 9.9999995e11: "999999950000",
		0.000123456789: "0.000123457", 1e-5: "1e-05", 1e12: "1e+12", -2.5e20: "-2.5e+20", 9.999995: "10",
	} {
		assert.Equal(t, want, readable(v, true), "%v", v)
	}
	assert.Empty(t, readable(1, false))
}
