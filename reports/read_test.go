package reports

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
	"github.com/aadrisk/aadrisk/pricing"
)

// readFixture is fixture() with more of what the readers must give back
// exactly: text that is quoted, neutralised or both, a message with a CRLF
// and an empty one, subnormal and extreme figures.
func readFixture() []*pricing.Result {
	rs := fixture()
	rs = append(rs,
		&pricing.Result{TradeID: "'quoted'", Instrument: "european", Engine: "analytic", Line: 9,
			PV: math.SmallestNonzeroFloat64, Delta: -math.MaxFloat64, Gamma: 1e-300, HasDelta: true,
			Vega: math.Nextafter(0.3, 1), Rho: -1e21, DivRho: 1, Theta: -5e-324,
			Vanna: math.MaxFloat64, Volga: -math.SmallestNonzeroFloat64,
			Sens: []pricing.Sensitivity{{RiskFactor: key("SPOT/ACME"), Value: -math.SmallestNonzeroFloat64}}},
		&pricing.Result{TradeID: "Q,1\r\nsecond \"line\"", Instrument: " european", Engine: "analytic", Line: 10,
			Err: errors.New("+ not a number,\n\"really\"")},
		&pricing.Result{TradeID: "@x", Instrument: "\tdigital", Engine: "\rmc", Line: 12, Err: errors.New("")},
		&pricing.Result{TradeID: "\xff\xfeinvalid", Instrument: "=HYPERLINK(\"x\")", Engine: "", Line: 13,
			Err: errors.New("'apostrophe first")},
		&pricing.Result{TradeID: "MC2", Instrument: "basket", Engine: "mc", Line: 14,
			PV: 1, StdError: 0, HasStdError: true, Vega: 0, Rho: 0, DivRho: 0, Theta: 0,
			Volga: 1e-3, VolgaStdError: 2.5e-4,
			Sens: []pricing.Sensitivity{
				{RiskFactor: key("HESTON/ACME/Kappa"), Value: 2, StdError: 0.5, HasStdError: true},
				{RiskFactor: key("CORR/A|B, with a comma"), Value: 3},
			}},
	)
	return rs
}

var readValidation = []pricing.Validation{
	{TradeID: "T1", RiskFactor: "SPOT/ACME", Check: pricing.CheckBump, AAD: 0.5, Bump: 0.5000001, AbsDiff: 1e-7, RelDiff: 2e-7, Tolerance: 1e-6, OK: true},
	{TradeID: "T1", RiskFactor: "VOL/ACME/1Y/100", Check: pricing.CheckBump, AAD: 37.5, Bump: 37, AbsDiff: 0.5, RelDiff: 0.5 / 37.5, Tolerance: 1e-3},
	{TradeID: "=1+1", RiskFactor: "+SPOT", Check: pricing.CheckSameRN, AAD: -0.5, Bump: -0.5, Tolerance: 1e-9, OK: true},
	{TradeID: "=1+1", RiskFactor: "THETA", Check: pricing.CheckRevaluation, AAD: -0.5, Bump: -0.25, AbsDiff: 0.25, RelDiff: 0.5, Tolerance: 1, StdError: 0.125, Z: -2, HasStdError: true, OK: true},
}

// canonical is what a Result is once written and read back: no line and
// no currency (results.csv has neither), no negative zero, an error
// reduced to its text.
func canonical(r *pricing.Result) pricing.Result {
	c := *r
	c.Line, c.Currency = 0, ""
	if c.Err != nil {
		c = pricing.Result{TradeID: c.TradeID, Instrument: c.Instrument, Engine: c.Engine, Err: errors.New(c.Err.Error())}
	}
	pos := func(v float64) float64 { return v + 0 } // -0 + 0 = +0
	c.PV, c.StdError, c.Delta, c.Gamma = pos(c.PV), pos(c.StdError), pos(c.Delta), pos(c.Gamma)
	c.Vega, c.Rho, c.DivRho, c.Theta = pos(c.Vega), pos(c.Rho), pos(c.DivRho), pos(c.Theta)
	c.Vanna, c.Volga = pos(c.Vanna), pos(c.Volga)
	c.Sens = nil
	return c
}

