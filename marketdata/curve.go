package marketdata

import "math"

// The interpolation of curves and surfaces, on plain float64s. The Scope
// records their results with the partials computed here.

// curve is a zero curve (RATE or DIVYIELD): its pillars sorted by time.
type curve struct {
	t []float64 // pillar times, increasing
	q []int32   // quote index of each pillar
}

// bracket returns the pillars the value at time t depends on: lo == hi for
// a flat end (t at or before the first pillar, or after the last), else the
// two pillars with t[lo] < t <= t[hi] (so a time on a pillar reads the
// interval to its left, the one the time moves into as the valuation date
// moves forward).
func bracket(ts []float64, t float64) (lo, hi int) {
	// The first index with ts[i] >= t.
	i, j := 0, len(ts)
	for i < j {
		h := int(uint(i+j) >> 1)
		if ts[h] < t {
			i = h + 1
		} else {
			j = h
		}
	}
	switch {
	case i == 0:
		return 0, 0
	case i == len(ts):
		return len(ts) - 1, len(ts) - 1
	}
	return i - 1, i
}

// zeroRate interpolates z(t) from pillars (t1, z1) and (t2, z2) with
// t1 < t <= t2, z·t linear in t, and returns its partials with respect to
// z1, z2 and t. At t = t2 the value is z2 exactly.
func zeroRate(t1, z1, t2, z2, t float64) (z, dz1, dz2, dt float64) {
	d := t2 - t1
	a, b := z1*t1, z2*t2
	dz1 = t1 * (t2 - t) / (t * d)
	dz2 = t2 * (t - t1) / (t * d)
	slope := (b - a) / d
	if t == t2 {
		z = z2
	} else {
		z = (a*(t2-t) + b*(t-t1)) / (t * d)
	}
	dt = (slope - z) / t
	return z, dz1, dz2, dt
}

// expiry is one expiry pillar of a vol surface: its strikes, sorted, and
// the factorisation of the natural cubic spline's system for them.
//
// The spline through (k[i], σ[i]) is linear in the σ: s(K) = Σ w[i](K)·σ[i],
// with weights that depend on the strikes only. On [k[j], k[j+1]], with
// h = k[j+1] − k[j], a = (k[j+1] − K)/h and b = 1 − a, it is
//
//	s(K) = a·σ[j] + b·σ[j+1] + ((a³−a)·M[j] + (b³−b)·M[j+1])·h²/6
//
// where the second derivatives M solve A·M = B·σ, with A the symmetric
// tridiagonal matrix of the interior strikes and M = 0 at both ends. The
// spline part is cᵀM = cᵀA⁻¹Bσ = (Bᵀu)ᵀσ with A·u = c, so the weights take
// one tridiagonal solve with A's factorisation, kept here: O(n) time and
// memory per evaluation, whatever the number of strikes.
type expiry struct {
	t   float64
	k   []float64 // strikes, increasing; one element of value 0 for a blank strike
	q   []int32   // quote index of each strike
	h   []float64 // k[i+1] − k[i]
	den []float64 // Thomas algorithm: pivots of A (interior strikes)
	cp  []float64 // and the eliminated super-diagonal
}

// factor prepares the spline of e: with n strikes, the n−2 interior second
// derivatives solve, for p = 1, …, n−2,
//
//	h[p−1]·M[p−1] + 2(h[p−1]+h[p])·M[p] + h[p]·M[p+1] = 6(σ[p+1]−σ[p])/h[p] − 6(σ[p]−σ[p−1])/h[p−1].
func (e *expiry) factor() {
	n := len(e.k)
	if n < 3 {
		return
	}
	e.h = make([]float64, n-1)
	for i := range e.h {
		e.h[i] = e.k[i+1] - e.k[i]
	}
	m := n - 2
	e.den = make([]float64, m)
	e.cp = make([]float64, m)
	for i := range m {
		d := 2 * (e.h[i] + e.h[i+1])
		if i > 0 {
			d -= e.h[i] * e.cp[i-1] // sub-diagonal of row i is h[i]
		}
		e.den[i] = d
		if i < m-1 {
			e.cp[i] = e.h[i+1] / d
		}
	}
}

