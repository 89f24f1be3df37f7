package batch

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/pricing"
	"github.com/aadrisk/aadrisk/reports"
)

// Batch is the output directories of the N shards of one batch, checked by
// Open to be shards 1/N to N/N of the same batch, once each.
type Batch struct {
	shards []*shardDir // in shard order
	asof   time.Time
	// validate is whether the shards are of `aadrisk validate`, with a
	// validation.csv each.
	validate bool
}

// shardDir is the output directory of one shard.
type shardDir struct {
	dir  string
	man  *reports.Manifest
	part Shard

	files   []*os.File
	sums    []*checked // the files read, with their checksums
	results *reports.ResultsReader
	sens    peeker[reports.SensitivityRow]
	valid   peeker[pricing.Validation]
	// second reads second_order.csv, of a run with --second-order.
	second peeker[reports.SecondOrderRow]
	// ok and failed count the rows of results.csv used, sensRows,
	// validRows and secondRows those of sensitivities.csv, validation.csv
	// and second_order.csv.
	ok, failed, sensRows, validRows, secondRows int
}

// checked is a file of a shard read through a checksum, with what its
// manifest says of it.
type checked struct {
	path string
	sum  *reports.ChecksumReader
	want reports.OutputFile
}

func (s *shardDir) manifestPath() string { return filepath.Join(s.dir, reports.ManifestFile) }

// name describes the shard in messages.
func (s *shardDir) name() string { return fmt.Sprintf("shard %s (%s)", s.part, s.dir) }

// Open reads the manifests of the shard directories dirs and checks that
// they are the N shards of one batch, once each, in any order: each is the
// output of a completed sharded run (it has a manifest.json, written last,
// that describes the files of its command), all have the same version,
// command, as-of date, inputs (by SHA-256: paths may differ), seed, paths,
// rng, antithetic and N, and none is given twice or missing. It reads
// nothing but the manifests; an error is an *Error.
func Open(dirs []string) (*Batch, error) {
	var shards []*shardDir
	for _, d := range dirs {
		s := &shardDir{dir: d}
		if st, err := os.Stat(d); err != nil {
			return nil, refuse(ErrNotShard, d, "shard directory %s: %w", d, pathErr(err))
		} else if !st.IsDir() {
			return nil, refuse(ErrNotShard, d, "shard directory %s: is not a directory", d)
		}
		m, err := reports.ReadManifestFile(s.manifestPath())
		if errors.Is(err, os.ErrNotExist) {
			return nil, &Error{Kind: ErrNotShard, Dir: d, Err: err,
				msg: fmt.Sprintf("merge: %s has no %s: not the output of a completed run (a shard that failed or is still running?)", d, reports.ManifestFile)}
		}
		if err != nil {
			return nil, refuse(ErrNotShard, d, "%w", err)
		}
		if m.Shard == "" {
			return nil, refuse(ErrNotShard, d, "%s is the output of an unsharded run (its manifest has no shard): there is nothing to merge", d)
		}
		part, err := ParseShard(m.Shard)
		if err != nil {
			return nil, refuse(ErrNotShard, d, "%s: shard %w", s.manifestPath(), err)
		}
		s.man, s.part = m, part
		if err := s.checkFiles(); err != nil {
			return nil, err
		}
		shards = append(shards, s)
	}
	if len(shards) == 0 {
		return nil, refuse(ErrMissing, "", "no shard directories")
	}

	ref := shards[0]
	for _, s := range shards[1:] {
		if diffs := batchDiffs(ref, s); len(diffs) > 0 {
			return nil, refuse(ErrIncompatible, s.dir, "%s and %s are not shards of the same batch: %s", s.dir, ref.dir, strings.Join(diffs, "; "))
		}
	}
	n := ref.part.N
	byK := make([]*shardDir, n+1)
	for _, s := range shards {
		if o := byK[s.part.K]; o != nil {
			return nil, refuse(ErrDuplicate, s.dir, "shard %s is given twice: %s and %s", s.part, o.dir, s.dir)
		}
		byK[s.part.K] = s
	}
	var missing []string
	for k := 1; k <= n; k++ {
		if byK[k] == nil {
			missing = append(missing, fmt.Sprintf("%d/%d", k, n))
		}
	}
	if len(missing) > 0 {
		if len(missing) > 10 {
			missing = append(missing[:10], fmt.Sprintf("and %d more", len(missing)-10))
		}
		verb := "are"
		if len(missing) == 1 {
			verb = "is"
		}
		return nil, refuse(ErrMissing, "", "the batch has %d shards but %s %s missing: merge needs all of them", n, strings.Join(missing, ", "), verb)
	}
	b := &Batch{shards: byK[1:], validate: ref.man.Command == "validate"}
	if limit, ok := openFileLimit(); ok {
		const spare = 64 // the inputs, the outputs being written, standard streams
		need := uint64(n*FilesPerShard(b.validate, ref.man.SecondOrder) + spare)
		if need > limit {
			return nil, refuse(ErrTooMany, "", "merging %d shards holds %d files of each open at once, %d files in all, over this process's limit of %d open files: raise it (ulimit -n) and merge again",
				n, FilesPerShard(b.validate, ref.man.SecondOrder), need, limit)
		}
	}
	asof, err := time.Parse(time.DateOnly, ref.man.AsOf)
	if err != nil {
		// ReadManifest checks the date: only a change there gets here.
		return nil, refuse(ErrNotShard, ref.dir, "%s: as-of date %q", ref.manifestPath(), ref.man.AsOf)
	}
	b.asof = asof
	return b, nil
}

