package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/aadrisk/aadrisk/batch"
)

// buildAadrisk builds the command into a temporary directory.
func buildAadrisk(t *testing.T) string {
	t.Helper()
	// go test puts its own go command first on PATH.
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "building aadrisk")
	bin := filepath.Join(t.TempDir(), "aadrisk")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// batchPortfolio writes a portfolio of n trades of every analytic kind, with
// failing rows (no market data, a bad number, a duplicate trade_id) and IDs
// that need quoting or neutralising.
func batchPortfolio(t *testing.T, dir string, n int) string {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("trade_id,instrument,underlying,currency,option_type,strike,expiry,quantity,payout,barrier_type,barrier,rebate,averaging,fixings\n")
	for i := range n {
		id := fmt.Sprintf("T%06d", i)
		switch i % 97 {
		case 5:
			id = "=" + id
		case 6:
			id = "-" + id
		case 7:
			id = `"` + id + `, with a comma"`
		}
		und, ccy, spot := "ACME", "USD", 100
		if i%3 == 1 {
			und, ccy, spot = "BETA", "EUR", 52
		}
		k := spot * (80 + i%41) / 100
		qty := (i%13 - 6) * 100
		switch i % 6 {
		case 0:
			fmt.Fprintf(&b, "%s,european,%s,%s,call,%d,%dM,%d,,,,,,\n", id, und, ccy, k, 3+i%21, qty)
		case 1:
			fmt.Fprintf(&b, "%s,digital,%s,%s,put,%d,1Y,%d,10,,,,,\n", id, und, ccy, k, qty)
		case 2:
			fmt.Fprintf(&b, "%s,barrier,%s,%s,call,%d,18M,%d,,up-out,%d,1,,\n", id, und, ccy, k, qty, spot*3/2)
		case 3:
			fmt.Fprintf(&b, "%s,asian,%s,%s,call,%d,1Y,%d,,,,,geometric,%d\n", id, und, ccy, k, qty, i%12)
		case 4:
			fmt.Fprintf(&b, "%s,american,%s,%s,put,%d,2Y,%d,,,,,,\n", id, und, ccy, k, qty)
		default:
			switch (i / 6) % 3 {
			case 0:
				fmt.Fprintf(&b, "%s,european,NOPE,USD,call,100,1Y,1,,,,,,\n", id)
			case 1:
				fmt.Fprintf(&b, "%s,european,ACME,USD,call,1.2.3,1Y,1,,,,,,\n", id)
			default:
				fmt.Fprintf(&b, "T%06d,european,ACME,USD,call,100,1Y,1,,,,,,\n", i-5) // a duplicate
			}
		}
	}
	path := filepath.Join(dir, "portfolio.csv")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	return path
}

// cleanEnv is the environment of the test without the scheduler variables.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(batch.EnvVars(), name) {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// runProcess runs the command and returns its exit status, failing the
// test on anything but 0 and 1.
func runProcess(t *testing.T, bin string, env []string, args ...string) int {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == exitFailed {
		return exitFailed
	}
	require.NoError(t, err, "aadrisk %s: %s", strings.Join(args, " "), tail(out))
	return exitOK
}

func tail(b []byte) []byte {
	if len(b) > 4000 {
		return b[len(b)-4000:]
	}
	return b
}

