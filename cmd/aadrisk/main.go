// Command aadrisk prices portfolios of equity and FX options and computes
// every first- and second-order sensitivity with adjoint algorithmic
// differentiation.
//
// Usage:
//
//	aadrisk price    [--portfolio FILE --market FILE --asof DATE] [--out DIR]
//	                 [--report FILE.html] [--workers N] [--paths N] [--seed N]
//	                 [--rng pseudo|sobol] [--antithetic] [--shard K/N] [--shards N]
//	                 [--strict] [--second-order] [--grid-spots N] [--grid-steps N]
//	aadrisk validate [the flags of price]   # AAD against bump-and-revalue
//	aadrisk merge    [--portfolio FILE] [--report FILE.html] --out DIR SHARD_DIR...
//	aadrisk bench    [--quick]
//	aadrisk version                         # or aadrisk --version
//	aadrisk help     [COMMAND]              # or aadrisk COMMAND -h
//
// aadrisk help COMMAND, and -h or --help after a command, print its usage
// with every flag on standard output and exit 0, as Go's flag package
// does; a flag that does not exist is one line on standard error with the
// nearest flag that does, and exit 2 (flags.go).
//
// With no --portfolio and --market, price and validate run on a sample
// portfolio and market built into the binary. With --out DIR the result
// files are written there, each atomically; without it a readable summary
// goes to standard output. --report FILE.html also writes a self-contained
// HTML risk report (reports.Report), atomically, with or without --out;
// both create the directories they need. A run's last log line says what
// it wrote where. Progress (progress.go) is a log line every 10 s without
// a terminal, or a bar of the work done on one.
//
// --shard K/N prices only shard K of N (a stable hash of trade_id, see
// batch.ShardOf); K and N may instead come from a Kubernetes Indexed Job
// (JOB_COMPLETION_INDEX with --shards N or AADRISK_SHARDS) or a Slurm job
// array (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT). merge checks that
// its directories are all the shards of one batch, once each, and writes
// the files of the unsharded run, byte for byte (package batch; merge.go
// parses its flags and maps its refusals, a *batch.Error, to exit status
// 2).
//
// Exit status: 0 when every trade priced (and, for validate, every figure
// agreed with bump-and-revalue); 1 when some trades failed (their rows say
// why; every other trade is still priced and written); 2 for an unusable
// invocation or an unreadable or invalid input file, in which case nothing
// is written; 128 plus the signal's number (130 for SIGINT, 143 for SIGTERM,
// 129 for SIGHUP, 131 for SIGQUIT) when the run was interrupted, in which
// case nothing is written either.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aadrisk/aadrisk/batch"
	"github.com/aadrisk/aadrisk/internal/editdist"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	// SIGHUP (a closed terminal) and SIGQUIT are interruptions too: the run
	// stops, cleans up and exits 128 plus the signal's number.
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	done := make(chan struct{})
	go func() {
		var s os.Signal
		select {
		case s = <-sigs:
		case <-done:
			return
		}
		// A second signal gets the default behaviour: an operator can always
		// stop a run that does not stop.
		signal.Stop(sigs)
		cancel(interrupted{s})
		// A run blocked in the system, opening a FIFO that has no writer,
		// never gets to see the cancellation; it has written nothing yet
		// (outputs are created once the inputs are open), so after a grace
		// period it is stopped here.
		select {
		case <-done:
		case <-time.After(stuckGrace):
			e := interrupted{s}
			fmt.Fprintf(os.Stderr, "aadrisk: %v; nothing written\n", e)
			os.Exit(e.status())
		}
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	close(done)
	cancel(nil)
	os.Exit(code)
}

// stuckGrace is how long after an interruption a run that has not stopped
// (blocked opening an input) is ended by main itself.
const stuckGrace = 3 * time.Second

// interrupted is the cause of a run stopped by a signal.
type interrupted struct{ sig os.Signal }

func (e interrupted) Error() string { return "interrupted by " + e.sig.String() }

// status is the exit status of a run stopped by the signal: 128 plus its
// number, as shells report it.
func (e interrupted) status() int {
	if s, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}

