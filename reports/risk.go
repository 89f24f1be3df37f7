package reports

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/marketdata"
)

// riskKey names a row of risk.csv: a risk factor and the currency of the
// sensitivities summed in it. A trade's sensitivities are in the trade's
// currency, so the portfolio's sensitivity to one factor has one figure
// per currency of the trades that have it.
type riskKey struct {
	factor   marketdata.Key
	currency string
}

// riskID is a riskKey's identity, the key of the maps that sum the rows: a
// Key's text determines the Key, and two strings hash and compare much
// faster than the Key's fields (a float among them), once per sensitivity.
type riskID struct{ factor, currency string }

func (k riskKey) id() riskID { return riskID{k.factor.String(), k.currency} }

// sortRisk sorts keys in the order of risk.csv: by risk factor in the
// ladder order of marketdata.CompareKeys at asof, then by currency in byte
// order. It is a total order, so the rows do not depend on the order the
// trades came in.
func sortRisk(keys []riskKey, asof time.Time) {
	rank := make(map[marketdata.Key]int, len(keys))
	factors := make([]marketdata.Key, 0, len(keys))
	for _, k := range keys {
		if _, ok := rank[k.factor]; !ok {
			rank[k.factor] = 0
			factors = append(factors, k.factor)
		}
	}
	marketdata.SortKeys(factors, asof) // each pillar read once
	for i, f := range factors {
		rank[f] = i
	}
	slices.SortFunc(keys, func(a, b riskKey) int {
		return cmp.Or(cmp.Compare(rank[a.factor], rank[b.factor]), strings.Compare(a.currency, b.currency))
	})
}
