package marketdata

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var orderAsOf = time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)

// ladder is a list of keys in the order CompareKeys must give.
var ladder = []string{
	"SPOT/ACME",
	"SPOT/BETA",
	"RATE/EUR/1Y",
	"RATE/USD/1W",
	"RATE/USD/1M",
	"RATE/USD/6M",
	"RATE/USD/2026-12-31", // 363 days: before 1Y
	"RATE/USD/12M",        // 1Y and 12M tie on time: byte order
	"RATE/USD/1Y",
	"RATE/USD/2027-01-02", // 365 days: the same time as 1Y, then byte order
	"RATE/USD/2Y",
	"RATE/USD/10Y",
	"DIVYIELD/ACME/6M",
	"DIVYIELD/ACME/2Y",
	"VOL/ACME/6M/80",
	"VOL/ACME/6M/95.5",
	"VOL/ACME/6M/100",
	"VOL/ACME/6M/1e3",
	"VOL/ACME/1Y/90",
	"VOL/ACME/1Y/100",
	"VOL/ACME/1Y/100.0",
	"VOL/ACME/10Y/50",
	"VOL/BETA/1Y",
	"VOL/BETA/2Y",
	"CORR/ACME|BETA",
	"CORR/ACME|GAMMA",
	"HESTON/ACME/v0",
	"HESTON/ACME/kappa",
	"HESTON/ACME/Theta",
	"HESTON/ACME/sigma",
	"HESTON/ACME/rho",
	"HESTON/BETA/v0",
	// Not of the grammar: after the others, in byte order.
	"",
	"CORR/ACME",
	"GAMMA",
	"HESTON/ACME/lambda",
	"RATE/USD",
	"RATE/USD/0M",
	"RATE/USD/2025-12-31",
	"RATE/USD/6M/100",
	"SPOT/ACME/1Y",
	"VOL/ACME/1Y/",
	"VOL/ACME/1Y/-5",
	"VOL/ACME/1Y/abc",
	"spot/ACME",
}

func TestCompareKeysLadder(t *testing.T) {
	for i, a := range ladder {
		for j, b := range ladder {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			assert.Equal(t, want, CompareKeys(a, b, orderAsOf), "CompareKeys(%q, %q)", a, b)
		}
	}
}

func TestSortKeysIsCompareKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		keys := slices.Clone(ladder)
		rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		SortKeys(keys, orderAsOf)
		require.Equal(t, ladder, keys)
	}
}

// TestCompareKeysTotalOrder checks antisymmetry and transitivity over
// random keys made of the parts of real and malformed keys, so that a sort
// by CompareKeys is reproducible whatever the input order.
func TestCompareKeysTotalOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	parts := [][]string{
		{"SPOT", "RATE", "DIVYIELD", "VOL", "CORR", "HESTON", "vol", "X"},
		{"ACME", "BETA", "A|B", ""},
		{"", "1Y", "12M", "2027-01-02", "6m", "kappa", "rho", "x"},
		{"", "100", "100.0", "1e2", "90", "-1", "z"},
	}
	key := func() string {
		var b strings.Builder
		n := 1 + rng.IntN(4)
		for i := range n {
			if i > 0 {
				b.WriteByte('/')
			}
			b.WriteString(parts[i][rng.IntN(len(parts[i]))])
		}
		return b.String()
	}
	keys := make([]string, 300)
	for i := range keys {
		keys[i] = key()
	}
	for _, a := range keys {
		for _, b := range keys {
			ab, ba := CompareKeys(a, b, orderAsOf), CompareKeys(b, a, orderAsOf)
			require.Equal(t, -ab, ba, "%q, %q", a, b)
			require.Equal(t, a == b, ab == 0, "%q, %q", a, b)
		}
	}
	sorted := slices.Clone(keys)
	SortKeys(sorted, orderAsOf)
	for i := 1; i < len(sorted); i++ {
		require.LessOrEqual(t, CompareKeys(sorted[i-1], sorted[i], orderAsOf), 0)
	}
	// Transitivity: every key is ordered against each of the sorted keys as
	// its position says.
	for _, a := range keys[:60] {
		pos, _ := slices.BinarySearchFunc(sorted, a, func(x, y string) int { return CompareKeys(x, y, orderAsOf) })
		for i, b := range sorted {
			c := CompareKeys(a, b, orderAsOf)
			if i < pos {
				require.Equal(t, 1, c, "%q after %q", a, b)
			} else if b != a {
				require.Equal(t, -1, c, "%q before %q", a, b)
			}
		}
	}
}

// TestCompareKeysOfMarket sorts the keys of a loaded market: the curves'
// pillars come out in time order and the strikes in numeric order.
func TestCompareKeysOfMarket(t *testing.T) {
	const file = `type,name,pillar,strike,value
VOL,ACME,1Y,110,0.2
VOL,ACME,1Y,90,0.25
VOL,ACME,6M,100,0.22
RATE,USD,10Y,,0.03
RATE,USD,2Y,,0.03
RATE,USD,6M,,0.03
SPOT,ACME,,,100
`
	m, err := Load(strings.NewReader(file), "market.csv", orderAsOf)
	require.NoError(t, err)
	var keys []string
	for _, q := range m.Quotes() {
		keys = append(keys, q.Key)
	}
	SortKeys(keys, orderAsOf)
	assert.Equal(t, []string{"SPOT/ACME", "RATE/USD/6M", "RATE/USD/2Y", "RATE/USD/10Y", "VOL/ACME/6M/100", "VOL/ACME/1Y/90", "VOL/ACME/1Y/110"}, keys)
}
