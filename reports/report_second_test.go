package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing"
)

// second builds second-order rows from (risk factor, wrt, value) triples.
func second(kv ...any) []pricing.SecondOrder {
	var s []pricing.SecondOrder
	for i := 0; i < len(kv); i += 3 {
		s = append(s, pricing.SecondOrder{Quote: -1, WrtQuote: -1, RiskFactor: key(kv[i].(string)), Wrt: key(kv[i+1].(string)), Value: kv[i+2].(float64)})
	}
	return s
}

// secondResults is a book with second-order figures: three baskets on
// ACME and BETA in USD (cross-gammas; BETA × ACME adds to 1.5 exactly,
// to 2 in floating point), Europeans on ZETA in EUR (vannas on several
// nodes, one Monte Carlo) and one on ACME in EUR, and a failure.
func secondResults() []*pricing.Result {
	basket := func(id string, aa, ba, ab, bb, vanna float64) *pricing.Result {
		return &pricing.Result{TradeID: id, Instrument: "basket", Engine: "analytic", Currency: "USD", PV: 10, Vega: 4, Volga: 0.5,
			Sens: sens("SPOT/ACME", 1.0, "SPOT/BETA", 2.0, "RATE/USD/1Y", 3.0, "VOL/ACME/1Y", 2.0, "VOL/BETA/1Y", 2.0),
			Second: second(
				"SPOT/ACME", "SPOT/ACME", aa, "SPOT/BETA", "SPOT/ACME", ba, "RATE/USD/1Y", "SPOT/ACME", -2.0,
				"VOL/ACME/1Y", "SPOT/ACME", vanna, "VOL/BETA/1Y", "SPOT/ACME", 3.0,
				"SPOT/ACME", "SPOT/BETA", ab, "SPOT/BETA", "SPOT/BETA", bb, "VOL/BETA/1Y", "SPOT/BETA", 0.75)}
	}
	zeta := "SPOT/ZETA"
	return []*pricing.Result{
		basket("B1", 0.1, 1e16, 0.25, 0.3, 7),
		basket("B2", 0.2, 1.5, 0.25, 0.3, -1),
		basket("B3", 0.3, -1e16, 0.5, 0.4, 0.125),
		{TradeID: "E1", Instrument: "european", Engine: "analytic", Underlying: "ZETA", Currency: "EUR", PV: 5,
			Delta: 0.5, Gamma: 0.04, HasDelta: true, Vega: 20, Vanna: 0.5, Volga: 12,
			Sens: sens(zeta, 0.5, "VOL/ZETA/6M/90", 5.0, "VOL/ZETA/6M/100", 7.0, "VOL/ZETA/1Y/100", 8.0, "RATE/EUR/1Y", 1.0),
			Second: second(zeta, zeta, 0.04, "VOL/ZETA/6M/90", zeta, -0.125, "VOL/ZETA/6M/100", zeta, 0.375,
				"VOL/ZETA/1Y/100", zeta, 0.25, "RATE/EUR/1Y", zeta, 1.75)},
		{TradeID: "E2", Instrument: "european", Engine: "mc", Underlying: "ZETA", Currency: "EUR", PV: 3, StdError: 0.01, HasStdError: true,
			Delta: 0.25, Gamma: 0.02, HasDelta: true, Vega: 6, Vanna: 0.0625, Volga: 3.5,
			DeltaStdError: 0.001, GammaStdError: 0.002, VegaStdError: 0.05, VannaStdError: 0.003, VolgaStdError: 0.25,
			Sens: []pricing.Sensitivity{{RiskFactor: key(zeta), Value: 0.25, StdError: 0.001, HasStdError: true},
				{RiskFactor: key("VOL/ZETA/1Y/100"), Value: 6, StdError: 0.05, HasStdError: true}},
			Second: []pricing.SecondOrder{{Quote: -1, WrtQuote: -1, RiskFactor: key(zeta), Wrt: key(zeta), Value: 0.02, StdError: 0.002, HasStdError: true},
				{Quote: -1, WrtQuote: -1, RiskFactor: key("VOL/ZETA/1Y/100"), Wrt: key(zeta), Value: 0.0625, StdError: 0.003, HasStdError: true}}},
		{TradeID: "E3", Instrument: "european", Engine: "analytic", Underlying: "ACME", Currency: "EUR", PV: 2,
			Delta: 0.3, Gamma: 0.01, HasDelta: true, Vega: 1, Vanna: 0.02, Volga: 0.1,
			Sens:   sens("SPOT/ACME", 0.3, "VOL/ACME/1Y", 1.0),
			Second: second("SPOT/ACME", "SPOT/ACME", 0.01, "VOL/ACME/1Y", "SPOT/ACME", 0.02)},
		{TradeID: "X1", Instrument: "european", Underlying: "ZETA", Currency: "EUR", Err: errors.New("no vol")},
	}
}

