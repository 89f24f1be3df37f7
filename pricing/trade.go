package pricing

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
	"github.com/aadrisk/aadrisk/montecarlo"
)

// Trade is one position: a quantity of an instrument.
type Trade struct {
	ID string
	// Line is the physical line of the trade in its portfolio file (0 when
	// built in code).
	Line int
	// Quantity is the signed number of instruments held (negative = short),
	// exactly as read.
	Quantity   decimal.Decimal
	Instrument Instrument
	// Kind is the instrument's name as written ("european", ...), kept for
	// reporting a row that did not become an instrument.
	Kind string
	// Engine is "analytic" or "mc".
	Engine string
}

// Engines.
const (
	Analytic = "analytic"
	MC       = "mc"
)

// PortfolioRow is one row of a portfolio file (SPEC.md §4) as read, before it
// is turned into a Trade. Cells are read strictly: numbers are plain
// decimals, and a blank cell is "not given".
type PortfolioRow struct {
	TradeID     strictcsv.Text    `csv:"trade_id"`
	Instrument  strictcsv.Text    `csv:"instrument"`
	Underlying  strictcsv.Text    `csv:"underlying"`
	Currency    strictcsv.Text    `csv:"currency"`
	OptionType  strictcsv.Text    `csv:"option_type"`
	Strike      strictcsv.Decimal `csv:"strike"`
	Expiry      strictcsv.Text    `csv:"expiry"`
	Quantity    strictcsv.Decimal `csv:"quantity"`
	Payout      strictcsv.Decimal `csv:"payout"`
	BarrierType strictcsv.Text    `csv:"barrier_type"`
	Barrier     strictcsv.Decimal `csv:"barrier"`
	Rebate      strictcsv.Decimal `csv:"rebate"`
	Averaging   strictcsv.Text    `csv:"averaging"`
	Fixings     strictcsv.Int     `csv:"fixings"`
	Weights     strictcsv.Text    `csv:"weights"`
	Engine      strictcsv.Text    `csv:"engine"`
	Model       strictcsv.Text    `csv:"model"`
	Paths       strictcsv.Int     `csv:"paths"`
	Steps       strictcsv.Int     `csv:"steps"`
	Seed        strictcsv.Int     `csv:"seed"`
	RNG         strictcsv.Text    `csv:"rng"`
	Antithetic  strictcsv.Text    `csv:"antithetic"`
}

// requiredColumns are the portfolio columns without which no trade can be
// read; a file that lacks one is unusable as a whole.
var requiredColumns = []string{"trade_id", "instrument", "underlying", "currency", "option_type", "strike", "expiry", "quantity"}

// PortfolioReader streams the trades of a portfolio file, one row at a time,
// so that a portfolio of any size is read in constant memory (but for the
// set of trade IDs seen, which detects duplicates).
type PortfolioReader struct {
	dec  *strictcsv.Decoder[PortfolioRow]
	asof time.Time
	seen map[string]int
	row  PortfolioRow
}

// NewPortfolioReader reads the header of a portfolio file. It fails, with a
// *strictcsv.Error, if the file is not CSV, has no header, lacks a required
// column or repeats one. Expiries given as dates are read relative to asof.
func NewPortfolioReader(r io.Reader, file string, asof time.Time) (*PortfolioReader, error) {
	dec, err := strictcsv.NewDecoder[PortfolioRow](r, file, requiredColumns...)
	if err != nil {
		return nil, err
	}
	return &PortfolioReader{dec: dec, asof: asof, seen: make(map[string]int)}, nil
}

