package montecarlo

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"sync"
)

// MaxSobolDims is the number of dimensions Sobol supports: dimension 1 and
// one dimension for each of the first MaxSobolDims−1 primitive polynomials
// over GF(2), which go up to degree 16.
const MaxSobolDims = 4096

// sobolBits is the resolution of a coordinate, and so the number of
// direction numbers of a dimension: a sequence has 2^sobolBits points.
const sobolBits = 32

// sobolSeed seeds the PCG that draws the candidate initial direction
// numbers of dimension j (the second seed word). It, sobolEffort and the
// scoring fix the table: changing any of them changes the points of every
// dimension above the third.
const sobolSeed = 0x5eed_50b0_1_5eed

// sobolMaxQualBits is the largest m for which the search looks at the
// first 2^m points.
const sobolMaxQualBits = 14

// sobolEffort returns the effort of the search for the initial direction
// numbers of dimension j+1: how many candidates to try, against how many
// preceding dimensions, judged on the first 2^1 … 2^qbits points. The
// first dimensions get the most, because they matter most: in Brownian
// bridge order they carry most of the variance, and they pair with more
// of the others in any use. The effort is what keeps building the table
// within a few tens of milliseconds.
func sobolEffort(j int) (candidates, window, qbits int) {
	switch {
	case j < 32:
		return 16, 8, 14
	case j < 256:
		return 8, 4, 12
	case j < 1024:
		return 4, 2, 10
	default:
		return 1, 0, 0
	}
}

// Sobol is a generator of a Sobol' low-discrepancy sequence in up to
// MaxSobolDims dimensions, with an optional random digital shift for
// randomised quasi-Monte Carlo: independent shifts give independent,
// unbiased estimates whose spread measures the error. It is not safe for
// concurrent use; one goroutine owns each Sobol, and all of them share one
// read-only table of direction numbers.
//
// Points are produced in Gray-code order (Antonov and Saleev), one XOR per
// coordinate per point, with 32 bits per coordinate; a sequence has 2^32
// points. The first 2^m points of every one-dimensional projection are
// stratified, one point in each interval [i/2^m, (i+1)/2^m), with or
// without a shift, so sample sizes that are powers of two work best.
//
// Dimension 1 is the van der Corput sequence. Dimension j ≥ 2 uses the
// (j−1)-th primitive polynomial over GF(2), in order of degree and then of
// coefficients, as in Joe and Kuo's tables, with Sobol's recurrence. The
// initial direction numbers, however, are not Joe and Kuo's optimised
// ones: they are generated, from a PCG with a fixed seed. Up to dimension
// 1024, a few random candidates are drawn and the one kept whose
// two-dimensional projections with the few preceding dimensions have the
// smallest t-values (see sobolEffort); beyond, the first draw is kept.
// Dimensions 1–3 coincide with the usual Sobol' sequence. Higher ones do
// not, and their two-dimensional projections are likely less uniform than
// Joe and Kuo's, which were optimised against all preceding dimensions: the
// search improves neighbouring pairs (for 2^12 points, the mean t-value of
// a dimension in 33–256 with its 4 predecessors falls from 3.3 to 2.8),
// pairs far apart hardly.
//
// Unshifted, point 0 is the origin (every coordinate 2^-33, −6.3 as a
// normal); estimates should use a shift, which also gives them their
// error bars.
type Sobol struct {
	dims  int
	n     uint64   // index of the next point
	x     []uint32 // point n, unshifted
	shift []uint32
	dir   []uint32 // the shared table, bit-major: dir[k*MaxSobolDims+j]
}

// NewSobol returns a generator of the first dims dimensions of the Sobol'
// sequence, unshifted and at point 0. The first call in a process builds
// the table of direction numbers, in some 30 ms. It returns an error for
// dims below 1 or above MaxSobolDims.
func NewSobol(dims int) (*Sobol, error) {
	if dims < 1 || dims > MaxSobolDims {
		return nil, fmt.Errorf("montecarlo: Sobol dimension %d outside [1, %d]", dims, MaxSobolDims)
	}
	s := &Sobol{
		dims:  dims,
		x:     make([]uint32, dims),
		shift: make([]uint32, dims),
		dir:   sobolDirections().dir,
	}
	return s, nil
}

