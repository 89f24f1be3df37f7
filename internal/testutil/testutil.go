// Package testutil holds what the tests of the module's packages share: one
// check that a float64 is near the value it should have (Near), and the
// fixtures that more than one test package reads (HestonSets, with their
// market).
//
// It imports none of the module's packages, so that any package's tests,
// internal or external, can use it.
package testutil

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Near asserts that got is within abs + rel·|want| of want, and says both,
// with the tolerances, when it is not. A NaN matches only a NaN and an
// infinity only itself, so that a NaN never passes for a number. msgAndArgs
// names the figure, as for testify's assertions (a format and its
// arguments). It reports whether the check passed.
func Near(t testing.TB, got, want, rel, abs float64, msgAndArgs ...any) bool {
	t.Helper()
	if IsNear(got, want, rel, abs) {
		return true
	}
	return assert.Fail(t, fmt.Sprintf("got %.17g, want %.17g (rel tol %g, abs tol %g)", got, want, rel, abs), msgAndArgs...)
}

// IsNear reports whether got is within abs + rel·|want| of want, with NaN
// and the infinities as in Near.
func IsNear(got, want, rel, abs float64) bool {
	switch {
	case math.IsNaN(got) || math.IsNaN(want):
		return math.IsNaN(got) && math.IsNaN(want)
	case math.IsInf(got, 0) || math.IsInf(want, 0):
		return got == want
	}
	return math.Abs(got-want) <= abs+rel*math.Abs(want)
}
