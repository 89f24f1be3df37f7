package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aadrisk/aadrisk/benchmarks"
)

// bench runs the standard workloads W1–W6 and W8 once each and prints their table:
// the figures of `go test ./benchmarks -bench .` for users with the binary
// only. W5 runs this executable.
//
// The workloads live in package benchmarks, which imports every other
// package; this command imports it in turn, so of the two it sits last in
// the order of imports (benchmarks imports no command).
func bench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var quick bool
	fs := newBenchFlagSet(&quick)
	if err := parseFlags(fs, args, stdout, benchUsage); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("bench: unexpected argument %q", fs.Arg(0))
	}
	exe, err := os.Executable()
	if err != nil {
		exe = "" // W5 needs this executable; without it the table leaves W5 out
	}
	opt := benchmarks.TableSettings{Scale: 1, Exe: exe, Progress: func(id string) { fmt.Fprintf(stderr, "aadrisk bench: %s\n", id) }}
	if quick {
		opt.Scale = 10
	}
	rows, err := benchmarks.Table(ctx, opt)
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return err
	}
	return benchmarks.WriteTable(stdout, rows)
}

// benchSynopsis and benchAbout are the first lines of bench's usage.
const (
	benchSynopsis = "aadrisk bench [--quick]"
	benchAbout    = `Runs the standard workloads W1 to W6 once each (minutes; --quick: a
tenth of each) and prints their table.`
)

// newBenchFlagSet returns bench's flags, into quick.
func newBenchFlagSet(quick *bool) *flag.FlagSet {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.BoolVar(quick, "quick", false, "a tenth of each workload's paths, options and trades")
	return fs
}

// benchUsage writes bench's usage to w.
func benchUsage(w io.Writer) {
	var quick bool
	commandUsage(w, newBenchFlagSet(&quick), benchSynopsis, benchAbout)
}
