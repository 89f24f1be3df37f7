package batch

import (
	"io"

	"github.com/aadrisk/aadrisk/pricing"
	"github.com/aadrisk/aadrisk/reports"
)

// peeker reads rows ahead by one, so that a trade's rows can be taken while
// they are the trade's.
type peeker[T any] struct {
	next func(*T) error
	line func() int
	file string
	row  T
	have bool  // row is read and not yet taken
	err  error // io.EOF or the error that ended the file
}

// peek returns the next row without taking it; io.EOF at the end.
func (p *peeker[T]) peek() (*T, error) {
	if !p.have && p.err == nil {
		if err := p.next(&p.row); err != nil {
			p.err = err
		} else {
			p.have = true
		}
	}
	if p.have {
		return &p.row, nil
	}
	return nil, p.err
}

func (p *peeker[T]) take() { p.have = false }

func sensID(x *reports.SensitivityRow) string   { return x.TradeID }
func validID(v *pricing.Validation) string      { return v.TradeID }
func secondID(x *reports.SecondOrderRow) string { return x.TradeID }

// takeRows takes the rows at the head of p that belong to trade id (idOf
// gives a row's).
func takeRows[T any](p *peeker[T], id string, s *shardDir, idOf func(*T) string, use func(*T)) error {
	for {
		row, err := p.peek()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return refuse(ErrDamaged, s.dir, "%s: %w", s.name(), err)
		}
		if idOf(row) != id {
			return nil
		}
		use(row)
		p.take()
	}
}

// leftovers refuses, at the end of results.csv, a row of
// sensitivities.csv, validation.csv or second_order.csv that no trade took.
func (s *shardDir) leftovers(validate bool) error {
	if err := leftover(&s.sens, s, sensID); err != nil {
		return err
	}
	if validate {
		if err := leftover(&s.valid, s, validID); err != nil {
			return err
		}
	}
	if s.man.SecondOrder {
		return leftover(&s.second, s, secondID)
	}
	return nil
}

// leftover refuses a row of p that was not taken.
func leftover[T any](p *peeker[T], s *shardDir, id func(*T) string) error {
	row, err := p.peek()
	switch {
	case err == io.EOF:
		return nil
	case err != nil:
		return refuse(ErrDamaged, s.dir, "%s: %w", s.name(), err)
	}
	return refuse(ErrDamaged, s.dir, "%s: %s:%d: a row of trade %q that is not with that trade's row of %s (not an ok trade of the shard, or out of order): the shard is damaged", s.name(), p.file, p.line(), id(row), reports.ResultsFile)
}
