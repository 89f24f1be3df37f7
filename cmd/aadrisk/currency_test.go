package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"html"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/reports"
)

// The book of the per-currency tests: BETA is traded in EUR and in USD
// (directly and, with ACME, in a USD basket), so that its spot and vol
// nodes have sensitivities in both currencies. The USD curve's pillars and
// the vol strikes are chosen so that byte order would not be ladder order
// (10Y before 1Y before 6M, 100 before 90).
const (
	currencyPortfolio = `trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,weights,paths
E-EUR-1,european,BETA,EUR,call,100,1Y,1000,,
E-EUR-2,european,BETA,EUR,put,90,6M,-400,,
E-EUR-3,european,BETA,EUR,call,110,2Y,250,,
D-EUR-1,digital,BETA,EUR,call,105,1Y,100,,
E-USD-1,european,BETA,USD,call,100,1Y,800,,
E-USD-2,european,BETA,USD,put,95,10Y,300,,
E-USD-3,european,BETA,USD,call,90,6M,-150,,
A-USD-1,european,ACME,USD,call,50,1Y,100,,
B-USD-1,basket,ACME|BETA,USD,call,150,1Y,10,1|0.5,2000
`
	currencyMarket = `type,name,pillar,strike,value
SPOT,BETA,,,100
SPOT,ACME,,,50
RATE,EUR,1Y,,0.025
RATE,EUR,5Y,,0.024
RATE,USD,10Y,,0.036
RATE,USD,1Y,,0.039
RATE,USD,2027-07-01,,0.038
RATE,USD,6M,,0.0405
DIVYIELD,BETA,1Y,,0.01
VOL,BETA,1Y,100,0.30
VOL,BETA,1Y,110,0.29
VOL,BETA,1Y,90,0.32
VOL,BETA,2Y,100,0.28
VOL,BETA,2Y,110,0.27
VOL,BETA,2Y,90,0.30
VOL,ACME,1Y,,0.25
CORR,ACME|BETA,,,0.3
`
	currencyAsOf = "2026-01-02"
)

// cmdRunner runs the command with args and returns its exit status.
type cmdRunner func(t *testing.T, args ...string) (code int, stderr string)

// inProcess runs the command through run, as main does.
func inProcess(t *testing.T, args ...string) (int, string) {
	code, _, errOut := runCmd(t, args...)
	return code, errOut
}

// binary runs the command as a built binary, a process of its own.
func binary(bin string) cmdRunner {
	return func(t *testing.T, args ...string) (int, string) {
		t.Helper()
		var errOut bytes.Buffer
		c := exec.Command(bin, args...)
		c.Stderr = &errOut
		err := c.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), errOut.String()
		}
		require.NoError(t, err)
		return 0, errOut.String()
	}
}

// TestRiskPerCurrency prices a book with one underlying traded in two
// currencies, unsharded with --report and in three shards merged with
// --report, in this process and through the real binary. risk.csv must have
// one row per risk factor and currency, each the exact sum of the trades'
// sensitivities in that currency, in ladder order; the merge must give the
// same files byte for byte; every ladder figure of the report must be
// risk.csv's, in the same currency.
func TestRiskPerCurrency(t *testing.T) {
	t.Run("in-process", func(t *testing.T) { checkRiskPerCurrency(t, inProcess) })
	t.Run("binary", func(t *testing.T) {
		if testing.Short() {
			t.Skip("builds the binary")
		}
		checkRiskPerCurrency(t, binary(buildAadrisk(t)))
	})
}

