package reports

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing"
)

// The names of the output files in the output directory.
const (
	ResultsFile       = "results.csv"
	SensitivitiesFile = "sensitivities.csv"
	RiskFile          = "risk.csv"
	ValidationFile    = "validation.csv"
	ManifestFile      = "manifest.json"
)

// The header lines of the CSV files (SPEC.md §6).
const (
	resultsHeader = "trade_id,instrument,engine,status,pv,std_error,delta,gamma,vega,rho,div_rho,theta,vanna,volga," +
		"delta_std_error,gamma_std_error,vega_std_error,rho_std_error,div_rho_std_error,theta_std_error," +
		"vanna_std_error,volga_std_error,error\n"
	sensitivitiesHeader = "trade_id,risk_factor,sensitivity,std_error\n"
	riskHeader          = "risk_factor,currency,sensitivity\n"
	validationHeader    = "trade_id,risk_factor,check,aad,bump,abs_diff,rel_diff,tolerance,std_error,z,status\n"
)

// flushSize is the size at which a file's buffer is written out. Rows are
// appended to the buffer and it is written only between trades, so it may
// exceed flushSize by one trade's rows.
const flushSize = 1 << 18

// WriterSettings configure a Writer.
type WriterSettings struct {
	// Validation makes the Writer write validation.csv (aadrisk validate);
	// without it AddValidation is an error.
	Validation bool
	// SecondOrder makes the Writer write second_order.csv and
	// risk_second_order.csv (--second-order) from the Results' Second;
	// without it a Result with second-order figures is an error.
	SecondOrder bool
}

// Writer writes the output files of one run into a directory, each
// atomically: every file goes to a temporary file in the directory, and
// Commit flushes, fsyncs and renames them all into place; Abort removes the
// temporaries. Until Commit nothing is visible under the final names, so an
// interrupted run never leaves half-written results, and a run that decides
// to write nothing (--strict with a failed trade) calls Abort.
//
// The rows are streamed: Add formats a trade's rows into large buffers that
// go to disk as they fill, and the only state that grows with the run is one
// exact running sum per risk factor, for risk.csv.
//
// A Writer is not safe for concurrent use: one goroutine adds the results,
// in input order.
type Writer struct {
	dir  string
	lock *os.File // the directory's lock (nil where there is none)

	results, sens, risk, valid, manifest *tempFile
	// second and riskSecond are second_order.csv and
	// risk_second_order.csv, with WriterSettings.SecondOrder.
	second, riskSecond *tempFile
	secondTotals       map[secondID]*secondTotal

	// factors holds, for every risk factor and currency met in an ok
	// trade, the exact running sum of the sensitivities in that currency:
	// sensitivities in different currencies are never added.
	factors map[riskID]*riskTotal
	// rows is Add's scratch.
	rows Rows

	ok, failed int
	lastLine   int

	state writerState
}

type writerState uint8

const (
	stateOpen writerState = iota
	stateCommitted
	stateAborted
)

// ErrLocked is returned by NewWriter for a directory another Writer (in
// this process or another) holds: a Writer locks its directory from
// NewWriter to Commit or Abort (on Unix, flock(2) on the directory, which
// the system releases when the process ends, however it ends).
var ErrLocked = errors.New("another aadrisk run is writing to this directory")

// NewWriter creates dir if needed (with its parents), takes its lock
// (ErrLocked if another run holds it: one run writes to a directory at a
// time), removes the temporary files that a run killed before it could
// clean up (kill -9) left there, and creates the temporary files of a run
// in it.
func NewWriter(dir string, opts WriterSettings) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("reports: creating the output directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	if err := removeStale(dir); err != nil {
		unlock(lock)
		return nil, err
	}
	w := &Writer{dir: dir, lock: lock, factors: make(map[riskID]*riskTotal)}
	open := func(final, header string, bufSize int) *tempFile {
		if err != nil {
			return nil
		}
		var t *tempFile
		t, err = createTemp(dir, final, bufSize)
		if t != nil {
			t.buf = append(t.buf, header...)
		}
		return t
	}
	// The buffers are written out at flushSize, between trades, so they get
	// room for one large trade more.
	const bufSize = flushSize + flushSize/4
	w.results = open(ResultsFile, resultsHeader, bufSize)
	w.sens = open(SensitivitiesFile, sensitivitiesHeader, bufSize)
	w.risk = open(RiskFile, riskHeader, bufSize)
	if opts.Validation {
		w.valid = open(ValidationFile, validationHeader, bufSize)
	}
	if opts.SecondOrder {
		w.second = open(SecondOrderFile, secondOrderHeader, bufSize)
		w.riskSecond = open(RiskSecondOrderFile, riskSecondOrderHeader, bufSize)
		w.secondTotals = make(map[secondID]*secondTotal)
	}
	w.manifest = open(ManifestFile, "", 4096)
	if err != nil {
		w.removeTemps()
		unlock(lock)
		return nil, err
	}
	return w, nil
}