// Dims returns the number of coordinates of a point.
func (s *Sobol) Dims() int { return s.dims }

// Reset restarts the sequence at point 0 with the digital shift drawn from
// rng (nil rng: no shift). The shift XORs every coordinate with a uniform
// random 32-bit fraction, which keeps the stratification of the points
// while making each of them uniform on (0,1).
func (s *Sobol) Reset(rng *rand.Rand) {
	s.n = 0
	clear(s.x)
	if rng == nil {
		clear(s.shift)
		return
	}
	for j := range s.shift {
		s.shift[j] = rng.Uint32()
	}
}

// Next writes the next point's coordinates, uniform in (0,1) (never exactly
// 0 or 1), into dst[:Dims()]. The 32-bit coordinate y maps to the midpoint
// (y + 1/2)/2^32 of its cell, so the range is [2^-33, 1 − 2^-33]. It panics
// if dst is shorter than Dims() or all 2^32 points have been used.
func (s *Sobol) Next(dst []float64) {
	if len(dst) < s.dims {
		panic(fmt.Sprintf("montecarlo: Sobol.Next: dst has length %d, want at least %d", len(dst), s.dims))
	}
	if s.n >= 1<<sobolBits {
		panic("montecarlo: Sobol.Next: all 2^32 points of the sequence used")
	}
	x := s.x
	shift := s.shift[:len(x)]
	dst = dst[:len(x)]
	// Point n+1 differs from point n in the Gray code by the direction
	// numbers of the lowest zero bit of n.
	c := bits.TrailingZeros64(^s.n)
	s.n++
	if c >= sobolBits { // point 2^32 − 1, the last: nothing to advance to
		for j, xj := range x {
			dst[j] = (float64(xj^shift[j]) + 0.5) * 0x1p-32
		}
		return
	}
	v := s.dir[c*MaxSobolDims:][:len(x)]
	for j, xj := range x {
		dst[j] = (float64(xj^shift[j]) + 0.5) * 0x1p-32
		x[j] = xj ^ v[j]
	}
}

// NextNormals writes the next point mapped through InvNormCDF into
// dst[:Dims()]: standard normal coordinates, of magnitude at most 6.35. It
// panics as Next does.
func (s *Sobol) NextNormals(dst []float64) {
	s.Next(dst)
	dst = dst[:s.dims]
	for j, u := range dst {
		dst[j] = InvNormCDF(u)
	}
}

// sobolTable is the immutable table of direction numbers of all
// dimensions.
type sobolTable struct {
	// dir[k*MaxSobolDims+j] is direction number k+1 of dimension j+1 as a
	// 32-bit binary fraction. Bit-major, so that advancing a point reads
	// one contiguous row.
	dir []uint32
	// poly[j] is the primitive polynomial of dimension j+1 (bit i the
	// coefficient of x^i); 0 for dimension 1.
	poly []uint32
}

// sobolDirections builds the table once, on first use.
var sobolDirections = sync.OnceValue(func() *sobolTable { return buildSobolTable(sobolEffort) })