func checkRiskPerCurrency(t *testing.T, run cmdRunner) {
	dir := t.TempDir()
	portfolio, market := filepath.Join(dir, "portfolio.csv"), filepath.Join(dir, "market.csv")
	require.NoError(t, os.WriteFile(portfolio, []byte(currencyPortfolio), 0o644))
	require.NoError(t, os.WriteFile(market, []byte(currencyMarket), 0o644))
	inputs := []string{"price", "--portfolio", portfolio, "--market", market, "--asof", currencyAsOf, "--workers", "2"}
	asof, err := time.Parse(time.DateOnly, currencyAsOf)
	require.NoError(t, err)

	one, oneReport := filepath.Join(dir, "one"), filepath.Join(dir, "one.html")
	code, errOut := run(t, append(inputs, "--out", one, "--report", oneReport)...)
	require.Equal(t, exitOK, code, errOut)

	rows := readRisk(t, one, asof)
	want := sumsByCurrency(t, one)
	got := map[riskRow]float64{}
	for _, r := range rows {
		got[riskRow{r.RiskFactor.String(), r.Currency}] = r.Sensitivity
	}
	assert.Equal(t, want, got, "risk.csv: the exact sums of sensitivities.csv per risk factor and trade currency")
	// BETA's spot and vol nodes have a row in each currency; the EUR curve
	// has only EUR rows, the USD curve and ACME only USD rows.
	for _, k := range []riskRow{{"SPOT/BETA", "EUR"}, {"SPOT/BETA", "USD"}, {"VOL/BETA/1Y/100", "EUR"}, {"VOL/BETA/1Y/100", "USD"},
		{"RATE/EUR/1Y", "EUR"}, {"RATE/USD/6M", "USD"}, {"SPOT/ACME", "USD"}, {"CORR/ACME|BETA", "USD"}} {
		assert.Contains(t, got, k)
	}
	for _, k := range []riskRow{{"RATE/EUR/1Y", "USD"}, {"RATE/USD/1Y", "EUR"}, {"SPOT/ACME", "EUR"}} {
		assert.NotContains(t, got, k)
	}

	// Ladder order: by risk factor (pillars in time, strikes in numeric
	// order), then currency.
	var keys []string
	for i, r := range rows {
		if i > 0 {
			p := rows[i-1]
			assert.Negative(t, cmp.Or(marketdata.CompareKeys(p.RiskFactor, r.RiskFactor, asof), strings.Compare(p.Currency, r.Currency)),
				"%v before %v", p, r)
		}
		if len(keys) == 0 || keys[len(keys)-1] != r.RiskFactor.String() {
			keys = append(keys, r.RiskFactor.String())
		}
	}
	assert.Equal(t, []string{"SPOT/ACME", "SPOT/BETA", "RATE/EUR/1Y", "RATE/EUR/5Y",
		"RATE/USD/6M", "RATE/USD/1Y", "RATE/USD/2027-07-01", "RATE/USD/10Y", "DIVYIELD/BETA/1Y",
		"VOL/ACME/1Y", "VOL/BETA/1Y/90", "VOL/BETA/1Y/100", "VOL/BETA/1Y/110", "VOL/BETA/2Y/90", "VOL/BETA/2Y/100", "VOL/BETA/2Y/110",
		"CORR/ACME|BETA"}, keys)
	beta := slicesIndexRow(rows, riskRow{"SPOT/BETA", "EUR"})
	assert.Equal(t, riskRow{"SPOT/BETA", "USD"}, riskRow{rows[beta+1].RiskFactor.String(), rows[beta+1].Currency})

	// The report: every figure of its ladders is risk.csv's, in its
	// currency, and every row of risk.csv is in it.
	assert.Equal(t, rounded(got), reportFigures(t, readReport(t, oneReport)), "the report's ladders against risk.csv")

	// Three shards, merged: the same files, byte for byte, and the same
	// report but for the run's section.
	var shards []string
	for k := 1; k <= 3; k++ {
		d := filepath.Join(dir, fmt.Sprintf("shard-%d", k))
		code, errOut := run(t, append(inputs, "--shard", fmt.Sprintf("%d/3", k), "--out", d)...)
		require.Equal(t, exitOK, code, errOut)
		shards = append(shards, d)
	}
	merged, mergedReport := filepath.Join(dir, "merged"), filepath.Join(dir, "merged.html")
	code, errOut = run(t, append([]string{"merge", "--out", merged, "--report", mergedReport}, shards...)...)
	require.Equal(t, exitOK, code, errOut)
	sameFiles(t, one, merged, dataFiles("price"))
	cut := func(s string) string { return s[strings.Index(s, `<h2 id="failed">`):] }
	assert.Equal(t, cut(readReport(t, oneReport)), cut(readReport(t, mergedReport)))
}

// riskRow names a row of risk.csv.
type riskRow struct{ factor, currency string }

func slicesIndexRow(rows []reports.RiskRow, k riskRow) int {
	for i, r := range rows {
		if r.RiskFactor.String() == k.factor && r.Currency == k.currency {
			return i
		}
	}
	return -1
}

// readRisk reads dir's risk.csv with the library's reader, which also
// refuses rows out of order.
func readRisk(t *testing.T, dir string, asof time.Time) []reports.RiskRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, reports.RiskFile))
	require.NoError(t, err)
	defer f.Close()
	rr, err := reports.NewRiskReader(f, reports.RiskFile, asof)
	require.NoError(t, err)
	var rows []reports.RiskRow
	for {
		var r reports.RiskRow
		err := rr.Next(&r)
		if err == io.EOF {
			return rows
		}
		require.NoError(t, err)
		rows = append(rows, r)
	}
}

