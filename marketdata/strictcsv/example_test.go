package strictcsv_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
)

// Read a file of trades, with a check after decoding, and go on after a
// bad row.
func Example() {
	type trade struct {
		ID       strictcsv.Text    `csv:"trade_id"`
		Strike   strictcsv.Float   `csv:"strike"`
		Quantity strictcsv.Decimal `csv:"quantity"`
		Paths    strictcsv.Int     `csv:"paths"`
	}
	const file = "trade_id,quantity,strike,paths,desk\n" +
		"T1,-2.5,100,010,rates\n" +
		"T2,1,0,25,,fx\n" + // a decimal comma: one field too many
		"T3,1,abc,,fx\n" +
		"T4,1,,,fx\n" +
		"T5,3,95.5,,fx\n"

	d, err := strictcsv.NewDecoder[trade](strings.NewReader(file), "portfolio.csv", "trade_id", "strike")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ignored columns:", d.Ignored())
	for {
		var t trade
		line, err := d.Next(&t)
		if err == io.EOF {
			break
		}
		var e *strictcsv.Error
		if errors.As(err, &e) && e.Fatal {
			fmt.Println("unreadable:", err)
			return
		}
		if err == nil && !t.Strike.Set {
			err = d.Errorf("strike", "required")
		}
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Printf("line %d: %s strike %g quantity %s paths %d\n", line, t.ID, t.Strike.V, t.Quantity.V, t.Paths.Or(10000))
	}
	// Output:
	// ignored columns: [desk]
	// line 2: T1 strike 100 quantity -2.5 paths 10
	// error: portfolio.csv:3: want 5 fields as in the header, got 6
	// error: portfolio.csv:4:6: strike: want a number, got "abc"
	// error: portfolio.csv:5:6: strike: required
	// line 6: T5 strike 95.5 quantity 3 paths 10000
}

// A record needs a column the file does not have, and the header has an
// ignored column that looks like it: the file, not the record, is wrong.
func ExampleDecoder_LookAlike() {
	type trade struct {
		ID      strictcsv.Text `csv:"trade_id"`
		Kind    strictcsv.Text `csv:"instrument"`
		Barrier strictcsv.Text `csv:"barrier_type"`
	}
	const file = "trade_id,instrument,barrier_kind,desk\n" +
		"T1,european,,fx\n" +
		"T2,barrier,up-out,fx\n"

	d, err := strictcsv.NewDecoder[trade](strings.NewReader(file), "portfolio.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		var t trade
		_, err := d.Next(&t)
		if err == io.EOF {
			break
		}
		if err == nil && t.Kind == "barrier" && !d.Has("barrier_type") {
			if col := d.LookAlike("barrier_type"); col != "" {
				err = d.HeaderErrorf(col, strictcsv.ErrUnknownColumn, "column %q is not a known column; did you mean %q?", col, "barrier_type")
			}
		}
		if err != nil {
			fmt.Println("unreadable:", err)
			return
		}
		fmt.Println(t.ID, t.Kind)
	}
	// Output:
	// T1 european
	// unreadable: portfolio.csv:1:21: column "barrier_kind" is not a known column; did you mean "barrier_type"?
}
