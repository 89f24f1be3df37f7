//go:build ignore

// Command gen writes tables.go, the constants of package fastmath: the
// table of 2^(j/128) for Exp, the reciprocals and logarithms of the
// subinterval points for Log, the reduction constants, and the
// polynomial coefficients of erfc and the normal CDF. Everything is
// computed in math/big at 320 bits and rounded once to float64.
//
// Run it from internal/fastmath with: go run gen/main.go
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"math"
	"math/big"
	"os"
	"strconv"
)

const prec = 320

func newF() *big.Float               { return new(big.Float).SetPrec(prec) }
func fl(x float64) *big.Float        { return newF().SetFloat64(x) }
func f64(x *big.Float) float64       { v, _ := x.Float64(); return v }
func exp2i(n int) *big.Float         { return newF().SetMantExp(fl(1), n) }
func expo(x *big.Float) int          { return x.MantExp(nil) }
func small(t *big.Float, n int) bool { return t.Sign() == 0 || expo(t) < n }

var ln2, pi, sqrtPi *big.Float

func init() {
	// ln 2 = sum 1/(k 2^k).
	ln2 = newF()
	for k := 1; k < prec+20; k++ {
		t := exp2i(-k)
		ln2.Add(ln2, t.Quo(t, fl(float64(k))))
	}
	// Machin: pi = 16 atan(1/5) - 4 atan(1/239).
	pi = newF().Sub(newF().Mul(fl(16), atanInv(5)), newF().Mul(fl(4), atanInv(239)))
	sqrtPi = newF().Sqrt(pi)
}

func atanInv(n float64) *big.Float {
	x := newF().Quo(fl(1), fl(n))
	x2 := newF().Mul(x, x)
	s := newF()
	p := newF().Set(x)
	for k := 0; !small(p, -prec-10); k++ {
		t := newF().Quo(p, fl(float64(2*k+1)))
		if k%2 == 0 {
			s.Add(s, t)
		} else {
			s.Sub(s, t)
		}
		p.Mul(p, x2)
	}
	return s
}

func bexp(x *big.Float) *big.Float {
	k := math.Round(f64(newF().Quo(x, ln2)))
	r := newF().Sub(x, newF().Mul(fl(k), ln2))
	r.SetMantExp(r, -8)
	s, t := fl(1), fl(1)
	for n := 1; !small(t, -prec-8); n++ {
		t.Mul(t, r)
		t.Quo(t, fl(float64(n)))
		s.Add(s, t)
	}
	for i := 0; i < 8; i++ {
		s.Mul(s, s)
	}
	return s.SetMantExp(s, int(k))
}

func blog(x *big.Float) *big.Float {
	m := newF()
	e := x.MantExp(m)
	if m.Cmp(fl(0.70710678118654752)) < 0 {
		m.SetMantExp(m, 1)
		e--
	}
	u := newF().Quo(newF().Sub(m, fl(1)), newF().Add(m, fl(1)))
	u2 := newF().Mul(u, u)
	s := newF()
	p := newF().Set(u)
	for k := 0; !small(p, -prec-10); k++ {
		s.Add(s, newF().Quo(p, fl(float64(2*k+1))))
		p.Mul(p, u2)
	}
	s.SetMantExp(s, 1)
	return s.Add(s, newF().Mul(fl(float64(e)), ln2))
}

// erfcx is exp(y²)·erfc(y) for y > 0.
func erfcx(y *big.Float) *big.Float {
	if y.Cmp(fl(3)) < 0 {
		// exp(y²) - 2/√π · sum 2^n y^(2n+1)/(2n+1)!!
		y2 := newF().Mul(y, y)
		t := newF().Set(y)
		s := newF()
		for n := 0; !small(t, -prec-40); n++ {
			s.Add(s, t)
			t.Mul(t, y2)
			t.Mul(t, fl(2))
			t.Quo(t, fl(float64(2*n+3)))
		}
		s.Mul(s, fl(2))
		s.Quo(s, sqrtPi)
		return newF().Sub(bexp(y2), s)
	}
	// Continued fraction y + (1/2)/(y + 1/(y + (3/2)/(y + ...))),
	// evaluated backwards.
	f := newF().Set(y)
	for n := 2000; n >= 1; n-- {
		f.Quo(fl(float64(n)/2), f)
		f.Add(f, y)
	}
	return f.Quo(fl(1), f.Mul(f, sqrtPi))
}

