package reports

import (
	"sync"

	"github.com/aadrisk/aadrisk/pricing"
)

// Sink takes each priced trade of a run, in input order, to the outputs the
// run has: the result files (a Writer), the HTML report (a Report) and the
// readable summary (a Summary), any of which may be nil; and it counts the
// trades and the validation figures. `aadrisk price`, `validate` and `merge`
// all hand their trades to a Sink, so that a merged batch goes through the
// same code as the run it reproduces. It lives here, beside the outputs it
// feeds, rather than in batch: an unsharded run uses it too.
//
// Formatting a trade's rows for the Writer is most of the cost of writing
// it. Format does it on any goroutine (the one that priced or read the
// trade, in parallel with the others), and Add, on the one goroutine that
// keeps the input order, is left copying bytes and adding up. A Sink is
// not safe for concurrent use, apart from Format.
type Sink struct {
	w       *Writer
	report  *Report
	summary *Summary
	rows    sync.Pool // of *Rows, from Format back to it once added
	counts  Counts
}

// Counts are what a Sink was given: trades ok and failed, and validation
// figures checked and outside tolerance.
type Counts struct {
	OK, Failed             int
	Figures, FiguresFailed int
}

// Formatted is one trade's rows of results.csv and sensitivities.csv as
// Sink.Format prepared them, for Sink.Add; the zero value is a trade not
// yet formatted.
type Formatted struct {
	rows *Rows
	err  error
}

// Err is the error of Format: a figure of the trade that cannot be
// written, which Add returns too.
func (f Formatted) Err() error { return f.err }

// NewSink returns a Sink into w, report and summary, each nil when the run
// does not have it.
func NewSink(w *Writer, report *Report, summary *Summary) *Sink {
	return &Sink{w: w, report: report, summary: summary, rows: sync.Pool{New: func() any { return new(Rows) }}}
}

// Format formats r's rows for the Writer (Rows.Format), or does nothing
// without one. It may be called from any goroutine; its error, a figure
// that cannot be written, is Add's.
func (s *Sink) Format(r *pricing.Result) Formatted {
	if s.w == nil {
		return Formatted{}
	}
	rw := s.rows.Get().(*Rows)
	if err := rw.Format(r); err != nil {
		s.rows.Put(rw)
		return Formatted{err: err}
	}
	return Formatted{rows: rw}
}

// Add counts one trade and hands it to every output: p.Result to the
// report and the summary, f (Format's rows of p.Result; formatted here if
// it is the zero Formatted) to the Writer, and p.Validation to the report
// and, when it writes validation.csv, the Writer. The trade's sensitivities
// are summed in risk.csv in p.Result.Currency as it is now, which a result
// read back from results.csv (which has no currency) gets after Format.
func (s *Sink) Add(p pricing.Priced, f Formatted) error {
	s.count(p)
	defer s.release(f)
	r := p.Result
	if s.report != nil {
		if err := s.report.Add(r); err != nil {
			return err
		}
		if err := s.report.AddValidation(p.Validation); err != nil {
			return err
		}
	}
	if s.w != nil {
		if f.rows == nil && f.err == nil {
			f = s.Format(r)
			defer s.release(f)
		}
		if f.err != nil {
			return f.err
		}
		f.rows.SetCurrency(r.Currency)
		if err := s.w.AddRows(f.rows); err != nil {
			return err
		}
		if s.w.valid != nil {
			if err := s.w.AddValidation(p.Validation); err != nil {
				return err
			}
		}
	}
	if s.summary != nil {
		return s.summary.Add(r)
	}
	return nil
}

// Skip counts one trade without writing it anywhere, for a run that will
// write nothing (`--strict` once a trade failed), and releases f.
func (s *Sink) Skip(p pricing.Priced, f Formatted) {
	s.count(p)
	s.release(f)
}

// NeedsResults reports whether Add reads more of a Result than its
// Formatted rows carry (its sensitivities, for the report) or keeps it
// (the summary): a caller that reuses its Results between Format and Add
// must then give Add a copy.
func (s *Sink) NeedsResults() bool { return s.report != nil || s.summary != nil }

// Counts returns the counts of the trades added or skipped so far.
func (s *Sink) Counts() Counts { return s.counts }

func (s *Sink) count(p pricing.Priced) {
	if p.Result.Err != nil {
		s.counts.Failed++
	} else {
		s.counts.OK++
	}
	for _, v := range p.Validation {
		s.counts.Figures++
		if !v.OK {
			s.counts.FiguresFailed++
		}
	}
}

// release gives f's Rows back for another trade's Format.
func (s *Sink) release(f Formatted) {
	if f.rows != nil {
		s.rows.Put(f.rows)
	}
}