// weights writes into w[:len(e.k)] the weights of the node vols in the
// spline's value at strike K (with the wings outside the strikes) and
// returns w.
// u must have room for len(e.k) values; it is scratch.
func (e *expiry) weights(K float64, w, u []float64) []float64 {
	n := len(e.k)
	w = w[:n]
	clear(w)
	if n == 1 {
		w[0] = 1
		return w
	}
	if K <= e.k[0] || K >= e.k[n-1] {
		end, x, L := e.wing(K)
		e.endSlope(end, w, u)
		c := e.k[end] * L * math.Tanh(x/L)
		for i := range w {
			w[i] *= c
		}
		w[end]++
		return w
	}
	j, _ := bracket(e.k, K)
	if e.k[j+1] == K { // bracket puts a knot at the right end; read it as the left one
		j++
	}
	if j == n-1 {
		w[j] = 1
		return w
	}
	h := e.k[j+1] - e.k[j]
	a := (e.k[j+1] - K) / h
	b := (K - e.k[j]) / h
	w[j], w[j+1] = a, b
	if n < 3 || a == 1 {
		return w
	}
	// c: the coefficients of M[j] and M[j+1], on the interior unknowns
	// p−1 for p = 1, …, n−2.
	m := n - 2
	r := u[:m]
	clear(r)
	h26 := h * h / 6
	if j >= 1 {
		r[j-1] = (a*a*a - a) * h26
	}
	if j+1 <= n-2 {
		r[j] = (b*b*b - b) * h26
	}
	e.addCurvature(w, r)
	return w
}

// surface is the vol surface of one underlying: its expiries by time.
type surface struct {
	t   []float64 // expiry times, increasing
	exp []expiry
}

// slopeWeights writes into d1[:len(e.k)] and d2[:len(e.k)] the weights of
// the node vols in the spline's first and second derivatives in strike at
// K, s′(K) = Σ d1[i]·σ[i] and s″(K) = Σ d2[i]·σ[i], and returns them. On
// [k[j], k[j+1]], in the notation of expiry,
//
//	s′(K) = (σ[j+1] − σ[j])/h + (−(3a²−1)·M[j] + (3b²−1)·M[j+1])·h/6
//	s″(K) = a·M[j] + b·M[j+1]
//
// so their weights take one tridiagonal solve each, as the value's do.
// Outside the strikes they are the wings' (see lowerWing), and 0 at a
// strike of 0 or +Inf, their limits; at an end strike they are the
// derivatives from inside (s″ is then 0, the spline being natural, and s′
// equals the wing's); at an interior strike, where the spline is twice
// continuously differentiable, they are its derivatives there. A single
// strike gives 0. u must have room for len(e.k) values; it is scratch.
func (e *expiry) slopeWeights(K float64, d1, d2, u []float64) ([]float64, []float64) {
	n := len(e.k)
	d1, d2 = d1[:n], d2[:n]
	clear(d1)
	clear(d2)
	if n == 1 {
		return d1, d2
	}
	if !(K >= e.k[0] && K <= e.k[n-1]) {
		if !(K > 0) || math.IsInf(K, 1) { // the limits: flat
			return d1, d2
		}
		end, x, L := e.wing(K)
		e.endSlope(end, d1, u)
		th := math.Tanh(x / L)
		r := e.k[end] / K
		c1 := r * (1 - th*th)
		c2 := -c1 * (1 + 2/L*th) / K
		for i, v := range d1 {
			d1[i], d2[i] = c1*v, c2*v
		}
		return d1, d2
	}
	// k[j] < K <= k[j+1], or j = 0 at K = k[0].
	j, _ := bracket(e.k, K)
	h := e.k[j+1] - e.k[j]
	a := (e.k[j+1] - K) / h
	b := (K - e.k[j]) / h
	d1[j], d1[j+1] = -1/h, 1/h
	if n < 3 {
		return d1, d2
	}
	m := n - 2
	r := u[:m]
	clear(r)
	if j >= 1 {
		r[j-1] = -(3*a*a - 1) * h / 6
	}
	if j+1 <= n-2 {
		r[j] = (3*b*b - 1) * h / 6
	}
	e.addCurvature(d1, r)
	clear(r)
	if j >= 1 {
		r[j-1] = a
	}
	if j+1 <= n-2 {
		r[j] = b
	}
	e.addCurvature(d2, r)
	return d1, d2
}