// unlock releases a directory's lock (nil: none).
func unlock(f *os.File) {
	if f != nil {
		f.Close()
	}
}

// Counts returns the numbers of ok and failed trades added so far.
func (w *Writer) Counts() (ok, failed int) { return w.ok, w.failed }

// Add writes the rows of one trade: its row of results.csv and, for an ok
// trade, its rows of sensitivities.csv (in the order of r.Sens), and adds
// its sensitivities to the totals of risk.csv in r.Currency, the trade's
// currency. Results must be added in the
// order of the portfolio; a Result with a Line (not 0) that does not come
// after the previous one is refused.
//
// A failed trade (r.Err != nil) gets status "error", blank figures and
// r.Err's message; any figures it carries are ignored.
//
// A NaN or an infinity is never written. The engine turns a non-finite
// result into a trade error before it gets here, so this is the last line
// of defence: Add returns an error naming the trade and the field, and
// writes nothing for that trade; the Writer remains usable.
//
// Add is Rows.Format followed by AddRows.
func (w *Writer) Add(r *pricing.Result) error {
	if err := w.usable(); err != nil {
		return err
	}
	if err := w.rows.Format(r); err != nil {
		return err
	}
	return w.AddRows(&w.rows)
}

// AddRows writes one trade's rows, formatted beforehand by Rows.Format, and
// adds its sensitivities to the totals of risk.csv: the same as Add, but
// the formatting, which is most of Add's cost, can be done by the goroutine
// that priced the trade, in parallel, leaving to the goroutine that writes
// in input order only copying bytes and adding up. AddRows copies what it
// needs and marks rw as added (adding it again is an error): rw can be
// formatted again when it returns.
func (w *Writer) AddRows(rw *Rows) error {
	if err := w.usable(); err != nil {
		return err
	}
	if !rw.set {
		return errors.New("reports: AddRows of Rows that were not formatted")
	}
	if rw.line != 0 && rw.line <= w.lastLine {
		return fmt.Errorf("reports: trade %q (line %d) added after line %d: results must come in input order", rw.tradeID, rw.line, w.lastLine)
	}
	if rw.line != 0 {
		w.lastLine = rw.line
	}
	rw.set = false // added once
	w.results.buf = append(w.results.buf, rw.results...)
	w.results.rows++
	if !rw.ok {
		w.failed++
		return w.flushFull()
	}
	if len(rw.second) > 0 && w.second == nil {
		return fmt.Errorf("reports: trade %q has second-order figures, and the writer has no WriterSettings.SecondOrder", rw.tradeID)
	}
	w.ok++
	if w.second != nil {
		w.addSecond(rw.tradeID, rw.currency, rw.second)
	}
	w.sens.buf = append(w.sens.buf, rw.sens...)
	w.sens.rows += len(rw.factors)
	for i, k := range rw.factors {
		id := riskID{k.String(), rw.currency}
		f := w.factors[id]
		if f == nil {
			f = &riskTotal{key: riskKey{k, rw.currency}}
			w.factors[id] = f
		}
		f.sum.addFrom(rw.tradeID, rw.values[i])
	}
	return w.flushFull()
}

// AddValidation writes rows of validation.csv, in the order given. It is an
// error without WriterSettings.Validation. Like Add, it refuses a NaN or an
// infinity, writing none of the rows.
func (w *Writer) AddValidation(v []pricing.Validation) error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.valid == nil {
		return errors.New("reports: AddValidation on a writer without WriterSettings.Validation")
	}
	for i := range v {
		if err := checkValidation(&v[i]); err != nil {
			return err
		}
	}
	b := w.valid.buf
	for i := range v {
		x := &v[i]
		b = appendText(b, x.TradeID)
		b = append(b, ',')
		b = appendText(b, x.RiskFactor)
		b = append(b, ',')
		b = appendText(b, x.Check)
		for _, n := range [...]float64{x.AAD, x.Bump, x.AbsDiff, x.RelDiff, x.Tolerance} {
			b = append(b, ',')
			b = appendNumOK(b, n)
		}
		b = append(b, ',')
		if x.HasStdError {
			b = appendNumOK(b, x.StdError)
			b = append(b, ',')
			b = appendNumOK(b, x.Z)
		} else {
			b = append(b, ',')
		}
		if x.OK {
			b = append(b, ",ok\n"...)
		} else {
			b = append(b, ",fail\n"...)
		}
	}
	w.valid.buf = b
	w.valid.rows += len(v)
	return w.flushFull()
}

