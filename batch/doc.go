// Package batch is the nightly batch of aadrisk: a portfolio priced in N
// shards, each on its own machine, then merged into the files of one
// unsharded run.
//
// A Shard is shard K of N; ShardOf gives the shard of a trade from its
// trade_id alone (a stable hash), and ResolveShard takes K and N from
// --shard or from the variables of a Kubernetes Indexed Job or a Slurm job
// array.
package batch
