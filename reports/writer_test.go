package reports

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing"
)

// fixture is a small run: an analytic trade, a failed trade whose message
// has a comma and quotes, a Monte Carlo trade with standard errors and a
// negative zero, a basket without delta, and trade ids that a spreadsheet
// would read as formulas.
// key is the Key of the text s, which the test spells right.
func key(s string) marketdata.Key {
	k, err := marketdata.ParseKey(s)
	if err != nil {
		panic(err)
	}
	return k
}

func fixture() []*pricing.Result {
	negZero := math.Copysign(0, -1)
	return []*pricing.Result{
		{
			TradeID: "T1", Instrument: "european", Engine: "analytic", Line: 2, Currency: "USD",
			PV: 10.45, Delta: 0.5, Gamma: 0.02, HasDelta: true, Vega: 37.5, Rho: 53.25, DivRho: -63.75, Theta: -6.5,
			Vanna: -0.375, Volga: 12.5,
			Sens: []pricing.Sensitivity{
				{RiskFactor: key("SPOT/ACME"), Value: 0.5},
				{RiskFactor: key("RATE/USD/1Y"), Value: 53.25},
				{RiskFactor: key("DIVYIELD/ACME/1Y"), Value: -63.75},
				{RiskFactor: key("VOL/ACME/1Y/100"), Value: 37.5},
			},
		},
		{
			TradeID: "T2", Instrument: "barrier", Engine: "analytic", Line: 3,
			Err: errors.New(`line 3, column 7: barrier "up-out" already breached`),
		},
		{
			TradeID: "MC1", Instrument: "asian", Engine: "mc", Line: 4, Currency: "USD",
			PV: 5.25, StdError: 0.01, HasStdError: true, Delta: 0.25, Gamma: negZero, HasDelta: true,
			DeltaStdError: 0.001, GammaStdError: 0.5, VegaStdError: 2e-9, RhoStdError: negZero, DivRhoStdError: 0, ThetaStdError: 0.0625,
			Vega: 1e-7, Rho: 1234567.5, DivRho: 0, Theta: -0.125,
			Vanna: 0.0078125, Volga: -3.25, VannaStdError: 0.001953125, VolgaStdError: 0.75,
			Sens: []pricing.Sensitivity{
				{RiskFactor: key("SPOT/ACME"), Value: 0.25, StdError: 0.001, HasStdError: true},
				{RiskFactor: key("VOL/ACME/1Y/100"), Value: 1e-7, StdError: 2e-9, HasStdError: true},
				{RiskFactor: key("RATE/USD/1Y"), Value: negZero, StdError: 0, HasStdError: true},
			},
		},
		{
			TradeID: "B1", Instrument: "basket", Engine: "mc", Line: 5, Currency: "USD",
			PV: 3, StdError: 0.05, HasStdError: true, Vega: 2, Rho: 0.5, DivRho: -1, Theta: -0.25,
			VegaStdError: 0.125, RhoStdError: 0.25, DivRhoStdError: 0.375, ThetaStdError: 0.5,
			Volga: 1.5, VolgaStdError: 0.0625,
			Sens: []pricing.Sensitivity{
				{RiskFactor: key("SPOT/ACME"), Value: 0.3, StdError: 0.01, HasStdError: true},
				{RiskFactor: key("SPOT/BETA"), Value: 0.2, StdError: 0.01, HasStdError: true},
				{RiskFactor: key("CORR/ACME|BETA"), Value: -0.75, StdError: 0.02, HasStdError: true},
			},
		},
		{
			TradeID: "=1+1", Instrument: "european", Engine: "analytic", Line: 6, Currency: "USD",
			PV: -2.5, Delta: -0.5, Gamma: 0.01, HasDelta: true, Vega: 4, Rho: -1.5, DivRho: 0.75, Theta: 0.125,
			Vanna: 0.0625, Volga: -0.5,
			Sens: []pricing.Sensitivity{{RiskFactor: key("SPOT/ACME"), Value: -0.5}},
		},
		{
			TradeID: "-T6", Instrument: "digital", Engine: "analytic", Line: 8,
			Err: errors.New("-1 is not a strike"),
		},
	}
}

