package testutil

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's code blocks are the code of example functions, so that
// they compile and run; these helpers let each package's TestReadme check
// that the two have not drifted apart.

// readmeGoBlocks returns the fenced go blocks of the file readme, each
// without its fences.
func readmeGoBlocks(t *testing.T, readme string) []string {
	t.Helper()
	b, err := os.ReadFile(readme)
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

// SourceBetween returns the text of the file at path from the first line
// that starts with from to the first line after it that is end.
func SourceBetween(t *testing.T, path, from, end string) string {
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

// InReadme checks that one of the go blocks of the README at readme is
// code, exactly: what names the code in the failure.
func InReadme(t *testing.T, readme, code, what string) {
	t.Helper()
	for _, b := range readmeGoBlocks(t, readme) {
		if b == code {
			return
		}
	}
	assert.Fail(t, "README out of step with "+what, "no go block of %s is this code:\n%s", readme, code)
}

// ExampleBody returns the body of the example function name in the file at
// path, without its Output comment and one tab less indented: the code as
// the README shows it.
func ExampleBody(t *testing.T, path, name string) string {
	t.Helper()
	head := "func " + name + "() {"
	body := SourceBetween(t, path, head, "\t// Output:")
	body = strings.TrimPrefix(body, head+"\n")
	body = strings.TrimSuffix(body, "\t// Output:\n")
	var code strings.Builder
	for _, line := range strings.SplitAfter(body, "\n") {
		code.WriteString(strings.TrimPrefix(line, "\t"))
	}
	return code.String()
}
