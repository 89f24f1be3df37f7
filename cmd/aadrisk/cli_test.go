package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// procResult is what a run of the binary gave.
type procResult struct {
	code           int
	stdout, stderr string
}

// runBin runs the binary bin with args in directory dir ("" for the
// test's) and returns its exit status and output streams.
func runBin(t *testing.T, bin, dir string, args ...string) procResult {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			require.NoError(t, err)
		}
	}
	return procResult{cmd.ProcessState.ExitCode(), o.String(), e.String()}
}

// flagSets are the flag sets of the commands that have flags.
func flagSets() map[string]*flag.FlagSet {
	var quick bool
	return map[string]*flag.FlagSet{
		"price":    newPriceFlagSet("price", &priceFlags{}),
		"validate": newPriceFlagSet("validate", &priceFlags{}),
		"merge":    newMergeFlagSet(&mergeFlags{}),
		"bench":    newBenchFlagSet(&quick),
	}
}

// TestUsageListsEveryFlag checks that the top-level usage names every
// command and every flag of every command, and that each command's help
// describes each of its flags: the usage cannot drift from the flags.
func TestUsageListsEveryFlag(t *testing.T) {
	code, top, errOut := runCmd(t, "help")
	require.Equal(t, exitOK, code, errOut)
	for name := range commands {
		assert.Regexp(t, `(?m)^  `+name+` `, top, "the command list names %s", name)
		assert.Contains(t, top, "aadrisk "+name, "the synopsis shows %s", name)
	}
	for name, fs := range flagSets() {
		code, help, errOut := runCmd(t, "help", name)
		require.Equal(t, exitOK, code, errOut)
		n := 0
		fs.VisitAll(func(f *flag.Flag) {
			n++
			if name != "validate" { // "validate [the flags of price]"
				assert.Regexp(t, `--`+f.Name+`([^\w-]|$)`, top, "the usage shows %s --%s", name, f.Name)
			}
			assert.Regexp(t, `(?m)^  --`+f.Name+`([^\w-]|$)`, help, "aadrisk help %s describes --%s", name, f.Name)
		})
		require.Positive(t, n, name)
	}
	assert.Equal(t, flagNames(flagSets()["price"]), flagNames(flagSets()["validate"]), "validate has the flags of price")
}

func flagNames(fs *flag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return names
}

