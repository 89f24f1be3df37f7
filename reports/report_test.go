package reports

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing"
)

func reportManifest() *Manifest {
	return &Manifest{
		Version: "aadrisk test", Command: "validate", AsOf: "2026-01-02", Seed: 7, Paths: 1000, Workers: 2,
		Inputs: []InputFile{{Name: "portfolio", Path: "book<1>.csv", SHA256: strings.Repeat("ab", 32)}},
		Start:  time.Date(2026, 1, 2, 18, 0, 0, 0, time.UTC), End: time.Date(2026, 1, 2, 18, 0, 1, 500e6, time.UTC),
	}
}

func sens(kv ...any) []pricing.Sensitivity {
	var s []pricing.Sensitivity
	for i := 0; i < len(kv); i += 2 {
		s = append(s, pricing.Sensitivity{RiskFactor: key(kv[i].(string)), Value: kv[i+1].(float64)})
	}
	return s
}

// smallReport is a hand-checked book: two ACME/USD trades, one BETA/EUR
// Monte Carlo trade, and two failures.
func smallReport(t *testing.T) *Report {
	t.Helper()
	r := NewReport(ReportSettings{Top: 2})
	results := []*pricing.Result{
		{TradeID: "A1", Instrument: "european", Engine: "analytic", Underlying: "ACME", Currency: "USD", Line: 2,
			PV: 100, Delta: 10, Gamma: 1, HasDelta: true, Vega: 200, Rho: 300, DivRho: -50, Theta: -365,
			Sens: sens("SPOT/ACME", 10.0, "RATE/USD/1Y", 100.0, "RATE/USD/2026-12-31", 200.0, "RATE/USD/6M", 0.5,
				"VOL/ACME/1Y/100", 150.0, "VOL/ACME/1Y/90", 50.0, "DIVYIELD/ACME/2Y", -50.0)},
		{TradeID: "<script>alert(1)</script>", Instrument: "digital", Engine: "analytic", Underlying: "ACME", Currency: "USD", Line: 3,
			PV: -40, Delta: -2, Gamma: 0.5, HasDelta: true, Vega: -20, Rho: -10, Theta: 36.5,
			Sens: sens("SPOT/ACME", -2.0, "RATE/USD/1Y", -10.0, "VOL/ACME/6M/100", -20.0)},
		{TradeID: "B1", Instrument: "basket", Engine: "mc", Underlying: "", Currency: "EUR", Line: 4,
			PV: 1000, StdError: 3, HasStdError: true, Vega: 5, VegaStdError: 0.25,
			Sens: []pricing.Sensitivity{{RiskFactor: key("CORR/ACME|BETA"), Value: 12, StdError: 0.5, HasStdError: true},
				{RiskFactor: key("VOL/BETA/1Y"), Value: 5, StdError: 0.1, HasStdError: true}}},
		{TradeID: `"&'`, Instrument: "barrier", Underlying: "ACME", Currency: "USD", Line: 5, Err: errors.New("spot 80 at or beyond the barrier <85>")},
		{TradeID: "BAD", Instrument: "european", Line: 6, Err: errors.New(`portfolio.csv:6:10: strike: want a number, got "1O0"`)},
	}
	for _, res := range results {
		require.NoError(t, r.Add(res))
	}
	require.NoError(t, r.AddValidation([]pricing.Validation{
		{TradeID: "A1", RiskFactor: "SPOT/ACME", Check: pricing.CheckBump, AAD: 10, Bump: 10.0000001, AbsDiff: 1e-7, RelDiff: 1e-8, Tolerance: 1e-3, OK: true},
		{TradeID: "<script>alert(1)</script>", RiskFactor: "VOL/ACME/6M/100", Check: pricing.CheckBump, AAD: -20, Bump: -21, AbsDiff: 1, RelDiff: 1.0 / 21, Tolerance: 1e-3, OK: false},
		{TradeID: "A1", RiskFactor: "THETA", Check: pricing.CheckBump, AAD: 0, Bump: 0, OK: true},
	}))
	return r
}

func writeReport(t *testing.T, r *Report, m *Manifest) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, r.Write(&b, m))
	return b.String()
}