// TestBatchWithProcesses runs the nightly batch as a scheduler would: the
// real binary, one process per shard running at the same time, each taking
// its shard from the environment (a Kubernetes Indexed Job, a Slurm array),
// then merge; the merged files must be those of one unsharded run, byte for
// byte.
func TestBatchWithProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it as separate processes")
	}
	bin := buildAadrisk(t)
	tmp := t.TempDir()
	portfolio := batchPortfolio(t, tmp, 3000)
	market, err := filepath.Abs(filepath.Join(e2e, "market.csv"))
	require.NoError(t, err)
	inputs := []string{"--portfolio", portfolio, "--market", market, "--asof", "2026-01-02", "--workers", "2"}

	one := filepath.Join(tmp, "one")
	code := runProcess(t, bin, cleanEnv(), append([]string{"price", "--out", one}, inputs...)...)
	require.Equal(t, exitFailed, code, "the portfolio has failing rows")
	results, err := os.ReadFile(filepath.Join(one, "results.csv"))
	require.NoError(t, err)
	for _, s := range []string{"'=T000005,", "'-T000006,", `"T000007, with a comma"`, "duplicate trade_id", "no SPOT quote", "strike: want a number"} {
		require.True(t, strings.Contains(string(results), s), "results.csv has %q", s)
	}
	m := readManifest(t, one)
	t.Logf("one run: %d trades ok, %d failed", m.TradesOK, m.TradesFailed)

	for _, sched := range []struct {
		name string
		n    int
		env  func(i int) []string // i from 0
	}{
		{"kubernetes indexed job", 4, func(i int) []string {
			return []string{batch.EnvJobIndex + "=" + fmt.Sprint(i), batch.EnvShards + "=4"}
		}},
		{"slurm array", 3, func(i int) []string {
			return []string{batch.EnvSlurmID + "=" + fmt.Sprint(i+1), batch.EnvSlurmMin + "=1", batch.EnvSlurmCount + "=3"}
		}},
	} {
		t.Run(sched.name, func(t *testing.T) {
			shared := filepath.Join(t.TempDir(), "shared")
			dirs := make([]string, sched.n)
			procs := make([]*exec.Cmd, sched.n)
			outs := make([]*bytes.Buffer, sched.n)
			for i := range sched.n {
				dirs[i] = filepath.Join(shared, fmt.Sprintf("shard-%d", i))
				procs[i] = exec.Command(bin, append([]string{"price", "--out", dirs[i]}, inputs...)...)
				procs[i].Env = cleanEnv(sched.env(i)...)
				outs[i] = new(bytes.Buffer)
				procs[i].Stdout, procs[i].Stderr = outs[i], outs[i]
				require.NoError(t, procs[i].Start())
			}
			for i, p := range procs {
				err := p.Wait()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != exitFailed {
					require.NoError(t, err, "shard %d: %s", i, tail(outs[i].Bytes()))
				}
				assert.Equal(t, fmt.Sprintf("%d/%d", i+1, sched.n), readManifest(t, dirs[i]).Shard)
			}

			merged := filepath.Join(shared, "merged")
			code := runProcess(t, bin, cleanEnv(), append([]string{"merge", "--out", merged}, dirs...)...)
			assert.Equal(t, exitFailed, code)
			sameFiles(t, one, merged, dataFiles("price"))
			want, got := readManifest(t, one), readManifest(t, merged)
			assert.Equal(t, [2]int{want.TradesOK, want.TradesFailed}, [2]int{got.TradesOK, got.TradesFailed})
			assert.Equal(t, want.Outputs, got.Outputs)
		})
	}
}

