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

// Trade is one position: a quantity of an instrument, and the engine that
// prices it.
type Trade struct {
	ID string
	// Line is the physical line of the trade in its portfolio file (0 when
	// built in code).
	Line int
	// Quantity is the signed number of instruments held (negative = short),
	// exactly as read.
	Quantity   decimal.Decimal
	Instrument Instrument
	// Engine prices the instrument; nil means AnalyticEngine.
	Engine Engine
	// Kind and EngineName are the instrument's and the engine's names as
	// read ("european", "mc", ...), kept for reporting a row that did not
	// become a trade.
	Kind, EngineName string
}

// engine returns the trade's engine.
func (t *Trade) engine() Engine {
	if t.Engine == nil {
		return AnalyticEngine{}
	}
	return t.Engine
}

// The engines' names in the portfolio's engine column.
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
	GridSpots   strictcsv.Int     `csv:"grid_spots"`
	GridSteps   strictcsv.Int     `csv:"grid_steps"`
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
		return &Trade{ID: p.dec.Raw("trade_id"), Kind: p.dec.Raw("instrument"), EngineName: p.dec.Raw("engine"), Line: line}, err
	}
	row := &p.row
	// The enumerations are lower case in SPEC.md §4; a spreadsheet's
	// capitalisation ("Call", "European") is not worth failing a trade over.
	for _, c := range []*strictcsv.Text{&row.Instrument, &row.OptionType, &row.BarrierType, &row.Averaging, &row.Engine, &row.Model, &row.RNG, &row.Antithetic} {
		*c = strictcsv.Text(strings.ToLower(string(*c)))
	}
	tr := &Trade{ID: row.TradeID.String(), Kind: row.Instrument.String(), EngineName: row.Engine.String(), Line: line}
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

// product is a row of the reader's table of instruments: a kind of the
// instrument column, whether it takes several underlyings, its engine when
// the engine cell is blank (analytic if nil), and how its own columns
// become the instrument, through its New function.
type product struct {
	kind        string
	several     bool
	blankEngine func(row *PortfolioRow) string
	build       func(p *PortfolioReader, tr *Trade, row *PortfolioRow, o Option) (Instrument, error)
}

// products is the reader's table of instruments, in the order its errors
// list them. A new instrument is a new row here (and its columns in
// PortfolioRow).
var products = []product{
	{kind: "european", build: func(_ *PortfolioReader, _ *Trade, _ *PortfolioRow, o Option) (Instrument, error) {
		return NewEuropean(o)
	}},
	{kind: "digital", build: func(_ *PortfolioReader, _ *Trade, row *PortfolioRow, o Option) (Instrument, error) {
		return NewDigital(o, row.Payout.Set, row.Payout.V.InexactFloat64())
	}},
	{kind: "barrier", build: func(p *PortfolioReader, tr *Trade, row *PortfolioRow, o Option) (Instrument, error) {
		if err := p.needColumn(tr, "barrier_type", "a barrier"); err != nil {
			return nil, err
		}
		if err := p.needColumn(tr, "barrier", "a barrier"); err != nil {
			return nil, err
		}
		kind, err := ParseBarrierKind(row.BarrierType.String())
		if err != nil {
			return nil, p.dec.Errorf("barrier_type", "%v", err)
		}
		if !row.Barrier.Set {
			return nil, p.dec.Errorf("barrier", "want a barrier level, got a blank cell")
		}
		return NewBarrier(o, kind, row.Barrier.V.InexactFloat64(), row.Rebate.V.InexactFloat64())
	}},
	{kind: "asian",
		blankEngine: func(row *PortfolioRow) string {
			if row.Averaging.String() == Arithmetic.String() {
				return MC
			}
			return Analytic
		},
		build: func(p *PortfolioReader, tr *Trade, row *PortfolioRow, o Option) (Instrument, error) {
			if err := p.needColumn(tr, "averaging", "an asian"); err != nil {
				return nil, err
			}
			avg, err := ParseAveraging(row.Averaging.String())
			if err != nil {
				return nil, p.dec.Errorf("averaging", "%v", err)
			}
			return NewAsian(o, avg, int(row.Fixings.V))
		}},
	{kind: "american", build: func(_ *PortfolioReader, _ *Trade, _ *PortfolioRow, o Option) (Instrument, error) {
		return NewAmerican(o)
	}},
	{kind: "basket", several: true,
		blankEngine: func(*PortfolioRow) string { return MC },
		build: func(p *PortfolioReader, tr *Trade, row *PortfolioRow, o Option) (Instrument, error) {
			if err := p.needColumn(tr, "weights", "a basket"); err != nil {
				return nil, err
			}
			assets := strings.Split(row.Underlying.String(), "|")
			if row.Weights.String() == "" {
				return nil, p.dec.Errorf("weights", "want %d weights joined by |, got a blank cell", len(assets))
			}
			ws := strings.Split(row.Weights.String(), "|")
			weights := make([]float64, len(ws))
			for i, w := range ws {
				x, err := decimal.NewFromString(strings.TrimSpace(w))
				if err != nil {
					return nil, p.dec.Errorf("weights", "weight %q: want a number", w)
				}
				weights[i] = x.InexactFloat64()
			}
			return NewBasket(o, assets, weights)
		}},
}

