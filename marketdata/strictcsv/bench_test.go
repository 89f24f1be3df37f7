package strictcsv

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// BenchmarkDecoder decodes a file of 10,000 trade records with the columns
// of a portfolio (and one the struct does not know): the serial part of
// reading a portfolio. It reports the time per record.
func BenchmarkDecoder(b *testing.B) {
	const records = 10_000
	var sb strings.Builder
	sb.WriteString("trade_id,strike,quantity,desk,paths,option_type\n")
	for i := range records {
		fmt.Fprintf(&sb, "T-%d,%d.5,%d,rates,%d,call\n", i, 90+i%20, 100*(i%7+1), 1000+i)
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		d, err := NewDecoder[trade](strings.NewReader(in), "p.csv")
		if err != nil {
			b.Fatal(err)
		}
		var row trade
		for {
			if _, err := d.Next(&row); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*records), "ns/record")
}
