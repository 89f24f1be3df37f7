package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aadrisk/aadrisk/batch"
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
	for _, v := range batch.EnvVars() {
		os.Unsetenv(v)
	}
	os.Exit(m.Run())
}

// TestShardFromEnvironment runs price under the variables of an Indexed
// Job and of a Slurm array, and checks the manifest's shard.
func TestShardFromEnvironment(t *testing.T) {
	t.Setenv(batch.EnvJobIndex, "1")
	t.Setenv(batch.EnvShards, "3")
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

	t.Setenv(batch.EnvJobIndex, "")
	t.Setenv(batch.EnvShards, "")
	t.Setenv(batch.EnvSlurmID, "11")
	t.Setenv(batch.EnvSlurmMin, "10")
	t.Setenv(batch.EnvSlurmCount, "3")
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
	t.Setenv(batch.EnvJobIndex, "0")
	code, _, errOut := runCmd(t, e2eArgs("price", out)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "AADRISK_SHARDS")
}
