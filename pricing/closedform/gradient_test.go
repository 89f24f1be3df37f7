package closedform

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
)

// TestEuropeanGradientIsTheRecordedStatement: EuropeanGradient gives the
// value (bit for bit) and the gradient (as numbers: a sweep's sum turns −0
// into +0) that European recorded on a tape gives, over calls and puts with inputs spread wide (zero vol and tiny
// expiries included); invalid inputs give NaN everywhere.
func TestEuropeanGradientIsTheRecordedStatement(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	tp := aad.NewTape(0)
	var in [6]aad.Number
	for i := range 20_000 {
		typ := Call
		if i%2 == 1 {
			typ = Put
		}
		s := 10 + 190*rng.Float64()
		x := [6]float64{s, s * (0.5 + rng.Float64()), 1e-4 + 5*rng.Float64(), -0.02 + 0.1*rng.Float64(), 0.06 * rng.Float64(), 0.8 * rng.Float64()}
		if i%97 == 0 {
			x[5] = 0
		}
		tp.Reset()
		tp.Vars(in[:], x[:]...)
		v := European(tp, typ, Params{S: in[0], K: in[1], T: in[2], R: in[3], Q: in[4], Vol: in[5]})
		want := tp.Gradient(nil, v, in[:])
		got, d := EuropeanGradient(typ, x[0], x[1], x[2], x[3], x[4], x[5])
		require.Equal(t, math.Float64bits(v.Value()), math.Float64bits(got), "value %v", x)
		for j, g := range []float64{d.S, d.K, d.T, d.R, d.Q, d.Vol} {
			// == rather than bits: the sweep adds the partial to a zero
			// adjoint, which turns −0 into +0
			require.True(t, want[j] == g, "partial %d at %v: %v swept, %v direct", j, x, want[j], g)
		}
	}
	for _, bad := range [][6]float64{{-1, 100, 1, 0, 0, 0.2}, {100, 100, 0, 0, 0, 0.2}, {100, 100, 1, math.NaN(), 0, 0.2}, {100, 100, 1, 0, 0, -0.1}} {
		v, d := EuropeanGradient(Call, bad[0], bad[1], bad[2], bad[3], bad[4], bad[5])
		assert.True(t, math.IsNaN(v) && math.IsNaN(d.S) && math.IsNaN(d.Vol), "%v", bad)
	}
	v, _ := EuropeanGradient(OptionType(9), 100, 100, 1, 0, 0, 0.2)
	assert.True(t, math.IsNaN(v))
}
