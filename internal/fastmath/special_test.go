package fastmath

import (
	"math"
	"testing"
)

func same(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return a == b && math.Signbit(a) == math.Signbit(b)
}

func TestSpecialValues(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	cases := []struct {
		name string
		f    func(float64) float64
		x    float64
		want float64
	}{
		{"Exp", Exp, nan, nan}, {"Exp", Exp, inf, inf}, {"Exp", Exp, -inf, 0},
		{"Exp", Exp, 0, 1}, {"Exp", Exp, math.Copysign(0, -1), 1},
		{"Exp", Exp, 709.79, inf}, {"Exp", Exp, 1000, inf}, {"Exp", Exp, -746, 0}, {"Exp", Exp, -1e300, 0},
		{"Exp", Exp, math.MaxFloat64, inf}, {"Exp", Exp, -math.MaxFloat64, 0},
		{"Exp", Exp, -745.1332191019411, 5e-324}, {"Exp", Exp, -745.1332191019412, 0},
		{"Exp", Exp, 709.782712893384, 1.7976931348622732e+308},
		{"Exp", Exp, 5e-324, 1}, {"Exp", Exp, -5e-324, 1},
		{"Log", Log, nan, nan}, {"Log", Log, inf, inf}, {"Log", Log, -inf, nan},
		{"Log", Log, 0, -inf}, {"Log", Log, math.Copysign(0, -1), -inf}, {"Log", Log, -1, nan},
		{"Log", Log, -5e-324, nan}, {"Log", Log, 1, 0},
		{"Log", Log, 5e-324, -744.4400719213812}, {"Log", Log, math.MaxFloat64, 709.782712893384},
		{"Erfc", Erfc, nan, nan}, {"Erfc", Erfc, inf, 0}, {"Erfc", Erfc, -inf, 2},
		{"Erfc", Erfc, 0, 1}, {"Erfc", Erfc, math.Copysign(0, -1), 1}, {"Erfc", Erfc, 28, 0}, {"Erfc", Erfc, -7, 2},
		{"Erfc", Erfc, 5e-324, 1},
		{"NormCDF", NormCDF, nan, nan}, {"NormCDF", NormCDF, inf, 1}, {"NormCDF", NormCDF, -inf, 0},
		{"NormCDF", NormCDF, 0, 0.5}, {"NormCDF", NormCDF, math.Copysign(0, -1), 0.5},
		{"NormCDF", NormCDF, 8.3, 1}, {"NormCDF", NormCDF, 40, 1}, {"NormCDF", NormCDF, -38.6, 0}, {"NormCDF", NormCDF, -1e300, 0},
		{"NormPDF", NormPDF, nan, nan}, {"NormPDF", NormPDF, inf, 0}, {"NormPDF", NormPDF, -inf, 0},
		{"NormPDF", NormPDF, 0, 0.3989422804014327}, {"NormPDF", NormPDF, 38.6, 0}, {"NormPDF", NormPDF, -1e300, 0},
	}
	for _, c := range cases {
		if got := c.f(c.x); !same(got, c.want) {
			t.Errorf("%s(%v) = %v, want %v", c.name, c.x, got, c.want)
		}
	}
	// The far tail of Φ is small but not zero down to where it underflows.
	if v := NormCDF(-37); !(v > 5.72e-300 && v < 5.73e-300) {
		t.Errorf("NormCDF(-37) = %v, want 5.7255712225...e-300", v)
	}
	if v := NormCDF(-38.4); v == 0 {
		t.Errorf("NormCDF(-38.4) = 0, want a subnormal")
	}
}

// Spot checks of monotonicity on dense runs of consecutive floats and a
// grid across each domain.
func TestMonotone(t *testing.T) {
	type mono struct {
		name       string
		f          func(float64) float64
		increasing bool
		lo, hi     float64
	}
	for _, m := range []mono{
		{"Exp", Exp, true, -745, 709.7},
		{"Log", Log, true, 1e-300, 1e300},
		{"Erfc", Erfc, false, -6, 27.2},
		{"NormCDF", NormCDF, true, -38.4, 8.3},
		{"NormPDF", NormPDF, false, 0, 38.5},
	} {
		check := func(a, b float64) {
			fa, fb := m.f(a), m.f(b)
			if m.increasing && fb < fa || !m.increasing && fb > fa {
				t.Errorf("%s is not monotone: f(%v) = %v, f(%v) = %v", m.name, a, fa, b, fb)
			}
		}
		const grid = 20000
		prev := m.lo
		for i := 1; i <= grid; i++ {
			x := m.lo + (m.hi-m.lo)*float64(i)/grid
			if m.name == "Log" {
				x = m.lo * math.Pow(m.hi/m.lo, float64(i)/grid)
			}
			check(prev, x)
			// a run of consecutive floats from each grid point
			y := x
			for j := 0; j < 8; j++ {
				z := math.Nextafter(y, math.Inf(1))
				check(y, z)
				y = z
			}
			prev = x
		}
	}
}

func TestNoAllocs(t *testing.T) {
	x := 0.3
	for name, f := range map[string]func(float64) float64{
		"Exp": Exp, "Log": Log, "Erfc": Erfc, "NormCDF": NormCDF, "NormPDF": NormPDF,
	} {
		if n := testing.AllocsPerRun(100, func() { sink += f(x) + f(-x*30) + f(x*1e-310) }); n != 0 {
			t.Errorf("%s allocates %v times a call", name, n)
		}
	}
}