func fixtureManifest() *Manifest {
	return &Manifest{
		Version: "0.1.0",
		Command: "price",
		AsOf:    "2025-01-02",
		Inputs: []InputFile{
			{Name: "portfolio", Path: "testdata/portfolio.csv", SHA256: strings.Repeat("ab", 32)},
			{Name: "market", Path: "testdata/market.csv", SHA256: strings.Repeat("0f", 32)},
		},
		Seed:       42,
		Paths:      100000,
		RNG:        "sobol",
		Antithetic: true,
		Shard:      "2/3",
		Workers:    2,
		Start:      time.Date(2025, 1, 3, 1, 2, 3, 500_000_000, time.UTC),
		End:        time.Date(2025, 1, 3, 1, 2, 9, 0, time.UTC),
	}
}

func readOut(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return string(b)
}

// dirNames lists dir, hidden files included.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := []string{}
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func writeRun(t *testing.T, dir string, opts WriterSettings, rs []*pricing.Result, vs []pricing.Validation) *Manifest {
	t.Helper()
	w, err := NewWriter(dir, opts)
	require.NoError(t, err)
	defer w.Abort()
	for _, r := range rs {
		require.NoError(t, w.Add(r))
	}
	if vs != nil {
		require.NoError(t, w.AddValidation(vs))
	}
	m := fixtureManifest()
	require.NoError(t, w.Commit(m))
	return m
}

