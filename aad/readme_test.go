package aad_test

import (
	"testing"

	"github.com/aadrisk/aadrisk/internal/testutil"
)

// readme is the repository's README, whose code blocks are examples here.
const readme = "../README.md"

// TestReadme checks that the README's blocks of package aad are the code of
// its examples, so that they compile and give the examples' output: the
// pricer and the body of Example_gradient, and the Monte Carlo pattern, the
// body of Example_monteCarloCall, and second order, the body of
// Example_hessianVector.
func TestReadme(t *testing.T) {
	testutil.InReadme(t, readme, testutil.SourceBetween(t, "example_test.go", "func blackScholesCall(", "}"), "blackScholesCall")
	testutil.InReadme(t, readme, testutil.ExampleBody(t, "example_test.go", "Example_gradient"), "Example_gradient")
	testutil.InReadme(t, readme, testutil.ExampleBody(t, "readme_example_test.go", "Example_monteCarloCall"), "Example_monteCarloCall")
	testutil.InReadme(t, readme, testutil.ExampleBody(t, "example_test.go", "Example_hessianVector"), "Example_hessianVector")
}
