package montecarlo_test

import (
	"testing"

	"github.com/aadrisk/aadrisk/internal/testutil"
)

// readme is the repository's README, whose code blocks are examples here.
const readme = "../README.md"

// TestReadme checks that the README's Monte Carlo engine block is
// simulateCall, which the package's Example runs.
func TestReadme(t *testing.T) {
	testutil.InReadme(t, readme, testutil.SourceBetween(t, "example_test.go", "func simulateCall(", "}"), "simulateCall")
}
