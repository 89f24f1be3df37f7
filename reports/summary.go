package reports

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aadrisk/aadrisk/pricing"
)

// WriteSummary writes the readable table that `aadrisk price` prints when
// it has no output directory: one line per trade (trade id, instrument,
// engine, status, pv, std_error when a listed trade has one, delta, gamma,
// vega, rho, div_rho, theta; for a failed trade the error in place of the
// figures), in aligned columns, then the portfolio totals and the counts.
//
// With maxRows > 0 and more results than that, only the first maxRows trades
// are listed and a line says how many were left out; the totals and counts
// are always over all of them. maxRows <= 0 lists every trade. A command
// that does not keep every result uses a Summary instead, which gives the
// same table.
//
// Figures are rounded for reading (six significant digits, all the digits
// of the integer part); the exact figures are those of results.csv. The
// totals are the exact sums over the ok trades of pv, vega, rho, div_rho
// and theta, rounded once, one row per currency (figures in different
// currencies are never added); vega and the rhos add across underlyings. Delta and gamma are per underlying and
// are not totalled (the per-factor totals are risk.csv's).
//
// Text is made safe for a terminal: control characters print as spaces and
// invalid UTF-8 as U+FFFD. Like Writer, WriteSummary refuses to print a NaN
// or an infinity: it returns an error and prints nothing.
func WriteSummary(out io.Writer, results []*pricing.Result, maxRows int) error {
	s := NewSummary(maxRows)
	for i, r := range results {
		if r == nil {
			return fmt.Errorf("reports: nil result at index %d", i)
		}
		if err := s.Add(r); err != nil {
			return err
		}
	}
	return s.Write(out)
}

// Summary gathers the results of a run, in input order, for the table of
// WriteSummary, keeping only the first maxRows of them (all of them for
// maxRows <= 0) and running totals and counts, so that a command can print
// the summary of a portfolio of any size without holding it.
type Summary struct {
	maxRows    int
	rows       []*pricing.Result
	ok, failed int
	// tot holds, per currency, the exact sums of pv, vega, rho, div_rho
	// and theta: figures in different currencies are never added.
	tot map[string]*[5]tradeSum
}

// NewSummary returns an empty Summary listing at most maxRows trades.
func NewSummary(maxRows int) *Summary {
	return &Summary{maxRows: maxRows, tot: make(map[string]*[5]tradeSum)}
}

// Add adds one result, which the Summary keeps (not a copy) if it is listed.
// Like Writer.Add, it refuses a result with a NaN or an infinity in a
// figure that would be printed or totalled.
func (s *Summary) Add(r *pricing.Result) error {
	if r == nil {
		return errors.New("reports: nil result")
	}
	if r.Err == nil {
		if err := checkFigures(r); err != nil {
			return err
		}
	}
	if s.maxRows <= 0 || len(s.rows) < s.maxRows {
		s.rows = append(s.rows, r)
	}
	if r.Err != nil {
		s.failed++
		return nil
	}
	s.ok++
	tot := s.tot[r.Currency]
	if tot == nil {
		tot = new([5]tradeSum)
		s.tot[r.Currency] = tot
	}
	for j, v := range [...]float64{r.PV, r.Vega, r.Rho, r.DivRho, r.Theta} {
		tot[j].addFrom(r.TradeID, v)
	}
	return nil
}

// Write writes the table of the results added so far.
func (s *Summary) Write(out io.Writer) error {
	n := s.ok + s.failed
	if n == 0 {
		_, err := io.WriteString(out, "0 trades\n")
		return err
	}
	ccys := slices.Sorted(maps.Keys(s.tot))
	if len(ccys) == 0 {
		ccys = []string{""}
		s.tot[""] = new([5]tradeSum)
	}
	totals := make([][5]float64, len(ccys))
	for i, c := range ccys {
		for j := range s.tot[c] {
			if totals[i][j] = s.tot[c][j].value(); !finite(totals[i][j]) {
				return fmt.Errorf("reports: the %s total of %s is beyond the float64 range (%s): %w",
					c, [...]string{"pv", "vega", "rho", "div_rho", "theta"}[j], s.tot[c][j].largest(), errNonFinite)
			}
		}
	}
	hasStdErr := false
	for _, r := range s.rows {
		hasStdErr = hasStdErr || (r.Err == nil && r.HasStdError)
	}

	// The table: header, trades, totals. An error row has 4 cells and its
	// message in msgs.
	header := []string{"trade_id", "instrument", "engine", "status", "pv", "std_error", "delta", "gamma", "vega", "rho", "div_rho", "theta"}
	const firstNum = 4
	drop := func(row []string) []string { // without std_error unless shown
		if hasStdErr || len(row) <= firstNum+1 {
			return row
		}
		return append(row[:firstNum+1:firstNum+1], row[firstNum+2:]...)
	}
	rows := make([][]string, 0, len(s.rows)+2)
	msgs := make([]string, 0, len(s.rows)+2)
	rows = append(rows, drop(header))
	msgs = append(msgs, "")
	for _, r := range s.rows {
		row := []string{terminalText(r.TradeID), terminalText(r.Instrument), terminalText(r.Engine)}
		if r.Err != nil {
			rows = append(rows, append(row, "error"))
			msgs = append(msgs, terminalText(r.Err.Error()))
			continue
		}
		row = append(row, "ok", readable(r.PV, true), readable(r.StdError, r.HasStdError),
			readable(r.Delta, r.HasDelta), readable(r.Gamma, r.HasDelta),
			readable(r.Vega, true), readable(r.Rho, true), readable(r.DivRho, true), readable(r.Theta, true))
		rows = append(rows, drop(row))
		msgs = append(msgs, "")
	}
	var total [][]string // one row per currency
	for i, c := range ccys {
		label := strings.TrimSpace("total " + terminalText(c))
		t := totals[i]
		total = append(total, drop([]string{label, "", "", "", readable(t[0], true), "", "", "",
			readable(t[1], true), readable(t[2], true), readable(t[3], true), readable(t[4], true)}))
	}

	width := make([]int, len(rows[0]))
	for _, row := range append(rows, total...) {
		for c, cell := range row {
			width[c] = max(width[c], utf8.RuneCountInString(cell))
		}
	}

	bw := bufio.NewWriter(out)
	line := func(row []string, msg string) {
		var b strings.Builder
		for c, cell := range row {
			if c > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[c]-utf8.RuneCountInString(cell))
			if c >= firstNum { // figures, right-aligned
				b.WriteString(pad)
				b.WriteString(cell)
			} else {
				b.WriteString(cell)
				b.WriteString(pad)
			}
		}
		if msg != "" {
			b.WriteString("  ")
			b.WriteString(msg)
		}
		bw.WriteString(strings.TrimRight(b.String(), " "))
		bw.WriteByte('\n')
	}
	for i, row := range rows {
		line(row, msgs[i])
	}
	if left := n - len(s.rows); left > 0 {
		fmt.Fprintf(bw, "... %d more %s not shown (write every row with --out DIR)\n", left, plural(left, "trade", "trades"))
	}
	for _, t := range total {
		line(t, "")
	}
	fmt.Fprintf(bw, "%d %s: %d ok, %d failed\n", n, plural(n, "trade", "trades"), s.ok, s.failed)
	return bw.Flush()
}

// terminalText replaces control characters by spaces and invalid UTF-8 by
// U+FFFD, so that a trade id or an error message cannot move the cursor or
// change the terminal's state.
func terminalText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return ' '
		}
		return r // utf8.RuneError for an invalid byte
	}, s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
