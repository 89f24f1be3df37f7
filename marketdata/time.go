package marketdata

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxYears bounds the times ParseTime accepts.
const maxYears = 1000

// ParseTime turns a date (YYYY-MM-DD) or a tenor into years from the as-of
// date, ACT/365F: a date is days/365 after asof (only asof's calendar date
// counts, in its own location); a tenor nD, nW, nM or nY is n/365, 7n/365,
// n/12 or n years (the unit in either case, n in decimal digits). Surrounding
// spaces are ignored.
//
// It returns an error for anything else ("1.5Y", "-6M", "6 M", "2024-02-30"),
// for a zero tenor, for a date on or before asof, and for a time beyond
// 1000 years. The messages say what was expected, for the caller to put in
// an error with a position.
func ParseTime(s string, asof time.Time) (float64, error) {
	s = strings.Trim(s, " \t")
	if dateForm(s) {
		d, err := parseDate(s)
		if err != nil {
			return 0, err
		}
		a := time.Date(asof.Year(), asof.Month(), asof.Day(), 0, 0, 0, 0, time.UTC)
		// Both are UTC midnights: whole days (Sub would saturate past 292 years).
		days := float64((d.Unix() - a.Unix()) / 86400)
		if days <= 0 {
			return 0, fmt.Errorf("date %s is not after the as-of date %s", s, a.Format(time.DateOnly))
		}
		if days > maxYears*365 {
			return 0, fmt.Errorf("date %s is more than %d years after the as-of date", s, maxYears)
		}
		return days / 365, nil
	}
	n, unit, ok := splitTenor(s)
	if !ok {
		return 0, fmt.Errorf("want a date (YYYY-MM-DD) or a tenor (e.g. 6M, 10Y), got %q", s)
	}
	if n == 0 {
		return 0, fmt.Errorf("tenor %q is not after the as-of date", s)
	}
	var t float64
	switch unit {
	case 'D':
		t = float64(n) / 365
	case 'W':
		t = float64(7*n) / 365
	case 'M':
		t = float64(n) / 12
	case 'Y':
		t = float64(n)
	}
	if t > maxYears {
		return 0, fmt.Errorf("tenor %q is more than %d years", s, maxYears)
	}
	return t, nil
}

// pillarForm checks that s has the form of a pillar as ParseTime reads it,
// with no as-of date: a valid date, or a tenor with the same checks as
// ParseTime. It is for a risk-factor key read back from a file, where no
// as-of date is at hand; whether a date is after the as-of date is for the
// key's ladder order to find out (see CompareKeys).
func pillarForm(s string) error {
	s = strings.Trim(s, " \t")
	if dateForm(s) {
		_, err := parseDate(s)
		return err
	}
	// A tenor's time does not depend on the as-of date.
	_, err := ParseTime(s, time.Time{})
	return err
}

// dateForm reports whether s is shaped like YYYY-MM-DD, as ParseTime tells
// a date from a tenor.
func dateForm(s string) bool { return len(s) == len("2006-01-02") && s[4] == '-' && s[7] == '-' }

func parseDate(s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return d, fmt.Errorf("want a date YYYY-MM-DD, got %q", s)
	}
	return d, nil
}

// splitTenor splits a tenor into its count and its unit (upper case).
func splitTenor(s string) (n int64, unit byte, ok bool) {
	if len(s) < 2 || len(s) > 10 {
		return 0, 0, false
	}
	unit = s[len(s)-1] &^ 0x20 // upper case
	if unit != 'D' && unit != 'W' && unit != 'M' && unit != 'Y' {
		return 0, 0, false
	}
	digits := s[:len(s)-1]
	for i := range len(digits) {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, 0, false
		}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, unit, err == nil
}

// pillarDate returns the calendar day a pillar names, as days from the
// Unix epoch: a date itself, a tenor counted from the as-of date in
// calendar days, weeks, months or years (time.AddDate's arithmetic: a month
// from January 31 is March 3, a year from February 29 is March 1). Two
// pillars are the same pillar if they name the same day or the same time
// (ParseTime): 1Y, 12M and the date a year later, also across February 29,
// where 1Y is 1 year and the date 366 days. ok is false for a pillar that
// ParseTime would refuse.
func pillarDate(s string, asof time.Time) (days int64, ok bool) {
	s = strings.Trim(s, " \t")
	a := time.Date(asof.Year(), asof.Month(), asof.Day(), 0, 0, 0, 0, time.UTC)
	if dateForm(s) {
		d, err := parseDate(s)
		if err != nil {
			return 0, false
		}
		return d.Unix() / 86400, true
	}
	n, unit, ok := splitTenor(s)
	if !ok || n > maxYears*366 {
		return 0, false
	}
	var d time.Time
	switch unit {
	case 'D':
		d = a.AddDate(0, 0, int(n))
	case 'W':
		d = a.AddDate(0, 0, 7*int(n))
	case 'M':
		d = a.AddDate(0, int(n), 0)
	case 'Y':
		d = a.AddDate(int(n), 0, 0)
	}
	return d.Unix() / 86400, true
}