// erfOverX is erf(y)/y for small y.
func erfOverX(y *big.Float) *big.Float {
	y2 := newF().Mul(y, y)
	s := newF()
	t := fl(1)
	for n := 0; !small(t, -prec-10); n++ {
		s.Add(s, newF().Quo(t, fl(float64(2*n+1))))
		t.Mul(t, y2)
		t.Quo(t, fl(float64(-(n + 1))))
	}
	s.Mul(s, fl(2))
	return s.Quo(s, sqrtPi)
}

// fit interpolates f at the Chebyshev points of [a, b] by a polynomial
// of degree deg in (v - c), with coefficients rounded to float64 (the
// constant term as a pair, head then tail), and
// returns them with the largest relative error seen on a fine grid.
func fit(f func(*big.Float) *big.Float, a, b, c float64, deg int) ([]float64, float64) {
	n := deg + 1
	A := make([][]*big.Float, n)
	for i := range A {
		s := math.Cos(math.Pi * (float64(i) + 0.5) / float64(n))
		v := (a+b)/2 + (b-a)/2*s
		d := newF().Sub(fl(v), fl(c))
		row := make([]*big.Float, n+1)
		p := fl(1)
		for k := 0; k < n; k++ {
			row[k] = newF().Set(p)
			p.Mul(p, d)
		}
		row[n] = f(fl(v))
		A[i] = row
	}
	// Gaussian elimination with partial pivoting.
	for col := 0; col < n; col++ {
		piv := col
		for r := col + 1; r < n; r++ {
			if newF().Abs(A[r][col]).Cmp(newF().Abs(A[piv][col])) > 0 {
				piv = r
			}
		}
		A[col], A[piv] = A[piv], A[col]
		for r := col + 1; r < n; r++ {
			m := newF().Quo(A[r][col], A[col][col])
			for k := col; k <= n; k++ {
				A[r][k].Sub(A[r][k], newF().Mul(m, A[col][k]))
			}
		}
	}
	co := make([]*big.Float, n)
	for r := n - 1; r >= 0; r-- {
		s := newF().Set(A[r][n])
		for k := r + 1; k < n; k++ {
			s.Sub(s, newF().Mul(A[r][k], co[k]))
		}
		co[r] = s.Quo(s, A[r][r])
	}
	// The constant term as a pair: out[0] + out[1].
	out := make([]float64, n+1)
	out[0] = f64(co[0])
	out[1] = f64(newF().Sub(co[0], fl(out[0])))
	for k := 1; k < n; k++ {
		out[k+1] = f64(co[k])
	}
	maxErr := 0.0
	const grid = 40
	for i := 0; i <= grid; i++ {
		v := a + (b-a)*float64(i)/grid
		if i == grid {
			v = math.Nextafter(b, a)
		}
		d := newF().Sub(fl(v), fl(c))
		p := newF()
		for k := n; k >= 2; k-- {
			p.Add(p, fl(out[k]))
			p.Mul(p, d)
		}
		p.Add(p, fl(out[1]))
		p.Add(p, fl(out[0]))
		want := f(fl(v))
		e := newF().Sub(p, want)
		e.Quo(e, want)
		if r := math.Abs(f64(e)); r > maxErr {
			maxErr = r
		}
	}
	return out, maxErr
}

type gen struct{ bytes.Buffer }

func (g *gen) p(format string, args ...any) { fmt.Fprintf(&g.Buffer, format, args...) }

func hex(v float64) string {
	return fmt.Sprintf("0x%016x", math.Float64bits(v))
}

func (g *gen) constant(name, doc string, v float64) {
	g.p("// %s\n%s = %s // %v\n", doc, name, strconv.FormatFloat(v, 'x', -1, 64), v)
}

