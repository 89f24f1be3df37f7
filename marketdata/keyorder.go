package marketdata

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
)

// CompareKeys compares two risk-factor keys (Quote.Key:
// TYPE/name[/pillar[/strike]]) in ladder order, the order in which a risk
// report lists them so that each curve and surface reads naturally. It
// returns −1 if a comes first, +1 if b does, and 0 only if a == b.
//
// Keys are ordered by type (SPOT, RATE, DIVYIELD, VOL, CORR, HESTON), then
// by name in byte order, then by pillar in time from asof as ParseTime
// reads it (ACT/365F: 1W < 1M < 6M < 1Y < 10Y, and a date among the tenors
// at its time), then, for VOL, the blank strike first and then the strikes
// in numeric order; HESTON parameters come in the order v0, kappa, theta,
// sigma, rho. Two keys that are equal in all of these (RATE/USD/1Y and
// RATE/USD/12M, VOL/X/1Y/100 and VOL/X/1Y/100.0) are in byte order. A key
// that is not of this grammar (an unknown or lower-case type, a pillar or
// strike that does not parse, a date not after asof, a missing or extra
// part) comes after every key that is, and such keys are in byte order
// among themselves.
//
// This is a total order on strings, so sorting by it gives the same result
// whatever the sort and the input order. The order of a date against a
// tenor depends on asof: a report sorts with the as-of date of its run.
// Sorting many keys with SortKeys parses each key once.
func CompareKeys(a, b string, asof time.Time) int {
	if a == b {
		return 0
	}
	x, y := parseKeyOrder(a, asof), parseKeyOrder(b, asof)
	return x.compare(&y)
}

// SortKeys sorts keys in the order of CompareKeys, parsing each key once.
func SortKeys(keys []string, asof time.Time) {
	parsed := make([]keyOrder, len(keys))
	for i, k := range keys {
		parsed[i] = parseKeyOrder(k, asof)
	}
	slices.SortFunc(parsed, func(a, b keyOrder) int { return a.compare(&b) })
	for i := range parsed {
		keys[i] = parsed[i].key
	}
}

// keyOrder is a risk-factor key parsed into the fields CompareKeys orders
// by.
type keyOrder struct {
	key    string
	parsed bool
	kind   Kind
	name   string
	// t is the pillar's time (RATE, DIVYIELD, VOL) and param the index of a
	// HESTON parameter in hestonNames.
	t     float64
	param int
	// hasK and k are a VOL key's strike; a blank strike has !hasK.
	hasK bool
	k    float64
}

// parseKeyOrder parses key; keyOrder.parsed is false when key is not of the
// grammar of Quote.Key.
func parseKeyOrder(key string, asof time.Time) keyOrder {
	o := keyOrder{key: key}
	typ, rest, ok := strings.Cut(key, "/")
	if !ok {
		return o
	}
	// Quote.Key writes the type as Kind.String does: upper case only.
	kind, ok := ParseKind(typ)
	if !ok || typ != kind.String() {
		return o
	}
	parts := strings.Split(rest, "/")
	if slices.Contains(parts, "") {
		return o
	}
	o.kind, o.name = kind, parts[0]
	switch kind {
	case Spot:
		if len(parts) != 1 {
			return o
		}
	case Corr:
		if len(parts) != 1 || strings.Count(o.name, "|") != 1 {
			return o
		}
	case Rate, DivYield, Vol:
		if len(parts) != 2 && !(kind == Vol && len(parts) == 3) {
			return o
		}
		t, err := ParseTime(parts[1], asof)
		if err != nil {
			return o
		}
		o.t = t
		if len(parts) == 3 {
			var k strictcsv.Float
			if err := k.UnmarshalCSV(parts[2]); err != nil || !k.Set || !(k.V > 0) {
				return o
			}
			o.hasK, o.k = true, k.V
		}
	case Heston:
		if len(parts) != 2 {
			return o
		}
		o.param = slices.IndexFunc(hestonNames[:], func(p string) bool { return strings.EqualFold(p, parts[1]) })
		if o.param < 0 {
			return o
		}
	}
	o.parsed = true
	return o
}

// compare is CompareKeys on parsed keys.
func (a *keyOrder) compare(b *keyOrder) int {
	if a.parsed != b.parsed {
		if a.parsed {
			return -1
		}
		return 1
	}
	if !a.parsed {
		return strings.Compare(a.key, b.key)
	}
	return cmp.Or(
		cmp.Compare(a.kind, b.kind),
		strings.Compare(a.name, b.name),
		cmp.Compare(a.t, b.t),
		cmp.Compare(a.param, b.param),
		compareBool(a.hasK, b.hasK), // a blank strike first
		cmp.Compare(a.k, b.k),
		strings.Compare(a.key, b.key),
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
