package main

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing"
)

// marketWarnings reports the quotes of a market that loaded but are almost
// surely in the wrong unit (marketdata.Warning: a rate of 4.10, a vol of
// 25.5): each once, as a warn log line naming the file, line and column of
// its value cell. With strict they are an invalid input instead: the error
// lists every one of them, and the run stops before anything is written
// (exit 2).
func marketWarnings(log *slog.Logger, ws []marketdata.Warning, strict bool) error {
	if len(ws) == 0 {
		return nil
	}
	if strict {
		lines := make([]string, len(ws))
		for i, w := range ws {
			lines[i] = w.Error()
		}
		what := "quote looks"
		if len(ws) > 1 {
			what = "quotes look"
		}
		return usagef("--strict: %d market %s wrong:\n%s", len(ws), what, strings.Join(lines, "\n"))
	}
	for _, w := range ws {
		log.Warn("market quote looks wrong", "file", w.File, "line", w.Line, "column", w.Column, "key", w.Key, "warning", w.Msg)
	}
	return nil
}

// flooredListed is how many regularised local-vol nodes a trade's warning
// lists; the count says how many there are.
const flooredListed = 5

// logFloored warns that a trade's local-vol surface had Dupire's formula
// regularised, saying at how many nodes and where the first were: time
// (years), strike, the local variance the formula gave and the one used.
func logFloored(log *slog.Logger, r *pricing.Result) {
	var b strings.Builder
	for i, f := range r.Floored[:min(len(r.Floored), flooredListed)] {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "t=%.4g K=%.6g local variance %.4g, used %.4g", f.T, f.K, f.LocalVar, f.Used)
	}
	log.Warn("local variance regularised (an arbitrage in the vol surface)", "trade_id", r.TradeID, "line", r.Line,
		"nodes", len(r.Floored), "first", b.String())
}