// Commit completes the run: it writes risk.csv (one row per risk factor
// and currency of the ok trades, sorted by risk factor in the ladder order
// of marketdata.CompareKeys at m's as-of date, then by currency in byte
// order) and manifest.json, flushes and
// fsyncs every file, and renames them into place, manifest.json last and
// after removing any manifest.json of an earlier run, so that a directory
// holding a manifest.json holds the complete output of the run it
// describes. Commit sets m.TradesOK, m.TradesFailed, m.Files and
// m.Outputs.
//
// Each figure of risk.csv is the exact sum of the sensitivities to that
// factor of the trades in that currency, rounded once to the nearest
// float64 (figures in different currencies are never added): it does not
// depend on
// the order of the trades, nor on how a batch was sharded. A total beyond
// the float64 range is refused like a NaN.
//
// Commit can be called once. When it fails, the temporary files that were
// not yet renamed are removed; the directory then has no manifest.json.
func (w *Writer) Commit(m *Manifest) (err error) {
	if err := w.usable(); err != nil {
		return err
	}
	if m == nil {
		return errors.New("reports: Commit with a nil manifest")
	}
	if err := m.check(); err != nil {
		return err
	}
	w.state = stateCommitted
	defer func() {
		if err != nil {
			w.removeTemps()
		}
		unlock(w.lock)
	}()

	asof, _ := time.Parse(time.DateOnly, m.AsOf) // m.check checked it
	if err := w.writeRisk(asof); err != nil {
		return err
	}
	if w.riskSecond != nil {
		if err := w.writeRiskSecond(asof); err != nil {
			return err
		}
	}
	m.TradesOK, m.TradesFailed = w.ok, w.failed
	m.Files = make([]string, 0, 4)
	m.Outputs = make([]OutputFile, 0, 4)
	for _, t := range w.dataFiles() {
		m.Files = append(m.Files, filepath.Base(t.final))
		m.Outputs = append(m.Outputs, t.summary())
	}
	data, err := m.marshal()
	if err != nil {
		return err
	}
	w.manifest.buf = append(w.manifest.buf, data...)

	for _, t := range w.files() {
		if err := t.finish(); err != nil {
			return err
		}
	}
	if err := os.Remove(w.manifest.final); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("reports: removing the previous manifest: %w", err)
	}
	if err := syncDir(w.dir); err != nil {
		return err
	}
	for _, t := range w.dataFiles() {
		if err := t.rename(); err != nil {
			return err
		}
	}
	if err := syncDir(w.dir); err != nil {
		return err
	}
	if err := w.manifest.rename(); err != nil {
		return err
	}
	return syncDir(w.dir)
}

// Abort removes the temporary files and leaves the directory as it was
// (apart from creating it). It may be called any number of times, and after
// Commit, where it does nothing: `defer w.Abort()` is the usual way to clean
// up on every error path.
func (w *Writer) Abort() error {
	if w.state != stateOpen {
		return nil
	}
	w.state = stateAborted
	err := w.removeTemps()
	unlock(w.lock)
	return err
}

func (w *Writer) usable() error {
	switch w.state {
	case stateCommitted:
		return errors.New("reports: Commit already called")
	case stateAborted:
		return errors.New("reports: writer aborted")
	}
	// A write error is sticky in its file (tempFile.err).
	for _, t := range [...]*tempFile{w.results, w.sens, w.valid, w.second} {
		if t != nil && t.err != nil {
			return t.err
		}
	}
	return nil
}