// buildSobolTable computes the direction numbers of all MaxSobolDims
// dimensions.
//
// Dimension j ≥ 2 with primitive polynomial x^s + a_1 x^(s−1) + … +
// a_(s−1) x + 1 has odd initial numbers m_k < 2^k for k = 1…s and then, by
// Sobol's recurrence,
//
//	m_k = 2a_1 m_(k−1) ⊕ 4a_2 m_(k−2) ⊕ … ⊕ 2^(s−1)a_(s−1) m_(k−s+1) ⊕ 2^s m_(k−s) ⊕ m_(k−s),
//
// with direction numbers v_k = m_k/2^k. Any odd m_k < 2^k give a valid
// Sobol' sequence (a (t,s)-sequence, every one-dimensional projection a
// (0,1)-sequence); the choice matters for the uniformity of projections
// onto several dimensions. When a degree admits no more choices than
// sobolEffort's candidates (degrees 2 and 3) all are tried, otherwise
// that many are drawn from PCG(sobolSeed, j). The candidate kept is the one
// with the smallest sum of 2^t over the t-values of its two-dimensional
// projections with the window of preceding dimensions, for the first 2^m
// points, m = 1 … qbits; the first tried wins ties.
func buildSobolTable(effort func(j int) (candidates, window, qbits int)) *sobolTable {
	polys := primitivePolys(MaxSobolDims - 1)
	tab := &sobolTable{
		dir:  make([]uint32, sobolBits*MaxSobolDims),
		poly: append([]uint32{0}, polys...),
	}
	set := func(j int, v []uint32) {
		for k, vk := range v {
			tab.dir[k*MaxSobolDims+j] = vk
		}
	}

	// gens[j] is the leading block of the generator matrix of dimension
	// j, kept for the search.
	gens := make([]sobolGen, MaxSobolDims)
	var v [sobolBits]uint32
	for k := range v {
		v[k] = 1 << (sobolBits - 1 - k) // van der Corput: m_k = 1
	}
	set(0, v[:])
	gens[0].init(v[:sobolMaxQualBits])

	var m, best [sobolBits]uint32
	var cand sobolGen
	var t [sobolMaxQualBits]int8
	var pcg rand.PCG
	for j := 1; j < MaxSobolDims; j++ {
		poly := polys[j-1]
		deg := bits.Len32(poly) - 1
		ncand, window, qbits := effort(j)
		// The number of choices of m_2 … m_s (m_1 = 1) is
		// 2^(1+2+…+(s−1)) = 2^(s(s−1)/2).
		choiceBits := deg * (deg - 1) / 2
		exhaustive := choiceBits < 31 && 1<<choiceBits <= ncand
		if exhaustive {
			ncand = 1 << choiceBits
		}
		pcg.Seed(sobolSeed, uint64(j))
		bestScore := -1
		for c := range ncand {
			m[0] = 1
			if exhaustive {
				// Candidate c's bits, complemented, give m_2, m_3, … in
				// turn: the largest numbers come first and win ties, which
				// makes dimension 3 the usual one, m = (1, 3), rather than
				// its mirror image m = (1, 1), whose t-values are the same.
				r := ^uint32(c)
				for k := 1; k < deg; k++ {
					m[k] = (r&(1<<k-1))<<1 | 1
					r >>= k
				}
			} else {
				for k := 1; k < deg; k++ {
					m[k] = uint32(pcg.Uint64())&(1<<(k+1)-1) | 1
				}
			}
			if ncand == 1 {
				best = m
				break
			}
			sobolRecurrence(poly, deg, m[:deg], v[:sobolMaxQualBits])
			cand.setRows(v[:sobolMaxQualBits])
			score := 0
			for i := j - 1; i >= max(0, j-window); i-- {
				pairTValues(&gens[i], &cand, qbits, t[:qbits])
				for _, tm := range t[:qbits] {
					score += 1 << tm
				}
				if bestScore >= 0 && score >= bestScore {
					break // no better than the best so far
				}
			}
			if bestScore < 0 || score < bestScore {
				bestScore, best = score, m
			}
		}
		sobolRecurrence(poly, deg, best[:deg], v[:])
		set(j, v[:])
		gens[j].init(v[:sobolMaxQualBits])
	}
	return tab
}

