package reports

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/pricing"
)

// A Sink gives each output what feeding it directly gives: the same files
// as Writer.Add, the same report and summary, and the counts of both.
func TestSinkFansOut(t *testing.T) {
	rs := fixture()
	valid := []pricing.Validation{
		{TradeID: rs[0].TradeID, RiskFactor: "SPOT/ACME", Check: pricing.CheckBump, AAD: 0.5, Bump: 0.5, Tolerance: 1e-6, OK: true},
		{TradeID: rs[0].TradeID, RiskFactor: "RATE/USD/1Y", Check: pricing.CheckBump, AAD: 53.25, Bump: 54, AbsDiff: 0.75, RelDiff: 0.014, Tolerance: 1e-6},
	}
	direct := t.TempDir()
	writeRun(t, direct, WriterSettings{Validation: true}, rs, valid)
	wantReport, wantSummary := NewReport(ReportSettings{}), NewSummary(10)

	w, err := NewWriter(t.TempDir(), WriterSettings{Validation: true})
	require.NoError(t, err)
	defer w.Abort()
	report := NewReport(ReportSettings{})
	sink := NewSink(w, report, nil)
	summary := NewSummary(10)
	onlySummary := NewSink(nil, nil, summary)
	for i, r := range rs {
		var v []pricing.Validation
		if i == 0 {
			v = valid
		}
		p := pricing.Priced{Result: r, Validation: v}
		f := sink.Format(r)
		if i == 1 {
			f = Formatted{} // Add formats what was not formatted
		}
		require.NoError(t, sink.Add(p, f))
		require.NoError(t, onlySummary.Add(p, onlySummary.Format(r)))
		require.NoError(t, wantReport.Add(r))
		require.NoError(t, wantReport.AddValidation(v))
		require.NoError(t, wantSummary.Add(r))
	}
	m := fixtureManifest()
	require.NoError(t, w.Commit(m))
	for _, name := range []string{ResultsFile, SensitivitiesFile, RiskFile, ValidationFile} {
		assert.Equal(t, readOut(t, direct, name), readOut(t, w.dir, name), name)
	}

	var got, want bytes.Buffer
	require.NoError(t, report.Write(&got, m))
	require.NoError(t, wantReport.Write(&want, m))
	assert.Equal(t, want.String(), got.String())
	got.Reset()
	want.Reset()
	require.NoError(t, summary.Write(&got))
	require.NoError(t, wantSummary.Write(&want))
	assert.Equal(t, want.String(), got.String())

	ok, failed := w.Counts()
	assert.Equal(t, Counts{OK: ok, Failed: failed, Figures: 2, FiguresFailed: 1}, sink.Counts())
	assert.Equal(t, Counts{OK: ok, Failed: failed, Figures: 2, FiguresFailed: 1}, onlySummary.Counts())
}

// The currency a trade's sensitivities are summed in is the Result's when
// it is added, which a result read back from results.csv gets after Format.
func TestSinkCurrencyAtAdd(t *testing.T) {
	r := *fixture()[0]
	w, err := NewWriter(t.TempDir(), WriterSettings{})
	require.NoError(t, err)
	defer w.Abort()
	sink := NewSink(w, nil, nil)
	r.Currency = ""
	f := sink.Format(&r)
	r.Currency = "EUR"
	require.NoError(t, sink.Add(pricing.Priced{Result: &r}, f))
	require.NoError(t, w.Commit(fixtureManifest()))
	assert.Contains(t, readOut(t, w.dir, RiskFile), "SPOT/ACME,EUR,0.5\n")
}

// Skip counts and writes nothing; a figure that cannot be written is
// Add's error, for that trade only.
func TestSinkSkipAndFormatError(t *testing.T) {
	w, err := NewWriter(t.TempDir(), WriterSettings{})
	require.NoError(t, err)
	defer w.Abort()
	sink := NewSink(w, nil, nil)
	rs := fixture()
	sink.Skip(pricing.Priced{Result: rs[0]}, sink.Format(rs[0]))
	sink.Skip(pricing.Priced{Result: &pricing.Result{TradeID: "X", Err: errors.New("no market")}}, Formatted{})
	assert.Equal(t, Counts{OK: 1, Failed: 1}, sink.Counts())
	ok, failed := w.Counts()
	assert.Equal(t, [2]int{0, 0}, [2]int{ok, failed}, "skipped trades are not written")

	bad := *rs[0]
	bad.PV = math.NaN()
	err = sink.Add(pricing.Priced{Result: &bad}, sink.Format(&bad))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pv")
	require.NoError(t, sink.Add(pricing.Priced{Result: rs[0]}, sink.Format(rs[0])))
	ok, _ = w.Counts()
	assert.Equal(t, 1, ok)
}
