package pricing

import (
	"github.com/aadrisk/aadrisk/aad"
	"github.com/aadrisk/aadrisk/marketdata"
	"github.com/aadrisk/aadrisk/pricing/closedform"
)

// American is an American call or put, priced by the analytic engine with
// the Barone-Adesi–Whaley approximation. It has no Monte Carlo engine.
type American struct{ Option }

// NewAmerican returns an American option after checking its terms.
func NewAmerican(o Option) (*American, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	return &American{o}, nil
}

// Kind returns "american".
func (*American) Kind() string { return "american" }

// value records the Barone-Adesi–Whaley value of one American option.
func (a *American) value(sc *marketdata.Scope) (aad.Number, error) {
	p, err := a.params(sc)
	if err != nil {
		return aad.Number{}, err
	}
	return closedform.American(sc.Tape(), a.Type, p)
}

// secondOrder: Barone-Adesi–Whaley records its second derivatives, its
// critical price as two Newton steps from the solved root, whose values
// agree with the first-order recording's to rounding only: the first-order
// figures come from a first-order recording.
func (*American) secondOrder() (ok, same bool) { return true, false }
