package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests below run the command end to end on bad input (SPEC.md §7).

const inputMarket = `type,name,pillar,strike,value
SPOT,ACME,,,100
SPOT,BETA,,,50
RATE,USD,6M,,0.04
RATE,USD,1Y,,0.039
RATE,XXX,1Y,,-1
DIVYIELD,ACME,1Y,,0.015
VOL,ACME,6M,90,0.245
VOL,ACME,6M,100,0.215
VOL,ACME,6M,110,0.2
VOL,ACME,1Y,,0.22
VOL,BETA,1Y,,0.3
CORR,ACME|BETA,,,0.45
`

const inputHeader = "trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,payout,barrier_type,barrier,rebate,averaging,fixings,engine\n"

// inputGood are trades that price: one of each analytic instrument.
const inputGood = `EU-1,european,ACME,USD,call,100,1Y,1000,,,,,,,
DG-1,digital,ACME,USD,put,95,6M,-250,10,,,,,,
BA-1,barrier,ACME,USD,call,100,1Y,300,,down-out,85,2,,,
AS-1,asian,ACME,USD,call,100,1Y,500,,,,,geometric,12,
AM-1,american,BETA,USD,put,52,9M,250,,,,,,,
`

// inputRun is a run of the command on a portfolio and a market written to
// files.
type inputRun struct {
	code           int
	stdout, stderr string
	out            string // the output directory (which may not exist)
}

// runInput writes the portfolio and the market to a temporary directory
// and runs the command on them with --out, and extra flags; cmd is price
// or validate. A run that takes more than a minute fails the test: no input
// may make the command hang.
func runInput(t *testing.T, cmd, portfolio, market string, extra ...string) inputRun {
	t.Helper()
	return runInputCtx(t, context.Background(), cmd, portfolio, market, extra...)
}

func runInputCtx(t *testing.T, ctx context.Context, cmd, portfolio, market string, extra ...string) inputRun {
	t.Helper()
	dir := t.TempDir()
	pf, mf := filepath.Join(dir, "portfolio.csv"), filepath.Join(dir, "market.csv")
	require.NoError(t, os.WriteFile(pf, []byte(portfolio), 0o644))
	require.NoError(t, os.WriteFile(mf, []byte(market), 0o644))
	out := filepath.Join(dir, "out")
	args := append([]string{cmd, "--portfolio", pf, "--market", mf, "--asof", "2026-01-02", "--out", out, "--workers", "3"}, extra...)
	var o, e bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, &o, &e) }()
	select {
	case code := <-done:
		return inputRun{code: code, stdout: o.String(), stderr: e.String(), out: out}
	case <-time.After(time.Minute):
		t.Fatalf("aadrisk %s did not finish in a minute", cmd)
		return inputRun{}
	}
}

// readResults reads results.csv of a run into rows by trade_id, checking
// that it is valid UTF-8 CSV with the header of SPEC.md §6.
func readResults(t *testing.T, dir string) map[string][]string {
	t.Helper()
	rows := readCSV(t, filepath.Join(dir, "results.csv"))
	require.Equal(t, strings.Split("trade_id,instrument,engine,status,pv,std_error,delta,gamma,vega,rho,div_rho,theta,vanna,volga,delta_std_error,gamma_std_error,vega_std_error,rho_std_error,div_rho_std_error,theta_std_error,vanna_std_error,volga_std_error,error", ","), rows[0])
	byID := make(map[string][]string)
	for _, r := range rows[1:] {
		byID[r[0]] = r
	}
	return byID
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, utf8.Valid(b), "%s is not valid UTF-8", path)
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	require.NoError(t, err, path)
	require.NotEmpty(t, rows, path)
	return rows
}

var nonFiniteWord = regexp.MustCompile(`(?i)\b[+-]?(nan|inf|infinity)\b`)