func TestWriterGolden(t *testing.T) {
	dir := t.TempDir()
	vs := []pricing.Validation{
		{TradeID: "T1", RiskFactor: "SPOT/ACME", Check: pricing.CheckBump, AAD: 0.5, Bump: 0.5000001, AbsDiff: 1e-7, RelDiff: 2e-7, Tolerance: 1e-6, OK: true},
		{TradeID: "=1+1", RiskFactor: "SPOT/ACME", Check: pricing.CheckSameRN, AAD: -0.5, Bump: -0.4, AbsDiff: 0.1, RelDiff: 0.2, Tolerance: 1e-6, OK: false},
		{TradeID: "MC", RiskFactor: "GAMMA", Check: pricing.CheckRevaluation, AAD: 2, Bump: 2.5, AbsDiff: 0.5, RelDiff: 0.2, Tolerance: 1, StdError: 0.25, Z: -2, HasStdError: true, OK: true},
	}
	writeRun(t, dir, WriterSettings{Validation: true}, fixture(), vs)

	assert.Equal(t, `trade_id,instrument,engine,status,pv,std_error,delta,gamma,vega,rho,div_rho,theta,vanna,volga,delta_std_error,gamma_std_error,vega_std_error,rho_std_error,div_rho_std_error,theta_std_error,vanna_std_error,volga_std_error,error
T1,european,analytic,ok,10.45,,0.5,0.02,37.5,53.25,-63.75,-6.5,-0.375,12.5,,,,,,,,,
T2,barrier,analytic,error,,,,,,,,,,,,,,,,,,,"line 3, column 7: barrier ""up-out"" already breached"
MC1,asian,mc,ok,5.25,0.01,0.25,0,1e-07,1.2345675e+06,0,-0.125,0.0078125,-3.25,0.001,0.5,2e-09,0,0,0.0625,0.001953125,0.75,
B1,basket,mc,ok,3,0.05,,,2,0.5,-1,-0.25,,1.5,,,0.125,0.25,0.375,0.5,,0.0625,
'=1+1,european,analytic,ok,-2.5,,-0.5,0.01,4,-1.5,0.75,0.125,0.0625,-0.5,,,,,,,,,
'-T6,digital,analytic,error,,,,,,,,,,,,,,,,,,,'-1 is not a strike
`, readOut(t, dir, ResultsFile))

	assert.Equal(t, `trade_id,risk_factor,sensitivity,std_error
T1,SPOT/ACME,0.5,
T1,RATE/USD/1Y,53.25,
T1,DIVYIELD/ACME/1Y,-63.75,
T1,VOL/ACME/1Y/100,37.5,
MC1,SPOT/ACME,0.25,0.001
MC1,VOL/ACME/1Y/100,1e-07,2e-09
MC1,RATE/USD/1Y,0,0
B1,SPOT/ACME,0.3,0.01
B1,SPOT/BETA,0.2,0.01
B1,CORR/ACME|BETA,-0.75,0.02
'=1+1,SPOT/ACME,-0.5,
`, readOut(t, dir, SensitivitiesFile))

	// SPOT/ACME: 0.5 + 0.25 + 0.3 − 0.5, with 0.3 as the float64 nearest to
	// it, is exactly halfway between two float64s and rounds to the even one,
	// 0.55 (the odd one is 0.5499999999999999).
	assert.Equal(t, `risk_factor,currency,sensitivity
SPOT/ACME,USD,0.55
SPOT/BETA,USD,0.2
RATE/USD/1Y,USD,53.25
DIVYIELD/ACME/1Y,USD,-63.75
VOL/ACME/1Y/100,USD,37.5000001
CORR/ACME|BETA,USD,-0.75
`, readOut(t, dir, RiskFile))

	assert.Equal(t, `trade_id,risk_factor,check,aad,bump,abs_diff,rel_diff,tolerance,std_error,z,status
T1,SPOT/ACME,bump,0.5,0.5000001,1e-07,2e-07,1e-06,,,ok
'=1+1,SPOT/ACME,same-rn,-0.5,-0.4,0.1,0.2,1e-06,,,fail
MC,GAMMA,revaluation,2,2.5,0.5,0.2,1,0.25,-2,ok
`, readOut(t, dir, ValidationFile))

	assert.Equal(t, `{
  "version": "0.1.0",
  "command": "price",
  "as_of": "2025-01-02",
  "inputs": [
    {
      "name": "portfolio",
      "path": "testdata/portfolio.csv",
      "sha256": "abababababababababababababababababababababababababababababababab"
    },
    {
      "name": "market",
      "path": "testdata/market.csv",
      "sha256": "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"
    }
  ],
  "seed": 42,
  "paths": 100000,
  "rng": "sobol",
  "antithetic": true,
  "shard": "2/3",
  "workers": 2,
  "trades_ok": 4,
  "trades_failed": 2,
  "files": [
    "results.csv",
    "sensitivities.csv",
    "risk.csv",
    "validation.csv"
  ],
  "outputs": [
    {
      "name": "results.csv",
      "rows": 6,
      "bytes": 759,
      "crc32c": "eff7c12c"
    },
    {
      "name": "sensitivities.csv",
      "rows": 11,
      "bytes": 308,
      "crc32c": "dbe9808e"
    },
    {
      "name": "risk.csv",
      "rows": 6,
      "bytes": 176,
      "crc32c": "942a7674"
    },
    {
      "name": "validation.csv",
      "rows": 3,
      "bytes": 241,
      "crc32c": "9d0d232b"
    }
  ],
  "start": "2025-01-03T01:02:03.5Z",
  "end": "2025-01-03T01:02:09Z"
}
`, readOut(t, dir, ManifestFile))

	assert.Equal(t, []string{ManifestFile, ResultsFile, RiskFile, SensitivitiesFile, ValidationFile}, dirNames(t, dir),
		"no temporary file is left")
}

// The risk totals are the exact sums of the sensitivities of the ok trades
// in each currency, rounded once, sorted by risk factor in ladder order,
// then by currency. One trade of the fixture is moved to EUR, so that
// SPOT/ACME has a row in each currency.
func TestWriterRiskTotals(t *testing.T) {
	rs := fixture()
	rs[4].Currency = "EUR"
	dir := t.TempDir()
	writeRun(t, dir, WriterSettings{}, rs, nil)

	want := map[riskKey]*big.Float{}
	for _, r := range rs {
		if r.Err != nil {
			continue
		}
		for _, s := range r.Sens {
			k := riskKey{s.RiskFactor, r.Currency}
			if want[k] == nil {
				want[k] = new(big.Float).SetPrec(4096)
			}
			want[k].Add(want[k], big.NewFloat(s.Value))
		}
	}
	lines := strings.Split(strings.TrimSuffix(readOut(t, dir, RiskFile), "\n"), "\n")
	require.Equal(t, "risk_factor,currency,sensitivity", lines[0])
	var keys []riskKey
	for _, line := range lines[1:] {
		cells := strings.Split(line, ",")
		require.Len(t, cells, 3, line)
		k := riskKey{key(cells[0]), cells[1]}
		keys = append(keys, k)
		got, err := strconv.ParseFloat(cells[2], 64)
		require.NoError(t, err)
		require.Contains(t, want, k)
		w, _ := want[k].Float64()
		assert.Equal(t, w, got, "risk factor %s in %s", k.factor, k.currency)
	}
	assert.Len(t, keys, len(want))
	assert.Equal(t, []riskKey{
		{key("SPOT/ACME"), "EUR"}, {key("SPOT/ACME"), "USD"}, {key("SPOT/BETA"), "USD"}, {key("RATE/USD/1Y"), "USD"},
		{key("DIVYIELD/ACME/1Y"), "USD"}, {key("VOL/ACME/1Y/100"), "USD"}, {key("CORR/ACME|BETA"), "USD"},
	}, keys)
}

