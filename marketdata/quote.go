package marketdata

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a quote: the type column of the market file.
type Kind uint8

// The kinds of quotes. The zero Kind is invalid.
const (
	Spot     Kind = iota + 1 // SPOT: spot price of an underlying
	Rate                     // RATE: zero rate of a currency's discount curve at a pillar
	DivYield                 // DIVYIELD: dividend yield of an underlying at a pillar
	Vol                      // VOL: implied volatility of an underlying at an expiry and strike
	Corr                     // CORR: correlation of a pair of underlyings
	Heston                   // HESTON: a Heston model parameter of an underlying
)

var kindNames = [...]string{Spot: "SPOT", Rate: "RATE", DivYield: "DIVYIELD", Vol: "VOL", Corr: "CORR", Heston: "HESTON"}

// String returns the name of k as the market file writes it: "SPOT",
// "RATE", "DIVYIELD", "VOL", "CORR" or "HESTON".
func (k Kind) String() string {
	if k >= Spot && k <= Heston {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKind returns the Kind named s, case-insensitively.
func ParseKind(s string) (Kind, bool) {
	for k := Spot; k <= Heston; k++ {
		if strings.EqualFold(s, kindNames[k]) {
			return k, true
		}
	}
	return 0, false
}

// The Heston parameters, in the order of HestonParams.
var hestonNames = [5]string{"v0", "kappa", "theta", "sigma", "rho"}

// hestonDomain returns what Heston parameter p (an index of hestonNames)
// must be if v is outside its domain, else "": rho in [−1, 1], the others
// ≥ 0. It is the one rule for a quote as loaded and for the parameters as
// Scope.Heston reads them, bumps included.
func hestonDomain(p int, v float64) string {
	if p == 4 {
		if !(v >= -1 && v <= 1) {
			return "rho in [-1, 1]"
		}
	} else if !(v >= 0) {
		return hestonNames[p] + " >= 0"
	}
	return ""
}

// Quote is one market quote: a row of the market file.
type Quote struct {
	Kind Kind
	// Name, Pillar and Strike are as written (spaces trimmed); "" where not
	// applicable, and for a blank VOL strike.
	Name, Pillar, Strike string
	// Key is the text of the quote's risk-factor key (see Key and
	// RiskFactor): TYPE/name[/pillar[/strike]] as written, SPOT/ACME,
	// RATE/USD/1Y, VOL/ACME/1Y/100, CORR/ACME|BETA, HESTON/ACME/kappa.
	Key string
	// Time is the pillar in years from the as-of date (RATE, DIVYIELD,
	// VOL), else 0.
	Time float64
	// K is the strike (VOL with a strike), else 0.
	K     float64
	Value float64
	// Line is the physical line in the market file (0 for quotes built in
	// code).
	Line int
}

// checkError is a validation error: the column it is about and a message.
type checkError struct {
	field, msg string
}

func failf(field, format string, args ...any) *checkError {
	return &checkError{field, fmt.Sprintf(format, args...)}
}

// builder validates quotes one at a time, as they are read, and collects
// them.
type builder struct {
	asof   time.Time
	quotes []Quote
	seen   map[identity]int // index of the quote with that identity
	// seenDay is seen with the pillar's time replaced by the calendar day
	// it names (pillarDate): a quote at the same day is the same pillar.
	seenDay map[identity]int
	// blank and strikes index the VOL expiries with a blank strike and
	// with strikes: a quote index of each.
	blank, strikes map[identity]int
}

// identity is what makes two quotes the same risk factor: the key after
// parsing, so that RATE/USD/1Y and RATE/USD/12M are the same.
type identity struct {
	kind    Kind
	name    string // for CORR, the pair in sorted order joined by '|'
	param   int    // HESTON parameter
	t, k    float64
	blankK  bool
	expOnly bool // identity of a VOL expiry, for blank/strike mixing
}

func newBuilder(asof time.Time) *builder {
	return &builder{
		asof: asof,
		seen: make(map[identity]int), seenDay: make(map[identity]int), blank: make(map[identity]int), strikes: make(map[identity]int),
	}
}

// add checks q (whose Kind, Name, Pillar, Strike, Value and Line are set),
// fills in Key, Time and K, and appends it.
func (b *builder) add(q Quote) *checkError {
	q.Name, q.Pillar, q.Strike = trim(q.Name), trim(q.Pillar), trim(q.Strike)
	q.Time, q.K = 0, 0
	if q.Kind < Spot || q.Kind > Heston {
		return failf("type", "unknown type %v (want SPOT, RATE, DIVYIELD, VOL, CORR or HESTON)", q.Kind)
	}
	if math.IsNaN(q.Value) || math.IsInf(q.Value, 0) {
		return failf("value", "want a finite number, got %v", q.Value)
	}
	key, id, err := makeKey(q.Kind, q.Name, q.Pillar, q.Strike, func(p string) (float64, error) { return ParseTime(p, b.asof) })
	if err != nil {
		return err
	}
	q.Time, q.K, q.Key = id.t, key.strikeK, key.text

	// Values.
	switch q.Kind {
	case Corr:
		if q.Value < -1 || q.Value > 1 {
			return failf("value", "want a correlation in [-1, 1], got %v", q.Value)
		}
	case Spot:
		if !(q.Value > 0) {
			return failf("value", "want a spot > 0, got %v", q.Value)
		}
	case Vol:
		if q.Value < 0 {
			return failf("value", "want a volatility >= 0, got %v", q.Value)
		}
	case Heston:
		if want := hestonDomain(id.param, q.Value); want != "" {
			return failf("value", "want %s, got %v", want, q.Value)
		}
	}

	// Duplicates, and VOL expiries mixing a blank strike with strikes.
	dayID, hasDay := id, false
	if q.Pillar != "" {
		if d, ok := pillarDate(q.Pillar, b.asof); ok {
			dayID.t, hasDay = float64(d), true
		}
	}
	i, dup := b.seen[id]
	if !dup && hasDay {
		i, dup = b.seenDay[dayID]
	}
	if dup {
		field := "name"
		switch {
		case q.Kind == Vol && q.Strike != "":
			field = "strike"
		case q.Pillar != "":
			field = "pillar"
		}
		return failf(field, "duplicate quote %s: the same as %s at %s", q.Key, b.quotes[i].Key, where(b.quotes[i], i))
	}
	if q.Kind == Vol {
		exp := identity{kind: Vol, name: q.Name, t: q.Time, expOnly: true}
		if q.Strike == "" {
			if i, ok := b.strikes[exp]; ok {
				return failf("strike", "VOL %s at %s mixes a blank strike with strikes (%s at %s)", q.Name, q.Pillar, b.quotes[i].Key, where(b.quotes[i], i))
			}
			b.blank[exp] = len(b.quotes)
		} else {
			if i, ok := b.blank[exp]; ok {
				return failf("strike", "VOL %s at %s mixes strikes with a blank strike (%s at %s)", q.Name, q.Pillar, b.quotes[i].Key, where(b.quotes[i], i))
			}
			b.strikes[exp] = len(b.quotes)
		}
	}
	b.seen[id] = len(b.quotes)
	if hasDay {
		b.seenDay[dayID] = len(b.quotes)
	}
	b.quotes = append(b.quotes, q)
	return nil
}

// checkName rejects names that would make risk-factor keys ambiguous.
func checkName(name string) *checkError {
	if strings.ContainsAny(name, "/|") {
		return failf("name", "a name cannot contain '/' or '|', got %q", name)
	}
	for _, r := range name {
		if r < ' ' || r == 0x7f {
			return failf("name", "a name cannot contain control characters, got %q", name)
		}
	}
	return nil
}

// where says where quote i came from, for messages.
func where(q Quote, i int) string {
	if q.Line > 0 {
		return "line " + strconv.Itoa(q.Line)
	}
	return "quote " + strconv.Itoa(i)
}

func trim(s string) string { return strings.Trim(s, " \t") }
