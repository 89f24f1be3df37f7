// Command gennormal writes montecarlo/normal_tables.go, the tables of the
// ziggurat behind montecarlo.Normal.
//
// The ziggurat covers the right half of f(x) = exp(−x²/2) with 256 layers
// of equal area v: a base layer (the box [0, r] × [0, f(r)] and the tail
// beyond r) and 255 boxes stacked above it. With x₁ = r, box i spans the
// heights f(xᵢ) to f(xᵢ₊₁) and the width xᵢ, where
//
//	xᵢ₊₁ = f⁻¹(f(xᵢ) + v/xᵢ),   v = r·f(r) + ∫_r^∞ f,
//
// and r is the root that makes the top box end at height 1 (x₂₅₆ = 0).
// The base layer is drawn as a box of width x₀ = v/f(r). Everything is
// computed with math/big at 320 bits (exp by Taylor series after halving,
// log by Halley's iteration on exp, π by Machin's formula, the tail by the
// series of erf) and rounded once to float64, so the tables do not depend
// on the machine that runs the generator.
//
// Run it from the montecarlo directory: go generate (see normal.go).
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

const (
	prec   = 320
	layers = 256
	bits   = 53 // bits of the uniform in a draw
)

func newF(x float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(x) }
func zero() *big.Float          { return new(big.Float).SetPrec(prec) }

func add(a, b *big.Float) *big.Float { return zero().Add(a, b) }
func sub(a, b *big.Float) *big.Float { return zero().Sub(a, b) }
func mul(a, b *big.Float) *big.Float { return zero().Mul(a, b) }
func quo(a, b *big.Float) *big.Float { return zero().Quo(a, b) }

// tiny reports whether |a| < 2^(e) where e is an exponent.
func below(a *big.Float, e int) bool {
	return a.Sign() == 0 || a.MantExp(nil) < e
}

// bigExp returns e^x: x is halved k times to |x| < 2^-16, the Taylor series
// summed to the working precision, and the result squared k times.
func bigExp(x *big.Float) *big.Float {
	k := 0
	y := zero().Set(x)
	for !below(y, -16) {
		y.SetMantExp(y, -1)
		k++
	}
	sum := newF(1)
	term := newF(1)
	for n := 1; ; n++ {
		term = quo(mul(term, y), newF(float64(n)))
		if below(term, sum.MantExp(nil)-prec-8) {
			break
		}
		sum = add(sum, term)
	}
	for ; k > 0; k-- {
		sum = mul(sum, sum)
	}
	return sum
}

// bigLog returns ln y for y > 0 by Halley's iteration
// z ← z + 2(y − e^z)/(y + e^z), from the float64 logarithm.
func bigLog(y *big.Float) *big.Float {
	yf, _ := y.Float64()
	z := newF(math.Log(yf))
	for range 8 {
		e := bigExp(z)
		z = add(z, quo(mul(newF(2), sub(y, e)), add(y, e)))
	}
	return z
}

func bigSqrt(x *big.Float) *big.Float { return zero().Sqrt(x) }

// atanInv returns atan(1/n) by its series.
func atanInv(n int64) *big.Float {
	nn := newF(float64(n * n))
	pow := quo(newF(1), newF(float64(n))) // 1/n^(2k+1)
	sum := zero().Set(pow)
	for k := int64(1); ; k++ {
		pow = quo(pow, nn)
		term := quo(pow, newF(float64(2*k+1)))
		if below(term, -prec-8) {
			break
		}
		if k%2 == 1 {
			sum = sub(sum, term)
		} else {
			sum = add(sum, term)
		}
	}
	return sum
}

// bigPi is Machin's 16·atan(1/5) − 4·atan(1/239).
func bigPi() *big.Float {
	return sub(mul(newF(16), atanInv(5)), mul(newF(4), atanInv(239)))
}

// f is exp(−x²/2), fInv its inverse on (0, 1].
func f(x *big.Float) *big.Float { return bigExp(quo(mul(x, x), newF(-2))) }
func fInv(y *big.Float) *big.Float {
	return bigSqrt(mul(newF(-2), bigLog(y)))
}

// tail returns ∫_r^∞ exp(−t²/2) dt = √(π/2)·erfc(r/√2), with
// erf(z) = 2/√π · e^(−z²) · Σ 2ⁿ z^(2n+1) / (1·3···(2n+1)).
func tail(r, pi *big.Float) *big.Float {
	z := quo(r, bigSqrt(newF(2)))
	z2 := mul(z, z)
	term := zero().Set(z)
	sum := zero().Set(z)
	for n := 1; ; n++ {
		term = quo(mul(mul(term, newF(2)), z2), newF(float64(2*n+1)))
		if below(term, sum.MantExp(nil)-prec-8) {
			break
		}
		sum = add(sum, term)
	}
	erf := mul(mul(quo(newF(2), bigSqrt(pi)), bigExp(zero().Neg(z2))), sum)
	erfc := sub(newF(1), erf)
	return mul(bigSqrt(quo(pi, newF(2))), erfc)
}

// ladder builds x₀…x₂₅₆ from r. It returns the boxes' edges, v and the
// residual f(x₂₅₅) + v/x₂₅₅ − 1 (negative: r too large); ok is false when
// the ladder reaches the top early (r too small).
func ladder(r, pi *big.Float) (x []*big.Float, v, resid *big.Float, ok bool) {
	fr := f(r)
	v = add(mul(r, fr), tail(r, pi))
	x = make([]*big.Float, layers+1)
	x[0] = quo(v, fr)
	x[1] = zero().Set(r)
	for i := 1; i < layers-1; i++ {
		y := add(f(x[i]), quo(v, x[i]))
		if y.Cmp(newF(1)) >= 0 {
			return nil, nil, nil, false
		}
		x[i+1] = fInv(y)
	}
	x[layers] = zero()
	resid = sub(add(f(x[layers-1]), quo(v, x[layers-1])), newF(1))
	return x, v, resid, true
}

