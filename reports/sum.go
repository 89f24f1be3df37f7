package reports

import (
	"fmt"
	"math"
	"math/big"
	"strings"
)

// exactSum adds float64 values with no rounding at all: the running sum is
// an integer number of 2⁻¹⁰⁷⁴ (the smallest subnormal), held as 32-bit limbs
// in int64 words whose carries are propagated lazily. Its result is the
// exact sum rounded once to the nearest float64 (ties to even).
//
// So the result does not depend on the order of the additions: the totals
// of risk.csv are the same whichever way the trades are split or ordered,
// which is what lets a merge of shards reproduce an unsharded run bit for
// bit. An addition costs a few integer operations; a sum of values of
// similar magnitude touches only a handful of limbs.
//
// The zero value is an empty sum.
type exactSum struct {
	// limbs[i] carries the weight 2^(32·(base+i) − 1074). Once normalised,
	// every limb but the last is in [0, 2³²) and the last carries the sign.
	limbs []int64
	base  int
	// pending counts the additions since the carries were last propagated;
	// each moves a limb by less than 2³², so an int64 limb absorbs 2³⁰ of
	// them with room to spare.
	pending int
}

const (
	limbBits   = 32
	limbMask   = 1<<limbBits - 1
	maxPending = 1 << 30
	// minExp2 is the exponent of the smallest subnormal float64.
	minExp2 = -1074
)

// add adds x, which must be finite (a NaN or an infinity is a programmer
// error here: callers refuse them first).
func (s *exactSum) add(x float64) {
	bits := math.Float64bits(x)
	exp := int(bits>>52) & 0x7ff
	mant := bits & (1<<52 - 1)
	switch {
	case exp == 0x7ff:
		panic("reports: exactSum.add of a non-finite value")
	case exp == 0:
		if mant == 0 {
			return // ±0
		}
		exp = 1 // subnormal: mant · 2⁻¹⁰⁷⁴
	default:
		mant |= 1 << 52
	}
	// x = ±mant · 2^(p − 1074) with p in [0, 2045].
	p := exp - 1
	k, sh := p/limbBits, uint(p%limbBits)
	c0 := int64(mant << sh & limbMask)
	c1 := int64(mant >> (limbBits - sh) & limbMask)
	c2 := int64(mant >> (2*limbBits - sh)) // 0 when sh == 0

	i := s.reserve(k)
	l := s.limbs[i : i+3 : i+3]
	if bits>>63 != 0 {
		l[0] -= c0
		l[1] -= c1
		l[2] -= c2
	} else {
		l[0] += c0
		l[1] += c1
		l[2] += c2
	}
	s.pending++
	if s.pending >= maxPending {
		s.normalize()
	}
}

// reserve makes limbs k, k+1 and k+2 exist and returns the index of limb k.
func (s *exactSum) reserve(k int) int {
	if s.limbs == nil {
		s.limbs = make([]int64, 3, 8)
		s.base = k
		return 0
	}
	i := k - s.base
	if i < 0 {
		grown := make([]int64, len(s.limbs)-i, cap(s.limbs)-i)
		copy(grown[-i:], s.limbs)
		s.limbs, s.base, i = grown, k, 0
	}
	for len(s.limbs) < i+3 {
		s.limbs = append(s.limbs, 0)
	}
	return i
}

// normalize propagates the carries, so that every limb but the last is in
// [0, 2³²).
func (s *exactSum) normalize() {
	var carry int64
	for i, v := range s.limbs {
		v += carry
		carry = v >> limbBits // floor division: the remainder below is ≥ 0
		s.limbs[i] = v & limbMask
	}
	if carry != 0 {
		s.limbs = append(s.limbs, carry)
	}
	s.pending = 0
}

// value returns the exact sum rounded to the nearest float64, ties to even;
// +0 for an empty sum or one that cancels exactly. A sum beyond the float64
// range gives ±Inf, which callers refuse.
func (s *exactSum) value() float64 {
	s.normalize()
	var z, limb big.Int
	for i := len(s.limbs) - 1; i >= 0; i-- {
		z.Lsh(&z, limbBits)
		z.Add(&z, limb.SetInt64(s.limbs[i]))
	}
	if z.Sign() == 0 {
		return 0
	}
	var f big.Float // precision 0: SetInt takes all of z's bits, exactly
	f.SetInt(&z)
	f.SetMantExp(&f, limbBits*s.base+minExp2)
	v, _ := f.Float64() // rounds to nearest even
	return v
}

// tradeSum is an exactSum that also keeps its three largest terms in
// magnitude with the trades they came from, so that a total beyond the
// float64 range can say which trades made it so.
type tradeSum struct {
	exactSum
	top [3]term
	n   int
}

// term is one addend of a total and its trade.
type term struct {
	id string
	v  float64
}

// addFrom adds x, trade id's figure.
func (s *tradeSum) addFrom(id string, x float64) {
	s.add(x)
	if x == 0 {
		return
	}
	i := s.n
	if s.n < len(s.top) {
		s.n++
	} else if !(math.Abs(x) > math.Abs(s.top[i-1].v)) {
		return
	} else {
		i--
	}
	for ; i > 0 && math.Abs(x) > math.Abs(s.top[i-1].v); i-- {
		s.top[i] = s.top[i-1]
	}
	s.top[i] = term{id, x}
}

// largest says which terms are the largest: `largest terms: trade "A"
// 1e+308, trade "B" 1e+308`.
func (s *tradeSum) largest() string {
	var b strings.Builder
	b.WriteString("largest terms:")
	for i, t := range s.top[:s.n] {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " trade %q %v", t.id, t.v)
	}
	return b.String()
}
