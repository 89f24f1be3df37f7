package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aadrisk/aadrisk/pricing"
)

// The environment variables that give a run its shard when --shard is not
// given.
const (
	// envJobIndex is set by Kubernetes in each pod of an Indexed Job: the
	// pod's completion index, 0 to completions−1.
	envJobIndex = "JOB_COMPLETION_INDEX"
	// envShards is the number of shards for an Indexed Job (Kubernetes does
	// not pass the Job's completions to its pods); --shards overrides it.
	envShards = "AADRISK_SHARDS"
	// The variables of a Slurm job array task.
	envSlurmID    = "SLURM_ARRAY_TASK_ID"
	envSlurmMin   = "SLURM_ARRAY_TASK_MIN"
	envSlurmStep  = "SLURM_ARRAY_TASK_STEP"
	envSlurmCount = "SLURM_ARRAY_TASK_COUNT"
)

// shardEnv lists the variables above, for the tests and the README.
var shardEnv = []string{envJobIndex, envShards, envSlurmID, envSlurmMin, envSlurmStep, envSlurmCount}

// shard is shard K (1-based) of N; the zero value is an unsharded run.
type shard struct {
	k, n int
	// from says where K and N came from, for the log.
	from string
}

func (s shard) sharded() bool { return s.n > 0 }

// String is "K/N", as in the manifest; "" for an unsharded run.
func (s shard) String() string {
	if !s.sharded() {
		return ""
	}
	return strconv.Itoa(s.k) + "/" + strconv.Itoa(s.n)
}

// has reports whether the trade with the given ID (as read: Trade.ID) is in
// the shard; every trade is in an unsharded run.
func (s shard) has(tradeID string) bool {
	return !s.sharded() || pricing.ShardOf(tradeID, s.n) == s.k
}

// maxShards bounds N: beyond any sensible batch, and small enough that
// merge, which reads every shard at once (three or four open files, about
// 100 KiB of buffers and trades in flight per shard), fits in memory.
const maxShards = 10000

// parseShard parses "K/N": decimal digits only, 1 ≤ K ≤ N ≤ maxShards.
func parseShard(s string) (shard, error) {
	ks, ns, ok := strings.Cut(s, "/")
	k, kerr := parseCount(ks)
	n, nerr := parseCount(ns)
	switch {
	case !ok || kerr != nil || nerr != nil:
		return shard{}, fmt.Errorf("%q: want K/N, shard K (from 1) of N, such as 2/8", s)
	case n < 1 || n > maxShards:
		return shard{}, fmt.Errorf("%q: want 1 to %d shards", s, maxShards)
	case k < 1 || k > n:
		return shard{}, fmt.Errorf("%q: want a shard from 1 to %d", s, n)
	}
	return shard{k: k, n: n}, nil
}