func secondReport(t *testing.T, results []*pricing.Result) *Report {
	t.Helper()
	r := NewReport(ReportSettings{})
	for _, res := range results {
		require.NoError(t, r.Add(res))
	}
	return r
}

// riskSecondRows runs results through a Writer with SecondOrder and reads
// back its risk_second_order.csv.
func riskSecondRows(t *testing.T, results []*pricing.Result) []RiskSecondOrderRow {
	t.Helper()
	dir := t.TempDir()
	w, err := NewWriter(dir, WriterSettings{SecondOrder: true})
	require.NoError(t, err)
	for _, res := range results {
		require.NoError(t, w.Add(res))
	}
	m := reportManifest()
	require.NoError(t, w.Commit(m))
	b, err := os.ReadFile(filepath.Join(dir, RiskSecondOrderFile))
	require.NoError(t, err)
	asof, err := time.Parse(time.DateOnly, m.AsOf)
	require.NoError(t, err)
	rr, err := NewRiskSecondOrderReader(bytes.NewReader(b), RiskSecondOrderFile, asof)
	require.NoError(t, err)
	var rows []RiskSecondOrderRow
	for {
		var row RiskSecondOrderRow
		err := rr.Next(&row)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		rows = append(rows, row)
	}
	return rows
}

// part returns the text of html from the first occurrence of start to the
// first of any of ends after it (or to the end).
func part(t *testing.T, html, start string, ends ...string) string {
	t.Helper()
	i := strings.Index(html, start)
	require.GreaterOrEqual(t, i, 0, start)
	s := html[i:]
	j := len(s)
	for _, e := range ends {
		if k := strings.Index(s[len(start):], e); k >= 0 {
			j = min(j, k+len(start))
		}
	}
	return s[:j]
}

// heatCellAt is the start of the drawn cell (row, col) of a heat map, with
// its tip (see newHeatMap's layout).
func heatCellAt(tip string, row, col int) string {
	return fmt.Sprintf(`<g><title>%s</title><rect x="%v" y="%v"`, tip, 110+84*float64(col)+1, 40+26*float64(row)+1)
}