// usageError is an invocation or input error: exit status 2, nothing written.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// usage is the top-level usage: every command with every flag it has (a
// test checks it against the flag sets), and where the details are.
const usage = `usage: aadrisk COMMAND [flags]

commands:
  price      price a portfolio: every trade's value and first-order sensitivities by AAD
  validate   price, and check every AAD sensitivity against bump-and-revalue
  merge      combine the output directories of the shards of one batch
  bench      run the standard workloads W1 to W6 and print their table
  version    print the version (also: aadrisk --version)
  help       print the usage of a command, with its flags (also: aadrisk COMMAND -h)

  aadrisk price    [--portfolio FILE --market FILE --asof DATE] [--out DIR]
                   [--report FILE.html] [--workers N] [--paths N] [--seed N]
                   [--rng pseudo|sobol] [--antithetic] [--shard K/N] [--shards N]
                   [--strict] [--second-order] [--grid-spots N] [--grid-steps N]
  aadrisk validate [the flags of price]
  aadrisk merge    [--portfolio FILE] [--report FILE.html] --out DIR SHARD_DIR...
  aadrisk bench    [--quick]
  aadrisk version
  aadrisk help     [COMMAND]

With no --portfolio and --market, price and validate run on a sample
portfolio and market built into the binary (cmd/aadrisk/sample/ in the
source). "aadrisk help COMMAND" describes each flag.
`

// commands are the subcommands' usages, for help and -h.
var commands = map[string]func(io.Writer){
	"price":    func(w io.Writer) { priceUsage(w, false) },
	"validate": func(w io.Writer) { priceUsage(w, true) },
	"merge":    mergeUsage,
	"bench":    benchUsage,
	"version": func(w io.Writer) {
		commandUsage(w, flag.NewFlagSet("version", flag.ContinueOnError), "aadrisk version", "Prints the version: the release, the source revision and the Go version.")
	},
	"help": func(w io.Writer) {
		commandUsage(w, flag.NewFlagSet("help", flag.ContinueOnError), "aadrisk help [COMMAND]", "Prints the usage of COMMAND, or of aadrisk.")
	},
}

// run is the whole command; it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "price":
		err = price(ctx, args[1:], false, stdout, stderr)
	case "validate":
		err = price(ctx, args[1:], true, stdout, stderr)
	case "merge":
		err = merge(ctx, args[1:], stdout, stderr)
	case "bench":
		err = bench(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		err = versionCmd(args, stdout)
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "help":
		err = help(args[1:], stdout)
	default:
		err = unknownCommand(args[0])
	}
	var ue usageError
	var fe failedError
	var ie interrupted
	var be *batch.Error
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		return exitOK
	case errors.As(err, &ie) || errors.As(context.Cause(ctx), &ie):
		fmt.Fprintf(stderr, "aadrisk: %v; nothing written\n", ie)
		return ie.status()
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "aadrisk: %v\n", err)
		return exitFailed
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "aadrisk: %v\n", err)
		return exitUsage
	case errors.As(err, &be):
		// A merge refused its shards (batch.ErrDamaged and the like),
		// before writing anything.
		fmt.Fprintf(stderr, "aadrisk: %v\n", err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "aadrisk: %v\n", err)
		return exitUsage
	}
}

// versionCmd is aadrisk version (or --version): args are the whole
// command line.
func versionCmd(args []string, stdout io.Writer) error {
	if args[0] == "version" {
		fs := flag.NewFlagSet("version", flag.ContinueOnError)
		if err := parseFlags(fs, args[1:], stdout, commands["version"]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return usagef("version: unexpected argument %q", fs.Arg(0))
		}
	} else if len(args) > 1 {
		return usagef("%s: unexpected argument %q", args[0], args[1])
	}
	fmt.Fprintln(stdout, versionString())
	return nil
}

// help is aadrisk help [COMMAND]: the usage of COMMAND, or of aadrisk,
// on stdout.
func help(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("help", flag.ContinueOnError)
	if err := parseFlags(fs, args, stdout, commands["help"]); err != nil {
		return err
	}
	args = fs.Args()
	switch {
	case len(args) == 0:
		fmt.Fprint(stdout, usage)
		return nil
	case len(args) > 1:
		return usagef("help: want one command, got %q", args)
	}
	u, ok := commands[args[0]]
	if !ok {
		return unknownCommand(args[0])
	}
	u(stdout)
	return nil
}

// unknownCommand is the error of a command that does not exist, with the
// nearest one that does.
func unknownCommand(name string) error {
	best, bestDist := "", 3
	for c := range commands {
		if d := editdist.Distance(name, c); d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	if best != "" {
		return usagef("unknown command %q: did you mean %s? (aadrisk help lists the commands)", name, best)
	}
	return usagef("unknown command %q (aadrisk help lists the commands)", name)
}

// failedError reports a run that completed with some trades failed: exit
// status 1.
type failedError struct{ msg string }

func (e failedError) Error() string { return e.msg }
