package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
)

// Manifest describes one run: what it read, with which settings, and what it
// gave. Writer.Commit writes it as manifest.json, indented JSON with the
// fields in the order below.
//
// A merge of shards is meant to compare their manifests: the same Version,
// Command, AsOf, Inputs, Seed, Paths, RNG, Antithetic, GridSpots, GridSteps and SecondOrder, and shards 1/N
// to N/N once each.
type Manifest struct {
	// Version is the version of aadrisk that wrote the files.
	Version string `json:"version"`
	// Command is "price" or "validate".
	Command string `json:"command"`
	// AsOf is the valuation date, YYYY-MM-DD.
	AsOf string `json:"as_of"`
	// Inputs are the files read, with their SHA-256 (see HashFile and
	// HashReader).
	Inputs []InputFile `json:"inputs"`
	// Seed is the default Monte Carlo seed (--seed) and Paths the default
	// number of paths (--paths), for trades that do not set their own; both
	// change the numbers, so a merge checks them.
	Seed  uint64 `json:"seed"`
	Paths int    `json:"paths"`
	// RNG is the default Monte Carlo random numbers (--rng: "pseudo" or
	// "sobol") and Antithetic the default of antithetic paths
	// (--antithetic), for trades that do not set their own; both change the
	// numbers, so a merge checks them. A manifest without rng (written
	// before it existed) reads as "".
	RNG        string `json:"rng"`
	Antithetic bool   `json:"antithetic"`
	// GridSpots and GridSteps are the default grid of pde trades
	// (--grid-spots, --grid-steps); they change the numbers, so a merge
	// checks them. A manifest written before them reads 0.
	GridSpots int `json:"grid_spots,omitempty"`
	GridSteps int `json:"grid_steps,omitempty"`
	// SecondOrder is --second-order: the run wrote second_order.csv and
	// risk_second_order.csv. A merge checks it, as the shards' files must
	// be the same.
	SecondOrder bool `json:"second_order,omitempty"`
	// Shard is "K/N" for shard K (1-based) of N, "" for an unsharded run.
	Shard string `json:"shard"`
	// Workers is the number of pricing goroutines; the numbers do not depend
	// on it, it is there to read timings.
	Workers int `json:"workers"`
	// TradesOK and TradesFailed count the rows of results.csv by status.
	// Commit sets them from the results it was given.
	TradesOK     int `json:"trades_ok"`
	TradesFailed int `json:"trades_failed"`
	// Files are the output files of the run, manifest.json aside (so that a
	// reader can tell them from a stale file of an earlier run in the same
	// directory). Commit sets it.
	Files []string `json:"files"`
	// Outputs describe the output files, in the order of Files: their
	// number of data rows (the header aside), length and CRC-32C, so that a
	// file damaged or changed after the run is detected (merge checks
	// them). Commit sets it.
	Outputs []OutputFile `json:"outputs,omitempty"`
	// Start and End are when the run started and ended; UTC reads best.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// OutputFile describes one output file of a run.
type OutputFile struct {
	Name string `json:"name"`
	// Rows is the number of data rows, the header aside.
	Rows int `json:"rows"`
	// Bytes is the length of the file.
	Bytes int64 `json:"bytes"`
	// CRC32C is the CRC-32C (Castagnoli) of its bytes, as 8 lowercase
	// hexadecimal digits.
	CRC32C string `json:"crc32c"`
}

// Output returns the description of the output file name, if the manifest
// has one.
func (m *Manifest) Output(name string) (OutputFile, bool) {
	for _, o := range m.Outputs {
		if o.Name == name {
			return o, true
		}
	}
	return OutputFile{}, false
}

// ChecksumReader is an io.Reader that computes the length and CRC-32C of the
// bytes read through it, to check a file against its OutputFile.
type ChecksumReader struct {
	r   io.Reader
	crc uint32
	n   int64
}

// NewChecksumReader returns a ChecksumReader reading from r.
func NewChecksumReader(r io.Reader) *ChecksumReader { return &ChecksumReader{r: r} }

// Read reads from the underlying reader and adds what it read to the
// checksum.
func (c *ChecksumReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.crc = crc32.Update(c.crc, castagnoli, p[:n])
	c.n += int64(n)
	return n, err
}

// CRC32C returns the CRC-32C of the bytes read so far, as OutputFile has it.
func (c *ChecksumReader) CRC32C() string { return fmt.Sprintf("%08x", c.crc) }

// N returns the number of bytes read so far.
func (c *ChecksumReader) N() int64 { return c.n }

// InputFile is one input file of a run.
type InputFile struct {
	// Name is its role: "portfolio" or "market".
	Name string `json:"name"`
	// Path is the file as given on the command line; empty for the sample
	// embedded in the binary.
	Path string `json:"path,omitempty"`
	// SHA256 is the lowercase hexadecimal SHA-256 of its bytes.
	SHA256 string `json:"sha256"`
}

// check reports a malformed field that would make the manifest useless to a
// merge.
func (m *Manifest) check() error {
	if _, err := time.Parse(time.DateOnly, m.AsOf); err != nil {
		return fmt.Errorf("reports: manifest as-of date %q is not YYYY-MM-DD", m.AsOf)
	}
	switch m.RNG {
	case "", "pseudo", "sobol":
	default:
		return fmt.Errorf("reports: manifest rng %q: want \"pseudo\" or \"sobol\"", m.RNG)
	}
	if m.Shard != "" {
		k, n, ok := strings.Cut(m.Shard, "/")
		ki, kerr := strconv.Atoi(k)
		ni, nerr := strconv.Atoi(n)
		if !ok || kerr != nil || nerr != nil || ki < 1 || ki > ni {
			return fmt.Errorf("reports: manifest shard %q is not K/N with 1 ≤ K ≤ N", m.Shard)
		}
	}
	for _, in := range m.Inputs {
		if b, err := hex.DecodeString(in.SHA256); err != nil || len(b) != sha256.Size {
			return fmt.Errorf("reports: manifest input %q: %q is not a hexadecimal SHA-256", in.Name, in.SHA256)
		}
	}
	return nil
}

// marshal encodes m as indented JSON with a final newline; HTML characters
// are not escaped, so paths read as they are.
func (m *Manifest) marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("reports: encoding the manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// HashFile returns the lowercase hexadecimal SHA-256 of the file at path.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := NewHashReader(f)
	if _, err := io.Copy(io.Discard, h); err != nil {
		return "", fmt.Errorf("reports: hashing %s: %w", path, err)
	}
	return h.Sum(), nil
}

// HashReader is an io.Reader that computes the SHA-256 of the bytes read
// through it, so that a command can hash an input file while it parses it,
// in one pass.
type HashReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

// NewHashReader returns a HashReader reading from r.
func NewHashReader(r io.Reader) *HashReader {
	return &HashReader{r: r, h: sha256.New()}
}

// Read reads from the underlying reader and adds what it read to the hash.
func (h *HashReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n]) // never fails
	h.n += int64(n)
	return n, err
}