func TestReportSectionsAndAggregates(t *testing.T) {
	r := smallReport(t)
	ok, failed := r.Counts()
	assert.Equal(t, 3, ok)
	assert.Equal(t, 2, failed)
	html := writeReport(t, r, reportManifest())

	for _, s := range []string{`id="run"`, `id="failed"`, `id="pv"`, `id="largest"`, `id="ladders"`, `id="validation"`,
		"Delta per underlying", "Gamma per underlying", "Rho per pillar of the RATE curve USD",
		"Dividend rho per pillar of the DIVYIELD curve ACME", "Vega of ACME, in USD: expiry × strike", "Vega of BETA, in EUR: expiry × strike",
		"Correlation sensitivities", "Relative difference against magnitude", "The worst figures",
		strings.Repeat("ab", 32), "2026-01-02", "1.5s", "aadrisk test"} {
		assert.Contains(t, html, s)
	}
	// The hand-checked sums: ACME/USD has PV 100 − 40 = 60, delta 8, gamma
	// 1.5, vega 180 (1.8 per vol point), rho 290 (0.029 per bp), theta
	// −328.5 per year (−0.9 per day); EUR has the basket's 1,000 ± 3.
	for _, s := range []string{">60<", ">8<", ">1.5<", ">180<", ">1.8<", ">290<", ">0.029<", ">−328.5<", ">−0.9<", ">1,000<", ">3<"} {
		assert.Contains(t, html, s)
	}
	// Per risk factor: RATE/USD/1Y is 100 − 10 = 90 (0.009 per bp).
	assert.Contains(t, html, "90 (0.009 per bp)")
	// Pillars in time order: 6M, then 2026-12-31 (363 days), then 1Y.
	i6, id, i1 := strings.Index(html, ">6M<"), strings.Index(html, ">2026-12-31<"), strings.Index(html, ">1Y<")
	assert.True(t, i6 > 0 && i6 < id && id < i1, "pillars out of order: 6M %d, 2026-12-31 %d, 1Y %d", i6, id, i1)
	// Strikes in numeric order.
	heat := html[strings.Index(html, "Vega of ACME"):]
	assert.Less(t, strings.Index(heat, ">90<"), strings.Index(heat, ">100<"))
	// Both failures, with their reasons.
	assert.Contains(t, html, "spot 80 at or beyond the barrier &lt;85&gt;")
	assert.Contains(t, html, "strike: want a number, got &#34;1O0&#34;")
	// Top 2 by |PV|: B1 (1,000), then A1 (100); by |vega|: A1 (200), then
	// the digital (−20), not B1 (5).
	pv := html[strings.Index(html, "By |PV|"):strings.Index(html, "By |vega|")]
	assert.Less(t, strings.Index(pv, ">B1<"), strings.Index(pv, ">A1<"))
	assert.NotContains(t, pv, "alert")
	vega := html[strings.Index(html, "By |vega|"):strings.Index(html, `id="ladders"`)]
	assert.Less(t, strings.Index(vega, ">A1<"), strings.Index(vega, "alert"))
	assert.NotContains(t, vega, ">B1<")
	// Monte Carlo: the std error column and the correlation's, and the
	// basket's vega with its standard error among the largest by |PV|.
	assert.Contains(t, html, "± std error")
	assert.Contains(t, pv, ">5 ± 0.25<")
	assert.Contains(t, html, "std error 0.5")
	// Validation: 3 checked, 1 outside, the worst first.
	val := html[strings.Index(html, `id="validation"`):]
	assert.Contains(t, val, "3 figures checked")
	assert.Contains(t, val, ">1 outside<")
	assert.Contains(t, val, "not drawn") // aad = bump = 0
	worst := val[strings.Index(val, "The worst figures"):]
	assert.Less(t, strings.Index(worst, "VOL/ACME/6M/100"), strings.Index(worst, "SPOT/ACME"))
	assert.Contains(t, val, `class="ptf"`)
}

func TestReportEscapesInput(t *testing.T) {
	html := writeReport(t, smallReport(t), reportManifest())
	assert.NotContains(t, html, "<script")
	assert.Contains(t, html, "&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.Contains(t, html, "&#34;&amp;&#39;")
	assert.NotContains(t, html, `"&'`)
	assert.Contains(t, html, "book&lt;1&gt;.csv")
}

// externalRef finds any reference a browser could load from elsewhere.
var externalRef = regexp.MustCompile(`(?i)(https?:|//[a-z0-9]|\b(src|href|xlink:href)\s*=\s*["']?[^"'#\s>]|url\s*\(|@import|<script|<link|<img|<iframe|<object|<embed)`)

func TestReportNoExternalResources(t *testing.T) {
	html := writeReport(t, smallReport(t), reportManifest())
	assert.Empty(t, externalRef.FindAllString(html, -1))
	assert.NotContains(t, html, "http://")
	assert.NotContains(t, html, "https://")
	assert.Contains(t, html, "default-src 'none'")
	// Every link is to an anchor of the page.
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(html, -1) {
		assert.True(t, strings.HasPrefix(m[1], "#"), m[1])
	}
}

// TestReportRiskAgreesWithWriter checks that the report's sums per risk
// factor and currency are risk.csv's, bit for bit.
func TestReportRiskAgreesWithWriter(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir, WriterSettings{})
	require.NoError(t, err)
	r := NewReport(ReportSettings{})
	for i := range 2000 {
		res := &pricing.Result{TradeID: fmt.Sprint("T", i), Instrument: "european", Engine: "analytic", Underlying: "X", Currency: []string{"USD", "EUR", "USD"}[i%3],
			PV: float64(i) * 0.1, Sens: sens("SPOT/X", 0.1*float64(i%7)-0.3, "RATE/USD/1Y", 1e10/float64(i+1), "VOL/X/1Y/100", -1e-3*float64(i))}
		require.NoError(t, w.Add(res))
		require.NoError(t, r.Add(res))
	}
	require.NoError(t, w.Commit(reportManifest()))
	b, err := os.ReadFile(filepath.Join(dir, RiskFile))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")[1:]
	require.Len(t, lines, len(r.factors))
	for _, l := range lines {
		cells := strings.Split(l, ",")
		require.Len(t, cells, 3, l)
		k := riskKey{key(cells[0]), cells[1]}
		want, err := strconv.ParseFloat(cells[2], 64)
		require.NoError(t, err)
		require.Contains(t, r.factors, k.id())
		assert.Equal(t, want, r.factors[k.id()].sum.value(), l)
	}
}