// A trade's negative zeros are written 0, and a factor whose sensitivities
// cancel is written with a total of 0.
func TestWriterNegativeZero(t *testing.T) {
	negZero := math.Copysign(0, -1)
	rs := []*pricing.Result{
		{TradeID: "A", Instrument: "european", Engine: "analytic", PV: negZero, Vega: negZero, Rho: negZero, DivRho: negZero, Theta: negZero,
			Vanna: 0.25, Volga: negZero,
			Sens: []pricing.Sensitivity{{RiskFactor: key("SPOT/X"), Value: negZero}, {RiskFactor: key("RATE/USD/1Y"), Value: 0.1}}},
		{TradeID: "B", Instrument: "european", Engine: "analytic",
			Sens: []pricing.Sensitivity{{RiskFactor: key("RATE/USD/1Y"), Value: -0.1}}},
	}
	dir := t.TempDir()
	writeRun(t, dir, WriterSettings{}, rs, nil)
	assert.Equal(t, "trade_id,instrument,engine,status,pv,std_error,delta,gamma,vega,rho,div_rho,theta,vanna,volga,"+
		"delta_std_error,gamma_std_error,vega_std_error,rho_std_error,div_rho_std_error,theta_std_error,vanna_std_error,volga_std_error,error\n"+
		"A,european,analytic,ok,0,,,,0,0,0,0,,0,,,,,,,,,\n"+
		"B,european,analytic,ok,0,,,,0,0,0,0,,0,,,,,,,,,\n", readOut(t, dir, ResultsFile))
	assert.Equal(t, "risk_factor,currency,sensitivity\nSPOT/X,,0\nRATE/USD/1Y,,0\n", readOut(t, dir, RiskFile))
	assert.Equal(t, sensitivitiesHeader+"A,SPOT/X,0,\nA,RATE/USD/1Y,0.1,\nB,RATE/USD/1Y,-0.1,\n", readOut(t, dir, SensitivitiesFile))
}

