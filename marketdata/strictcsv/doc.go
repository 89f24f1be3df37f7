// Package strictcsv reads CSV files with a header into structs, strictly,
// and reports every error at its physical position in the file.
//
// It is built on encoding/csv, whose FieldPos gives the line and column of
// every cell. A Decoder maps the columns of the header to the fields of a
// struct by their `csv` tags once, and then decodes each cell of a record
// straight into its field with the field type's UnmarshalCSV (Unmarshaler),
// which parses strictly: Float, Decimal, Int and Text here, or the caller's
// own (an enumeration, say). A Decoder refuses struct fields that do not
// implement UnmarshalCSV, so no loose default parsing (gocsv's reads "010"
// as 8, "1.9" as 1 and "0,25" as 0.25 and turns a blank cell into 0) can
// creep in. The interface is gocsv's TypeUnmarshaller: a row struct of
// these cell types reads the same with gocsv, less the positions.
//
// # Files
//
// A file is UTF-8 text with a header line. A leading byte-order mark is
// dropped (columns on line 1 are counted without it) and CRLF line ends are
// accepted. Blank lines are skipped, as encoding/csv does. A cell that is
// not valid UTF-8 is an error; so is a record longer than MaxRecordBytes or
// a header with more than MaxColumns columns, which bounds the memory a
// hostile file can take.
//
// # Header
//
// Header names are matched to the struct's `csv` tags case-insensitively,
// after trimming surrounding spaces; columns may come in any order. A
// missing header (an empty file), a duplicated column and a missing
// required column are errors. Columns the struct does not know are ignored
// (Ignored lists them), except that a name one edit away from a known
// column ("strik", "Stike"), or equal to it once spaces, '-' and '_' are
// dropped ("option type" for "option_type"), is taken for a typo and
// rejected, also beside the known column itself (quantity,quantty: a
// misspelt duplicate, whose figures might be the ones meant). A header
// cell that is
// blank names no column and is ignored. Looser resemblances (barrier_kind
// for barrier_type) are no error by themselves, since a file may carry
// columns of its own; a caller that finds a column missing when a record
// needs it asks Decoder.LookAlike which ignored column was probably meant,
// and can make that the file's error with Decoder.HeaderErrorf.
//
// # Cells
//
// Every cell type trims surrounding spaces and tabs, and a cell that is then
// empty is blank: not an error, but Set is false (Text is ""). Whether a
// blank is allowed is the caller's decision, reported with Decoder.Errorf.
// Numbers are plain decimals: an optional sign, digits with at most one
// decimal point, an optional exponent ("-12.5", "+3", ".5", "1e-3"). Hex,
// octal, "inf", "nan", digit separators ("1_000", "1,000") and decimal commas
// ("0,25") are errors, and so is a number too large for its type. Error
// messages say what was expected and what was found:
//
//	portfolio.csv:12:31: strike: want a number, got "abc"
//
// # Errors
//
// Every error from a Decoder is an *Error with the file, the physical line
// and the column (1-based, in bytes, as encoding/csv counts them: the
// position of the cell's first byte, or of its opening quote), the column's
// name and a message. Line is the line where the record starts, so a record
// with a quoted cell that spans lines is reported where it begins, and a
// cell error where the cell begins. After an error in one record the
// decoder goes on with the next one, except after the few errors marked
// Fatal, which leave no reliable place to resume.
package strictcsv
