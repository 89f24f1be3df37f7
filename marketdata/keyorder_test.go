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
	// Dates not after the as-of date: after the others, in byte order.
	"RATE/USD/2025-12-31",
	"VOL/ACME/2026-01-02/100",
}

// notKeys are texts that are not risk-factor keys of any market.
var notKeys = []string{
	"",
	"CORR/ACME",
	"CORR/ACME|ACME",
	"CORR/A|B|C",
	"GAMMA",
	"HESTON/ACME/lambda",
	"RATE/USD",
	"RATE/USD/0M",
	"RATE/USD/1.5Y",
	"RATE/USD/2026-02-30",
	"RATE/USD/6M/100",
	"RATE/USD/ 6M",
	"RATE/US D/6M ",
	"SPOT/ACME/1Y",
	"SPOT/",
	"SPOT/AC\x01ME",
	"VOL/ACME/1Y/",
	"VOL/ACME/1Y/-5",
	"VOL/ACME/1Y/abc",
	"VOL/ACME/1Y/100/x",
	"VOL/ACME//100",
	"spot/ACME",
}

// keys parses texts that are keys.
func keys(t *testing.T, texts []string) []Key {
	t.Helper()
	ks := make([]Key, len(texts))
	for i, s := range texts {
		k, err := ParseKey(s)
		require.NoError(t, err, s)
		ks[i] = k
	}
	return ks
}

func TestParseKey(t *testing.T) {
	for _, k := range keys(t, ladder) {
		again, err := ParseKey(k.String())
		require.NoError(t, err)
		assert.Equal(t, k, again)
	}
	for _, s := range notKeys {
		_, err := ParseKey(s)
		assert.Error(t, err, "%q", s)
	}
	k, err := ParseKey("VOL/ACME/1Y/95.5")
	require.NoError(t, err)
	assert.Equal(t, []any{Vol, "ACME", "1Y", "95.5", 95.5}, []any{k.Kind(), k.Name(), k.Pillar(), k.Strike(), k.K()})
	k, err = ParseKey("CORR/ACME | BETA")
	require.NoError(t, err)
	a, b := k.Pair()
	assert.Equal(t, []string{"ACME ", " BETA"}, []string{a, b})
}

// The key of every quote of a market reads back as the quote's RiskFactor,
// and a key the market refuses is refused by ParseKey with the same reason.
func TestParseKeyOfMarket(t *testing.T) {
	const file = `type,name,pillar,strike,value
SPOT,ACME,,,100
RATE, USD ,2026-07-01,,0.03
RATE,USD,12m,,0.03
DIVYIELD,ACME,6M,,0.01
VOL,ACME,1Y,1e2,0.2
VOL,ACME,2Y,,0.2
CORR,ACME | BETA,,,0.5
HESTON,ACME,Kappa,,1.5
`
	m, err := Load(strings.NewReader(file), "market.csv", orderAsOf)
	require.NoError(t, err)
	for i := range m.Quotes() {
		q := &m.Quotes()[i]
		k, err := ParseKey(q.Key)
		require.NoError(t, err, q.Key)
		assert.Equal(t, q.RiskFactor(), k)
		assert.Equal(t, k, m.RiskFactor(i), "the market's key, made once")
		assert.Equal(t, q.Key, k.String())
	}
	for _, q := range []Quote{
		{Kind: Spot, Name: "ACME"}, // no Key
		{Kind: Spot, Name: "ACME", Key: "SPOT/BETA"},
		{Kind: Rate, Name: "USD", Pillar: "1Y", Key: "RATE/USD/1Y/100"},
		{Kind: Rate, Name: "USD", Pillar: "1Y", Key: "SPOT/USD/1Y"},
		{Name: "X", Key: "Kind(0)/X"},
	} {
		assert.Equal(t, Key{}, q.RiskFactor(), "%+v", q)
	}
	assert.Empty(t, Key{}.Name()+Key{}.Pillar()+Key{}.Strike()+Key{}.String())

	i, ok := m.SpotIndex("ACME")
	require.True(t, ok)
	assert.Equal(t, "SPOT/ACME", m.Quotes()[i].Key)
	_, ok = m.SpotIndex("USD")
	assert.False(t, ok)

	_, err = Load(strings.NewReader("type,name,pillar,strike,value\nVOL,ACME,1Y,-5,0.2\n"), "market.csv", orderAsOf)
	require.Error(t, err)
	_, perr := ParseKey("VOL/ACME/1Y/-5")
	assert.Contains(t, err.Error(), "strike: want a strike > 0, got -5")
	assert.Contains(t, perr.Error(), "strike: want a strike > 0, got -5")
}

func TestCompareKeysLadder(t *testing.T) {
	ks := keys(t, ladder)
	for i, a := range ks {
		for j, b := range ks {
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			assert.Equal(t, want, CompareKeys(a, b, orderAsOf), "CompareKeys(%s, %s)", a, b)
		}
	}
	// The zero Key comes after the keys in order, before the dates not
	// after the as-of date (its text "" is first in byte order).
	assert.Equal(t, 1, CompareKeys(Key{}, ks[len(ks)-3], orderAsOf))
	assert.Equal(t, -1, CompareKeys(Key{}, ks[len(ks)-2], orderAsOf))
}

func TestSortKeysIsCompareKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	want := keys(t, ladder)
	for range 50 {
		ks := slices.Clone(want)
		rng.Shuffle(len(ks), func(i, j int) { ks[i], ks[j] = ks[j], ks[i] })
		SortKeys(ks, orderAsOf)
		require.Equal(t, want, ks)
	}
}

// TestCompareKeysTotalOrder checks antisymmetry and transitivity over
// random keys made of the parts of keys, so that a sort by CompareKeys is
// reproducible whatever the input order.
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
	var ks []Key
	for len(ks) < 300 {
		if k, err := ParseKey(key()); err == nil {
			ks = append(ks, k)
		}
	}
	for _, a := range ks {
		for _, b := range ks {
			ab, ba := CompareKeys(a, b, orderAsOf), CompareKeys(b, a, orderAsOf)
			require.Equal(t, -ab, ba, "%q, %q", a, b)
			require.Equal(t, a == b, ab == 0, "%q, %q", a, b)
		}
	}
	sorted := slices.Clone(ks)
	SortKeys(sorted, orderAsOf)
	for i := 1; i < len(sorted); i++ {
		require.LessOrEqual(t, CompareKeys(sorted[i-1], sorted[i], orderAsOf), 0)
	}
	// Transitivity: every key is ordered against each of the sorted keys as
	// its position says.
	for _, a := range ks[:60] {
		pos, _ := slices.BinarySearchFunc(sorted, a, func(x, y Key) int { return CompareKeys(x, y, orderAsOf) })
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
	var ks []Key
	for i := range m.Quotes() {
		ks = append(ks, m.Quotes()[i].RiskFactor())
	}
	SortKeys(ks, orderAsOf)
	texts := make([]string, len(ks))
	for i, k := range ks {
		texts[i] = k.String()
	}
	assert.Equal(t, []string{"SPOT/ACME", "RATE/USD/6M", "RATE/USD/2Y", "RATE/USD/10Y", "VOL/ACME/6M/100", "VOL/ACME/1Y/90", "VOL/ACME/1Y/110"}, texts)
}
