package batch

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxShards bounds N: beyond any sensible batch, and small enough that a
// merge, which reads every shard at once (two to four open files, about
// 100 KiB of buffers and trades in flight per shard), fits in memory and in
// a common limit of open files (at most 16,384 of them, under the 20,000 or
// more that a server's default hard limit allows; merge checks the limit
// before it opens any, see FilesPerShard).
const MaxShards = 4096

// FilesPerShard is how many files of each shard a merge holds open at
// once: results.csv and sensitivities.csv, and validation.csv or
// second_order.csv when the batch has them. merge needs N times that, and a
// few more, within the process's limit of open files.
func FilesPerShard(validate, secondOrder bool) int {
	n := 2
	if validate {
		n++
	}
	if secondOrder {
		n++
	}
	return n
}

// Shard is shard K (1-based) of N of a batch; the zero value is an
// unsharded run, which has every trade.
type Shard struct {
	K, N int
}

// Sharded reports whether s is a shard of a batch rather than a whole run.
func (s Shard) Sharded() bool { return s.N > 0 }

// String is "K/N", as in the manifest; "" for an unsharded run.
func (s Shard) String() string {
	if !s.Sharded() {
		return ""
	}
	return strconv.Itoa(s.K) + "/" + strconv.Itoa(s.N)
}

// Has reports whether the trade with the given ID (as read: pricing.Trade.ID)
// is in the shard; every trade is in an unsharded run.
func (s Shard) Has(tradeID string) bool {
	return !s.Sharded() || ShardOf(tradeID, s.N) == s.K
}

// ParseShard parses "K/N": decimal digits only, 1 ≤ K ≤ N ≤ MaxShards.
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(s, "/")
	k, kerr := parseCount(ks)
	n, nerr := parseCount(ns)
	switch {
	case !ok || kerr != nil || nerr != nil:
		return Shard{}, fmt.Errorf("%q: want K/N, shard K (from 1) of N, such as 2/8", s)
	case n < 1 || n > MaxShards:
		return Shard{}, fmt.Errorf("%q: want 1 to %d shards", s, MaxShards)
	case k < 1 || k > n:
		return Shard{}, fmt.Errorf("%q: want a shard from 1 to %d", s, n)
	}
	return Shard{K: k, N: n}, nil
}

// parseCount parses a non-negative decimal integer written with digits
// only (no sign, no space).
func parseCount(s string) (int, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" || len(s) > 9 {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return strconv.Atoi(s)
}

// FNV-1a, 64 bits (the Fowler–Noll–Vo hash, as in hash/fnv's New64a).
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// ShardOf returns the shard, 1 to n, of the trade with the given ID in a
// batch split into n shards (aadrisk price --shard K/N):
//
//	1 + FNV-1a-64(tradeID) mod n
//
// where FNV-1a-64 is the 64-bit FNV-1a hash (hash/fnv's New64a) of the bytes
// of the trade ID as read from the portfolio (pricing.Trade.ID, also for a
// row that failed to decode). It depends on nothing else, so a trade lands
// in the same shard on every machine and every night, whatever the order
// of the file; changing n reshuffles the trades. Rows with the same
// trade_id (a duplicate, which fails) land in the same shard as the first,
// so that the shard that prices the first also reports the duplicate.
//
// The rule is meant to be easy to reproduce elsewhere; in Python:
//
//	h = 0xcbf29ce484222325
//	for b in trade_id.encode():
//	    h = ((h ^ b) * 0x100000001b3) % 2**64
//	shard = 1 + h % n
//
// ShardOf panics if n < 1: a Shard from ParseShard or ResolveShard always
// has N ≥ 1, so only a caller's own mistake gets here.
func ShardOf(tradeID string, n int) int {
	if n < 1 {
		panic("batch: ShardOf with fewer than 1 shard")
	}
	h := uint64(fnvOffset64)
	for i := 0; i < len(tradeID); i++ {
		h ^= uint64(tradeID[i])
		h *= fnvPrime64
	}
	return 1 + int(h%uint64(n))
}