// Sum returns the lowercase hexadecimal SHA-256 of the bytes read so far. It
// is the hash of the file only once the reader has reached io.EOF: a parser
// that may stop early (on an error, say) should be followed by
// io.Copy(io.Discard, h) before Sum.
func (h *HashReader) Sum() string {
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.h.Sum(sum[:0]))
}

// N returns the number of bytes read so far.
func (h *HashReader) N() int64 { return h.n }

// maxManifest bounds the size of a manifest.json that ReadManifest reads.
const maxManifest = 1 << 20

// ReadManifest reads a manifest.json as Writer.Commit writes it, refusing a
// file that is not one: not JSON, trailing data, an unknown command, an
// as-of date that is not YYYY-MM-DD, a shard that is not K/N with
// 1 ≤ K ≤ N, a SHA-256 that is not 64 hexadecimal digits, a malformed
// output description, a missing version, negative counts. Unknown fields
// are ignored. file names it in errors.
func ReadManifest(r io.Reader, file string) (*Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxManifest+1))
	if err != nil {
		return nil, &strictcsv.Error{File: file, Msg: err.Error(), Err: err}
	}
	if len(data) > maxManifest {
		return nil, &strictcsv.Error{File: file, Msg: fmt.Sprintf("larger than %d bytes: not a manifest", maxManifest)}
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, jsonError(file, data, err)
	}
	off := dec.InputOffset()
	if rest := bytes.TrimLeft(data[off:], " \t\r\n"); len(rest) > 0 {
		line, col := position(data, int64(len(data)-len(rest)))
		return nil, &strictcsv.Error{File: file, Line: line, Column: col, Msg: "data after the manifest's closing brace"}
	}
	bad := func(format string, args ...any) error {
		return &strictcsv.Error{File: file, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case m.Version == "":
		return nil, bad("no version")
	case m.Command != "price" && m.Command != "validate":
		return nil, bad("command %q: want \"price\" or \"validate\"", m.Command)
	case m.TradesOK < 0 || m.TradesFailed < 0:
		return nil, bad("negative trade counts")
	}
	if err := m.check(); err != nil {
		return nil, bad("%v", err)
	}
	for _, in := range m.Inputs {
		if in.Name == "" {
			return nil, bad("an input without a name")
		}
	}
	for _, o := range m.Outputs {
		if o.Name == "" || o.Rows < 0 || o.Bytes < 0 || len(o.CRC32C) != 8 || strings.Trim(o.CRC32C, "0123456789abcdef") != "" {
			return nil, bad("output %q: want a name, counts ≥ 0 and a CRC-32C of 8 lowercase hexadecimal digits", o.Name)
		}
	}
	return &m, nil
}

// ReadManifestFile reads the manifest.json at path (see ReadManifest).
func ReadManifestFile(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadManifest(f, path)
}

// jsonError locates a JSON decoding error in data.
func jsonError(file string, data []byte, err error) error {
	var off int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return &strictcsv.Error{File: file, Msg: "empty or truncated JSON", Err: err}
	}
	e := &strictcsv.Error{File: file, Msg: err.Error(), Err: err}
	if off >= 0 {
		e.Line, e.Column = position(data, off)
	}
	return e
}

// position converts a byte offset in data to a line and column (1-based).
func position(data []byte, off int64) (line, col int) {
	off = min(off, int64(len(data)))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}