func openReader[T any](t *testing.T, dir, name string, mk func(io.Reader, string) (T, error)) T {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	r, err := mk(f, name)
	require.NoError(t, err)
	return r
}

// TestReadersRoundTrip writes a run with a Writer, reads every file back,
// checks the values, and writes what was read with a second Writer: the
// files must be the same, byte for byte.
func TestReadersRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rs := readFixture()
	writeRun(t, dir, WriterSettings{Validation: true}, rs, readValidation)

	// Results and sensitivities, merged back into Results.
	rr := openReader(t, dir, ResultsFile, NewResultsReader)
	sr := openReader(t, dir, SensitivitiesFile, NewSensitivitiesReader)
	var back []*pricing.Result
	var sens []SensitivityRow
	for {
		var row SensitivityRow
		err := sr.Next(&row)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		sens = append(sens, row)
	}
	for i := 0; ; i++ {
		var r pricing.Result
		err := rr.Next(&r)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		require.Less(t, i, len(rs))
		want := canonical(rs[i])
		got := r
		got.Sens = nil
		if want.Err != nil {
			require.Error(t, got.Err)
			assert.Equal(t, want.Err.Error(), got.Err.Error(), "row %d", i)
			want.Err, got.Err = nil, nil
		}
		assert.Equal(t, want, got, "row %d", i)
		if r.Err == nil {
			for len(sens) > 0 && sens[0].TradeID == r.TradeID {
				r.Sens = append(r.Sens, sens[0].Sensitivity)
				sens = sens[1:]
			}
			require.Len(t, r.Sens, len(rs[i].Sens), "sensitivities of %q", r.TradeID)
			for j, s := range r.Sens {
				w := rs[i].Sens[j]
				w.Value += 0
				w.Quote = -1 // a file has no market
				assert.Equal(t, w, s)
			}
		}
		back = append(back, &r)
	}
	assert.Len(t, back, len(rs))
	assert.Empty(t, sens, "every sensitivity belongs to a trade")

	// Validation.
	vr := openReader(t, dir, ValidationFile, NewValidationReader)
	var vs []pricing.Validation
	for {
		var v pricing.Validation
		err := vr.Next(&v)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		vs = append(vs, v)
	}
	assert.Equal(t, readValidation, vs)

	// Risk.
	rk := openReader(t, dir, RiskFile, func(r io.Reader, file string) (*RiskReader, error) {
		return NewRiskReader(r, file, fixtureAsOf(t))
	})
	n := 0
	for {
		var row RiskRow
		err := rk.Next(&row)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		assert.Equal(t, n+2, rk.Line())
		n++
	}
	assert.Equal(t, strings.Count(readOut(t, dir, RiskFile), "\n")-1, n)

	// Manifest.
	m, err := ReadManifestFile(filepath.Join(dir, ManifestFile))
	require.NoError(t, err)
	want := fixtureManifest()
	want.TradesOK, want.TradesFailed = 6, 5
	want.Files = []string{ResultsFile, SensitivitiesFile, RiskFile, ValidationFile}
	nSens := 0
	for _, r := range rs {
		if r.Err == nil {
			nSens += len(r.Sens)
		}
	}
	for name, rows := range map[string]int{ResultsFile: len(rs), SensitivitiesFile: nSens, RiskFile: n, ValidationFile: len(readValidation)} {
		data := readOut(t, dir, name)
		want.Outputs = append(want.Outputs, OutputFile{Name: name, Rows: rows, Bytes: int64(len(data)),
			CRC32C: fmt.Sprintf("%08x", crc32.Checksum([]byte(data), crc32.MakeTable(crc32.Castagnoli)))})
		// ChecksumReader gives the same.
		f, err := os.Open(filepath.Join(dir, name))
		require.NoError(t, err)
		cr := NewChecksumReader(f)
		_, err = io.Copy(io.Discard, cr)
		f.Close()
		require.NoError(t, err)
		o, ok := m.Output(name)
		require.True(t, ok, name)
		assert.Equal(t, o.CRC32C, cr.CRC32C(), name)
		assert.Equal(t, o.Bytes, cr.N(), name)
	}
	slices.SortFunc(want.Outputs, func(a, b OutputFile) int { return slices.Index(want.Files, a.Name) - slices.Index(want.Files, b.Name) })
	assert.Equal(t, want, m)
	_, ok := m.Output(ManifestFile)
	assert.False(t, ok)

	// Written again.
	again := t.TempDir()
	for i, r := range back {
		// results.csv has no currency: merge takes it from the portfolio.
		r.Line, r.Currency = rs[i].Line, rs[i].Currency
		r.Sens = nil
		for _, s := range rs[i].Sens {
			s.Value += 0
			r.Sens = append(r.Sens, s)
		}
	}
	writeRun(t, again, WriterSettings{Validation: true}, back, vs)
	for _, name := range []string{ResultsFile, SensitivitiesFile, RiskFile, ValidationFile, ManifestFile} {
		assert.Equal(t, readOut(t, dir, name), readOut(t, again, name), name)
	}
}

