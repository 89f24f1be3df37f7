package pricing

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
)

// TestMisspeltColumnStopsTheFile reads files that lack a column some rows
// need while their header has an ignored column like it: the first such
// row stops the reading with one error at that header cell.
func TestMisspeltColumnStopsTheFile(t *testing.T) {
	const base = "trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,"
	tests := []struct {
		name, header, rows string
		good               []string // the trades read before the error
		want               string
	}{
		{"barrier_kind", base + "barrier_kind,barrier,rebate\n",
			"EU-1,european,ACME,USD,call,100,1Y,10,,,\nBA-1,barrier,ACME,USD,call,100,1Y,10,down-out,85,\nBA-2,barrier,ACME,USD,put,100,1Y,10,up-out,120,\n",
			[]string{"EU-1"},
			`portfolio.csv:1:76: column "barrier_kind" is not a portfolio column; did you mean "barrier_type"? (trade "BA-1" on line 3 is a barrier and needs barrier_type)`},
		{"barrier_kind, Monte Carlo", base + "engine,Barrier_Kind,barrier\n",
			"BA-1,barrier,ACME,USD,call,100,1Y,10,mc,down-out,85\n",
			nil,
			`portfolio.csv:1:83: column "Barrier_Kind" is not a portfolio column; did you mean "barrier_type"? (trade "BA-1" on line 2 is a barrier and needs barrier_type)`},
		{"barrier_level", base + "barrier_type,barrier_level\n",
			"BA-1,barrier,ACME,USD,call,100,1Y,10,down-out,85\n",
			nil,
			`portfolio.csv:1:89: column "barrier_level" is not a portfolio column; did you mean "barrier"? (trade "BA-1" on line 2 is a barrier and needs barrier)`},
		{"two edits", base + "barier_tpe,barrier\n",
			"BA-1,barrier,ACME,USD,call,100,1Y,10,down-out,85\n",
			nil,
			`portfolio.csv:1:76: column "barier_tpe" is not a portfolio column; did you mean "barrier_type"? (trade "BA-1" on line 2 is a barrier and needs barrier_type)`},
		{"averaging_method", base + "averaging_method,fixings\n",
			"AS-1,asian,ACME,USD,call,100,1Y,10,geometric,12\n",
			nil,
			`portfolio.csv:1:76: column "averaging_method" is not a portfolio column; did you mean "averaging"? (trade "AS-1" on line 2 is an asian and needs averaging)`},
		{"basket_weights", base + "basket_weights\n",
			"BK-1,basket,ACME|BETA,USD,call,100,1Y,10,0.5|0.5\n",
			nil,
			`portfolio.csv:1:76: column "basket_weights" is not a portfolio column; did you mean "weights"? (trade "BK-1" on line 2 is a basket and needs weights)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := NewPortfolioReader(strings.NewReader(tt.header+tt.rows), "portfolio.csv", asof)
			require.NoError(t, err, "the header alone is fine: no row has needed the column yet")
			var got []string
			for {
				tr, err := pr.Next()
				require.NotEqual(t, io.EOF, err, "the file must not read to its end")
				if tr == nil {
					assert.EqualError(t, err, tt.want)
					assert.ErrorIs(t, err, strictcsv.ErrUnknownColumn)
					tr, again := pr.Next()
					assert.Nil(t, tr)
					assert.Same(t, err, again, "the error is the file's: it repeats")
					break
				}
				require.NoError(t, err, tr.ID)
				got = append(got, tr.ID)
			}
			assert.Equal(t, tt.good, got)

			_, _, err = ReadPortfolio(strings.NewReader(tt.header+tt.rows), "portfolio.csv", asof)
			assert.EqualError(t, err, tt.want)
		})
	}
}

// TestMissingColumnFailsTheRow reads files that lack a column some rows
// need, with nothing like it in the header (or with a look-alike that no
// row needs): those rows fail alone, saying the column is missing.
func TestMissingColumnFailsTheRow(t *testing.T) {
	const base = "trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity"
	tests := []struct {
		name, header, rows string
		errs               map[string]string // by trade ID; the others read
	}{
		{"no barrier_type", base + ",barrier,desk\n",
			"EU-1,european,ACME,USD,call,100,1Y,10,,fx\nBA-1,barrier,ACME,USD,call,100,1Y,10,85,fx\nBA-2,barrier,ACME,USD,put,100,1Y,10,120,fx\n",
			map[string]string{
				"BA-1": "portfolio.csv:3: barrier_type: the file has no barrier_type column, which a barrier needs",
				"BA-2": "portfolio.csv:4: barrier_type: the file has no barrier_type column, which a barrier needs",
			}},
		{"no barrier columns, Monte Carlo", base + ",engine\n",
			"BA-1,barrier,ACME,USD,call,100,1Y,10,mc\n",
			map[string]string{"BA-1": "portfolio.csv:2: barrier_type: the file has no barrier_type column, which a barrier needs"}},
		{"no barrier", base + ",barrier_type\n",
			"BA-1,barrier,ACME,USD,call,100,1Y,10,up-out\n",
			map[string]string{"BA-1": "portfolio.csv:2: barrier: the file has no barrier column, which a barrier needs"}},
		{"no averaging", base + ",avg\n",
			"AS-1,asian,ACME,USD,call,100,1Y,10,geometric\n",
			map[string]string{"AS-1": "portfolio.csv:2: averaging: the file has no averaging column, which an asian needs"}},
		{"no weights", base + ",engine\n",
			"BK-1,basket,ACME|BETA,USD,call,100,1Y,10,mc\n",
			map[string]string{"BK-1": "portfolio.csv:2: weights: the file has no weights column, which a basket needs"}},
		// A column like barrier_type that no row needs is the user's own.
		{"barrier_kind, no barrier", base + ",barrier_kind\n",
			"EU-1,european,ACME,USD,call,100,1Y,10,vanilla\n",
			nil},
		// What the decoder already reads: case, surrounding spaces.
		{"case and spaces", base + ",Barrier_Type, BARRIER ,rebate\n",
			"BA-1,barrier,ACME,USD,call,100,1Y,10,Down-Out,85,1\n",
			nil},
		// A blank cell in a column the file has: the cell's error.
		{"blank barrier_type", base + ",barrier_type,barrier\n",
			"BA-1,barrier,ACME,USD,call,100,1Y,10,,85\n",
			map[string]string{"BA-1": `portfolio.csv:2:38: barrier_type: barrier type "": want down-in, down-out, up-in or up-out`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trades, errs, err := ReadPortfolio(strings.NewReader(tt.header+tt.rows), "portfolio.csv", asof)
			require.NoError(t, err)
			require.Equal(t, strings.Count(tt.rows, "\n"), len(trades))
			for i, tr := range trades {
				want, fails := tt.errs[tr.ID]
				if !fails {
					assert.NoError(t, errs[i], tr.ID)
					assert.NotNil(t, tr.Instrument, tr.ID)
					continue
				}
				assert.EqualError(t, errs[i], want, tr.ID)
			}
		})
	}
}

func TestSpacedColumnIsAHeaderError(t *testing.T) {
	// "barrier type" is barrier_type with a space for the underscore: the
	// decoder refuses it at the header, before any row.
	in := "trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,barrier type,barrier\n"
	_, err := NewPortfolioReader(strings.NewReader(in), "portfolio.csv", asof)
	assert.EqualError(t, err, `portfolio.csv:1:76: unknown column "barrier type": did you mean "barrier_type"?`)
}

// TestTermsCheckedOnceForEveryEngine reads rows whose terms the New
// functions refuse: a row fails at the term's cell with the same error
// whichever engine prices it, since the terms are checked by the product,
// not by the reader or the engine.
func TestTermsCheckedOnceForEveryEngine(t *testing.T) {
	const header = "trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,barrier_type,barrier,rebate,averaging,fixings,weights,engine\n"
	tests := []struct {
		name, row string // the row without its engine cell
		want      string // the error after "portfolio.csv:2:<column>: "
	}{
		{"zero strike", "x,european,ACME,USD,call,0,1Y,1,,,,,,,", "strike: strike 0: want a positive number"},
		{"negative barrier", "x,barrier,ACME,USD,call,100,1Y,1,down-out,-5,,,,,", "barrier: barrier -5: want a positive number"},
		{"negative rebate", "x,barrier,ACME,USD,call,100,1Y,1,down-out,90,-1,,,,", "rebate: rebate -1: want a number ≥ 0"},
		{"too many fixings", "x,asian,ACME,USD,call,100,1Y,1,,,,geometric,100001,,", "fixings: 100001 fixings: want 0 (continuous) to 100000"},
	}
	for _, tt := range tests {
		var errs []string
		for _, engine := range []string{Analytic, MC} {
			_, es, err := ReadPortfolio(strings.NewReader(header+tt.row+engine+"\n"), "portfolio.csv", asof)
			require.NoError(t, err, tt.name)
			require.Len(t, es, 1, tt.name)
			require.Error(t, es[0], "%s, engine %s", tt.name, engine)
			var cell *strictcsv.Error
			require.ErrorAs(t, es[0], &cell, "%s, engine %s", tt.name, engine)
			errs = append(errs, es[0].Error())
		}
		assert.Equal(t, errs[0], errs[1], "%s: the engines' errors", tt.name)
		assert.Contains(t, errs[0], tt.want, tt.name)
	}
}