// A NaN or an infinity is refused, the trade writes nothing and the writer
// goes on.
func TestWriterRefusesNonFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	ok := func() *pricing.Result {
		return &pricing.Result{TradeID: "X", Instrument: "european", Engine: "mc", PV: 1, HasDelta: true, HasStdError: true,
			Sens: []pricing.Sensitivity{{RiskFactor: key("SPOT/A"), Value: 1, HasStdError: true}}}
	}
	tests := []struct {
		name  string
		edit  func(r *pricing.Result)
		field string
	}{
		{"pv", func(r *pricing.Result) { r.PV = nan }, "pv"},
		{"std_error", func(r *pricing.Result) { r.StdError = inf }, "std_error"},
		{"delta", func(r *pricing.Result) { r.Delta = -inf }, "delta"},
		{"gamma", func(r *pricing.Result) { r.Gamma = nan }, "gamma"},
		{"vega", func(r *pricing.Result) { r.Vega = inf }, "vega"},
		{"rho", func(r *pricing.Result) { r.Rho = nan }, "rho"},
		{"div_rho", func(r *pricing.Result) { r.DivRho = nan }, "div_rho"},
		{"theta", func(r *pricing.Result) { r.Theta = nan }, "theta"},
		{"vanna", func(r *pricing.Result) { r.Vanna = nan }, "vanna"},
		{"volga", func(r *pricing.Result) { r.Volga = -inf }, "volga"},
		{"delta_std_error", func(r *pricing.Result) { r.DeltaStdError = nan }, "delta_std_error"},
		{"theta_std_error", func(r *pricing.Result) { r.ThetaStdError = inf }, "theta_std_error"},
		{"vanna_std_error", func(r *pricing.Result) { r.VannaStdError = inf }, "vanna_std_error"},
		{"volga_std_error", func(r *pricing.Result) { r.VolgaStdError = nan }, "volga_std_error"},
		{"sensitivity", func(r *pricing.Result) { r.Sens[0].Value = nan }, "sensitivity"},
		{"sensitivity std_error", func(r *pricing.Result) { r.Sens[0].StdError = inf }, "std_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := NewWriter(t.TempDir(), WriterSettings{})
			require.NoError(t, err)
			defer w.Abort()
			bad := ok()
			tt.edit(bad)
			err = w.Add(bad)
			require.ErrorIs(t, err, errNonFinite)
			assert.Contains(t, err.Error(), tt.field)
			assert.Contains(t, err.Error(), `"X"`)
			require.NoError(t, w.Add(ok()), "the writer goes on after a refused trade")
			// Nothing of the refused trade is in the buffers (nor on disk:
			// they are written between trades only).
			assert.Equal(t, resultsHeader+"X,european,mc,ok,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,\n", string(w.results.buf))
			assert.Equal(t, sensitivitiesHeader+"X,SPOT/A,1,0\n", string(w.sens.buf))
			assert.Equal(t, 1, len(w.factors))
		})
	}

	// Figures that are not written are not checked: an unused NaN is fine.
	r := ok()
	r.HasDelta, r.Delta = false, nan
	r.Vanna, r.VannaStdError = inf, nan // not written without a delta
	r.HasStdError, r.StdError = false, nan
	w, err := NewWriter(t.TempDir(), WriterSettings{})
	require.NoError(t, err)
	defer w.Abort()
	assert.NoError(t, w.Add(r))
	assert.NoError(t, w.Add(&pricing.Result{TradeID: "E", Err: errors.New("failed"), PV: nan}))

	// Validation rows are refused as a whole.
	dir := t.TempDir()
	wv, err := NewWriter(dir, WriterSettings{Validation: true})
	require.NoError(t, err)
	defer wv.Abort()
	err = wv.AddValidation([]pricing.Validation{
		{TradeID: "X", RiskFactor: "SPOT/A", Check: pricing.CheckBump, AAD: 1, Bump: 1, OK: true},
		{TradeID: "X", RiskFactor: "VOL/A/1Y", Check: pricing.CheckBump, AAD: 1, Bump: nan},
	})
	require.ErrorIs(t, err, errNonFinite)
	assert.Contains(t, err.Error(), "VOL/A/1Y")
	require.NoError(t, wv.Commit(fixtureManifest()))
	assert.Equal(t, validationHeader, readOut(t, dir, ValidationFile))
}

// A risk total beyond the float64 range fails the commit, which leaves
// nothing behind.
func TestWriterRiskOverflow(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir, WriterSettings{})
	require.NoError(t, err)
	for _, id := range []string{"A", "B"} {
		require.NoError(t, w.Add(&pricing.Result{TradeID: id, Sens: []pricing.Sensitivity{{RiskFactor: key("SPOT/X"), Value: math.MaxFloat64}}}))
	}
	err = w.Commit(fixtureManifest())
	require.ErrorIs(t, err, errNonFinite)
	assert.Contains(t, err.Error(), "SPOT/X")
	assert.Contains(t, err.Error(), `largest terms: trade "A" 1.7976931348623157e+308, trade "B" 1.7976931348623157e+308`)
	assert.Empty(t, dirNames(t, dir))
	assert.NoError(t, w.Abort())
}