// TestReadersOneByteAtATime reads through a reader that returns one byte
// per call, so that every line crosses buffer boundaries.
func TestReadersOneByteAtATime(t *testing.T) {
	dir := t.TempDir()
	writeRun(t, dir, WriterSettings{}, readFixture(), nil)
	f, err := os.Open(filepath.Join(dir, ResultsFile))
	require.NoError(t, err)
	defer f.Close()
	rr, err := NewResultsReader(iotest.OneByteReader(f), ResultsFile)
	require.NoError(t, err)
	n := 0
	var r pricing.Result
	for ; ; n++ {
		err := rr.Next(&r)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	assert.Equal(t, len(readFixture()), n)
}

func TestReadersLongLine(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", 3*readBufSize+17)
	r := &pricing.Result{TradeID: "L", Instrument: "european", Engine: "analytic", Err: errors.New(long + ",\n" + long)}
	writeRun(t, dir, WriterSettings{}, []*pricing.Result{r, {TradeID: "after", Err: errors.New("e")}}, nil)
	rr := openReader(t, dir, ResultsFile, NewResultsReader)
	var got pricing.Result
	require.NoError(t, rr.Next(&got))
	assert.Equal(t, r.Err.Error(), got.Err.Error())
	assert.Equal(t, 2, rr.Line())
	require.NoError(t, rr.Next(&got))
	assert.Equal(t, "after", got.TradeID)
	assert.Equal(t, 4, rr.Line(), "the quoted message spans lines 2 and 3")
	assert.Equal(t, io.EOF, rr.Next(&got))
}

// TestReadersRefuse feeds each reader what a Writer never writes; each must
// be refused with the file, line and column.
func TestReadersRefuse(t *testing.T) {
	const ok = "T1,european,analytic,ok,1,,0.5,0.1,2,3,4,5,0.25,0.75,,,,,,,,,\n"
	for _, c := range []struct {
		name, data, want string
	}{
		{"empty", "", "results.csv: empty file"},
		{"other header", "trade_id,pv\n", "results.csv:1:10: header"},
		{"header CRLF", strings.TrimSuffix(resultsHeader, "\n") + "\r\n", fmt.Sprintf("results.csv:1:%d: header", len(resultsHeader))},
		{"old header without vanna and volga", "trade_id,instrument,engine,status,pv,std_error,delta,gamma,vega,rho,div_rho,theta," +
			"delta_std_error,gamma_std_error,vega_std_error,rho_std_error,div_rho_std_error,theta_std_error,error\n", "results.csv:1:83: header"},
		{"truncated", resultsHeader + strings.TrimSuffix(ok, "\n"), "results.csv:2: the file ends in the middle of a line"},
		{"few fields", resultsHeader + "T1,european\n", "results.csv:2: 2 fields, want 23"},
		{"many fields", resultsHeader + strings.TrimSuffix(ok, "\n") + ",x\n", "results.csv:2:63: more than 23 fields"},
		{"old row without vanna and volga", resultsHeader + "T1,european,analytic,ok,1,,0.5,0.1,2,3,4,5,,,,,,,\n", "results.csv:2: 19 fields, want 23"},
		{"bad status", resultsHeader + "T1,european,analytic,fine,1,,,,2,3,4,5,,0.75,,,,,,,,,\n", `results.csv:2:22: status: want "ok" or "error", got "fine"`},
		{"number with a plus", resultsHeader + "T1,european,analytic,ok,+1,,,,2,3,4,5,,0.75,,,,,,,,,\n", "results.csv:2:25: pv: want a finite number"},
		{"non-canonical number", resultsHeader + "T1,european,analytic,ok,1.0,,,,2,3,4,5,,0.75,,,,,,,,,\n", "results.csv:2:25: pv"},
		{"negative zero", resultsHeader + "T1,european,analytic,ok,-0,,,,2,3,4,5,,0.75,,,,,,,,,\n", "results.csv:2:25: pv"},
		{"NaN", resultsHeader + "T1,european,analytic,ok,NaN,,,,2,3,4,5,,0.75,,,,,,,,,\n", "results.csv:2:25: pv"},
		{"Inf", resultsHeader + "T1,european,analytic,ok,1,,Inf,0,2,3,4,5,0.25,0.75,,,,,,,,,\n", "results.csv:2:28: delta"},
		{"quoted number", resultsHeader + "T1,european,analytic,ok,\"1\",,,,2,3,4,5,,0.75,,,,,,,,,\n", "results.csv:2:25: pv"},
		{"blank pv", resultsHeader + "T1,european,analytic,ok,,,,,2,3,4,5,,0.75,,,,,,,,,\n", "pv: want a number, got a blank cell"},
		{"MC row without the Greeks' standard errors", resultsHeader + "T1,european,mc,ok,1,0.1,0.5,0.1,2,3,4,5,0.25,0.75,,,,,,,,,\n", "results.csv:2:51: delta_std_error: want a number, got a blank cell"},
		{"analytic row with a standard error", resultsHeader + "T1,european,analytic,ok,1,,0.5,0.1,2,3,4,5,0.25,0.75,,,0.1,,,,,,\n", "vega_std_error: want a blank cell where std_error is blank"},
		{"basket with a delta standard error", resultsHeader + "T1,basket,mc,ok,1,0.1,,,2,3,4,5,,0.75,0.1,,0.1,0.1,0.1,0.1,,0.1,\n", "delta_std_error: want a blank cell where delta is blank"},
		{"bad standard error", resultsHeader + "T1,european,mc,ok,1,0.1,0.5,0.1,2,3,4,5,0.25,0.75,0.1,x,0.1,0.1,0.1,0.1,0.1,0.1,\n", "results.csv:2:55: gamma_std_error"},
		{"delta without gamma", resultsHeader + "T1,european,analytic,ok,1,,0.5,,2,3,4,5,0.25,0.75,,,,,,,,,\n", "gamma: delta and gamma"},
		{"vanna without delta", resultsHeader + "T1,european,analytic,ok,1,,,,2,3,4,5,0.25,0.75,,,,,,,,,\n", "results.csv:2:38: vanna: delta and vanna are both given or both blank"},
		{"delta without vanna", resultsHeader + "T1,european,analytic,ok,1,,0.5,0.1,2,3,4,5,,0.75,,,,,,,,,\n", "results.csv:2:44: vanna: delta and vanna are both given or both blank"},
		{"bad vanna", resultsHeader + "T1,european,analytic,ok,1,,0.5,0.1,2,3,4,5,1e+00,0.75,,,,,,,,,\n", "results.csv:2:44: vanna: want a finite number"},
		{"blank volga", resultsHeader + "T1,european,analytic,ok,1,,0.5,0.1,2,3,4,5,0.25,,,,,,,,,,\n", "results.csv:2:49: volga: want a number, got a blank cell"},
		{"volga NaN", resultsHeader + "T1,basket,mc,ok,1,0.1,,,2,3,4,5,,NaN,,,0.1,0.1,0.1,0.1,,0.1,\n", "results.csv:2:34: volga: want a finite number"},
		{"analytic row with a vanna standard error", resultsHeader + "T1,european,analytic,ok,1,,0.5,0.1,2,3,4,5,0.25,0.75,,,,,,,0.1,,\n", "results.csv:2:60: vanna_std_error: want a blank cell where std_error is blank"},
		{"analytic row with a volga standard error", resultsHeader + "T1,european,analytic,ok,1,,0.5,0.1,2,3,4,5,0.25,0.75,,,,,,,,0.1,\n", "results.csv:2:61: volga_std_error: want a blank cell where std_error is blank"},
		{"basket with a vanna standard error", resultsHeader + "T1,basket,mc,ok,1,0.1,,,2,3,4,5,,0.75,,,0.1,0.1,0.1,0.1,0.1,0.1,\n", "vanna_std_error: want a blank cell where delta is blank"},
		{"MC row without the vanna standard error", resultsHeader + "T1,european,mc,ok,1,0.1,0.5,0.1,2,3,4,5,0.25,0.75,0.1,0.1,0.1,0.1,0.1,0.1,,0.1,\n", "results.csv:2:75: vanna_std_error: want a number, got a blank cell"},
		{"MC row without the volga standard error", resultsHeader + "T1,basket,mc,ok,1,0.1,,,2,3,4,5,,0.75,,,0.1,0.1,0.1,0.1,,,\n", "volga_std_error: want a number, got a blank cell"},
		{"ok row with a message", resultsHeader + "T1,european,analytic,ok,1,,,,2,3,4,5,,0.75,,,,,,,,,oops\n", "error: want a blank cell in an ok row"},
		{"error row with figures", resultsHeader + "T1,european,analytic,error,1,,,,,,,,,,,,,,,,,,oops\n", "results.csv:2:28: pv: want a blank cell in an error row"},
		{"error row with a volga", resultsHeader + "T1,european,analytic,error,,,,,,,,,,0.75,,,,,,,,,oops\n", "results.csv:2:37: volga: want a blank cell in an error row"},
		{"error row with a volga standard error", resultsHeader + "T1,european,mc,error,,,,,,,,,,,,,,,,,,0.1,oops\n", "results.csv:2:39: volga_std_error: want a blank cell in an error row"},
		{"formula not neutralised", resultsHeader + "=T1,european,analytic,error,,,,,,,,,,,,,,,,,,,x\n", "results.csv:2:1: trade_id: text beginning with \"=\" is not neutralised"},
		{"apostrophe not needed", resultsHeader + "'T1,european,analytic,error,,,,,,,,,,,,,,,,,,,x\n", "trade_id: a leading apostrophe"},
		{"lone apostrophe", resultsHeader + "',european,analytic,error,,,,,,,,,,,,,,,,,,,x\n", "trade_id: a leading apostrophe"},
		{"quotes not needed", resultsHeader + "\"T1\",european,analytic,error,,,,,,,,,,,,,,,,,,,x\n", "trade_id: quoted, but aadrisk does not quote"},
		{"leading space unquoted", resultsHeader + " T1,european,analytic,error,,,,,,,,,,,,,,,,,,,x\n", "trade_id: \" T1\" must be quoted"},
		{"bare quote", resultsHeader + "T\"1,european,analytic,error,,,,,,,,,,,,,,,,,,,x\n", "results.csv:2:2: '\"' in an unquoted field"},
		{"bare CR", resultsHeader + "T1,european,analytic,error,,,,,,,,,,,,,,,,,,,x\r\n", "results.csv:2:47: '\\r' in an unquoted field"},
		{"unclosed quote", resultsHeader + "\"T1,european\n", "results.csv:2:1: quoted field not closed"},
		{"text after a quote", resultsHeader + "\"T,1\"x,european,analytic,error,,,,,,,,,,,,,,,,,,,x\n", "results.csv:2:6: want a comma"},
	} {
		_, err := readAllResults(strings.NewReader(c.data))
		require.Error(t, err, c.name)
		assert.Contains(t, err.Error(), c.want, c.name)
		var re *strictcsv.Error
		assert.True(t, errors.As(err, &re), "%s: a *strictcsv.Error", c.name)
	}

	// Sensitivities and validation.
	sr, err := NewSensitivitiesReader(strings.NewReader(sensitivitiesHeader+"T1,SPOT/ACME,1e-07,\nT1,SPOT/B,0.1000,\nT1,'-odd factor,1,\n"), SensitivitiesFile)
	require.NoError(t, err)
	var row SensitivityRow
	require.NoError(t, sr.Next(&row))
	assert.Equal(t, SensitivityRow{"T1", pricing.Sensitivity{Quote: -1, RiskFactor: key("SPOT/ACME"), Value: 1e-7}}, row)
	assert.ErrorContains(t, sr.Next(&row), "sensitivities.csv:3:11: sensitivity: want a finite number")
	assert.ErrorContains(t, sr.Next(&row), `sensitivities.csv:4:4: risk_factor: risk factor "-odd factor": want TYPE/name`)

	for _, c := range []struct{ row, want string }{
		{"T1,SPOT,bump,1,1,0,0,1e-09,,,pass\n", `validation.csv:2:30: status: want "ok" or "fail", got "pass"`},
		{"T1,SPOT,exact,1,1,0,0,1e-09,,,ok\n", `validation.csv:2:9: check: want "bump", "same-rn" or "revaluation", got "exact"`},
		{"T1,SPOT,same-rn,1,1,0,0,1e-09,0.1,,ok\n", `validation.csv:2:31: std_error: want a blank cell in a same-rn row`},
		{"T1,SPOT,revaluation,1,1,0,0,1e-09,,,ok\n", `validation.csv:2:35: std_error: want a number, got a blank cell`},
		{"T1,SPOT,revaluation,1,1,0,0,1e-09,0.5,x,ok\n", `validation.csv:2:39: z: want a finite number`},
	} {
		vr, err := NewValidationReader(strings.NewReader(validationHeader+c.row), ValidationFile)
		require.NoError(t, err)
		var v pricing.Validation
		assert.ErrorContains(t, vr.Next(&v), c.want)
	}
}

// fixtureAsOf is the as-of date of fixtureManifest.
func fixtureAsOf(t *testing.T) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, fixtureManifest().AsOf)
	require.NoError(t, err)
	return d
}

