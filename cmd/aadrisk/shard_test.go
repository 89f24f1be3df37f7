package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain clears the scheduler variables that pick a shard, so that the
// tests of `price` price every trade even when they run inside a
// Kubernetes Indexed Job or a Slurm job array (a CI runner may).
func TestMain(m *testing.M) {
	// Re-executed as the command itself (aadrisk bench runs its own
	// executable for W5).
	if os.Getenv("AADRISK_TEST_AS_COMMAND") == "1" {
		main()
		os.Exit(0)
	}
	for _, v := range shardEnv {
		os.Unsetenv(v)
	}
	os.Exit(m.Run())
}

func TestParseShard(t *testing.T) {
	for _, c := range []struct {
		in   string
		k, n int
	}{
		{"1/1", 1, 1}, {"1/3", 1, 3}, {"3/3", 3, 3}, {"07/10", 7, 10}, {"10000/10000", 10000, 10000},
	} {
		s, err := parseShard(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, shard{k: c.k, n: c.n}, s, c.in)
	}
	for _, in := range []string{"", "1", "0/3", "4/3", "1/0", "0/0", "-1/3", "+1/3", " 1/3", "1/3 ", "1/3/5", "a/b", "1.0/3", "1/10001", "99999999999999999999/1"} {
		_, err := parseShard(in)
		assert.Error(t, err, "%q", in)
	}
	assert.Equal(t, "2/5", shard{k: 2, n: 5}.String())
	assert.Equal(t, "", shard{}.String())
	assert.True(t, shard{}.has("anything"))
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
			env: env{envJobIndex: "0", envShards: "8", envSlurmID: "5", envSlurmCount: "9"}, want: "2/4"},
		{name: "flag and agreeing --shards", flag: "2/4", flagGiven: true, shards: 4, want: "2/4"},
		{name: "flag and other --shards", flag: "2/4", flagGiven: true, shards: 5, err: "disagree"},
		{name: "empty flag", flag: "", flagGiven: true, err: "--shard"},
		{name: "bad flag", flag: "5/4", flagGiven: true, err: `--shard "5/4"`},
		{name: "zero flag", flag: "0/4", flagGiven: true, err: `--shard "0/4"`},
		{name: "garbage flag", flag: "two/four", flagGiven: true, err: "want K/N"},

		{name: "indexed job with AADRISK_SHARDS", env: env{envJobIndex: "0", envShards: "4"}, want: "1/4"},
		{name: "indexed job last index", env: env{envJobIndex: "3", envShards: "4"}, want: "4/4"},
		{name: "indexed job with --shards", shards: 4, env: env{envJobIndex: "2"}, want: "3/4"},
		{name: "--shards wins over AADRISK_SHARDS", shards: 4, env: env{envJobIndex: "2", envShards: "3"}, want: "3/4"},
		{name: "indexed job without N", env: env{envJobIndex: "2"}, err: "no number of shards"},
		{name: "indexed job index too large", env: env{envJobIndex: "4", envShards: "4"}, err: "is not below"},
		{name: "indexed job garbage index", env: env{envJobIndex: "x", envShards: "4"}, err: "JOB_COMPLETION_INDEX=\"x\""},
		{name: "indexed job negative index", env: env{envJobIndex: "-1", envShards: "4"}, err: "JOB_COMPLETION_INDEX"},
		{name: "garbage AADRISK_SHARDS", env: env{envJobIndex: "0", envShards: "four"}, err: "AADRISK_SHARDS"},
		{name: "zero AADRISK_SHARDS", env: env{envJobIndex: "0", envShards: "0"}, err: "AADRISK_SHARDS"},
		{name: "too many shards", env: env{envJobIndex: "0", envShards: "10001"}, err: "want 1 to"},
		{name: "negative --shards", shards: -1, env: env{envJobIndex: "0"}, err: "--shards -1"},
		{name: "indexed job wins over slurm", env: env{envJobIndex: "1", envShards: "2", envSlurmID: "0", envSlurmCount: "2"}, want: "2/2"},

		{name: "slurm from 0", env: env{envSlurmID: "0", envSlurmMin: "0", envSlurmCount: "4"}, want: "1/4"},
		{name: "slurm from 1", env: env{envSlurmID: "4", envSlurmMin: "1", envSlurmCount: "4"}, want: "4/4"},
		{name: "slurm without MIN", env: env{envSlurmID: "2", envSlurmCount: "4"}, want: "3/4"},
		{name: "slurm with a step", env: env{envSlurmID: "7", envSlurmMin: "1", envSlurmStep: "2", envSlurmCount: "4"}, want: "4/4"},
		{name: "slurm off the step", env: env{envSlurmID: "2", envSlurmMin: "1", envSlurmStep: "2", envSlurmCount: "4"}, err: "is not one of 4 tasks"},
		{name: "slurm beyond the count", env: env{envSlurmID: "5", envSlurmMin: "1", envSlurmCount: "4"}, err: "is not one of 4 tasks"},
		{name: "slurm below the min", env: env{envSlurmID: "0", envSlurmMin: "1", envSlurmCount: "4"}, err: "is not one of 4 tasks"},
		{name: "slurm with agreeing --shards", shards: 4, env: env{envSlurmID: "1", envSlurmCount: "4"}, want: "2/4"},
		{name: "slurm with other --shards", shards: 3, env: env{envSlurmID: "1", envSlurmCount: "4"}, err: "disagrees"},
		{name: "slurm without count, with AADRISK_SHARDS", env: env{envSlurmID: "1", envShards: "4"}, want: "2/4"},
		{name: "slurm without count", env: env{envSlurmID: "1"}, err: "SLURM_ARRAY_TASK_COUNT"},
		{name: "slurm garbage id", env: env{envSlurmID: "1_2", envSlurmCount: "4"}, err: "SLURM_ARRAY_TASK_ID"},
		{name: "slurm garbage count", env: env{envSlurmID: "1", envSlurmCount: "many"}, err: "SLURM_ARRAY_TASK_COUNT"},

		{name: "--shards alone", shards: 4, err: "no shard index"},
		{name: "AADRISK_SHARDS alone", env: env{envShards: "4"}, err: "no shard index"},
		{name: "empty variables are unset", env: env{envJobIndex: "", envShards: "", envSlurmID: ""}, want: ""},
	} {
		getenv := func(k string) string { return c.env[k] }
		s, err := resolveShard(c.flag, c.flagGiven, c.shards, getenv)
		if c.err != "" {
			if assert.Error(t, err, c.name) {
				assert.Contains(t, err.Error(), c.err, c.name)
			}
			continue
		}
		if assert.NoError(t, err, c.name) {
			assert.Equal(t, c.want, s.String(), c.name)
			if c.want != "" {
				assert.NotEmpty(t, s.from, c.name)
			}
		}
	}
}

