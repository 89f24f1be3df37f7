// Package batch is the nightly batch of aadrisk: a portfolio priced in N
// shards, each on its own machine, then merged into the files of one
// unsharded run, byte for byte (README.md, "Nightly batch: shards and
// merge"; SPEC.md §5).
//
// # Shards
//
// A Shard is shard K of N. ShardOf gives the shard of a trade from its
// trade_id alone (1 + FNV-1a-64 mod N), so a trade lands in the same shard
// on every machine and every night; Shard.Has says whether a shard prices
// a trade. ParseShard reads "K/N", and ResolveShard takes K and N from
// --shard or from the variables of a Kubernetes Indexed Job or a Slurm job
// array, read through a getenv it is given.
//
// # Merging
//
// Open reads the manifests of the shards' output directories and checks
// that they are the N shards of one batch, once each; Batch.CheckOut
// refuses an output directory that is one of them. Batch.NewMerge reads
// the portfolio again, for the input order the shards' files do not
// carry, and opens the shards' files; Merge.Run takes each trade, in
// portfolio order, from its shard, checks it is that trade, and hands it
// with its sensitivities and validation rows to a reports.Sink, the one
// `aadrisk price` writes through. It then checks that every row of every
// shard was used and that every file has the length and CRC-32C its
// manifest records, and returns the merged manifest; the caller commits
// the Sink's Writer with it. Nothing is committed on a refusal.
//
// # Errors
//
// A refusal is an *Error, whose Kind (ErrNotShard, ErrIncompatible,
// ErrDuplicate, ErrMissing, ErrOutIsShard, ErrPortfolio, ErrDamaged)
// errors.Is tells apart, and whose message is the one `aadrisk merge`
// prints before exiting with status 2. Errors of the Sink (a file that
// cannot be written) are returned as they are.
package batch
