package batch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/aadrisk/aadrisk/batch"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing"
	"github.com/aadrisk/aadrisk/reports"
)

// examplePaths are the Monte Carlo paths of the example's trades that set
// none: few, for speed; a merge does not depend on them.
const examplePaths = 2000

// priceShard prices the portfolio as shard s of a batch (the zero Shard:
// the whole portfolio) into dir, as `aadrisk price --shard K/N --out dir`
// does: every row is read, so that a duplicate trade_id is still found,
// but only the shard's trades are priced, and the manifest records the
// shard and the SHA-256 of both inputs, which a merge checks.
func priceShard(portfolio, market string, asof time.Time, s batch.Shard, validate bool, dir string) error {
	mf, err := os.Open(market)
	if err != nil {
		return err
	}
	defer mf.Close()
	mh := reports.NewHashReader(mf)
	m, err := marketdata.Load(mh, market, asof)
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, mh); err != nil {
		return err
	}
	pf, err := os.Open(portfolio)
	if err != nil {
		return err
	}
	defer pf.Close()
	ph := reports.NewHashReader(pf)
	pr, err := pricing.NewPortfolioReader(ph, portfolio, asof)
	if err != nil {
		return err
	}

	w, err := reports.NewWriter(dir, reports.WriterSettings{Validation: validate})
	if err != nil {
		return err
	}
	defer w.Abort()
	sink := reports.NewSink(w, nil, nil)
	next := func() (pricing.Item, error) {
		for {
			tr, err := pr.Next()
			if err != nil && tr == nil {
				return pricing.Item{}, err // io.EOF at the end
			}
			if s.Has(tr.ID) {
				return pricing.Item{Trade: tr, Err: err}, nil
			}
		}
	}
	format := func(p pricing.Priced) reports.Formatted { return sink.Format(p.Result) }
	opts := pricing.RunSettings{Workers: 2, Validate: validate, MC: pricing.MCDefaults{Paths: examplePaths, Seed: pricing.DefaultSeed}}
	start := time.Now()
	if err := pricing.RunWith(context.Background(), m, opts, next, format, sink.Add); err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, ph); err != nil {
		return err
	}
	command := "price"
	if validate {
		command = "validate"
	}
	return w.Commit(&reports.Manifest{
		Version: "example", Command: command, AsOf: asof.Format(time.DateOnly),
		Inputs: []reports.InputFile{
			{Name: "portfolio", Path: portfolio, SHA256: ph.Sum()},
			{Name: "market", Path: market, SHA256: mh.Sum()},
		},
		Seed: pricing.DefaultSeed, Paths: examplePaths, RNG: "pseudo",
		Shard: s.String(), Workers: opts.Workers, Start: start.UTC(), End: time.Now().UTC(),
	})
}

// Example_merge prices a portfolio in three shards and merges them into
// the files of one run, then shows a merge refused for a missing shard.
func Example_merge() {
	dir, err := os.MkdirTemp("", "batch-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	portfolio, market := filepath.Join("..", "testdata", "e2e", "portfolio.csv"), filepath.Join("..", "testdata", "e2e", "market.csv")
	asof := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)

	var shards []string
	for k := 1; k <= 3; k++ { // in a batch, three jobs on three machines
		d := filepath.Join(dir, fmt.Sprintf("shard-%d", k))
		if err := priceShard(portfolio, market, asof, batch.Shard{K: k, N: 3}, false, d); err != nil {
			fmt.Println(err)
			return
		}
		shards = append(shards, d)
	}

	b, err := batch.Open(shards) // the manifests: one batch, every shard once
	if err != nil {
		fmt.Println(err)
		return
	}
	pf, err := os.Open(portfolio) // for the input order, checked by SHA-256
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pf.Close()
	mg, err := b.NewMerge(pf, portfolio)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer mg.Close()
	w, err := reports.NewWriter(filepath.Join(dir, "merged"), reports.WriterSettings{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Abort()
	sink := reports.NewSink(w, nil, nil)
	man, err := mg.Run(context.Background(), sink, nil)
	if err != nil {
		fmt.Println(err) // a *batch.Error: nothing is committed
		return
	}
	if err := w.Commit(man); err != nil {
		fmt.Println(err)
		return
	}
	n := sink.Counts()
	fmt.Printf("%d shards merged: %d trades ok, %d failed; files %v\n", b.N(), n.OK, n.Failed, man.Files)

	_, err = batch.Open(shards[:2])
	fmt.Println(errors.Is(err, batch.ErrMissing), err)
	// Output:
	// 3 shards merged: 16 trades ok, 6 failed; files [results.csv sensitivities.csv risk.csv]
	// true merge: the batch has 3 shards but 3/3 is missing: merge needs all of them
}

// ExampleShardOf shows which shard of four each trade is in: the rule
// depends on the trade_id alone.
func ExampleShardOf() {
	for _, id := range []string{"EU-1", "EU-2", "EU-3", "=FORMULA"} {
		fmt.Println(id, batch.ShardOf(id, 4))
	}
	s, err := batch.ParseShard("3/4")
	fmt.Println(s, s.Has("=FORMULA"), err)
	// Output:
	// EU-1 2
	// EU-2 1
	// EU-3 4
	// =FORMULA 3
	// 3/4 true <nil>
}