func hex(x *big.Float) string {
	v, _ := x.Float64()
	return strconv.FormatFloat(v, 'x', -1, 64)
}

func main() {
	out := flag.String("o", "normal_tables.go", "output file")
	flag.Parse()
	pi := bigPi()

	// Bisection for r: the residual changes sign at the root.
	lo, hi := newF(3.6), newF(3.7)
	for range 120 {
		mid := quo(add(lo, hi), newF(2))
		_, _, resid, ok := ladder(mid, pi)
		if !ok || resid.Sign() > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	r := quo(add(lo, hi), newF(2))
	x, v, resid, ok := ladder(r, pi)
	if !ok {
		log.Fatal("gennormal: no ladder at the root")
	}
	residF, _ := resid.Float64()
	log.Printf("r = %s, v = %s, residual %.3g", r.Text('g', 30), v.Text('g', 30), residF)

	// k[i] = ⌊2^53 · xᵢ₊₁/xᵢ⌋ (the base layer: ⌊2^53 · r/x₀⌋), w[i] = xᵢ/2^53.
	two53 := newF(1 << bits)
	var k [layers]uint64
	var kfrac float64
	for i := range layers {
		q := mul(quo(x[i+1], x[i]), two53)
		ki, _ := q.Uint64() // truncates towards zero: the floor
		k[i] = ki
		kfrac += float64(ki) / (1 << bits)
	}
	kfrac /= layers

	var b bytes.Buffer
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	p("// Code generated by gennormal (montecarlo/internal/gennormal); DO NOT EDIT.\n\n")
	p("package montecarlo\n\n")
	p("// The ziggurat of Normal: %d layers of area v = %s under exp(−x²/2).\n", layers, v.Text('g', 25))
	p("// A draw takes the fast path with probability %.6f.\n\n", kfrac)
	p("const (\n")
	p("\t// zigR is r = %s, the start of the tail.\n", r.Text('g', 25))
	p("\tzigR = %s\n", hex(r))
	ln2 := bigLog(newF(2))
	// ln 2 split for the reduction of exp and log: ln2Hi has 32 significant
	// bits, so k·ln2Hi is exact for |k| < 2^21.
	ln2f, _ := ln2.Float64()
	hiBits := math.Float64bits(ln2f) &^ (1<<21 - 1)
	ln2Hi := newF(math.Float64frombits(hiBits))
	p("\t// ln2Hi + ln2Lo is ln 2; ln2Hi has 32 significant bits.\n")
	p("\tln2Hi = %s\n", hex(ln2Hi))
	p("\tln2Lo = %s\n", hex(sub(ln2, ln2Hi)))
	p("\t// log2E is 1/ln 2.\n")
	p("\tlog2E = %s\n", hex(quo(newF(1), ln2)))
	p("\t// sqrt2 is √2.\n")
	p("\tsqrt2 = %s\n", hex(bigSqrt(newF(2))))
	p(")\n\n")

	p("// zigFast holds, for each layer i, k = ⌊2^53 · xᵢ₊₁/xᵢ⌋, the bound below\n")
	p("// which a 53-bit uniform j gives a point inside the box, and w = xᵢ/2^53,\n")
	p("// so that the point is j·w.\n")
	p("var zigFast = [%d]struct{ k uint64; w float64 }{\n", layers)
	for i := range layers {
		p("\t{%#016x, %s},\n", k[i], hex(quo(x[i], two53)))
	}
	p("}\n\n")
	p("// zigX holds the layers' edges xᵢ (x₀ = v/f(r), x₁ = r, x₂₅₆ = 0).\n")
	p("var zigX = [%d]float64{\n", layers+1)
	for i := range layers + 1 {
		p("\t%s,\n", hex(x[i]))
	}
	p("}\n\n")
	p("// zigF holds f(xᵢ) = exp(−xᵢ²/2) (zigF[0] is 0, unused; zigF[256] = 1).\n")
	p("var zigF = [%d]float64{\n", layers+1)
	for i := range layers + 1 {
		if i == 0 {
			p("\t0,\n")
			continue
		}
		p("\t%s,\n", hex(f(x[i])))
	}
	p("}\n\n")
	p("// expCoef holds 1/n! for n = 0…%d, the Taylor coefficients of exp.\n", expDegree)
	p("var expCoef = [%d]float64{\n", expDegree+1)
	fact := newF(1)
	for n := 0; n <= expDegree; n++ {
		if n > 0 {
			fact = mul(fact, newF(float64(n)))
		}
		p("\t%s,\n", hex(quo(newF(1), fact)))
	}
	p("}\n\n")
	p("// logCoef holds 2/(2n+1) for n = 0…%d, the series of ln((1+s)/(1−s)) in s².\n", logDegree)
	p("var logCoef = [%d]float64{\n", logDegree+1)
	for n := 0; n <= logDegree; n++ {
		p("\t%s,\n", hex(quo(newF(2), newF(float64(2*n+1)))))
	}
	p("}\n")

	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatalf("gennormal: %v\n%s", err, b.Bytes())
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

const (
	// expDegree: exp's Taylor polynomial on |t| ≤ ln2/2; the first term
	// left out, 0.347^16/16!, is below 2^-80.
	expDegree = 15
	// logDegree: ln((1+s)/(1−s)) = 2s·Σ s^(2n)/(2n+1) on |s| ≤ 0.1716
	// (m in [√2/2, √2)); the first term left out is below 2^-70.
	logDegree = 11
)