func TestWriterAtomicity(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "out")
	w, err := NewWriter(dir, WriterSettings{Validation: true})
	require.NoError(t, err)
	for _, r := range fixture() {
		require.NoError(t, w.Add(r))
	}
	names := dirNames(t, dir)
	assert.Len(t, names, 5, "one temporary file per output file")
	for _, n := range names {
		assert.True(t, strings.HasPrefix(n, "."), "%s is not hidden", n)
		assert.Contains(t, n, ".tmp-")
	}
	for _, final := range []string{ResultsFile, SensitivitiesFile, RiskFile, ValidationFile, ManifestFile} {
		assert.NoFileExists(t, filepath.Join(dir, final), "visible before Commit")
	}

	require.NoError(t, w.Abort())
	assert.Empty(t, dirNames(t, dir), "Abort leaves nothing")
	assert.NoError(t, w.Abort(), "Abort twice")
	assert.Error(t, w.Add(fixture()[0]), "Add after Abort")
	assert.Error(t, w.Commit(fixtureManifest()), "Commit after Abort")
}

func TestWriterCommitOnce(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir, WriterSettings{})
	require.NoError(t, err)
	require.NoError(t, w.Add(fixture()[0]))
	require.NoError(t, w.Commit(fixtureManifest()))
	assert.Error(t, w.Commit(fixtureManifest()), "Commit twice")
	assert.Error(t, w.Add(fixture()[0]), "Add after Commit")
	assert.NoError(t, w.Abort(), "Abort after Commit does nothing")
	assert.Equal(t, []string{ManifestFile, ResultsFile, RiskFile, SensitivitiesFile}, dirNames(t, dir))
}

// A manifest that a merge could not use is refused before anything is
// written, and the writer can still commit.
func TestWriterBadManifest(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir, WriterSettings{})
	require.NoError(t, err)
	defer w.Abort()
	require.NoError(t, w.Add(fixture()[0]))
	for _, edit := range []func(m *Manifest){
		func(m *Manifest) { m.AsOf = "02/01/2025" },
		func(m *Manifest) { m.Shard = "3/2" },
		func(m *Manifest) { m.Shard = "0/2" },
		func(m *Manifest) { m.Shard = "1" },
		func(m *Manifest) { m.Inputs[0].SHA256 = "abc" },
	} {
		m := fixtureManifest()
		edit(m)
		assert.Error(t, w.Commit(m), "%+v", m)
	}
	assert.Error(t, w.Commit(nil))
	for _, final := range []string{ResultsFile, ManifestFile} {
		assert.NoFileExists(t, filepath.Join(dir, final))
	}
	require.NoError(t, w.Commit(fixtureManifest()))
	assert.FileExists(t, filepath.Join(dir, ResultsFile))
}

// A new run replaces the files of an earlier one; its manifest says which
// files are its own.
func TestWriterReplacesEarlierRun(t *testing.T) {
	dir := t.TempDir()
	writeRun(t, dir, WriterSettings{Validation: true}, fixture(), []pricing.Validation{{TradeID: "T1", RiskFactor: "SPOT/ACME", Check: pricing.CheckBump, OK: true}})
	writeRun(t, dir, WriterSettings{}, fixture()[:1], nil)
	assert.Equal(t, resultsHeader+"T1,european,analytic,ok,10.45,,0.5,0.02,37.5,53.25,-63.75,-6.5,-0.375,12.5,,,,,,,,,\n", readOut(t, dir, ResultsFile))
	var m Manifest
	require.NoError(t, json.Unmarshal([]byte(readOut(t, dir, ManifestFile)), &m))
	assert.Equal(t, []string{ResultsFile, SensitivitiesFile, RiskFile}, m.Files)
	assert.Equal(t, 1, m.TradesOK)
	assert.Equal(t, 0, m.TradesFailed)
}

func TestWriterInputOrder(t *testing.T) {
	w, err := NewWriter(t.TempDir(), WriterSettings{})
	require.NoError(t, err)
	defer w.Abort()
	require.NoError(t, w.Add(&pricing.Result{TradeID: "A", Line: 5}))
	require.NoError(t, w.Add(&pricing.Result{TradeID: "code", Line: 0}), "a trade built in code has no line")
	assert.Error(t, w.Add(&pricing.Result{TradeID: "B", Line: 4}))
	assert.Error(t, w.Add(&pricing.Result{TradeID: "B", Line: 5}))
	require.NoError(t, w.Add(&pricing.Result{TradeID: "C", Line: 6}))
	assert.Error(t, w.Add(nil))
	ok, failed := w.Counts()
	assert.Equal(t, 3, ok)
	assert.Equal(t, 0, failed)
}