// sumsByCurrency adds up dir's sensitivities.csv per risk factor and trade
// currency (the currency column of currencyPortfolio), exactly, and rounds
// each sum once.
func sumsByCurrency(t *testing.T, dir string) map[riskRow]float64 {
	t.Helper()
	ccy := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(currencyPortfolio), "\n")[1:] {
		cells := strings.Split(line, ",")
		ccy[cells[0]] = cells[3]
	}
	f, err := os.Open(filepath.Join(dir, reports.SensitivitiesFile))
	require.NoError(t, err)
	defer f.Close()
	sr, err := reports.NewSensitivitiesReader(f, reports.SensitivitiesFile)
	require.NoError(t, err)
	sums := map[riskRow]*big.Float{}
	for {
		var row reports.SensitivityRow
		err := sr.Next(&row)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		c, ok := ccy[row.TradeID]
		require.True(t, ok, row.TradeID)
		k := riskRow{row.RiskFactor.String(), c}
		if sums[k] == nil {
			sums[k] = new(big.Float).SetPrec(4096) // exact for these sums
		}
		sums[k].Add(sums[k], new(big.Float).SetFloat64(row.Value))
	}
	out := map[riskRow]float64{}
	for k, s := range sums {
		out[k], _ = s.Float64()
	}
	return out
}

// rounded gives the figures as the report prints them: 6 significant
// digits.
func rounded(m map[riskRow]float64) map[riskRow]float64 {
	out := map[riskRow]float64{}
	for k, v := range m {
		out[k], _ = strconv.ParseFloat(strconv.FormatFloat(v, 'e', 5, 64), 64)
	}
	return out
}

var (
	h3Title    = regexp.MustCompile(`^<h3>([^<]*)</h3>`)
	svgTitle   = regexp.MustCompile(`<title>([^<]*)</title>`)
	otherRow   = regexp.MustCompile(`<tr><td class="mono">([^<]*)</td><td>([^<]*)</td><td class="n">([^<]*)</td>`)
	ladderName = regexp.MustCompile(`^(Delta per underlying|Rho per pillar of the RATE curve ([^,]+)|Dividend rho per pillar of the DIVYIELD curve ([^,]+)|Vega of [^,]+|Correlation sensitivities), in ([^:]+)`)
)

// reportFigures reads the per-factor figures of the report's risk ladders:
// the bars (delta, rho, dividend rho), the cells of the heat maps (vega,
// correlation) from their tooltips, and the rows of the table of other
// factors, each with the currency of its chart.
func reportFigures(t *testing.T, page string) map[riskRow]float64 {
	t.Helper()
	ladders := page[strings.Index(page, `id="ladders"`):]
	if i := strings.Index(ladders, `id="validation"`); i >= 0 {
		ladders = ladders[:i]
	}
	figures := map[riskRow]float64{}
	put := func(k riskRow, text string) {
		v := parseReportNumber(t, text)
		_, dup := figures[k]
		assert.False(t, dup, "%v shown twice", k)
		figures[k] = v
	}
	for _, sec := range strings.Split(ladders, "<h3>")[1:] {
		sec = "<h3>" + sec
		title := html.UnescapeString(h3Title.FindStringSubmatch(sec)[1])
		if title == "Other risk factors" {
			for _, m := range otherRow.FindAllStringSubmatch(sec, -1) {
				put(riskRow{html.UnescapeString(m[1]), html.UnescapeString(m[2])}, m[3])
			}
			continue
		}
		m := ladderName.FindStringSubmatch(title)
		if m == nil {
			continue // gamma: results.csv's, not a risk factor
		}
		ccy := m[4]
		for _, tip := range svgTitle.FindAllStringSubmatch(sec, -1) {
			label, rest, ok := strings.Cut(html.UnescapeString(tip[1]), ": ")
			require.True(t, ok, tip[1])
			var key string
			switch {
			case strings.HasPrefix(title, "Delta"):
				key = "SPOT/" + label
			case m[2] != "":
				key = "RATE/" + m[2] + "/" + label
			case m[3] != "":
				key = "DIVYIELD/" + m[3] + "/" + label
			default: // heat maps: "KEY, in CCY: figure ..."
				var in string
				key, in, _ = strings.Cut(label, ", in ")
				require.Equal(t, ccy, in, tip[1])
			}
			k := riskRow{key, ccy}
			if _, seen := figures[k]; seen && !strings.HasPrefix(key, "CORR/") {
				t.Errorf("%v shown twice", k)
			}
			// A correlation is drawn in both halves of its matrix.
			delete(figures, k)
			figure, _, _ := strings.Cut(rest, " ")
			put(k, figure)
		}
	}
	return figures
}

// parseReportNumber reads a figure as the report prints it: thousands
// separators, a minus sign U+2212, an exponent as ×10 and superscripts.
func parseReportNumber(t *testing.T, s string) float64 {
	t.Helper()
	s = strings.NewReplacer(",", "", "−", "-", "×10", "e", "⁻", "-",
		"⁰", "0", "¹", "1", "²", "2", "³", "3", "⁴", "4", "⁵", "5", "⁶", "6", "⁷", "7", "⁸", "8", "⁹", "9").Replace(s)
	v, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err, s)
	return v
}