// sobolRecurrence extends the initial numbers m[:deg] of the dimension with
// polynomial poly (bit i the coefficient of x^i) of degree deg, and writes
// the first len(v) direction numbers, as 32-bit binary fractions, into v.
func sobolRecurrence(poly uint32, deg int, m, v []uint32) {
	var mk [sobolBits]uint64
	for k := range v {
		if k < deg {
			mk[k] = uint64(m[k])
		} else {
			x := mk[k-deg] ^ mk[k-deg]<<deg
			for i := 1; i < deg; i++ {
				if poly>>(deg-i)&1 != 0 {
					x ^= mk[k-i] << i
				}
			}
			mk[k] = x
		}
		// m_(k+1) < 2^(k+1), so the shift loses no bits.
		v[k] = uint32(mk[k] << (sobolBits - 1 - k))
	}
}

// sobolGen holds the leading sobolMaxQualBits×sobolMaxQualBits block of a
// dimension's generator matrix C, whose column k is the bits of direction
// number v_(k+1), most significant first, and of its inverse. C is upper
// triangular with a unit diagonal (m_k is odd and below 2^k), and so is
// the inverse, and the leading block of the inverse is the inverse of the
// leading block.
type sobolGen struct {
	rows [sobolMaxQualBits]uint32 // row i of C, bit k for column k
	inv  [sobolMaxQualBits]uint32 // row i of C⁻¹
}

// setRows sets g.rows from the first sobolMaxQualBits direction numbers v,
// leaving g.inv alone: enough for g to be the second dimension of
// pairTValues.
func (g *sobolGen) setRows(v []uint32) {
	clear(g.rows[:])
	for k, vk := range v[:sobolMaxQualBits] {
		// Bit i of the column, from the top, goes to row i.
		for c := vk >> (sobolBits - sobolMaxQualBits); c != 0; c &= c - 1 {
			i := sobolMaxQualBits - 1 - bits.TrailingZeros32(c)
			g.rows[i] |= 1 << k
		}
	}
}

// init sets g from the first sobolMaxQualBits direction numbers v.
func (g *sobolGen) init(v []uint32) {
	g.setRows(v)
	// Back substitution from the bottom row up: C·C⁻¹ = I gives row i of
	// C⁻¹ as e_i plus the rows k > i of C⁻¹ where row i of C has a 1.
	for i := sobolMaxQualBits - 1; i >= 0; i-- {
		x := uint32(1) << i
		for r := g.rows[i] &^ (1 << i); r != 0; r &= r - 1 {
			x ^= g.inv[bits.TrailingZeros32(r)]
		}
		g.inv[i] = x
	}
}

// pairTValues computes the t-values of the two-dimensional projection onto
// dimensions a and b of the first 2^m points, m = 1 … n ≤ sobolMaxQualBits,
// into t[m−1]: those points form a (t,m,2)-net, each elementary interval of
// area 2^(t−m) holding 2^t points, with t as small as possible (0 is a
// perfect net).
//
// The first 2^m points are a digital net: point i has coordinates C_a·i and
// C_b·i in binary. Their projection is a (m−q, m, 2)-net if and only if, for
// every d_1 + d_2 = q, the first d_1 rows of C_a and the first d_2 rows of
// C_b, cut to m columns, are linearly independent. Multiplying on the right
// by C_a⁻¹ turns the rows of C_a into unit vectors, so the condition is
// that the first d_2 rows of B = C_b·C_a⁻¹, restricted to columns d_1+1 … m,
// be independent. Those rows are inserted one by one into an echelon basis
// keyed by the lowest set column; the rank of a set cut to its first m
// columns is the number of pivots at most m, which gives, for each d_1, the
// largest independent d_2 at every m at once.
func pairTValues(a, b *sobolGen, n int, t []int8) {
	var brow [sobolMaxQualBits]uint32
	for i, r := range b.rows[:n] {
		var x uint32
		for r != 0 {
			x ^= a.inv[bits.TrailingZeros32(r)]
			r &= r - 1
		}
		brow[i] = x
	}
	// q[m] is the largest strength found so far for m = 1 … n.
	var q [sobolMaxQualBits + 1]int
	for m := range q {
		q[m] = m
	}
	for d1 := range n {
		// A split with this d1 lowers q[m] to no less than d1: once no
		// q[m] is above d1, neither this d1 nor a larger one lowers any.
		done := true
		for _, qm := range q[d1+1 : n+1] {
			if qm > d1 {
				done = false
				break
			}
		}
		if done {
			break
		}
		var basis [32]uint32
		var occ uint32 // pivots present in basis
		mask := ^uint32(0) << d1
		// lo is the smallest m for which the rows inserted so far are
		// independent: the largest pivot column, 1-based.
		lo := d1
		d2 := 0
		for ; d2 < n-d1; d2++ {
			x := brow[d2] & mask
			for x != 0 {
				l := bits.TrailingZeros32(x)
				if occ>>l&1 == 0 {
					basis[l&31] = x
					occ |= 1 << l
					break
				}
				x ^= basis[l&31]
			}
			if x == 0 {
				break // dependent at every m
			}
			if piv := bits.TrailingZeros32(x) + 1; piv > lo {
				// For m in [lo, piv), only the first d2 rows are
				// independent.
				for m := lo; m < piv; m++ {
					q[m] = min(q[m], d1+d2)
				}
				lo = piv
			}
		}
		for m := lo; m <= n; m++ {
			q[m] = min(q[m], d1+d2)
		}
	}
	for m := 1; m <= n; m++ {
		t[m-1] = int8(m - q[m])
	}
}

