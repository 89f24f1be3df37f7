package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// percentMarket is inputMarket with a rate and a vol written as
// percentages, on line 14 and 15, for a currency and an underlying that no
// trade of inputGood uses.
const percentMarket = inputMarket + "RATE,EUR,1Y,,4.10\n" + "VOL,GAMMA,1Y,,25.5\n"

// The warnings of percentMarket, after "<path>:".
var percentWarnings = []string{
	"14:14: value: RATE/EUR/1Y = 4.1 looks like a percentage (a rate is a decimal: 4.1% is 0.041)",
	"15:15: value: VOL/GAMMA/1Y = 25.5 looks like a percentage (a vol is a decimal: 25.5% is 0.255)",
}

// marketPath is the market file of a runInput run.
func marketPath(r inputRun) string { return filepath.Join(filepath.Dir(r.out), "market.csv") }

func TestMarketInPercentWarns(t *testing.T) {
	for _, cmd := range []string{"price", "validate"} {
		t.Run(cmd, func(t *testing.T) {
			r := runInput(t, cmd, inputHeader+inputGood, percentMarket)
			require.Equal(t, exitOK, r.code, r.stderr)
			path := marketPath(r)
			for _, want := range []string{
				`level=WARN msg="market quote looks wrong" file=` + path + ` line=14 column=14 key=RATE/EUR/1Y warning="RATE/EUR/1Y = 4.1 looks like a percentage (a rate is a decimal: 4.1% is 0.041)"`,
				`level=WARN msg="market quote looks wrong" file=` + path + ` line=15 column=15 key=VOL/GAMMA/1Y warning="VOL/GAMMA/1Y = 25.5 looks like a percentage (a vol is a decimal: 25.5% is 0.255)"`,
			} {
				assert.Equal(t, 1, strings.Count(r.stderr, want), "once in standard error: %s\n%s", want, r.stderr)
			}
			assert.Equal(t, 2, strings.Count(r.stderr, "level=WARN"), r.stderr)

			// The warnings change nothing else: the files are those of the
			// market without the two quotes, which no trade uses.
			checkOutputs(t, r.out)
			clean := runInput(t, cmd, inputHeader+inputGood, inputMarket)
			require.Equal(t, exitOK, clean.code, clean.stderr)
			assert.NotContains(t, clean.stderr, "level=WARN")
			sameFiles(t, clean.out, r.out, dataFiles(cmd))
		})
	}
}

func TestMarketInPercentStrict(t *testing.T) {
	for _, cmd := range []string{"price", "validate"} {
		t.Run(cmd, func(t *testing.T) {
			r := runInput(t, cmd, inputHeader+inputGood, percentMarket, "--strict")
			require.Equal(t, exitUsage, r.code, r.stderr)
			path := marketPath(r)
			want := "aadrisk: --strict: 2 market quotes look wrong:\n" + path + ":" + percentWarnings[0] + "\n" + path + ":" + percentWarnings[1] + "\n"
			assert.Contains(t, r.stderr, want)
			assert.NotContains(t, r.stderr, "level=WARN", "listed in the error, not logged as well")
			assertNothingWritten(t, r.out)
		})
	}

	// One warning: the message says so.
	r := runInput(t, "price", inputHeader+inputGood, inputMarket+"DIVYIELD,BETA,1Y,,2\n", "--strict")
	require.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "aadrisk: --strict: 1 market quote looks wrong:\n"+marketPath(r)+":14:19: value: DIVYIELD/BETA/1Y = 2 looks like a percentage (a dividend yield is a decimal: 2% is 0.02)\n")
	assertNothingWritten(t, r.out)

	// A market in decimals passes --strict.
	r = runInput(t, "price", inputHeader+inputGood, inputMarket, "--strict")
	require.Equal(t, exitOK, r.code, r.stderr)
	checkOutputs(t, r.out)
}

// misspeltHeader is inputHeader with barrier_kind for barrier_type, at
// column 83.
var misspeltHeader = strings.Replace(inputHeader, "barrier_type", "barrier_kind", 1)

