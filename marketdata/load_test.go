package marketdata

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
)

const header = "type,name,pillar,strike,value\n"

func TestLoadBadInput(t *testing.T) {
	tests := []struct {
		name      string
		file      string // after the header, unless it starts with "type" or is empty
		line, col int
		field     string
		msg       string // a part of the message
	}{
		// The type.
		{"unknown type", "BOND,X,,,1", 2, 1, "type", `unknown type "BOND"`},
		{"blank type", ",X,,,1", 2, 1, "type", "type is required"},
		// The value.
		{"non-number", "SPOT,ACME,,,abc", 2, 13, "value", `want a number, got "abc"`},
		{"decimal comma", "SPOT,ACME,,,\"0,25\"", 2, 13, "value", `want a number, got "0,25"`},
		{"inf", "SPOT,ACME,,,inf", 2, 13, "value", "want a number"},
		{"nan", "SPOT,ACME,,,NaN", 2, 13, "value", "want a number"},
		{"huge", "SPOT,ACME,,,1e999", 2, 13, "value", "out of range"},
		{"blank value", "SPOT,ACME,,,", 2, 13, "value", "value is required"},
		{"negative spot", "SPOT,ACME,,,-5", 2, 13, "value", "want a spot > 0, got -5"},
		{"zero spot", "SPOT,ACME,,,0", 2, 13, "value", "want a spot > 0"},
		{"negative vol", "VOL,ACME,1Y,100,-0.2", 2, 17, "value", "want a volatility >= 0, got -0.2"},
		{"correlation above 1", "CORR,A|B,,,1.5", 2, 12, "value", "want a correlation in [-1, 1], got 1.5"},
		{"correlation below -1", "CORR,A|B,,,-1.01", 2, 12, "value", "want a correlation in [-1, 1]"},
		{"rho", "HESTON,X,rho,,1.2", 2, 15, "value", "want rho in [-1, 1], got 1.2"},
		{"negative kappa", "HESTON,X,kappa,,-1", 2, 17, "value", "want kappa >= 0, got -1"},
		// The name.
		{"blank name", "SPOT,,,,100", 2, 6, "name", "SPOT needs a name"},
		{"slash in name", "SPOT,A/B,,,100", 2, 6, "name", "cannot contain '/' or '|'"},
		{"bar in name", "VOL,A|B,1Y,,0.2", 2, 5, "name", "cannot contain '/' or '|'"},
		{"line end in name", "SPOT,\"A\nB\",,,100", 2, 6, "name", "control characters"},
		{"invalid UTF-8", "SPOT,\xff,,,100", 2, 6, "name", "not valid UTF-8"},
		{"corr not a pair", "CORR,ACME,,,0.5", 2, 6, "name", `want a pair of names A|B, got "ACME"`},
		{"corr half a pair", "CORR,ACME|,,,0.5", 2, 6, "name", "want a pair of names A|B"},
		{"corr three", "CORR,A|B|C,,,0.5", 2, 6, "name", "want a pair of names A|B"},
		{"corr with itself", "CORR,A|A,,,0.5", 2, 6, "name", "with itself"},
		// The pillar.
		{"pillar on as-of", "RATE,USD,2025-01-01,,0.03", 2, 10, "pillar", "date 2025-01-01 is not after the as-of date 2025-01-01"},
		{"pillar before as-of", "RATE,USD,2024-06-30,,0.03", 2, 10, "pillar", "not after the as-of date"},
		{"zero tenor", "DIVYIELD,ACME,0M,,0.01", 2, 15, "pillar", `tenor "0M" is not after`},
		{"bad tenor", "RATE,USD,1.5Y,,0.03", 2, 10, "pillar", `want a date (YYYY-MM-DD) or a tenor (e.g. 6M, 10Y), got "1.5Y"`},
		{"bad date", "RATE,USD,2025-02-30,,0.03", 2, 10, "pillar", "want a date YYYY-MM-DD"},
		{"missing pillar vol", "VOL,ACME,,100,0.2", 2, 10, "pillar", "VOL needs a pillar"},
		{"missing pillar rate", "RATE,USD,,,0.03", 2, 10, "pillar", "RATE needs a pillar"},
		{"pillar on spot", "SPOT,ACME,1Y,,100", 2, 11, "pillar", `SPOT takes no pillar, got "1Y"`},
		{"pillar on corr", "CORR,A|B,1Y,,0.1", 2, 10, "pillar", "CORR takes no pillar"},
		{"unknown heston parameter", "HESTON,X,nu,,1", 2, 10, "pillar", `want a Heston parameter (v0, kappa, theta, sigma or rho), got "nu"`},
		{"blank heston parameter", "HESTON,X,,,1", 2, 10, "pillar", "want a Heston parameter"},
		// The strike.
		{"zero strike", "VOL,ACME,1Y,0,0.2", 2, 13, "strike", "want a strike > 0, got 0"},
		{"negative strike", "VOL,ACME,1Y,-5,0.2", 2, 13, "strike", "want a strike > 0"},
		{"bad strike", "VOL,ACME,1Y,abc,0.2", 2, 13, "strike", `want a number, got "abc"`},
		{"octal-looking strike is decimal, hex is not", "VOL,ACME,1Y,0x10,0.2", 2, 13, "strike", "want a number"},
		{"strike on spot", "SPOT,ACME,,100,100", 2, 12, "strike", `SPOT takes no strike, got "100"`},
		{"strike on rate", "RATE,USD,1Y,100,0.03", 2, 13, "strike", "RATE takes no strike"},
		{"strike on heston", "HESTON,X,v0,1,0.04", 2, 13, "strike", "HESTON takes no strike"},
		// Duplicates.
		{"duplicate spot", "SPOT,ACME,,,100\nSPOT,ACME,,,101", 3, 6, "name", "duplicate quote SPOT/ACME: the same as SPOT/ACME at line 2"},
		{"duplicate tenor", "RATE,USD,1Y,,0.03\nRATE,USD,12M,,0.03", 3, 10, "pillar", "duplicate quote RATE/USD/12M: the same as RATE/USD/1Y at line 2"},
		{"duplicate date and tenor", "RATE,USD,1Y,,0.03\nDIVYIELD,USD,1Y,,0.03\nRATE,USD,2026-01-01,,0.03", 4, 10, "pillar", "the same as RATE/USD/1Y at line 2"},
		{"duplicate week and days", "DIVYIELD,X,1W,,0.03\nDIVYIELD,X,7D,,0.03", 3, 12, "pillar", "duplicate quote DIVYIELD/X/7D"},
		{"duplicate strike", "VOL,ACME,1Y,100,0.2\nVOL,ACME,1Y,100.0,0.2", 3, 13, "strike", "duplicate quote VOL/ACME/1Y/100.0: the same as VOL/ACME/1Y/100 at line 2"},
		{"duplicate blank strike", "VOL,ACME,1Y,,0.2\nVOL,ACME,12M,,0.2", 3, 10, "pillar", "duplicate quote VOL/ACME/12M"},
		{"duplicate pair", "CORR,A|B,,,0.1\nCORR,B|A,,,0.1", 3, 6, "name", "duplicate quote CORR/B|A: the same as CORR/A|B at line 2"},
		{"duplicate heston", "HESTON,X,kappa,,1\nHESTON,X,Kappa,,2", 3, 10, "pillar", "duplicate quote HESTON/X/Kappa"},
		{"duplicate kind case", "SPOT,ACME,,,100\nspot,ACME,,,100", 3, 6, "name", "duplicate quote SPOT/ACME"},
		// Blank strikes and strikes at one expiry.
		{"blank then strikes", "VOL,ACME,1Y,,0.2\nVOL,ACME,1Y,100,0.2", 3, 13, "strike", "VOL ACME at 1Y mixes strikes with a blank strike (VOL/ACME/1Y at line 2)"},
		{"strikes then blank", "VOL,ACME,1Y,100,0.2\nVOL,ACME,12M,,0.2", 3, 14, "strike", "mixes a blank strike with strikes (VOL/ACME/1Y/100 at line 2)"},
		// The file's form.
		{"missing column", "type,name,pillar,value\nSPOT,ACME,,100", 1, 0, "", `missing column "strike"`},
		{"missing columns", "type,value\nSPOT,100", 1, 0, "", `missing columns "name", "pillar", "strike"`},
		{"duplicate column", "type,name,pillar,strike,value,Name\n", 1, 31, "", `duplicate column "Name"`},
		{"misspelt column", "type,name,pillar,strikes,value\n", 1, 18, "", `unknown column "strikes": did you mean "strike"?`},
		{"empty file", "", 0, 0, "", "no header"},
		{"too many fields", "SPOT,ACME,,,100,5", 2, 0, "", "want 5 fields as in the header, got 6"},
		{"bare quote", "SPOT,AC\"ME,,,100", 2, 8, "name", `bare "`},
		{"unclosed quote", "SPOT,\"ACME,,,100\nSPOT,BETA,,,1", 3, 15, "name", "quoted cell not closed"},
		{"error after good rows", "SPOT,ACME,,,100\nRATE,USD,1Y,,0.03\nVOL,ACME,1Y,100,x", 4, 17, "value", "want a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file
			if file != "" && !strings.HasPrefix(file, "type") {
				file = header + file + "\n"
			}
			m, err := Load(strings.NewReader(file), "market.csv", asof)
			require.Error(t, err)
			assert.Nil(t, m, "all or nothing")
			var e *strictcsv.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "market.csv", e.File)
			assert.Equal(t, tt.line, e.Line, "line: %v", err)
			assert.Equal(t, tt.col, e.Column, "column: %v", err)
			assert.Equal(t, tt.field, e.Field, "field: %v", err)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestLoadErrorText(t *testing.T) {
	_, err := Load(strings.NewReader(header+"SPOT,ACME,,,100\nVOL,ACME,1Y,100,-0.2\n"), "market.csv", asof)
	assert.EqualError(t, err, "market.csv:3:17: value: want a volatility >= 0, got -0.2")
}

func TestLoadBOMAndCRLF(t *testing.T) {
	in := "\xEF\xBB\xBF" + strings.ReplaceAll(sample, "\n", "\r\n")
	m, err := Load(strings.NewReader(in), "market.csv", asof)
	require.NoError(t, err)
	want := loadSample(t)
	assert.Equal(t, want.Quotes(), m.Quotes())
}

func TestLoadColumnsAnyOrderAndExtraColumns(t *testing.T) {
	in := " Value ,comment,STRIKE,pillar,name,type\n" +
		"100,house view,,,ACME,SPOT\n" +
		"0.25, , 100 , 6M ,ACME,vol\n" +
		"0.3,,,2026-07-02,ACME,VOL\n"
	m, err := Load(strings.NewReader(in), "market.csv", asof)
	require.NoError(t, err)
	q := m.Quotes()
	require.Len(t, q, 3)
	assert.Equal(t, Quote{Kind: Spot, Name: "ACME", Key: "SPOT/ACME", Value: 100, Line: 2}, q[0])
	assert.Equal(t, Quote{Kind: Vol, Name: "ACME", Pillar: "6M", Strike: "100", Key: "VOL/ACME/6M/100", Time: 0.5, K: 100, Value: 0.25, Line: 3}, q[1])
	assert.Equal(t, Quote{Kind: Vol, Name: "ACME", Pillar: "2026-07-02", Key: "VOL/ACME/2026-07-02", Time: 547.0 / 365, Value: 0.3, Line: 4}, q[2])
}

func TestQuotesAndKeys(t *testing.T) {
	m := loadSample(t)
	q := m.Quotes()
	require.Len(t, q, m.Len())
	keys := make([]string, len(q))
	for i, x := range q {
		keys[i] = x.Key
		j, ok := m.Index(x.Key)
		assert.True(t, ok)
		assert.Equal(t, i, j)
		assert.Equal(t, i+2, x.Line, "file order")
	}
	assert.Contains(t, keys, "SPOT/ACME")
	assert.Contains(t, keys, "RATE/USD/2027-01-01")
	assert.Contains(t, keys, "DIVYIELD/ACME/6M")
	assert.Contains(t, keys, "VOL/ACME/6M/100")
	assert.Contains(t, keys, "VOL/ACME/2Y")
	assert.Contains(t, keys, "CORR/ACME|BETA")
	assert.Contains(t, keys, "HESTON/ACME/kappa")
	_, ok := m.Index("SPOT/NOPE")
	assert.False(t, ok)
	assert.Equal(t, asof, m.AsOf())
	assert.Equal(t, "SPOT RATE DIVYIELD VOL CORR HESTON Kind(0)", strings.Join([]string{Spot.String(), Rate.String(), DivYield.String(), Vol.String(), Corr.String(), Heston.String(), Kind(0).String()}, " "))
}

func TestLoadHeaderOnly(t *testing.T) {
	m := mustLoad(t, header)
	assert.Equal(t, 0, m.Len())
	sc := m.NewScope()
	sc.Reset(nil)
	_, err := sc.Spot("ACME")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "market.csv")
	require.NoError(t, os.WriteFile(path, []byte(sample), 0o600))
	m, err := LoadFile(path, asof)
	require.NoError(t, err)
	assert.Equal(t, loadSample(t).Quotes(), m.Quotes())

	require.NoError(t, os.WriteFile(path, []byte(header+"SPOT,ACME,,,x\n"), 0o600))
	_, err = LoadFile(path, asof)
	assert.EqualError(t, err, path+`:2:13: value: want a number, got "x"`)

	_, err = LoadFile(filepath.Join(dir, "nope.csv"), asof)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestNew(t *testing.T) {
	// New validates as Load does and builds the same market.
	want := loadSample(t)
	quotes := make([]Quote, 0, want.Len())
	for _, q := range want.Quotes() {
		quotes = append(quotes, Quote{Kind: q.Kind, Name: q.Name, Pillar: q.Pillar, Strike: q.Strike, Value: q.Value, Line: q.Line})
	}
	m, err := New(asof, quotes)
	require.NoError(t, err)
	assert.Equal(t, want.Quotes(), m.Quotes())

	tests := []struct {
		q   Quote
		msg string
	}{
		{Quote{Name: "X", Value: 1}, "marketdata: quote 1 (Kind(0) X): type: unknown type Kind(0) (want SPOT, RATE, DIVYIELD, VOL, CORR or HESTON)"},
		{Quote{Kind: Spot, Name: "X", Value: -1}, "marketdata: quote 1 (SPOT X): value: want a spot > 0, got -1"},
		{Quote{Kind: Rate, Name: "USD", Pillar: "1Y", Value: 0.01}, "marketdata: quote 1 (RATE USD): pillar: duplicate quote RATE/USD/1Y: the same as RATE/USD/12M at quote 0"},
		{Quote{Kind: Vol, Name: "X", Pillar: "1Y", Strike: "1,5", Value: 0.1}, `marketdata: quote 1 (VOL X): strike: want a number, got "1,5"`},
		{Quote{Kind: Spot, Name: "X", Value: 1, Pillar: "1Y"}, `marketdata: quote 1 (SPOT X): pillar: SPOT takes no pillar, got "1Y"`},
	}
	for _, tt := range tests {
		_, err := New(asof, []Quote{{Kind: Rate, Name: "USD", Pillar: "12M", Value: 0.01}, tt.q})
		assert.EqualError(t, err, tt.msg)
	}
	_, err = New(asof, []Quote{{Kind: Vol, Name: "X", Pillar: "1Y", Value: nan()}})
	assert.ErrorContains(t, err, "want a finite number")
}

func nan() float64 { return math.NaN() }

func TestLoadLarge(t *testing.T) {
	// A surface with many strikes loads and reads in linear memory and
	// time.
	var b strings.Builder
	b.WriteString(header)
	w := csv.NewWriter(&b)
	for i := range 5000 {
		_ = w.Write([]string{"VOL", "X", "1Y", strconv.Itoa(50 + i), "0.2"})
	}
	w.Flush()
	m := mustLoad(t, b.String())
	sc := m.NewScope()
	sc.Reset(nil)
	v, err := sc.Vol("X", sc.Time(1), 1234.5)
	require.NoError(t, err)
	assert.InDelta(t, 0.2, v.Value(), 1e-12)
}
