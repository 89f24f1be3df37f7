package pricing

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
)

// FuzzPortfolioReader reads arbitrary bytes as a portfolio file. The reader
// must never panic or loop: it either refuses the file as a whole (a
// *strictcsv.Error at its header) or returns one trade per record, each
// with an instrument or with an error that names its line, until io.EOF or
// an error that ends the file. The trades that read cleanly are priced and
// validated on a market: no panic, and no NaN or infinity in what comes out.
func FuzzPortfolioReader(f *testing.F) {
	row := "ok,european,ACME,USD,call,100,1Y,10,,,,,,,\n"
	for _, s := range []string{
		portfolioHeader + row,
		// Every instrument, as the sample portfolio has them.
		portfolioHeader + `dg,digital,ACME,USD,put,95,6M,-250,10,,,,,,
ba,barrier,ACME,USD,call,100,1Y,300,,down-out,85,2,,,
bi,barrier,ACME,USD,put,100,2026-09-18,-1,,up-in,115,0,,,
as,asian,ACME,USD,call,100,1Y,500,,,,,geometric,12,
ac,asian,ACME,USD,put,100,6M,-200,,,,,geometric,,
pe,american,ACME,USD,put,100,1Y,1,,,,,,,pde
am,american,ACME,USD,put,105,1Y,250,,,,,,,analytic
bk,basket,ACME|BETA,USD,call,100,1Y,1,,,,,,,mc
aa,asian,ACME,USD,call,100,1Y,1,,,,,arithmetic,12,
`,
		// A byte-order mark and CRLF line ends.
		"\xEF\xBB\xBF" + strings.ReplaceAll(portfolioHeader+row+"ok2,american,ACME,USD,put,90,6M,1,,,,,,,\n", "\n", "\r\n"),
		// Invalid UTF-8 in a trade_id, in an instrument, in the header.
		portfolioHeader + "bad\xff\xfeid,european,ACME,USD,call,100,1Y,10,,,,,,,\n" + row,
		portfolioHeader + "x,europ\xc3\x28an,ACME,USD,call,100,1Y,10,,,,,,,\n",
		"trade_id,instr\xffument,underlying\n",
		// Huge and tiny exponents, long mantissas, signs.
		portfolioHeader + "h1,european,ACME,USD,call,100,1Y,1e999999,,,,,,,\n" +
			"h2,european,ACME,USD,call,1e-999999,1Y,1,,,,,,,\n" +
			"h3,european,ACME,USD,call,1e100,1Y,1e100,,,,,,,\n" +
			"h4,european,ACME,USD,call,1e-100,1000Y,-1e100,,,,,,,\n" +
			"h5,digital,ACME,USD,call,100,1Y,1,1e100,,,,,,\n" +
			"h6,barrier,ACME,USD,call,100,1Y,1,,up-out,1e100,1e100,,,\n" +
			"h7,european,ACME,USD,call,+100,1D,-0,,,,,,,\n" +
			"h8,asian,ACME,USD,call,100,1D,1,,,,,geometric,100000,\n" +
			"h9,asian,ACME,USD,call,100,1Y,1,,,,,geometric,99999999999999999999,\n" +
			"h10,european,ACME,USD,call,100,99999999999D,1,,,,,,,\n" +
			"h11,european,ACME,USD,call,1234567890123456789012345678901234567890.5,1Y,1,,,,,,,\n",
		// Quotes: commas, quotes and newlines in cells, a bare quote, a
		// quote that never closes.
		portfolioHeader + `"q,1",european,ACME,USD,call,100,1Y,10,,,,,,,
"q""2",european,ACME,USD,call,"100",1Y,10,,,,,,,
"q
3",european,ACME,USD,call,100,1Y,10,,,,,,,
q"4,european,ACME,USD,call,100,1Y,10,,,,,,,
` + row,
		portfolioHeader + row + "\"open,european,ACME,USD,call,100,1Y,10,,,,,,,\n" + row,
		// Formula-like cells, spaces, a ragged row, blank lines, NUL.
		portfolioHeader + "=cmd,european,ACME,USD,call,100,1Y,10,,,,,,,\n\n  ,european\n" + row + "\x00,european,ACME,USD,call,100,1Y,10,,,,,,,\n",
		// Header problems: none, duplicated, missing, misspelt columns.
		"",
		"\n\n",
		strings.TrimSuffix(portfolioHeader, "\n") + ",strike\n" + row,
		"trade_id,instrument\nx,european\n",
		"trade_id,instrument,underlying,currency,option_type,strikee,expiry,quantity\n",
		// A column that barrier rows need, misspelt or missing.
		"trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,barrier_kind,barrier\nok,european,ACME,USD,call,100,1Y,10,,\nba,barrier,ACME,USD,call,100,1Y,300,down-out,85\n",
		"trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,barrier\nba,barrier,ACME,USD,call,100,1Y,300,85\n",
		// A very long cell (under the record limit) and a record over it.
		portfolioHeader + strings.Repeat("L", 100_000) + ",european,ACME,USD,call,100,1Y,10,,,,,,,\n" + row,
		portfolioHeader + row + strings.Repeat("x", strictcsv.MaxRecordBytes+10) + "\n" + row,
	} {
		f.Add([]byte(s))
	}
	m := loadMarket(f, termMarket)
	p := NewPricer(m)
	// Few paths, so that every input prices and validates well within the
	// fuzzer's 10 s limit for one input (at the default 100,000 a basket
	// and an arithmetic Asian, validated, took about 9 s on a loaded
	// machine); a trade's own paths cell above fuzzPaths is not priced.
	const fuzzPaths = 1000
	p.MC.Paths = fuzzPaths
	// Likewise a small grid for pde trades (800 × 800, validated with its
	// second-order rows, takes seconds); a trade's own larger grid is not
	// priced.
	const fuzzSpots, fuzzSteps = 60, 40
	p.PDE = PDEDefaults{Spots: fuzzSpots, Steps: fuzzSteps}
	f.Fuzz(func(t *testing.T, data []byte) {
		pr, err := NewPortfolioReader(bytes.NewReader(data), "portfolio.csv", asof)
		if err != nil {
			var e *strictcsv.Error
			if !errors.As(err, &e) {
				t.Fatalf("not a *strictcsv.Error: %v", err)
			}
			return
		}
		// Every call consumes at least one line (or ends the file), so
		// more calls than lines means the reader is going round in
		// circles.
		maxCalls := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 2
		priced := 0
		for calls := 1; ; calls++ {
			if calls > maxCalls {
				t.Fatalf("%d calls of Next on %d lines: the reader does not advance", calls, maxCalls-2)
			}
			tr, err := pr.Next()
			if err == io.EOF {
				if tr != nil {
					t.Fatalf("a trade with io.EOF: %v", tr)
				}
				return
			}
			if tr == nil {
				if err == nil {
					t.Fatal("no trade and no error")
				}
				return // the file became unreadable
			}
			if !utf8.ValidString(tr.ID) || !utf8.ValidString(tr.Kind) || !utf8.ValidString(tr.EngineName) {
				t.Fatalf("invalid UTF-8 in a trade: %q %q %q", tr.ID, tr.Kind, tr.EngineName)
			}
			if tr.Line < 2 {
				t.Fatalf("trade %q on line %d", tr.ID, tr.Line)
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "portfolio.csv:") {
					t.Fatalf("an error that does not name the file: %v", err)
				}
				continue
			}
			if tr.Instrument == nil {
				t.Fatalf("trade %q (line %d): no instrument and no error", tr.ID, tr.Line)
			}
			if mc, ok := tr.Engine.(*MCEngine); ok && mc.Settings().Paths > fuzzPaths {
				continue
			}
			if pe, ok := tr.Engine.(*PDEEngine); ok && (pe.Settings().Spots > fuzzSpots || pe.Settings().Steps > fuzzSteps) {
				continue
			}
			if priced++; priced > 8 {
				continue
			}
			res := p.Price(t.Context(), tr)
			checkFuzzResult(t, res)
			rows, err := p.Validate(t.Context(), tr, res)
			if err != nil {
				continue
			}
			for _, v := range rows {
				for _, x := range []float64{v.AAD, v.Bump, v.AbsDiff, v.RelDiff, v.Tolerance} {
					if math.IsNaN(x) || math.IsInf(x, 0) {
						t.Fatalf("%s %s: validation row %+v", res.TradeID, v.RiskFactor, v)
					}
				}
			}
		}
	})
}

// checkFuzzResult fails if a result has figures that are not finite, or
// figures along with an error.
func checkFuzzResult(t *testing.T, res *Result) {
	t.Helper()
	figs := []float64{res.PV, res.Delta, res.Gamma, res.Vega, res.Rho, res.DivRho, res.Theta}
	for _, s := range res.Sens {
		figs = append(figs, s.Value)
	}
	for _, x := range figs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			t.Fatalf("%s: a figure is %v: %+v", res.TradeID, x, res)
		}
		if res.Err != nil && x != 0 {
			t.Fatalf("%s: figures with an error: %+v", res.TradeID, res)
		}
	}
}