// parseCount parses a non-negative decimal integer written with digits
// only (no sign, no space).
func parseCount(s string) (int, error) {
	if s == "" || strings.Trim(s, "0123456789") != "" || len(s) > 9 {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	return strconv.Atoi(s)
}

// resolveShard decides the shard of a run, in this order:
//
//  1. --shard K/N (flag), when given;
//  2. a Kubernetes Indexed Job: K = JOB_COMPLETION_INDEX + 1, N from
//     --shards (shards > 0) or AADRISK_SHARDS;
//  3. a Slurm job array: K = (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) /
//     SLURM_ARRAY_TASK_STEP + 1 (MIN defaults to 0 and STEP to 1 when
//     unset), N = SLURM_ARRAY_TASK_COUNT, or --shards / AADRISK_SHARDS,
//     which must then agree with it;
//  4. otherwise the run is not sharded, and --shards or AADRISK_SHARDS
//     alone is an error (an Indexed Job without completionMode: Indexed
//     would otherwise price the whole portfolio in every pod).
//
// A variable set to the empty string counts as unset. Every inconsistency
// is an error: a batch never guesses which trades to price.
func resolveShard(flag string, flagGiven bool, shards int, getenv func(string) string) (shard, error) {
	if flagGiven {
		s, err := parseShard(flag)
		if err != nil {
			return shard{}, fmt.Errorf("--shard %v", err)
		}
		if shards != 0 && shards != s.n {
			return shard{}, fmt.Errorf("--shard %s and --shards %d disagree on the number of shards", flag, shards)
		}
		s.from = "--shard"
		return s, nil
	}
	// N as given by --shards or AADRISK_SHARDS, 0 if neither.
	n, nFrom := 0, ""
	switch {
	case shards < 0:
		return shard{}, fmt.Errorf("--shards %d: want 1 to %d", shards, maxShards)
	case shards > 0:
		n, nFrom = shards, "--shards"
	case getenv(envShards) != "":
		v, err := parseCount(getenv(envShards))
		if err != nil || v < 1 {
			return shard{}, fmt.Errorf("%s=%q: want the number of shards, 1 to %d", envShards, getenv(envShards), maxShards)
		}
		n, nFrom = v, envShards
	}
	if n > maxShards {
		return shard{}, fmt.Errorf("%s %d: want 1 to %d shards", nFrom, n, maxShards)
	}
	env := func(name string, def int) (int, error) {
		v := getenv(name)
		if v == "" {
			return def, nil
		}
		x, err := parseCount(v)
		if err != nil {
			return 0, fmt.Errorf("%s=%q: want a whole number", name, v)
		}
		return x, nil
	}

	if getenv(envJobIndex) != "" {
		idx, err := env(envJobIndex, 0)
		if err != nil {
			return shard{}, err
		}
		if n == 0 {
			return shard{}, fmt.Errorf("%s=%d (a Kubernetes Indexed Job) but no number of shards: give --shards N or set %s to the Job's completions", envJobIndex, idx, envShards)
		}
		if idx >= n {
			return shard{}, fmt.Errorf("%s=%d is not below %s %d: the Job's completions and the number of shards differ", envJobIndex, idx, nFrom, n)
		}
		return shard{k: idx + 1, n: n, from: envJobIndex + " and " + nFrom}, nil
	}

	if getenv(envSlurmID) != "" {
		id, err := env(envSlurmID, 0)
		if err != nil {
			return shard{}, err
		}
		lo, err := env(envSlurmMin, 0)
		if err != nil {
			return shard{}, err
		}
		step, err := env(envSlurmStep, 1)
		if err != nil {
			return shard{}, err
		}
		count, err := env(envSlurmCount, 0)
		if err != nil {
			return shard{}, err
		}
		from := envSlurmID
		switch {
		case count == 0 && n == 0:
			return shard{}, fmt.Errorf("%s=%d (a Slurm job array) but no %s: give --shards N", envSlurmID, id, envSlurmCount)
		case count == 0:
			from += " and " + nFrom
		case n != 0 && n != count:
			return shard{}, fmt.Errorf("%s %d disagrees with %s=%d", nFrom, n, envSlurmCount, count)
		default:
			n = count
			from += " and " + envSlurmCount
		}
		if n > maxShards {
			return shard{}, fmt.Errorf("%s: %d shards: want 1 to %d", from, n, maxShards)
		}
		if step < 1 || id < lo || (id-lo)%step != 0 || (id-lo)/step >= n {
			return shard{}, fmt.Errorf("Slurm array task %d (min %d, step %d) is not one of %d tasks: submit the array as --array=0-%d (or 1-%d)", id, lo, step, n, n-1, n)
		}
		return shard{k: (id-lo)/step + 1, n: n, from: from}, nil
	}

	if n != 0 {
		return shard{}, fmt.Errorf("%s %d but no shard index: give --shard K/N, or run under a Kubernetes Indexed Job (%s) or a Slurm job array (%s)", nFrom, n, envJobIndex, envSlurmID)
	}
	return shard{}, nil
}