// TestCommandLine runs the binary: help on stdout with exit 0, the
// version, one line for an unknown flag, file errors that name their
// flag, --strict's list, and the line that ends a run.
func TestCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	bin := buildAadrisk(t)
	market, portfolio := filepath.Join(e2e, "market.csv"), filepath.Join(e2e, "portfolio.csv")

	t.Run("help", func(t *testing.T) {
		for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
			r := runBin(t, bin, "", args...)
			assert.Equal(t, exitOK, r.code, "%v", args)
			assert.Empty(t, r.stderr, "%v", args)
			assert.True(t, strings.HasPrefix(r.stdout, "usage: aadrisk COMMAND"), "%v: %s", args, r.stdout)
		}
		for name := range commands {
			want := "usage: aadrisk " + name
			for _, args := range [][]string{{name, "-h"}, {name, "--help"}, {name, "-help"}, {"help", name}} {
				r := runBin(t, bin, "", args...)
				assert.Equal(t, exitOK, r.code, "%v: %s", args, r.stderr)
				assert.Empty(t, r.stderr, "%v: no error line", args)
				assert.True(t, strings.HasPrefix(r.stdout, want), "%v: %s", args, r.stdout)
			}
		}
		// -h after other flags stops the command too: nothing is priced.
		r := runBin(t, bin, "", "price", "--workers", "1", "-h")
		assert.Equal(t, exitOK, r.code)
		assert.Empty(t, r.stderr)
		assert.NotContains(t, r.stdout, "EU-1")
	})

	t.Run("version", func(t *testing.T) {
		for _, args := range [][]string{{"--version"}, {"version"}} {
			r := runBin(t, bin, "", args...)
			assert.Equal(t, exitOK, r.code, "%v: %s", args, r.stderr)
			assert.Regexp(t, `^aadrisk \S+ \(`, r.stdout, "%v", args)
			assert.Empty(t, r.stderr)
		}
	})

	t.Run("unknown flag", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"price", "--as-of", "2026-01-02"}, "aadrisk: price: unknown flag --as-of: did you mean --asof?"},
			{[]string{"validate", "--workrs", "2"}, "aadrisk: validate: unknown flag --workrs: did you mean --workers?"},
			{[]string{"price", "--port", "p.csv"}, "aadrisk: price: unknown flag --port: did you mean --portfolio?"},
			{[]string{"merge", "--outdir", "x"}, "aadrisk: merge: unknown flag --outdir: did you mean --out?"},
			{[]string{"bench", "--quik"}, "aadrisk: bench: unknown flag --quik: did you mean --quick?"},
			{[]string{"price", "--frobnicate"}, "aadrisk: price: unknown flag --frobnicate (aadrisk help price lists the flags)"},
			{[]string{"price", "--workers", "two"}, `aadrisk: price: --workers "two": want a whole number`},
			{[]string{"price", "--seed", "-1"}, `aadrisk: price: --seed "-1": want a whole number`},
			{[]string{"price", "--out"}, "aadrisk: price: --out needs a value"},
			{[]string{"pricee"}, `aadrisk: unknown command "pricee": did you mean price? (aadrisk help lists the commands)`},
		} {
			r := runBin(t, bin, "", c.args...)
			assert.Equal(t, exitUsage, r.code, "%v", c.args)
			assert.Equal(t, c.want+"\n", r.stderr, "%v: one line, no flag list", c.args)
			assert.Empty(t, r.stdout, "%v", c.args)
		}
	})

	t.Run("file errors name the flag", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "out")
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"price", "--portfolio", ".", "--market", market, "--asof", "2026-01-02", "--out", out}, "aadrisk: price: --portfolio .: is a directory\n"},
			{[]string{"validate", "--portfolio", portfolio, "--market", filepath.Join(dir, "nope.csv"), "--asof", "2026-01-02", "--out", out},
				"aadrisk: validate: --market " + filepath.Join(dir, "nope.csv") + ": no such file or directory\n"},
			{[]string{"merge", "--out", out, filepath.Join(dir, "shard-1")}, "aadrisk: merge: shard directory " + filepath.Join(dir, "shard-1") + ": no such file or directory\n"},
		} {
			r := runBin(t, bin, "", c.args...)
			assert.Equal(t, exitUsage, r.code, "%v: %s", c.args, r.stderr)
			assert.Contains(t, r.stderr, c.want, "%v", c.args)
			_, err := os.Stat(out)
			assert.True(t, os.IsNotExist(err), "%v: nothing written", c.args)
		}
	})

	t.Run("merge portfolio is a directory", func(t *testing.T) {
		dir := t.TempDir()
		var shards []string
		for k := 1; k <= 2; k++ {
			d := filepath.Join(dir, fmt.Sprintf("s%d", k))
			r := runBin(t, bin, "", "price", "--portfolio", portfolio, "--market", market, "--asof", "2026-01-02", "--out", d, "--shard", fmt.Sprintf("%d/2", k))
			require.Equal(t, exitFailed, r.code, r.stderr)
			shards = append(shards, d)
		}
		r := runBin(t, bin, "", append([]string{"merge", "--portfolio", dir, "--out", filepath.Join(dir, "m")}, shards...)...)
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "--portfolio "+dir+": is a directory")

		// And merged for real: the last log line says what was written.
		m := filepath.Join(dir, "m")
		r = runBin(t, bin, "", append([]string{"merge", "--out", m, "--report", filepath.Join(dir, "new", "r.html")}, shards...)...)
		require.Equal(t, exitFailed, r.code, r.stderr)
		assert.Equal(t, "wrote results.csv, sensitivities.csv, risk.csv, manifest.json to "+m+"/ and "+filepath.Join(dir, "new", "r.html"), lastLogMessage(t, r.stderr))
	})

	t.Run("the last line says what was written", func(t *testing.T) {
		dir := t.TempDir()
		out := filepath.Join(dir, "out")
		r := runBin(t, bin, "", "validate", "--out", out, "--report", filepath.Join(dir, "a", "b", "r.html"))
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, "wrote results.csv, sensitivities.csv, risk.csv, validation.csv, manifest.json to "+out+"/ and "+filepath.Join(dir, "a", "b", "r.html"), lastLogMessage(t, r.stderr))
		r = runBin(t, bin, "", "price")
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Equal(t, "wrote a summary to standard output", lastLogMessage(t, r.stderr))
	})

	t.Run("strict lists every failed trade", func(t *testing.T) {
		dir := t.TempDir()
		// batchPortfolio fails about one row in six; without --strict the
		// run says how many.
		pf := batchPortfolio(t, dir, 300)
		out := filepath.Join(dir, "out")
		r := runBin(t, bin, "", "price", "--portfolio", pf, "--market", market, "--asof", "2026-01-02")
		require.Equal(t, exitFailed, r.code, r.stderr)
		var failed, total int
		_, err := fmt.Sscanf(r.stderr[strings.LastIndex(r.stderr, "aadrisk: "):], "aadrisk: %d of %d trades failed", &failed, &total)
		require.NoError(t, err, r.stderr)
		require.Greater(t, failed, strictListed, "enough failures to pass the cap")
		r = runBin(t, bin, "", "price", "--portfolio", pf, "--market", market, "--asof", "2026-01-02", "--out", out, "--strict")
		assert.Equal(t, exitUsage, r.code)
		assertNothingWritten(t, out)
		// The list is the end of standard error: one line per trade.
		i := strings.Index(r.stderr, "aadrisk: price: --strict: ")
		require.GreaterOrEqual(t, i, 0, r.stderr)
		lines := strings.Split(strings.TrimSuffix(r.stderr[i:], "\n"), "\n")
		assert.Equal(t, fmt.Sprintf("aadrisk: price: --strict: %d of %d trades failed, nothing written:", failed, total), lines[0])
		require.Len(t, lines, 1+strictListed+1)
		for _, l := range lines[1 : 1+strictListed] {
			assert.Regexp(t, `^  (`+regexp.QuoteMeta(pf)+`:[0-9]+: trade_id "[^"]+": \S|trade_id "[^"]+": `+regexp.QuoteMeta(pf)+`:[0-9]+:[0-9]+: )`, l)
		}
		assert.Equal(t, fmt.Sprintf("  and %d more", failed-strictListed), lines[len(lines)-1])
		assert.NotContains(t, r.stderr, "trade failed", "the list, not a log line per trade")
	})
}