// tail fits f on the intervals of [0.5, limit) that the top four
// mantissa bits of the argument select: [2^e(1+j/16), 2^e(1+(j+1)/16)),
// each in powers of the distance to its midpoint.
func tail(f func(*big.Float) *big.Float, limit float64, deg int) ([][]float64, float64) {
	var rows [][]float64
	worst := 0.0
	for idx := 0; ; idx++ {
		lo := math.Float64frombits(uint64(0x3fe0+idx) << 48)
		if lo >= limit {
			break
		}
		hi := math.Float64frombits(uint64(0x3fe0+idx+1) << 48)
		mid := math.Float64frombits(uint64(0x3fe0+idx)<<48 | 0x0000800000000000)
		c, e := fit(f, lo, hi, mid, deg)
		rows = append(rows, c)
		worst = math.Max(worst, e)
	}
	return rows, worst
}

func (g *gen) vec(name, doc string, v []float64) {
	g.p("// %s\nvar %s = [%d]uint64{\n", doc, name, len(v))
	for _, x := range v {
		g.p("%s, // %v\n", hex(x), x)
	}
	g.p("}\n\n")
}

func (g *gen) rows(name, doc string, rows [][]float64) {
	g.p("// %s\nvar %s = [%d][%d]uint64{\n", doc, name, len(rows), len(rows[0]))
	for _, r := range rows {
		g.p("{")
		for k, v := range r {
			if k > 0 {
				g.p(", ")
			}
			g.p("%s", hex(v))
		}
		g.p("},\n")
	}
	g.p("}\n\n")
}

var (
	degS = flag.Int("degs", 8, "degree of S")
	degF = flag.Int("degf", 9, "degree of F")
	degT = flag.Int("degt", 9, "degree of the tails")
)

