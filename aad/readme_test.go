package aad_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeGoBlocks returns the fenced go blocks of the repository's README,
// each without its fences.
func readmeGoBlocks(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err, "reading the README")
	var blocks []string
	rest := string(b)
	for {
		_, after, ok := strings.Cut(rest, "\n```go\n")
		if !ok {
			return blocks
		}
		block, tail, ok := strings.Cut(after, "\n```\n")
		require.True(t, ok, "README: a go block without its closing fence")
		blocks = append(blocks, block+"\n")
		rest = "\n" + tail
	}
}

// sourceBetween returns the text of the file at path from the first line
// that starts with from to the first line after it that is end.
func sourceBetween(t *testing.T, path, from, end string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err, "reading %s", path)
	src := string(b)
	i := strings.Index(src, "\n"+from)
	require.GreaterOrEqual(t, i, 0, "%s: no line starting %q", path, from)
	src = src[i+1:]
	j := strings.Index(src, "\n"+end+"\n")
	require.GreaterOrEqual(t, j, 0, "%s: no line %q after %q", path, end, from)
	return src[:j+1+len(end)+1]
}

// assertInReadme checks that one of the README's go blocks is code, exactly.
func assertInReadme(t *testing.T, code, what string) {
	t.Helper()
	for _, b := range readmeGoBlocks(t) {
		if b == code {
			return
		}
	}
	assert.Fail(t, "README out of step with "+what, "no go block of README.md is this code:\n%s", code)
}

// exampleBody returns the body of the example function name in the file at
// path, without its Output comment and one tab less indented: the code as
// the README shows it.
func exampleBody(t *testing.T, path, name string) string {
	t.Helper()
	head := "func " + name + "() {"
	body := sourceBetween(t, path, head, "\t// Output:")
	body = strings.TrimPrefix(body, head+"\n")
	body = strings.TrimSuffix(body, "\t// Output:\n")
	var code strings.Builder
	for _, line := range strings.SplitAfter(body, "\n") {
		code.WriteString(strings.TrimPrefix(line, "\t"))
	}
	return code.String()
}

// TestReadme checks that the README's blocks of package aad are the code of
// its examples, so that they compile and give the examples' output: the
// pricer and the body of Example_gradient, and the Monte Carlo pattern, the
// body of Example_monteCarloCall.
func TestReadme(t *testing.T) {
	assertInReadme(t, sourceBetween(t, "example_test.go", "func blackScholesCall(", "}"), "blackScholesCall")
	assertInReadme(t, exampleBody(t, "example_test.go", "Example_gradient"), "Example_gradient")
	assertInReadme(t, exampleBody(t, "readme_example_test.go", "Example_monteCarloCall"), "Example_monteCarloCall")
}