// N is the number of shards of the batch.
func (b *Batch) N() int { return len(b.shards) }

// Manifest is the manifest of shard 1, whose version, command, as-of date,
// inputs, seed, paths, rng and antithetic are every shard's. It is not to
// be modified.
func (b *Batch) Manifest() *reports.Manifest { return b.shards[0].man }

// Portfolio is the portfolio file the shards priced, as shard 1's manifest
// names it: its path ("" for the sample built into aadrisk) and SHA-256.
func (b *Batch) Portfolio() (reports.InputFile, error) {
	for _, in := range b.Manifest().Inputs {
		if in.Name == "portfolio" {
			return in, nil
		}
	}
	s := b.shards[0]
	return reports.InputFile{}, refuse(ErrNotShard, s.dir, "%s: the manifest names no portfolio", s.manifestPath())
}

// CheckOut refuses an output directory that is one of the shards'; one
// that does not exist yet is fine. The message names it as aadrisk merge's
// --out.
func (b *Batch) CheckOut(dir string) error {
	ost, err := os.Stat(dir)
	if err != nil {
		return nil // it does not exist yet
	}
	for _, s := range b.shards {
		if st, err := os.Stat(s.dir); err == nil && os.SameFile(ost, st) {
			return refuse(ErrOutIsShard, s.dir, "--out %s is the directory of %s: write the merged files elsewhere", dir, s.name())
		}
	}
	return nil
}

