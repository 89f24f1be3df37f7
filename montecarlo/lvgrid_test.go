package montecarlo

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
)

// TestLocalVolGridForwardVols: on a surface flat in strike with a term
// structure of vol, Dupire's local vol is the forward vol of each step at
// every node; the grid is centred on the spot, its weights interpolate as
// the model's and reach the node held beyond the grid; bad times are
// errors.
func TestLocalVolGridForwardVols(t *testing.T) {
	m := dupireMarket(t, "SPOT,ACME,,,100\nRATE,USD,1Y,,0.03\nDIVYIELD,ACME,1Y,,0.01\nVOL,ACME,6M,,0.2\nVOL,ACME,1Y,,0.3\n")
	sc, ref := m.NewScope(), m.NewScope()
	sc.Reset(nil)
	ref.Reset(nil)
	times := []float64{0, 0.25, 0.5, 0.75, 1}
	tt, dt := make([]aad.Number, len(times)), make([]aad.Number, len(times))
	for i := 1; i < len(times); i++ {
		tt[i], dt[i] = aad.Const(times[i]), aad.Const(times[i]-times[i-1])
	}
	g, err := NewLocalVolGrid(sc, ref, "ACME", "USD", times, tt, dt)
	require.NoError(t, err)
	require.Empty(t, g.Floored)
	require.Len(t, g.Vol, 4*LocalVolNodes)
	fwd := math.Sqrt((0.09*1 - 0.04*0.5) / 0.5)
	for i, want := range []float64{0.2, 0.2, fwd, fwd} {
		tol := 1e-12
		if i == 0 {
			tol = 1e-6 // the first step's variance is from dupireMinTime
		}
		for k := range LocalVolNodes {
			assert.InDelta(t, want, g.Vol[i*LocalVolNodes+k].Value(), tol, "step %d node %d", i+1, k)
		}
	}
	mid := g.X0 + (LocalVolNodes-1)*g.DX/2
	assert.InDelta(t, math.Log(100), mid, 1e-12)
	mdl := &lvModel{x0: g.X0, dx: g.DX}
	vals := make([]float64, LocalVolNodes)
	for k := range vals {
		vals[k] = 0.1 + 0.01*float64(k%7)
	}
	for _, lx := range []float64{g.X0 - 1, g.X0 + 0.3*g.DX, math.Log(100), math.Log(101.3), g.X0 + 58.6*g.DX, g.X0 + 70*g.DX} {
		want, _, _ := lvInterp(mdl, vals, lx)
		j, w := g.Weights(lx)
		assert.InDelta(t, want, w[0]*vals[j]+w[1]*vals[j+1]+w[2]*vals[j+2]+w[3]*vals[j+3], 1e-15, "lx %v", lx)
	}
	_, err = NewLocalVolGrid(sc, ref, "ACME", "USD", []float64{0, 1, 0.5}, tt[:3], dt[:3])
	assert.Error(t, err)
	_, err = NewLocalVolGrid(sc, ref, "ACME", "USD", times[1:], tt[1:], dt[1:])
	assert.Error(t, err)
	_, err = NewLocalVolGrid(sc, ref, "NOPE", "USD", times, tt, dt)
	assert.Error(t, err)
}
