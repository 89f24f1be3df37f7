package pricing

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
// of the trade ID as read from the portfolio (Trade.ID, also for a row that
// failed to decode). It depends on nothing else, so a trade lands in the
// same shard on every machine and every night, whatever the order of the
// file; changing n reshuffles the trades. Rows with the same trade_id (a
// duplicate, which fails) land in the same shard as the first, so that the
// shard that prices the first also reports the duplicate.
//
// The rule is meant to be easy to reproduce elsewhere; in Python:
//
//	h = 0xcbf29ce484222325
//	for b in trade_id.encode():
//	    h = ((h ^ b) * 0x100000001b3) % 2**64
//	shard = 1 + h % n
//
// ShardOf panics if n < 1.
func ShardOf(tradeID string, n int) int {
	if n < 1 {
		panic("pricing: ShardOf with fewer than 1 shard")
	}
	h := uint64(fnvOffset64)
	for i := 0; i < len(tradeID); i++ {
		h ^= uint64(tradeID[i])
		h *= fnvPrime64
	}
	return 1 + int(h%uint64(n))
}