// checkOutputs checks every file of an output directory: valid UTF-8, no
// NaN or infinity anywhere (no such word, and every numeric cell of the
// CSVs finite), and no temporary file left behind.
func checkOutputs(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		name := e.Name()
		assert.False(t, strings.HasPrefix(name, "."), "temporary file %s left in the output", name)
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.True(t, utf8.Valid(b), "%s is not valid UTF-8", name)
		if !strings.HasSuffix(name, ".csv") {
			assert.False(t, nonFiniteWord.Match(b), "%s holds a non-finite number", name)
			continue
		}
		rows := readCSV(t, filepath.Join(dir, name))
		for i, r := range rows[1:] {
			for j, cell := range r {
				if rows[0][j] == "trade_id" || rows[0][j] == "error" || rows[0][j] == "risk_factor" {
					continue // text
				}
				assert.False(t, nonFiniteWord.MatchString(cell), "%s line %d, %s: %q", name, i+2, rows[0][j], cell)
				if v, err := strconv.ParseFloat(cell, 64); err == nil {
					assert.False(t, v != v || v-v != 0, "%s line %d, %s: %q", name, i+2, rows[0][j], cell)
				}
			}
		}
	}
}

// assertNothingWritten checks that a run wrote no file: the output
// directory does not exist or is empty.
func assertNothingWritten(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return
	}
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Empty(t, names, "nothing may be written")
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

const bom = "\xEF\xBB\xBF"

func TestInputBOMAndCRLFAreValid(t *testing.T) {
	for _, cmd := range []string{"price", "validate"} {
		r := runInput(t, cmd, bom+crlf(inputHeader+inputGood), bom+crlf(inputMarket))
		require.Equal(t, exitOK, r.code, r.stderr)
		res := readResults(t, r.out)
		require.Len(t, res, 5)
		for id, row := range res {
			assert.Equal(t, "ok", row[3], "%s: %v", id, row)
			assert.False(t, strings.ContainsAny(id, "\r\ufeff"), "%q", id)
		}
		checkOutputs(t, r.out)
		// The same files as without BOM and CRLF, but for the manifest
		// (hashes and times).
		plain := runInput(t, cmd, inputHeader+inputGood, inputMarket)
		require.Equal(t, exitOK, plain.code, plain.stderr)
		for _, name := range []string{"results.csv", "sensitivities.csv", "risk.csv"} {
			a, err := os.ReadFile(filepath.Join(r.out, name))
			require.NoError(t, err)
			b, err := os.ReadFile(filepath.Join(plain.out, name))
			require.NoError(t, err)
			assert.Equal(t, string(b), string(a), name)
		}
	}
}

func TestInputInvalidUTF8FailsTheRowAlone(t *testing.T) {
	portfolio := inputHeader + inputGood +
		"BAD-\xff\xfe,european,ACME,USD,call,100,1Y,10,,,,,,,\n" +
		"EU-2,europ\xc3\x28an,ACME,USD,call,100,1Y,10,,,,,,,\n" +
		"EU-3,european,ACME,USD,put,95,6M,10,,,,,,,\n"
	r := runInput(t, "price", portfolio, inputMarket)
	require.Equal(t, exitFailed, r.code, r.stderr)
	res := readResults(t, r.out)
	require.Len(t, res, 8)
	bad, ok := res["BAD-\uFFFD"]
	require.True(t, ok, "the row's ID, invalid bytes replaced: %v", res)
	assert.Equal(t, "error", bad[3])
	assert.Contains(t, bad[22], "portfolio.csv:7:1: trade_id: cell is not valid UTF-8")
	assert.Equal(t, "error", res["EU-2"][3])
	assert.Contains(t, res["EU-2"][22], "portfolio.csv:8:6: instrument: cell is not valid UTF-8")
	for _, id := range []string{"EU-1", "DG-1", "BA-1", "AS-1", "AM-1", "EU-3"} {
		assert.Equal(t, "ok", res[id][3], id)
	}
	checkOutputs(t, r.out)
}