// TestReportSecondOrderAgreesWithWriter checks the section's figures cell
// by cell against risk_second_order.csv: the cross-gamma matrix of each
// currency, the vanna maps and the other rows, bit for bit.
func TestReportSecondOrderAgreesWithWriter(t *testing.T) {
	results := secondResults()
	r := secondReport(t, results)
	html := writeReport(t, r, reportManifest())
	rows := riskSecondRows(t, results)
	require.Len(t, rows, len(r.second))
	sec := part(t, html, `<h2 id="second">`, `<p class="note" style`)
	assert.Contains(t, html, `<a href="#second">Second-order risk</a>`)

	// One matrix per currency, EUR first; no matrix of both.
	assert.Equal(t, 2, strings.Count(sec, "<h3>Cross-gamma, in "))
	assert.Less(t, strings.Index(sec, "<h3>Cross-gamma, in EUR"), strings.Index(sec, "<h3>Cross-gamma, in USD"))
	ccyPart := map[string]string{
		"EUR": part(t, sec, "<h3>Cross-gamma, in EUR", "<h3>Cross-gamma, in "),
		"USD": part(t, sec, "<h3>Cross-gamma, in USD", "<h3>Cross-gamma, in "),
	}
	// The spots of each currency, in ladder order.
	spots := map[string][]string{"EUR": {"SPOT/ACME", "SPOT/ZETA"}, "USD": {"SPOT/ACME", "SPOT/BETA"}}
	idx := func(ccy, k string) int {
		for i, s := range spots[ccy] {
			if s == k {
				return i
			}
		}
		t.Fatalf("%s: no spot %s", ccy, k)
		return -1
	}
	seen := map[string]int{}
	for _, row := range rows {
		rf, wrt, ccy := row.RiskFactor.String(), row.Wrt.String(), row.Currency
		f := r.second[secondID{rf, wrt, ccy}]
		require.NotNil(t, f, "%s × %s in %s", rf, wrt, ccy)
		require.Equal(t, row.Value, f.sum.value(), "%s × %s in %s", rf, wrt, ccy) // bit for bit
		p := ccyPart[ccy]
		v := num(row.Value)
		switch {
		case row.RiskFactor.Kind() == marketdata.Spot:
			m := part(t, p, "<h3>Cross-gamma, in "+ccy, "<h3>")
			tip := fmt.Sprintf("∂²pv/∂%s∂%s, in %s: %s per unit of spot²", rf, wrt, ccy, v)
			assert.Contains(t, m, heatCellAt(tip, idx(ccy, rf), idx(ccy, wrt)), "cross-gamma %s × %s in %s", rf, wrt, ccy)
			assert.Contains(t, m, ">"+v+"</text>")
			seen["cross "+ccy]++
		case row.RiskFactor.Kind() == marketdata.Vol && row.RiskFactor.Name() == row.Wrt.Name():
			m := part(t, p, "<h3>Vanna of "+row.Wrt.Name()+", in "+ccy+": expiry × strike", "<h3>")
			tip := fmt.Sprintf("∂²pv/∂%s∂%s, in %s: %s per unit of spot per 1.00 of vol, %s per vol point", rf, wrt, ccy, v, num(row.Value/100))
			assert.Contains(t, m, "<title>"+tip+"</title>", "vanna %s × %s in %s", rf, wrt, ccy)
			assert.Contains(t, m, ">"+v+"</text>")
			seen["vanna "+ccy]++
		default:
			m := part(t, p, "<h3>Other second-order figures, in "+ccy, "<h3>")
			assert.Contains(t, m, fmt.Sprintf(`<td class="mono">%s</td><td class="mono">%s</td><td>%s</td><td class="n">%s</td>`, rf, wrt, ccy, v))
			seen["other "+ccy]++
		}
	}
	assert.Equal(t, map[string]int{"cross EUR": 2, "cross USD": 4, "vanna EUR": 4, "vanna USD": 2, "other EUR": 1, "other USD": 2}, seen)

	// The exact sums, by hand: BETA × ACME is 1e16 + 1.5 − 1e16 = 1.5
	// (2 in floating point), in row BETA, column ACME; ZETA's 1Y/100 vanna
	// 0.25 + 0.0625; ACME's diagonal is 0.6 in USD, 0.01 in EUR.
	usd, eur := ccyPart["USD"], ccyPart["EUR"]
	assert.Contains(t, usd, heatCellAt("∂²pv/∂SPOT/BETA∂SPOT/ACME, in USD: 1.5 per unit of spot²", 1, 0))
	assert.NotContains(t, usd, ">2</text>")
	assert.Contains(t, usd, heatCellAt("∂²pv/∂SPOT/ACME∂SPOT/BETA, in USD: 1 per unit of spot²", 0, 1))
	assert.Contains(t, eur, "∂²pv/∂VOL/ZETA/1Y/100∂SPOT/ZETA, in EUR: 0.3125 per unit of spot per 1.00 of vol")
	assert.Contains(t, eur, heatCellAt("∂²pv/∂SPOT/ACME∂SPOT/ACME, in EUR: 0.01 per unit of spot²", 0, 0))
	assert.Contains(t, eur, heatCellAt("∂²pv/∂SPOT/ZETA∂SPOT/ZETA, in EUR: 0.06 per unit of spot²", 1, 1))
	// Vanna maps: expiry × strike, expiries in time order, strikes in
	// numeric order.
	zm := part(t, eur, "<h3>Vanna of ZETA, in EUR", "<h3>")
	assert.Less(t, strings.Index(zm, ">6M<"), strings.Index(zm, ">1Y<"))
	assert.Less(t, strings.Index(zm, ">90<"), strings.Index(zm, ">100<"))
	assert.Contains(t, zm, "per unit of spot per 1.00 of vol")
	assert.Contains(t, part(t, usd, "<h3>Vanna of ACME, in USD", "<h3>"), ">6.125</text>")
	assert.Contains(t, part(t, eur, "<h3>Vanna of ACME, in EUR", "<h3>"), ">0.02</text>")
	assert.Contains(t, part(t, usd, "<h3>Vanna of BETA, in USD", "<h3>"), ">2.25</text>")
	// A basket's vanna to another asset's vol is in the table.
	assert.Contains(t, part(t, usd, "<h3>Other second-order figures, in USD", "<h3>"),
		`<td class="mono">VOL/BETA/1Y</td><td class="mono">SPOT/ACME</td><td>USD</td><td class="n">9</td>`)
	// Units stated.
	assert.Contains(t, usd, "USD per unit of spot²")
	assert.Contains(t, usd, "USD per unit of spot per 1.00 of vol")
	// Nothing of one currency in the other's.
	assert.NotContains(t, eur, "BETA")
	assert.NotContains(t, eur, "USD")
	assert.NotContains(t, usd, "ZETA")
	assert.NotContains(t, usd, "EUR")
	assert.NotContains(t, eur, ">0.6</text>")
	assert.NotContains(t, sec, "0.61<") // ACME × ACME over both currencies
}