func TestReportFailuresCapped(t *testing.T) {
	r := NewReport(ReportSettings{MaxFailures: 3})
	for i := range 5 {
		require.NoError(t, r.Add(&pricing.Result{TradeID: fmt.Sprint("F", i), Err: errors.New("bad")}))
	}
	html := writeReport(t, r, reportManifest())
	assert.Contains(t, html, ">F2<")
	assert.NotContains(t, html, ">F3<")
	assert.Contains(t, html, "2 failed trades are not listed here")
}

func TestReportRefusesNonFinite(t *testing.T) {
	r := NewReport(ReportSettings{})
	require.Error(t, r.Add(&pricing.Result{TradeID: "X", PV: 1, Sens: sens("SPOT/X", mathNaN())}))
	require.Error(t, r.AddValidation([]pricing.Validation{{TradeID: "X", AAD: mathNaN()}}))
	ok, failed := r.Counts()
	assert.Zero(t, ok+failed)
}

func mathNaN() float64 { z := 0.0; return z / z }

func TestReportValidationSampleBounded(t *testing.T) {
	r := NewReport(ReportSettings{ValidationPoints: 200, WorstValidations: 5})
	var vs []pricing.Validation
	for i := range 100000 {
		rel := float64(i%1000) * 1e-12
		vs = append(vs, pricing.Validation{TradeID: fmt.Sprint("T", i), RiskFactor: "SPOT/X", Check: pricing.CheckBump, AAD: float64(i + 1), Bump: float64(i + 1), RelDiff: rel, OK: i != 777})
	}
	require.NoError(t, r.AddValidation(vs))
	assert.LessOrEqual(t, len(r.val.sample), 100)
	assert.Len(t, r.val.worst.items, 5)
	vv := r.validationView()
	assert.LessOrEqual(t, len(vv.Chart.Points), 200)
	assert.Equal(t, "T999", vv.Worst[0].TradeID) // the largest rel diff, the earliest
	assert.Equal(t, "99,999", vv.OK)
	assert.Equal(t, "1", vv.Fail)
	fails := 0
	for _, p := range vv.Chart.Points {
		if p.Fail {
			fails++
		}
	}
	assert.Equal(t, 1, fails)
}

