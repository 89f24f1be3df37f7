package marketdata

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
)

// Market is a set of quotes with the curves, surfaces and correlations they
// make. It is immutable once built and safe for concurrent use by many
// goroutines; each goroutine reads it through its own Scope.
type Market struct {
	asof   time.Time
	s      *structure
	values []float64 // the quotes' values, in the order of s.quotes
}

// structure is everything in a Market that depends on the quotes'
// positions, not on their values.
type structure struct {
	quotes   []Quote
	index    map[string]int // by Key
	spot     map[string]int32
	rate     map[string]*curve // by currency
	div      map[string]*curve // by underlying
	vol      map[string]*surface
	corr     map[[2]string]int32 // by pair, in sorted order
	heston   map[string]*[5]int32
	maxNodes int // the most strikes at one expiry

	warnings []Warning // of the quotes as loaded, in their order
	// keys are the quotes' risk factors, made once: a pricing names one
	// per sensitivity.
	keys []Key
}

// ErrNotFound is wrapped by the errors of Scope and Market for market data
// a pricing asks for and the market does not have.
var ErrNotFound = errors.New("not in the market data")

// notFound is a "no such market data" error.
type notFound struct{ msg string }

func (e *notFound) Error() string { return "marketdata: " + e.msg }
func (e *notFound) Unwrap() error { return ErrNotFound }

// The columns of the market file, all required.
var columns = []string{"type", "name", "pillar", "strike", "value"}

type row struct {
	Type   strictcsv.Text  `csv:"type"`
	Name   strictcsv.Text  `csv:"name"`
	Pillar strictcsv.Text  `csv:"pillar"`
	Strike strictcsv.Text  `csv:"strike"`
	Value  strictcsv.Float `csv:"value"`
}

// Load reads a market file (SPEC.md §3): a header with the columns type, name,
// pillar, strike and value, in any order (other columns are ignored), and
// one quote per row. Pillars (tenors or dates) are read against asof.
//
// A market that loads may still have quotes that are almost surely in the
// wrong unit (a rate of 4.10, a vol of 25.5: see Warning); Market.Warnings
// lists them with their positions, and the market is built from the values
// as written.
//
// Loading is all or nothing: the first unreadable or invalid row stops it,
// with a *strictcsv.Error that names the file, the line, the column and what
// was expected. Besides the file's form (see package strictcsv: no header,
// a missing or duplicated column, a bad number, malformed CSV), these rows
// are invalid: an unknown type; a blank name or value; a pillar missing
// where one is needed (RATE, DIVYIELD, VOL), given where none is (SPOT,
// CORR), not a tenor or a date, or on or before asof; a strike on a quote
// other than VOL, or one ≤ 0; a spot ≤ 0, a negative vol, a correlation or
// a Heston rho outside [−1, 1], a negative v0, kappa, theta or sigma; a
// CORR name that is not A|B with two different names; an unknown HESTON
// parameter; a name with '/', '|' or control characters; a VOL expiry that
// mixes a blank strike with strikes; and a duplicate quote, the same risk
// factor after parsing (RATE/USD/1Y, RATE/USD/12M and the date a year after
// the as-of date are the same pillar: see pillarDate,
// VOL strikes 100 and 100.0 the same strike, CORR A|B and B|A the same
// pair).
func Load(r io.Reader, file string, asof time.Time) (*Market, error) {
	d, err := strictcsv.NewDecoder[row](r, file, columns...)
	if err != nil {
		return nil, err
	}
	b := newBuilder(asof)
	var warnings []Warning
	for {
		var rw row
		line, err := d.Next(&rw)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		kind, ok := ParseKind(string(rw.Type))
		if !ok {
			if rw.Type == "" {
				return nil, d.Errorf("type", "type is required (SPOT, RATE, DIVYIELD, VOL, CORR or HESTON)")
			}
			return nil, d.Errorf("type", "unknown type %q (want SPOT, RATE, DIVYIELD, VOL, CORR or HESTON)", rw.Type)
		}
		if !rw.Value.Set {
			return nil, d.Errorf("value", "value is required")
		}
		q := Quote{Kind: kind, Name: string(rw.Name), Pillar: string(rw.Pillar), Strike: string(rw.Strike), Value: rw.Value.V, Line: line}
		if e := b.add(q); e != nil {
			return nil, d.Errorf(e.field, "%s", e.msg)
		}
		added := &b.quotes[len(b.quotes)-1]
		if msg := unitWarning(added); msg != "" {
			// Errorf gives the value cell's position in the file; the
			// row is accepted all the same.
			e := d.Errorf("value", "%s", msg)
			warnings = append(warnings, Warning{File: e.File, Line: e.Line, Column: e.Column, Field: e.Field, Key: added.Key, Msg: msg})
		}
	}
	m := b.build()
	m.s.warnings = warnings
	return m, nil
}

// LoadFile loads the market file at path (see Load); errors name the file
// by path.
func LoadFile(path string, asof time.Time) (*Market, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Load(f, path, asof)
}

