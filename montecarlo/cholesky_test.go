package montecarlo

import (
	"testing"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/stretchr/testify/assert"
)

// corrMatrix returns the n×n correlation matrix with 1 on the diagonal and
// the given pairs' correlations, as passive Numbers.
func corrMatrix(n int, pairs map[[2]int]float64) []aad.Number {
	c := make([]aad.Number, n*n)
	for i := range n {
		c[i*n+i] = aad.Const(1)
	}
	for p, v := range pairs {
		c[p[0]*n+p[1]], c[p[1]*n+p[0]] = aad.Const(v), aad.Const(v)
	}
	return c
}

func TestCholeskyPSD(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     int
		pairs map[[2]int]float64
		psd   bool
	}{
		{"uncorrelated", 3, nil, true},
		{"correlated", 3, map[[2]int]float64{{0, 1}: 0.5, {0, 2}: 0.2}, true},
		// Perfectly correlated names: singular, but positive semi-definite.
		{"singular", 3, map[[2]int]float64{{0, 1}: 1, {0, 2}: 0.5, {1, 2}: 0.5}, true},
		// Three names cannot be so correlated.
		{"negative pivot", 3, map[[2]int]float64{{0, 1}: 0.9, {0, 2}: 0.9, {1, 2}: -0.9}, false},
		// 0 and 1 are the same name, but 2 is correlated differently with
		// each: the zero pivot's column is not zero below it.
		{"zero pivot, column not zero", 3, map[[2]int]float64{{0, 1}: 1, {1, 2}: 0.4, {0, 2}: 0.5}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := make([]aad.Number, tc.n*tc.n)
			err := cholesky(nil, corrMatrix(tc.n, tc.pairs), tc.n, l, []string{"P", "Q", "R"})
			if tc.psd {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, "correlation matrix of P|Q|R is not positive semi-definite")
		})
	}
}