func TestMisspeltPortfolioColumnIsReportedOnce(t *testing.T) {
	portfolio := misspeltHeader + inputGood + "BA-2,barrier,ACME,USD,put,100,6M,10,,up-out,120,,,,\n"
	for _, extra := range [][]string{nil, {"--shard", "1/2"}, {"--shard", "2/2"}} {
		r := runInput(t, "price", portfolio, inputMarket, extra...)
		require.Equal(t, exitUsage, r.code, "%v: %s", extra, r.stderr)
		pf := filepath.Join(filepath.Dir(r.out), "portfolio.csv")
		want := "aadrisk: " + pf + `:1:83: column "barrier_kind" is not a portfolio column; did you mean "barrier_type"? (trade "BA-1" on line 4 is a barrier and needs barrier_type)` + "\n"
		assert.Contains(t, r.stderr, want, extra)
		assert.Equal(t, 1, strings.Count(r.stderr, "barrier_kind"), "reported once: %s", r.stderr)
		assert.NotContains(t, r.stderr, "trade failed")
		assert.NotContains(t, r.stderr, `barrier type ""`)
		assertNothingWritten(t, r.out)
	}
}

func TestMissingPortfolioColumnFailsItsRows(t *testing.T) {
	// desk resembles no portfolio column: the file simply has no
	// barrier_type, and only the barriers fail.
	portfolio := strings.Replace(inputHeader, "barrier_type", "desk", 1) + inputGood + "BA-2,barrier,ACME,USD,put,100,6M,10,,fx,120,,,,\n"
	r := runInput(t, "price", portfolio, inputMarket)
	require.Equal(t, exitFailed, r.code, r.stderr)
	checkOutputs(t, r.out)
	pf := filepath.Join(filepath.Dir(r.out), "portfolio.csv")
	rows := readResults(t, r.out)
	require.Len(t, rows, 6)
	for id, line := range map[string]string{"BA-1": "4", "BA-2": "7"} {
		assert.Equal(t, "error", rows[id][3], id)
		assert.Equal(t, pf+":"+line+": barrier_type: the file has no barrier_type column, which a barrier needs", rows[id][22], id)
	}
	for _, id := range []string{"EU-1", "DG-1", "AS-1", "AM-1"} {
		assert.Equal(t, "ok", rows[id][3], id)
	}
}

// TestInputWarningsWithTheBinary runs the built command on a market in
// percent, with and without --strict, and on a portfolio with a misspelt
// column: what a scheduler sees.
func TestInputWarningsWithTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildAadrisk(t)
	dir := t.TempDir()
	market := filepath.Join(dir, "market.csv")
	good := filepath.Join(dir, "portfolio.csv")
	misspelt := filepath.Join(dir, "misspelt.csv")
	require.NoError(t, os.WriteFile(market, []byte(percentMarket), 0o644))
	require.NoError(t, os.WriteFile(good, []byte(inputHeader+inputGood), 0o644))
	require.NoError(t, os.WriteFile(misspelt, []byte(misspeltHeader+inputGood), 0o644))
	runBin := func(portfolio, out string, extra ...string) (int, string) {
		args := append([]string{"price", "--portfolio", portfolio, "--market", market, "--asof", "2026-01-02", "--out", out}, extra...)
		cmd := exec.Command(bin, args...)
		cmd.Env = cleanEnv()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), stderr.String()
		}
		require.NoError(t, err, stderr.String())
		return exitOK, stderr.String()
	}

	out := filepath.Join(dir, "out")
	code, stderr := runBin(good, out)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "level=WARN msg=\"market quote looks wrong\" file="+market+" line=14 column=14 key=RATE/EUR/1Y")
	assert.Contains(t, stderr, "level=WARN msg=\"market quote looks wrong\" file="+market+" line=15 column=15 key=VOL/GAMMA/1Y")
	checkOutputs(t, out)

	strict := filepath.Join(dir, "strict")
	code, stderr = runBin(good, strict, "--strict")
	require.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, market+":"+percentWarnings[0]+"\n"+market+":"+percentWarnings[1]+"\n")
	assertNothingWritten(t, strict)

	col := filepath.Join(dir, "col")
	code, stderr = runBin(misspelt, col)
	require.Equal(t, exitUsage, code, stderr)
	assert.Equal(t, 1, strings.Count(stderr, misspelt+`:1:83: column "barrier_kind" is not a portfolio column; did you mean "barrier_type"?`), stderr)
	assertNothingWritten(t, col)
}