func TestInputVeryLongLine(t *testing.T) {
	long := strings.Repeat("x", 5<<20)
	t.Run("portfolio", func(t *testing.T) {
		portfolio := inputHeader + inputGood + long + ",european,ACME,USD,call,100,1Y,10,,,,,,,\n" + inputGood
		start := time.Now()
		r := runInput(t, "price", portfolio, inputMarket)
		assert.Less(t, time.Since(start), 10*time.Second)
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "portfolio.csv:7: record too long")
		assertNothingWritten(t, r.out)
	})
	t.Run("market", func(t *testing.T) {
		r := runInput(t, "price", inputHeader+inputGood, inputMarket+"SPOT,"+long+",,,1\n")
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "market.csv:14: record too long")
		assertNothingWritten(t, r.out)
	})
}

func TestInputHugeExponentFailsTheRowAlone(t *testing.T) {
	portfolio := inputHeader + inputGood +
		"HUGE-QTY,european,ACME,USD,call,100,1Y,1e999999,,,,,,,\n" +
		"HUGE-STRIKE,european,ACME,USD,call,1e999999,1Y,1,,,,,,,\n" +
		"TINY-STRIKE,european,ACME,USD,call,1e-999999,1Y,1,,,,,,,\n"
	r := runInput(t, "price", portfolio, inputMarket)
	require.Equal(t, exitFailed, r.code, r.stderr)
	res := readResults(t, r.out)
	require.Len(t, res, 8)
	assert.Equal(t, "error", res["HUGE-QTY"][3])
	assert.Contains(t, res["HUGE-QTY"][22], "portfolio.csv:7:40: quantity: number out of range")
	assert.Equal(t, "error", res["HUGE-STRIKE"][3])
	assert.Contains(t, res["HUGE-STRIKE"][22], "portfolio.csv:8:")
	assert.Equal(t, "error", res["TINY-STRIKE"][3])
	assert.Equal(t, "ok", res["EU-1"][3])
	checkOutputs(t, r.out)

	// In the market, a huge exponent is a bad file.
	r = runInput(t, "price", inputHeader+inputGood, inputMarket+"RATE,USD,2Y,,1e999999\n")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "market.csv:14:")
	assertNothingWritten(t, r.out)
}

func TestInputBadMarketWritesNothing(t *testing.T) {
	for _, c := range []struct {
		name, market, want string
	}{
		{"duplicate key", inputMarket + "RATE,USD,1Y,,0.05\n", "market.csv:14:10: pillar: duplicate quote RATE/USD/1Y"},
		{"duplicate key after parsing", inputMarket + "RATE,USD,12M,,0.05\n", "market.csv:14:10: pillar: duplicate quote RATE/USD/12M: the same as RATE/USD/1Y"},
		{"duplicate pair", inputMarket + "CORR,BETA|ACME,,,0.3\n", "market.csv:14:6: name: duplicate quote"},
		{"correlation above 1", inputMarket + "CORR,ACME|GAMMA,,,1.5\n", "market.csv:14:19: value: want a correlation in [-1, 1], got 1.5"},
		{"correlation below -1", inputMarket + "CORR,BETA|GAMMA,,,-1.0001\n", "want a correlation in [-1, 1]"},
		{"negative vol", inputMarket + "VOL,BETA,2Y,,-0.1\n", "market.csv:14:14: value: want a volatility >= 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, cmd := range []string{"price", "validate"} {
				r := runInput(t, cmd, inputHeader+inputGood, c.market)
				assert.Equal(t, exitUsage, r.code)
				assert.Contains(t, r.stderr, c.want)
				assertNothingWritten(t, r.out)
			}
		})
	}
}

