// Package benchmarks holds the standard workloads W1–W8 by which aadrisk is
// measured: closed-form Europeans, Monte Carlo Asian, basket and local-vol
// barrier options, the command end to end, and a finite-difference
// American under local vol, each with a plain float64 twin and
// bump-and-revalue beside the AAD pricing; second order (Hessian-vector
// products against gradients); and Table, which runs W1–W6 and W8 for
// `aadrisk bench`. README.md in this directory defines each workload,
// its inputs and its figures, and says how to run them.
package benchmarks
