package closedform

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/internal/testutil"
)

// pricer is a pricing function of its inputs in a fixed order, written over
// aad.Number, so that the same code is recorded and bumped.
type pricer func(tp *aad.Tape, in []aad.Number) (aad.Number, error)

// params maps in[0:6] to S, K, T, R, Q, Vol.
func params(in []aad.Number) Params {
	return Params{S: in[0], K: in[1], T: in[2], R: in[3], Q: in[4], Vol: in[5]}
}

// consts returns xs as passive Numbers.
func consts(xs []float64) []aad.Number {
	out := make([]aad.Number, len(xs))
	for i, x := range xs {
		out[i] = aad.Const(x)
	}
	return out
}

// aadGradient records f with every input active and returns its value and
// the gradient from one backward sweep.
func aadGradient(t *testing.T, f pricer, x []float64) (float64, []float64) {
	t.Helper()
	tp := aad.NewTape(0)
	in := make([]aad.Number, len(x))
	for i, v := range x {
		in[i] = tp.Var(v)
	}
	y, err := f(tp, in)
	require.NoError(t, err)
	return y.Value(), tp.Gradient(nil, y, in)
}

// value prices f passively, on a nil tape.
func value(t *testing.T, f pricer, x []float64) float64 {
	t.Helper()
	y, err := f(nil, consts(x))
	require.NoError(t, err, "inputs %v", x)
	return y.Value()
}

// bumpStep is the central-difference step for an input of value x.
func bumpStep(x float64) float64 { return 1e-5 * max(math.Abs(x), 0.1) }

// bumpGradient returns the central bump-and-revalue gradient of f at x, on
// the nil tape, with steps bumpStep(x[i]) unless steps is given.
func bumpGradient(t *testing.T, f pricer, x []float64, steps ...float64) []float64 {
	t.Helper()
	g := make([]float64, len(x))
	xb := append([]float64(nil), x...)
	for i := range x {
		h := bumpStep(x[i])
		if steps != nil {
			h = steps[i]
		}
		xb[i] = x[i] + h
		up := value(t, f, xb)
		xb[i] = x[i] - h
		down := value(t, f, xb)
		xb[i] = x[i]
		g[i] = (up - down) / (2 * h)
	}
	return g
}

// checkAgainstBump checks the AAD gradient of f against central
// bump-and-revalue: relative 1e-6 with an absolute floor of 1e-7 times
// scale (the size of the price).
func checkAgainstBump(t *testing.T, f pricer, x []float64, names []string, scale float64, steps ...float64) {
	t.Helper()
	v, g := aadGradient(t, f, x)
	testutil.Near(t, v, value(t, f, x), 1e-15, 0, "value on a tape and on a nil tape")
	bump := bumpGradient(t, f, x, steps...)
	for i := range x {
		testutil.Near(t, g[i], bump[i], 1e-6, 1e-7*scale, "∂/∂%s at %v: got %v (AAD), want %v (bump)", names[i], x, g[i], bump[i])
	}
}

// table is a CSV table of testdata/reference, one map per row.
func table(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "reference", name))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Greater(t, len(recs), 1, "%s has no rows", name)
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
	return rows
}

// num reads a number column of a reference row.
func num(t *testing.T, row map[string]string, col string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(row[col], 64)
	require.NoError(t, err, "column %s", col)
	return v
}

var inputNames = []string{"S", "K", "T", "R", "Q", "Vol", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15"}

// checked turns a non-finite result of a formula without an error result
// into ErrNotFinite, so that every formula fits pricer.
func checked(v aad.Number) (aad.Number, error) {
	if !finite(v.Value()) {
		return v, ErrNotFinite
	}
	return v, nil
}

// typeOf returns Call for true and Put for false: the tests loop over
// call bool, which the helpers (sign, bsTextbook) take.
func typeOf(call bool) OptionType {
	if call {
		return Call
	}
	return Put
}
