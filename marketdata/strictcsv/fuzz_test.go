package strictcsv

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"
)

// FuzzDecoder checks that no input makes the decoder panic or loop: every
// call of Next consumes a record or ends the file, every error is an *Error
// with a sane position, and every decoded text is valid UTF-8.
func FuzzDecoder(f *testing.F) {
	for _, s := range []string{
		"trade_id,strike,quantity,paths,option_type\nT1,100,1,10,call\n",
		"\xEF\xBB\xBFtrade_id,strike\r\nT1,\"1\r\n\"\r\n",
		"trade_id,strike\n\"a\nb\",1e999\nT2,0,25\n",
		"trade_id,strike\nT1,\"1\"x\nT2,2\n",
		"trade_id,strike\nT1,1\"0\nT2,\xff\n",
		"strik\n",
		"trade_id,trade_id\n",
		"",
		"\"",
		"trade_id\n\"\n",
		"quantity\n1e-2147483649\n12345678901234567890123456789012345678901\n1e100\n",
		"paths\n010\n1.9\n9223372036854775808\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := NewDecoder[trade](bytes.NewReader(data), "f.csv")
		if err != nil {
			checkError(t, err)
			return
		}
		for range len(data) + 2 {
			var r trade
			line, err := d.Next(&r)
			if err == io.EOF {
				return
			}
			if err != nil {
				e := checkError(t, err)
				if e.Fatal {
					return
				}
				continue
			}
			if line < 2 {
				t.Fatalf("record at line %d", line)
			}
			if !utf8.ValidString(string(r.ID)) || !utf8.ValidString(string(r.Option)) {
				t.Fatalf("invalid UTF-8 decoded: %q %q", r.ID, r.Option)
			}
		}
		t.Fatalf("Next did not reach the end of %d bytes", len(data))
	})
}

func checkError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("not an *Error: %v", err)
	}
	if e.Line < 0 || e.Column < 0 || (e.Column > 0 && e.Line == 0) {
		t.Fatalf("bad position in %v", e)
	}
	_ = e.Error()
	return e
}
