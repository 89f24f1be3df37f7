// Package pricing values trades on a market and computes all their
// first-order sensitivities with adjoint algorithmic differentiation (AAD):
// the present value, the Greeks and the sensitivity to every market quote
// the value depends on (each curve pillar, each vol node), from one
// recording of the pricing and one backward sweep per trade. It also reads
// portfolio files, checks every AAD figure against bump-and-revalue, and
// prices whole portfolios on parallel workers.
//
// # Instruments, engines, trades, pricers, results
//
// An Instrument is a product with terms, one type per product whatever
// prices it: European, Digital (cash- or asset-or-nothing), Barrier (the
// four single barrier types, continuously monitored, with a cash rebate),
// Asian (geometric or arithmetic, continuous or with discrete fixings),
// American and Basket. Each is built by a New function that checks its
// terms, once: neither the portfolio reader nor an engine checks them
// again. Expiries are in years from the market's as-of date
// (marketdata.ParseTime turns a tenor or a date into years):
//
//	call, err := pricing.NewEuropean(pricing.Option{
//		Asset: "ACME", Ccy: "USD", Type: pricing.Call, Strike: 100, Expiry: 1})
//
// An Engine prices the instruments it knows, as QuantLib attaches a pricing
// engine to an instrument: AnalyticEngine by the closed forms of package
// closedform (Black–Scholes–Merton, Reiner–Rubinstein, Kemna–Vorst and the
// discrete geometric Asian, Barone-Adesi–Whaley), MCEngine by simulation
// (package montecarlo) with the trade's model, paths, steps, seed, random
// numbers and antithetic setting. An engine knows which instruments it
// prices by the small interfaces they implement (analyticProduct: a closed
// form; mcProduct: a payoff of the simulated path), and its Check says
// why it cannot price one (a basket has no closed form, an American no
// Monte Carlo payoff): the Pricer, bump-and-revalue and validation ask the
// trade's engine and never switch on the instrument's type. closedform
// keeps its own argument checks, for its direct callers: reached from
// pricing, whose terms the New functions checked, they catch only what
// depends on the market (a spot beyond the barrier, a negative vol).
//
// A new product is one file that defines its type, its New function and
// the methods of the engines that price it (value for the analytic engine,
// simulation for Monte Carlo, in that file beside the terms they read),
// and one row in the portfolio reader's table of products (products, in
// trade.go, with its columns in PortfolioRow); nothing else changes. The
// engines' methods live in the product's file rather than in the engine's
// so that the terms and every formula that reads them are read, and
// changed, together; an engine's file holds only what all its products
// share (analytic.go: recording, gamma; mc.go, mcprice.go, mcvalidate.go:
// settings, the simulation, its Greeks and checks). A new engine (a PDE engine)
// is one file with its Engine type and the small interface its products
// implement, the method of that interface in the file of each product it
// prices, and its name among the reader's engines (trade.go).
//
// A Trade is a signed quantity of an instrument (negative = short), with an
// ID and the engine that prices it (the analytic engine if none). A Pricer
// prices trades one at a time against one marketdata.Market, on its own
// AAD tape, reset and reused from trade to trade; give every goroutine its
// own. The context is an argument of each call, so one Pricer serves runs
// with different deadlines:
//
//	p := pricing.NewPricer(m)
//	res := p.Price(ctx, &pricing.Trade{ID: "T1", Quantity: decimal.NewFromInt(10), Instrument: call})
//
// Price returns a *Result: the figures, or, in Result.Err, why the trade
// could not be priced (market data missing, a barrier already breached, a
// result that is not finite). A failed trade has no figures, and no figure
// of a Result is ever NaN or infinite.
//
// # Greeks
//
// Every figure is for the whole trade (scaled by its quantity) in the
// currency of its discount curve:
//
//   - PV: the present value.
//   - Delta = ∂pv/∂S and Gamma = ∂²pv/∂S², for S the spot of the
//     underlying, per unit of spot and per unit of spot squared.
//   - Vega: the sum of ∂pv/∂σ over the underlying's VOL nodes, the
//     sensitivity to a parallel shift of the vol surface, per 1.00 of vol
//     (divide by 100 for one vol point).
//   - Rho: the sum of ∂pv/∂z over the currency's RATE pillars, per 1.00 of
//     rate (divide by 10,000 for one basis point); DivRho: the same over
//     the underlying's DIVYIELD pillars.
//   - Theta: ∂pv/∂t per year as the valuation date moves forward with every
//     quote held: every remaining time (the expiry, each fixing) shortens
//     by the same amount and curves and surfaces are read at the new times
//     (divide by 365 for one day). On flat markets it is −∂pv/∂T.
//   - Sens: ∂pv/∂q for every market quote q the trade depends on, with its
//     index in the market and its risk factor, a marketdata.Key (written
//     SPOT/ACME, RATE/USD/1Y, VOL/ACME/1Y/100, ...), in the order of the
//     market file. Delta, Vega, Rho and DivRho are sums of them.
//
// All of these but gamma come from one recording and one backward sweep:
// every quote the pricing reads is an input of the tape, and so is the
// valuation time, whose adjoint is theta. Gamma is the central difference
// of AAD deltas at the spot moved by ±1e-6 of itself (two more
// recordings), one-sided where the spot sits within that of a barrier.
//
// # Bump-and-revalue
//
// BumpAndRevalue computes the same sensitivities without AAD, with the
// trade's engine, from the same pricing code run passively (no tape) on a
// moved market. For a closed form: central differences for each quote, a
// forward difference in the valuation time for theta, each extrapolated
// to a zero step by Ridders' method so that the step suits the scale on
// which the value changes (a one-day option needs far smaller spot moves
// than a one-year one). For Monte Carlo: differences of simulations with
// the same random numbers at a tiny step. Validate compares every figure
// of a Result with it, one Validation row per sensitivity and one for
// theta, within RelTolerance relative and AbsTolerance of the PV (and, for
// Monte Carlo, with revaluations at steps out of the estimator's noise:
// RevaluationSigmas).
//
// # Portfolios and runs
//
// A PortfolioReader streams the trades of a portfolio file (SPEC.md §4): a file
// that cannot be read as a whole fails at once, a row that cannot become a
// trade comes back as a Trade with its error (naming the line and column)
// and the reading goes on. A file that lacks a column some row needs
// (barrier_type for a barrier) while its header has an ignored column like
// it (barrier_kind) is taken for misspelt: the reading stops at the first
// such row with one error at that header cell, not one failed trade per
// row. ReadPortfolio reads a small file into memory.
//
// Run prices a stream of trades on several goroutines, each with its own
// Pricer, optionally validating each, and hands the results back in input
// order, in bounded memory. The figures do not depend on the number of
// workers, bit for bit. A long run can be watched: Item.Paths counts the
// paths a Monte Carlo trade has simulated, a block at a time, against
// SimulatedPaths; a run cancelled through its context stops without
// emitting the trades it cut short.
package pricing
