package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBadInputTable runs the command on one malformed file per row of SPEC.md
// §7 (and the classic CSV traps), each against good counterparts, and checks
// the exit status, the message and, where trades are priced, that the good
// ones are.
func TestBadInputTable(t *testing.T) {
	good := inputHeader + inputGood
	for _, c := range []struct {
		name              string
		portfolio, market string
		code              int
		msg               string   // in standard error, or in the failed row
		failed            []string // trade IDs that must fail alone
	}{
		{name: "empty portfolio", portfolio: "", market: inputMarket, code: exitUsage, msg: "no header"},
		{name: "header-only portfolio", portfolio: inputHeader, market: inputMarket, code: exitOK},
		{name: "empty market", portfolio: good, market: "", code: exitUsage, msg: "no header"},
		{name: "header-only market", portfolio: good, market: "type,name,pillar,strike,value\n", code: exitFailed,
			msg: "no SPOT quote", failed: []string{"EU-1", "DG-1", "BA-1", "AS-1", "AM-1"}},
		{name: "market missing column", portfolio: good, market: "type,name,pillar,value\nSPOT,ACME,,100\n", code: exitUsage, msg: "strike"},
		{name: "market NaN literal", portfolio: good, market: inputMarket + "SPOT,GAMMA,,,NaN\n", code: exitUsage, msg: "market.csv:14"},
		{name: "market Inf literal", portfolio: good, market: inputMarket + "SPOT,GAMMA,,,+Inf\n", code: exitUsage, msg: "market.csv:14"},
		{name: "market unknown type", portfolio: good, market: inputMarket + "FWD,ACME,1Y,,101\n", code: exitUsage, msg: "market.csv:14"},
		{name: "market comma decimal", portfolio: good, market: inputMarket + "SPOT,GAMMA,,,\"100,5\"\n", code: exitUsage, msg: "market.csv:14"},
		{name: "quantity NaN literal", portfolio: good + "NAN-Q,european,ACME,USD,call,100,1Y,NaN,,,,,,,\n", market: inputMarket,
			code: exitFailed, msg: "quantity", failed: []string{"NAN-Q"}},
		{name: "strike Inf literal", portfolio: good + "INF-K,european,ACME,USD,call,Inf,1Y,1,,,,,,,\n", market: inputMarket,
			code: exitFailed, msg: "strike", failed: []string{"INF-K"}},
		{name: "octal-looking fixings are decimal", portfolio: good + "OCT,asian,ACME,USD,call,100,1Y,1,,,,,geometric,010,\n", market: inputMarket,
			code: exitOK},
		{name: "quoted comma and newline in an ID", portfolio: good + "\"Q,1\nsecond line\",european,ACME,USD,call,100,1Y,1,,,,,,,\n", market: inputMarket,
			code: exitOK},
		{name: "duplicate trade_id", portfolio: good + "EU-1,european,ACME,USD,put,100,1Y,1,,,,,,,\n", market: inputMarket,
			code: exitFailed, msg: "duplicate trade_id", failed: []string{"EU-1"}},
		{name: "unknown instrument", portfolio: good + "SW-1,swaption,ACME,USD,call,100,1Y,1,,,,,,,\n", market: inputMarket,
			code: exitFailed, msg: "swaption", failed: []string{"SW-1"}},
		{name: "fewer cells than the header", portfolio: good + "SHORT,european,ACME\n", market: inputMarket,
			code: exitFailed, msg: "fields", failed: []string{"SHORT"}},
		{name: "unterminated quote", portfolio: good + "\"OPEN,european,ACME,USD,call,100,1Y,1,,,,,,,\n", market: inputMarket,
			code: exitUsage, msg: "portfolio.csv"},
		{name: "duplicated column", portfolio: "trade_id,trade_id\nA,B\n", market: inputMarket, code: exitUsage, msg: "duplicate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runInput(t, "price", c.portfolio, c.market)
			require.Equal(t, c.code, r.code, "stderr: %s", r.stderr)
			if c.code == exitUsage {
				assert.Contains(t, r.stderr, c.msg)
				assertNothingWritten(t, r.out)
				return
			}
			checkOutputs(t, r.out)
			rows := readResults(t, r.out)
			for id, row := range rows {
				failed := false
				for _, f := range c.failed {
					failed = failed || f == id
				}
				if failed || (id == "EU-1" && c.name == "duplicate trade_id") {
					continue
				}
				assert.Equal(t, "ok", row[3], "%s: %v", id, row)
			}
			for _, id := range c.failed {
				row, ok := rows[id]
				require.True(t, ok, "no row for %s", id)
				if c.name == "duplicate trade_id" {
					continue // both rows have the ID; the second one failed
				}
				assert.Equal(t, "error", row[3], id)
				assert.Contains(t, row[22], c.msg, id)
			}
		})
	}
}