// Next returns the next trade. A row that is malformed or not a valid trade
// gives a non-nil *Trade whose ID and Line say which row it was (ID may be
// empty if the trade_id cell itself was unreadable) together with an error
// naming the line and column; the reader stays usable and the next call
// reads the next row. At the end of the file Next returns io.EOF. An error
// with a nil *Trade means the file itself became unreadable, or that its
// header is wrong: a row needs a column that the file lacks (barrier_type
// for a barrier, barrier, averaging for an asian, weights for a basket)
// and the header has an ignored column like it (barrier_kind), a
// *strictcsv.Error at that header cell wrapping strictcsv.ErrUnknownColumn.
// A row that needs a column the file lacks, with nothing like it in the
// header, fails alone.
func (p *PortfolioReader) Next() (*Trade, error) {
	line, err := p.dec.Next(&p.row)
	if err == io.EOF {
		return nil, io.EOF
	}
	var cellErr *strictcsv.Error
	if err != nil {
		if !errors.As(err, &cellErr) || cellErr.Fatal || line == 0 {
			return nil, err
		}
		return &Trade{ID: p.dec.Raw("trade_id"), Kind: p.dec.Raw("instrument"), Engine: p.dec.Raw("engine"), Line: line}, err
	}
	row := &p.row
	// The enumerations are lower case in SPEC.md §4; a spreadsheet's
	// capitalisation ("Call", "European") is not worth failing a trade over.
	for _, c := range []*strictcsv.Text{&row.Instrument, &row.OptionType, &row.BarrierType, &row.Averaging, &row.Engine, &row.Model, &row.RNG, &row.Antithetic} {
		*c = strictcsv.Text(strings.ToLower(string(*c)))
	}
	tr := &Trade{ID: row.TradeID.String(), Kind: row.Instrument.String(), Engine: row.Engine.String(), Line: line}
	if row.TradeID.String() == "" {
		return tr, p.dec.Errorf("trade_id", "want a trade ID, got a blank cell")
	}
	if first, dup := p.seen[row.TradeID.String()]; dup {
		return tr, p.dec.Errorf("trade_id", "duplicate trade_id %q (first on line %d)", row.TradeID.String(), first)
	}
	p.seen[row.TradeID.String()] = line
	if err := p.build(tr, row); err != nil {
		var e *strictcsv.Error
		if errors.As(err, &e) && e.Fatal {
			return nil, err // the header is wrong: see needColumn
		}
		return tr, err
	}
	return tr, nil
}

// needColumn checks that the file has col, a column that the trade on the
// current row (a what) cannot do without. A file without it whose header
// has an ignored column like it (barrier_kind for barrier_type, see
// strictcsv.Decoder.LookAlike) is taken for misspelt: its error, at that
// header cell, is fatal, since every such trade would fail for the same
// reason. Without such a column only the row fails, saying the column is
// missing rather than that its cell is blank.
func (p *PortfolioReader) needColumn(tr *Trade, col, what string) error {
	d := p.dec
	if d.Has(col) {
		return nil
	}
	if h := d.LookAlike(col); h != "" {
		return d.HeaderErrorf(h, strictcsv.ErrUnknownColumn, "column %q is not a portfolio column; did you mean %q? (trade %q on line %d is %s and needs %s)", h, col, tr.ID, tr.Line, what, col)
	}
	return d.Errorf(col, "the file has no %s column, which %s needs", col, what)
}

// build turns a decoded row into the trade's instrument and engine; an error
// is a *strictcsv.Error at the offending cell.
func (p *PortfolioReader) build(tr *Trade, row *PortfolioRow) error {
	d := p.dec
	if !row.Quantity.Set {
		return d.Errorf("quantity", "want a number, got a blank cell")
	}
	tr.Quantity = row.Quantity.V
	if tr.Engine == "" {
		tr.Engine = Analytic
	}
	switch row.Engine.String() {
	case "", Analytic, MC:
	default:
		return d.Errorf("engine", "engine %q: want analytic, mc or blank", row.Engine.String())
	}
	var typ OptionType
	switch row.OptionType.String() {
	case "call":
		typ = Call
	case "put":
		typ = Put
	default:
		return d.Errorf("option_type", "want call or put, got %q", row.OptionType.String())
	}
	basket := row.Instrument.String() == "basket"
	mc := basket || (row.Instrument.String() == "asian" && row.Averaging.String() == "arithmetic")
	if mc && row.Engine.String() == Analytic {
		what := "basket"
		if !basket {
			what = "arithmetic asian"
		}
		return d.Errorf("engine", "engine analytic: a %s has no analytic engine", what)
	}
	mc = mc || row.Engine.String() == MC
	if row.Underlying.String() == "" {
		return d.Errorf("underlying", "want an underlying name, got a blank cell")
	}
	if !basket && strings.Contains(row.Underlying.String(), "|") {
		return d.Errorf("underlying", "%q: only a basket has several underlyings", row.Underlying.String())
	}
	if row.Currency.String() == "" {
		return d.Errorf("currency", "want a currency, got a blank cell")
	}
	if !row.Strike.Set {
		return d.Errorf("strike", "want a number, got a blank cell")
	}
	strike := row.Strike.V.InexactFloat64()
	if !(strike > 0) {
		return d.Errorf("strike", "strike %s: want a positive number", row.Strike.V)
	}
	if row.Expiry.String() == "" {
		return d.Errorf("expiry", "want a date or tenor, got a blank cell")
	}
	expiry, err := marketdata.ParseTime(row.Expiry.String(), p.asof)
	if err != nil {
		return d.Errorf("expiry", "%v", err)
	}
	if !(expiry > 0) {
		return d.Errorf("expiry", "expiry %s is not after the as-of date %s", row.Expiry.String(), p.asof.Format(time.DateOnly))
	}
	o := Option{Underlying: row.Underlying.String(), Ccy: row.Currency.String(), Type: typ, Strike: strike, Expiry: expiry}
	if mc {
		return p.buildMC(tr, row, o)
	}
	if err := noMCColumns(d, row); err != nil {
		return err
	}

	var inst Instrument
	switch row.Instrument.String() {
	case "european":
		inst, err = NewEuropean(o)
	case "digital":
		inst, err = NewDigital(o, row.Payout.Set, row.Payout.V.InexactFloat64())
	case "barrier":
		if err := p.needBarrierColumns(tr); err != nil {
			return err
		}
		kind, kerr := ParseBarrierKind(row.BarrierType.String())
		if kerr != nil {
			return d.Errorf("barrier_type", "%v", kerr)
		}
		if !row.Barrier.Set {
			return d.Errorf("barrier", "want a barrier level, got a blank cell")
		}
		level := row.Barrier.V.InexactFloat64()
		if !(level > 0) {
			return d.Errorf("barrier", "barrier %s: want a positive number", row.Barrier.V)
		}
		rebate := row.Rebate.V.InexactFloat64()
		if row.Rebate.Set && rebate < 0 {
			return d.Errorf("rebate", "rebate %s: want a number ≥ 0", row.Rebate.V)
		}
		inst, err = NewBarrier(o, kind, level, rebate)
	case "asian":
		if err := p.needColumn(tr, "averaging", "an asian"); err != nil {
			return err
		}
		if row.Averaging.String() != "geometric" {
			return d.Errorf("averaging", "want arithmetic or geometric, got %q", row.Averaging.String())
		}
		n := row.Fixings.V
		if n < 0 || n > MaxFixings {
			return d.Errorf("fixings", "%d fixings: want 0 (continuous) to %d", n, MaxFixings)
		}
		inst, err = NewAsian(o, int(n))
	case "american":
		inst, err = NewAmerican(o)
	default:
		return d.Errorf("instrument", "want european, digital, barrier, asian, american or basket, got %q", row.Instrument.String())
	}
	if err != nil {
		return d.Errorf("instrument", "%v", err)
	}
	tr.Instrument = inst
	tr.Engine = Analytic
	return nil
}

