package pde_test

import (
	"fmt"
	"math"

	"github.com/aadrisk/aadrisk/pricing/pde"
)

// Example solves an American put (spot 40, strike 40, rate 4.88%, vol 20%,
// seven months: Geske and Johnson's case, 1.9905 by their finite
// differences) on 400 nodes by 400 steps, and reads its value and delta at
// the spot.
func Example() {
	const S, K, T, r, vol = 40.0, 40.0, 7.0 / 12, 0.0488, 0.2
	x, err := pde.Layout{Spot: S, Strike: K, Width: 5 * vol * math.Sqrt(T), Nodes: 400}.Place()
	if err != nil {
		panic(err)
	}
	g, err := pde.NewGrid(x)
	if err != nil {
		panic(err)
	}
	iv := pde.TimeSteps(nil, T, 400)
	s := &pde.Solve{Grid: g, Intervals: iv}
	for _, in := range iv {
		dt := in.To - in.From
		s.R, s.Q, s.V = append(s.R, r*dt), append(s.Q, 0), append(s.V, vol*vol*dt)
	}
	v := make([]float64, len(x))
	for j, xj := range x {
		v[j] = max(K-math.Exp(xj), 0)
	}
	s.Exercise, s.Lower, s.Upper = append([]float64(nil), v...), v[0], v[len(v)-1]
	next := make([]float64, len(v))
	for k := range s.Len() {
		s.Step(k, v, next)
		v, next = next, v
	}
	j, w, d1, _ := g.Stencil(math.Log(S))
	var pv, dx float64
	for i := range 4 {
		pv += w[i] * v[j+i]
		dx += d1[i] * v[j+i]
	}
	fmt.Printf("value %.4f delta %.4f\n", pv, dx/S)
	// Output: value 1.9904 delta -0.4287
}