// productKinds lists the kinds of products for errors: "european, ...,
// american or basket".
func productKinds() string {
	var b strings.Builder
	for i, pr := range products {
		switch {
		case i == len(products)-1:
			b.WriteString(" or ")
		case i > 0:
			b.WriteString(", ")
		}
		b.WriteString(pr.kind)
	}
	return b.String()
}

// build turns a decoded row into the trade's instrument and engine; an error
// is a *strictcsv.Error at the offending cell. The reader checks that the
// cells read (a blank cell where a term is needed, a name it does not know,
// a date before the as-of date); the New functions of the instrument and
// the engine check the terms, and the engine's Check whether it prices the
// instrument, each once, their *TermError reported at the term's cell.
func (p *PortfolioReader) build(tr *Trade, row *PortfolioRow) error {
	d := p.dec
	if !row.Quantity.Set {
		return d.Errorf("quantity", "want a number, got a blank cell")
	}
	tr.Quantity = row.Quantity.V
	switch row.Engine.String() {
	case "", Analytic, MC, PDE:
	default:
		return d.Errorf("engine", "engine %q: want analytic, mc, pde or blank", row.Engine.String())
	}
	var typ OptionType
	switch row.OptionType.String() {
	case Call.String():
		typ = Call
	case Put.String():
		typ = Put
	default:
		return d.Errorf("option_type", "want call or put, got %q", row.OptionType.String())
	}
	var prod *product
	for i := range products {
		if products[i].kind == row.Instrument.String() {
			prod = &products[i]
			break
		}
	}
	tr.EngineName = row.Engine.String()
	if tr.EngineName == "" {
		tr.EngineName = Analytic
		if prod != nil && prod.blankEngine != nil {
			tr.EngineName = prod.blankEngine(row)
		}
	}
	if row.Underlying.String() == "" {
		return d.Errorf("underlying", "want an underlying name, got a blank cell")
	}
	if (prod == nil || !prod.several) && strings.Contains(row.Underlying.String(), "|") {
		return d.Errorf("underlying", "%q: only a basket has several underlyings", row.Underlying.String())
	}
	if row.Currency.String() == "" {
		return d.Errorf("currency", "want a currency, got a blank cell")
	}
	if !row.Strike.Set {
		return d.Errorf("strike", "want a number, got a blank cell")
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
	var eng Engine = AnalyticEngine{}
	if tr.EngineName == MC {
		if eng, err = p.mcEngine(row); err != nil {
			return err
		}
	} else if err := noMCColumns(d, row); err != nil {
		return err
	}
	if tr.EngineName == PDE {
		if eng, err = p.pdeEngine(row); err != nil {
			return err
		}
	} else if err := noPDEColumns(d, row); err != nil {
		return err
	}
	if prod == nil {
		return d.Errorf("instrument", "want %s, got %q", productKinds(), row.Instrument.String())
	}
	o := Option{Asset: row.Underlying.String(), Ccy: row.Currency.String(), Type: typ, Strike: row.Strike.V.InexactFloat64(), Expiry: expiry}
	inst, err := prod.build(p, tr, row, o)
	if err == nil {
		err = eng.Check(inst)
	}
	if err != nil {
		return p.termError(err)
	}
	tr.Instrument, tr.Engine = inst, eng
	return nil
}

// termError returns err at the cell of its term, if it is a *TermError
// (and at the instrument cell if not); an error at a cell already is as
// it is.
func (p *PortfolioReader) termError(err error) error {
	var cell *strictcsv.Error
	if errors.As(err, &cell) {
		return err
	}
	var te *TermError
	if errors.As(err, &te) {
		return p.dec.Errorf(te.Term, "%v", te.Err)
	}
	return p.dec.Errorf("instrument", "%v", err)
}

// noMCColumns refuses Monte Carlo settings on a trade not simulated: a
// paths or seed cell there is a mistake, not something to ignore. The model
// cell is also the pde engine's.
func noMCColumns(d *strictcsv.Decoder[PortfolioRow], row *PortfolioRow) error {
	switch {
	case row.Model.String() != "" && row.Engine.String() != PDE:
		return d.Errorf("model", "model %q: only engine=mc and engine=pde trades have a model", row.Model.String())
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

// noPDEColumns refuses a grid on a trade not priced by the pde engine.
func noPDEColumns(d *strictcsv.Decoder[PortfolioRow], row *PortfolioRow) error {
	switch {
	case row.GridSpots.Set:
		return d.Errorf("grid_spots", "only engine=pde trades have a grid")
	case row.GridSteps.Set:
		return d.Errorf("grid_steps", "only engine=pde trades have a grid")
	}
	return nil
}

// pdeEngine reads the grid of a row into its engine. A 0 is a count, not
// the default a blank cell takes.
func (p *PortfolioReader) pdeEngine(row *PortfolioRow) (*PDEEngine, error) {
	d := p.dec
	switch {
	case row.GridSpots.Set && row.GridSpots.V == 0:
		return nil, d.Errorf("grid_spots", "0 grid spots: want %d to %d", MinGridSpots, MaxGridSpots)
	case row.GridSteps.Set && row.GridSteps.V == 0:
		return nil, d.Errorf("grid_steps", "0 grid steps: want 2 to %d", MaxGridSteps)
	case row.GridSpots.V > MaxGridSpots:
		return nil, d.Errorf("grid_spots", "%d grid spots: want %d to %d", row.GridSpots.V, MinGridSpots, MaxGridSpots)
	case row.GridSteps.V > MaxGridSteps:
		return nil, d.Errorf("grid_steps", "%d grid steps: want 2 to %d", row.GridSteps.V, MaxGridSteps)
	}
	model, err := montecarlo.ParseModel(row.Model.String())
	if err != nil {
		return nil, d.Errorf("model", "%v", err)
	}
	e, err := NewPDEEngine(PDESettings{Model: model, Spots: int(row.GridSpots.V), Steps: int(row.GridSteps.V)})
	if err != nil {
		return nil, p.termError(err)
	}
	return e, nil
}

// mcEngine reads the Monte Carlo settings of a row into its engine.
func (p *PortfolioReader) mcEngine(row *PortfolioRow) (*MCEngine, error) {
	d := p.dec
	var set MCSettings
	var err error
	if set.Model, err = montecarlo.ParseModel(row.Model.String()); err != nil {
		return nil, d.Errorf("model", "%v", err)
	}
	// A 0 in a paths or steps cell is a count, not the default that a
	// blank cell (and a zero setting) takes: NewMCEngine would take it.
	switch {
	case row.Paths.Set && row.Paths.V == 0:
		return nil, d.Errorf("paths", "0 paths: want 2 to %d", montecarlo.MaxPaths)
	case row.Steps.Set && row.Steps.V == 0:
		return nil, d.Errorf("steps", "0 steps: want 1 to %d", montecarlo.MaxSteps)
	}
	set.Paths, set.Steps = int(row.Paths.V), int(row.Steps.V)
	if row.Seed.Set {
		if row.Seed.V < 0 {
			return nil, d.Errorf("seed", "seed %d: want a number ≥ 0", row.Seed.V)
		}
		set.Seed, set.SeedSet = uint64(row.Seed.V), true
	}
	if r := row.RNG.String(); r != "" {
		if set.Sequence, err = ParseSequence(r); err != nil {
			return nil, d.Errorf("rng", "%v", err)
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
		return nil, d.Errorf("antithetic", "want true, false or blank, got %q", row.Antithetic.String())
	}
	e, err := NewMCEngine(set)
	if err != nil {
		return nil, p.termError(err)
	}
	return e, nil
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
	return fmt.Sprintf("trade %q (line %d, %s %s)", t.ID, t.Line, t.Instrument.Kind(), t.Instrument.Underlying())
}
