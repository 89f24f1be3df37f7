package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/batch"
	"github.com/aadrisk/aadrisk/reports"
)

// aadrisk merge --out DIR SHARD_DIR...
//
// merge combines the output directories of the N shards of one batch into
// the files one unsharded run would have written, byte for byte. The rules
// (which directories are the shards of one batch, their integrity, the
// ordered merge) are package batch's; merge parses its flags, finds the
// portfolio, creates the outputs, and maps batch's refusals (*batch.Error)
// to exit status 2 (main.go).

// mergeSynopsis and mergeAbout are the first lines of merge's usage.
const (
	mergeSynopsis = "aadrisk merge [--portfolio FILE] [--report FILE.html] --out DIR SHARD_DIR..."
	mergeAbout    = `Combines the output directories of the shards of one batch (price or
validate with --shard K/N) into the files of the unsharded run.`
)

// mergeFlags are merge's flags.
type mergeFlags struct {
	out, portfolio, report string
}

// newMergeFlagSet returns merge's flags, into f.
func newMergeFlagSet(f *mergeFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.StringVar(&f.out, "out", "", "write the merged files to `dir` (required)")
	fs.StringVar(&f.portfolio, "portfolio", "", "the portfolio `file` the shards priced, if it is no longer where their manifests say")
	fs.StringVar(&f.report, "report", "", "also write a self-contained HTML risk report of the merged batch to `file`, creating its directory if needed")
	return fs
}

// mergeUsage writes merge's usage to w.
func mergeUsage(w io.Writer) {
	commandUsage(w, newMergeFlagSet(&mergeFlags{}), mergeSynopsis, mergeAbout)
}

// merge runs aadrisk merge: it checks the shard directories (batch.Open),
// merges them into --out (and --report) and commits the files only when
// every check passed.
func merge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var mf mergeFlags
	fs := newMergeFlagSet(&mf)
	if err := parseFlags(fs, args, stdout, mergeUsage); err != nil {
		return err
	}
	out, portfolio, reportPath := mf.out, mf.portfolio, mf.report
	if out == "" {
		return usagef("merge: --out DIR is required (usage: %s)", mergeSynopsis)
	}
	dirs := fs.Args()
	if len(dirs) == 0 {
		return usagef("merge: no shard directories (usage: %s)", mergeSynopsis)
	}
	for _, d := range dirs {
		if strings.HasPrefix(d, "-") {
			return usagef("merge: %q: flags go before the shard directories (usage: %s)", d, mergeSynopsis)
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	b, err := batch.Open(dirs)
	if err != nil {
		return err
	}
	if err := b.CheckOut(out); err != nil {
		return err
	}
	ref := b.Manifest()
	if ref.Version != versionString() {
		log.Warn("the shards were priced by another version of aadrisk", "shards", ref.Version, "merge", versionString())
	}

	// The portfolio, to recover the input order: where the manifests say,
	// or --portfolio if it moved.
	want, err := b.Portfolio()
	if err != nil {
		return err
	}
	path := want.Path
	if portfolio != "" {
		path = portfolio
	}
	if portfolio == "" && path != "" {
		if _, err := os.Stat(path); err != nil {
			return usagef("merge: the portfolio the shards priced, %s: %v (give --portfolio FILE if it moved)", path, pathErr(err))
		}
	}
	pf, err := openFile("portfolio", path, "portfolio.csv")
	if err != nil {
		return usagef("merge: %v", err)
	}
	defer pf.rc.Close()
	mg, err := b.NewMerge(pf.rc, pf.name)
	if err != nil {
		return err
	}
	defer mg.Close()

	var report *reports.Report
	var reportFile *reports.AtomicFile
	if reportPath != "" {
		if err := reportClash(reportPath, map[string]string{"portfolio": path}, append([]string{out}, dirs...)...); err != nil {
			return usagef("merge: %v", err)
		}
		if err := prepareReport(reportPath); err != nil {
			return usagef("merge: %v", err)
		}
		if reportFile, err = reports.CreateAtomic(reportPath); err != nil {
			return usagef("merge: --report %s: %v", reportPath, pathErr(err))
		}
		defer reportFile.Abort()
		report = reports.NewReport(reports.ReportSettings{})
	}
	w, err := reports.NewWriter(out, reports.WriterSettings{Validation: ref.Command == "validate", SecondOrder: ref.SecondOrder})
	if err != nil {
		return usagef("merge: --out %s: %v", out, pathErr(err))
	}
	defer w.Abort()

	log.Info("merging", "shards", b.N(), "command", ref.Command, "as_of", ref.AsOf, "portfolio", pf.name, "out", out)
	start := time.Now()
	sink := reports.NewSink(w, report, nil)
	man, err := mg.Run(ctx, sink, log)
	if err != nil {
		return err
	}
	if err := commitWithReport(report, reportFile, man, reportPath, w); err != nil {
		return err
	}
	n := sink.Counts()
	log.Info("merged", "shards", b.N(), "trades_ok", n.OK, "trades_failed", n.Failed, "out", out, "seconds", time.Since(start).Seconds())
	log.Info(wroteLine(append(slices.Clip(man.Files), reports.ManifestFile), out, reportPath, false))
	switch {
	case n.Failed > 0:
		return failedError{fmt.Sprintf("%d of %d trades failed", n.Failed, n.OK+n.Failed)}
	case n.FiguresFailed > 0:
		return failedError{fmt.Sprintf("%d of %d figures disagree with bump-and-revalue", n.FiguresFailed, n.Figures)}
	}
	return nil
}
