package reports

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// errNonFinite is wrapped by every error that refuses a NaN or an infinity.
var errNonFinite = errors.New("not a finite number")

// appendNum appends the shortest decimal form of v that reads back as exactly
// v (strconv's 'g' format with the smallest precision that round-trips), with
// negative zero written as 0.
//
// A NaN or an infinity is never written: appendNum returns b unchanged and
// false, and the caller turns that into an error.
func appendNum(b []byte, v float64) ([]byte, bool) {
	if v == 0 {
		return append(b, '0'), true // both +0 and -0
	}
	if !finite(v) {
		return b, false
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64), true
}

// formulaStart reports whether a text cell beginning with c gets a leading
// apostrophe: a spreadsheet would read it as a formula ('=', '+', '-', '@',
// and tab and CR, which OWASP's "CSV injection" guidance also lists), or it
// begins with an apostrophe itself, which is doubled so that the rule can be
// undone exactly: a reader drops the first character of a text cell that
// begins with an apostrophe.
func formulaStart(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r', '\'':
		return true
	}
	return false
}

// needsQuotes reports whether the text cell s must be quoted: RFC 4180
// requires it for a comma, a double quote, CR or LF; a leading space is
// quoted too, so that a reader trimming leading space keeps the cell intact.
func needsQuotes(s string) bool {
	if s != "" && s[0] == ' ' {
		return true
	}
	for i := 0; i < len(s); i++ {
		if quoted[s[i]] {
			return true
		}
	}
	return false
}

// quoted marks the bytes that make a cell quoted.
var quoted = [256]bool{',': true, '"': true, '\r': true, '\n': true}

// appendText appends the text cell s to b as one CSV field: neutralised
// against formula injection by a leading apostrophe when it begins with
// '=', '+', '-', '@', tab, CR or an apostrophe, then quoted per RFC 4180
// when needed (inner quotes doubled). The bytes of s are otherwise written
// as they are.
//
// Only text cells go through appendText: numbers (appendNum) are never
// altered, and a negative number is not text.
func appendText(b []byte, s string) []byte {
	neutral := s != "" && formulaStart(s[0])
	if !needsQuotes(s) {
		if neutral {
			b = append(b, '\'')
		}
		return append(b, s...)
	}
	b = append(b, '"')
	if neutral {
		b = append(b, '\'')
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// The figures written for reading, in the HTML report (num, count) and
// the terminal summary (readable), come from one formatter: sixDigits
// writes a figure with six significant digits, and groupDigits puts the
// report's thousands separators and minus sign in.

// sixDigits formats x in plain notation with the decimals that give a
// figure of magnitude 10^e six significant digits (none from 10⁵ up: the
// integer digits all show), trailing zeros dropped.
func sixDigits(x float64, e int) string {
	return trimZeros(strconv.FormatFloat(x, 'f', max(0, 5-e), 64))
}

// exponent returns the decimal exponent of x ≠ 0, ⌊log₁₀ |x|⌋.
func exponent(x float64) int { return int(math.Floor(math.Log10(math.Abs(x)))) }

// trimZeros drops the trailing zeros of a decimal fraction, and its point
// if nothing is left after it.
func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// groupDigits puts a comma between each three digits of the integer part
// of the decimal s, and a minus sign (U+2212) for its '-'.
func groupDigits(s string) string {
	var b strings.Builder
	if rest, neg := strings.CutPrefix(s, "-"); neg {
		b.WriteString("−")
		s = rest
	}
	ip, fp, hasFrac := strings.Cut(s, ".")
	for i := range len(ip) {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(ip[i])
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(fp)
	}
	return b.String()
}

// num formats v for the report: 6 significant digits, thousands separators
// in the integer part, no trailing zeros; an exponent (×10ⁿ) for
// magnitudes from 10¹⁵ and below 10⁻⁵.
func num(v float64) string {
	if v == 0 {
		return "0"
	}
	if !finite(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	// Round to 6 significant digits first, so that the exponent is the
	// rounded figure's and the integer digits beyond the sixth are 0.
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'e', 5, 64), 64)
	e := exponent(r)
	if e >= 15 || e < -5 {
		mant, exp, _ := strings.Cut(strconv.FormatFloat(v, 'e', 5, 64), "e")
		n, _ := strconv.Atoi(exp)
		return strings.Replace(trimZeros(mant), "-", "−", 1) + "×10" + superscript(n)
	}
	return groupDigits(sixDigits(r, e))
}

// superscript writes the exponent e in superscript digits.
func superscript(e int) string {
	digits := []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")
	var b strings.Builder
	for _, c := range strconv.Itoa(e) {
		if c == '-' {
			b.WriteString("⁻")
			continue
		}
		b.WriteRune(digits[c-'0'])
	}
	return b.String()
}

// count formats a whole number for the report, with thousands separators.
func count(n int) string { return groupDigits(strconv.Itoa(n)) }

// readable formats a figure for the terminal: six significant digits
// without trailing zeros (from 10⁵ up, every integer digit, to the unit),
// in plain notation from 1e-4 to 1e12 and in exponent notation outside.
// It gives "" when !present.
func readable(v float64, present bool) string {
	if !present {
		return ""
	}
	if v == 0 {
		return "0"
	}
	if a := math.Abs(v); a < 1e-4 || a >= 1e12 {
		return strconv.FormatFloat(v, 'g', 6, 64)
	}
	return sixDigits(v, exponent(v))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000 UTC")
}
