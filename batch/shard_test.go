package batch

import (
	"fmt"
	"hash/fnv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func TestParseShard(t *testing.T) {
	for _, c := range []struct {
		in   string
		k, n int
	}{
		{"1/1", 1, 1}, {"1/3", 1, 3}, {"3/3", 3, 3}, {"07/10", 7, 10}, {"4096/4096", 4096, 4096},
	} {
		s, err := ParseShard(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, Shard{K: c.k, N: c.n}, s, c.in)
	}
	for _, in := range []string{"", "1", "0/3", "4/3", "1/0", "0/0", "-1/3", "+1/3", " 1/3", "1/3 ", "1/3/5", "a/b", "1.0/3", "1/4097", "1/10000", "99999999999999999999/1"} {
		_, err := ParseShard(in)
		assert.Error(t, err, "%q", in)
	}
	assert.Equal(t, "2/5", Shard{K: 2, N: 5}.String())
	assert.Equal(t, "", Shard{}.String())
	assert.True(t, Shard{}.Has("anything"))
	// Each trade is in exactly one shard of a batch: the one ShardOf gives.
	for _, id := range []string{"", "EU-1", "=FORMULA", "T0000001"} {
		in := 0
		for k := 1; k <= 5; k++ {
			if (Shard{K: k, N: 5}).Has(id) {
				in++
				assert.Equal(t, ShardOf(id, 5), k, id)
			}
		}
		assert.Equal(t, 1, in, id)
	}
}

func TestResolveShard(t *testing.T) {
	type env map[string]string
	for _, c := range []struct {
		name      string
		flag      string
		flagGiven bool
		shards    int
		env       env
		want      string // "K/N", "" for unsharded
		err       string // a part of the error
	}{
		{name: "nothing", want: ""},
		{name: "flag", flag: "2/4", flagGiven: true, want: "2/4"},
		{name: "flag wins over the environment", flag: "2/4", flagGiven: true,
			env: env{EnvJobIndex: "0", EnvShards: "8", EnvSlurmID: "5", EnvSlurmCount: "9"}, want: "2/4"},
		{name: "flag and agreeing --shards", flag: "2/4", flagGiven: true, shards: 4, want: "2/4"},
		{name: "flag and other --shards", flag: "2/4", flagGiven: true, shards: 5, err: "disagree"},
		{name: "empty flag", flag: "", flagGiven: true, err: "--shard"},
		{name: "bad flag", flag: "5/4", flagGiven: true, err: `--shard "5/4"`},
		{name: "zero flag", flag: "0/4", flagGiven: true, err: `--shard "0/4"`},
		{name: "garbage flag", flag: "two/four", flagGiven: true, err: "want K/N"},

		{name: "indexed job with AADRISK_SHARDS", env: env{EnvJobIndex: "0", EnvShards: "4"}, want: "1/4"},
		{name: "indexed job last index", env: env{EnvJobIndex: "3", EnvShards: "4"}, want: "4/4"},
		{name: "indexed job with --shards", shards: 4, env: env{EnvJobIndex: "2"}, want: "3/4"},
		{name: "--shards wins over AADRISK_SHARDS", shards: 4, env: env{EnvJobIndex: "2", EnvShards: "3"}, want: "3/4"},
		{name: "indexed job without N", env: env{EnvJobIndex: "2"}, err: "no number of shards"},
		{name: "indexed job index too large", env: env{EnvJobIndex: "4", EnvShards: "4"}, err: "is not below"},
		{name: "indexed job garbage index", env: env{EnvJobIndex: "x", EnvShards: "4"}, err: "JOB_COMPLETION_INDEX=\"x\""},
		{name: "indexed job negative index", env: env{EnvJobIndex: "-1", EnvShards: "4"}, err: "JOB_COMPLETION_INDEX"},
		{name: "garbage AADRISK_SHARDS", env: env{EnvJobIndex: "0", EnvShards: "four"}, err: "AADRISK_SHARDS"},
		{name: "zero AADRISK_SHARDS", env: env{EnvJobIndex: "0", EnvShards: "0"}, err: "AADRISK_SHARDS"},
		{name: "too many shards", env: env{EnvJobIndex: "0", EnvShards: "4097"}, err: "want 1 to"},
		{name: "negative --shards", shards: -1, env: env{EnvJobIndex: "0"}, err: "--shards -1"},
		{name: "indexed job wins over slurm", env: env{EnvJobIndex: "1", EnvShards: "2", EnvSlurmID: "0", EnvSlurmCount: "2"}, want: "2/2"},

		{name: "slurm from 0", env: env{EnvSlurmID: "0", EnvSlurmMin: "0", EnvSlurmCount: "4"}, want: "1/4"},
		{name: "slurm from 1", env: env{EnvSlurmID: "4", EnvSlurmMin: "1", EnvSlurmCount: "4"}, want: "4/4"},
		{name: "slurm without MIN", env: env{EnvSlurmID: "2", EnvSlurmCount: "4"}, want: "3/4"},
		{name: "slurm with a step", env: env{EnvSlurmID: "7", EnvSlurmMin: "1", EnvSlurmStep: "2", EnvSlurmCount: "4"}, want: "4/4"},
		{name: "slurm off the step", env: env{EnvSlurmID: "2", EnvSlurmMin: "1", EnvSlurmStep: "2", EnvSlurmCount: "4"}, err: "is not one of 4 tasks"},
		{name: "slurm beyond the count", env: env{EnvSlurmID: "5", EnvSlurmMin: "1", EnvSlurmCount: "4"}, err: "is not one of 4 tasks"},
		{name: "slurm below the min", env: env{EnvSlurmID: "0", EnvSlurmMin: "1", EnvSlurmCount: "4"}, err: "is not one of 4 tasks"},
		{name: "slurm with agreeing --shards", shards: 4, env: env{EnvSlurmID: "1", EnvSlurmCount: "4"}, want: "2/4"},
		{name: "slurm with other --shards", shards: 3, env: env{EnvSlurmID: "1", EnvSlurmCount: "4"}, err: "disagrees"},
		{name: "slurm without count, with AADRISK_SHARDS", env: env{EnvSlurmID: "1", EnvShards: "4"}, want: "2/4"},
		{name: "slurm without count", env: env{EnvSlurmID: "1"}, err: "SLURM_ARRAY_TASK_COUNT"},
		{name: "slurm garbage id", env: env{EnvSlurmID: "1_2", EnvSlurmCount: "4"}, err: "SLURM_ARRAY_TASK_ID"},
		{name: "slurm garbage count", env: env{EnvSlurmID: "1", EnvSlurmCount: "many"}, err: "SLURM_ARRAY_TASK_COUNT"},

		{name: "--shards alone", shards: 4, err: "no shard index"},
		{name: "AADRISK_SHARDS alone", env: env{EnvShards: "4"}, err: "no shard index"},
		{name: "empty variables are unset", env: env{EnvJobIndex: "", EnvShards: "", EnvSlurmID: ""}, want: ""},
	} {
		getenv := func(k string) string { return c.env[k] }
		s, from, err := ResolveShard(c.flag, c.flagGiven, c.shards, getenv)
		if c.err != "" {
			if assert.Error(t, err, c.name) {
				assert.Contains(t, err.Error(), c.err, c.name)
			}
			continue
		}
		if assert.NoError(t, err, c.name) {
			assert.Equal(t, c.want, s.String(), c.name)
			if c.want != "" {
				assert.NotEmpty(t, from, c.name)
			}
		}
	}
}
