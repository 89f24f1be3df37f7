package marketdata

import (
	"fmt"
	"strings"

	"github.com/aadrisk/aadrisk/marketdata/strictcsv"
)

// Key is a risk factor: the identity of one market quote, which names it
// in the output files as the key TYPE/name[/pillar[/strike]], its parts as
// written (spaces around them trimmed):
//
//	SPOT/ACME             a spot: the type and the name
//	RATE/USD/1Y           a RATE or DIVYIELD pillar: a tenor or a date
//	DIVYIELD/ACME/6M
//	VOL/ACME/1Y/100       a VOL node: the expiry and the strike,
//	VOL/ACME/1Y           or no strike for an expiry quoted flat
//	CORR/ACME|BETA        a correlation: the pair as written
//	HESTON/ACME/kappa     a Heston parameter: v0, kappa, theta, sigma or rho
//
// The type is upper case; a name has no '/', '|' (but for the one of a
// CORR pair) or control character. A Key comes from a quote of a market
// (Quote.RiskFactor) or from the text of a key read back from a file
// (ParseKey); the zero Key is no risk factor. Keys are comparable: two
// are == when their texts are (RATE/USD/1Y and RATE/USD/12M are two keys,
// though the same time). CompareKeys orders them as a risk ladder.
type Key struct {
	// text is String's result, built once; the parts are its substrings,
	// the name ending at nameEnd and the pillar at pillarEnd (nameEnd when
	// there is none), so that a Key is small and holds one string.
	text               string
	nameEnd, pillarEnd int32
	kind               Kind
	strikeK            float64 // the strike's value, 0 for none
}

// newKey is the Key of parts already checked, with its text.
func newKey(kind Kind, name, pillar, strike, text string, k float64) Key {
	nameEnd := len(kind.String()) + 1 + len(name)
	pillarEnd := nameEnd
	if pillar != "" {
		pillarEnd += 1 + len(pillar)
	}
	return Key{text: text, nameEnd: int32(nameEnd), pillarEnd: int32(pillarEnd), kind: kind, strikeK: k}
}

// Kind returns the type of the quote.
func (k Key) Kind() Kind { return k.kind }

// Name returns the name as written: an underlying, a currency, or for
// CORR the pair A|B.
func (k Key) Name() string { return k.part(len(k.kind.String())+1, int(k.nameEnd)) }

// Pillar returns the pillar as written (a tenor or a date for RATE,
// DIVYIELD and VOL, a parameter for HESTON), "" for the other kinds.
func (k Key) Pillar() string { return k.part(int(k.nameEnd)+1, int(k.pillarEnd)) }

// Strike returns a VOL key's strike as written, "" for a blank strike and
// for the other kinds.
func (k Key) Strike() string { return k.part(int(k.pillarEnd)+1, len(k.text)) }

// part returns text[i:j], or "" for a part the key does not have (and for
// the parts of the zero Key and of a Key made of a Quote that is not one
// of a market, which RiskFactor then refuses).
func (k Key) part(i, j int) string {
	if i > j || j > len(k.text) {
		return ""
	}
	return k.text[i:j]
}

// K returns the value of a VOL key's strike, 0 when Strike is "".
func (k Key) K() float64 { return k.strikeK }

// Pair returns the two names of a CORR key's pair, as written either side
// of the '|' (spaces kept); "" and "" for the other kinds.
func (k Key) Pair() (a, b string) {
	if k.kind != Corr {
		return "", ""
	}
	a, b, _ = strings.Cut(k.Name(), "|")
	return a, b
}

// String returns the key as the output files write it, for example
// "VOL/ACME/1Y/100"; "" for the zero Key. It does not allocate.
func (k Key) String() string { return k.text }

// RiskFactor returns the Key of q, a quote of a market: its risk factor,
// whose String is q.Key. For a Quote whose Key is not the text of its
// parts (one not made by a market) it returns the zero Key.
func (q *Quote) RiskFactor() Key {
	k := newKey(q.Kind, q.Name, q.Pillar, q.Strike, q.Key, q.K)
	typ := q.Kind.String()
	if q.Kind < Spot || q.Kind > Heston || len(q.Key) <= len(typ) || q.Key[:len(typ)] != typ || q.Key[len(typ)] != '/' ||
		q.Name == "" || k.Name() != q.Name || k.Pillar() != q.Pillar || k.Strike() != q.Strike {
		return Key{}
	}
	return k
}

