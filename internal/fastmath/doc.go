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
// each binade of x, the product rounded once; near zero they use the
// series of erf. NormPDF has its own table of 2^(j/128)/√(2π).
//
// Exp and Log are within 0.52 ulp, Erfc, NormCDF and NormPDF within
// 2 ulp (measured: under 0.8) over their whole domains, the tails of
// NormCDF and NormPDF included down to where they underflow.
//
//go:generate go run gen/main.go
package fastmath
