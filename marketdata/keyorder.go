package marketdata

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// CompareKeys compares two risk factors in ladder order, the order in
// which a risk report lists them so that each curve and surface reads
// naturally. It returns −1 if a comes first, +1 if b does, and 0 only if
// a == b.
//
// Keys are ordered by type (SPOT, RATE, DIVYIELD, VOL, CORR, HESTON), then
// by name in byte order, then by pillar in time from asof as ParseTime
// reads it (ACT/365F: 1W < 1M < 6M < 1Y < 10Y, and a date among the tenors
// at its time), then, for VOL, the blank strike first and then the strikes
// in numeric order; HESTON parameters come in the order v0, kappa, theta,
// sigma, rho. Two keys that are equal in all of these (RATE/USD/1Y and
// RATE/USD/12M, VOL/X/1Y/100 and VOL/X/1Y/100.0) are in the byte order of
// their texts. A key with a date pillar not after asof, which ParseKey
// accepts but no market as of asof holds, and the zero Key come after
// every other key, in byte order among themselves.
//
// This is a total order, so sorting by it gives the same result whatever
// the sort and the input order. The order of a date against a tenor
// depends on asof: a report sorts with the as-of date of its run. Sorting
// many keys with SortKeys reads each pillar once.
func CompareKeys(a, b Key, asof time.Time) int {
	if a == b {
		return 0
	}
	x, y := orderOf(a, asof), orderOf(b, asof)
	return x.compare(&y)
}

// SortKeys sorts keys in the order of CompareKeys, reading each key's
// pillar once.
func SortKeys(keys []Key, asof time.Time) {
	parsed := make([]keyOrder, len(keys))
	for i, k := range keys {
		parsed[i] = orderOf(k, asof)
	}
	slices.SortFunc(parsed, func(a, b keyOrder) int { return a.compare(&b) })
	for i := range parsed {
		keys[i] = parsed[i].key
	}
}

// keyOrder is a risk factor with the fields CompareKeys orders by.
type keyOrder struct {
	key Key
	// inOrder is false for the keys that come last, in byte order.
	inOrder bool
	// t is the pillar's time (RATE, DIVYIELD, VOL) and param the index of a
	// HESTON parameter in hestonNames.
	t     float64
	param int
	// hasK is false for a blank strike.
	hasK bool
}

// orderOf reads the pillar of k at asof.
func orderOf(k Key, asof time.Time) keyOrder {
	o := keyOrder{key: k, hasK: k.Strike() != ""}
	switch k.kind {
	case 0:
		return o
	case Rate, DivYield, Vol:
		t, err := ParseTime(k.Pillar(), asof)
		if err != nil {
			return o
		}
		o.t = t
	case Heston:
		o.param = slices.IndexFunc(hestonNames[:], func(p string) bool { return strings.EqualFold(p, k.Pillar()) })
	}
	o.inOrder = true
	return o
}

// compare is CompareKeys on parsed keys.
func (a *keyOrder) compare(b *keyOrder) int {
	if a.inOrder != b.inOrder {
		if a.inOrder {
			return -1
		}
		return 1
	}
	if !a.inOrder {
		return strings.Compare(a.key.text, b.key.text)
	}
	return cmp.Or(
		cmp.Compare(a.key.kind, b.key.kind),
		strings.Compare(a.key.Name(), b.key.Name()),
		cmp.Compare(a.t, b.t),
		cmp.Compare(a.param, b.param),
		compareBool(a.hasK, b.hasK), // a blank strike first
		cmp.Compare(a.key.strikeK, b.key.strikeK),
		strings.Compare(a.key.text, b.key.text),
	)
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
