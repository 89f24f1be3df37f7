// Package reports writes the output of `aadrisk price` and `aadrisk
// validate`: the result files of a run (SPEC.md §6) and the readable summary
// printed when there is no output directory.
//
// # Files
//
// A Writer writes into one directory:
//
//   - results.csv: one row per trade, in input order:
//     trade_id,instrument,engine,status,pv,std_error,delta,gamma,vega,rho,div_rho,theta,vanna,volga,
//     delta_std_error,gamma_std_error,vega_std_error,rho_std_error,div_rho_std_error,theta_std_error,
//     vanna_std_error,volga_std_error,error.
//     status is "ok" or "error"; an error row has blank figures and the
//     reason in error. std_error and the eight standard errors of the
//     Greeks are blank for analytic engines; delta, gamma and vanna (and
//     their standard errors) for baskets.
//   - sensitivities.csv: trade_id,risk_factor,sensitivity,std_error, every
//     sensitivity of every ok trade, trades in input order and each trade's
//     sensitivities in the order of the market file.
//   - risk.csv: risk_factor,currency,sensitivity, the portfolio's
//     sensitivity to each factor in each currency: the sum over the ok
//     trades in that currency (a trade's sensitivities are in its
//     currency, and figures in different currencies are never added), one
//     row per risk factor and currency. The rows are sorted by risk factor
//     in ladder order (marketdata.CompareKeys at the run's as-of date: by
//     type SPOT, RATE, DIVYIELD, VOL, CORR, HESTON, then name, then pillar
//     in time, then strike in numeric value), then by currency in byte
//     order. A sensitivity's risk factor is a marketdata.Key, written as
//     its text; the readers read it back with marketdata.ParseKey.
//   - validation.csv (validate only):
//     trade_id,risk_factor,check,aad,bump,abs_diff,rel_diff,tolerance,std_error,z,status
//     with check "bump", "same-rn" or "revaluation" (pricing.CheckBump, ...),
//     std_error and z given for revaluation rows only, and status "ok" or
//     "fail".
//   - second_order.csv and risk_second_order.csv (WriterSettings.SecondOrder,
//     --second-order): trade_id,currency,risk_factor,wrt,value,std_error,
//     each ok trade's ∂²pv/∂risk_factor∂wrt for wrt each spot it depends
//     on, and risk_factor,wrt,currency,value, their exact sums per
//     currency, sorted by risk factor, then wrt, in ladder order, then
//     currency. The HTML report shows the sums as a cross-gamma matrix
//     and a vanna map per currency.
//   - manifest.json: the Manifest of the run.
//
// Writer.Add streams: a trade's rows are formatted into large reused
// buffers that go to disk as they fill, so a run of millions of rows holds
// only one running sum per risk factor in memory. Formatting the figures is
// most of the cost; a command with several pricing goroutines can have each
// of them format its trades (Rows.Format) and leave the goroutine that
// writes in input order only Writer.AddRows, which copies bytes and adds up.
// A Sink does both for a command: Sink.Format on the pricing goroutines,
// Sink.Add in input order, which hands each trade to the Writer, the
// Report and the Summary the run has and counts the trades.
//
// Commit also records in the Manifest the number of rows, the length and the
// CRC-32C of each file (Manifest.Outputs), so that a file damaged or edited
// after the run can be told (ChecksumReader).
//
// WriteSummary prints the readable table of a run for a terminal, and
// HashFile and HashReader give the SHA-256 of the input files for the
// Manifest.
//
// # Atomicity
//
// Every file is written to a hidden temporary file in the output directory
// (".results.csv.tmp-…") and nothing appears under the final names until
// Commit, which fsyncs the files and renames them into place, manifest.json
// last (after removing the manifest of an earlier run, if any): a directory
// with a manifest.json holds the complete output of the run it describes,
// and its Files field lists them. Abort removes the temporary files; a
// command calls it on every path that does not commit (an error, an
// interrupt, --strict with a failed trade). A process killed outright can
// leave temporary files behind, never partial files under the final names.
//
// # Numbers
//
// A figure is written in the shortest form that reads back as exactly the
// same float64 (strconv.AppendFloat with format 'g' and precision -1:
// "0.1", "-12.5", "1e-07", "1.2345678e+06"), so files are deterministic and
// lose nothing; negative zero is written 0. A NaN or an infinity is never
// written (SPEC.md §7): the engine turns a non-finite result into a trade
// error, and the writers refuse one that gets through with an error rather
// than write it.
//
// The totals of risk.csv are exact: each is the exact sum of the float64
// sensitivities of the trades in one currency, rounded once to the nearest
// float64. Such a sum
// does not depend on the order of the additions, so a merge that feeds the
// trades of every shard (their rows of sensitivities.csv, which read back
// exactly) to a Writer gets the totals of the unsharded run, bit for bit,
// whatever the order (results.csv has no currency: the merge gives each
// trade its currency from the portfolio, Rows.SetCurrency). Adding up the
// shards' risk.csv, each rounded, would not.
//
// The HTML report (Report) follows the same rule: its risk ladders are
// risk.csv's sums, one chart, heat map or table row per currency.
//
// # Reading back
//
// ResultsReader, SensitivitiesReader, RiskReader, ValidationReader and
// ReadManifest read the files back, a row at a time, as `aadrisk merge`
// does to combine the shards of a batch (merge recomputes risk.csv from
// the sensitivities rather than reading it). The risk.csv of an earlier
// version, "risk_factor,sensitivity" with figures of different currencies
// added together, is refused with a message that says so. They accept exactly what a Writer
// writes (the header byte for byte, LF line ends and a final LF, quoting
// and neutralising only where the Writer applies them, numbers in the
// shortest form that reads back exactly, blank cells where the Writer
// leaves them blank, risk factors that are keys of a market) and refuse
// anything else with a *strictcsv.Error naming the file, line, column and
// field, the error type of the input files' readers; so what they read,
// written again by a Writer, gives the same bytes.
//
// # Text
//
// Text cells (trade ids, instruments, engines, risk factors, error
// messages) are quoted per RFC 4180 when they contain a comma, a double
// quote, CR or LF (or begin with a space), and neutralised against formula
// injection: a cell that begins with '=', '+', '-', '@', tab or CR gets a
// leading apostrophe, so a spreadsheet shows it as text ("-T1" is written
// '-T1). A cell that begins with an apostrophe gets one more, so that the
// rule is undone exactly: a reader drops the first character of a text
// cell that begins with an apostrophe. Numbers are never altered: a
// negative figure is not text. Lines end with LF, as encoding/csv writes
// them; the bytes of a text cell are otherwise written as they are.
package reports