// TestRiskReaderRefuses checks that the risk.csv of an earlier version
// (no currency column) and rows out of risk.csv's order are refused with
// the file, line and column.
func TestRiskReaderRefuses(t *testing.T) {
	asof := fixtureAsOf(t)
	_, err := NewRiskReader(strings.NewReader("risk_factor,sensitivity\nSPOT/ACME,1\n"), "shard/risk.csv", asof)
	var re *strictcsv.Error
	require.ErrorAs(t, err, &re)
	assert.Equal(t, strictcsv.Error{File: "shard/risk.csv", Line: 1, Column: 13, Msg: re.Msg}, *re)
	assert.ErrorContains(t, err, `shard/risk.csv:1:13: the risk.csv of an earlier aadrisk, which added up sensitivities in different currencies`)
	assert.ErrorContains(t, err, `want "risk_factor,currency,sensitivity"`)
	_, err = NewRiskReader(strings.NewReader("risk_factor,ccy,sensitivity\n"), RiskFile, asof)
	assert.ErrorContains(t, err, `risk.csv:1:14: header "risk_factor,ccy,sensitivity": want "risk_factor,currency,sensitivity"`)

	for _, c := range []struct{ rows, want string }{
		{"RATE/USD/1Y,USD,1\nRATE/USD/6M,USD,2\n", "risk.csv:3:1: RATE/USD/6M, USD: out of order"},
		{"SPOT/A,USD,1\nSPOT/A,EUR,2\n", "risk.csv:3:1: SPOT/A, EUR: out of order"},
		{"SPOT/A,EUR,1\nSPOT/A,EUR,2\n", "risk.csv:3:1: SPOT/A, EUR: repeated"},
		{"RATE/USD/2024-12-31,USD,1\nSPOT/A,USD,2\n", "risk.csv:3:1: SPOT/A, USD: out of order"},
		{"odd,USD,1\n", `risk.csv:2:1: risk_factor: risk factor "odd": want TYPE/name`},
		{"SPOT/A,=USD,1\n", `risk.csv:2:8: currency: text beginning with "=" is not neutralised`},
		{"SPOT/A,USD,1.50\n", "risk.csv:2:12: sensitivity: want a finite number"},
		{"SPOT/A,1\n", "risk.csv:2: 2 fields, want 3 (risk_factor,currency,sensitivity)"},
	} {
		rr, err := NewRiskReader(strings.NewReader(riskHeader+c.rows), RiskFile, asof)
		require.NoError(t, err)
		var row RiskRow
		for err == nil {
			err = rr.Next(&row)
		}
		assert.ErrorContains(t, err, c.want, c.rows)
		assert.ErrorAs(t, err, &re, c.rows)
	}
	// In order: the ladder, then the currencies.
	rr, err := NewRiskReader(strings.NewReader(riskHeader+"SPOT/A,EUR,1\nSPOT/A,USD,2\nRATE/USD/6M,USD,3\nRATE/USD/1Y,USD,4\nRATE/USD/2024-12-31,,5\n"), RiskFile, asof)
	require.NoError(t, err)
	var got []RiskRow
	for {
		var row RiskRow
		err := rr.Next(&row)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, row)
	}
	assert.Equal(t, []RiskRow{{key("SPOT/A"), "EUR", 1}, {key("SPOT/A"), "USD", 2}, {key("RATE/USD/6M"), "USD", 3}, {key("RATE/USD/1Y"), "USD", 4},
		{key("RATE/USD/2024-12-31"), "", 5}}, got)
}