// primitivePolys returns the first n primitive polynomials over GF(2), in
// order of degree and, within a degree, of their coefficients read as a
// binary number; bit i of a polynomial is the coefficient of x^i.
func primitivePolys(n int) []uint32 {
	out := make([]uint32, 0, n)
	for d := 1; len(out) < n; d++ {
		order := uint64(1)<<d - 1
		pd := primitivity{d: d, order: order, factors: primeFactors(order)}
		for _, q := range primeFactors(uint64(d)) {
			pd.rabin |= 1 << (d / int(q))
		}
		// The reciprocal x^d·p(1/x) of a primitive polynomial is
		// primitive (its roots are the inverses, of the same order), so
		// each pair is tested once, when the first of the two comes up.
		var known []uint64 // bit (p>>1)&(2^(d−1)−1): p was found primitive
		if d >= 2 {
			known = make([]uint64, max(1, 1<<(d-1)/64))
		}
		for p := uint32(1)<<d | 1; p < 1<<(d+1) && len(out) < n; p += 2 {
			var prim bool
			if rp := bits.Reverse32(p) >> (31 - d); rp < p {
				i := rp >> 1 & (1<<(d-1) - 1)
				prim = known[i/64]>>(i%64)&1 != 0
			} else {
				prim = pd.isPrimitive(p)
				if prim && d >= 2 {
					i := p >> 1 & (1<<(d-1) - 1)
					known[i/64] |= 1 << (i % 64)
				}
			}
			if prim {
				out = append(out, p)
			}
		}
	}
	return out
}

// primitivity tests polynomials of degree d ≤ 31 for primitivity.
type primitivity struct {
	d       int
	order   uint64   // 2^d − 1
	factors []uint64 // the distinct prime factors of order
	rabin   uint32   // bit d/q for the primes q dividing d, q > 1
}

