package strictcsv

import (
	"io"
	"strings"
	"testing"

	"github.com/gocarina/gocsv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRowsReadTheSameWithGocsv checks the promise of Unmarshaler: a row
// struct of the cell types reads the same with gocsv as with a Decoder,
// on a file both accept, so gocsv serves as an independent reader of the
// cells' values.
func TestRowsReadTheSameWithGocsv(t *testing.T) {
	const in = "trade_id,strike,quantity,paths,option_type\n" +
		"A,100,1.5,1000,call\n" +
		"B,.5,-2e3,,put\n" +
		"C,1e-3,0.1,010,\n"
	var viaGocsv []trade
	require.NoError(t, gocsv.UnmarshalString(in, &viaGocsv))

	d, err := NewDecoder[trade](strings.NewReader(in), "p.csv")
	require.NoError(t, err)
	var viaDecoder []trade
	for {
		var r trade
		_, err := d.Next(&r)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		viaDecoder = append(viaDecoder, r)
	}
	require.Len(t, viaDecoder, 3)
	assert.Equal(t, viaDecoder, viaGocsv)
	assert.Equal(t, Int{V: 10, Set: true}, viaDecoder[2].Paths, `"010" is ten, not gocsv's octal eight: the cell type decides`)
}
