package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rngPortfolio has Monte Carlo trades with each choice of the rng and
// antithetic columns, and bad cells in them.
const rngPortfolio = `trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,engine,paths,rng,antithetic
MC-DEF,european,ACME,USD,call,100,1Y,10,mc,2000,,
MC-SOB,european,ACME,USD,call,100,1Y,10,mc,2000,sobol,
MC-FIX,european,ACME,USD,call,100,1Y,10,mc,2000,Pseudo,true
MC-OFF,european,ACME,USD,call,100,1Y,10,mc,2000,,false
BAD-RNG,european,ACME,USD,call,100,1Y,10,mc,2000,halton,
BAD-ANTI,european,ACME,USD,call,100,1Y,10,mc,2000,,yes
BAD-AN,european,ACME,USD,call,100,1Y,10,,,sobol,
`

// TestRNGColumnsAndFlags checks the rng and antithetic columns and the
// --rng and --antithetic flags: a blank cell takes the run's default, a
// bad cell fails its row alone with its line and column, the manifest
// records the flags, and validate passes on quasi-random and antithetic
// trades.
func TestRNGColumnsAndFlags(t *testing.T) {
	base := runInput(t, "price", rngPortfolio, inputMarket)
	require.Equal(t, exitFailed, base.code, base.stderr)
	flags := runInput(t, "price", rngPortfolio, inputMarket, "--rng", "sobol", "--antithetic")
	require.Equal(t, exitFailed, flags.code, flags.stderr)
	a, b := readResults(t, base.out), readResults(t, flags.out)
	for _, c := range []struct {
		id   string
		same bool
	}{{"MC-DEF", false}, {"MC-SOB", false}, {"MC-FIX", true}, {"MC-OFF", false}} {
		assert.Equal(t, "ok", a[c.id][3], a[c.id])
		assert.Equal(t, c.same, a[c.id][4] == b[c.id][4], "%s: pv %s and %s", c.id, a[c.id][4], b[c.id][4])
		for i := 5; i < 22; i++ {
			assert.NotEmpty(t, a[c.id][i], "%s column %d", c.id, i)
		}
	}
	// MC-SOB is the default trade under --rng sobol.
	assert.NotEqual(t, a["MC-SOB"][4], a["MC-DEF"][4])
	assert.Contains(t, a["BAD-RNG"][22], `portfolio.csv:6:50: rng: rng "halton": want pseudo or sobol`)
	assert.Contains(t, a["BAD-ANTI"][22], `portfolio.csv:7:52: antithetic: want true, false or blank, got "yes"`)
	assert.Contains(t, a["BAD-AN"][22], "portfolio.csv:8:")
	assert.Contains(t, a["BAD-AN"][22], "rng")

	var man map[string]any
	data, err := os.ReadFile(filepath.Join(flags.out, "manifest.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &man))
	assert.Equal(t, "sobol", man["rng"])
	assert.Equal(t, true, man["antithetic"])

	for _, bad := range [][]string{{"--rng", "halton"}, {"--antithetic", "--paths", "3"}} {
		r := runInput(t, "price", rngPortfolio, inputMarket, bad...)
		assert.Equal(t, exitUsage, r.code, strings.Join(bad, " "))
	}

	good := strings.Join(strings.Split(rngPortfolio, "\n")[:5], "\n") + "\n"
	v := runInput(t, "validate", good, inputMarket, "--rng", "sobol")
	require.Equal(t, exitOK, v.code, v.stderr)
	rows := readCSV(t, filepath.Join(v.out, "validation.csv"))
	require.Equal(t, strings.Split("trade_id,risk_factor,check,aad,bump,abs_diff,rel_diff,tolerance,std_error,z,status", ","), rows[0])
	checks := map[string]int{}
	for _, row := range rows[1:] {
		checks[row[2]]++
		assert.Equal(t, "ok", row[10], row)
	}
	assert.Greater(t, checks["same-rn"], 8)
	assert.Greater(t, checks["revaluation"], 8)
}