// needBarrierColumns checks the columns a barrier needs (see needColumn).
func (p *PortfolioReader) needBarrierColumns(tr *Trade) error {
	if err := p.needColumn(tr, "barrier_type", "a barrier"); err != nil {
		return err
	}
	return p.needColumn(tr, "barrier", "a barrier")
}

// noMCColumns refuses Monte Carlo settings on a trade priced analytically:
// a paths or model cell there is a mistake, not something to ignore.
func noMCColumns(d *strictcsv.Decoder[PortfolioRow], row *PortfolioRow) error {
	switch {
	case row.Model.String() != "":
		return d.Errorf("model", "model %q: only engine=mc trades have a model", row.Model.String())
	case row.Paths.Set:
		return d.Errorf("paths", "only engine=mc trades have paths")
	case row.Steps.Set:
		return d.Errorf("steps", "only engine=mc trades have steps")
	case row.Seed.Set:
		return d.Errorf("seed", "only engine=mc trades have a seed")
	case row.RNG.String() != "":
		return d.Errorf("rng", "rng %q: only engine=mc trades have random numbers", row.RNG.String())
	case row.Antithetic.String() != "":
		return d.Errorf("antithetic", "only engine=mc trades have antithetic paths")
	}
	return nil
}

// buildMC builds the instrument of a trade priced by Monte Carlo.
func (p *PortfolioReader) buildMC(tr *Trade, row *PortfolioRow, o Option) error {
	d := p.dec
	tr.Engine = MC
	var set MCSettings
	var err error
	if set.Model, err = montecarlo.ParseModel(row.Model.String()); err != nil {
		return d.Errorf("model", "%v", err)
	}
	if row.Paths.Set {
		if row.Paths.V < 2 || row.Paths.V > montecarlo.MaxPaths {
			return d.Errorf("paths", "%d paths: want 2 to %d", row.Paths.V, montecarlo.MaxPaths)
		}
		set.Paths = int(row.Paths.V)
	}
	if row.Steps.Set {
		if row.Steps.V < 1 || row.Steps.V > montecarlo.MaxSteps {
			return d.Errorf("steps", "%d steps: want 1 to %d", row.Steps.V, montecarlo.MaxSteps)
		}
		set.Steps = int(row.Steps.V)
	}
	if row.Seed.Set {
		if row.Seed.V < 0 {
			return d.Errorf("seed", "seed %d: want a number ≥ 0", row.Seed.V)
		}
		set.Seed, set.SeedSet = uint64(row.Seed.V), true
	}
	if r := row.RNG.String(); r != "" {
		if set.Sequence, err = ParseSequence(r); err != nil {
			return d.Errorf("rng", "%v", err)
		}
		set.SequenceSet = true
	}
	switch row.Antithetic.String() {
	case "":
	case "true":
		set.Antithetic, set.AntitheticSet = true, true
	case "false":
		set.AntitheticSet = true
	default:
		return d.Errorf("antithetic", "want true, false or blank, got %q", row.Antithetic.String())
	}
	if set.Antithetic && row.Paths.Set && row.Paths.V < 4 {
		return d.Errorf("paths", "%d paths: antithetic paths want at least 4", row.Paths.V)
	}
	m := MonteCarlo{Option: o, Settings: set}
	col := "instrument"
	switch row.Instrument.String() {
	case "european":
		m.Payoff = PayEuropean
	case "digital":
		m.Payoff, m.Cash, m.Payout = PayDigital, row.Payout.Set, row.Payout.V.InexactFloat64()
	case "barrier":
		if err := p.needBarrierColumns(tr); err != nil {
			return err
		}
		m.Payoff = PayBarrier
		kind, kerr := ParseBarrierKind(row.BarrierType.String())
		if kerr != nil {
			return d.Errorf("barrier_type", "%v", kerr)
		}
		if !row.Barrier.Set {
			return d.Errorf("barrier", "want a barrier level, got a blank cell")
		}
		m.BarrierKind, m.Level, m.Rebate = kind, row.Barrier.V.InexactFloat64(), row.Rebate.V.InexactFloat64()
		col = "barrier"
	case "asian":
		if err := p.needColumn(tr, "averaging", "an asian"); err != nil {
			return err
		}
		switch row.Averaging.String() {
		case "arithmetic":
			m.Payoff = PayAsianArithmetic
		case "geometric":
			m.Payoff = PayAsianGeometric
		default:
			return d.Errorf("averaging", "want arithmetic or geometric, got %q", row.Averaging.String())
		}
		m.Fixings = int(row.Fixings.V)
		col = "fixings"
	case "basket":
		if err := p.needColumn(tr, "weights", "a basket"); err != nil {
			return err
		}
		m.Payoff = PayBasket
		m.Underlyings = strings.Split(row.Underlying.String(), "|")
		ws := strings.Split(row.Weights.String(), "|")
		switch {
		case row.Weights.String() == "":
			return d.Errorf("weights", "want %d weights joined by |, got a blank cell", len(m.Underlyings))
		case len(ws) != len(m.Underlyings):
			return d.Errorf("weights", "want %d weights joined by |, got %q", len(m.Underlyings), row.Weights.String())
		}
		m.Weights = make([]float64, len(ws))
		for i, w := range ws {
			x, err := decimal.NewFromString(strings.TrimSpace(w))
			if err != nil {
				return d.Errorf("weights", "weight %q: want a number", w)
			}
			m.Weights[i] = x.InexactFloat64()
		}
	case "american":
		return d.Errorf("engine", "engine mc: an american has no Monte Carlo engine (use analytic)")
	default:
		return d.Errorf("instrument", "want european, digital, barrier, asian, american or basket, got %q", row.Instrument.String())
	}
	inst, err := NewMonteCarlo(row.Instrument.String(), m)
	if err != nil {
		return d.Errorf(col, "%v", err)
	}
	tr.Instrument = inst
	return nil
}

// ReadPortfolio reads a whole portfolio file into memory: for tests and for
// library users with small books. The command streams with PortfolioReader
// instead. Rows that fail are returned as trades with their errors.
func ReadPortfolio(r io.Reader, file string, asof time.Time) ([]*Trade, []error, error) {
	pr, err := NewPortfolioReader(r, file, asof)
	if err != nil {
		return nil, nil, err
	}
	var trades []*Trade
	var errs []error
	for {
		tr, err := pr.Next()
		if err == io.EOF {
			return trades, errs, nil
		}
		if tr == nil {
			return nil, nil, err
		}
		trades = append(trades, tr)
		errs = append(errs, err)
	}
}

// String describes a trade for logs.
func (t *Trade) String() string {
	if t.Instrument == nil {
		return fmt.Sprintf("trade %q (line %d)", t.ID, t.Line)
	}
	return fmt.Sprintf("trade %q (line %d, %s %s)", t.ID, t.Line, t.Instrument.Kind(), t.Instrument.Spot())
}