// writeRisk appends the rows of risk.csv, in the order of sortRisk.
func (w *Writer) writeRisk(asof time.Time) error {
	keys := make([]riskKey, 0, len(w.factors))
	for _, f := range w.factors {
		keys = append(keys, f.key)
	}
	sortRisk(keys, asof)
	t := w.risk
	t.rows = len(keys)
	for _, k := range keys {
		v := w.factors[k.id()].sum.value()
		var ok bool
		t.buf = appendText(t.buf, k.factor.String())
		t.buf = append(t.buf, ',')
		t.buf = appendText(t.buf, k.currency)
		t.buf = append(t.buf, ',')
		if t.buf, ok = appendNum(t.buf, v); !ok {
			return fmt.Errorf("reports: risk factor %q in %q: portfolio sensitivity %v (%s): %w", k.factor.String(), k.currency, v, w.factors[k.id()].sum.largest(), errNonFinite)
		}
		t.buf = append(t.buf, '\n')
		if len(t.buf) >= flushSize {
			if err := t.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// riskTotal is a row of risk.csv being summed.
type riskTotal struct {
	key riskKey
	sum tradeSum
}

// flushFull writes out the buffers that have reached flushSize.
func (w *Writer) flushFull() error {
	for _, t := range [...]*tempFile{w.results, w.sens, w.valid, w.second} {
		if t != nil && len(t.buf) >= flushSize {
			if err := t.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// dataFiles are the output files but the manifest, in a fixed order.
func (w *Writer) dataFiles() []*tempFile {
	fs := []*tempFile{w.results, w.sens, w.risk}
	if w.valid != nil {
		fs = append(fs, w.valid)
	}
	if w.second != nil {
		fs = append(fs, w.second, w.riskSecond)
	}
	return fs
}

func (w *Writer) files() []*tempFile {
	return append(w.dataFiles(), w.manifest)
}

// removeTemps closes and removes the temporary files that remain, and
// returns the first error.
func (w *Writer) removeTemps() error {
	var first error
	for _, t := range [...]*tempFile{w.results, w.sens, w.risk, w.valid, w.second, w.riskSecond, w.manifest} {
		if t == nil {
			continue
		}
		if err := t.remove(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// checkResult checks every figure of an ok result that is written.
func checkResult(r *pricing.Result) error {
	if err := checkFigures(r); err != nil {
		return err
	}
	if err := checkSecond(r); err != nil {
		return err
	}
	for i := range r.Sens {
		s := &r.Sens[i]
		if s.RiskFactor == (marketdata.Key{}) {
			return fmt.Errorf("reports: trade %q: sensitivity %d has no risk factor", r.TradeID, i)
		}
		if !finite(s.Value) {
			return nonFinite(r.TradeID, s.RiskFactor.String(), "sensitivity", s.Value)
		}
		if s.HasStdError && !finite(s.StdError) {
			return nonFinite(r.TradeID, s.RiskFactor.String(), "std_error", s.StdError)
		}
	}
	return nil
}

// checkFigures checks the figures of results.csv.
func checkFigures(r *pricing.Result) error {
	nums := [...]struct {
		name    string
		v       float64
		written bool
	}{
		{"pv", r.PV, true},
		{"std_error", r.StdError, r.HasStdError},
		{"delta", r.Delta, r.HasDelta},
		{"gamma", r.Gamma, r.HasDelta},
		{"vega", r.Vega, true},
		{"rho", r.Rho, true},
		{"div_rho", r.DivRho, true},
		{"theta", r.Theta, true},
		{"vanna", r.Vanna, r.HasDelta},
		{"volga", r.Volga, true},
		{"delta_std_error", r.DeltaStdError, r.HasStdError && r.HasDelta},
		{"gamma_std_error", r.GammaStdError, r.HasStdError && r.HasDelta},
		{"vega_std_error", r.VegaStdError, r.HasStdError},
		{"rho_std_error", r.RhoStdError, r.HasStdError},
		{"div_rho_std_error", r.DivRhoStdError, r.HasStdError},
		{"theta_std_error", r.ThetaStdError, r.HasStdError},
		{"vanna_std_error", r.VannaStdError, r.HasStdError && r.HasDelta},
		{"volga_std_error", r.VolgaStdError, r.HasStdError},
	}
	for _, n := range nums {
		if n.written && !finite(n.v) {
			return nonFinite(r.TradeID, "", n.name, n.v)
		}
	}
	return nil
}

func checkValidation(v *pricing.Validation) error {
	switch v.Check {
	case pricing.CheckBump, pricing.CheckSameRN, pricing.CheckRevaluation:
	default:
		return fmt.Errorf("reports: trade %q, %s: check %q: want %q, %q or %q", v.TradeID, v.RiskFactor, v.Check, pricing.CheckBump, pricing.CheckSameRN, pricing.CheckRevaluation)
	}
	nums := [...]struct {
		name string
		v    float64
	}{
		{"aad", v.AAD}, {"bump", v.Bump}, {"abs_diff", v.AbsDiff}, {"rel_diff", v.RelDiff}, {"tolerance", v.Tolerance},
		{"std_error", v.StdError}, {"z", v.Z},
	}
	for _, n := range nums {
		if !finite(n.v) {
			return nonFinite(v.TradeID, v.RiskFactor, n.name, n.v)
		}
	}
	return nil
}

// finite reports whether v is neither a NaN nor an infinity.
func finite(v float64) bool { return v-v == 0 }

// nonFinite is the error that refuses to write v.
func nonFinite(trade, factor, field string, v float64) error {
	where := fmt.Sprintf("trade %q", trade)
	if factor != "" {
		where += fmt.Sprintf(", risk factor %q", factor)
	}
	return fmt.Errorf("reports: %s: %s is %v: %w", where, field, v, errNonFinite)
}

// appendNumOK appends a number already checked to be finite.
func appendNumOK(b []byte, v float64) []byte {
	b, _ = appendNum(b, v)
	return b
}
