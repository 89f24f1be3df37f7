// Package marketdata holds market quotes (spots, zero curves, dividend
// curves, implied vol surfaces, correlations and Heston parameters), loads
// them from a market file, and reads them for pricing on an AAD tape, so
// that a pricing's sensitivity to every quote it uses comes out of one
// backward sweep.
//
// # The market file
//
// A market file (SPEC.md §3) has one quote per row and a header with the
// columns type, name, pillar, strike and value, in any order; all five are
// required, other columns are ignored (see package strictcsv for how cells
// and headers are read). Pillars are tenors (nD, nW, nM, nY) or dates
// (YYYY-MM-DD), turned into years ACT/365F by ParseTime. Load validates
// every row and is all or nothing: its errors name the file, the line and
// the column.
//
//	type,name,pillar,strike,value
//	SPOT,ACME,,,100
//	RATE,USD,1Y,,0.03
//	RATE,USD,2026-07-01,,0.035
//	DIVYIELD,ACME,1Y,,0.01
//	VOL,ACME,1Y,90,0.25
//	VOL,ACME,1Y,100,0.22
//	VOL,ACME,2Y,,0.21
//	CORR,ACME|BETA,,,0.3
//	HESTON,ACME,kappa,,1.5
//
// Every quote is a risk factor, a Key (Quote.RiskFactor), named in
// sensitivity reports by its text TYPE/name[/pillar[/strike]] as written
// (Quote.Key, Market.Index); ParseKey reads that text back, and
// CompareKeys orders keys as a risk ladder.
//
// # Warnings
//
// Rates, dividend yields and vols are decimals (0.041 for 4.1%). A quote
// that is valid but almost surely a percentage written where a decimal is
// expected, a RATE or DIVYIELD with |value| > MaxPlausibleRate (1: 100%)
// or a VOL above MaxPlausibleVol (5: 500%), does not stop the load: the
// market is built from the values as written, and Market.Warnings lists
// each such quote as a Warning with the file, line and column of its value
// cell, formatted like the errors:
//
//	market.csv:4:14: value: RATE/USD/1Y = 4.1 looks like a percentage (a rate is a decimal: 4.1% is 0.041)
//
// The package logs nothing; the caller reports the warnings, or treats
// them as errors. Correlations and the Heston rho need no warning: outside
// [−1, 1] they are errors already.
//
// # Interpolation
//
// Zero curves (RATE, and DIVYIELD alike): z(t)·t is linear in t between
// pillars (discount factors log-linear), and z is flat before the first
// pillar and after the last. An underlying without DIVYIELD quotes has zero
// yield.
//
// Vol surfaces: at each expiry pillar, vol is a natural cubic spline in
// strike through the strikes quoted there (linear for two strikes,
// constant for one or for a blank strike); outside them the wings continue
// the end slope and flatten (s(K) = s(k_e) + s′(k_e)·k_e·L·tanh(ln(K/k_e)/L),
// L = 1 below the strikes and ½ above), so the smile has no kink; between
// expiry pillars, total variance σ²t is linear in t at the wanted strike;
// vol is flat before the first expiry and after the last.
//
// Correlations: 1 on the diagonal, 0 for a pair without a quote
// (Scope.Corr). Whether a matrix of them is positive semi-definite is for
// its user to check: package montecarlo does so as it factorises it.
//
// # Reading for a pricing
//
// A Market is immutable and shared by all workers. Each worker reads it
// through its own Scope, reset for every trade with the trade's tape:
//
//	sc := m.NewScope()
//	for each trade {
//		tp.Reset()
//		sc.Reset(tp)
//		T := sc.Time(expiry)         // T − h, active through the time shift h
//		spot, _ := sc.Spot("ACME")   // an input of the tape
//		r, _ := sc.ZeroRate("USD", T)
//		vol, _ := sc.Vol("ACME", T, strike)
//		pv := price(tp, spot, r, vol, T)
//		tp.SetAdjoint(pv, 1)
//		tp.Backward()
//		for _, in := range sc.Inputs() {
//			key := m.Quotes()[in.Quote].Key
//			sens := tp.Adjoint(in.X)
//		}
//		h, ok := sc.Shift() // theta = tp.Adjoint(h) if ok
//	}
//
// Each quote becomes a tape variable the first time the pricing reads it,
// and only the quotes the result depends on are read (the pillars around a
// time, the spline's nodes at the expiries used), so Inputs lists exactly
// the trade's risk factors. Interpolations are recorded as single
// statements with exact partials, computed from weights prepared when the
// market is built: a vol read costs O(strikes at the expiry). A warm Scope
// does not allocate. With a nil tape a Scope evaluates passively, giving
// the same values bit for bit; with a Bump (Scope.ResetBumped), which moves
// quotes or the valuation time as the scope reads them, that is
// bump-and-revalue on the one market.
//
// Errors for data a pricing needs and the market lacks (no SPOT for a
// name, no RATE curve for a currency, no VOL for a name, incomplete Heston
// parameters) wrap ErrNotFound: the trade fails, not the batch.
package marketdata
