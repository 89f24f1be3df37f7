package marketdata

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
)

// FuzzLoad checks that no file makes Load panic or hang, that its errors
// are *strictcsv.Error, that a market it accepts reads finite values, that
// the key of each of its quotes reads back as the quote's risk factor, and
// that its warnings name a quote and a cell of the file.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(sample))
	for _, s := range []string{
		header + "VOL,X,1Y,90,0.2\nVOL,X,1Y,100,0.25\nVOL,X,1Y,110,0.3\nVOL,X,2Y,,0.2\n",
		header + "RATE,USD,1D,,0.01\nRATE,USD,2025-01-03,,0.02\n",
		header + "CORR,A|B,,,1\nCORR,A|C,,,-1\nCORR,B|C,,,1\n",
		header + "VOL,X,1Y,1e-300,0\nVOL,X,1Y,1e300,1e300\nSPOT,X,,,1e-300\n",
		header + "RATE,USD,1Y,,4.10\nDIVYIELD,X,1Y,,-1e300\nVOL,X,1Y,,25.5\n",
		"\xEF\xBB\xBFtype,name,pillar,strike,value\r\nSPOT,\"A\r\nB\",,,1\r\n",
		"type,name\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(bytes.NewReader(data), "f.csv", asof)
		if err != nil {
			var e *strictcsv.Error
			if !errors.As(err, &e) {
				t.Fatalf("not a *strictcsv.Error: %v", err)
			}
			return
		}
		for _, w := range m.Warnings() {
			if _, ok := m.Index(w.Key); !ok || w.File != "f.csv" || w.Line < 2 || w.Column < 1 || w.Field != "value" {
				t.Fatalf("a warning that names no quote or cell: %+v", w)
			}
		}
		for i := range m.Quotes() {
			q := &m.Quotes()[i]
			k, err := ParseKey(q.Key)
			if err != nil || k != q.RiskFactor() || k != m.RiskFactor(i) || k.String() != q.Key {
				t.Fatalf("quote %q: ParseKey gives %v, %v; its RiskFactor is %v", q.Key, k, err, q.RiskFactor())
			}
		}
		tp := aad.NewTape(0)
		sc := m.NewScope()
		for _, q := range m.Quotes() {
			tp.Reset()
			sc.Reset(tp)
			var x aad.Number
			switch q.Kind {
			case Rate:
				x, err = sc.ZeroRate(q.Name, sc.Time(q.Time*1.1))
			case DivYield:
				x, err = sc.DivYield(q.Name, sc.Time(q.Time*0.9))
			case Vol:
				x, err = sc.Vol(q.Name, sc.Time(q.Time*1.1), q.K*0.99+1)
			default:
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", q.Key, err)
			}
			if math.IsNaN(x.Value()) {
				t.Fatalf("%s: NaN", q.Key)
			}
			if x.Active() {
				tp.SetAdjoint(x, 1)
				tp.Backward()
			}
		}
	})
}
