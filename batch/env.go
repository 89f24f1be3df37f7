package batch

import "fmt"

// The environment variables that give a run its shard when --shard is not
// given (ResolveShard).
const (
	// EnvJobIndex is set by Kubernetes in each pod of an Indexed Job: the
	// pod's completion index, 0 to completions−1.
	EnvJobIndex = "JOB_COMPLETION_INDEX"
	// EnvShards is the number of shards for an Indexed Job (Kubernetes does
	// not pass the Job's completions to its pods); --shards overrides it.
	EnvShards = "AADRISK_SHARDS"
	// EnvSlurmID, EnvSlurmMin, EnvSlurmStep and EnvSlurmCount are the
	// variables of a Slurm job array task.
	EnvSlurmID    = "SLURM_ARRAY_TASK_ID"
	EnvSlurmMin   = "SLURM_ARRAY_TASK_MIN"
	EnvSlurmStep  = "SLURM_ARRAY_TASK_STEP"
	EnvSlurmCount = "SLURM_ARRAY_TASK_COUNT"
)

// EnvVars lists the variables that ResolveShard reads, for a caller that
// must clear them (a test run inside a scheduler's job) or document them.
func EnvVars() []string {
	return []string{EnvJobIndex, EnvShards, EnvSlurmID, EnvSlurmMin, EnvSlurmStep, EnvSlurmCount}
}

// ResolveShard decides the shard of a run, in this order:
//
//  1. flag, the value of --shard K/N, when flagGiven;
//  2. a Kubernetes Indexed Job: K = JOB_COMPLETION_INDEX + 1, N from
//     shards (--shards, when > 0) or AADRISK_SHARDS;
//  3. a Slurm job array: K = (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN) /
//     SLURM_ARRAY_TASK_STEP + 1 (MIN defaults to 0 and STEP to 1 when
//     unset), N = SLURM_ARRAY_TASK_COUNT, or --shards / AADRISK_SHARDS,
//     which must then agree with it;
//  4. otherwise the run is not sharded, and --shards or AADRISK_SHARDS
//     alone is an error (an Indexed Job without completionMode: Indexed
//     would otherwise price the whole portfolio in every pod).
//
// The variables are read through getenv (os.Getenv in the command), so
// that nothing here depends on the process's environment. A variable set
// to the empty string counts as unset. Every inconsistency is an error: a
// batch never guesses which trades to price. from says where K and N came
// from, for the run's log ("" for an unsharded run).
func ResolveShard(flag string, flagGiven bool, shards int, getenv func(string) string) (s Shard, from string, err error) {
	if flagGiven {
		s, err := ParseShard(flag)
		if err != nil {
			return Shard{}, "", fmt.Errorf("--shard %v", err)
		}
		if shards != 0 && shards != s.N {
			return Shard{}, "", fmt.Errorf("--shard %s and --shards %d disagree on the number of shards", flag, shards)
		}
		return s, "--shard", nil
	}
	// N as given by --shards or AADRISK_SHARDS, 0 if neither.
	n, nFrom := 0, ""
	switch {
	case shards < 0:
		return Shard{}, "", fmt.Errorf("--shards %d: want 1 to %d", shards, MaxShards)
	case shards > 0:
		n, nFrom = shards, "--shards"
	case getenv(EnvShards) != "":
		v, err := parseCount(getenv(EnvShards))
		if err != nil || v < 1 {
			return Shard{}, "", fmt.Errorf("%s=%q: want the number of shards, 1 to %d", EnvShards, getenv(EnvShards), MaxShards)
		}
		n, nFrom = v, EnvShards
	}
	if n > MaxShards {
		return Shard{}, "", fmt.Errorf("%s %d: want 1 to %d shards", nFrom, n, MaxShards)
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

	if getenv(EnvJobIndex) != "" {
		idx, err := env(EnvJobIndex, 0)
		if err != nil {
			return Shard{}, "", err
		}
		if n == 0 {
			return Shard{}, "", fmt.Errorf("%s=%d (a Kubernetes Indexed Job) but no number of shards: give --shards N or set %s to the Job's completions", EnvJobIndex, idx, EnvShards)
		}
		if idx >= n {
			return Shard{}, "", fmt.Errorf("%s=%d is not below %s %d: the Job's completions and the number of shards differ", EnvJobIndex, idx, nFrom, n)
		}
		return Shard{K: idx + 1, N: n}, EnvJobIndex + " and " + nFrom, nil
	}

	if getenv(EnvSlurmID) != "" {
		return resolveSlurm(n, nFrom, env)
	}

	if n != 0 {
		return Shard{}, "", fmt.Errorf("%s %d but no shard index: give --shard K/N, or run under a Kubernetes Indexed Job (%s) or a Slurm job array (%s)", nFrom, n, EnvJobIndex, EnvSlurmID)
	}
	return Shard{}, "", nil
}

// resolveSlurm is ResolveShard's case of a Slurm job array task; n is N as
// --shards or AADRISK_SHARDS gave it (nFrom), 0 if neither did.
func resolveSlurm(n int, nFrom string, env func(name string, def int) (int, error)) (Shard, string, error) {
	id, err := env(EnvSlurmID, 0)
	if err != nil {
		return Shard{}, "", err
	}
	lo, err := env(EnvSlurmMin, 0)
	if err != nil {
		return Shard{}, "", err
	}
	step, err := env(EnvSlurmStep, 1)
	if err != nil {
		return Shard{}, "", err
	}
	count, err := env(EnvSlurmCount, 0)
	if err != nil {
		return Shard{}, "", err
	}
	from := EnvSlurmID
	switch {
	case count == 0 && n == 0:
		return Shard{}, "", fmt.Errorf("%s=%d (a Slurm job array) but no %s: give --shards N", EnvSlurmID, id, EnvSlurmCount)
	case count == 0:
		from += " and " + nFrom
	case n != 0 && n != count:
		return Shard{}, "", fmt.Errorf("%s %d disagrees with %s=%d", nFrom, n, EnvSlurmCount, count)
	default:
		n = count
		from += " and " + EnvSlurmCount
	}
	if n > MaxShards {
		return Shard{}, "", fmt.Errorf("%s: %d shards: want 1 to %d", from, n, MaxShards)
	}
	if step < 1 || id < lo || (id-lo)%step != 0 || (id-lo)/step >= n {
		//lint:ignore ST1005 Slurm is a proper name, and the message's first word.
		return Shard{}, "", fmt.Errorf("Slurm array task %d (min %d, step %d) is not one of %d tasks: submit the array as --array=0-%d (or 1-%d)", id, lo, step, n, n-1, n)
	}
	return Shard{K: (id-lo)/step + 1, N: n}, from, nil
}
