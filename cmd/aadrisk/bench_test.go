package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBenchQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every workload: not in -short")
	}
	t.Setenv("AADRISK_TEST_AS_COMMAND", "1") // for W5, which runs this executable
	code, out, errOut := runCmd(t, "bench", "--quick")
	assert.Equal(t, exitOK, code, errOut)
	for _, s := range []string{"aad/plain", "W1", "W2", "W3", "W4", "W6", "identical results", "trades/s", "bump estimated from 18 of 253 revaluations", "W8", "memory/full"} {
		assert.Contains(t, out, s)
	}
	code, _, _ = runCmd(t, "bench", "extra")
	assert.Equal(t, exitUsage, code)
}