// TestShardFromEnvironment runs price under the variables of an Indexed
// Job and of a Slurm array, and checks the manifest's shard.
func TestShardFromEnvironment(t *testing.T) {
	t.Setenv(envJobIndex, "1")
	t.Setenv(envShards, "3")
	dir := t.TempDir()
	code, _, errOut := runCmd(t, e2eArgs("price", dir)...)
	require.Equal(t, exitFailed, code, errOut)
	assert.Contains(t, errOut, "shard=2/3")
	assert.Equal(t, "2/3", readManifest(t, dir).Shard)

	// An explicit --shard wins.
	dir = t.TempDir()
	code, _, errOut = runCmd(t, e2eArgs("price", dir, "--shard", "3/3")...)
	require.Equal(t, exitFailed, code, errOut)
	assert.Equal(t, "3/3", readManifest(t, dir).Shard)

	t.Setenv(envJobIndex, "")
	t.Setenv(envShards, "")
	t.Setenv(envSlurmID, "11")
	t.Setenv(envSlurmMin, "10")
	t.Setenv(envSlurmCount, "3")
	dir = t.TempDir()
	code, _, errOut = runCmd(t, e2eArgs("validate", dir)...)
	require.Equal(t, exitFailed, code, errOut)
	assert.Equal(t, "2/3", readManifest(t, dir).Shard)
}

func TestShardUsageErrors(t *testing.T) {
	out := t.TempDir() + "/out"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--shard", "0/3"}, `--shard "0/3"`},
		{[]string{"--shard", "4/3"}, `--shard "4/3"`},
		{[]string{"--shard", "x"}, "want K/N"},
		{[]string{"--shard", ""}, "want K/N"},
		{[]string{"--shards", "3"}, "no shard index"},
		{[]string{"--shard", "1/3", "--shards", "4"}, "disagree"},
	} {
		for _, cmd := range []string{"price", "validate"} {
			code, _, errOut := runCmd(t, e2eArgs(cmd, out, c.args...)...)
			assert.Equal(t, exitUsage, code, "%s %v", cmd, c.args)
			assert.Contains(t, errOut, c.want, "%s %v", cmd, c.args)
			_, err := os.Stat(out)
			assert.True(t, os.IsNotExist(err), "%s %v: nothing may be written", cmd, c.args)
		}
	}
	t.Setenv(envJobIndex, "0")
	code, _, errOut := runCmd(t, e2eArgs("price", out)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "AADRISK_SHARDS")
}