func TestWriterValidationOption(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir, WriterSettings{})
	require.NoError(t, err)
	defer w.Abort()
	assert.Error(t, w.AddValidation([]pricing.Validation{{TradeID: "T1", RiskFactor: "SPOT/ACME"}}))
	require.NoError(t, w.Commit(fixtureManifest()))
	assert.NoFileExists(t, filepath.Join(dir, ValidationFile))
	// An empty run still writes every file, with its header.
	assert.Equal(t, resultsHeader, readOut(t, dir, ResultsFile))
	assert.Equal(t, sensitivitiesHeader, readOut(t, dir, SensitivitiesFile))
	assert.Equal(t, riskHeader, readOut(t, dir, RiskFile))
}

func TestNewWriterError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o666))
	_, err := NewWriter(filepath.Join(file, "out"), WriterSettings{})
	assert.Error(t, err, "the directory cannot be made under a file")
}

// A run much larger than the buffers streams to disk in order.
func TestWriterStreams(t *testing.T) {
	dir := t.TempDir()
	rs := benchResults(2000, 20, 30, false)
	w, err := NewWriter(dir, WriterSettings{})
	require.NoError(t, err)
	defer w.Abort()
	const n = 20_000
	for i := range n {
		r := *rs[i%len(rs)]
		r.TradeID = "T" + strconv.Itoa(i)
		require.NoError(t, w.Add(&r))
	}
	require.NoError(t, w.Commit(fixtureManifest()))

	results := strings.Split(readOut(t, dir, ResultsFile), "\n")
	require.Len(t, results, n+2) // header, n rows, "" after the last LF
	sens := strings.Split(readOut(t, dir, SensitivitiesFile), "\n")
	require.Len(t, sens, n*30+2)
	for i := range n {
		id := "T" + strconv.Itoa(i) + ","
		require.True(t, strings.HasPrefix(results[i+1], id), "row %d: %s", i, results[i+1])
		require.True(t, strings.HasPrefix(sens[1+30*i], id), "sensitivity row %d: %s", 30*i, sens[1+30*i])
	}
}

func TestNewWriterRemovesStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".results.csv.tmp-killed")
	require.NoError(t, os.WriteFile(stale, []byte("half a row"), 0o644))
	other := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(other, []byte("keep"), 0o644))
	w, err := NewWriter(dir, WriterSettings{})
	require.NoError(t, err)
	defer w.Abort()
	_, err = os.Stat(stale)
	assert.True(t, os.IsNotExist(err), "a killed run's temporary file must go")
	_, err = os.Stat(other)
	assert.NoError(t, err, "other files stay")
}

// A sensitivity without a risk factor is refused, as a NaN is: its row
// would have a blank key, which no reader reads back.
func TestWriterRefusesNoRiskFactor(t *testing.T) {
	w, err := NewWriter(t.TempDir(), WriterSettings{})
	require.NoError(t, err)
	defer w.Abort()
	err = w.Add(&pricing.Result{TradeID: "T", Sens: []pricing.Sensitivity{{Value: 1}}})
	assert.ErrorContains(t, err, `trade "T": sensitivity 0 has no risk factor`)
	ok, failed := w.Counts()
	assert.Zero(t, ok+failed)
}

// TestAtomicFileRemovesOnlyStaleTemporaries: CreateAtomic removes the
// temporary files of its path that no live AtomicFile holds (a run killed
// before it cleaned up), and leaves a live one's alone.
func TestAtomicFileRemovesOnlyStaleTemporaries(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no locks here: nothing is removed")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	stale := filepath.Join(dir, ".report.html.tmp-stale")
	require.NoError(t, os.WriteFile(stale, []byte("half"), 0o644))
	live, err := CreateAtomic(path)
	require.NoError(t, err)
	_, err = os.Stat(stale)
	assert.True(t, os.IsNotExist(err), "the stale temporary file is still there")
	second, err := CreateAtomic(path)
	require.NoError(t, err)
	_, err = os.Stat(live.t.name)
	assert.NoError(t, err, "a live temporary file was removed")
	_, err = live.Write([]byte("first"))
	require.NoError(t, err)
	require.NoError(t, live.Commit())
	require.NoError(t, second.Abort())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "first", string(b))
}