// batchDiffs lists what makes s and ref shards of different batches.
func batchDiffs(ref, s *shardDir) []string {
	a, b := ref.man, s.man
	var d []string
	diff := func(what string, x, y any) {
		d = append(d, fmt.Sprintf("%s %v, not %v", what, y, x))
	}
	if a.Version != b.Version {
		diff("version", a.Version, b.Version)
	}
	if a.Command != b.Command {
		diff("command", a.Command, b.Command)
	}
	if a.AsOf != b.AsOf {
		diff("as-of", a.AsOf, b.AsOf)
	}
	if a.Seed != b.Seed {
		diff("seed", a.Seed, b.Seed)
	}
	if a.Paths != b.Paths {
		diff("paths", a.Paths, b.Paths)
	}
	if a.RNG != b.RNG {
		diff("rng", a.RNG, b.RNG)
	}
	if a.GridSpots != b.GridSpots || a.GridSteps != b.GridSteps {
		diff("grid", fmt.Sprintf("%d×%d", a.GridSpots, a.GridSteps), fmt.Sprintf("%d×%d", b.GridSpots, b.GridSteps))
	}
	if a.SecondOrder != b.SecondOrder {
		diff("second_order", a.SecondOrder, b.SecondOrder)
	}
	if a.Antithetic != b.Antithetic {
		diff("antithetic", a.Antithetic, b.Antithetic)
	}
	if ref.part.N != s.part.N {
		diff("number of shards", ref.part.N, s.part.N)
	}
	sums := func(m *reports.Manifest) map[string]string {
		x := make(map[string]string)
		for _, in := range m.Inputs {
			x[in.Name] = in.SHA256
		}
		return x
	}
	sa, sb := sums(a), sums(b)
	var names []string
	for k := range sa {
		names = append(names, k)
	}
	for k := range sb {
		if _, ok := sa[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		if sa[k] != sb[k] {
			diff(k+" SHA-256", orNone(sa[k]), orNone(sb[k]))
		}
	}
	return d
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// checkFiles checks that the manifest lists the files of its command,
// with what merge needs to check them.
func (s *shardDir) checkFiles() error {
	want := []string{reports.ResultsFile, reports.SensitivitiesFile, reports.RiskFile}
	if s.man.Command == "validate" {
		want = append(want, reports.ValidationFile)
	}
	if s.man.SecondOrder {
		want = append(want, reports.SecondOrderFile, reports.RiskSecondOrderFile)
	}
	for _, f := range want {
		if !slices.Contains(s.man.Files, f) {
			return refuse(ErrNotShard, s.dir, "%s does not list %s among the files of the run", s.manifestPath(), f)
		}
		if _, ok := s.man.Output(f); !ok {
			return refuse(ErrNotShard, s.dir, "%s does not describe %s (its rows, length and CRC-32C): not a manifest that merge can check", s.manifestPath(), f)
		}
	}
	// The portfolio totals merge recomputes from the sensitivities, so it
	// reads them for no rows; they are checked whole all the same (a shard
	// whose risk.csv was edited, replaced or deleted is not the run's).
	for _, f := range []string{reports.RiskFile, reports.RiskSecondOrderFile} {
		if slices.Contains(s.man.Files, f) {
			if err := s.verifyWhole(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// verifyWhole reads file name of the shard to its end, checking its length
// and CRC-32C against the manifest, and closes it.
func (s *shardDir) verifyWhole(name string) error {
	p := filepath.Join(s.dir, name)
	f, err := os.Open(p)
	if err != nil {
		return refuse(ErrDamaged, s.dir, "%s: %w", s.name(), err)
	}
	defer f.Close()
	want, _ := s.man.Output(name)
	c := &checked{path: p, sum: reports.NewChecksumReader(f), want: want}
	return s.verifyChecked(c)
}

// open opens the shard's files and reads their headers.
func (s *shardDir) open(validate bool) error {
	openFile := func(name string) (io.Reader, string, error) {
		p := filepath.Join(s.dir, name)
		f, err := os.Open(p)
		if err != nil {
			return nil, p, refuse(ErrDamaged, s.dir, "%s: %w", s.name(), err)
		}
		s.files = append(s.files, f)
		want, _ := s.man.Output(name) // checkFiles checked it is there
		c := &checked{path: p, sum: reports.NewChecksumReader(f), want: want}
		s.sums = append(s.sums, c)
		return c.sum, p, nil
	}
	f, p, err := openFile(reports.ResultsFile)
	if err != nil {
		return err
	}
	if s.results, err = reports.NewResultsReader(f, p); err != nil {
		return readErr(ErrDamaged, s.dir, err)
	}
	f, p, err = openFile(reports.SensitivitiesFile)
	if err != nil {
		return err
	}
	sr, err := reports.NewSensitivitiesReader(f, p)
	if err != nil {
		return readErr(ErrDamaged, s.dir, err)
	}
	s.sens = peeker[reports.SensitivityRow]{next: sr.Next, line: sr.Line, file: p}
	if validate {
		f, p, err = openFile(reports.ValidationFile)
		if err != nil {
			return err
		}
		vr, err := reports.NewValidationReader(f, p)
		if err != nil {
			return readErr(ErrDamaged, s.dir, err)
		}
		s.valid = peeker[pricing.Validation]{next: vr.Next, line: vr.Line, file: p}
	}
	if s.man.SecondOrder {
		f, p, err = openFile(reports.SecondOrderFile)
		if err != nil {
			return err
		}
		sr, err := reports.NewSecondOrderReader(f, p)
		if err != nil {
			return readErr(ErrDamaged, s.dir, err)
		}
		s.second = peeker[reports.SecondOrderRow]{next: sr.Next, line: sr.Line, file: p}
	}
	return nil
}

// verify reads the shard's files to their ends and checks their lengths
// and CRC-32Cs against the manifest: a file changed after the run wrote it
// is refused, whatever its rows. It can be called again.
func (s *shardDir) verify() error {
	for _, c := range s.sums {
		if err := s.verifyChecked(c); err != nil {
			return err
		}
	}
	return nil
}

// verifyChecked reads c to its end and checks its length and CRC-32C.
func (s *shardDir) verifyChecked(c *checked) error {
	if _, err := io.Copy(io.Discard, c.sum); err != nil {
		return refuse(ErrDamaged, s.dir, "%s: %s: %w", s.name(), c.path, err)
	}
	if c.sum.N() != c.want.Bytes || c.sum.CRC32C() != c.want.CRC32C {
		return refuse(ErrDamaged, s.dir, "%s: %s is not the file the run wrote: %d bytes with CRC-32C %s, but its manifest says %d bytes with CRC-32C %s: the shard is damaged",
			s.name(), c.path, c.sum.N(), c.sum.CRC32C(), c.want.Bytes, c.want.CRC32C)
	}
	return nil
}

// rowCounts checks the rows used against the manifest's counts.
func (s *shardDir) rowCounts() error {
	if s.ok != s.man.TradesOK || s.failed != s.man.TradesFailed {
		return refuse(ErrDamaged, s.dir, "%s: %s has %d ok and %d failed trades, but its manifest says %d and %d: the shard is damaged", s.name(), reports.ResultsFile, s.ok, s.failed, s.man.TradesOK, s.man.TradesFailed)
	}
	for _, c := range s.sums {
		used := -1
		switch filepath.Base(c.path) {
		case reports.SensitivitiesFile:
			used = s.sensRows
		case reports.ValidationFile:
			used = s.validRows
		case reports.SecondOrderFile:
			used = s.secondRows
		}
		if used >= 0 && used != c.want.Rows {
			return refuse(ErrDamaged, s.dir, "%s: %d rows of %s belong to its trades, but its manifest says it has %d: the shard is damaged", s.name(), used, c.path, c.want.Rows)
		}
	}
	return nil
}

func (s *shardDir) close() {
	for _, f := range s.files {
		f.Close()
	}
	s.files = nil
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
