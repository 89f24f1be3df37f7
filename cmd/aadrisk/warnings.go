package main

import (
	"log/slog"
	"strings"

	"github.com/aadrisk/aadrisk/marketdata"
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
