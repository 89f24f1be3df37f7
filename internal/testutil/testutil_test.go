package testutil

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestIsNear(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		got, want, rel, abs float64
		ok                  bool
	}{
		{1, 1, 0, 0, true},
		{1.1, 1, 0, 0.1 + 1e-15, true},
		{1.1, 1, 0, 0.09, false},
		{101, 100, 0.01, 0, true},
		{101.5, 100, 0.01, 0.5, true}, // the tolerances add up
		{101.6, 100, 0.01, 0.5, false},
		{-101, -100, 0.01, 0, true}, // relative to |want|
		{nan, nan, 0, 0, true},
		{nan, 1, 1, 1, false},
		{1, nan, 1, 1, false},
		{inf, inf, 0, 0, true},
		{inf, -inf, 1, 1, false},
		{1e308, inf, 1, 1, false},
	} {
		if got := IsNear(c.got, c.want, c.rel, c.abs); got != c.ok {
			t.Errorf("IsNear(%v, %v, %v, %v) = %v, want %v", c.got, c.want, c.rel, c.abs, got, c.ok)
		}
	}
}

func TestNearReports(t *testing.T) {
	var ft fakeT
	if Near(&ft, 2, 1, 0, 0.5, "figure %d", 7) {
		t.Error("Near(2, 1, abs 0.5) passed")
	}
	if !strings.Contains(ft.msg, "got 2, want 1 (rel tol 0, abs tol 0.5)") || !strings.Contains(ft.msg, "figure 7") {
		t.Errorf("Near(2, 1, abs 0.5) failed with %q", ft.msg)
	}
	if !Near(t, 1.25, 1, 0, 0.25) {
		t.Error("Near(1.25, 1, abs 0.25) failed")
	}
}

// fakeT records a failure's message instead of failing the test.
type fakeT struct {
	testing.TB
	msg string
}

func (f *fakeT) Helper()      {}
func (f *fakeT) Name() string { return "fake" }
func (f *fakeT) Errorf(format string, args ...any) {
	f.msg += fmt.Sprintf(format, args...)
}