// ParseKey reads the text of a risk-factor key, as String writes it and a
// file holds it. It accepts exactly the keys of the quotes a market file
// can hold: the type in upper case, the parts without surrounding spaces,
// and each part as Load would accept it (a pillar a tenor or a date, a
// strike a number > 0, a name with no '/' or control character, a CORR
// name a pair of two different names). A date pillar is not checked
// against an as-of date, which the text of a key does not carry.
func ParseKey(s string) (Key, error) {
	typ, rest, ok := strings.Cut(s, "/")
	kind, known := ParseKind(typ)
	if !ok || !known || typ != kind.String() {
		return Key{}, fmt.Errorf("risk factor %q: want TYPE/name[/pillar[/strike]] with TYPE one of SPOT, RATE, DIVYIELD, VOL, CORR or HESTON", s)
	}
	parts := strings.SplitN(rest, "/", 3)
	parts = append(parts, "", "")[:3]
	k, _, err := makeKey(kind, parts[0], parts[1], parts[2], func(p string) (float64, error) { return 0, pillarForm(p) })
	if err != nil {
		return Key{}, fmt.Errorf("risk factor %q: %s: %s", s, err.field, err.msg)
	}
	for _, p := range parts {
		if p != trim(p) {
			return Key{}, fmt.Errorf("risk factor %q: spaces around a part", s)
		}
	}
	if k.text != s { // an empty or an extra part
		return Key{}, fmt.Errorf("risk factor %q: want TYPE/name[/pillar[/strike]], as %s", s, k.text)
	}
	return k, nil
}

// makeKey checks the parts of a quote's key, trimmed, in the order of the
// columns, and returns the Key and the identity of the quote (without its
// Heston parameter's value checks, which are the builder's). pillarTime
// reads a RATE, DIVYIELD or VOL pillar: ParseTime at the market's as-of
// date for a market, the form alone for ParseKey.
func makeKey(kind Kind, name, pillar, strike string, pillarTime func(string) (float64, error)) (Key, identity, *checkError) {
	if kind < Spot || kind > Heston {
		return Key{}, identity{}, failf("type", "unknown type %v (want SPOT, RATE, DIVYIELD, VOL, CORR or HESTON)", kind)
	}
	id := identity{kind: kind, name: name}
	if name == "" {
		return Key{}, id, failf("name", "%v needs a name", kind)
	}

	// Pillar.
	switch kind {
	case Rate, DivYield, Vol:
		if pillar == "" {
			return Key{}, id, failf("pillar", "%v needs a pillar (a tenor or a date)", kind)
		}
		t, err := pillarTime(pillar)
		if err != nil {
			return Key{}, id, failf("pillar", "%v", err)
		}
		id.t = t
	case Heston:
		id.param = -1
		for i, p := range hestonNames {
			if strings.EqualFold(pillar, p) {
				id.param = i
			}
		}
		if id.param < 0 {
			return Key{}, id, failf("pillar", "want a Heston parameter (v0, kappa, theta, sigma or rho), got %q", pillar)
		}
	default:
		if pillar != "" {
			return Key{}, id, failf("pillar", "%v takes no pillar, got %q", kind, pillar)
		}
	}

	// Strike.
	if kind == Vol {
		var k strictcsv.Float
		if err := k.UnmarshalCSV(strike); err != nil {
			return Key{}, id, failf("strike", "%v", err)
		}
		if k.Set && !(k.V > 0) {
			return Key{}, id, failf("strike", "want a strike > 0, got %s", strike)
		}
		id.k, id.blankK = k.V, !k.Set
	} else if strike != "" {
		return Key{}, id, failf("strike", "%v takes no strike, got %q", kind, strike)
	}

	// Name.
	if kind == Corr {
		a, c, ok := strings.Cut(name, "|")
		a, c = trim(a), trim(c)
		if !ok || a == "" || c == "" || strings.Contains(c, "|") {
			return Key{}, id, failf("name", "want a pair of names A|B, got %q", name)
		}
		if a == c {
			return Key{}, id, failf("name", "a correlation of %s with itself is always 1", a)
		}
		if err := checkName(a); err != nil {
			return Key{}, id, err
		}
		if err := checkName(c); err != nil {
			return Key{}, id, err
		}
		if a > c {
			a, c = c, a
		}
		id.name = a + "|" + c
	} else if err := checkName(name); err != nil {
		return Key{}, id, err
	}

	var b strings.Builder
	b.WriteString(kind.String())
	b.WriteByte('/')
	b.WriteString(name)
	if pillar != "" {
		b.WriteByte('/')
		b.WriteString(pillar)
		if strike != "" {
			b.WriteByte('/')
			b.WriteString(strike)
		}
	}
	return newKey(kind, name, pillar, strike, b.String(), id.k), id, nil
}
