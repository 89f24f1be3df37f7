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
		cell := rec[1]
		if strings.HasPrefix(cell, "'") {
			cell = cell[1:]
		}
		assert.Equal(t, strings.ReplaceAll(tt.in, "\r\n", "\n"), cell, "round trip of %q", tt.in)
	}
}
