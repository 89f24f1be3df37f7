package closedform

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/aad"
)

// A warm tape records and sweeps every pricer with no heap allocation, and a
// nil tape prices with none.
func TestZeroAllocations(t *testing.T) {
	x := []float64{100, 95, 1.5, 0.04, 0.015, 0.25}
	tp := aad.NewTape(0)
	in := make([]aad.Number, 8)
	fix := make([]aad.Number, 100)
	grad := make([]float64, 8)
	cases := map[string]func(tp *aad.Tape, in []aad.Number) (aad.Number, error){
		"European": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(European(tp, Call, params(in)))
		},
		"DigitalCash": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(DigitalCash(tp, Put, params(in), 10))
		},
		"DigitalAsset": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(DigitalAsset(tp, Call, params(in)))
		},
		"Barrier/out": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return Barrier(tp, Call, DownOut, params(in), in[6], in[7])
		},
		"Barrier/in": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return Barrier(tp, Put, UpIn, params(in), tp.Var(130), in[7])
		},
		"GeometricAsianContinuous": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(GeometricAsianContinuous(tp, Call, params(in)))
		},
		"GeometricAsianDiscrete": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			for i := range fix {
				fix[i] = tp.Var(1.5 * float64(i+1) / float64(len(fix)))
			}
			return checked(GeometricAsianDiscrete(tp, Call, params(in), fix))
		},
		"American": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) { return American(tp, Put, params(in)) },
		"ImpliedVol": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return ImpliedVol(tp, Call, tp.Var(12), params(in))
		},
		"Black76": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(Black76(tp, Call, in[0], in[1], in[2], in[3], in[5]))
		},
		"Bachelier": func(tp *aad.Tape, in []aad.Number) (aad.Number, error) {
			return checked(Bachelier(tp, Call, in[0], in[1], in[2], in[3], in[5]))
		},
	}
	for name, f := range cases {
		run := func() {
			tp.Reset()
			for i, v := range x {
				in[i] = tp.Var(v)
			}
			in[6], in[7] = tp.Var(80), tp.Var(2)
			y, err := f(tp, in)
			if err != nil {
				panic(err)
			}
			tp.Gradient(grad, y, in)
		}
		require.NotPanics(t, run, name)
		assert.Zero(t, testing.AllocsPerRun(100, run), "%s: allocations per record and sweep", name)
	}
	c := consts(append(x, 80, 2))
	for name, f := range cases {
		if name == "Barrier/in" || name == "GeometricAsianDiscrete" || name == "ImpliedVol" {
			continue // they make variables of their own
		}
		assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = f(nil, c) }), "%s: allocations on a nil tape", name)
	}
	for i := range fix {
		fix[i] = aad.Const(1.5 * float64(i+1) / float64(len(fix)))
	}
	p := params(c)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = GeometricAsianDiscrete(nil, Call, p, fix) }), "GeometricAsianDiscrete: allocations on a nil tape")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = ImpliedVol(nil, Call, aad.Const(12), p) }), "ImpliedVol: allocations on a nil tape")
}
