package montecarlo

import (
	"fmt"
	"math"
	"strings"

	"github.com/aadrisk/aadrisk/aad"
)

// psdTolerance is how far below zero a pivot of the Cholesky factorisation
// may fall, from rounding, in a matrix still taken as positive
// semi-definite; a pivot within it of zero makes a zero column.
const psdTolerance = 1e-12

// cholesky records on tp the lower-triangular factor L of the n×n
// correlation matrix c (row-major, c[i*n+j]), with L·Lᵀ = c, into l
// (row-major, zero above the diagonal). A pivot within psdTolerance of zero
// (a singular but positive semi-definite matrix, such as a correlation of
// exactly 1) gives a zero column below it, with no derivative through it.
// It returns an error naming the underlyings if c is not positive
// semi-definite.
func cholesky(tp *aad.Tape, c []aad.Number, n int, l []aad.Number, names []string) error {
	clear(l[:n*n])
	for j := range n {
		row := l[j*n : j*n+j]
		d := c[j*n+j]
		if j > 0 {
			d = tp.Sub(d, tp.Dot(row, row))
		}
		switch {
		case d.Value() < -psdTolerance || math.IsNaN(d.Value()):
			return fmt.Errorf("correlation matrix of %s is not positive semi-definite", strings.Join(names, "|"))
		case d.Value() <= psdTolerance:
			// A zero pivot: the column is zero, and in a positive
			// semi-definite matrix so is what remains of it below.
			for i := j + 1; i < n; i++ {
				s := c[i*n+j].Value()
				for k := range j {
					s -= l[i*n+k].Value() * row[k].Value()
				}
				if math.Abs(s) > 1e-8 {
					return fmt.Errorf("correlation matrix of %s is not positive semi-definite", strings.Join(names, "|"))
				}
			}
			continue
		}
		ljj := tp.Sqrt(d)
		l[j*n+j] = ljj
		for i := j + 1; i < n; i++ {
			s := c[i*n+j]
			if j > 0 {
				s = tp.Sub(s, tp.Dot(l[i*n:i*n+j], row))
			}
			l[i*n+j] = tp.Div(s, ljj)
		}
	}
	return nil
}
