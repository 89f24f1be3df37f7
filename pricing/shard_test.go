package pricing

import (
	"fmt"
	"hash/fnv"
	"testing"
)

func TestShardOfIsFNV1aModN(t *testing.T) {
	for _, id := range []string{"", "EU-1", "=FORMULA", "Q,1\nsecond line", "\xff\xfe", "T0000001"} {
		h := fnv.New64a()
		h.Write([]byte(id))
		sum := h.Sum64()
		for _, n := range []int{1, 2, 3, 4, 7, 64, 1000} {
			want := 1 + int(sum%uint64(n))
			if got := ShardOf(id, n); got != want {
				t.Errorf("ShardOf(%q, %d) = %d, want %d", id, n, got, want)
			}
		}
	}
}

// TestShardOfStable pins a few values, computed with the Python rule of
// ShardOf's documentation, so that a change of the rule (which would split a
// batch differently from shards already run by an older binary) does not go
// unnoticed.
func TestShardOfStable(t *testing.T) {
	for _, c := range []struct {
		id   string
		n    int
		want int
	}{
		{"", 3, 1 + int(uint64(fnvOffset64)%3)},
		{"EU-1", 1, 1},
		{"EU-1", 3, 1},
		{"EU-2", 3, 1},
		{"EU-3", 3, 2},
		{"=FORMULA", 4, 3},
		{"T0000001", 16, 15},
	} {
		if got := ShardOf(c.id, c.n); got != c.want {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", c.id, c.n, got, c.want)
		}
	}
}

func TestShardOfRangeAndBalance(t *testing.T) {
	for _, n := range []int{2, 3, 4, 10, 16} {
		counts := make([]int, n+1)
		const trades = 100000
		for i := range trades {
			k := ShardOf(fmt.Sprintf("T%07d", i), n)
			if k < 1 || k > n {
				t.Fatalf("ShardOf(…, %d) = %d, out of range", n, k)
			}
			counts[k]++
		}
		for k := 1; k <= n; k++ {
			if d := float64(counts[k])/(trades/float64(n)) - 1; d > 0.05 || d < -0.05 {
				t.Errorf("n=%d: shard %d has %d trades, more than 5%% from an even split", n, k, counts[k])
			}
		}
	}
}

func TestShardOfPanicsOnNoShards(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("ShardOf(id, 0) did not panic")
		}
	}()
	ShardOf("X", 0)
}

func BenchmarkShardOf(b *testing.B) {
	for b.Loop() {
		ShardOf("TRADE-0001234567", 16)
	}
}