// TestReportLarge builds the report of 100,000 trades on 50 underlyings
// with about 25 sensitivities each, and checks that it is quick and small.
func TestReportLarge(t *testing.T) {
	n := 100000
	if testing.Short() {
		n = 20000
	}
	var keys [][]string
	for u := range 50 {
		name := fmt.Sprintf("U%02d", u)
		var k []string
		k = append(k, "SPOT/"+name)
		for _, p := range []string{"3M", "6M", "1Y", "2Y", "5Y"} {
			k = append(k, "RATE/USD/"+p)
		}
		for _, p := range []string{"1Y", "2Y"} {
			k = append(k, "DIVYIELD/"+name+"/"+p)
		}
		for _, e := range []string{"6M", "1Y", "2Y"} {
			for _, s := range []string{"80", "90", "100", "110", "120"} {
				k = append(k, "VOL/"+name+"/"+e+"/"+s)
			}
		}
		keys = append(keys, k)
	}
	factors := make([][]marketdata.Key, len(keys))
	for u, k := range keys {
		for _, s := range k {
			factors[u] = append(factors[u], key(s))
		}
	}
	start := time.Now()
	r := NewReport(ReportSettings{})
	res := &pricing.Result{Instrument: "european", Engine: "analytic", Currency: "USD", HasDelta: true}
	for i := range n {
		u := i % 50
		res.TradeID = fmt.Sprintf("T%06d", i)
		res.Underlying = keys[u][0][len("SPOT/"):]
		res.Err = nil
		if i%1000 == 999 {
			res.Err = errors.New("missing market data")
		}
		x := float64(i%997) - 498
		res.PV, res.Delta, res.Gamma, res.Vega, res.Rho, res.Theta = x*10, x, x/100, x*3, x*5, -x
		res.Sens = res.Sens[:0]
		for j, k := range factors[u] {
			res.Sens = append(res.Sens, pricing.Sensitivity{RiskFactor: k, Value: x * float64(j+1) / 7})
		}
		require.NoError(t, r.Add(res))
	}
	var b bytes.Buffer
	require.NoError(t, r.Write(&b, reportManifest()))
	elapsed := time.Since(start)
	t.Logf("%d trades: report built in %v, %d bytes", n, elapsed, b.Len())
	assert.Less(t, b.Len(), 5<<20)
	assert.Less(t, elapsed, 20*time.Second) // a few seconds even under the race detector
	assert.Equal(t, 50, strings.Count(b.String(), "<h3>Vega of U"))
	assert.Contains(t, b.String(), fmt.Sprintf(">%s<", count(n/1000))) // the failed count
}

// TestReportPerCurrency checks that the ladders never add two currencies:
// BETA is traded in EUR and, through a basket, in USD, and each figure of
// the report is the sum in one currency.
func TestReportPerCurrency(t *testing.T) {
	r := NewReport(ReportSettings{})
	for _, res := range []*pricing.Result{
		{TradeID: "E1", Instrument: "european", Engine: "analytic", Underlying: "BETA", Currency: "EUR", PV: 1, Delta: 40, Gamma: 2, HasDelta: true,
			Sens: sens("SPOT/BETA", 40.0, "VOL/BETA/1Y", 300.0, "HESTON/BETA/kappa", 7.0)},
		{TradeID: "E2", Instrument: "european", Engine: "analytic", Underlying: "BETA", Currency: "EUR", PV: 1, Delta: 2.5, Gamma: 1, HasDelta: true,
			Sens: sens("SPOT/BETA", 2.5, "VOL/BETA/1Y", 20.0)},
		{TradeID: "U1", Instrument: "basket", Engine: "mc", Currency: "USD", PV: 1,
			Sens: sens("SPOT/BETA", 1000.0, "SPOT/ACME", 64.0, "VOL/BETA/1Y", 5000.0, "CORR/ACME|BETA", 9.0, "HESTON/BETA/kappa", 11.0)},
	} {
		require.NoError(t, r.Add(res))
	}
	html := writeReport(t, r, reportManifest())
	ladders := html[strings.Index(html, `id="ladders"`):]
	section := func(title string) string {
		i := strings.Index(ladders, title)
		require.GreaterOrEqual(t, i, 0, title)
		s := ladders[i:]
		if j := strings.Index(s[1:], "<h3>"); j >= 0 {
			s = s[:j+1]
		}
		return s
	}
	eur, usd := section("Delta per underlying, in EUR"), section("Delta per underlying, in USD")
	assert.Contains(t, eur, ">42.5<")
	assert.NotContains(t, eur, "ACME")
	assert.Contains(t, usd, ">1,000<")
	assert.Contains(t, usd, ">64<")
	assert.Less(t, strings.Index(usd, ">ACME<"), strings.Index(usd, ">BETA<"))
	assert.Contains(t, section("Gamma per underlying, in EUR"), ">3<")
	assert.NotContains(t, ladders, "Gamma per underlying, in USD") // a basket has no gamma
	assert.Contains(t, section("Vega of BETA, in EUR"), ">3.2<")   // 320 per 1.00 of vol
	assert.Contains(t, section("Vega of BETA, in USD"), ">50<")
	assert.Contains(t, section("Correlation sensitivities, in USD"), ">9<")
	assert.NotContains(t, ladders, "Correlation sensitivities, in EUR")
	// The sums over both currencies appear nowhere.
	for _, s := range []string{"1,042.5", "5,320", "53.2", ">18<"} {
		assert.NotContains(t, ladders, s)
	}
	other := section("Other risk factors")
	assert.Contains(t, other, `<td class="mono">HESTON/BETA/kappa</td><td>EUR</td><td class="n">7</td>`)
	assert.Contains(t, other, `<td class="mono">HESTON/BETA/kappa</td><td>USD</td><td class="n">11</td>`)
	assert.Less(t, strings.Index(other, ">EUR<"), strings.Index(other, ">USD<"))
}
