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

// num formats v for reading: 6 significant digits, thousands separators in
// the integer part, no trailing zeros; an exponent for very large or very
// small magnitudes.
func num(v float64) string {
	if v == 0 {
		return "0"
	}
	if !finite(v) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	// Round to 6 significant digits first, so that the exponent is the
	// rounded figure's.
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'e', 5, 64), 64)
	e := int(math.Floor(math.Log10(math.Abs(r))))
	if e >= 15 || e < -5 {
		s := strconv.FormatFloat(r, 'e', 5, 64)
		mant, exp, _ := strings.Cut(s, "e")
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		return strings.Replace(mant, "-", "−", 1) + "×10" + superscript(exp)
	}
	s := strconv.FormatFloat(r, 'f', max(0, 5-e), 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteString("−")
	}
	for i, c := range ip {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(fp)
	}
	return b.String()
}

func superscript(exp string) string {
	n, _ := strconv.Atoi(exp)
	s := strconv.Itoa(n)
	const sup = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	digits := []rune(sup)
	var b strings.Builder
	for _, c := range s {
		if c == '-' {
			b.WriteString("⁻")
			continue
		}
		b.WriteRune(digits[c-'0'])
	}
	return b.String()
}

// count formats a whole number with thousands separators.
func count(n int) string {
	if n < 0 {
		return "−" + count(-n)
	}
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
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