// addCurvature adds to the weights w the node weights of cᵀM, for the
// coefficients c (in r, on the interior second derivatives M[1…n−2]) of a
// spline with at least three strikes: w += Bᵀu with A·u = c. It overwrites
// r with u. It is the one tridiagonal solve of the splines: value, slopes
// and end slopes all go through it.
func (e *expiry) addCurvature(w, r []float64) {
	m := len(r)
	// Solve A·u = r in place (Thomas: forward, then back substitution).
	r[0] /= e.den[0]
	for i := 1; i < m; i++ {
		r[i] = (r[i] - e.h[i]*r[i-1]) / e.den[i]
	}
	for i := m - 2; i >= 0; i-- {
		r[i] -= e.cp[i] * r[i+1]
	}
	for i, ui := range r {
		p := i + 1
		l, rr := 6/e.h[p-1], 6/e.h[p]
		w[p-1] += l * ui
		w[p] -= (l + rr) * ui
		w[p+1] += rr * ui
	}
}

// The wings of a smile: beyond its end strike k_e the vol continues the
// spline's slope s′(k_e) there and flattens over a width L in log-strike,
//
//	s(K) = s(k_e) + s′(k_e)·k_e·L·tanh(ln(K/k_e)/L),
//
// so that it is continuous with its slope at k_e (flat extrapolation has a
// kink there, a point mass in the implied density that no diffusion can
// reproduce: local vol then missed the sample's at-the-money 1Y call by
// 0.7%, and a put at the lowest quoted strike by 20%) and tends to
// s(k_e) + s′(k_e)·k_e·L far out. The lower wing flattens over one unit of
// log-strike and the upper, where a negative skew falls towards 0, over
// half of one. Both are linear in the node vols, as the spline is.
const (
	lowerWing = 1.0
	upperWing = 0.5
)

// wing returns, for a strike K outside the quoted ones, the index of the
// end strike beside it, x = ln(K/k[end]) and the wing's width L.
func (e *expiry) wing(K float64) (end int, x, L float64) {
	if K <= e.k[0] {
		if !(K > 0) {
			return 0, math.Inf(-1), lowerWing
		}
		return 0, math.Log(K / e.k[0]), lowerWing
	}
	end = len(e.k) - 1
	return end, math.Log(K / e.k[end]), upperWing
}

// endSlope writes into d the weights of the node vols in the spline's slope
// at end strike k[end], taken from inside, and returns d; u is scratch.
func (e *expiry) endSlope(end int, d, u []float64) []float64 {
	n := len(e.k)
	clear(d)
	j := 0
	if end > 0 {
		j = n - 2
	}
	h := e.k[j+1] - e.k[j]
	d[j], d[j+1] = -1/h, 1/h
	if n < 3 {
		return d
	}
	r := u[:n-2]
	clear(r)
	if end > 0 {
		r[n-3] = h / 6 // s′(k[n−1]) = Δσ/h + M[n−2]·h/6
	} else {
		r[0] = -h / 6 // s′(k[0]) = Δσ/h − M[1]·h/6
	}
	e.addCurvature(d, r)
	return d
}
