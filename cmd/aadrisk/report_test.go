package main

import (
	"html/template"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/pricing"
	"github.com/aadrisk/aadrisk/reports"
)

func readReport(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	html := string(b)
	assert.NotContains(t, html, "http://")
	assert.NotContains(t, html, "https://")
	assert.NotContains(t, html, "<script")
	assert.True(t, strings.HasSuffix(html, "</html>\n"), "a complete page")
	return html
}

// noTemps checks that dir holds exactly the files named.
func noTemps(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	assert.ElementsMatch(t, want, got)
}

// TestPriceReportSample writes the report of the built-in sample without
// --out: the summary still goes to standard output.
func TestPriceReportSample(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	code, out, errOut := runCmd(t, "validate", "--report", path)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "EU-1")
	html := readReport(t, path)
	for _, s := range []string{"Risk report: validate as of 2026-01-02", "(built-in sample)", "None: every trade priced.",
		"Rho per pillar of the RATE curve USD", "Dividend rho per pillar of the DIVYIELD curve ACME",
		"Vega of ACME, in USD: expiry × strike", "Vega of BETA, in EUR: expiry × strike",
		"Vega of BETA, in USD: expiry × strike", "Delta per underlying, in EUR", "Delta per underlying, in USD"} {
		assert.Contains(t, html, s)
	}
	assert.Contains(t, html, "Correlation sensitivities, in USD") // the sample's basket depends on CORR/ACME|BETA
	assert.Contains(t, html, "0 outside")
	for _, id := range []string{"EU-1", "EU-3", "DG-2", "AM-2"} {
		assert.Contains(t, html, ">"+id+"<")
	}
	noTemps(t, dir, "report.html")
}

// TestPriceReportE2E prices testdata/e2e (good trades and every kind of bad
// row) with --out and --report: every failed trade of results.csv is in
// the report, with its reason, escaped.
func TestPriceReportE2E(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	path := filepath.Join(dir, "risk.html")
	code, _, errOut := runCmd(t, e2eArgs("price", out, "--report", path)...)
	require.Equal(t, exitFailed, code, errOut)
	html := readReport(t, path)

	f, err := os.Open(filepath.Join(out, reports.ResultsFile))
	require.NoError(t, err)
	defer f.Close()
	rr, err := reports.NewResultsReader(f, "results.csv")
	require.NoError(t, err)
	m := readManifest(t, out)
	failed := 0
	for {
		var r pricing.Result
		if rr.Next(&r) != nil {
			break
		}
		if r.Err != nil {
			failed++
			assert.Contains(t, html, template.HTMLEscapeString(r.TradeID), r.TradeID)
			assert.Contains(t, html, template.HTMLEscapeString(r.Err.Error()), r.TradeID)
		}
	}
	require.Positive(t, failed)
	assert.Equal(t, m.TradesFailed, failed)
	assert.Contains(t, html, "Failed trades <span class=\"muted\">("+strconv.Itoa(failed)+")</span>")
	assert.Contains(t, html, m.Inputs[0].SHA256)
	noTemps(t, dir, "out", "risk.html")
}

// TestReportUnwritable refuses, before pricing, a report that cannot be
// written (a directory given as the file, a directory that cannot be
// created): exit 2, the flag named, nothing written.
func TestReportUnwritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	out := filepath.Join(dir, "out")
	for _, report := range []string{dir, filepath.Join(file, "sub", "r.html")} {
		code, _, errOut := runCmd(t, e2eArgs("price", out, "--report", report)...)
		assert.Equal(t, exitUsage, code, errOut)
		assert.Contains(t, errOut, "--report "+report+": ")
		_, err := os.Stat(filepath.Join(out, reports.ManifestFile))
		assert.True(t, os.IsNotExist(err))
	}
}

// TestReportCreatesItsDirectory writes --report into directories that do
// not exist yet, as --out does, and ends with the line that says what was
// written where.
func TestReportCreatesItsDirectory(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	report := filepath.Join(dir, "missing", "deeper", "r.html")
	code, _, errOut := runCmd(t, e2eArgs("price", out, "--report", report)...)
	require.Equal(t, exitFailed, code, errOut)
	b, err := os.ReadFile(report)
	require.NoError(t, err)
	assert.Contains(t, string(b), "<html")
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	require.GreaterOrEqual(t, len(lines), 2)
	// The last log line, before the exit status's line.
	assert.Contains(t, lines[len(lines)-2], "msg=\"wrote results.csv, sensitivities.csv, risk.csv, manifest.json to "+out+string(filepath.Separator)+" and "+report+"\"")
	assert.Regexp(t, `^aadrisk: [1-9][0-9]* of [0-9]+ trades failed$`, lines[len(lines)-1])
}

// TestMergeReport merges 3 shards with --report: the report is the
// unsharded run's, but for the run section (shard, workers, times).
func TestMergeReport(t *testing.T) {
	for _, cmd := range []string{"price", "validate"} {
		t.Run(cmd, func(t *testing.T) {
			dir := t.TempDir()
			one := filepath.Join(dir, "one.html")
			code, _, errOut := runCmd(t, e2eInputs(cmd, "--out", filepath.Join(dir, "one"), "--report", one)...)
			require.Equal(t, exitFailed, code, errOut)
			shards := runShards(t, 3, e2eInputs(cmd)...)
			merged := filepath.Join(dir, "merged.html")
			args := append([]string{"merge", "--report", merged, "--out", filepath.Join(dir, "merged")}, shards...)
			code, _, errOut = runCmd(t, args...)
			require.Equal(t, exitFailed, code, errOut)
			a, b := readReport(t, one), readReport(t, merged)
			cut := func(s string) string { return s[strings.Index(s, `<h2 id="failed">`):] }
			assert.Equal(t, cut(a), cut(b))
			assert.Contains(t, b, ">ACME<") // the underlyings, from the portfolio
			assert.Contains(t, b, ">BETA<")
		})
	}
}