// A correlation matrix that is not positive semi-definite, each pair in
// [−1, 1], is not an invalid file (SPEC.md §3): only the trades that need the
// matrix fail. No analytic trade does, so they all price; a basket (the
// only one that would) fails alone, as every basket does until the Monte
// Carlo engine exists.
func TestInputNonPSDCorrelationFailsOnlyTheTradesThatNeedIt(t *testing.T) {
	market := inputMarket + "SPOT,GAMMA,,,10\nCORR,ACME|GAMMA,,,0.9\nCORR,BETA|GAMMA,,,-0.9\n"
	r := runInput(t, "price", inputHeader+inputGood, market)
	require.Equal(t, exitOK, r.code, r.stderr)
	checkOutputs(t, r.out)

	r = runInput(t, "price", inputHeader+inputGood+"BSK,basket,ACME|BETA|GAMMA,USD,call,100,1Y,1,,,,,,,\n", market)
	require.Equal(t, exitFailed, r.code, r.stderr)
	res := readResults(t, r.out)
	assert.Equal(t, "error", res["BSK"][3])
	assert.Equal(t, "ok", res["EU-1"][3])
	checkOutputs(t, r.out)
}

// A trade whose figures would overflow (a rate of −100% over 1000 years
// discounts by e^1000) fails alone with a reason; nothing non-finite is
// written, in price or in validate.
func TestInputNonFiniteResultFailsTheRowAlone(t *testing.T) {
	portfolio := inputHeader + inputGood +
		"OVERFLOW-EU,european,ACME,XXX,put,100,1000Y,1,,,,,,,\n" +
		"OVERFLOW-DG,digital,ACME,XXX,call,100,1000Y,1,1,,,,,,\n" +
		"OVERFLOW-AS,asian,ACME,XXX,call,100,1000Y,1,,,,,geometric,4,\n" +
		"OVERFLOW-BA,barrier,ACME,XXX,put,100,1000Y,1,,up-out,150,1,,,\n" +
		"HUGE-PV,european,ACME,USD,put,1e100,1Y,1e100,,,,,,,\n"
	for _, cmd := range []string{"price", "validate"} {
		r := runInput(t, cmd, portfolio, inputMarket)
		require.Equal(t, exitFailed, r.code, r.stderr)
		res := readResults(t, r.out)
		for _, id := range []string{"OVERFLOW-EU", "OVERFLOW-DG", "OVERFLOW-AS", "OVERFLOW-BA"} {
			assert.Equal(t, "error", res[id][3], "%s: %v", id, res[id])
			assert.NotEmpty(t, res[id][22], id)
		}
		// 1e100 × 1e100 is large but finite.
		assert.Equal(t, "ok", res["HUGE-PV"][3], res["HUGE-PV"])
		assert.Equal(t, "ok", res["EU-1"][3])
		checkOutputs(t, r.out)
	}
}

// Validating a trade whose first fixing is seconds away: the
// revaluations for theta must not move the valuation date past it. (They
// did, giving a NaN that the writer refused: the whole run failed.)
func TestInputValidateFixingsSecondsAway(t *testing.T) {
	portfolio := inputHeader + inputGood + "AS-1D,asian,ACME,USD,put,100,1D,1,,,,,geometric,1000,\n"
	r := runInput(t, "validate", portfolio, inputMarket)
	require.Equal(t, exitOK, r.code, r.stderr)
	checkOutputs(t, r.out)
	rows := readCSV(t, filepath.Join(r.out, "validation.csv"))
	n := 0
	for _, row := range rows[1:] {
		assert.Equal(t, "ok", row[10], "%v", row)
		if row[0] == "AS-1D" {
			n++
		}
	}
	assert.Greater(t, n, 3)
}