// New builds a market from quotes made in code, validated as Load validates
// the rows of a file. Of each quote it reads Kind, Name, Pillar, Strike
// (text, as in a file), Value and Line, and computes Key, Time and K.
// Quotes in the wrong unit give Warnings as with Load, with the quote's
// Line and no file or column.
func New(asof time.Time, quotes []Quote) (*Market, error) {
	b := newBuilder(asof)
	var warnings []Warning
	for i, q := range quotes {
		if e := b.add(q); e != nil {
			return nil, fmt.Errorf("marketdata: quote %d (%v %s): %s: %s", i, q.Kind, q.Name, e.field, e.msg)
		}
		added := &b.quotes[len(b.quotes)-1]
		if msg := unitWarning(added); msg != "" {
			warnings = append(warnings, Warning{Line: added.Line, Field: "value", Key: added.Key, Msg: msg})
		}
	}
	m := b.build()
	m.s.warnings = warnings
	return m, nil
}

// build makes the market of the quotes b has accepted.
func (b *builder) build() *Market {
	s := &structure{
		quotes: b.quotes,
		index:  make(map[string]int, len(b.quotes)),
		spot:   make(map[string]int32),
		rate:   make(map[string]*curve),
		div:    make(map[string]*curve),
		vol:    make(map[string]*surface),
		corr:   make(map[[2]string]int32),
		heston: make(map[string]*[5]int32),
	}
	values := make([]float64, len(b.quotes))
	s.keys = make([]Key, len(b.quotes))
	for i, q := range b.quotes {
		values[i] = q.Value
		s.index[q.Key] = i
		s.keys[i] = q.RiskFactor()
		i32 := int32(i)
		switch q.Kind {
		case Spot:
			s.spot[q.Name] = i32
		case Rate, DivYield:
			m := s.rate
			if q.Kind == DivYield {
				m = s.div
			}
			c := m[q.Name]
			if c == nil {
				c = &curve{}
				m[q.Name] = c
			}
			c.t = append(c.t, q.Time)
			c.q = append(c.q, i32)
		case Vol:
			sf := s.vol[q.Name]
			if sf == nil {
				sf = &surface{}
				s.vol[q.Name] = sf
			}
			j := slices.Index(sf.t, q.Time)
			if j < 0 {
				j = len(sf.t)
				sf.t = append(sf.t, q.Time)
				sf.exp = append(sf.exp, expiry{t: q.Time})
			}
			sf.exp[j].k = append(sf.exp[j].k, q.K)
			sf.exp[j].q = append(sf.exp[j].q, i32)
		case Corr:
			a, c, _ := strings.Cut(q.Name, "|")
			s.corr[pair(trim(a), trim(c))] = i32
		case Heston:
			h := s.heston[q.Name]
			if h == nil {
				h = &[5]int32{-1, -1, -1, -1, -1}
				s.heston[q.Name] = h
			}
			for p, name := range hestonNames {
				if strings.EqualFold(q.Pillar, name) {
					h[p] = i32
				}
			}
		}
	}
	for _, m := range []map[string]*curve{s.rate, s.div} {
		for _, c := range m {
			sortBy(c.t, c.q)
		}
	}
	for _, sf := range s.vol {
		idx := make([]int, len(sf.t))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(sf.t[a], sf.t[b]) })
		exps := make([]expiry, len(idx))
		for i, j := range idx {
			exps[i] = sf.exp[j]
			e := &exps[i]
			sortBy(e.k, e.q)
			e.factor()
			s.maxNodes = max(s.maxNodes, len(e.k))
			sf.t[i] = e.t
		}
		sf.exp = exps
	}
	return &Market{asof: b.asof, s: s, values: values}
}

// sortBy sorts keys increasingly and vals along.
func sortBy(keys []float64, vals []int32) {
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(keys[a], keys[b]) })
	k2, v2 := slices.Clone(keys), slices.Clone(vals)
	for i, j := range idx {
		keys[i], vals[i] = k2[j], v2[j]
	}
}

// pair returns the map key of a correlation pair, in sorted order.
func pair(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

// AsOf returns the valuation date the market was built for.
func (m *Market) AsOf() time.Time { return m.asof }

// Len returns the number of quotes.
func (m *Market) Len() int { return len(m.values) }

// Quotes returns the quotes in file order (for New, in the given order).
// The quote at index i is the one Index, Bump.Quote and Input.Quote refer
// to. The caller must not modify the slice.
func (m *Market) Quotes() []Quote { return m.s.quotes }

// Warnings returns the warnings of the quotes as loaded (see Warning), in
// the order of the quotes; nil if there are none. The caller must not
// modify the slice.
func (m *Market) Warnings() []Warning { return m.s.warnings }

// RiskFactor returns the risk factor of quote i, Quotes()[i].RiskFactor()
// made once when the market was built.
func (m *Market) RiskFactor(i int) Key { return m.s.keys[i] }

// Value returns the value of quote i.
func (m *Market) Value(i int) float64 { return m.values[i] }

// Index returns the index of the quote with risk-factor key key (as
// written: "RATE/USD/1Y").
func (m *Market) Index(key string) (int, bool) {
	i, ok := m.s.index[key]
	return i, ok
}

// SpotIndex returns the index of the SPOT quote of the underlying name.
func (m *Market) SpotIndex(name string) (int, bool) {
	i, ok := m.s.spot[name]
	return int(i), ok
}