// lastLogMessage returns the message of the last log line in stderr.
func lastLogMessage(t *testing.T, stderr string) string {
	t.Helper()
	var last string
	sc := bufio.NewScanner(strings.NewReader(stderr))
	for sc.Scan() {
		if strings.Contains(sc.Text(), " msg=") {
			last = sc.Text()
		}
	}
	m := regexp.MustCompile(` msg=("(?:[^"\\]|\\.)*"|\S+)`).FindStringSubmatch(last)
	require.NotNil(t, m, stderr)
	return strings.Trim(m[1], `"`)
}

// TestQuickstart runs the commands of README's Quickstart as written, from
// a directory laid out as a clean clone (the repository's cmd and testdata
// linked in), with the binary for go run and go install; a command whose
// comment says "exit N" must exit N, every other must exit 0.
func TestQuickstart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(b)
	i := strings.Index(readme, "## Quickstart\n")
	require.GreaterOrEqual(t, i, 0)
	section := readme[i:]
	start := strings.Index(section, "```sh\n")
	require.GreaterOrEqual(t, start, 0)
	block := section[start+len("```sh\n"):]
	block = block[:strings.Index(block, "```")]

	bin := buildAadrisk(t)
	clone := t.TempDir()
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	for _, d := range []string{"cmd", "testdata"} {
		require.NoError(t, os.Symlink(filepath.Join(root, d), filepath.Join(clone, d)))
	}
	exitRe := regexp.MustCompile(`exit ([0-9]+)`)
	ran := 0
	for _, line := range strings.Split(block, "\n") {
		cmd, comment, _ := strings.Cut(line, "#")
		fields := strings.Fields(cmd)
		switch {
		case len(fields) == 0:
			continue
		case len(fields) >= 2 && fields[0] == "go" && fields[1] == "install":
			continue // the binary is built already
		case len(fields) >= 3 && fields[0] == "go" && fields[1] == "run" && fields[2] == "./cmd/aadrisk":
			fields = fields[3:]
		case fields[0] == "aadrisk":
			fields = fields[1:]
		default:
			t.Fatalf("Quickstart line %q: not a command this test knows how to run", line)
		}
		want := exitOK
		if m := exitRe.FindStringSubmatch(comment); m != nil {
			fmt.Sscan(m[1], &want)
		}
		r := runBin(t, bin, clone, fields...)
		assert.Equal(t, want, r.code, "%s\n%s", line, r.stderr)
		ran++
	}
	assert.GreaterOrEqual(t, ran, 5)
	// What the Quickstart says it writes, where it says.
	for _, f := range []string{"results/results.csv", "results/manifest.json", "report.html"} {
		_, err := os.Stat(filepath.Join(clone, f))
		assert.NoError(t, err, f)
	}
}