func TestInputFormulaCellsAreNeutralised(t *testing.T) {
	portfolio := inputHeader +
		"\"=HYPERLINK(\"\"x\"\")\",european,ACME,USD,call,100,1Y,10,,,,,,,\n" +
		"+1+1,european,ACME,USD,call,100,1Y,10,,,,,,,\n" +
		"-2,european,ACME,USD,call,100,1Y,10,,,,,,,\n" +
		"@SUM(A1),european,ACME,USD,call,100,1Y,10,,,,,,,\n" +
		"=bad,=cmd,ACME,USD,call,100,1Y,10,,,,,,,\n" +
		"ok,european,ACME,USD,@call,100,1Y,10,,,,,,,\n"
	r := runInput(t, "price", portfolio, inputMarket)
	require.Equal(t, exitFailed, r.code, r.stderr)
	res := readResults(t, r.out)
	for _, id := range []string{"'=HYPERLINK(\"x\")", "'+1+1", "'-2", "'@SUM(A1)"} {
		require.Contains(t, res, id)
		assert.Equal(t, "ok", res[id][3], id)
	}
	require.Contains(t, res, "'=bad")
	assert.Equal(t, "'=cmd", res["'=bad"][1], "the instrument cell as written, neutralised")
	assert.Equal(t, "error", res["'=bad"][3])
	assert.Equal(t, "error", res["ok"][3])
	for _, name := range []string{"results.csv", "sensitivities.csv"} {
		for _, row := range readCSV(t, filepath.Join(r.out, name))[1:] {
			for j, cell := range row {
				if cell != "" && strings.ContainsRune("=+@", rune(cell[0])) {
					t.Errorf("%s: cell %d of %v starts with %q", name, j, row, cell[0])
				}
				if strings.HasPrefix(cell, "-") {
					_, err := strconv.ParseFloat(cell, 64)
					assert.NoError(t, err, "%s: a text cell starting with '-': %v", name, row)
				}
			}
		}
	}
	checkOutputs(t, r.out)
}

func TestInputStrictWritesNothing(t *testing.T) {
	for _, cmd := range []string{"price", "validate"} {
		portfolio := inputHeader + inputGood + "BAD,european,ACME,USD,call,1O0,1Y,10,,,,,,,\n" + "EU-9,european,ACME,USD,call,100,1Y,1000,,,,,,,\n"
		r := runInput(t, cmd, portfolio, inputMarket, "--strict")
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "portfolio.csv")
		assert.Contains(t, r.stderr, `trade_id "BAD": `)
		assert.Contains(t, r.stderr, `portfolio.csv:7:28: strike`)
		assertNothingWritten(t, r.out)

		// Without --strict the same file prices, with one failed row.
		r = runInput(t, cmd, portfolio, inputMarket)
		assert.Equal(t, exitFailed, r.code, r.stderr)
		checkOutputs(t, r.out)
	}
}

// An interrupted run (its context cancelled, as by SIGINT) and a run that
// fails part way (a portfolio that becomes unreadable after rows were
// priced and buffered) leave no file under a final name, and no temporary
// file either.
func TestInputInterruptedRunLeavesNoFiles(t *testing.T) {
	var many strings.Builder
	many.WriteString(inputHeader)
	for i := range 2000 {
		for _, line := range strings.SplitAfter(strings.TrimSuffix(inputGood, "\n"), "\n") {
			many.WriteString(strings.Replace(line, ",", "-"+strconv.Itoa(i)+",", 1))
		}
		many.WriteString("\n")
	}
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := runInputCtx(t, ctx, "price", many.String(), inputMarket)
		assert.NotEqual(t, exitOK, r.code)
		assertNothingWritten(t, r.out)
	})
	t.Run("cancelled while running", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		r := runInputCtx(t, ctx, "validate", many.String(), inputMarket)
		if r.code == exitOK {
			t.Skip("the run finished before it was cancelled")
		}
		assertNothingWritten(t, r.out)
	})
	t.Run("unreadable part way", func(t *testing.T) {
		r := runInput(t, "price", many.String()+"\"open,european\n"+inputGood, inputMarket)
		assert.Equal(t, exitUsage, r.code)
		assert.Contains(t, r.stderr, "quoted cell not closed")
		assertNothingWritten(t, r.out)
	})
}
