package pricing_test

import (
	"testing"

	"github.com/aadrisk/aadrisk/internal/testutil"
)

// readme is the repository's README, whose code blocks are examples here.
const readme = "../README.md"

// TestReadme checks that the README's "Library use" block is priceCall,
// which Example_libraryUse runs.
func TestReadme(t *testing.T) {
	testutil.InReadme(t, readme, testutil.SourceBetween(t, "readme_example_test.go", "func priceCall(", "}"), "priceCall")
}
