package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aadrisk/aadrisk/internal/editdist"
	"github.com/aadrisk/aadrisk/reports"
)

// errHelpShown is returned by parseFlags when -h or --help asked for the
// usage, which it printed on standard output: the command stops, with
// exit status 0, as Go's flag package does.
var errHelpShown = errors.New("help shown")

// commandUsage is the usage of one subcommand: its synopsis, what it does,
// and its flags (from the FlagSet, so that it lists every flag there is).
func commandUsage(w io.Writer, fs *flag.FlagSet, synopsis, about string) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", synopsis, about)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "\nflags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		name, help := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		if name != "" {
			head += " " + strings.ToUpper(name)
		}
		fmt.Fprintf(w, "%s\n      %s", head, help)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// parseFlags parses args with fs, by the conventions of Go's flag package
// but with messages of one line: -h or --help prints the command's usage
// (usage) on stdout and returns errHelpShown; an unknown flag is a usage
// error that suggests the nearest flag; nothing is ever printed to
// standard error from here (fs's output is discarded), the caller reports
// the error once.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer, usage func(io.Writer)) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		usage(stdout)
		return errHelpShown
	}
	return usagef("%s: %s", fs.Name(), flagMessage(fs, err))
}

// flagMessage rewrites an error of package flag in the command's terms:
// flags written with two dashes, as the documentation writes them, and an
// unknown flag with the nearest one that exists.
func flagMessage(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	hint := fmt.Sprintf(" (aadrisk help %s lists the flags)", fs.Name())
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		if s := suggestFlag(fs, name); s != "" {
			return fmt.Sprintf("unknown flag --%s: did you mean --%s?", name, s)
		}
		return "unknown flag --" + name + hint
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return fmt.Sprintf("--%s needs a value", strings.TrimLeft(name, "-"))
	}
	// invalid value "x" for flag -workers: parse error
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		if val, rest, ok := strings.Cut(rest, " for flag -"); ok {
			if name, why, ok := strings.Cut(rest, ": "); ok {
				if why == "parse error" { // strconv's, for a number flag
					why = "want a whole number"
				}
				return fmt.Sprintf("--%s %s: %s", name, val, why)
			}
		}
	}
	// invalid boolean value "x" for -antithetic: parse error
	if rest, ok := strings.CutPrefix(msg, "invalid boolean value "); ok {
		if val, rest, ok := strings.Cut(rest, " for -"); ok {
			if name, _, ok := strings.Cut(rest, ": "); ok {
				return fmt.Sprintf("--%s=%s: want true or false", name, val)
			}
		}
	}
	return msg + hint
}

// suggestFlag returns the flag of fs nearest to name: one that is name
// without its dashes and underscores (as-of, as_of for asof), one that
// name is a prefix of, or one within two edits; "" if none is near.
func suggestFlag(fs *flag.FlagSet, name string) string {
	squash := func(s string) string { return strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(s)) }
	best, bestDist := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		d := editdist.Distance(squash(name), squash(f.Name))
		switch {
		case d == 0:
		case strings.HasPrefix(f.Name, name):
			d = 1 // --work for --workers
		case len(f.Name) >= 3 && strings.HasPrefix(name, f.Name):
			d = 2 // --outdir for --out
		}
		if d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}

// checkInputPath checks that path, given by --flag, names a file that can
// be read as a stream: a regular file or a pipe (a device such as
// /dev/stdin too), not a directory.
func checkInputPath(flagName, path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return usagef("--%s %s: %v", flagName, path, pathErr(err))
	}
	switch m := st.Mode(); {
	case m.IsDir():
		return usagef("--%s %s: is a directory", flagName, path)
	case m.IsRegular(), m&(os.ModeNamedPipe|os.ModeCharDevice) != 0:
		return nil
	}
	return usagef("--%s %s: not a regular file", flagName, path)
}

// pathErr is err without the operation and path that an *os.PathError
// repeats: the message names the path already.
func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// prepareReport checks --report's path and creates its directory, with its
// parents, as --out does: the report is a file name, not an existing
// directory.
func prepareReport(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usagef("--report %s: is a directory (want a file name such as report.html)", path)
	}
	if strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(filepath.Separator)) {
		return usagef("--report %s: want a file name such as report.html, not a directory", path)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return usagef("--report %s: %v", path, pathErr(err))
		}
	}
	return nil
}

// outputNames are the files a run or a merge writes into --out (and a
// shard directory holds).
var outputNames = []string{reports.ResultsFile, reports.SensitivitiesFile, reports.RiskFile, reports.ValidationFile,
	reports.SecondOrderFile, reports.RiskSecondOrderFile, reports.ManifestFile}

// reportClash refuses a --report path that would overwrite a file the run
// reads or writes: an input (inputs, by role), or a result file in one of
// dirs (the --out directory, and under merge each shard directory). Paths
// are compared cleaned and absolute, and an existing file also by identity
// (a link to an input is the input).
func reportClash(report string, inputs map[string]string, dirs ...string) error {
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			return filepath.Clean(p)
		}
		return a
	}
	r := abs(report)
	rst, rerr := os.Stat(report)
	same := func(p string) bool {
		if abs(p) == r {
			return true
		}
		if rerr != nil {
			return false
		}
		st, err := os.Stat(p)
		return err == nil && os.SameFile(rst, st)
	}
	roles := make([]string, 0, len(inputs))
	for role := range inputs {
		roles = append(roles, role)
	}
	slices.Sort(roles)
	for _, role := range roles {
		if p := inputs[role]; p != "" && same(p) {
			return usagef("--report %s: is the input %s file %s: give the report a path of its own", report, role, p)
		}
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		for _, name := range outputNames {
			if same(filepath.Join(d, name)) {
				return usagef("--report %s: is %s of %s: give the report a path of its own", report, name, d)
			}
		}
	}
	return nil
}

// wroteLine is the last line of a run: what it wrote where. files are the
// result files written to dir ("" for none); report is the HTML report's
// path ("" for none); stdout says a summary went to standard output.
func wroteLine(files []string, dir, report string, stdout bool) string {
	var parts []string
	if len(files) > 0 {
		d := dir
		if !strings.HasSuffix(d, "/") && !strings.HasSuffix(d, string(filepath.Separator)) {
			d += string(filepath.Separator)
		}
		parts = append(parts, strings.Join(files, ", ")+" to "+d)
	}
	if stdout {
		parts = append(parts, "a summary to standard output")
	}
	if report != "" {
		parts = append(parts, report)
	}
	if len(parts) == 0 {
		return "wrote nothing"
	}
	return "wrote " + strings.Join(parts, " and ")
}

// commitWithReport writes the report (if any) and commits it, then the
// result files of w (if any), as one commit: a report that cannot be
// written or renamed into place fails the run before any result file is
// committed, and result files that cannot be committed take the new report
// back, so that an error (exit 2) leaves none of the outputs behind.
func commitWithReport(report *reports.Report, file *reports.AtomicFile, man *reports.Manifest, path string, w *reports.Writer) error {
	if report != nil {
		if err := report.Write(file, man); err != nil {
			return err
		}
		if err := file.Commit(); err != nil {
			return fmt.Errorf("--report %s: %w", path, err)
		}
	}
	if w == nil {
		return nil
	}
	if err := w.Commit(man); err != nil {
		if report != nil {
			os.Remove(path)
		}
		return err
	}
	return nil
}
