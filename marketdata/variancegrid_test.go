package marketdata

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
)

// TestVarianceGridMatchesTotalVariance reads every test surface through a
// VarianceGrid at all the test strikes, one time after another (before,
// on, between and after the pillars), and checks W, DK and DKK against
// TotalVariance's at the same point (DT is left zero): the value bit for bit, recorded and
// passive, and its gradient in every quote and in the time, with the
// valuation time active, to 1e-13 relative (the sums run in another
// order). On a surface of a dozen strikes an expiry the grid's tape is
// less than half the point reads'.
func TestVarianceGridMatchesTotalVariance(t *testing.T) {
	m := tvMarket(t)
	gridTape, pointTape := aad.NewTape(0), aad.NewTape(0)
	gs, ps := m.NewScope(), m.NewScope()
	for _, sf := range tvSurfaces() {
		ks := sf.strikes()
		gridTape.Reset()
		gs.Reset(gridTape)
		vg, err := gs.NewVarianceGrid(sf.name, ks)
		require.NoError(t, err)
		pas := m.NewScope()
		pas.Reset(nil)
		pg, err := pas.NewVarianceGrid(sf.name, ks)
		require.NoError(t, err)
		dst, pdst := make([]TotalVariance, len(ks)), make([]TotalVariance, len(ks))
		pointBytes := 0
		for _, tau := range append([]float64{1e-6}, sf.times()...) {
			got, err := vg.At(dst, gs.Time(tau))
			require.NoError(t, err)
			passive, err := pg.At(pdst, aad.Const(tau))
			require.NoError(t, err)
			for k, K := range ks {
				pointTape.Reset()
				ps.Reset(pointTape)
				want, err := ps.TotalVariance(sf.name, ps.Time(tau), K)
				require.NoError(t, err)
				pointBytes += pointTape.Stats().BytesUsed
				gv, wv, pv := tvOut(got[k]), tvOut(want), tvOut(passive[k])
				require.False(t, got[k].DT.Active() || passive[k].DT.Value() != 0 || gv[3] != 0, "DT is left zero")
				for i := range 3 {
					require.Equal(t, math.Float64bits(wv[i]), math.Float64bits(gv[i]), "%s τ=%v K=%v %s", sf.name, tau, K, tvNames[i])
					require.Equal(t, math.Float64bits(wv[i]), math.Float64bits(pv[i]), "%s τ=%v K=%v %s passive", sf.name, tau, K, tvNames[i])
				}
				h, _ := ps.Shift()
				gh, _ := gs.Shift()
				wx := []aad.Number{h}
				for _, in := range ps.Inputs() {
					wx = append(wx, in.X)
				}
				for i, y := range []aad.Number{want.W, want.DK, want.DKK} {
					if !y.Active() {
						assert.False(t, []aad.Number{got[k].W, got[k].DK, got[k].DKK}[i].Active())
						continue
					}
					wg := pointTape.Gradient(nil, y, wx)
					// the grid's inputs, in the point read's quotes (those
					// of DT's expiries alone are not the grid's: their
					// gradient here is 0, and a passive number's is too)
					gx := []aad.Number{gh}
					byQuote := map[int]aad.Number{}
					for _, in := range gs.Inputs() {
						byQuote[in.Quote] = in.X
					}
					for _, in := range ps.Inputs() {
						gx = append(gx, byQuote[in.Quote])
					}
					gg := gridTape.Gradient(nil, []aad.Number{got[k].W, got[k].DK, got[k].DKK}[i], gx)
					scale := 0.0
					for _, v := range wg {
						scale = max(scale, math.Abs(v))
					}
					for j := range wg {
						require.InDelta(t, wg[j], gg[j], 1e-13*scale, "%s τ=%v K=%v %s operand %d", sf.name, tau, K, tvNames[i], j)
					}
				}
			}
		}
		// With a dozen strikes an expiry a point read has two dozen
		// operands, where the grid's outputs have at most seven.
		gb := gridTape.Stats().BytesUsed
		t.Logf("%s: grid tape %d bytes, point reads %d", sf.name, gb, pointBytes)
		if sf.name == "TWELVE" {
			assert.Less(t, gb, pointBytes/2, sf.name)
		}
	}
}

// TestVarianceGridSecondOrderAndErrors: on a second-order tape a
// VarianceGrid reads through TotalVariance (with its Hessians); an unknown
// surface and a strike that is not a number are errors.
func TestVarianceGridSecondOrderAndErrors(t *testing.T) {
	m := tvMarket(t)
	tp := aad.NewTape(0)
	tp.SetSecondOrder(true)
	sc := m.NewScope()
	sc.Reset(tp)
	ks := []float64{80, 100, 130}
	vg, err := sc.NewVarianceGrid("TWELVE", ks)
	require.NoError(t, err)
	got, err := vg.At(make([]TotalVariance, len(ks)), sc.Time(0.8))
	require.NoError(t, err)
	for k, K := range ks {
		want, err := sc.TotalVariance("TWELVE", sc.Time(0.8), K)
		require.NoError(t, err)
		w, g := tvOut(want), tvOut(got[k])
		assert.Equal(t, w[:3], g[:3])
		assert.Zero(t, g[3])
	}
	_, err = sc.NewVarianceGrid("NONE", ks)
	assert.Error(t, err)
	_, err = sc.NewVarianceGrid("TWELVE", []float64{100, math.NaN()})
	assert.Error(t, err)
}