func main() {
	flag.Parse()
	var g gen
	g.p("// Code generated by gen/main.go; DO NOT EDIT.\n\n")
	g.p("package fastmath\n\n")

	// Exp: 2^(j/128) = hi + lo.
	g.p("// expTab holds 2^(j/%d) as a pair: expTab[2j] rounded to float64 and\n", 128)
	g.p("// expTab[2j+1] the rest, rounded.\n")
	g.p("var expTab = [2 * expN]uint64{\n")
	for j := 0; j < 128; j++ {
		// 2^(j/128) = exp(j ln2 / 128)
		v := bexp(newF().Quo(newF().Mul(fl(float64(j)), ln2), fl(128)))
		hi := f64(v)
		lo := f64(newF().Sub(v, fl(hi)))
		g.p("%s, %s, // 2^(%d/128)\n", hex(hi), hex(lo), j)
	}
	g.p("}\n\n")

	// NormPDF's: 2^(j/128)/√(2π) = hi + lo.
	rt2pi := newF().Sqrt(newF().Mul(fl(2), pi))
	g.p("// pdfTab holds 2^(j/%d)/√(2π) as a pair, like expTab.\n", 128)
	g.p("var pdfTab = [2 * expN]uint64{\n")
	for j := 0; j < 128; j++ {
		v := bexp(newF().Quo(newF().Mul(fl(float64(j)), ln2), fl(128)))
		v.Quo(v, rt2pi)
		hi := f64(v)
		lo := f64(newF().Sub(v, fl(hi)))
		g.p("%s, %s, // 2^(%d/128)/√(2π)\n", hex(hi), hex(lo), j)
	}
	g.p("}\n\n")

	ln2N := newF().Quo(ln2, fl(128))
	// ln2/128 with 35 significant bits, so that k·hi is exact for |k| < 2^18.
	l1 := roundBits(ln2N, 35)
	l2 := f64(newF().Sub(ln2N, fl(l1)))
	ln2hi := roundBits(ln2, 42)
	ln2lo := f64(newF().Sub(ln2, fl(ln2hi)))
	g.p("const (\n")
	g.constant("invLn2N", "128/ln 2.", f64(newF().Quo(fl(128), ln2)))
	g.constant("ln2hiN", "ln2/128 to 35 bits.", l1)
	g.constant("ln2loN", "ln2/128 - ln2hiN.", l2)
	g.constant("ln2hi", "ln 2 to 42 bits.", ln2hi)
	g.constant("ln2lo", "ln 2 - ln2hi.", ln2lo)
	g.p(")\n\n")

	// Log: for each subinterval i, invc (26 bits, or 1 where the
	// subinterval holds 1) and -log(invc) = hi + lo.
	g.p("// logTab holds, for subinterval i of [off, 2·off), 1/c with at most 26\n")
	g.p("// significant bits (logTab[3i]) and log c = -log(1/c) as a pair\n")
	g.p("// (logTab[3i+1], logTab[3i+2]).\n")
	g.p("var logTab = [3 * logN]uint64{\n")
	const off = 0x3fe6000000000000 + 0xaaaaaaaaaaa
	for i := uint64(0); i < 128; i++ {
		a := math.Float64frombits(off + i<<45)
		b := math.Float64frombits(off + (i+1)<<45)
		var invc float64
		if a <= 1 && 1 < b {
			invc = 1
		} else {
			invc = roundBits(newF().Quo(fl(2), newF().Add(fl(a), fl(b))), 26)
		}
		lc := newF()
		if invc != 1 {
			lc.Neg(blog(fl(invc)))
		}
		hi := f64(lc)
		lo := f64(newF().Sub(lc, fl(hi)))
		g.p("%s, %s, %s, // [%.6f, %.6f)\n", hex(invc), hex(hi), hex(lo), a, b)
	}
	g.p("}\n\n")

	// Small arguments: Φ(x) = 1/2 + x·S(x²), erfc(x) = 1 - x - x·F(x²).
	rt2 := newF().Sqrt(fl(2))
	S := func(w *big.Float) *big.Float {
		y := newF().Sqrt(w)
		y.Quo(y, rt2)
		s := erfOverX(y)
		return s.Quo(s, newF().Mul(fl(2), rt2))
	}
	F := func(w *big.Float) *big.Float {
		return newF().Sub(erfOverX(newF().Sqrt(w)), fl(1))
	}
	sc, se := fit(S, 0, 0.25, 0, *degS)
	fc, fe := fit(F, 0, 0.25, 0, *degF)
	log.Printf("S: degree %d, max rel error %.3g (2^%.1f)", *degS, se, math.Log2(se))
	log.Printf("F: degree %d, max rel error %.3g (2^%.1f)", *degF, fe, math.Log2(fe))
	g.vec("phiSmall", "Coefficients of S(w), Φ(x) = 1/2 + x·S(x²) for |x| < 1/2.", sc)
	g.vec("erfcSmall", "Coefficients of F(w), erfc(x) = 1 - x - x·F(x²) for |x| < 1/2.", fc)

	G := func(u *big.Float) *big.Float {
		r := erfcx(newF().Quo(u, rt2))
		return r.Quo(r, fl(2))
	}
	pt, pe := tail(G, 38.6, *degT)
	log.Printf("Φ tail: %d intervals, degree %d, max rel error %.3g (2^%.1f)", len(pt), *degT, pe, math.Log2(pe))
	g.rows("phiTail", "Coefficients of Φ(-u)·exp(u²/2) in u - mid on the intervals of tailIndex.", pt)
	et, ee := tail(erfcx, 27.3, *degT)
	log.Printf("erfc tail: %d intervals, degree %d, max rel error %.3g (2^%.1f)", len(et), *degT, ee, math.Log2(ee))
	g.rows("erfcTail", "Coefficients of erfc(u)·exp(u²) in u - mid on the intervals of tailIndex.", et)

	src, err := format.Source(g.Bytes())
	if err != nil {
		os.WriteFile("tables.go.bad", g.Bytes(), 0o644)
		log.Fatal(err)
	}
	if err := os.WriteFile("tables.go", src, 0o644); err != nil {
		log.Fatal(err)
	}
}

// roundBits rounds x to a float64 with at most n significant bits.
func roundBits(x *big.Float, n uint) float64 {
	return f64(new(big.Float).SetPrec(n).SetMode(big.ToNearestEven).Set(x))
}
