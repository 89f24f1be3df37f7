// Package fastmath is the elementary functions of the pricers' hot paths:
// exp, log, erfc and the standard normal CDF and density, faster than
// package math and as accurate, with results that do not depend on the
// machine.
//
// Every function is pure Go with no state. Products that feed a sum are
// rounded explicitly (float64(a*b) + c) so that no compiler fuses them
// into an FMA, and the tables are literal bit patterns written by
// gen/main.go from math/big, so the results are the same bits on every
// platform.
//
// Exp and Log are table driven (Tang's method): 128 values of 2^(j/128)
// with a degree-5 polynomial for exp, 128 points c with 1/c and log c and
// a degree-7 polynomial for log, with the reduced argument kept exact as a
// double-double. Erfc and NormCDF multiply exp(-x²) or exp(-x²/2), with x²
// split exactly into a head and a tail, by a polynomial of degree 9 for
// erfc(x)·exp(x²) or Φ(-x)·exp(x²/2) on one of sixteen subintervals of
// each binade of x, and near zero use the Taylor-like polynomial of erf.
//
//go:generate go run gen/main.go
package fastmath