// isPrimitive reports whether the polynomial p of degree d with constant
// term 1 is primitive: irreducible, and x of multiplicative order 2^d − 1
// modulo p (a generator of GF(2^d)^×).
func (t *primitivity) isPrimitive(p uint32) bool {
	d := t.d
	if d >= 2 && bits.OnesCount32(p)%2 == 0 {
		return false // p(1) = 0: divisible by x + 1
	}
	var r gf2Ring
	r.init(uint64(p), d)
	// Rabin's test: p is irreducible if and only if x^(2^d) ≡ x modulo p
	// and, for every prime q dividing d, x^(2^(d/q)) − x shares no factor
	// with p. The squarings go through the x^(2^(d/q)) on the way; the
	// gcds, dearer, wait until the first condition has weeded out most
	// reducible p.
	var pow2 [32]uint64 // pow2[i] = x^(2^i)
	x := r.reduce(2)
	pow2[0] = x
	for i := 1; i <= d; i++ {
		pow2[i] = r.sqr(pow2[i-1])
	}
	if pow2[d] != x {
		return false
	}
	for m := t.rabin; m != 0; m &= m - 1 {
		if gf2GCD(pow2[bits.TrailingZeros32(m)]^x, r.p) != 1 {
			return false
		}
	}
	// In the field GF(2)[x]/(p), x has order dividing 2^d − 1; it is
	// exactly that if no maximal proper divisor will do. x^e is the
	// product of the x^(2^i) for the bits i of e.
	for _, f := range t.factors {
		e := t.order / f
		y := r.reduce(1)
		for ; e != 0; e &= e - 1 {
			y = r.mul(y, pow2[bits.TrailingZeros64(e)])
		}
		if y == 1 {
			return false
		}
	}
	return true
}

// gf2Ring is the ring GF(2)[x]/(p) for a polynomial p of degree d ≤ 31,
// its elements the polynomials of degree below d (bit i the coefficient of
// x^i).
type gf2Ring struct {
	p   uint64
	d   int
	red [32]uint64 // red[i] = x^(d+i) mod p, to reduce a product
}

func (r *gf2Ring) init(p uint64, d int) {
	r.p, r.d = p, d
	low := uint64(1)<<d - 1
	t := p & low // x^d ≡ the lower terms of p
	for i := range d {
		r.red[i] = t
		t <<= 1
		if t>>d&1 != 0 {
			t = t&low ^ r.red[0]
		}
	}
}

// reduce returns a mod p for a of degree at most 2d − 2.
func (r *gf2Ring) reduce(a uint64) uint64 {
	lo := a & (1<<r.d - 1)
	for hi := a >> r.d; hi != 0; hi &= hi - 1 {
		lo ^= r.red[bits.TrailingZeros64(hi)&31]
	}
	return lo
}

// sqr returns a². Squaring over GF(2) spreads the bits:
// (Σ a_i x^i)² = Σ a_i x^(2i).
func (r *gf2Ring) sqr(a uint64) uint64 {
	a &= 0xFFFFFFFF
	a = (a | a<<16) & 0x0000FFFF0000FFFF
	a = (a | a<<8) & 0x00FF00FF00FF00FF
	a = (a | a<<4) & 0x0F0F0F0F0F0F0F0F
	a = (a | a<<2) & 0x3333333333333333
	a = (a | a<<1) & 0x5555555555555555
	return r.reduce(a)
}

// mul returns a·b.
func (r *gf2Ring) mul(a, b uint64) uint64 {
	var c uint64
	for ; b != 0; b &= b - 1 {
		c ^= a << bits.TrailingZeros64(b)
	}
	return r.reduce(c)
}

// gf2Mod returns a modulo p (p ≠ 0), for polynomials of any degree.
func gf2Mod(a, p uint64) uint64 {
	dp := bits.Len64(p)
	for {
		da := bits.Len64(a)
		if da < dp {
			return a
		}
		a ^= p << (da - dp)
	}
}

// gf2GCD returns the greatest common divisor of a and b.
func gf2GCD(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, gf2Mod(a, b)
	}
	return a
}

// primeFactors returns the distinct prime factors of n, by trial division
// (n is at most 2^20 or so here).
func primeFactors(n uint64) []uint64 {
	var fs []uint64
	for f := uint64(2); f*f <= n; f++ {
		if n%f == 0 {
			fs = append(fs, f)
			for n%f == 0 {
				n /= f
			}
		}
	}
	if n > 1 {
		fs = append(fs, n)
	}
	return fs
}