// TestExamples runs the scripts of the Kubernetes and Slurm examples
// (cmd/aadrisk/examples) as their schedulers would, with local processes:
// the pricing step once per shard with the scheduler's variables, then the
// merge step; the merged files must be those of one unsharded run. It also
// checks the Jobs' YAML for the fields an Indexed Job needs.
func TestExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs the examples' scripts")
	}
	if runtime.GOOS == "windows" {
		t.Skip("the examples' scripts are POSIX shell")
	}
	for _, sh := range []string{"sh", "bash"} {
		if _, err := exec.LookPath(sh); err != nil {
			t.Skipf("no %s", sh)
		}
	}
	bin := buildAadrisk(t)
	pathEnv := "PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH")
	const asof = "2026-01-02"

	// inputs makes a batch directory with the e2e inputs, and returns it
	// with the files of one unsharded run on them (read from the same
	// paths, so that the error messages are the same).
	inputs := func(t *testing.T, dir string) string {
		in := filepath.Join(dir, "inputs")
		require.NoError(t, os.MkdirAll(in, 0o755))
		for _, f := range []string{"portfolio.csv", "market.csv"} {
			b, err := os.ReadFile(filepath.Join(e2e, f))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(in, f), b, 0o644))
		}
		one := filepath.Join(t.TempDir(), "one")
		runProcess(t, bin, cleanEnv(), "price", "--portfolio", filepath.Join(in, "portfolio.csv"),
			"--market", filepath.Join(in, "market.csv"), "--asof", asof, "--out", one)
		return one
	}
	script := func(t *testing.T, env []string, name string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "exit status 1 (some trades failed) must count as a success: %s", tail(out))
	}

	t.Run("kubernetes", func(t *testing.T) {
		type container struct {
			Name, Image  string
			Command      []string
			Args         []string
			Env          []struct{ Name, Value string }
			VolumeMounts []struct{ Name, MountPath string } `yaml:"volumeMounts"`
		}
		type job struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string
			Spec       struct {
				CompletionMode string `yaml:"completionMode"`
				Completions    int
				Parallelism    int
				Template       struct {
					Spec struct {
						RestartPolicy string `yaml:"restartPolicy"`
						Containers    []container
					}
				}
			}
		}
		read := func(name string) container {
			b, err := os.ReadFile(filepath.Join("examples", "kubernetes", name))
			require.NoError(t, err)
			var j job
			dec := yaml.NewDecoder(bytes.NewReader(b))
			require.NoError(t, dec.Decode(&j), name)
			require.Equal(t, "batch/v1", j.APIVersion, name)
			require.Equal(t, "Job", j.Kind, name)
			require.Equal(t, "Never", j.Spec.Template.Spec.RestartPolicy, name)
			require.Len(t, j.Spec.Template.Spec.Containers, 1, name)
			c := j.Spec.Template.Spec.Containers[0]
			require.Equal(t, []string{"/bin/sh", "-c"}, c.Command, name)
			require.Len(t, c.Args, 1, name)
			if name == "price-job.yaml" {
				require.Equal(t, "Indexed", j.Spec.CompletionMode)
				require.Positive(t, j.Spec.Completions)
				require.True(t, j.Spec.Parallelism >= 1 && j.Spec.Parallelism <= j.Spec.Completions)
				shards := ""
				for _, e := range c.Env {
					if e.Name == batch.EnvShards {
						shards = e.Value
					}
				}
				require.Equal(t, fmt.Sprint(j.Spec.Completions), shards, "AADRISK_SHARDS is the Job's completions")
				c.Name = fmt.Sprint(j.Spec.Completions) // the number of pods, for the test
			}
			return c
		}
		price, merge := read("price-job.yaml"), read("merge-job.yaml")
		require.Equal(t, price.Image, merge.Image, "one image for both Jobs")

		mount := t.TempDir()
		one := inputs(t, filepath.Join(mount, asof))
		env := func(c container, extra ...string) []string {
			e := cleanEnv(pathEnv)
			for _, v := range c.Env {
				e = append(e, v.Name+"="+v.Value)
			}
			return append(e, extra...)
		}
		local := func(s string) string { return strings.ReplaceAll(s, "/batch/", mount+"/") }
		n := 0
		fmt.Sscan(price.Name, &n)
		for i := range n {
			script(t, env(price, batch.EnvJobIndex+"="+fmt.Sprint(i)), "sh", "-c", local(price.Args[0]))
		}
		script(t, env(merge), "sh", "-c", local(merge.Args[0]))
		sameFiles(t, one, filepath.Join(mount, asof, "merged"), dataFiles("price"))
	})

	t.Run("slurm", func(t *testing.T) {
		dir := filepath.Join("examples", "slurm")
		body, err := os.ReadFile(filepath.Join(dir, "price-array.sbatch"))
		require.NoError(t, err)
		var lo, hi int
		for _, l := range strings.Split(string(body), "\n") {
			if a, ok := strings.CutPrefix(l, "#SBATCH --array="); ok {
				_, err := fmt.Sscanf(a, "%d-%d", &lo, &hi)
				require.NoError(t, err, l)
			}
		}
		require.Greater(t, hi, lo)
		for _, f := range []string{"price-array.sbatch", "merge.sbatch", "submit.sh"} {
			out, err := exec.Command("bash", "-n", filepath.Join(dir, f)).CombinedOutput()
			require.NoError(t, err, "%s: %s", f, out)
		}

		// srun runs its command here.
		fake := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(fake, "srun"), []byte("#!/bin/sh\nexec \"$@\"\n"), 0o755))
		batchDir := filepath.Join(t.TempDir(), asof)
		one := inputs(t, batchDir)
		env := cleanEnv("PATH="+fake+string(os.PathListSeparator)+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"),
			"ASOF="+asof, "BATCH="+batchDir, "SLURM_CPUS_PER_TASK=2")
		for id := lo; id <= hi; id++ {
			script(t, append(env, batch.EnvSlurmID+"="+fmt.Sprint(id), batch.EnvSlurmMin+"="+fmt.Sprint(lo), batch.EnvSlurmCount+"="+fmt.Sprint(hi-lo+1)),
				"bash", filepath.Join(dir, "price-array.sbatch"))
		}
		script(t, env, "bash", filepath.Join(dir, "merge.sbatch"))
		sameFiles(t, one, filepath.Join(batchDir, "merged"), dataFiles("price"))
	})
}