func readAllResults(r io.Reader) ([]pricing.Result, error) {
	rr, err := NewResultsReader(r, ResultsFile)
	if err != nil {
		return nil, err
	}
	var out []pricing.Result
	for {
		var res pricing.Result
		err := rr.Next(&res)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
}

func TestReadersIOError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader(resultsHeader+"T1,eu"), iotest.ErrReader(boom))
	_, err := readAllResults(r)
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "results.csv:2: boom")
}

func TestReadManifestRefuses(t *testing.T) {
	m := fixtureManifest()
	good, err := m.marshal()
	require.NoError(t, err)
	_, err = ReadManifest(strings.NewReader(string(good)), "m.json")
	require.NoError(t, err)
	for _, c := range []struct {
		name, data, want string
	}{
		{"empty", "", "m.json: empty or truncated JSON"},
		{"truncated", string(good[:len(good)/2]), "m.json: empty or truncated JSON"},
		{"not JSON", "{\n  \"version\": x\n}", "m.json:2:15: invalid character 'x'"},
		{"wrong type", "{\n  \"seed\": \"one\"\n}", "m.json:2:"},
		{"trailing data", string(good) + "{}", "m.json:29:1: data after"},
		{"no version", strings.Replace(string(good), `"version": "0.1.0"`, `"version": ""`, 1), "no version"},
		{"unknown command", strings.Replace(string(good), `"command": "price"`, `"command": "merge"`, 1), `command "merge"`},
		{"bad shard", strings.Replace(string(good), `"shard": "2/3"`, `"shard": "4/3"`, 1), `shard "4/3"`},
		{"bad as-of", strings.Replace(string(good), `"as_of": "2025-01-02"`, `"as_of": "02/01/2025"`, 1), "as-of"},
		{"bad sha", strings.Replace(string(good), strings.Repeat("ab", 32), "abc", 1), "SHA-256"},
		{"negative count", strings.Replace(string(good), `"trades_ok": 0`, `"trades_ok": -1`, 1), "negative"},
		{"bad crc", strings.Replace(string(good), `"files": null`, `"files": null, "outputs": [{"name": "results.csv", "rows": 1, "bytes": 10, "crc32c": "ABCDEF01"}]`, 1), `output "results.csv"`},
	} {
		_, err := ReadManifest(strings.NewReader(c.data), "m.json")
		if assert.Error(t, err, c.name) {
			assert.Contains(t, err.Error(), c.want, c.name)
		}
	}
	_, err = ReadManifestFile(filepath.Join(t.TempDir(), "nope.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
