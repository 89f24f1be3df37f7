package strictcsv

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Float is a cell holding a float64.
//
// UnmarshalCSV trims surrounding spaces and tabs; a cell that is then empty
// is blank: Set is false and V is 0. Otherwise the cell must be a plain
// decimal: an optional sign, digits with at most one decimal point and at
// least one digit, and an optional exponent: "-12.5", "+3", ".5", "5.",
// "1e-3", "2E+10". Everything else is ErrSyntax: "0,25", "1_000", "0x10",
// "inf", "nan", "1e", "1.2.3". A number whose magnitude overflows float64
// is ErrRange; one that underflows is read as 0 or a subnormal, as
// strconv.ParseFloat does.
type Float struct {
	V   float64
	Set bool // false for a blank cell
}

// UnmarshalCSV sets f from the text of a cell.
func (f *Float) UnmarshalCSV(s string) error {
	*f = Float{}
	s = trim(s)
	if s == "" {
		return nil
	}
	if _, ok := scanDecimal(s); !ok {
		return &valueError{"want a number, got " + quote(s), ErrSyntax}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return &valueError{"number out of range, got " + quote(s), ErrRange}
	}
	f.V, f.Set = v, true
	return nil
}

// Or returns f.V if f is set, else def.
func (f Float) Or(def float64) float64 {
	if f.Set {
		return f.V
	}
	return def
}

// Decimal is a cell holding an exact decimal number.
//
// It reads the same plain decimals as Float, exactly, and has the same
// blank rule. To keep every later operation on the value cheap, the
// mantissa may have at most MaxDecimalDigits digits and the value's decimal
// exponent (the power of ten of its last digit) must lie within
// ±MaxDecimalExponent; outside these bounds the cell is ErrRange.
type Decimal struct {
	V   decimal.Decimal
	Set bool // false for a blank cell
}

// Bounds of a Decimal cell.
const (
	MaxDecimalDigits   = 40
	MaxDecimalExponent = 100
)

// UnmarshalCSV sets d from the text of a cell.
func (d *Decimal) UnmarshalCSV(s string) error {
	*d = Decimal{}
	s = trim(s)
	if s == "" {
		return nil
	}
	digits, ok := scanDecimal(s)
	if !ok {
		return &valueError{"want a number, got " + quote(s), ErrSyntax}
	}
	if digits > MaxDecimalDigits {
		return &valueError{"number has more than " + strconv.Itoa(MaxDecimalDigits) + " digits, got " + quote(s), ErrRange}
	}
	// The exponent is checked before NewFromString, which would accept
	// anything that fits an int32.
	if e := strings.IndexAny(s, "eE"); e >= 0 {
		x, err := strconv.ParseInt(s[e+1:], 10, 32)
		if err != nil || x > 2*MaxDecimalExponent || x < -2*MaxDecimalExponent {
			return &valueError{"number out of range, got " + quote(s), ErrRange}
		}
	}
	v, err := decimal.NewFromString(strings.TrimPrefix(s, "+"))
	if err != nil {
		return &valueError{"want a number, got " + quote(s), ErrSyntax}
	}
	if e := v.Exponent(); e > MaxDecimalExponent || e < -MaxDecimalExponent {
		return &valueError{"number out of range, got " + quote(s), ErrRange}
	}
	d.V, d.Set = v, true
	return nil
}

// Int is a cell holding an int64.
//
// UnmarshalCSV trims surrounding spaces and tabs; a blank cell leaves Set
// false. Otherwise the cell must be an optional sign and decimal digits,
// read in base 10 whatever its leading zeros: "010" is 10. "1.9", "1e3",
// "0x10" and "1_000" are ErrSyntax; a number outside the int64 range is
// ErrRange.
type Int struct {
	V   int64
	Set bool // false for a blank cell
}

// UnmarshalCSV sets i from the text of a cell.
func (i *Int) UnmarshalCSV(s string) error {
	*i = Int{}
	s = trim(s)
	if s == "" {
		return nil
	}
	j := 0
	if s[0] == '+' || s[0] == '-' {
		j++
	}
	if j == len(s) {
		return &valueError{"want an integer, got " + quote(s), ErrSyntax}
	}
	for ; j < len(s); j++ {
		if s[j] < '0' || s[j] > '9' {
			return &valueError{"want an integer, got " + quote(s), ErrSyntax}
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return &valueError{"integer out of range, got " + quote(s), ErrRange}
		}
		return &valueError{"want an integer, got " + quote(s), ErrSyntax}
	}
	i.V, i.Set = v, true
	return nil
}

// Or returns i.V if i is set, else def.
func (i Int) Or(def int64) int64 {
	if i.Set {
		return i.V
	}
	return def
}

// Text is a cell holding text, with surrounding spaces and tabs trimmed. A
// blank cell is "". Any valid UTF-8 is accepted (the Decoder rejects
// invalid UTF-8 before any cell type sees it).
type Text string

// UnmarshalCSV sets t from the text of a cell.
func (t *Text) UnmarshalCSV(s string) error {
	*t = Text(trim(s))
	return nil
}

// String returns t as a string.
func (t Text) String() string { return string(t) }

// trim removes surrounding ASCII spaces and tabs.
func trim(s string) string { return strings.Trim(s, " \t") }

// scanDecimal reports whether s is a plain decimal number,
// [+-]? (d+ | d+ '.' d* | '.' d+) ([eE] [+-]? d+)?, and how many digits its
// mantissa has.
func scanDecimal(s string) (digits int, ok bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for ; i < len(s) && isDigit(s[i]); i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && isDigit(s[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		e := i
		for ; i < len(s) && isDigit(s[i]); i++ {
		}
		if i == e {
			return 0, false
		}
	}
	return digits, i == len(s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