// TestReportSecondOrderTables checks vanna and volga in the PV and
// largest-positions tables: results.csv's figures, with or without
// second-order rows.
func TestReportSecondOrderTables(t *testing.T) {
	results := secondResults()
	for _, res := range results {
		res.Second = nil // the columns do not depend on --second-order
	}
	html := writeReport(t, secondReport(t, results), reportManifest())
	assert.NotContains(t, html, `id="second"`)
	pv := part(t, html, `<h2 id="pv">`, `<h2 id="largest">`)
	for _, s := range []string{">vanna<", ">volga<", "per unit of spot per 1.00 of vol", "per (1.00 of vol)²"} {
		assert.Contains(t, pv, s)
	}
	// ZETA/EUR: delta 0.75, gamma 0.06, vanna 0.5625, vega 26 (0.26 per
	// point), volga 15.5; the baskets (USD) have no delta, gamma or vanna,
	// and volga 1.5.
	assert.Contains(t, pv, `<td>ZETA</td><td>EUR</td><td class="n">2</td><td class="n">1</td><td class="n">8</td><td class="n">0.01</td><td class="n">0.75</td><td class="n">0.06</td><td class="n">0.5625</td><td class="n">26</td><td class="n">0.26</td><td class="n">15.5</td>`)
	assert.Contains(t, pv, `<td>—</td><td>USD</td><td class="n">3</td><td class="n">0</td><td class="n">30</td><td class="n"></td><td class="n"></td><td class="n"></td><td class="n"></td><td class="n">12</td><td class="n">0.12</td><td class="n">1.5</td>`)
	// Per currency: volga only (EUR 15.6, USD 1.5).
	assert.Contains(t, pv, `<td>EUR</td><td class="n">3</td><td class="n">1</td><td class="n">10</td><td class="n">0.01</td><td class="n">27</td><td class="n">0.27</td><td class="n">15.6</td>`)
	// The largest positions: the Monte Carlo European's with their
	// standard errors, the basket's without vanna.
	top := part(t, html, `<h2 id="largest">`, `<h2 id="ladders">`)
	assert.Contains(t, top, `<td class="n">0.0625 ± 0.003</td><td class="n">6 ± 0.05</td><td class="n">0.06 ± 0.0005</td><td class="n">3.5 ± 0.25</td>`)
	assert.Contains(t, top, `<td class="n">0.04</td><td class="n">0.5</td><td class="n">20</td><td class="n">0.2</td><td class="n">12</td>`)
	assert.Contains(t, top, `<td class="mono">B1</td><td>basket</td><td>analytic</td><td>—</td><td>USD</td><td class="n">10</td><td class="n"></td><td class="n"></td><td class="n"></td><td class="n"></td><td class="n">4</td><td class="n">0.04</td><td class="n">0.5</td>`)
}

// TestReportWithoutSecondOrder checks that a report without second-order
// figures has no second-order section.
func TestReportWithoutSecondOrder(t *testing.T) {
	html := writeReport(t, smallReport(t), reportManifest())
	for _, s := range []string{`id="second"`, "#second", "Second-order risk", "Cross-gamma", "Vanna of", "Other second-order figures"} {
		assert.NotContains(t, html, s)
	}
	assert.Contains(t, html, ">vanna<") // the tables' columns are there
}

// TestReportSecondOrderSelfContained checks that the page with the
// second-order section still has no script and no external resource.
func TestReportSecondOrderSelfContained(t *testing.T) {
	results := secondResults()
	results[0].TradeID = "<script>alert(1)</script>"
	html := writeReport(t, secondReport(t, results), reportManifest())
	require.Contains(t, html, `id="second"`)
	assert.Empty(t, externalRef.FindAllString(html, -1))
	assert.NotContains(t, html, "<script")
	assert.Contains(t, html, "default-src 'none'")
}

// TestReportSecondOrderDeterministic checks that the page is the same
// bytes for the same input, and that the second-order section does not
// depend on the order of the trades.
func TestReportSecondOrderDeterministic(t *testing.T) {
	results := secondResults()
	a := writeReport(t, secondReport(t, results), reportManifest())
	for range 5 {
		assert.Equal(t, a, writeReport(t, secondReport(t, secondResults()), reportManifest()))
	}
	rev := secondResults()
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	b := writeReport(t, secondReport(t, rev), reportManifest())
	sec := func(html string) string { return part(t, html, `<h2 id="second">`, `<p class="note" style`) }
	assert.Equal(t, sec(a), sec(b))
}
